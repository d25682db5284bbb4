//! Borrowed building blocks of the view types: strings, lazy objects and vectors.

use crate::error::DecodeError;
use crate::traits::{TlWrite, ViewRead};
use crate::{Reader, Writer};
use core::fmt;

/// A TL `string` borrowed from the input: the raw bytes, which the server promises are UTF-8
/// but which are not checked until you ask ([`TlStr::to_str`]).
///
/// ```
/// use ferrogram_tl_core::TlStr;
/// let s = TlStr::from("héllo");
/// assert_eq!(s.to_str(), Ok("héllo"));
/// assert_eq!(TlStr::from_bytes(b"\xff").to_str().is_err(), true);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct TlStr<'a>(&'a [u8]);

impl<'a> TlStr<'a> {
    /// Wraps raw bytes.
    pub const fn from_bytes(b: &'a [u8]) -> Self {
        TlStr(b)
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The text, if it is valid UTF-8.
    pub fn to_str(&self) -> Result<&'a str, core::str::Utf8Error> {
        core::str::from_utf8(self.0)
    }

    /// Length in bytes.
    pub const fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the string is empty.
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Writes the text with invalid sequences shown as U+FFFD.
    fn write_lossy(&self, f: &mut impl fmt::Write) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_char('\u{FFFD}')?;
            }
        }
        Ok(())
    }
}

impl<'a> From<&'a str> for TlStr<'a> {
    fn from(s: &'a str) -> Self {
        TlStr(s.as_bytes())
    }
}

impl fmt::Debug for TlStr<'_> {
    /// Formats like `String`'s `Debug` of the lossily decoded text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_str() {
            Ok(s) => fmt::Debug::fmt(s, f),
            Err(_) => {
                #[cfg(feature = "alloc")]
                {
                    fmt::Debug::fmt(&alloc::string::String::from_utf8_lossy(self.0), f)
                }
                #[cfg(not(feature = "alloc"))]
                {
                    f.write_str("\"")?;
                    self.write_lossy(f)?;
                    f.write_str("\"")
                }
            }
        }
    }
}

impl fmt::Display for TlStr<'_> {
    /// The text, with invalid UTF-8 shown as U+FFFD.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_lossy(f)
    }
}

impl TlWrite for TlStr<'_> {
    fn write(&self, w: &mut Writer<'_>) {
        w.put_tl_bytes(self.0)
    }
}

impl<'a> ViewRead<'a> for TlStr<'a> {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.tl_str()
    }
    #[inline]
    fn skip(r: &mut Reader<'a>) -> Result<(), DecodeError> {
        r.skip_tl_bytes()
    }
}

/// A nested object: either still encoded (as received; decoded by [`Lazy::get`]) or a
/// reference to a value (when you build a request from borrowed data).
///
/// ```
/// use ferrogram_tl_core::{Lazy, TlWrite};
/// let encoded = [5u8, 0, 0, 0, 0, 0, 0, 0];
/// let lazy: Lazy<'_, i64> = Lazy::Encoded(&encoded);
/// assert_eq!(lazy.get(), Ok(5));
/// let value = 5i64;
/// assert_eq!(Lazy::Value(&value).serialized_len(), 8);
/// ```
pub enum Lazy<'a, T> {
    /// The serialized object (its boxed form, constructor id first).
    Encoded(&'a [u8]),
    /// A value to serialize.
    Value(&'a T),
}

impl<T> Clone for Lazy<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Lazy<'_, T> {}

impl<'a, T: ViewRead<'a>> Lazy<'a, T> {
    /// Decodes the object (one level: its own nested objects stay lazy), checking its nesting
    /// against [`Reader::DEFAULT_MAX_DEPTH`].
    pub fn get(&self) -> Result<T, DecodeError> {
        self.get_with_max_depth(Reader::DEFAULT_MAX_DEPTH)
    }

    /// [`Lazy::get`] with another nesting limit: use the limit the enclosing view was read
    /// with if you raised it with [`Reader::with_max_depth`].
    pub fn get_with_max_depth(&self, max_depth: u32) -> Result<T, DecodeError> {
        match self {
            Lazy::Encoded(b) => {
                let mut r = Reader::new(b).with_max_depth(max_depth);
                let v = T::read(&mut r)?;
                r.finish()?;
                Ok(v)
            }
            Lazy::Value(v) => Ok(**v),
        }
    }
}

impl<'a, T> Lazy<'a, T> {
    /// The serialized bytes, if the object is still encoded.
    pub fn encoded(&self) -> Option<&'a [u8]> {
        match self {
            Lazy::Encoded(b) => Some(b),
            Lazy::Value(_) => None,
        }
    }
}

impl<'a, T: ViewRead<'a>> ViewRead<'a> for Lazy<'a, T> {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let start = r.pos();
        T::skip(r)?;
        Ok(Lazy::Encoded(r.since(start)))
    }
    #[inline]
    fn skip(r: &mut Reader<'a>) -> Result<(), DecodeError> {
        T::skip(r)
    }
}

impl<T: TlWrite> TlWrite for Lazy<'_, T> {
    fn write(&self, w: &mut Writer<'_>) {
        match self {
            Lazy::Encoded(b) => w.put_raw(b),
            Lazy::Value(v) => v.write(w),
        }
    }
}

impl<'a, T: ViewRead<'a> + fmt::Debug> fmt::Debug for Lazy<'a, T> {
    /// Formats the decoded object (as its owned counterpart would be formatted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.get() {
            Ok(v) => fmt::Debug::fmt(&v, f),
            Err(e) => write!(f, "<undecodable: {e}>"),
        }
    }
}

/// A vector: either still encoded (elements decoded one by one while iterating) or a slice of
/// values. `BARE` is true for TL's bare `vector<T>` (no vector constructor id on the wire).
///
/// ```
/// use ferrogram_tl_core::{LazyVec, TlWrite, ViewRead};
/// let v: LazyVec<'_, i64> = LazyVec::Slice(&[1, 2]);
/// let mut buf = [0u8; 32];
/// let n = v.write_to(&mut buf).unwrap();
/// let back = LazyVec::<i64>::from_bytes(&buf[..n]).unwrap();
/// assert_eq!(back.len(), 2);
/// assert_eq!(back.iter().map(|x| x.unwrap()).sum::<i64>(), 3);
/// ```
pub enum LazyVec<'a, T, const BARE: bool = false> {
    /// Serialized elements (without the vector header).
    Encoded {
        /// Number of elements.
        len: u32,
        /// Their bytes.
        elems: &'a [u8],
    },
    /// Values to serialize.
    Slice(&'a [T]),
}

impl<T, const B: bool> Clone for LazyVec<'_, T, B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, const B: bool> Copy for LazyVec<'_, T, B> {}

impl<'a, T, const B: bool> LazyVec<'a, T, B> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            LazyVec::Encoded { len, .. } => *len as usize,
            LazyVec::Slice(s) => s.len(),
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a, T: ViewRead<'a>, const B: bool> LazyVec<'a, T, B> {
    /// Iterates the elements, decoding each (one level) as it goes, with the default nesting
    /// limit.
    pub fn iter(&self) -> LazyVecIter<'a, T> {
        self.iter_with_max_depth(Reader::DEFAULT_MAX_DEPTH)
    }

    /// [`LazyVec::iter`] with another nesting limit (see [`Lazy::get_with_max_depth`]).
    pub fn iter_with_max_depth(&self, max_depth: u32) -> LazyVecIter<'a, T> {
        match *self {
            LazyVec::Encoded { len, elems } => LazyVecIter {
                inner: IterInner::Encoded {
                    left: len,
                    r: Reader::new(elems).with_max_depth(max_depth),
                },
            },
            LazyVec::Slice(s) => LazyVecIter {
                inner: IterInner::Slice(s.iter()),
            },
        }
    }
}

/// Iterator over a [`LazyVec`].
pub struct LazyVecIter<'a, T> {
    inner: IterInner<'a, T>,
}

enum IterInner<'a, T> {
    Encoded { left: u32, r: Reader<'a> },
    Slice(core::slice::Iter<'a, T>),
}

impl<'a, T: ViewRead<'a>> Iterator for LazyVecIter<'a, T> {
    type Item = Result<T, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            IterInner::Encoded { left, r } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                let v = T::read(r);
                if v.is_err() {
                    *left = 0;
                }
                Some(v)
            }
            IterInner::Slice(it) => it.next().map(|v| Ok(*v)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match &self.inner {
            IterInner::Encoded { left, .. } => *left as usize,
            IterInner::Slice(it) => it.len(),
        };
        (n, Some(n))
    }
}

impl<'a, T: ViewRead<'a>, const BARE: bool> ViewRead<'a> for LazyVec<'a, T, BARE> {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let n = r.vec_len(BARE, 4)?;
        let start = r.pos();
        for _ in 0..n {
            T::skip(r)?;
        }
        r.leave();
        Ok(LazyVec::Encoded {
            len: n as u32,
            elems: r.since(start),
        })
    }
    #[inline]
    fn skip(r: &mut Reader<'a>) -> Result<(), DecodeError> {
        let n = r.vec_len(BARE, 4)?;
        for _ in 0..n {
            T::skip(r)?;
        }
        r.leave();
        Ok(())
    }
}

impl<T: TlWrite, const BARE: bool> TlWrite for LazyVec<'_, T, BARE> {
    fn write(&self, w: &mut Writer<'_>) {
        if !BARE {
            w.put_u32(0x1cb5c415);
        }
        w.put_u32(self.len() as u32);
        match self {
            LazyVec::Encoded { elems, .. } => w.put_raw(elems),
            LazyVec::Slice(s) => s.iter().for_each(|v| v.write(w)),
        }
    }
}

impl<'a, T: ViewRead<'a> + fmt::Debug, const B: bool> fmt::Debug for LazyVec<'a, T, B> {
    /// Formats the decoded elements as a list.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for v in self.iter() {
            match v {
                Ok(v) => l.entry(&v),
                Err(e) => l.entry(&format_args!("<undecodable: {e}>")),
            };
        }
        l.finish()
    }
}

/// An element of a bare-constructor vector (`vector<%T>`): read and written without ids.
#[derive(Clone, Copy, PartialEq)]
pub struct Bare<T>(pub T);

impl<'a, T: ViewRead<'a>> ViewRead<'a> for Bare<T> {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        T::read_bare(r).map(Bare)
    }
    #[inline]
    fn skip(r: &mut Reader<'a>) -> Result<(), DecodeError> {
        T::skip_bare(r)
    }
}

impl<T: TlWrite> TlWrite for Bare<T> {
    fn write(&self, w: &mut Writer<'_>) {
        self.0.write_bare(w)
    }
}

impl<T: fmt::Debug> fmt::Debug for Bare<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
