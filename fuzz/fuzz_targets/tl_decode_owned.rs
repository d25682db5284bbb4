//! Decodes arbitrary bytes as the owned type their first id names. Decoding must never panic;
//! a value that decodes must re-encode and decode again to the same bytes (checked inside
//! `decode_owned`, which panics otherwise).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ferrogram_tl_types::testing_dispatch::decode_owned(data);
});
