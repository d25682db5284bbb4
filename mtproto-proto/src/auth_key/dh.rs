//! Steps 6 to 8 of the exchange: checking the server's Diffie–Hellman group and values, and
//! computing `g_b` and the auth key.
//!
//! Everything the specification and the security guidelines require is checked here, each
//! failure with its own [`DhError`] variant:
//!
//! - `dh_prime` is a safe 2048-bit prime: 2²⁰⁴⁷ < p < 2²⁰⁴⁸, p and (p − 1)/2 prime. A prime
//!   the caller trusts (by default [`TELEGRAM_DH_PRIME`], or primes it checked before and
//!   cached) skips the primality tests; any other goes through trial division, a Fermat test
//!   of p that proves p prime once (p − 1)/2 is (Pocklington), and Miller–Rabin on (p − 1)/2
//!   with random bases (error at most 4⁻ʳᵒᵘⁿᵈˢ even for primes built to fool it).
//! - `g` is 2 to 7 and a quadratic residue modulo p (the conditions on p mod 4g).
//! - `g_a` and `g_b` are in 1 < x < p − 1 and in the recommended [2²⁰⁴⁸⁻⁶⁴, p − 2²⁰⁴⁸⁻⁶⁴].
//!
//! Both exponentiations (`g^b` and `g_a^b`) are constant time in the secret exponent:
//! crypto-bigint's fixed-window Almost Montgomery exponentiation over all 2048 exponent bits.
//! The primality tests work on public numbers and are variable time.
//!
//! ```
//! use ferrogram_mtproto_proto::auth_key::dh::{DhGroup, TELEGRAM_DH_PRIME};
//! # struct Rng(u8);
//! # impl rand_core::TryRng for Rng {
//! #     type Error = core::convert::Infallible;
//! #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(0) }
//! #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(0) }
//! #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
//! #         for b in d { self.0 = self.0.wrapping_mul(31).wrapping_add(7); *b = self.0; }
//! #         Ok(())
//! #     }
//! # }
//! # impl rand_core::TryCryptoRng for Rng {}
//! # let mut rng = Rng(1);
//! # let g_a = DhGroup::telegram(3).unwrap().public_value(
//! #     &ferrogram_mtproto_proto::auth_key::dh::DhSecret::random(&mut rng));
//! // From server_DH_inner_data: g, dh_prime, g_a.
//! let group = DhGroup::new(3, &TELEGRAM_DH_PRIME, &mut rng)?; // known prime: no tests
//! let client = group.client_exchange(&g_a, &mut rng)?;
//! // Send client.g_b in client_DH_inner_data; client.auth_key is the new key.
//! # Ok::<(), ferrogram_mtproto_proto::auth_key::dh::DhError>(())
//! ```

use core::fmt;

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{NonZero, Odd, U2048};
use rand_core::CryptoRng;

use super::rsa::{bits_of_be, uint_from_be, uint_to_be};

/// The size of `dh_prime`, `g_a`, `g_b` and the auth key, in bytes.
pub const DH_BYTES: usize = 256;

/// Telegram's current `dh_prime` (auth_key.md, security_guidelines.md), big-endian. A safe
/// prime; `g` = 3, 4 and 7 are quadratic residues modulo it (2, 5 and 6 are not).
pub const TELEGRAM_DH_PRIME: [u8; DH_BYTES] = hex256(concat!(
    "c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f",
    "48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37",
    "20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64",
    "2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4",
    "a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754",
    "fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4",
    "e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f",
    "0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b",
));

/// Miller–Rabin rounds on (p − 1)/2 for a prime nobody vouched for: the error is at most
/// 4⁻³² = 2⁻⁶⁴. Each round is one 2048-bit modular exponentiation (milliseconds on a desktop,
/// seconds on a microcontroller, where callers should trust known primes instead).
pub const DEFAULT_MR_ROUNDS: u32 = 32;

/// How many secrets are drawn before giving up when `g^x` keeps falling outside the safety
/// margin (each draw fails with probability about 2⁻⁶³).
pub const MAX_SECRET_TRIES: u32 = 16;

const LIMBS: usize = U2048::LIMBS;

/// How a value failed the range checks on `g_a` and `g_b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeFault {
    /// Longer than 2048 bits.
    TooLong,
    /// 0 or 1 (the specification requires x > 1).
    AtMostOne,
    /// p − 1 or more (the specification requires x < p − 1).
    AtLeastPMinusOne,
    /// Below 2²⁰⁴⁸⁻⁶⁴ (the recommended margin).
    BelowMargin,
    /// Above p − 2²⁰⁴⁸⁻⁶⁴ (the recommended margin).
    AboveMargin,
}

impl fmt::Display for RangeFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooLong => "is longer than 2048 bits",
            Self::AtMostOne => "is 0 or 1",
            Self::AtLeastPMinusOne => "is not below dh_prime - 1",
            Self::BelowMargin => "is below 2^1984",
            Self::AboveMargin => "is above dh_prime - 2^1984",
        })
    }
}

/// Why a Diffie–Hellman group or value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DhError {
    /// `g` is not 2, 3, 4, 5, 6 or 7.
    GOutOfRange {
        /// The value received.
        g: i32,
    },
    /// `g` is not a quadratic residue modulo `dh_prime`, so it does not generate the subgroup
    /// of prime order (p − 1)/2: `p mod modulus` is `residue`, which the rule for `g`
    /// excludes.
    GNotQuadraticResidue {
        /// The generator.
        g: u32,
        /// The modulus of the rule (8 for g = 2, 3, 5, 24 for g = 6, 7).
        modulus: u32,
        /// `dh_prime mod modulus`.
        residue: u32,
    },
    /// `dh_prime` is not in 2²⁰⁴⁷ < p < 2²⁰⁴⁸.
    DhPrimeOutOfRange {
        /// Its length in bits (leading zero bytes ignored).
        bits: u32,
    },
    /// `dh_prime` is not prime.
    DhPrimeNotPrime,
    /// `dh_prime` may be prime but (p − 1)/2 is not: not a safe prime.
    DhPrimeNotSafe,
    /// `dh_prime` is not one of the trusted primes, and primality tests were switched off
    /// (zero rounds).
    DhPrimeUnknown,
    /// The server's `g_a` failed a range check.
    GaOutOfRange {
        /// Which check.
        fault: RangeFault,
    },
    /// A `g_b` failed a range check (the client's own, or the one a server received).
    GbOutOfRange {
        /// Which check.
        fault: RangeFault,
    },
    /// [`MAX_SECRET_TRIES`] secrets in a row gave a public value outside the margin.
    SecretTriesExhausted,
}

impl fmt::Display for DhError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const RESTART: &str = "restart the key exchange on a new connection";
        match *self {
            Self::GOutOfRange { g } => {
                write!(f, "server sent g = {g}, not one of 2..=7; {RESTART}")
            }
            Self::GNotQuadraticResidue {
                g,
                modulus,
                residue,
            } => write!(
                f,
                "server's g = {g} is not a quadratic residue modulo dh_prime (dh_prime mod \
                 {modulus} = {residue}); {RESTART}"
            ),
            Self::DhPrimeOutOfRange { bits } => {
                write!(f, "server's dh_prime has {bits} bits, not 2048; {RESTART}")
            }
            Self::DhPrimeNotPrime => write!(f, "server's dh_prime is not prime; {RESTART}"),
            Self::DhPrimeNotSafe => write!(
                f,
                "server's dh_prime is not a safe prime ((p - 1)/2 is composite); {RESTART}"
            ),
            Self::DhPrimeUnknown => write!(
                f,
                "server's dh_prime is not a trusted prime and primality testing is off; allow \
                 Miller-Rabin rounds or add the prime to the trusted list once verified"
            ),
            Self::GaOutOfRange { fault } => write!(f, "server's g_a {fault}; {RESTART}"),
            Self::GbOutOfRange { fault } => write!(f, "g_b {fault}; {RESTART}"),
            Self::SecretTriesExhausted => write!(
                f,
                "{MAX_SECRET_TRIES} random DH secrets in a row gave g^x outside the safety \
                 margin; the random number generator is broken"
            ),
        }
    }
}

impl core::error::Error for DhError {}

/// A secret exponent (`a` on the server, `b` on the client): 2048 bits.
#[derive(Clone)]
pub struct DhSecret(U2048);

impl fmt::Debug for DhSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DhSecret(..)")
    }
}

impl DhSecret {
    /// 2048 random bits (256 bytes drawn with `fill_bytes`, read big-endian).
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; DH_BYTES];
        rng.fill_bytes(&mut bytes);
        Self(U2048::from_be_slice(&bytes))
    }

    /// A given exponent, big-endian (for recorded exchanges).
    pub fn from_be_bytes(bytes: &[u8; DH_BYTES]) -> Self {
        Self(U2048::from_be_slice(bytes))
    }
}

/// What the client sends and keeps after step 7.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientDh {
    /// `g^b mod dh_prime`, 256 bytes big-endian, for `client_DH_inner_data`.
    pub g_b: [u8; DH_BYTES],
    /// `g_a^b mod dh_prime`, 256 bytes big-endian: the new auth key.
    pub auth_key: [u8; DH_BYTES],
}

impl fmt::Debug for ClientDh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientDh").finish_non_exhaustive()
    }
}

/// A checked Diffie–Hellman group: `g` and a safe 2048-bit prime `dh_prime` for which `g` is a
/// quadratic residue.
#[derive(Clone, Debug)]
pub struct DhGroup {
    g: u32,
    p: Odd<U2048>,
    params: FixedMontyParams<LIMBS>,
}

impl DhGroup {
    /// Telegram's group: [`TELEGRAM_DH_PRIME`] with `g` (3, 4 or 7; Telegram uses 3). What a
    /// server uses; no primality test.
    pub fn telegram(g: i32) -> Result<Self, DhError> {
        Self::new_with(g, &TELEGRAM_DH_PRIME, &[TELEGRAM_DH_PRIME], 0, &mut NoRng)
    }

    /// Checks `g` and `dh_prime` from `server_DH_inner_data`: [`TELEGRAM_DH_PRIME`] is
    /// trusted, any other prime is tested with [`DEFAULT_MR_ROUNDS`] Miller–Rabin rounds
    /// whose bases come from `rng`.
    pub fn new<R: CryptoRng + ?Sized>(
        g: i32,
        dh_prime: &[u8],
        rng: &mut R,
    ) -> Result<Self, DhError> {
        Self::new_with(g, dh_prime, &[TELEGRAM_DH_PRIME], DEFAULT_MR_ROUNDS, rng)
    }

    /// Checks `g` and `dh_prime` (big-endian, leading zero bytes allowed). A prime in
    /// `trusted` (e.g. one checked before and cached) skips the primality tests; any other is
    /// tested with `mr_rounds` Miller–Rabin rounds on (p − 1)/2 (the first with base 2, the
    /// rest with random bases from `rng`), or refused with [`DhError::DhPrimeUnknown`] if
    /// `mr_rounds` is 0. The work is bounded by `mr_rounds` + 1 modular exponentiations.
    pub fn new_with<R: CryptoRng + ?Sized>(
        g: i32,
        dh_prime: &[u8],
        trusted: &[[u8; DH_BYTES]],
        mr_rounds: u32,
        rng: &mut R,
    ) -> Result<Self, DhError> {
        let p = uint_from_be(dh_prime).ok_or(DhError::DhPrimeOutOfRange {
            bits: bits_of_be(dh_prime),
        })?;
        // 2^2047 < p < 2^2048: the top bit set, and p ≠ 2^2047 (which is even anyway).
        let bits = p.bits_vartime();
        if bits != 2048 || p == U2048::ONE.shl_vartime(2047) {
            return Err(DhError::DhPrimeOutOfRange { bits });
        }
        let p_bytes = uint_to_be(&p);
        let g = check_g(g, &p_bytes)?;
        let p = Option::<Odd<U2048>>::from(Odd::new(p)).ok_or(DhError::DhPrimeNotPrime)?;
        if !trusted.contains(&p_bytes) {
            if mr_rounds == 0 {
                return Err(DhError::DhPrimeUnknown);
            }
            check_safe_prime(&p, &p_bytes, mr_rounds, rng)?;
        }
        let params = FixedMontyParams::new_vartime(p);
        Ok(Self { g, p, params })
    }

    /// The generator.
    pub fn g(&self) -> u32 {
        self.g
    }

    /// The prime.
    pub fn prime(&self) -> &U2048 {
        self.p.as_ref()
    }

    /// The prime as 256 big-endian bytes.
    pub fn prime_be_bytes(&self) -> [u8; DH_BYTES] {
        uint_to_be(self.p.as_ref())
    }

    /// Checks the server's `g_a` (big-endian, leading zeros allowed): 1 < g_a < p − 1 and
    /// within the safety margin.
    pub fn check_g_a(&self, g_a: &[u8]) -> Result<U2048, DhError> {
        self.check_range(g_a)
            .map_err(|fault| DhError::GaOutOfRange { fault })
    }

    /// Checks a `g_b` the same way.
    pub fn check_g_b(&self, g_b: &[u8]) -> Result<U2048, DhError> {
        self.check_range(g_b)
            .map_err(|fault| DhError::GbOutOfRange { fault })
    }

    fn check_range(&self, x: &[u8]) -> Result<U2048, RangeFault> {
        let x = uint_from_be(x).ok_or(RangeFault::TooLong)?;
        let p = self.p.as_ref();
        if x <= U2048::ONE {
            return Err(RangeFault::AtMostOne);
        }
        if x >= p.wrapping_sub(&U2048::ONE) {
            return Err(RangeFault::AtLeastPMinusOne);
        }
        let margin = U2048::ONE.shl_vartime(2048 - 64);
        if x < margin {
            return Err(RangeFault::BelowMargin);
        }
        // p > 2^2047 > margin, so p − margin does not wrap.
        if x > p.wrapping_sub(&margin) {
            return Err(RangeFault::AboveMargin);
        }
        Ok(x)
    }

    /// `g^x mod p`, 256 bytes big-endian, constant time in `x`. No range check: see
    /// [`client_exchange`](Self::client_exchange) and `server_start` for the checked forms.
    pub fn public_value(&self, secret: &DhSecret) -> [u8; DH_BYTES] {
        // A ladder that multiplies by the small g with additions measured slower than this
        // general fixed-window exponentiation (7.4 ms against 7.0 ms): crypto-bigint's
        // Almost Montgomery squaring is cheaper than its plain squaring plus the additions.
        self.shared_key(secret, &U2048::from_u32(self.g))
    }

    /// `peer^x mod p`, 256 bytes big-endian, constant time in `x`, for a `peer` value that
    /// passed [`check_g_a`](Self::check_g_a) or [`check_g_b`](Self::check_g_b).
    pub fn shared_key(&self, secret: &DhSecret, peer: &U2048) -> [u8; DH_BYTES] {
        uint_to_be(
            &FixedMontyForm::new(peer, &self.params)
                .pow_amm(&secret.0)
                .retrieve(),
        )
    }

    /// The client's step 7 and 8: checks the server's `g_a`, draws `b` (2048 bits, again if
    /// `g_b` falls outside the safety margin), and returns `g_b` and the auth key `g_a^b`.
    pub fn client_exchange<R: CryptoRng + ?Sized>(
        &self,
        g_a: &[u8],
        rng: &mut R,
    ) -> Result<ClientDh, DhError> {
        let g_a = self.check_g_a(g_a)?;
        for _ in 0..MAX_SECRET_TRIES {
            let b = DhSecret::random(rng);
            match self.client_exchange_checked(&g_a, &b) {
                Err(DhError::GbOutOfRange { .. }) => continue,
                result => return result,
            }
        }
        Err(DhError::SecretTriesExhausted)
    }

    /// [`client_exchange`](Self::client_exchange) with a given `b` (for recorded exchanges):
    /// [`DhError::GbOutOfRange`] if this `b` gives a `g_b` outside the margin.
    pub fn client_exchange_with(&self, g_a: &[u8], b: &DhSecret) -> Result<ClientDh, DhError> {
        let g_a = self.check_g_a(g_a)?;
        self.client_exchange_checked(&g_a, b)
    }

    fn client_exchange_checked(&self, g_a: &U2048, b: &DhSecret) -> Result<ClientDh, DhError> {
        let g_b = self.public_value(b);
        self.check_g_b(&g_b)?;
        Ok(ClientDh {
            g_b,
            auth_key: self.shared_key(b, g_a),
        })
    }

    /// The server's step 6: draws `a` (2048 bits, again if `g_a` falls outside the safety
    /// margin) and returns it with `g_a` for `server_DH_inner_data`.
    #[cfg(feature = "server")]
    pub fn server_start<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<(DhSecret, [u8; DH_BYTES]), DhError> {
        for _ in 0..MAX_SECRET_TRIES {
            let a = DhSecret::random(rng);
            let g_a = self.public_value(&a);
            if self.check_g_a(&g_a).is_ok() {
                return Ok((a, g_a));
            }
        }
        Err(DhError::SecretTriesExhausted)
    }

    /// The server's step 8: checks the client's `g_b` and returns the auth key `g_b^a`.
    #[cfg(feature = "server")]
    pub fn server_finish(&self, a: &DhSecret, g_b: &[u8]) -> Result<[u8; DH_BYTES], DhError> {
        let g_b = self.check_g_b(g_b)?;
        Ok(self.shared_key(a, &g_b))
    }
}

/// g in 2..=7 and a quadratic residue modulo p (auth_key.md, by quadratic reciprocity).
fn check_g(g: i32, p: &[u8; DH_BYTES]) -> Result<u32, DhError> {
    let (modulus, allowed): (u32, &[u32]) = match g {
        2 => (8, &[7]),
        3 => (3, &[2]),
        4 => return Ok(4),
        5 => (5, &[1, 4]),
        6 => (24, &[19, 23]),
        7 => (7, &[3, 5, 6]),
        _ => return Err(DhError::GOutOfRange { g }),
    };
    let g = g as u32;
    let residue = rem_small(p, modulus);
    if allowed.contains(&residue) {
        Ok(g)
    } else {
        Err(DhError::GNotQuadraticResidue {
            g,
            modulus,
            residue,
        })
    }
}

/// p mod m for a small m, by Horner's rule over the bytes.
fn rem_small(p: &[u8; DH_BYTES], m: u32) -> u32 {
    p.iter().fold(0u32, |r, &b| ((r << 8) | u32::from(b)) % m)
}

/// The odd primes below 1024, for trial division.
const SMALL_PRIMES: [u16; 171] = small_primes();

const fn small_primes<const N: usize>() -> [u16; N] {
    let mut composite = [false; 1024];
    let mut out = [0u16; N];
    let mut count = 0;
    let mut i = 3;
    while i < 1024 {
        if !composite[i] {
            assert!(count < N);
            out[count] = i as u16;
            count += 1;
            let mut j = i * i;
            while j < 1024 {
                composite[j] = true;
                j += i;
            }
        }
        i += 2;
    }
    assert!(count == N);
    out
}

/// p (odd, 2048 bits) and q = (p − 1)/2 both prime. Variable time: p is public.
fn check_safe_prime<R: CryptoRng + ?Sized>(
    p: &Odd<U2048>,
    p_bytes: &[u8; DH_BYTES],
    mr_rounds: u32,
    rng: &mut R,
) -> Result<(), DhError> {
    // Trial division: s | p means p is composite; s | q means p ≡ 1 (mod s).
    let mut q_has_small_factor = false;
    for s in SMALL_PRIMES {
        match rem_small(p_bytes, u32::from(s)) {
            0 => return Err(DhError::DhPrimeNotPrime),
            1 => q_has_small_factor = true,
            _ => {}
        }
    }
    // Fermat with base 2: 2^(p−1) ≡ 1. Once q is known prime, this proves p prime
    // (Pocklington, with q > √p and gcd(2² − 1, p) = 1 from the trial division by 3).
    let p_params = FixedMontyParams::new_vartime(*p);
    let p_minus_1 = p.as_ref().wrapping_sub(&U2048::ONE);
    let two = FixedMontyForm::new(&U2048::from_u8(2), &p_params);
    if two.pow_vartime(&p_minus_1).retrieve() != U2048::ONE {
        return Err(DhError::DhPrimeNotPrime);
    }
    // q must be odd (p ≡ 3 mod 4) and free of small factors.
    let q = p_minus_1.shr_vartime(1);
    let Some(q) = Option::<Odd<U2048>>::from(Odd::new(q)) else {
        return Err(DhError::DhPrimeNotSafe);
    };
    if q_has_small_factor {
        return Err(DhError::DhPrimeNotSafe);
    }
    if miller_rabin(&q, mr_rounds, rng) {
        Ok(())
    } else {
        Err(DhError::DhPrimeNotSafe)
    }
}

/// Miller–Rabin on an odd n > 2²⁰⁴⁰: base 2, then `rounds − 1` random bases in [2, n − 2].
fn miller_rabin<R: CryptoRng + ?Sized>(n: &Odd<U2048>, rounds: u32, rng: &mut R) -> bool {
    let params = FixedMontyParams::new_vartime(*n);
    let n_minus_1 = n.as_ref().wrapping_sub(&U2048::ONE);
    let s = n_minus_1.trailing_zeros_vartime();
    let d = n_minus_1.shr_vartime(s);
    let one = FixedMontyForm::one(&params);
    let minus_one = FixedMontyForm::new(&n_minus_1, &params);
    // Bases: 2 + (random mod (n − 3)), so 2 ≤ a ≤ n − 2.
    let Some(range) =
        Option::<NonZero<U2048>>::from(NonZero::new(n.as_ref().wrapping_sub(&U2048::from_u8(3))))
    else {
        return false;
    };
    for round in 0..rounds {
        let base = if round == 0 {
            U2048::from_u8(2)
        } else {
            let mut bytes = [0u8; DH_BYTES];
            rng.fill_bytes(&mut bytes);
            U2048::from_be_slice(&bytes)
                .rem_vartime(&range)
                .wrapping_add(&U2048::from_u8(2))
        };
        let mut x = FixedMontyForm::new(&base, &params).pow_vartime(&d);
        if x == one || x == minus_one {
            continue;
        }
        let mut witness = true;
        for _ in 1..s {
            x = x.square();
            if x == minus_one {
                witness = false;
                break;
            }
            if x == one {
                break;
            }
        }
        if witness {
            return false;
        }
    }
    true
}

/// An RNG that is never called ([`DhGroup::telegram`] runs no randomized test).
struct NoRng;

impl rand_core::TryRng for NoRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.fill(0);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for NoRng {}

/// 512 hex digits to 256 bytes, at compile time.
const fn hex256(hex: &str) -> [u8; DH_BYTES] {
    const fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lowercase hex digit"),
        }
    }
    let hex = hex.as_bytes();
    assert!(hex.len() == 2 * DH_BYTES);
    let mut out = [0u8; DH_BYTES];
    let mut i = 0;
    while i < DH_BYTES {
        out[i] = digit(hex[2 * i]) << 4 | digit(hex[2 * i + 1]);
        i += 1;
    }
    out
}
