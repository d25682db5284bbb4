//! Persistence (`Config::state_file`): a DC restarted on its state file keeps auth keys,
//! logins, accounts and messages, and our own client's key works on the new DC without a
//! new handshake; an unreadable file is a typed `StateError` and is left as it was.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ferrogram_mtproto_proto::auth_key::client::{ClientConfig, ClientHandshake};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::{
    DEFAULT_TRANSMIT_BUFFER, RequestError, RequestOptions, Session, SessionConfig,
};
use ferrogram_mtproto_proto::transport::{self, Decoder, EncodeOptions, Encoder, TransportKind};
use ferrogram_testdc::persist::FORMAT_VERSION;
use ferrogram_testdc::world::FIRST_USER_ID;
use ferrogram_testdc::{Config, StateError, TestDc};
use ferrogram_tl_types::{TlRead, TlWrite, enums, functions as f, types};
use getrandom::SysRng;
use rand_core::UnwrapErr;

fn now() -> UnixNanos {
    UnixNanos(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    )
}

/// A fresh directory for one test's state file, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "ferrogram-testdc-persist-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn file(&self) -> PathBuf {
        self.0.join("state.bin")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn with_state(path: &Path) -> Config {
    Config {
        state_file: Some(path.to_path_buf()),
        ..Config::default()
    }
}

/// Our client session over intermediate TCP to one DC.
struct Client {
    stream: TcpStream,
    enc: Encoder,
    dec: Decoder<Vec<u8>>,
    session: Session,
    auth_key: [u8; 256],
    first_salt: i64,
}

fn connect(dc: &TestDc) -> (TcpStream, Encoder, Decoder<Vec<u8>>) {
    let stream = TcpStream::connect(dc.addr()).unwrap();
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
    /// Makes a new auth key with `dc` (the handshake) and a session on it.
    fn handshake(dc: &TestDc) -> Self {
        let (mut stream, mut enc, mut dec) = connect(dc);
        let keys = [*dc.public_key()];
        let mut rng = UnwrapErr(SysRng);
        let mut hs = ClientHandshake::new(ClientConfig::new(&keys, 2), now(), &mut rng);
        let (mut msg, mut wire, mut chunk) = ([0u8; 1024], [0u8; 1200], [0u8; 4096]);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !hs.is_done() {
            if let Some(n) = hs.poll_transmit(now(), &mut msg).unwrap() {
                let w = enc
                    .encode(&msg[..n], EncodeOptions::default(), &mut rng, &mut wire)
                    .unwrap();
                stream.write_all(&wire[..w]).unwrap();
            }
            let n = loop {
                assert!(Instant::now() < deadline, "no handshake answer in 20 s");
                match stream.read(&mut chunk) {
                    Ok(0) => panic!("the DC closed the connection"),
                    Ok(n) => break n,
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                    Err(e) => panic!("read: {e}"),
                }
            };
            let mut input = &chunk[..n];
            while let Some(event) = dec.decode(&mut input).unwrap() {
                let transport::Event::Packet { payload, .. } = event else {
                    panic!("transport event {event:?}");
                };
                let payload = payload.to_vec();
                hs.handle_packet(now(), &payload, &mut rng).unwrap();
            }
        }
        let key = hs.poll_result().unwrap();
        let mut c = Self::resume(dc, key.auth_key, key.first_salt);
        (c.stream, c.enc, c.dec) = (stream, enc, dec);
        c
    }

    /// A new session under an existing auth key: no handshake.
    fn resume(dc: &TestDc, auth_key: [u8; 256], first_salt: i64) -> Self {
        let (stream, enc, dec) = connect(dc);
        let mut sid = [0u8; 8];
        getrandom::fill(&mut sid).unwrap();
        let session = Session::new(
            Software,
            AuthKey::new(auth_key),
            i64::from_le_bytes(sid),
            first_salt,
            0,
            SessionConfig::default(),
            now(),
        );
        Client {
            stream,
            enc,
            dec,
            session,
            auth_key,
            first_salt,
        }
    }

    fn key_id(&self) -> u64 {
        AuthKey::new(self.auth_key).id_u64()
    }

    fn pump(&mut self) {
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
            self.stream.write_all(&wire[..n]).unwrap();
        }
        if self.session.poll_timeout().is_some_and(|t| t <= now()) {
            self.session.handle_timeout(now());
        }
        let mut chunk = [0u8; 64 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => panic!("the DC closed the connection"),
            Ok(n) => {
                let mut input = &chunk[..n];
                while let Some(event) = self.dec.decode(&mut input).unwrap() {
                    let transport::Event::Packet { payload, .. } = event else {
                        panic!("transport event {event:?} (an unknown auth key gets -404)");
                    };
                    let mut payload = payload.to_vec();
                    self.session.handle_packet(now(), &mut payload);
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("read: {e}"),
        }
        while self.session.poll_event().is_some() {}
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

    fn ok<T: TlRead>(&mut self, q: &impl TlWrite) -> T {
        let bytes = self.call(q).unwrap_or_else(|e| panic!("{e:?}"));
        T::from_bytes(&bytes).unwrap()
    }

    fn me(&mut self) -> types::User {
        let q = f::users::GetUsers {
            id: vec![enums::InputUser::InputUserSelf(types::InputUserSelf {})],
        };
        let mut users: Vec<enums::User> = self.ok(&q);
        assert_eq!(users.len(), 1);
        match users.pop().unwrap() {
            enums::User::User(u) => *u,
            other => panic!("{other:?}"),
        }
    }

    fn pts(&mut self) -> i32 {
        let enums::updates::State::State(s) = self.ok(&f::updates::GetState {});
        s.pts
    }

    /// `peer`'s chat as (id, text), oldest first.
    fn history(&mut self, peer: &types::User) -> Vec<(i32, String)> {
        let q = f::messages::GetHistory {
            peer: enums::InputPeer::User(types::InputPeerUser {
                user_id: peer.id,
                access_hash: peer.access_hash.unwrap(),
            }),
            offset_id: 0,
            offset_date: 0,
            add_offset: 0,
            limit: 0,
            max_id: 0,
            min_id: 0,
            hash: 0,
        };
        let messages = match self.ok::<enums::messages::Messages>(&q) {
            enums::messages::Messages::Messages(m) => m.messages,
            enums::messages::Messages::Slice(m) => m.messages,
            other => panic!("{other:?}"),
        };
        let mut out: Vec<(i32, String)> = messages
            .into_iter()
            .map(|m| match m {
                enums::Message::Message(m) => (m.id, m.message),
                other => panic!("{other:?}"),
            })
            .collect();
        out.sort_unstable();
        out
    }

    fn send_text(&mut self, to: i64, access_hash: i64, text: &str) -> i32 {
        let send = f::messages::SendMessage {
            no_webpage: false,
            silent: false,
            background: false,
            clear_draft: false,
            noforwards: false,
            update_stickersets_order: false,
            invert_media: false,
            allow_paid_floodskip: false,
            peer: enums::InputPeer::User(types::InputPeerUser {
                user_id: to,
                access_hash,
            }),
            reply_to: None,
            message: text.into(),
            random_id: i64::from(text.len() as u32) << 8 | 7,
            reply_markup: None,
            entities: None,
            schedule_date: None,
            schedule_repeat_period: None,
            send_as: None,
            quick_reply_shortcut: None,
            effect: None,
            allow_paid_stars: None,
            suggested_post: None,
            rich_message: None,
        };
        match self.ok::<enums::Updates>(&send) {
            enums::Updates::UpdateShortSentMessage(s) => s.id,
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_restart_keeps_keys_logins_messages_and_pts() {
    let dir = TempDir::new("restart");
    let file = dir.file();
    let dc = TestDc::start(with_state(&file)).unwrap();

    // A bot logs in through the API with its token; Alice's key is logged in directly.
    let (bot_id, token) = dc.create_bot("Persist", "persist_bot");
    let mut bot = Client::handshake(&dc);
    let auth: enums::auth::Authorization = bot.ok(&f::auth::ImportBotAuthorization {
        flags: 0,
        api_id: 1,
        api_hash: "0".repeat(32),
        bot_auth_token: token,
    });
    assert!(matches!(auth, enums::auth::Authorization::Authorization(_)));
    let mut alice = Client::handshake(&dc);
    dc.log_in(alice.key_id(), FIRST_USER_ID);
    let alice_user = alice.me();
    let bot_user = bot.me();
    assert!(bot_user.bot);
    bot.send_text(
        FIRST_USER_ID,
        alice_user.access_hash.unwrap(),
        "before the restart",
    );
    let history = alice.history(&bot_user);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].1, "before the restart");
    let pts = alice.pts();
    assert_eq!(pts, 1);
    let keys = [
        (bot.auth_key, bot.first_salt),
        (alice.auth_key, alice.first_salt),
    ];
    drop((bot, alice));
    drop(dc);
    assert!(file.exists(), "no state file after the DC stopped");
    let mut tmp = file.clone().into_os_string();
    tmp.push(".tmp");
    assert!(!Path::new(&tmp).exists(), "a temp file was left behind");

    // A new DC (new port, new process state) on the same file.
    let dc = TestDc::start(with_state(&file)).unwrap();
    assert_eq!(dc.auth_key_count(), 2);
    let mut bot = Client::resume(&dc, keys[0].0, keys[0].1);
    let mut alice = Client::resume(&dc, keys[1].0, keys[1].1);
    assert!(dc.auth_key(bot.key_id()).unwrap().auth_key == keys[0].0);
    assert_eq!(dc.logged_in_user(bot.key_id()), Some(bot_id));
    // Encrypted calls under the old keys: still the same users.
    let bot_again = bot.me();
    assert_eq!(
        (bot_again.id, bot_again.bot, bot_again.username.as_deref()),
        (bot_id, true, Some("persist_bot"))
    );
    assert_eq!(alice.me().id, FIRST_USER_ID);
    assert_eq!(alice.history(&bot_user), history);
    assert_eq!(alice.pts(), pts);
    // The counters go on from where they were (no id or pts is reused).
    let id = bot.send_text(FIRST_USER_ID, alice_user.access_hash.unwrap(), "after");
    assert_eq!(id, 2, "the bot's box continues");
    let both = alice.history(&bot_user);
    assert_eq!(both.len(), 2);
    assert_eq!(both[0], history[0]);
    assert_eq!(both[1], (history[0].0 + 1, "after".to_string()));
    assert_eq!(alice.pts(), pts + 1);
    drop((bot, alice));
    drop(dc);

    // And once more: the second message was saved too.
    let dc = TestDc::start(with_state(&file)).unwrap();
    let mut alice = Client::resume(&dc, keys[1].0, keys[1].1);
    assert_eq!(alice.history(&bot_user), both);
    assert_eq!(dc.messages().len(), 2);
    // `bot` finds the existing bot rather than making a second one (`--bot` on a restart).
    assert_eq!(dc.bot("Persist", "persist_bot").0, bot_id);
}

#[test]
fn changes_are_written_without_a_stop() {
    let dir = TempDir::new("debounce");
    let file = dir.file();
    let dc = TestDc::start(with_state(&file)).unwrap();
    let (bot, _) = dc.create_bot("Later", "later_bot");
    // Written within the debounce interval, while the DC runs.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        // Copy the file as it is now, and load the copy in a DC of its own.
        if let Ok(bytes) = std::fs::read(&file) {
            let copy = dir.0.join("copy.bin");
            std::fs::write(&copy, bytes).unwrap();
            let other = TestDc::start(with_state(&copy)).unwrap();
            let found = other.bot("x", "later_bot").0;
            drop(other);
            if found == bot {
                break;
            }
        }
        assert!(Instant::now() < deadline, "the bot was not written in 5 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_missing_file_starts_fresh_and_is_written() {
    let dir = TempDir::new("fresh");
    let file = dir.file();
    assert!(!file.exists());
    let dc = TestDc::start(with_state(&file)).unwrap();
    assert_eq!(dc.auth_key_count(), 0);
    dc.save_state().unwrap();
    assert!(file.exists());
}

#[test]
fn a_cluster_keeps_every_dcs_keys_in_one_file() {
    let dir = TempDir::new("cluster");
    let file = dir.file();
    let dcs = TestDc::start_cluster(with_state(&file), &[1, 2, 3]).unwrap();
    let on_1 = Client::handshake(&dcs[0]).auth_key;
    let on_3 = Client::handshake(&dcs[2]).auth_key;
    let id = |k: [u8; 256]| AuthKey::new(k).id_u64();
    drop(dcs);
    // Only DC 1 this time: DC 3's key must survive being written back.
    let dcs = TestDc::start_cluster(with_state(&file), &[1]).unwrap();
    assert!(dcs[0].auth_key(id(on_1)).is_some());
    assert!(dcs[0].auth_key(id(on_3)).is_none());
    dcs[0].save_state().unwrap();
    drop(dcs);
    let dcs = TestDc::start_cluster(with_state(&file), &[1, 2, 3]).unwrap();
    let counts: Vec<usize> = dcs.iter().map(TestDc::auth_key_count).collect();
    assert_eq!(counts, [1, 0, 1]);
    assert!(dcs[2].auth_key(id(on_3)).unwrap().auth_key == on_3);
}

/// A genuine state file (with a bot in it).
fn genuine(dir: &TempDir) -> Vec<u8> {
    let file = dir.file();
    let dc = TestDc::start(with_state(&file)).unwrap();
    dc.create_bot("Genuine", "genuine_bot");
    dc.save_state().unwrap();
    drop(dc);
    std::fs::read(&file).unwrap()
}

/// Starts a DC on `bytes`: the typed error, and the file must be left exactly as it was.
fn refused(dir: &TempDir, bytes: &[u8]) -> StateError {
    let file = dir.file();
    std::fs::write(&file, bytes).unwrap();
    let e = TestDc::start(with_state(&file))
        .err()
        .expect("the DC must refuse to start");
    assert_eq!(e.kind(), ErrorKind::InvalidData);
    assert!(e.to_string().contains(&file.display().to_string()), "{e}");
    assert_eq!(std::fs::read(&file).unwrap(), bytes, "the file was changed");
    let inner = e.into_inner().expect("a StateError inside");
    let state = *inner.downcast::<StateError>().expect("a StateError");
    assert_eq!(state.path(), file);
    state
}

/// `file` with its body replaced, the header and checksum made to match.
fn resealed(file: &[u8], body: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut out = file[..12].to_vec();
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
    let hash = Sha256::digest(&out);
    out.extend_from_slice(&hash);
    out
}

#[test]
fn an_unreadable_state_file_is_a_typed_error_and_is_left_alone() {
    let dir = TempDir::new("corrupt");
    let good = genuine(&dir);
    assert!(
        TestDc::start(with_state(&dir.file())).is_ok(),
        "the genuine file loads"
    );

    let e = refused(&dir, b"hello, I am not a state file");
    assert!(matches!(e, StateError::NotAStateFile { .. }), "{e:?}");
    let e = refused(&dir, b"");
    assert!(matches!(e, StateError::NotAStateFile { .. }), "{e:?}");

    let mut other_version = good.clone();
    other_version[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let e = refused(&dir, &other_version);
    assert!(
        matches!(e, StateError::Version { found, supported, .. }
            if found == FORMAT_VERSION + 1 && supported == FORMAT_VERSION),
        "{e:?}"
    );

    let cut = &good[..good.len() - 10];
    let e = refused(&dir, cut);
    assert!(
        matches!(e, StateError::Truncated { len, expected, .. }
            if len == cut.len() as u64 && expected == good.len() as u64),
        "{e:?}"
    );
    let e = refused(&dir, &good[..15]);
    assert!(matches!(e, StateError::Truncated { .. }), "{e:?}");

    let mut longer = good.clone();
    longer.push(0);
    let e = refused(&dir, &longer);
    assert!(matches!(e, StateError::TrailingBytes { .. }), "{e:?}");

    let mut flipped = good.clone();
    let mid = good.len() / 2;
    flipped[mid] ^= 0x40;
    let e = refused(&dir, &flipped);
    assert!(matches!(e, StateError::Checksum { .. }), "{e:?}");
    assert!(e.to_string().contains("checksum"), "{e}");

    // A sealed file whose body is cut short or has extra bytes: the checksum is right, the
    // content is not.
    let body = &good[20..good.len() - 32];
    let e = refused(&dir, &resealed(&good, &body[..body.len() - 3]));
    assert!(matches!(e, StateError::Malformed { .. }), "{e:?}");
    let mut extra = body.to_vec();
    extra.extend_from_slice(&[1, 2, 3]);
    let e = refused(&dir, &resealed(&good, &extra));
    assert!(
        matches!(&e, StateError::Malformed { what, .. } if what.contains("left over")),
        "{e:?}"
    );
}
