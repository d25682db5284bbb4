//! The client against the in-process test DC: login, get_me, send_message (checked in
//! Alice's own history), flood waits, reconnects, timeouts and the errors users meet.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use ferrogram_client_std::tl::{enums, functions as f, types};
use ferrogram_client_std::{Client, ClientBuilder, Error};
use ferrogram_testdc::faults::Faults;
use ferrogram_testdc::world::FIRST_USER_ID as ALICE;
use ferrogram_testdc::{Config, TestDc};

const API_HASH: &str = "0123456789abcdef0123456789abcdef";

fn builder(dc: &TestDc) -> ClientBuilder {
    Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
}

/// A bot client logged in on `dc`; returns it and the bot's id.
fn bot(dc: &TestDc, b: ClientBuilder) -> (Client, i64) {
    let (id, token) = dc.create_bot("Alert bot", "alert_bot");
    let mut c = b.connect().expect("connects");
    let me = c.login_bot(&token).expect("bot login");
    assert_eq!(me.id, id);
    (c, id)
}

fn with(dc: &TestDc, change: impl FnOnce(&mut Faults)) {
    let mut faults = dc.faults();
    change(&mut faults);
    dc.set_faults(faults);
}

/// Meets a user the way a bot can: resolving its @username.
fn resolve(c: &mut Client, username: &str) -> i64 {
    let enums::contacts::ResolvedPeer::ResolvedPeer(r) = c
        .invoke(&f::contacts::ResolveUsername {
            username: username.into(),
            referer: None,
        })
        .expect("resolves");
    match r.peer {
        enums::Peer::User(u) => u.user_id,
        other => panic!("not a user: {other:?}"),
    }
}

#[test]
fn bot_login_then_get_me() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (id, token) = dc.create_bot("Alert bot", "alert_bot");
    let mut c = builder(&dc).connect().unwrap();
    assert!(
        matches!(c.get_me(), Err(Error::NotLoggedIn)),
        "not logged in yet"
    );
    let me = c.login_bot(&token).unwrap();
    assert_eq!((me.id, me.bot), (id, true));
    assert_eq!(me.username.as_deref(), Some("alert_bot"));
    let again = c.get_me().unwrap();
    assert_eq!(again.id, id);
    assert_eq!(dc.logged_in_user(c.connection().auth_key_id()), Some(id));
    assert_eq!(c.connection().reconnects(), 0);
}

#[test]
fn a_wrong_token_is_refused_with_advice() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut c = builder(&dc).connect().unwrap();
    let e = c.login_bot("123:nope").unwrap_err();
    let Error::Rpc(rpc) = &e else { panic!("{e:?}") };
    assert_eq!((rpc.code, rpc.name.as_str()), (401, "ACCESS_TOKEN_INVALID"));
    assert!(e.to_string().contains("@BotFather"), "{e}");
}

#[test]
fn send_message_lands_in_alices_history() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot_id) = bot(&dc, builder(&dc));

    // No such user: a bot may look users up by id, but this one is not found; refused
    // with the explanation, and nothing is sent.
    let nobody = 999_999_999;
    let e = c.send_message(nobody, "too early").unwrap_err();
    assert!(
        matches!(e, Error::PeerUnknown { id } if id == nobody),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("PEER_ID_INVALID") && text.contains("Meet it first"),
        "{text}"
    );
    assert!(dc.messages().is_empty());

    assert_eq!(resolve(&mut c, "alice"), ALICE);
    assert!(c.peers().user(ALICE).is_some(), "met through the answer");
    let sent = c.send_message(ALICE, "disk almost full").unwrap();
    assert!(sent.id > 0);
    assert_eq!(
        dc.messages(),
        [(bot_id, ALICE, "disk almost full".to_string())]
    );

    // Alice, logged in with the login code on a second client, reads it in her history.
    let mut alice = builder(&dc).connect().unwrap();
    let login = alice.request_login_code("+15550000001").unwrap();
    alice.sign_in(&login, "22222").unwrap();
    assert_eq!(alice.get_me().unwrap().id, ALICE);
    assert_eq!(resolve(&mut alice, "alert_bot"), bot_id);
    let peer = alice.peers().input_peer(bot_id).unwrap();
    let history = alice
        .invoke(&f::messages::GetHistory {
            peer,
            offset_id: 0,
            offset_date: 0,
            add_offset: 0,
            limit: 10,
            max_id: 0,
            min_id: 0,
            hash: 0,
        })
        .unwrap();
    let messages = match history {
        enums::messages::Messages::Messages(m) => m.messages,
        enums::messages::Messages::Slice(m) => m.messages,
        other => panic!("{other:?}"),
    };
    let texts: Vec<(i32, String)> = messages
        .iter()
        .filter_map(|m| match m {
            enums::Message::Message(m) => Some((m.id, m.message.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(texts[0].1, "disk almost full");
}

#[test]
fn a_short_flood_wait_is_slept_through_a_long_one_returned() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot_id) = bot(
        &dc,
        builder(&dc).flood_sleep_threshold(Duration::from_secs(5)),
    );

    with(&dc, |f| {
        f.flood_wait_calls = 1;
        f.flood_wait_secs = 1;
    });
    let start = Instant::now();
    assert_eq!(c.get_me().unwrap().id, bot_id);
    assert!(start.elapsed() >= Duration::from_secs(1), "slept the wait");
    assert_eq!(dc.faults().flood_wait_calls, 0, "the wait was used");

    with(&dc, |f| {
        f.flood_wait_calls = 1;
        f.flood_wait_secs = 30;
    });
    let start = Instant::now();
    let e = c.get_me().unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "did not sleep 30 s"
    );
    let Error::Rpc(rpc) = &e else { panic!("{e:?}") };
    assert_eq!(rpc.flood_wait(), Some(30));
    assert!(e.to_string().contains("wait 30 s"), "{e}");
    assert_eq!(c.get_me().unwrap().id, bot_id, "the next call goes through");
}

#[test]
fn reconnects_when_the_dc_closes_mid_way_and_every_call_gets_its_own_answer() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot_id) = bot(&dc, builder(&dc));
    assert_eq!(resolve(&mut c, "alice"), ALICE);
    with(&dc, |f| f.close_after = Some(2));
    let mut ids = Vec::new();
    for i in 0..4 {
        // Alternate answer types: an answer delivered to the wrong call would not decode.
        assert_eq!(c.get_me().unwrap().id, bot_id);
        ids.push(c.send_message(ALICE, &format!("alert {i}")).unwrap().id);
    }
    assert!(
        c.connection().reconnects() >= 2,
        "eight calls over connections closed every 2 messages: {} reconnects",
        c.connection().reconnects()
    );
    let texts: Vec<String> = dc.messages().into_iter().map(|m| m.2).collect();
    // Every alert arrived exactly once. (A request whose answer the closed connection
    // swallowed is re-sent with the same random_id; the test DC, like Telegram, stores it
    // once and answers with the first message.)
    for i in 0..4 {
        let alert = format!("alert {i}");
        let stored = texts.iter().filter(|t| **t == alert).count();
        assert_eq!(stored, 1, "{alert} stored {stored} times: {texts:?}");
    }
    // One answer per call, each the call's own: distinct, increasing message ids.
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "answers in order: {ids:?}"
    );
}

#[test]
fn a_silent_dc_ends_the_request_with_a_timeout() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot_id) = bot(
        &dc,
        builder(&dc).request_timeout(Duration::from_millis(400)),
    );
    with(&dc, |f| f.delay = Duration::from_millis(1500));
    let start = Instant::now();
    let e = c.get_me().unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(e, Error::TimedOut { after } if after == Duration::from_millis(400)),
        "{e:?}"
    );
    assert!(
        took < Duration::from_millis(1400),
        "gave up in time: {took:?}"
    );
    assert!(
        e.to_string().contains("may or may not have been executed"),
        "{e}"
    );
    with(&dc, |f| f.delay = Duration::ZERO);
    std::thread::sleep(Duration::from_millis(1600));
    assert_eq!(c.get_me().unwrap().id, bot_id, "the client still works");
}

#[test]
fn logout_ends_the_login() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, _) = bot(&dc, builder(&dc));
    c.logout().unwrap();
    assert_eq!(dc.logged_in_user(c.connection().auth_key_id()), None);
    assert!(matches!(c.get_me(), Err(Error::NotLoggedIn)));
}

#[test]
fn an_untrusted_dc_key_fails_the_handshake() {
    let dc = TestDc::start(Config::default()).unwrap();
    // Only Telegram's built-in keys: the test DC's key is not among them.
    let e = Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .connect()
        .unwrap_err();
    assert!(matches!(e, Error::Handshake { dc_id: 2, .. }), "{e:?}");
    assert!(e.to_string().contains("add it to the builder"), "{e}");
}

#[test]
fn nothing_listening_is_a_connect_error_after_the_retries() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let e = Client::builder(1, API_HASH)
        .dc(2, port)
        .connect_attempts(2)
        .connect()
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Connect {
                dc_id: 2,
                attempts: 2,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn bad_settings_are_config_errors() {
    let e = Client::builder(0, API_HASH).connect().unwrap_err();
    assert!(matches!(e, Error::Config(_)) && e.to_string().contains("my.telegram.org"));
    let e = Client::builder(1, "").connect().unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
    let e = Client::builder(1, API_HASH)
        .home_dc(9)
        .connect()
        .unwrap_err();
    assert!(e.to_string().contains("no address for DC 9"), "{e}");
}

/// DCs 1 and 2 over one world; a client that knows both addresses and starts on DC 2.
fn cluster() -> (Vec<TestDc>, ClientBuilder) {
    let dcs = TestDc::start_cluster(Config::default(), &[1, 2]).unwrap();
    let b = Client::builder(1, API_HASH)
        .dc(1, dcs[0].addr())
        .dc(2, dcs[1].addr())
        .trust_key(*dcs[0].public_key())
        .trust_key(*dcs[1].public_key());
    (dcs, b)
}

#[test]
fn a_bot_whose_home_is_another_dc_logs_in_there() {
    let (dcs, b) = cluster();
    let (bot_id, token) = dcs[1].create_bot("Alert bot", "alert_bot");
    dcs[1].set_home_dc(bot_id, 1);
    let mut c = b.connect().unwrap();
    assert_eq!(c.home_dc(), 2);
    assert_eq!(c.login_bot(&token).unwrap().id, bot_id);
    assert_eq!(c.home_dc(), 1, "followed USER_MIGRATE_1");
    let key = c.connection().auth_key_id();
    assert_eq!(dcs[0].logged_in_user(key), Some(bot_id));
    assert_eq!(c.get_me().unwrap().id, bot_id);
}

#[test]
fn a_logged_in_client_carries_its_login_to_the_new_home_dc() {
    let (dcs, b) = cluster();
    let (bot_id, token) = dcs[1].create_bot("Alert bot", "alert_bot");
    let mut c = b.connect().unwrap();
    c.login_bot(&token).unwrap();
    let old_key = c.connection().auth_key_id();
    dcs[1].set_home_dc(bot_id, 1);
    // Refused on DC 2 with USER_MIGRATE_1: exported there, imported on DC 1, repeated.
    assert_eq!(c.get_me().unwrap().id, bot_id);
    assert_eq!(c.home_dc(), 1);
    let new_key = c.connection().auth_key_id();
    assert_ne!(new_key, old_key);
    assert_eq!(dcs[0].logged_in_user(new_key), Some(bot_id));
}

#[test]
fn a_dc_that_hangs_up_during_the_key_exchange_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        // Accept, read the first bytes, hang up.
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 64];
        let _ = std::io::Read::read(&mut s, &mut buf);
    });
    let e = Client::builder(1, API_HASH)
        .dc(2, addr)
        .connect()
        .unwrap_err();
    server.join().unwrap();
    let Error::Connect { source, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(source.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");
}

#[test]
fn every_plain_transport_works() {
    use ferrogram_client_std::TransportKind;
    let dc = TestDc::start(Config::default()).unwrap();
    let (id, token) = dc.create_bot("Alert bot", "alert_bot");
    for kind in [
        TransportKind::Abridged,
        TransportKind::Intermediate,
        TransportKind::PaddedIntermediate,
        TransportKind::Full,
    ] {
        let mut c = builder(&dc).transport(kind).connect().unwrap();
        assert_eq!(c.login_bot(&token).unwrap().id, id, "{kind}");
        assert_eq!(c.get_me().unwrap().id, id, "{kind}");
    }
    assert_eq!(dc.auth_key_count(), 4);
}

#[test]
fn debug_output_keeps_the_api_hash_secret() {
    let b = Client::builder(1, API_HASH);
    let shown = format!("{b:?}");
    assert!(
        shown.contains("api_id: 1") && !shown.contains(API_HASH),
        "{shown}"
    );
}

#[test]
fn revoked_and_duplicated_sessions_are_typed_relogin_errors() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, _) = bot(&dc, builder(&dc));
    with(&dc, |f| {
        f.rpc_error = Some((406, "AUTH_KEY_DUPLICATED".into()))
    });
    let e = c.get_me().unwrap_err();
    assert!(matches!(e, Error::AuthKeyDuplicated), "{e:?}");
    assert!(e.to_string().contains("two connections at once"), "{e}");
    with(&dc, |f| f.rpc_error = Some((401, "SESSION_REVOKED".into())));
    let e = c.get_me().unwrap_err();
    assert!(matches!(e, Error::NotLoggedIn), "{e:?}");
    assert!(e.to_string().contains("log in again"), "{e}");
    // Other errors stay rpc errors with their names.
    with(&dc, |f| f.rpc_error = Some((400, "MESSAGE_EMPTY".into())));
    let Error::Rpc(rpc) = c.get_me().unwrap_err() else {
        panic!("not an rpc error")
    };
    assert_eq!((rpc.code, rpc.name.as_str()), (400, "MESSAGE_EMPTY"));
    // Each was armed once: the session itself is fine.
    assert!(c.get_me().is_ok());
}

#[test]
fn close_acknowledges_what_was_received_and_disconnect_does_not() {
    let dc = TestDc::start(Config::default()).unwrap();
    let settle = |key: u64, want_zero: bool| {
        let until = Instant::now() + Duration::from_millis(500);
        while (dc.unacknowledged(key) == 0) != want_zero && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        dc.unacknowledged(key)
    };
    let (mut c, _) = bot(&dc, builder(&dc));
    c.get_me().unwrap();
    let key = c.connection().auth_key_id();
    assert!(dc.unacknowledged(key) > 0, "answers wait for the ack delay");
    c.disconnect();
    assert!(
        settle(key, false) > 0,
        "a plain disconnect leaves them unacknowledged"
    );

    c.get_me().unwrap();
    c.close();
    assert_eq!(settle(key, true), 0, "close sent the acks");
    assert!(!c.connection().is_connected());
    // Still usable.
    c.get_me().unwrap();
}

/// A document stored at DC 4 (its uploader's home) is read by Alice from her home DC 2:
/// `FILE_MIGRATE_4` makes the client open a second connection to DC 4, carry the login
/// there, and run `upload.getFile` there; the home DC stays 2 and the connection is reused.
#[test]
fn file_migrate_runs_the_call_on_the_files_dc() {
    let dcs = TestDc::start_cluster(Config::default(), &[2, 4]).unwrap();
    let b = Client::builder(1, API_HASH)
        .dc(2, dcs[0].addr())
        .dc(4, dcs[1].addr())
        .trust_key(*dcs[0].public_key());
    let (bot_id, token) = dcs[0].create_bot("File bot", "file_bot");
    dcs[0].set_home_dc(bot_id, 4);
    let mut bot = b.clone().connect().unwrap();
    bot.login_bot(&token).unwrap();
    assert_eq!(bot.home_dc(), 4);
    resolve(&mut bot, "alice");
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
    assert!(
        bot.invoke(&f::upload::SaveFilePart {
            file_id: 77,
            file_part: 0,
            bytes: data.clone(),
        })
        .unwrap()
    );
    let peer = bot.peers().input_peer(ALICE).unwrap();
    bot.invoke(&f::messages::SendMedia {
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer,
        reply_to: None,
        media: enums::InputMedia::UploadedDocument(Box::new(types::InputMediaUploadedDocument {
            nosound_video: false,
            force_file: true,
            spoiler: false,
            file: enums::InputFile::InputFile(types::InputFile {
                id: 77,
                parts: 1,
                name: "report.bin".into(),
                md5_checksum: String::new(),
            }),
            thumb: None,
            mime_type: "application/octet-stream".into(),
            attributes: Vec::new(),
            stickers: None,
            video_cover: None,
            video_timestamp: None,
            ttl_seconds: None,
        })),
        message: "the report".into(),
        random_id: 42,
        reply_markup: None,
        entities: None,
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
        suggested_post: None,
    })
    .unwrap();
    let doc = dcs[0].documents().pop().expect("stored");
    assert_eq!(doc.dc_id, 4);

    let mut alice = b.connect().unwrap();
    let login = alice.request_login_code("+15550000001").unwrap();
    alice.sign_in(&login, "22222").unwrap();
    let get = |offset: i64| f::upload::GetFile {
        precise: false,
        cdn_supported: false,
        location: enums::InputFileLocation::InputDocumentFileLocation(
            types::InputDocumentFileLocation {
                id: doc.id,
                access_hash: doc.access_hash,
                file_reference: doc.file_reference.clone(),
                thumb_size: String::new(),
            },
        ),
        offset,
        limit: 4096,
    };
    let enums::upload::File::File(file) = alice.invoke(&get(0)).unwrap() else {
        panic!("not a file")
    };
    assert_eq!(file.bytes, data);
    assert_eq!(alice.home_dc(), 2, "the home DC stays");
    // The cluster's one world knows two keys as Alice: her home key and the DC 4 one the
    // login was carried to.
    let keys = dcs[1].logged_in_keys(ALICE);
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.contains(&alice.connection().auth_key_id()));
    // Again: the DC 4 connection is reused (no new key, no new login).
    alice.invoke(&get(0)).unwrap();
    assert_eq!(dcs[1].logged_in_keys(ALICE), keys);
}
