//! Full: the original framing, with a sequence number and a CRC-32 per frame.
//!
//! There is no tag. Each frame is
//!
//! ```text
//! +----+----+----...----+----+
//! |len.|seq.|  payload  |crc.|
//! +----+----+----...----+----+
//! ```
//!
//! - `len`: the whole frame's length (12 + payload), little-endian `u32`;
//! - `seq`: the frame's number on this connection in this direction: 0, 1, 2, …;
//! - `crc`: CRC-32 ([`crc32`](super::crc32)) of `len ‖ seq ‖ payload`, little-endian.
//!
//! The [`Decoder`](super::Decoder) checks both `seq` and `crc` and reports
//! [`BadSeqNo`](super::DecodeError::BadSeqNo) and [`BadCrc`](super::DecodeError::BadCrc).
//! There is no quick ack on this transport.

use super::{DecodeError, TransportKind};

/// Length field + seq_no + CRC.
pub const OVERHEAD: usize = 12;

/// The longest payload a 32-bit length field can express.
pub const MAX_PAYLOAD_LEN: usize = (u32::MAX as usize & !3) - OVERHEAD;

/// Checks an 8-byte header (`len ‖ seq`) and returns the payload length.
pub(crate) fn parse_header(hdr: [u8; 8], expected_seq: u32) -> Result<usize, DecodeError> {
    let len = u32::from_le_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]);
    let seq = u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]);
    if (len as usize) < OVERHEAD {
        return Err(DecodeError::FullLengthTooSmall { len });
    }
    if len % 4 != 0 {
        return Err(DecodeError::Misaligned {
            kind: TransportKind::Full,
            len: len as usize,
        });
    }
    if seq != expected_seq {
        return Err(DecodeError::BadSeqNo {
            expected: expected_seq,
            got: seq,
        });
    }
    Ok(len as usize - OVERHEAD)
}

/// The 8-byte header for a payload of `payload_len` bytes.
pub(crate) fn header(payload_len: usize, seq: u32) -> [u8; 8] {
    let len = ((payload_len + OVERHEAD) as u32).to_le_bytes();
    let seq = seq.to_le_bytes();
    [
        len[0], len[1], len[2], len[3], seq[0], seq[1], seq[2], seq[3],
    ]
}
