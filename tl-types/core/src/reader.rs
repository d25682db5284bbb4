//! Reading TL from a byte slice.

use crate::error::{DecodeError, DecodeErrorKind};

const VECTOR_ID: u32 = 0x1cb5c415;
const BOOL_TRUE: u32 = 0x997275b5;
const BOOL_FALSE: u32 = 0xbc799737;

/// A cursor over received bytes. Every read is bounds-checked and returns a
/// [`DecodeError`] instead of panicking; nesting is limited (see [`Reader::with_max_depth`]).
///
/// ```
/// use ferrogram_tl_core::Reader;
/// let mut r = Reader::new(&[1, 0, 0, 0, 3, b'a', b'b', b'c']);
/// assert_eq!(r.i32().unwrap(), 1);
/// assert_eq!(r.tl_bytes().unwrap(), b"abc");
/// assert!(r.is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: u32,
    max_depth: u32,
    /// The first error met by a `sticky_*` read (see [`Reader::check`]).
    failed: Option<DecodeError>,
}

impl<'a> Reader<'a> {
    /// How deep constructors and vectors may nest by default. Telegram's deepest real
    /// objects (rich text inside page blocks) nest about a dozen levels.
    pub const DEFAULT_MAX_DEPTH: u32 = 64;

    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            depth: 0,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            failed: None,
        }
    }

    /// Sets the nesting limit.
    pub fn with_max_depth(mut self, max_depth: u32) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Bytes consumed so far.
    #[inline]
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether everything was read.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// The bytes from `start` to the current position.
    #[inline]
    pub fn since(&self, start: usize) -> &'a [u8] {
        &self.buf[start.min(self.pos)..self.pos]
    }

    /// Fails with `TrailingBytes` unless everything was read.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.error(DecodeErrorKind::TrailingBytes {
                count: self.remaining(),
            }))
        }
    }

    /// The error to report: the first error of a sticky read if there was one (every read
    /// after it fails, and must report the cause, not the consequence), else `kind` here.
    #[inline]
    fn error(&self, kind: DecodeErrorKind) -> DecodeError {
        match &self.failed {
            Some(e) => e.clone(),
            None => DecodeError {
                offset: self.pos,
                kind,
            },
        }
    }

    /// Records the first error of a sticky read and moves to the end of the input, so every
    /// later read fails at once (and reports this error).
    #[cold]
    #[inline(never)]
    fn stick(&mut self, e: DecodeError) {
        if self.failed.is_none() {
            self.failed = Some(e);
        }
        self.pos = self.buf.len();
    }

    #[inline]
    fn sticky<T>(&mut self, r: Result<T, DecodeError>, fallback: T) -> T {
        match r {
            Ok(v) => v,
            Err(e) => {
                self.stick(e);
                fallback
            }
        }
    }

    /// Fails with the first error of the sticky reads since the reader was made.
    ///
    /// Generated decoders read the plain fields of a constructor with the `sticky_*` methods,
    /// which return a placeholder instead of an error, and call `check` once before building
    /// the value. That keeps the decoders short (one error branch per constructor instead of
    /// one per field) without changing what is reported: the error is the first one, at the
    /// offset where it happened.
    ///
    /// ```
    /// use ferrogram_tl_core::Reader;
    /// let mut r = Reader::new(&[1, 0, 0, 0, 2, 0]);
    /// assert_eq!(r.sticky_i32(), 1);
    /// assert_eq!(r.sticky_i32(), 0); // only two bytes left: placeholder
    /// assert_eq!(r.sticky_i32(), 0);
    /// assert_eq!(r.check().unwrap_err().offset, 4);
    /// ```
    #[inline]
    pub fn check(&self) -> Result<(), DecodeError> {
        match &self.failed {
            None => Ok(()),
            Some(e) => Err(e.clone()),
        }
    }

    /// Takes `n` bytes.
    #[inline]
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        match self.buf.get(self.pos..self.pos.wrapping_add(n)) {
            Some(s) if n <= self.remaining() => {
                self.pos += n;
                Ok(s)
            }
            _ => Err(self.error(DecodeErrorKind::UnexpectedEnd {
                needed: n,
                remaining: self.remaining(),
            })),
        }
    }

    /// Skips `n` bytes.
    #[inline]
    pub fn skip(&mut self, n: usize) -> Result<(), DecodeError> {
        if n <= self.remaining() {
            self.pos += n;
            Ok(())
        } else {
            Err(self.error(DecodeErrorKind::UnexpectedEnd {
                needed: n,
                remaining: self.remaining(),
            }))
        }
    }

    /// `N` bytes as an array (one bounds check for a run of fixed-size fields).
    #[inline]
    pub fn fixed<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        self.array()
    }

    #[inline]
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        if N <= self.remaining() {
            let mut a = [0u8; N];
            a.copy_from_slice(&self.buf[self.pos..self.pos + N]);
            self.pos += N;
            Ok(a)
        } else {
            Err(self.error(DecodeErrorKind::UnexpectedEnd {
                needed: N,
                remaining: self.remaining(),
            }))
        }
    }

    /// A little-endian `u32` (constructor ids, flags).
    #[inline]
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        self.array().map(u32::from_le_bytes)
    }

    /// The next `u32` without consuming it.
    #[inline]
    pub fn peek_u32(&self) -> Result<u32, DecodeError> {
        match self.buf.get(self.pos..self.pos + 4) {
            Some(b) if self.remaining() >= 4 => Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            _ => Err(self.error(DecodeErrorKind::UnexpectedEnd {
                needed: 4,
                remaining: self.remaining(),
            })),
        }
    }

    /// TL `int`.
    #[inline]
    pub fn i32(&mut self) -> Result<i32, DecodeError> {
        self.array().map(i32::from_le_bytes)
    }

    /// TL `long`.
    #[inline]
    pub fn i64(&mut self) -> Result<i64, DecodeError> {
        self.array().map(i64::from_le_bytes)
    }

    /// TL `double`.
    #[inline]
    pub fn f64(&mut self) -> Result<f64, DecodeError> {
        self.array().map(f64::from_le_bytes)
    }

    /// TL `int128`.
    #[inline]
    pub fn int128(&mut self) -> Result<[u8; 16], DecodeError> {
        self.array()
    }

    /// TL `int256`.
    #[inline]
    pub fn int256(&mut self) -> Result<[u8; 32], DecodeError> {
        self.array()
    }

    /// TL `Bool`.
    #[inline]
    pub fn bool(&mut self) -> Result<bool, DecodeError> {
        match self.u32()? {
            BOOL_TRUE => Ok(true),
            BOOL_FALSE => Ok(false),
            other => {
                self.pos -= 4;
                Err(self.error(DecodeErrorKind::InvalidBool(other)))
            }
        }
    }

    /// TL `bytes` / `string` contents, borrowed.
    #[inline(always)]
    pub fn tl_bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        // Fast path: a short string (under 254 bytes: one length byte) that fits.
        if let Some(&first) = self.buf.get(self.pos)
            && first < 254
        {
            let len = first as usize;
            let padded = (len + 4) & !3;
            if padded <= self.remaining() {
                let data = &self.buf[self.pos + 1..self.pos + 1 + len];
                self.pos += padded;
                return Ok(data);
            }
        }
        self.tl_bytes_slow()
    }

    /// [`Reader::tl_bytes`] for long strings and errors.
    #[inline(never)]
    fn tl_bytes_slow(&mut self) -> Result<&'a [u8], DecodeError> {
        let start = self.pos;
        let first = *self.buf.get(self.pos).ok_or_else(|| {
            self.error(DecodeErrorKind::UnexpectedEnd {
                needed: 1,
                remaining: 0,
            })
        })?;
        let (len, header) = match first {
            0..=253 => (first as usize, 1),
            254 => {
                let h = self.array::<4>()?;
                (u32::from_le_bytes([h[1], h[2], h[3], 0]) as usize, 4)
            }
            255 => return Err(self.error(DecodeErrorKind::InvalidLength)),
        };
        if header == 1 {
            self.pos += 1;
        }
        let padded = (header + len + 3) & !3;
        if padded - header > self.remaining() {
            self.pos = start;
            return Err(self.error(DecodeErrorKind::UnexpectedEnd {
                needed: padded,
                remaining: self.buf.len() - start,
            }));
        }
        let data = &self.buf[self.pos..self.pos + len];
        self.pos = start + padded;
        Ok(data)
    }

    /// Skips TL `bytes` / `string`.
    #[inline]
    pub fn skip_tl_bytes(&mut self) -> Result<(), DecodeError> {
        self.tl_bytes().map(|_| ())
    }

    /// TL `string`, borrowed as [`crate::TlStr`] (not checked for UTF-8).
    #[inline]
    pub fn tl_str(&mut self) -> Result<crate::TlStr<'a>, DecodeError> {
        self.tl_bytes().map(crate::TlStr::from_bytes)
    }

    /// TL `bytes`, copied.
    #[cfg(feature = "alloc")]
    #[inline]
    pub fn bytes_vec(&mut self) -> Result<alloc::vec::Vec<u8>, DecodeError> {
        self.tl_bytes().map(<[u8]>::to_vec)
    }

    /// TL `string`, copied. Invalid UTF-8 is replaced with U+FFFD (see the crate docs).
    #[cfg(feature = "alloc")]
    #[inline]
    pub fn string(&mut self) -> Result<alloc::string::String, DecodeError> {
        let b = self.tl_bytes()?;
        Ok(match core::str::from_utf8(b) {
            Ok(s) => alloc::string::String::from(s),
            Err(_) => alloc::string::String::from_utf8_lossy(b).into_owned(),
        })
    }

    /// Reads a vector header (`vector#1cb5c415` unless `bare`, then the count) and checks the
    /// count against the remaining input: every element takes at least `min_elem` bytes.
    /// Counts toward the nesting depth; call [`Reader::leave`] after the elements.
    #[inline(always)]
    pub fn vec_len(&mut self, bare: bool, min_elem: usize) -> Result<usize, DecodeError> {
        self.enter()?;
        if !bare {
            let id = self.u32()?;
            if id != VECTOR_ID {
                self.pos -= 4;
                return Err(self.error(DecodeErrorKind::InvalidVectorId(id)));
            }
        }
        let count = self.u32()?;
        if (count as usize).saturating_mul(min_elem.max(1)) > self.remaining() {
            self.pos -= 4;
            return Err(self.error(DecodeErrorKind::VectorTooLong {
                count,
                remaining: self.remaining() - 4,
            }));
        }
        Ok(count as usize)
    }

    /// Reads a constructor id and checks it.
    #[inline]
    pub fn expect_id(&mut self, id: u32, expected: &'static str) -> Result<(), DecodeError> {
        let got = self.u32()?;
        if got == id {
            Ok(())
        } else {
            Err(self.unexpected_id(expected, got))
        }
    }

    /// The error for an id just read that is not one of `expected`'s constructors.
    #[cold]
    pub fn unexpected_id(&self, expected: &'static str, id: u32) -> DecodeError {
        DecodeError {
            offset: self.pos.saturating_sub(4),
            kind: DecodeErrorKind::UnexpectedConstructor { expected, id },
        }
    }

    /// Enters one nesting level.
    #[inline]
    pub fn enter(&mut self) -> Result<(), DecodeError> {
        if self.depth >= self.max_depth {
            return Err(self.error(DecodeErrorKind::TooDeep {
                limit: self.max_depth,
            }));
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves a nesting level entered with [`Reader::enter`] or [`Reader::vec_len`].
    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// Sticky reads: a placeholder (zero, empty) instead of an error; the first error is kept for
/// [`Reader::check`].
impl<'a> Reader<'a> {
    /// [`Reader::u32`], sticky.
    #[inline]
    pub fn sticky_u32(&mut self) -> u32 {
        let r = self.u32();
        self.sticky(r, 0)
    }
    /// [`Reader::i32`], sticky.
    #[inline]
    pub fn sticky_i32(&mut self) -> i32 {
        let r = self.i32();
        self.sticky(r, 0)
    }
    /// [`Reader::i64`], sticky.
    #[inline]
    pub fn sticky_i64(&mut self) -> i64 {
        let r = self.i64();
        self.sticky(r, 0)
    }
    /// [`Reader::f64`], sticky.
    #[inline]
    pub fn sticky_f64(&mut self) -> f64 {
        let r = self.f64();
        self.sticky(r, 0.0)
    }
    /// [`Reader::bool`], sticky.
    #[inline]
    pub fn sticky_bool(&mut self) -> bool {
        let r = self.bool();
        self.sticky(r, false)
    }
    /// [`Reader::fixed`], sticky.
    #[inline]
    pub fn sticky_fixed<const N: usize>(&mut self) -> [u8; N] {
        let r = self.array();
        self.sticky(r, [0; N])
    }
    /// [`Reader::skip`], sticky.
    #[inline]
    pub fn sticky_skip(&mut self, n: usize) {
        let r = self.skip(n);
        self.sticky(r, ())
    }
    /// [`Reader::skip_tl_bytes`], sticky.
    #[inline]
    pub fn sticky_skip_tl_bytes(&mut self) {
        let r = self.skip_tl_bytes();
        self.sticky(r, ())
    }
    /// [`Reader::tl_bytes`], sticky.
    #[inline]
    pub fn sticky_tl_bytes(&mut self) -> &'a [u8] {
        let r = self.tl_bytes();
        self.sticky(r, &[])
    }
    /// [`Reader::tl_str`], sticky.
    #[inline]
    pub fn sticky_tl_str(&mut self) -> crate::TlStr<'a> {
        crate::TlStr::from_bytes(self.sticky_tl_bytes())
    }
    /// [`Reader::bytes_vec`], sticky.
    #[cfg(feature = "alloc")]
    #[inline]
    pub fn sticky_bytes_vec(&mut self) -> alloc::vec::Vec<u8> {
        self.sticky_tl_bytes().to_vec()
    }
    /// [`Reader::string`], sticky.
    #[cfg(feature = "alloc")]
    #[inline]
    pub fn sticky_string(&mut self) -> alloc::string::String {
        let r = self.string();
        self.sticky(r, alloc::string::String::new())
    }
}

/// `u32` at `off` in `b` (generated code reads runs of fixed-size fields with this).
#[doc(hidden)]
#[inline(always)]
pub fn le_u32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

#[doc(hidden)]
#[inline(always)]
pub fn le_i32(b: &[u8], off: usize) -> i32 {
    le_u32(b, off) as i32
}

#[doc(hidden)]
#[inline(always)]
pub fn le_i64(b: &[u8], off: usize) -> i64 {
    (le_u32(b, off) as u64 | (le_u32(b, off + 4) as u64) << 32) as i64
}

#[doc(hidden)]
#[inline(always)]
pub fn le_f64(b: &[u8], off: usize) -> f64 {
    f64::from_bits(le_i64(b, off) as u64)
}

#[doc(hidden)]
#[inline(always)]
pub fn le_bytes<const M: usize>(b: &[u8], off: usize) -> [u8; M] {
    let mut a = [0u8; M];
    a.copy_from_slice(&b[off..off + M]);
    a
}
