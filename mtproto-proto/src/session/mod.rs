//! The encrypted session: MTProto 2.0 above the auth key, as one deterministic sans-IO
//! state machine ([`Session`], the client role; [`server::ServerSession`] with feature
//! `server`).
//!
//! Submodules are named after protocol concepts: [`msg_ids`] (the msg_id clock and seq_no),
//! [`replay`] (the replay window), [`container`], [`service`] (demultiplexing service
//! messages), [`salts`], [`gzip`], [`requests`] (handles, options, RPC errors), [`events`],
//! [`timers`] and [`store`] (the fixed byte arena for bodies and answers).

pub mod container;
pub mod events;
pub mod gzip;
mod incoming;
pub mod msg_ids;
mod outgoing;
pub mod replay;
pub mod requests;
pub mod salts;
#[cfg(feature = "server")]
pub mod server;
pub mod service;
pub mod store;
pub mod timers;

use heapless::{Deque, Vec};

pub use events::{DropReason, Event, Outcome};
pub use outgoing::TransmitError;
pub use requests::{EnqueueError, MigrateKind, RequestError, RequestId, RequestOptions, RpcError};
pub use service::BadMsgCode;

use crate::crypto::message::{self, Role};
use crate::crypto::message_key::AuthKey;
use crate::crypto::provider::{CryptoProvider, Software};
use crate::msg_id::UnixNanos;
use events::StoredEvent;
use msg_ids::{MsgClock, SeqNo};
use replay::ReplayWindow;
use salts::Salts;
use store::{ByteStore, Span};
use timers::{Timer, TimerTable};

/// Default request slots (`REQ`).
pub const DEFAULT_REQUESTS: usize = 16;
/// Default outbox bytes (`OUT`): request bodies kept until answered, for resending.
pub const DEFAULT_OUTBOX: usize = 4096;
/// Default inbox bytes (`IN`): answers and updates waiting to be polled (inflated).
pub const DEFAULT_INBOX: usize = 8192;
/// Received msg_ids remembered by the replay window.
pub const REPLAY_WINDOW: usize = 64;
/// Acknowledgements held before a stand-alone `msgs_ack` is forced.
pub const MAX_PENDING_ACKS: usize = 64;
/// Events held until polled; more are counted and reported as [`Event::EventsLost`].
pub const MAX_EVENTS: usize = 16;
/// Message ids of ours a resend request may name at once.
const MAX_RESEND_REQ: usize = 16;
/// Requests a `msgs_state_req` of ours asks about at once.
const MAX_STATE_REQ: usize = 16;
/// Ids a `msgs_state_info` of ours answers (a longer `msgs_state_req` is answered for its
/// first this many ids).
pub const MAX_STATE_INFO: usize = 64;
/// Recently sent top-level message ids remembered to validate notifications.
const RECENT_SENT: usize = 16;
/// How often one request may be resent because of bad_msg_notifications before it fails.
const MAX_BAD_MSG_RESENDS: u8 = 8;

/// Transmit buffer size that holds any single queued request of the default outbox:
/// the largest body plus wrappers, container framing and encryption overhead.
pub const DEFAULT_TRANSMIT_BUFFER: usize =
    DEFAULT_OUTBOX + requests::MAX_WRAPPER_LEN + 64 + message::MAX_OVERHEAD + 8 * MAX_PENDING_ACKS;

/// The documented RAM budget of a client session at default capacities together with its
/// buffers (the session value, a transmit buffer of [`DEFAULT_TRANSMIT_BUFFER`] bytes and a
/// receive buffer holding the largest packet an [`DEFAULT_INBOX`]-byte inbox can take).
pub const CLIENT_RAM_BUDGET: usize = 32 * 1024;

/// Settings of a session. Times are milliseconds unless named otherwise.
#[derive(Clone, Copy, Debug)]
pub struct SessionConfig {
    /// A request without an outcome this long after it was enqueued ends with
    /// [`RequestError::TimedOut`] (0: never).
    pub request_timeout_ms: u64,
    /// Pending acknowledgements are sent on their own this long after the first of them, if
    /// no other message carried them earlier.
    pub ack_delay_ms: u64,
    /// A stand-alone `msgs_ack` is sent as soon as this many acks are pending.
    pub ack_flush_threshold: usize,
    /// Keep-alive `ping_delay_disconnect` interval (0: no pings).
    pub ping_interval_ms: u64,
    /// The `disconnect_delay` of the keep-alive pings, in seconds.
    pub ping_disconnect_delay_secs: i32,
    /// How many future salts to ask for (0: never ask).
    pub future_salts: u8,
    /// Ask for more salts this many seconds before the known ones run out.
    pub salt_refetch_margin_secs: i64,
    /// Drop server messages whose msg_id is outside -300 s..+30 s of the server time (only
    /// once the clock is synchronized).
    pub check_time_window: bool,
    /// Ask the server (`msgs_state_req`) about requests sent this long ago without an
    /// answer, and re-send those it says it never received (0: never ask).
    pub state_request_after_ms: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            request_timeout_ms: 60_000,
            ack_delay_ms: 1_000,
            ack_flush_threshold: 16,
            ping_interval_ms: 60_000,
            ping_disconnect_delay_secs: 75,
            future_salts: 4,
            salt_refetch_margin_secs: 300,
            check_time_window: true,
            state_request_after_ms: 30_000,
        }
    }
}

/// What a slot is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A caller's request: its outcome is polled.
    User,
    /// A keep-alive ping.
    Ping { ping_id: i64 },
    /// get_future_salts.
    FutureSalts,
    /// destroy_session.
    DestroySession { session_id: i64 },
    /// rpc_drop_answer for a cancelled request.
    DropAnswer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SlotState {
    Free,
    /// Waiting to be (re)sent.
    Queued,
    /// Sent, waiting for the answer.
    Sent,
    /// Has its outcome, waiting to be polled.
    Done,
}

#[derive(Clone, Debug)]
pub(crate) struct Slot {
    pub state: SlotState,
    pub kind: Kind,
    pub generation: u32,
    /// Enqueue order (requests are sent in this order).
    pub order: u32,
    pub body: Span,
    pub options: RequestOptions,
    /// The ids it was sent with, newest first (answers to any of them count).
    pub msg_ids: [i64; 4],
    /// The container it was last sent in (0: none).
    pub container: i64,
    /// The server acknowledged the latest send.
    pub acked: bool,
    pub deadline: Option<UnixNanos>,
    /// When it was last sent.
    pub sent_at: UnixNanos,
    pub bad_msg_resends: u8,
    pub outcome: Option<Result<Span, RequestError>>,
}

impl Slot {
    const FREE: Slot = Slot {
        state: SlotState::Free,
        kind: Kind::User,
        generation: 0,
        order: 0,
        body: Span::EMPTY,
        options: RequestOptions {
            layer: None,
            without_updates: false,
            after: None,
        },
        msg_ids: [0; 4],
        container: 0,
        acked: false,
        deadline: None,
        sent_at: UnixNanos(0),
        bad_msg_resends: 0,
        outcome: None,
    };

    pub fn was_sent_as(&self, msg_id: i64) -> bool {
        msg_id != 0 && self.msg_ids.contains(&msg_id)
    }

    pub fn latest_msg_id(&self) -> i64 {
        self.msg_ids[0]
    }

    pub fn push_msg_id(&mut self, id: i64) {
        self.msg_ids.copy_within(0..3, 1);
        self.msg_ids[0] = id;
    }

    pub fn is_waiting(&self) -> bool {
        matches!(self.state, SlotState::Queued | SlotState::Sent)
    }
}

/// The client side of an MTProto 2.0 session over one auth key.
///
/// Capacities are const generics: `REQ` request slots ([`DEFAULT_REQUESTS`]), `OUT` bytes of
/// outbox for request bodies kept until answered ([`DEFAULT_OUTBOX`]), `IN` bytes of inbox
/// for answers and updates until polled ([`DEFAULT_INBOX`]). `P` is the crypto provider.
///
/// # Polling contract
///
/// The session never blocks, allocates, reads a clock or draws randomness on its own. The
/// driver calls, with the current time:
///
/// - **Commands**: [`enqueue`](Self::enqueue) (→ a [`RequestId`]), [`cancel`](Self::cancel),
///   [`destroy_session`](Self::destroy_session), [`handle_reconnect`](Self::handle_reconnect)
///   after every new transport connection.
/// - **Input**: [`handle_packet`](Self::handle_packet) with each whole received payload
///   (transport framing removed), [`handle_timeout`](Self::handle_timeout) when the deadline
///   of [`poll_timeout`](Self::poll_timeout) has passed (a spurious call is a no-op).
/// - **Output**, after any command or input, in this order:
///   1. [`poll_outcome`](Self::poll_outcome) until `None` (every request gets exactly one);
///   2. [`poll_event`](Self::poll_event) until `None`;
///   3. [`poll_transmit`](Self::poll_transmit) until `None`, sending each payload;
///   4. [`poll_timeout`](Self::poll_timeout) to know when to call `handle_timeout`.
///
/// Bytes returned by `poll_outcome`/`poll_event` live in the inbox and stay valid until the
/// next call on the session. Answers that do not fit in the inbox end their request with
/// [`RequestError::AnswerTooLarge`]; updates that do not fit are dropped with an event. An
/// oversized *packet* is the transport's business: the session only sees whole payloads and
/// decrypts them in the caller's buffer.
///
/// ```
/// use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
/// use ferrogram_mtproto_proto::crypto::provider::Software;
/// use ferrogram_mtproto_proto::msg_id::UnixNanos;
/// use ferrogram_mtproto_proto::session::{Session, SessionConfig, RequestOptions};
///
/// let now = UnixNanos(1_700_000_000_000_000_000);
/// let key = AuthKey::new([7; 256]);
/// let mut session: Session = Session::new(Software, key, 0x1234, 0x5678, 0, SessionConfig::default(), now);
/// // help.getNearestDc#1fb33026
/// let id = session.enqueue(now, &0x1fb3_3026u32.to_le_bytes(), RequestOptions::default())?;
/// let mut buf = [0u8; 512];
/// # struct Rng(u64);
/// # impl rand_core::TryRng for Rng {
/// #     type Error = core::convert::Infallible;
/// #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(self.try_next_u64()? as u32) }
/// #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); Ok(self.0) }
/// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> { for b in d { *b = self.try_next_u64()? as u8 } Ok(()) }
/// # }
/// # impl rand_core::TryCryptoRng for Rng {}
/// let mut rng = Rng(1); // any rand_core 0.10 CryptoRng
/// let sent = session.poll_transmit(now, &mut rng, &mut buf)?.expect("a request to send");
/// assert!(sent.len() >= 72 && sent.start == 0);
/// # let _ = id;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Session<
    P: CryptoProvider = Software,
    const REQ: usize = DEFAULT_REQUESTS,
    const OUT: usize = DEFAULT_OUTBOX,
    const IN: usize = DEFAULT_INBOX,
> {
    pub(crate) provider: P,
    pub(crate) key: AuthKey,
    pub(crate) session_id: i64,
    pub(crate) config: SessionConfig,
    pub(crate) clock: MsgClock,
    pub(crate) seq: SeqNo,
    pub(crate) salts: Salts,
    pub(crate) slots: [Slot; REQ],
    /// Where the search for a free slot starts (after the last slot taken), and where the
    /// search for an answered or acknowledged one starts (the last one found): slots are
    /// taken in rotation and answered mostly in order, so both searches usually stop at once.
    pub(crate) free_hint: usize,
    pub(crate) answer_hint: usize,
    pub(crate) next_order: u32,
    pub(crate) next_generation: u32,
    pub(crate) outbox: ByteStore<OUT>,
    pub(crate) inbox: ByteStore<IN>,
    pub(crate) done: Deque<u16, REQ>,
    pub(crate) events: Deque<StoredEvent, MAX_EVENTS>,
    pub(crate) lost_events: u32,
    pub(crate) acks: Vec<i64, MAX_PENDING_ACKS>,
    pub(crate) ack_due: bool,
    pub(crate) resend_req: Vec<i64, MAX_RESEND_REQ>,
    /// Requests to ask the server about.
    pub(crate) state_req: Vec<i64, MAX_STATE_REQ>,
    /// The last `msgs_state_req` sent: its msg_id and the ids it asked about.
    pub(crate) state_req_sent: (i64, Vec<i64, MAX_STATE_REQ>),
    /// A `msgs_state_info` to send: the request it answers and one status byte per id.
    pub(crate) state_reply: Option<(i64, Vec<u8, MAX_STATE_INFO>)>,
    /// A `pong` to send for a server's ping: (ping msg_id, ping_id).
    pub(crate) pong_reply: Option<(i64, i64)>,
    pub(crate) replay: ReplayWindow<REPLAY_WINDOW>,
    pub(crate) recent_sent: [i64; RECENT_SENT],
    pub(crate) recent_at: usize,
    pub(crate) timers: TimerTable,
    pub(crate) release: Option<Span>,
    pub(crate) next_ping_id: i64,
    pub(crate) seq_errors: u8,
}

impl<P: CryptoProvider, const REQ: usize, const OUT: usize, const IN: usize>
    Session<P, REQ, OUT, IN>
{
    /// A new session over `auth_key` with id `session_id` (pick it at random), starting with
    /// `salt` (the handshake's `first_salt`) and the server time offset `time_offset_secs`
    /// (the handshake's; pass 0 if unknown: the first time notification corrects it).
    pub fn new(
        provider: P,
        auth_key: AuthKey,
        session_id: i64,
        salt: i64,
        time_offset_secs: i64,
        config: SessionConfig,
        now: UnixNanos,
    ) -> Self {
        let mut s = Session {
            provider,
            key: auth_key,
            session_id,
            config,
            clock: MsgClock::new(time_offset_secs, time_offset_secs != 0),
            seq: SeqNo::new(),
            salts: Salts::new(salt),
            slots: [const { Slot::FREE }; REQ],
            free_hint: 0,
            answer_hint: 0,
            next_order: 0,
            next_generation: 1,
            outbox: ByteStore::new(),
            inbox: ByteStore::new(),
            done: Deque::new(),
            events: Deque::new(),
            lost_events: 0,
            acks: Vec::new(),
            ack_due: false,
            resend_req: Vec::new(),
            state_req: Vec::new(),
            state_req_sent: (0, Vec::new()),
            state_reply: None,
            pong_reply: None,
            replay: ReplayWindow::new(),
            recent_sent: [0; RECENT_SENT],
            recent_at: 0,
            timers: TimerTable::new(),
            release: None,
            next_ping_id: session_id.wrapping_mul(0x9e37_79b9_7f4a_7c15_u64 as i64) | 1,
            seq_errors: 0,
        };
        s.arm_ping(now);
        if s.config.future_salts > 0 {
            s.timers.set(Timer::FutureSalts, now);
        }
        s
    }

    // ----- getters -----

    /// The session id.
    pub const fn session_id(&self) -> i64 {
        self.session_id
    }

    /// The salt in use.
    pub const fn salt(&self) -> i64 {
        self.salts.current()
    }

    /// Server time minus local time, in nanoseconds, as the session knows it.
    pub const fn time_offset_ns(&self) -> i64 {
        self.clock.offset_ns()
    }

    /// Requests that have no outcome yet.
    pub fn pending_requests(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.kind == Kind::User && s.is_waiting())
            .count()
    }

    /// Whether `id` is a live request (waiting, or with an outcome not yet polled).
    pub fn is_live(&self, id: RequestId) -> bool {
        self.slot_of(id).is_some()
    }

    /// The known future salts.
    pub fn future_salts(&self) -> &[salts::FutureSalt] {
        self.salts.future()
    }

    /// The auth key.
    pub const fn auth_key(&self) -> &AuthKey {
        &self.key
    }

    /// The first slot from `from` on (wrapping around) that `pred` accepts.
    pub(crate) fn find_slot(&self, from: usize, pred: impl Fn(&Slot) -> bool) -> Option<usize> {
        let from = if from < REQ { from } else { 0 };
        (from..REQ).chain(0..from).find(|&i| pred(&self.slots[i]))
    }

    pub(crate) fn slot_of(&self, id: RequestId) -> Option<usize> {
        let i = usize::from(id.index);
        let s = self.slots.get(i)?;
        (s.state != SlotState::Free && s.generation == id.generation && s.kind == Kind::User)
            .then_some(i)
    }

    // ----- commands -----

    /// Queues a request: `body` is a serialized function (constructor id first), wrapped as
    /// `options` say when sent. Returns its handle; its outcome comes from
    /// [`poll_outcome`](Self::poll_outcome), exactly once.
    ///
    /// # Errors
    /// [`EnqueueError`] (nothing is queued then).
    pub fn enqueue(
        &mut self,
        now: UnixNanos,
        body: &[u8],
        options: RequestOptions,
    ) -> Result<RequestId, EnqueueError> {
        self.release_pending();
        if body.is_empty() || body.len() % 4 != 0 {
            return Err(EnqueueError::NotTl { len: body.len() });
        }
        let deadline = (self.config.request_timeout_ms > 0).then(|| {
            UnixNanos(
                now.0
                    .saturating_add(self.config.request_timeout_ms * 1_000_000),
            )
        });
        let id = self.add_slot(Kind::User, body, options, deadline)?;
        Ok(id)
    }

    pub(crate) fn add_slot(
        &mut self,
        kind: Kind,
        body: &[u8],
        options: RequestOptions,
        deadline: Option<UnixNanos>,
    ) -> Result<RequestId, EnqueueError> {
        let max = ByteStore::<OUT>::max_record();
        if body.len() > max {
            return Err(EnqueueError::TooLarge {
                len: body.len(),
                max,
            });
        }
        let Some(index) = self.find_slot(self.free_hint, |s| s.state == SlotState::Free) else {
            return Err(EnqueueError::TooManyRequests { capacity: REQ });
        };
        if self.outbox.free_at_top() < body.len() {
            self.compact_outbox();
        }
        let span = self
            .outbox
            .push(body)
            .map_err(|f| EnqueueError::OutboxFull {
                len: body.len(),
                free: f.free,
            })?;
        let generation = self.next_generation;
        self.next_generation = self.next_generation.wrapping_add(1).max(1);
        let order = self.next_order;
        self.next_order = self.next_order.wrapping_add(1);
        self.free_hint = index + 1;
        self.slots[index] = Slot {
            state: SlotState::Queued,
            kind,
            generation,
            order,
            body: span,
            options,
            deadline,
            ..Slot::FREE
        };
        Ok(RequestId {
            index: index as u16,
            generation,
        })
    }

    /// Cancels a request: its outcome becomes [`RequestError::Cancelled`] (unless it already
    /// has one). If it was sent, the server may still execute it; the session asks it to drop
    /// the answer (`rpc_drop_answer`, when a slot is free) and ignores the answer if it comes.
    /// Returns whether the request was waiting.
    pub fn cancel(&mut self, id: RequestId) -> bool {
        self.release_pending();
        match self.slot_of(id) {
            Some(i) if self.slots[i].is_waiting() => {
                let sent = self.slots[i].latest_msg_id();
                self.finish(i, Err(RequestError::Cancelled));
                if sent != 0 {
                    let mut body = [0u8; 12];
                    body[..4].copy_from_slice(&0x58e4_a740u32.to_le_bytes());
                    body[4..].copy_from_slice(&sent.to_le_bytes());
                    let _ = self.add_slot(Kind::DropAnswer, &body, RequestOptions::default(), None);
                }
                true
            }
            _ => false,
        }
    }

    /// Asks the server to forget another session of this auth key; the answer comes as
    /// [`Event::SessionDestroyed`].
    ///
    /// # Errors
    /// As [`enqueue`](Self::enqueue).
    pub fn destroy_session(&mut self, session_id: i64) -> Result<(), EnqueueError> {
        self.release_pending();
        let mut body = [0u8; 12];
        body[..4].copy_from_slice(&0xe751_2126u32.to_le_bytes());
        body[4..].copy_from_slice(&session_id.to_le_bytes());
        self.add_slot(
            Kind::DestroySession { session_id },
            &body,
            RequestOptions::default(),
            None,
        )
        .map(|_| ())
    }

    /// A new transport connection is up: every request still waiting for its answer is sent
    /// again with a new msg_id (an answer to any of its last four ids counts, once).
    ///
    /// Requests the server acknowledged are re-sent too: the server would re-send their
    /// answers on the new connection, but with their old msg_ids, which a busy client's
    /// replay window may already have to refuse as too old. Re-sending trades a possible
    /// second execution (as with any unacknowledged request) for never hanging.
    pub fn handle_reconnect(&mut self, now: UnixNanos) {
        self.release_pending();
        for s in self.slots.iter_mut() {
            if s.state == SlotState::Sent {
                s.state = SlotState::Queued;
            }
        }
        self.arm_ping(now);
    }

    // ----- output -----

    /// The next finished request, with its result. Bytes stay valid until the next call on
    /// the session.
    #[must_use = "every request's outcome must be taken"]
    pub fn poll_outcome(&mut self) -> Option<Outcome<'_>> {
        self.release_pending();
        let i = usize::from(self.done.pop_front()?);
        let slot = &mut self.slots[i];
        let id = RequestId {
            index: i as u16,
            generation: slot.generation,
        };
        let outcome = slot.outcome.take().unwrap_or(Err(RequestError::Cancelled));
        *slot = Slot::FREE;
        let result = match outcome {
            Ok(span) => {
                self.release = Some(span);
                Ok(self.inbox.get(span))
            }
            Err(e) => Err(e),
        };
        Some(Outcome { id, result })
    }

    /// The next event. Bytes stay valid until the next call on the session.
    #[must_use = "events must be handled"]
    pub fn poll_event(&mut self) -> Option<Event<'_>> {
        self.release_pending();
        if self.lost_events > 0 && !self.events.is_full() {
            let count = core::mem::take(&mut self.lost_events);
            return Some(Event::EventsLost { count });
        }
        Some(match self.events.pop_front()? {
            StoredEvent::Update(span) => {
                self.release = Some(span);
                Event::Update(self.inbox.get(span))
            }
            StoredEvent::NewSession {
                first_msg_id,
                unique_id,
            } => Event::NewSession {
                first_msg_id,
                unique_id,
            },
            StoredEvent::Dropped(r) => Event::Dropped(r),
            StoredEvent::TimeResynced { offset_ms } => Event::TimeResynced { offset_ms },
            StoredEvent::BadMsg { msg_id, code } => Event::BadMsg { msg_id, code },
            StoredEvent::PingTimeout => Event::PingTimeout,
            StoredEvent::SessionDestroyed {
                session_id,
                existed,
            } => Event::SessionDestroyed {
                session_id,
                existed,
            },
        })
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<UnixNanos> {
        let requests = self
            .slots
            .iter()
            .filter(|s| s.is_waiting())
            .filter_map(|s| s.deadline)
            .min();
        match (self.timers.next(), requests) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Sends the pending acknowledgements with the next [`poll_transmit`](Self::poll_transmit)
    /// instead of waiting for the ack delay: call it before closing the connection, so the
    /// server does not keep (and later re-send) what this client already received. Nothing
    /// happens if no ack is pending.
    pub fn flush_acks(&mut self) {
        if !self.acks.is_empty() {
            self.ack_due = true;
        }
    }

    /// Whether acknowledgements are waiting to go out.
    #[must_use]
    pub fn has_pending_acks(&self) -> bool {
        !self.acks.is_empty()
    }

    /// Runs the timers due at `now`: acknowledgement flush, keep-alive ping, future salts,
    /// request timeouts. A call before any deadline does nothing.
    pub fn handle_timeout(&mut self, now: UnixNanos) {
        self.release_pending();
        if self.timers.take_expired(Timer::Ack, now) && !self.acks.is_empty() {
            self.ack_due = true;
        }
        if self.timers.take_expired(Timer::Ping, now) {
            self.on_ping_timer(now);
        }
        if self.timers.take_expired(Timer::FutureSalts, now) {
            self.request_future_salts();
        }
        if self.timers.take_expired(Timer::StateRequest, now) {
            self.on_state_timer(now);
        }
        for i in 0..REQ {
            let s = &self.slots[i];
            if s.is_waiting() && s.deadline.is_some_and(|d| d <= now) {
                let after_ms = self.config.request_timeout_ms;
                self.finish(i, Err(RequestError::TimedOut { after_ms }));
            }
        }
    }

    // ----- internals shared by incoming/outgoing -----

    pub(crate) fn release_pending(&mut self) {
        if let Some(span) = self.release.take() {
            self.inbox.free(span);
        }
    }

    /// Ends slot `i` with `outcome`: user requests go to the outcome queue, internal ones are
    /// freed.
    pub(crate) fn finish(&mut self, i: usize, outcome: Result<Span, RequestError>) {
        let s = &mut self.slots[i];
        if !s.is_waiting() {
            if let Ok(span) = outcome {
                self.inbox.free(span);
            }
            return;
        }
        let body = s.body;
        s.body = Span::EMPTY;
        self.outbox.free(body);
        match s.kind {
            Kind::User => {
                s.state = SlotState::Done;
                s.outcome = Some(outcome);
                // The queue has REQ places, one per slot: it cannot be full.
                let _ = self.done.push_back(i as u16);
            }
            _ => {
                if let Ok(span) = outcome {
                    self.inbox.free(span);
                }
                *s = Slot::FREE;
            }
        }
    }

    pub(crate) fn push_event(&mut self, e: StoredEvent) {
        if let Err(e) = self.events.push_back(e) {
            if let StoredEvent::Update(span) = e {
                self.inbox.free(span);
            }
            self.lost_events = self.lost_events.saturating_add(1);
        }
    }

    fn arm_ping(&mut self, now: UnixNanos) {
        if self.config.ping_interval_ms > 0 {
            self.timers.set(
                Timer::Ping,
                UnixNanos(
                    now.0
                        .saturating_add(self.config.ping_interval_ms * 1_000_000),
                ),
            );
        }
    }

    fn on_ping_timer(&mut self, now: UnixNanos) {
        let outstanding = self
            .slots
            .iter()
            .position(|s| matches!(s.kind, Kind::Ping { .. }) && s.is_waiting());
        if let Some(i) = outstanding {
            self.slots[i] = Slot::FREE;
            self.push_event(StoredEvent::PingTimeout);
        }
        let ping_id = self.next_ping_id;
        self.next_ping_id = self.next_ping_id.wrapping_add(1);
        let mut body = [0u8; 16];
        body[..4].copy_from_slice(&0xf342_7b8cu32.to_le_bytes());
        body[4..12].copy_from_slice(&ping_id.to_le_bytes());
        body[12..].copy_from_slice(&self.config.ping_disconnect_delay_secs.to_le_bytes());
        let _ = self.add_slot(
            Kind::Ping { ping_id },
            &body,
            RequestOptions::default(),
            None,
        );
        self.arm_ping(now);
    }

    /// Collects requests sent long ago without an answer into a `msgs_state_req`, and arms
    /// the timer for the next one due.
    fn on_state_timer(&mut self, now: UnixNanos) {
        let after = self.config.state_request_after_ms.saturating_mul(1_000_000);
        if after == 0 {
            return;
        }
        let mut next: Option<u64> = None;
        for s in self.slots.iter_mut() {
            if s.state != SlotState::Sent {
                continue;
            }
            let due = s.sent_at.0.saturating_add(after);
            if due <= now.0 {
                let id = s.latest_msg_id();
                if !self.state_req.contains(&id) && self.state_req.push(id).is_ok() {
                    // Ask again one interval later if nothing happens.
                    s.sent_at = now;
                }
                next = Some(next.map_or(now.0 + after, |n| n.min(now.0 + after)));
            } else {
                next = Some(next.map_or(due, |n| n.min(due)));
            }
        }
        if let Some(at) = next {
            self.timers.set(Timer::StateRequest, UnixNanos(at));
        }
    }

    pub(crate) fn request_future_salts(&mut self) {
        let busy = self
            .slots
            .iter()
            .any(|s| s.kind == Kind::FutureSalts && s.is_waiting());
        if busy || self.config.future_salts == 0 {
            return;
        }
        let mut body = [0u8; 8];
        body[..4].copy_from_slice(&0xb921_bd04u32.to_le_bytes());
        body[4..].copy_from_slice(&i32::from(self.config.future_salts.min(64)).to_le_bytes());
        let _ = self.add_slot(Kind::FutureSalts, &body, RequestOptions::default(), None);
    }

    fn compact_outbox(&mut self) {
        if !self.outbox.has_garbage() {
            return;
        }
        let mut bodies: heapless::Vec<&mut Span, REQ> = self
            .slots
            .iter_mut()
            .filter(|s| s.is_waiting())
            .map(|s| &mut s.body)
            .collect();
        self.outbox.relocate(&mut bodies);
        self.outbox.compact();
    }

    /// Makes room in the inbox by compaction if `need` bytes are not free at the top.
    pub(crate) fn make_inbox_room(&mut self, need: usize) {
        if self.inbox.free_at_top() >= need || !self.inbox.has_garbage() {
            return;
        }
        let mut answers: heapless::Vec<&mut Span, REQ> = self
            .slots
            .iter_mut()
            .filter_map(|s| match &mut s.outcome {
                Some(Ok(span)) => Some(span),
                _ => None,
            })
            .collect();
        self.inbox.relocate(&mut answers);
        let mut updates: heapless::Vec<&mut Span, MAX_EVENTS> = self
            .events
            .iter_mut()
            .filter_map(|e| match e {
                StoredEvent::Update(span) => Some(span),
                _ => None,
            })
            .collect();
        self.inbox.relocate(&mut updates);
        self.inbox.compact();
    }
}

impl<P: CryptoProvider, const REQ: usize, const OUT: usize, const IN: usize> core::fmt::Debug
    for Session<P, REQ, OUT, IN>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if f.alternate() {
            // `{:#?}`: the slots too, for diagnosing a stuck session.
            let slots: heapless::Vec<_, REQ> = self
                .slots
                .iter()
                .filter(|s| s.state != SlotState::Free)
                .map(|s| (s.kind, s.state, s.msg_ids, s.acked, s.sent_at.0))
                .collect();
            return f
                .debug_struct("Session")
                .field("session_id", &self.session_id)
                .field("salt", &self.salts.current())
                .field("acks", &self.acks.len())
                .field("timers", &self.timers)
                .field("slots", &slots)
                .finish_non_exhaustive();
        }
        f.debug_struct("Session")
            .field("session_id", &self.session_id)
            .field("auth_key", &self.key)
            .field("pending_requests", &self.pending_requests())
            .finish_non_exhaustive()
    }
}

/// The role of this module's [`Session`] for the crypto layer.
pub(crate) const CLIENT: Role = Role::Client;
