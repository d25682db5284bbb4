//! Auth-key arithmetic: pq factorization (ours and grammers-crypto's side by side), the
//! 2048-bit modular exponentiations of the DH step, the full safe-prime check and RSA.
//!
//! `cargo bench -p ferrogram-mtproto-proto --bench auth_math -- --warm-up-time 1 --measurement-time 3`

use core::convert::Infallible;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use crypto_bigint::U2048;
use ferrogram_mtproto_proto::auth_key::dh::{DhGroup, DhSecret, TELEGRAM_DH_PRIME};
use ferrogram_mtproto_proto::auth_key::factorize::factorize;
use ferrogram_mtproto_proto::auth_key::keys::PRODUCTION_KEY;
use rand_core::{TryCryptoRng, TryRng};

/// 12 fixed 63-bit products of two random primes in [1.5·2³⁰, 1.5·2³¹) (seeded Python
/// `random`, primes checked with a deterministic Miller–Rabin).
const SEMIPRIMES: [(u64, u64); 12] = [
    (2179015159, 3151626173),
    (2855159869, 3086422459),
    (2337255763, 2701164679),
    (2650098307, 3191088623),
    (2255722759, 2715348049),
    (2427705701, 3199106299),
    (1640048321, 2945991131),
    (2116623697, 3114327779),
    (2326668269, 2361431309),
    (2529719579, 2654003491),
    (1844746103, 3130751963),
    (2283788963, 3097768207),
];

/// xorshift64* (benchmark randomness only).
struct BenchRng(u64);

impl TryRng for BenchRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        Ok(self.0.wrapping_mul(0x2545_F491_4F6C_DD1D))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let word = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for BenchRng {}

fn pq(c: &mut Criterion) {
    let mut group = c.benchmark_group("factorize");
    for (i, &(p, q)) in SEMIPRIMES.iter().enumerate() {
        let pq = p * q;
        assert_eq!(factorize(pq), Ok((p, q)));
        assert_eq!(grammers_crypto::factorize(pq), (p, q));
        group.bench_with_input(BenchmarkId::new("ferrogram", i), &pq, |b, &pq| {
            b.iter(|| factorize(black_box(pq)))
        });
        group.bench_with_input(BenchmarkId::new("grammers", i), &pq, |b, &pq| {
            b.iter(|| grammers_crypto::factorize(black_box(pq)))
        });
    }
    group.finish();
}

fn dh(c: &mut Criterion) {
    let mut rng = BenchRng(0x5EED);
    let group = DhGroup::telegram(3).unwrap();
    let b = DhSecret::random(&mut rng);
    let a = DhSecret::random(&mut rng);
    let g_a = U2048::from_be_slice(&group.public_value(&a));
    let mut bench = c.benchmark_group("dh");
    bench.bench_function("g_a^b (pow_amm, constant time)", |bn| {
        bn.iter(|| group.shared_key(black_box(&b), black_box(&g_a)))
    });
    bench.bench_function("g^b (g = 3, public_value)", |bn| {
        bn.iter(|| group.public_value(black_box(&b)))
    });
    bench.bench_function("client_exchange (check g_a, g^b, g_a^b)", |bn| {
        let g_a = group.public_value(&a);
        bn.iter(|| group.client_exchange(black_box(&g_a), &mut rng).unwrap())
    });
    bench.sample_size(10);
    bench.bench_function("safe-prime check, untrusted prime, 32 rounds", |bn| {
        bn.iter(|| DhGroup::new_with(3, black_box(&TELEGRAM_DH_PRIME), &[], 32, &mut rng).unwrap())
    });
    bench.finish();
}

fn rsa(c: &mut Criterion) {
    let mut rng = BenchRng(0xA5A5);
    let data = [0x5Au8; 96];
    let mut bench = c.benchmark_group("rsa");
    bench.bench_function("fingerprint", |b| {
        b.iter(|| black_box(&PRODUCTION_KEY).fingerprint())
    });
    bench.bench_function("encrypt_rsa_pad (96 bytes)", |b| {
        b.iter(|| {
            PRODUCTION_KEY
                .encrypt_rsa_pad(black_box(&data), &mut rng)
                .unwrap()
        })
    });
    bench.bench_function("encrypt_old (96 bytes)", |b| {
        b.iter(|| {
            PRODUCTION_KEY
                .encrypt_old(black_box(&data), &mut rng)
                .unwrap()
        })
    });
    bench.finish();
}

criterion_group!(benches, pq, dh, rsa);
criterion_main!(benches);
