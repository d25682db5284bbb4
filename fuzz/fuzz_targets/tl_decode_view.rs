//! Decodes arbitrary bytes as the zero-copy view their first id names and formats it (which
//! decodes every lazy field). Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ferrogram_tl_types::testing_dispatch::decode_view(data);
});
