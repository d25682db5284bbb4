//! # ferrogram-tl-owned
//!
//! Owned structs and enums of every TL type and function, generated from the schema. `no_std`
//! with `alloc`. Use it through `ferrogram-tl-types`.
#![no_std]
#![forbid(unsafe_code)]
#![allow(missing_docs)]

extern crate alloc;

#[allow(unused_imports)]
use ferrogram_tl_core::*;

include!(concat!(env!("OUT_DIR"), "/owned.rs"));
