//! A client session fed arbitrary decrypted messages (header fields and body from the input,
//! as if they had passed decryption), interleaved with timeouts, requests, transmits,
//! reconnects and cancels: no panic, bounded events, exactly one outcome per request.
//!
//! Input: records of `[kind][len][header 20 bytes when kind is even][body len bytes]`.
#![no_main]

use ferrogram_mtproto_proto::crypto::message::MessageHeader;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use libfuzzer_sys::fuzz_target;

#[path = "session_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut h = common::Harness::new();
    let mut rest = data;
    while rest.len() >= 2 {
        let (kind, len) = (rest[0], usize::from(rest[1]) * 4);
        rest = &rest[2..];
        if kind % 2 == 1 {
            h.step(kind / 2, rest.get(..1).unwrap_or(&[]));
            continue;
        }
        if rest.len() < 12 {
            break;
        }
        let msg_id = i64::from_le_bytes(rest[..8].try_into().unwrap());
        let seq_no = i32::from_le_bytes(rest[8..12].try_into().unwrap());
        rest = &rest[12..];
        let body = &rest[..len.min(rest.len())];
        rest = &rest[body.len()..];
        let header = MessageHeader {
            salt: 0,
            // Mostly our session; sometimes another.
            session_id: if kind & 0x80 == 0 {
                common::SID
            } else {
                msg_id
            },
            // Mostly a plausible server id near the session's time, keeping the fuzzer's
            // low bits; sometimes exactly what the input says.
            msg_id: if kind & 0x40 == 0 {
                ((common::T0 / 1_000_000_000) as i64) << 32 | (msg_id & 0xffff_ffff) | 1
            } else {
                msg_id
            },
            seq_no,
        };
        h.client
            .fuzz_handle_plaintext(UnixNanos(h.now), header, body);
        h.drain();
    }
    // Whatever happened, every request still ends: time out the rest.
    h.now += 3_600 * 1_000_000_000;
    h.client.handle_timeout(UnixNanos(h.now));
    h.drain();
    assert!(
        h.live.is_empty(),
        "requests left without an outcome: {:?}",
        h.live
    );
});
