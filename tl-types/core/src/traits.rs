//! The serialization traits every generated type implements.

use crate::error::{DecodeError, EncodeError};
use crate::{Reader, Writer};

/// Serializes into a [`Writer`]. Implemented by owned and view types alike, so a function
/// call can be built from borrowed data and written into a caller's buffer with no heap.
///
/// On a struct, [`TlWrite::write`] writes the boxed form (constructor id first);
/// [`TlWrite::write_bare`] leaves the id out.
///
/// Implement [`TlWrite::write`], or [`TlWrite::write_bare`] together with
/// [`TlWrite::BOXED_ID`] (what every generated struct does: one body instead of two); each
/// default calls the other, so implementing neither would recurse forever.
pub trait TlWrite {
    /// The constructor id that [`TlWrite::write`] puts before the bare form: `Some` for a
    /// type with exactly one constructor (a generated struct), `None` for enums (which write
    /// each variant's id themselves), scalars, strings and vectors.
    const BOXED_ID: Option<u32> = None;

    /// Writes the value (boxed form).
    #[inline]
    fn write(&self, w: &mut Writer<'_>) {
        if let Some(id) = Self::BOXED_ID {
            w.put_u32(id);
        }
        self.write_bare(w)
    }

    /// Writes the bare form (no constructor id). Same as `write` for types without one.
    #[inline]
    fn write_bare(&self, w: &mut Writer<'_>) {
        self.write(w)
    }

    /// Serializes into `buf`, returning the bytes written.
    ///
    /// ```
    /// use ferrogram_tl_core::TlWrite;
    /// let mut buf = [0u8; 8];
    /// assert_eq!(7i64.write_to(&mut buf), Ok(8));
    /// assert_eq!(buf, [7, 0, 0, 0, 0, 0, 0, 0]);
    /// assert!(7i64.write_to(&mut buf[..4]).is_err());
    /// ```
    fn write_to(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        let mut w = Writer::new(buf);
        self.write(&mut w);
        w.finish()
    }

    /// The number of bytes [`TlWrite::write`] produces.
    fn serialized_len(&self) -> usize {
        let mut w = Writer::new(&mut []);
        self.write(&mut w);
        w.position()
    }

    /// Serializes into a new vector.
    #[cfg(feature = "alloc")]
    fn to_bytes(&self) -> Result<alloc::vec::Vec<u8>, EncodeError> {
        let mut v = alloc::vec![0u8; self.serialized_len()];
        let n = self.write_to(&mut v)?;
        v.truncate(n);
        Ok(v)
    }
}

/// Decodes an owned value.
///
/// Implement [`TlRead::read`], or [`TlRead::read_bare`] together with [`TlRead::BOXED_ID`]
/// (as generated structs do); each default calls the other.
pub trait TlRead: Sized {
    /// The constructor id (and its TL name, for the error) that [`TlRead::read`] expects
    /// before the bare form: `Some` for a generated struct, `None` otherwise.
    const BOXED_ID: Option<(u32, &'static str)> = None;

    /// Reads the value (boxed form for structs).
    #[inline]
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        if let Some((id, name)) = Self::BOXED_ID {
            r.expect_id(id, name)?;
        }
        Self::read_bare(r)
    }

    /// Reads the bare form (no constructor id). Same as `read` for types without one.
    #[inline]
    fn read_bare(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::read(r)
    }

    /// Decodes a value that spans all of `bytes`.
    fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::read(&mut r)?;
        r.finish()?;
        Ok(v)
    }
}

/// Decodes a borrowed view of a value in place.
///
/// Reading a view checks the whole value once — bounds, constructor ids, lengths, nesting —
/// and stores nested objects as [`crate::Lazy`] / [`crate::LazyVec`] slices that decode on
/// access. Because the check already passed, decoding those later cannot fail on data that
/// came through `read` with the default nesting limit (the `Result` is kept so a hand-made
/// `Lazy::Encoded` is still safe). If you read with a raised limit
/// ([`Reader::with_max_depth`]), decode nested parts with the same limit
/// ([`crate::Lazy::get_with_max_depth`], [`crate::LazyVec::iter_with_max_depth`]).
///
/// Implement [`ViewRead::read`], or [`ViewRead::read_bare`] (and usually
/// [`ViewRead::skip_bare`]) together with [`ViewRead::BOXED_ID`], as generated structs do;
/// `read` and `read_bare` default to each other.
pub trait ViewRead<'a>: Sized + Copy {
    /// The constructor id (and TL name) expected before the bare form: `Some` for a
    /// generated struct, `None` otherwise.
    const BOXED_ID: Option<(u32, &'static str)> = None;

    /// Reads the value (boxed form for structs).
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        if let Some((id, name)) = Self::BOXED_ID {
            r.expect_id(id, name)?;
        }
        Self::read_bare(r)
    }

    /// Checks and skips the value.
    #[inline]
    fn skip(r: &mut Reader<'a>) -> Result<(), DecodeError> {
        match Self::BOXED_ID {
            Some((id, name)) => {
                r.expect_id(id, name)?;
                Self::skip_bare(r)
            }
            None => Self::read(r).map(|_| ()),
        }
    }

    /// Reads the bare form.
    fn read_bare(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Self::read(r)
    }

    /// Skips the bare form.
    #[inline]
    fn skip_bare(r: &mut Reader<'a>) -> Result<(), DecodeError> {
        Self::read_bare(r).map(|_| ())
    }

    /// Decodes a view of a value that spans all of `bytes`.
    fn from_bytes(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::read(&mut r)?;
        r.finish()?;
        Ok(v)
    }
}

/// [`TlWrite`] in a form that can be used as `dyn DynWrite` (TlWrite itself has an
/// associated constant). Implemented for every `TlWrite` type.
pub trait DynWrite {
    /// [`TlWrite::write`].
    fn dyn_write(&self, w: &mut Writer<'_>);
}

impl<T: TlWrite + ?Sized> DynWrite for T {
    #[inline]
    fn dyn_write(&self, w: &mut Writer<'_>) {
        self.write(w)
    }
}

/// A function (RPC method): what it returns.
pub trait RemoteCall: TlWrite {
    /// The decoded result type.
    type Return: TlRead;
}

macro_rules! scalar {
    ($t:ty, $get:ident, $put:ident, $skip:expr) => {
        impl TlWrite for $t {
            #[inline]
            fn write(&self, w: &mut Writer<'_>) {
                w.$put(*self)
            }
        }
        impl TlRead for $t {
            #[inline]
            fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                r.$get()
            }
        }
        impl<'a> ViewRead<'a> for $t {
            #[inline]
            fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
                r.$get()
            }
            #[inline]
            fn skip(r: &mut Reader<'a>) -> Result<(), DecodeError> {
                $skip(r)
            }
        }
    };
}

scalar!(i32, i32, put_i32, |r: &mut Reader<'a>| r.skip(4));
scalar!(i64, i64, put_i64, |r: &mut Reader<'a>| r.skip(8));
scalar!(f64, f64, put_f64, |r: &mut Reader<'a>| r.skip(8));
scalar!(bool, bool, put_bool, |r: &mut Reader<'a>| r
    .bool()
    .map(|_| ()));

macro_rules! int_n {
    ($n:literal, $get:ident) => {
        impl TlWrite for [u8; $n] {
            #[inline]
            fn write(&self, w: &mut Writer<'_>) {
                w.put_raw(self)
            }
        }
        impl TlRead for [u8; $n] {
            #[inline]
            fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                r.$get()
            }
        }
        impl<'a> ViewRead<'a> for [u8; $n] {
            #[inline]
            fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
                r.$get()
            }
            #[inline]
            fn skip(r: &mut Reader<'a>) -> Result<(), DecodeError> {
                r.skip($n)
            }
        }
    };
}

int_n!(16, int128);
int_n!(32, int256);

impl TlWrite for [u8] {
    /// TL `bytes`.
    fn write(&self, w: &mut Writer<'_>) {
        w.put_tl_bytes(self)
    }
}

impl<'a> ViewRead<'a> for &'a [u8] {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.tl_bytes()
    }
    #[inline]
    fn skip(r: &mut Reader<'a>) -> Result<(), DecodeError> {
        r.skip_tl_bytes()
    }
}

impl TlWrite for str {
    /// TL `string`.
    fn write(&self, w: &mut Writer<'_>) {
        w.put_tl_bytes(self.as_bytes())
    }
}

impl<T: TlWrite + ?Sized> TlWrite for &T {
    fn write(&self, w: &mut Writer<'_>) {
        (**self).write(w)
    }
    fn write_bare(&self, w: &mut Writer<'_>) {
        (**self).write_bare(w)
    }
}
