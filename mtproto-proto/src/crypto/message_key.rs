//! The auth key, its id, and the message keys and AES key/IV derivations of MTProto 2.0
//! and 1.0.
//!
//! MTProto 2.0 (every encrypted message today):
//! - `msg_key = SHA-256(auth_key[88+x .. 120+x] ‖ plaintext ‖ padding)[8..24]`
//! - `a = SHA-256(msg_key ‖ auth_key[x .. x+36])`, `b = SHA-256(auth_key[40+x .. 76+x] ‖ msg_key)`
//! - `aes_key = a[0..8] ‖ b[8..24] ‖ a[24..32]`, `aes_iv = b[0..8] ‖ a[8..24] ‖ b[24..32]`
//!
//! MTProto 1.0 (still required for the inner message of `auth.bindTempAuthKey`):
//! - `msg_key = SHA-1(plaintext without padding)[4..20]`
//! - four SHA-1s of `msg_key` and 32-byte slices of the auth key (see [`derive_v1`]).
//!
//! `x` is 0 for client→server and 8 for server→client messages: [`Direction`].

use core::fmt;

use super::provider::{CryptoProvider, Software};

/// Length of an auth key in bytes (2048 bits).
pub const AUTH_KEY_LEN: usize = 256;

/// A 128-bit message key, as it travels after the auth key id.
pub type MsgKey = [u8; 16];

/// Which way a message travels; it selects `x` in the key derivations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Sent by the client, received by the server (`x = 0`).
    ClientToServer,
    /// Sent by the server, received by the client (`x = 8`).
    ServerToClient,
}

impl Direction {
    /// The offset `x` into the auth key that the spec uses for this direction.
    pub const fn x(self) -> usize {
        match self {
            Self::ClientToServer => 0,
            Self::ServerToClient => 8,
        }
    }

    /// The other direction.
    pub const fn reverse(self) -> Self {
        match self {
            Self::ClientToServer => Self::ServerToClient,
            Self::ServerToClient => Self::ClientToServer,
        }
    }
}

/// A 2048-bit authorization key with its 64-bit id computed once.
///
/// `Debug` prints only the id: the key itself never appears in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthKey {
    bytes: [u8; AUTH_KEY_LEN],
    id: [u8; 8],
}

impl AuthKey {
    /// Wraps a key and computes its id with the [`Software`] SHA-1.
    pub fn new(bytes: [u8; AUTH_KEY_LEN]) -> Self {
        Self::new_with(&mut Software, bytes)
    }

    /// Wraps a key and computes its id with `provider`'s SHA-1.
    pub fn new_with<P: CryptoProvider>(provider: &mut P, bytes: [u8; AUTH_KEY_LEN]) -> Self {
        let digest = provider.sha1(&[&bytes]);
        // The 64 lower-order bits of SHA-1(auth_key): its last 8 bytes, as sent on the wire.
        let mut id = [0; 8];
        id.copy_from_slice(&digest[12..20]);
        Self { bytes, id }
    }

    /// The 256 key bytes.
    pub fn as_bytes(&self) -> &[u8; AUTH_KEY_LEN] {
        &self.bytes
    }

    /// `auth_key_id` as its 8 wire bytes (`SHA-1(auth_key)[12..20]`).
    pub fn id(&self) -> [u8; 8] {
        self.id
    }

    /// `auth_key_id` as the little-endian `long` the TL schema shows.
    pub fn id_u64(&self) -> u64 {
        u64::from_le_bytes(self.id)
    }

    /// `auth_key[offset .. offset + N]`; offsets used here are constants below 129.
    fn part<const N: usize>(&self, offset: usize) -> &[u8] {
        debug_assert!(offset + N <= AUTH_KEY_LEN);
        self.bytes.get(offset..offset + N).unwrap_or(&[])
    }
}

impl fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthKey {{ id: {:#018x}, .. }}", self.id_u64())
    }
}

/// An AES-256 key and IGE IV derived for one message.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageKeys {
    /// The AES-256 key.
    pub aes_key: [u8; 32],
    /// The IGE IV (`c₋₁ ‖ p₋₁`).
    pub aes_iv: [u8; 32],
}

impl fmt::Debug for MessageKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MessageKeys { .. }")
    }
}

/// MTProto 2.0 `msg_key` of `plaintext`, which must include the internal header and the
/// padding: the middle 128 bits of `SHA-256(auth_key[88+x .. 120+x] ‖ plaintext)`.
pub fn msg_key_v2<P: CryptoProvider>(
    provider: &mut P,
    auth_key: &AuthKey,
    direction: Direction,
    plaintext: &[u8],
) -> MsgKey {
    let large = provider.sha256(&[auth_key.part::<32>(88 + direction.x()), plaintext]);
    let mut msg_key = [0; 16];
    msg_key.copy_from_slice(&large[8..24]);
    msg_key
}

/// MTProto 2.0 key derivation: the AES key and IV for `msg_key` in `direction`.
pub fn derive_v2<P: CryptoProvider>(
    provider: &mut P,
    auth_key: &AuthKey,
    direction: Direction,
    msg_key: &MsgKey,
) -> MessageKeys {
    let x = direction.x();
    let a = provider.sha256(&[msg_key, auth_key.part::<36>(x)]);
    let b = provider.sha256(&[auth_key.part::<36>(40 + x), msg_key]);

    let mut aes_key = [0; 32];
    aes_key[0..8].copy_from_slice(&a[0..8]);
    aes_key[8..24].copy_from_slice(&b[8..24]);
    aes_key[24..32].copy_from_slice(&a[24..32]);

    let mut aes_iv = [0; 32];
    aes_iv[0..8].copy_from_slice(&b[0..8]);
    aes_iv[8..24].copy_from_slice(&a[8..24]);
    aes_iv[24..32].copy_from_slice(&b[24..32]);

    MessageKeys { aes_key, aes_iv }
}

/// MTProto 1.0 `msg_key` of `plaintext` (internal header and body, *without* padding):
/// `SHA-1(plaintext)[4..20]`.
pub fn msg_key_v1<P: CryptoProvider>(provider: &mut P, plaintext: &[u8]) -> MsgKey {
    let digest = provider.sha1(&[plaintext]);
    let mut msg_key = [0; 16];
    msg_key.copy_from_slice(&digest[4..20]);
    msg_key
}

/// MTProto 1.0 key derivation: the AES key and IV for `msg_key` in `direction`.
///
/// - `a = SHA-1(msg_key ‖ auth_key[x .. x+32])`
/// - `b = SHA-1(auth_key[32+x .. 48+x] ‖ msg_key ‖ auth_key[48+x .. 64+x])`
/// - `c = SHA-1(auth_key[64+x .. 96+x] ‖ msg_key)`
/// - `d = SHA-1(msg_key ‖ auth_key[96+x .. 128+x])`
/// - `aes_key = a[0..8] ‖ b[8..20] ‖ c[4..16]`
/// - `aes_iv = a[8..20] ‖ b[0..8] ‖ c[16..20] ‖ d[0..8]`
///
/// `auth.bindTempAuthKey` encrypts its inner message this way with the permanent key and
/// `x = 0` ([`Direction::ClientToServer`]).
pub fn derive_v1<P: CryptoProvider>(
    provider: &mut P,
    auth_key: &AuthKey,
    direction: Direction,
    msg_key: &MsgKey,
) -> MessageKeys {
    let x = direction.x();
    let a = provider.sha1(&[msg_key, auth_key.part::<32>(x)]);
    let b = provider.sha1(&[
        auth_key.part::<16>(32 + x),
        msg_key,
        auth_key.part::<16>(48 + x),
    ]);
    let c = provider.sha1(&[auth_key.part::<32>(64 + x), msg_key]);
    let d = provider.sha1(&[msg_key, auth_key.part::<32>(96 + x)]);

    let mut aes_key = [0; 32];
    aes_key[0..8].copy_from_slice(&a[0..8]);
    aes_key[8..20].copy_from_slice(&b[8..20]);
    aes_key[20..32].copy_from_slice(&c[4..16]);

    let mut aes_iv = [0; 32];
    aes_iv[0..12].copy_from_slice(&a[8..20]);
    aes_iv[12..20].copy_from_slice(&b[0..8]);
    aes_iv[20..24].copy_from_slice(&c[16..20]);
    aes_iv[24..32].copy_from_slice(&d[0..8]);

    MessageKeys { aes_key, aes_iv }
}
