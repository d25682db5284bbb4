//! AES-256-IGE and MTProto 2.0 message encryption, side by side with grammers-crypto 0.11.0,
//! plus the chained-AES bound that no IGE implementation can beat.
//!
//! ```sh
//! cargo bench -p ferrogram-mtproto-proto --bench crypto -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! - `ige_encrypt` / `ige_decrypt`: `ours` builds the key schedule per call (as grammers
//!   does); `ours_stream` reuses one `IgeEncryptor`/`IgeDecryptor`; `bound` is a serial chain
//!   of AES-256 encryptions (decryptions), each block fed the previous output, run inside one
//!   `aes` backend closure with a key schedule made once.
//! - `mtproto2_encrypt` / `mtproto2_decrypt`: "size" is the plaintext before padding
//!   (`salt ‖ session_id ‖ msg_id ‖ seq_no ‖ length ‖ body`, so the body is size − 32),
//!   the same bytes for both libraries, as in the perf anchors. Each iteration refills the
//!   buffer (grammers' `DequeBuffer`, our `Packet`) or copies the ciphertext back (decrypt).
//!   Our padding comes from a userspace ChaCha12 (`rand_chacha`), grammers' from its own
//!   `getrandom` call. Decrypt is client-side (server→client, x = 8) for both.

use core::convert::Infallible;
use std::hint::black_box;
use std::time::Instant;

use aes::cipher::consts::U16;
use aes::cipher::{
    BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt, BlockCipherEncBackend,
    BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, KeyInit,
};
use aes::{Aes256Dec, Aes256Enc, Block};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use ferrogram_mtproto_proto::crypto::ige::{self, IgeDecryptor, IgeEncryptor};
use ferrogram_mtproto_proto::crypto::message::{self, MessageHeader, Packet, Role, encrypted_len};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::{CryptoProvider as _, Software};
use rand_chacha::ChaCha12Rng;
use rand_chacha::rand_core::{RngCore as _, SeedableRng as _};

/// rand_core 0.10 face on rand_chacha's ChaCha12 (rand_core 0.9).
struct ChaCha(ChaCha12Rng);

impl rand_core::TryRng for ChaCha {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.0.next_u32())
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.0.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.fill_bytes(dst);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for ChaCha {}

/// The serial limit: `x = E(x ⊕ dataᵢ)`, written back, inside one backend closure.
struct EncBound<'a>(&'a mut [u8]);

impl BlockSizeUser for EncBound<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for EncBound<'_> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        let mut x = Block::default();
        for chunk in self.0.chunks_exact_mut(16) {
            for (a, b) in x.iter_mut().zip(chunk.iter()) {
                *a ^= b;
            }
            backend.encrypt_block_inplace(&mut x);
            chunk.copy_from_slice(&x);
        }
    }
}

struct DecBound<'a>(&'a mut [u8]);

impl BlockSizeUser for DecBound<'_> {
    type BlockSize = U16;
}

impl BlockCipherDecClosure for DecBound<'_> {
    #[inline(always)]
    fn call<B: BlockCipherDecBackend<BlockSize = U16>>(self, backend: &B) {
        let mut x = Block::default();
        for chunk in self.0.chunks_exact_mut(16) {
            for (a, b) in x.iter_mut().zip(chunk.iter()) {
                *a ^= b;
            }
            backend.decrypt_block_inplace(&mut x);
            chunk.copy_from_slice(&x);
        }
    }
}

const KEY: [u8; 32] = [0x3c; 32];
const IV: [u8; 32] = [0xa7; 32];

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 131 + 7) as u8).collect()
}

fn ige_benches(c: &mut Criterion) {
    // Our IGE and grammers' agree before anything is timed.
    let mut ours = data(4096);
    let mut theirs = ours.clone();
    ige::encrypt_in_place(&KEY, &IV, &mut ours).unwrap();
    grammers_crypto::aes::ige_encrypt(&mut theirs, &KEY, &IV);
    assert_eq!(ours, theirs, "IGE differs from grammers");

    for (label, len) in [("1KiB", 1024usize), ("512KiB", 512 * 1024)] {
        let mut group = c.benchmark_group("ige_encrypt");
        group.throughput(Throughput::Bytes(len as u64));
        let mut buf = data(len);
        group.bench_function(BenchmarkId::new("ours", label), |b| {
            b.iter(|| ige::encrypt_in_place(&KEY, &IV, black_box(&mut buf)).unwrap())
        });
        let mut enc = IgeEncryptor::new(&KEY, &IV);
        group.bench_function(BenchmarkId::new("ours_stream", label), |b| {
            b.iter(|| enc.encrypt(black_box(&mut buf)).unwrap())
        });
        group.bench_function(BenchmarkId::new("grammers", label), |b| {
            b.iter(|| grammers_crypto::aes::ige_encrypt(black_box(&mut buf), &KEY, &IV))
        });
        let aes = Aes256Enc::new(&KEY.into());
        group.bench_function(BenchmarkId::new("bound", label), |b| {
            b.iter(|| aes.encrypt_with_backend(EncBound(black_box(&mut buf))))
        });
        group.finish();

        let mut group = c.benchmark_group("ige_decrypt");
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function(BenchmarkId::new("ours", label), |b| {
            b.iter(|| ige::decrypt_in_place(&KEY, &IV, black_box(&mut buf)).unwrap())
        });
        let mut dec = IgeDecryptor::new(&KEY, &IV);
        group.bench_function(BenchmarkId::new("ours_stream", label), |b| {
            b.iter(|| dec.decrypt(black_box(&mut buf)).unwrap())
        });
        group.bench_function(BenchmarkId::new("grammers", label), |b| {
            b.iter(|| grammers_crypto::aes::ige_decrypt(black_box(&mut buf), &KEY, &IV))
        });
        let aes = Aes256Dec::new(&KEY.into());
        group.bench_function(BenchmarkId::new("bound", label), |b| {
            b.iter(|| aes.decrypt_with_backend(DecBound(black_box(&mut buf))))
        });
        group.finish();
    }
}

fn auth_key_bytes() -> [u8; 256] {
    let mut key = [0u8; 256];
    for (i, b) in key.iter_mut().enumerate() {
        *b = (i * 73 + 19) as u8;
    }
    key
}

const CLIENT: MessageHeader = MessageHeader {
    salt: 0x1122_3344_5566_7788,
    session_id: 0x0102_0304_0506_0708,
    msg_id: 0x6900_0000_0000_0004,
    seq_no: 3,
};

const SERVER: MessageHeader = MessageHeader {
    msg_id: 0x6900_0000_0000_0001,
    ..CLIENT
};

/// `salt ‖ session_id ‖ msg_id ‖ seq_no ‖ length ‖ body` for grammers.
fn plaintext(header: &MessageHeader, body: &[u8]) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&header.salt.to_le_bytes());
    p.extend_from_slice(&header.session_id.to_le_bytes());
    p.extend_from_slice(&header.msg_id.to_le_bytes());
    p.extend_from_slice(&header.seq_no.to_le_bytes());
    p.extend_from_slice(&(body.len() as i32).to_le_bytes());
    p.extend_from_slice(body);
    p
}

fn mtproto2_benches(c: &mut Criterion) {
    let key = AuthKey::new(auth_key_bytes());
    let theirs_key = grammers_crypto::AuthKey::from_bytes(auth_key_bytes());
    let mut rng = ChaCha(ChaCha12Rng::seed_from_u64(0x5eed));

    for (label, size) in [("64B", 64usize), ("1KiB", 1024), ("64KiB", 64 * 1024)] {
        let body = data(size - 32);
        let plain = plaintext(&CLIENT, &body);
        assert_eq!(plain.len(), size);

        let mut group = c.benchmark_group("mtproto2_encrypt");
        group.throughput(Throughput::Bytes(size as u64));
        let mut buf = vec![0u8; encrypted_len(body.len())];
        group.bench_function(BenchmarkId::new("ours", label), |b| {
            b.iter(|| {
                let mut packet = Packet::new(&mut buf, 0).unwrap();
                packet.body_mut()[..body.len()].copy_from_slice(black_box(&body));
                packet
                    .encrypt(
                        &mut Software,
                        &key,
                        Role::Client,
                        &CLIENT,
                        body.len(),
                        &mut rng,
                    )
                    .unwrap()
            })
        });
        let mut deque = grammers_crypto::DequeBuffer::with_capacity(size + 64, 32);
        group.bench_function(BenchmarkId::new("grammers", label), |b| {
            b.iter(|| {
                deque.clear();
                deque.extend(black_box(&plain[..]));
                grammers_crypto::encrypt_data_v2(&mut deque, &theirs_key);
            })
        });
        group.finish();

        // A server→client payload, sealed by us and opened by both before timing.
        let mut sealed = vec![0u8; encrypted_len(body.len())];
        let mut packet = Packet::new(&mut sealed, 0).unwrap();
        packet.body_mut()[..body.len()].copy_from_slice(&body);
        packet
            .encrypt(
                &mut Software,
                &key,
                Role::Server,
                &SERVER,
                body.len(),
                &mut rng,
            )
            .unwrap();
        let mut check = sealed.clone();
        let opened = message::decrypt(&mut Software, &key, Role::Client, &mut check).unwrap();
        assert_eq!(opened.body(&check), &body[..]);
        let mut check = sealed.clone();
        let plain_theirs = grammers_crypto::decrypt_data_v2(&mut check, &theirs_key).unwrap();
        assert_eq!(&plain_theirs[32..32 + body.len()], &body[..]);

        let mut group = c.benchmark_group("mtproto2_decrypt");
        group.throughput(Throughput::Bytes(size as u64));
        let mut buf = sealed.clone();
        group.bench_function(BenchmarkId::new("ours", label), |b| {
            b.iter(|| {
                buf.copy_from_slice(black_box(&sealed));
                message::decrypt(&mut Software, &key, Role::Client, &mut buf)
                    .unwrap()
                    .body
            })
        });
        group.bench_function(BenchmarkId::new("grammers", label), |b| {
            b.iter(|| {
                buf.copy_from_slice(black_box(&sealed));
                grammers_crypto::decrypt_data_v2(&mut buf, &theirs_key)
                    .unwrap()
                    .len()
            })
        });
        group.finish();
    }
}

/// Best-of-many timing of one call (averaged over 8 back-to-back calls), in ns. On a
/// shared machine the minimum is far more stable than criterion's mean.
fn min_ns(samples: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..samples {
        let start = Instant::now();
        for _ in 0..8 {
            f();
        }
        best = best.min(start.elapsed().as_nanos() as f64 / 8.0);
    }
    best
}

/// Prints the acceptance ratios from interleaved best-of-N timings: IGE against the
/// chained bound, MTProto 2.0 against grammers. Runs before the criterion groups.
fn paired_minimums() {
    println!("paired best-of-N timings (ns per call; ratios from the same run)");
    let aes_e = Aes256Enc::new(&KEY.into());
    let aes_d = Aes256Dec::new(&KEY.into());
    for (label, len) in [
        ("1KiB", 1024usize),
        ("64KiB", 64 * 1024),
        ("512KiB", 512 * 1024),
    ] {
        let samples = if len > 100_000 { 40 } else { 2000 };
        let mut buf = data(len);
        let enc = min_ns(samples, || {
            ige::encrypt_in_place(&KEY, &IV, black_box(&mut buf)).unwrap()
        });
        let enc_bound = min_ns(samples, || {
            aes_e.encrypt_with_backend(EncBound(black_box(&mut buf)))
        });
        let enc_g = min_ns(samples, || {
            grammers_crypto::aes::ige_encrypt(black_box(&mut buf), &KEY, &IV)
        });
        let dec = min_ns(samples, || {
            ige::decrypt_in_place(&KEY, &IV, black_box(&mut buf)).unwrap()
        });
        let dec_bound = min_ns(samples, || {
            aes_d.decrypt_with_backend(DecBound(black_box(&mut buf)))
        });
        let dec_g = min_ns(samples, || {
            grammers_crypto::aes::ige_decrypt(black_box(&mut buf), &KEY, &IV)
        });
        let mbs = |ns: f64| len as f64 / ns * 1000.0;
        println!(
            "  ige {label:>6}: encrypt {:>5.0} MB/s = {:.3} of bound ({:.0} MB/s), grammers {:.0} MB/s; \
             decrypt {:>5.0} MB/s = {:.3} of bound ({:.0} MB/s), grammers {:.0} MB/s",
            mbs(enc),
            enc_bound / enc,
            mbs(enc_bound),
            mbs(enc_g),
            mbs(dec),
            dec_bound / dec,
            mbs(dec_bound),
            mbs(dec_g),
        );
    }

    let key = AuthKey::new(auth_key_bytes());
    let theirs_key = grammers_crypto::AuthKey::from_bytes(auth_key_bytes());
    let mut rng = ChaCha(ChaCha12Rng::seed_from_u64(0x5eed));
    for (label, size) in [("64B", 64usize), ("1KiB", 1024), ("64KiB", 64 * 1024)] {
        let samples = if size > 10_000 { 200 } else { 3000 };
        let body = data(size - 32);
        let plain = plaintext(&CLIENT, &body);
        let mut buf = vec![0u8; encrypted_len(body.len())];
        let enc = min_ns(samples, || {
            let mut packet = Packet::new(&mut buf, 0).unwrap();
            packet.body_mut()[..body.len()].copy_from_slice(black_box(&body));
            black_box(
                packet
                    .encrypt(
                        &mut Software,
                        &key,
                        Role::Client,
                        &CLIENT,
                        body.len(),
                        &mut rng,
                    )
                    .unwrap(),
            );
        });
        let mut deque = grammers_crypto::DequeBuffer::with_capacity(size + 64, 32);
        let enc_g = min_ns(samples, || {
            deque.clear();
            deque.extend(black_box(&plain[..]));
            grammers_crypto::encrypt_data_v2(&mut deque, &theirs_key);
        });

        let mut sealed = vec![0u8; encrypted_len(body.len())];
        let mut packet = Packet::new(&mut sealed, 0).unwrap();
        packet.body_mut()[..body.len()].copy_from_slice(&body);
        packet
            .encrypt(
                &mut Software,
                &key,
                Role::Server,
                &SERVER,
                body.len(),
                &mut rng,
            )
            .unwrap();
        let mut buf = sealed.clone();
        let dec = min_ns(samples, || {
            buf.copy_from_slice(black_box(&sealed));
            black_box(message::decrypt(&mut Software, &key, Role::Client, &mut buf).unwrap());
        });
        let dec_g = min_ns(samples, || {
            buf.copy_from_slice(black_box(&sealed));
            black_box(grammers_crypto::decrypt_data_v2(&mut buf, &theirs_key).unwrap());
        });
        // The floor of any MTProto 2.0 decryption: the two KDF hashes, the AES key
        // schedule, the serial AES chain in one backend closure and the msg_key hash, with
        // no checks, no IGE xors and nothing else (the same buffer copy as above).
        let kb = auth_key_bytes();
        let floor = min_ns(samples, || {
            buf.copy_from_slice(black_box(&sealed));
            let (outer, rest) = buf.split_at_mut(24);
            let a = Software.sha256(&[&outer[8..24], &kb[8..44]]);
            let b = Software.sha256(&[&kb[48..84], &outer[8..24]]);
            Aes256Dec::new(&a.into()).decrypt_with_backend(DecBound(rest));
            black_box((b, Software.sha256(&[&kb[96..128], rest])));
        });
        println!(
            "  mtproto2 {label:>5}: encrypt {enc:>8.0} ns vs grammers {enc_g:>8.0} ns = {:.2}x; \
             decrypt {dec:>8.0} ns vs grammers {dec_g:>8.0} ns = {:.2}x \
             (floor {floor:.0} ns: at best {:.2}x; ours = {:.2} of floor)",
            enc_g / enc,
            dec_g / dec,
            dec_g / floor,
            floor / dec,
        );
    }
}

criterion_group!(benches, ige_benches, mtproto2_benches);

fn main() {
    paired_minimums();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
