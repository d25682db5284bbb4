//! # ferrogram-tl-codegen
//!
//! Reads Telegram's TL schema and generates Rust for it.
//!
//! - [`parse`] accepts Telegram's TL dialect (see [`parse`'s module](crate::parse) for the
//!   exact grammar), checks every explicit `#id` against the CRC32 of the combinator's
//!   normalized text, and reports malformed input as a [`ParseError`] with line and column —
//!   never a panic.
//! - [`subset`] keeps only what a list of functions reaches, so a small target compiles only
//!   what it uses.
//! - [`generate`] writes the Rust source that the `ferrogram-tl-types` crate includes: owned
//!   types (with `alloc`) and borrowed zero-copy views (without).
//! - [`sample`] produces random, valid serialized values for any constructor or function,
//!   straight from the schema — an encoder independent of the generated code, used to test it.
//!
//! The crate has no dependencies. The `ferrogram-tl-codegen` binary wraps these:
//!
//! ```text
//! ferrogram-tl-codegen [--only fn1,fn2] [--check] [-o out.rs] schema.tl [more.tl …]
//! ```
//!
//! ```
//! use ferrogram_tl_codegen::{generate, parse, Config, ParseOptions};
//! let schema = parse("api.tl", "// LAYER 1\n\
//!     inputPeerEmpty#7f3b18ea = InputPeer;\n\
//!     ---functions---\n\
//!     help.getNearestDc#1fb33026 = NearestDc;\n\
//!     ---types---\n\
//!     nearestDc#8e1a1775 country:string this_dc:int nearest_dc:int = NearestDc;",
//!     &ParseOptions::default()).unwrap();
//! let code = generate(&schema, &Config::default()).unwrap();
//! assert!(code.contains("pub struct GetNearestDc"));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ast;
pub mod build;
mod codegen;
mod crc;
pub mod parse;
pub mod sample;

pub use ast::{Category, Def, Name, Param, ParamKind, Schema, Ty};
pub use codegen::{Config, Part, SubsetError, generate, subset};
pub use crc::crc32;
pub use parse::{ParseError, ParseErrorKind, ParseOptions, parse};

/// The two combinators of tdesktop's `mtproto.tl` whose ids are not the CRC32 of their text
/// under either spelling of `bytes` (the DNS "simple config" objects, whose ids come from an
/// unpublished declaration). Pass them in [`ParseOptions::id_exceptions`] when parsing that file.
pub const MTPROTO_ID_EXCEPTIONS: &[&str] = &["accessPointRule", "help.configSimple"];

/// Parses several schema files as one (definitions in order, duplicates with equal ids merged).
/// The layer is the first one any file names.
pub fn parse_all(files: &[(&str, &str)], opts: &ParseOptions) -> Result<Schema, ParseError> {
    let mut all = Schema::default();
    for (name, text) in files {
        let s = parse(name, text, opts)?;
        if all.layer.is_none() {
            all.layer = s.layer;
        }
        for d in s.defs {
            if let Some(prev) = all
                .defs
                .iter()
                .find(|p| p.name == d.name && p.category == d.category)
            {
                if prev.id != d.id {
                    return Err(ParseError {
                        file: name.to_string(),
                        line: d.line,
                        col: 1,
                        kind: ParseErrorKind::Duplicate(d.name.to_string()),
                    });
                }
                continue;
            }
            all.defs.push(d);
        }
    }
    Ok(all)
}
