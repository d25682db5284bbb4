//! # ferrogram-tl-core
//!
//! The runtime under ferrogram's generated TL types: [`Reader`] and [`Writer`] over caller
//! buffers, the [`TlWrite`] / [`TlRead`] / [`ViewRead`] traits, the lazy building blocks of
//! zero-copy views ([`Lazy`], [`LazyVec`], [`TlStr`]), typed errors, the schema's [`LAYER`]
//! and constructor names. `no_std`, no `alloc` unless the `alloc` feature is on, no
//! dependencies. Use it through `ferrogram-tl-types`, which re-exports all of it.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

#[cfg(feature = "alloc")]
mod alloc_impls;
mod error;
mod lazy;
mod reader;
mod traits;
mod writer;

#[cfg(feature = "alloc")]
pub use alloc_impls::{read_vec, read_vec_bare_elems, write_vec, write_vec_bare_elems};
pub use error::{DecodeError, DecodeErrorKind, EncodeError};
pub use lazy::{Bare, Lazy, LazyVec, LazyVecIter, TlStr};
pub use reader::Reader;
#[doc(hidden)]
pub use reader::{le_bytes, le_f64, le_i32, le_i64, le_u32};
pub use traits::{DynWrite, RemoteCall, TlRead, TlWrite, ViewRead};
pub use writer::Writer;

include!(concat!(env!("OUT_DIR"), "/names.rs"));
