//! The client session against hand-built server messages: every service message, the
//! incoming checks, timeouts, cancels, reconnects and acknowledgements, each checked on the
//! bytes the session sends back (decrypted as the server would).

mod session_common;

use ferrogram_mtproto_proto::crypto::message::{self, MessageHeader, Packet, Role};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::container::{Container, MSG_CONTAINER_ID};
use ferrogram_mtproto_proto::session::msg_ids::{IdKind, MsgClock};
use ferrogram_mtproto_proto::session::replay::Replay;
use ferrogram_mtproto_proto::session::{
    BadMsgCode, DropReason, Event, RequestError, RequestId, RequestOptions, Session, SessionConfig,
};
use session_common::{TestRng, gzip_packed, tl_bytes};

const T0: u64 = 1_700_000_000_000_000_000;
const MS: u64 = 1_000_000;
const SID: i64 = 0x1122_3344_5566_7788;
const SALT: i64 = 0x0abc_def0;
const QUERY: [u8; 8] = [0x26, 0x30, 0xb3, 0x1f, 1, 2, 3, 4];

type Client = Session<Software, 8, 1024, 1024>;

fn le32(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn ids_vector(constructor: u32, ids: &[i64]) -> Vec<u8> {
    let mut b = cat(&[
        &le32(constructor),
        &le32(0x1cb5_c415),
        &le32(ids.len() as u32),
    ]);
    for id in ids {
        b.extend(id.to_le_bytes());
    }
    b
}

fn rpc_result(req: i64, result: &[u8]) -> Vec<u8> {
    cat(&[&le32(0xf35c_6d01), &req.to_le_bytes(), result])
}

fn rpc_error(code: i32, msg: &str) -> Vec<u8> {
    cat(&[
        &le32(0x2144_ca19),
        &code.to_le_bytes(),
        &tl_bytes(msg.as_bytes()),
    ])
}

/// One message the client sent: (msg_id, seq_no, body).
type Sent = (i64, i32, Vec<u8>);

struct H {
    client: Client,
    key: AuthKey,
    rng: TestRng,
    now: u64,
    server_clock: MsgClock,
    server_now_offset: i64,
}

impl H {
    fn new() -> Self {
        Self::with(SessionConfig {
            ping_interval_ms: 0,
            future_salts: 0,
            ..SessionConfig::default()
        })
    }

    fn with(config: SessionConfig) -> Self {
        let key = AuthKey::new([0x42; 256]);
        H {
            client: Session::new(Software, key.clone(), SID, SALT, 0, config, UnixNanos(T0)),
            key,
            rng: TestRng::new(7),
            now: T0,
            server_clock: MsgClock::new(0, true),
            server_now_offset: 0,
        }
    }

    fn now(&self) -> UnixNanos {
        UnixNanos(self.now)
    }

    fn server_time(&self) -> UnixNanos {
        UnixNanos((self.now as i64 + self.server_now_offset) as u64)
    }

    fn enqueue(&mut self) -> RequestId {
        self.client
            .enqueue(self.now(), &QUERY, RequestOptions::default())
            .unwrap()
    }

    /// Encrypts `body` as the server would, with the given msg_id and seq_no.
    fn seal(&mut self, msg_id: i64, seq_no: i32, session_id: i64, body: &[u8]) -> Vec<u8> {
        let mut buf = vec![0u8; message::encrypted_len(body.len())];
        let mut p = Packet::new(&mut buf, 0).unwrap();
        p.body_mut()[..body.len()].copy_from_slice(body);
        let header = MessageHeader {
            salt: SALT,
            session_id,
            msg_id,
            seq_no,
        };
        let r = p
            .encrypt(
                &mut Software,
                &self.key,
                Role::Server,
                &header,
                body.len(),
                &mut self.rng,
            )
            .unwrap();
        buf[r].to_vec()
    }

    fn next_server_id(&mut self) -> i64 {
        let t = self.server_time();
        self.server_clock.next(t, IdKind::ServerResponse)
    }

    /// Feeds a server message; returns its msg_id.
    fn feed(&mut self, body: &[u8], content: bool) -> i64 {
        let id = self.next_server_id();
        let mut p = self.seal(id, i32::from(content), SID, body);
        let now = self.now();
        self.client.handle_packet(now, &mut p);
        id
    }

    /// Feeds several messages in one container.
    fn feed_container(&mut self, bodies: &[(&[u8], bool)]) {
        let mut c = cat(&[&le32(MSG_CONTAINER_ID), &le32(bodies.len() as u32)]);
        for (b, content) in bodies {
            let id = self.next_server_id();
            c.extend(id.to_le_bytes());
            c.extend(i32::from(*content).to_le_bytes());
            c.extend((b.len() as u32).to_le_bytes());
            c.extend_from_slice(b);
        }
        let id = self.next_server_id();
        let mut p = self.seal(id, 0, SID, &c);
        let now = self.now();
        self.client.handle_packet(now, &mut p);
    }

    /// Everything the client sends now, opened as the server: (header, messages).
    fn transmit(&mut self) -> Vec<(MessageHeader, Vec<Sent>)> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; 4096];
        let now = self.now();
        while let Some(r) = self
            .client
            .poll_transmit(now, &mut self.rng, &mut buf)
            .unwrap()
        {
            let mut payload = buf[r].to_vec();
            let d = message::decrypt(&mut Software, &self.key, Role::Server, &mut payload).unwrap();
            let body = d.body(&payload).to_vec();
            let h = d.header;
            let msgs = if body[..4] == le32(MSG_CONTAINER_ID) {
                Container::parse(&body, h.msg_id)
                    .unwrap()
                    .iter()
                    .map(|m| (m.msg_id, m.seq_no, m.body.to_vec()))
                    .collect()
            } else {
                vec![(h.msg_id, h.seq_no, body)]
            };
            out.push((h, msgs));
        }
        out
    }

    /// The only request in what the client sends now: its msg_id.
    fn sent_query_id(&mut self) -> i64 {
        let t = self.transmit();
        let ids: Vec<i64> = t
            .iter()
            .flat_map(|(_, m)| m.iter())
            .filter(|m| m.2 == QUERY)
            .map(|m| m.0)
            .collect();
        assert_eq!(ids.len(), 1, "expected one query in {t:?}");
        ids[0]
    }

    fn outcomes(&mut self) -> Vec<(RequestId, Result<Vec<u8>, RequestError>)> {
        let mut v = Vec::new();
        while let Some(o) = self.client.poll_outcome() {
            v.push((o.id, o.result.map(<[u8]>::to_vec)));
        }
        v
    }

    fn events(&mut self) -> Vec<String> {
        let mut v = Vec::new();
        while let Some(e) = self.client.poll_event() {
            v.push(format!("{e:?}"));
        }
        v
    }
}

#[test]
fn a_request_goes_out_alone_with_an_odd_seq_no() {
    let mut h = H::new();
    h.enqueue();
    let t = h.transmit();
    assert_eq!(t.len(), 1);
    let (hdr, msgs) = &t[0];
    assert_eq!((hdr.salt, hdr.session_id), (SALT, SID));
    assert_eq!(msgs.len(), 1, "a lone request is not put in a container");
    assert_eq!(msgs[0].1, 1, "first content-related message: seq_no 1");
    assert_eq!(msgs[0].2, QUERY);
    assert_eq!(msgs[0].0 % 4, 0);
    assert!(h.transmit().is_empty(), "nothing more to send");
}

#[test]
fn rpc_result_data_error_and_gzip() {
    let mut h = H::new();
    let a = h.enqueue();
    let b = h.enqueue();
    let c = h.enqueue();
    let t = h.transmit();
    let ids: Vec<i64> = t[0].1.iter().map(|m| m.0).collect();
    assert_eq!(ids.len(), 3, "three requests in one container");
    let seqs: Vec<i32> = t[0].1.iter().map(|m| m.1).collect();
    assert_eq!(seqs, [1, 3, 5]);
    assert_eq!(t[0].0.seq_no, 6, "the container is not content-related");
    assert!(
        t[0].0.msg_id > ids[2],
        "the container's id is above its messages'"
    );

    let answer = cat(&[&le32(0x997275b5)]);
    h.feed(&rpc_result(ids[0], &answer), true);
    h.feed(&rpc_result(ids[1], &rpc_error(420, "FLOOD_WAIT_30")), true);
    let big: Vec<u8> = (0..600u32).flat_map(|i| (i * 7).to_le_bytes()).collect();
    h.feed(&rpc_result(ids[2], &gzip_packed(&big[..800])), true);
    let o = h.outcomes();
    assert_eq!(o.len(), 3);
    assert_eq!(o[0], (a, Ok(answer.clone())));
    match &o[1] {
        (id, Err(RequestError::Rpc(e))) => {
            assert_eq!(*id, b);
            assert_eq!(
                (e.code, e.name.as_str(), e.value, e.flood_wait()),
                (420, "FLOOD_WAIT", Some(30), Some(30))
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(o[2], (c, Ok(big[..800].to_vec())));
    // A repeated answer is ignored: exactly one outcome.
    h.feed(&rpc_result(ids[0], &answer), true);
    assert!(h.outcomes().is_empty());
    // The three answers are acknowledged on their own once the ack timer fires.
    h.now += 1_001 * MS;
    let now = h.now();
    h.client.handle_timeout(now);
    let t = h.transmit();
    assert_eq!(t.len(), 1);
    let ack = &t[0].1[0];
    assert_eq!(ack.2[..4], le32(0x62d6_b459));
    assert_eq!(ack.1 % 2, 0, "msgs_ack is not content-related");
    assert_eq!(u32::from_le_bytes(ack.2[8..12].try_into().unwrap()), 4);
}

#[test]
fn an_answer_larger_than_the_inbox_is_a_typed_error() {
    let mut h = H::new();
    let a = h.enqueue();
    let b = h.enqueue();
    let t = h.transmit();
    let ids: Vec<i64> = t[0].1.iter().map(|m| m.0).collect();
    let big = vec![0x11u8; 2000];
    h.feed(&rpc_result(ids[0], &big), true);
    h.feed(&rpc_result(ids[1], &gzip_packed(&big)), true);
    let o = h.outcomes();
    assert!(matches!(o[0], (id, Err(RequestError::AnswerTooLarge { len: 2000, .. })) if id == a));
    assert!(matches!(o[1], (id, Err(RequestError::AnswerTooLarge { .. })) if id == b));
    // The session still works.
    h.enqueue();
    let q = h.sent_query_id();
    h.feed(&rpc_result(q, &le32(5)), true);
    assert_eq!(h.outcomes()[0].1, Ok(le32(5).to_vec()));
}

#[test]
fn a_container_with_answers_and_an_update() {
    let mut h = H::new();
    let a = h.enqueue();
    let q = h.sent_query_id();
    let update = cat(&[&le32(0x74ae_4240), &[9; 8]]);
    h.feed_container(&[
        (&rpc_result(q, &le32(1)), true),
        (&update, true),
        (&gzip_packed(&update), true),
    ]);
    assert_eq!(h.outcomes(), vec![(a, Ok(le32(1).to_vec()))]);
    let ev = h.events();
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert!(ev.iter().all(|e| e.starts_with("Update")));
}

#[test]
fn bad_server_salt_switches_salt_and_resends() {
    let mut h = H::new();
    h.enqueue();
    let q = h.sent_query_id();
    let new_salt = 0x7777i64;
    h.feed(
        &cat(&[
            &le32(0xedab_447b),
            &q.to_le_bytes(),
            &1i32.to_le_bytes(),
            &48i32.to_le_bytes(),
            &new_salt.to_le_bytes(),
        ]),
        false,
    );
    assert_eq!(h.client.salt(), new_salt);
    let ev = h.events();
    assert!(ev[0].contains("BadServerSalt"), "{ev:?}");
    let t = h.transmit();
    assert_eq!(t[0].0.salt, new_salt);
    let again = t[0].1.iter().find(|m| m.2 == QUERY).unwrap();
    assert!(again.0 > q, "re-sent with a new msg_id");
    // A notification about an id we never sent is ignored.
    h.feed(
        &cat(&[
            &le32(0xedab_447b),
            &12345i64.to_le_bytes(),
            &1i32.to_le_bytes(),
            &48i32.to_le_bytes(),
            &1i64.to_le_bytes(),
        ]),
        false,
    );
    assert_eq!(h.client.salt(), new_salt);
    assert!(h.events()[0].contains("UnknownMsgId"));
}

fn bad_msg(id: i64, code: i32) -> Vec<u8> {
    cat(&[
        &le32(0xa7ef_f811),
        &id.to_le_bytes(),
        &1i32.to_le_bytes(),
        &code.to_le_bytes(),
    ])
}

#[test]
fn msg_id_too_low_resyncs_the_clock_and_resends() {
    let mut h = H::new();
    h.server_now_offset = 600 * 1_000_000_000; // the server is 10 minutes ahead
    h.enqueue();
    let q = h.sent_query_id();
    h.feed(&bad_msg(q, 16), false);
    let ev = h.events();
    assert!(ev.iter().any(|e| e.contains("MsgIdTooLow")), "{ev:?}");
    assert!(ev.iter().any(|e| e.contains("TimeResynced")), "{ev:?}");
    assert!((h.client.time_offset_ns() - 600_000_000_000).abs() < 1_000_000_000);
    let q2 = h.sent_query_id();
    assert!(
        ((q2 >> 32) - (q >> 32) - 600).abs() <= 1,
        "the new id follows server time"
    );
    // Now synchronized: a server message claiming to be 10 minutes old is refused…
    let old = ((h.server_time().secs() as i64 - 600) << 32) | 1;
    let mut p = h.seal(old, 1, SID, &rpc_result(q2, &le32(1)));
    let now = h.now();
    h.client.handle_packet(now, &mut p);
    assert!(h.events()[0].contains("OutOfTimeWindow"));
    assert!(h.outcomes().is_empty());
    // …a current one is accepted, also answering the re-sent request.
    h.feed(&rpc_result(q2, &le32(2)), true);
    assert_eq!(h.outcomes()[0].1, Ok(le32(2).to_vec()));
}

#[test]
fn msg_id_too_high_resyncs_downwards() {
    let mut h = H::new();
    h.server_now_offset = -100 * 1_000_000_000;
    h.enqueue();
    let q = h.sent_query_id();
    h.feed(&bad_msg(q, 17), false);
    let q2 = h.sent_query_id();
    assert!(q2 < q, "ids restart at the server's time");
}

#[test]
fn seq_no_errors_are_fixed_and_resent() {
    for code in [32, 33] {
        let mut h = H::new();
        h.enqueue();
        let q = h.sent_query_id();
        h.feed(&bad_msg(q, code), false);
        let t = h.transmit();
        let m = t[0].1.iter().find(|m| m.2 == QUERY).unwrap();
        assert!(m.0 > q);
        if code == 32 {
            assert!(m.1 > 100, "seq_no moved up: {}", m.1);
        } else {
            assert_eq!(m.1, 1, "seq_no moved down (saturating at 0)");
        }
        assert_eq!(m.1 % 2, 1);
    }
}

#[test]
fn other_bad_msg_codes_end_the_request_with_a_typed_error() {
    for (code, want) in [
        (18, BadMsgCode::MsgIdBadBits),
        (35, BadMsgCode::OddSeqNoExpected),
        (64, BadMsgCode::InvalidContainer),
        (99, BadMsgCode::Other(99)),
    ] {
        let mut h = H::new();
        let a = h.enqueue();
        let q = h.sent_query_id();
        h.feed(&bad_msg(q, code), false);
        assert_eq!(
            h.outcomes(),
            vec![(a, Err(RequestError::BadMessage { code: want }))]
        );
        assert!(!want.is_retryable());
    }
    // A resend loop is bounded: the same retryable refusal again and again ends the request.
    let mut h = H::new();
    let a = h.enqueue();
    for _ in 0..20 {
        let Some(q) = h
            .transmit()
            .iter()
            .flat_map(|t| t.1.iter())
            .find(|m| m.2 == QUERY)
            .map(|m| m.0)
        else {
            break;
        };
        h.feed(&bad_msg(q, 20), false);
    }
    assert_eq!(
        h.outcomes(),
        vec![(
            a,
            Err(RequestError::BadMessage {
                code: BadMsgCode::MsgTooOld
            })
        )]
    );
}

#[test]
fn new_session_created_is_an_event_and_sets_the_salt() {
    let mut h = H::new();
    h.enqueue();
    let q = h.sent_query_id();
    h.feed(
        &cat(&[
            &le32(0x9ec2_0908),
            &q.to_le_bytes(),
            &99i64.to_le_bytes(),
            &0x55i64.to_le_bytes(),
        ]),
        true,
    );
    let ev = h.events();
    assert_eq!(
        ev,
        vec![format!("NewSession {{ first_msg_id: {q}, unique_id: 99 }}")]
    );
    assert_eq!(h.client.salt(), 0x55);
    // Requests sent before first_msg_id went to the forgotten session and are re-sent.
    let mut h = H::new();
    h.enqueue();
    let q = h.sent_query_id();
    h.feed(
        &cat(&[
            &le32(0x9ec2_0908),
            &(q + 4).to_le_bytes(),
            &1i64.to_le_bytes(),
            &0x55i64.to_le_bytes(),
        ]),
        true,
    );
    let _ = h.events();
    assert!(h.sent_query_id() > q);
}

#[test]
fn ping_pong_and_ping_timeout() {
    let mut h = H::with(SessionConfig {
        ping_interval_ms: 10_000,
        future_salts: 0,
        ..SessionConfig::default()
    });
    assert_eq!(h.client.poll_timeout(), Some(UnixNanos(T0 + 10_000 * MS)));
    h.now += 10_000 * MS;
    let now = h.now();
    h.client.handle_timeout(now);
    let t = h.transmit();
    let ping = &t[0].1[0];
    assert_eq!(ping.2[..4], le32(0xf342_7b8c));
    assert_eq!(i32::from_le_bytes(ping.2[12..16].try_into().unwrap()), 75);
    let ping_id = i64::from_le_bytes(ping.2[4..12].try_into().unwrap());
    h.feed(
        &cat(&[
            &le32(0x3477_73c5),
            &ping.0.to_le_bytes(),
            &ping_id.to_le_bytes(),
        ]),
        false,
    );
    h.now += 10_000 * MS;
    let now = h.now();
    h.client.handle_timeout(now);
    assert!(h.events().is_empty(), "answered: no timeout");
    let _ = h.transmit(); // second ping, never answered
    h.now += 10_000 * MS;
    let now = h.now();
    h.client.handle_timeout(now);
    assert_eq!(h.events(), vec!["PingTimeout".to_string()]);
}

#[test]
fn future_salts_are_fetched_and_used() {
    let mut h = H::with(SessionConfig {
        ping_interval_ms: 0,
        future_salts: 2,
        salt_refetch_margin_secs: 60,
        state_request_after_ms: 0,
        ..SessionConfig::default()
    });
    let now = h.now();
    h.client.handle_timeout(now);
    let t = h.transmit();
    let get = &t[0].1[0];
    assert_eq!(get.2, cat(&[&le32(0xb921_bd04), &2i32.to_le_bytes()]));
    let s = (T0 / 1_000_000_000) as i32;
    let mut fs = cat(&[
        &le32(0xae50_0895),
        &get.0.to_le_bytes(),
        &s.to_le_bytes(),
        &2u32.to_le_bytes(),
    ]);
    fs.extend(cat(&[
        &(s - 10).to_le_bytes(),
        &(s + 100).to_le_bytes(),
        &0x111i64.to_le_bytes(),
    ]));
    fs.extend(cat(&[
        &(s + 100).to_le_bytes(),
        &(s + 200).to_le_bytes(),
        &0x222i64.to_le_bytes(),
    ]));
    h.feed(&fs, false);
    assert_eq!(h.client.future_salts().len(), 2);
    // The refetch is scheduled the margin before the last salt expires.
    assert_eq!(
        h.client.poll_timeout(),
        Some(UnixNanos(T0 + 140 * 1_000_000_000))
    );
    h.enqueue();
    assert_eq!(h.transmit()[0].0.salt, 0x111);
    h.now += 150 * 1_000_000_000;
    let now = h.now();
    h.client.handle_timeout(now);
    let t = h.transmit();
    assert_eq!(t[0].0.salt, 0x222, "the next salt once its time comes");
    assert!(
        t[0].1.iter().any(|m| m.2[..4] == le32(0xb921_bd04)),
        "refetching"
    );
}

#[test]
fn detailed_info_resend_req_and_all_info() {
    let mut h = H::new();
    let a = h.enqueue();
    let q = h.sent_query_id();
    // The server says the answer to q is 0x…1 and we evidently missed it: ask for it.
    let answer_id = h.next_server_id();
    h.feed(
        &cat(&[
            &le32(0x276d_3ec6),
            &q.to_le_bytes(),
            &answer_id.to_le_bytes(),
            &100i32.to_le_bytes(),
            &0i32.to_le_bytes(),
        ]),
        false,
    );
    let t = h.transmit();
    let req = &t[0].1[0];
    assert_eq!(req.2, ids_vector(0x7d86_1a08, &[answer_id]));
    // msg_new_detailed_info about a message we did receive: acknowledge it instead.
    let got = h.feed(&le32(0x1234_5678), true);
    let _ = h.events();
    h.feed(
        &cat(&[
            &le32(0x809d_b6df),
            &got.to_le_bytes(),
            &8i32.to_le_bytes(),
            &0i32.to_le_bytes(),
        ]),
        false,
    );
    h.now += 1_001 * MS;
    let now = h.now();
    h.client.handle_timeout(now);
    let t = h.transmit();
    assert_eq!(t[0].1[0].2, ids_vector(0x62d6_b459, &[got]));
    // msg_resend_req for our query: it is sent again.
    h.feed(&ids_vector(0x7d86_1a08, &[q]), false);
    let q2 = h.sent_query_id();
    assert!(q2 > q);
    // msgs_all_info saying "not received" (2): sent again.
    h.feed(
        &cat(&[
            &le32(0x8cc0_d131),
            &ids_vector(0x1cb5_c415, &[q2])[4..],
            &tl_bytes(&[2]),
        ]),
        false,
    );
    let q3 = h.sent_query_id();
    assert!(q3 > q2);
    // The answer to the first id still counts, once.
    h.feed(&rpc_result(q, &le32(3)), true);
    h.feed(&rpc_result(q3, &le32(4)), true);
    assert_eq!(h.outcomes(), vec![(a, Ok(le32(3).to_vec()))]);
}

#[test]
fn msgs_ack_is_accepted() {
    let mut h = H::new();
    let a = h.enqueue();
    let q = h.sent_query_id();
    h.feed(&ids_vector(0x62d6_b459, &[q]), false);
    assert!(h.events().is_empty());
    assert!(
        h.transmit().is_empty(),
        "an acknowledgement needs no answer"
    );
    h.feed(&rpc_result(q, &le32(1)), true);
    assert_eq!(h.outcomes()[0].0, a);
}

#[test]
fn destroy_session_answers_are_events() {
    let mut h = H::new();
    h.client.destroy_session(0x99).unwrap();
    let t = h.transmit();
    let m = &t[0].1[0];
    assert_eq!(m.2, cat(&[&le32(0xe751_2126), &0x99i64.to_le_bytes()]));
    h.feed(
        &rpc_result(m.0, &cat(&[&le32(0xe220_45fc), &0x99i64.to_le_bytes()])),
        true,
    );
    assert_eq!(
        h.events(),
        vec!["SessionDestroyed { session_id: 153, existed: true }".to_string()]
    );
    assert!(h.outcomes().is_empty(), "internal requests have no outcome");
}

#[test]
fn failing_messages_are_dropped_and_the_session_survives() {
    let mut h = H::new();
    let a = h.enqueue();
    let q = h.sent_query_id();
    let body = rpc_result(q, &le32(1));

    // Wrong key.
    let id = h.next_server_id();
    let mut p = h.seal(id, 1, SID, &body);
    p[0] ^= 1;
    let now = h.now();
    h.client.handle_packet(now, &mut p);
    // Tampered ciphertext.
    let mut p = h.seal(id, 1, SID, &body);
    p[40] ^= 1;
    h.client.handle_packet(now, &mut p);
    // Too short and unaligned.
    h.client.handle_packet(now, &mut [0u8; 10]);
    let mut p = h.seal(id, 1, SID, &body);
    let cut = p.len() - 1;
    h.client.handle_packet(now, &mut p[..cut]);
    // Another session.
    let mut p = h.seal(id, 1, SID + 1, &body);
    h.client.handle_packet(now, &mut p);
    let ev = h.events();
    assert_eq!(ev.len(), 5, "{ev:?}");
    assert!(ev[0].contains("AuthKeyIdMismatch"));
    assert!(ev[1].contains("MsgKeyMismatch"));
    assert!(ev[2].contains("TooShort"));
    // Bytes past the last block are taken for padded-intermediate padding and ignored: the
    // shortened message then fails its msg_key.
    assert!(ev[3].contains("MsgKeyMismatch"));
    assert!(ev[4].contains("WrongSession"));
    assert!(h.outcomes().is_empty());

    // The real one, then its replay.
    let mut p = h.seal(id, 1, SID, &body);
    let mut replay = p.clone();
    h.client.handle_packet(now, &mut p);
    h.client.handle_packet(now, &mut replay);
    assert_eq!(h.outcomes(), vec![(a, Ok(le32(1).to_vec()))]);
    let mut ev = Vec::new();
    while let Some(e) = h.client.poll_event() {
        ev.push(e.clone().to_owned_reason());
    }
    assert_eq!(
        ev,
        vec![Some(DropReason::Replayed {
            msg_id: id,
            replay: Replay::Duplicate
        })]
    );

    // A malformed container and a malformed service message.
    let id = h.next_server_id();
    let mut p = h.seal(id, 0, SID, &cat(&[&le32(MSG_CONTAINER_ID), &le32(3)]));
    h.client.handle_packet(now, &mut p);
    h.feed(&cat(&[&le32(0xedab_447b), &[0; 4]]), false);
    let ev = h.events();
    assert!(ev[0].contains("Container(Truncated)"), "{ev:?}");
    assert!(ev[1].contains("Malformed"), "{ev:?}");
    // Still working.
    let b = h.enqueue();
    let q = h.sent_query_id();
    h.feed(&rpc_result(q, &le32(2)), true);
    assert_eq!(h.outcomes(), vec![(b, Ok(le32(2).to_vec()))]);
}

trait Reason {
    fn to_owned_reason(self) -> Option<DropReason>;
}
impl Reason for Event<'_> {
    fn to_owned_reason(self) -> Option<DropReason> {
        match self {
            Event::Dropped(r) => Some(r),
            _ => None,
        }
    }
}

#[test]
fn timeout_and_cancel_give_exactly_one_outcome() {
    let mut h = H::with(SessionConfig {
        request_timeout_ms: 5_000,
        ping_interval_ms: 0,
        future_salts: 0,
        ..SessionConfig::default()
    });
    let a = h.enqueue();
    let b = h.enqueue();
    let t = h.transmit();
    let ids: Vec<i64> = t[0].1.iter().map(|m| m.0).collect();
    assert!(h.client.cancel(b));
    assert!(!h.client.cancel(b), "cancelling twice does nothing");
    assert_eq!(h.client.poll_timeout(), Some(UnixNanos(T0 + 5_000 * MS)));
    h.now += 4_999 * MS;
    let now = h.now();
    h.client.handle_timeout(now);
    assert_eq!(h.outcomes(), vec![(b, Err(RequestError::Cancelled))]);
    h.now += MS;
    let now = h.now();
    h.client.handle_timeout(now);
    assert_eq!(
        h.outcomes(),
        vec![(a, Err(RequestError::TimedOut { after_ms: 5_000 }))]
    );
    // Late answers are ignored; the stale handles are not live.
    h.feed(&rpc_result(ids[0], &le32(1)), true);
    h.feed(&rpc_result(ids[1], &le32(1)), true);
    assert!(h.outcomes().is_empty());
    assert!(!h.client.is_live(a) && !h.client.cancel(a));
    // Only the acknowledgement of the late answers is left to do.
    assert_eq!(h.client.poll_timeout(), Some(UnixNanos(h.now + 1_000 * MS)));
}

#[test]
fn reconnect_resends_and_an_old_answer_still_counts_once() {
    let mut h = H::new();
    let a = h.enqueue();
    let q1 = h.sent_query_id();
    let now = h.now();
    h.client.handle_reconnect(now);
    let q2 = h.sent_query_id();
    assert!(q2 > q1);
    h.feed(&rpc_result(q1, &le32(7)), true);
    h.feed(&rpc_result(q2, &le32(8)), true);
    assert_eq!(h.outcomes(), vec![(a, Ok(le32(7).to_vec()))]);
    h.client.handle_reconnect(now);
    assert!(
        h.transmit()
            .iter()
            .all(|t| t.1.iter().all(|m| m.2 != QUERY))
    );
}

#[test]
fn acks_ride_along_with_requests() {
    let mut h = H::new();
    let got = h.feed(&le32(0x1234_5678), true);
    let _ = h.events();
    assert!(
        h.transmit().is_empty(),
        "one ack waits for the timer or a request"
    );
    h.enqueue();
    let t = h.transmit();
    assert_eq!(t[0].1.len(), 2);
    assert_eq!(t[0].1[0].2, ids_vector(0x62d6_b459, &[got]));
    assert_eq!(t[0].1[1].2, QUERY);
}

#[test]
fn enqueue_refuses_what_it_cannot_hold() {
    let mut h = H::new();
    use ferrogram_mtproto_proto::session::EnqueueError;
    assert_eq!(
        h.client
            .enqueue(h.now(), &[1, 2, 3], RequestOptions::default()),
        Err(EnqueueError::NotTl { len: 3 })
    );
    assert!(matches!(
        h.client
            .enqueue(h.now(), &[0; 2000], RequestOptions::default()),
        Err(EnqueueError::TooLarge { len: 2000, .. })
    ));
    for _ in 0..8 {
        h.enqueue();
    }
    assert_eq!(
        h.client.enqueue(h.now(), &QUERY, RequestOptions::default()),
        Err(EnqueueError::TooManyRequests { capacity: 8 })
    );
    // A transmit buffer too small is an error and loses nothing.
    let mut small = [0u8; 60];
    let now = h.now();
    assert!(h.client.poll_transmit(now, &mut h.rng, &mut small).is_err());
    assert_eq!(h.client.pending_requests(), 8);
}

#[test]
fn wrappers_are_applied_when_sent() {
    let mut h = H::new();
    let a = h.enqueue();
    let qa = h.sent_query_id();
    h.client
        .enqueue(
            h.now(),
            &QUERY,
            RequestOptions {
                layer: Some(230),
                without_updates: true,
                after: Some(a),
            },
        )
        .unwrap();
    let t = h.transmit();
    let m = &t[0].1[0];
    let expect = cat(&[
        &le32(0xda9b_0d0d),
        &230i32.to_le_bytes(),
        &le32(0xbf94_59b7),
        &le32(0xcb9f_372d),
        &qa.to_le_bytes(),
        &QUERY,
    ]);
    assert_eq!(m.2, expect);
}

#[test]
fn the_client_session_fits_its_ram_budget() {
    use ferrogram_mtproto_proto::session::{
        CLIENT_RAM_BUDGET, DEFAULT_INBOX, DEFAULT_TRANSMIT_BUFFER,
    };
    let session = core::mem::size_of::<Session>();
    // A receive buffer for the largest answer the default inbox can take, encrypted.
    let receive = message::encrypted_len(DEFAULT_INBOX);
    let total = session + DEFAULT_TRANSMIT_BUFFER + receive;
    println!(
        "size_of::<Session>() = {session}; + transmit {DEFAULT_TRANSMIT_BUFFER} + receive {receive} = {total} of {CLIENT_RAM_BUDGET}"
    );
    assert!(total <= CLIENT_RAM_BUDGET, "{total} > {CLIENT_RAM_BUDGET}");
}

#[test]
fn msgs_state_req_from_the_server_is_answered() {
    let mut h = H::new();
    let got = h.feed(&le32(0x1234_5678), true);
    let _ = h.events();
    let unknown = got + 0x1000_0000 * 4 + 2;
    let req = h.feed(&ids_vector(0xda69_fb52, &[got, unknown]), false);
    let t = h.transmit();
    let msgs: Vec<&Sent> = t.iter().flat_map(|t| t.1.iter()).collect();
    let info = msgs
        .iter()
        .find(|m| m.2[..4] == le32(0x04de_b57d))
        .expect("msgs_state_info");
    assert_eq!(
        info.2,
        cat(&[&le32(0x04de_b57d), &req.to_le_bytes(), &[2, 4, 3, 0]])
    );
    assert_eq!(info.1 % 2, 0, "not content-related");
}

#[test]
fn long_unanswered_requests_are_asked_about_and_resent_if_lost() {
    let mut h = H::with(SessionConfig {
        ping_interval_ms: 0,
        future_salts: 0,
        state_request_after_ms: 5_000,
        ..SessionConfig::default()
    });
    let a = h.enqueue();
    let q = h.sent_query_id();
    assert_eq!(h.client.poll_timeout(), Some(UnixNanos(T0 + 5_000 * MS)));
    h.now += 5_000 * MS;
    let now = h.now();
    h.client.handle_timeout(now);
    let t = h.transmit();
    let req = &t[0].1[0];
    assert_eq!(req.2, ids_vector(0xda69_fb52, &[q]));
    // "Not received": the request goes out again with a new id.
    h.feed(
        &cat(&[&le32(0x04de_b57d), &req.0.to_le_bytes(), &tl_bytes(&[2])]),
        false,
    );
    let q2 = h.sent_query_id();
    assert!(q2 > q);
    h.feed(&rpc_result(q2, &le32(1)), true);
    assert_eq!(h.outcomes(), vec![(a, Ok(le32(1).to_vec()))]);
    // An answer about a state request we did not make changes nothing.
    h.feed(
        &cat(&[&le32(0x04de_b57d), &77i64.to_le_bytes(), &tl_bytes(&[2])]),
        false,
    );
    assert!(
        h.transmit()
            .iter()
            .all(|t| t.1.iter().all(|m| m.2 != QUERY))
    );
}

#[test]
fn padded_transport_bytes_after_the_last_block_are_ignored() {
    let mut h = H::new();
    let a = h.enqueue();
    let q = h.sent_query_id();
    let id = h.next_server_id();
    let mut p = h.seal(id, 1, SID, &rpc_result(q, &le32(1)));
    p.extend_from_slice(&[0xee; 15]);
    let now = h.now();
    h.client.handle_packet(now, &mut p);
    assert_eq!(h.outcomes(), vec![(a, Ok(le32(1).to_vec()))]);
}

#[test]
fn a_server_ping_is_answered_with_pong() {
    let mut h = H::new();
    let ping = h.feed(&cat(&[&le32(0x7abe_77ec), &0x77i64.to_le_bytes()]), true);
    let t = h.transmit();
    let msgs: Vec<&Sent> = t.iter().flat_map(|t| t.1.iter()).collect();
    let pong = msgs
        .iter()
        .find(|m| m.2[..4] == le32(0x3477_73c5))
        .expect("pong");
    assert_eq!(
        pong.2,
        cat(&[
            &le32(0x3477_73c5),
            &ping.to_le_bytes(),
            &0x77i64.to_le_bytes()
        ])
    );
}

#[test]
fn msg_copy_is_processed_once_as_if_unwrapped() {
    let mut h = H::new();
    let a = h.enqueue();
    let q = h.sent_query_id();
    let inner = rpc_result(q, &le32(6));
    let orig = h.next_server_id();
    let copy = cat(&[
        &le32(0xe060_46b2),
        &orig.to_le_bytes(),
        &1i32.to_le_bytes(),
        &(inner.len() as u32).to_le_bytes(),
        &inner,
    ]);
    h.feed(&copy, false);
    h.feed(&copy, false);
    assert_eq!(h.outcomes(), vec![(a, Ok(le32(6).to_vec()))]);
    assert!(
        h.events().is_empty(),
        "the second copy is a known duplicate: acknowledged, not reported"
    );
}

#[test]
fn cancelling_a_sent_request_asks_the_server_to_drop_the_answer() {
    let mut h = H::new();
    let a = h.enqueue();
    let q = h.sent_query_id();
    assert!(h.client.cancel(a));
    assert_eq!(h.outcomes(), vec![(a, Err(RequestError::Cancelled))]);
    let t = h.transmit();
    let drop = &t[0].1[0];
    assert_eq!(drop.2, cat(&[&le32(0x58e4_a740), &q.to_le_bytes()]));
    // The server's answers to both are taken quietly.
    h.feed(&rpc_result(drop.0, &le32(0x5e2a_d36e)), true);
    h.feed(&rpc_result(q, &le32(1)), true);
    assert!(h.outcomes().is_empty());
    assert!(h.events().is_empty());
    assert_eq!(h.client.pending_requests(), 0);
    // A request cancelled before it was sent costs nothing on the wire.
    let b = h.enqueue();
    assert!(h.client.cancel(b));
    assert_eq!(h.outcomes(), vec![(b, Err(RequestError::Cancelled))]);
    assert!(
        h.transmit()
            .iter()
            .all(|t| t.1.iter().all(|m| m.2[..4] != le32(0x58e4_a740)))
    );
}

#[test]
fn a_full_event_queue_counts_what_it_lost() {
    let mut h = H::new();
    for i in 0..20u32 {
        h.feed(&cat(&[&le32(0x74ae_4240), &i.to_le_bytes()]), true);
    }
    let mut updates = 0;
    let mut lost = 0;
    while let Some(e) = h.client.poll_event() {
        match e {
            Event::Update(_) => updates += 1,
            Event::EventsLost { count } => lost += count,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((updates, lost), (16, 4));
}

#[test]
fn an_update_larger_than_the_inbox_is_dropped_with_an_event() {
    let mut h = H::new();
    let big = cat(&[&le32(0x74ae_4240), &[3; 1100]]);
    h.feed(&big, true);
    let ev = h.events();
    assert_eq!(ev.len(), 1);
    assert!(ev[0].contains("UpdateTooLarge { len: 1104"), "{ev:?}");
    // Packed, too.
    h.feed(&gzip_packed(&big), true);
    assert!(h.events()[0].contains("Gzip"));
    // Smaller ones still get through.
    h.feed(&cat(&[&le32(0x74ae_4240), &[3; 8]]), true);
    assert!(h.events()[0].starts_with("Update("));
}
