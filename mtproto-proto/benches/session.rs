//! Round trips through a client [`Session`] and a [`ServerSession`] in memory (no sockets,
//! no transport framing): the client enqueues a 100-byte request, seals it, the server opens
//! it, answers 100 bytes, seals that, the client opens it and takes the outcome. Each
//! iteration is one round trip, including both sides' AES-IGE and SHA-256 work and the
//! acknowledgements riding along. A second case sends 32 requests per container.
//!
//! `cargo bench -p ferrogram-mtproto-proto --bench session -- --warm-up-time 1 --measurement-time 3`
//!
//! grammers-mtproto is measured alongside in `peer-bench` (`cargo bench --bench session`
//! there), against the same server session; this bench needs no peer crates.

#[path = "../tests/session_common/mod.rs"]
mod session_common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::server::{ServerConfig, ServerSession};
use ferrogram_mtproto_proto::session::{RequestOptions, Session, SessionConfig};
use session_common::TestRng;

const T0: u64 = 1_700_000_000_000_000_000;

struct Pair {
    client: Box<Session<Software, 64, 16384, 16384>>,
    server: Box<ServerSession<Software, 64, 32768, 16384>>,
    crng: TestRng,
    srng: TestRng,
    buf: Vec<u8>,
    now: u64,
}

impl Pair {
    fn new() -> Self {
        let key = [0x5a; 256];
        let server = Box::new(ServerSession::new(
            Software,
            AuthKey::new(key),
            ServerConfig::default(),
        ));
        let config = SessionConfig {
            ping_interval_ms: 0,
            future_salts: 0,
            ..SessionConfig::default()
        };
        let salt = server.salt_at(UnixNanos(T0));
        let client = Box::new(Session::new(
            Software,
            AuthKey::new(key),
            42,
            salt,
            0,
            config,
            UnixNanos(T0),
        ));
        let mut p = Pair {
            client,
            server,
            crng: TestRng::new(1),
            srng: TestRng::new(2),
            buf: vec![0u8; 64 * 1024],
            now: T0,
        };
        p.round_trips(1); // new_session_created
        p
    }

    /// `n` requests out, `n` answers back.
    fn round_trips(&mut self, n: usize) {
        self.now += 1_000;
        let now = UnixNanos(self.now);
        let mut body = [7u8; 100];
        body[..4].copy_from_slice(&0x0ec4_0ec4u32.to_le_bytes());
        for _ in 0..n {
            self.client
                .enqueue(now, &body, RequestOptions::default())
                .unwrap();
        }
        let mut answered = 0;
        while answered < n {
            while let Some(r) = self
                .client
                .poll_transmit(now, &mut self.crng, &mut self.buf)
                .unwrap()
            {
                let r = r.clone();
                self.server.handle_packet(now, &mut self.buf[r]);
            }
            while let Some(q) = self.server.poll_query() {
                let req = q.req_msg_id;
                let answer = [9u8; 100];
                self.server.respond(now, req, &answer).unwrap();
            }
            while self.server.poll_event().is_some() {}
            while let Some(r) = self
                .server
                .poll_transmit(now, &mut self.srng, &mut self.buf)
                .unwrap()
            {
                self.client.handle_packet(now, &mut self.buf[r]);
            }
            while let Some(o) = self.client.poll_outcome() {
                black_box(o.result.unwrap());
                answered += 1;
            }
            while self.client.poll_event().is_some() {}
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("session");
    g.throughput(Throughput::Elements(1));
    let mut p = Pair::new();
    g.bench_function("round_trip_100B", |b| b.iter(|| p.round_trips(1)));
    g.throughput(Throughput::Elements(32));
    let mut p = Pair::new();
    g.bench_function("round_trips_100B_x32_containers", |b| {
        b.iter(|| p.round_trips(32))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
