//! The client role of the auth-key exchange fed arbitrary server packets (see
//! `handshake_common.rs` for the input format), with a fixed random source and clock, so the
//! seeds (honest answers of our server) replay exactly and mutations explore every check.
//!
//! Checked after every step: no panic; an error ends the exchange (done, nothing to send, no
//! key, no deadline); a packet after the end is an error; an accepted packet either queues
//! exactly one request (a well-formed plain client message) or finishes with a key.
#![no_main]

use ferrogram_mtproto_proto::auth_key::client::{ClientHandshake, MAX_REQUEST};
use ferrogram_mtproto_proto::auth_key::error::HandshakeError;
use ferrogram_mtproto_proto::auth_key::plain;
use ferrogram_mtproto_proto::msg_id::{Sender, UnixNanos};
use libfuzzer_sys::fuzz_target;

#[path = "handshake_common.rs"]
mod common;

fn keys() -> &'static [ferrogram_mtproto_proto::auth_key::rsa::RsaPublicKey] {
    static KEYS: std::sync::OnceLock<[ferrogram_mtproto_proto::auth_key::rsa::RsaPublicKey; 1]> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(|| [*common::server_key().public_key()])
}

fn assert_ended(client: &mut ClientHandshake<'_>, now: UnixNanos) {
    assert!(client.is_done());
    let mut out = [0u8; MAX_REQUEST];
    assert_eq!(client.poll_transmit(now, &mut out), Ok(None));
    assert_eq!(client.poll_timeout(), None);
}

/// Drains the client's output: at most one request, a well-formed plain message.
fn drain(client: &mut ClientHandshake<'_>, now: UnixNanos) -> usize {
    let mut out = [0u8; MAX_REQUEST];
    let mut sent = 0;
    while let Some(n) = client
        .poll_transmit(now, &mut out)
        .expect("MAX_REQUEST suffices")
    {
        assert!(n <= MAX_REQUEST);
        plain::parse(&out[..n], Sender::Client).expect("the client sends plain messages");
        sent += 1;
    }
    assert!(sent <= 1, "one request per answer");
    sent
}

fuzz_target!(|data: &[u8]| {
    let (config, records) = common::records(data);
    let mut rng = common::Rng(common::CLIENT_SEED);
    let mut now = common::NOW;
    let mut client = ClientHandshake::new(common::client_config(keys(), config), now, &mut rng);
    assert_eq!(drain(&mut client, now), 1, "req_pq_multi");
    let mut have_key = false;
    for (wait, packet) in records {
        now = UnixNanos(now.0 + u64::from(wait) * 1_000_000_000);
        let was_done = client.is_done();
        match client.handle_timeout(now) {
            Ok(()) => assert_eq!(client.is_done(), was_done),
            Err(e) => {
                assert_eq!(e, HandshakeError::TimedOut);
                assert!(!was_done, "a timeout after the end");
                assert_ended(&mut client, now);
            }
        }
        let was_done = client.is_done();
        match client.handle_packet(now, packet, &mut rng) {
            Err(_) => {
                assert_ended(&mut client, now);
                assert!(client.poll_result().is_none());
            }
            Ok(()) => {
                assert!(!was_done, "a packet accepted after the end");
                let sent = drain(&mut client, now);
                match client.poll_result() {
                    Some(_) => {
                        assert!(!have_key);
                        assert_eq!(sent, 0);
                        assert_ended(&mut client, now);
                        have_key = true;
                    }
                    None => {
                        assert_eq!(sent, 1, "an accepted answer gets a request");
                        assert!(!client.is_done());
                        assert!(client.poll_timeout().is_some());
                    }
                }
            }
        }
    }
});
