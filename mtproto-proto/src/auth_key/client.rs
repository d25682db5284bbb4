//! The client role of the auth-key exchange as a sans-IO state machine.
//!
//! ```text
//! client                                   server
//! req_pq_multi(nonce)                 →
//!                                     ←    resPQ(nonce, server_nonce, pq, fingerprints)
//! req_DH_params(p, q, RSA_PAD(p_q_inner_data_[temp_]dc))  →
//!                                     ←    server_DH_params_ok(AES-IGE(server_DH_inner_data))
//! set_client_DH_params(AES-IGE(client_DH_inner_data(g_b)))  →
//!                                     ←    dh_gen_ok | dh_gen_retry | dh_gen_fail
//! ```
//!
//! Drive it like this: after [`ClientHandshake::new`] and after every
//! [`ClientHandshake::handle_packet`], call [`ClientHandshake::poll_transmit`] until it
//! returns `None` and send what it writes (through a transport), then
//! [`ClientHandshake::poll_result`]. Call [`ClientHandshake::handle_timeout`] at
//! [`ClientHandshake::poll_timeout`]. Time and randomness are arguments; nothing here reads a
//! clock or an OS RNG.

use ferrogram_tl_types::view::{enums, functions, types};
use ferrogram_tl_types::{TlWrite, ViewRead};
use heapless::Vec;
use rand_core::CryptoRng;

use super::derive::{self, DhGenAnswer, ct_eq, sha1};
use super::dh::DhGroup;
use super::error::{HandshakeError, Step};
use super::factorize;
use super::plain;
use super::rsa::{RsaPublicKey, uint_to_be};
use crate::crypto::ige;
use crate::msg_id::{MsgIdGenerator, Sender, UnixNanos};

/// What kind of key to create.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// A permanent key (`p_q_inner_data_dc`).
    Permanent,
    /// A temporary key for perfect forward secrecy (`p_q_inner_data_temp_dc`), valid for
    /// `expires_in` seconds; bind it to a permanent key afterwards (`auth.bindTempAuthKey`).
    Temporary {
        /// Lifetime in seconds.
        expires_in: u32,
    },
}

/// Settings of one exchange.
#[derive(Clone, Copy, Debug)]
pub struct ClientConfig<'k> {
    /// The server keys we trust, the preferred first: the exchange uses the first of them
    /// whose fingerprint the server offers.
    pub keys: &'k [RsaPublicKey],
    /// The DC id put in `p_q_inner_data_dc` (add 10000 for test DCs; negative for media DCs,
    /// as Telegram's clients do).
    pub dc: i32,
    /// Permanent or temporary key.
    pub kind: KeyKind,
    /// How long the whole exchange may take, in seconds.
    pub timeout_secs: u32,
    /// How many `dh_gen_retry` answers to accept before giving up.
    pub max_retries: u8,
}

impl<'k> ClientConfig<'k> {
    /// A permanent key for `dc`, trusting `keys`, with a 30 s deadline and 5 retries.
    pub const fn new(keys: &'k [RsaPublicKey], dc: i32) -> Self {
        ClientConfig {
            keys,
            dc,
            kind: KeyKind::Permanent,
            timeout_secs: 30,
            max_retries: 5,
        }
    }
}

/// A new authorization key and what goes with it.
#[derive(Clone)]
pub struct NewAuthKey {
    /// The 256-byte key.
    pub auth_key: [u8; 256],
    /// The first server salt (`new_nonce[0..8] XOR server_nonce[0..8]`).
    pub first_salt: i64,
    /// Server time minus our time, in seconds, when `server_DH_inner_data` arrived: add it to
    /// local time when making message ids.
    pub time_offset: i64,
    /// For a temporary key: when it expires (server time, Unix seconds).
    pub expires_at: Option<i64>,
}

impl core::fmt::Debug for NewAuthKey {
    /// Never prints the key itself.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NewAuthKey")
            .field("auth_key", &"<secret>")
            .field("first_salt", &self.first_salt)
            .field("time_offset", &self.time_offset)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The largest request the client sends (req_DH_params: 20-byte header, 40 bytes of ids and
/// nonces, p and q, fingerprint, 260 bytes of encrypted data).
pub const MAX_REQUEST: usize = 400;

/// The largest `encrypted_answer` accepted: `server_DH_inner_data` with a 2048-bit prime and
/// g_a, plus its SHA-1 and padding, is under 700 bytes.
const MAX_ANSWER: usize = 1024;

// The DH state lives inline on purpose: no heap in this crate.
#[allow(clippy::large_enum_variant)]
enum State {
    /// Waiting for resPQ.
    ResPq,
    /// Waiting for server_DH_params.
    DhParams { server_nonce: [u8; 16] },
    /// Waiting for the answer to set_client_DH_params.
    DhGen(DhState),
    /// Finished (successfully or not).
    Done,
}

/// What the last steps need (about 1 KiB: most of the machine's size).
struct DhState {
    server_nonce: [u8; 16],
    tmp_key: [u8; 32],
    tmp_iv: [u8; 32],
    group: DhGroup,
    g_a: [u8; 256],
    auth_key: [u8; 256],
    retries: u8,
}

/// The client side of one auth-key exchange.
pub struct ClientHandshake<'k> {
    config: ClientConfig<'k>,
    state: State,
    nonce: [u8; 16],
    new_nonce: [u8; 32],
    msg_ids: MsgIdGenerator,
    started: UnixNanos,
    /// The TL body of the next request to send.
    outgoing: Option<Vec<u8, MAX_REQUEST>>,
    result: Option<NewAuthKey>,
    time_offset: i64,
}

impl<'k> ClientHandshake<'k> {
    /// Starts an exchange: the first [`ClientHandshake::poll_transmit`] gives `req_pq_multi`.
    pub fn new(config: ClientConfig<'k>, now: UnixNanos, rng: &mut impl CryptoRng) -> Self {
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        let mut hs = ClientHandshake {
            config,
            state: State::ResPq,
            nonce,
            new_nonce: [0; 32],
            msg_ids: MsgIdGenerator::new(Sender::Client),
            started: now,
            outgoing: None,
            result: None,
            time_offset: 0,
        };
        hs.outgoing = tl_body(&functions::ReqPqMulti { nonce });
        hs
    }

    /// Writes the next unencrypted message to send into `out` and returns its length, or
    /// `None` when there is nothing to send. `out` needs [`MAX_REQUEST`] bytes.
    #[must_use = "the message must be sent"]
    pub fn poll_transmit(
        &mut self,
        now: UnixNanos,
        out: &mut [u8],
    ) -> Result<Option<usize>, HandshakeError> {
        let Some(body) = &self.outgoing else {
            return Ok(None);
        };
        let shifted = UnixNanos(
            now.0
                .saturating_add_signed(self.time_offset * 1_000_000_000),
        );
        let n = plain::write_message(out, self.msg_ids.next(shifted), body)?;
        self.outgoing = None;
        Ok(Some(n))
    }

    /// The deadline of the exchange.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<UnixNanos> {
        match self.state {
            State::Done => None,
            _ => Some(UnixNanos(
                self.started.0 + u64::from(self.config.timeout_secs) * 1_000_000_000,
            )),
        }
    }

    /// Fails the exchange if `now` is past its deadline (a no-op otherwise).
    pub fn handle_timeout(&mut self, now: UnixNanos) -> Result<(), HandshakeError> {
        match self.poll_timeout() {
            Some(deadline) if now >= deadline => {
                self.state = State::Done;
                Err(HandshakeError::TimedOut)
            }
            _ => Ok(()),
        }
    }

    /// The new key, once the exchange succeeded.
    #[must_use]
    pub fn poll_result(&mut self) -> Option<NewAuthKey> {
        self.result.take()
    }

    /// Whether the exchange ended (successfully or not).
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Handles one packet from the server (a whole unencrypted message, transport framing
    /// removed). Any error ends the exchange.
    pub fn handle_packet(
        &mut self,
        now: UnixNanos,
        packet: &[u8],
        rng: &mut impl CryptoRng,
    ) -> Result<(), HandshakeError> {
        let r = self.handle_inner(now, packet, rng);
        if r.is_err() {
            self.state = State::Done;
            self.outgoing = None;
        }
        r
    }

    fn handle_inner(
        &mut self,
        now: UnixNanos,
        packet: &[u8],
        rng: &mut impl CryptoRng,
    ) -> Result<(), HandshakeError> {
        let msg = plain::parse(packet, Sender::Server)?;
        match core::mem::replace(&mut self.state, State::Done) {
            State::ResPq => self.on_res_pq(msg.data, rng),
            State::DhParams { server_nonce } => {
                self.on_server_dh_params(now, msg.data, server_nonce, rng)
            }
            State::DhGen(dh) => self.on_dh_gen(msg.data, dh, rng),
            State::Done => Err(HandshakeError::Unexpected { waiting_for: None }),
        }
    }

    fn on_res_pq(&mut self, data: &[u8], rng: &mut impl CryptoRng) -> Result<(), HandshakeError> {
        let step = Step::ResPq;
        let enums::ResPq::ResPq(res) = decode::<enums::ResPq>(data, step)?;
        if !ct_eq(&res.nonce, &self.nonce) {
            return Err(HandshakeError::NonceMismatch { step });
        }
        let pq = be_u64(res.pq).ok_or(HandshakeError::BadPq { pq: 0 })?;
        let (p, q) = factorize::factorize(pq).map_err(|_| HandshakeError::BadPq { pq })?;

        // Decode the whole list once (so a malformed one is an error), then take the first of
        // our keys the server offers: our order is the preference (the current key first, as
        // in `keys::PRODUCTION_KEYS`), whatever order the server lists them in.
        let offered = res.server_public_key_fingerprints;
        let mut first = None;
        for fp in offered.iter() {
            let fp = fp.map_err(|error| HandshakeError::Decode { step, error })?;
            first.get_or_insert(fp);
        }
        let key = self
            .config
            .keys
            .iter()
            .find(|k| offered.iter().any(|fp| fp == Ok(k.fingerprint())))
            .ok_or(HandshakeError::UnknownFingerprints {
                first: first.unwrap_or(0),
            })?;

        rng.fill_bytes(&mut self.new_nonce);
        let (pb, qb) = (p.to_be_bytes(), q.to_be_bytes());
        let (p_bytes, q_bytes) = (trim(&pb), trim(&qb));
        let mut inner = [0u8; 192];
        let inner_len = match self.config.kind {
            KeyKind::Permanent => enums::PQInnerData::Dc(types::PQInnerDataDc {
                pq: res.pq,
                p: p_bytes,
                q: q_bytes,
                nonce: self.nonce,
                server_nonce: res.server_nonce,
                new_nonce: self.new_nonce,
                dc: self.config.dc,
            })
            .write_to(&mut inner),
            KeyKind::Temporary { expires_in } => {
                enums::PQInnerData::TempDc(types::PQInnerDataTempDc {
                    pq: res.pq,
                    p: p_bytes,
                    q: q_bytes,
                    nonce: self.nonce,
                    server_nonce: res.server_nonce,
                    new_nonce: self.new_nonce,
                    dc: self.config.dc,
                    expires_in: expires_in.min(i32::MAX as u32) as i32,
                })
                .write_to(&mut inner)
            }
        }
        .map_err(|_| HandshakeError::BufferTooSmall { needed: 192 })?;
        let encrypted = key
            .encrypt_rsa_pad(&inner[..inner_len], rng)
            .map_err(HandshakeError::Rsa)?;
        self.outgoing = tl_body(&functions::ReqDhParams {
            nonce: self.nonce,
            server_nonce: res.server_nonce,
            p: p_bytes,
            q: q_bytes,
            public_key_fingerprint: key.fingerprint(),
            encrypted_data: &encrypted,
        });
        self.state = State::DhParams {
            server_nonce: res.server_nonce,
        };
        Ok(())
    }

    fn on_server_dh_params(
        &mut self,
        now: UnixNanos,
        data: &[u8],
        server_nonce: [u8; 16],
        rng: &mut impl CryptoRng,
    ) -> Result<(), HandshakeError> {
        let step = Step::ServerDhParams;
        let ok = match decode::<enums::ServerDhParams>(data, step)? {
            enums::ServerDhParams::Fail(f) => {
                self.check_nonces(&f.nonce, &f.server_nonce, &server_nonce, step)?;
                let h = sha1(&[&self.new_nonce]);
                return Err(if ct_eq(&f.new_nonce_hash, &h[4..]) {
                    HandshakeError::ServerDhParamsFail
                } else {
                    HandshakeError::BadNewNonceHash
                });
            }
            enums::ServerDhParams::Ok(ok) => ok,
        };
        self.check_nonces(&ok.nonce, &ok.server_nonce, &server_nonce, step)?;
        let len = ok.encrypted_answer.len();
        if len == 0 || len % 16 != 0 || len > MAX_ANSWER {
            return Err(HandshakeError::BadEncryptedAnswerLength { len });
        }
        let (tmp_key, tmp_iv) = derive::tmp_aes_key_iv(&self.new_nonce, &server_nonce);
        let mut buf = [0u8; MAX_ANSWER];
        let plain = &mut buf[..len];
        plain.copy_from_slice(ok.encrypted_answer);
        ige::decrypt_in_place(&tmp_key, &tmp_iv, plain)
            .map_err(|_| HandshakeError::BadEncryptedAnswerLength { len })?;
        let answer = checked_answer_of::<enums::ServerDhInnerData>(plain, Step::ServerDhInnerData)?;

        let step = Step::ServerDhInnerData;
        let enums::ServerDhInnerData::ServerDhInnerData(inner) =
            decode::<enums::ServerDhInnerData>(answer, step)?;
        self.check_nonces(&inner.nonce, &inner.server_nonce, &server_nonce, step)?;
        // Telegram's prime takes the fast path; any other gets the full safe-prime check.
        let group = DhGroup::new(inner.g, inner.dh_prime, rng).map_err(HandshakeError::Dh)?;
        // The checked value, as 256 bytes (the server may send leading zero bytes).
        let g_a = uint_to_be(&group.check_g_a(inner.g_a).map_err(HandshakeError::Dh)?);
        self.time_offset = i64::from(inner.server_time) - now.secs() as i64;

        let mut dh = DhState {
            server_nonce,
            tmp_key,
            tmp_iv,
            group,
            g_a,
            auth_key: [0; 256],
            retries: 0,
        };
        self.send_client_dh(&mut dh, 0, rng)?;
        self.state = State::DhGen(dh);
        Ok(())
    }

    /// Picks b, computes g_b and the key, and queues `set_client_DH_params`.
    fn send_client_dh(
        &mut self,
        dh: &mut DhState,
        retry_id: i64,
        rng: &mut impl CryptoRng,
    ) -> Result<(), HandshakeError> {
        let exchange = dh
            .group
            .client_exchange(&dh.g_a, rng)
            .map_err(HandshakeError::Dh)?;
        dh.auth_key = exchange.auth_key;
        let g_b = exchange.g_b;
        let inner = enums::ClientDhInnerData::ClientDhInnerData(types::ClientDhInnerData {
            nonce: self.nonce,
            server_nonce: dh.server_nonce,
            retry_id,
            g_b: trim(&g_b),
        });
        // data_with_hash = SHA1(data) ‖ data ‖ 0–15 random bytes, to a multiple of 16.
        let mut buf = [0u8; 352];
        let n = inner
            .write_to(&mut buf[20..])
            .map_err(|_| HandshakeError::BufferTooSmall { needed: 352 })?;
        let digest = sha1(&[&buf[20..20 + n]]);
        buf[..20].copy_from_slice(&digest);
        let total = (20 + n).div_ceil(16) * 16;
        rng.fill_bytes(&mut buf[20 + n..total]);
        ige::encrypt_in_place(&dh.tmp_key, &dh.tmp_iv, &mut buf[..total])
            .map_err(|_| HandshakeError::BufferTooSmall { needed: total })?;
        self.outgoing = tl_body(&functions::SetClientDhParams {
            nonce: self.nonce,
            server_nonce: dh.server_nonce,
            encrypted_data: &buf[..total],
        });
        Ok(())
    }

    fn on_dh_gen(
        &mut self,
        data: &[u8],
        mut dh: DhState,
        rng: &mut impl CryptoRng,
    ) -> Result<(), HandshakeError> {
        let step = Step::DhGen;
        let aux = derive::auth_key_aux_hash(&dh.auth_key);
        let (nonce, server_nonce, hash, answer) =
            match decode::<enums::SetClientDhParamsAnswer>(data, step)? {
                enums::SetClientDhParamsAnswer::DhGenOk(a) => {
                    (a.nonce, a.server_nonce, a.new_nonce_hash1, DhGenAnswer::Ok)
                }
                enums::SetClientDhParamsAnswer::DhGenRetry(a) => (
                    a.nonce,
                    a.server_nonce,
                    a.new_nonce_hash2,
                    DhGenAnswer::Retry,
                ),
                enums::SetClientDhParamsAnswer::DhGenFail(a) => (
                    a.nonce,
                    a.server_nonce,
                    a.new_nonce_hash3,
                    DhGenAnswer::Fail,
                ),
            };
        self.check_nonces(&nonce, &server_nonce, &dh.server_nonce, step)?;
        let expected = derive::new_nonce_hash(&self.new_nonce, answer, &aux);
        if !ct_eq(&hash, &expected) {
            return Err(HandshakeError::BadDhGenHash {
                which: answer as u8,
            });
        }
        match answer {
            DhGenAnswer::Ok => {
                self.result = Some(NewAuthKey {
                    auth_key: dh.auth_key,
                    first_salt: derive::first_server_salt(&self.new_nonce, &dh.server_nonce),
                    time_offset: self.time_offset,
                    expires_at: match self.config.kind {
                        KeyKind::Permanent => None,
                        KeyKind::Temporary { expires_in } => Some(
                            self.started.secs() as i64 + self.time_offset + i64::from(expires_in),
                        ),
                    },
                });
                self.state = State::Done;
                Ok(())
            }
            DhGenAnswer::Fail => Err(HandshakeError::DhGenFail),
            DhGenAnswer::Retry => {
                if dh.retries >= self.config.max_retries {
                    return Err(HandshakeError::TooManyRetries {
                        retries: dh.retries,
                    });
                }
                dh.retries += 1;
                self.send_client_dh(&mut dh, i64::from_le_bytes(aux), rng)?;
                self.state = State::DhGen(dh);
                Ok(())
            }
        }
    }

    fn check_nonces(
        &self,
        nonce: &[u8; 16],
        server_nonce: &[u8; 16],
        expected_server_nonce: &[u8; 16],
        step: Step,
    ) -> Result<(), HandshakeError> {
        if !ct_eq(nonce, &self.nonce) {
            return Err(HandshakeError::NonceMismatch { step });
        }
        if !ct_eq(server_nonce, expected_server_nonce) {
            return Err(HandshakeError::ServerNonceMismatch { step });
        }
        Ok(())
    }
}

/// Checks `answer_with_hash = SHA1(answer) ‖ answer ‖ 0–15 bytes`, where the answer is a
/// `T`, and returns the answer's bytes.
pub(crate) fn checked_answer_of<'a, T: ViewRead<'a>>(
    plain: &'a [u8],
    step: Step,
) -> Result<&'a [u8], HandshakeError> {
    let Some((hash, rest)) = plain.split_first_chunk::<20>() else {
        return Err(HandshakeError::BadEncryptedAnswerLength { len: plain.len() });
    };
    // The answer's length is found by decoding it (TL is self-delimiting).
    let mut r = ferrogram_tl_types::Reader::new(rest);
    T::skip(&mut r).map_err(|error| HandshakeError::Decode { step, error })?;
    let (answer, padding) = rest.split_at(r.pos());
    if !ct_eq(&sha1(&[answer]), hash) {
        return Err(HandshakeError::AnswerHashMismatch);
    }
    if padding.len() > 15 {
        return Err(HandshakeError::BadAnswerPadding {
            padding: padding.len(),
        });
    }
    Ok(answer)
}

pub(crate) fn decode<'a, T: ViewRead<'a>>(data: &'a [u8], step: Step) -> Result<T, HandshakeError> {
    T::from_bytes(data).map_err(|error| HandshakeError::Decode { step, error })
}

fn tl_body(v: &impl TlWrite) -> Option<Vec<u8, MAX_REQUEST>> {
    let mut buf = [0u8; MAX_REQUEST];
    let n = v.write_to(&mut buf).ok()?;
    Vec::from_slice(&buf[..n]).ok()
}

/// A big-endian integer of 1–8 bytes.
fn be_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    Some(b.iter().fold(0u64, |acc, &x| acc << 8 | u64::from(x)))
}

/// Big-endian bytes without leading zeros (at least one byte).
fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|&x| x != 0)
        .unwrap_or(b.len().saturating_sub(1));
    &b[start..]
}
