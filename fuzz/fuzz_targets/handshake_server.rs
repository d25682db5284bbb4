//! The server role of the auth-key exchange fed arbitrary client packets (see
//! `handshake_common.rs` for the input format; the configuration byte is ignored), with a
//! fixed random source and clock, so the seeds (an honest client's requests) replay exactly.
//!
//! Checked after every step: no panic; an error ends the exchange (done, nothing to send, no
//! key); a packet after the end is an error; an accepted packet gets exactly one answer (a
//! well-formed plain server message), and the key appears only with the last one.
#![no_main]

use ferrogram_mtproto_proto::auth_key::plain;
use ferrogram_mtproto_proto::auth_key::rsa::RsaPrivateKey;
use ferrogram_mtproto_proto::auth_key::server::{MAX_ANSWER, ServerHandshake};
use ferrogram_mtproto_proto::msg_id::{Sender, UnixNanos};
use libfuzzer_sys::fuzz_target;

#[path = "handshake_common.rs"]
mod common;

fn key() -> &'static RsaPrivateKey {
    static KEY: std::sync::OnceLock<RsaPrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(common::server_key)
}

fuzz_target!(|data: &[u8]| {
    let (_, records) = common::records(data);
    let mut rng = common::Rng(common::SERVER_SEED);
    let mut now = common::NOW;
    let mut server = ServerHandshake::new(key());
    let mut out = [0u8; MAX_ANSWER];
    let mut answers = 0;
    for (wait, packet) in records {
        now = UnixNanos(now.0 + u64::from(wait) * 1_000_000_000);
        let was_done = server.is_done();
        match server.handle_packet(now, packet, &mut rng) {
            Err(_) => {
                assert!(server.is_done());
                assert_eq!(server.poll_transmit(now, &mut out), Ok(None));
                assert!(server.poll_result().is_none());
            }
            Ok(()) => {
                assert!(!was_done, "a packet accepted after the end");
                let n = server
                    .poll_transmit(now, &mut out)
                    .expect("MAX_ANSWER suffices")
                    .expect("an accepted request gets an answer");
                plain::parse(&out[..n], Sender::Server).expect("the server sends plain messages");
                assert_eq!(server.poll_transmit(now, &mut out), Ok(None));
                answers += 1;
                // The key comes with the third answer (dh_gen_ok), never before.
                let key = server.poll_result();
                assert_eq!(key.is_some(), answers == 3, "answer {answers}");
                assert_eq!(server.is_done(), answers == 3);
            }
        }
    }
});
