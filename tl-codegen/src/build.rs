//! The shared logic of the `ferrogram-tl-*` build scripts.

use crate::{
    Category, Config, MTPROTO_ID_EXCEPTIONS, ParseOptions, generate, parse, parse_all, subset,
};
use std::path::{Path, PathBuf};

/// Environment variables the build scripts read.
pub const ENV_API: &str = "FERROGRAM_TL_API";
/// See [`ENV_API`].
pub const ENV_MTPROTO: &str = "FERROGRAM_TL_MTPROTO";
/// See [`ENV_API`].
pub const ENV_ONLY: &str = "FERROGRAM_TL_ONLY";

/// Runs a build script: reads the schema (`schema_dir/mtproto.tl`, plus `schema_dir/api.tl`
/// when the crate's `api` feature is on, each replaceable by `FERROGRAM_TL_MTPROTO` /
/// `FERROGRAM_TL_API`; narrowed to `FERROGRAM_TL_ONLY` functions if set), generates code as
/// `config` says and writes it to `$OUT_DIR/out_file`. Exits with a clear message on any error.
pub fn run(config: &Config, schema_dir: &str, out_file: &str) {
    println!("cargo::rerun-if-changed=build.rs");
    for v in [ENV_API, ENV_MTPROTO, ENV_ONLY] {
        println!("cargo::rerun-if-env-changed={v}");
    }
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let dir = manifest.join(schema_dir);
    let api = std::env::var_os("CARGO_FEATURE_API").is_some();
    let mut config = config.clone();
    config
        .writable_files
        .push(service_file(&dir).display().to_string());
    let code = load(&dir, api).and_then(|s| generate(&s, &config).map_err(|e| e.to_string()));
    let code = code.unwrap_or_else(|e| {
        eprintln!("ferrogram-tl: {e}");
        std::process::exit(1);
    });
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join(out_file);
    if let Err(e) = std::fs::write(&out, code) {
        eprintln!("ferrogram-tl: cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}

fn service_file(dir: &Path) -> PathBuf {
    std::env::var_os(ENV_MTPROTO)
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("mtproto.tl"))
}

fn load(dir: &Path, api: bool) -> Result<crate::Schema, String> {
    let pick = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.join(default))
    };
    let mut files = vec![service_file(dir)];
    if api {
        files.push(pick(ENV_API, "api.tl"));
    }
    let mut texts = Vec::new();
    for f in &files {
        println!("cargo::rerun-if-changed={}", f.display());
        let text =
            std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        texts.push((f.display().to_string(), text));
    }
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let opts = ParseOptions {
        id_exceptions: MTPROTO_ID_EXCEPTIONS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let schema = parse_all(&refs, &opts).map_err(|e| e.to_string())?;
    let Ok(only) = std::env::var(ENV_ONLY) else {
        return Ok(schema);
    };
    let service = parse(refs[0].0, refs[0].1, &opts).map_err(|e| e.to_string())?;
    let mut roots: Vec<String> = only
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    roots.extend(
        service
            .defs
            .iter()
            .filter(|d| d.category == Category::Function)
            .map(|d| d.name.to_string()),
    );
    let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
    let mut sub = subset(&schema, &roots).map_err(|e| e.to_string())?;
    // Keep every MTProto service constructor: a session receives them unasked.
    for d in &service.defs {
        if d.category == Category::Type && !sub.defs.iter().any(|x| x.name == d.name) {
            sub.defs.push(d.clone());
        }
    }
    Ok(sub)
}
