//! Generates the test/fuzz dispatch tables (compiled only with the `testing` feature).
fn main() {
    let config = ferrogram_tl_codegen::Config {
        names: false,
        owned: false,
        views: false,
        testing: true,
        runtime: "crate".into(),
        owned_root: "crate".into(),
        view_root: "crate::view".into(),
        names_root: "crate".into(),
        ..Default::default()
    };
    ferrogram_tl_codegen::build::run(&config, "tl", "testing.rs");
}
