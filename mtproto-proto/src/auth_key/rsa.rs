//! Step 4 of the exchange: RSA-encrypting `p_q_inner_data` for `req_DH_params`.
//!
//! Two schemes exist, and both matter:
//!
//! - **RSA_PAD** ([`RsaPublicKey::encrypt_rsa_pad`]), the scheme the specification describes
//!   (auth_key.md, 4.1): data of at most 144 bytes, random padding to 192, reversed,
//!   SHA-256 bound to a random `temp_key`, AES-256-IGE under that key with a zero IV, the key
//!   masked with SHA-256 of the ciphertext, then raw RSA.
//! - **The old scheme** ([`RsaPublicKey::encrypt_old`]): `SHA1(data) ‖ data ‖ random padding`
//!   to 255 bytes, then raw RSA. Telethon, Pyrogram and Kurigram still send this, so a server
//!   has to accept it.
//!
//! The server side ([`RsaPrivateKey`], feature `server`) decrypts either scheme and checks
//! its whole structure, with a typed [`RsaError`] for each way a ciphertext can be wrong.
//!
//! A key is identified by its fingerprint ([`RsaPublicKey::fingerprint`]): the low 64 bits of
//! SHA-1 over the TL serialization of `rsa_public_key n:bytes e:bytes`. [`find_key`] picks the
//! key to use from the server's list; Telegram's own keys are in [`super::keys`].
//!
//! Randomness comes in through the `rng` argument; the functions draw it only with
//! `fill_bytes`, in the order the specification lists it, so a recorded exchange can be
//! replayed byte for byte.

use core::fmt;

use aes::Aes256;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U64, U2048};
use rand_core::CryptoRng;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The size of a modulus, a plaintext block and a ciphertext, in bytes.
pub const RSA_BYTES: usize = 256;

/// The longest `data` [`RsaPublicKey::encrypt_rsa_pad`] accepts.
pub const RSA_PAD_MAX_DATA: usize = 144;

/// The length of `data_with_padding` in RSA_PAD (what [`RsaPrivateKey`] returns for it).
pub const RSA_PAD_DATA_WITH_PADDING: usize = 192;

/// The longest `data` [`RsaPublicKey::encrypt_old`] accepts: 255 bytes minus the SHA-1.
pub const OLD_MAX_DATA: usize = 255 - 20;

/// How many `temp_key`s RSA_PAD draws before giving up. Each try fails only when the 256-byte
/// block is at or above the modulus, which for a 2048-bit modulus happens with probability
/// below ½; 64 failures in a row mean the random source is broken.
pub const RSA_PAD_MAX_TRIES: u32 = 64;

/// What went wrong with a key, an encryption or a decryption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RsaError {
    /// The modulus is not exactly 2048 bits long (Telegram's blocks are 256 bytes).
    ModulusSize {
        /// Its length in bits.
        bits: u32,
    },
    /// The modulus is even, so it is not an RSA modulus.
    ModulusEven,
    /// The public exponent is not an odd number from 3 to 2⁶⁴ − 1.
    BadExponent,
    /// The private exponent does not undo the public one (`(2^e)^d ≠ 2 mod n`), or is zero or
    /// not below the modulus.
    KeyMismatch,
    /// The data to encrypt is longer than the scheme allows.
    DataTooLong {
        /// Its length.
        len: usize,
        /// The scheme's limit ([`RSA_PAD_MAX_DATA`] or [`OLD_MAX_DATA`]).
        max: usize,
    },
    /// RSA_PAD drew [`RSA_PAD_MAX_TRIES`] temp_keys and every block was at or above the
    /// modulus.
    PaddingTriesExhausted,
    /// The ciphertext is not exactly 256 bytes.
    CiphertextLength {
        /// Its length.
        len: usize,
    },
    /// The ciphertext (or the block given to [`RsaPublicKey::encrypt_raw`]), as a number, is
    /// not below the modulus.
    CiphertextOutOfRange,
    /// Old scheme: the decrypted block does not start with a zero byte (the 255-byte block
    /// must be below 2²⁰⁴⁰).
    OldLeadingByte {
        /// The first byte found.
        byte: u8,
    },
    /// Old scheme: no TL-sized prefix of the payload hashes to the SHA-1 at its start.
    OldHashMismatch,
    /// RSA_PAD: `SHA256(temp_key ‖ data_with_padding)` does not match the hash in the block.
    RsaPadHashMismatch,
}

impl fmt::Display for RsaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::ModulusSize { bits } => write!(
                f,
                "RSA modulus has {bits} bits, but Telegram keys have exactly 2048; check the key"
            ),
            Self::ModulusEven => f.write_str("RSA modulus is even; check the key"),
            Self::BadExponent => f.write_str(
                "RSA public exponent is not an odd number from 3 to 2^64 - 1; check the key",
            ),
            Self::KeyMismatch => f.write_str(
                "RSA private exponent does not match the public key; check the key pair",
            ),
            Self::DataTooLong { len, max } => write!(
                f,
                "{len} bytes are too many to RSA-encrypt with this scheme (at most {max})"
            ),
            Self::PaddingTriesExhausted => write!(
                f,
                "RSA_PAD found no block below the modulus in {RSA_PAD_MAX_TRIES} tries; the \
                 random number generator is broken"
            ),
            Self::CiphertextLength { len } => write!(
                f,
                "RSA ciphertext is {len} bytes instead of 256; reject the request (-404)"
            ),
            Self::CiphertextOutOfRange => {
                f.write_str("RSA ciphertext is not below the modulus; reject the request (-404)")
            }
            Self::OldLeadingByte { byte } => write!(
                f,
                "decrypted RSA block starts with {byte:#04x} instead of 0; wrong key or not the \
                 old scheme; reject the request (-404)"
            ),
            Self::OldHashMismatch => f.write_str(
                "decrypted RSA block has no data matching its SHA-1; wrong key or tampered; \
                 reject the request (-404)",
            ),
            Self::RsaPadHashMismatch => f.write_str(
                "decrypted RSA_PAD block fails its SHA-256 check; wrong key or tampered; reject \
                 the request (-404)",
            ),
        }
    }
}

impl core::error::Error for RsaError {}

/// A 2048-bit RSA public key as Telegram uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RsaPublicKey {
    pub(super) n: Odd<U2048>,
    pub(super) e: u64,
}

impl RsaPublicKey {
    /// A key from its modulus and public exponent as big-endian bytes (leading zeros
    /// allowed). The modulus must be odd and exactly 2048 bits long, the exponent odd, at
    /// least 3 and below 2⁶⁴.
    pub fn from_be_bytes(n: &[u8], e: &[u8]) -> Result<Self, RsaError> {
        let n = uint_from_be(n).ok_or(RsaError::ModulusSize {
            bits: bits_of_be(n),
        })?;
        let bits = n.bits_vartime();
        if bits != 2048 {
            return Err(RsaError::ModulusSize { bits });
        }
        let n = Option::from(Odd::new(n)).ok_or(RsaError::ModulusEven)?;
        let e_start = e.iter().position(|&b| b != 0).unwrap_or(e.len());
        let e = &e[e_start..];
        if e.len() > 8 {
            return Err(RsaError::BadExponent);
        }
        let e = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if e < 3 || e & 1 == 0 {
            return Err(RsaError::BadExponent);
        }
        Ok(Self { n, e })
    }

    /// The modulus.
    pub fn n(&self) -> &U2048 {
        self.n.as_ref()
    }

    /// The modulus as 256 big-endian bytes.
    pub fn n_be_bytes(&self) -> [u8; RSA_BYTES] {
        uint_to_be(self.n.as_ref())
    }

    /// The public exponent.
    pub fn e(&self) -> u64 {
        self.e
    }

    /// The key's fingerprint as it appears in `resPQ` and `req_DH_params` (a TL `long`): the
    /// last 8 bytes of `SHA1(rsa_public_key n:bytes e:bytes)` read as a little-endian `i64`,
    /// where `n` and `e` are big-endian without leading zeros, each TL-bytes encoded.
    pub fn fingerprint(&self) -> i64 {
        let n = self.n_be_bytes();
        let e = self.e.to_be_bytes();
        let e = &e[self.e.leading_zeros() as usize / 8..];
        let mut sha = Sha1::new();
        // n is 256 bytes: the long form fe + 3-byte length, no padding (4 + 256 ≡ 0 mod 4).
        sha.update([0xfe, 0x00, 0x01, 0x00]);
        sha.update(n);
        // e has 1..=8 bytes: a one-byte length, then padding to a multiple of 4.
        sha.update([e.len() as u8]);
        sha.update(e);
        sha.update(&[0u8; 3][..(4 - (1 + e.len()) % 4) % 4]);
        let digest: [u8; 20] = sha.finalize().into();
        let mut low = [0u8; 8];
        low.copy_from_slice(&digest[12..]);
        i64::from_le_bytes(low)
    }

    /// RSA_PAD (auth_key.md, 4.1): encrypts `data` (at most [`RSA_PAD_MAX_DATA`] bytes, the
    /// TL-serialized `p_q_inner_data_dc` or `p_q_inner_data_temp_dc`) into the 256 bytes of
    /// `encrypted_data`.
    ///
    /// Draws `192 − data.len()` padding bytes, then a 32-byte `temp_key` for each try.
    pub fn encrypt_rsa_pad<R: CryptoRng + ?Sized>(
        &self,
        data: &[u8],
        rng: &mut R,
    ) -> Result<[u8; RSA_BYTES], RsaError> {
        if data.len() > RSA_PAD_MAX_DATA {
            return Err(RsaError::DataTooLong {
                len: data.len(),
                max: RSA_PAD_MAX_DATA,
            });
        }
        let mut data_with_padding = [0u8; RSA_PAD_DATA_WITH_PADDING];
        data_with_padding[..data.len()].copy_from_slice(data);
        rng.fill_bytes(&mut data_with_padding[data.len()..]);
        for _ in 0..RSA_PAD_MAX_TRIES {
            let mut temp_key = [0u8; 32];
            rng.fill_bytes(&mut temp_key);
            let block = rsa_pad_block(&data_with_padding, &temp_key);
            let m = U2048::from_be_slice(&block);
            if m < *self.n.as_ref() {
                return Ok(uint_to_be(&self.raw_encrypt(&m)));
            }
        }
        Err(RsaError::PaddingTriesExhausted)
    }

    /// The old scheme: encrypts `SHA1(data) ‖ data ‖ padding` (255 bytes) for `data` of at most
    /// [`OLD_MAX_DATA`] bytes (the TL-serialized `p_q_inner_data`). Draws `235 − data.len()`
    /// padding bytes.
    pub fn encrypt_old<R: CryptoRng + ?Sized>(
        &self,
        data: &[u8],
        rng: &mut R,
    ) -> Result<[u8; RSA_BYTES], RsaError> {
        if data.len() > OLD_MAX_DATA {
            return Err(RsaError::DataTooLong {
                len: data.len(),
                max: OLD_MAX_DATA,
            });
        }
        // block[0] = 0, then the 255 bytes.
        let mut block = [0u8; RSA_BYTES];
        block[1..21].copy_from_slice(&Sha1::digest(data));
        block[21..21 + data.len()].copy_from_slice(data);
        rng.fill_bytes(&mut block[21 + data.len()..]);
        // Below 2^2040 ≤ n: always in range.
        let m = U2048::from_be_slice(&block);
        Ok(uint_to_be(&self.raw_encrypt(&m)))
    }

    /// Textbook RSA of one 256-byte big-endian block, which must be below the modulus
    /// ([`RsaError::CiphertextOutOfRange`] otherwise). Both schemes end with this; it is
    /// public for tests and for building hostile inputs, not for use on its own.
    pub fn encrypt_raw(&self, block: &[u8; RSA_BYTES]) -> Result<[u8; RSA_BYTES], RsaError> {
        let m = U2048::from_be_slice(block);
        if m >= *self.n.as_ref() {
            return Err(RsaError::CiphertextOutOfRange);
        }
        Ok(uint_to_be(&self.raw_encrypt(&m)))
    }

    /// m^e mod n, for m < n.
    fn raw_encrypt(&self, m: &U2048) -> U2048 {
        let params = FixedMontyParams::new_vartime(self.n);
        FixedMontyForm::new(m, &params)
            .pow_vartime(&U64::from_u64(self.e))
            .retrieve()
    }
}

/// The first key of `keys` whose fingerprint the server listed in `resPQ`
/// (`server_public_key_fingerprints`), with that fingerprint. The order of `keys` is the
/// preference: list the current key first.
pub fn find_key<'k>(
    keys: &'k [RsaPublicKey],
    server_fingerprints: &[i64],
) -> Option<(&'k RsaPublicKey, i64)> {
    keys.iter().find_map(|key| {
        let fingerprint = key.fingerprint();
        server_fingerprints
            .contains(&fingerprint)
            .then_some((key, fingerprint))
    })
}

/// `key_aes_encrypted` for one `temp_key` (every RSA_PAD step before the comparison with n).
fn rsa_pad_block(
    data_with_padding: &[u8; RSA_PAD_DATA_WITH_PADDING],
    temp_key: &[u8; 32],
) -> [u8; RSA_BYTES] {
    let mut block = [0u8; RSA_BYTES];
    // aes_encrypted occupies block[32..]: data_pad_reversed ‖ SHA256(temp_key ‖ data_with_padding).
    let (key_part, aes_part) = block.split_at_mut(32);
    for (dst, src) in aes_part[..192]
        .iter_mut()
        .zip(data_with_padding.iter().rev())
    {
        *dst = *src;
    }
    let hash = Sha256::new()
        .chain_update(temp_key)
        .chain_update(data_with_padding)
        .finalize();
    aes_part[192..].copy_from_slice(&hash);
    ige::encrypt(aes_part, temp_key);
    let mask = Sha256::digest(&*aes_part);
    for ((dst, k), m) in key_part.iter_mut().zip(temp_key).zip(mask.iter()) {
        *dst = k ^ m;
    }
    block
}

/// Big-endian bytes (at most 256, leading zeros allowed) as a `U2048`; `None` if the value
/// needs more than 2048 bits.
pub(super) fn uint_from_be(bytes: &[u8]) -> Option<U2048> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let bytes = &bytes[start..];
    if bytes.len() > RSA_BYTES {
        return None;
    }
    let mut buf = [0u8; RSA_BYTES];
    buf[RSA_BYTES - bytes.len()..].copy_from_slice(bytes);
    Some(U2048::from_be_slice(&buf))
}

/// A `U2048` as 256 big-endian bytes.
pub(super) fn uint_to_be(x: &U2048) -> [u8; RSA_BYTES] {
    let mut out = [0u8; RSA_BYTES];
    out.copy_from_slice(x.to_be_bytes().as_slice());
    out
}

/// The bit length of a big-endian byte string (for error reports).
pub(super) fn bits_of_be(bytes: &[u8]) -> u32 {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    match bytes.get(start) {
        Some(&top) => {
            let rest = (bytes.len() - start - 1).min((u32::MAX / 8) as usize - 1) as u32;
            rest * 8 + (8 - top.leading_zeros())
        }
        None => 0,
    }
}

/// Compares two byte strings without an early exit.
#[cfg(feature = "server")]
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The minimal AES-256-IGE RSA_PAD needs (zero IV, whole blocks); `crypto::ige` is the
/// general one.
mod ige {
    use super::{Aes256, BlockCipherEncrypt, KeyInit};

    /// Encrypts `data` (a multiple of 16 bytes) in place with a zero IV:
    /// `cᵢ = E(pᵢ ⊕ cᵢ₋₁) ⊕ pᵢ₋₁`, with `c₋₁ = p₋₁ = 0`.
    pub(super) fn encrypt(data: &mut [u8], key: &[u8; 32]) {
        let cipher = Aes256::new(&(*key).into());
        let mut prev_c = [0u8; 16];
        let mut prev_p = [0u8; 16];
        for chunk in data.chunks_exact_mut(16) {
            let mut p = [0u8; 16];
            p.copy_from_slice(chunk);
            let mut block = [0u8; 16];
            for i in 0..16 {
                block[i] = p[i] ^ prev_c[i];
            }
            let mut block = block.into();
            cipher.encrypt_block(&mut block);
            for i in 0..16 {
                chunk[i] = block[i] ^ prev_p[i];
            }
            prev_c.copy_from_slice(chunk);
            prev_p = p;
        }
    }

    /// Decrypts `data` (a multiple of 16 bytes) in place with a zero IV:
    /// `pᵢ = D(cᵢ ⊕ pᵢ₋₁) ⊕ cᵢ₋₁`.
    #[cfg(feature = "server")]
    pub(super) fn decrypt(data: &mut [u8], key: &[u8; 32]) {
        use aes::cipher::BlockCipherDecrypt;
        let cipher = Aes256::new(&(*key).into());
        let mut prev_c = [0u8; 16];
        let mut prev_p = [0u8; 16];
        for chunk in data.chunks_exact_mut(16) {
            let mut c = [0u8; 16];
            c.copy_from_slice(chunk);
            let mut block = [0u8; 16];
            for i in 0..16 {
                block[i] = c[i] ^ prev_p[i];
            }
            let mut block = block.into();
            cipher.decrypt_block(&mut block);
            for i in 0..16 {
                chunk[i] = block[i] ^ prev_c[i];
            }
            prev_p.copy_from_slice(chunk);
            prev_c = c;
        }
    }
}

#[cfg(feature = "server")]
pub use server::{RsaPlaintext, RsaPrivateKey, RsaScheme};

#[cfg(feature = "server")]
mod server {
    use super::*;

    /// Which scheme a client used for `encrypted_data`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum RsaScheme {
        /// `SHA1(data) ‖ data ‖ padding`, raw RSA (Telethon, Pyrogram, Kurigram).
        Old,
        /// RSA_PAD as specified (auth_key.md, 4.1).
        RsaPad,
    }

    /// A decrypted `encrypted_data` of `req_DH_params`.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub struct RsaPlaintext {
        scheme: RsaScheme,
        buf: [u8; OLD_MAX_DATA],
        len: usize,
    }

    impl fmt::Debug for RsaPlaintext {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("RsaPlaintext")
                .field("scheme", &self.scheme)
                .field("len", &self.len)
                .finish_non_exhaustive()
        }
    }

    impl RsaPlaintext {
        /// The scheme the client used.
        pub fn scheme(&self) -> RsaScheme {
            self.scheme
        }

        /// The plaintext. Old scheme: exactly the data whose SHA-1 the block carried (a
        /// multiple of 4 bytes, as TL is). RSA_PAD: all 192 bytes of `data_with_padding`,
        /// the TL data followed by random padding, so parse a TL object from the start and
        /// ignore the rest.
        pub fn data(&self) -> &[u8] {
            &self.buf[..self.len]
        }
    }

    /// A 2048-bit RSA private key (the server role).
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub struct RsaPrivateKey {
        public: RsaPublicKey,
        d: U2048,
    }

    impl fmt::Debug for RsaPrivateKey {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("RsaPrivateKey")
                .field("public", &self.public)
                .finish_non_exhaustive()
        }
    }

    impl RsaPrivateKey {
        /// A key from modulus, public and private exponent as big-endian bytes. Checks the
        /// public part as [`RsaPublicKey::from_be_bytes`] does, and that `d` undoes `e`
        /// (one encryption and decryption of 2).
        pub fn from_be_bytes(n: &[u8], e: &[u8], d: &[u8]) -> Result<Self, RsaError> {
            let public = RsaPublicKey::from_be_bytes(n, e)?;
            let d = uint_from_be(d).ok_or(RsaError::KeyMismatch)?;
            if d == U2048::ZERO || d >= *public.n() {
                return Err(RsaError::KeyMismatch);
            }
            let key = Self { public, d };
            let two = U2048::from_u8(2);
            if key.raw_decrypt(&public.raw_encrypt(&two)) != two {
                return Err(RsaError::KeyMismatch);
            }
            Ok(key)
        }

        /// The public half.
        pub fn public_key(&self) -> &RsaPublicKey {
            &self.public
        }

        /// c^d mod n, constant time in d.
        fn raw_decrypt(&self, c: &U2048) -> U2048 {
            let params = FixedMontyParams::new_vartime(self.public.n);
            FixedMontyForm::new(c, &params).pow_amm(&self.d).retrieve()
        }

        /// Raw RSA decryption of a 256-byte ciphertext below the modulus, into 256 bytes.
        pub fn decrypt_raw(&self, ciphertext: &[u8]) -> Result<[u8; RSA_BYTES], RsaError> {
            if ciphertext.len() != RSA_BYTES {
                return Err(RsaError::CiphertextLength {
                    len: ciphertext.len(),
                });
            }
            let c = U2048::from_be_slice(ciphertext);
            if c >= *self.public.n() {
                return Err(RsaError::CiphertextOutOfRange);
            }
            Ok(uint_to_be(&self.raw_decrypt(&c)))
        }

        /// Decrypts `encrypted_data` of either scheme: the old one if the block is a valid
        /// old-scheme block, otherwise RSA_PAD. The error, if both fail, is RSA_PAD's.
        pub fn decrypt(&self, ciphertext: &[u8]) -> Result<RsaPlaintext, RsaError> {
            let block = self.decrypt_raw(ciphertext)?;
            unpad_old(&block).or_else(|_| unpad_rsa_pad(&block))
        }

        /// Decrypts an old-scheme `encrypted_data`.
        pub fn decrypt_old(&self, ciphertext: &[u8]) -> Result<RsaPlaintext, RsaError> {
            unpad_old(&self.decrypt_raw(ciphertext)?)
        }

        /// Decrypts an RSA_PAD `encrypted_data`.
        pub fn decrypt_rsa_pad(&self, ciphertext: &[u8]) -> Result<RsaPlaintext, RsaError> {
            unpad_rsa_pad(&self.decrypt_raw(ciphertext)?)
        }
    }

    /// Old scheme: `00 ‖ SHA1(data) ‖ data ‖ padding`. The data length is not sent, so every
    /// TL length (a multiple of 4, longest first) is tried against the SHA-1.
    fn unpad_old(block: &[u8; RSA_BYTES]) -> Result<RsaPlaintext, RsaError> {
        if block[0] != 0 {
            return Err(RsaError::OldLeadingByte { byte: block[0] });
        }
        let hash = &block[1..21];
        let payload = &block[21..];
        let mut found = None;
        for len in (4..=OLD_MAX_DATA).rev().filter(|len| len % 4 == 0) {
            if ct_eq(&Sha1::digest(&payload[..len]), hash) {
                found = Some(len);
                break;
            }
        }
        let len = found.ok_or(RsaError::OldHashMismatch)?;
        let mut buf = [0u8; OLD_MAX_DATA];
        buf[..len].copy_from_slice(&payload[..len]);
        Ok(RsaPlaintext {
            scheme: RsaScheme::Old,
            buf,
            len,
        })
    }

    /// RSA_PAD, undone step by step, checking the SHA-256 that binds `temp_key` to the data.
    fn unpad_rsa_pad(block: &[u8; RSA_BYTES]) -> Result<RsaPlaintext, RsaError> {
        let (temp_key_xor, aes_encrypted) = block.split_at(32);
        let mask = Sha256::digest(aes_encrypted);
        let mut temp_key = [0u8; 32];
        for ((dst, x), m) in temp_key.iter_mut().zip(temp_key_xor).zip(mask.iter()) {
            *dst = x ^ m;
        }
        let mut data_with_hash = [0u8; 224];
        data_with_hash.copy_from_slice(aes_encrypted);
        ige::decrypt(&mut data_with_hash, &temp_key);
        let mut buf = [0u8; OLD_MAX_DATA];
        for (dst, src) in buf[..RSA_PAD_DATA_WITH_PADDING]
            .iter_mut()
            .zip(data_with_hash[..RSA_PAD_DATA_WITH_PADDING].iter().rev())
        {
            *dst = *src;
        }
        let hash = Sha256::new()
            .chain_update(temp_key)
            .chain_update(&buf[..RSA_PAD_DATA_WITH_PADDING])
            .finalize();
        if !ct_eq(&hash, &data_with_hash[RSA_PAD_DATA_WITH_PADDING..]) {
            return Err(RsaError::RsaPadHashMismatch);
        }
        Ok(RsaPlaintext {
            scheme: RsaScheme::RsaPad,
            buf,
            len: RSA_PAD_DATA_WITH_PADDING,
        })
    }
}
