//! The device client on the host against the in-process test DC, over a TCP socket seen
//! through `embedded-io-async` (the traits embassy-net's `TcpSocket` implements): auth key,
//! bot login, alerts; a reconnect without a new handshake; a reboot from the stored record;
//! a connection the DC drops mid-request, with the alert stored exactly once.

use std::future::Future;
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_io::{Async, Timer};
use embedded_io_adapters::futures_03::FromFutures;
use ferrogram_client_embedded::{Clock, Config, Device, Error, Peer, Record};
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_testdc::world::FIRST_USER_ID as ALICE;
use ferrogram_testdc::{Config as DcConfig, TestDc};
use futures_lite::FutureExt;
use futures_lite::future::block_on;
use getrandom::SysRng;
use rand_core::UnwrapErr;

struct HostClock;

impl Clock for HostClock {
    fn now(&self) -> UnixNanos {
        let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        UnixNanos(d.as_nanos() as u64)
    }

    async fn timeout<F: Future>(&self, ms: u64, f: F) -> Option<F::Output> {
        async { Some(f.await) }
            .or(async {
                Timer::after(Duration::from_millis(ms)).await;
                None
            })
            .await
    }

    async fn sleep(&self, ms: u64) {
        Timer::after(Duration::from_millis(ms)).await;
    }
}

type Socket = FromFutures<Async<TcpStream>>;
type HostDevice<'k> = Device<'k, UnwrapErr<SysRng>, HostClock, 4096>;

async fn socket(dc: &TestDc) -> Socket {
    FromFutures::new(Async::<TcpStream>::connect(dc.addr()).await.unwrap())
}

const ALICE_PEER: Peer = Peer::User {
    id: ALICE,
    access_hash: 0,
};
const API_HASH: &str = "0123456789abcdef0123456789abcdef";

fn device(config: Config<'_>, record: Record) -> Box<HostDevice<'_>> {
    Box::new(Device::new(config, record, UnwrapErr(SysRng), HostClock))
}

#[test]
fn a_device_makes_a_key_logs_in_and_sends_then_reconnects_and_reboots_without_a_handshake() {
    let dc = TestDc::start(DcConfig::default()).unwrap();
    let (bot_id, token) = dc.create_bot("Sensor", "sensor_bot");
    let keys = [*dc.public_key()];
    let config = Config::new(2, &keys, 1, API_HASH);
    block_on(async {
        let mut dev = device(config, Record::new(2));
        let mut s = socket(&dc).await;
        dev.connected(&mut s).await.unwrap();
        assert!(dev.record_changed() && dev.record().auth_key.is_some());
        assert_eq!(dc.auth_key_count(), 1);
        assert_eq!(dev.login_bot(&mut s, &token).await.unwrap(), bot_id);
        let id = dev
            .send_message(&mut s, ALICE_PEER, "disk almost full")
            .await
            .unwrap();
        assert!(id > 0);
        assert_eq!(
            dc.messages(),
            [(bot_id, ALICE, "disk almost full".to_string())]
        );

        // The network drops; a new socket, the same key and session.
        drop(s);
        let mut s = socket(&dc).await;
        dev.connected(&mut s).await.unwrap();
        dev.send_message(&mut s, ALICE_PEER, "still full")
            .await
            .unwrap();
        assert_eq!(dc.auth_key_count(), 1, "no new handshake");

        // A reboot: only the stored record survives.
        let stored = dev.record().to_bytes();
        dev.mark_saved();
        drop((dev, s));
        let mut dev = device(config, Record::from_bytes(&stored).unwrap());
        let mut s = socket(&dc).await;
        dev.connected(&mut s).await.unwrap();
        assert!(!dev.record_changed(), "nothing new to store");
        assert_eq!(
            dev.login_bot(&mut s, &token).await.unwrap(),
            bot_id,
            "the stored login"
        );
        dev.send_message(&mut s, ALICE_PEER, "after reboot")
            .await
            .unwrap();
        assert_eq!(dc.auth_key_count(), 1, "no new handshake after the reboot");
        let texts: Vec<String> = dc.messages().into_iter().map(|m| m.2).collect();
        assert_eq!(texts, ["disk almost full", "still full", "after reboot"]);
    });
}

#[test]
fn an_alert_whose_connection_drops_mid_request_is_stored_once() {
    let dc = TestDc::start(DcConfig::default()).unwrap();
    let (bot_id, token) = dc.create_bot("Sensor", "sensor_bot");
    let keys = [*dc.public_key()];
    let config = Config::new(2, &keys, 1, API_HASH);
    block_on(async {
        let mut dev = device(config, Record::new(2));
        let mut s = socket(&dc).await;
        dev.connected(&mut s).await.unwrap();
        dev.login_bot(&mut s, &token).await.unwrap();
        // The DC closes the connection after the next encrypted message: the request is
        // processed, its answer waits for the next connection.
        let mut faults = dc.faults();
        faults.close_after = Some(1);
        dc.set_faults(faults);
        let mut tries = 0;
        let id = loop {
            tries += 1;
            assert!(tries < 10, "no answer after {tries} connections");
            match dev.send_message(&mut s, ALICE_PEER, "pump stopped").await {
                Ok(id) => break id,
                Err(Error::ConnectionLost) => {
                    // The network comes back.
                    dc.set_faults(Default::default());
                    s = socket(&dc).await;
                    dev.connected(&mut s).await.unwrap();
                }
                Err(e) => panic!("{e}"),
            }
        };
        assert!(tries > 1, "the first try lost its answer ({tries} tries)");
        assert!(id > 0);
        assert_eq!(dc.messages(), [(bot_id, ALICE, "pump stopped".to_string())]);
    });
}

#[test]
fn errors_are_typed() {
    let dc = TestDc::start(DcConfig::default()).unwrap();
    let keys = [*dc.public_key()];
    let config = Config::new(2, &keys, 1, API_HASH);
    block_on(async {
        let mut dev = device(config, Record::new(2));
        let mut s = socket(&dc).await;
        let e = dev.send_message(&mut s, ALICE_PEER, "x").await.unwrap_err();
        assert!(matches!(e, Error::NotReady(_)), "{e}");
        dev.connected(&mut s).await.unwrap();
        let Err(Error::Rpc(e)) = dev.login_bot(&mut s, "1:wrong").await else {
            panic!("a wrong token was accepted")
        };
        assert_eq!(e.name.as_str(), "ACCESS_TOKEN_INVALID");
        let long = "x".repeat(2000);
        let e = dev
            .send_message(&mut s, ALICE_PEER, &long)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::TextTooLong { len: 2000 }), "{e}");
    });
}

#[test]
fn keep_alive_acknowledges_pings_and_notices_a_dead_connection() {
    let dc = TestDc::start(DcConfig::default()).unwrap();
    let (_, token) = dc.create_bot("Sensor", "sensor_bot");
    let keys = [*dc.public_key()];
    let config = Config {
        ping_interval_ms: 300,
        ..Config::new(2, &keys, 1, API_HASH)
    };
    block_on(async {
        let mut dev = device(config, Record::new(2));
        let mut s = socket(&dc).await;
        dev.connected(&mut s).await.unwrap();
        dev.login_bot(&mut s, &token).await.unwrap();
        dev.send_message(&mut s, ALICE_PEER, "up").await.unwrap();
        let key_id = ferrogram_mtproto_proto::crypto::message_key::AuthKey::new(
            dev.record().auth_key.unwrap(),
        )
        .id_u64();
        let t = std::time::Instant::now();
        dev.keep_alive(&mut s, 1500).await.unwrap();
        assert!(t.elapsed() >= Duration::from_millis(1500));
        assert_eq!(
            dc.unacknowledged(key_id),
            0,
            "everything received was acknowledged"
        );
        dev.send_message(&mut s, ALICE_PEER, "still up")
            .await
            .unwrap();
        assert_eq!(dc.auth_key_count(), 1);

        // The DC closes the connection on the next message it gets: a keep-alive ping.
        let mut faults = dc.faults();
        faults.close_after = Some(1);
        dc.set_faults(faults);
        let e = dev.keep_alive(&mut s, 5000).await.unwrap_err();
        assert!(matches!(e, Error::ConnectionLost), "{e}");
    });
}

/// A crypto provider that counts its calls: the board's hardware engines would stand here.
#[derive(Clone, Default)]
struct Counting(std::rc::Rc<std::cell::Cell<u32>>);

impl ferrogram_mtproto_proto::crypto::provider::CryptoProvider for Counting {
    fn sha1(&mut self, parts: &[&[u8]]) -> [u8; 20] {
        self.0.set(self.0.get() + 1);
        ferrogram_mtproto_proto::crypto::provider::Software.sha1(parts)
    }
    fn sha256(&mut self, parts: &[&[u8]]) -> [u8; 32] {
        self.0.set(self.0.get() + 1);
        ferrogram_mtproto_proto::crypto::provider::Software.sha256(parts)
    }
    fn aes256_ige_encrypt(
        &mut self,
        key: &[u8; 32],
        iv: &[u8; 32],
        buf: &mut [u8],
    ) -> Result<(), ferrogram_mtproto_proto::crypto::ige::IgeError> {
        self.0.set(self.0.get() + 1);
        ferrogram_mtproto_proto::crypto::provider::Software.aes256_ige_encrypt(key, iv, buf)
    }
    fn aes256_ige_decrypt(
        &mut self,
        key: &[u8; 32],
        iv: &[u8; 32],
        buf: &mut [u8],
    ) -> Result<(), ferrogram_mtproto_proto::crypto::ige::IgeError> {
        self.0.set(self.0.get() + 1);
        ferrogram_mtproto_proto::crypto::provider::Software.aes256_ige_decrypt(key, iv, buf)
    }
}

#[test]
fn a_boards_crypto_provider_does_the_sessions_crypto() {
    let dc = TestDc::start(DcConfig::default()).unwrap();
    let (_, token) = dc.create_bot("Sensor", "sensor_bot");
    let keys = [*dc.public_key()];
    let config = Config::new(2, &keys, 1, API_HASH);
    let calls = Counting::default();
    block_on(async {
        let mut dev: Box<Device<'_, _, _, 4096, Counting>> = Box::new(Device::with_provider(
            config,
            Record::new(2),
            UnwrapErr(SysRng),
            HostClock,
            calls.clone(),
        ));
        let mut s = socket(&dc).await;
        dev.connected(&mut s).await.unwrap();
        dev.login_bot(&mut s, &token).await.unwrap();
        dev.send_message(&mut s, ALICE_PEER, "via the board's AES")
            .await
            .unwrap();
    });
    // Each message both ways: a SHA-256 for its key and an AES-IGE pass, at least.
    assert!(calls.0.get() >= 8, "{} provider calls", calls.0.get());
}

/// A record store in memory, counting its writes (a flash page stands here on a board).
#[derive(Default)]
struct Flash {
    page: Option<[u8; ferrogram_client_embedded::RECORD_LEN]>,
    writes: u32,
}

impl ferrogram_client_embedded::RecordStore for Flash {
    type Error = std::convert::Infallible;

    async fn load(
        &mut self,
    ) -> Result<Option<[u8; ferrogram_client_embedded::RECORD_LEN]>, Self::Error> {
        Ok(self.page)
    }

    async fn save(
        &mut self,
        bytes: &[u8; ferrogram_client_embedded::RECORD_LEN],
    ) -> Result<(), Self::Error> {
        self.page = Some(*bytes);
        self.writes += 1;
        Ok(())
    }
}

#[test]
fn the_record_store_is_written_only_when_the_record_changes_and_flood_waits_are_slept() {
    let dc = TestDc::start(DcConfig::default()).unwrap();
    let (bot_id, token) = dc.create_bot("Sensor", "sensor_bot");
    let keys = [*dc.public_key()];
    let config = Config {
        flood_sleep_max_secs: 2,
        ..Config::new(2, &keys, 1, API_HASH)
    };
    let mut flash = Flash::default();
    block_on(async {
        let (record, why) = ferrogram_client_embedded::load_record(&mut flash, 2)
            .await
            .unwrap();
        assert!(
            why.is_none() && record.auth_key.is_none(),
            "erased flash: start fresh"
        );
        let mut dev = device(config, record);
        let mut s = socket(&dc).await;
        dev.connected(&mut s).await.unwrap();
        dev.save_record(&mut flash).await.unwrap();
        dev.login_bot(&mut s, &token).await.unwrap();
        dev.save_record(&mut flash).await.unwrap();
        // A FLOOD_WAIT_1 (under the 2 s limit) is slept through and the alert sent.
        let mut faults = dc.faults();
        faults.flood_wait_calls = 1;
        faults.flood_wait_secs = 1;
        dc.set_faults(faults);
        let t = std::time::Instant::now();
        dev.send_message(&mut s, ALICE_PEER, "after a flood wait")
            .await
            .unwrap();
        assert!(t.elapsed() >= Duration::from_secs(1));
        dev.save_record(&mut flash).await.unwrap();
        assert_eq!(
            flash.writes, 2,
            "the key, then the login; nothing for an alert"
        );
        // A longer one is returned with its seconds.
        let mut faults = dc.faults();
        faults.flood_wait_calls = 1;
        faults.flood_wait_secs = 30;
        dc.set_faults(faults);
        let e = dev
            .send_message(&mut s, ALICE_PEER, "too soon")
            .await
            .unwrap_err();
        assert!(matches!(e, Error::FloodWait { secs: 30 }), "{e}");

        // A reboot loads the stored record: logged in, same key.
        let (record, _) = ferrogram_client_embedded::load_record(&mut flash, 2)
            .await
            .unwrap();
        assert_eq!(record.bot_id, bot_id);
        assert_eq!(&record, dev.record());
    });
    let texts: Vec<String> = dc.messages().into_iter().map(|m| m.2).collect();
    assert_eq!(texts, ["after a flood wait"]);
}
