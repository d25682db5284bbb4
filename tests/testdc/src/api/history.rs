//! Reading what is stored: `contacts.resolveUsername`, `messages.getHistory`,
//! `messages.getMessages`, `messages.getDialogs` — private chats only, each user's box
//! numbered as Telegram numbers private chats.

use ferrogram_tl_types::functions as f;
use ferrogram_tl_types::{enums, types};

use super::objects::{bare, stored_message, user, users_of};
use super::{ApiError, encode, resolve_peer};
use crate::world::{Account, StoredMessage, World};

/// What `limit = 0` means, and the most one call returns (Telegram's figures).
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;

fn limit_of(limit: i32) -> usize {
    match usize::try_from(limit) {
        Ok(0) | Err(_) => DEFAULT_LIMIT,
        Ok(n) => n.min(MAX_LIMIT),
    }
}

/// Bots cannot read histories or dialog lists on Telegram.
fn not_bot(me: &Account) -> Result<(), ApiError> {
    if me.bot {
        return Err(ApiError::new(400, "BOT_METHOD_INVALID"));
    }
    Ok(())
}

/// Whether `name` is a well-formed username: 5–32 of `a-z`, `0-9`, `_`, starting with a
/// letter, not ending with `_`.
pub fn username_valid(name: &str) -> bool {
    let b = name.as_bytes();
    (5..=32).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[b.len() - 1] != b'_'
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// `contacts.resolveUsername`.
pub(super) fn resolve_username(
    world: &World,
    me: &Account,
    call: &f::contacts::ResolveUsername,
) -> Result<Vec<u8>, ApiError> {
    let name = call.username.strip_prefix('@').unwrap_or(&call.username);
    let Some(acc) = world.account_by_username(name) else {
        return Err(ApiError::new(
            400,
            if username_valid(name) {
                "USERNAME_NOT_OCCUPIED"
            } else {
                "USERNAME_INVALID"
            },
        ));
    };
    encode(&enums::contacts::ResolvedPeer::ResolvedPeer(
        types::contacts::ResolvedPeer {
            peer: enums::Peer::User(types::PeerUser { user_id: acc.id }),
            chats: Vec::new(),
            users: vec![user(acc, acc.id == me.id)?],
        },
    ))
}

/// The `hash` of a list of ids (core.telegram.org/api/offsets).
pub fn ids_hash(ids: impl IntoIterator<Item = i64>) -> i64 {
    let mut hash = 0u64;
    for id in ids {
        hash ^= hash >> 21;
        hash ^= hash << 35;
        hash ^= hash >> 4;
        hash = hash.wrapping_add(id as u64);
    }
    hash as i64
}

/// `messages.getHistory`: newest first; the window starts `offsetFromID(offset_id) +
/// add_offset` messages in (or after the messages dated `offset_date` or later), holds
/// `limit`, and is then filtered by `max_id` / `min_id`.
pub(super) fn get_history(
    world: &World,
    me: &Account,
    call: &f::messages::GetHistory,
) -> Result<Vec<u8>, ApiError> {
    not_bot(me)?;
    let peer = resolve_peer(world, me, &call.peer)?;
    let mut all = world.history(me.id, peer.id);
    all.reverse();
    let count = all.len();
    let from = if call.offset_id != 0 {
        all.iter()
            .take_while(|(id, _)| *id >= call.offset_id)
            .count()
    } else if call.offset_date != 0 {
        all.iter()
            .take_while(|(_, m)| m.date >= call.offset_date)
            .count()
    } else {
        0
    };
    let start = from as i64 + i64::from(call.add_offset);
    let end = (start + limit_of(call.limit) as i64).clamp(0, count as i64) as usize;
    let start = start.clamp(0, count as i64) as usize;
    let picked: Vec<(usize, &(i32, &StoredMessage))> = all[start..end]
        .iter()
        .enumerate()
        .map(|(i, m)| (start + i, m))
        .filter(|(_, (id, _))| call.max_id == 0 || *id < call.max_id)
        .filter(|(_, (id, _))| call.min_id == 0 || *id > call.min_id)
        .collect();
    if call.hash != 0 && call.hash == ids_hash(picked.iter().map(|(_, (id, _))| i64::from(*id))) {
        return encode(&enums::messages::Messages::NotModified(
            types::messages::MessagesNotModified {
                count: count as i32,
            },
        ));
    }
    let mut messages = Vec::with_capacity(picked.len());
    for (_, (id, m)) in &picked {
        messages.push(stored_message(world, me.id, *id, m)?);
    }
    let users = users_of(world, me, [peer.id])?;
    if messages.len() == count {
        return encode(&enums::messages::Messages::Messages(
            types::messages::Messages {
                messages,
                topics: Vec::new(),
                chats: Vec::new(),
                users,
            },
        ));
    }
    let positioned = call.offset_id != 0 || call.offset_date != 0 || call.add_offset != 0;
    encode(&enums::messages::Messages::Slice(
        types::messages::MessagesSlice {
            inexact: false,
            count: count as i32,
            next_rate: None,
            offset_id_offset: picked
                .first()
                .filter(|_| positioned)
                .map(|(at, _)| *at as i32),
            search_flood: None,
            messages,
            topics: Vec::new(),
            chats: Vec::new(),
            users,
        },
    ))
}

/// `messages.getMessages`: each id in the caller's box, `messageEmpty` where there is none.
pub(super) fn get_messages(
    world: &World,
    me: &Account,
    call: &f::messages::GetMessages,
) -> Result<Vec<u8>, ApiError> {
    let mut messages = Vec::with_capacity(call.id.len());
    let mut peers = Vec::new();
    for input in &call.id {
        let id = match input {
            enums::InputMessage::Id(m) => Some(m.id),
            // No message here replies to another or is pinned: those are empty.
            enums::InputMessage::ReplyTo(_) | enums::InputMessage::Pinned(_) => None,
            enums::InputMessage::CallbackQuery(_) => {
                return Err(ApiError::new(
                    400,
                    "INPUT_METHOD_INVALID: the test DC has no callback queries \
                     (inputMessageCallbackQuery)",
                ));
            }
        };
        let found = id.and_then(|id| world.box_message(me.id, id).map(|m| (id, m)));
        messages.push(match found {
            Some((id, m)) => {
                peers.push(m.peer_for(me.id));
                stored_message(world, me.id, id, m)?
            }
            None => enums::Message::Empty(types::MessageEmpty {
                id: match input {
                    enums::InputMessage::Id(m) => m.id,
                    _ => 0,
                },
                peer_id: None,
            }),
        });
    }
    encode(&enums::messages::Messages::Messages(
        types::messages::Messages {
            messages,
            topics: Vec::new(),
            chats: Vec::new(),
            users: users_of(world, me, peers)?,
        },
    ))
}

/// `messages.getDialogs`: one dialog per peer, newest top message first, older than
/// (`offset_date`, `offset_id`) when those are given. Nothing is pinned or archived, and
/// nothing is marked read: every incoming message counts as unread.
pub(super) fn get_dialogs(
    world: &World,
    me: &Account,
    call: &f::messages::GetDialogs,
) -> Result<Vec<u8>, ApiError> {
    not_bot(me)?;
    let all = if call.folder_id.unwrap_or(0) == 0 {
        world.dialogs(me.id)
    } else {
        Vec::new()
    };
    let total = all.len();
    let older = |(id, m): &&(i32, &StoredMessage)| match (call.offset_date, call.offset_id) {
        (0, 0) => true,
        (0, offset_id) => *id < offset_id,
        (date, offset_id) => m.date < date || (m.date == date && *id < offset_id),
    };
    let page: Vec<&(i32, &StoredMessage)> = all
        .iter()
        .filter(older)
        .take(limit_of(call.limit))
        .collect();
    let mut dialogs = Vec::with_capacity(page.len());
    let mut messages = Vec::with_capacity(page.len());
    let mut peers = Vec::with_capacity(page.len());
    for (id, m) in &page {
        let peer = m.peer_for(me.id);
        let unread = world
            .history(me.id, peer)
            .iter()
            .filter(|(_, h)| h.from != me.id)
            .count();
        dialogs.push(dialog(peer, *id, unread as i32)?);
        messages.push(stored_message(world, me.id, *id, m)?);
        peers.push(peer);
    }
    let users = users_of(world, me, peers)?;
    if dialogs.len() == total {
        return encode(&enums::messages::Dialogs::Dialogs(
            types::messages::Dialogs {
                dialogs,
                messages,
                chats: Vec::new(),
                users,
            },
        ));
    }
    encode(&enums::messages::Dialogs::Slice(
        types::messages::DialogsSlice {
            count: total as i32,
            dialogs,
            messages,
            chats: Vec::new(),
            users,
        },
    ))
}

fn dialog(peer: i64, top_message: i32, unread_count: i32) -> Result<enums::Dialog, ApiError> {
    let settings: types::PeerNotifySettings = bare(&0u32.to_le_bytes())?;
    Ok(enums::Dialog::Dialog(types::Dialog {
        pinned: false,
        unread_mark: false,
        view_forum_as_messages: false,
        peer: enums::Peer::User(types::PeerUser { user_id: peer }),
        top_message,
        read_inbox_max_id: 0,
        read_outbox_max_id: 0,
        unread_count,
        unread_mentions_count: 0,
        unread_reactions_count: 0,
        unread_poll_votes_count: 0,
        notify_settings: enums::PeerNotifySettings::PeerNotifySettings(Box::new(settings)),
        pts: None,
        draft: None,
        folder_id: None,
        ttl_period: None,
    }))
}
