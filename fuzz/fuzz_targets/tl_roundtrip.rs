//! Owned and view decoders must agree on whether bytes are valid; a valid value's view must
//! format like the owned value, skipping must consume exactly the input, and re-encoding must
//! be idempotent (`exact = false`: arbitrary input may have non-canonical padding, flag bits
//! or UTF-8, so it need not re-encode to itself).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = ferrogram_tl_types::testing_dispatch::roundtrip(data, false) {
        panic!("round trip of {} bytes failed: {e}", data.len());
    }
});
