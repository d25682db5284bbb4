//! Parses arbitrary text as Markdown and as HTML (client-std's parse modes); whatever
//! parses must have entities inside the text, convert to TL, and unparse to markup that
//! parses again. Nothing may panic: bad markup is a `ParseError`.
#![no_main]

use ferrogram_client_std::parse::{self, ParseMode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for mode in [ParseMode::Markdown, ParseMode::Html] {
        let Ok(p) = parse::parse(&text, mode) else {
            continue;
        };
        let units = p.text.encode_utf16().count() as i64;
        for e in &p.entities {
            assert!(e.offset >= 0 && e.length > 0);
            assert!(i64::from(e.offset) + i64::from(e.length) <= units);
        }
        let tl = p.to_tl(|_| None).unwrap_or_default();
        let marked = parse::unparse(&p.text, &tl, mode);
        if mode == ParseMode::Html {
            // HTML markup always parses back to the same text.
            let again = parse::parse(&marked, mode).expect("unparsed HTML parses");
            assert_eq!(again.text, p.text);
        }
    }
});
