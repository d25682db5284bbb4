//! Reading messages: by id ([`Client::get_messages`]), a chat's history page by page
//! ([`Client::history`], [`AsyncClient::history`]), and resolving @usernames.

use std::collections::VecDeque;

use ferrogram_tl_types::{enums, functions as f, types};

use crate::client::{AsyncClient, Client};
use crate::error::{Error, ProtocolError};
use crate::ids::PeerId;
use crate::net::{Blocking, Io, Smol};
use crate::updates::Message;

/// Messages per `messages.getHistory` page (Telegram's maximum).
pub const HISTORY_PAGE: i32 = 100;

/// Where a history walk is.
#[derive(Debug)]
struct HistoryState {
    chat: i64,
    /// Older than this message id (0: from the newest).
    offset_id: i32,
    /// Messages still to yield, at most (None: all).
    left: Option<usize>,
    page: VecDeque<Message>,
    done: bool,
}

impl<I: Io> Client<I> {
    async fn get_messages_inner(&mut self, ids: &[i32]) -> Result<Vec<Option<Message>>, Error> {
        let answer = self
            .invoke_inner(&f::messages::GetMessages {
                id: ids
                    .iter()
                    .map(|&id| enums::InputMessage::Id(types::InputMessageId { id }))
                    .collect(),
            })
            .await?;
        let messages = messages_of(answer)?;
        Ok(ids
            .iter()
            .map(|&id| {
                messages
                    .iter()
                    .find(|m| message_id(m) == Some(id))
                    .and_then(Message::from_tl)
            })
            .collect())
    }

    async fn resolve_username_inner(&mut self, username: &str) -> Result<PeerId, Error> {
        let name = username.trim_start_matches('@');
        if let Some(p) = self.peers().by_username(name) {
            return Ok(p.id);
        }
        let enums::contacts::ResolvedPeer::ResolvedPeer(r) = self
            .invoke_inner(&f::contacts::ResolveUsername {
                username: name.to_owned(),
                referer: None,
            })
            .await?;
        Ok(PeerId::from(&r.peer))
    }

    /// Fills the page when it is empty; marks the walk done when the chat has no more.
    async fn history_fill(&mut self, st: &mut HistoryState) -> Result<(), Error> {
        if !st.page.is_empty() || st.done {
            return Ok(());
        }
        if st.left == Some(0) {
            st.done = true;
            return Ok(());
        }
        let limit = st
            .left
            .map_or(HISTORY_PAGE, |n| n.min(HISTORY_PAGE as usize) as i32);
        let peer = self.input_peer(st.chat).await?;
        let answer = self
            .invoke_inner(&f::messages::GetHistory {
                peer,
                offset_id: st.offset_id,
                offset_date: 0,
                add_offset: 0,
                limit,
                max_id: 0,
                min_id: 0,
                hash: 0,
            })
            .await?;
        let messages = messages_of(answer)?;
        if messages.len() < limit as usize {
            st.done = true;
        }
        for m in &messages {
            if let Some(id) = message_id(m) {
                st.offset_id = id;
            }
            if let Some(m) = Message::from_tl(m) {
                st.page.push_back(m);
            }
        }
        if messages.is_empty() {
            st.done = true;
        }
        Ok(())
    }

    async fn history_next(&mut self, st: &mut HistoryState) -> Option<Result<Message, Error>> {
        if let Err(e) = self.history_fill(st).await {
            st.done = true;
            return Some(Err(e));
        }
        let m = st.page.pop_front()?;
        if let Some(n) = st.left.as_mut() {
            *n -= 1;
        }
        Some(Ok(m))
    }
}

/// A message's id, whatever its form (`messageEmpty` without one: `None`).
fn message_id(m: &enums::Message) -> Option<i32> {
    match m {
        enums::Message::Message(m) => Some(m.id),
        enums::Message::Service(m) => Some(m.id),
        enums::Message::Empty(m) => (m.id != 0).then_some(m.id),
    }
}

/// The messages of an answer (`messages.Messages`); `NotModified` has none.
fn messages_of(answer: enums::messages::Messages) -> Result<Vec<enums::Message>, Error> {
    Ok(match answer {
        enums::messages::Messages::Messages(m) => m.messages,
        enums::messages::Messages::Slice(m) => m.messages,
        enums::messages::Messages::ChannelMessages(m) => m.messages,
        enums::messages::Messages::NotModified(_) => {
            return Err(ProtocolError::Unexpected {
                expected: "messages (none was cached, so none can be unmodified)",
                got: "messages.messagesNotModified".into(),
            }
            .into());
        }
    })
}

impl Client<Blocking> {
    /// The messages with these ids in this account's private chats and basic groups, in
    /// the order asked (`None` for an id with no message, or a service message).
    ///
    /// # Errors
    /// As [`invoke`](Self::invoke).
    pub fn get_messages(&mut self, ids: &[i32]) -> Result<Vec<Option<Message>>, Error> {
        futures_lite::future::block_on(self.get_messages_inner(ids))
    }

    /// The user, group or channel with this @username (with or without the `@`): from the
    /// peer cache, else asked of Telegram (`contacts.resolveUsername`), which also lets this
    /// session address it.
    ///
    /// # Errors
    /// [`Error::Rpc`] `USERNAME_NOT_OCCUPIED` / `USERNAME_INVALID`, or as
    /// [`invoke`](Self::invoke).
    pub fn resolve_username(&mut self, username: &str) -> Result<PeerId, Error> {
        futures_lite::future::block_on(self.resolve_username_inner(username))
    }

    /// A chat's messages, newest first, fetched [`HISTORY_PAGE`] at a time as the iterator
    /// advances; at most `limit` of them (`None`: the whole history). User accounts only
    /// (Telegram refuses history to bots). Service messages are skipped.
    ///
    /// ```no_run
    /// # fn f(mut client: ferrogram_client_std::Client) -> Result<(), ferrogram_client_std::Error> {
    /// for m in client.history(777000, Some(20)) {
    ///     println!("{}: {}", m?.id, "…");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn history(&mut self, chat: i64, limit: Option<usize>) -> History<'_> {
        History {
            client: self,
            state: HistoryState::new(chat, limit),
        }
    }
}

impl AsyncClient {
    /// The async form of [`Client::get_messages`].
    ///
    /// # Errors
    /// As [`Client::get_messages`].
    pub async fn get_messages(&mut self, ids: &[i32]) -> Result<Vec<Option<Message>>, Error> {
        self.get_messages_inner(ids).await
    }

    /// The async form of [`Client::resolve_username`].
    ///
    /// # Errors
    /// As [`Client::resolve_username`].
    pub async fn resolve_username(&mut self, username: &str) -> Result<PeerId, Error> {
        self.resolve_username_inner(username).await
    }

    /// The async form of [`Client::history`]: call [`AsyncHistory::next`] until `None`.
    pub fn history(&mut self, chat: i64, limit: Option<usize>) -> AsyncHistory<'_> {
        AsyncHistory {
            client: self,
            state: HistoryState::new(chat, limit),
        }
    }
}

impl HistoryState {
    fn new(chat: i64, limit: Option<usize>) -> Self {
        HistoryState {
            chat,
            offset_id: 0,
            left: limit,
            page: VecDeque::new(),
            done: false,
        }
    }
}

/// A chat's history as an iterator (see [`Client::history`]). After an error it ends.
#[derive(Debug)]
pub struct History<'a> {
    client: &'a mut Client<Blocking>,
    state: HistoryState,
}

impl Iterator for History<'_> {
    type Item = Result<Message, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        futures_lite::future::block_on(self.client.history_next(&mut self.state))
    }
}

/// A chat's history, async (see [`AsyncClient::history`]). After an error it ends.
#[derive(Debug)]
pub struct AsyncHistory<'a> {
    client: &'a mut Client<Smol>,
    state: HistoryState,
}

impl AsyncHistory<'_> {
    /// The next (older) message, fetching a page when needed; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Message, Error>> {
        self.client.history_next(&mut self.state).await
    }
}
