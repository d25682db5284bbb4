//! Deterministic simulation: a client [`Session`] and a [`ServerSession`] in memory over a
//! seeded network that delays, reorders, duplicates, corrupts and loses messages (a loss
//! closes the connection: both sides reconnect), with the client's clock skewed and its
//! first salt sometimes wrong. Every request must get exactly one outcome, and the right one.
//!
//! Each connection is a real transport (abridged, intermediate, padded intermediate or full,
//! plain or obfuscated, chosen per connection): a delivered message is framed by the sender's
//! encoder and reaches the receiver's decoder in random chunks, as over TCP.
//!
//! `SIM_SEEDS` (default 100) and `SIM_REQUESTS` (default 100 per seed) scale the run; the
//! figures are printed with `--nocapture`.

mod session_common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::requests::unwrap_invoke;
use ferrogram_mtproto_proto::session::server::{ServerConfig, ServerEvent, ServerSession};
use ferrogram_mtproto_proto::session::{
    DropReason, EnqueueError, Event, RequestError, RequestId, RequestOptions, Session,
    SessionConfig,
};
use ferrogram_mtproto_proto::transport::obfuscated::ClientInit;
use ferrogram_mtproto_proto::transport::{Decoder, EncodeOptions, Encoder, TransportKind};
use session_common::{TestRng, gzip_packed};

const T0: u64 = 1_700_000_000_000_000_000;
const MS: u64 = 1_000_000;
const SEC: u64 = 1_000_000_000;
/// The query constructor of the simulated API: `echo#0ec40ec4 data:...`.
const ECHO: u32 = 0x0ec4_0ec4;
const RESULT: u32 = 0x5e51_1700;
const UPDATE: u32 = 0x0bda_7e00;

type Client = Session<Software, 32, 8192, 16384>;
type Server = ServerSession<Software, 64, 32768, 16384>;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Expect {
    Data(Vec<u8>),
    Flood(u32),
    Cancelled,
}

/// What the server's application answers to an echo query.
fn answer(query: &[u8]) -> (Option<u32>, Vec<u8>) {
    let payload = &query[4..];
    if payload.first().is_some_and(|b| b % 11 == 0) {
        return (Some(u32::from(payload[1])), Vec::new());
    }
    let mut out = RESULT.to_le_bytes().to_vec();
    out.extend(payload.iter().map(|b| b ^ 0x5a));
    (None, out)
}

fn expected(query: &[u8]) -> Expect {
    match answer(query) {
        (Some(v), _) => Expect::Flood(v),
        (None, d) => Expect::Data(d),
    }
}

struct Packet {
    at: u64,
    to_server: bool,
    conn: u32,
    bytes: Vec<u8>,
}

/// One TCP connection: both ends' transport codecs.
struct Link {
    client_enc: Encoder,
    client_dec: Decoder<Vec<u8>>,
    server_enc: Encoder,
    server_dec: Decoder<Vec<u8>>,
    rng: TestRng,
}

impl Link {
    /// Opens a connection of a random transport; the client's tag or obfuscation header is
    /// sent (and read by the server) at once, as a driver does right after connecting.
    fn open(rng: &mut TestRng, stats: &mut Stats) -> Self {
        let kinds = [
            TransportKind::Abridged,
            TransportKind::Intermediate,
            TransportKind::PaddedIntermediate,
            TransportKind::Full,
        ];
        let kind = kinds[rng.below(4) as usize];
        let obfuscated = kind != TransportKind::Full && rng.chance(500);
        let buf = || vec![0u8; 64 * 1024];
        let (mut client_enc, client_dec) = if obfuscated {
            stats.obfuscated += 1;
            ClientInit::new(rng, kind, Some(2), None)
                .expect("obfuscation header")
                .split(buf())
        } else {
            (Encoder::client(kind), Decoder::client(kind, buf()))
        };
        let mut server_dec = Decoder::server(buf());
        let mut preamble = [0u8; 64];
        let n = client_enc.write_preamble(&mut preamble).expect("preamble");
        let mut input = &preamble[..n];
        assert!(server_dec.decode(&mut input).expect("preamble").is_none());
        // The full transport has no preamble: the server knows it from the first frame, and
        // its (plain) encoder needs nothing from the client.
        let server_enc = match server_dec.take_encoder() {
            Some(e) => e,
            None => {
                assert_eq!(kind, TransportKind::Full);
                Encoder::server(kind)
            }
        };
        Link {
            client_enc,
            client_dec,
            server_enc,
            server_dec,
            rng: TestRng::new(rng.u64()),
        }
    }

    /// Frames `payload` and feeds it to the other end in random chunks; returns the
    /// payloads the receiver's decoder produced (padded intermediate keeps its padding,
    /// which the sessions ignore).
    fn carry(&mut self, to_server: bool, payload: &[u8]) -> Vec<Vec<u8>> {
        let Link {
            client_enc,
            client_dec,
            server_enc,
            server_dec,
            rng,
        } = self;
        let (enc, dec) = if to_server {
            (client_enc, server_dec)
        } else {
            (server_enc, client_dec)
        };
        let mut wire = vec![0u8; payload.len() + 128];
        let n = enc
            .encode(payload, EncodeOptions::default(), rng, &mut wire)
            .expect("frame");
        let mut out = Vec::new();
        let mut rest = &wire[..n];
        while !rest.is_empty() {
            let take = match rng.below(4) {
                0 => 1,
                1 => 1 + rng.below(8) as usize,
                _ => 1 + rng.below(rest.len() as u64) as usize,
            }
            .min(rest.len());
            let mut chunk = &rest[..take];
            rest = &rest[take..];
            while let Some(event) = dec.decode(&mut chunk).expect("decode") {
                match event {
                    ferrogram_mtproto_proto::transport::Event::Packet { payload, .. } => {
                        out.push(payload.to_vec())
                    }
                    other => panic!("unexpected transport event {other:?}"),
                }
            }
        }
        out
    }
}

#[derive(Default, Debug, Clone, Copy)]
struct Stats {
    obfuscated: u64,
    forgotten: u64,
    requests: u64,
    packets: u64,
    lost: u64,
    duplicated: u64,
    corrupted: u64,
    reconnects: u64,
    drops: u64,
    resyncs: u64,
    bad_msgs: u64,
    updates: u64,
    gzip_answers: u64,
    server_full: u64,
    ping_timeouts: u64,
    backpressure: u64,
    sim_secs: u64,
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn run(seed: u64, n_requests: usize) -> Stats {
    let mut rng = TestRng::new(seed);
    let mut net = TestRng::new(seed ^ 0x6e65_7477_6f72_6b21);
    let mut crng = TestRng::new(seed ^ 0xc11e);
    let mut srng = TestRng::new(seed ^ 0x5e1e);
    let mut stats = Stats::default();

    let mut key = [0u8; 256];
    for b in key.iter_mut() {
        *b = rng.below(256) as u8;
    }
    // Client clock skew: none, small, or beyond the server's window either way.
    let skew_ns: i64 = match rng.below(6) {
        0 | 1 => 0,
        2 => 4 * SEC as i64,
        3 => -45 * SEC as i64,
        4 => 400 * SEC as i64,
        _ => -(rng.below(900) as i64 + 301) * SEC as i64,
    };
    let (loss, dup, corrupt) = (10 + rng.below(30), rng.below(50), rng.below(10));
    let server_cfg = ServerConfig {
        salt_seed: rng.u64() as i64,
        salt_period_secs: 30 + rng.below(60) as i64,
        check_time_window: true,
    };
    let mut server: Box<Server> =
        Box::new(ServerSession::new(Software, AuthKey::new(key), server_cfg));
    let first_salt = if rng.chance(300) {
        rng.u64() as i64
    } else {
        server.salt_at(UnixNanos(T0))
    };
    let client_now = |t: u64| UnixNanos((t as i64 + skew_ns) as u64);
    let config = SessionConfig {
        request_timeout_ms: 0,
        ack_delay_ms: 200,
        ping_interval_ms: 15_000,
        ..SessionConfig::default()
    };
    let mut client: Box<Client> = Box::new(Session::new(
        Software,
        AuthKey::new(key),
        rng.u64() as i64,
        first_salt,
        0,
        config,
        client_now(T0),
    ));

    // Requests to enqueue: (time, body, options).
    let mut schedule: Vec<(u64, Vec<u8>, bool)> = (0..n_requests)
        .map(|i| {
            let at = T0 + rng.below(20 * SEC);
            let len = 4 * (1 + rng.below(60) as usize);
            let mut body = ECHO.to_le_bytes().to_vec();
            body.extend((0..len).map(|_| rng.below(256) as u8));
            body[4] = (i % 251) as u8 ^ body[5];
            let cancel = rng.chance(20);
            (at, body, cancel)
        })
        .collect();
    schedule.sort_by_key(|s| s.0);
    schedule.reverse();

    let mut expect: HashMap<RequestId, Expect> = HashMap::new();
    let mut outcomes: HashMap<RequestId, Result<Vec<u8>, RequestError>> = HashMap::new();
    let mut cancels: BTreeMap<u64, RequestId> = BTreeMap::new();
    let mut in_flight: Vec<Packet> = Vec::new();
    let mut conn = 0u32;
    let mut link = Link::open(&mut net, &mut stats);
    let mut reconnect_at: Option<u64> = None;
    let mut updates_seen = HashSet::new();
    let mut next_update = 0u32;
    let mut backlog = std::collections::VecDeque::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut now = T0;
    let deadline = T0 + 3600 * SEC;

    loop {
        // ----- drain the client -----
        while let Some(o) = client.poll_outcome() {
            let r = o.result.map(|b| b.to_vec());
            assert!(
                outcomes.insert(o.id, r).is_none(),
                "seed {seed}: second outcome for {:?}",
                o.id
            );
        }
        while let Some(e) = client.poll_event() {
            match e {
                Event::Update(b) => {
                    assert!(
                        b.len() == 8 && b[..4] == UPDATE.to_le_bytes(),
                        "seed {seed}: update {b:?}"
                    );
                    let n = u32::from_le_bytes(b[4..8].try_into().unwrap());
                    assert!(updates_seen.insert(n), "seed {seed}: update {n} twice");
                    stats.updates += 1;
                }
                Event::Dropped(r) => {
                    stats.drops += 1;
                    // What a driver does: a message failing decryption closes the connection.
                    if r.should_reconnect() && reconnect_at.is_none() {
                        reconnect_at = Some(now + 100 * MS);
                    }
                }
                Event::PingTimeout => {
                    stats.ping_timeouts += 1;
                    if reconnect_at.is_none() {
                        reconnect_at = Some(now + 100 * MS);
                    }
                }
                Event::TimeResynced { .. } => stats.resyncs += 1,
                Event::BadMsg { code, .. } => {
                    stats.bad_msgs += 1;
                    assert!(code.is_retryable(), "seed {seed}: {code}");
                }
                _ => {}
            }
        }
        while let Some(r) = client
            .poll_transmit(client_now(now), &mut crng, &mut buf)
            .expect("client transmit")
        {
            let bytes = buf[r].to_vec();
            send(
                &mut net,
                &mut in_flight,
                &mut stats,
                now,
                true,
                conn,
                bytes,
                loss,
                dup,
                corrupt,
                &mut reconnect_at,
            );
        }
        // ----- drain the server -----
        while let Some(q) = server.poll_query() {
            backlog.push_back((q.req_msg_id, q.body.to_vec()));
        }
        // The application answers; when the server's queue is full (the client has not
        // acknowledged enough yet) it retries later.
        while let Some((req, body)) = backlog.pop_front() {
            let query = unwrap_invoke(&body).query.to_vec();
            assert_eq!(&query[..4], &ECHO.to_le_bytes());
            let r = match answer(&query) {
                (Some(v), _) => {
                    server.respond_error(UnixNanos(now), req, 420, &format!("FLOOD_WAIT_{v}"))
                }
                (None, data) if query[5] % 3 == 0 => {
                    server.respond(UnixNanos(now), req, &gzip_packed(&data))
                }
                (None, data) => server.respond(UnixNanos(now), req, &data),
            };
            if r.is_err() {
                stats.server_full += 1;
                backlog.push_front((req, body));
                break;
            }
            if query[5] % 3 == 0 {
                stats.gzip_answers += 1;
            }
            if query[5] % 7 == 0 {
                let mut u = UPDATE.to_le_bytes().to_vec();
                u.extend(next_update.to_le_bytes());
                if server.push_update(UnixNanos(now), &u).is_ok() {
                    next_update += 1;
                }
            }
        }
        while let Some(e) = server.poll_event() {
            if matches!(e, ServerEvent::Forgotten { .. }) {
                stats.forgotten += 1;
            }
            // The server closes a connection that delivered an undecryptable message.
            if matches!(e, ServerEvent::Dropped(DropReason::Decrypt(_))) && reconnect_at.is_none() {
                reconnect_at = Some(now + 100 * MS);
            }
        }
        while let Some(r) = server
            .poll_transmit(UnixNanos(now), &mut srng, &mut buf)
            .expect("server transmit")
        {
            let bytes = buf[r].to_vec();
            send(
                &mut net,
                &mut in_flight,
                &mut stats,
                now,
                false,
                conn,
                bytes,
                loss,
                dup,
                corrupt,
                &mut reconnect_at,
            );
        }

        if schedule.is_empty() && outcomes.len() == expect.len() {
            break;
        }
        assert!(
            now < deadline,
            "seed {seed}: stuck: {} of {} outcomes; backlog {}, in flight {}, reconnect {:?}; client {:#?}; server {:#?}",
            outcomes.len(),
            expect.len(),
            backlog.len(),
            in_flight.len(),
            reconnect_at,
            client,
            server,
        );

        // ----- the next thing to happen -----
        let mut next = deadline;
        if let Some(s) = schedule.last() {
            next = next.min(s.0);
        }
        if let Some(p) = in_flight.iter().min_by_key(|p| p.at) {
            next = next.min(p.at);
        }
        if let Some(t) = client.poll_timeout() {
            let true_t = (t.0 as i64 - skew_ns) as u64;
            next = next.min(true_t.max(now));
        }
        if let Some(t) = reconnect_at {
            next = next.min(t);
        }
        if let Some((&t, _)) = cancels.iter().next() {
            next = next.min(t);
        }
        now = next.max(now);

        if reconnect_at.is_some_and(|t| t <= now) {
            reconnect_at = None;
            conn += 1;
            stats.reconnects += 1;
            in_flight.clear();
            link = Link::open(&mut net, &mut stats);
            client.handle_reconnect(client_now(now));
            server.handle_reconnect();
            continue;
        }
        let mut deferred = Vec::new();
        while schedule.last().is_some_and(|s| s.0 <= now) {
            let (_, body, cancel) = schedule.pop().unwrap();
            let opts = if body[6] % 4 == 0 {
                RequestOptions {
                    layer: Some(230),
                    without_updates: body[7] % 2 == 0,
                    after: None,
                }
            } else {
                RequestOptions::default()
            };
            let id = match client.enqueue(client_now(now), &body, opts) {
                Ok(id) => id,
                // Back-pressure: all slots (or the outbox) busy; the application waits.
                Err(EnqueueError::TooManyRequests { .. } | EnqueueError::OutboxFull { .. }) => {
                    stats.backpressure += 1;
                    deferred.push((now + 100 * MS, body, cancel));
                    continue;
                }
                Err(e) => panic!("seed {seed}: {e}"),
            };
            stats.requests += 1;
            expect.insert(id, expected(&body));
            if cancel {
                cancels.insert(now + net.below(2 * SEC), id);
            }
        }
        if !deferred.is_empty() {
            schedule.extend(deferred);
            schedule.sort_by_key(|s| std::cmp::Reverse(s.0));
        }
        while let Some((&t, &id)) = cancels.iter().next() {
            if t > now {
                break;
            }
            cancels.remove(&t);
            if client.cancel(id) {
                expect.insert(id, Expect::Cancelled);
            }
        }
        if let Some(i) = in_flight
            .iter()
            .enumerate()
            .filter(|(_, p)| p.at <= now)
            .min_by_key(|(_, p)| p.at)
            .map(|(i, _)| i)
        {
            let p = in_flight.swap_remove(i);
            if p.conn == conn {
                stats.packets += 1;
                for mut bytes in link.carry(p.to_server, &p.bytes) {
                    if p.to_server {
                        server.handle_packet(UnixNanos(now), &mut bytes);
                    } else {
                        client.handle_packet(client_now(now), &mut bytes);
                    }
                }
            }
        }
        client.handle_timeout(client_now(now));
    }

    for (id, want) in &expect {
        let got = &outcomes[id];
        match (want, got) {
            (Expect::Data(d), Ok(b)) => assert_eq!(b, d, "seed {seed}: wrong result"),
            (Expect::Flood(v), Err(RequestError::Rpc(e))) => {
                assert_eq!(
                    (e.code, e.name.as_str(), e.flood_wait()),
                    (420, "FLOOD_WAIT", Some(*v))
                )
            }
            (Expect::Cancelled, Err(RequestError::Cancelled)) => {}
            _ => panic!("seed {seed}: {id:?}: expected {want:?}, got {got:?}"),
        }
    }
    stats.sim_secs = (now - T0) / SEC;
    stats
}

#[allow(clippy::too_many_arguments)]
fn send(
    net: &mut TestRng,
    in_flight: &mut Vec<Packet>,
    stats: &mut Stats,
    now: u64,
    to_server: bool,
    conn: u32,
    mut bytes: Vec<u8>,
    loss: u64,
    dup: u64,
    corrupt: u64,
    reconnect_at: &mut Option<u64>,
) {
    if reconnect_at.is_some() {
        return; // the connection is already dead
    }
    if net.chance(loss) {
        stats.lost += 1;
        // A lost message means a broken connection: reconnect a little later.
        *reconnect_at = Some(now + 200 * MS + net.below(2 * SEC));
        return;
    }
    if net.chance(corrupt) {
        stats.corrupted += 1;
        let i = net.below(bytes.len() as u64) as usize;
        bytes[i] ^= 1 << net.below(8);
    }
    let delay = 5 * MS + net.below(300 * MS);
    if net.chance(dup) {
        stats.duplicated += 1;
        in_flight.push(Packet {
            at: now + delay + net.below(500 * MS),
            to_server,
            conn,
            bytes: bytes.clone(),
        });
    }
    in_flight.push(Packet {
        at: now + delay,
        to_server,
        conn,
        bytes,
    });
}

#[test]
fn every_request_gets_exactly_one_correct_outcome() {
    let seeds = env("SIM_SEEDS", 100);
    let requests = env("SIM_REQUESTS", 100) as usize;
    let first = env("SIM_FIRST_SEED", 1);
    let started = Instant::now();
    let mut total = Stats::default();
    for seed in first..first + seeds {
        let s = run(seed, requests);
        total.requests += s.requests;
        total.obfuscated += s.obfuscated;
        total.forgotten += s.forgotten;
        total.packets += s.packets;
        total.lost += s.lost;
        total.duplicated += s.duplicated;
        total.corrupted += s.corrupted;
        total.reconnects += s.reconnects;
        total.drops += s.drops;
        total.resyncs += s.resyncs;
        total.bad_msgs += s.bad_msgs;
        total.updates += s.updates;
        total.gzip_answers += s.gzip_answers;
        total.server_full += s.server_full;
        total.ping_timeouts += s.ping_timeouts;
        total.backpressure += s.backpressure;
        total.sim_secs += s.sim_secs;
    }
    println!(
        "session_sim: {seeds} seeds x {requests} requests in {:.1?}: {total:?}",
        started.elapsed()
    );
    assert_eq!(total.requests, seeds * requests as u64);
}
