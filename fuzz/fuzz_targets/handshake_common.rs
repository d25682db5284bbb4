//! Shared by the handshake fuzz targets and `make_seeds`: the fixed keys, seeds and clock, and
//! the input format, so that the seeds (honest exchanges recorded by `make_seeds`) replay
//! exactly in the targets.
//!
//! Input: one configuration byte (client target: bit 0 = temporary key, bits 1–3 = the
//! number of `dh_gen_retry` answers allowed; server target: ignored), then records
//! `[seconds to wait: u8][length: u16 LE][packet: length bytes]` (a short last record takes
//! what is left).
#![allow(dead_code)]

use ferrogram_mtproto_proto::auth_key::client::{ClientConfig, KeyKind};
use ferrogram_mtproto_proto::auth_key::rsa::{RsaPrivateKey, RsaPublicKey};
use ferrogram_mtproto_proto::msg_id::UnixNanos;

/// The clock at the start of every run.
pub const NOW: UnixNanos = UnixNanos(1_790_000_000_123_456_789);
/// The client's random source in the client target (and in `make_seeds`).
pub const CLIENT_SEED: u64 = 0xc11e_47;
/// The server's random source in the server target (and in `make_seeds`).
pub const SERVER_SEED: u64 = 0x5e4e_e4;

/// Test key 0 of `mtproto-proto/tests/data/rsa_fingerprints.json` (generated with
/// `cryptography`, with its private exponent).
pub fn server_key() -> RsaPrivateKey {
    let json = include_str!("../../mtproto-proto/tests/data/rsa_fingerprints.json");
    let vectors = &json[json.find("\"vectors\"").expect("vectors")..];
    let field = |name: &str| {
        let tag = format!("\"{name}\": \"");
        let start = vectors.find(&tag).expect("field") + tag.len();
        let end = start + vectors[start..].find('"').expect("end of field");
        unhex(&vectors[start..end])
    };
    RsaPrivateKey::from_be_bytes(&field("n"), &field("e"), &field("d")).expect("test key")
}

fn unhex(s: &str) -> Vec<u8> {
    let s = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_owned()
    };
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The client's settings from the configuration byte.
pub fn client_config(keys: &[RsaPublicKey], config: u8) -> ClientConfig<'_> {
    let mut c = ClientConfig::new(keys, 2);
    if config & 1 == 1 {
        c.kind = KeyKind::Temporary { expires_in: 3600 };
    }
    c.max_retries = (config >> 1) & 7;
    c
}

/// Splits an input into its configuration byte and records (seconds to wait, packet).
pub fn records(data: &[u8]) -> (u8, Vec<(u8, &[u8])>) {
    let Some((&config, mut rest)) = data.split_first() else {
        return (0, Vec::new());
    };
    let mut out = Vec::new();
    while rest.len() >= 3 {
        let wait = rest[0];
        let len = usize::from(u16::from_le_bytes([rest[1], rest[2]]));
        rest = &rest[3..];
        let packet = &rest[..len.min(rest.len())];
        rest = &rest[packet.len()..];
        out.push((wait, packet));
    }
    (config, out)
}

/// The inverse of [`records`].
pub fn encode(config: u8, records: &[(u8, &[u8])]) -> Vec<u8> {
    let mut out = vec![config];
    for (wait, packet) in records {
        out.push(*wait);
        out.extend_from_slice(&u16::try_from(packet.len()).unwrap().to_le_bytes());
        out.extend_from_slice(packet);
    }
    out
}

/// SplitMix64 as a rand_core 0.10 RNG.
pub struct Rng(pub u64);

impl rand_core::TryRng for Rng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
        for c in d.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for Rng {}
