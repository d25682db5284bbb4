//! The seam where a board's hardware AES and SHA engines plug in.
//!
//! Everything in [`crypto`](super) that hashes or encrypts goes through a
//! [`CryptoProvider`]: four primitives, nothing else. [`Software`] implements them on
//! RustCrypto's `sha1`, `sha2` and `aes` crates (with run-time AES-NI/VAES/SHA-NI detection
//! on x86 and the ARMv8 extensions on aarch64). A microcontroller with a crypto peripheral
//! implements the trait over its HAL driver and runs [`conformance::check`] once, in a
//! test or at start-up, to prove it computes the same bytes.
//!
//! Code that uses a provider is generic over it (monomorphized, no `dyn`), and takes it
//! by `&mut` so a driver that owns a peripheral needs no interior mutability.
//!
//! ```
//! use ferrogram_mtproto_proto::crypto::provider::{conformance, CryptoProvider, Software};
//!
//! conformance::check(&mut Software)?;
//! let digest = Software.sha256(&[b"ab", b"c"]);
//! assert_eq!(digest[..4], [0xba, 0x78, 0x16, 0xbf]);
//! # Ok::<(), conformance::ConformanceError>(())
//! ```

use super::ige::{self, IgeError};

/// The primitives MTProto needs: SHA-1, SHA-256 and AES-256-IGE in place.
///
/// Hashes take their input as a list of parts hashed as one concatenated message, so callers
/// never copy key material and plaintext together into a scratch buffer.
pub trait CryptoProvider {
    /// SHA-1 of the concatenation of `parts`.
    fn sha1(&mut self, parts: &[&[u8]]) -> [u8; 20];

    /// SHA-256 of the concatenation of `parts`.
    fn sha256(&mut self, parts: &[&[u8]]) -> [u8; 32];

    /// Encrypts `buf` in place with AES-256-IGE; `iv` is `c₋₁ ‖ p₋₁` (MTProto convention).
    ///
    /// # Errors
    /// [`IgeError::UnalignedLength`] if `buf.len()` is not a multiple of 16, with `buf`
    /// unchanged. An empty `buf` is valid and stays empty.
    fn aes256_ige_encrypt(
        &mut self,
        key: &[u8; 32],
        iv: &[u8; 32],
        buf: &mut [u8],
    ) -> Result<(), IgeError>;

    /// Decrypts `buf` in place with AES-256-IGE; `iv` is `c₋₁ ‖ p₋₁` (MTProto convention).
    ///
    /// # Errors
    /// As [`aes256_ige_encrypt`](Self::aes256_ige_encrypt).
    fn aes256_ige_decrypt(
        &mut self,
        key: &[u8; 32],
        iv: &[u8; 32],
        buf: &mut [u8],
    ) -> Result<(), IgeError>;
}

/// The portable provider: RustCrypto's `sha1`, `sha2` and `aes`, whose x86 and aarch64
/// backends pick the CPU's AES and SHA instructions at run time. A zero-sized value.
///
/// The hashes drive the crates' raw compression functions directly: MTProto hashes many
/// one- and two-block messages, where the `Digest` wrapper's buffering costs a third of
/// the compression itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Software;

impl CryptoProvider for Software {
    #[inline]
    fn sha1(&mut self, parts: &[&[u8]]) -> [u8; 20] {
        md::digest::<5, 20>(md::SHA1_INIT, parts, sha1::block_api::compress)
    }

    #[inline]
    fn sha256(&mut self, parts: &[&[u8]]) -> [u8; 32] {
        md::digest::<8, 32>(md::SHA256_INIT, parts, sha2::block_api::compress256)
    }

    #[inline]
    fn aes256_ige_encrypt(
        &mut self,
        key: &[u8; 32],
        iv: &[u8; 32],
        buf: &mut [u8],
    ) -> Result<(), IgeError> {
        ige::encrypt_in_place(key, iv, buf)
    }

    #[inline]
    fn aes256_ige_decrypt(
        &mut self,
        key: &[u8; 32],
        iv: &[u8; 32],
        buf: &mut [u8],
    ) -> Result<(), IgeError> {
        ige::decrypt_in_place(key, iv, buf)
    }
}

mod md {
    //! Merkle–Damgård padding and output for SHA-1 and SHA-256 over the crates' raw
    //! compression functions (64-byte blocks, big-endian 64-bit bit length).

    pub(super) const SHA1_INIT: [u32; 5] = [
        0x6745_2301,
        0xefcd_ab89,
        0x98ba_dcfe,
        0x1032_5476,
        0xc3d2_e1f0,
    ];
    pub(super) const SHA256_INIT: [u32; 8] = [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ];

    /// Hashes the concatenation of `parts`; `W` state words, `N = 4 * W` output bytes.
    #[inline(always)]
    pub(super) fn digest<const W: usize, const N: usize>(
        init: [u32; W],
        parts: &[&[u8]],
        compress: fn(&mut [u32; W], &[[u8; 64]]),
    ) -> [u8; N] {
        let mut state = init;
        let mut block = [0u8; 64];
        let mut fill = 0usize;
        let mut total = 0u64;
        for part in parts {
            total = total.wrapping_add(part.len() as u64);
            let mut rest: &[u8] = part;
            if fill > 0 {
                let take = rest.len().min(64 - fill);
                let (head, tail) = rest.split_at(take);
                block[fill..fill + take].copy_from_slice(head);
                fill += take;
                rest = tail;
                if fill < 64 {
                    continue;
                }
                compress(&mut state, &[block]);
            }
            let mut whole = rest.chunks_exact(64);
            for chunk in &mut whole {
                block.copy_from_slice(chunk);
                compress(&mut state, &[block]);
            }
            let tail = whole.remainder();
            block[..tail.len()].copy_from_slice(tail);
            fill = tail.len();
        }

        block[fill] = 0x80;
        block[fill + 1..].fill(0);
        if fill >= 56 {
            compress(&mut state, &[block]);
            block = [0; 64];
        }
        block[56..].copy_from_slice(&total.wrapping_mul(8).to_be_bytes());
        compress(&mut state, &[block]);

        let mut out = [0u8; N];
        for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

pub mod conformance {
    //! Known-answer tests that every [`CryptoProvider`] must pass.
    //!
    //! The SHA answers are the FIPS 180 examples; the AES-IGE answers come from tgcrypto
    //! 1.2.5, confirmed by cryptg 0.6.0 (the `ige-16`, `ige-32`, `ige-48` and `ige-1024`
    //! vectors of the project's `aes256_ige.json`). The suite needs no heap and about
    //! 1.2 KiB of stack, so it can run on the target itself.

    use core::fmt;

    use super::CryptoProvider;
    use crate::crypto::ige::IgeError;

    /// The first case a provider got wrong.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct ConformanceError {
        /// Name of the failing case, e.g. `"sha256/abc split"` or `"ige-48/decrypt"`.
        pub case: &'static str,
    }

    impl fmt::Display for ConformanceError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(
                f,
                "crypto provider failed the conformance case `{}`: it computes different \
                 bytes from the reference implementations; fix the backend (or fall back to \
                 `Software`) before using it for MTProto",
                self.case
            )
        }
    }

    impl core::error::Error for ConformanceError {}

    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("bad hex digit in a conformance constant"),
        }
    }

    /// Decodes a hex constant at compile time.
    const fn hex<const N: usize>(s: &str) -> [u8; N] {
        let s = s.as_bytes();
        assert!(s.len() == 2 * N, "hex constant has the wrong length");
        let mut out = [0; N];
        let mut i = 0;
        while i < N {
            out[i] = nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]);
            i += 1;
        }
        out
    }

    const FIPS_2BLOCK: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

    struct HashCase {
        name1: &'static str,
        name256: &'static str,
        parts: &'static [&'static [u8]],
        sha1: [u8; 20],
        sha256: [u8; 32],
    }

    const EMPTY_SHA1: [u8; 20] = hex("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    const EMPTY_SHA256: [u8; 32] =
        hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const ABC_SHA1: [u8; 20] = hex("a9993e364706816aba3e25717850c26c9cd0d89d");
    const ABC_SHA256: [u8; 32] =
        hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const FIPS_SHA1: [u8; 20] = hex("84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    const FIPS_SHA256: [u8; 32] =
        hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    const HASH_CASES: &[HashCase] = &[
        HashCase {
            name1: "sha1/empty",
            name256: "sha256/empty",
            parts: &[],
            sha1: EMPTY_SHA1,
            sha256: EMPTY_SHA256,
        },
        HashCase {
            name1: "sha1/empty part",
            name256: "sha256/empty part",
            parts: &[b""],
            sha1: EMPTY_SHA1,
            sha256: EMPTY_SHA256,
        },
        HashCase {
            name1: "sha1/abc",
            name256: "sha256/abc",
            parts: &[b"abc"],
            sha1: ABC_SHA1,
            sha256: ABC_SHA256,
        },
        HashCase {
            name1: "sha1/abc split",
            name256: "sha256/abc split",
            parts: &[b"a", b"", b"bc"],
            sha1: ABC_SHA1,
            sha256: ABC_SHA256,
        },
        HashCase {
            name1: "sha1/two blocks",
            name256: "sha256/two blocks",
            parts: &[FIPS_2BLOCK],
            sha1: FIPS_SHA1,
            sha256: FIPS_SHA256,
        },
        HashCase {
            name1: "sha1/two blocks split",
            name256: "sha256/two blocks split",
            parts: &[
                b"abcdbcdecdefdefgefghfghighijhijk",
                b"ijkljklmklmnlmnomnop",
                b"",
                b"nopq",
            ],
            sha1: FIPS_SHA1,
            sha256: FIPS_SHA256,
        },
    ];

    struct IgeCase {
        encrypt: &'static str,
        decrypt: &'static str,
        key: [u8; 32],
        iv: [u8; 32],
        plain: &'static [u8],
        cipher: &'static [u8],
    }

    const IGE_CASES: &[IgeCase] = &[
        IgeCase {
            encrypt: "ige-16/encrypt",
            decrypt: "ige-16/decrypt",
            key: hex("d8d395341aeabcd638600f7c025249dfc30eecb824ba89ede59263dc57aa9a29"),
            iv: hex("1a8e628f8d9353de9603f09dd7b2602b404b69ee00a27e5051b9f339c62c903f"),
            plain: &hex::<16>("e3644bad99b7acc509ac3a0e5114f024"),
            cipher: &hex::<16>("1416a6f1a54110ea236d54f9ad6a7b97"),
        },
        IgeCase {
            encrypt: "ige-32/encrypt",
            decrypt: "ige-32/decrypt",
            key: hex("dccf8b0273913341df86c4456968c5893914f7c57b8d26c6beb53b5b46946f40"),
            iv: hex("fbdb71bb618800a236541b83d73a00916c783bd1f568d320a96d3679b9fd95c7"),
            plain: &hex::<32>("2a25837b762651dcc287cce3b9ab7c7981af5f2a4eaa0e59811e59ffc3d1af7a"),
            cipher: &hex::<32>("43932195ec3e2ad5293a78308ca6357223418c50f128e56cebf9fc157f49a465"),
        },
        IgeCase {
            encrypt: "ige-48/encrypt",
            decrypt: "ige-48/decrypt",
            key: hex("69b889ff1507cac3838982f7bd6bb6dff457d393f203cb8e8dfceb23bfa94d6b"),
            iv: hex("22a08efdd34dc80ec547e7176602da69c0aadf701b52847cb28146e23603455d"),
            plain: &hex::<48>(
                "a1564afae1fc5e6f580fdefe3e67aa69ae3a8ffbde5ec5324a79864f285436ce\
                 6c029eb1e2894a021a2721ebc222ce6f",
            ),
            cipher: &hex::<48>(
                "6620e00929f98771be760ce3303fda158caccf1f014291d2a2d1fa7d2f9121cf\
                 51c42fd5ffec71423ea893416a430644",
            ),
        },
    ];

    /// The vectors' deterministic generator: `SHA-256(seed ‖ 0 ‖ label ‖ 0 ‖ u32_be(i))`
    /// blocks, concatenated.
    fn drbg<P: CryptoProvider>(provider: &mut P, label: &[u8], out: &mut [u8]) {
        for (i, chunk) in (0u32..).zip(out.chunks_mut(32)) {
            let block = provider.sha256(&[
                b"mtproto-interop-vectors/v1\0",
                label,
                b"\0",
                &i.to_be_bytes(),
            ]);
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }

    fn ensure(ok: bool, case: &'static str) -> Result<(), ConformanceError> {
        if ok {
            Ok(())
        } else {
            Err(ConformanceError { case })
        }
    }

    /// Runs every known-answer case against `provider` and returns the first failure.
    ///
    /// Covers SHA-1 and SHA-256 (empty input, one and two blocks, inputs split into parts
    /// including empty ones), AES-256-IGE both ways at 16, 32, 48 and 1024 bytes, the empty
    /// buffer, and the refusal of lengths that are not a multiple of 16 (which must leave
    /// the buffer untouched).
    ///
    /// # Errors
    /// A [`ConformanceError`] naming the first case whose output differs.
    pub fn check<P: CryptoProvider>(provider: &mut P) -> Result<(), ConformanceError> {
        for case in HASH_CASES {
            ensure(provider.sha1(case.parts) == case.sha1, case.name1)?;
            ensure(provider.sha256(case.parts) == case.sha256, case.name256)?;
        }

        let mut buf = [0u8; 1024];
        for case in IGE_CASES {
            let n = case.plain.len();
            let work = &mut buf[..n];
            work.copy_from_slice(case.plain);
            let done = provider.aes256_ige_encrypt(&case.key, &case.iv, work);
            ensure(done.is_ok() && *work == *case.cipher, case.encrypt)?;
            let done = provider.aes256_ige_decrypt(&case.key, &case.iv, work);
            ensure(done.is_ok() && *work == *case.plain, case.decrypt)?;
        }

        // ige-1024: inputs rebuilt from the generator, ciphertext checked by its SHA-256.
        let mut key = [0u8; 32];
        let mut iv = [0u8; 32];
        drbg(provider, b"aes-ige/1024/key", &mut key);
        drbg(provider, b"aes-ige/1024/iv", &mut iv);
        drbg(provider, b"aes-ige/1024/plaintext", &mut buf);
        let plain_digest = provider.sha256(&[&buf]);
        let done = provider.aes256_ige_encrypt(&key, &iv, &mut buf);
        let want: [u8; 32] =
            hex("7df3d7c06ea8f46ae0084161bd057a8f438e0f5f90c7185075f74b6c337abe20");
        ensure(
            done.is_ok() && provider.sha256(&[&buf]) == want,
            "ige-1024/encrypt",
        )?;
        let done = provider.aes256_ige_decrypt(&key, &iv, &mut buf);
        ensure(
            done.is_ok() && provider.sha256(&[&buf]) == plain_digest,
            "ige-1024/decrypt",
        )?;

        // Empty and unaligned buffers.
        let key = [0x11; 32];
        let iv = [0x22; 32];
        ensure(
            provider.aes256_ige_encrypt(&key, &iv, &mut []).is_ok()
                && provider.aes256_ige_decrypt(&key, &iv, &mut []).is_ok(),
            "ige/empty buffer",
        )?;
        for len in [1, 15, 17, 31] {
            let work = &mut buf[..len];
            work.fill(0x5a);
            let enc = provider.aes256_ige_encrypt(&key, &iv, work);
            ensure(
                enc == Err(IgeError::UnalignedLength { len }) && work.iter().all(|&b| b == 0x5a),
                "ige/unaligned encrypt refused",
            )?;
            let dec = provider.aes256_ige_decrypt(&key, &iv, work);
            ensure(
                dec == Err(IgeError::UnalignedLength { len }) && work.iter().all(|&b| b == 0x5a),
                "ige/unaligned decrypt refused",
            )?;
        }
        Ok(())
    }
}
