//! The device client's own decoders: the stored record (flash can hold anything) and the
//! message id read by hand from a `messages.sendMessage` answer. Neither may panic; a record
//! that decodes must encode back to the same bytes.
#![no_main]

use ferrogram_client_embedded::{RECORD_LEN, Record, sent_message_id};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = Record::from_bytes(data) {
        assert_eq!(&r.to_bytes()[..], &data[..RECORD_LEN]);
    }
    let random_id = data
        .get(..8)
        .map_or(0, |b| i64::from_le_bytes(b.try_into().unwrap()));
    let _ = sent_message_id(data, random_id);
    let _ = sent_message_id(data.get(8..).unwrap_or_default(), random_id);
});
