//! The server role of the auth-key exchange (feature `server`), for the test DC.
//!
//! It accepts what real clients send: `req_pq` and `req_pq_multi`; every `p_q_inner_data`
//! variant (with or without `dc`, permanent or temporary); both RSA schemes (RSA_PAD and the
//! older SHA-1 + padding one that Telethon, Pyrogram and Kurigram still use). It always offers
//! Telegram's 2048-bit `dh_prime` (Pyrogram and Kurigram accept no other) with `g = 3`.
//!
//! Drive it like the client: [`ServerHandshake::handle_packet`] for each client message, then
//! [`ServerHandshake::poll_transmit`] and [`ServerHandshake::poll_result`].

use ferrogram_tl_types::view::{enums, functions, types};
use ferrogram_tl_types::{LazyVec, TlWrite, ViewRead};
use heapless::Vec;
use rand_core::CryptoRng;

use super::client::{checked_answer_of, decode};
use super::derive::{self, DhGenAnswer, ct_eq, sha1};
use super::dh::{DhGroup, DhSecret};
use super::error::{HandshakeError, Step};
use super::factorize;
use super::plain;
use super::rsa::RsaPrivateKey;
use crate::crypto::ige;
use crate::msg_id::{MsgIdGenerator, Sender, UnixNanos};

/// The largest answer the server sends (server_DH_params_ok: 20-byte header, ids, and an
/// encrypted answer under 700 bytes).
pub const MAX_ANSWER: usize = 768;

/// A key the server agreed on.
#[derive(Clone)]
pub struct ServerNewKey {
    /// The 256-byte key.
    pub auth_key: [u8; 256],
    /// The first server salt.
    pub first_salt: i64,
    /// The DC id the client asked for, if its `p_q_inner_data` had one.
    pub dc: Option<i32>,
    /// For a temporary key: its lifetime in seconds.
    pub expires_in: Option<i32>,
}

impl core::fmt::Debug for ServerNewKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerNewKey")
            .field("auth_key", &"<secret>")
            .field("first_salt", &self.first_salt)
            .field("dc", &self.dc)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

// The DH state lives inline on purpose: no heap in this crate.
#[allow(clippy::large_enum_variant)]
enum State {
    ReqPq,
    ReqDh { server_nonce: [u8; 16], pq: u64 },
    SetClientDh(DhState),
    Done,
}

struct DhState {
    server_nonce: [u8; 16],
    new_nonce: [u8; 32],
    group: DhGroup,
    a: DhSecret,
    dc: Option<i32>,
    expires_in: Option<i32>,
}

/// The server side of one auth-key exchange.
pub struct ServerHandshake<'k> {
    key: &'k RsaPrivateKey,
    state: State,
    nonce: [u8; 16],
    msg_ids: MsgIdGenerator,
    outgoing: Option<Vec<u8, MAX_ANSWER>>,
    result: Option<ServerNewKey>,
}

impl<'k> ServerHandshake<'k> {
    /// Waits for `req_pq_multi` (or `req_pq`); answers with `key`'s fingerprint.
    pub fn new(key: &'k RsaPrivateKey) -> Self {
        ServerHandshake {
            key,
            state: State::ReqPq,
            nonce: [0; 16],
            msg_ids: MsgIdGenerator::new(Sender::Server),
            outgoing: None,
            result: None,
        }
    }

    /// Writes the next answer into `out` (needs [`MAX_ANSWER`] bytes).
    #[must_use = "the message must be sent"]
    pub fn poll_transmit(
        &mut self,
        now: UnixNanos,
        out: &mut [u8],
    ) -> Result<Option<usize>, HandshakeError> {
        let Some(body) = &self.outgoing else {
            return Ok(None);
        };
        let n = plain::write_message(out, self.msg_ids.next(now), body)?;
        self.outgoing = None;
        Ok(Some(n))
    }

    /// The agreed key, once the exchange succeeded.
    #[must_use]
    pub fn poll_result(&mut self) -> Option<ServerNewKey> {
        self.result.take()
    }

    /// Whether the exchange ended.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Handles one client message. Any error ends the exchange.
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
        let msg = plain::parse(packet, Sender::Client)?;
        let step = Step::ClientMessage;
        match core::mem::replace(&mut self.state, State::Done) {
            State::ReqPq => {
                // req_pq_multi and the older req_pq have the same body.
                let nonce = match decode::<functions::ReqPqMulti>(msg.data, step) {
                    Ok(r) => r.nonce,
                    Err(e) => match decode::<functions::ReqPq>(msg.data, step) {
                        Ok(r) => r.nonce,
                        Err(_) => return Err(e),
                    },
                };
                self.nonce = nonce;
                let mut server_nonce = [0u8; 16];
                rng.fill_bytes(&mut server_nonce);
                let pq = random_pq(rng);
                let pq_bytes = pq.to_be_bytes();
                let fps = [self.key.public_key().fingerprint()];
                self.outgoing = tl_body(&enums::ResPq::ResPq(types::ResPq {
                    nonce,
                    server_nonce,
                    pq: &pq_bytes,
                    server_public_key_fingerprints: LazyVec::Slice(&fps),
                }));
                self.state = State::ReqDh { server_nonce, pq };
                Ok(())
            }
            State::ReqDh { server_nonce, pq } => {
                let req = decode::<functions::ReqDhParams>(msg.data, step)?;
                self.check_nonces(&req.nonce, &req.server_nonce, &server_nonce)?;
                if req.public_key_fingerprint != self.key.public_key().fingerprint() {
                    return Err(HandshakeError::UnknownFingerprints {
                        first: req.public_key_fingerprint,
                    });
                }
                // Either RSA scheme: RSA_PAD, or the older one real clients still send.
                let decrypted = self
                    .key
                    .decrypt(req.encrypted_data)
                    .map_err(HandshakeError::Rsa)?;
                let inner = decode_prefix::<enums::PQInnerData>(decrypted.data(), step)?;
                let (ipq, p, q, nonce, sn, new_nonce, dc, expires_in) = match inner {
                    enums::PQInnerData::PQInnerData(i) => (
                        i.pq,
                        i.p,
                        i.q,
                        i.nonce,
                        i.server_nonce,
                        i.new_nonce,
                        None,
                        None,
                    ),
                    enums::PQInnerData::Dc(i) => (
                        i.pq,
                        i.p,
                        i.q,
                        i.nonce,
                        i.server_nonce,
                        i.new_nonce,
                        Some(i.dc),
                        None,
                    ),
                    enums::PQInnerData::Temp(i) => (
                        i.pq,
                        i.p,
                        i.q,
                        i.nonce,
                        i.server_nonce,
                        i.new_nonce,
                        None,
                        Some(i.expires_in),
                    ),
                    enums::PQInnerData::TempDc(i) => (
                        i.pq,
                        i.p,
                        i.q,
                        i.nonce,
                        i.server_nonce,
                        i.new_nonce,
                        Some(i.dc),
                        Some(i.expires_in),
                    ),
                };
                self.check_nonces(&nonce, &sn, &server_nonce)?;
                let as_u64 = |b: &[u8]| {
                    (b.len() <= 8).then(|| b.iter().fold(0u64, |a, &x| a << 8 | u64::from(x)))
                };
                let (Some(ipq), Some(p), Some(q), Some(rp), Some(rq)) = (
                    as_u64(ipq),
                    as_u64(p),
                    as_u64(q),
                    as_u64(req.p),
                    as_u64(req.q),
                ) else {
                    return Err(HandshakeError::BadPq { pq });
                };
                if ipq != pq || p != rp || q != rq || p >= q || p.checked_mul(q) != Some(pq) {
                    return Err(HandshakeError::BadPq { pq });
                }

                // g = 3 with Telegram's prime: what every client accepts.
                let group = DhGroup::telegram(3).map_err(HandshakeError::Dh)?;
                let (a, g_a) = group.server_start(rng).map_err(HandshakeError::Dh)?;
                let (g, dh_prime) = (group.g(), group.prime_be_bytes());
                let inner = enums::ServerDhInnerData::ServerDhInnerData(types::ServerDhInnerData {
                    nonce,
                    server_nonce,
                    g: g as i32,
                    dh_prime: &dh_prime,
                    g_a: &g_a,
                    server_time: now.secs().min(i32::MAX as u64) as i32,
                });
                let (tmp_key, tmp_iv) = derive::tmp_aes_key_iv(&new_nonce, &server_nonce);
                let mut buf = [0u8; 720];
                let n = inner
                    .write_to(&mut buf[20..])
                    .map_err(|_| HandshakeError::BufferTooSmall { needed: 720 })?;
                let digest = sha1(&[&buf[20..20 + n]]);
                buf[..20].copy_from_slice(&digest);
                let total = (20 + n).div_ceil(16) * 16;
                rng.fill_bytes(&mut buf[20 + n..total]);
                ige::encrypt_in_place(&tmp_key, &tmp_iv, &mut buf[..total])
                    .map_err(|_| HandshakeError::BufferTooSmall { needed: total })?;
                self.outgoing = tl_body(&enums::ServerDhParams::Ok(types::ServerDhParamsOk {
                    nonce,
                    server_nonce,
                    encrypted_answer: &buf[..total],
                }));
                self.state = State::SetClientDh(DhState {
                    server_nonce,
                    new_nonce,
                    group,
                    a,
                    dc,
                    expires_in,
                });
                Ok(())
            }
            State::SetClientDh(dh) => {
                let req = decode::<functions::SetClientDhParams>(msg.data, step)?;
                self.check_nonces(&req.nonce, &req.server_nonce, &dh.server_nonce)?;
                let len = req.encrypted_data.len();
                if len == 0 || len % 16 != 0 || len > 512 {
                    return Err(HandshakeError::BadEncryptedAnswerLength { len });
                }
                let (tmp_key, tmp_iv) = derive::tmp_aes_key_iv(&dh.new_nonce, &dh.server_nonce);
                let mut buf = [0u8; 512];
                let plain = &mut buf[..len];
                plain.copy_from_slice(req.encrypted_data);
                ige::decrypt_in_place(&tmp_key, &tmp_iv, plain)
                    .map_err(|_| HandshakeError::BadEncryptedAnswerLength { len })?;
                let answer =
                    checked_answer_of::<enums::ClientDhInnerData>(plain, Step::ClientMessage)?;
                let enums::ClientDhInnerData::ClientDhInnerData(inner) =
                    decode::<enums::ClientDhInnerData>(answer, step)?;
                self.check_nonces(&inner.nonce, &inner.server_nonce, &dh.server_nonce)?;
                let auth_key = dh
                    .group
                    .server_finish(&dh.a, inner.g_b)
                    .map_err(HandshakeError::Dh)?;
                let aux = derive::auth_key_aux_hash(&auth_key);
                let hash = derive::new_nonce_hash(&dh.new_nonce, DhGenAnswer::Ok, &aux);
                self.outgoing = tl_body(&enums::SetClientDhParamsAnswer::DhGenOk(types::DhGenOk {
                    nonce: self.nonce,
                    server_nonce: dh.server_nonce,
                    new_nonce_hash1: hash,
                }));
                self.result = Some(ServerNewKey {
                    auth_key,
                    first_salt: derive::first_server_salt(&dh.new_nonce, &dh.server_nonce),
                    dc: dh.dc,
                    expires_in: dh.expires_in,
                });
                Ok(())
            }
            State::Done => Err(HandshakeError::Unexpected { waiting_for: None }),
        }
    }

    fn check_nonces(
        &self,
        nonce: &[u8; 16],
        server_nonce: &[u8; 16],
        expected_server_nonce: &[u8; 16],
    ) -> Result<(), HandshakeError> {
        let step = Step::ClientMessage;
        if !ct_eq(nonce, &self.nonce) {
            return Err(HandshakeError::NonceMismatch { step });
        }
        if !ct_eq(server_nonce, expected_server_nonce) {
            return Err(HandshakeError::ServerNonceMismatch { step });
        }
        Ok(())
    }
}

/// Decodes a value at the start of `data`, ignoring what follows (RSA padding).
fn decode_prefix<'a, T: ViewRead<'a>>(data: &'a [u8], step: Step) -> Result<T, HandshakeError> {
    let mut r = ferrogram_tl_types::Reader::new(data);
    T::read(&mut r).map_err(|error| HandshakeError::Decode { step, error })
}

fn tl_body(v: &impl TlWrite) -> Option<Vec<u8, MAX_ANSWER>> {
    let mut buf = [0u8; MAX_ANSWER];
    let n = v.write_to(&mut buf).ok()?;
    Vec::from_slice(&buf[..n]).ok()
}

/// A random `pq`: the product of two distinct primes in [2³⁰, 2³¹), as Telegram sends.
fn random_pq(rng: &mut impl CryptoRng) -> u64 {
    let mut prime = || loop {
        // About one odd number in 21 of this size is prime: a few dozen draws at most, almost
        // surely; each draw is an independent try, so this ends.
        let c = u64::from(rng.next_u32() >> 2 | 1 << 30 | 1);
        if factorize::is_prime(c) {
            return c;
        }
    };
    let p = prime();
    let mut q = prime();
    while q == p {
        q = prime();
    }
    p * q
}
