//! Helpers shared by the `auth_math_*` tests.
#![allow(dead_code)]

use core::convert::Infallible;
use rand_core::{TryCryptoRng, TryRng};

/// Lowercase or uppercase hex to bytes (whitespace ignored).
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => panic!("not hex: {b}"),
        })
        .collect();
    let odd = digits.len() % 2;
    let mut out = Vec::with_capacity(digits.len() / 2 + odd);
    if odd == 1 {
        out.push(digits[0]);
    }
    for pair in digits[odd..].chunks(2) {
        out.push(pair[0] << 4 | pair[1]);
    }
    out
}

/// Serves recorded bytes in order, then panics (a test drew more than it recorded).
pub struct Replay {
    bytes: Vec<u8>,
    pos: usize,
}

impl Replay {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self { bytes, pos: 0 }
    }
    pub fn consumed(&self) -> usize {
        self.pos
    }
}

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let end = self.pos + dst.len();
        assert!(end <= self.bytes.len(), "replay ran out of recorded bytes");
        dst.copy_from_slice(&self.bytes[self.pos..end]);
        self.pos = end;
        Ok(())
    }
}

impl TryCryptoRng for Replay {}

/// A deterministic generator for tests (SHA-256 in counter mode over a seed).
pub struct TestRng {
    seed: u64,
    counter: u64,
    buf: [u8; 32],
    used: usize,
}

impl TestRng {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            counter: 0,
            buf: [0; 32],
            used: 32,
        }
    }
}

impl TryRng for TestRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        use sha2::{Digest, Sha256};
        for byte in dst {
            if self.used == 32 {
                self.buf = Sha256::new()
                    .chain_update(self.seed.to_le_bytes())
                    .chain_update(self.counter.to_le_bytes())
                    .finalize()
                    .into();
                self.counter += 1;
                self.used = 0;
            }
            *byte = self.buf[self.used];
            self.used += 1;
        }
        Ok(())
    }
}

impl TryCryptoRng for TestRng {}

/// Big-endian bytes as a decimal string (for libraries that take decimal keys).
pub fn to_decimal(be: &[u8]) -> String {
    let mut num: Vec<u8> = be.to_vec();
    let mut digits = Vec::new();
    while num.iter().any(|&b| b != 0) {
        let mut rem = 0u32;
        for b in num.iter_mut() {
            let cur = rem * 256 + u32::from(*b);
            *b = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap()
}

/// The parsed `tests/data/rsa_fingerprints.json`.
pub fn rsa_vectors() -> serde_json::Value {
    serde_json::from_str(include_str!("../data/rsa_fingerprints.json")).unwrap()
}

// RFC 3526 group 14 (2048-bit MODP): another safe prime, with p mod 8 = 7 (g = 2 allowed).
pub const RFC3526_PRIME: &str = "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3be39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff";

// Hostile primes, generated for these tests with Python's pow (Miller–Rabin, 30 rounds):
// a 2048-bit prime ≡ 3 (mod 4) and ≡ 2 (mod 3) whose (p − 1)/2 is composite without factors
// below 1024 (only Miller–Rabin on (p − 1)/2 catches it) ...
pub const PRIME_NOT_SAFE: &str = "f45fb93e69bc8edf2184e8719e45b892ddc6a886a53438c1de28d57295ba13064033a69135ce3daba7c4097868fd6c2b1ec6ec9c13ca1f29ce71d1fcd0a83b55351033504066071d64f4c1e9862ea7812000c697c06a5b5a68194b09e68b8f6f46985995be5e47e993e7cfc9898100f5ad6a050106113d9b542dde1420365957379c6a298ee05023715dfe02568bf54a5d4d8897de41f79e6fb4a5e1abae2b96dbc8e31cb2b333c75ee1e5c6bf1eb9e05b0b9f89d5663f25edd77b86f81b3c4cb51c198a24cfc1a8d4af178dabe0f6a12758ac6aafaff36fcf922e37f15a99a77a4991f63c6eb2afe4e6108da443574cdc0748b0420af113d4e6ddcaf494f98f";
// ... a prime ≡ 3 (mod 4) with 5 | (p − 1)/2 ...
pub const PRIME_Q_DIV_5: &str = "ccee13d0d12cd88a029d004399a41fab84be211e74bd35745029437a3d4a7917448d1a689191648307843613475d851b21e18e2a7bfb5d830898c8b3e95d170afd53ed15977bb601017b3c85901832bad1c28dc03987c7e53e27fea6d40a25d09b6a870ad697855f84ee869f4f84cbded066bf5a52fd526740d5bf1507ae015eda41aaf9a15a1fa5cae68a891f9b84639b65a4957864b806f263dfe61ed6438a6e46e31ab6e3b9da936880ab6478ebd6acddd6113b3f62dd845826c2c8c22f71763ed4a43d11ba1bce27df30e33d10e9d5112b3cc01ac9282697ce0413a4738e7ae8236de69cee68a47f943ffd5338ce3d32d21821ec8ddd7d19a1040a642a7b";
// ... and a prime ≡ 1 (mod 4), so (p − 1)/2 is even.
pub const PRIME_1_MOD_4: &str = "eb14260a562783afba3a6250d5f8a6ee45c89749be57d2331a373f8ea90eafb8475979c41a2edd665b299f9c44220eafe334058e90ebbc052b83426da26d466dc4385521bceb4ecf26122b783bacd183828dcbd36693e6aba10b6b325b0d2fb06f94e2fdf33f2aa2d30199002757f85afc616fc75b893fa9f11ada8825468f773d141e0a1d21f048f7ba8545ad2a3c5dee3169f20630170b04f582725c83a3cfa2f0494bb5e29624cde80d6360b94acffc55c444b39230576ed2bd689d006bd2755ced8c627dd4d5fc24aa024ecd89c9563cc83dee23cdfe23835e7743fdce3c5dc7b6adc282edf59edfbcf62cfa98e8855d516cb69438718ed2a770f3caf991";

/// Big-endian a + d (d small, may be negative), 256 bytes, no overflow expected.
pub fn add_small(a: &[u8], d: i64) -> Vec<u8> {
    let mut out = a.to_vec();
    let mut carry = d;
    for byte in out.iter_mut().rev() {
        let v = i64::from(*byte) + carry;
        *byte = v.rem_euclid(256) as u8;
        carry = v.div_euclid(256);
        if carry == 0 {
            break;
        }
    }
    out
}

/// 2^k as 256 big-endian bytes.
pub fn pow2(k: usize) -> Vec<u8> {
    let mut out = vec![0u8; 256];
    out[255 - k / 8] = 1 << (k % 8);
    out
}

/// Big-endian a − b, both 256 bytes, a ≥ b.
pub fn sub(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 256];
    let mut borrow = 0i32;
    for i in (0..256).rev() {
        let v = i32::from(a[i]) - i32::from(b[i]) - borrow;
        out[i] = v.rem_euclid(256) as u8;
        borrow = i32::from(v < 0);
    }
    out
}
