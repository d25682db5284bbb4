//! The server role of the session (feature `server`): the mirror of [`Session`](super::Session),
//! enough for in-memory simulations and the test DC.
//!
//! It checks what a client sends (decryption, salt, msg_id time window and parity, replays,
//! containers), answers the service messages itself (`ping`, `ping_delay_disconnect`,
//! `get_future_salts`, `destroy_session`, `msgs_state_req`, `msg_resend_req`,
//! `rpc_drop_answer`, `msgs_ack`), announces new sessions, and hands API queries to the
//! application ([`ServerSession::poll_query`]); answers ([`ServerSession::respond`]) and
//! updates ([`ServerSession::push_update`]) are kept until the client acknowledges them and
//! re-sent on a new connection.
//!
//! Polling contract: after [`handle_packet`](ServerSession::handle_packet) or
//! [`handle_reconnect`](ServerSession::handle_reconnect), poll
//! [`poll_query`](ServerSession::poll_query) and [`poll_event`](ServerSession::poll_event)
//! until `None`, answer, then [`poll_transmit`](ServerSession::poll_transmit) until `None`.

use core::fmt;
use core::ops::Range;

use heapless::{Deque, Vec};
use rand_core::CryptoRng;

use super::container::{
    CONTAINER_HEADER_LEN, Container, INNER_HEADER_LEN, MAX_CONTAINER_LEN, MSG_CONTAINER_ID,
    put_container_header, put_inner_header,
};
use super::events::DropReason;
use super::gzip;
use super::msg_ids::{IdKind, MsgClock, SeqNo};
use super::replay::ReplayWindow;
use super::service::{self, Body, RPC_RESULT_ID};
use super::store::{ByteStore, Span};
use super::{MAX_PENDING_ACKS, REPLAY_WINDOW};
use crate::crypto::message::{self, MessageHeader, Packet, Role};
use crate::crypto::message_key::AuthKey;
use crate::crypto::provider::CryptoProvider;
use crate::msg_id::UnixNanos;

/// Messages the server keeps until acknowledged (answers, updates, notifications).
pub const MAX_OUT_MESSAGES: usize = 64;
/// An unacknowledged message is re-sent at most this long after it was made: a client
/// ignores server msg_ids more than 300 s in the past (security guidelines), so an older
/// one could only block the queue.
pub const MAX_UNACKED_AGE_SECS: i64 = 300;
/// Queries whose answers were forgotten unacknowledged, remembered so that a
/// `msgs_state_req` about them says "not received" and the client re-sends them.
const FORGOTTEN_ANSWERS: usize = 32;
const MAX_EVENTS: usize = 16;

/// Settings of the server side.
#[derive(Clone, Copy, Debug)]
pub struct ServerConfig {
    /// Seed of the salt schedule: the salt of period `k` is derived from it.
    pub salt_seed: i64,
    /// How long each salt is the current one, in seconds.
    pub salt_period_secs: i64,
    /// Refuse client msg_ids outside -300 s..+30 s of server time (codes 16/17).
    pub check_time_window: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            salt_seed: 0x5eed,
            salt_period_secs: 1800,
            check_time_window: true,
        }
    }
}

/// What the server side reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerEvent {
    /// A message from a new session id arrived; the old session's state is forgotten.
    NewSession {
        /// The new session id.
        session_id: i64,
    },
    /// A client message was dropped.
    Dropped(DropReason),
    /// A client message was refused with a notification (salt, time, seq_no).
    Refused {
        /// The refused msg_id.
        msg_id: i64,
        /// The code sent.
        code: i32,
    },
    /// A message sent but never acknowledged was forgotten: it grew older than
    /// [`MAX_UNACKED_AGE_SECS`], or its place was needed for a new one (the queue holds
    /// [`MAX_OUT_MESSAGES`]). If it answered a query, a `msgs_state_req` about that query is
    /// answered "not received", so the client sends it again; an update is lost (clients
    /// recover those from the update state, as from any gap).
    Forgotten {
        /// The forgotten message.
        msg_id: i64,
        /// The query it answered, if it was an `rpc_result`.
        req_msg_id: Option<i64>,
    },
}

/// Why the server could not queue a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerError {
    /// The outgoing queue or its byte store is full of messages not sent yet (sent ones are
    /// forgotten to make room, see [`ServerEvent::Forgotten`]).
    QueueFull,
    /// The body is empty or not a multiple of 4 bytes.
    NotTl,
    /// The message is larger than the whole outgoing store (`OUT`).
    TooLarge {
        /// Its length in bytes.
        len: usize,
        /// The largest the store holds.
        max: usize,
    },
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::QueueFull => f.write_str(
                "the server's outgoing queue is full of messages not sent yet; call \
                 poll_transmit and send them, then try again",
            ),
            Self::NotTl => f.write_str("the body is not a serialized TL object"),
            Self::TooLarge { len, max } => write!(
                f,
                "a {len}-byte message does not fit in the server session's outgoing store \
                 ({max} bytes at most); raise its OUT capacity"
            ),
        }
    }
}

impl core::error::Error for ServerError {}

/// A query from the client, for the application to answer with
/// [`ServerSession::respond`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Query<'a> {
    /// The msg_id to answer.
    pub req_msg_id: i64,
    /// The query (inflated if it came packed; `invoke*` wrappers left in place — see
    /// [`super::requests::unwrap_invoke`]).
    pub body: &'a [u8],
}

#[derive(Clone, Copy, Debug)]
struct OutMsg {
    msg_id: i64,
    seq_no: i32,
    content: bool,
    body: Span,
    sent: bool,
}

/// splitmix64: the salt of period `k`.
fn mix(seed: i64, k: i64) -> i64 {
    let mut z = (seed as u64) ^ (k as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) as i64
}

/// The server side of one client session over one auth key.
pub struct ServerSession<P: CryptoProvider, const QUERIES: usize, const OUT: usize, const IN: usize>
{
    provider: P,
    key: AuthKey,
    config: ServerConfig,
    session_id: Option<i64>,
    clock: MsgClock,
    seq: SeqNo,
    replay: ReplayWindow<REPLAY_WINDOW>,
    out: Vec<OutMsg, MAX_OUT_MESSAGES>,
    out_store: ByteStore<OUT>,
    queries: Deque<(i64, Span), QUERIES>,
    in_store: ByteStore<IN>,
    acks: Vec<i64, MAX_PENDING_ACKS>,
    events: Deque<ServerEvent, MAX_EVENTS>,
    release: Option<Span>,
    sessions_created: i64,
    forgotten: Deque<i64, FORGOTTEN_ANSWERS>,
}

impl<P: CryptoProvider, const QUERIES: usize, const OUT: usize, const IN: usize>
    ServerSession<P, QUERIES, OUT, IN>
{
    /// A server side for `auth_key`, waiting for the client's first message.
    pub fn new(provider: P, auth_key: AuthKey, config: ServerConfig) -> Self {
        ServerSession {
            provider,
            key: auth_key,
            config,
            session_id: None,
            clock: MsgClock::new(0, true),
            seq: SeqNo::new(),
            replay: ReplayWindow::new(),
            out: Vec::new(),
            out_store: ByteStore::new(),
            queries: Deque::new(),
            in_store: ByteStore::new(),
            acks: Vec::new(),
            events: Deque::new(),
            release: None,
            sessions_created: 0,
            forgotten: Deque::new(),
        }
    }

    /// The salt valid at `now` (the handshake's first salt should be this).
    pub fn salt_at(&self, now: UnixNanos) -> i64 {
        mix(self.config.salt_seed, self.period(now.secs() as i64))
    }

    fn period(&self, secs: i64) -> i64 {
        secs / self.config.salt_period_secs.max(1)
    }

    /// The client session being served.
    pub const fn session_id(&self) -> Option<i64> {
        self.session_id
    }

    /// Messages kept until acknowledged.
    pub fn unacknowledged(&self) -> usize {
        self.out.iter().filter(|m| m.content).count()
    }

    fn release_pending(&mut self) {
        if let Some(span) = self.release.take() {
            self.in_store.free(span);
        }
    }

    fn event(&mut self, e: ServerEvent) {
        let _ = self.events.push_back(e);
    }

    /// The next event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// The next query to answer. Its bytes stay valid until the next call.
    #[must_use]
    pub fn poll_query(&mut self) -> Option<Query<'_>> {
        self.release_pending();
        let (req_msg_id, span) = self.queries.pop_front()?;
        self.release = Some(span);
        Some(Query {
            req_msg_id,
            body: self.in_store.get(span),
        })
    }

    /// A new connection: unacknowledged messages go out again (same ids).
    pub fn handle_reconnect(&mut self) {
        for m in self.out.iter_mut() {
            m.sent = false;
        }
    }

    /// Queues `body` to the client. `response`: it answers a client message (id 1 mod 4).
    fn queue(
        &mut self,
        now: UnixNanos,
        content: bool,
        response: bool,
        write: impl FnOnce(&mut [u8]) -> usize,
        max: usize,
    ) -> Result<(), ServerError> {
        if max > ByteStore::<OUT>::max_record() {
            return Err(ServerError::TooLarge {
                len: max,
                max: ByteStore::<OUT>::max_record(),
            });
        }
        self.forget_expired(now);
        // Room is made by forgetting the oldest messages already sent; unsent ones stay.
        while self.out.is_full() || self.out_store.free_after_compaction() < max {
            if !self.forget_oldest_sent() {
                return Err(ServerError::QueueFull);
            }
        }
        if self.out_store.free_at_top() < max && self.out_store.has_garbage() {
            let mut bodies: Vec<&mut Span, MAX_OUT_MESSAGES> =
                self.out.iter_mut().map(|m| &mut m.body).collect();
            self.out_store.relocate(&mut bodies);
            self.out_store.compact();
        }
        let body = self
            .out_store
            .push_with(max, |b| Ok::<_, ()>(write(b)))
            .map_err(|_| ServerError::QueueFull)?;
        let kind = if response {
            IdKind::ServerResponse
        } else {
            IdKind::ServerOwn
        };
        let msg = OutMsg {
            msg_id: self.clock.next(now, kind),
            seq_no: self.seq.next(content),
            content,
            body,
            sent: false,
        };
        let _ = self.out.push(msg);
        Ok(())
    }

    /// Forgets unacknowledged messages older than [`MAX_UNACKED_AGE_SECS`].
    fn forget_expired(&mut self, now: UnixNanos) {
        let limit = (now.secs() as i64).saturating_sub(MAX_UNACKED_AGE_SECS);
        while let Some(i) = self.out.iter().position(|m| (m.msg_id >> 32) < limit) {
            self.forget(i);
        }
    }

    /// Forgets the oldest message already sent; `false` if none was sent.
    fn forget_oldest_sent(&mut self) -> bool {
        match self.out.iter().position(|m| m.sent) {
            Some(i) => {
                self.forget(i);
                true
            }
            None => false,
        }
    }

    fn forget(&mut self, i: usize) {
        let m = self.out.remove(i);
        let body = self.out_store.get(m.body);
        let req_msg_id = (body.len() >= 12 && body[..4] == RPC_RESULT_ID.to_le_bytes())
            .then(|| i64::from_le_bytes(body[4..12].try_into().unwrap_or([0; 8])));
        self.out_store.free(m.body);
        if let Some(req) = req_msg_id {
            if self.forgotten.is_full() {
                self.forgotten.pop_front();
            }
            let _ = self.forgotten.push_back(req);
        }
        if m.content {
            self.event(ServerEvent::Forgotten {
                msg_id: m.msg_id,
                req_msg_id,
            });
        }
    }

    fn queue_bytes(
        &mut self,
        now: UnixNanos,
        content: bool,
        response: bool,
        parts: &[&[u8]],
    ) -> Result<(), ServerError> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        self.queue(
            now,
            content,
            response,
            |out| {
                let mut at = 0;
                for p in parts {
                    out[at..at + p.len()].copy_from_slice(p);
                    at += p.len();
                }
                at
            },
            len,
        )
    }

    /// Answers query `req_msg_id` with the serialized `result`.
    ///
    /// # Errors
    /// [`ServerError`].
    pub fn respond(
        &mut self,
        now: UnixNanos,
        req_msg_id: i64,
        result: &[u8],
    ) -> Result<(), ServerError> {
        if result.len() % 4 != 0 || result.is_empty() {
            return Err(ServerError::NotTl);
        }
        self.queue_bytes(
            now,
            true,
            true,
            &[
                &RPC_RESULT_ID.to_le_bytes(),
                &req_msg_id.to_le_bytes(),
                result,
            ],
        )
    }

    /// Answers query `req_msg_id` with `rpc_error(code, message)`.
    ///
    /// # Errors
    /// [`ServerError`].
    pub fn respond_error(
        &mut self,
        now: UnixNanos,
        req_msg_id: i64,
        code: i32,
        message: &str,
    ) -> Result<(), ServerError> {
        let mut e = [0u8; 8 + 4 + 260];
        e[..4].copy_from_slice(&0x2144_ca19u32.to_le_bytes());
        e[4..8].copy_from_slice(&code.to_le_bytes());
        let msg = &message.as_bytes()[..message.len().min(253)];
        e[8] = msg.len() as u8;
        e[9..9 + msg.len()].copy_from_slice(msg);
        let len = 8 + (1 + msg.len()).div_ceil(4) * 4;
        let err = e;
        self.queue_bytes(
            now,
            true,
            true,
            &[
                &RPC_RESULT_ID.to_le_bytes(),
                &req_msg_id.to_le_bytes(),
                &err[..len],
            ],
        )
    }

    /// Sends an update (any serialized object) outside rpc_result.
    ///
    /// # Errors
    /// [`ServerError`].
    pub fn push_update(&mut self, now: UnixNanos, body: &[u8]) -> Result<(), ServerError> {
        if body.len() % 4 != 0 || body.is_empty() {
            return Err(ServerError::NotTl);
        }
        self.queue_bytes(now, true, false, &[body])
    }

    /// Handles one payload from the client, decrypting it in place.
    pub fn handle_packet(&mut self, now: UnixNanos, payload: &mut [u8]) {
        self.release_pending();
        let payload = message::strip_transport_padding(payload);
        let d = match message::decrypt(&mut self.provider, &self.key, Role::Server, payload) {
            Ok(d) => d,
            Err(e) => return self.event(ServerEvent::Dropped(DropReason::Decrypt(e))),
        };
        let h = d.header;
        let body = d.body(payload);
        if self.session_id != Some(h.session_id) {
            self.session_id = Some(h.session_id);
            self.replay.clear();
            self.seq = SeqNo::new();
            self.out.clear();
            self.out_store.clear();
            self.acks.clear();
            self.sessions_created += 1;
            let salt = self.salt_at(now);
            let unique = mix(h.session_id, self.sessions_created);
            let _ = self.queue_bytes(
                now,
                true,
                false,
                &[
                    &0x9ec2_0908u32.to_le_bytes(),
                    &h.msg_id.to_le_bytes(),
                    &unique.to_le_bytes(),
                    &salt.to_le_bytes(),
                ],
            );
            self.event(ServerEvent::NewSession {
                session_id: h.session_id,
            });
        }
        // Salt: the current period's or the previous one's.
        let period = self.period(now.secs() as i64);
        let current = mix(self.config.salt_seed, period);
        if h.salt != current && h.salt != mix(self.config.salt_seed, period - 1) {
            let _ = self.queue_bytes(
                now,
                false,
                true,
                &[
                    &0xedab_447bu32.to_le_bytes(),
                    &h.msg_id.to_le_bytes(),
                    &h.seq_no.to_le_bytes(),
                    &48i32.to_le_bytes(),
                    &current.to_le_bytes(),
                ],
            );
            return self.event(ServerEvent::Refused {
                msg_id: h.msg_id,
                code: 48,
            });
        }
        if self.config.check_time_window {
            let skew = self.clock.skew_of(now, h.msg_id);
            let code = if skew < -super::incoming::MAX_PAST_NS {
                Some(16)
            } else if skew > super::incoming::MAX_FUTURE_NS {
                Some(17)
            } else {
                None
            };
            if let Some(code) = code {
                self.bad_msg(now, h.msg_id, h.seq_no, code);
                return;
            }
        }
        if let Err(replay) = self.replay.insert(h.msg_id) {
            return self.event(ServerEvent::Dropped(DropReason::Replayed {
                msg_id: h.msg_id,
                replay,
            }));
        }
        if service::constructor_id(body) == Some(MSG_CONTAINER_ID) {
            let c = match Container::parse(body, h.msg_id) {
                Ok(c) => c,
                Err(e) => {
                    self.bad_msg(now, h.msg_id, h.seq_no, 64);
                    return self.event(ServerEvent::Dropped(DropReason::Container(e)));
                }
            };
            for inner in c.iter() {
                if inner.msg_id % 4 != 0 {
                    self.bad_msg(now, inner.msg_id, inner.seq_no, 18);
                    continue;
                }
                if self.replay.insert(inner.msg_id).is_err() {
                    continue;
                }
                self.process(now, inner.msg_id, inner.seq_no, inner.body);
            }
        } else {
            self.process(now, h.msg_id, h.seq_no, body);
        }
    }

    fn bad_msg(&mut self, now: UnixNanos, msg_id: i64, seq_no: i32, code: i32) {
        let _ = self.queue_bytes(
            now,
            false,
            true,
            &[
                &0xa7ef_f811u32.to_le_bytes(),
                &msg_id.to_le_bytes(),
                &seq_no.to_le_bytes(),
                &code.to_le_bytes(),
            ],
        );
        self.event(ServerEvent::Refused { msg_id, code });
    }

    fn process(&mut self, now: UnixNanos, msg_id: i64, seq_no: i32, body: &[u8]) {
        let parsed = match service::classify(body) {
            Ok(b) => b,
            Err(error) => {
                return self.event(ServerEvent::Dropped(DropReason::Malformed {
                    msg_id,
                    error,
                }));
            }
        };
        let content = seq_no & 1 == 1;
        let must_be_content = matches!(parsed, Body::Other(_) | Body::Gzip(_));
        let must_not = matches!(parsed, Body::MsgsAck(_) | Body::Container(_));
        if (must_be_content && !content) || (must_not && content) {
            let code = if content { 34 } else { 35 };
            return self.bad_msg(now, msg_id, seq_no, code);
        }
        if content && !self.acks.contains(&msg_id) {
            let _ = self.acks.push(msg_id);
        }
        match parsed {
            Body::Other(query) => self.take_query(now, msg_id, query),
            Body::Gzip(gz) => {
                self.make_query_room(IN);
                let room = self.in_store.free_at_top();
                match self.in_store.push_with(room, |out| gzip::inflate(gz, out)) {
                    Ok(span) => {
                        if self.queries.push_back((msg_id, span)).is_err() {
                            self.in_store.free(span);
                            let _ = self.respond_error(now, msg_id, 500, "SERVER_QUEUE_FULL");
                        }
                    }
                    Err(_) => {
                        let _ = self.respond_error(now, msg_id, 400, "GZIP_INVALID");
                    }
                }
            }
            Body::Ping { ping_id, .. } => {
                let _ = self.queue_bytes(
                    now,
                    false,
                    true,
                    &[
                        &0x3477_73c5u32.to_le_bytes(),
                        &msg_id.to_le_bytes(),
                        &ping_id.to_le_bytes(),
                    ],
                );
            }
            Body::GetFutureSalts { num } => self.future_salts(now, msg_id, num),
            Body::DestroySession { session_id } => {
                let ok = Some(session_id) != self.session_id && session_id != 0;
                let id: u32 = if ok { 0xe220_45fc } else { 0x62d3_50c9 };
                let _ = self.respond(now, msg_id, &{
                    let mut b = [0u8; 12];
                    b[..4].copy_from_slice(&id.to_le_bytes());
                    b[4..].copy_from_slice(&session_id.to_le_bytes());
                    b
                });
            }
            Body::RpcDropAnswer { .. } => {
                let _ = self.respond(now, msg_id, &0x5e2a_d36eu32.to_le_bytes());
            }
            Body::MsgsAck(ids) => {
                for id in service::ids(&ids) {
                    if let Some(at) = self.out.iter().position(|m| m.msg_id == id && m.sent) {
                        let m = self.out.remove(at);
                        self.out_store.free(m.body);
                    }
                }
            }
            Body::ResendReq(ids) => {
                for id in service::ids(&ids) {
                    if let Some(m) = self.out.iter_mut().find(|m| m.msg_id == id) {
                        m.sent = false;
                    }
                }
            }
            Body::StateReq(ids) => {
                let mut info: Vec<u8, 256> = Vec::new();
                let lowest = self.replay.lowest().unwrap_or(i64::MAX);
                for id in service::ids(&ids).take(256) {
                    let state = if self.forgotten.iter().any(|&f| f == id) {
                        // Received, but its answer was forgotten: "not received" makes the
                        // client send it again.
                        2
                    } else if self.replay.contains(id) {
                        4
                    } else if id < lowest {
                        1
                    } else {
                        3
                    };
                    let _ = info.push(state);
                }
                let mut b: Vec<u8, 272> = Vec::new();
                let _ = b.extend_from_slice(&0x04de_b57du32.to_le_bytes());
                let _ = b.extend_from_slice(&msg_id.to_le_bytes());
                let _ = b.push(info.len() as u8);
                if info.len() >= 254 {
                    // Long TL bytes form.
                    b.clear();
                    let _ = b.extend_from_slice(&0x04de_b57du32.to_le_bytes());
                    let _ = b.extend_from_slice(&msg_id.to_le_bytes());
                    let n = info.len() as u32;
                    let _ = b.extend_from_slice(&[254, n as u8, (n >> 8) as u8, (n >> 16) as u8]);
                }
                let _ = b.extend_from_slice(&info);
                while b.len() % 4 != 0 {
                    let _ = b.push(0);
                }
                let _ = self.queue_bytes(now, false, true, &[&b]);
            }
            _ => {}
        }
    }

    /// Compacts the query store if `need` bytes are not free at its top.
    fn make_query_room(&mut self, need: usize) {
        if self.in_store.free_at_top() >= need || !self.in_store.has_garbage() {
            return;
        }
        let mut spans: Vec<&mut Span, QUERIES> =
            self.queries.iter_mut().map(|(_, span)| span).collect();
        self.in_store.relocate(&mut spans);
        self.in_store.compact();
    }

    fn take_query(&mut self, now: UnixNanos, msg_id: i64, query: &[u8]) {
        self.make_query_room(query.len());
        let span = self.in_store.push(query).ok();
        match span {
            Some(span) if self.queries.push_back((msg_id, span)).is_ok() => {}
            Some(span) => {
                self.in_store.free(span);
                let _ = self.respond_error(now, msg_id, 500, "SERVER_QUEUE_FULL");
            }
            None => {
                let _ = self.respond_error(now, msg_id, 500, "SERVER_QUEUE_FULL");
            }
        }
    }

    fn future_salts(&mut self, now: UnixNanos, req_msg_id: i64, num: i32) {
        let num = num.clamp(1, 64) as usize;
        let secs = now.secs() as i64;
        let period_len = self.config.salt_period_secs.max(1);
        let first = self.period(secs);
        let mut b: Vec<u8, { 20 + 64 * 16 }> = Vec::new();
        let _ = b.extend_from_slice(&0xae50_0895u32.to_le_bytes());
        let _ = b.extend_from_slice(&req_msg_id.to_le_bytes());
        let _ = b.extend_from_slice(&(secs as i32).to_le_bytes());
        let _ = b.extend_from_slice(&(num as u32).to_le_bytes());
        for k in first..first + num as i64 {
            let _ = b.extend_from_slice(&((k * period_len) as i32).to_le_bytes());
            let _ = b.extend_from_slice(&(((k + 1) * period_len) as i32).to_le_bytes());
            let _ = b.extend_from_slice(&mix(self.config.salt_seed, k).to_le_bytes());
        }
        let _ = self.queue_bytes(now, false, true, &[&b]);
    }

    /// Writes the next payload for the client into `out`, or `None` when nothing is queued.
    ///
    /// # Errors
    /// [`message::EncryptError`] if `out` is too small for the next message.
    #[must_use = "the payload must be sent"]
    pub fn poll_transmit<R: CryptoRng + ?Sized>(
        &mut self,
        now: UnixNanos,
        rng: &mut R,
        out: &mut [u8],
    ) -> Result<Option<Range<usize>>, message::EncryptError> {
        let Some(session_id) = self.session_id else {
            return Ok(None);
        };
        let mut packet = Packet::new(out, 0)?;
        let cap = packet.body_capacity().min(MAX_CONTAINER_LEN);
        let acks_len = if self.acks.is_empty() {
            0
        } else {
            12 + 8 * self.acks.len()
        };
        let mut picked: Vec<usize, MAX_OUT_MESSAGES> = Vec::new();
        let mut total = acks_len;
        let mut count = usize::from(acks_len > 0);
        for (i, m) in self.out.iter().enumerate() {
            if m.sent {
                continue;
            }
            let framed =
                CONTAINER_HEADER_LEN + INNER_HEADER_LEN * (count + 1) + total + m.body.len();
            if framed > cap {
                // A message too big for a container (a 1 MiB `upload.file`, say) goes out
                // alone, without the pending acks, if the buffer holds it.
                if picked.is_empty() && m.body.len() <= packet.body_capacity() {
                    let _ = picked.push(i);
                    count = 1;
                }
                break;
            }
            let _ = picked.push(i);
            total += m.body.len();
            count += 1;
        }
        if picked.is_empty() {
            if self.out.iter().any(|m| !m.sent) {
                return Err(message::EncryptError::BufferTooSmall {
                    needed: message::encrypted_len(
                        self.out
                            .iter()
                            .find(|m| !m.sent)
                            .map_or(0, |m| m.body.len()),
                    ),
                    available: cap,
                });
            }
            return Ok(None);
        }
        let body = packet.body_mut();
        let (msg_id, seq_no, len) = if count == 1 {
            let m = self.out[picked[0]];
            body[..m.body.len()].copy_from_slice(self.out_store.get(m.body));
            (m.msg_id, m.seq_no, m.body.len())
        } else {
            let mut at = CONTAINER_HEADER_LEN;
            if acks_len > 0 {
                let id = self.clock.next(now, IdKind::ServerOwn);
                let seq = self.seq.next(false);
                put_inner_header(body, at, id, seq, acks_len);
                let b = &mut body[at + INNER_HEADER_LEN..];
                b[..4].copy_from_slice(&0x62d6_b459u32.to_le_bytes());
                b[4..8].copy_from_slice(&0x1cb5_c415u32.to_le_bytes());
                b[8..12].copy_from_slice(&(self.acks.len() as u32).to_le_bytes());
                for (k, a) in self.acks.iter().enumerate() {
                    b[12 + 8 * k..20 + 8 * k].copy_from_slice(&a.to_le_bytes());
                }
                at += INNER_HEADER_LEN + acks_len;
            }
            for &i in &picked {
                let m = self.out[i];
                put_inner_header(body, at, m.msg_id, m.seq_no, m.body.len());
                let data = self.out_store.get(m.body);
                body[at + INNER_HEADER_LEN..at + INNER_HEADER_LEN + data.len()]
                    .copy_from_slice(data);
                at += INNER_HEADER_LEN + data.len();
            }
            put_container_header(body, count);
            (
                self.clock.next(now, IdKind::ServerOwn),
                self.seq.next(false),
                at,
            )
        };
        if count > 1 {
            self.acks.clear();
        }
        // Non-content messages are forgotten once sent; content ones wait for their ack.
        let mut k = picked.len();
        while k > 0 {
            k -= 1;
            let i = picked[k];
            if self.out[i].content {
                self.out[i].sent = true;
            } else {
                let m = self.out.remove(i);
                self.out_store.free(m.body);
            }
        }
        let header = MessageHeader {
            salt: self.salt_at(now),
            session_id,
            msg_id,
            seq_no,
        };
        packet
            .encrypt(
                &mut self.provider,
                &self.key,
                Role::Server,
                &header,
                len,
                rng,
            )
            .map(Some)
    }
}

impl<P: CryptoProvider, const QUERIES: usize, const OUT: usize, const IN: usize> fmt::Debug
    for ServerSession<P, QUERIES, OUT, IN>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let alternate = f.alternate();
        let mut d = f.debug_struct("ServerSession");
        d.field("session_id", &self.session_id)
            .field("auth_key", &self.key)
            .field("queued_messages", &self.out.len())
            .field("queries", &self.queries.len())
            .field("acks", &self.acks.len());
        if alternate {
            let out: Vec<(i64, bool, bool), MAX_OUT_MESSAGES> = self
                .out
                .iter()
                .map(|m| (m.msg_id, m.content, m.sent))
                .collect();
            d.field("out", &out);
        }
        d.finish_non_exhaustive()
    }
}
