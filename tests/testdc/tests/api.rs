//! The test DC's API slice, called directly with serialized queries (no network).

use ferrogram_testdc::api::{self, Caller};
use ferrogram_testdc::world::{FIRST_USER_ID, World};
use ferrogram_tl_types::functions::{self as f, InitConnection, InvokeWithLayer};
use ferrogram_tl_types::{TlRead, TlWrite, enums, types};

const BOT_KEY: u64 = 0xB07;
const ALICE_KEY: u64 = 0xA11CE;

fn caller(key: u64) -> Caller {
    Caller {
        auth_key_id: key,
        now: 1_790_000_000,
        dc_id: 2,
        port: 44300,
    }
}

fn call(world: &mut World, key: u64, q: &impl TlWrite) -> api::Answer {
    api::call(world, &caller(key), &q.to_bytes().unwrap())
}

fn err(world: &mut World, key: u64, q: &impl TlWrite) -> (i32, String) {
    let e = call(world, key, q).result.unwrap_err();
    (e.code, e.message)
}

fn import_bot(world: &mut World, token: &str) -> api::Answer {
    call(
        world,
        BOT_KEY,
        &f::auth::ImportBotAuthorization {
            flags: 0,
            api_id: 1,
            api_hash: "0".repeat(32),
            bot_auth_token: token.into(),
        },
    )
}

#[test]
fn config_through_layer_and_init_connection() {
    let mut w = World::new();
    let q = InvokeWithLayer {
        layer: 229,
        query: InitConnection {
            api_id: 1,
            device_model: "test".into(),
            system_version: "1".into(),
            app_version: "1".into(),
            system_lang_code: "en".into(),
            lang_pack: String::new(),
            lang_code: "en".into(),
            proxy: None,
            params: None,
            query: f::help::GetConfig {},
        },
    };
    let bytes = call(&mut w, BOT_KEY, &q).result.unwrap();
    let enums::Config::Config(cfg) = enums::Config::from_bytes(&bytes).unwrap();
    assert_eq!(cfg.this_dc, 2);
    assert!(!cfg.test_mode, "production mode unless asked");
    w.set_test_mode(true);
    let bytes = call(&mut w, BOT_KEY, &q).result.unwrap();
    let enums::Config::Config(cfg) = enums::Config::from_bytes(&bytes).unwrap();
    assert!(cfg.test_mode, "--test-mode");
    let enums::DcOption::DcOption(dc) = &cfg.dc_options[0];
    assert_eq!(
        (dc.id, dc.ip_address.as_str(), dc.port),
        (2, "127.0.0.1", 44300)
    );
}

#[test]
fn before_login_calls_are_401_and_bad_tokens_refused() {
    let mut w = World::new();
    let self_q = f::users::GetUsers {
        id: vec![enums::InputUser::InputUserSelf(types::InputUserSelf {})],
    };
    assert_eq!(
        err(&mut w, BOT_KEY, &self_q),
        (401, "AUTH_KEY_UNREGISTERED".into())
    );
    assert_eq!(
        err(&mut w, BOT_KEY, &f::updates::GetState {}),
        (401, "AUTH_KEY_UNREGISTERED".into())
    );
    let bad = import_bot(&mut w, "123:nope").result.unwrap_err();
    assert_eq!(
        (bad.code, bad.message.as_str()),
        (401, "ACCESS_TOKEN_INVALID")
    );
}

#[test]
fn a_bot_logs_in_and_messages_a_user_who_gets_the_update() {
    let mut w = World::new();
    let (bot_id, token) = w.create_bot("Alert bot", "alert_bot");
    w.log_in(ALICE_KEY, FIRST_USER_ID);

    let auth = import_bot(&mut w, &token).result.unwrap();
    let enums::auth::Authorization::Authorization(auth) =
        enums::auth::Authorization::from_bytes(&auth).unwrap()
    else {
        panic!("sign-up required?")
    };
    let enums::User::User(me) = &auth.user else {
        panic!("empty user")
    };
    assert!(me.self_ && me.bot);
    assert_eq!(me.id, bot_id);

    // get_me as Telethon and Kurigram do it.
    let me_q = f::users::GetUsers {
        id: vec![enums::InputUser::InputUserSelf(types::InputUserSelf {})],
    };
    let users = Vec::<enums::User>::from_bytes(&call(&mut w, BOT_KEY, &me_q).result.unwrap());
    assert_eq!(users.unwrap().len(), 1);
    let full = f::users::GetFullUser {
        id: enums::InputUser::InputUserSelf(types::InputUserSelf {}),
    };
    let full = call(&mut w, BOT_KEY, &full).result.unwrap();
    let enums::users::UserFull::UserFull(full) = enums::users::UserFull::from_bytes(&full).unwrap();
    assert_eq!(full.users.len(), 1);

    // Resolve Alice with access_hash 0 (bots may), then message her.
    let alice_q = f::users::GetUsers {
        id: vec![enums::InputUser::InputUser(types::InputUser {
            user_id: FIRST_USER_ID,
            access_hash: 0,
        })],
    };
    let found =
        Vec::<enums::User>::from_bytes(&call(&mut w, BOT_KEY, &alice_q).result.unwrap()).unwrap();
    let enums::User::User(alice) = &found[0] else {
        panic!()
    };
    assert_eq!(alice.first_name.as_deref(), Some("Alice"));
    assert_eq!(alice.phone, None, "no phone for others");

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
            user_id: FIRST_USER_ID,
            access_hash: alice.access_hash.unwrap(),
        }),
        reply_to: None,
        message: "disk almost full".into(),
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
        rich_message: None,
    };
    let answer = call(&mut w, BOT_KEY, &send);
    let sent = enums::Updates::from_bytes(&answer.result.unwrap()).unwrap();
    let enums::Updates::UpdateShortSentMessage(sent) = sent else {
        panic!("{sent:?}")
    };
    assert_eq!((sent.id, sent.pts, sent.pts_count), (1, 1, 1));

    assert_eq!(answer.pushes.len(), 1);
    assert_eq!(answer.pushes[0].auth_key_id, ALICE_KEY);
    let enums::Updates::UpdateShortMessage(m) =
        enums::Updates::from_bytes(&answer.pushes[0].update).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (m.user_id, m.message.as_str(), m.id),
        (bot_id, "disk almost full", 1)
    );
    assert_eq!(w.messages().len(), 1);

    // The same random_id again (a client re-sending after a lost answer): nothing is stored
    // or pushed; the answer names the first message, as Telegram's does.
    let again = call(&mut w, BOT_KEY, &send);
    assert!(again.pushes.is_empty());
    let enums::Updates::Updates(u) = enums::Updates::from_bytes(&again.result.unwrap()).unwrap()
    else {
        panic!("not updates")
    };
    let [enums::Update::MessageId(id), enums::Update::NewMessage(new)] = &u.updates[..] else {
        panic!("{:?}", u.updates)
    };
    assert_eq!((id.id, id.random_id), (1, 42));
    assert_eq!((new.pts, new.pts_count), (1, 0));
    let enums::Message::Message(m) = &new.message else {
        panic!()
    };
    assert_eq!(
        (m.id, m.message.as_str(), m.out),
        (1, "disk almost full", true)
    );
    assert_eq!(w.messages().len(), 1);
    // Another random_id is another message.
    let mut second = send.clone();
    second.random_id = 43;
    let answer = call(&mut w, BOT_KEY, &second);
    let enums::Updates::UpdateShortSentMessage(s2) =
        enums::Updates::from_bytes(&answer.result.unwrap()).unwrap()
    else {
        panic!()
    };
    assert_eq!(s2.id, 2);
    assert_eq!(w.messages().len(), 2);

    // Empty text and unknown peers get Telegram's errors.
    let mut empty = send.clone();
    empty.message = "  ".into();
    assert_eq!(err(&mut w, BOT_KEY, &empty), (400, "MESSAGE_EMPTY".into()));
    let mut nobody = send;
    nobody.peer = enums::InputPeer::User(types::InputPeerUser {
        user_id: 5,
        access_hash: 0,
    });
    assert_eq!(
        err(&mut w, BOT_KEY, &nobody),
        (400, "PEER_ID_INVALID".into())
    );
}

#[test]
fn unknown_methods_and_damaged_queries_get_rpc_errors() {
    let mut w = World::new();
    let (code, msg) = err(&mut w, BOT_KEY, &f::help::GetAppConfig { hash: 0 });
    assert_eq!(code, 400);
    assert!(
        msg.starts_with("INPUT_METHOD_INVALID") && msg.contains("help.getAppConfig"),
        "{msg}"
    );

    let mut bytes = f::users::GetUsers { id: vec![] }.to_bytes().unwrap();
    bytes.truncate(6);
    let e = api::call(&mut w, &caller(BOT_KEY), &bytes)
        .result
        .unwrap_err();
    assert_eq!(e.code, 400);
    assert!(
        e.message.starts_with("INPUT_REQUEST_INVALID"),
        "{}",
        e.message
    );
}

#[test]
fn a_user_signs_up_signs_in_and_catches_up_with_get_difference() {
    let mut w = World::new();
    let (_, token) = w.create_bot("Alert bot", "alert_bot");
    import_bot(&mut w, &token).result.unwrap();
    const NEW_KEY: u64 = 0x5EED;
    let send_code = |w: &mut World, phone: &str| {
        let q = f::auth::SendCode {
            phone_number: phone.into(),
            api_id: 1,
            api_hash: "0".repeat(32),
            settings: enums::CodeSettings::CodeSettings(types::CodeSettings {
                allow_flashcall: false,
                current_number: false,
                allow_app_hash: false,
                allow_missed_call: false,
                allow_firebase: false,
                unknown_number: false,
                logout_tokens: None,
                token: None,
                app_sandbox: None,
            }),
        };
        let sent = call(w, NEW_KEY, &q).result.unwrap();
        let enums::auth::SentCode::SentCode(sent) =
            enums::auth::SentCode::from_bytes(&sent).unwrap()
        else {
            panic!()
        };
        sent.phone_code_hash
    };
    let sign_in = |hash: &str, phone: &str, code: &str| f::auth::SignIn {
        phone_number: phone.into(),
        phone_code_hash: hash.into(),
        phone_code: Some(code.into()),
        email_verification: None,
    };

    // Alice exists: a wrong code, then the DC's code ("22222" on DC 2).
    let hash = send_code(&mut w, "+1 555 000 0001");
    assert_eq!(api::login_code(2), "22222");
    assert_eq!(
        err(&mut w, NEW_KEY, &sign_in(&hash, "15550000001", "11111")),
        (400, "PHONE_CODE_INVALID".into())
    );
    assert_eq!(
        err(&mut w, NEW_KEY, &sign_in("bogus", "15550000001", "22222")),
        (400, "PHONE_CODE_EXPIRED".into())
    );
    call(&mut w, NEW_KEY, &sign_in(&hash, "15550000001", "22222"))
        .result
        .unwrap();
    assert_eq!(w.logged_in(NEW_KEY), Some(FIRST_USER_ID));

    // A new number must sign up first.
    const BOB_KEY: u64 = 0xB0B;
    let hash = send_code(&mut w, "15550000002");
    let q = sign_in(&hash, "15550000002", "22222");
    let answer = api::call(&mut w, &caller(BOB_KEY), &q.to_bytes().unwrap())
        .result
        .unwrap();
    assert!(matches!(
        enums::auth::Authorization::from_bytes(&answer).unwrap(),
        enums::auth::Authorization::SignUpRequired(_)
    ));
    let up = f::auth::SignUp {
        no_joined_notifications: false,
        phone_number: "15550000002".into(),
        phone_code_hash: hash,
        first_name: "Bob".into(),
        last_name: String::new(),
    };
    api::call(&mut w, &caller(BOB_KEY), &up.to_bytes().unwrap())
        .result
        .unwrap();
    assert!(w.logged_in(BOB_KEY).is_some());

    // The bot writes to Alice; her getDifference from pts 0 returns the message and the bot.
    w.send(
        w.logged_in(BOT_KEY).unwrap(),
        FIRST_USER_ID,
        1_790_000_000,
        "hi Alice",
    );
    let diff = f::updates::GetDifference {
        pts: 0,
        pts_limit: None,
        pts_total_limit: None,
        date: 0,
        qts: 0,
        qts_limit: None,
    };
    let d = call(&mut w, NEW_KEY, &diff).result.unwrap();
    let enums::updates::Difference::Difference(d) =
        enums::updates::Difference::from_bytes(&d).unwrap()
    else {
        panic!("expected a difference")
    };
    let enums::Message::Message(m) = &d.new_messages[0] else {
        panic!()
    };
    assert_eq!((m.id, m.out, m.message.as_str()), (1, false, "hi Alice"));
    assert_eq!(d.users.len(), 2);
    let mut at_end = diff.clone();
    at_end.pts = 1;
    let d = call(&mut w, NEW_KEY, &at_end).result.unwrap();
    assert!(matches!(
        enums::updates::Difference::from_bytes(&d).unwrap(),
        enums::updates::Difference::Empty(_)
    ));
}
