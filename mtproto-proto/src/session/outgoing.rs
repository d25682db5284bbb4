//! Building what goes out: queued requests, acknowledgements and resend requests packed
//! into one message or a container, numbered and sealed into the caller's buffer.

use core::fmt;
use core::ops::Range;

use rand_core::CryptoRng;

use super::container::{
    CONTAINER_HEADER_LEN, INNER_HEADER_LEN, MAX_CONTAINER_LEN, MAX_CONTAINER_MESSAGES,
    put_container_header, put_inner_header,
};
use super::msg_ids::IdKind;
use super::requests;
use super::timers::Timer;
use super::{CLIENT, Kind, Session, SlotState};
use crate::crypto::message::{self, EncryptError, MessageHeader, Packet};
use crate::crypto::provider::CryptoProvider;
use crate::msg_id::UnixNanos;

/// `msgs_ack#62d6b459 msg_ids:Vector<long>`.
const MSGS_ACK_ID: u32 = 0x62d6_b459;
/// `msg_resend_req#7d861a08 msg_ids:Vector<long>`.
const MSG_RESEND_REQ_ID: u32 = 0x7d86_1a08;
const VECTOR_ID: u32 = 0x1cb5_c415;

/// Why [`Session::poll_transmit`] wrote nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransmitError {
    /// The buffer cannot hold the next message (nothing was taken from the queue).
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        available: usize,
    },
    /// Encryption failed (a crypto provider bug).
    Encrypt(EncryptError),
}

impl fmt::Display for TransmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed, available } => write!(
                f,
                "the next message needs {needed} bytes of transmit buffer, {available} were \
                 given; pass a larger buffer (`session::DEFAULT_TRANSMIT_BUFFER` fits any \
                 request of the default outbox)"
            ),
            Self::Encrypt(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for TransmitError {}

/// `msgs_state_req#da69fb52 msg_ids:Vector<long>`.
const MSGS_STATE_REQ_ID: u32 = 0xda69_fb52;
/// `msgs_state_info#04deb57d req_msg_id:long info:bytes`.
const MSGS_STATE_INFO_ID: u32 = 0x04de_b57d;

/// The service messages the client sends besides requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Svc {
    Acks,
    Resend,
    StateReq,
    StateInfo,
    Pong,
}

/// TL `bytes` of `n` bytes: length prefix, data, padding to 4.
const fn tl_bytes_len(n: usize) -> usize {
    let head = if n < 254 { 1 } else { 4 };
    (head + n).div_ceil(4) * 4
}

fn id_vector_len(n: usize) -> usize {
    12 + 8 * n
}

fn write_id_vector(out: &mut [u8], constructor: u32, ids: &[i64]) -> usize {
    out[0..4].copy_from_slice(&constructor.to_le_bytes());
    out[4..8].copy_from_slice(&VECTOR_ID.to_le_bytes());
    out[8..12].copy_from_slice(&(ids.len() as u32).to_le_bytes());
    for (i, id) in ids.iter().enumerate() {
        out[12 + 8 * i..20 + 8 * i].copy_from_slice(&id.to_le_bytes());
    }
    id_vector_len(ids.len())
}

impl<P: CryptoProvider, const REQ: usize, const OUT: usize, const IN: usize>
    Session<P, REQ, OUT, IN>
{
    fn svc_len(&self, kind: Svc) -> usize {
        let ids = match kind {
            Svc::Acks => self.acks.len(),
            Svc::Resend => self.resend_req.len(),
            Svc::StateReq => self.state_req.len(),
            Svc::Pong => return if self.pong_reply.is_some() { 20 } else { 0 },
            Svc::StateInfo => {
                return self
                    .state_reply
                    .as_ref()
                    .map_or(0, |(_, info)| 12 + tl_bytes_len(info.len()));
            }
        };
        if ids == 0 { 0 } else { id_vector_len(ids) }
    }

    fn write_svc(&self, kind: Svc, out: &mut [u8]) -> usize {
        match kind {
            Svc::Acks => write_id_vector(out, MSGS_ACK_ID, &self.acks),
            Svc::Resend => write_id_vector(out, MSG_RESEND_REQ_ID, &self.resend_req),
            Svc::StateReq => write_id_vector(out, MSGS_STATE_REQ_ID, &self.state_req),
            Svc::Pong => {
                let Some((msg_id, ping_id)) = self.pong_reply else {
                    return 0;
                };
                out[..4].copy_from_slice(&0x3477_73c5u32.to_le_bytes());
                out[4..12].copy_from_slice(&msg_id.to_le_bytes());
                out[12..20].copy_from_slice(&ping_id.to_le_bytes());
                20
            }
            Svc::StateInfo => {
                let Some((req, info)) = &self.state_reply else {
                    return 0;
                };
                out[..4].copy_from_slice(&MSGS_STATE_INFO_ID.to_le_bytes());
                out[4..12].copy_from_slice(&req.to_le_bytes());
                let n = info.len();
                let mut at = 12;
                if n < 254 {
                    out[at] = n as u8;
                    at += 1;
                } else {
                    out[at] = 254;
                    out[at + 1..at + 4].copy_from_slice(&(n as u32).to_le_bytes()[..3]);
                    at += 4;
                }
                out[at..at + n].copy_from_slice(info);
                let end = 12 + tl_bytes_len(n);
                out[at + n..end].fill(0);
                end
            }
        }
    }

    /// The queued slots in enqueue order, oldest first: one pass over the slots and a sort
    /// (a scan of every slot per request sent made a large session's transmit quadratic).
    /// Orders are compared by age (`next_order - order`), so they may wrap around.
    fn queued_in_order(&self) -> heapless::Vec<u16, REQ> {
        let mut queued: heapless::Vec<(u32, u16), REQ> = heapless::Vec::new();
        for (i, s) in self.slots.iter().enumerate() {
            if s.state == SlotState::Queued {
                // One entry per slot: it cannot be full.
                let _ = queued.push((self.next_order.wrapping_sub(s.order), i as u16));
            }
        }
        queued.sort_unstable_by_key(|&(age, _)| core::cmp::Reverse(age));
        queued.iter().map(|&(_, i)| i).collect()
    }

    fn planned_len(&self, i: usize) -> usize {
        let s = &self.slots[i];
        let wrappers = if s.kind == Kind::User {
            s.options.max_wrapper_len()
        } else {
            0
        };
        s.body.len() + wrappers
    }

    /// Writes the next encrypted payload into `out` (from `out[0]`) and returns its range, or
    /// `None` when there is nothing to send. Pending acknowledgements ride along with any
    /// request; on their own they go once the ack timer fires or enough have gathered.
    ///
    /// # Errors
    /// [`TransmitError::BufferTooSmall`] if `out` cannot hold the next request (it stays
    /// queued); [`TransmitError::Encrypt`] on a provider failure.
    #[must_use = "the payload must be sent"]
    pub fn poll_transmit<R: CryptoRng + ?Sized>(
        &mut self,
        now: UnixNanos,
        rng: &mut R,
        out: &mut [u8],
    ) -> Result<Option<Range<usize>>, TransmitError> {
        self.release_pending();
        let available = out.len();
        let packet = Packet::new(out, 0).map_err(|_| TransmitError::BufferTooSmall {
            needed: message::MIN_PAYLOAD_LEN,
            available,
        })?;
        let cap = packet.body_capacity().min(MAX_CONTAINER_LEN);

        // Plan: service messages (acks, resend and state requests, a state reply), then
        // requests in enqueue order while they fit.
        let services = [
            Svc::Acks,
            Svc::Resend,
            Svc::StateReq,
            Svc::StateInfo,
            Svc::Pong,
        ]
        .map(|k| (k, self.svc_len(k)));
        let mut count = services.iter().filter(|(_, l)| *l > 0).count();
        let mut total: usize = services.iter().map(|(_, l)| l).sum();
        let acks_only = services[1..].iter().all(|(_, l)| *l == 0);
        let mut chosen = [usize::MAX; REQ];
        let mut n_chosen = 0;
        for i in self.queued_in_order() {
            let i = usize::from(i);
            let len = self.planned_len(i);
            let new_count = count + 1;
            let framed = if new_count == 1 {
                len
            } else {
                CONTAINER_HEADER_LEN + INNER_HEADER_LEN * new_count + total + len
            };
            if framed > cap || new_count > MAX_CONTAINER_MESSAGES || n_chosen == REQ {
                if n_chosen == 0 && count == 0 {
                    return Err(TransmitError::BufferTooSmall {
                        needed: message::encrypted_len(len),
                        available,
                    });
                }
                break;
            }
            chosen[n_chosen] = i;
            n_chosen += 1;
            count = new_count;
            total += len;
        }
        let acks_only = acks_only && n_chosen == 0;
        if count == 0
            || (acks_only
                && !self.ack_due
                && self.acks.len() < self.config.ack_flush_threshold.max(1))
        {
            return Ok(None);
        }
        let framed_plan = if count == 1 {
            total
        } else {
            CONTAINER_HEADER_LEN + INNER_HEADER_LEN * count + total
        };
        if framed_plan > cap {
            // Acks and resend requests alone can exceed a tiny buffer.
            return Err(TransmitError::BufferTooSmall {
                needed: message::encrypted_len(framed_plan),
                available,
            });
        }

        // Write.
        let mut packet = packet;
        let body = packet.body_mut();
        let single = count == 1;
        let mut at = if single { 0 } else { CONTAINER_HEADER_LEN };
        let mut first = (0i64, 0i32);
        for (kind, len) in services {
            if len == 0 {
                continue;
            }
            let msg_id = self.clock.next(now, IdKind::Client);
            let seq_no = self.seq.next(false);
            let hdr = if single { 0 } else { INNER_HEADER_LEN };
            let written = self.write_svc(kind, &mut body[at + hdr..]);
            if !single {
                put_inner_header(body, at, msg_id, seq_no, written);
            }
            at += hdr + written;
            first = (msg_id, seq_no);
            if kind == Svc::StateReq {
                self.state_req_sent = (msg_id, core::mem::take(&mut self.state_req));
            }
        }
        for &i in &chosen[..n_chosen] {
            let msg_id = self.clock.next(now, IdKind::Client);
            let seq_no = self.seq.next(true);
            let hdr = if single { 0 } else { INNER_HEADER_LEN };
            let s = &self.slots[i];
            let mut len = 0;
            if s.kind == Kind::User {
                let after = s.options.after.and_then(|dep| {
                    let j = self.slot_of(dep)?;
                    let d = &self.slots[j];
                    (d.is_waiting() && d.latest_msg_id() != 0).then(|| d.latest_msg_id())
                });
                len = requests::write_wrappers(
                    s.options.layer,
                    s.options.without_updates,
                    after,
                    &mut body[at + hdr..],
                );
            }
            let data = self.outbox.get(s.body);
            body[at + hdr + len..at + hdr + len + data.len()].copy_from_slice(data);
            len += data.len();
            if !single {
                put_inner_header(body, at, msg_id, seq_no, len);
            }
            at += hdr + len;
            first = (msg_id, seq_no);
            let s = &mut self.slots[i];
            s.push_msg_id(msg_id);
            s.state = SlotState::Sent;
            s.acked = false;
            s.sent_at = now;
        }
        if n_chosen > 0 && self.config.state_request_after_ms > 0 {
            let at = now
                .0
                .saturating_add(self.config.state_request_after_ms * 1_000_000);
            self.timers.set_earliest(Timer::StateRequest, UnixNanos(at));
        }
        let (top_id, top_seq) = if single {
            first
        } else {
            put_container_header(body, count);
            (self.clock.next(now, IdKind::Client), self.seq.next(false))
        };
        for &i in &chosen[..n_chosen] {
            self.slots[i].container = if single { 0 } else { top_id };
        }
        self.acks.clear();
        self.ack_due = false;
        self.timers.stop(Timer::Ack);
        self.resend_req.clear();
        self.state_reply = None;
        self.pong_reply = None;
        self.recent_sent[self.recent_at] = top_id;
        self.recent_at = (self.recent_at + 1) % self.recent_sent.len();

        let server_secs = (self.clock.server_nanos(now) / 1_000_000_000) as i64;
        let header = MessageHeader {
            salt: self.salts.salt_for(server_secs),
            session_id: self.session_id,
            msg_id: top_id,
            seq_no: top_seq,
        };
        packet
            .encrypt(&mut self.provider, &self.key, CLIENT, &header, at, rng)
            .map(Some)
            .map_err(TransmitError::Encrypt)
    }
}
