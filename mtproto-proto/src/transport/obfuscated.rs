//! Obfuscated transports ("obfuscated2") and MTProxy: the framing of abridged, intermediate or
//! padded intermediate, AES-256-CTR encrypted in both directions so the stream looks random.
//!
//! # The 64-byte header
//!
//! Instead of the tag, the client opens with 64 bytes:
//!
//! ```text
//!  0        8                                 40               56    60  62  64
//! +--------+---------------------------------+----------------+-----+---+---+
//! | random |  key (client → server)          | iv             | tag |dc |rnd|
//! +--------+---------------------------------+----------------+-----+---+---+
//!                                                             \_ sent encrypted _/
//! ```
//!
//! - bytes 0..56 are random and sent as they are; they must not look like another protocol:
//!   byte 0 ≠ `0xef`, bytes 0..4 ∉ {`HEAD`, `POST`, `GET `, `OPTI`, `16 03 01 02` (TLS),
//!   `dd dd dd dd`, `ee ee ee ee`}, bytes 4..8 ≠ `00 00 00 00` ([`is_valid_random_header`]);
//! - the client→server key and IV are bytes 8..40 and 40..56; the server→client key and IV
//!   are the same 48 bytes **reversed** (header bytes 55 down to 8), split 32/16;
//! - the tag ([`TransportKind::obfuscated_tag`]: `efefefef`, `eeeeeeee`, `dddddddd`) goes at
//!   56..60, and for MTProxy the DC id as a signed little-endian `i16` at 60..62
//!   ([`dc_id_field`]: +10000 for test DCs, negated for media DCs);
//! - the client encrypts the whole 64-byte header with its stream and sends bytes 56..64 of
//!   the result in place of the plain ones; its stream then continues with the frames (so the
//!   first frame byte uses keystream byte 64). The server's stream starts at 0.
//!
//! # MTProxy
//!
//! With a proxy secret ([`ProxySecret`], 16 bytes), each key becomes `SHA-256(key ‖ secret)`;
//! the IVs are unchanged. A 17-byte secret starting with `dd` means the proxy wants padded
//! intermediate, and [`ClientInit`] then uses it whatever transport was asked for. `ee`
//! secrets (fake TLS) are rejected with [`ObfuscationError::FakeTlsNotSupported`].

use rand_core::CryptoRng;
use sha2::{Digest, Sha256};

use super::{DecodeError, Decoder, Encoder, ObfuscationError, Role, TransportKind};
use crate::crypto::ctr::Aes256Ctr;

/// The obfuscated header's length.
pub const HEADER_LEN: usize = 64;

/// The first 4 bytes of a TLS 1.x ClientHello record as MTProto servers recognise it.
pub(crate) const TLS_START: [u8; 4] = [0x16, 0x03, 0x01, 0x02];

/// Whether 4 opening bytes are an HTTP method MTProto servers accept.
pub(crate) fn is_http(first: [u8; 4]) -> bool {
    matches!(&first, b"HEAD" | b"POST" | b"GET " | b"OPTI")
}

/// Whether 64 bytes may open an obfuscated connection: they must not look like a plain
/// transport, HTTP or TLS (see the [module docs](self)). Only bytes 0..8 matter.
#[must_use]
pub fn is_valid_random_header(header: &[u8; HEADER_LEN]) -> bool {
    let first = [header[0], header[1], header[2], header[3]];
    header[0] != super::abridged::TAG
        && !is_http(first)
        && first != TLS_START
        && first != super::intermediate::TAG
        && first != super::padded::TAG
        && header[4..8] != [0; 4]
}

/// The DC id as the obfuscated header carries it: `dc`, plus 10000 on test servers, negated
/// for media (non-CDN) DCs. Media DC 4 in production is `-4`, test DC 2 is `10002`.
///
/// # Errors
///
/// [`ObfuscationError::DcIdOutOfRange`] if the result does not fit an `i16`.
pub fn dc_id_field(dc: u16, test: bool, media: bool) -> Result<i16, ObfuscationError> {
    let v = i32::from(dc) + if test { 10_000 } else { 0 };
    let v = if media { -v } else { v };
    i16::try_from(v).map_err(|_| ObfuscationError::DcIdOutOfRange { dc })
}

/// An MTProxy secret: 16 key bytes, and whether the proxy requires padded intermediate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ProxySecret {
    key: [u8; 16],
    padded: bool,
}

impl core::fmt::Debug for ProxySecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProxySecret")
            .field("padded", &self.padded)
            .finish_non_exhaustive()
    }
}

impl ProxySecret {
    /// Parses a secret's bytes: 16 bytes (any transport), or 17 bytes whose first byte
    /// selects the transport (`dd`, and by the spec any other prefix, means padded
    /// intermediate).
    ///
    /// # Errors
    ///
    /// [`ObfuscationError::FakeTlsNotSupported`] for `ee` secrets (17 bytes or longer with a
    /// domain); [`ObfuscationError::BadSecretLength`] for other lengths.
    pub fn from_bytes(secret: &[u8]) -> Result<Self, ObfuscationError> {
        match secret {
            [0xee, _, ..] if secret.len() >= 17 => Err(ObfuscationError::FakeTlsNotSupported),
            _ if secret.len() == 16 => {
                let mut key = [0u8; 16];
                key.copy_from_slice(secret);
                Ok(Self { key, padded: false })
            }
            [_prefix, rest @ ..] if rest.len() == 16 => {
                let mut key = [0u8; 16];
                key.copy_from_slice(rest);
                Ok(Self { key, padded: true })
            }
            _ => Err(ObfuscationError::BadSecretLength { len: secret.len() }),
        }
    }

    /// Parses a secret in hex as found in proxy links (`tg://proxy?...&secret=dd…`).
    ///
    /// # Errors
    ///
    /// [`ObfuscationError::BadSecretHex`], and those of [`from_bytes`](ProxySecret::from_bytes).
    pub fn from_hex(hex: &str) -> Result<Self, ObfuscationError> {
        let hex = hex.as_bytes();
        if hex.len() % 2 != 0 {
            return Err(ObfuscationError::BadSecretHex);
        }
        let mut bytes = [0u8; 17];
        let n = hex.len() / 2;
        // Check only the first two bytes of long (fake-TLS) secrets to name the error.
        let shown = n.min(17);
        for (i, b) in bytes.iter_mut().enumerate().take(shown) {
            let hi = hex_digit(hex[2 * i]).ok_or(ObfuscationError::BadSecretHex)?;
            let lo = hex_digit(hex[2 * i + 1]).ok_or(ObfuscationError::BadSecretHex)?;
            *b = hi << 4 | lo;
        }
        if n > 17 {
            return if bytes[0] == 0xee {
                Err(ObfuscationError::FakeTlsNotSupported)
            } else {
                Err(ObfuscationError::BadSecretLength { len: n })
            };
        }
        Self::from_bytes(&bytes[..n])
    }

    /// The 16 key bytes mixed into the keys.
    #[must_use]
    pub const fn key(&self) -> &[u8; 16] {
        &self.key
    }

    /// Whether the proxy requires padded intermediate (17-byte `dd` secrets).
    #[must_use]
    pub const fn requires_padded(&self) -> bool {
        self.padded
    }
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The keys and IVs of both directions, from the client's point of view.
#[derive(Clone, PartialEq, Eq)]
pub struct ObfuscationKeys {
    /// Client → server key (`header[8..40]`, or its SHA-256 with a proxy secret).
    pub encrypt_key: [u8; 32],
    /// Client → server IV (`header[40..56]`).
    pub encrypt_iv: [u8; 16],
    /// Server → client key (from the reversed bytes).
    pub decrypt_key: [u8; 32],
    /// Server → client IV (from the reversed bytes).
    pub decrypt_iv: [u8; 16],
}

impl core::fmt::Debug for ObfuscationKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ObfuscationKeys { .. }")
    }
}

impl ObfuscationKeys {
    /// Derives the keys from a header (only bytes 8..56 are used) and an optional MTProxy
    /// secret.
    #[must_use]
    pub fn derive(header: &[u8; HEADER_LEN], secret: Option<&[u8; 16]>) -> Self {
        let mut reversed = [0u8; 48];
        reversed.copy_from_slice(&header[8..56]);
        reversed.reverse();
        let key = |k: &[u8]| -> [u8; 32] {
            let mut out = [0u8; 32];
            match secret {
                Some(s) => {
                    let mut h = Sha256::new();
                    h.update(k);
                    h.update(s);
                    out.copy_from_slice(&h.finalize());
                }
                None => out.copy_from_slice(k),
            }
            out
        };
        let iv = |v: &[u8]| -> [u8; 16] {
            let mut out = [0u8; 16];
            out.copy_from_slice(v);
            out
        };
        Self {
            encrypt_key: key(&header[8..40]),
            encrypt_iv: iv(&header[40..56]),
            decrypt_key: key(&reversed[..32]),
            decrypt_iv: iv(&reversed[32..]),
        }
    }
}

/// A client's obfuscated connection before it starts: the header to send and both streams.
/// Turn it into an encoder/decoder pair with [`split`](ClientInit::split).
#[derive(Clone, Debug)]
pub struct ClientInit {
    kind: TransportKind,
    header: [u8; HEADER_LEN],
    keys: ObfuscationKeys,
    encrypt: Aes256Ctr,
    decrypt: Aes256Ctr,
}

impl ClientInit {
    /// Draws random headers from `rng` until one is valid (a few tries at most with a working
    /// generator), then builds it as [`from_random`](ClientInit::from_random) does.
    ///
    /// # Errors
    ///
    /// [`ObfuscationError::RngRejected`] if 64 draws in a row were forbidden;
    /// [`ObfuscationError::NoObfuscatedForm`] for [`TransportKind::Full`].
    pub fn new<R: CryptoRng + ?Sized>(
        rng: &mut R,
        kind: TransportKind,
        dc_id: Option<i16>,
        secret: Option<&ProxySecret>,
    ) -> Result<Self, ObfuscationError> {
        for _ in 0..64 {
            let mut random = [0u8; HEADER_LEN];
            rng.fill_bytes(&mut random);
            match Self::from_random(&random, kind, dc_id, secret) {
                Err(ObfuscationError::ForbiddenRandomHeader) => continue,
                other => return other,
            }
        }
        Err(ObfuscationError::RngRejected)
    }

    /// Builds the header from 64 given random bytes (for tests and recorded exchanges): the
    /// tag of `kind` goes at 56..60 and, if given, `dc_id` ([`dc_id_field`]) at 60..62; the
    /// other bytes are kept. With a secret that requires padded intermediate, `kind` is
    /// replaced by [`TransportKind::PaddedIntermediate`].
    ///
    /// # Errors
    ///
    /// [`ObfuscationError::ForbiddenRandomHeader`] if bytes 0..8 look like another protocol;
    /// [`ObfuscationError::NoObfuscatedForm`] for [`TransportKind::Full`].
    pub fn from_random(
        random: &[u8; HEADER_LEN],
        kind: TransportKind,
        dc_id: Option<i16>,
        secret: Option<&ProxySecret>,
    ) -> Result<Self, ObfuscationError> {
        if !is_valid_random_header(random) {
            return Err(ObfuscationError::ForbiddenRandomHeader);
        }
        let kind = match secret {
            Some(s) if s.requires_padded() => TransportKind::PaddedIntermediate,
            _ => kind,
        };
        let tag = kind
            .obfuscated_tag()
            .ok_or(ObfuscationError::NoObfuscatedForm { kind })?;
        let mut header = *random;
        header[56..60].copy_from_slice(&tag);
        if let Some(dc) = dc_id {
            header[60..62].copy_from_slice(&dc.to_le_bytes());
        }
        let keys = ObfuscationKeys::derive(&header, secret.map(ProxySecret::key));
        let mut encrypt = Aes256Ctr::new(&keys.encrypt_key, &keys.encrypt_iv);
        let decrypt = Aes256Ctr::new(&keys.decrypt_key, &keys.decrypt_iv);
        let mut encrypted = header;
        encrypt.apply_keystream(&mut encrypted);
        header[56..].copy_from_slice(&encrypted[56..]);
        Ok(Self {
            kind,
            header,
            keys,
            encrypt,
            decrypt,
        })
    }

    /// The 64 bytes to send first, as they go on the wire.
    #[must_use]
    pub const fn header(&self) -> &[u8; HEADER_LEN] {
        &self.header
    }

    /// The transport inside the obfuscation (after any secret override).
    #[must_use]
    pub const fn kind(&self) -> TransportKind {
        self.kind
    }

    /// The derived keys and IVs (for tests and diagnostics; they are secret).
    #[must_use]
    pub const fn keys(&self) -> &ObfuscationKeys {
        &self.keys
    }

    /// The encoder (its first output starts with the header, unless
    /// [`Encoder::write_preamble`] sends it earlier) and the decoder reading into `buf`.
    pub fn split<B: AsRef<[u8]> + AsMut<[u8]>>(self, buf: B) -> (Encoder, Decoder<B>) {
        let enc = Encoder::obfuscated(self.kind, Role::Client, Some(self.header), self.encrypt);
        let dec = Decoder::client_obfuscated(self.kind, buf, self.decrypt);
        (enc, dec)
    }
}

/// What a server learns from a client's obfuscated header.
#[derive(Clone, Debug)]
pub(crate) struct ServerInit {
    pub(crate) kind: TransportKind,
    pub(crate) dc_id: i16,
    /// Client → server stream, positioned after the header.
    pub(crate) decrypt: Aes256Ctr,
    /// Server → client stream, at 0.
    pub(crate) encrypt: Aes256Ctr,
}

impl ServerInit {
    /// Derives the server's streams from a received header and finds the tag and DC id.
    pub(crate) fn parse(
        header: &[u8; HEADER_LEN],
        secret: Option<&[u8; 16]>,
    ) -> Result<Self, DecodeError> {
        let keys = ObfuscationKeys::derive(header, secret);
        let mut decrypt = Aes256Ctr::new(&keys.encrypt_key, &keys.encrypt_iv);
        let encrypt = Aes256Ctr::new(&keys.decrypt_key, &keys.decrypt_iv);
        let mut plain = *header;
        decrypt.apply_keystream(&mut plain);
        let tag = [plain[56], plain[57], plain[58], plain[59]];
        let kind =
            TransportKind::from_obfuscated_tag(tag).ok_or(DecodeError::UnknownObfuscatedTag {
                tag: u32::from_le_bytes(tag),
            })?;
        Ok(Self {
            kind,
            dc_id: i16::from_le_bytes([plain[60], plain[61]]),
            decrypt,
            encrypt,
        })
    }
}
