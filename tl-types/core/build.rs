//! Generates `LAYER` and the constructor-name table from the TL schema.
fn main() {
    let config = ferrogram_tl_codegen::Config {
        names: true,
        owned: false,
        views: false,
        testing: false,
        ..Default::default()
    };
    ferrogram_tl_codegen::build::run(&config, "../tl", "names.rs");
}
