//! Generates the types from the TL schema at build time.
//!
//! Environment variables (all optional):
//! - `FERROGRAM_TL_API`: path of an API schema to use instead of `tl/api.tl` (e.g. a local
//!   test server's older layer).
//! - `FERROGRAM_TL_MTPROTO`: path of an MTProto service schema instead of `tl/mtproto.tl`.
//! - `FERROGRAM_TL_ONLY`: comma-separated function names; only they and the types they reach
//!   are generated (MTProto service functions are always kept).

use ferrogram_tl_codegen::{generate, parse_all, subset, Category, Config, ParseOptions, MTPROTO_ID_EXCEPTIONS};
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for v in ["FERROGRAM_TL_API", "FERROGRAM_TL_MTPROTO", "FERROGRAM_TL_ONLY"] {
        println!("cargo::rerun-if-env-changed={v}");
    }
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let pick = |var: &str, default: &str| -> PathBuf {
        std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| dir.join(default))
    };
    let mtproto = pick("FERROGRAM_TL_MTPROTO", "tl/mtproto.tl");
    let api = pick("FERROGRAM_TL_API", "tl/api.tl");
    let mut files = vec![mtproto];
    if std::env::var_os("CARGO_FEATURE_API").is_some() {
        files.push(api);
    }
    let mut texts = Vec::new();
    for f in &files {
        println!("cargo::rerun-if-changed={}", f.display());
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", f.display())));
        texts.push((f.display().to_string(), text));
    }
    let refs: Vec<(&str, &str)> = texts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let opts = ParseOptions { id_exceptions: MTPROTO_ID_EXCEPTIONS.iter().map(|s| s.to_string()).collect() };
    let mut schema = parse_all(&refs, &opts).unwrap_or_else(|e| fail(&e.to_string()));
    if let Ok(only) = std::env::var("FERROGRAM_TL_ONLY") {
        let mtproto_schema = ferrogram_tl_codegen::parse(&refs[0].0, refs[0].1, &opts).unwrap_or_else(|e| fail(&e.to_string()));
        let mut roots: Vec<String> = only.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        roots.extend(mtproto_schema.defs.iter().filter(|d| d.category == Category::Function).map(|d| d.name.to_string()));
        let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
        let mut sub = subset(&schema, &roots).unwrap_or_else(|e| fail(&e.to_string()));
        // Keep every MTProto service constructor: a session receives them unasked.
        for d in &mtproto_schema.defs {
            if d.category == Category::Type && !sub.defs.iter().any(|x| x.name == d.name) {
                sub.defs.push(d.clone());
            }
        }
        schema = sub;
    }
    let code = generate(&schema, &Config::default()).unwrap_or_else(|e| fail(&e.to_string()));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("generated.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out.display())));
}

fn fail(msg: &str) -> ! {
    eprintln!("ferrogram-tl-types: {msg}");
    std::process::exit(1);
}
