//! Proxies and transport options against the in-process test DC: SOCKS5 (with and without
//! username/password, over IPv4 and IPv6), MTProxy with a `dd` secret (the test DC keys
//! obfuscated connections with the secret, as an MTProxy does), plain obfuscation.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use ferrogram_client_std::{Client, ClientBuilder, Error, Proxy, TransportKind};
use ferrogram_mtproto_proto::transport::obfuscated::ProxySecret;
use ferrogram_testdc::world::FIRST_USER_ID as ALICE;
use ferrogram_testdc::{Config, TestDc};

const API_HASH: &str = "0123456789abcdef0123456789abcdef";
const SECRET: &str = "dd00112233445566778899aabbccddeeff";

fn builder(dc: &TestDc) -> ClientBuilder {
    Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
}

/// Logs in a bot through `b` and sends Alice a message; checks the DC stored it.
fn bot_sends(dc: &TestDc, b: ClientBuilder, text: &str) -> Result<(), Error> {
    let (_, token) = dc.create_bot("Proxy bot", "proxy_bot");
    let mut c = b.connect()?;
    c.login_bot(&token)?;
    c.send_message(ALICE, text)?;
    assert_eq!(dc.messages().last().map(|m| m.2.as_str()), Some(text));
    Ok(())
}

/// A minimal SOCKS5 server (RFC 1928/1929) for the tests: CONNECT by IPv4/IPv6 address,
/// optional username/password; records each requested target and relays bytes.
struct Socks5 {
    addr: SocketAddr,
    targets: Arc<Mutex<Vec<SocketAddr>>>,
}

impl Socks5 {
    fn start(bind: SocketAddr, auth: Option<(&'static str, &'static str)>) -> io::Result<Self> {
        let listener = TcpListener::bind(bind)?;
        let addr = listener.local_addr()?;
        let targets = Arc::new(Mutex::new(Vec::new()));
        let seen = targets.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = seen.clone();
                thread::spawn(move || {
                    let _ = serve(stream, auth, &seen);
                });
            }
        });
        Ok(Socks5 { addr, targets })
    }

    fn targets(&self) -> Vec<SocketAddr> {
        self.targets.lock().unwrap().clone()
    }
}

fn serve(
    mut s: TcpStream,
    auth: Option<(&str, &str)>,
    seen: &Mutex<Vec<SocketAddr>>,
) -> io::Result<()> {
    let mut head = [0u8; 2];
    s.read_exact(&mut head)?;
    let mut methods = vec![0u8; usize::from(head[1])];
    s.read_exact(&mut methods)?;
    let want = if auth.is_some() { 2 } else { 0 };
    if !methods.contains(&want) {
        return s.write_all(&[5, 0xff]);
    }
    s.write_all(&[5, want])?;
    if let Some((user, password)) = auth {
        let mut v = [0u8; 2];
        s.read_exact(&mut v)?;
        let mut u = vec![0u8; usize::from(v[1])];
        s.read_exact(&mut u)?;
        let mut l = [0u8; 1];
        s.read_exact(&mut l)?;
        let mut p = vec![0u8; usize::from(l[0])];
        s.read_exact(&mut p)?;
        let ok = u == user.as_bytes() && p == password.as_bytes();
        s.write_all(&[1, if ok { 0 } else { 1 }])?;
        if !ok {
            return Ok(());
        }
    }
    let mut req = [0u8; 4];
    s.read_exact(&mut req)?;
    let ip: std::net::IpAddr = match req[3] {
        1 => {
            let mut b = [0u8; 4];
            s.read_exact(&mut b)?;
            Ipv4Addr::from(b).into()
        }
        4 => {
            let mut b = [0u8; 16];
            s.read_exact(&mut b)?;
            Ipv6Addr::from(b).into()
        }
        _ => return s.write_all(&[5, 8, 0, 1, 0, 0, 0, 0, 0, 0]),
    };
    let mut port = [0u8; 2];
    s.read_exact(&mut port)?;
    let target = SocketAddr::new(ip, u16::from_be_bytes(port));
    seen.lock().unwrap().push(target);
    let Ok(upstream) = TcpStream::connect(target) else {
        return s.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]);
    };
    s.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0])?;
    let (mut a, mut b) = (s.try_clone()?, upstream.try_clone()?);
    let (mut c, mut d) = (upstream, s);
    thread::spawn(move || io::copy(&mut a, &mut b));
    io::copy(&mut c, &mut d)?;
    Ok(())
}

#[test]
fn a_bot_works_through_a_socks5_proxy() {
    let dc = TestDc::start(Config::default()).unwrap();
    let proxy = Socks5::start("127.0.0.1:0".parse().unwrap(), None).unwrap();
    bot_sends(
        &dc,
        builder(&dc).proxy(Proxy::socks5(proxy.addr)),
        "via socks5",
    )
    .unwrap();
    assert_eq!(proxy.targets(), [dc.addr()], "one connection, to the DC");
}

#[test]
fn socks5_credentials_are_sent_and_a_refusal_is_a_clear_error_at_once() {
    let dc = TestDc::start(Config::default()).unwrap();
    let proxy = Socks5::start("127.0.0.1:0".parse().unwrap(), Some(("bob", "s3cret"))).unwrap();
    let good = Proxy::socks5(proxy.addr).with_auth("bob", "s3cret");
    bot_sends(&dc, builder(&dc).proxy(good), "with auth").unwrap();

    let t = Instant::now();
    let bad = Proxy::socks5(proxy.addr).with_auth("bob", "wrong");
    let e = builder(&dc).proxy(bad).connect().unwrap_err();
    let Error::Connect {
        attempts, source, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(source.kind(), io::ErrorKind::PermissionDenied);
    assert!(
        e.to_string().contains("refused the username/password"),
        "{e}"
    );
    assert_eq!(*attempts, 5, "reported with the configured attempts");
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "not retried with backoff"
    );

    let none = Proxy::socks5(proxy.addr);
    let e = builder(&dc).proxy(none).connect().unwrap_err();
    assert!(e.to_string().contains("accepts none"), "{e}");
}

#[test]
fn a_socks5_proxy_on_ipv6() {
    let Ok(proxy) = Socks5::start("[::1]:0".parse().unwrap(), None) else {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    };
    let dc = TestDc::start(Config::default()).unwrap();
    bot_sends(
        &dc,
        builder(&dc).proxy(Proxy::socks5(proxy.addr)),
        "via [::1]",
    )
    .unwrap();
    assert_eq!(proxy.targets(), [dc.addr()]);
}

#[test]
fn a_bot_works_through_an_mtproxy_with_a_dd_secret() {
    let dc = TestDc::start(Config {
        proxy_secret: Some(ProxySecret::from_hex(SECRET).unwrap()),
        ..Config::default()
    })
    .unwrap();
    let proxy = Proxy::mtproxy(dc.addr(), SECRET).unwrap();
    // The builder's transport is overridden: `dd` means padded intermediate.
    let b = builder(&dc).proxy(proxy).transport(TransportKind::Abridged);
    bot_sends(&dc, b, "via mtproxy").unwrap();

    // With another secret the proxy cannot read the connection.
    let wrong = Proxy::mtproxy(dc.addr(), "dd0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f").unwrap();
    let e = builder(&dc)
        .proxy(wrong)
        .connect_attempts(1)
        .request_timeout(Duration::from_secs(3))
        .connect();
    assert!(e.is_err(), "a wrong secret cannot work");
}

#[test]
fn fake_tls_and_malformed_secrets_are_refused_when_configured() {
    let addr: SocketAddr = "127.0.0.1:443".parse().unwrap();
    let fake_tls = "ee00112233445566778899aabbccddeeff676f6f676c652e636f6d";
    let e = Proxy::mtproxy(addr, fake_tls).unwrap_err();
    assert!(e.to_string().to_lowercase().contains("tls"), "{e}");
    assert!(Proxy::mtproxy(addr, "dd0011").is_err());
    assert!(Proxy::mtproxy(addr, "zz00112233445566778899aabbccddeeff").is_err());
}

#[test]
fn obfuscation_without_a_proxy() {
    let dc = TestDc::start(Config::default()).unwrap();
    for kind in [
        TransportKind::Abridged,
        TransportKind::Intermediate,
        TransportKind::PaddedIntermediate,
    ] {
        let b = builder(&dc).obfuscated(true).transport(kind);
        bot_sends(&dc, b, &format!("obfuscated {kind:?}")).unwrap();
    }
}
