//! Generates the owned types from the TL schema (see ferrogram-tl-types' docs for the knobs).
fn main() {
    let config = ferrogram_tl_codegen::Config {
        names: false,
        owned: true,
        views: false,
        testing: false,
        runtime: "crate".into(),
        owned_root: "crate".into(),
        view_root: "crate".into(),
        names_root: "::ferrogram_tl_core".into(),
        ..Default::default()
    };
    ferrogram_tl_codegen::build::run(&config, "../tl", "owned.rs");
}
