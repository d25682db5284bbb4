//! The typed errors of the transport layer. Each carries the offending values, and its
//! `Display` says what happened and what to do about it.

use core::fmt;

use super::{Role, TransportKind};

/// Why a byte stream could not be decoded into frames.
///
/// Every decode error is fatal for the connection: the framing is lost, so the
/// [`Decoder`](super::Decoder) keeps returning the same error. Close the connection and open
/// a new one (with a fresh decoder, and for the full transport a fresh sequence number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A frame announced more bytes than the configured maximum frame length.
    FrameTooLarge {
        /// The announced payload length in bytes.
        len: usize,
        /// The configured maximum ([`Decoder::with_max_frame_len`](super::Decoder::with_max_frame_len)).
        max: usize,
    },
    /// A frame announced more bytes than the caller's receive buffer holds.
    BufferTooSmall {
        /// The announced payload length in bytes.
        len: usize,
        /// The size of the receive buffer in bytes.
        capacity: usize,
    },
    /// The length of an intermediate or full frame is not a multiple of 4.
    Misaligned {
        /// The transport whose framing requires the alignment.
        kind: TransportKind,
        /// The announced length.
        len: usize,
    },
    /// A full-transport length field below 12 (length, seq_no and CRC alone take 12 bytes).
    FullLengthTooSmall {
        /// The length field as received.
        len: u32,
    },
    /// A full-transport frame whose CRC-32 does not match its contents.
    BadCrc {
        /// The CRC-32 computed over the received length, seq_no and payload.
        expected: u32,
        /// The CRC-32 the frame carried.
        got: u32,
    },
    /// A full-transport frame with an unexpected sequence number (a frame was lost, repeated
    /// or reordered).
    BadSeqNo {
        /// The sequence number this frame should have had.
        expected: u32,
        /// The sequence number it carried.
        got: u32,
    },
    /// A server saw an HTTP request (`POST`, `GET `, `HEAD`, `OPTI`) instead of an MTProto
    /// transport.
    HttpNotSupported,
    /// A server saw a TLS ClientHello (an `ee` fake-TLS MTProxy client); fake TLS is not
    /// supported.
    FakeTlsNotSupported,
    /// An obfuscated header whose decrypted protocol tag is not one of `0xefefefef`,
    /// `0xeeeeeeee`, `0xdddddddd` (or the wrong MTProxy secret was used).
    UnknownObfuscatedTag {
        /// The decrypted tag, read little-endian.
        tag: u32,
    },
    /// The connection ended in the middle of a frame.
    Truncated {
        /// Bytes of the unfinished frame (or header) received.
        have: usize,
        /// Bytes it needs at least.
        need: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::FrameTooLarge { len, max } => write!(
                f,
                "frame of {len} bytes exceeds the maximum frame length of {max} bytes; close the \
                 connection, or raise the limit if the peer is trusted"
            ),
            Self::BufferTooSmall { len, capacity } => write!(
                f,
                "frame of {len} bytes does not fit the {capacity}-byte receive buffer; close the \
                 connection and use a larger buffer"
            ),
            Self::Misaligned { kind, len } => write!(
                f,
                "{kind} frame length {len} is not a multiple of 4; the stream is corrupt or not \
                 this transport, close the connection"
            ),
            Self::FullLengthTooSmall { len } => write!(
                f,
                "full-transport length field {len} is below the 12-byte minimum; the stream is \
                 corrupt, close the connection"
            ),
            Self::BadCrc { expected, got } => write!(
                f,
                "full-transport CRC-32 mismatch (computed {expected:#010x}, frame carried \
                 {got:#010x}); the stream is corrupt, close the connection and reconnect"
            ),
            Self::BadSeqNo { expected, got } => write!(
                f,
                "full-transport seq_no {got} where {expected} was expected (lost or repeated \
                 frame); close the connection and reconnect"
            ),
            Self::HttpNotSupported => f.write_str(
                "the peer speaks HTTP, not an MTProto TCP transport; serve HTTP elsewhere or \
                 close the connection",
            ),
            Self::FakeTlsNotSupported => f.write_str(
                "the peer opened with a TLS ClientHello (fake-TLS MTProxy); fake TLS is not \
                 supported, close the connection",
            ),
            Self::UnknownObfuscatedTag { tag } => write!(
                f,
                "obfuscated header decrypts to unknown protocol tag {tag:#010x}; the peer uses \
                 another MTProxy secret or is not an MTProto client, close the connection"
            ),
            Self::Truncated { have, need } => write!(
                f,
                "connection ended inside a frame ({have} of at least {need} bytes received); \
                 reconnect and resend what was not acknowledged"
            ),
        }
    }
}

impl core::error::Error for DecodeError {}

/// Why a payload could not be framed. Encode errors leave the [`Encoder`](super::Encoder)
/// unchanged, so the call can be retried (for example with a larger output buffer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer cannot hold the frame.
    OutputTooSmall {
        /// Bytes the frame (with any preamble still to send) needs.
        needed: usize,
        /// Bytes the output buffer has.
        capacity: usize,
    },
    /// The payload length is not a multiple of 4, which this transport requires.
    Misaligned {
        /// The transport.
        kind: TransportKind,
        /// The payload length.
        len: usize,
    },
    /// The payload is longer than the transport's length field can express.
    FrameTooLarge {
        /// The payload (plus padding) length.
        len: usize,
        /// The largest length this transport can frame.
        max: usize,
    },
    /// Padded intermediate takes at most 15 padding bytes (8 for a quick-ack reply).
    PaddingTooLong {
        /// The padding length given.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// Padding was given for a transport other than padded intermediate.
    PaddingNotAllowed {
        /// The transport.
        kind: TransportKind,
    },
    /// This operation does not exist for this transport and role (for example a quick-ack
    /// request on the full transport, or a client sending a quick-ack reply).
    NotSupported {
        /// The transport.
        kind: TransportKind,
        /// The encoder's role.
        role: Role,
        /// What was asked.
        what: &'static str,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::OutputTooSmall { needed, capacity } => write!(
                f,
                "frame needs {needed} bytes but the output buffer has {capacity}; retry with a \
                 larger buffer"
            ),
            Self::Misaligned { kind, len } => write!(
                f,
                "{kind} needs a payload length that is a multiple of 4, got {len} bytes; MTProto \
                 payloads are always 4-aligned, check how the payload was built"
            ),
            Self::FrameTooLarge { len, max } => write!(
                f,
                "payload of {len} bytes exceeds what the transport can frame ({max} bytes); \
                 split the data (for files, use smaller parts)"
            ),
            Self::PaddingTooLong { len, max } => write!(
                f,
                "{len} padding bytes given, at most {max} are allowed; use less padding"
            ),
            Self::PaddingNotAllowed { kind } => write!(
                f,
                "{kind} frames carry no padding; pass an empty padding slice or use padded \
                 intermediate"
            ),
            Self::NotSupported { kind, role, what } => write!(
                f,
                "{what} is not available on {kind} in the {role} role; don't ask for it on this \
                 transport"
            ),
        }
    }
}

impl core::error::Error for EncodeError {}

/// Why an obfuscated connection could not be set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObfuscationError {
    /// The MTProxy secret is an `ee` fake-TLS secret, which is not supported.
    FakeTlsNotSupported,
    /// The MTProxy secret has a length other than 16 bytes (or 17 with a one-byte prefix).
    BadSecretLength {
        /// The length of the secret in bytes.
        len: usize,
    },
    /// The MTProxy secret's hex form has a character that is not a hex digit.
    BadSecretHex,
    /// The 64 random bytes given for the header start like another protocol (see
    /// [`obfuscated::is_valid_random_header`](super::obfuscated::is_valid_random_header)); draw
    /// new ones.
    ForbiddenRandomHeader,
    /// The random generator kept producing forbidden headers (it is broken or not random).
    RngRejected,
    /// The transport has no obfuscated form (the full transport has no protocol tag).
    NoObfuscatedForm {
        /// The transport asked for.
        kind: TransportKind,
    },
    /// A DC id that does not fit the two-byte header field after adding 10000 for test DCs.
    DcIdOutOfRange {
        /// The DC number given.
        dc: u16,
    },
}

impl fmt::Display for ObfuscationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::FakeTlsNotSupported => f.write_str(
                "this MTProxy secret starts with `ee` (fake TLS), which is not supported; use a \
                 proxy with a plain or `dd` secret",
            ),
            Self::BadSecretLength { len } => write!(
                f,
                "MTProxy secret of {len} bytes; expected 16 bytes (32 hex digits), or 17 with a \
                 `dd` prefix; check the proxy link"
            ),
            Self::BadSecretHex => f.write_str(
                "MTProxy secret is not valid hex; check the proxy link (base64 secrets must be \
                 decoded first)",
            ),
            Self::ForbiddenRandomHeader => f.write_str(
                "the 64 random header bytes look like another protocol's opening; draw new \
                 random bytes and retry",
            ),
            Self::RngRejected => f.write_str(
                "the random generator produced only forbidden obfuscation headers; it is \
                 broken, use a working cryptographic RNG",
            ),
            Self::NoObfuscatedForm { kind } => write!(
                f,
                "the {kind} cannot be obfuscated (it has no protocol tag); use abridged, \
                 intermediate or padded intermediate"
            ),
            Self::DcIdOutOfRange { dc } => write!(
                f,
                "DC id {dc} does not fit the obfuscated header's 16-bit field; use a real DC id"
            ),
        }
    }
}

impl core::error::Error for ObfuscationError {}
