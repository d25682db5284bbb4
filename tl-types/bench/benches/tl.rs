//! TL encoding and decoding: ferrogram-tl-types beside grammers-tl-types 0.11.0.
//!
//! One object, a `messages.messages` as a client receives it from `messages.getHistory`
//! (100 messages, 20 users), is built with our owned types and serialized once. Both crates
//! then decode those very bytes; the setup asserts that each re-serializes them unchanged.
//!
//! Groups (each with both implementations, throughput in bytes of the encoded object):
//! - `serialize`: owned value into a reused buffer.
//! - `decode_owned`: bytes to an owned value (and dropping it).
//! - `decode_zero_copy`: our in-place view plus a visit of every field a client reads,
//!   against grammers' owned decode (grammers has no zero-copy form). `ferrogram_view_only`
//!   is the first part alone: `from_bytes`, which checks the whole object.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ferrogram_tl_types::{LazyVec, TlRead, TlWrite, ViewRead, enums, types, view};
use gr::{Deserializable, Serializable};
use grammers_tl_types as gr;

const MESSAGES: usize = 100;
const USERS: usize = 20;
/// Characters (not bytes) of each message text.
const TEXT_CHARS: usize = 100;
/// Our own account; half of the messages are outgoing.
const SELF_ID: i64 = 5_312_409_871;
/// A chat partner's dialog: the peer of every message.
const PEER_ID: i64 = 6_004_213_557;
const FIRST_DATE: i32 = 1_732_000_000;

/// Pieces of chat text: ASCII, Cyrillic and emoji, stitched into ~100-character messages.
const PIECES: &[&str] = &[
    "Meeting moved to 15:30, ",
    "привет! ",
    "🚀 ship it ",
    "the build is green again. ",
    "see https://example.org/x ",
    "ок, ",
    "release notes are in the doc; ",
    "👍 ",
    "tests: 412 passed, 0 failed. ",
    "созвон в 18:00 ",
    "can you review PR #2291 today? ",
];

const FIRST_NAMES: &[&str] = &[
    "Alice",
    "Борис",
    "Chen",
    "Дарья",
    "Emil",
    "Фёдор",
    "Grace",
    "Ирина",
    "Jonas",
    "Ксения",
];
const LAST_NAMES: &[&str] = &[
    "Smith",
    "Иванов",
    "Nakamura",
    "Петрова",
    "García",
    "Соколов",
    "Müller",
    "Кузнецова",
];

/// The text of message `i`: exactly `TEXT_CHARS` characters.
fn text(i: usize) -> String {
    let mut s = String::new();
    let mut k = i;
    while s.chars().count() < TEXT_CHARS {
        s.push_str(PIECES[k % PIECES.len()]);
        k += 5;
    }
    s.chars().take(TEXT_CHARS).collect()
}

/// Length of `s` in UTF-16 code units (what Telegram's entity offsets count).
fn utf16_len(s: &str) -> i32 {
    s.encode_utf16().count() as i32
}

fn message(i: usize) -> enums::Message {
    let out = i % 2 == 0;
    let text = text(i);
    let n = utf16_len(&text);
    let entities = vec![
        enums::MessageEntity::Bold(types::MessageEntityBold {
            offset: 0,
            length: 7,
        }),
        enums::MessageEntity::TextUrl(types::MessageEntityTextUrl {
            offset: n - 20,
            length: 12,
            url: format!("https://t.me/c/{}/{}", PEER_ID % 100_000, 4000 + i),
        }),
    ];
    let peer = |id| enums::Peer::User(types::PeerUser { user_id: id });
    types::Message {
        out,
        mentioned: false,
        media_unread: false,
        silent: false,
        post: false,
        from_scheduled: false,
        legacy: false,
        edit_hide: false,
        pinned: false,
        noforwards: false,
        invert_media: false,
        offline: false,
        video_processing_pending: false,
        paid_suggested_post_stars: false,
        paid_suggested_post_ton: false,
        id: 184_000 + i as i32,
        from_id: Some(peer(if out { SELF_ID } else { PEER_ID })),
        from_boosts_applied: None,
        from_rank: None,
        peer_id: peer(PEER_ID),
        saved_peer_id: None,
        fwd_from: None,
        via_bot_id: None,
        via_business_bot_id: None,
        guestchat_via_from: None,
        reply_to: None,
        date: FIRST_DATE + 37 * i as i32,
        message: text,
        media: None,
        reply_markup: None,
        entities: Some(entities),
        views: None,
        forwards: None,
        replies: None,
        edit_date: None,
        post_author: None,
        grouped_id: None,
        reactions: None,
        restriction_reason: None,
        ttl_period: None,
        quick_reply_shortcut_id: None,
        effect: None,
        factcheck: None,
        report_delivery_until_date: None,
        paid_message_stars: None,
        suggested_post: None,
        schedule_repeat_period: None,
        summary_from_language: None,
        rich_message: None,
    }
    .into()
}

fn user(i: usize) -> enums::User {
    let first = FIRST_NAMES[i % FIRST_NAMES.len()];
    let last = LAST_NAMES[(i * 3) % LAST_NAMES.len()];
    // A stripped JPEG thumbnail is about 40 bytes: header byte, sizes, then data.
    let thumb: Vec<u8> = (0..40u32)
        .map(|b| (b.wrapping_mul(97).wrapping_add(i as u32 * 13) % 251) as u8)
        .collect();
    types::User {
        self_: i == 0,
        contact: i % 3 == 1,
        mutual_contact: i % 3 == 1,
        deleted: false,
        bot: false,
        bot_chat_history: false,
        bot_nochats: false,
        verified: false,
        restricted: false,
        min: false,
        bot_inline_geo: false,
        support: false,
        scam: false,
        apply_min_photo: true,
        fake: false,
        bot_attach_menu: false,
        premium: i % 4 == 0,
        attach_menu_enabled: false,
        bot_can_edit: false,
        close_friend: false,
        stories_hidden: false,
        stories_unavailable: i % 2 == 0,
        contact_require_premium: false,
        bot_business: false,
        bot_has_main_app: false,
        bot_forum_view: false,
        bot_forum_can_manage_topics: false,
        bot_can_manage_bots: false,
        bot_guestchat: false,
        bot_guard: false,
        id: if i == 0 {
            SELF_ID
        } else {
            PEER_ID + 7919 * i as i64
        },
        access_hash: Some(-0x3a1f_22c4_9b0e_7d51 + 0x1_0000_0000_i64 * i as i64),
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        username: Some(format!("{}_{}", first.to_lowercase(), 1000 + i)),
        phone: None,
        photo: Some(enums::UserProfilePhoto::UserProfilePhoto(
            types::UserProfilePhoto {
                has_video: false,
                personal: false,
                photo_id: 5_800_000_000_000_000_000 + 1_000_003 * i as i64,
                stripped_thumb: Some(thumb),
                dc_id: 2 + (i % 3) as i32,
            },
        )),
        status: Some(enums::UserStatus::Offline(types::UserStatusOffline {
            was_online: FIRST_DATE + 3600 - 60 * i as i32,
        })),
        bot_info_version: None,
        restriction_reason: None,
        bot_inline_placeholder: None,
        lang_code: None,
        emoji_status: None,
        usernames: None,
        stories_max_id: None,
        color: None,
        profile_color: None,
        bot_active_users: None,
        bot_verification_icon: None,
        send_paid_messages_stars: None,
        linked_community_id: None,
    }
    .into()
}

fn history() -> enums::messages::Messages {
    types::messages::Messages {
        messages: (0..MESSAGES).map(message).collect(),
        topics: Vec::new(),
        chats: Vec::new(),
        users: (0..USERS).map(user).collect(),
    }
    .into()
}

/// What a client reads from a history response, through our zero-copy view. Every nested
/// object is decoded (`LazyVec::iter`); the sum keeps the optimizer from skipping reads.
fn visit(v: &view::enums::messages::Messages<'_>) -> u64 {
    let view::enums::messages::Messages::Messages(m) = v else {
        unreachable!("messages.messages")
    };
    let mut acc = 0u64;
    for msg in m.messages.iter() {
        let view::enums::Message::Message(msg) = msg.unwrap() else {
            unreachable!("message")
        };
        acc = acc.wrapping_add(black_box(msg.id) as u64);
        acc = acc.wrapping_add(black_box(msg.date) as u64);
        acc = acc.wrapping_add(black_box(msg.message.as_bytes()).len() as u64);
        if let Some(view::enums::Peer::User(p)) = black_box(msg.from_id) {
            acc = acc.wrapping_add(p.user_id as u64);
        }
        if let Some(entities) = msg.entities {
            acc = acc.wrapping_add(visit_entities(&entities));
        }
    }
    for u in m.users.iter() {
        let view::enums::User::User(u) = u.unwrap() else {
            unreachable!("user")
        };
        acc = acc.wrapping_add(black_box(u.id) as u64);
        acc = acc.wrapping_add(black_box(u.access_hash).unwrap_or(0) as u64);
        acc = acc.wrapping_add(black_box(u.first_name).map_or(0, |s| s.len()) as u64);
        acc = acc.wrapping_add(black_box(u.username).map_or(0, |s| s.len()) as u64);
    }
    acc
}

fn visit_entities(entities: &LazyVec<'_, view::enums::MessageEntity<'_>>) -> u64 {
    let mut acc = 0u64;
    for e in entities.iter() {
        match black_box(e.unwrap()) {
            view::enums::MessageEntity::Bold(b) => {
                acc = acc.wrapping_add((b.offset + b.length) as u64)
            }
            view::enums::MessageEntity::TextUrl(t) => {
                acc = acc.wrapping_add((t.offset + t.length) as u64 + t.url.len() as u64);
            }
            _ => unreachable!("only bold and text URL entities"),
        }
    }
    acc
}

/// The encoded object, checked to decode and re-encode identically with both crates.
fn fixture() -> (enums::messages::Messages, Vec<u8>) {
    let ours = history();
    let bytes = ours.to_bytes().expect("serialize");

    let back =
        enums::messages::Messages::from_bytes(&bytes).expect("ferrogram decodes its own bytes");
    assert_eq!(back, ours);
    assert_eq!(
        back.to_bytes().unwrap(),
        bytes,
        "ferrogram re-serializes identically"
    );

    let g =
        gr::enums::messages::Messages::from_bytes(&bytes).expect("grammers decodes the same bytes");
    assert_eq!(g.to_bytes(), bytes, "grammers re-serializes identically");
    let gr::enums::messages::Messages::Messages(gm) = &g else {
        panic!("grammers: not messages.messages")
    };
    assert_eq!(
        (
            gm.messages.len(),
            gm.users.len(),
            gm.chats.len(),
            gm.topics.len()
        ),
        (MESSAGES, USERS, 0, 0)
    );

    let v = view::enums::messages::Messages::from_bytes(&bytes).expect("view decodes");
    let view::enums::messages::Messages::Messages(vm) = &v else {
        panic!("view: not messages.messages")
    };
    assert_eq!((vm.messages.len(), vm.users.len()), (MESSAGES, USERS));
    assert!(visit(&v) != 0);

    eprintln!(
        "fixture: messages.messages, {MESSAGES} messages + {USERS} users, {} bytes; \
         size_of: ferrogram enums::Message = {} B, grammers enums::Message = {} B, \
         ferrogram types::Message = {} B, grammers types::Message = {} B, \
         ferrogram view::enums::Message = {} B",
        bytes.len(),
        size_of::<enums::Message>(),
        size_of::<gr::enums::Message>(),
        size_of::<types::Message>(),
        size_of::<gr::types::Message>(),
        size_of::<view::enums::Message<'static>>(),
    );
    (ours, bytes)
}

fn benches(c: &mut Criterion) {
    let (ours, bytes) = fixture();
    let theirs = gr::enums::messages::Messages::from_bytes(&bytes).unwrap();
    let len = bytes.len() as u64;

    let mut g = c.benchmark_group("serialize");
    g.throughput(Throughput::Bytes(len));
    let mut buf = vec![0u8; bytes.len()];
    ours.write_to(&mut buf).unwrap(); // the checks below hold when a filter skips this bench
    g.bench_function("ferrogram", |b| {
        b.iter(|| black_box(&ours).write_to(black_box(&mut buf[..])).unwrap())
    });
    let mut vbuf: Vec<u8> = Vec::with_capacity(bytes.len());
    theirs.serialize(&mut vbuf);
    g.bench_function("grammers", |b| {
        b.iter(|| {
            vbuf.clear();
            black_box(&theirs).serialize(&mut vbuf);
            black_box(vbuf.len())
        })
    });
    g.finish();
    assert_eq!(&buf[..], &bytes[..]);
    assert_eq!(vbuf, bytes);

    let mut g = c.benchmark_group("decode_owned");
    g.throughput(Throughput::Bytes(len));
    g.bench_function("ferrogram", |b| {
        b.iter(|| enums::messages::Messages::from_bytes(black_box(&bytes)).unwrap())
    });
    g.bench_function("grammers", |b| {
        b.iter(|| gr::enums::messages::Messages::from_bytes(black_box(&bytes)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("decode_zero_copy");
    g.throughput(Throughput::Bytes(len));
    g.bench_function("ferrogram_view_and_visit", |b| {
        b.iter(|| {
            let v = view::enums::messages::Messages::from_bytes(black_box(&bytes)).unwrap();
            visit(&v)
        })
    });
    g.bench_function("ferrogram_view_only", |b| {
        b.iter(|| view::enums::messages::Messages::from_bytes(black_box(&bytes)).unwrap())
    });
    g.bench_function("grammers_owned", |b| {
        b.iter(|| gr::enums::messages::Messages::from_bytes(black_box(&bytes)).unwrap())
    });
    g.finish();
}

criterion_group!(tl, benches);
criterion_main!(tl);
