//! The obfuscated transports on arbitrary bytes:
//!
//! - a server decoder (plain or MTProxy secret) detecting the transport from raw bytes, which
//!   for most inputs means parsing a 64-byte obfuscated header and decrypting what follows;
//! - a client built from the first 64 bytes as its random header (when they are allowed),
//!   decoding the rest as encrypted server frames;
//! - that client's encoder framing the rest as a payload, which the server must decode back.
//!
//! All fed whole, in chunks and byte by byte, with identical results required.
#![no_main]

use ferrogram_mtproto_proto::transport::obfuscated::{ClientInit, ProxySecret};
use ferrogram_mtproto_proto::transport::{Decoder, EncodeOptions, TransportKind};
use libfuzzer_sys::fuzz_target;

#[path = "transport_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let (chunk, stream) = common::split(data);
    let secret = ProxySecret::from_bytes(&[0x5a; 16]).unwrap();
    common::check(|| Decoder::server(vec![0u8; common::BUF]), stream, chunk);
    common::check(
        || Decoder::server_with_secret([0u8; common::BUF], &secret),
        stream,
        chunk,
    );

    let Some((random, rest)) = stream.split_first_chunk::<64>() else {
        return;
    };
    let kind = match data.first().map(|b| b % 3) {
        Some(0) => TransportKind::Abridged,
        Some(1) => TransportKind::Intermediate,
        _ => TransportKind::PaddedIntermediate,
    };
    let use_secret = data.first().is_some_and(|b| b & 0x80 != 0);
    let secret = use_secret.then_some(&secret);
    let Ok(init) = ClientInit::from_random(random, kind, Some(-2), secret) else {
        return;
    };
    common::check(|| init.clone().split([0u8; common::BUF]).1, rest, chunk);

    // Round trip: the client frames `rest` (aligned if needed), the server reads it back.
    let kind = init.kind();
    let len = if kind.requires_alignment() {
        rest.len() & !3
    } else {
        rest.len()
    };
    let payload = &rest[..len.min(common::BUF)];
    let padding = &random[..usize::from(random[0] % 16)];
    let padding = if kind == TransportKind::PaddedIntermediate {
        padding
    } else {
        &[]
    };
    let (mut enc, _) = init.split([0u8; 0]);
    let mut wire = vec![0u8; enc.max_encoded_len(payload.len())];
    let n = enc
        .encode_with_padding(payload, EncodeOptions::quick_ack(), padding, &mut wire)
        .expect("max_encoded_len is enough");
    let mut server = match secret {
        Some(s) => Decoder::server_with_secret(vec![0u8; common::BUF + 16], s),
        None => Decoder::server(vec![0u8; common::BUF + 16]),
    };
    let got = common::run(&mut server, &wire[..n], chunk);
    let mut expected = payload.to_vec();
    expected.extend_from_slice(padding);
    assert_eq!(
        got,
        vec![
            common::Out::Packet(expected, true),
            common::Out::Eof(Ok(()))
        ]
    );
    assert_eq!(server.kind(), Some(kind));
    assert_eq!(server.dc_id(), Some(-2));
});
