//! `msg_container#73f1f8dc messages:vector<message> = MessageContainer` with
//! `message msg_id:long seqno:int bytes:int body:Object`: reading (bounds checked once, then
//! iterated) and the limits used when packing.

use core::fmt;

/// `msg_container`'s constructor id.
pub const MSG_CONTAINER_ID: u32 = 0x73f1_f8dc;
/// The most messages in one container (`service_messages.md`: "at most 1024").
pub const MAX_CONTAINER_MESSAGES: usize = 1024;
/// The most bytes of container body the session packs: Telegram refuses containers above
/// about 1 MiB; staying under keeps a margin.
pub const MAX_CONTAINER_LEN: usize = 1_044_448;
/// `msg_id ‖ seqno ‖ bytes` in front of each inner message.
pub const INNER_HEADER_LEN: usize = 16;
/// Constructor id and count in front of the messages.
pub const CONTAINER_HEADER_LEN: usize = 8;

/// Why a container was refused as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerError {
    /// It ends before its count or an inner header.
    Truncated,
    /// More messages than allowed.
    TooManyMessages {
        /// The count it claims.
        count: u32,
    },
    /// An inner message's `bytes` is negative, not a multiple of 4, or runs past the end.
    BadLength {
        /// The inner message's id.
        msg_id: i64,
        /// Its `bytes` field.
        len: i32,
    },
    /// Bytes are left after the last message.
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// An inner message's id is not below the container's.
    InnerIdNotLower {
        /// The inner id.
        msg_id: i64,
    },
    /// An inner message is itself a container.
    Nested,
}

impl fmt::Display for ContainerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("malformed msg_container (the whole container is dropped): ")?;
        match self {
            Self::Truncated => f.write_str("it ends inside a header"),
            Self::TooManyMessages { count } => {
                write!(f, "{count} messages, more than {MAX_CONTAINER_MESSAGES}")
            }
            Self::BadLength { msg_id, len } => {
                write!(f, "inner message {msg_id} claims an invalid length {len}")
            }
            Self::TrailingBytes { count } => write!(f, "{count} bytes after the last message"),
            Self::InnerIdNotLower { msg_id } => {
                write!(f, "inner message {msg_id} is not older than the container")
            }
            Self::Nested => f.write_str("it holds another container"),
        }
    }
}

impl core::error::Error for ContainerError {}

/// One message inside a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inner<'a> {
    /// Its id.
    pub msg_id: i64,
    /// Its sequence number.
    pub seq_no: i32,
    /// Its body.
    pub body: &'a [u8],
}

/// A container whose structure has been checked.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    count: u32,
    messages: &'a [u8],
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
}

fn i64_at(b: &[u8], at: usize) -> Option<i64> {
    let x = b.get(at..at + 8)?;
    let mut a = [0; 8];
    a.copy_from_slice(x);
    Some(i64::from_le_bytes(a))
}

impl<'a> Container<'a> {
    /// Checks `body` (starting with the constructor id) sent as message `container_id`: the
    /// count, every inner length, no trailing bytes, inner ids below the container's and no
    /// nested container.
    pub fn parse(body: &'a [u8], container_id: i64) -> Result<Self, ContainerError> {
        let count = u32_at(body, 4).ok_or(ContainerError::Truncated)?;
        if count as usize > MAX_CONTAINER_MESSAGES {
            return Err(ContainerError::TooManyMessages { count });
        }
        let messages = &body[CONTAINER_HEADER_LEN..];
        let mut at = 0usize;
        for _ in 0..count {
            let msg_id = i64_at(messages, at).ok_or(ContainerError::Truncated)?;
            let len = u32_at(messages, at + 12).ok_or(ContainerError::Truncated)? as i32;
            let start = at + INNER_HEADER_LEN;
            let ok_len = usize::try_from(len)
                .ok()
                .filter(|l| l % 4 == 0 && *l >= 4 && start + l <= messages.len());
            let Some(len_u) = ok_len else {
                return Err(ContainerError::BadLength { msg_id, len });
            };
            if msg_id >= container_id {
                return Err(ContainerError::InnerIdNotLower { msg_id });
            }
            if u32_at(messages, start) == Some(MSG_CONTAINER_ID) {
                return Err(ContainerError::Nested);
            }
            at = start + len_u;
        }
        if at != messages.len() {
            return Err(ContainerError::TrailingBytes {
                count: messages.len() - at,
            });
        }
        Ok(Container { count, messages })
    }

    /// The number of messages.
    pub const fn len(&self) -> usize {
        self.count as usize
    }

    /// Whether it is empty.
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The messages, in order.
    pub fn iter(&self) -> impl Iterator<Item = Inner<'a>> + 'a {
        let messages = self.messages;
        let mut at = 0usize;
        (0..self.count).map_while(move |_| {
            let msg_id = i64_at(messages, at)?;
            let seq_no = u32_at(messages, at + 8)? as i32;
            let len = u32_at(messages, at + 12)? as usize;
            let start = at + INNER_HEADER_LEN;
            let body = messages.get(start..start + len)?;
            at = start + len;
            Some(Inner {
                msg_id,
                seq_no,
                body,
            })
        })
    }
}

/// Writes an inner message header at `out[at..]` (the body follows it).
pub(crate) fn put_inner_header(out: &mut [u8], at: usize, msg_id: i64, seq_no: i32, len: usize) {
    out[at..at + 8].copy_from_slice(&msg_id.to_le_bytes());
    out[at + 8..at + 12].copy_from_slice(&seq_no.to_le_bytes());
    out[at + 12..at + 16].copy_from_slice(&(len as u32).to_le_bytes());
}

/// Writes the container header (id and count) at `out[..8]`.
pub(crate) fn put_container_header(out: &mut [u8], count: usize) {
    out[0..4].copy_from_slice(&MSG_CONTAINER_ID.to_le_bytes());
    out[4..8].copy_from_slice(&(count as u32).to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_messages() -> [u8; 8 + 20 + 24] {
        let mut b = [0u8; 52];
        put_container_header(&mut b, 2);
        put_inner_header(&mut b, 8, 0x11, 1, 4);
        b[24..28].copy_from_slice(&0xaabb_ccddu32.to_le_bytes());
        put_inner_header(&mut b, 28, 0x15, 2, 8);
        b[44..52].copy_from_slice(&[7; 8]);
        b
    }

    #[test]
    fn reads_a_hand_built_container() {
        let b = two_messages();
        let c = Container::parse(&b, 0x21).unwrap();
        assert_eq!(c.len(), 2);
        let mut it = c.iter();
        assert_eq!(
            it.next(),
            Some(Inner {
                msg_id: 0x11,
                seq_no: 1,
                body: &0xaabb_ccddu32.to_le_bytes()
            })
        );
        assert_eq!(
            it.next(),
            Some(Inner {
                msg_id: 0x15,
                seq_no: 2,
                body: &[7; 8]
            })
        );
        assert_eq!(it.next(), None);
    }

    #[test]
    fn refuses_malformed_containers() {
        let b = two_messages();
        assert_eq!(
            Container::parse(&b, 0x15).unwrap_err(),
            ContainerError::InnerIdNotLower { msg_id: 0x15 }
        );
        assert_eq!(
            Container::parse(&b[..50], 0x21).unwrap_err(),
            ContainerError::BadLength {
                msg_id: 0x15,
                len: 8
            }
        );
        assert_eq!(
            Container::parse(&b[..6], 0x21).unwrap_err(),
            ContainerError::Truncated
        );
        let mut bad = b;
        bad[4] = 3;
        assert_eq!(
            Container::parse(&bad, 0x21).unwrap_err(),
            ContainerError::Truncated
        );
        let mut bad = b;
        bad[4] = 1;
        assert_eq!(
            Container::parse(&bad, 0x21).unwrap_err(),
            ContainerError::TrailingBytes { count: 24 }
        );
        let mut bad = b;
        bad[20..24].copy_from_slice(&(-4i32).to_le_bytes());
        assert!(matches!(
            Container::parse(&bad, 0x21),
            Err(ContainerError::BadLength { .. })
        ));
        let mut bad = b;
        bad[24..28].copy_from_slice(&MSG_CONTAINER_ID.to_le_bytes());
        assert_eq!(
            Container::parse(&bad, 0x21).unwrap_err(),
            ContainerError::Nested
        );
        let mut bad = b;
        bad[4..8].copy_from_slice(&5000u32.to_le_bytes());
        assert_eq!(
            Container::parse(&bad, 0x21).unwrap_err(),
            ContainerError::TooManyMessages { count: 5000 }
        );
    }
}
