//! Server salts: the current one, and future ones fetched with `get_future_salts` so a salt
//! is always valid without a `bad_server_salt` round trip.

/// How many future salts are kept.
pub const MAX_FUTURE_SALTS: usize = 8;

/// A salt and when the server accepts it (server time, Unix seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FutureSalt {
    /// From when.
    pub valid_since: i64,
    /// Until when.
    pub valid_until: i64,
    /// The salt.
    pub salt: i64,
}

/// The salts a session knows.
#[derive(Clone, Debug)]
pub struct Salts {
    current: i64,
    future: heapless::Vec<FutureSalt, MAX_FUTURE_SALTS>,
}

impl Salts {
    /// Starts with `salt` (from the handshake or a `new_session_created`).
    pub const fn new(salt: i64) -> Self {
        Salts {
            current: salt,
            future: heapless::Vec::new(),
        }
    }

    /// The salt to use at server time `now_secs`: the newest known salt valid then, else the
    /// last one the server told us.
    pub fn salt_for(&mut self, now_secs: i64) -> i64 {
        // Forget salts that have expired.
        self.future.retain(|s| s.valid_until > now_secs);
        if let Some(s) = self
            .future
            .iter()
            .filter(|s| s.valid_since <= now_secs)
            .max_by_key(|s| s.valid_since)
        {
            self.current = s.salt;
        }
        self.current
    }

    /// The last salt used or told.
    pub const fn current(&self) -> i64 {
        self.current
    }

    /// The server told us the right salt (`bad_server_salt`, `new_session_created`): use it
    /// and distrust the future salts (they are fetched again).
    pub fn replace(&mut self, salt: i64) {
        self.current = salt;
        self.future.clear();
    }

    /// Adds salts from `future_salts` (keeping the latest [`MAX_FUTURE_SALTS`]).
    pub fn absorb(&mut self, salts: impl Iterator<Item = FutureSalt>) {
        for s in salts {
            if s.valid_until <= s.valid_since || self.future.iter().any(|f| f.salt == s.salt) {
                continue;
            }
            if self.future.is_full() {
                // Keep the ones reaching furthest into the future.
                let Some((at, oldest)) = self
                    .future
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, f)| f.valid_until)
                else {
                    continue;
                };
                if oldest.valid_until >= s.valid_until {
                    continue;
                }
                self.future.swap_remove(at);
            }
            let _ = self.future.push(s);
        }
    }

    /// The server time (seconds) until which a known salt is valid, if any future salts are
    /// known.
    pub fn covered_until(&self) -> Option<i64> {
        self.future.iter().map(|s| s.valid_until).max()
    }

    /// The future salts known.
    pub fn future(&self) -> &[FutureSalt] {
        &self.future
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs(since: i64, until: i64, salt: i64) -> FutureSalt {
        FutureSalt {
            valid_since: since,
            valid_until: until,
            salt,
        }
    }

    #[test]
    fn the_salt_follows_the_clock() {
        let mut s = Salts::new(1);
        assert_eq!(s.salt_for(100), 1);
        s.absorb([fs(100, 200, 10), fs(200, 300, 20), fs(300, 400, 30)].into_iter());
        assert_eq!(s.covered_until(), Some(400));
        assert_eq!(s.salt_for(150), 10);
        assert_eq!(s.salt_for(250), 20);
        assert_eq!(s.future().len(), 2, "the expired salt is forgotten");
        assert_eq!(
            s.salt_for(1000),
            20,
            "past every salt: keep the last one used"
        );
        s.replace(99);
        assert_eq!(s.salt_for(1000), 99);
        assert_eq!(s.covered_until(), None);
    }

    #[test]
    fn keeps_the_furthest_when_full() {
        let mut s = Salts::new(0);
        s.absorb((0..20).map(|i| fs(i * 10, i * 10 + 10, i + 1)));
        assert_eq!(s.future().len(), MAX_FUTURE_SALTS);
        assert_eq!(s.covered_until(), Some(200));
        assert!(s.future().iter().all(|f| f.valid_until > 120));
        s.absorb([fs(5, 1, 77)].into_iter());
        assert!(
            s.future().iter().all(|f| f.salt != 77),
            "inverted ranges are ignored"
        );
    }
}
