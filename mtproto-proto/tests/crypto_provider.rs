//! The provider conformance suite: `Software` passes, and broken providers are caught.

use ferrogram_mtproto_proto::crypto::ige::IgeError;
use ferrogram_mtproto_proto::crypto::provider::{
    CryptoProvider, Software,
    conformance::{self, ConformanceError},
};
use proptest::prelude::*;
use sha1::Sha1;
use sha2::{Digest, Sha256};

#[test]
fn software_passes_the_conformance_suite() {
    assert_eq!(conformance::check(&mut Software), Ok(()));
}

/// Which primitive a [`Broken`] provider gets wrong.
#[derive(Clone, Copy)]
enum Fault {
    Sha1LastPartDropped,
    Sha256FlipsABit,
    IgeEncryptSkipsLastBlock,
    IgeDecryptWrongIvHalf,
    IgeAcceptsUnaligned,
    IgeLongChainBroken,
}

/// `Software` with one deliberate bug.
struct Broken(Fault);

impl CryptoProvider for Broken {
    fn sha1(&mut self, parts: &[&[u8]]) -> [u8; 20] {
        match self.0 {
            Fault::Sha1LastPartDropped if parts.len() > 1 => {
                Software.sha1(&parts[..parts.len() - 1])
            }
            _ => Software.sha1(parts),
        }
    }

    fn sha256(&mut self, parts: &[&[u8]]) -> [u8; 32] {
        let mut digest = Software.sha256(parts);
        if let Fault::Sha256FlipsABit = self.0 {
            digest[31] ^= 1;
        }
        digest
    }

    fn aes256_ige_encrypt(
        &mut self,
        key: &[u8; 32],
        iv: &[u8; 32],
        buf: &mut [u8],
    ) -> Result<(), IgeError> {
        match self.0 {
            Fault::IgeEncryptSkipsLastBlock if buf.len() >= 32 => {
                let n = buf.len() - 16;
                Software.aes256_ige_encrypt(key, iv, &mut buf[..n])
            }
            Fault::IgeAcceptsUnaligned if buf.len() % 16 != 0 => Ok(()),
            Fault::IgeLongChainBroken if buf.len() > 512 => {
                let (a, b) = buf.split_at_mut(512);
                Software.aes256_ige_encrypt(key, iv, a)?;
                Software.aes256_ige_encrypt(key, iv, b)
            }
            _ => Software.aes256_ige_encrypt(key, iv, buf),
        }
    }

    fn aes256_ige_decrypt(
        &mut self,
        key: &[u8; 32],
        iv: &[u8; 32],
        buf: &mut [u8],
    ) -> Result<(), IgeError> {
        match self.0 {
            Fault::IgeDecryptWrongIvHalf => {
                let mut swapped = [0u8; 32];
                swapped[..16].copy_from_slice(&iv[16..]);
                swapped[16..].copy_from_slice(&iv[..16]);
                Software.aes256_ige_decrypt(key, &swapped, buf)
            }
            Fault::IgeAcceptsUnaligned if buf.len() % 16 != 0 => Ok(()),
            _ => Software.aes256_ige_decrypt(key, iv, buf),
        }
    }
}

#[test]
fn each_broken_provider_is_caught_with_the_right_case() {
    let expect = [
        (Fault::Sha1LastPartDropped, "sha1/abc split"),
        (Fault::Sha256FlipsABit, "sha256/empty"),
        (Fault::IgeEncryptSkipsLastBlock, "ige-32/encrypt"),
        (Fault::IgeDecryptWrongIvHalf, "ige-16/decrypt"),
        (Fault::IgeAcceptsUnaligned, "ige/unaligned encrypt refused"),
        (Fault::IgeLongChainBroken, "ige-1024/encrypt"),
    ];
    for (fault, case) in expect {
        assert_eq!(
            conformance::check(&mut Broken(fault)),
            Err(ConformanceError { case }),
            "{case}"
        );
    }
    let text = ConformanceError { case: "x" }.to_string();
    assert!(text.contains("`x`") && text.contains("Software"), "{text}");
}

proptest! {
    /// `Software` drives the raw compression functions itself; its padding and part
    /// handling must agree with the crates' own `Digest` for any lengths and splits.
    #[test]
    fn software_hashes_match_rustcrypto_digest(
        data in proptest::collection::vec(any::<u8>(), 0..300),
        cuts in proptest::collection::vec(0usize..300, 0..5),
    ) {
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
        cuts.sort_unstable();
        let mut parts: Vec<&[u8]> = Vec::new();
        let mut at = 0;
        for c in cuts {
            parts.push(&data[at..c]);
            at = c;
        }
        parts.push(&data[at..]);
        let want1: [u8; 20] = Sha1::digest(&data).into();
        let want256: [u8; 32] = Sha256::digest(&data).into();
        prop_assert_eq!(Software.sha1(&parts), want1);
        prop_assert_eq!(Software.sha256(&parts), want256);
    }
}
