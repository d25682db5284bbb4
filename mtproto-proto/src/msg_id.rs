//! Message identifiers: about `unix time × 2³²`, strictly increasing per sender, and by their
//! remainder mod 4 telling who sent them (`description.md`, "Message Identifier").

/// Time as the core sees it: nanoseconds since the Unix epoch, passed in by the driver (the
/// core never reads a clock).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixNanos(pub u64);

impl UnixNanos {
    /// Whole seconds.
    pub const fn secs(self) -> u64 {
        self.0 / 1_000_000_000
    }
}

/// Who creates message ids: the remainder mod 4 of an id depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// Client ids are divisible by 4.
    Client,
    /// Server ids are 1 mod 4 for responses to client messages (3 mod 4 otherwise; this
    /// generator makes response ids).
    Server,
}

/// Makes strictly increasing message ids from the time it is given.
///
/// ```
/// use ferrogram_mtproto_proto::msg_id::{MsgIdGenerator, Sender, UnixNanos};
/// let mut g = MsgIdGenerator::new(Sender::Client);
/// let now = UnixNanos(1_700_000_000_500_000_000);
/// let a = g.next(now);
/// let b = g.next(now); // same instant: still larger
/// assert!(b > a && a % 4 == 0 && b % 4 == 0);
/// assert_eq!(a >> 32, 1_700_000_000);
/// ```
#[derive(Clone, Debug)]
pub struct MsgIdGenerator {
    sender: Sender,
    last: i64,
}

impl MsgIdGenerator {
    /// A generator for ids sent by `sender`.
    pub const fn new(sender: Sender) -> Self {
        MsgIdGenerator { sender, last: 0 }
    }

    /// The next id at time `now` (plus the server time offset, if the caller keeps one).
    pub fn next(&mut self, now: UnixNanos) -> i64 {
        let secs = now.secs() as i64;
        let frac = (now.0 % 1_000_000_000) as i64;
        // The fraction of the second in the low 32 bits.
        let mut id = (secs << 32) | ((frac << 32) / 1_000_000_000);
        let rem = match self.sender {
            Sender::Client => 0,
            Sender::Server => 1,
        };
        id = (id & !3) | rem;
        if id <= self.last {
            id = self.last + 4;
        }
        self.last = id;
        id
    }
}

/// The Unix time (seconds) a message id claims.
pub const fn id_time(msg_id: i64) -> i64 {
    msg_id >> 32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_keep_their_remainder() {
        for sender in [Sender::Client, Sender::Server] {
            let mut g = MsgIdGenerator::new(sender);
            let mut last = 0;
            for i in 0..1000u64 {
                let id = g.next(UnixNanos(1_700_000_000_000_000_000 + i / 3));
                assert!(id > last);
                assert_eq!(id % 4, if sender == Sender::Client { 0 } else { 1 });
                assert_eq!(id_time(id), 1_700_000_000);
                last = id;
            }
        }
    }

    #[test]
    fn the_fraction_tracks_the_nanoseconds() {
        let mut g = MsgIdGenerator::new(Sender::Client);
        let id = g.next(UnixNanos(1_700_000_000_500_000_000));
        assert_eq!(id & 0xffff_ffff, 0x8000_0000);
    }
}
