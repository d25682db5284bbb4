//! The device client on embassy-net, end to end: a TAP device inside a network namespace the
//! test creates (and removes), embassy-net's TCP/IP stack on it at 10.42.0.2, the test DC
//! listening at 10.42.0.1 on the host side of the TAP. Auth key, bot login, an alert the DC
//! confirms; then the DC drops the connection mid-request, the device reconnects on a new
//! socket and the alert is stored once, without a new handshake.
//!
//! Needs root (or CAP_NET_ADMIN) and /dev/net/tun, as the test command has; the outer test
//! fails with the reason if they are missing. Prints the handshake time and the bytes the
//! alert flow exchanged.

use std::process::Command;
use std::time::Instant;

use embassy_net::tcp::TcpSocket;
use embassy_net::{Ipv4Address, Ipv4Cidr, StackResources, StaticConfigV4};
use embassy_net_tuntap::TunTapDevice;
use embedded_io_async::{ErrorType, Read, Write};
use ferrogram_client_embedded::{Config, Device, EmbassyClock, Error, Peer, Record};
use ferrogram_testdc::world::FIRST_USER_ID as ALICE;
use ferrogram_testdc::{Config as DcConfig, TestDc};
use futures_lite::FutureExt;
use futures_lite::future::block_on;
use getrandom::SysRng;
use rand_core::{Rng, UnwrapErr};

const DC_IP: [u8; 4] = [10, 42, 0, 1];
const DEVICE_IP: [u8; 4] = [10, 42, 0, 2];

/// Runs `ip` with `args`, failing the test with its output if it fails.
fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .expect("the `ip` tool (iproute2) runs");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Deletes the namespace (and its TAP device) however the test ends.
struct Namespace(String);

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

#[test]
fn a_device_on_embassy_net_over_a_tap_device_sends_alerts() {
    let ns = Namespace(format!("fgtap{}", std::process::id()));
    ip(&["netns", "add", &ns.0]);
    let dc_cidr = format!("{}.{}.{}.{}/24", DC_IP[0], DC_IP[1], DC_IP[2], DC_IP[3]);
    for cmd in [
        vec!["tuntap", "add", "dev", "tap0", "mode", "tap"],
        vec!["addr", "add", &dc_cidr, "dev", "tap0"],
        vec!["link", "set", "tap0", "up"],
        vec!["link", "set", "lo", "up"],
    ] {
        let mut args = vec!["netns", "exec", &ns.0, "ip"];
        args.extend(cmd);
        ip(&args);
    }
    let exe = std::env::current_exe().unwrap();
    let status = Command::new("ip")
        .args(["netns", "exec", &ns.0])
        .arg(exe)
        .args([
            "--exact",
            "inside_the_namespace",
            "--ignored",
            "--nocapture",
        ])
        .env("FG_TAP_INSIDE", "1")
        .status()
        .unwrap();
    assert!(status.success(), "the device flow in the namespace failed");
}

/// A socket that counts the bytes it moves.
struct Counted<'s, 'a> {
    inner: &'s mut TcpSocket<'a>,
    bytes: &'s mut u64,
}

impl ErrorType for Counted<'_, '_> {
    type Error = embassy_net::tcp::Error;
}

impl Read for Counted<'_, '_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = self.inner.read(buf).await?;
        *self.bytes += n as u64;
        Ok(n)
    }
}

impl Write for Counted<'_, '_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let n = self.inner.write(buf).await?;
        *self.bytes += n as u64;
        Ok(n)
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush().await
    }
}

/// A new embassy-net socket connected to the DC.
async fn connect<'a>(
    stack: embassy_net::Stack<'a>,
    port: u16,
    rx: &'a mut [u8],
    tx: &'a mut [u8],
) -> TcpSocket<'a> {
    let mut socket = TcpSocket::new(stack, rx, tx);
    socket.set_timeout(Some(embassy_time::Duration::from_secs(10)));
    let [a, b, c, d] = DC_IP;
    socket
        .connect((Ipv4Address::new(a, b, c, d), port))
        .await
        .expect("TCP connect over the TAP device");
    socket
}

#[test]
#[ignore = "run inside a network namespace by a_device_on_embassy_net_over_a_tap_device_sends_alerts"]
fn inside_the_namespace() {
    if std::env::var_os("FG_TAP_INSIDE").is_none() {
        return;
    }
    let dc = TestDc::start(DcConfig {
        host: std::net::Ipv4Addr::from(DC_IP).into(),
        ..DcConfig::default()
    })
    .unwrap();
    let port = dc.addr().port();
    let (bot_id, token) = dc.create_bot("Sensor", "sensor_bot");
    let keys = [*dc.public_key()];
    let config = Config::new(2, &keys, 1, "0123456789abcdef0123456789abcdef");

    let tap = TunTapDevice::new("tap0").expect("tap0 opens (root and /dev/net/tun)");
    let [a, b, c, d] = DEVICE_IP;
    let net = embassy_net::Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(Ipv4Address::new(a, b, c, d), 24),
        gateway: None,
        dns_servers: Default::default(),
    });
    let mut resources = StackResources::<2>::new();
    let mut rng = UnwrapErr(SysRng);
    let (stack, mut runner) = embassy_net::new(tap, net, &mut resources, rng.next_u64());
    // The device has no idea of the date: its clock starts at 1970 + uptime.
    let mut dev = Box::new(Device::<_, _, 4096>::new(
        config,
        Record::new(2),
        UnwrapErr(SysRng),
        EmbassyClock::new(0),
    ));
    let alice = Peer::User {
        id: ALICE,
        access_hash: 0,
    };
    let flow = async {
        stack.wait_config_up().await;
        let mut bytes = 0u64;
        let (mut rx, mut tx) = ([0u8; 4096], [0u8; 4096]);
        let handshake_ms = {
            let mut socket = connect(stack, port, &mut rx, &mut tx).await;
            let mut s = Counted {
                inner: &mut socket,
                bytes: &mut bytes,
            };
            let t = Instant::now();
            dev.connected(&mut s).await.unwrap();
            let handshake = t.elapsed();
            assert_eq!(dev.login_bot(&mut s, &token).await.unwrap(), bot_id);
            let id = dev.send_message(&mut s, alice, "disk almost full").await;
            assert!(id.unwrap() > 0);
            handshake.as_secs_f64() * 1000.0
        };
        let alert_flow_bytes = bytes;
        assert_eq!(
            dc.messages(),
            [(bot_id, ALICE, "disk almost full".to_string())]
        );
        assert_eq!(dc.auth_key_count(), 1);

        // The DC drops the connection after the next message: the alert is processed, its
        // answer lost with the connection.
        let mut faults = dc.faults();
        faults.close_after = Some(1);
        dc.set_faults(faults);
        let lost = {
            let mut socket = connect(stack, port, &mut rx, &mut tx).await;
            let mut s = Counted {
                inner: &mut socket,
                bytes: &mut bytes,
            };
            dev.connected(&mut s).await.unwrap();
            dev.send_message(&mut s, alice, "pump stopped").await
        };
        assert!(
            matches!(lost, Err(Error::ConnectionLost)),
            "the answer was lost with the connection: {lost:?}"
        );
        dc.set_faults(Default::default());
        let again = {
            let mut socket = connect(stack, port, &mut rx, &mut tx).await;
            let mut s = Counted {
                inner: &mut socket,
                bytes: &mut bytes,
            };
            dev.connected(&mut s).await.unwrap();
            dev.send_message(&mut s, alice, "pump stopped").await
        };
        assert!(again.unwrap() > 0);
        assert_eq!(
            dc.auth_key_count(),
            1,
            "no new handshake after the reconnect"
        );
        let texts: Vec<String> = dc.messages().into_iter().map(|m| m.2).collect();
        assert_eq!(texts, ["disk almost full", "pump stopped"], "stored once");
        println!(
            "embassy-net over TAP: handshake {handshake_ms:.1} ms; first connection (key, \
             login, one alert) {alert_flow_bytes} bytes; everything {bytes} bytes"
        );
    };
    block_on(
        async {
            runner.run().await;
        }
        .or(flow),
    );
}
