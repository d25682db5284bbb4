//! `Client::invoke_all` against the in-process test DC: many calls in flight over one
//! connection, each stored once and answered once, errors and flood waits per call.

use std::collections::HashSet;

use ferrogram_client_std::tl::{enums, functions as f, types};
use ferrogram_client_std::{Client, ClientBuilder, Error};
use ferrogram_testdc::world::FIRST_USER_ID as ALICE;
use ferrogram_testdc::{Config, TestDc};

const API_HASH: &str = "0123456789abcdef0123456789abcdef";

fn builder(dc: &TestDc) -> ClientBuilder {
    Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
}

/// A bot logged in on `dc` that has met Alice; returns it, its id and Alice's peer.
fn bot_meeting_alice(dc: &TestDc) -> (Client, i64, enums::InputPeer) {
    let (id, token) = dc.create_bot("Alert bot", "alert_bot");
    let mut c = builder(dc).connect().expect("connects");
    c.login_bot(&token).expect("bot login");
    c.invoke(&f::contacts::ResolveUsername {
        username: "alice".into(),
        referer: None,
    })
    .expect("resolves @alice");
    let peer = c.peers().input_peer(ALICE).expect("met Alice");
    (c, id, peer)
}

fn send(peer: &enums::InputPeer, text: &str, random_id: i64) -> f::messages::SendMessage {
    f::messages::SendMessage {
        no_webpage: false,
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer: peer.clone(),
        reply_to: None,
        message: text.into(),
        random_id,
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
    }
}

/// The sent message's id from a `messages.sendMessage` answer.
fn message_id(u: &enums::Updates) -> i32 {
    match u {
        enums::Updates::UpdateShortSentMessage(s) => s.id,
        enums::Updates::Updates(u) => u
            .updates
            .iter()
            .find_map(|u| match u {
                enums::Update::MessageId(m) => Some(m.id),
                _ => None,
            })
            .expect("updateMessageID"),
        other => panic!("not a sent message: {other:?}"),
    }
}

/// Each of `texts` stored exactly once, from `bot` to Alice.
fn assert_stored_once(dc: &TestDc, bot: i64, texts: &[String]) {
    let stored = dc.messages();
    let mut seen = std::collections::HashMap::new();
    for (from, to, text) in &stored {
        if *from == bot && *to == ALICE {
            *seen.entry(text.as_str()).or_insert(0) += 1;
        }
    }
    for t in texts {
        assert_eq!(seen.get(t.as_str()), Some(&1), "{t} stored once");
    }
    assert_eq!(seen.len(), texts.len(), "nothing else stored");
}

#[test]
fn a_thousand_pipelined_messages_are_each_stored_once_with_distinct_ids() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot, peer) = bot_meeting_alice(&dc);
    let texts: Vec<String> = (0..1000).map(|i| format!("alert {i}")).collect();
    let calls = texts
        .iter()
        .enumerate()
        .map(|(i, t)| send(&peer, t, 0x5eed_0000 + i as i64));
    let outcomes = c.invoke_all(calls);
    assert_eq!(outcomes.len(), 1000);
    let ids: Vec<i32> = outcomes
        .iter()
        .map(|o| message_id(o.as_ref().expect("sent")))
        .collect();
    let distinct: HashSet<i32> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), 1000, "one message id per call");
    assert_stored_once(&dc, bot, &texts);
    // Sent in order on one connection: the DC numbered them in order.
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids in call order");
    assert_eq!(c.connection().reconnects(), 0);
    assert_eq!(c.connection().in_flight(), 0, "every outcome taken");
    // The client still works one call at a time.
    assert_eq!(c.get_me().unwrap().id, bot);
}

#[test]
fn errors_come_back_per_call_in_order() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot, peer) = bot_meeting_alice(&dc);
    let stranger = enums::InputPeer::User(types::InputPeerUser {
        user_id: 987_654_321,
        access_hash: 42,
    });
    let calls = vec![
        send(&peer, "first", 1),
        send(&stranger, "to nobody", 2),
        send(&peer, "   ", 3),
        send(&peer, "second", 4),
        send(&stranger, "to nobody again", 5),
        send(&peer, "third", 6),
    ];
    let outcomes = c.invoke_all(calls);
    let shape: Vec<Result<(), String>> = outcomes
        .iter()
        .map(|o| match o {
            Ok(_) => Ok(()),
            Err(Error::Rpc(e)) => Err(e.name.clone()),
            Err(e) => panic!("not an rpc error: {e:?}"),
        })
        .collect();
    let bad_peer = match &shape[1] {
        Err(name) => name.clone(),
        Ok(()) => panic!("a stranger was messaged: {shape:?}"),
    };
    assert!(bad_peer.starts_with("PEER_ID_INVALID") || bad_peer.starts_with("USER_ID_INVALID"));
    assert_eq!(
        shape,
        [
            Ok(()),
            Err(bad_peer.clone()),
            Err("MESSAGE_EMPTY".into()),
            Ok(()),
            Err(bad_peer),
            Ok(()),
        ]
    );
    assert_stored_once(&dc, bot, &["first".into(), "second".into(), "third".into()]);
}

#[test]
fn a_flood_wait_holds_the_batch_and_repeats_only_the_refused_calls() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot, peer) = bot_meeting_alice(&dc);
    let mut faults = dc.faults();
    faults.flood_wait_calls = 3;
    faults.flood_wait_secs = 1;
    dc.set_faults(faults);
    let texts: Vec<String> = (0..50).map(|i| format!("flood {i}")).collect();
    let outcomes = c.invoke_all(
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| send(&peer, t, 0xf100d + i as i64)),
    );
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(dc.faults().flood_wait_calls, 0, "the waits were used");
    assert_stored_once(&dc, bot, &texts);
}

#[test]
fn calls_survive_a_dc_that_keeps_closing_the_connection() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot, peer) = bot_meeting_alice(&dc);
    let mut faults = dc.faults();
    faults.close_after = Some(5);
    dc.set_faults(faults);
    // Many more calls than request slots: the batch needs far more than 5 packets.
    let texts: Vec<String> = (0..1000).map(|i| format!("closing {i}")).collect();
    let outcomes = c.invoke_all(
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| send(&peer, t, 0xc105e + i as i64)),
    );
    let ids: HashSet<i32> = outcomes
        .iter()
        .map(|o| message_id(o.as_ref().expect("sent")))
        .collect();
    assert_eq!(ids.len(), 1000);
    assert!(c.connection().reconnects() > 0);
    // A re-sent request repeats its random_id: the DC stores it once.
    assert_stored_once(&dc, bot, &texts);
}

#[test]
fn a_batch_can_open_a_new_session() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut c = builder(&dc).connect().unwrap();
    // Nothing before: the first call of the batch goes alone, in initConnection.
    let outcomes = c.invoke_all((0..20).map(|_| f::help::GetNearestDc {}));
    assert_eq!(outcomes.len(), 20);
    for o in outcomes {
        let enums::NearestDc::NearestDc(n) = o.unwrap();
        assert_eq!(n.this_dc, 2);
    }
    assert!(c.invoke_all(Vec::<f::help::GetNearestDc>::new()).is_empty());
}

/// The async client pipelines the same way, inside smol's executor: 500 messages, each
/// stored once, every answer a distinct message; then a second batch on the same session.
#[test]
fn the_async_client_pipelines_too() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (id, token) = dc.create_bot("Async bot", "async_bot");
    smol::block_on(async {
        let mut c = builder(&dc).connect_async().await.expect("connects");
        c.login_bot(&token).await.expect("bot login");
        c.invoke(&f::contacts::ResolveUsername {
            username: "alice".into(),
            referer: None,
        })
        .await
        .expect("resolves @alice");
        let peer = c.peers().input_peer(ALICE).expect("met Alice");
        let texts: Vec<String> = (0..500).map(|i| format!("async {i}")).collect();
        let outcomes = c
            .invoke_all(
                texts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| send(&peer, t, 0xa5_0000 + i as i64)),
            )
            .await;
        let ids: HashSet<i32> = outcomes
            .iter()
            .map(|o| message_id(o.as_ref().expect("sent")))
            .collect();
        assert_eq!(ids.len(), 500);
        assert_stored_once(&dc, id, &texts);
        let again = c.invoke_all((0..3).map(|_| f::help::GetNearestDc {})).await;
        assert!(again.iter().all(Result::is_ok), "{again:?}");
    });
}
