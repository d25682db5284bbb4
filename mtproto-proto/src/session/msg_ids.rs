//! The session's message-id clock and sequence numbers (`description.md`, "Message
//! Identifier" and "Message Sequence Number").
//!
//! Unlike [`crate::msg_id::MsgIdGenerator`] this clock keeps the server time offset and can be
//! resynchronized (bad_msg_notification 16/17), which may move ids *down*: ids the server
//! rejected were never stored by it, so the next accepted ones only need to grow from there.

use crate::msg_id::UnixNanos;

const NANOS: i128 = 1_000_000_000;

/// The time an id claims, in nanoseconds since the Unix epoch (the low 32 bits are the
/// fraction of the second).
pub const fn id_nanos(msg_id: i64) -> i128 {
    let secs = (msg_id >> 32) as i128;
    let frac = (msg_id & 0xffff_ffff) as i128;
    secs * NANOS + ((frac * NANOS) >> 32)
}

/// Which ids a clock makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    /// Client ids: divisible by 4.
    Client,
    /// Server ids answering a client message: 1 mod 4.
    ServerResponse,
    /// Server ids of messages of its own (updates, notifications): 3 mod 4.
    ServerOwn,
}

impl IdKind {
    const fn remainder(self) -> i64 {
        match self {
            Self::Client => 0,
            Self::ServerResponse => 1,
            Self::ServerOwn => 3,
        }
    }
}

/// Makes message ids from local time corrected by the server time offset.
#[derive(Clone, Debug)]
pub struct MsgClock {
    /// Server time minus local time, in nanoseconds.
    offset_ns: i64,
    /// Whether the offset came from the server (handshake or a time notification).
    synced: bool,
    last: i64,
}

impl MsgClock {
    /// A clock with `offset_secs` (server minus local time); `synced` says whether that
    /// offset is known to be right (the handshake's is).
    pub const fn new(offset_secs: i64, synced: bool) -> Self {
        MsgClock {
            offset_ns: offset_secs.saturating_mul(1_000_000_000),
            synced,
            last: 0,
        }
    }

    /// Server time minus local time, in nanoseconds.
    pub const fn offset_ns(&self) -> i64 {
        self.offset_ns
    }

    /// Whether the offset is known to be right.
    pub const fn is_synced(&self) -> bool {
        self.synced
    }

    /// The largest id made so far (0 before the first).
    pub const fn last(&self) -> i64 {
        self.last
    }

    /// Local time `now` as server time, in nanoseconds since the epoch.
    pub fn server_nanos(&self, now: UnixNanos) -> i128 {
        now.0 as i128 + self.offset_ns as i128
    }

    /// The next id of `kind`, strictly larger than every id made before.
    pub fn next(&mut self, now: UnixNanos, kind: IdKind) -> i64 {
        let t = self.server_nanos(now).max(0);
        let secs = (t / NANOS) as i64;
        let frac = ((t % NANOS) << 32) / NANOS;
        let mut id = (secs << 32) | frac as i64;
        id = (id & !3) | kind.remainder();
        if id <= self.last {
            id = ((self.last & !3) + 4) | kind.remainder();
        }
        self.last = id;
        id
    }

    /// Takes the server's clock from `server_msg_id`, seen at local time `now`, and lets ids
    /// restart from the corrected time.
    pub fn resync(&mut self, now: UnixNanos, server_msg_id: i64) {
        let offset = id_nanos(server_msg_id) - now.0 as i128;
        self.offset_ns = offset.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
        self.synced = true;
        self.last = 0;
    }

    /// How far `msg_id` lies from our server-time estimate at `now`, in nanoseconds
    /// (positive: in the future).
    pub fn skew_of(&self, now: UnixNanos, msg_id: i64) -> i128 {
        id_nanos(msg_id) - self.server_nanos(now)
    }
}

/// Sequence numbers: `2·n + 1` for the n-th content-related message, `2·n` otherwise.
#[derive(Clone, Debug, Default)]
pub struct SeqNo {
    content: u32,
}

impl SeqNo {
    /// Starts a new session's count at 0.
    pub const fn new() -> Self {
        SeqNo { content: 0 }
    }

    /// The seq_no of the next message, counting it if it is content-related.
    pub fn next(&mut self, content_related: bool) -> i32 {
        let base = self.content.wrapping_mul(2) as i32;
        if content_related {
            self.content = self.content.wrapping_add(1);
            base | 1
        } else {
            base
        }
    }

    /// Content-related messages counted so far.
    pub const fn count(&self) -> u32 {
        self.content
    }

    /// Moves the count (to answer bad_msg_notification 32/33).
    pub fn shift(&mut self, by: i32) {
        self.content = self.content.saturating_add_signed(by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_kind_and_grow() {
        let mut c = MsgClock::new(0, true);
        let now = UnixNanos(1_700_000_000_250_000_000);
        let a = c.next(now, IdKind::Client);
        let b = c.next(now, IdKind::Client);
        assert_eq!(a % 4, 0);
        assert!(b > a && b % 4 == 0);
        assert_eq!(a >> 32, 1_700_000_000);
        assert_eq!(a & 0xffff_ffff, 0x4000_0000);
        let s = c.next(now, IdKind::ServerResponse);
        assert!(s > b && s % 4 == 1);
        let o = c.next(now, IdKind::ServerOwn);
        assert!(o > s && o % 4 == 3);
    }

    #[test]
    fn offset_shifts_ids_and_resync_restarts_them() {
        let now = UnixNanos(1_700_000_000_000_000_000);
        let mut c = MsgClock::new(100, false);
        assert!(!c.is_synced());
        let a = c.next(now, IdKind::Client);
        assert_eq!(a >> 32, 1_700_000_100);
        // The server says its time is 1_699_999_990.
        c.resync(now, (1_699_999_990i64 << 32) | 1);
        assert!(c.is_synced());
        let b = c.next(now, IdKind::Client);
        assert_eq!(b >> 32, 1_699_999_990);
        assert!(b < a, "ids restart below the rejected ones");
        assert_eq!(c.skew_of(now, b) / 1_000_000, 0);
    }

    #[test]
    fn id_nanos_inverts_the_layout() {
        assert_eq!(id_nanos((5i64 << 32) | 0x8000_0000), 5_500_000_000);
    }

    #[test]
    fn seq_nos_follow_the_rule() {
        let mut s = SeqNo::new();
        assert_eq!(s.next(false), 0);
        assert_eq!(s.next(true), 1);
        assert_eq!(s.next(true), 3);
        assert_eq!(s.next(false), 4);
        assert_eq!(s.next(true), 5);
        s.shift(-10);
        assert_eq!(s.next(false), 0);
    }
}
