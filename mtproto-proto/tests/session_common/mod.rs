//! Shared by the session tests and benches: a deterministic RNG and a gzip writer.
#![allow(dead_code)]

use core::convert::Infallible;

use ferrogram_mtproto_proto::transport::crc32::crc32;

/// SplitMix64: a deterministic stand-in for a real RNG.
#[derive(Clone)]
pub struct TestRng(pub u64);

impl TestRng {
    pub fn new(seed: u64) -> Self {
        TestRng(seed)
    }
    pub fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.u64() % n
    }
    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

impl rand_core::TryRng for TestRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.u64() as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for c in dst.chunks_mut(8) {
            let v = self.u64().to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for TestRng {}

/// A gzip member holding `data` in stored (uncompressed) DEFLATE blocks: valid gzip that any
/// inflater must accept, written without a compressor.
pub fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut chunks = data.chunks(65535).peekable();
    if data.is_empty() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(c) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = c.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// TL `bytes` encoding of `b`.
pub fn tl_bytes(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if b.len() < 254 {
        out.push(b.len() as u8);
    } else {
        out.push(254);
        out.extend_from_slice(&(b.len() as u32).to_le_bytes()[..3]);
    }
    out.extend_from_slice(b);
    while out.len() % 4 != 0 {
        out.push(0);
    }
    out
}

/// `gzip_packed#3072cfa1 packed_data:bytes` around `data`.
pub fn gzip_packed(data: &[u8]) -> Vec<u8> {
    let mut out = 0x3072_cfa1u32.to_le_bytes().to_vec();
    out.extend(tl_bytes(&gzip_stored(data)));
    out
}
