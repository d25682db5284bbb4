//! Writing TL into a caller's buffer.

use crate::error::EncodeError;

/// Writes TL into a caller's byte slice.
///
/// Writes never fail one by one: when the buffer is full the writer keeps counting the bytes
/// the value needs, and [`Writer::finish`] reports [`EncodeError::BufferFull`] with that
/// number. So a value is serialized with no error handling in the hot path, and a writer
/// over an empty slice measures a value's size.
///
/// ```
/// use ferrogram_tl_core::Writer;
/// let mut buf = [0u8; 8];
/// let mut w = Writer::new(&mut buf);
/// w.put_i32(1);
/// w.put_tl_bytes(b"abc");
/// assert_eq!(w.finish(), Ok(8));
/// assert_eq!(buf, [1, 0, 0, 0, 3, b'a', b'b', b'c']);
/// ```
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
    error: Option<EncodeError>,
}

impl<'b> Writer<'b> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Writer {
            buf,
            pos: 0,
            error: None,
        }
    }

    /// Bytes the value needs so far (may exceed the buffer).
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes written and valid, or why the value could not be written.
    pub fn finish(self) -> Result<usize, EncodeError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.pos > self.buf.len() {
            return Err(EncodeError::BufferFull {
                needed: self.pos,
                capacity: self.buf.len(),
            });
        }
        Ok(self.pos)
    }

    /// Appends raw bytes.
    #[inline]
    pub fn put_raw(&mut self, b: &[u8]) {
        let end = self.pos + b.len();
        if let Some(dst) = self.buf.get_mut(self.pos..end) {
            dst.copy_from_slice(b);
        }
        self.pos = end;
    }

    /// Leaves room for a `u32` filled in later with [`Writer::patch_u32`] (a flags word is
    /// known only once its fields are written). Returns its position.
    #[inline]
    pub fn reserve_u32(&mut self) -> usize {
        let at = self.pos;
        self.pos += 4;
        at
    }

    /// Fills in a `u32` reserved with [`Writer::reserve_u32`].
    #[inline]
    pub fn patch_u32(&mut self, at: usize, v: u32) {
        if let Some(dst) = self.buf.get_mut(at..at.wrapping_add(4)) {
            dst.copy_from_slice(&v.to_le_bytes());
        }
    }

    /// A little-endian `u32`.
    #[inline]
    pub fn put_u32(&mut self, v: u32) {
        self.put_raw(&v.to_le_bytes());
    }

    /// TL `int`.
    #[inline]
    pub fn put_i32(&mut self, v: i32) {
        self.put_raw(&v.to_le_bytes());
    }

    /// TL `long`.
    #[inline]
    pub fn put_i64(&mut self, v: i64) {
        self.put_raw(&v.to_le_bytes());
    }

    /// TL `double`.
    #[inline]
    pub fn put_f64(&mut self, v: f64) {
        self.put_raw(&v.to_le_bytes());
    }

    /// TL `Bool`.
    #[inline]
    pub fn put_bool(&mut self, v: bool) {
        self.put_u32(if v { 0x997275b5 } else { 0xbc799737 });
    }

    /// TL `bytes` / `string`: length prefix, data, zero padding to a multiple of 4.
    ///
    /// TL lengths are at most 2²⁴ − 1 bytes; a longer slice cannot be encoded and makes
    /// [`Writer::finish`] fail with [`EncodeError::TooLong`].
    #[inline]
    pub fn put_tl_bytes(&mut self, b: &[u8]) {
        let len = b.len();
        let header = if len < 254 { 1 } else { 4 };
        let total = (header + len + 3) & !3;
        if len >= 1 << 24 {
            if self.error.is_none() {
                self.error = Some(EncodeError::TooLong { len });
            }
            return;
        }
        let start = self.pos;
        let end = start + total;
        if let Some(dst) = self.buf.get_mut(start..end) {
            if header == 1 {
                dst[0] = len as u8;
            } else {
                dst[..4].copy_from_slice(&((len as u32) << 8 | 254).to_le_bytes());
            }
            dst[header..header + len].copy_from_slice(b);
            dst[header + len..].fill(0);
        }
        self.pos = end;
    }

    /// Marks the value unencodable: optional fields sharing a flag bit disagree.
    #[cold]
    pub fn fail_flag_group(&mut self, constructor: u32, word: &'static str, bit: u32) {
        if self.error.is_none() {
            self.error = Some(EncodeError::FlagGroupMismatch {
                constructor,
                word,
                bit,
            });
        }
    }
}
