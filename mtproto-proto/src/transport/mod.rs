//! Transport framing: how MTProto packets are cut into a TCP byte stream and found again.
//!
//! Four framings exist (see each module for the bytes on the wire):
//!
//! | [`TransportKind`] | client sends first | frame | module |
//! |---|---|---|---|
//! | `Abridged` | `ef` | `len/4` in 1 byte (or `7f` + 3 bytes), payload | [`abridged`] |
//! | `Intermediate` | `ee ee ee ee` | 4-byte LE length, payload | [`intermediate`] |
//! | `PaddedIntermediate` | `dd dd dd dd` | 4-byte LE length, payload, 0–15 random bytes | [`padded`] |
//! | `Full` | nothing | length, seq_no, payload, CRC-32 | [`full`] |
//!
//! Any of the first three can be wrapped in the obfuscation layer ([`obfuscated`]): a 64-byte
//! random header replaces the tag, and both directions are AES-256-CTR encrypted; this is also
//! how MTProxy connections work.
//!
//! Besides packets, servers send two kinds of tiny frames, reported as [`Event`]s: a **quick
//! ack** (the server received and accepted a packet the client flagged with
//! [`EncodeOptions::quick_ack()`]) and a **transport error** (a 4-byte negative code such as
//! -404, see [`TransportErrorCode`]).
//!
//! # Sans-IO use
//!
//! An [`Encoder`] turns payloads into bytes in a caller-provided output slice; a [`Decoder`]
//! takes received bytes in chunks of any size (one byte at a time works) and copies frames into
//! a caller-provided buffer, which bounds the largest frame. Nothing allocates, reads a clock or
//! draws randomness by itself.
//!
//! ```
//! use ferrogram_mtproto_proto::transport::{
//!     Decoder, EncodeOptions, Encoder, Event, TransportKind,
//! };
//!
//! // Client side: the first encode also writes the tag (here `ee ee ee ee`).
//! let mut client = Encoder::client(TransportKind::Intermediate);
//! let mut wire = [0u8; 64];
//! let n = client
//!     .encode_with_padding(&[1, 2, 3, 4, 5, 6, 7, 8], EncodeOptions::default(), &[], &mut wire)
//!     .unwrap();
//!
//! // Server side: detect the transport, then read frames in any chunks.
//! let mut server = Decoder::server([0u8; 1024]);
//! let mut got = 0;
//! for chunk in wire[..n].chunks(3) {
//!     let mut rest = chunk;
//!     while let Some(event) = server.decode(&mut rest).unwrap() {
//!         if let Event::Packet { payload, .. } = event {
//!             assert_eq!(payload, &[1, 2, 3, 4, 5, 6, 7, 8]);
//!             got += 1;
//!         }
//!     }
//! }
//! assert_eq!(got, 1);
//! assert_eq!(server.kind(), Some(TransportKind::Intermediate));
//! ```

use core::fmt;

pub mod abridged;
pub mod crc32;
mod decoder;
mod encoder;
mod error;
pub mod full;
pub mod intermediate;
pub mod obfuscated;
pub mod padded;

pub use decoder::Decoder;
pub use encoder::{EncodeOptions, Encoder};
pub use error::{DecodeError, EncodeError, ObfuscationError};

/// The default largest payload a [`Decoder`] accepts: 2 MiB (2,097,152 bytes), room for the
/// largest file part (1 MiB from `upload.getFile`) with all MTProto overhead. The receive
/// buffer bounds it further.
pub const DEFAULT_MAX_FRAME_LEN: usize = 2 * 1024 * 1024;

/// One of the four MTProto TCP framings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// 1-byte lengths for small frames ([`abridged`]).
    Abridged,
    /// 4-byte lengths ([`intermediate`]).
    Intermediate,
    /// 4-byte lengths and random padding ([`padded`]).
    PaddedIntermediate,
    /// Lengths, sequence numbers and CRC-32 ([`full`]).
    Full,
}

impl TransportKind {
    /// The bytes a client sends once before its first frame on a plain (not obfuscated)
    /// connection; empty for [`Full`](TransportKind::Full).
    #[must_use]
    pub const fn tag(self) -> &'static [u8] {
        match self {
            Self::Abridged => &[abridged::TAG],
            Self::Intermediate => &intermediate::TAG,
            Self::PaddedIntermediate => &padded::TAG,
            Self::Full => &[],
        }
    }

    /// The 4-byte protocol tag of the obfuscated header (bytes 56..60), or `None` for
    /// [`Full`](TransportKind::Full), which has no obfuscated form.
    #[must_use]
    pub const fn obfuscated_tag(self) -> Option<[u8; 4]> {
        match self {
            Self::Abridged => Some([abridged::TAG; 4]),
            Self::Intermediate => Some(intermediate::TAG),
            Self::PaddedIntermediate => Some(padded::TAG),
            Self::Full => None,
        }
    }

    /// The transport whose obfuscated tag is `tag`.
    #[must_use]
    pub const fn from_obfuscated_tag(tag: [u8; 4]) -> Option<Self> {
        match tag {
            [0xef, 0xef, 0xef, 0xef] => Some(Self::Abridged),
            [0xee, 0xee, 0xee, 0xee] => Some(Self::Intermediate),
            [0xdd, 0xdd, 0xdd, 0xdd] => Some(Self::PaddedIntermediate),
            _ => None,
        }
    }

    /// Whether payload lengths must be multiples of 4 (all but padded intermediate).
    #[must_use]
    pub const fn requires_alignment(self) -> bool {
        !matches!(self, Self::PaddedIntermediate)
    }

    /// Whether a client can request quick acks (all but full).
    #[must_use]
    pub const fn supports_quick_ack(self) -> bool {
        !matches!(self, Self::Full)
    }

    /// The longest payload (plus padding) the length field can express.
    #[must_use]
    pub const fn max_payload_len(self) -> usize {
        match self {
            Self::Abridged => abridged::MAX_PAYLOAD_LEN,
            Self::Intermediate | Self::PaddedIntermediate => intermediate::MAX_PAYLOAD_LEN,
            Self::Full => full::MAX_PAYLOAD_LEN,
        }
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Abridged => "abridged transport",
            Self::Intermediate => "intermediate transport",
            Self::PaddedIntermediate => "padded intermediate transport",
            Self::Full => "full transport",
        })
    }
}

/// Which end of the connection an encoder or decoder serves.
///
/// The two directions differ: only clients send the tag and request quick acks, only servers
/// send quick-ack replies and transport errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Opens the connection (a Telegram client).
    Client,
    /// Accepts it (a Telegram DC, a test DC, a proxy).
    Server,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Client => "client",
            Self::Server => "server",
        })
    }
}

/// What a [`Decoder`] found in the byte stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A whole frame's payload. On padded intermediate it includes the padding, which the
    /// MTProto layer ignores (see [`padded`]).
    Packet {
        /// The payload, borrowed from the decoder's buffer until the next `decode` call.
        payload: &'a [u8],
        /// Server role only: the client asked for a quick ack of this packet.
        quick_ack: bool,
    },
    /// Client role only: the server acknowledged the packet whose quick-ack token this is
    /// (top bit set, as computed by the sender).
    QuickAck(u32),
    /// Client role only: the server sent a transport error instead of a packet.
    TransportError(TransportErrorCode),
}

/// A transport error code: a server frame whose whole payload is a 4-byte little-endian
/// integer, the negated HTTP-like code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransportErrorCode {
    /// -403: the request is forbidden on this connection.
    Forbidden,
    /// -404: the auth key is unknown to the DC, or a packet was malformed (for example an
    /// MTProto length larger than the frame).
    AuthKeyNotFound,
    /// -429: transport flood: too many connections from this IP, or too many messages in a
    /// container or service limits reached.
    Flood,
    /// -444: an invalid DC id (in the auth-key exchange or the MTProxy header).
    InvalidDc,
    /// Any other code, as received.
    Other(i32),
}

impl TransportErrorCode {
    /// Classifies a received code (codes are negative; positive ones are matched by absolute
    /// value too).
    #[must_use]
    pub const fn from_code(code: i32) -> Self {
        match code.unsigned_abs() {
            403 => Self::Forbidden,
            404 => Self::AuthKeyNotFound,
            429 => Self::Flood,
            444 => Self::InvalidDc,
            _ => Self::Other(code),
        }
    }

    /// The code as sent on the wire (negative for the named ones).
    #[must_use]
    pub const fn code(self) -> i32 {
        match self {
            Self::Forbidden => -403,
            Self::AuthKeyNotFound => -404,
            Self::Flood => -429,
            Self::InvalidDc => -444,
            Self::Other(c) => c,
        }
    }
}

impl fmt::Display for TransportErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code();
        match self {
            Self::Forbidden => write!(
                f,
                "transport error {code} (forbidden): the server refused this request on this \
                 connection; check the DC and the request"
            ),
            Self::AuthKeyNotFound => write!(
                f,
                "transport error {code} (auth key not found): the DC does not know this auth key \
                 or rejected a malformed packet; if it happens right after connecting, drop the \
                 auth key and create a new one, otherwise check the packet lengths"
            ),
            Self::Flood => write!(
                f,
                "transport error {code} (transport flood): too many connections or messages; \
                 wait and reconnect later with backoff, and open fewer connections"
            ),
            Self::InvalidDc => write!(
                f,
                "transport error {code} (invalid DC): the DC id is wrong (in the MTProxy header \
                 or the auth-key exchange); check the DC id and test/media flags"
            ),
            Self::Other(_) => write!(
                f,
                "transport error {code}: the server closed the exchange with an unknown code; \
                 reconnect, and create a new auth key if it repeats"
            ),
        }
    }
}

impl core::error::Error for TransportErrorCode {}

/// A parsed frame header (internal to the decoders).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Header {
    /// A frame of `len` bytes follows.
    Frame { len: usize, quick_ack: bool },
    /// A complete quick-ack reply, no body.
    QuickAck(u32),
}
