//! AES-256 in infinite garble extension (IGE) mode, in place, as MTProto uses it.
//!
//! IGE chains every block to both the previous ciphertext and the previous plaintext:
//! `cᵢ = E(pᵢ ⊕ cᵢ₋₁) ⊕ pᵢ₋₁` and `pᵢ = D(cᵢ ⊕ pᵢ₋₁) ⊕ cᵢ₋₁`. The 32-byte IV follows the
//! MTProto (tgcrypto, cryptg, grammers) convention: `iv[0..16]` is `c₋₁` and `iv[16..32]`
//! is `p₋₁`.
//!
//! [`IgeEncryptor`] and [`IgeDecryptor`] expand the key once and keep the chain, so a long
//! buffer may be processed in pieces (each a multiple of 16 bytes) with the same result
//! as one call. [`encrypt_in_place`] and [`decrypt_in_place`] do a whole buffer at once.
//!
//! Both directions are serial: every block waits for the one before. The loop therefore
//! runs inside a single `aes` backend closure, so the round keys are loaded (and, on
//! VAES-capable x86, broadcast) once per call rather than once per block.
//!
//! ```
//! use ferrogram_mtproto_proto::crypto::ige;
//!
//! let key = [7u8; 32];
//! let iv = [9u8; 32];
//! let mut buf = *b"thirty-two bytes of plain text!!";
//! ige::encrypt_in_place(&key, &iv, &mut buf)?;
//! assert_ne!(&buf, b"thirty-two bytes of plain text!!");
//! ige::decrypt_in_place(&key, &iv, &mut buf)?;
//! assert_eq!(&buf, b"thirty-two bytes of plain text!!");
//! # Ok::<(), ige::IgeError>(())
//! ```

use core::fmt;

use aes::cipher::consts::U16;
use aes::cipher::{
    BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt, BlockCipherEncBackend,
    BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, KeyInit,
};
use aes::{Aes256Dec, Aes256Enc, Block};

/// The AES block size: every IGE input is a whole number of these.
pub const BLOCK_LEN: usize = 16;

/// Why an IGE call refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgeError {
    /// The buffer length is not a multiple of [`BLOCK_LEN`]; nothing was changed.
    UnalignedLength {
        /// The length that was passed.
        len: usize,
    },
}

impl fmt::Display for IgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnalignedLength { len } => write!(
                f,
                "AES-IGE input is {len} bytes, which is not a multiple of 16; pad the data to \
                 whole 16-byte blocks before encrypting (MTProto payloads always are)"
            ),
        }
    }
}

impl core::error::Error for IgeError {}

fn check_len(buf: &[u8]) -> Result<(), IgeError> {
    if buf.len() % BLOCK_LEN == 0 {
        Ok(())
    } else {
        Err(IgeError::UnalignedLength { len: buf.len() })
    }
}

/// The two chaining values of IGE: the previous ciphertext and plaintext block.
#[derive(Clone, Copy)]
struct Chain {
    prev_cipher: [u8; 16],
    prev_plain: [u8; 16],
}

impl Chain {
    fn from_iv(iv: &[u8; 32]) -> Self {
        let mut prev_cipher = [0; 16];
        let mut prev_plain = [0; 16];
        let (c, p) = iv.split_at(16);
        prev_cipher.copy_from_slice(c);
        prev_plain.copy_from_slice(p);
        Self {
            prev_cipher,
            prev_plain,
        }
    }
}

/// `a ^ b`, written so LLVM emits one 128-bit XOR.
#[inline(always)]
fn xor(a: &[u8; 16], b: &[u8; 16]) -> [u8; 16] {
    let mut out = [0; 16];
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x ^ y;
    }
    out
}

/// The buffer as 16-byte blocks; the caller has checked the length.
#[inline(always)]
fn blocks_mut(buf: &mut [u8]) -> impl Iterator<Item = &mut [u8; 16]> {
    buf.chunks_exact_mut(BLOCK_LEN)
        .filter_map(|chunk| <&mut [u8; 16]>::try_from(chunk).ok())
}

/// The whole encryption chain, run with one backend.
struct EncryptChain<'a> {
    buf: &'a mut [u8],
    chain: &'a mut Chain,
}

impl BlockSizeUser for EncryptChain<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for EncryptChain<'_> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        let mut prev_cipher = self.chain.prev_cipher;
        let mut prev_plain = self.chain.prev_plain;
        for block in blocks_mut(self.buf) {
            let plain = *block;
            let mut x = Block::from(xor(&plain, &prev_cipher));
            backend.encrypt_block_inplace(&mut x);
            let cipher = xor(&x.into(), &prev_plain);
            *block = cipher;
            prev_cipher = cipher;
            prev_plain = plain;
        }
        self.chain.prev_cipher = prev_cipher;
        self.chain.prev_plain = prev_plain;
    }
}

/// The whole decryption chain, run with one backend.
struct DecryptChain<'a> {
    buf: &'a mut [u8],
    chain: &'a mut Chain,
}

impl BlockSizeUser for DecryptChain<'_> {
    type BlockSize = U16;
}

impl BlockCipherDecClosure for DecryptChain<'_> {
    #[inline(always)]
    fn call<B: BlockCipherDecBackend<BlockSize = U16>>(self, backend: &B) {
        let mut prev_cipher = self.chain.prev_cipher;
        let mut prev_plain = self.chain.prev_plain;
        for block in blocks_mut(self.buf) {
            let cipher = *block;
            let mut x = Block::from(xor(&cipher, &prev_plain));
            backend.decrypt_block_inplace(&mut x);
            let plain = xor(&x.into(), &prev_cipher);
            *block = plain;
            prev_cipher = cipher;
            prev_plain = plain;
        }
        self.chain.prev_cipher = prev_cipher;
        self.chain.prev_plain = prev_plain;
    }
}

/// AES-256-IGE encryption as a streaming state: the key is expanded once, and each
/// [`encrypt`](Self::encrypt) call continues the chain where the previous one stopped.
#[derive(Clone)]
pub struct IgeEncryptor {
    cipher: Aes256Enc,
    chain: Chain,
}

impl IgeEncryptor {
    /// Expands `key` and starts the chain at `iv` (`c₋₁ ‖ p₋₁`).
    pub fn new(key: &[u8; 32], iv: &[u8; 32]) -> Self {
        Self {
            cipher: Aes256Enc::new(key.into()),
            chain: Chain::from_iv(iv),
        }
    }

    /// Encrypts `buf` in place, continuing the chain.
    ///
    /// # Errors
    /// [`IgeError::UnalignedLength`] if `buf.len()` is not a multiple of 16; then neither
    /// `buf` nor the chain is changed.
    pub fn encrypt(&mut self, buf: &mut [u8]) -> Result<(), IgeError> {
        check_len(buf)?;
        self.cipher.encrypt_with_backend(EncryptChain {
            buf,
            chain: &mut self.chain,
        });
        Ok(())
    }

    /// The IV that would continue the chain from here (`c₋₁ ‖ p₋₁` of the next block).
    pub fn next_iv(&self) -> [u8; 32] {
        join_iv(&self.chain)
    }
}

impl fmt::Debug for IgeEncryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IgeEncryptor { .. }")
    }
}

/// AES-256-IGE decryption as a streaming state: the key is expanded once, and each
/// [`decrypt`](Self::decrypt) call continues the chain where the previous one stopped.
#[derive(Clone)]
pub struct IgeDecryptor {
    cipher: Aes256Dec,
    chain: Chain,
}

impl IgeDecryptor {
    /// Expands `key` for decryption and starts the chain at `iv` (`c₋₁ ‖ p₋₁`).
    pub fn new(key: &[u8; 32], iv: &[u8; 32]) -> Self {
        Self {
            cipher: Aes256Dec::new(key.into()),
            chain: Chain::from_iv(iv),
        }
    }

    /// Decrypts `buf` in place, continuing the chain.
    ///
    /// # Errors
    /// [`IgeError::UnalignedLength`] if `buf.len()` is not a multiple of 16; then neither
    /// `buf` nor the chain is changed.
    pub fn decrypt(&mut self, buf: &mut [u8]) -> Result<(), IgeError> {
        check_len(buf)?;
        self.cipher.decrypt_with_backend(DecryptChain {
            buf,
            chain: &mut self.chain,
        });
        Ok(())
    }

    /// The IV that would continue the chain from here (`c₋₁ ‖ p₋₁` of the next block).
    pub fn next_iv(&self) -> [u8; 32] {
        join_iv(&self.chain)
    }
}

impl fmt::Debug for IgeDecryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IgeDecryptor { .. }")
    }
}

fn join_iv(chain: &Chain) -> [u8; 32] {
    let mut iv = [0; 32];
    let (c, p) = iv.split_at_mut(16);
    c.copy_from_slice(&chain.prev_cipher);
    p.copy_from_slice(&chain.prev_plain);
    iv
}

/// Encrypts `buf` in place with AES-256-IGE under `key` and `iv` (`c₋₁ ‖ p₋₁`).
///
/// # Errors
/// [`IgeError::UnalignedLength`] if `buf.len()` is not a multiple of 16 (checked before the
/// key is expanded; `buf` is unchanged).
pub fn encrypt_in_place(key: &[u8; 32], iv: &[u8; 32], buf: &mut [u8]) -> Result<(), IgeError> {
    check_len(buf)?;
    IgeEncryptor::new(key, iv).encrypt(buf)
}

/// Decrypts `buf` in place with AES-256-IGE under `key` and `iv` (`c₋₁ ‖ p₋₁`).
///
/// # Errors
/// [`IgeError::UnalignedLength`] if `buf.len()` is not a multiple of 16 (checked before the
/// key is expanded; `buf` is unchanged).
pub fn decrypt_in_place(key: &[u8; 32], iv: &[u8; 32], buf: &mut [u8]) -> Result<(), IgeError> {
    check_len(buf)?;
    IgeDecryptor::new(key, iv).decrypt(buf)
}
