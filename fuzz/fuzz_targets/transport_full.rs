//! The full transport decoder on arbitrary bytes, in both roles (a client reading server
//! frames; a server detecting the transport from its tag and reading client frames), fed whole,
//! in chunks and byte by byte: no panics, and every chunking gives the same events and errors.
//! First input byte: chunk size; the rest: the stream.
#![no_main]

use ferrogram_mtproto_proto::transport::{Decoder, TransportKind};
use libfuzzer_sys::fuzz_target;

#[path = "transport_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let (chunk, stream) = common::split(data);
    common::check(
        || Decoder::client(TransportKind::Full, vec![0u8; common::BUF]).with_max_frame_len(1500),
        stream,
        chunk,
    );
    let tag: &[u8] = &[];
    let mut server_stream = tag.to_vec();
    server_stream.extend_from_slice(stream);
    common::check(
        || Decoder::server([0u8; common::BUF]),
        &server_stream,
        chunk,
    );
});
