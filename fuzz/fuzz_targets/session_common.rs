//! Shared by the session fuzz targets: a client session in a known state and the checks run
//! after every step (no panic, bounded work, exactly one outcome per request).

use std::collections::HashSet;

use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::{RequestId, RequestOptions, Session, SessionConfig};

pub const T0: u64 = 1_700_000_000_000_000_000;
pub const SID: i64 = 0x1122_3344_5566_7788;
pub const KEY: [u8; 256] = [0x42; 256];

pub type Client = Session<Software, 8, 1024, 2048>;

/// SplitMix64 as a rand_core 0.10 RNG.
pub struct Rng(pub u64);
impl rand_core::TryRng for Rng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
        for c in d.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for Rng {}

pub struct Harness {
    pub client: Client,
    pub now: u64,
    pub rng: Rng,
    pub live: HashSet<RequestId>,
    pub done: HashSet<RequestId>,
    buf: Vec<u8>,
}

impl Harness {
    /// A session with three requests sent (their msg_ids are fixed by the fixed time).
    pub fn new() -> Self {
        let config = SessionConfig {
            ping_interval_ms: 5_000,
            future_salts: 2,
            request_timeout_ms: 20_000,
            ..SessionConfig::default()
        };
        let client = Session::new(
            Software,
            AuthKey::new(KEY),
            SID,
            7,
            0,
            config,
            UnixNanos(T0),
        );
        let mut h = Harness {
            client,
            now: T0,
            rng: Rng(1),
            live: HashSet::new(),
            done: HashSet::new(),
            buf: vec![0u8; 4096],
        };
        for i in 0..3u32 {
            h.enqueue(&[0x26, 0x30, 0xb3, 0x1f, i as u8, 0, 0, 0]);
        }
        h.transmit();
        h
    }

    pub fn enqueue(&mut self, body: &[u8]) {
        if let Ok(id) = self
            .client
            .enqueue(UnixNanos(self.now), body, RequestOptions::default())
        {
            assert!(self.live.insert(id));
        }
    }

    pub fn transmit(&mut self) {
        for _ in 0..64 {
            match self
                .client
                .poll_transmit(UnixNanos(self.now), &mut self.rng, &mut self.buf)
            {
                Ok(Some(r)) => assert!(r.end <= self.buf.len()),
                _ => break,
            }
        }
    }

    /// Drains outcomes and events, checking exactly-once.
    pub fn drain(&mut self) {
        while let Some(o) = self.client.poll_outcome() {
            assert!(
                self.live.remove(&o.id),
                "outcome for an unknown or finished request"
            );
            assert!(self.done.insert(o.id));
            if let Ok(b) = o.result {
                assert!(b.len() <= 2048);
            }
        }
        let mut n = 0;
        while let Some(e) = self.client.poll_event() {
            n += 1;
            let _ = format!("{e:?}");
            assert!(n < 100, "unbounded events");
        }
    }

    /// A control step chosen by `op`.
    pub fn step(&mut self, op: u8, arg: &[u8]) {
        match op % 6 {
            0 => {
                self.now += u64::from(arg.first().copied().unwrap_or(1)) * 100_000_000;
                self.client.handle_timeout(UnixNanos(self.now));
            }
            1 => self.enqueue(&[
                0x26,
                0x30,
                0xb3,
                0x1f,
                arg.first().copied().unwrap_or(0),
                0,
                0,
                0,
            ]),
            2 => self.transmit(),
            3 => self.client.handle_reconnect(UnixNanos(self.now)),
            4 => {
                if let Some(&id) = self.live.iter().next() {
                    self.client.cancel(id);
                }
            }
            _ => {}
        }
        self.drain();
    }
}
