//! Every constructor and function of both schemas round-trips through the generated code,
//! owned and zero-copy.
//!
//! The input bytes come from `ferrogram_tl_codegen::sample`, an encoder that walks the parsed
//! schema and knows nothing of the generated Rust, so this checks the generated code against
//! an independent reading of the schema. For each combinator and each flag mode (all optional
//! fields present, none, random) and several seeds, `testing_dispatch::roundtrip` decodes the
//! bytes as owned and as view, re-encodes both and compares with the input byte for byte,
//! compares the view's `Debug` with the owned value's (which forces every lazy field of the
//! view to decode), and checks that skipping consumes exactly the input.

use ferrogram_tl_codegen::sample::{FlagMode, Sampler};
use ferrogram_tl_codegen::{Category, MTPROTO_ID_EXCEPTIONS, ParseOptions, Schema, parse_all};
use ferrogram_tl_types::testing_dispatch::roundtrip;

fn schema() -> Schema {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tl/");
    let mtproto = std::fs::read_to_string(format!("{dir}mtproto.tl")).unwrap();
    let api = std::fs::read_to_string(format!("{dir}api.tl")).unwrap();
    let opts = ParseOptions {
        id_exceptions: MTPROTO_ID_EXCEPTIONS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    parse_all(&[("mtproto.tl", &mtproto), ("api.tl", &api)], &opts).unwrap()
}

#[test]
fn every_combinator_round_trips() {
    let schema = schema();
    let mut checked = 0usize;
    let mut failures = Vec::new();
    for (seed, mode) in [
        (1u64, FlagMode::AllSet),
        (2, FlagMode::NoneSet),
        (3, FlagMode::Random),
        (4, FlagMode::Random),
        (5, FlagMode::AllSet),
    ] {
        let mut sampler = Sampler::new(&schema, seed);
        for def in &schema.defs {
            let bytes = match def.category {
                Category::Type => sampler.constructor(def, mode),
                Category::Function => sampler.function(def, mode),
            };
            match roundtrip(&bytes, true) {
                Ok(true) => checked += 1,
                Ok(false) => {
                    failures.push(format!("{} (seed {seed}): sample did not decode", def.name))
                }
                Err(e) => failures.push(format!("{} (seed {seed}): {e}", def.name)),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    let defs = schema.defs.len();
    assert_eq!(checked, 5 * defs);
    assert!(defs > 2500, "only {defs} combinators generated");
    println!("{checked} round trips over {defs} combinators");
}

/// Damaged input (cut short, or one byte changed) must be rejected by the owned decoder, the
/// view and the view's `skip` alike, with the same error at the same offset (the view's
/// `skip` is separate generated code, and plain fields are read with sticky errors).
#[test]
fn damaged_input_gives_the_same_error_everywhere() {
    let schema = schema();
    let mut sampler = Sampler::new(&schema, 11);
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut rejected, mut failures) = (0usize, Vec::new());
    for def in &schema.defs {
        let bytes = match def.category {
            Category::Type => sampler.constructor(def, FlagMode::AllSet),
            Category::Function => sampler.function(def, FlagMode::AllSet),
        };
        let cut = &bytes[..(next() as usize) % bytes.len()];
        let mut flipped = bytes.clone();
        let at = (next() as usize) % flipped.len();
        flipped[at] ^= 1 << (next() % 8);
        for damaged in [cut, &flipped[..]] {
            match roundtrip(damaged, false) {
                Ok(false) => rejected += 1,
                Ok(true) => {}
                Err(e) => failures.push(format!("{}: {e}", def.name)),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    // Every cut is invalid; most flips are too.
    assert!(
        rejected > schema.defs.len(),
        "only {rejected} damaged inputs rejected"
    );
    println!("{rejected} damaged inputs rejected identically");
}

#[test]
fn layer_is_230_or_newer() {
    const {
        assert!(
            ferrogram_tl_types::LAYER >= 230,
            "the layer is older than 230"
        )
    };
    assert_eq!(schema().layer, Some(ferrogram_tl_types::LAYER));
}

#[test]
fn every_explicit_id_matches_its_crc32() {
    // Parsing with no exceptions fails exactly on the three known tdesktop mtproto.tl ids.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tl/");
    let api = std::fs::read_to_string(format!("{dir}api.tl")).unwrap();
    let s = ferrogram_tl_codegen::parse("api.tl", &api, &ParseOptions::default())
        .expect("every api.tl id matches its CRC32");
    assert!(s.defs.iter().filter(|d| d.explicit_id).count() > 2400);
    let mtproto = std::fs::read_to_string(format!("{dir}mtproto.tl")).unwrap();
    let mut exceptions: Vec<String> = Vec::new();
    loop {
        let opts = ParseOptions {
            id_exceptions: exceptions.clone(),
        };
        match ferrogram_tl_codegen::parse("mtproto.tl", &mtproto, &opts) {
            Ok(_) => break,
            Err(e) => match e.kind {
                ferrogram_tl_codegen::ParseErrorKind::IdMismatch { name, .. } => {
                    exceptions.push(name)
                }
                other => panic!("{other:?}"),
            },
        }
    }
    exceptions.sort();
    let mut known: Vec<String> = MTPROTO_ID_EXCEPTIONS
        .iter()
        .map(|s| s.to_string())
        .collect();
    known.sort();
    assert_eq!(exceptions, known);
}
