//! The session's timers: a fixed array indexed by [`Timer`], the next deadline being the
//! earliest armed one (request deadlines are kept on the requests themselves).

use crate::msg_id::UnixNanos;

/// What a timer is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Flush pending acknowledgements as a stand-alone `msgs_ack`.
    Ack,
    /// Send the next keep-alive `ping_delay_disconnect`.
    Ping,
    /// Ask for future salts before the known ones run out.
    FutureSalts,
    /// Ask the server about requests it acknowledged long ago but has not answered.
    StateRequest,
}

impl Timer {
    /// Every timer, in index order.
    pub const ALL: [Timer; 4] = [
        Timer::Ack,
        Timer::Ping,
        Timer::FutureSalts,
        Timer::StateRequest,
    ];
}

/// One optional deadline per [`Timer`].
#[derive(Clone, Debug, Default)]
pub struct TimerTable {
    deadlines: [Option<UnixNanos>; Timer::ALL.len()],
}

impl TimerTable {
    /// No timer armed.
    pub const fn new() -> Self {
        TimerTable {
            deadlines: [None; Timer::ALL.len()],
        }
    }

    /// Arms `timer` for `at` (replacing its deadline).
    pub fn set(&mut self, timer: Timer, at: UnixNanos) {
        self.deadlines[timer as usize] = Some(at);
    }

    /// Arms `timer` for `at` unless it is armed for an earlier time.
    pub fn set_earliest(&mut self, timer: Timer, at: UnixNanos) {
        let slot = &mut self.deadlines[timer as usize];
        if slot.is_none_or(|d| at < d) {
            *slot = Some(at);
        }
    }

    /// Disarms `timer`.
    pub fn stop(&mut self, timer: Timer) {
        self.deadlines[timer as usize] = None;
    }

    /// `timer`'s deadline.
    pub fn get(&self, timer: Timer) -> Option<UnixNanos> {
        self.deadlines[timer as usize]
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<UnixNanos> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// Disarms and returns `timer` if it is due at `now`.
    pub fn take_expired(&mut self, timer: Timer, now: UnixNanos) -> bool {
        match self.deadlines[timer as usize] {
            Some(d) if d <= now => {
                self.deadlines[timer as usize] = None;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earliest_deadline_wins() {
        let mut t = TimerTable::new();
        assert_eq!(t.next(), None);
        t.set(Timer::Ping, UnixNanos(50));
        t.set(Timer::Ack, UnixNanos(70));
        assert_eq!(t.next(), Some(UnixNanos(50)));
        t.set_earliest(Timer::Ack, UnixNanos(90));
        assert_eq!(t.get(Timer::Ack), Some(UnixNanos(70)));
        t.set_earliest(Timer::Ack, UnixNanos(10));
        assert_eq!(t.next(), Some(UnixNanos(10)));
        assert!(!t.take_expired(Timer::Ping, UnixNanos(49)));
        assert!(t.take_expired(Timer::Ping, UnixNanos(50)));
        assert!(!t.take_expired(Timer::Ping, UnixNanos(99)), "disarmed");
        t.stop(Timer::Ack);
        assert_eq!(t.next(), None);
    }
}
