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

/// The last `N` received ids (no heap; `N` of 64 is 512 bytes), kept sorted in a ring: ids
/// mostly arrive in increasing order, so recording one is usually O(1) (append at the top,
/// forget the bottom) and a lookup is a binary search.
#[derive(Clone, Debug)]
pub struct ReplayWindow<const N: usize> {
    ids: [i64; N],
    /// Where the lowest id lies in `ids`.
    head: usize,
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
            head: 0,
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

    /// The `i`-th lowest id kept (`i < len`).
    fn at(&self, i: usize) -> i64 {
        self.ids[(self.head + i) % N]
    }

    /// `Ok(i)` if `id` is the `i`-th lowest kept, else `Err(i)`: the place it would take.
    fn search(&self, id: i64) -> Result<usize, usize> {
        // Fast path: a new highest id.
        if self.len == 0 || self.at(self.len - 1) < id {
            return Err(self.len);
        }
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.at(mid).cmp(&id) {
                core::cmp::Ordering::Less => lo = mid + 1,
                core::cmp::Ordering::Greater => hi = mid,
                core::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// Whether `id` was received (and is still in the window).
    pub fn contains(&self, id: i64) -> bool {
        self.search(id).is_ok()
    }

    /// The lowest id kept.
    pub fn lowest(&self) -> Option<i64> {
        (self.len > 0).then(|| self.at(0))
    }

    /// The highest id kept.
    pub fn highest(&self) -> Option<i64> {
        (self.len > 0).then(|| self.at(self.len - 1))
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
        self.place_of(id).map(|_| ())
    }

    /// Where `id` would be recorded, or why it is refused.
    fn place_of(&self, id: i64) -> Result<usize, Replay> {
        match self.search(id) {
            Ok(_) => Err(Replay::Duplicate),
            Err(0) if self.len == N && N > 0 => Err(Replay::TooOld { lowest: self.at(0) }),
            Err(at) => Ok(at),
        }
    }

    /// Checks `id` and records it, forgetting the lowest id if the window is full.
    pub fn insert(&mut self, id: i64) -> Result<(), Replay> {
        let mut at = self.place_of(id)?;
        if N == 0 {
            return Ok(());
        }
        if self.len == N {
            // Forget the lowest (`at` is above it: a lower id was refused as too old).
            self.head = (self.head + 1) % N;
            self.len -= 1;
            at -= 1;
        }
        // Move the ids above `at` up by one (none for a new highest id).
        let mut i = self.len;
        while i > at {
            self.ids[(self.head + i) % N] = self.at(i - 1);
            i -= 1;
        }
        self.ids[(self.head + at) % N] = id;
        self.len += 1;
        Ok(())
    }

    /// Forgets every id (a new session).
    pub fn clear(&mut self) {
        self.head = 0;
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

    /// The window as first written (a linear scan of an unsorted array), as the model the
    /// ring must agree with.
    struct Model<const N: usize> {
        ids: heapless::Vec<i64, N>,
    }

    impl<const N: usize> Model<N> {
        fn insert(&mut self, id: i64) -> Result<(), Replay> {
            if self.ids.contains(&id) {
                return Err(Replay::Duplicate);
            }
            let lowest = self.ids.iter().copied().min();
            if self.ids.len() == N {
                if let Some(lowest) = lowest.filter(|l| id < *l) {
                    return Err(Replay::TooOld { lowest });
                }
                let at = self.ids.iter().position(|v| Some(*v) == lowest).unwrap();
                self.ids.remove(at);
            }
            let _ = self.ids.push(id);
            Ok(())
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_linear_model(ops in proptest::collection::vec(
            // Mostly increasing ids with jitter, repeats and stragglers, as a peer sends them.
            (0i64..4, -40i64..8), 0..400)
        ) {
            let mut ring = ReplayWindow::<16>::new();
            let mut model = Model::<16> { ids: heapless::Vec::new() };
            let mut base = 1_000i64;
            for (step, delta) in ops {
                base += step;
                let id = base + delta;
                proptest::prop_assert_eq!(ring.insert(id), model.insert(id), "id {}", id);
                proptest::prop_assert_eq!(ring.len(), model.ids.len());
                proptest::prop_assert_eq!(ring.lowest(), model.ids.iter().copied().min());
                proptest::prop_assert_eq!(ring.highest(), model.ids.iter().copied().max());
                for probe in [id - 3, id, id + 1] {
                    proptest::prop_assert_eq!(ring.contains(probe), model.ids.contains(&probe));
                }
            }
        }
    }
}
