//! `send_message_with` against the in-process test DC: the text and the entities the DC
//! received for plain, Markdown and HTML messages, mentions of met and unmet users, and
//! markup errors (nothing is sent then).

use ferrogram_client_std::parse::ParseError;
use ferrogram_client_std::tl::{enums, functions as f, types};
use ferrogram_client_std::{Client, ClientBuilder, Error, ParseMode};
use ferrogram_testdc::world::FIRST_USER_ID as ALICE;
use ferrogram_testdc::{Config, TestDc};

const API_HASH: &str = "0123456789abcdef0123456789abcdef";

fn builder(dc: &TestDc) -> ClientBuilder {
    Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
}

/// A bot client logged in on `dc` that has met Alice (by resolving `@alice`).
fn bot_meeting_alice(dc: &TestDc) -> (Client, i64) {
    let (id, token) = dc.create_bot("Alert bot", "alert_bot");
    let mut c = builder(dc).connect().expect("connects");
    c.login_bot(&token).expect("bot login");
    c.invoke(&f::contacts::ResolveUsername {
        username: "alice".into(),
        referer: None,
    })
    .expect("resolves @alice");
    (c, id)
}

fn alice(c: &Client) -> enums::InputUser {
    c.peers().input_user(ALICE).expect("met")
}

#[test]
fn plain_text_goes_without_entities() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot) = bot_meeting_alice(&dc);
    c.send_message(ALICE, "**as is**").unwrap();
    c.send_message_with(ALICE, "<b>as is</b>", ParseMode::Plain)
        .unwrap();
    assert_eq!(
        dc.messages(),
        [
            (bot, ALICE, "**as is**".to_string()),
            (bot, ALICE, "<b>as is</b>".to_string())
        ]
    );
    assert!(dc.message_entities(0).is_empty());
    assert!(dc.message_entities(1).is_empty());
}

#[test]
fn markdown_arrives_as_text_and_entities() {
    use enums::MessageEntity as M;
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot) = bot_meeting_alice(&dc);
    let sent = c
        .send_message_with(
            ALICE,
            "🔥 **disk** __almost__ full, [Alice](tg://user?id=1000001): \
             [logs](https://example.com/logs) `df -h`",
            ParseMode::Markdown,
        )
        .unwrap();
    assert!(sent.id > 0);
    assert_eq!(
        dc.messages(),
        [(
            bot,
            ALICE,
            "🔥 disk almost full, Alice: logs df -h".to_string()
        )]
    );
    assert_eq!(
        dc.message_entities(0),
        [
            M::Bold(types::MessageEntityBold {
                offset: 3,
                length: 4
            }),
            M::Italic(types::MessageEntityItalic {
                offset: 8,
                length: 6
            }),
            M::InputMessageEntityMentionName(types::InputMessageEntityMentionName {
                offset: 21,
                length: 5,
                user_id: alice(&c),
            }),
            M::TextUrl(types::MessageEntityTextUrl {
                offset: 28,
                length: 4,
                url: "https://example.com/logs".into()
            }),
            M::Code(types::MessageEntityCode {
                offset: 33,
                length: 5
            }),
        ]
    );
}

#[test]
fn html_arrives_as_text_and_entities() {
    use enums::MessageEntity as M;
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot) = bot_meeting_alice(&dc);
    c.send_message_with(
        ALICE,
        "<b>96 %</b> &amp; rising, <a href=\"tg://user?id=1000001\">Alice</a>\
         <pre><code class=\"language-sh\">df -h</code></pre>",
        ParseMode::Html,
    )
    .unwrap();
    assert_eq!(
        dc.messages(),
        [(bot, ALICE, "96 % & rising, Alicedf -h".to_string())]
    );
    assert_eq!(
        dc.message_entities(0),
        [
            M::Bold(types::MessageEntityBold {
                offset: 0,
                length: 4
            }),
            M::InputMessageEntityMentionName(types::InputMessageEntityMentionName {
                offset: 15,
                length: 5,
                user_id: alice(&c),
            }),
            M::Pre(types::MessageEntityPre {
                offset: 20,
                length: 5,
                language: "sh".into()
            }),
        ]
    );
}

#[test]
fn bad_markup_and_unmet_mentions_send_nothing() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, _) = bot_meeting_alice(&dc);

    let e = c
        .send_message_with(ALICE, "**never closed", ParseMode::Markdown)
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Parse(ParseError::UnclosedMarker {
                marker: "**",
                pos: 0
            })
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("never closed"), "{e}");

    let e = c
        .send_message_with(ALICE, "<b>x</i>", ParseMode::Html)
        .unwrap_err();
    assert!(
        matches!(e, Error::Parse(ParseError::MismatchedTag { .. })),
        "{e:?}"
    );

    // A user never met cannot be mentioned: the access hash is missing.
    let e = c
        .send_message_with(ALICE, "hi [Bob](tg://user?id=4242)", ParseMode::Markdown)
        .unwrap_err();
    assert!(
        matches!(e, Error::Parse(ParseError::UnknownUser { user_id: 4242 })),
        "{e:?}"
    );
    assert!(e.to_string().contains("meet it first"), "{e}");
    assert!(dc.messages().is_empty());
}

#[test]
fn the_dc_refuses_entities_outside_the_text() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, _) = bot_meeting_alice(&dc);
    let send = |entity| f::messages::SendMessage {
        no_webpage: false,
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer: c.peers().input_peer(ALICE).unwrap(),
        reply_to: None,
        message: "🔥ok".into(),
        random_id: 7,
        reply_markup: None,
        entities: Some(vec![entity]),
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
        suggested_post: None,
        rich_message: None,
    };
    // "🔥ok" is 4 UTF-16 units (3 chars): a bold of 4 fits, of 5 does not.
    let too_long = send(enums::MessageEntity::Bold(types::MessageEntityBold {
        offset: 0,
        length: 5,
    }));
    let unmet = send(enums::MessageEntity::InputMessageEntityMentionName(
        types::InputMessageEntityMentionName {
            offset: 0,
            length: 2,
            user_id: enums::InputUser::InputUser(types::InputUser {
                user_id: 4242,
                access_hash: 1,
            }),
        },
    ));
    let fits = send(enums::MessageEntity::Bold(types::MessageEntityBold {
        offset: 0,
        length: 4,
    }));
    for (call, name) in [
        (too_long, "ENTITY_BOUNDS_INVALID"),
        (unmet, "ENTITY_MENTION_USER_INVALID"),
    ] {
        match c.invoke(&call) {
            Err(Error::Rpc(e)) => assert_eq!((e.code, e.name.as_str()), (400, name)),
            other => panic!("{other:?}"),
        }
    }
    assert!(dc.messages().is_empty());
    c.invoke(&fits).unwrap();
    assert_eq!(dc.message_entities(0), fits.entities.unwrap());
}

#[test]
fn the_recipient_reads_the_formatting_back() {
    use ferrogram_client_std::parse;
    let dc = TestDc::start(Config::default()).unwrap();
    let (mut c, bot) = bot_meeting_alice(&dc);
    let markdown = "🔥 **disk** __almost__ full, [Alice](tg://user?id=1000001)";
    c.send_message_with(ALICE, markdown, ParseMode::Markdown)
        .unwrap();

    // Alice (logged in by the test DC's shortcut) reads her history.
    let mut alice = builder(&dc).connect().unwrap();
    dc.log_in(alice.connection().auth_key_id(), ALICE);
    alice
        .invoke(&f::contacts::ResolveUsername {
            username: "alert_bot".into(),
            referer: None,
        })
        .unwrap();
    let history = alice
        .invoke(&f::messages::GetHistory {
            peer: alice.peers().input_peer(bot).unwrap(),
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
    let [enums::Message::Message(m)] = messages.as_slice() else {
        panic!("{messages:?}")
    };
    let entities = m.entities.clone().unwrap_or_default();
    // Telegram gives readers the mention as messageEntityMentionName (an id, no hash).
    assert!(
        entities.iter().any(|e| matches!(
            e,
            enums::MessageEntity::MentionName(n) if n.user_id == ALICE
        )),
        "{entities:?}"
    );
    assert_eq!(
        parse::unparse(&m.message, &entities, ParseMode::Markdown),
        markdown
    );
    assert_eq!(
        parse::unparse(&m.message, &entities, ParseMode::Html),
        "🔥 <b>disk</b> <i>almost</i> full, <a href=\"tg://user?id=1000001\">Alice</a>"
    );
}
