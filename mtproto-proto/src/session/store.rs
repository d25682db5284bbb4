//! A fixed byte arena for variable-length records (request bodies waiting for their answer,
//! answers and updates waiting to be polled). No heap: records are laid one after another in
//! an `[u8; N]`; freed records are reclaimed from the top at once and from the middle by
//! [`ByteStore::compact`], which moves the live records down (their owners then move their
//! [`Span`]s with [`ByteStore::compacted`]).

/// Where a record's bytes lie in its store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    off: u32,
    len: u32,
}

impl Span {
    /// No record.
    pub const EMPTY: Span = Span { off: 0, len: 0 };

    /// The record's length in bytes.
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the record is empty.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The store has no room for a record, even after compaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreFull {
    /// Bytes the record needs (with its 4-byte header and padding).
    pub needed: usize,
    /// Bytes free after compaction.
    pub free: usize,
}

const HEADER: usize = 4;
const DEAD: u32 = 1 << 31;

const fn padded(len: usize) -> usize {
    (len + 3) & !3
}

/// `N` bytes of records, each a 4-byte header (length and a dead bit) and its data padded to
/// 4 bytes.
#[derive(Clone, Debug)]
pub struct ByteStore<const N: usize> {
    buf: [u8; N],
    top: usize,
    dead: usize,
}

impl<const N: usize> Default for ByteStore<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> ByteStore<N> {
    /// An empty store.
    pub const fn new() -> Self {
        ByteStore {
            buf: [0; N],
            top: 0,
            dead: 0,
        }
    }

    /// The largest record the empty store can hold.
    pub const fn max_record() -> usize {
        if N < HEADER { 0 } else { (N - HEADER) & !3 }
    }

    /// Bytes free at the top now (without compaction), for data.
    pub fn free_at_top(&self) -> usize {
        (N - self.top).saturating_sub(HEADER) & !3
    }

    /// Bytes free for data after a compaction.
    pub fn free_after_compaction(&self) -> usize {
        (N - self.top + self.dead).saturating_sub(HEADER) & !3
    }

    /// Whether there are freed records in the middle that [`compact`](Self::compact) would
    /// reclaim.
    pub const fn has_garbage(&self) -> bool {
        self.dead > 0
    }

    fn header(&self, at: usize) -> u32 {
        let mut b = [0; 4];
        b.copy_from_slice(&self.buf[at..at + HEADER]);
        u32::from_le_bytes(b)
    }

    fn set_header(&mut self, at: usize, v: u32) {
        self.buf[at..at + HEADER].copy_from_slice(&v.to_le_bytes());
    }

    /// Appends a record of `len` bytes filled by `fill`, at the top (no compaction).
    ///
    /// # Errors
    /// [`StoreFull`] if it does not fit at the top.
    pub fn push(&mut self, data: &[u8]) -> Result<Span, StoreFull> {
        self.push_with(data.len(), |out| {
            out[..data.len()].copy_from_slice(data);
            Ok::<usize, core::convert::Infallible>(data.len())
        })
        .map_err(|e| match e {
            PushError::Full(f) => f,
            PushError::Fill(never) => match never {},
        })
    }

    /// Appends a record at the top written by `fill`, which gets up to `max` bytes of room
    /// (less if less is free) and returns how many it wrote.
    ///
    /// # Errors
    /// [`PushError::Full`] if not even an empty record fits; [`PushError::Fill`] with
    /// `fill`'s error (nothing is stored then).
    pub fn push_with<E>(
        &mut self,
        max: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<usize, E>,
    ) -> Result<Span, PushError<E>> {
        if self.top + HEADER > N || self.free_at_top() < max {
            return Err(PushError::Full(StoreFull {
                needed: HEADER + padded(max),
                free: self.free_after_compaction(),
            }));
        }
        let room = padded(max);
        let data = self.top + HEADER;
        let written = fill(&mut self.buf[data..data + room]).map_err(PushError::Fill)?;
        let written = written.min(room);
        let len = written as u32;
        self.set_header(self.top, len);
        self.top = data + padded(written);
        Ok(Span {
            off: data as u32,
            len,
        })
    }

    /// The record's bytes.
    pub fn get(&self, span: Span) -> &[u8] {
        let from = span.off as usize;
        self.buf.get(from..from + span.len()).unwrap_or_default()
    }

    /// The record's bytes, writable.
    pub fn get_mut(&mut self, span: Span) -> &mut [u8] {
        let from = span.off as usize;
        self.buf
            .get_mut(from..from + span.len())
            .unwrap_or_default()
    }

    /// Frees a record. Freeing a span twice, or one from another store, is a no-op.
    pub fn free(&mut self, span: Span) {
        let data = span.off as usize;
        if data < HEADER || data > self.top {
            return;
        }
        let at = data - HEADER;
        let h = self.header(at);
        if h & DEAD != 0 || h != span.len {
            return;
        }
        self.set_header(at, h | DEAD);
        let size = HEADER + padded(span.len());
        self.dead += size;
        // The record below the top is always live (dead ones there are trimmed at once),
        // so only freeing the topmost record can leave dead records at the top.
        if at + size == self.top {
            self.trim();
        }
    }

    /// Drops the dead records at the top (the topmost record is dead). One walk over the
    /// records, none when every record is dead: a store with many records that frees them
    /// oldest first (requests and answers) only walks when it frees the newest.
    fn trim(&mut self) {
        if self.dead == self.top {
            self.top = 0;
            self.dead = 0;
            return;
        }
        // Where the run of dead records that ends at the top begins.
        let mut run = None;
        let mut at = 0;
        while at < self.top {
            let h = self.header(at);
            if h & DEAD == 0 {
                run = None;
            } else if run.is_none() {
                run = Some(at);
            }
            at += HEADER + padded((h & !DEAD) as usize);
        }
        if let Some(start) = run {
            self.dead -= self.top - start;
            self.top = start;
        }
    }

    /// Where a live record at `span` will lie after [`compact`](Self::compact); call it for
    /// every live span before compacting ([`relocate`](Self::relocate) does many in one
    /// walk). An empty span is returned as it is.
    pub fn compacted(&self, span: Span) -> Span {
        let mut moved = span;
        self.relocate(&mut [&mut moved]);
        moved
    }

    /// Where each of the live records at `spans` will lie after [`compact`](Self::compact),
    /// in one walk over the records (the spans are sorted by offset first). Call it for
    /// every live span before compacting; empty spans are left alone.
    pub fn relocate(&self, spans: &mut [&mut Span]) {
        spans.sort_unstable_by_key(|s| s.off);
        let mut at = 0;
        let mut dead_before = 0usize;
        for span in spans.iter_mut().filter(|s| s.off as usize >= HEADER) {
            let target = span.off as usize - HEADER;
            while at < target && at < self.top {
                let h = self.header(at);
                let size = HEADER + padded((h & !DEAD) as usize);
                if h & DEAD != 0 {
                    dead_before += size;
                }
                at += size;
            }
            span.off -= dead_before as u32;
        }
    }

    /// Moves the live records down over the dead ones.
    pub fn compact(&mut self) {
        let mut read = 0;
        let mut write = 0;
        while read < self.top {
            let h = self.header(read);
            let size = HEADER + padded((h & !DEAD) as usize);
            if h & DEAD == 0 {
                if read != write {
                    self.buf.copy_within(read..read + size, write);
                }
                write += size;
            }
            read += size;
        }
        self.top = write;
        self.dead = 0;
    }

    /// Forgets every record.
    pub fn clear(&mut self) {
        self.top = 0;
        self.dead = 0;
    }
}

/// Why [`ByteStore::push_with`] stored nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushError<E> {
    /// No room.
    Full(StoreFull),
    /// The fill function failed.
    Fill(E),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_and_compaction_moves_them() {
        let mut s = ByteStore::<64>::new();
        let a = s.push(b"aaaaa").unwrap();
        let b = s.push(b"bb").unwrap();
        let c = s.push(b"ccccccc").unwrap();
        assert_eq!(s.get(a), b"aaaaa");
        assert_eq!(s.get(b), b"bb");
        assert_eq!(s.get(c), b"ccccccc");
        // 12 + 8 + 12 bytes used.
        assert_eq!(s.free_at_top(), 64 - 32 - 4);
        s.free(a);
        assert!(s.has_garbage());
        s.free(a); // twice: no-op
        let b2 = s.compacted(b);
        let c2 = s.compacted(c);
        s.compact();
        assert_eq!(s.get(b2), b"bb");
        assert_eq!(s.get(c2), b"ccccccc");
        assert!(!s.has_garbage());
        // Freeing the top record reclaims it at once.
        s.free(c2);
        s.free(b2);
        assert_eq!(s.free_at_top(), 60);
    }

    #[test]
    fn freeing_the_top_record_reclaims_every_dead_record_below_it() {
        let mut s = ByteStore::<64>::new();
        let a = s.push(b"aaaa").unwrap();
        let b = s.push(b"bbbb").unwrap();
        let c = s.push(b"cccc").unwrap();
        let d = s.push(b"dddd").unwrap();
        s.free(b);
        s.free(c);
        assert_eq!(s.free_at_top(), 64 - 32 - 4, "the top record is live");
        s.free(d);
        assert_eq!(s.free_at_top(), 64 - 8 - 4, "b, c and d reclaimed");
        assert!(!s.has_garbage());
        assert_eq!(s.get(a), b"aaaa");
        s.free(a);
        assert_eq!(s.free_at_top(), 60);
    }

    #[test]
    fn full_is_an_error_not_a_panic() {
        let mut s = ByteStore::<16>::new();
        assert_eq!(ByteStore::<16>::max_record(), 12);
        assert!(s.push(&[1; 13]).is_err());
        let a = s.push(&[1; 12]).unwrap();
        assert!(s.push(&[]).is_err());
        s.free(a);
        assert!(s.push(&[2; 8]).is_ok());
        let r = s.push_with(100, |_| Err::<usize, ()>(()));
        assert!(matches!(r, Err(PushError::Full(_))));
    }

    #[test]
    fn push_with_takes_what_fits() {
        let mut s = ByteStore::<32>::new();
        let span = s
            .push_with(20, |out| {
                out[..6].copy_from_slice(b"inflat");
                Ok::<_, ()>(6)
            })
            .unwrap();
        assert_eq!(s.get(span), b"inflat");
        assert_eq!(
            s.push_with(4, |_| Err::<usize, u8>(7)),
            Err(PushError::Fill(7))
        );
    }

    /// Random pushes, frees and compactions against a model: every live record keeps its
    /// bytes, and space is never lost.
    #[test]
    fn random_operations_match_a_model() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut s = ByteStore::<512>::new();
        let mut live: [(Span, u8, bool); 32] = [(Span::EMPTY, 0, false); 32];
        for round in 0..20_000u32 {
            let i = (next() % 32) as usize;
            if live[i].2 {
                assert!(
                    s.get(live[i].0).iter().all(|&b| b == live[i].1),
                    "round {round}"
                );
                s.free(live[i].0);
                live[i].2 = false;
            } else {
                let len = (next() % 80) as usize;
                if s.free_at_top() < len && s.has_garbage() {
                    // Every live span moved in one walk, handed over in a shuffled order
                    // (relocate sorts them); the bytes checks above and below prove where
                    // they landed.
                    let mut spans: heapless::Vec<&mut Span, 32> =
                        live.iter_mut().filter(|l| l.2).map(|l| &mut l.0).collect();
                    let half = spans.len() / 2;
                    spans.rotate_left(half);
                    s.relocate(&mut spans);
                    drop(spans);
                    s.compact();
                }
                let fill = (round % 251) as u8;
                if let Ok(span) = s.push(&[fill; 80][..len]) {
                    live[i] = (span, fill, true);
                }
            }
            let used: usize = live
                .iter()
                .filter(|l| l.2)
                .map(|l| 4 + padded(l.0.len()))
                .sum();
            assert!(
                s.free_after_compaction() + used + 4 >= 512 - 4,
                "round {round}: space lost"
            );
        }
        for l in live.iter().filter(|l| l.2) {
            assert!(s.get(l.0).iter().all(|&b| b == l.1));
        }
    }
}
