//! Intermediate: 4-byte aligned framing.
//!
//! The client first sends the tag `ee ee ee ee`. Each frame is then
//!
//! ```text
//! +----+----...----+
//! |len.|  payload  |
//! +----+----...----+
//! ```
//!
//! with `len` the payload length as a little-endian `u32`. MTProto payloads are multiples of
//! 4 bytes and the decoder rejects other lengths.
//!
//! A client asks for a quick ack by setting the top bit of `len`. The server's quick-ack reply is
//! the 4-byte token, little-endian, with no header: its top bit is set, so it can never be
//! mistaken for a length.

use super::{Header, Role};

/// The 4 bytes a client sends once, before its first frame.
pub const TAG: [u8; 4] = [0xee; 4];

/// The longest payload the 31-bit length can express.
pub const MAX_PAYLOAD_LEN: usize = 0x7fff_ffff;

/// Parses the 4-byte header (shared with padded intermediate).
pub(crate) fn parse_header(hdr: [u8; 4], role: Role) -> Header {
    let v = u32::from_le_bytes(hdr);
    let top = v & 0x8000_0000 != 0;
    match role {
        Role::Client if top => Header::QuickAck(v),
        Role::Client => Header::Frame {
            len: v as usize,
            quick_ack: false,
        },
        Role::Server => Header::Frame {
            len: (v & 0x7fff_ffff) as usize,
            quick_ack: top,
        },
    }
}

/// The 4-byte header for `len` bytes (payload plus any padding).
pub(crate) fn header(len: usize, quick_ack: bool) -> [u8; 4] {
    let flag = if quick_ack { 0x8000_0000 } else { 0 };
    ((len as u32) | flag).to_le_bytes()
}
