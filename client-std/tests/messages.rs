//! Reading messages against the in-process test DC: history pages (newest first, limits,
//! the end), messages by id, @username resolution; blocking and async.

use ferrogram_client_std::{Client, ClientBuilder, Error, PeerId};
use ferrogram_testdc::world::FIRST_USER_ID as ALICE;
use ferrogram_testdc::{Config, TestDc};

const API_HASH: &str = "0123456789abcdef0123456789abcdef";

fn builder(dc: &TestDc) -> ClientBuilder {
    Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
}

/// A DC where a bot sent Alice `n` messages ("burst 1" … "burst n"), and Alice's client.
fn alice_with_messages(n: u32) -> (TestDc, Client, i64) {
    let dc = TestDc::start(Config::default()).unwrap();
    let (bot, _) = dc.create_bot("History bot", "history_bot");
    dc.send_burst(bot, ALICE, n).unwrap();
    let mut alice = builder(&dc).connect().unwrap();
    let login = alice.request_login_code("+15550000001").unwrap();
    alice.sign_in(&login, "22222").unwrap();
    (dc, alice, bot)
}

#[test]
fn history_walks_every_page_newest_first() {
    let (_dc, mut alice, bot) = alice_with_messages(250);
    assert_eq!(
        alice.resolve_username("@history_bot").unwrap(),
        PeerId::User(bot)
    );
    let all: Vec<_> = alice
        .history(bot, None)
        .collect::<Result<_, Error>>()
        .unwrap();
    assert_eq!(all.len(), 250, "three pages: 100, 100, 50");
    let texts: Vec<_> = all.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts[0], "burst 250");
    assert_eq!(texts[249], "burst 1");
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "strictly older");
    assert!(
        all.iter()
            .all(|m| m.chat == PeerId::User(bot) && !m.outgoing)
    );

    let ten: Vec<_> = alice.history(bot, Some(10)).map(Result::unwrap).collect();
    assert_eq!(ten.len(), 10);
    assert_eq!(ten[9].text, "burst 241");
    assert_eq!(alice.history(bot, Some(0)).count(), 0);
}

#[test]
fn messages_by_id_in_the_order_asked() {
    let (_dc, mut alice, bot) = alice_with_messages(3);
    // Not met yet: a typed error before anything is sent.
    let e = alice.history(bot, None).next().unwrap().unwrap_err();
    assert!(matches!(e, Error::PeerUnknown { id } if id == bot), "{e:?}");
    alice.resolve_username("history_bot").unwrap();
    let ids: Vec<i32> = alice.history(bot, None).map(|m| m.unwrap().id).collect();
    let (newest, oldest) = (ids[0], ids[2]);
    let got = alice.get_messages(&[oldest, 999_999, newest]).unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].as_ref().map(|m| m.text.as_str()), Some("burst 1"));
    assert!(got[1].is_none(), "no such message");
    assert_eq!(got[2].as_ref().map(|m| m.text.as_str()), Some("burst 3"));
}

#[test]
fn unknown_usernames_are_the_servers_error_and_bots_get_no_history() {
    let (dc, mut alice, _) = alice_with_messages(1);
    let Err(Error::Rpc(e)) = alice.resolve_username("nobody_here") else {
        panic!("resolved a free username")
    };
    assert_eq!(e.name, "USERNAME_NOT_OCCUPIED");

    let (_, token) = dc.create_bot("Reader bot", "reader_bot");
    let mut bot = builder(&dc).connect().unwrap();
    bot.login_bot(&token).unwrap();
    let first = bot.history(ALICE, None).next().expect("an item");
    let Err(Error::Rpc(e)) = first else {
        panic!("a bot read history: {first:?}")
    };
    assert_eq!(e.name, "BOT_METHOD_INVALID");
}

#[test]
fn async_history_and_messages() {
    let (dc, _, bot) = alice_with_messages(120);
    futures_lite::future::block_on(async {
        let mut alice = builder(&dc).connect_async().await?;
        let login = alice.request_login_code("+15550000001").await?;
        alice.sign_in(&login, "22222").await?;
        assert_eq!(
            alice.resolve_username("history_bot").await?,
            PeerId::User(bot)
        );
        let mut history = alice.history(bot, None);
        let mut n = 0;
        let mut last = None;
        while let Some(m) = history.next().await {
            last = Some(m?);
            n += 1;
        }
        assert_eq!(n, 120);
        let last = last.unwrap();
        assert_eq!(last.text, "burst 1");
        let got = alice.get_messages(&[last.id]).await?;
        assert_eq!(got[0].as_ref().map(|m| m.id), Some(last.id));
        Ok::<_, Error>(())
    })
    .unwrap();
}
