//! A client session fed arbitrary encrypted frames for a known key: raw frames straight
//! from the input (almost all must fail the msg_key check), and frames the harness seals as
//! the server from input header fields and body (which pass decryption and reach every later
//! check). No panic, bounded events, exactly one outcome per request.
//!
//! Input: records of `[kind][len][...]`: kind % 4 == 0 raw frame of len*4 bytes; 1 sealed
//! (12 bytes msg_id and seq_no, then the body); 2 and 3 a control step.
#![no_main]

use ferrogram_mtproto_proto::crypto::message::{self, MessageHeader, Packet, Role};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use libfuzzer_sys::fuzz_target;

#[path = "session_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let key = AuthKey::new(common::KEY);
    let mut h = common::Harness::new();
    let mut seal_rng = common::Rng(9);
    let mut rest = data;
    while rest.len() >= 2 {
        let (kind, len) = (rest[0], usize::from(rest[1]) * 4);
        rest = &rest[2..];
        match kind % 4 {
            0 => {
                let mut frame = rest[..len.min(rest.len())].to_vec();
                rest = &rest[frame.len()..];
                // Give the fuzzer the right key id most of the time.
                if kind & 0x80 == 0 && frame.len() >= 8 {
                    frame[..8].copy_from_slice(&key.id());
                }
                h.client.handle_packet(UnixNanos(h.now), &mut frame);
            }
            1 => {
                if rest.len() < 12 {
                    break;
                }
                let msg_id = i64::from_le_bytes(rest[..8].try_into().unwrap());
                let seq_no = i32::from_le_bytes(rest[8..12].try_into().unwrap());
                rest = &rest[12..];
                let body = &rest[..len.min(rest.len())];
                rest = &rest[body.len()..];
                let msg_id =
                    ((common::T0 / 1_000_000_000) as i64) << 32 | (msg_id & 0xffff_ffff) | 1;
                let mut buf = vec![0u8; message::encrypted_len(body.len())];
                let mut p = Packet::new(&mut buf, 0).unwrap();
                p.body_mut()[..body.len()].copy_from_slice(body);
                let header = MessageHeader {
                    salt: 0,
                    session_id: common::SID,
                    msg_id,
                    seq_no,
                };
                if let Ok(r) = p.encrypt(
                    &mut Software,
                    &key,
                    Role::Server,
                    &header,
                    body.len(),
                    &mut seal_rng,
                ) {
                    let mut frame = buf[r].to_vec();
                    if kind & 0x40 != 0 {
                        // Flip one bit of the sealed frame: must be dropped.
                        let i = usize::from(kind) % frame.len();
                        frame[i] ^= 1;
                    }
                    h.client.handle_packet(UnixNanos(h.now), &mut frame);
                }
            }
            _ => h.step(kind / 4, rest.get(..1).unwrap_or(&[])),
        }
        h.drain();
    }
    h.now += 3_600 * 1_000_000_000;
    h.client.handle_timeout(UnixNanos(h.now));
    h.drain();
    assert!(
        h.live.is_empty(),
        "requests left without an outcome: {:?}",
        h.live
    );
});
