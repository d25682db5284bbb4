//! The replay window of the security guidelines: the ids of the last `N` messages received
//! are kept; an id equal to one of them, or lower than all of them once `N` are kept, is
//! refused.

/// Why an incoming `msg_id` was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replay {
    /// The id was already received.
    Duplicate,
    /// The window is full and the id is lower than every id in it: it cannot be told apart
    /// from a replay.
    TooOld {
        /// The lowest id the window still holds.
        lowest: i64,
    },
}

/// The last `N` received ids (no heap; `N` of 64 is 512 bytes).
#[derive(Clone, Debug)]
pub struct ReplayWindow<const N: usize> {
    ids: [i64; N],
    len: usize,
}

impl<const N: usize> Default for ReplayWindow<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> ReplayWindow<N> {
    /// An empty window.
    pub const fn new() -> Self {
        ReplayWindow {
            ids: [0; N],
            len: 0,
        }
    }

    /// Ids kept.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether no id is kept.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `id` was received (and is still in the window).
    pub fn contains(&self, id: i64) -> bool {
        self.ids[..self.len].contains(&id)
    }

    /// The lowest id kept.
    pub fn lowest(&self) -> Option<i64> {
        self.ids[..self.len].iter().copied().min()
    }

    /// The highest id kept.
    pub fn highest(&self) -> Option<i64> {
        self.ids[..self.len].iter().copied().max()
    }

    /// The status byte of `msgs_state_info` for an id of the peer's: 4 received, 1 older
    /// than what is remembered, 2 not received (within the remembered range), 3 not received
    /// (newer than anything received).
    pub fn state_of(&self, id: i64) -> u8 {
        if self.contains(id) {
            4
        } else if self.lowest().is_none_or(|l| id < l) && self.len == N {
            1
        } else if self.highest().is_some_and(|h| id < h) {
            2
        } else {
            3
        }
    }

    /// Checks `id` without recording it.
    pub fn check(&self, id: i64) -> Result<(), Replay> {
        if self.contains(id) {
            return Err(Replay::Duplicate);
        }
        if self.len == N {
            if let Some(lowest) = self.lowest() {
                if id < lowest {
                    return Err(Replay::TooOld { lowest });
                }
            }
        }
        Ok(())
    }

    /// Checks `id` and records it, forgetting the lowest id if the window is full.
    pub fn insert(&mut self, id: i64) -> Result<(), Replay> {
        self.check(id)?;
        if N == 0 {
            return Ok(());
        }
        if self.len < N {
            self.ids[self.len] = id;
            self.len += 1;
        } else if let Some((at, _)) = self.ids.iter().enumerate().min_by_key(|(_, v)| **v) {
            self.ids[at] = id;
        }
        Ok(())
    }

    /// Forgets every id (a new session).
    pub fn clear(&mut self) {
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_old_ids_are_refused() {
        let mut w = ReplayWindow::<3>::new();
        assert_eq!(w.insert(10), Ok(()));
        assert_eq!(w.insert(10), Err(Replay::Duplicate));
        assert_eq!(w.insert(5), Ok(()), "not full: lower ids still pass");
        assert_eq!(w.insert(20), Ok(()));
        assert_eq!(w.insert(4), Err(Replay::TooOld { lowest: 5 }));
        assert_eq!(w.insert(30), Ok(()));
        // 5 was forgotten; 7 is still below the lowest (10).
        assert_eq!(w.insert(7), Err(Replay::TooOld { lowest: 10 }));
        assert_eq!(w.insert(15), Ok(()), "between kept ids, unseen: accepted");
        assert!(w.contains(15) && !w.contains(10));
        assert_eq!(w.len(), 3);
    }
}
