//! The server session's outgoing queue never wedges: when it is full of answers the client
//! never acknowledged (lost with a connection, or ignored as too old by the client's replay
//! window), the oldest sent ones are forgotten to make room, and so are those older than
//! the 300 s a client accepts. A forgotten answer's query is reported "not received" to the
//! client's `msgs_state_req`, so the client sends it again and still gets exactly one
//! outcome.

mod session_common;

use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::server::{
    MAX_OUT_MESSAGES, MAX_UNACKED_AGE_SECS, ServerConfig, ServerError, ServerEvent, ServerSession,
};
use ferrogram_mtproto_proto::session::{RequestId, RequestOptions, Session, SessionConfig};
use session_common::TestRng;

const T0: u64 = 1_700_000_000_000_000_000;
const SEC: u64 = 1_000_000_000;

type Client = Session<Software, 128, 16384, 16384>;
type Server = ServerSession<Software, 128, 65536, 16384>;

struct Pair {
    client: Box<Client>,
    server: Box<Server>,
    rng: TestRng,
    buf: Vec<u8>,
    now: u64,
}

impl Pair {
    fn new() -> Self {
        let key = AuthKey::new([0x42; 256]);
        let server = Box::new(ServerSession::new(
            Software,
            AuthKey::new([0x42; 256]),
            ServerConfig::default(),
        ));
        let salt = server.salt_at(UnixNanos(T0));
        let config = SessionConfig {
            ping_interval_ms: 0,
            future_salts: 0,
            request_timeout_ms: 0,
            state_request_after_ms: 10_000,
            ..SessionConfig::default()
        };
        let client = Box::new(Session::new(
            Software,
            key,
            7,
            salt,
            0,
            config,
            UnixNanos(T0),
        ));
        Pair {
            client,
            server,
            rng: TestRng::new(9),
            buf: vec![0u8; 65536],
            now: T0,
        }
    }

    fn now(&self) -> UnixNanos {
        UnixNanos(self.now)
    }

    /// Client → server, everything queued; returns the queries' msg_ids.
    fn deliver_queries(&mut self) -> Vec<i64> {
        self.deliver_queries_with_numbers()
            .into_iter()
            .map(|q| q.0)
            .collect()
    }

    /// Client → server; returns the queries' msg_ids and their numbers.
    fn deliver_queries_with_numbers(&mut self) -> Vec<(i64, u32)> {
        let now = self.now();
        while let Some(r) = self
            .client
            .poll_transmit(now, &mut self.rng, &mut self.buf)
            .unwrap()
        {
            let mut p = self.buf[r].to_vec();
            self.server.handle_packet(now, &mut p);
        }
        let mut ids = Vec::new();
        while let Some(q) = self.server.poll_query() {
            let n = u32::from_le_bytes(q.body[4..8].try_into().unwrap());
            ids.push((q.req_msg_id, n));
        }
        ids
    }

    /// Server → client (or into the void when `lose`).
    fn deliver_answers(&mut self, lose: bool) {
        let now = self.now();
        while let Some(r) = self
            .server
            .poll_transmit(now, &mut self.rng, &mut self.buf)
            .unwrap()
        {
            let mut p = self.buf[r].to_vec();
            if !lose {
                self.client.handle_packet(now, &mut p);
            }
        }
    }

    fn forgotten(&mut self) -> Vec<Option<i64>> {
        let mut out = Vec::new();
        while let Some(e) = self.server.poll_event() {
            if let ServerEvent::Forgotten { req_msg_id, .. } = e {
                out.push(req_msg_id);
            }
        }
        out
    }

    fn outcomes(&mut self) -> Vec<(RequestId, Vec<u8>)> {
        let mut out = Vec::new();
        while let Some(o) = self.client.poll_outcome() {
            out.push((o.id, o.result.expect("an answer").to_vec()));
        }
        out
    }
}

fn query(i: u32) -> [u8; 8] {
    let mut q = [0u8; 8];
    q[..4].copy_from_slice(&0x0ec4_0ec4u32.to_le_bytes());
    q[4..].copy_from_slice(&i.to_le_bytes());
    q
}

fn answer(i: u32) -> [u8; 8] {
    let mut a = [0u8; 8];
    a[..4].copy_from_slice(&0x5e51_1700u32.to_le_bytes());
    a[4..].copy_from_slice(&i.to_le_bytes());
    a
}

#[test]
fn a_full_queue_forgets_the_oldest_sent_answer_and_the_client_asks_again() {
    let mut p = Pair::new();
    let n = MAX_OUT_MESSAGES as u32 + 1;
    let ids: Vec<RequestId> = (0..n)
        .map(|i| {
            p.client
                .enqueue(p.now(), &query(i), RequestOptions::default())
                .unwrap()
        })
        .collect();
    let queries = p.deliver_queries();
    assert_eq!(queries.len(), n as usize);
    // The first answer joins new_session_created in the queue; the answers go out but are
    // lost. When the queue is full, the oldest sent message makes room: first
    // new_session_created, then the first answer.
    for (i, &q) in queries.iter().enumerate().take(n as usize - 1) {
        p.server.respond(p.now(), q, &answer(i as u32)).unwrap();
        p.deliver_answers(true);
    }
    assert_eq!(p.server.unacknowledged(), MAX_OUT_MESSAGES);
    assert_eq!(p.forgotten(), vec![None]);
    p.server
        .respond(p.now(), queries[n as usize - 1], &answer(n - 1))
        .expect("room is made");
    assert_eq!(p.forgotten(), vec![Some(queries[0])]);
    assert_eq!(p.server.unacknowledged(), MAX_OUT_MESSAGES);
    p.deliver_answers(false);
    assert_eq!(
        p.outcomes(),
        vec![(ids[n as usize - 1], answer(n - 1).to_vec())]
    );

    // The client asks about unanswered requests after state_request_after_ms. The forgotten
    // answer's query is "not received" (so are any below the server's replay window: it
    // cannot tell), and those go out again with new msg_ids.
    p.now += 10 * SEC;
    let now = p.now();
    p.client.handle_timeout(now);
    assert!(
        p.deliver_queries().is_empty(),
        "msgs_state_req is not a query"
    );
    p.deliver_answers(false); // msgs_state_info
    let again = p.deliver_queries_with_numbers();
    assert!(
        again.iter().any(|&(_, i)| i == 0),
        "the forgotten query is sent again"
    );
    let mut done = vec![ids[n as usize - 1]];
    for &(q, i) in &again {
        assert!(!queries.contains(&q), "with a new msg_id");
        p.server.respond(p.now(), q, &answer(i)).unwrap();
    }
    p.deliver_answers(false);
    check(&mut p, &ids, &mut done, again.len());

    // A new connection: the client sends every unanswered query again and the server
    // re-sends the answers it kept; the server also answers the re-sent queries. Each
    // request still ends exactly once, with its own answer.
    p.server.handle_reconnect();
    p.client.handle_reconnect(p.now());
    let resent = p.deliver_queries_with_numbers();
    assert_eq!(resent.len(), ids.len() - done.len());
    for &(q, i) in &resent {
        assert!(!queries.contains(&q), "re-sent queries have new msg_ids");
        if p.server.respond(p.now(), q, &answer(i)) == Err(ServerError::QueueFull) {
            // Full of kept answers not re-sent yet: send them, then there is room.
            p.deliver_answers(false);
            p.server.respond(p.now(), q, &answer(i)).unwrap();
        }
    }
    p.deliver_answers(false);
    let left = ids.len() - done.len();
    check(&mut p, &ids, &mut done, left);
    assert_eq!(p.client.pending_requests(), 0);
    p.deliver_answers(false);
    assert!(p.outcomes().is_empty(), "no second outcome");
}

/// Takes `count` outcomes: each for a request not ended before, with its own answer.
fn check(p: &mut Pair, ids: &[RequestId], done: &mut Vec<RequestId>, count: usize) {
    let got = p.outcomes();
    assert_eq!(got.len(), count);
    for (id, a) in got {
        let k = u32::from_le_bytes(a[4..8].try_into().unwrap());
        assert_eq!(id, ids[k as usize], "answer {k} went to its request");
        assert!(!done.contains(&id), "a second outcome for {id:?}");
        done.push(id);
    }
}

#[test]
fn answers_older_than_a_client_accepts_are_forgotten() {
    let mut p = Pair::new();
    let a = p
        .client
        .enqueue(p.now(), &query(1), RequestOptions::default())
        .unwrap();
    let q = p.deliver_queries();
    p.server.respond(p.now(), q[0], &answer(1)).unwrap();
    p.deliver_answers(true);
    // new_session_created and the answer.
    assert_eq!(p.server.unacknowledged(), 2);
    // Kept while the client could still take them...
    p.now += MAX_UNACKED_AGE_SECS as u64 * SEC - SEC;
    p.server.push_update(p.now(), &answer(77)).unwrap();
    assert!(p.forgotten().is_empty());
    assert_eq!(p.server.unacknowledged(), 3);
    // ...forgotten once older than that.
    p.now += 2 * SEC;
    p.server.push_update(p.now(), &answer(78)).unwrap();
    assert_eq!(p.forgotten(), vec![None, Some(q[0])]);
    assert_eq!(p.server.unacknowledged(), 2);
    // The client's state request brings the query back.
    let now = p.now();
    p.client.handle_timeout(now);
    assert!(
        p.deliver_queries().is_empty(),
        "msgs_state_req is not a query"
    );
    p.deliver_answers(false); // the updates and msgs_state_info
    let again = p.deliver_queries_with_numbers();
    assert_eq!(again.len(), 1, "{again:?}");
    p.server.respond(p.now(), again[0].0, &answer(1)).unwrap();
    p.deliver_answers(false);
    assert_eq!(p.outcomes(), vec![(a, answer(1).to_vec())]);
}
