//! `ferrogram-tl-codegen`: parse TL schema files and print the generated Rust.

use ferrogram_tl_codegen::{
    Config, MTPROTO_ID_EXCEPTIONS, ParseOptions, generate, parse_all, subset,
};
use std::process::ExitCode;

const USAGE: &str = "usage: ferrogram-tl-codegen [--only fn1,fn2,...] [--check] [--allow-id-mismatch name,...] [-o OUT.rs] SCHEMA.tl [MORE.tl ...]

Parses Telegram TL schema files (checking every explicit #id against its CRC32) and writes the
Rust code that ferrogram-tl-types includes.

  --only LIST               keep only these functions and the types they reach
  --check                   parse and verify only; print a summary instead of code
  --allow-id-mismatch LIST  accept these combinators' ids even if they differ from their CRC32
                            (the two tdesktop mtproto.tl exceptions are always accepted)
  -o FILE                   write the code to FILE instead of standard output";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut only: Option<Vec<String>> = None;
    let mut check = false;
    let mut out: Option<String> = None;
    let mut files = Vec::new();
    let mut opts = ParseOptions {
        id_exceptions: MTPROTO_ID_EXCEPTIONS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            "--only" => {
                only = Some(
                    args.next()
                        .ok_or(USAGE)?
                        .split(',')
                        .map(str::to_string)
                        .collect(),
                )
            }
            "--allow-id-mismatch" => opts
                .id_exceptions
                .extend(args.next().ok_or(USAGE)?.split(',').map(str::to_string)),
            "--check" => check = true,
            "-o" => out = Some(args.next().ok_or(USAGE)?),
            f if f.starts_with('-') => return Err(format!("unknown option {f}\n{USAGE}")),
            f => files.push(f.to_string()),
        }
    }
    if files.is_empty() {
        return Err(USAGE.into());
    }
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            std::fs::read_to_string(f)
                .map(|t| (f.clone(), t))
                .map_err(|e| format!("{f}: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let mut schema = parse_all(&refs, &opts).map_err(|e| e.to_string())?;
    if let Some(only) = &only {
        let roots: Vec<&str> = only.iter().map(String::as_str).collect();
        schema = subset(&schema, &roots).map_err(|e| e.to_string())?;
    }
    if check {
        let fns = schema
            .defs
            .iter()
            .filter(|d| d.category == ferrogram_tl_codegen::Category::Function)
            .count();
        println!(
            "ok: layer {}, {} constructors, {} functions",
            schema.layer.map_or("unknown".into(), |l| l.to_string()),
            schema.defs.len() - fns,
            fns
        );
        return Ok(());
    }
    let code = generate(&schema, &Config::default()).map_err(|e| e.to_string())?;
    match out {
        Some(path) => std::fs::write(&path, code).map_err(|e| format!("{path}: {e}")),
        None => {
            print!("{code}");
            Ok(())
        }
    }
}
