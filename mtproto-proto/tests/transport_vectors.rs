//! The transports.json ground-truth vectors (Telethon 1.45.0, cross-checked with Kurigram and
//! Pyrogram; see data/SOURCE-transports.md): framing of 4 payloads over 4 transports, CRC-32,
//! and the obfuscated2 exchanges.

use ferrogram_mtproto_proto::crypto::ctr::Aes256Ctr;
use ferrogram_mtproto_proto::transport::crc32::crc32;
use ferrogram_mtproto_proto::transport::obfuscated::ClientInit;
use ferrogram_mtproto_proto::transport::{Decoder, EncodeOptions, Encoder, Event, TransportKind};
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!("data/transports.json")).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0);
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hexf(v: &Value, field: &str) -> Vec<u8> {
    hex(v[field]
        .as_str()
        .unwrap_or_else(|| panic!("missing {field}")))
}

fn arr<const N: usize>(v: &[u8]) -> [u8; N] {
    v.try_into().unwrap()
}

fn kind_of(name: &str) -> TransportKind {
    match name {
        "abridged" | "obfuscated2-abridged" => TransportKind::Abridged,
        "intermediate" | "obfuscated2-intermediate" => TransportKind::Intermediate,
        "padded-intermediate" | "obfuscated2-padded-intermediate" => {
            TransportKind::PaddedIntermediate
        }
        "full" => TransportKind::Full,
        other => panic!("unknown transport {other}"),
    }
}

/// Feeds `bytes` to `dec` in chunks of `chunk`, collecting packet payloads.
fn decode_all<B: AsRef<[u8]> + AsMut<[u8]>>(
    dec: &mut Decoder<B>,
    bytes: &[u8],
    chunk: usize,
) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for c in bytes.chunks(chunk) {
        let mut rest = c;
        while let Some(ev) = dec.decode(&mut rest).unwrap() {
            match ev {
                Event::Packet { payload, quick_ack } => {
                    assert!(!quick_ack);
                    out.push(payload.to_vec());
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    dec.handle_eof().unwrap();
    out
}

#[test]
fn framing_vectors_encode() {
    let v = vectors();
    let framing = v["framing"].as_array().unwrap();
    assert_eq!(framing.len(), 16);
    let mut full_client = Encoder::client(TransportKind::Full);
    let mut full_server = Encoder::server(TransportKind::Full);
    let mut checked = 0;
    for f in framing {
        let kind = kind_of(f["transport"].as_str().unwrap());
        let tag = hexf(f, "tag");
        assert_eq!(tag, kind.tag());
        let payload = hexf(f, "payload");
        let frame = hexf(f, "frame");
        let padding = f["padding"].as_str().map(hex).unwrap_or_default();
        let mut out = vec![0u8; 8192];

        if kind == TransportKind::Full {
            assert_eq!(full_client.next_seq_no(), f["seq"].as_u64().unwrap() as u32);
            let n = full_client
                .encode_with_padding(&payload, EncodeOptions::default(), &padding, &mut out)
                .unwrap();
            assert_eq!(out[..n], frame[..]);
            let n = full_server
                .encode_with_padding(&payload, EncodeOptions::default(), &padding, &mut out)
                .unwrap();
            assert_eq!(out[..n], frame[..]);
        } else {
            // Client: tag, then the frame.
            let mut enc = Encoder::client(kind);
            assert!(enc.max_encoded_len(payload.len()) >= tag.len() + frame.len());
            let n = enc
                .encode_with_padding(&payload, EncodeOptions::default(), &padding, &mut out)
                .unwrap();
            assert_eq!(out[..tag.len()], tag[..]);
            assert_eq!(out[tag.len()..n], frame[..]);
            // The tag is sent once.
            let n = enc
                .encode_with_padding(&payload, EncodeOptions::default(), &padding, &mut out)
                .unwrap();
            assert_eq!(out[..n], frame[..]);
            // Server frames look the same, without the tag.
            let n = Encoder::server(kind)
                .encode_with_padding(&payload, EncodeOptions::default(), &padding, &mut out)
                .unwrap();
            assert_eq!(out[..n], frame[..]);
        }
        let header = hexf(f, "header");
        assert_eq!(frame[..header.len()], header[..]);
        checked += 1;
    }
    assert_eq!(checked, 16);
}

#[test]
fn framing_vectors_decode() {
    let v = vectors();
    let framing = v["framing"].as_array().unwrap();
    for chunk in [1, 3, 7, 64, 100_000] {
        // Full: one connection carries seq 0..3.
        let mut full_stream = Vec::new();
        let mut full_payloads = Vec::new();
        for f in framing {
            let kind = kind_of(f["transport"].as_str().unwrap());
            let payload = hexf(f, "payload");
            let padding = f["padding"].as_str().map(hex).unwrap_or_default();
            let frame = hexf(f, "frame");
            let mut expected = payload.clone();
            expected.extend_from_slice(&padding);
            if kind == TransportKind::Full {
                full_stream.extend_from_slice(&frame);
                full_payloads.push(expected);
                continue;
            }
            // Server role: detect from the tag, then the frame.
            let mut wire = hexf(f, "tag");
            wire.extend_from_slice(&frame);
            let mut server = Decoder::server(vec![0u8; 4096]);
            assert_eq!(
                decode_all(&mut server, &wire, chunk),
                vec![expected.clone()]
            );
            assert_eq!(server.kind(), Some(kind));
            assert!(!server.is_obfuscated());
            // Client role: the same frame from a server.
            let mut client = Decoder::client(kind, [0u8; 4096]);
            assert_eq!(decode_all(&mut client, &frame, chunk), vec![expected]);
        }
        let mut server = Decoder::server(vec![0u8; 4096]);
        assert_eq!(decode_all(&mut server, &full_stream, chunk), full_payloads);
        assert_eq!(server.kind(), Some(TransportKind::Full));
        assert_eq!(server.next_seq_no(), 4);
        let mut client = Decoder::client(TransportKind::Full, vec![0u8; 4096]);
        assert_eq!(decode_all(&mut client, &full_stream, chunk), full_payloads);
    }
}

#[test]
fn crc_vectors() {
    let v = vectors();
    let mut n = 0;
    for f in v["framing"].as_array().unwrap() {
        if f["transport"] != "full" {
            continue;
        }
        let frame = hexf(f, "frame");
        let crc = u32::from_str_radix(f["crc32"].as_str().unwrap(), 16).unwrap();
        assert_eq!(crc32(&frame[..frame.len() - 4]), crc);
        assert_eq!(frame[frame.len() - 4..], crc.to_le_bytes());
        assert_eq!(frame.len() as u64, f["length_field"].as_u64().unwrap());
        n += 1;
    }
    assert_eq!(n, 4);
}

#[test]
fn obfuscated2_client() {
    let v = vectors();
    let obf = v["obfuscated2"].as_array().unwrap();
    assert_eq!(obf.len(), 3);
    for o in obf {
        let kind = kind_of(o["transport"].as_str().unwrap());
        assert_eq!(hexf(o, "tag"), kind.obfuscated_tag().unwrap());
        let random: [u8; 64] = arr(&hexf(o, "random_header"));
        let init = ClientInit::from_random(&random, kind, None, None).unwrap();
        assert_eq!(init.kind(), kind);
        assert_eq!(init.header()[..], hexf(o, "header_wire")[..]);
        let keys = init.keys();
        assert_eq!(keys.encrypt_key[..], hexf(o, "encrypt_key")[..]);
        assert_eq!(keys.encrypt_iv[..], hexf(o, "encrypt_iv")[..]);
        assert_eq!(keys.decrypt_key[..], hexf(o, "decrypt_key")[..]);
        assert_eq!(keys.decrypt_iv[..], hexf(o, "decrypt_iv")[..]);

        // What the server sees after decrypting the header with the client's stream.
        let mut seen = hexf(o, "header_wire");
        Aes256Ctr::new(&keys.encrypt_key, &keys.encrypt_iv).apply_keystream(&mut seen);
        assert_eq!(seen, hexf(o, "header_decrypted_by_server"));

        let (mut enc, mut dec) = init.split(vec![0u8; 4096]);
        assert_eq!(enc.preamble_len(), 64);
        let mut out = vec![0u8; 8192];
        let mut sent = Vec::new();
        for (i, p) in o["client_packets"].as_array().unwrap().iter().enumerate() {
            let payload = hexf(p, "payload");
            let padding = p["padding"].as_str().map(hex).unwrap_or_default();
            let n = enc
                .encode_with_padding(&payload, EncodeOptions::default(), &padding, &mut out)
                .unwrap();
            let wire = hexf(p, "wire");
            let pre = if i == 0 { 64 } else { 0 };
            // The header used keystream bytes 0..64; each packet continues the stream.
            let offset = sent.len().max(64);
            assert_eq!(p["keystream_offset"].as_u64().unwrap() as usize, offset);
            assert_eq!(out[pre..n], wire[..], "client packet {i}");
            if i == 0 {
                assert_eq!(out[..64], hexf(o, "header_wire")[..]);
            }
            sent.extend_from_slice(&out[..n]);
        }

        // The server's resPQ, decrypted by the client.
        let sp = &o["server_packet"];
        let mut expected = hexf(sp, "payload");
        expected.extend_from_slice(&hexf(sp, "server_padding"));
        for chunk in [1, 5, 4096] {
            let init = ClientInit::from_random(&random, kind, None, None).unwrap();
            let (_, mut dec2) = init.split(vec![0u8; 4096]);
            assert_eq!(
                decode_all(&mut dec2, &hexf(sp, "wire"), chunk),
                vec![expected.clone()]
            );
        }
        assert_eq!(
            decode_all(&mut dec, &hexf(sp, "wire"), 4096),
            vec![expected]
        );
    }
}

#[test]
fn obfuscated2_server() {
    let v = vectors();
    for o in v["obfuscated2"].as_array().unwrap() {
        let kind = kind_of(o["transport"].as_str().unwrap());
        let mut wire = hexf(o, "header_wire");
        let mut expected = Vec::new();
        for p in o["client_packets"].as_array().unwrap() {
            wire.extend_from_slice(&hexf(p, "wire"));
            let mut e = hexf(p, "payload");
            e.extend_from_slice(&p["padding"].as_str().map(hex).unwrap_or_default());
            expected.push(e);
        }
        for chunk in [1, 2, 63, 65, 100_000] {
            let mut server = Decoder::server([0u8; 1024]);
            assert!(server.take_encoder().is_none());
            assert_eq!(decode_all(&mut server, &wire, chunk), expected);
            assert_eq!(server.kind(), Some(kind));
            assert!(server.is_obfuscated());
            // Telethon leaves bytes 60..62 random: the "DC id" is whatever was there.
            let random = hexf(o, "random_header");
            assert_eq!(
                server.dc_id(),
                Some(i16::from_le_bytes([random[60], random[61]]))
            );

            // The server's reply encrypts exactly as recorded.
            let sp = &o["server_packet"];
            let mut enc = server.take_encoder().unwrap();
            assert!(server.take_encoder().is_none());
            assert!(enc.is_obfuscated());
            let mut out = [0u8; 1024];
            let n = enc
                .encode_with_padding(
                    &hexf(sp, "payload"),
                    EncodeOptions::default(),
                    &hexf(sp, "server_padding"),
                    &mut out,
                )
                .unwrap();
            assert_eq!(out[..n], hexf(sp, "wire")[..]);
        }
    }
}
