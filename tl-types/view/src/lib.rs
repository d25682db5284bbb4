//! # ferrogram-tl-view
//!
//! Borrowed, zero-copy views of every TL type and function, generated from the schema. `no_std`
//! without `alloc`. Use it through `ferrogram-tl-types` (as `ferrogram_tl_types::view`).
#![no_std]
#![forbid(unsafe_code)]
#![allow(missing_docs)]

use core::fmt;
#[allow(unused_imports)]
use ferrogram_tl_core::*;

include!(concat!(env!("OUT_DIR"), "/view.rs"));

/// A `!X` parameter (the query inside `invokeWithLayer` and friends): a serialized function
/// call, or any value to serialize.
///
#[derive(Clone, Copy)]
pub enum Query<'a> {
    /// A serialized function call (constructor id first).
    Encoded(&'a [u8]),
    /// A value to serialize.
    Value(&'a dyn DynWrite),
}

impl<'a> Query<'a> {
    /// The function's constructor id, if the query is encoded.
    pub fn function_id(&self) -> Option<u32> {
        match self {
            Query::Encoded(b) => b
                .get(..4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            Query::Value(_) => None,
        }
    }
}

impl<'a> ViewRead<'a> for Query<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let start = r.pos();
        crate::functions::skip_any(r)?;
        Ok(Query::Encoded(r.since(start)))
    }
    fn skip(r: &mut Reader<'a>) -> Result<(), DecodeError> {
        crate::functions::skip_any(r)
    }
}

impl TlWrite for Query<'_> {
    fn write(&self, w: &mut Writer<'_>) {
        match self {
            Query::Encoded(b) => w.put_raw(b),
            Query::Value(v) => v.dyn_write(w),
        }
    }
}

impl fmt::Debug for Query<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.function_id() {
            Some(id) => write!(
                f,
                "Query({})",
                ferrogram_tl_core::names::name_of(id).unwrap_or("?")
            ),
            None => f.write_str("Query(<value>)"),
        }
    }
}
