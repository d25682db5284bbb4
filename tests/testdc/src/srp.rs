//! The server side of Telegram's 2FA check (SRP 6a with the
//! `passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow` password hash, api/srp.md).
//!
//! The DC keeps, per account with a password, the salts and the verifier `v = g^x mod p`
//! ([`Verifier`]); each `account.getPassword` hands out a fresh [`Challenge`] (`srp_id`,
//! `srp_B = k·v + g^b mod p`); `auth.checkPassword` recomputes `M1` from the client's `A`
//! ([`Challenge::check`]). The group is Telegram's: [`TELEGRAM_DH_PRIME`] with `g = 3`.

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U2048};
use ferrogram_mtproto_proto::auth_key::dh::TELEGRAM_DH_PRIME;
use sha2::{Digest, Sha256, Sha512};

/// The generator Telegram uses for SRP.
pub const SRP_G: i32 = 3;

/// Bytes of `p`, `A`, `B` and `v`.
pub const SRP_BYTES: usize = 256;

/// PBKDF2 iterations of the password hash.
pub const PBKDF2_ROUNDS: u32 = 100_000;

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// `SH(data, salt) = H(salt | data | salt)`.
fn salted(data: &[u8], salt: &[u8]) -> [u8; 32] {
    sha256(&[salt, data, salt])
}

/// `x = PH2(password, salt1, salt2)`: the password hash the verifier is built from.
pub fn password_hash(password: &[u8], salt1: &[u8], salt2: &[u8]) -> [u8; 32] {
    let ph1 = salted(&salted(password, salt1), salt2);
    let mut stretched = [0u8; 64];
    pbkdf2::pbkdf2_hmac::<Sha512>(&ph1, salt1, PBKDF2_ROUNDS, &mut stretched);
    salted(&stretched, salt2)
}

fn params() -> FixedMontyParams<{ U2048::LIMBS }> {
    let p = U2048::from_be_slice(&TELEGRAM_DH_PRIME);
    // TELEGRAM_DH_PRIME is odd (a safe prime).
    let p = Option::<Odd<U2048>>::from(Odd::new(p)).unwrap_or_else(|| unreachable!());
    FixedMontyParams::new_vartime(p)
}

fn from_be(bytes: &[u8]) -> U2048 {
    let mut buf = [0u8; SRP_BYTES];
    let bytes = &bytes[bytes.len().saturating_sub(SRP_BYTES)..];
    buf[SRP_BYTES - bytes.len()..].copy_from_slice(bytes);
    U2048::from_be_slice(&buf)
}

fn to_be(x: &U2048) -> [u8; SRP_BYTES] {
    let mut out = [0u8; SRP_BYTES];
    out.copy_from_slice(x.to_be_bytes().as_slice());
    out
}

/// `g` as 256 big-endian bytes (numbers are hashed padded to 2048 bits).
fn g_padded() -> [u8; SRP_BYTES] {
    to_be(&U2048::from_u32(SRP_G as u32))
}

/// `k = H(p | g)`.
fn k_multiplier() -> [u8; 32] {
    sha256(&[&TELEGRAM_DH_PRIME, &g_padded()])
}

/// What the DC stores for an account's password: the salts and `v = g^x mod p`.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    /// `salt1` (the client's KDF salt; Telegram's is 8 server bytes + 32 client bytes).
    pub salt1: Vec<u8>,
    /// `salt2`.
    pub salt2: Vec<u8>,
    /// `v`, 256 bytes big-endian.
    pub v: [u8; SRP_BYTES],
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").finish_non_exhaustive()
    }
}

impl Verifier {
    /// The verifier for `password` with these salts (100 000 PBKDF2 rounds: tens of
    /// milliseconds optimized).
    pub fn new(password: &str, salt1: Vec<u8>, salt2: Vec<u8>) -> Self {
        let x = password_hash(password.as_bytes(), &salt1, &salt2);
        let params = params();
        let v = FixedMontyForm::new(&U2048::from_u32(SRP_G as u32), &params)
            .pow(&from_be(&x))
            .retrieve();
        Self {
            salt1,
            salt2,
            v: to_be(&v),
        }
    }
}

/// One `account.getPassword` answer's secret half: `b` and the `srp_B` it gave.
#[derive(Clone)]
pub struct Challenge {
    /// The `srp_id` the client must echo.
    pub srp_id: i64,
    b: U2048,
    /// `srp_B`, 256 bytes big-endian.
    pub g_b: [u8; SRP_BYTES],
}

impl std::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Challenge")
            .field("srp_id", &self.srp_id)
            .finish_non_exhaustive()
    }
}

/// Why a proof was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// `A` is not in 1 < A < p − 1 (or `A ≡ 0`): refused before any arithmetic.
    BadA,
    /// `M1` does not match: the wrong password.
    Mismatch,
}

impl Challenge {
    /// A challenge for `verifier` with secret `b` (256 random bytes, big-endian).
    pub fn new(verifier: &Verifier, srp_id: i64, b: &[u8; SRP_BYTES]) -> Self {
        let params = params();
        let b = U2048::from_be_slice(b);
        let g = FixedMontyForm::new(&U2048::from_u32(SRP_G as u32), &params);
        let k = FixedMontyForm::new(&from_be(&k_multiplier()), &params);
        let v = FixedMontyForm::new(&from_be(&verifier.v), &params);
        let g_b = (k * v + g.pow(&b)).retrieve();
        Self {
            srp_id,
            b,
            g_b: to_be(&g_b),
        }
    }

    /// Checks the client's `A` and `M1` (api/srp.md: `M1 = H(H(p) xor H(g) | H(salt1) |
    /// H(salt2) | g_a | g_b | k_a)`).
    pub fn check(&self, verifier: &Verifier, g_a: &[u8], m1: &[u8]) -> Result<(), CheckError> {
        if g_a.len() > SRP_BYTES {
            return Err(CheckError::BadA);
        }
        let a = from_be(g_a);
        let p = U2048::from_be_slice(&TELEGRAM_DH_PRIME);
        if a <= U2048::ONE || a >= p.wrapping_sub(&U2048::ONE) {
            return Err(CheckError::BadA);
        }
        let g_a = to_be(&a);
        let params = params();
        let u = sha256(&[&g_a, &self.g_b]);
        let v = FixedMontyForm::new(&from_be(&verifier.v), &params);
        let base = FixedMontyForm::new(&a, &params) * v.pow(&from_be(&u));
        let s_b = to_be(&base.pow(&self.b).retrieve());
        let k_b = sha256(&[&s_b]);
        let hp = sha256(&[&TELEGRAM_DH_PRIME]);
        let hg = sha256(&[&g_padded()]);
        let mut x = [0u8; 32];
        for (o, (a, b)) in x.iter_mut().zip(hp.iter().zip(hg.iter())) {
            *o = a ^ b;
        }
        let expected = sha256(&[
            &x,
            &sha256(&[&verifier.salt1]),
            &sha256(&[&verifier.salt2]),
            &g_a,
            &self.g_b,
            &k_b,
        ]);
        // Compare without an early exit.
        let same = m1.len() == 32
            && expected
                .iter()
                .zip(m1)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            Ok(())
        } else {
            Err(CheckError::Mismatch)
        }
    }
}
