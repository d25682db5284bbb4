//! The fault knobs, each against our own client session (`mtproto-proto`'s `Session`) over
//! real TCP: the client must see the fault (on the wire or as a session event) and, where a
//! client can, recover (the call still gets its answer).

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ferrogram_mtproto_proto::auth_key::client::{ClientConfig, ClientHandshake};
use ferrogram_mtproto_proto::crypto::message::{self, Role};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::{
    BadMsgCode, DEFAULT_TRANSMIT_BUFFER, Event, RequestError, RequestOptions, Session,
    SessionConfig,
};
use ferrogram_mtproto_proto::transport::{self, Decoder, EncodeOptions, Encoder, TransportKind};
use ferrogram_testdc::faults::Faults;
use ferrogram_testdc::world::FIRST_USER_ID;
use ferrogram_testdc::{Config, TestDc};
use ferrogram_tl_types::{TlRead, TlWrite, enums, functions as f};
use getrandom::SysRng;
use rand_core::UnwrapErr;

const MSG_CONTAINER: u32 = 0x73f1_f8dc;
const RPC_RESULT: u32 = 0xf35c_6d01;
const GZIP_PACKED: u32 = 0x3072_cfa1;

fn now() -> UnixNanos {
    UnixNanos(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    )
}

/// What the client saw of one message from the DC, opened independently of the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seen {
    /// The body's constructor.
    top: u32,
    /// For an `rpc_result`, its result's constructor.
    result: Option<u32>,
}

/// Our client session over one TCP connection at a time (intermediate framing); reconnects
/// when the DC closes.
struct Client {
    addr: std::net::SocketAddr,
    stream: TcpStream,
    enc: Encoder,
    dec: Decoder<Vec<u8>>,
    key: AuthKey,
    session: Session,
    /// Each payload's top-level constructor.
    payloads: Vec<u32>,
    /// Every message, containers opened.
    seen: Vec<Seen>,
    bad_msgs: Vec<BadMsgCode>,
    resyncs: Vec<i64>,
    updates: Vec<Vec<u8>>,
    /// Events the session's queue had no room for (`Event::EventsLost`).
    lost: u32,
    reconnects: u32,
}

fn connect(addr: std::net::SocketAddr) -> (TcpStream, Encoder, Decoder<Vec<u8>>) {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    (
        stream,
        Encoder::client(TransportKind::Intermediate),
        Decoder::client(TransportKind::Intermediate, vec![0u8; 2 << 20]),
    )
}

impl Client {
    fn new(dc: &TestDc) -> Self {
        let (mut stream, mut enc, mut dec) = connect(dc.addr());
        let keys = [*dc.public_key()];
        let mut rng = UnwrapErr(SysRng);
        let mut hs = ClientHandshake::new(ClientConfig::new(&keys, 2), now(), &mut rng);
        let (mut msg, mut wire) = ([0u8; 1024], [0u8; 1200]);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !hs.is_done() {
            if let Some(n) = hs.poll_transmit(now(), &mut msg).unwrap() {
                let w = enc
                    .encode(&msg[..n], EncodeOptions::default(), &mut rng, &mut wire)
                    .unwrap();
                stream.write_all(&wire[..w]).unwrap();
            }
            let packet = read_packet(&mut stream, &mut dec, deadline).expect("a handshake answer");
            hs.handle_packet(now(), &packet, &mut rng).unwrap();
        }
        let key = hs.poll_result().unwrap();
        let mut sid = [0u8; 8];
        getrandom::fill(&mut sid).unwrap();
        let session = Session::new(
            Software,
            AuthKey::new(key.auth_key),
            i64::from_le_bytes(sid),
            key.first_salt,
            key.time_offset,
            SessionConfig::default(),
            now(),
        );
        Client {
            addr: dc.addr(),
            stream,
            enc,
            dec,
            key: AuthKey::new(key.auth_key),
            session,
            payloads: Vec::new(),
            seen: Vec::new(),
            bad_msgs: Vec::new(),
            resyncs: Vec::new(),
            updates: Vec::new(),
            lost: 0,
            reconnects: 0,
        }
    }

    fn key_id(&self) -> u64 {
        self.key.id_u64()
    }

    fn send_all(&mut self) {
        let mut out = vec![0u8; DEFAULT_TRANSMIT_BUFFER];
        let mut wire = vec![0u8; DEFAULT_TRANSMIT_BUFFER + 64];
        let mut rng = UnwrapErr(SysRng);
        while let Some(range) = self
            .session
            .poll_transmit(now(), &mut rng, &mut out)
            .unwrap()
        {
            let n = self
                .enc
                .encode(&out[range], EncodeOptions::default(), &mut rng, &mut wire)
                .unwrap();
            if self.stream.write_all(&wire[..n]).is_err() {
                self.reconnect();
                return;
            }
        }
    }

    fn reconnect(&mut self) {
        let (stream, enc, dec) = connect(self.addr);
        (self.stream, self.enc, self.dec) = (stream, enc, dec);
        self.session.handle_reconnect(now());
        self.reconnects += 1;
    }

    fn drain_events(&mut self) {
        while let Some(event) = self.session.poll_event() {
            match event {
                Event::BadMsg { code, .. } => self.bad_msgs.push(code),
                Event::TimeResynced { offset_ms } => self.resyncs.push(offset_ms),
                Event::Update(u) => self.updates.push(u.to_vec()),
                Event::EventsLost { count } => self.lost += count,
                _ => {}
            }
        }
    }

    /// One round: send what is queued, run due timers, take one packet (or time out).
    fn pump(&mut self) {
        self.send_all();
        if self.session.poll_timeout().is_some_and(|t| t <= now()) {
            self.session.handle_timeout(now());
        }
        let mut chunk = [0u8; 64 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => self.reconnect(),
            Ok(n) => {
                let mut input = &chunk[..n];
                while let Some(event) = self.dec.decode(&mut input).unwrap() {
                    let transport::Event::Packet { payload, .. } = event else {
                        panic!("transport event {event:?}");
                    };
                    let mut payload = payload.to_vec();
                    let (top, messages) = open(&self.key, &payload);
                    self.payloads.push(top);
                    self.seen.extend(messages);
                    self.session.handle_packet(now(), &mut payload);
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => self.reconnect(),
            Err(e) => panic!("read: {e}"),
        }
        self.drain_events();
    }

    /// Calls `q` and waits (up to 20 s) for its outcome.
    fn call(&mut self, q: &impl TlWrite) -> Result<Vec<u8>, RequestError> {
        let options = RequestOptions {
            layer: Some(ferrogram_tl_types::LAYER as i32),
            ..RequestOptions::default()
        };
        let id = self
            .session
            .enqueue(now(), &q.to_bytes().unwrap(), options)
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            while let Some(outcome) = self.session.poll_outcome() {
                if outcome.id == id {
                    return outcome.result.map(<[u8]>::to_vec);
                }
            }
            assert!(Instant::now() < deadline, "no answer in 20 s");
            self.pump();
        }
    }

    fn get_config(&mut self) -> i32 {
        let bytes = self.call(&f::help::GetConfig {}).expect("the config");
        let enums::Config::Config(cfg) = enums::Config::from_bytes(&bytes).unwrap();
        cfg.this_dc
    }

    fn get_state(&mut self) -> enums::updates::State {
        let bytes = self.call(&f::updates::GetState {}).expect("the state");
        enums::updates::State::from_bytes(&bytes).unwrap()
    }
}

fn read_packet(
    stream: &mut TcpStream,
    dec: &mut Decoder<Vec<u8>>,
    deadline: Instant,
) -> Option<Vec<u8>> {
    let mut byte = [0u8; 1];
    loop {
        // One byte at a time: the handshake's answers are small, and nothing after the
        // packet is consumed.
        match stream.read(&mut byte) {
            Ok(0) => return None,
            Ok(_) => {
                let mut input = &byte[..];
                if let Some(transport::Event::Packet { payload, .. }) =
                    dec.decode(&mut input).unwrap()
                {
                    return Some(payload.to_vec());
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if Instant::now() > deadline {
                    return None;
                }
            }
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// Decrypts a payload from the DC with the key (as the client would): its top-level
/// constructor, and each message in it (a container's inner ones).
fn open(key: &AuthKey, payload: &[u8]) -> (u32, Vec<Seen>) {
    let mut copy = payload.to_vec();
    let d = message::decrypt(&mut Software, key, Role::Client, &mut copy).expect("decrypts");
    let body = d.body(&copy);
    let u32_at = |b: &[u8], at: usize| {
        b.get(at..at + 4)
            .map(|x| u32::from_le_bytes(x.try_into().unwrap()))
            .unwrap()
    };
    let seen = |b: &[u8]| {
        let top = u32_at(b, 0);
        Seen {
            top,
            result: (top == RPC_RESULT).then(|| u32_at(b, 12)),
        }
    };
    let top = u32_at(body, 0);
    if top != MSG_CONTAINER {
        return (top, vec![seen(body)]);
    }
    let mut out = Vec::new();
    let mut at = 8;
    for _ in 0..u32_at(body, 4) {
        let len = u32_at(body, at + 12) as usize;
        out.push(seen(&body[at + 16..at + 16 + len]));
        at += 16 + len;
    }
    (top, out)
}

fn bot_client(dc: &TestDc) -> Client {
    let mut c = Client::new(dc);
    let (bot, _) = dc.create_bot("Faults", "faults_bot");
    dc.log_in(c.key_id(), bot);
    // The first call makes the session; the faults under test come after it. (It may be
    // refused once with bad_server_salt: the handshake's first salt is not the session's.)
    assert_eq!(c.get_config(), 2);
    c.bad_msgs.clear();
    c.resyncs.clear();
    c
}

/// Pumps until `n` updates (or lost events) came in.
fn wait_updates(c: &mut Client, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while c.updates.len() + (c.lost as usize) < n {
        assert!(
            Instant::now() < deadline,
            "{} of {n} updates ({} lost)",
            c.updates.len(),
            c.lost
        );
        c.pump();
    }
}

fn with(dc: &TestDc, change: impl FnOnce(&mut Faults)) {
    let mut faults = dc.faults();
    change(&mut faults);
    dc.set_faults(faults);
}

#[test]
fn close_after_n_messages_the_client_reconnects_and_gets_its_answers() {
    let dc = TestDc::start(Config {
        faults: Faults {
            close_after: Some(2),
            ..Faults::default()
        },
        ..Config::default()
    })
    .unwrap();
    let mut c = Client::new(&dc);
    let (bot, _) = dc.create_bot("Faults", "faults_bot");
    dc.log_in(c.key_id(), bot);
    for _ in 0..5 {
        assert_eq!(c.get_config(), 2);
    }
    assert!(
        c.reconnects >= 2,
        "five calls over connections closed every 2 messages: {} reconnects",
        c.reconnects
    );
}

#[test]
fn a_bad_server_salt_is_resent_once() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut c = bot_client(&dc);
    with(&dc, |f| f.bad_server_salt = true);
    assert_eq!(c.get_config(), 2);
    assert_eq!(c.bad_msgs, [BadMsgCode::BadServerSalt]);
    assert!(!dc.faults().bad_server_salt, "the knob is one-shot");
    assert_eq!(c.get_config(), 2);
    assert_eq!(c.bad_msgs.len(), 1);
}

#[test]
fn bad_msg_16_and_17_resync_the_clock_and_resend() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut c = bot_client(&dc);
    for (code, seen) in [
        (16, BadMsgCode::MsgIdTooLow),
        (17, BadMsgCode::MsgIdTooHigh),
    ] {
        c.bad_msgs.clear();
        c.resyncs.clear();
        with(&dc, |f| f.bad_msg = Some(code));
        assert_eq!(c.get_config(), 2);
        assert_eq!(c.bad_msgs, [seen], "code {code}");
        assert_eq!(c.resyncs.len(), 1, "code {code}: one resync");
        // The DC's clock is the real one: the offset stays small.
        assert!(c.resyncs[0].abs() < 5_000, "{:?}", c.resyncs);
        assert_eq!(dc.faults().bad_msg, None);
    }
}

#[test]
fn a_skewed_clock_is_learnt_at_the_handshake_and_relearnt_when_it_jumps() {
    let dc = TestDc::start(Config {
        faults: Faults {
            clock_skew_secs: -1000,
            ..Faults::default()
        },
        ..Config::default()
    })
    .unwrap();
    let mut c = bot_client(&dc);
    let real = (now().0 / 1_000_000_000) as i64;
    let offset = c.session.time_offset_ns() / 1_000_000_000;
    assert!((-1005..=-995).contains(&offset), "offset {offset} s");
    let enums::updates::State::State(state) = c.get_state();
    assert!(
        (state.date as i64 - real + 1000).abs() < 5,
        "{}",
        state.date
    );
    assert!(c.bad_msgs.is_empty());
    // The DC's clock jumps 2000 s ahead: our msg_ids are now far in its past (16). (A
    // clock going back would not show: the session keeps its msg_ids increasing.)
    with(&dc, |f| f.clock_skew_secs = 1000);
    let enums::updates::State::State(state) = c.get_state();
    assert!(
        (state.date as i64 - real - 1000).abs() < 5,
        "{}",
        state.date
    );
    // Whether the jump also lands two salt periods on (so the DC first answers
    // bad_server_salt) depends on the wall clock's phase in the salt period: allow that one.
    let codes: Vec<_> = c
        .bad_msgs
        .iter()
        .filter(|&&b| b != BadMsgCode::BadServerSalt)
        .collect();
    assert_eq!(codes, [&BadMsgCode::MsgIdTooLow], "{:?}", c.bad_msgs);
    let offset = c.session.time_offset_ns() / 1_000_000_000;
    assert!((995..=1005).contains(&offset), "offset {offset} s");
}

#[test]
fn gzip_packs_answers_and_updates() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut c = bot_client(&dc);
    with(&dc, |f| f.gzip = true);
    let before = c.seen.len();
    assert_eq!(c.get_config(), 2);
    let results: Vec<Option<u32>> = c.seen[before..]
        .iter()
        .filter(|s| s.top == RPC_RESULT)
        .map(|s| s.result)
        .collect();
    assert_eq!(results, [Some(GZIP_PACKED)], "{:?}", &c.seen[before..]);
    // Updates too: a burst to the bot's user arrives packed and the session inflates it.
    let bot = dc.logged_in_user(c.key_id()).unwrap();
    let pts = dc.send_burst(FIRST_USER_ID, bot, 1).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.updates.is_empty() {
        assert!(Instant::now() < deadline, "no update");
        c.pump();
    }
    let enums::Updates::UpdateShortMessage(u) = enums::Updates::from_bytes(&c.updates[0]).unwrap()
    else {
        panic!("not updateShortMessage")
    };
    assert_eq!((u.message.as_str(), u.pts), ("burst 1", pts));
    assert!(c.seen.iter().any(|s| s.top == GZIP_PACKED));
}

#[test]
fn containers_wrap_every_payload() {
    const UPDATE_SHORT_MESSAGE: u32 = 0x313b_c7f8;
    let dc = TestDc::start(Config::default()).unwrap();
    let mut c = bot_client(&dc);
    let bot = dc.logged_in_user(c.key_id()).unwrap();
    // A well-behaved DC sends a lone update bare (answers usually share a container with
    // the DC's acknowledgement of the query).
    let before = c.payloads.len();
    dc.send_burst(FIRST_USER_ID, bot, 1).unwrap();
    wait_updates(&mut c, 1);
    assert_eq!(c.payloads[before..], [UPDATE_SHORT_MESSAGE]);
    with(&dc, |f| f.containers = true);
    let before = c.payloads.len();
    dc.send_burst(FIRST_USER_ID, bot, 1).unwrap();
    wait_updates(&mut c, 2);
    for _ in 0..3 {
        assert_eq!(c.get_config(), 2);
    }
    let after = &c.payloads[before..];
    assert!(after.len() >= 4, "{after:x?}");
    assert!(after.iter().all(|top| *top == MSG_CONTAINER), "{after:x?}");
    assert!(
        c.seen
            .iter()
            .filter(|m| m.top == UPDATE_SHORT_MESSAGE)
            .count()
            == 2
    );
}

#[test]
fn flood_wait_for_the_next_calls_only() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut c = bot_client(&dc);
    with(&dc, |f| {
        f.flood_wait_calls = 2;
        f.flood_wait_secs = 7;
    });
    for _ in 0..2 {
        match c.call(&f::help::GetConfig {}) {
            Err(RequestError::Rpc(e)) => {
                assert_eq!(
                    (e.code, e.name.as_str(), e.value),
                    (420, "FLOOD_WAIT", Some(7))
                );
                assert_eq!(e.flood_wait(), Some(7));
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(c.get_config(), 2);
    assert_eq!(dc.faults().flood_wait_calls, 0);
}

#[test]
fn delayed_answers_arrive_late_but_arrive() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut c = bot_client(&dc);
    with(&dc, |f| f.delay = Duration::from_millis(400));
    let slow = Instant::now();
    assert_eq!(c.get_config(), 2);
    let slow = slow.elapsed();
    assert!(slow >= Duration::from_millis(400), "{slow:?}");
    with(&dc, |f| f.delay = Duration::ZERO);
    let quick = Instant::now();
    assert_eq!(c.get_config(), 2);
    assert!(quick.elapsed() < slow, "{:?} vs {slow:?}", quick.elapsed());
}

#[test]
fn a_burst_of_updates_arrives_in_order_and_matches_the_difference() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut c = Client::new(&dc);
    dc.log_in(c.key_id(), FIRST_USER_ID);
    let (bot, _) = dc.create_bot("Burst", "burst_bot");
    let enums::updates::State::State(start) = c.get_state();
    let pts = dc.send_burst(bot, FIRST_USER_ID, 40).unwrap();
    assert_eq!(pts, start.pts + 40);
    wait_updates(&mut c, 40);
    // What the session had room for came as updates, in order; the rest it reported lost.
    let got: Vec<(i32, String)> = c
        .updates
        .iter()
        .map(|u| match enums::Updates::from_bytes(u).unwrap() {
            enums::Updates::UpdateShortMessage(m) => (m.pts, m.message),
            other => panic!("{other:?}"),
        })
        .collect();
    let expected: Vec<(i32, String)> = (1..=40)
        .map(|i| (start.pts + i, format!("burst {i}")))
        .collect();
    assert_eq!(got[..], expected[..got.len()]);
    assert_eq!(got.len() + c.lost as usize, 40);
    // Recovery: the difference since the state before the burst holds all 40.
    let bytes = c
        .call(&f::updates::GetDifference {
            pts: start.pts,
            pts_limit: None,
            pts_total_limit: None,
            date: start.date,
            qts: 0,
            qts_limit: None,
        })
        .unwrap();
    let enums::updates::Difference::Difference(diff) =
        enums::updates::Difference::from_bytes(&bytes).unwrap()
    else {
        panic!("not a difference")
    };
    let texts: Vec<String> = diff
        .new_messages
        .iter()
        .map(|m| match m {
            enums::Message::Message(m) => m.message.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        texts,
        expected.iter().map(|e| e.1.clone()).collect::<Vec<_>>()
    );
    let enums::updates::State::State(end) = c.get_state();
    assert_eq!(end.pts, pts);
}
