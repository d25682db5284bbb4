//! MTProto 2.0 encrypted messages, sealed and opened in the caller's buffer with no heap.
//!
//! On the wire a message is `auth_key_id ‖ msg_key ‖ encrypted_data`, and `encrypted_data`
//! is AES-256-IGE over
//! `salt ‖ session_id ‖ msg_id ‖ seq_no ‖ message_data_length ‖ message_data ‖ padding`
//! (all little-endian, 12..1024 bytes of padding, a multiple of 16 in total).
//!
//! - Sending: [`Packet`] lays the message out in a buffer: write the body into
//!   [`Packet::body_mut`], then [`Packet::encrypt`] writes the internal header, appends
//!   random padding, encrypts and returns where the payload lies. [`encrypted_len`] says
//!   how big the buffer must be.
//! - Receiving: [`decrypt`] opens a payload in place and runs every check of the security
//!   guidelines that needs only the key: auth key id, length, `msg_key` (in constant time),
//!   `message_data_length`, padding length and `msg_id` parity. Checking `session_id`,
//!   duplicate `msg_id`s and the time window is the session's job.
//!
//! ```
//! use ferrogram_mtproto_proto::crypto::message::{self, MessageHeader, Packet, Role};
//! use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
//! use ferrogram_mtproto_proto::crypto::provider::Software;
//!
//! let key = AuthKey::new([0x42; 256]);
//! let header = MessageHeader { salt: 1, session_id: 2, msg_id: 0x6000_0000_0000_0004, seq_no: 1 };
//! let body = [0xab; 12];
//!
//! // The client seals a message with explicit padding (normally: `encrypt` with an RNG).
//! let mut buf = [0u8; message::encrypted_len(12)];
//! let mut packet = Packet::new(&mut buf, 0)?;
//! packet.body_mut()[..12].copy_from_slice(&body);
//! let padding = [0x5a; message::padding_len(12)]; // 20 bytes
//! let sent = packet.encrypt_with_padding(&mut Software, &key, Role::Client, &header, 12, &padding)?;
//!
//! // The server opens it in place.
//! let payload = &mut buf[sent];
//! let got = message::decrypt(&mut Software, &key, Role::Server, payload)?;
//! assert_eq!(got.header, header);
//! assert_eq!(got.body(payload), &body);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use core::ops::Range;

use rand_core::CryptoRng;

use super::ige::IgeError;
use super::message_key::{self, AuthKey, Direction};
use super::provider::CryptoProvider;

/// `auth_key_id ‖ msg_key`: the unencrypted 24 bytes in front of every encrypted message.
pub const EXTERNAL_HEADER_LEN: usize = 24;
/// `salt ‖ session_id ‖ msg_id ‖ seq_no ‖ message_data_length`: 32 bytes.
pub const INTERNAL_HEADER_LEN: usize = 32;
/// The least padding MTProto 2.0 allows.
pub const MIN_PADDING: usize = 12;
/// The most padding MTProto 2.0 allows.
pub const MAX_PADDING: usize = 1024;
/// The most bytes [`Packet::encrypt`] adds to a body: both headers and up to 27 bytes of
/// padding (it pads to the next multiple of 16 with at least 12 bytes).
pub const MAX_OVERHEAD: usize = EXTERNAL_HEADER_LEN + INTERNAL_HEADER_LEN + MIN_PADDING + 15;
/// The shortest valid payload: headers and 12 bytes of padding, rounded up to a block.
pub const MIN_PAYLOAD_LEN: usize = EXTERNAL_HEADER_LEN + 48;

/// Padding [`Packet::encrypt`] appends to a `body_len`-byte body: 12..=27 bytes, so that
/// the encrypted part is a multiple of 16.
pub const fn padding_len(body_len: usize) -> usize {
    // Only `body_len % 16` matters, which also keeps huge lengths from overflowing.
    let unpadded = INTERNAL_HEADER_LEN + body_len % 16 + MIN_PADDING;
    MIN_PADDING + (16 - unpadded % 16) % 16
}

/// Bytes of buffer (after the `start` offset given to [`Packet::new`]) that a
/// `body_len`-byte body needs: the payload length [`Packet::encrypt`] returns
/// (saturating at `usize::MAX` for absurd lengths).
pub const fn encrypted_len(body_len: usize) -> usize {
    body_len.saturating_add(EXTERNAL_HEADER_LEN + INTERNAL_HEADER_LEN + padding_len(body_len))
}

/// The endpoint doing the encrypting or decrypting: it fixes the direction (and so `x`)
/// and which `msg_id` parity is legal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The client: sends client→server, receives server→client.
    Client,
    /// The server (the test DC): sends server→client, receives client→server.
    Server,
}

impl Role {
    /// The direction of messages this endpoint sends.
    pub const fn outgoing(self) -> Direction {
        match self {
            Self::Client => Direction::ClientToServer,
            Self::Server => Direction::ServerToClient,
        }
    }

    /// The direction of messages this endpoint receives.
    pub const fn incoming(self) -> Direction {
        self.outgoing().reverse()
    }
}

/// The plaintext fields in front of a message body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageHeader {
    /// Server salt.
    pub salt: i64,
    /// Session id.
    pub session_id: i64,
    /// Message id: divisible by 4 from a client, odd from a server.
    pub msg_id: i64,
    /// Sequence number.
    pub seq_no: i32,
}

/// Why a message could not be sealed. The buffer holds no valid payload afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncryptError {
    /// The buffer cannot hold the headers, body and padding.
    BufferTooSmall {
        /// Bytes needed from the start offset on.
        needed: usize,
        /// Bytes available from the start offset on.
        available: usize,
    },
    /// The body length is not a multiple of 4 (TL data always is).
    UnalignedBody {
        /// The body length passed.
        body_len: usize,
    },
    /// Explicit padding was outside 12..=1024 bytes or left the encrypted part not a
    /// multiple of 16.
    BadPadding {
        /// The padding length passed.
        padding_len: usize,
        /// The body length passed.
        body_len: usize,
    },
    /// The `msg_id` has the wrong parity for the sender: a client's must be divisible by
    /// 4, a server's odd.
    WrongMsgIdParity {
        /// The `msg_id` passed.
        msg_id: i64,
        /// The sender.
        role: Role,
    },
    /// The crypto provider refused the aligned buffer (a provider bug).
    Provider(IgeError),
}

impl fmt::Display for EncryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed, available } => write!(
                f,
                "the message needs {needed} bytes of buffer but only {available} are there; \
                 size the buffer with `message::encrypted_len(body_len)`"
            ),
            Self::UnalignedBody { body_len } => write!(
                f,
                "the message body is {body_len} bytes, not a multiple of 4; serialize a \
                 complete TL object as the body"
            ),
            Self::BadPadding {
                padding_len,
                body_len,
            } => write!(
                f,
                "{padding_len} bytes of padding for a {body_len}-byte body is invalid: MTProto \
                 2.0 needs 12..=1024 bytes making 32 + body + padding a multiple of 16; use \
                 `message::padding_len(body_len)` bytes"
            ),
            Self::WrongMsgIdParity { msg_id, role } => write!(
                f,
                "msg_id {msg_id} has the wrong parity for the {role:?} side (a client's must be \
                 divisible by 4, a server's odd); generate it with the session's msg_id clock"
            ),
            Self::Provider(err) => write!(
                f,
                "the crypto provider refused a whole number of blocks ({err}); run \
                 `provider::conformance::check` against it"
            ),
        }
    }
}

impl core::error::Error for EncryptError {}

/// A message being laid out in a caller's buffer for sending.
///
/// The payload starts at `start`: bytes before it are left for the caller (a transport
/// frame header, say). From `start` on the buffer holds, once encrypted:
/// `auth_key_id (8) ‖ msg_key (16) ‖ encrypted(header (32) ‖ body ‖ padding)`.
/// The body goes at `start + 56`; [`body_mut`](Self::body_mut) exposes the room there.
/// For a `b`-byte body the buffer needs `start + encrypted_len(b)` bytes.
#[derive(Debug)]
pub struct Packet<'a> {
    buf: &'a mut [u8],
    start: usize,
}

const BODY_OFFSET: usize = EXTERNAL_HEADER_LEN + INTERNAL_HEADER_LEN;

impl<'a> Packet<'a> {
    /// Lays out a message whose payload begins at `buf[start]`.
    ///
    /// # Errors
    /// [`EncryptError::BufferTooSmall`] if `buf[start..]` cannot hold even an empty message
    /// ([`MIN_PAYLOAD_LEN`] bytes).
    pub fn new(buf: &'a mut [u8], start: usize) -> Result<Self, EncryptError> {
        let available = buf.len().saturating_sub(start);
        if start > buf.len() || available < MIN_PAYLOAD_LEN {
            return Err(EncryptError::BufferTooSmall {
                needed: MIN_PAYLOAD_LEN,
                available,
            });
        }
        Ok(Self { buf, start })
    }

    /// Bytes from `start` to the end of the buffer.
    fn available(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The longest body (a multiple of 4) that fits with its padding.
    pub fn body_capacity(&self) -> usize {
        let blocks = (self.available() - EXTERNAL_HEADER_LEN) / 16 * 16;
        (blocks - INTERNAL_HEADER_LEN - MIN_PADDING) & !3
    }

    /// The room for the body: [`body_capacity`](Self::body_capacity) bytes. Write the body
    /// at its beginning and pass its length to [`encrypt`](Self::encrypt).
    pub fn body_mut(&mut self) -> &mut [u8] {
        let from = self.start + BODY_OFFSET;
        let to = from + self.body_capacity();
        self.buf.get_mut(from..to).unwrap_or_default()
    }

    /// Encrypts the message with `body_len` bytes of body and [`padding_len`] bytes of
    /// padding drawn from `rng`, for the `role` that sends it.
    ///
    /// Returns the payload's range in the buffer: `start .. start + encrypted_len(body_len)`.
    ///
    /// # Errors
    /// [`EncryptError::UnalignedBody`], [`EncryptError::BufferTooSmall`] (body beyond
    /// [`body_capacity`](Self::body_capacity)) or [`EncryptError::WrongMsgIdParity`].
    pub fn encrypt<P: CryptoProvider, R: CryptoRng + ?Sized>(
        self,
        provider: &mut P,
        auth_key: &AuthKey,
        role: Role,
        header: &MessageHeader,
        body_len: usize,
        rng: &mut R,
    ) -> Result<Range<usize>, EncryptError> {
        let padding_len = padding_len(body_len);
        self.seal(
            provider,
            auth_key,
            role,
            header,
            body_len,
            padding_len,
            |pad| rng.fill_bytes(pad),
        )
    }

    /// As [`encrypt`](Self::encrypt), with the padding given (for tests and reproducible
    /// vectors). Real traffic must use random padding.
    ///
    /// # Errors
    /// As [`encrypt`](Self::encrypt), and [`EncryptError::BadPadding`] if `padding` is not
    /// 12..=1024 bytes or leaves `32 + body_len + padding.len()` not a multiple of 16.
    pub fn encrypt_with_padding<P: CryptoProvider>(
        self,
        provider: &mut P,
        auth_key: &AuthKey,
        role: Role,
        header: &MessageHeader,
        body_len: usize,
        padding: &[u8],
    ) -> Result<Range<usize>, EncryptError> {
        let padding_len = padding.len();
        if !(MIN_PADDING..=MAX_PADDING).contains(&padding_len)
            || (INTERNAL_HEADER_LEN + body_len % 16 + padding_len) % 16 != 0
        {
            return Err(EncryptError::BadPadding {
                padding_len,
                body_len,
            });
        }
        self.seal(
            provider,
            auth_key,
            role,
            header,
            body_len,
            padding_len,
            |pad| pad.copy_from_slice(padding),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn seal<P: CryptoProvider>(
        self,
        provider: &mut P,
        auth_key: &AuthKey,
        role: Role,
        header: &MessageHeader,
        body_len: usize,
        padding_len: usize,
        fill_padding: impl FnOnce(&mut [u8]),
    ) -> Result<Range<usize>, EncryptError> {
        if body_len % 4 != 0 {
            return Err(EncryptError::UnalignedBody { body_len });
        }
        let legal_id = match role {
            Role::Client => header.msg_id % 4 == 0,
            Role::Server => header.msg_id % 2 != 0,
        };
        if !legal_id {
            return Err(EncryptError::WrongMsgIdParity {
                msg_id: header.msg_id,
                role,
            });
        }
        let length_field = i32::try_from(body_len).ok();
        let plain_len = INTERNAL_HEADER_LEN
            .saturating_add(body_len)
            .saturating_add(padding_len);
        let needed = EXTERNAL_HEADER_LEN.saturating_add(plain_len);
        let available = self.available();
        let (Some(length_field), true) = (length_field, needed <= available) else {
            return Err(EncryptError::BufferTooSmall { needed, available });
        };

        let payload = &mut self.buf[self.start..self.start + needed];
        let (outer, plain) = payload.split_at_mut(EXTERNAL_HEADER_LEN);
        plain[0..8].copy_from_slice(&header.salt.to_le_bytes());
        plain[8..16].copy_from_slice(&header.session_id.to_le_bytes());
        plain[16..24].copy_from_slice(&header.msg_id.to_le_bytes());
        plain[24..28].copy_from_slice(&header.seq_no.to_le_bytes());
        plain[28..32].copy_from_slice(&length_field.to_le_bytes());
        fill_padding(&mut plain[INTERNAL_HEADER_LEN + body_len..]);

        let direction = role.outgoing();
        let msg_key = message_key::msg_key_v2(provider, auth_key, direction, plain);
        let keys = message_key::derive_v2(provider, auth_key, direction, &msg_key);
        provider
            .aes256_ige_encrypt(&keys.aes_key, &keys.aes_iv, plain)
            .map_err(EncryptError::Provider)?;

        outer[0..8].copy_from_slice(&auth_key.id());
        outer[8..24].copy_from_slice(&msg_key);
        Ok(self.start..self.start + needed)
    }
}

/// Why a received payload was rejected. Per the security guidelines, discard the whole
/// message, and preferably close the connection and reconnect. When the error comes after
/// decryption, the decrypted bytes have been zeroed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecryptError {
    /// The payload is shorter than the smallest valid message ([`MIN_PAYLOAD_LEN`] bytes).
    TooShort {
        /// The payload length.
        len: usize,
    },
    /// The encrypted part (after the 24-byte header) is not a multiple of 16 bytes.
    UnalignedLength {
        /// The payload length.
        len: usize,
    },
    /// The payload names a different auth key.
    AuthKeyIdMismatch {
        /// Our key's id.
        expected: u64,
        /// The id in the payload.
        got: u64,
    },
    /// `msg_key` does not match the decrypted data: corrupted, forged, or encrypted for the
    /// other direction.
    MsgKeyMismatch,
    /// `message_data_length` is negative or not a multiple of 4.
    BadBodyLength {
        /// The length field.
        length: i32,
    },
    /// `message_data_length` runs past the end of the plaintext.
    BodyTooLong {
        /// The length field.
        length: i32,
        /// Bytes of plaintext after the 32-byte header.
        available: usize,
    },
    /// The padding implied by `message_data_length` is outside 12..=1024 bytes.
    BadPadding {
        /// The implied padding length.
        padding_len: usize,
    },
    /// The `msg_id` parity does not match the sender: even from a client, odd from a server.
    WrongMsgIdParity {
        /// The decrypted `msg_id`.
        msg_id: i64,
        /// The direction the message was decrypted for.
        direction: Direction,
    },
    /// The crypto provider refused the aligned buffer (a provider bug).
    Provider(IgeError),
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const ACTION: &str = "discard the message, close the connection and reconnect";
        match self {
            Self::TooShort { len } => write!(
                f,
                "encrypted payload of {len} bytes is shorter than the minimum of \
                 {MIN_PAYLOAD_LEN}; {ACTION}"
            ),
            Self::UnalignedLength { len } => write!(
                f,
                "encrypted payload of {len} bytes: the part after the 24-byte header is not a \
                 multiple of 16; {ACTION}"
            ),
            Self::AuthKeyIdMismatch { expected, got } => write!(
                f,
                "payload is for auth key id {got:#018x}, ours is {expected:#018x}; {ACTION} \
                 (if it persists, the server has forgotten the key: create a new one)"
            ),
            Self::MsgKeyMismatch => write!(
                f,
                "msg_key does not match the decrypted data (corrupted or forged); {ACTION}"
            ),
            Self::BadBodyLength { length } => write!(
                f,
                "message_data_length {length} is negative or not a multiple of 4; {ACTION}"
            ),
            Self::BodyTooLong { length, available } => write!(
                f,
                "message_data_length {length} exceeds the {available} bytes after the header; \
                 {ACTION}"
            ),
            Self::BadPadding { padding_len } => write!(
                f,
                "the message has {padding_len} bytes of padding, outside 12..=1024; {ACTION}"
            ),
            Self::WrongMsgIdParity { msg_id, direction } => write!(
                f,
                "msg_id {msg_id} has the wrong parity for a {direction:?} message (even from \
                 a client, odd from a server); {ACTION}"
            ),
            Self::Provider(err) => write!(
                f,
                "the crypto provider refused a whole number of blocks ({err}); run \
                 `provider::conformance::check` against it"
            ),
        }
    }
}

impl core::error::Error for DecryptError {}

/// A message [`decrypt`] accepted. Its body lies in the payload buffer, now plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    /// The internal header.
    pub header: MessageHeader,
    /// Where the body lies in the payload slice given to [`decrypt`].
    pub body: Range<usize>,
    /// How many bytes of padding followed the body (12..=1024).
    pub padding_len: usize,
}

impl Decrypted {
    /// The body, given the payload slice that was passed to [`decrypt`].
    pub fn body<'p>(&self, payload: &'p [u8]) -> &'p [u8] {
        payload.get(self.body.clone()).unwrap_or_default()
    }
}

fn read_i64(bytes: &[u8], at: usize) -> i64 {
    bytes
        .get(at..at + 8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, i64::from_le_bytes)
}

fn read_i32(bytes: &[u8], at: usize) -> i32 {
    bytes
        .get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, i32::from_le_bytes)
}

/// Compares in time independent of where the first difference is.
fn ct_eq(a: &[u8; 16], b: &[u8; 16]) -> bool {
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    core::hint::black_box(diff) == 0
}

/// The part of a payload received over the **padded intermediate** transport that is the
/// MTProto message: that transport appends 0–15 random bytes it cannot tell from the payload,
/// and `encrypted_data` is always a multiple of 16 bytes, so the `(len − 24) mod 16` trailing
/// bytes are the transport's. Call it before [`decrypt`] on that transport only: on the
/// others an unaligned length is damage, which [`decrypt`] reports.
///
/// ```
/// use ferrogram_mtproto_proto::crypto::message::strip_transport_padding;
///
/// let mut frame = [0u8; 24 + 64 + 7]; // a 64-byte encrypted part plus 7 padding bytes
/// assert_eq!(strip_transport_padding(&mut frame).len(), 24 + 64);
/// ```
pub fn strip_transport_padding(payload: &mut [u8]) -> &mut [u8] {
    let keep = match payload.len().checked_sub(EXTERNAL_HEADER_LEN) {
        Some(data) => payload.len() - data % 16,
        None => payload.len(),
    };
    &mut payload[..keep]
}

/// Decrypts an MTProto 2.0 `payload` (`auth_key_id ‖ msg_key ‖ encrypted_data`) in place,
/// as received by `role`.
///
/// Checks, in this order: the length (at least [`MIN_PAYLOAD_LEN`], encrypted part a
/// multiple of 16), the auth key id, then, after decrypting, `msg_key` against the
/// plaintext (constant-time, before anything in the plaintext is looked at), the body
/// length (non-negative, a multiple of 4, within the plaintext), the padding length
/// (12..=1024) and the `msg_id` parity for the sender.
///
/// The session still has to check `session_id`, replayed `msg_id`s and the time window.
///
/// # Errors
/// A [`DecryptError`] naming the first failed check; nothing from the payload may be used.
pub fn decrypt<P: CryptoProvider>(
    provider: &mut P,
    auth_key: &AuthKey,
    role: Role,
    payload: &mut [u8],
) -> Result<Decrypted, DecryptError> {
    let len = payload.len();
    if len < MIN_PAYLOAD_LEN {
        return Err(DecryptError::TooShort { len });
    }
    if (len - EXTERNAL_HEADER_LEN) % 16 != 0 {
        return Err(DecryptError::UnalignedLength { len });
    }
    let (outer, plain) = payload.split_at_mut(EXTERNAL_HEADER_LEN);
    let mut key_id = [0; 8];
    key_id.copy_from_slice(&outer[0..8]);
    if key_id != auth_key.id() {
        return Err(DecryptError::AuthKeyIdMismatch {
            expected: auth_key.id_u64(),
            got: u64::from_le_bytes(key_id),
        });
    }
    let mut msg_key = [0; 16];
    msg_key.copy_from_slice(&outer[8..24]);

    let direction = role.incoming();
    let keys = message_key::derive_v2(provider, auth_key, direction, &msg_key);
    provider
        .aes256_ige_decrypt(&keys.aes_key, &keys.aes_iv, plain)
        .map_err(DecryptError::Provider)?;

    let result = check_plaintext(provider, auth_key, direction, &msg_key, plain);
    if result.is_err() {
        plain.fill(0);
    }
    result
}

/// The `session_id` an MTProto 2.0 `payload` claims, read by decrypting its first block
/// only (a server routes a message to its session with it before the session decrypts the
/// whole message). The payload is left as it is.
///
/// **Nothing is authenticated**: anyone who knows the auth key id can make a payload claim
/// any session. Use the id only to pick among sessions that already exist; the session's
/// own [`decrypt`] then checks `msg_key` and refuses a forgery. Before creating anything for
/// an unknown id, [`decrypt`] a copy.
///
/// # Errors
/// The length and auth key id checks of [`decrypt`]; a provider failure.
pub fn peek_session_id<P: CryptoProvider>(
    provider: &mut P,
    auth_key: &AuthKey,
    role: Role,
    payload: &[u8],
) -> Result<i64, DecryptError> {
    let len = payload.len();
    if len < MIN_PAYLOAD_LEN {
        return Err(DecryptError::TooShort { len });
    }
    if payload[0..8] != auth_key.id() {
        return Err(DecryptError::AuthKeyIdMismatch {
            expected: auth_key.id_u64(),
            got: u64::from_le_bytes(payload[0..8].try_into().unwrap_or_default()),
        });
    }
    let mut msg_key = [0; 16];
    msg_key.copy_from_slice(&payload[8..24]);
    let keys = message_key::derive_v2(provider, auth_key, role.incoming(), &msg_key);
    // IGE's first plaintext block depends on the IV and the first ciphertext block only.
    let mut first = [0u8; 16];
    first.copy_from_slice(&payload[EXTERNAL_HEADER_LEN..EXTERNAL_HEADER_LEN + 16]);
    provider
        .aes256_ige_decrypt(&keys.aes_key, &keys.aes_iv, &mut first)
        .map_err(DecryptError::Provider)?;
    Ok(read_i64(&first, 8))
}

fn check_plaintext<P: CryptoProvider>(
    provider: &mut P,
    auth_key: &AuthKey,
    direction: Direction,
    msg_key: &[u8; 16],
    plain: &[u8],
) -> Result<Decrypted, DecryptError> {
    let expected = message_key::msg_key_v2(provider, auth_key, direction, plain);
    if !ct_eq(&expected, msg_key) {
        return Err(DecryptError::MsgKeyMismatch);
    }

    let length = read_i32(plain, 28);
    let available = plain.len() - INTERNAL_HEADER_LEN;
    let body_len = usize::try_from(length).map_err(|_| DecryptError::BadBodyLength { length })?;
    if body_len % 4 != 0 {
        return Err(DecryptError::BadBodyLength { length });
    }
    let Some(padding_len) = available.checked_sub(body_len) else {
        return Err(DecryptError::BodyTooLong { length, available });
    };
    if !(MIN_PADDING..=MAX_PADDING).contains(&padding_len) {
        return Err(DecryptError::BadPadding { padding_len });
    }

    let header = MessageHeader {
        salt: read_i64(plain, 0),
        session_id: read_i64(plain, 8),
        msg_id: read_i64(plain, 16),
        seq_no: read_i32(plain, 24),
    };
    let odd = header.msg_id % 2 != 0;
    if odd != (direction == Direction::ServerToClient) {
        return Err(DecryptError::WrongMsgIdParity {
            msg_id: header.msg_id,
            direction,
        });
    }

    let body_start = BODY_OFFSET;
    Ok(Decrypted {
        header,
        body: body_start..body_start + body_len,
        padding_len,
    })
}
