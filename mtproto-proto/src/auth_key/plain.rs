//! Unencrypted messages, used only while creating an auth key:
//! `auth_key_id = 0 (8 bytes) ‖ message_id (8) ‖ message_data_length (4) ‖ message_data`.

use crate::msg_id::Sender;
use core::fmt;

/// Bytes before the message data.
pub const HEADER_LEN: usize = 20;

/// Why an unencrypted message was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlainError {
    /// Fewer than 20 bytes: not even a header.
    TooShort {
        /// Bytes received.
        len: usize,
    },
    /// The auth_key_id is not 0: the peer sent an encrypted message (or garbage) where a
    /// plain one was expected.
    NotPlain {
        /// The auth_key_id found.
        auth_key_id: u64,
    },
    /// `message_data_length` is more than the bytes that follow, or more than
    /// [`MAX_TRANSPORT_PADDING`] less.
    BadLength {
        /// The declared length.
        declared: u32,
        /// The bytes after the header.
        actual: usize,
    },
    /// The message id has the wrong remainder mod 4 for its sender (client ids are divisible
    /// by 4, server ids are odd).
    BadMsgId {
        /// The id found.
        msg_id: i64,
    },
    /// The output buffer cannot hold the message.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

impl fmt::Display for PlainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlainError::TooShort { len } => write!(
                f,
                "a plain MTProto message needs at least 20 bytes, got {len}: the connection is \
                 broken or not speaking MTProto; reconnect"
            ),
            PlainError::NotPlain { auth_key_id } => write!(
                f,
                "expected an unencrypted message during key creation, got auth_key_id \
                 {auth_key_id:#018x}; the peer is not following the protocol"
            ),
            PlainError::BadLength { declared, actual } => write!(
                f,
                "message_data_length says {declared} bytes but {actual} follow; the packet is \
                 corrupt"
            ),
            PlainError::BadMsgId { msg_id } => write!(
                f,
                "message id {msg_id:#x} has the wrong remainder mod 4 for its sender; the peer \
                 is not following the protocol"
            ),
            PlainError::BufferTooSmall { needed } => write!(
                f,
                "the output buffer is too small for this message: {needed} bytes needed"
            ),
        }
    }
}

impl core::error::Error for PlainError {}

/// A checked unencrypted message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlainMessage<'a> {
    /// Its message id.
    pub msg_id: i64,
    /// The TL-serialized body.
    pub data: &'a [u8],
}

/// The most bytes [`parse`] ignores after a message: the padded intermediate transport's
/// 0–15 random bytes.
pub const MAX_TRANSPORT_PADDING: usize = crate::transport::padded::MAX_PADDING;

/// Parses and checks an unencrypted message sent by `from` (client ids are divisible by 4,
/// server ids are odd). Up to [`MAX_TRANSPORT_PADDING`] bytes after the declared
/// `message_data_length` are ignored (padded intermediate); more is [`PlainError::BadLength`].
pub fn parse(packet: &[u8], from: Sender) -> Result<PlainMessage<'_>, PlainError> {
    let Some((header, data)) = packet.split_first_chunk::<HEADER_LEN>() else {
        return Err(PlainError::TooShort { len: packet.len() });
    };
    let auth_key_id = u64::from_le_bytes(chunk(header, 0));
    if auth_key_id != 0 {
        return Err(PlainError::NotPlain { auth_key_id });
    }
    let msg_id = i64::from_le_bytes(chunk(header, 8));
    let declared = u32::from_le_bytes(chunk(header, 16));
    // Up to 15 bytes may follow the message: the random padding of the padded intermediate
    // transport, which the transport layer cannot tell apart from the payload.
    let data = match data.len().checked_sub(declared as usize) {
        Some(extra) if extra <= MAX_TRANSPORT_PADDING => &data[..declared as usize],
        _ => {
            return Err(PlainError::BadLength {
                declared,
                actual: data.len(),
            });
        }
    };
    let ok = match from {
        Sender::Client => msg_id % 4 == 0,
        Sender::Server => msg_id.rem_euclid(4) % 2 == 1,
    };
    if !ok {
        return Err(PlainError::BadMsgId { msg_id });
    }
    Ok(PlainMessage { msg_id, data })
}

/// Writes the 20-byte header for `data_len` bytes of message data into `out[..20]`; the
/// caller writes the data after it. Returns the total length.
pub fn write_header(out: &mut [u8], msg_id: i64, data_len: usize) -> Result<usize, PlainError> {
    let total = HEADER_LEN + data_len;
    let Some(h) = out
        .get_mut(..HEADER_LEN)
        .filter(|_| data_len <= u32::MAX as usize)
    else {
        return Err(PlainError::BufferTooSmall { needed: total });
    };
    h[..8].fill(0);
    h[8..16].copy_from_slice(&msg_id.to_le_bytes());
    h[16..20].copy_from_slice(&(data_len as u32).to_le_bytes());
    Ok(total)
}

/// Writes a whole unencrypted message (header, then `data`) into `out`; returns its length.
pub fn write_message(out: &mut [u8], msg_id: i64, data: &[u8]) -> Result<usize, PlainError> {
    let total = HEADER_LEN + data.len();
    let Some(dst) = out.get_mut(HEADER_LEN..total) else {
        return Err(PlainError::BufferTooSmall { needed: total });
    };
    dst.copy_from_slice(data);
    write_header(out, msg_id, data.len())
}

fn chunk<const N: usize>(b: &[u8; HEADER_LEN], at: usize) -> [u8; N] {
    core::array::from_fn(|i| b[at + i])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Step 1 of the official sample (`samples-auth_key.md`): req_pq_multi from the client.
    const REQ_PQ: [u8; 40] = [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0xF7, 0x0D, 0x00, 0xFC, 0xC0, 0xAB,
        0x65, 0x14, 0x00, 0x00, 0x00, 0xF1, 0x8E, 0x7E, 0xBE, 0x15, 0xA0, 0x84, 0xB3, 0xB9, 0xCA,
        0x2A, 0x17, 0xF0, 0x39, 0x25, 0xF4, 0x4B, 0x78, 0xFE, 0x68,
    ];

    #[test]
    fn parses_the_sample_and_rejects_damage() {
        let p = REQ_PQ;
        let m = parse(&p, Sender::Client).unwrap();
        assert_eq!(m.msg_id, 0x65AB_C0FC_000D_F764);
        assert_eq!(m.data, &p[20..]);
        assert_eq!(
            parse(&p, Sender::Server),
            Err(PlainError::BadMsgId {
                msg_id: 0x65AB_C0FC_000D_F764
            })
        );
        assert_eq!(
            parse(&p[..19], Sender::Client),
            Err(PlainError::TooShort { len: 19 })
        );
        assert_eq!(
            parse(&p[..39], Sender::Client),
            Err(PlainError::BadLength {
                declared: 20,
                actual: 19
            })
        );
        let mut enc = p;
        enc[0] = 1;
        assert_eq!(
            parse(&enc, Sender::Client),
            Err(PlainError::NotPlain { auth_key_id: 1 })
        );
        let mut hdr = [0u8; 20];
        write_header(&mut hdr, 0x65AB_C0FC_000D_F764, 20).unwrap();
        assert_eq!(hdr, p[..20]);
    }

    #[test]
    fn padded_transport_padding_is_ignored_up_to_15_bytes() {
        let mut v = REQ_PQ.to_vec();
        for extra in 1..=MAX_TRANSPORT_PADDING {
            v.push(0xA5);
            let m = parse(&v, Sender::Client).unwrap();
            assert_eq!(m.data, &REQ_PQ[20..], "with {extra} padding bytes");
        }
        v.push(0xA5);
        assert_eq!(
            parse(&v, Sender::Client),
            Err(PlainError::BadLength {
                declared: 20,
                actual: 36
            })
        );
    }

    #[test]
    fn header_round_trips() {
        let mut buf = [0u8; 28];
        let n = write_header(&mut buf, 0x65AB_C0FC_000D_F765, 8).unwrap();
        assert_eq!(n, 28);
        let m = parse(&buf, Sender::Server).unwrap();
        assert_eq!((m.msg_id, m.data.len()), (0x65AB_C0FC_000D_F765, 8));
        assert_eq!(
            write_header(&mut buf[..10], 4, 8),
            Err(PlainError::BufferTooSmall { needed: 28 })
        );
    }
}
