//! `alloc` support: `String`, `Vec`, vectors of any element, and helpers the generated code
//! calls.

use crate::error::DecodeError;
use crate::traits::{TlRead, TlWrite};
use crate::{Reader, Writer};
use alloc::string::String;
use alloc::vec::Vec;

impl TlWrite for String {
    /// TL `string`.
    fn write(&self, w: &mut Writer<'_>) {
        w.put_tl_bytes(self.as_bytes())
    }
}

impl TlRead for String {
    /// TL `string`; invalid UTF-8 becomes U+FFFD.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.string()
    }
}

impl TlWrite for Vec<u8> {
    /// TL `bytes`.
    fn write(&self, w: &mut Writer<'_>) {
        w.put_tl_bytes(self)
    }
}

impl TlRead for Vec<u8> {
    /// TL `bytes`.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.bytes_vec()
    }
}

impl<T: TlWrite> TlWrite for Vec<T> {
    /// TL `Vector<T>`.
    fn write(&self, w: &mut Writer<'_>) {
        write_vec(w, self, false)
    }
}

impl<T: TlRead> TlRead for Vec<T> {
    /// TL `Vector<T>`.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        read_vec(r, false)
    }
}

/// Writes a vector (`bare`: without the vector id), elements in their boxed form.
#[inline]
pub fn write_vec<T: TlWrite>(w: &mut Writer<'_>, v: &[T], bare: bool) {
    write_elems(w, v, bare, T::write)
}

/// Writes a vector of bare constructors (`vector<%T>`).
#[inline]
pub fn write_vec_bare_elems<T: TlWrite>(w: &mut Writer<'_>, v: &[T], bare: bool) {
    write_elems(w, v, bare, T::write_bare)
}

#[inline]
fn write_elems<T>(w: &mut Writer<'_>, v: &[T], bare: bool, write: fn(&T, &mut Writer<'_>)) {
    if !bare {
        w.put_u32(0x1cb5c415);
    }
    w.put_u32(v.len() as u32);
    for e in v {
        write(e, w);
    }
}

/// Reads a vector. Memory reserved up front is bounded by the remaining input (each element
/// takes at least 4 bytes), so a hostile count cannot make it allocate more.
#[inline]
pub fn read_vec<T: TlRead>(r: &mut Reader<'_>, bare: bool) -> Result<Vec<T>, DecodeError> {
    read_elems(r, bare, T::read)
}

/// Reads a vector of bare constructors.
#[inline]
pub fn read_vec_bare_elems<T: TlRead>(
    r: &mut Reader<'_>,
    bare: bool,
) -> Result<Vec<T>, DecodeError> {
    read_elems(r, bare, T::read_bare)
}

#[inline]
fn read_elems<T>(
    r: &mut Reader<'_>,
    bare: bool,
    read: fn(&mut Reader<'_>) -> Result<T, DecodeError>,
) -> Result<Vec<T>, DecodeError> {
    let n = r.vec_len(bare, 4)?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(read(r)?);
    }
    r.leave();
    Ok(v)
}
