//! Handling what comes in: decryption and the security checks, containers, and every
//! service message; answers and updates go to the inbox.

use ferrogram_tl_types::ViewRead;
use ferrogram_tl_types::view::types;

use super::container::Container;
use super::events::{DropReason, StoredEvent};
use super::gzip::{self, GzipError};
use super::replay::Replay;
use super::requests::{RequestError, RpcError};
use super::salts::FutureSalt;
use super::service::{self, BadMsgCode, Body, RpcBody};
use super::store::{PushError, Span};
use super::timers::Timer;
use super::{CLIENT, Kind, MAX_BAD_MSG_RESENDS, Session, SlotState};
use crate::crypto::message;
use crate::crypto::provider::CryptoProvider;
use crate::msg_id::UnixNanos;

/// msg_ids more than this far in the future are refused (`description.md`).
pub(crate) const MAX_FUTURE_NS: i128 = 30 * 1_000_000_000;
/// msg_ids more than this far in the past are refused.
pub(crate) const MAX_PAST_NS: i128 = 300 * 1_000_000_000;

const DESTROY_SESSION_OK: u32 = 0xe220_45fc;
const DESTROY_SESSION_NONE: u32 = 0x62d3_50c9;

impl<P: CryptoProvider, const REQ: usize, const OUT: usize, const IN: usize>
    Session<P, REQ, OUT, IN>
{
    /// Handles one received payload (`auth_key_id ‖ msg_key ‖ encrypted_data`, transport
    /// framing removed), decrypting it in place. A message that fails a check is dropped
    /// with [`Event::Dropped`](super::Event::Dropped); the session carries on.
    pub fn handle_packet(&mut self, now: UnixNanos, payload: &mut [u8]) {
        self.release_pending();
        let payload = message::strip_transport_padding(payload);
        let d = match message::decrypt(&mut self.provider, &self.key, CLIENT, payload) {
            Ok(d) => d,
            Err(e) => return self.dropped(DropReason::Decrypt(e)),
        };
        self.handle_decrypted(now, d.header, d.body(payload));
    }

    /// Runs every check after decryption on a message and processes it (the fuzz targets
    /// enter here with arbitrary plaintext; feature `fuzzing`).
    #[cfg(feature = "fuzzing")]
    pub fn fuzz_handle_plaintext(
        &mut self,
        now: UnixNanos,
        header: crate::crypto::message::MessageHeader,
        body: &[u8],
    ) {
        self.release_pending();
        self.handle_decrypted(now, header, body);
    }

    fn handle_decrypted(
        &mut self,
        now: UnixNanos,
        h: crate::crypto::message::MessageHeader,
        body: &[u8],
    ) {
        if h.session_id != self.session_id {
            return self.dropped(DropReason::WrongSession {
                expected: self.session_id,
                got: h.session_id,
            });
        }
        if self.config.check_time_window && self.clock.is_synced() {
            let skew = self.clock.skew_of(now, h.msg_id);
            if !(-MAX_PAST_NS..=MAX_FUTURE_NS).contains(&skew) && !self.is_time_exempt(body) {
                return self.dropped(DropReason::OutOfTimeWindow {
                    msg_id: h.msg_id,
                    skew_ms: (skew / 1_000_000) as i64,
                });
            }
        }
        if let Err(replay) = self.replay.insert(h.msg_id) {
            // Only a message certainly seen before is acknowledged again (so the server stops
            // repeating it); one too old to tell is left unacknowledged.
            if h.seq_no & 1 == 1 && replay == Replay::Duplicate {
                self.queue_ack(now, h.msg_id);
            }
            return self.dropped(DropReason::Replayed {
                msg_id: h.msg_id,
                replay,
            });
        }
        if service::constructor_id(body) == Some(super::container::MSG_CONTAINER_ID) {
            let c = match Container::parse(body, h.msg_id) {
                Ok(c) => c,
                Err(e) => return self.dropped(DropReason::Container(e)),
            };
            for inner in c.iter() {
                if inner.msg_id & 1 == 0 {
                    self.dropped(DropReason::WrongParity {
                        msg_id: inner.msg_id,
                    });
                    continue;
                }
                if let Err(replay) = self.replay.insert(inner.msg_id) {
                    if inner.seq_no & 1 == 1 && replay == Replay::Duplicate {
                        self.queue_ack(now, inner.msg_id);
                    }
                    self.dropped(DropReason::Replayed {
                        msg_id: inner.msg_id,
                        replay,
                    });
                    continue;
                }
                self.process(now, inner.msg_id, inner.seq_no, inner.body);
            }
        } else {
            self.process(now, h.msg_id, h.seq_no, body);
        }
    }

    /// Notifications about our own recent messages are processed even when the time looks
    /// wrong (that is how a wrong clock gets corrected).
    fn is_time_exempt(&self, body: &[u8]) -> bool {
        match service::classify(body) {
            Ok(Body::BadMsg { bad_msg_id, .. } | Body::BadServerSalt { bad_msg_id, .. }) => {
                self.sent_recently(bad_msg_id)
            }
            _ => false,
        }
    }

    pub(crate) fn sent_recently(&self, msg_id: i64) -> bool {
        msg_id != 0
            && (self.recent_sent.contains(&msg_id)
                || self
                    .slots
                    .iter()
                    .any(|s| s.was_sent_as(msg_id) || (s.container == msg_id && s.is_waiting())))
    }

    pub(crate) fn dropped(&mut self, reason: DropReason) {
        self.push_event(StoredEvent::Dropped(reason));
    }

    pub(crate) fn queue_ack(&mut self, now: UnixNanos, msg_id: i64) {
        if !self.acks.contains(&msg_id) && self.acks.push(msg_id).is_err() {
            // Full: the ones queued go out with the next message; this one is acknowledged
            // when the server repeats it.
            self.ack_due = true;
        }
        if self.acks.len() >= self.config.ack_flush_threshold.max(1) {
            self.ack_due = true;
        }
        let at = UnixNanos(now.0.saturating_add(self.config.ack_delay_ms * 1_000_000));
        self.timers.set_earliest(Timer::Ack, at);
    }

    /// One message (top-level or from a container) that passed the checks.
    fn process(&mut self, now: UnixNanos, msg_id: i64, seq_no: i32, body: &[u8]) {
        if seq_no & 1 == 1 {
            self.queue_ack(now, msg_id);
        }
        let parsed = match service::classify(body) {
            Ok(b) => b,
            Err(error) => return self.dropped(DropReason::Malformed { msg_id, error }),
        };
        match parsed {
            Body::Container(_) => self.dropped(DropReason::Container(
                super::container::ContainerError::Nested,
            )),
            Body::RpcResult { req_msg_id, result } => self.on_rpc_result(req_msg_id, result),
            Body::Gzip(data) => match self.inflate_into_inbox(data) {
                Ok(span) => self.push_event(StoredEvent::Update(span)),
                Err(error) => self.dropped(DropReason::Gzip { msg_id, error }),
            },
            Body::MsgsAck(ids) => {
                for id in service::ids(&ids) {
                    // A msg_id is sent once: at most one slot has it as its latest.
                    let found = self.find_slot(self.answer_hint, |s| {
                        s.state == SlotState::Sent && s.latest_msg_id() == id
                    });
                    if let Some(i) = found {
                        self.slots[i].acked = true;
                        self.answer_hint = i;
                    }
                }
            }
            Body::BadMsg {
                bad_msg_id, code, ..
            } => self.on_bad_msg(now, msg_id, bad_msg_id, code),
            Body::BadServerSalt {
                bad_msg_id,
                new_salt,
            } => {
                if !self.sent_recently(bad_msg_id) {
                    return self.dropped(DropReason::UnknownMsgId { msg_id: bad_msg_id });
                }
                self.salts.replace(new_salt);
                self.push_event(StoredEvent::BadMsg {
                    msg_id: bad_msg_id,
                    code: BadMsgCode::BadServerSalt,
                });
                self.resend(bad_msg_id, BadMsgCode::BadServerSalt);
                if self.config.future_salts > 0 {
                    self.timers.set(Timer::FutureSalts, now);
                }
            }
            Body::NewSession {
                first_msg_id,
                unique_id,
                server_salt,
            } => {
                self.salts.replace(server_salt);
                // Whatever we sent before first_msg_id went to a session the server forgot.
                for s in self.slots.iter_mut() {
                    if s.state == SlotState::Sent && s.latest_msg_id() < first_msg_id {
                        s.state = SlotState::Queued;
                    }
                }
                self.push_event(StoredEvent::NewSession {
                    first_msg_id,
                    unique_id,
                });
            }
            Body::Pong {
                msg_id: ping_msg_id,
                ping_id,
            } => {
                if let Some(i) = self.slots.iter().position(|s| {
                    s.is_waiting()
                        && (s.kind == Kind::Ping { ping_id } || s.was_sent_as(ping_msg_id))
                }) {
                    self.finish(i, Err(RequestError::Cancelled));
                }
            }
            Body::FutureSalts(fs) => self.on_future_salts(now, fs.req_msg_id, &fs),
            Body::AllInfo { msg_ids, info } => {
                for (id, status) in service::ids(&msg_ids).zip(info.iter()) {
                    // 2, 3: the server certainly did not receive it.
                    if matches!(status & 7, 2 | 3) {
                        self.requeue_sent_as(id);
                    }
                }
            }
            Body::DetailedInfo {
                msg_id: ours,
                answer_msg_id,
                ..
            } => {
                let waiting = ours.is_some_and(|m| {
                    self.slots
                        .iter()
                        .any(|s| s.is_waiting() && s.was_sent_as(m))
                });
                if self.replay.contains(answer_msg_id) && !waiting {
                    self.queue_ack(now, answer_msg_id);
                } else if (waiting || ours.is_none()) && !self.resend_req.contains(&answer_msg_id) {
                    let _ = self.resend_req.push(answer_msg_id);
                }
            }
            Body::ResendReq(ids) => {
                for id in service::ids(&ids) {
                    self.requeue_sent_as(id);
                }
            }
            Body::StateReq(ids) => {
                let mut info = heapless::Vec::new();
                for id in service::ids(&ids).take(super::MAX_STATE_INFO) {
                    let _ = info.push(self.replay.state_of(id));
                }
                self.state_reply = Some((msg_id, info));
            }
            Body::StateInfo { req_msg_id, info } => {
                if req_msg_id == self.state_req_sent.0 && req_msg_id != 0 {
                    let asked = core::mem::take(&mut self.state_req_sent.1);
                    for (&id, &status) in asked.iter().zip(info) {
                        // 1..=3: the server does not have it.
                        if matches!(status & 7, 1..=3) {
                            self.requeue_sent_as(id);
                        }
                    }
                }
            }
            Body::Ping { ping_id, .. } => self.pong_reply = Some((msg_id, ping_id)),
            // Queries only a server handles.
            Body::GetFutureSalts { .. }
            | Body::DestroySession { .. }
            | Body::RpcDropAnswer { .. }
            | Body::HttpWait => {}
            Body::MsgCopy {
                msg_id: orig,
                seq_no,
                body,
            } => {
                // Processed as if unwrapped, unless the original already arrived (then only
                // acknowledged again). A copy inside a copy is not unwrapped further.
                if orig & 1 == 0 || service::constructor_id(body) == Some(service::MSG_COPY_ID) {
                    return self.dropped(DropReason::WrongParity { msg_id: orig });
                }
                match self.replay.insert(orig) {
                    Ok(()) => self.process(now, orig, seq_no, body),
                    Err(Replay::Duplicate) => self.queue_ack(now, orig),
                    Err(replay) => self.dropped(DropReason::Replayed {
                        msg_id: orig,
                        replay,
                    }),
                }
            }
            Body::Other(data) => self.store_update(data),
        }
    }

    fn requeue_sent_as(&mut self, msg_id: i64) {
        for s in self.slots.iter_mut() {
            if s.state == SlotState::Sent && s.latest_msg_id() == msg_id {
                s.state = SlotState::Queued;
            }
        }
    }

    fn store_update(&mut self, data: &[u8]) {
        self.make_inbox_room(data.len());
        match self.inbox.push(data) {
            Ok(span) => self.push_event(StoredEvent::Update(span)),
            Err(f) => self.dropped(DropReason::UpdateTooLarge {
                len: data.len(),
                free: f.free,
            }),
        }
    }

    fn inflate_into_inbox(&mut self, gz: &[u8]) -> Result<Span, GzipError> {
        self.make_inbox_room(IN);
        let room = self.inbox.free_at_top();
        self.inbox
            .push_with(room, |out| gzip::inflate(gz, out))
            .map_err(|e| match e {
                PushError::Full(_) => GzipError::TooLarge { capacity: 0 },
                PushError::Fill(e) => e,
            })
    }

    fn slot_answered_by(&mut self, req_msg_id: i64) -> Option<usize> {
        let found = self.find_slot(self.answer_hint, |s| {
            s.is_waiting() && s.was_sent_as(req_msg_id)
        });
        if let Some(i) = found {
            self.answer_hint = i;
        }
        found
    }

    fn on_rpc_result(&mut self, req_msg_id: i64, result: RpcBody<'_>) {
        let Some(i) = self.slot_answered_by(req_msg_id) else {
            // A late answer to a request that already has its outcome (or was never ours).
            return;
        };
        match self.slots[i].kind {
            super::Kind::User => {
                let outcome = self.store_answer(result);
                self.finish(i, outcome);
            }
            Kind::FutureSalts => {
                if let RpcBody::Data(d) = result {
                    if let Ok(fs) = types::FutureSalts::from_bytes(d) {
                        self.absorb_salts(&fs);
                    }
                }
                self.finish(i, Err(RequestError::Cancelled));
            }
            Kind::Ping { .. } | Kind::DropAnswer => self.finish(i, Err(RequestError::Cancelled)),
            Kind::DestroySession { session_id } => {
                if let RpcBody::Data(d) = result {
                    let existed = match service::constructor_id(d) {
                        Some(DESTROY_SESSION_OK) => Some(true),
                        Some(DESTROY_SESSION_NONE) => Some(false),
                        _ => None,
                    };
                    if let Some(existed) = existed {
                        self.push_event(StoredEvent::SessionDestroyed {
                            session_id,
                            existed,
                        });
                    }
                }
                self.finish(i, Err(RequestError::Cancelled));
            }
        }
    }

    fn store_answer(&mut self, result: RpcBody<'_>) -> Result<Span, RequestError> {
        match result {
            RpcBody::Error { code, message } => {
                Err(RequestError::Rpc(RpcError::parse(code, message)))
            }
            RpcBody::Data(d) => {
                self.make_inbox_room(d.len());
                self.inbox
                    .push(d)
                    .map_err(|f| RequestError::AnswerTooLarge {
                        len: d.len(),
                        free: f.free,
                    })
            }
            RpcBody::Gzip(gz) => {
                let span = self.inflate_into_inbox(gz).map_err(|e| match e {
                    GzipError::TooLarge { .. } => RequestError::AnswerTooLarge {
                        len: self.inbox.free_after_compaction() + 1,
                        free: self.inbox.free_after_compaction(),
                    },
                    e => RequestError::Gzip(e),
                })?;
                let data = self.inbox.get(span);
                if service::constructor_id(data) == Some(types::RpcError::CONSTRUCTOR_ID) {
                    let e = types::RpcError::from_bytes(data)
                        .map(|e| RpcError::parse(e.error_code, e.error_message.as_bytes()));
                    self.inbox.free(span);
                    if let Ok(e) = e {
                        return Err(RequestError::Rpc(e));
                    }
                    return Err(RequestError::Gzip(GzipError::Corrupt));
                }
                Ok(span)
            }
        }
    }

    fn on_future_salts(&mut self, now: UnixNanos, req_msg_id: i64, fs: &types::FutureSalts<'_>) {
        let Some(i) = self.slot_answered_by(req_msg_id) else {
            return;
        };
        if self.slots[i].kind != Kind::FutureSalts {
            return;
        }
        self.absorb_salts(fs);
        self.finish(i, Err(RequestError::Cancelled));
        if let Some(until) = self.salts.covered_until() {
            // Server seconds → local nanoseconds.
            let refetch = (until - self.config.salt_refetch_margin_secs) as i128 * 1_000_000_000
                - self.clock.offset_ns() as i128;
            let at = refetch.clamp(now.0 as i128, u64::MAX as i128) as u64;
            self.timers.set(Timer::FutureSalts, UnixNanos(at));
        }
    }

    fn absorb_salts(&mut self, fs: &types::FutureSalts<'_>) {
        self.salts
            .absorb(service::future_salts(fs).map(|s| FutureSalt {
                valid_since: i64::from(s.valid_since),
                valid_until: i64::from(s.valid_until),
                salt: s.salt,
            }));
    }

    fn on_bad_msg(&mut self, now: UnixNanos, carrier: i64, bad_msg_id: i64, code: BadMsgCode) {
        if !self.sent_recently(bad_msg_id) {
            return self.dropped(DropReason::UnknownMsgId { msg_id: bad_msg_id });
        }
        self.push_event(StoredEvent::BadMsg {
            msg_id: bad_msg_id,
            code,
        });
        match code {
            BadMsgCode::MsgIdTooLow | BadMsgCode::MsgIdTooHigh => {
                self.clock.resync(now, carrier);
                self.push_event(StoredEvent::TimeResynced {
                    offset_ms: self.clock.offset_ns() / 1_000_000,
                });
            }
            BadMsgCode::SeqNoTooLow => {
                self.seq_errors = self.seq_errors.saturating_add(1);
                self.seq.shift(64);
            }
            BadMsgCode::SeqNoTooHigh => {
                self.seq_errors = self.seq_errors.saturating_add(1);
                self.seq.shift(-16);
            }
            _ => {}
        }
        self.resend(bad_msg_id, code);
    }

    /// Resends (or, for codes resending cannot fix, fails) the requests sent as `msg_id` or in
    /// the container `msg_id`.
    fn resend(&mut self, msg_id: i64, code: BadMsgCode) {
        for i in 0..REQ {
            let s = &mut self.slots[i];
            if !s.is_waiting() || !(s.latest_msg_id() == msg_id || s.container == msg_id) {
                continue;
            }
            s.bad_msg_resends = s.bad_msg_resends.saturating_add(1);
            if code.is_retryable() && s.bad_msg_resends <= MAX_BAD_MSG_RESENDS {
                s.state = SlotState::Queued;
                s.container = 0;
            } else {
                self.finish(i, Err(RequestError::BadMessage { code }));
            }
        }
    }
}
