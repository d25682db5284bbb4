//! Generates the test/fuzz dispatch tables (compiled only with the `testing` feature).
use ferrogram_tl_codegen::{Config, Part, build};

fn main() {
    build::run(&Config::split(Part::Testing), "tl", "testing.rs");
}
