//! Round trips through an encrypted session in memory, ferrogram's `Session` against
//! grammers-mtproto 0.11's `Encrypted`, both talking to the same server: ferrogram's
//! `ServerSession` (feature `server`). Per round trip the client seals a 100-byte request,
//! the server opens it and answers 100 bytes, the client opens the answer and takes the
//! result; acknowledgements ride along as each client does it. The server's work is the same
//! code in both cases, so the difference between the two lines is the clients' difference.
//!
//! Fairness notes: both clients read the wall clock for msg_ids (grammers does it inside;
//! ferrogram is given `SystemTime::now()`); grammers' per-message padding comes from the
//! scripted getrandom backend of this crate, so it does not pay the system call it makes in
//! real use (favouring grammers); ferrogram's comes from a userspace PRNG.
//!
//! `cd peer-bench && cargo bench --bench session`

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::server::{ServerConfig, ServerSession};
use ferrogram_mtproto_proto::session::{RequestOptions, Session, SessionConfig};
use ferrogram_peer_bench::{Filler, script};
use grammers_crypto::DequeBuffer;
use grammers_mtproto::mtp::{Deserialization, Encrypted, Mtp};

type Server = ServerSession<Software, 64, 32768, 16384>;

const KEY: [u8; 256] = [0x5a; 256];

fn now() -> UnixNanos {
    UnixNanos(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    )
}

fn request() -> [u8; 100] {
    let mut body = [7u8; 100];
    body[..4].copy_from_slice(&0x0ec4_0ec4u32.to_le_bytes());
    body
}

/// The server's half of a round trip: open `packet`, answer every query with 100 bytes,
/// seal what goes back into `out` (one payload per call of `deliver`).
fn serve(
    server: &mut Server,
    rng: &mut Rng,
    packet: &mut [u8],
    out: &mut Vec<u8>,
    deliver: &mut dyn FnMut(&mut [u8]),
) {
    let t = now();
    server.handle_packet(t, packet);
    while let Some(q) = server.poll_query() {
        let req = q.req_msg_id;
        server.respond(t, req, &[9u8; 100]).unwrap();
    }
    while server.poll_event().is_some() {}
    while let Some(r) = server.poll_transmit(t, rng, out).unwrap() {
        deliver(&mut out[r]);
    }
}

/// A userspace PRNG for ferrogram's padding (rand_core 0.10).
struct Rng(Filler);

impl rand_core::TryRng for Rng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.0.next_u64() as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.0.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill(dst);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for Rng {}

struct Ours {
    client: Box<Session<Software, 64, 16384, 16384>>,
    server: Box<Server>,
    crng: Rng,
    srng: Rng,
    buf: Vec<u8>,
    out: Vec<u8>,
}

impl Ours {
    fn new() -> Self {
        let server = Box::new(Server::new(
            Software,
            AuthKey::new(KEY),
            ServerConfig::default(),
        ));
        let config = SessionConfig {
            ping_interval_ms: 0,
            future_salts: 0,
            ..SessionConfig::default()
        };
        let client = Box::new(Session::new(
            Software,
            AuthKey::new(KEY),
            42,
            server.salt_at(now()),
            0,
            config,
            now(),
        ));
        let mut o = Ours {
            client,
            server,
            crng: Rng(Filler::new(1)),
            srng: Rng(Filler::new(2)),
            buf: vec![0u8; 64 * 1024],
            out: vec![0u8; 64 * 1024],
        };
        o.round_trip(); // new_session_created
        o
    }

    fn round_trip(&mut self) {
        self.client
            .enqueue(now(), &request(), RequestOptions::default())
            .unwrap();
        let mut answered = false;
        while !answered {
            while let Some(r) = self
                .client
                .poll_transmit(now(), &mut self.crng, &mut self.buf)
                .unwrap()
            {
                let client = &mut self.client;
                serve(
                    &mut self.server,
                    &mut self.srng,
                    &mut self.buf[r],
                    &mut self.out,
                    &mut |p| client.handle_packet(now(), p),
                );
            }
            while let Some(o) = self.client.poll_outcome() {
                black_box(o.result.unwrap());
                answered = true;
            }
            while self.client.poll_event().is_some() {}
        }
    }
}

struct Grammers {
    client: Encrypted,
    server: Box<Server>,
    srng: Rng,
    buf: DequeBuffer<u8>,
    out: Vec<u8>,
}

impl Grammers {
    fn new() -> Self {
        script::endless(3);
        let server = Box::new(Server::new(
            Software,
            AuthKey::new(KEY),
            ServerConfig::default(),
        ));
        let client = Encrypted::build()
            .first_salt(server.salt_at(now()))
            .compression_threshold(None)
            .finish(KEY);
        let mut g = Grammers {
            client,
            server,
            srng: Rng(Filler::new(2)),
            buf: DequeBuffer::with_capacity(64 * 1024, 32),
            out: vec![0u8; 64 * 1024],
        };
        // grammers fetches future salts before its first request; this settles that.
        for _ in 0..3 {
            g.round_trip();
        }
        g
    }

    fn round_trip(&mut self) {
        let mut pushed = false;
        let mut answered = false;
        while !answered {
            self.buf.clear();
            if !pushed {
                pushed = self.client.push(&mut self.buf, &request()).is_some();
            }
            if self.client.finalize(&mut self.buf).is_none() {
                assert!(pushed, "grammers sent nothing and has nothing pending");
            }
            let mut results = Vec::new();
            if !self.buf.is_empty() {
                let client = &mut self.client;
                serve(
                    &mut self.server,
                    &mut self.srng,
                    self.buf.as_mut(),
                    &mut self.out,
                    &mut |p| {
                        results.extend(client.deserialize(p).expect("grammers accepts our server"))
                    },
                );
            }
            for d in results {
                match d {
                    Deserialization::RpcResult(r) => {
                        black_box(r.body);
                        answered = true;
                    }
                    Deserialization::Failure(_) => panic!("grammers could not read a message"),
                    Deserialization::BadMessage(b) => panic!("grammers: bad_msg {}", b.code),
                    Deserialization::RpcError(e) => panic!("grammers: {:?}", e.error),
                    _ => {}
                }
            }
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("session_round_trip_100B");
    g.throughput(Throughput::Elements(1));
    let mut ours = Ours::new();
    let mut grammers = Grammers::new();
    g.bench_function("ferrogram", |b| b.iter(|| ours.round_trip()));
    g.bench_function("grammers-mtproto", |b| b.iter(|| grammers.round_trip()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
