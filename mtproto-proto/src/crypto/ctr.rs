//! AES-256-CTR as the obfuscated transports use it: a 128-bit big-endian counter starting at
//! the IV (OpenSSL's `EVP_aes_256_ctr`), one long keystream per connection and direction.
//!
//! [`Aes256Ctr`] keeps its position between calls, so a stream can be encrypted or decrypted
//! in place in pieces of any length (one byte at a time gives the same result as one call).
//! Whole blocks are generated eight at a time so the AES backend (AES-NI, VAES or the
//! constant-time software one) can work on them in parallel.

use aes::Aes256Enc;
use aes::cipher::{Array, BlockCipherEncrypt, KeyInit};

/// Blocks of keystream generated per AES backend call.
const BATCH: usize = 8;

/// A streaming AES-256-CTR keystream. Encryption and decryption are the same operation:
/// [`apply_keystream`](Aes256Ctr::apply_keystream).
#[derive(Clone)]
pub struct Aes256Ctr {
    cipher: Aes256Enc,
    /// The counter of the next block to generate.
    counter: u128,
    /// The current keystream block; bytes `used..16` are still unused.
    block: [u8; 16],
    used: usize,
    /// Bytes of keystream used so far.
    offset: u64,
}

impl core::fmt::Debug for Aes256Ctr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print key material.
        f.debug_struct("Aes256Ctr")
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl Aes256Ctr {
    /// A keystream for `key` whose first block is `AES(key, iv)`.
    #[must_use]
    pub fn new(key: &[u8; 32], iv: &[u8; 16]) -> Self {
        Self {
            cipher: Aes256Enc::new(&Array::from(*key)),
            counter: u128::from_be_bytes(*iv),
            block: [0; 16],
            used: 16,
            offset: 0,
        }
    }

    /// How many keystream bytes have been used since [`new`](Aes256Ctr::new).
    #[must_use]
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// XORs the next `data.len()` keystream bytes into `data` (encrypts or decrypts in place).
    pub fn apply_keystream(&mut self, data: &mut [u8]) {
        self.offset = self.offset.wrapping_add(data.len() as u64);
        let mut data = data;

        // Finish the current block first.
        if self.used < 16 {
            let n = data.len().min(16 - self.used);
            let (head, rest) = data.split_at_mut(n);
            xor(head, &self.block[self.used..self.used + n]);
            self.used += n;
            data = rest;
        }

        // Whole blocks, BATCH at a time.
        let mut chunks = data.chunks_exact_mut(16 * BATCH);
        for chunk in &mut chunks {
            let ks = self.next_blocks::<BATCH>();
            for (d, k) in chunk.chunks_exact_mut(16).zip(ks.iter()) {
                xor(d, k);
            }
        }
        let data = chunks.into_remainder();
        let mut blocks = data.chunks_exact_mut(16);
        for d in &mut blocks {
            let [k] = self.next_blocks::<1>();
            xor(d, &k);
        }

        // A partial last block keeps the rest of its keystream for the next call.
        let tail = blocks.into_remainder();
        if !tail.is_empty() {
            let [k] = self.next_blocks::<1>();
            self.block = k;
            xor(tail, &k[..tail.len()]);
            self.used = tail.len();
        }
    }

    /// Encrypts the next `N` counter blocks in one backend call.
    fn next_blocks<const N: usize>(&mut self) -> [[u8; 16]; N] {
        let mut out = [[0u8; 16]; N];
        for b in &mut out {
            *b = self.counter.to_be_bytes();
            self.counter = self.counter.wrapping_add(1);
        }
        self.cipher
            .encrypt_blocks(Array::cast_slice_from_core_mut(&mut out));
        out
    }
}

fn xor(data: &mut [u8], keystream: &[u8]) {
    for (d, k) in data.iter_mut().zip(keystream) {
        *d ^= k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex<const N: usize>(s: &str) -> [u8; N] {
        let mut out = [0u8; N];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    /// NIST SP 800-38A, F.5.5 CTR-AES256.Encrypt.
    #[test]
    fn nist_sp800_38a() {
        let key: [u8; 32] = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        let iv: [u8; 16] = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        let plain: [u8; 64] = hex(concat!(
            "6bc1bee22e409f96e93d7e117393172a",
            "ae2d8a571e03ac9c9eb76fac45af8e51",
            "30c81c46a35ce411e5fbc1191a0a52ef",
            "f69f2445df4f9b17ad2b417be66c3710"
        ));
        let cipher: [u8; 64] = hex(concat!(
            "601ec313775789a5b7a7f504bbf3d228",
            "f443e3ca4d62b59aca84e990cacaf5c5",
            "2b0930daa23de94ce87017ba2d84988d",
            "dfc9c58db67aada613c2dd08457941a6"
        ));
        let mut buf = plain;
        Aes256Ctr::new(&key, &iv).apply_keystream(&mut buf);
        assert_eq!(buf, cipher);

        // Any split gives the same stream.
        for split in 0..=64 {
            let mut buf = plain;
            let mut ctr = Aes256Ctr::new(&key, &iv);
            let (a, b) = buf.split_at_mut(split);
            ctr.apply_keystream(a);
            ctr.apply_keystream(b);
            assert_eq!(buf, cipher, "split at {split}");
            assert_eq!(ctr.offset(), 64);
        }
    }

    #[test]
    fn batched_equals_bytewise() {
        let key = [7u8; 32];
        let iv = [0xffu8; 16]; // the counter wraps around
        let mut a = [0u8; 16 * 19 + 5];
        let mut b = a;
        Aes256Ctr::new(&key, &iv).apply_keystream(&mut a);
        let mut ctr = Aes256Ctr::new(&key, &iv);
        for byte in b.iter_mut() {
            ctr.apply_keystream(core::slice::from_mut(byte));
        }
        assert_eq!(a, b);
    }
}
