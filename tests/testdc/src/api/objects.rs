//! The API objects the test DC builds: users, messages (with their media), documents, the
//! config. Large, mostly-optional constructors start from their bare bytes with every flag
//! clear ([`bare`]), then the fields that matter are set.

use ferrogram_tl_types::{Reader, TlRead, enums, types};

use super::{ApiError, Caller, encode, internal};
use crate::files::Document;
use crate::world::{Account, StoredMessage, World};

/// A private message as its box owner sees it: `peer` is the other party.
pub(super) fn message(
    id: i32,
    out: bool,
    from: i64,
    peer: i64,
    date: i32,
    text: &str,
    media: Option<enums::MessageMedia>,
) -> Result<enums::Message, ApiError> {
    let mut b = Vec::with_capacity(32);
    b.extend_from_slice(&0u32.to_le_bytes()); // flags
    b.extend_from_slice(&0u32.to_le_bytes()); // flags2
    b.extend_from_slice(&id.to_le_bytes());
    b.extend_from_slice(&types::PeerUser::CONSTRUCTOR_ID.to_le_bytes());
    b.extend_from_slice(&peer.to_le_bytes());
    b.extend_from_slice(&date.to_le_bytes());
    b.extend_from_slice(&[0u8; 4]); // empty string
    let mut m: types::Message = bare(&b)?;
    m.out = out;
    m.from_id = Some(enums::Peer::User(types::PeerUser { user_id: from }));
    m.message = text.into();
    m.media = media;
    Ok(enums::Message::Message(Box::new(m)))
}

/// Entities as a message's readers get them: a mention by `InputUser` becomes
/// `messageEntityMentionName` with the user's id (`inputUserSelf` is the sender). `None`
/// for none.
pub(super) fn received_entities(
    from: i64,
    entities: &[enums::MessageEntity],
) -> Option<Vec<enums::MessageEntity>> {
    if entities.is_empty() {
        return None;
    }
    let received = entities
        .iter()
        .map(|e| match e {
            enums::MessageEntity::InputMessageEntityMentionName(m) => {
                let user_id = match &m.user_id {
                    enums::InputUser::InputUser(u) => u.user_id,
                    _ => from,
                };
                enums::MessageEntity::MentionName(types::MessageEntityMentionName {
                    offset: m.offset,
                    length: m.length,
                    user_id,
                })
            }
            other => other.clone(),
        })
        .collect();
    Some(received)
}

/// Message `id` of `owner`'s box as `owner` sees it, with its document and formatting if it
/// has them.
pub(super) fn stored_message(
    world: &World,
    owner: i64,
    id: i32,
    m: &StoredMessage,
) -> Result<enums::Message, ApiError> {
    let media = m
        .document
        .and_then(|d| world.files().document(d))
        .map(document_media);
    let mut message = message(
        id,
        m.from == owner,
        m.from,
        m.peer_for(owner),
        m.date,
        &m.text,
        media,
    )?;
    if let enums::Message::Message(msg) = &mut message {
        msg.entities = received_entities(m.from, world.entities(m));
    }
    Ok(message)
}

/// A document as clients see it (no thumbnails: the test DC makes none).
pub(super) fn document(doc: &Document) -> enums::Document {
    enums::Document::Document(types::Document {
        id: doc.id,
        access_hash: doc.access_hash,
        file_reference: doc.file_reference.clone(),
        date: doc.date,
        mime_type: doc.mime_type.clone(),
        size: doc.data.len() as i64,
        thumbs: None,
        video_thumbs: None,
        dc_id: doc.dc_id,
        attributes: doc.attributes.clone(),
    })
}

/// `messageMediaDocument` for `doc`.
pub(super) fn document_media(doc: &Document) -> enums::MessageMedia {
    enums::MessageMedia::Document(Box::new(types::MessageMediaDocument {
        nopremium: false,
        spoiler: false,
        video: false,
        round: false,
        voice: false,
        document: Some(document(doc)),
        alt_documents: None,
        video_cover: None,
        video_timestamp: None,
        ttl_seconds: None,
    }))
}

/// The users a list of messages mentions, `me` first (each once).
pub(super) fn users_of(
    world: &World,
    me: &Account,
    peers: impl IntoIterator<Item = i64>,
) -> Result<Vec<enums::User>, ApiError> {
    let mut seen = vec![me.id];
    let mut users = vec![user(me, true)?];
    for id in peers {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        if let Some(acc) = world.account(id) {
            users.push(user(acc, false)?);
        }
    }
    Ok(users)
}

/// Reads a bare constructor from `bytes` (how the large, mostly-optional objects are
/// started: every flag clear, then the fields that matter are set).
pub(super) fn bare<T: TlRead>(bytes: &[u8]) -> Result<T, ApiError> {
    T::read_bare(&mut Reader::new(bytes)).map_err(|_| internal())
}

/// A user as `is_self` sees it (phone only for oneself).
pub fn user(acc: &Account, is_self: bool) -> Result<enums::User, ApiError> {
    let mut b = Vec::with_capacity(16);
    b.extend_from_slice(&0u32.to_le_bytes()); // flags
    b.extend_from_slice(&0u32.to_le_bytes()); // flags2
    b.extend_from_slice(&acc.id.to_le_bytes());
    let mut u: types::User = bare(&b)?;
    u.self_ = is_self;
    u.bot = acc.bot;
    u.access_hash = Some(acc.access_hash);
    u.first_name = Some(acc.first_name.clone());
    u.username = acc.username.clone();
    if is_self {
        u.phone = acc.phone.clone();
    }
    if acc.bot {
        u.bot_info_version = Some(1);
        u.bot_nochats = true;
    }
    Ok(enums::User::User(Box::new(u)))
}

pub(super) fn full_user(id: i64) -> Result<enums::UserFull, ApiError> {
    let mut b = Vec::with_capacity(40);
    b.extend_from_slice(&0u32.to_le_bytes()); // flags
    b.extend_from_slice(&0u32.to_le_bytes()); // flags2
    b.extend_from_slice(&id.to_le_bytes());
    b.extend_from_slice(&types::PeerSettings::CONSTRUCTOR_ID.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&types::PeerNotifySettings::CONSTRUCTOR_ID.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&0i32.to_le_bytes()); // common_chats_count
    let full: types::UserFull = bare(&b)?;
    Ok(enums::UserFull::UserFull(Box::new(full)))
}

pub(super) fn authorization(me: &Account) -> Result<Vec<u8>, ApiError> {
    encode(&enums::auth::Authorization::Authorization(
        types::auth::Authorization {
            setup_password_required: false,
            otherwise_relogin_days: None,
            tmp_sessions: None,
            future_auth_token: None,
            user: user(me, true)?,
        },
    ))
}

/// `help.getConfig`: every DC of the cluster `dcs` ((id, port) each; this DC alone if
/// empty), at 127.0.0.1.
pub fn config(c: &Caller, dcs: &[(i32, u16)], test_mode: bool) -> enums::Config {
    let this = [(c.dc_id, c.port)];
    let dcs = if dcs.is_empty() { &this[..] } else { dcs };
    let dc_options = dcs
        .iter()
        .map(|&(id, port)| {
            enums::DcOption::DcOption(types::DcOption {
                ipv6: false,
                media_only: false,
                tcpo_only: false,
                cdn: false,
                r#static: false,
                this_port_only: false,
                id,
                ip_address: "127.0.0.1".into(),
                port: i32::from(port),
                secret: None,
            })
        })
        .collect();
    enums::Config::Config(Box::new(types::Config {
        default_p2p_contacts: false,
        preload_featured_stickers: false,
        revoke_pm_inbox: true,
        blocked_mode: false,
        force_try_ipv6: false,
        date: c.now,
        expires: c.now + 3600,
        test_mode,
        this_dc: c.dc_id,
        dc_options,
        dc_txt_domain_name: "testdc.invalid".into(),
        chat_size_max: 200,
        megagroup_size_max: 200_000,
        forwarded_count_max: 100,
        online_update_period_ms: 210_000,
        offline_blur_timeout_ms: 5_000,
        offline_idle_timeout_ms: 30_000,
        online_cloud_timeout_ms: 300_000,
        notify_cloud_delay_ms: 30_000,
        notify_default_delay_ms: 1_500,
        push_chat_period_ms: 60_000,
        push_chat_limit: 2,
        edit_time_limit: 172_800,
        revoke_time_limit: i32::MAX,
        revoke_pm_time_limit: i32::MAX,
        rating_e_decay: 2_419_200,
        stickers_recent_limit: 200,
        channels_read_media_period: 604_800,
        tmp_sessions: None,
        call_receive_timeout_ms: 20_000,
        call_ring_timeout_ms: 90_000,
        call_connect_timeout_ms: 30_000,
        call_packet_timeout_ms: 10_000,
        me_url_prefix: "https://t.me/".into(),
        autoupdate_url_prefix: None,
        gif_search_username: None,
        venue_search_username: None,
        img_search_username: None,
        static_maps_provider: None,
        caption_length_max: 1024,
        message_length_max: 4096,
        webfile_dc_id: c.dc_id,
        suggested_lang_code: None,
        lang_pack_version: None,
        base_lang_pack_version: None,
        reactions_default: None,
        autologin_token: None,
    }))
}

/// The answer to a `messages.sendMessage` whose `random_id` the sender already used (what
/// Telegram answers): `updateMessageID` and `updateNewMessage` with the message sent the first
/// time and `pts_count` 0 — nothing new is stored.
pub(super) fn repeated_send(
    world: &World,
    me: &Account,
    random_id: i64,
    sent: crate::world::Sent,
    date: i32,
    to: i64,
    text: &str,
) -> Result<enums::Updates, ApiError> {
    Ok(enums::Updates::Updates(types::Updates {
        updates: vec![
            enums::Update::MessageId(types::UpdateMessageId {
                id: sent.id,
                random_id,
            }),
            enums::Update::NewMessage(types::UpdateNewMessage {
                message: message(sent.id, true, me.id, to, date, text, None)?,
                pts: sent.pts,
                pts_count: 0,
            }),
        ],
        users: users_of(world, me, [to])?,
        chats: Vec::new(),
        date,
        seq: 0,
    }))
}
