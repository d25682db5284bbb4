//! Parses arbitrary text as a TL schema and, when it parses, generates Rust for it. Neither
//! may panic: malformed schemas are `ParseError`s.
#![no_main]

use ferrogram_tl_codegen::{Config, ParseOptions, generate, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(schema) = parse("fuzz.tl", &text, &ParseOptions::default()) {
        let _ = generate(&schema, &Config::default());
    }
});
