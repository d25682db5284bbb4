//! Generates `LAYER` and the constructor-name table from the TL schema.
use ferrogram_tl_codegen::{Config, Part, build};

fn main() {
    build::run(&Config::split(Part::Names), "../tl", "names.rs");
}
