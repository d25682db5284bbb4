//! Rust code generation from a parsed schema.
//!
//! The generated code expects the runtime of the `ferrogram-tl-types` crate at `crate::`
//! (readers, writers, `TlWrite`, `TlRead`, `ViewRead`, `Lazy`, `LazyVec`, `TlStr`, …): it is
//! meant to be `include!`d into that crate, as its `build.rs` does.

mod emit;
mod model;
pub(crate) mod names;
mod subset;

pub use subset::{subset, SubsetError};

use crate::ast::Schema;
use crate::parse::ParseError;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Config {
    /// Emit the owned types (`types`, `enums`, `functions`, gated on `feature = "alloc"`).
    pub owned: bool,
    /// Emit the borrowed types (`view::types`, `view::enums`, `view::functions`).
    pub views: bool,
    /// Emit `testing_dispatch` (gated on `feature = "testing"`): round-trip and decode entry
    /// points by constructor id, for tests and fuzzing.
    pub testing: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config { owned: true, views: true, testing: true }
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
    let model = model::Model::build(schema)?;
    Ok(emit::emit(&model, config))
}
