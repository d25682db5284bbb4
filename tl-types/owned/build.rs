//! Generates the owned types from the TL schema (see ferrogram-tl-types' docs for the knobs).
use ferrogram_tl_codegen::{Config, Part, build};

fn main() {
    build::run(&Config::split(Part::Owned), "../tl", "owned.rs");
}
