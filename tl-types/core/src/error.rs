//! Decoding and encoding errors.

use core::fmt;

/// Why bytes could not be decoded, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset in the input where the problem was found.
    pub offset: usize,
    /// What is wrong.
    pub kind: DecodeErrorKind,
}

/// The kinds of [`DecodeError`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended in the middle of a value.
    UnexpectedEnd {
        /// Bytes the value needed.
        needed: usize,
        /// Bytes left.
        remaining: usize,
    },
    /// A constructor id that is not one of the expected type's constructors.
    UnexpectedConstructor {
        /// The TL type (or constructor) that was expected.
        expected: &'static str,
        /// The id found.
        id: u32,
    },
    /// A `Bool` that is neither `boolTrue` nor `boolFalse`.
    InvalidBool(u32),
    /// A boxed vector whose id is not `vector#1cb5c415`.
    InvalidVectorId(u32),
    /// A string or bytes length prefix of 255 (not a valid TL length).
    InvalidLength,
    /// A vector count larger than the remaining input could hold.
    VectorTooLong {
        /// The count on the wire.
        count: u32,
        /// Bytes left after the count.
        remaining: usize,
    },
    /// Values nested deeper than the reader's limit.
    TooDeep {
        /// The limit ([`crate::Reader::DEFAULT_MAX_DEPTH`] unless set).
        limit: u32,
    },
    /// Bytes were left after a complete value.
    TrailingBytes {
        /// How many.
        count: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DecodeErrorKind::UnexpectedEnd { needed, remaining } => write!(
                f,
                "TL data ends early at byte {}: needed {needed} more bytes, {remaining} left (truncated or corrupted input)",
                self.offset
            ),
            DecodeErrorKind::UnexpectedConstructor { expected, id } => {
                write!(f, "unexpected constructor {id:#010x}")?;
                match crate::names::name_of(*id) {
                    Some(n) => write!(f, " ({n})")?,
                    None => write!(f, " (unknown to layer {})", crate::LAYER)?,
                }
                write!(
                    f,
                    " at byte {} where `{expected}` was expected; if the peer speaks another layer, build these types \
                     from its schema (FERROGRAM_TL_API), otherwise the data is corrupted",
                    self.offset
                )
            }
            DecodeErrorKind::InvalidBool(id) => {
                write!(
                    f,
                    "invalid Bool {id:#010x} at byte {} (expected boolTrue or boolFalse)",
                    self.offset
                )
            }
            DecodeErrorKind::InvalidVectorId(id) => {
                write!(
                    f,
                    "invalid vector id {id:#010x} at byte {} (expected 0x1cb5c415)",
                    self.offset
                )
            }
            DecodeErrorKind::InvalidLength => {
                write!(
                    f,
                    "invalid string/bytes length prefix 0xff at byte {}",
                    self.offset
                )
            }
            DecodeErrorKind::VectorTooLong { count, remaining } => write!(
                f,
                "vector at byte {} claims {count} elements but only {remaining} bytes remain (corrupted or hostile input)",
                self.offset
            ),
            DecodeErrorKind::TooDeep { limit } => write!(
                f,
                "values nest deeper than {limit} levels at byte {} (hostile input, or raise the limit with Reader::with_max_depth)",
                self.offset
            ),
            DecodeErrorKind::TrailingBytes { count } => {
                write!(
                    f,
                    "{count} bytes left over after the value ended at byte {}",
                    self.offset
                )
            }
        }
    }
}

impl core::error::Error for DecodeError {}

/// Why a value could not be serialized.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// The caller's buffer is too small. Nothing useful was written; retry with `needed` bytes.
    BufferFull {
        /// Bytes the whole value needs.
        needed: usize,
        /// Bytes the buffer has.
        capacity: usize,
    },
    /// A string or bytes value longer than TL can encode (2²⁴ − 1 bytes).
    TooLong {
        /// Its length.
        len: usize,
    },
    /// Optional fields that share one flag bit are not all present or all absent (e.g.
    /// `message.views` and `message.forwards` share `flags.10`), so no valid encoding exists.
    FlagGroupMismatch {
        /// The constructor or function id.
        constructor: u32,
        /// The flags word (`flags`, `flags2`).
        word: &'static str,
        /// The bit.
        bit: u32,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::BufferFull { needed, capacity } => write!(
                f,
                "buffer too small for the serialized value: needs {needed} bytes, has {capacity}; pass a larger buffer"
            ),
            EncodeError::TooLong { len } => {
                write!(
                    f,
                    "a string or bytes value of {len} bytes is longer than TL allows (16,777,215); split it (e.g. upload files in parts)"
                )
            }
            EncodeError::FlagGroupMismatch {
                constructor,
                word,
                bit,
            } => write!(
                f,
                "`{}`: the optional fields on {word}.{bit} must be set together or left out together",
                crate::names::name_of(*constructor).unwrap_or("?")
            ),
        }
    }
}

impl core::error::Error for EncodeError {}
