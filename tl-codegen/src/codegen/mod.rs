//! Rust code generation from a parsed schema.
//!
//! The generated code expects the runtime of the `ferrogram-tl-types` crate at `crate::`
//! (readers, writers, `TlWrite`, `TlRead`, `ViewRead`, `Lazy`, `LazyVec`, `TlStr`, …): it is
//! meant to be `include!`d into that crate, as its `build.rs` does.

mod emit;
mod model;
pub(crate) mod names;
mod subset;

pub use subset::{SubsetError, subset};

use crate::ast::Schema;
use crate::parse::ParseError;

/// What to generate, and where the generated code finds the rest.
///
/// The default emits everything into one crate: the runtime at `crate::`, owned types at
/// `crate::{types,enums,functions}`, views at `crate::view::{types,enums,functions}`.
/// `ferrogram-tl-types` instead builds the runtime, the views and the owned types as three
/// crates that compile in parallel, and sets the roots accordingly.
#[derive(Clone, Debug)]
pub struct Config {
    /// Emit `LAYER` and `names::name_of`.
    pub names: bool,
    /// Emit the owned types (`types`, `enums`, `functions`; they need `alloc`).
    pub owned: bool,
    /// Emit the borrowed types (`types`, `enums`, `functions` under [`Config::view_root`]).
    pub views: bool,
    /// Emit `testing_dispatch`: round-trip and decode entry points by constructor id, for
    /// tests and fuzzing (gated on `feature = "testing"`).
    pub testing: bool,
    /// Path of the runtime (`Reader`, `Writer`, traits, `Lazy`, …).
    pub runtime: String,
    /// Path under which `types`, `enums`, `functions` (owned) live.
    pub owned_root: String,
    /// Path under which the view `types`, `enums`, `functions` live. If it ends in `::view`,
    /// the views are wrapped in a `pub mod view`.
    pub view_root: String,
    /// Path under which `names` lives.
    pub names_root: String,
    /// View types are writable (`TlWrite`) when they can appear in a function's parameters;
    /// types defined in these files (as named to the parser) are writable regardless — the
    /// MTProto service schema, whose objects a no-heap client and server build themselves.
    pub writable_files: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            names: true,
            owned: true,
            views: true,
            testing: true,
            runtime: "crate".into(),
            owned_root: "crate".into(),
            view_root: "crate::view".into(),
            names_root: "crate".into(),
            writable_files: Vec::new(),
        }
    }
}

/// Which of `ferrogram-tl-types`' crates a build script generates (see [`Config::split`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// `ferrogram-tl-core`: `LAYER` and `names`.
    Names,
    /// `ferrogram-tl-view`: the views at the crate root.
    Views,
    /// `ferrogram-tl-owned`: the owned types at the crate root.
    Owned,
    /// `ferrogram-tl-types`: the test and fuzz dispatch, over the re-exported crates.
    Testing,
}

impl Config {
    /// The configuration for one part of `ferrogram-tl-types`, which is split into crates
    /// that compile in parallel; each generated crate imports the runtime at its root.
    pub fn split(part: Part) -> Config {
        let (view_root, names_root) = match part {
            Part::Testing => ("crate::view", "crate"),
            _ => ("crate", "::ferrogram_tl_core"),
        };
        Config {
            names: part == Part::Names,
            owned: part == Part::Owned,
            views: part == Part::Views,
            testing: part == Part::Testing,
            runtime: "crate".into(),
            owned_root: "crate".into(),
            view_root: view_root.into(),
            names_root: if part == Part::Names {
                "crate".into()
            } else {
                names_root.into()
            },
            writable_files: Vec::new(),
        }
    }
}

/// Generates Rust source for `schema`.
///
/// ```
/// use ferrogram_tl_codegen::{generate, parse, Config, ParseOptions};
/// let schema = parse("x.tl", "inputPeerEmpty#7f3b18ea = InputPeer;", &ParseOptions::default()).unwrap();
/// let code = generate(&schema, &Config::default()).unwrap();
/// assert!(code.contains("pub struct InputPeerEmpty"));
/// ```
pub fn generate(schema: &Schema, config: &Config) -> Result<String, ParseError> {
    let mut model = model::Model::build(schema)?;
    model.mark_writable_files(&config.writable_files);
    Ok(emit::emit(&model, config))
}
