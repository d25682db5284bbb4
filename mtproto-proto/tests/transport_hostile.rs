//! Hostile and edge inputs: every bad stream gives the right typed error (never a panic), and
//! the wire details of quick acks, transport errors, MTProxy secrets and DC ids.

use core::convert::Infallible;

use ferrogram_mtproto_proto::transport::obfuscated::{
    ClientInit, ObfuscationKeys, ProxySecret, dc_id_field, is_valid_random_header,
};
use ferrogram_mtproto_proto::transport::{
    DEFAULT_MAX_FRAME_LEN, DecodeError, Decoder, EncodeError, EncodeOptions, Encoder, Event,
    ObfuscationError, Role, TransportErrorCode, TransportKind,
};
use sha2::{Digest, Sha256};

const NO: EncodeOptions = EncodeOptions::new();

/// Feeds all of `bytes` one byte at a time; returns the events (as debug strings) or the
/// first error.
fn feed<B: AsRef<[u8]> + AsMut<[u8]>>(
    dec: &mut Decoder<B>,
    bytes: &[u8],
) -> Result<Vec<String>, DecodeError> {
    let mut events = Vec::new();
    for b in bytes.chunks(1) {
        let mut rest = b;
        while let Some(ev) = dec.decode(&mut rest)? {
            events.push(format!("{ev:?}"));
        }
    }
    Ok(events)
}

fn full_frames(payloads: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut enc = Encoder::client(TransportKind::Full);
    payloads
        .iter()
        .map(|p| {
            let mut out = vec![0u8; p.len() + 12];
            let n = enc.encode_with_padding(p, NO, &[], &mut out).unwrap();
            out.truncate(n);
            out
        })
        .collect()
}

#[test]
fn full_bad_crc() {
    let mut frame = full_frames(&[&[1, 2, 3, 4, 5, 6, 7, 8]]).remove(0);
    let good = u32::from_le_bytes(frame[16..20].try_into().unwrap());
    frame[9] ^= 0x40;
    let mut dec = Decoder::server([0u8; 64]);
    let err = feed(&mut dec, &frame).unwrap_err();
    let DecodeError::BadCrc { expected, got } = err else {
        panic!("{err:?}")
    };
    assert_eq!(got, good);
    assert_ne!(expected, got);
    assert_eq!(
        expected,
        ferrogram_mtproto_proto::transport::crc32::crc32(&frame[..16])
    );
    // Sticky.
    let mut rest: &[u8] = &[0; 4];
    assert_eq!(dec.decode(&mut rest), Err(err));
    assert_eq!(dec.handle_eof(), Err(err));
    assert!(err.to_string().contains("CRC"));
}

#[test]
fn full_wrong_seq_no() {
    let frames = full_frames(&[&[0; 24], &[1; 24], &[2; 24]]);
    // The first frame was lost.
    let mut dec = Decoder::client(TransportKind::Full, [0u8; 64]);
    assert_eq!(
        feed(&mut dec, &frames[1]),
        Err(DecodeError::BadSeqNo {
            expected: 0,
            got: 1
        })
    );
    // A frame repeated.
    let mut dec = Decoder::client(TransportKind::Full, [0u8; 64]);
    let mut wire = frames[0].clone();
    wire.extend_from_slice(&frames[0]);
    assert_eq!(
        feed(&mut dec, &wire),
        Err(DecodeError::BadSeqNo {
            expected: 1,
            got: 0
        })
    );
    // A server connection that starts at seq 1 is not detected as full at all; with 4..8
    // non-zero it is taken for an obfuscated header and fails on its tag.
    let mut dec = Decoder::server([0u8; 64]);
    let mut wire = frames[1].clone();
    wire.extend_from_slice(&[0; 64]);
    assert!(matches!(
        feed(&mut dec, &wire),
        Err(DecodeError::UnknownObfuscatedTag { .. })
    ));
}

#[test]
fn full_bad_lengths() {
    let mut dec = Decoder::client(TransportKind::Full, [0u8; 64]);
    assert_eq!(
        feed(&mut dec, &[8, 0, 0, 0, 0, 0, 0, 0]),
        Err(DecodeError::FullLengthTooSmall { len: 8 })
    );
    let mut dec = Decoder::client(TransportKind::Full, [0u8; 64]);
    assert_eq!(
        feed(&mut dec, &[13, 0, 0, 0, 0, 0, 0, 0]),
        Err(DecodeError::Misaligned {
            kind: TransportKind::Full,
            len: 13
        })
    );
    let mut dec = Decoder::client(TransportKind::Full, [0u8; 64]);
    assert_eq!(
        feed(&mut dec, &[0xfc, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
        Err(DecodeError::FrameTooLarge {
            len: 0xffff_fffc - 12,
            max: DEFAULT_MAX_FRAME_LEN
        })
    );
}

#[test]
fn oversized_lengths() {
    // Intermediate: 2 GiB announced.
    let mut dec = Decoder::client(TransportKind::Intermediate, [0u8; 64]);
    assert_eq!(
        feed(&mut dec, &[0xfc, 0xff, 0xff, 0x7f]),
        Err(DecodeError::FrameTooLarge {
            len: 0x7fff_fffc,
            max: DEFAULT_MAX_FRAME_LEN
        })
    );
    // Abridged long form, server side, beyond a configured limit.
    let mut dec = Decoder::server([0u8; 64]).with_max_frame_len(1000);
    assert_eq!(
        feed(&mut dec, &[0xef, 0x7f, 0xff, 0x00, 0x00]),
        Err(DecodeError::FrameTooLarge {
            len: 1020,
            max: 1000
        })
    );
    // Within the limit but not the buffer.
    let mut dec = Decoder::server([0u8; 64]);
    assert_eq!(
        feed(&mut dec, &[0xee, 0xee, 0xee, 0xee, 68, 0, 0, 0]),
        Err(DecodeError::BufferTooSmall {
            len: 68,
            capacity: 64
        })
    );
    // Exactly the buffer is fine.
    let mut dec = Decoder::server([0u8; 64]);
    let mut wire = vec![0xdd, 0xdd, 0xdd, 0xdd, 64, 0, 0, 0];
    wire.extend_from_slice(&[7; 64]);
    assert_eq!(feed(&mut dec, &wire).unwrap().len(), 1);
    let e = DecodeError::BufferTooSmall {
        len: 68,
        capacity: 64,
    };
    assert!(e.to_string().contains("larger buffer"));
}

#[test]
fn misaligned_intermediate() {
    let mut dec = Decoder::server([0u8; 64]);
    assert_eq!(
        feed(&mut dec, &[0xee, 0xee, 0xee, 0xee, 5, 0, 0, 0]),
        Err(DecodeError::Misaligned {
            kind: TransportKind::Intermediate,
            len: 5
        })
    );
    // Padded intermediate lengths are free.
    let mut dec = Decoder::server([0u8; 64]);
    assert_eq!(
        feed(
            &mut dec,
            &[0xdd, 0xdd, 0xdd, 0xdd, 5, 0, 0, 0, 1, 2, 3, 4, 5]
        )
        .unwrap()
        .len(),
        1
    );
}

#[test]
fn truncated() {
    let frame = full_frames(&[&[9; 40]]).remove(0);
    for cut in 1..frame.len() {
        let mut dec = Decoder::server([0u8; 64]);
        assert!(feed(&mut dec, &frame[..cut]).unwrap().is_empty());
        let err = dec.handle_eof().unwrap_err();
        let DecodeError::Truncated { have, need } = err else {
            panic!("{err:?}")
        };
        assert_eq!(have, cut, "cut {cut}");
        assert!(need > have);
    }
    let mut dec = Decoder::server([0u8; 64]);
    assert_eq!(feed(&mut dec, &frame).unwrap().len(), 1);
    assert_eq!(dec.handle_eof(), Ok(()));

    let mut dec = Decoder::client(TransportKind::Abridged, [0u8; 64]);
    feed(&mut dec, &[0x7f, 1]).unwrap();
    assert_eq!(
        dec.handle_eof(),
        Err(DecodeError::Truncated { have: 2, need: 4 })
    );
    let mut dec = Decoder::client(TransportKind::Abridged, [0u8; 64]);
    feed(&mut dec, &[2, 1, 2, 3]).unwrap();
    assert_eq!(
        dec.handle_eof(),
        Err(DecodeError::Truncated { have: 4, need: 9 })
    );
}

#[test]
fn server_detection_rejects() {
    let mut dec = Decoder::server([0u8; 64]);
    assert_eq!(
        feed(&mut dec, b"POST /api HTTP/1.1\r\n"),
        Err(DecodeError::HttpNotSupported)
    );
    let mut dec = Decoder::server([0u8; 64]);
    assert_eq!(
        feed(&mut dec, b"GET / HTTP/1.1\r\n"),
        Err(DecodeError::HttpNotSupported)
    );
    let mut dec = Decoder::server([0u8; 64]);
    assert_eq!(
        feed(&mut dec, &[0x16, 3, 1, 2, 0, 1, 0]),
        Err(DecodeError::FakeTlsNotSupported)
    );
    let mut dec = Decoder::server([0u8; 64]);
    assert_eq!(
        feed(&mut dec, &[0x11; 64]),
        Err(DecodeError::UnknownObfuscatedTag {
            tag: u32::from_le_bytes(
                // What the all-0x11 header decrypts to at 56..60.
                {
                    let keys = ObfuscationKeys::derive(&[0x11; 64], None);
                    let mut h = [0x11u8; 64];
                    ferrogram_mtproto_proto::crypto::ctr::Aes256Ctr::new(
                        &keys.encrypt_key,
                        &keys.encrypt_iv,
                    )
                    .apply_keystream(&mut h);
                    [h[56], h[57], h[58], h[59]]
                }
            )
        })
    );
    assert!(
        DecodeError::FakeTlsNotSupported
            .to_string()
            .contains("not supported")
    );
}

struct Fixed(u8);
impl rand_core::TryRng for Fixed {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(u32::from(self.0) * 0x0101_0101)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(u64::from(self.0) * 0x0101_0101_0101_0101)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        dst.fill(self.0);
        Ok(())
    }
}
impl rand_core::TryCryptoRng for Fixed {}

#[test]
fn random_header_rules() {
    let ok = [0x42u8; 64];
    assert!(is_valid_random_header(&ok));
    let bad = |f: &dyn Fn(&mut [u8; 64])| {
        let mut h = ok;
        f(&mut h);
        assert!(!is_valid_random_header(&h), "{:02x?}", &h[..8]);
        assert_eq!(
            ClientInit::from_random(&h, TransportKind::Abridged, None, None).unwrap_err(),
            ObfuscationError::ForbiddenRandomHeader
        );
    };
    bad(&|h| h[0] = 0xef);
    for word in [
        *b"HEAD",
        *b"POST",
        *b"GET ",
        *b"OPTI",
        [0x16, 3, 1, 2],
        [0xdd; 4],
        [0xee; 4],
    ] {
        bad(&|h| h[..4].copy_from_slice(&word));
    }
    bad(&|h| h[4..8].fill(0));
    // A broken RNG is reported, not looped on forever.
    assert_eq!(
        ClientInit::new(&mut Fixed(0xef), TransportKind::Abridged, None, None).unwrap_err(),
        ObfuscationError::RngRejected
    );
    assert!(ClientInit::new(&mut Fixed(0x42), TransportKind::Abridged, None, None).is_ok());
    assert_eq!(
        ClientInit::new(&mut Fixed(0x42), TransportKind::Full, None, None).unwrap_err(),
        ObfuscationError::NoObfuscatedForm {
            kind: TransportKind::Full
        }
    );
}

#[test]
fn dc_id_encoding() {
    assert_eq!(dc_id_field(2, false, false), Ok(2));
    assert_eq!(dc_id_field(4, false, true), Ok(-4));
    assert_eq!(dc_id_field(2, true, false), Ok(10002));
    assert_eq!(dc_id_field(4, true, true), Ok(-10004));
    assert_eq!(
        dc_id_field(30000, true, false),
        Err(ObfuscationError::DcIdOutOfRange { dc: 30000 })
    );
    // The spec's example: media DC 4 is `fc ff` at 60..62.
    let init = ClientInit::from_random(
        &[0x42; 64],
        TransportKind::PaddedIntermediate,
        Some(-4),
        None,
    )
    .unwrap();
    let mut wire = init.header().to_vec();
    wire.extend_from_slice(&[0; 0]);
    let mut dec = Decoder::server([0u8; 64]);
    feed(&mut dec, &wire).unwrap();
    assert_eq!(dec.dc_id(), Some(-4));
    assert_eq!(dec.kind(), Some(TransportKind::PaddedIntermediate));
}

#[test]
fn proxy_secrets() {
    let plain = ProxySecret::from_hex("0123456789abcdef0123456789ABCDEF").unwrap();
    assert!(!plain.requires_padded());
    let dd = ProxySecret::from_hex("dd0123456789abcdef0123456789abcdef").unwrap();
    assert!(dd.requires_padded());
    assert_eq!(plain.key(), dd.key());
    assert_eq!(
        ProxySecret::from_hex("ee0123456789abcdef0123456789abcdef7777772e676f6f676c652e636f6d"),
        Err(ObfuscationError::FakeTlsNotSupported)
    );
    assert_eq!(
        ProxySecret::from_bytes(&[0xee; 17]),
        Err(ObfuscationError::FakeTlsNotSupported)
    );
    assert_eq!(
        ProxySecret::from_hex("0123"),
        Err(ObfuscationError::BadSecretLength { len: 2 })
    );
    assert_eq!(
        ProxySecret::from_hex("zz"),
        Err(ObfuscationError::BadSecretHex)
    );
    assert_eq!(
        ProxySecret::from_hex("abc"),
        Err(ObfuscationError::BadSecretHex)
    );
    assert!(
        ObfuscationError::FakeTlsNotSupported
            .to_string()
            .contains("not supported")
    );

    // Keys are SHA-256(key ‖ secret); IVs unchanged; dd forces padded intermediate.
    let random = [0x42u8; 64];
    let init =
        ClientInit::from_random(&random, TransportKind::Abridged, Some(2), Some(&dd)).unwrap();
    assert_eq!(init.kind(), TransportKind::PaddedIntermediate);
    let plain_keys = ObfuscationKeys::derive(init.header(), None);
    let sha = |k: &[u8]| -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(k);
        h.update(dd.key());
        h.finalize().into()
    };
    assert_eq!(init.keys().encrypt_key, sha(&plain_keys.encrypt_key));
    assert_eq!(init.keys().decrypt_key, sha(&plain_keys.decrypt_key));
    assert_eq!(init.keys().encrypt_iv, plain_keys.encrypt_iv);
    assert_eq!(init.keys().decrypt_iv, plain_keys.decrypt_iv);

    // A server with the secret understands the client; one without it does not.
    let (mut enc, _) = init.split([0u8; 64]);
    let mut wire = [0u8; 128];
    let n = enc
        .encode_with_padding(&[5; 24], NO, &[1, 2], &mut wire)
        .unwrap();
    let mut good = Decoder::server_with_secret([0u8; 64], &dd);
    assert_eq!(feed(&mut good, &wire[..n]).unwrap().len(), 1);
    assert_eq!(good.dc_id(), Some(2));
    let mut bad = Decoder::server([0u8; 64]);
    assert!(matches!(
        feed(&mut bad, &wire[..n]),
        Err(DecodeError::UnknownObfuscatedTag { .. })
    ));
}

#[test]
fn quick_ack_wire_forms() {
    let token = 0x8123_4567u32;
    // Replies, as the spec draws them.
    let cases: [(TransportKind, &[u8]); 3] = [
        (TransportKind::Abridged, &[0x81, 0x23, 0x45, 0x67]),
        (TransportKind::Intermediate, &[0x67, 0x45, 0x23, 0x81]),
        (
            TransportKind::PaddedIntermediate,
            &[
                10, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x67, 0x45, 0x23, 0x81, 9, 9,
            ],
        ),
    ];
    for (kind, wire) in cases {
        let mut enc = Encoder::server(kind);
        let mut out = [0u8; 32];
        let pad: &[u8] = if kind == TransportKind::PaddedIntermediate {
            &[9, 9]
        } else {
            &[]
        };
        let n = enc.encode_quick_ack(token, pad, &mut out).unwrap();
        assert_eq!(&out[..n], wire, "{kind}");
        let mut dec = Decoder::client(kind, [0u8; 64]);
        assert_eq!(
            feed(&mut dec, wire).unwrap(),
            vec![format!("{:?}", Event::QuickAck(token))]
        );
    }
    // Padded intermediate also accepts the intermediate-style bare token.
    let mut dec = Decoder::client(TransportKind::PaddedIntermediate, [0u8; 64]);
    assert_eq!(
        feed(&mut dec, &[0x67, 0x45, 0x23, 0x81]).unwrap(),
        vec![format!("{:?}", Event::QuickAck(token))]
    );

    // Requests: top bit of the length.
    let mut out = [0u8; 1100];
    let q = EncodeOptions::quick_ack();
    let n = Encoder::server(TransportKind::Abridged)
        .write_preamble(&mut out)
        .unwrap();
    assert_eq!(n, 0);
    let mut enc = Encoder::client(TransportKind::Abridged);
    assert_eq!(enc.write_preamble(&mut out), Ok(1));
    let n = enc.encode_with_padding(&[0; 8], q, &[], &mut out).unwrap();
    assert_eq!(&out[..n - 8], &[0x82]);
    let n = enc
        .encode_with_padding(&[0; 1024], q, &[], &mut out)
        .unwrap();
    assert_eq!(&out[..n - 1024], &[0xff, 0x00, 0x01, 0x00]);
    let mut enc = Encoder::client(TransportKind::Intermediate);
    enc.write_preamble(&mut out).unwrap();
    let n = enc.encode_with_padding(&[0; 8], q, &[], &mut out).unwrap();
    assert_eq!(&out[..n - 8], &[8, 0, 0, 0x80]);
    // The server sees the request.
    let mut dec = Decoder::server([0u8; 2048]);
    let mut wire = vec![0xef, 0x82];
    wire.extend_from_slice(&[0; 8]);
    wire.extend_from_slice(&[0xff, 0x00, 0x01, 0x00]);
    wire.extend_from_slice(&[0; 1024]);
    let mut rest = &wire[..];
    let mut flags = Vec::new();
    while let Some(ev) = dec.decode(&mut rest).unwrap() {
        if let Event::Packet { payload, quick_ack } = ev {
            flags.push((payload.len(), quick_ack));
        }
    }
    assert_eq!(flags, vec![(8, true), (1024, true)]);
}

#[test]
fn transport_errors() {
    for kind in [
        TransportKind::Abridged,
        TransportKind::Intermediate,
        TransportKind::PaddedIntermediate,
        TransportKind::Full,
    ] {
        for (code, ev) in [
            (-404, TransportErrorCode::AuthKeyNotFound),
            (-429, TransportErrorCode::Flood),
            (-444, TransportErrorCode::InvalidDc),
            (-403, TransportErrorCode::Forbidden),
            (-500, TransportErrorCode::Other(-500)),
        ] {
            let mut enc = Encoder::server(kind);
            let mut out = [0u8; 32];
            let n = enc
                .encode_transport_error(TransportErrorCode::from_code(code), &mut out)
                .unwrap();
            let mut dec = Decoder::client(kind, [0u8; 64]);
            assert_eq!(
                feed(&mut dec, &out[..n]).unwrap(),
                vec![format!("{:?}", Event::TransportError(ev))]
            );
            assert_eq!(ev.code(), code);
        }
    }
    // Padded: an error code followed by padding is still an error.
    let mut dec = Decoder::client(TransportKind::PaddedIntermediate, [0u8; 64]);
    let mut wire = vec![7, 0, 0, 0];
    wire.extend_from_slice(&(-404i32).to_le_bytes());
    wire.extend_from_slice(&[1, 2, 3]);
    assert_eq!(
        feed(&mut dec, &wire).unwrap(),
        vec![format!(
            "{:?}",
            Event::TransportError(TransportErrorCode::AuthKeyNotFound)
        )]
    );
    // Servers see 4-byte client payloads as packets.
    let mut dec = Decoder::server([0u8; 64]);
    assert_eq!(
        feed(&mut dec, &[0xef, 1, 0x6c, 0xfe, 0xff, 0xff])
            .unwrap()
            .len(),
        1
    );
    assert!(
        TransportErrorCode::AuthKeyNotFound
            .to_string()
            .contains("auth key")
    );
    assert!(TransportErrorCode::Flood.to_string().contains("wait"));
}

#[test]
fn encoder_errors() {
    let mut out = [0u8; 64];
    let mut enc = Encoder::client(TransportKind::Abridged);
    assert_eq!(
        enc.encode_with_padding(&[0; 5], NO, &[], &mut out),
        Err(EncodeError::Misaligned {
            kind: TransportKind::Abridged,
            len: 5
        })
    );
    assert_eq!(
        enc.encode_with_padding(&[0; 8], NO, &[1], &mut out),
        Err(EncodeError::PaddingNotAllowed {
            kind: TransportKind::Abridged
        })
    );
    assert_eq!(
        enc.encode_with_padding(&[0; 64], NO, &[], &mut out),
        Err(EncodeError::OutputTooSmall {
            needed: 66,
            capacity: 64
        })
    );
    // Nothing was written: the tag is still pending.
    assert_eq!(enc.preamble_len(), 1);
    let mut enc = Encoder::client(TransportKind::PaddedIntermediate);
    assert_eq!(
        enc.encode_with_padding(&[0; 8], NO, &[0; 16], &mut out),
        Err(EncodeError::PaddingTooLong { len: 16, max: 15 })
    );
    assert_eq!(
        enc.encode_with_padding(&[0; 7], NO, &[0; 15], &mut out),
        Ok(4 + 4 + 7 + 15)
    );
    let mut enc = Encoder::client(TransportKind::Full);
    assert_eq!(
        enc.encode_with_padding(&[0; 8], EncodeOptions::quick_ack(), &[], &mut out),
        Err(EncodeError::NotSupported {
            kind: TransportKind::Full,
            role: Role::Client,
            what: "requesting a quick ack"
        })
    );
    assert_eq!(enc.next_seq_no(), 0);
    assert!(matches!(
        Encoder::client(TransportKind::Abridged).encode_quick_ack(1, &[], &mut out),
        Err(EncodeError::NotSupported { .. })
    ));
    assert!(matches!(
        Encoder::server(TransportKind::Full).encode_quick_ack(1, &[], &mut out),
        Err(EncodeError::NotSupported { .. })
    ));
    assert!(matches!(
        Encoder::server(TransportKind::Intermediate).encode_with_padding(
            &[0; 4],
            EncodeOptions::quick_ack(),
            &[],
            &mut out
        ),
        Err(EncodeError::NotSupported { .. })
    ));
    assert!(matches!(
        Encoder::client(TransportKind::Intermediate)
            .encode_transport_error(TransportErrorCode::Flood, &mut out),
        Err(EncodeError::NotSupported { .. })
    ));
    assert!(
        EncodeError::Misaligned {
            kind: TransportKind::Abridged,
            len: 5
        }
        .to_string()
        .contains("multiple of 4")
    );
}

#[test]
fn empty_and_tiny_frames() {
    // A zero-length abridged frame is a (empty) packet, not a hang.
    let mut dec = Decoder::client(TransportKind::Abridged, [0u8; 0]);
    assert_eq!(feed(&mut dec, &[0, 0]).unwrap().len(), 2);
    // Full with an empty payload.
    let frame = full_frames(&[&[]]).remove(0);
    let mut dec = Decoder::server([0u8; 0]);
    assert_eq!(feed(&mut dec, &frame).unwrap().len(), 1);
}
