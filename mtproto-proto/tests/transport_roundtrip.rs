//! Property tests: every transport, plain and obfuscated, round-trips random payloads in both
//! directions under random chunking, with quick acks and transport errors mixed in.

use core::convert::Infallible;

use ferrogram_mtproto_proto::transport::obfuscated::{ClientInit, ProxySecret};
use ferrogram_mtproto_proto::transport::{
    Decoder, EncodeOptions, Encoder, Event, TransportErrorCode, TransportKind,
};
use proptest::prelude::*;

/// SplitMix64: a deterministic stand-in for a real RNG in tests.
struct TestRng(u64);

impl rand_core::TryRng for TestRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for c in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for TestRng {}

/// What a sender put into the stream, to compare with what the receiver saw.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Sent {
    Packet {
        payload: Vec<u8>,
        padding: usize,
        quick_ack: bool,
    },
    QuickAck(u32),
    Error(i32),
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    Plain(TransportKind),
    Obfuscated(TransportKind),
    Proxy(TransportKind),
}

fn mode() -> impl Strategy<Value = Mode> {
    use TransportKind::*;
    prop_oneof![
        prop::sample::select(vec![Abridged, Intermediate, PaddedIntermediate, Full])
            .prop_map(Mode::Plain),
        prop::sample::select(vec![Abridged, Intermediate, PaddedIntermediate])
            .prop_map(Mode::Obfuscated),
        prop::sample::select(vec![Abridged, Intermediate, PaddedIntermediate])
            .prop_map(Mode::Proxy),
    ]
}

/// A connection: the client's encoder and decoder, and the server's decoder (detecting), and
/// the bytes the client sent so far.
fn connect(mode: Mode, rng: &mut TestRng) -> (Encoder, Decoder<Vec<u8>>, Decoder<Vec<u8>>) {
    let secret = ProxySecret::from_hex("dd0123456789abcdef0123456789abcdef").unwrap();
    match mode {
        Mode::Plain(kind) => (
            Encoder::client(kind),
            Decoder::client(kind, vec![0; 8192]),
            Decoder::server(vec![0; 8192]),
        ),
        Mode::Obfuscated(kind) => {
            let init = ClientInit::new(rng, kind, Some(2), None).unwrap();
            let (enc, dec) = init.split(vec![0; 8192]);
            (enc, dec, Decoder::server(vec![0; 8192]))
        }
        Mode::Proxy(kind) => {
            let init = ClientInit::new(rng, kind, Some(-4), Some(&secret)).unwrap();
            assert_eq!(init.kind(), TransportKind::PaddedIntermediate);
            let (enc, dec) = init.split(vec![0; 8192]);
            (
                enc,
                dec,
                Decoder::server_with_secret(vec![0; 8192], &secret),
            )
        }
    }
}

/// Feeds `wire` in chunks whose sizes cycle through `chunks`, recording what was decoded.
fn receive(dec: &mut Decoder<Vec<u8>>, wire: &[u8], chunks: &[usize]) -> Vec<Sent> {
    let mut got = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    while pos < wire.len() {
        let n = chunks[i % chunks.len()].min(wire.len() - pos);
        i += 1;
        let mut rest = &wire[pos..pos + n];
        pos += n;
        while let Some(ev) = dec.decode(&mut rest).unwrap() {
            got.push(match ev {
                Event::Packet { payload, quick_ack } => Sent::Packet {
                    payload: payload.to_vec(),
                    padding: 0,
                    quick_ack,
                },
                Event::QuickAck(t) => Sent::QuickAck(t),
                Event::TransportError(c) => Sent::Error(c.code()),
            });
        }
    }
    dec.handle_eof().unwrap();
    got
}

/// Frame overhead (header, CRC) for a payload of `len` bytes.
fn header_len(kind: TransportKind, len: usize) -> usize {
    match kind {
        TransportKind::Abridged if len / 4 < 127 => 1,
        TransportKind::Full => 12,
        _ => 4,
    }
}

/// Compares decoded packets with sent ones (padding arrives appended to the payload).
fn check(sent: &[Sent], got: &[Sent]) {
    assert_eq!(sent.len(), got.len());
    for (s, g) in sent.iter().zip(got) {
        match (s, g) {
            (
                Sent::Packet {
                    payload,
                    padding,
                    quick_ack,
                },
                Sent::Packet {
                    payload: p,
                    quick_ack: q,
                    ..
                },
            ) => {
                assert_eq!(&p[..payload.len()], &payload[..]);
                assert_eq!(p.len(), payload.len() + padding);
                assert_eq!(quick_ack, q);
            }
            _ => assert_eq!(s, g),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn round_trip(
        mode in mode(),
        seed in any::<u64>(),
        client_frames in prop::collection::vec((0usize..600, any::<bool>()), 1..6),
        server_frames in prop::collection::vec((0u8..4, 6usize..600, any::<u32>()), 1..6),
        chunks in prop::collection::vec(1usize..80, 1..8),
        chunks_back in prop::collection::vec(1usize..80, 1..8),
    ) {
        let mut rng = TestRng(seed);
        let (mut enc, mut client_dec, mut server_dec) = connect(mode, &mut rng);
        let kind = enc.kind();
        let align = |n: usize| if kind.requires_alignment() { n & !3 } else { n };

        // Client -> server.
        let mut wire = Vec::new();
        let mut sent = Vec::new();
        let mut out = vec![0u8; 8192];
        for &(len, qa) in &client_frames {
            let len = align(len);
            let mut payload = vec![0u8; len];
            rand_core::Rng::fill_bytes(&mut rng, &mut payload);
            let quick_ack = qa && kind.supports_quick_ack();
            let options = if quick_ack { EncodeOptions::quick_ack() } else { EncodeOptions::default() };
            let pre = enc.preamble_len();
            let n = enc.encode(&payload, options, &mut rng, &mut out).unwrap();
            let hdr = header_len(kind, len);
            let padding = n - pre - hdr - len;
            prop_assert!(padding <= 15);
            wire.extend_from_slice(&out[..n]);
            sent.push(Sent::Packet { payload, padding, quick_ack });
        }
        let got = receive(&mut server_dec, &wire, &chunks);
        check(&sent, &got);
        prop_assert_eq!(server_dec.kind(), Some(kind));
        prop_assert_eq!(server_dec.is_obfuscated(), !matches!(mode, Mode::Plain(_)));
        match mode {
            Mode::Obfuscated(_) => prop_assert_eq!(server_dec.dc_id(), Some(2)),
            Mode::Proxy(_) => prop_assert_eq!(server_dec.dc_id(), Some(-4)),
            Mode::Plain(_) => prop_assert_eq!(server_dec.dc_id(), None),
        }

        // Server -> client: packets (at least 24 bytes, as MTProto messages are), quick acks,
        // transport errors.
        let mut senc = server_dec.take_encoder().unwrap();
        let mut wire = Vec::new();
        let mut sent = Vec::new();
        for &(what, len, token) in &server_frames {
            let n = match what {
                1 if kind.supports_quick_ack() => {
                    let token = token | 0x8000_0000;
                    let pad = if kind == TransportKind::PaddedIntermediate { (token % 9) as usize } else { 0 };
                    sent.push(Sent::QuickAck(token));
                    senc.encode_quick_ack(token, &[0xab; 8][..pad], &mut out).unwrap()
                }
                2 => {
                    let code = TransportErrorCode::from_code(-(token as i32 & 0x3ff) - 1);
                    sent.push(Sent::Error(code.code()));
                    senc.encode_transport_error(code, &mut out).unwrap()
                }
                _ => {
                    let len = align(len.max(24));
                    let mut payload = vec![0u8; len];
                    rand_core::Rng::fill_bytes(&mut rng, &mut payload);
                    let n = senc.encode(&payload, EncodeOptions::default(), &mut rng, &mut out).unwrap();
                    let hdr = header_len(kind, len);
                    sent.push(Sent::Packet { payload, padding: n - hdr - len, quick_ack: false });
                    n
                }
            };
            wire.extend_from_slice(&out[..n]);
        }
        let got = receive(&mut client_dec, &wire, &chunks_back);
        check(&sent, &got);
    }

    /// Arbitrary bytes never panic a server decoder, whatever the chunking.
    #[test]
    fn garbage_never_panics(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        chunk in 1usize..40,
    ) {
        let mut dec = Decoder::server([0u8; 128]);
        for c in bytes.chunks(chunk) {
            let mut rest = c;
            while let Ok(Some(_)) = dec.decode(&mut rest) {}
        }
        let _ = dec.handle_eof();
    }
}

/// Padded intermediate: a client pads 0–15 bytes, a server 0–3 (Telethon strips only
/// `len mod 4` bytes of server frames); both ends of the range occur.
#[test]
fn padded_intermediate_padding_ranges_by_role() {
    let mut rng = TestRng(7);
    let payload = [0x11u8; 40];
    let mut out = [0u8; 128];
    for (mut enc, max) in [
        (Encoder::client(TransportKind::PaddedIntermediate), 15usize),
        (Encoder::server(TransportKind::PaddedIntermediate), 3),
    ] {
        enc.write_preamble(&mut out).unwrap();
        let mut seen = [false; 16];
        for _ in 0..2000 {
            let n = enc
                .encode(&payload, EncodeOptions::default(), &mut rng, &mut out)
                .unwrap();
            let padding = n - 4 - payload.len();
            assert!(padding <= max, "{padding} > {max}");
            seen[padding] = true;
        }
        assert!(
            seen[..=max].iter().all(|&s| s),
            "every length 0..={max} occurs"
        );
    }
}
