//! Fault knobs: ways the test DC misbehaves on purpose, so a client's recovery can be tested.
//!
//! Set them in [`Config::faults`](crate::Config::faults) or at runtime with
//! [`TestDc::set_faults`](crate::TestDc::set_faults) (each DC of a cluster has its own). They
//! act at the connection, around `mtproto-proto`'s server session, which stays correct:
//!
//! - refusals (`bad_server_salt`, `bad_msg_notification` 16/17) are made here for the
//!   client's real msg_id, and the refused message never reaches the session;
//! - containers re-wrap a payload the session encrypted (decrypted with the key, put in a
//!   `msg_container` with a higher msg_id, encrypted again);
//! - gzip packs answers and updates before the session queues them;
//! - the clock skew shifts every time the DC uses (the session's, the handshake's, the API's).

use std::time::Duration;

use ferrogram_mtproto_proto::crypto::message::{self, MessageHeader, Packet, Role};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::transport::crc32::crc32;
use rand_core::CryptoRng;

/// The knobs. `Faults::default()` is a well-behaved DC.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Close every connection right after it delivered this many encrypted messages (the
    /// last one is processed, its answer waits for the client's next connection).
    pub close_after: Option<u32>,
    /// Refuse the next encrypted message with `bad_server_salt` (once; cleared when used).
    pub bad_server_salt: bool,
    /// Refuse the next encrypted message with `bad_msg_notification` of this code: 16
    /// (msg_id too low) or 17 (too high). Once; cleared when used.
    pub bad_msg: Option<i32>,
    /// Shift the DC's clock by this many seconds (positive: ahead).
    pub clock_skew_secs: i64,
    /// Pack every answer and update in `gzip_packed`.
    pub gzip: bool,
    /// Send every payload inside a `msg_container`, even a single message.
    pub containers: bool,
    /// Answer the next this many API calls with `420 FLOOD_WAIT_<flood_wait_secs>`.
    pub flood_wait_calls: u32,
    /// The `X` of `FLOOD_WAIT_X`.
    pub flood_wait_secs: u32,
    /// Hold every answer this long before sending it.
    pub delay: Duration,
    /// Answer the next API call with this `rpc_error` (code, message), once; e.g.
    /// `(406, "AUTH_KEY_DUPLICATED")`. Cleared when used.
    pub rpc_error: Option<(i32, String)>,
}

impl Faults {
    /// Takes the one-shot refusal for the next message, if one is armed: the code (48 for
    /// `bad_server_salt`).
    pub(crate) fn take_refusal(&mut self) -> Option<i32> {
        if self.bad_server_salt {
            self.bad_server_salt = false;
            return Some(48);
        }
        self.bad_msg.take()
    }

    /// Takes one flood wait, if armed: its seconds.
    pub(crate) fn take_flood_wait(&mut self) -> Option<u32> {
        if self.flood_wait_calls == 0 {
            return None;
        }
        self.flood_wait_calls -= 1;
        Some(self.flood_wait_secs)
    }

    /// Takes the one-shot error for the next call, if armed: a flood wait first, then
    /// [`rpc_error`](Self::rpc_error).
    pub(crate) fn take_error(&mut self) -> Option<(i32, String)> {
        if let Some(secs) = self.take_flood_wait() {
            return Some((420, format!("FLOOD_WAIT_{secs}")));
        }
        self.rpc_error.take()
    }

    /// Parses a `--bad-msg` value.
    pub fn parse_bad_msg(s: &str) -> Result<i32, String> {
        match s.trim() {
            "16" => Ok(16),
            "17" => Ok(17),
            other => Err(format!("--bad-msg takes 16 or 17, not `{other}`")),
        }
    }
}

const GZIP_PACKED: u32 = 0x3072_cfa1;
const MSG_CONTAINER: u32 = 0x73f1_f8dc;
const BAD_MSG_NOTIFICATION: u32 = 0xa7ef_f811;
const BAD_SERVER_SALT: u32 = 0xedab_447b;

/// `gzip_packed` of a serialized object: a gzip member (deflate, CRC-32, size) as TL bytes.
pub fn gzip_packed(object: &[u8]) -> Vec<u8> {
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    gz.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(object, 6));
    gz.extend_from_slice(&crc32(object).to_le_bytes());
    gz.extend_from_slice(&(object.len() as u32).to_le_bytes());
    let mut out = GZIP_PACKED.to_le_bytes().to_vec();
    tl_bytes(&mut out, &gz);
    out
}

fn tl_bytes(out: &mut Vec<u8>, data: &[u8]) {
    let start = out.len();
    if data.len() < 254 {
        out.push(data.len() as u8);
    } else {
        out.push(254);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes()[..3]);
    }
    out.extend_from_slice(data);
    while (out.len() - start) % 4 != 0 {
        out.push(0);
    }
}

/// A server msg_id for `now`: `kind_bits` 1 for an answer, 3 for the server's own message.
pub(crate) fn server_msg_id(now: UnixNanos, kind_bits: i64) -> i64 {
    let secs = (now.0 / 1_000_000_000) as i64;
    let frac = (((now.0 % 1_000_000_000) << 32) / 1_000_000_000) as i64;
    ((secs << 32) | frac) & !3 | kind_bits
}

/// The body of a refusal of client message (`msg_id`, `seq_no`): `bad_server_salt` with
/// `salt` for code 48, else `bad_msg_notification` with `code`.
pub(crate) fn refusal(msg_id: i64, seq_no: i32, code: i32, salt: i64) -> Vec<u8> {
    let mut b = Vec::with_capacity(28);
    let id = if code == 48 {
        BAD_SERVER_SALT
    } else {
        BAD_MSG_NOTIFICATION
    };
    b.extend_from_slice(&id.to_le_bytes());
    b.extend_from_slice(&msg_id.to_le_bytes());
    b.extend_from_slice(&seq_no.to_le_bytes());
    b.extend_from_slice(&code.to_le_bytes());
    if code == 48 {
        b.extend_from_slice(&salt.to_le_bytes());
    }
    b
}

/// Encrypts one server→client message.
pub(crate) fn encrypt_server<R: CryptoRng + ?Sized>(
    key: &AuthKey,
    header: &MessageHeader,
    body: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, message::EncryptError> {
    let mut buf = vec![0u8; message::encrypted_len(body.len()) + 64];
    let mut packet = Packet::new(&mut buf, 0)?;
    packet.body_mut()[..body.len()].copy_from_slice(body);
    let range = packet.encrypt(&mut Software, key, Role::Server, header, body.len(), rng)?;
    Ok(buf[range].to_vec())
}

/// Re-wraps a payload the session encrypted in a `msg_container` if it is not one already.
/// Payloads it cannot open (none expected) go out unchanged.
pub(crate) fn in_container<R: CryptoRng + ?Sized>(
    key: &AuthKey,
    payload: &[u8],
    rng: &mut R,
) -> Vec<u8> {
    let mut copy = payload.to_vec();
    let Ok(d) = message::decrypt(&mut Software, key, Role::Client, &mut copy) else {
        return payload.to_vec();
    };
    let body = d.body(&copy);
    if body.get(..4) == Some(&MSG_CONTAINER.to_le_bytes()[..]) {
        return payload.to_vec();
    }
    let h = d.header;
    let mut c = Vec::with_capacity(body.len() + 24);
    c.extend_from_slice(&MSG_CONTAINER.to_le_bytes());
    c.extend_from_slice(&1u32.to_le_bytes());
    c.extend_from_slice(&h.msg_id.to_le_bytes());
    c.extend_from_slice(&h.seq_no.to_le_bytes());
    c.extend_from_slice(&(body.len() as u32).to_le_bytes());
    c.extend_from_slice(body);
    // Above the inner id, and in a slot the session's clock does not hand out next (it
    // steps from its last id by 4 with the answer bits 1, or moves on with the time).
    let outer = MessageHeader {
        msg_id: ((h.msg_id & !3) + 4) | 3,
        seq_no: (h.seq_no + 1) & !1,
        ..h
    };
    encrypt_server(key, &outer, &c, rng).unwrap_or_else(|_| payload.to_vec())
}
