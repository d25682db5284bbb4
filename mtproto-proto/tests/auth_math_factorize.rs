//! pq factorization: the official sample, many random semiprimes, hostile inputs.

use ferrogram_mtproto_proto::auth_key::factorize::{
    FactorizeError, factorize, factorize_be_bytes, factorize_with_budget, is_prime,
};

/// An independent primality test (trial-free Miller–Rabin over u128 arithmetic, the
/// deterministic base set for 64-bit numbers).
fn reference_is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    for p in [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
        if n % p == 0 {
            return n == p;
        }
    }
    let n128 = u128::from(n);
    let pow = |mut b: u128, mut e: u64| {
        let mut acc = 1u128;
        b %= n128;
        while e > 0 {
            if e & 1 == 1 {
                acc = acc * b % n128;
            }
            b = b * b % n128;
            e >>= 1;
        }
        acc
    };
    let s = (n - 1).trailing_zeros();
    let d = (n - 1) >> s;
    'bases: for a in [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
        let mut x = pow(u128::from(a), d);
        if x == 1 || x == n128 - 1 {
            continue;
        }
        for _ in 1..s {
            x = x * x % n128;
            if x == n128 - 1 {
                continue 'bases;
            }
        }
        return false;
    }
    true
}

/// xorshift64*: deterministic test randomness.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn prime_in(&mut self, lo: u64, hi: u64) -> u64 {
        loop {
            let c = (lo + self.next() % (hi - lo)) | 1;
            if reference_is_prime(c) {
                return c;
            }
        }
    }
}

#[test]
fn official_sample() {
    // samples-auth_key.md: pq = 1468428376148703121 = 1008949199 × 1455403679, sent as the
    // TL string 08 1460E7D3FA727791.
    assert_eq!(factorize(1468428376148703121), Ok((1008949199, 1455403679)));
    assert_eq!(
        factorize_be_bytes(&[0x14, 0x60, 0xE7, 0xD3, 0xFA, 0x72, 0x77, 0x91]),
        Ok((1008949199, 1455403679))
    );
    // The pq of the p_q_inner_data in rsa_fingerprints.json (Telethon's classic example).
    assert_eq!(factorize(0x17ED48941A08F981), Ok((0x494C553B, 0x53911073)));
}

#[test]
fn telegram_sized_semiprimes() {
    let mut rng = Rng(0x0DDB_1A5E_5BAD_5EED);
    for _ in 0..300 {
        let a = rng.prime_in(3 << 29, 3 << 30);
        let b = rng.prime_in(3 << 29, 3 << 30);
        if a == b {
            continue;
        }
        assert_eq!(factorize(a * b), Ok((a.min(b), a.max(b))), "{a} × {b}");
    }
}

#[test]
fn semiprimes_of_every_shape() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    // Unbalanced factors, small factors, factors near 2³², products near 2⁶⁴.
    for (p_bits, q_bits) in [
        (2, 60),
        (3, 61),
        (8, 55),
        (16, 47),
        (20, 44),
        (24, 40),
        (28, 36),
        (31, 32),
        (32, 32),
        (10, 10),
        (5, 6),
    ] {
        for _ in 0..20 {
            let p = rng.prime_in(1 << (p_bits - 1), 1 << p_bits);
            let q = rng.prime_in(1 << (q_bits - 1), (1u64 << q_bits) - 1);
            if p == q || p == 2 || q == 2 {
                continue;
            }
            let Some(pq) = p.checked_mul(q) else { continue };
            assert_eq!(factorize(pq), Ok((p.min(q), p.max(q))), "{p} × {q}");
        }
    }
    // The largest: two primes just below 2³².
    let p = 4294967291u64;
    let q = 4294967279u64;
    assert_eq!(factorize(p * q), Ok((q, p)));
    assert_eq!(factorize(15), Ok((3, 5)));
    assert_eq!(factorize(21), Ok((3, 7)));
}

#[test]
fn is_prime_agrees_with_reference() {
    let mut rng = Rng(42);
    for n in 0..5000u64 {
        assert_eq!(is_prime(n), reference_is_prime(n), "{n}");
    }
    for _ in 0..5000 {
        let n = rng.next();
        assert_eq!(is_prime(n), reference_is_prime(n), "{n}");
    }
    // Strong pseudoprimes to several small bases.
    for n in [
        3215031751u64,
        2152302898747,
        3474749660383,
        341550071728321,
        3825123056546413051,
    ] {
        assert!(!is_prime(n), "{n}");
    }
    assert!(is_prime(18446744073709551557)); // the largest 64-bit prime
}

#[test]
fn hostile_inputs() {
    use FactorizeError::*;
    for pq in [0, 1, 2, 3, 9, 14] {
        assert!(
            matches!(factorize(pq), Err(TooSmall { .. }) | Err(Square { .. })),
            "{pq}"
        );
    }
    assert_eq!(factorize(0), Err(TooSmall { pq: 0 }));
    assert_eq!(factorize(14), Err(TooSmall { pq: 14 }));
    assert_eq!(factorize(2 * 1008949199), Err(Even { pq: 2 * 1008949199 }));
    assert_eq!(factorize(u64::MAX - 1), Err(Even { pq: u64::MAX - 1 }));
    assert_eq!(
        factorize(18446744073709551557),
        Err(Prime {
            pq: 18446744073709551557
        })
    );
    assert_eq!(factorize(1008949199), Err(Prime { pq: 1008949199 }));
    // Squares of primes, including the largest 32-bit prime.
    assert_eq!(
        factorize(4294967291 * 4294967291),
        Err(Square {
            pq: 4294967291 * 4294967291,
            root: 4294967291
        })
    );
    assert_eq!(factorize(25), Err(Square { pq: 25, root: 5 }));
    // More than two factors.
    assert!(matches!(
        factorize(3 * 5 * 7),
        Err(TooManyFactors { pq: 105, .. })
    ));
    assert!(matches!(factorize(u64::MAX), Err(TooManyFactors { .. })));
    assert!(matches!(
        factorize(1008949199 * 3 * 3),
        Err(TooManyFactors { .. })
    ));
    let p = 65521u64;
    let q = 65519u64;
    let r = 65497u64;
    assert!(matches!(factorize(p * q * r), Err(TooManyFactors { .. })));
    assert!(matches!(factorize(p * p * q), Err(TooManyFactors { .. })));
    // Cubes and the like: 3³ × prime, p²·q².
    assert!(matches!(
        factorize(27 * 1455403679),
        Err(TooManyFactors { .. })
    ));
    assert!(matches!(
        factorize(p * p * q * q),
        Err(TooManyFactors { .. })
    ));
    // A tiny budget gives up instead of spinning.
    assert!(matches!(
        factorize_with_budget(0x17ED48941A08F981, 10),
        Err(NoFactorFound {
            pq: 0x17ED48941A08F981,
            ..
        })
    ));
    assert!(matches!(
        factorize_with_budget(0x17ED48941A08F981, 0),
        Err(NoFactorFound { .. })
    ));
    // An unbounded budget is fine too.
    assert_eq!(
        factorize_with_budget(0x17ED48941A08F981, u64::MAX),
        Ok((0x494C553B, 0x53911073))
    );
    // Byte forms.
    assert_eq!(factorize_be_bytes(&[0; 9]), Err(TooLong { len: 9 }));
    assert_eq!(factorize_be_bytes(&[]), Err(TooSmall { pq: 0 }));
    assert_eq!(factorize_be_bytes(&[15]), Ok((3, 5)));
}

#[test]
fn errors_say_what_happened() {
    let text = FactorizeError::Prime { pq: 7 }.to_string();
    assert!(text.contains("prime") && text.contains("restart"), "{text}");
}
