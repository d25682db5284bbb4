//! Padded intermediate: intermediate framing with 0–15 random bytes after each payload, meant
//! to be used under obfuscation to make packet sizes less recognisable.
//!
//! The client first sends the tag `dd dd dd dd`. Each frame is then
//!
//! ```text
//! +----+----...----+----...----+
//! |tlen|  payload  |  padding  |
//! +----+----...----+----...----+
//! ```
//!
//! with `tlen` = payload + padding length, little-endian. A client asks for a quick ack by
//! setting the top bit of `tlen`.
//!
//! The receiver cannot tell where the payload ends, so the [`Decoder`](super::Decoder) hands
//! out payload *and* padding. This is harmless: an MTProto message states its own length
//! (`message_data_length` in plain messages, the encrypted length in encrypted ones) and the
//! MTProto layer ignores the bytes after it.
//!
//! The server's quick-ack reply is a frame of 8 to 16 bytes: `ff ff ff ff`, the token
//! (little-endian) and 0–8 padding bytes. A server frame shorter than 24 bytes (the shortest
//! MTProto message) that is not a quick ack is a transport error: its first 4 bytes are the
//! error code, the rest is padding. The decoder also accepts the intermediate-style quick ack
//! (a bare 4-byte token with the top bit set) that some servers send on this transport.

use super::{Event, TransportErrorCode};

/// The 4 bytes a client sends once, before its first frame.
pub const TAG: [u8; 4] = [0xdd; 4];

/// The most padding bytes after a payload.
pub const MAX_PADDING: usize = 15;

/// The most padding [`Encoder::encode`](super::Encoder::encode) adds in the server role: 3
/// bytes. Any 0–15 is valid, but Telethon drops only `len mod 4` trailing bytes of a server
/// frame and fails on more, so a server that wants every client to work stays below 4.
pub const MAX_SERVER_PADDING: usize = 3;

/// The most padding bytes after a quick-ack reply.
pub const MAX_QUICK_ACK_PADDING: usize = 8;

/// Frames shorter than this cannot hold an MTProto message (auth_key_id, msg_id, length and a
/// constructor take 24 bytes).
const MIN_MTPROTO_LEN: usize = 24;

/// Classifies a complete frame received by a client: quick-ack reply, transport error, or
/// `None` for a packet.
pub(crate) fn classify_server_frame(frame: &[u8]) -> Option<Event<'static>> {
    match frame {
        [0xff, 0xff, 0xff, 0xff, a, b, c, d, ..] if frame.len() <= 16 => {
            Some(Event::QuickAck(u32::from_le_bytes([*a, *b, *c, *d])))
        }
        [a, b, c, d, ..] if frame.len() < MIN_MTPROTO_LEN => Some(Event::TransportError(
            TransportErrorCode::from_code(i32::from_le_bytes([*a, *b, *c, *d])),
        )),
        _ => None,
    }
}
