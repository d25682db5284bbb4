//! The updates stream: what the server pushes (new messages, edits, deletions, anything
//! else as the raw TL update), in arrival order, from [`Client::next_update`].
//!
//! Telegram pushes `Updates` in several shapes (`updateShortMessage`, `updateShort`,
//! `updates`, `updatesCombined`, …); [`split`] turns each into the [`Update`]s it holds, with
//! the short forms expanded into the same [`Message`] a full `updateNewMessage` gives.
//!
//! What this stream does not do yet (a later issue): recover gaps with
//! `updates.getDifference`. A server that says it has too many updates to push
//! (`updatesTooLong`) gives [`Update::TooLong`].
//!
//! [`Client::next_update`]: crate::Client::next_update

use ferrogram_tl_types::{enums, types};

use crate::ids::PeerId;

/// A message as an update carries it.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Its id in the chat (in a private chat or basic group: in the receiving account's
    /// message box).
    pub id: i32,
    /// The chat it is in, as a marked id (see [`PeerId`]): the other user's id in a private
    /// chat, `-chat_id` for a basic group, `-100…` for a channel or supergroup.
    pub chat: PeerId,
    /// Who sent it, when known (`None` for channel posts without a signature).
    pub sender: Option<PeerId>,
    /// Unix time it was sent.
    pub date: i32,
    /// The text (the caption for media).
    pub text: String,
    /// Formatting and links in the text.
    pub entities: Vec<enums::MessageEntity>,
    /// Sent by this account.
    pub outgoing: bool,
    /// The id of the message it replies to, if any.
    pub reply_to: Option<i32>,
}

impl Message {
    /// The message in `messageService` / `messageEmpty` form is not a text message: `None`.
    pub fn from_tl(m: &enums::Message) -> Option<Message> {
        let enums::Message::Message(m) = m else {
            return None;
        };
        Some(Message {
            id: m.id,
            chat: PeerId::from(&m.peer_id),
            sender: m.from_id.as_ref().map(PeerId::from).or_else(|| {
                // In a private chat the sender of an incoming message is the chat itself.
                match (&m.peer_id, m.out) {
                    (enums::Peer::User(_), false) => Some(PeerId::from(&m.peer_id)),
                    _ => None,
                }
            }),
            date: m.date,
            text: m.message.clone(),
            entities: m.entities.clone().unwrap_or_default(),
            outgoing: m.out,
            reply_to: reply_to_id(m.reply_to.as_ref()),
        })
    }
}

fn reply_to_id(r: Option<&enums::MessageReplyHeader>) -> Option<i32> {
    match r? {
        enums::MessageReplyHeader::MessageReplyHeader(h) => h.reply_to_msg_id,
        enums::MessageReplyHeader::MessageReplyStoryHeader(_) => None,
    }
}

/// One update.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Update {
    /// A new message in any chat (`updateNewMessage`, `updateNewChannelMessage`, and the short
    /// forms `updateShortMessage` / `updateShortChatMessage`).
    NewMessage(Message),
    /// A message was edited (`updateEditMessage`, `updateEditChannelMessage`).
    MessageEdited(Message),
    /// Messages were deleted: in a channel when `channel` is set (its bare id), otherwise
    /// in this account's private chats and basic groups.
    MessagesDeleted {
        /// The message ids.
        ids: Vec<i32>,
        /// The channel, for `updateDeleteChannelMessages`.
        channel: Option<i64>,
    },
    /// The server had too many updates to push (`updatesTooLong`): some were not
    /// delivered. Recovering them (`updates.getDifference`) is not built yet.
    TooLong,
    /// Any other update, as Telegram sent it.
    Raw(enums::Update),
}

/// The updates one pushed `Updates` holds, in order; `me` (this account's id, if known)
/// names the sender of outgoing short messages. `updateShortSentMessage` (only ever an
/// answer) holds none.
pub fn split(updates: enums::Updates, me: Option<i64>) -> Vec<Update> {
    match updates {
        enums::Updates::TooLong(_) => vec![Update::TooLong],
        enums::Updates::UpdateShortMessage(m) => {
            vec![Update::NewMessage(short_message(&m, me))]
        }
        enums::Updates::UpdateShortChatMessage(m) => {
            vec![Update::NewMessage(short_chat_message(&m))]
        }
        enums::Updates::UpdateShort(u) => vec![one(u.update)],
        enums::Updates::Combined(u) => u.updates.into_iter().map(one).collect(),
        enums::Updates::Updates(u) => u.updates.into_iter().map(one).collect(),
        enums::Updates::UpdateShortSentMessage(_) => Vec::new(),
    }
}

fn one(u: enums::Update) -> Update {
    let message = |m: &enums::Message| Message::from_tl(m);
    match &u {
        enums::Update::NewMessage(n) => message(&n.message).map(Update::NewMessage),
        enums::Update::NewChannelMessage(n) => message(&n.message).map(Update::NewMessage),
        enums::Update::EditMessage(n) => message(&n.message).map(Update::MessageEdited),
        enums::Update::EditChannelMessage(n) => message(&n.message).map(Update::MessageEdited),
        enums::Update::DeleteMessages(d) => Some(Update::MessagesDeleted {
            ids: d.messages.clone(),
            channel: None,
        }),
        enums::Update::DeleteChannelMessages(d) => Some(Update::MessagesDeleted {
            ids: d.messages.clone(),
            channel: Some(d.channel_id),
        }),
        _ => None,
    }
    .unwrap_or(Update::Raw(u))
}

fn short_message(m: &types::UpdateShortMessage, me: Option<i64>) -> Message {
    let other = PeerId::User(m.user_id);
    Message {
        id: m.id,
        chat: other,
        sender: if m.out {
            me.map(PeerId::User)
        } else {
            Some(other)
        },
        date: m.date,
        text: m.message.clone(),
        entities: m.entities.clone().unwrap_or_default(),
        outgoing: m.out,
        reply_to: reply_to_id(m.reply_to.as_ref()),
    }
}

fn short_chat_message(m: &types::UpdateShortChatMessage) -> Message {
    Message {
        id: m.id,
        chat: PeerId::Chat(m.chat_id),
        sender: Some(PeerId::User(m.from_id)),
        date: m.date,
        text: m.message.clone(),
        entities: m.entities.clone().unwrap_or_default(),
        outgoing: m.out,
        reply_to: reply_to_id(m.reply_to.as_ref()),
    }
}
