//! Abridged: the lightest framing.
//!
//! The client first sends the tag byte `0xef`. Each frame is then
//!
//! ```text
//! +-+----...----+          +--+---+----...----+
//! |l|  payload  |    or    |7f|len|  payload  |
//! +-+----...----+          +--+---+----...----+
//! ```
//!
//! where `l` is `payload_len / 4` when that is below 127, otherwise `0x7f` is followed by
//! `payload_len / 4` in 3 little-endian bytes. The payload length is always a multiple of 4.
//!
//! A client asks for a quick ack by setting the top bit of the first byte (`l | 0x80`, or `0xff`
//! before the 3-byte length). The server's quick-ack reply is the 4-byte token byte-swapped, sent
//! with no header; it is recognised because server frames never start with the top bit set.

use super::{Header, Role};

/// The byte a client sends once, before its first frame.
pub const TAG: u8 = 0xef;

/// The longest payload the 3-byte length can express: `0xff_ffff` words.
pub const MAX_PAYLOAD_LEN: usize = 0xff_ffff * 4;

/// Header bytes the decoder in `role` needs, given the first byte of the frame.
pub(crate) fn header_len(first: u8, role: Role) -> usize {
    match role {
        // Server frames: top bit = a 4-byte quick-ack token, 0x7f = long length.
        Role::Client if first & 0x80 != 0 || first == 0x7f => 4,
        Role::Client => 1,
        // Client frames: the top bit is the quick-ack request, 0x7f/0xff = long length.
        Role::Server if first & 0x7f == 0x7f => 4,
        Role::Server => 1,
    }
}

/// Parses a complete header of [`header_len`] bytes.
pub(crate) fn parse_header(hdr: &[u8], role: Role) -> Header {
    let first = hdr.first().copied().unwrap_or(0);
    if role == Role::Client && first & 0x80 != 0 {
        let mut t = [0u8; 4];
        t.copy_from_slice(hdr.get(..4).unwrap_or(&[0; 4]));
        return Header::QuickAck(u32::from_be_bytes(t));
    }
    let quick_ack = role == Role::Server && first & 0x80 != 0;
    let words = if first & 0x7f == 0x7f {
        match hdr {
            [_, a, b, c, ..] => u32::from_le_bytes([*a, *b, *c, 0]) as usize,
            _ => 0,
        }
    } else {
        usize::from(first & 0x7f)
    };
    Header::Frame {
        len: words * 4,
        quick_ack,
    }
}

/// Writes the header for a payload of `len` bytes (a multiple of 4, at most
/// [`MAX_PAYLOAD_LEN`]); returns its length.
pub(crate) fn write_header(len: usize, quick_ack: bool, out: &mut [u8; 4]) -> usize {
    let words = len / 4;
    let flag = if quick_ack { 0x80 } else { 0 };
    if words < 0x7f {
        out[0] = words as u8 | flag;
        1
    } else {
        let w = (words as u32).to_le_bytes();
        *out = [0x7f | flag, w[0], w[1], w[2]];
        4
    }
}

/// The server's quick-ack reply: the token byte-swapped, no header.
pub(crate) fn quick_ack_reply(token: u32) -> [u8; 4] {
    token.to_be_bytes()
}
