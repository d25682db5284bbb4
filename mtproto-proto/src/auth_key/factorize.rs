//! Step 3 of the exchange: splitting the server's `pq` into its two prime factors `p < q`.
//!
//! The server sends `pq`, a product of two different odd primes (normally below 2⁶³, each
//! factor below 2³²), as proof of work. [`factorize`] finds the factors with Pollard's rho in
//! Brent's form over 64-bit Montgomery arithmetic, taking one gcd per batch of
//! [`BATCH`] steps and stepping back through the batch when it catches both factors at once.
//! A 63-bit `pq` with two 31-bit factors takes about 10⁵ steps (1 to 2·√p), some hundreds of
//! microseconds on a desktop CPU: each step is a chain of dependent multiplications.
//!
//! The work is bounded: a hostile server cannot make the client spin. Primes are recognised
//! by a deterministic Miller–Rabin test and refused at once, and the rho search gives up after
//! [`DEFAULT_MAX_STEPS`] steps (or the budget given to [`factorize_with_budget`]). No
//! randomness is needed: the starting points are derived from `pq` itself, so the same input
//! always takes the same path.

use core::fmt;

/// The number of rho steps between two gcds.
pub const BATCH: u32 = 128;

/// The default bound on rho steps over all attempts: 2⁷ times √p for the largest possible
/// smaller factor p < 2³² of a 64-bit `pq` (a genuine `pq` needs 1 to 5·√p), and some tens of
/// milliseconds of work at most.
pub const DEFAULT_MAX_STEPS: u64 = 1 << 23;

/// How many polynomials `x² + c` are tried before giving up (each within the step budget).
const MAX_ATTEMPTS: u64 = 16;

/// Why `pq` could not be split into two different odd primes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactorizeError {
    /// `pq` as bytes is longer than 8 bytes (the server must send a 64-bit number).
    TooLong {
        /// The length of the byte string received.
        len: usize,
    },
    /// `pq` is below 15, the smallest product of two different odd primes.
    TooSmall {
        /// The value received.
        pq: u64,
    },
    /// `pq` is even: one factor would be 2, which is not an odd prime.
    Even {
        /// The value received.
        pq: u64,
    },
    /// `pq` is itself prime.
    Prime {
        /// The value received.
        pq: u64,
    },
    /// `pq` is the square of a prime; the two factors must be different.
    Square {
        /// The value received.
        pq: u64,
        /// Its square root.
        root: u64,
    },
    /// `pq` has more than two prime factors.
    TooManyFactors {
        /// The value received.
        pq: u64,
        /// A factor that was found.
        factor: u64,
        /// `pq / factor`; at least one of the two is composite.
        cofactor: u64,
    },
    /// No factor was found within the step budget.
    NoFactorFound {
        /// The value received.
        pq: u64,
        /// The number of rho steps spent.
        steps: u64,
    },
}

impl fmt::Display for FactorizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooLong { len } => write!(
                f,
                "the server's pq is {len} bytes long, more than the 8 of a 64-bit number; \
                 restart the key exchange (on another connection if it repeats)"
            ),
            Self::TooSmall { pq } => write!(
                f,
                "the server's pq {pq} is below 15, so it is not a product of two different odd \
                 primes; restart the key exchange"
            ),
            Self::Even { pq } => write!(
                f,
                "the server's pq {pq} is even, so it is not a product of two odd primes; restart \
                 the key exchange"
            ),
            Self::Prime { pq } => write!(
                f,
                "the server's pq {pq} is prime, not a product of two primes; restart the key \
                 exchange"
            ),
            Self::Square { pq, root } => write!(
                f,
                "the server's pq {pq} is the square of {root}, but its two factors must differ; \
                 restart the key exchange"
            ),
            Self::TooManyFactors {
                pq,
                factor,
                cofactor,
            } => write!(
                f,
                "the server's pq {pq} = {factor} × {cofactor} has more than two prime factors; \
                 restart the key exchange"
            ),
            Self::NoFactorFound { pq, steps } => write!(
                f,
                "no factor of the server's pq {pq} found in {steps} steps; restart the key \
                 exchange (on another connection if it repeats)"
            ),
        }
    }
}

impl core::error::Error for FactorizeError {}

/// Splits `pq` into its two prime factors `(p, q)` with `p < q`, within
/// [`DEFAULT_MAX_STEPS`] rho steps.
///
/// ```
/// use ferrogram_mtproto_proto::auth_key::factorize::factorize;
/// assert_eq!(factorize(0x17ED48941A08F981), Ok((0x494C553B, 0x53911073)));
/// ```
pub fn factorize(pq: u64) -> Result<(u64, u64), FactorizeError> {
    factorize_with_budget(pq, DEFAULT_MAX_STEPS)
}

/// Like [`factorize`], for `pq` as it comes in `resPQ`: a big-endian byte string of at most 8
/// bytes.
pub fn factorize_be_bytes(pq: &[u8]) -> Result<(u64, u64), FactorizeError> {
    if pq.len() > 8 {
        return Err(FactorizeError::TooLong { len: pq.len() });
    }
    let value = pq.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    factorize(value)
}

/// Like [`factorize`], giving up with [`FactorizeError::NoFactorFound`] after `max_steps` rho
/// steps (each step is two 64-bit Montgomery multiplications).
pub fn factorize_with_budget(pq: u64, max_steps: u64) -> Result<(u64, u64), FactorizeError> {
    if pq < 15 {
        return Err(FactorizeError::TooSmall { pq });
    }
    if pq & 1 == 0 {
        return Err(FactorizeError::Even { pq });
    }
    let root = isqrt(pq);
    if root * root == pq {
        return if is_prime(root) {
            Err(FactorizeError::Square { pq, root })
        } else {
            Err(FactorizeError::TooManyFactors {
                pq,
                factor: root,
                cofactor: root,
            })
        };
    }
    let mont = Montgomery::new(pq);
    if mont.is_prime() {
        return Err(FactorizeError::Prime { pq });
    }
    let factor = match small_factor(pq) {
        Some(factor) => factor,
        None => mont.find_factor(max_steps)?,
    };
    let cofactor = pq / factor;
    if !is_prime(factor) || !is_prime(cofactor) {
        return Err(FactorizeError::TooManyFactors {
            pq,
            factor,
            cofactor,
        });
    }
    // Not a square, so the two primes differ.
    Ok((factor.min(cofactor), factor.max(cofactor)))
}

/// Deterministic primality test for any `u64` (Miller–Rabin with the seven bases of Jim
/// Sinclair, exact below 2⁶⁴).
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    for p in SMALL_PRIMES {
        if n == p {
            return true;
        }
        if n % p == 0 {
            return false;
        }
    }
    Montgomery::new(n).is_prime()
}

const SMALL_PRIMES: [u64; 15] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47];

/// The smallest odd prime below 50 dividing `n`, if any (rho is slow to separate such factors
/// from their cofactor when `x² + c` falls into a short cycle modulo them).
fn small_factor(n: u64) -> Option<u64> {
    SMALL_PRIMES[1..].iter().copied().find(|&p| n % p == 0)
}

/// Integer square root (floor), by Newton's method; no floating point in `core`.
fn isqrt(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    // Start above the root: 2^ceil(bits/2).
    let bits = 64 - n.leading_zeros();
    let mut x = 1u64 << bits.div_ceil(2);
    loop {
        let y = (x + n / x) / 2;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// Binary gcd.
fn gcd(mut a: u64, mut b: u64) -> u64 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            core::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

/// SplitMix64: the deterministic source of starting points.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Arithmetic modulo an odd `n` in Montgomery form with R = 2⁶⁴.
struct Montgomery {
    n: u64,
    /// n⁻¹ mod 2⁶⁴.
    n_inv: u64,
    /// R mod n (the form of 1).
    one: u64,
    /// R² mod n.
    r2: u64,
}

impl Montgomery {
    /// `n` must be odd and above 1.
    fn new(n: u64) -> Self {
        // Newton's iteration doubles the correct low bits: n·n ≡ 1 (mod 8) for odd n gives 3
        // bits, then 6, 12, 24, 48, 96.
        let mut n_inv = n;
        for _ in 0..5 {
            n_inv = n_inv.wrapping_mul(2u64.wrapping_sub(n.wrapping_mul(n_inv)));
        }
        let one = ((1u128 << 64) % u128::from(n)) as u64;
        let r2 = ((u128::from(one) * u128::from(one)) % u128::from(n)) as u64;
        Self { n, n_inv, one, r2 }
    }

    /// a·b·R⁻¹ mod n, for a, b < n. Computed as hi(a·b) − hi(m·n) with m = lo(a·b)·n⁻¹, which
    /// cannot overflow even for n close to 2⁶⁴.
    #[inline(always)]
    fn mul(&self, a: u64, b: u64) -> u64 {
        let t = u128::from(a) * u128::from(b);
        let m = (t as u64).wrapping_mul(self.n_inv);
        let mn_hi = ((u128::from(m) * u128::from(self.n)) >> 64) as u64;
        let t_hi = (t >> 64) as u64;
        let (r, borrow) = t_hi.overflowing_sub(mn_hi);
        if borrow { r.wrapping_add(self.n) } else { r }
    }

    #[inline(always)]
    fn add(&self, a: u64, b: u64) -> u64 {
        // a, b < n ≤ 2⁶⁴ − 1: the sum may carry out of 64 bits.
        let (s, carry) = a.overflowing_add(b);
        if carry || s >= self.n {
            s.wrapping_sub(self.n)
        } else {
            s
        }
    }

    /// Into Montgomery form (a < n).
    fn to_mont(&self, a: u64) -> u64 {
        self.mul(a % self.n, self.r2)
    }

    fn pow(&self, mut base: u64, mut exp: u64) -> u64 {
        let mut acc = self.one;
        while exp > 0 {
            if exp & 1 == 1 {
                acc = self.mul(acc, base);
            }
            base = self.mul(base, base);
            exp >>= 1;
        }
        acc
    }

    /// Deterministic Miller–Rabin for odd n > 47 (the small cases are handled by callers).
    fn is_prime(&self) -> bool {
        const BASES: [u64; 7] = [2, 325, 9375, 28178, 450775, 9780504, 1795265022];
        let n = self.n;
        let minus_one = n - self.one; // −1 in Montgomery form (R mod n ≠ 0 for odd n > 1)
        let s = (n - 1).trailing_zeros();
        let d = (n - 1) >> s;
        'bases: for base in BASES {
            let a = base % n;
            if a == 0 {
                continue;
            }
            let mut x = self.pow(self.to_mont(a), d);
            if x == self.one || x == minus_one {
                continue;
            }
            for _ in 1..s {
                x = self.mul(x, x);
                if x == minus_one {
                    continue 'bases;
                }
                if x == self.one {
                    return false;
                }
            }
            return false;
        }
        true
    }

    /// Pollard–Brent: a factor 1 < d < n of a composite odd n, within `max_steps` steps.
    fn find_factor(&self, max_steps: u64) -> Result<u64, FactorizeError> {
        let n = self.n;
        let mut seed = n;
        let mut steps = 0u64;
        for _ in 0..MAX_ATTEMPTS {
            let y0 = splitmix64(&mut seed) % n;
            // c ∉ {0, −2}: x² and x² − 2 have no useful rho behaviour.
            let c = 1 + splitmix64(&mut seed) % (n - 3);
            match self.brent(y0, c, &mut steps, max_steps) {
                Rho::Factor(d) => return Ok(d),
                Rho::OutOfBudget => break,
                Rho::Trivial => {}
            }
        }
        Err(FactorizeError::NoFactorFound { pq: n, steps })
    }

    /// One rho run with f(y) = y² + c (in Montgomery form).
    fn brent(&self, y0: u64, c: u64, steps: &mut u64, max_steps: u64) -> Rho {
        let n = self.n;
        let f = |y: u64| self.add(self.mul(y, y), c);
        let mut y = y0;
        let mut x;
        let mut ys;
        let mut r = 1u64;
        let mut product = self.one;
        let mut g;
        loop {
            if steps.saturating_add(r) > max_steps {
                return Rho::OutOfBudget;
            }
            x = y;
            for _ in 0..r {
                y = f(y);
            }
            *steps = steps.saturating_add(r);
            let mut k = 0u64;
            loop {
                ys = y;
                let batch = u64::from(BATCH).min(r - k);
                for _ in 0..batch {
                    y = f(y);
                    product = self.mul(product, x.abs_diff(y));
                }
                *steps = steps.saturating_add(batch);
                k += batch;
                g = gcd(product, n);
                if g != 1 || k >= r || *steps >= max_steps {
                    break;
                }
            }
            if g != 1 {
                break;
            }
            if *steps >= max_steps {
                return Rho::OutOfBudget;
            }
            r = r.saturating_mul(2);
        }
        if g == n {
            // The batch caught both factors (or hit x = y): replay it one step at a time.
            for _ in 0..BATCH {
                ys = f(ys);
                *steps = steps.saturating_add(1);
                g = gcd(x.abs_diff(ys), n);
                if g != 1 {
                    break;
                }
            }
        }
        if g != 1 && g != n {
            Rho::Factor(g)
        } else {
            Rho::Trivial
        }
    }
}

/// How one rho run ended.
enum Rho {
    /// A factor 1 < d < n.
    Factor(u64),
    /// Only n itself (try another polynomial).
    Trivial,
    /// The step budget ran out.
    OutOfBudget,
}
