//! The updates stream: a second client receives what the first sends, updates that arrive
//! during other calls are kept in order, and a bot answers a user who wrote to it first
//! (the echo bot's loop).

use std::time::{Duration, Instant};

use ferrogram_client_std::{Client, ClientBuilder, Message, PeerId, Update};
use ferrogram_testdc::world::FIRST_USER_ID as ALICE;
use ferrogram_testdc::{Config, TestDc};

const API_HASH: &str = "0123456789abcdef0123456789abcdef";
const WAIT: Duration = Duration::from_secs(10);

fn builder(dc: &TestDc) -> ClientBuilder {
    Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
}

fn bot(dc: &TestDc) -> (Client, i64) {
    let (id, token) = dc.create_bot("Echo bot", "echo_bot");
    let mut c = builder(dc).connect().unwrap();
    c.login_bot(&token).unwrap();
    (c, id)
}

/// Alice, logged in with the login code (the test DC's code for DC 2 is 22222).
fn alice(dc: &TestDc) -> Client {
    let mut c = builder(dc).connect().unwrap();
    let token = c.request_login_code("+15550000001").unwrap();
    assert_eq!(c.sign_in(&token, "22222").unwrap().id, ALICE);
    c
}

fn next_message(c: &mut Client) -> Message {
    match c.next_update(WAIT).unwrap() {
        Some(Update::NewMessage(m)) => m,
        Some(other) => panic!("unexpected update {other:?}"),
        None => panic!("no update within {WAIT:?}"),
    }
}

#[test]
fn a_second_client_receives_the_message_as_an_update() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut alice = alice(&dc);
    let (mut bot, bot_id) = bot(&dc);
    bot.send_message(ALICE, "disk almost full").unwrap();

    let m = next_message(&mut alice);
    assert_eq!(m.text, "disk almost full");
    assert_eq!(m.chat, PeerId::User(bot_id));
    assert_eq!(m.sender, Some(PeerId::User(bot_id)));
    assert!(!m.outgoing);
    assert!(m.id > 0 && m.date > 0, "{m:?}");
    // Exactly once: nothing else is pending.
    assert_eq!(alice.next_update(Duration::from_millis(300)).unwrap(), None);
}

#[test]
fn updates_that_arrive_during_calls_are_kept_in_order() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut alice = alice(&dc);
    let (mut bot, _) = bot(&dc);
    for i in 0..5 {
        bot.send_message(ALICE, &format!("alert {i}")).unwrap();
    }
    // Alice makes other calls while the pushes arrive; they are queued, not lost.
    let deadline = Instant::now() + WAIT;
    while dc.messages().len() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..3 {
        alice.get_me().unwrap();
    }
    let texts: Vec<String> = (0..5).map(|_| next_message(&mut alice).text).collect();
    assert_eq!(
        texts,
        ["alert 0", "alert 1", "alert 2", "alert 3", "alert 4"]
    );
}

#[test]
fn a_bot_answers_a_user_who_wrote_first() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut alice = alice(&dc);
    let (mut bot, bot_id) = bot(&dc);
    // Alice meets the bot by its @username and writes to it.
    alice
        .invoke(
            &ferrogram_client_std::tl::functions::contacts::ResolveUsername {
                username: "echo_bot".into(),
                referer: None,
            },
        )
        .unwrap();
    alice.send_message(bot_id, "ping").unwrap();

    // The bot has never met Alice; the update names her and the bot may answer by id.
    let m = next_message(&mut bot);
    assert_eq!((m.chat, m.text.as_str()), (PeerId::User(ALICE), "ping"));
    assert!(
        bot.peers().user(ALICE).is_none(),
        "not met before answering"
    );
    bot.send_message(m.chat.marked(), &m.text).unwrap();
    assert!(bot.peers().user(ALICE).is_some(), "met by id");

    let echo = next_message(&mut alice);
    assert_eq!(
        (echo.chat, echo.text.as_str()),
        (PeerId::User(bot_id), "ping")
    );
}

#[test]
fn next_update_with_nothing_pending_returns_none_after_the_timeout() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut bot, _) = bot(&dc);
    let t = Instant::now();
    assert_eq!(bot.next_update(Duration::from_millis(200)).unwrap(), None);
    assert!(t.elapsed() >= Duration::from_millis(200));
    assert_eq!(bot.next_update(Duration::ZERO).unwrap(), None);
}
