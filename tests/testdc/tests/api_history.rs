//! Usernames, history, messages by id and dialogs, called on the API slice directly.

mod common;

use common::*;
use ferrogram_testdc::world::{FIRST_USER_ID, World};
use ferrogram_tl_types::functions as f;
use ferrogram_tl_types::{enums, types};

const ALICE: i64 = FIRST_USER_ID;

/// Alice and Bob talk, a bot writes to Alice once. In Alice's box: 1 A→B, 2 B→A, 3 A→B,
/// 4 bot→A, 5 B→A, 6 A→B; one minute apart.
fn chat() -> (World, i64, i64) {
    let mut w = World::new();
    let (bot, _) = w.create_bot("Alert", "alert_bot");
    let bob = w.create_user("Bob", "15550000002");
    w.log_in(ALICE_KEY, ALICE);
    w.log_in(BOB_KEY, bob);
    w.log_in(BOT_KEY, bot);
    let script = [
        (ALICE, bob),
        (bob, ALICE),
        (ALICE, bob),
        (bot, ALICE),
        (bob, ALICE),
        (ALICE, bob),
    ];
    for (i, (from, to)) in script.into_iter().enumerate() {
        w.send(from, to, NOW + 60 * i as i32, &format!("m{}", i + 1));
    }
    (w, bot, bob)
}

fn history(w: &World, with: i64) -> f::messages::GetHistory {
    f::messages::GetHistory {
        peer: peer(w, with),
        offset_id: 0,
        offset_date: 0,
        add_offset: 0,
        limit: 0,
        max_id: 0,
        min_id: 0,
        hash: 0,
    }
}

fn ids(messages: &[enums::Message]) -> Vec<i32> {
    messages
        .iter()
        .map(|m| match m {
            enums::Message::Message(m) => m.id,
            enums::Message::Empty(m) => -m.id,
            enums::Message::Service(m) => m.id,
        })
        .collect()
}

fn slice(m: enums::messages::Messages) -> types::messages::MessagesSlice {
    match m {
        enums::messages::Messages::Slice(s) => s,
        other => panic!("expected messagesSlice, got {other:?}"),
    }
}

#[test]
fn usernames_resolve_case_insensitively_with_telegram_errors() {
    let (mut w, bot, _) = chat();
    for name in ["alice", "ALICE", "@alice"] {
        let q = f::contacts::ResolveUsername {
            username: name.into(),
            referer: None,
        };
        let enums::contacts::ResolvedPeer::ResolvedPeer(r) = ok(&mut w, BOT_KEY, &q);
        assert_eq!(
            r.peer,
            enums::Peer::User(types::PeerUser { user_id: ALICE }),
            "{name}"
        );
        let enums::User::User(u) = &r.users[0] else {
            panic!()
        };
        assert_eq!(u.access_hash, Some(w.account(ALICE).unwrap().access_hash));
        assert!(!u.self_);
    }
    let q = |name: &str| f::contacts::ResolveUsername {
        username: name.into(),
        referer: None,
    };
    let enums::contacts::ResolvedPeer::ResolvedPeer(r) = ok(&mut w, ALICE_KEY, &q("alert_bot"));
    let enums::User::User(u) = &r.users[0] else {
        panic!()
    };
    assert!(u.bot && u.id == bot);
    assert_eq!(
        err(&mut w, ALICE_KEY, &q("nobody_here")),
        (400, "USERNAME_NOT_OCCUPIED".into())
    );
    for bad in ["ab", "1abcde", "abcde_", "with space", &"x".repeat(33)] {
        assert_eq!(
            err(&mut w, ALICE_KEY, &q(bad)),
            (400, "USERNAME_INVALID".into()),
            "{bad}"
        );
    }
    assert_eq!(err(&mut w, 0x404, &q("alice")).0, 401);
}

#[test]
fn history_pages_like_telegram() {
    let (mut w, bot, bob) = chat();

    // Everything: messages.messages, newest first, with both users.
    let h = history(&w, bob);
    let enums::messages::Messages::Messages(all) = ok(&mut w, ALICE_KEY, &h) else {
        panic!("the whole history fits")
    };
    assert_eq!(ids(&all.messages), [6, 5, 3, 2, 1]);
    let outs: Vec<bool> = all.messages.iter().map(|m| message(m).out).collect();
    assert_eq!(outs, [true, false, true, false, true]);
    assert_eq!(message(&all.messages[1]).message, "m5");
    assert_eq!(all.users.len(), 2);

    // A page: a slice counting the whole chat.
    let mut q = h.clone();
    q.limit = 2;
    let s = slice(ok(&mut w, ALICE_KEY, &q));
    assert_eq!(
        (ids(&s.messages), s.count, s.offset_id_offset),
        (vec![6, 5], 5, None)
    );

    // Older than id 5.
    q.offset_id = 5;
    let s = slice(ok(&mut w, ALICE_KEY, &q));
    assert_eq!(
        (ids(&s.messages), s.offset_id_offset),
        (vec![3, 2], Some(2))
    );

    // Around id 3: offsetFromID(3) = 3 (6, 5, 3), minus 2.
    q.offset_id = 3;
    q.add_offset = -2;
    q.limit = 3;
    let s = slice(ok(&mut w, ALICE_KEY, &q));
    assert_eq!(
        (ids(&s.messages), s.offset_id_offset),
        (vec![5, 3, 2], Some(1))
    );

    // add_offset = -limit: id 2 and newer (offsetFromID counts id 2 itself), the window cut
    // at the newest.
    q.offset_id = 2;
    q.add_offset = -10;
    q.limit = 10;
    assert_eq!(
        ids(&slice(ok(&mut w, ALICE_KEY, &q)).messages),
        [6, 5, 3, 2]
    );

    // max_id and min_id filter strictly.
    let mut q = h.clone();
    q.max_id = 5;
    q.min_id = 1;
    assert_eq!(ids(&slice(ok(&mut w, ALICE_KEY, &q)).messages), [3, 2]);

    // The offsets page's hash of the ids the client has: not modified.
    let mut q = h.clone();
    q.hash = {
        let mut hash = 0u64;
        for id in [6u64, 5, 3, 2, 1] {
            hash ^= hash >> 21;
            hash ^= hash << 35;
            hash ^= hash >> 4;
            hash = hash.wrapping_add(id);
        }
        hash as i64
    };
    assert!(matches!(
        ok(&mut w, ALICE_KEY, &q),
        enums::messages::Messages::NotModified(types::messages::MessagesNotModified { count: 5 })
    ));

    // Bob's box numbers the same chat his own way: 1..5, his 2 and 4 outgoing.
    let h = history(&w, ALICE);
    let enums::messages::Messages::Messages(his) = ok(&mut w, BOB_KEY, &h) else {
        panic!()
    };
    assert_eq!(ids(&his.messages), [5, 4, 3, 2, 1]);
    assert!(message(&his.messages[1]).out);
    assert_eq!(message(&his.messages[1]).message, "m5");

    // The bot chat holds one message; bots may not read histories.
    let h = history(&w, bot);
    let enums::messages::Messages::Messages(b) = ok(&mut w, ALICE_KEY, &h) else {
        panic!()
    };
    assert_eq!(ids(&b.messages), [4]);
    let h = history(&w, ALICE);
    assert_eq!(err(&mut w, BOT_KEY, &h), (400, "BOT_METHOD_INVALID".into()));
}

#[test]
fn get_messages_by_id_in_the_callers_box() {
    let (mut w, bot, bob) = chat();
    let q = f::messages::GetMessages {
        id: [4, 99, 1]
            .into_iter()
            .map(|id| enums::InputMessage::Id(types::InputMessageId { id }))
            .collect(),
    };
    let enums::messages::Messages::Messages(m) = ok(&mut w, ALICE_KEY, &q) else {
        panic!()
    };
    assert_eq!(ids(&m.messages), [4, -99, 1]);
    assert_eq!(
        message(&m.messages[0]).from_id,
        Some(enums::Peer::User(types::PeerUser { user_id: bot }))
    );
    assert_eq!(message(&m.messages[2]).message, "m1");
    let mut users: Vec<i64> = m
        .users
        .iter()
        .map(|u| match u {
            enums::User::User(u) => u.id,
            enums::User::Empty(u) => u.id,
        })
        .collect();
    users.sort_unstable();
    assert_eq!(users, [ALICE, bot, bob]);

    // The bot's box has one message: its id 1 is "m4".
    let q = f::messages::GetMessages {
        id: vec![enums::InputMessage::Id(types::InputMessageId { id: 1 })],
    };
    let enums::messages::Messages::Messages(m) = ok(&mut w, BOT_KEY, &q) else {
        panic!()
    };
    assert_eq!(message(&m.messages[0]).message, "m4");
    assert!(message(&m.messages[0]).out);
}

#[test]
fn dialogs_newest_first_with_unread_counts_and_pages() {
    let (mut w, bot, bob) = chat();
    let q = f::messages::GetDialogs {
        exclude_pinned: false,
        folder_id: None,
        offset_date: 0,
        offset_id: 0,
        offset_peer: enums::InputPeer::Empty(types::InputPeerEmpty {}),
        limit: 20,
        hash: 0,
    };
    let enums::messages::Dialogs::Dialogs(d) = ok(&mut w, ALICE_KEY, &q) else {
        panic!("both dialogs fit")
    };
    let summary: Vec<(enums::Peer, i32, i32)> = d
        .dialogs
        .iter()
        .map(|d| match d {
            enums::Dialog::Dialog(d) => (d.peer.clone(), d.top_message, d.unread_count),
            other => panic!("{other:?}"),
        })
        .collect();
    let user = |id| enums::Peer::User(types::PeerUser { user_id: id });
    assert_eq!(summary, [(user(bob), 6, 2), (user(bot), 4, 1)]);
    assert_eq!(ids(&d.messages), [6, 4]);
    assert_eq!(d.users.len(), 3);

    // One a page: a slice of 2, then the dialog older than message 6.
    let mut page = q.clone();
    page.limit = 1;
    let enums::messages::Dialogs::Slice(s) = ok(&mut w, ALICE_KEY, &page) else {
        panic!("a slice")
    };
    assert_eq!((s.count, ids(&s.messages)), (2, vec![6]));
    page.offset_date = NOW + 300;
    page.offset_id = 6;
    let enums::messages::Dialogs::Slice(s) = ok(&mut w, ALICE_KEY, &page) else {
        panic!("a slice")
    };
    assert_eq!((s.count, ids(&s.messages)), (2, vec![4]));

    // The archive is empty; bots have no dialog list.
    let mut archive = q.clone();
    archive.folder_id = Some(1);
    let enums::messages::Dialogs::Dialogs(a) = ok(&mut w, ALICE_KEY, &archive) else {
        panic!()
    };
    assert!(a.dialogs.is_empty());
    assert_eq!(err(&mut w, BOT_KEY, &q), (400, "BOT_METHOD_INVALID".into()));
}
