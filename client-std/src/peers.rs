//! The peer cache: the access hash of every user, group and channel seen in any answer or
//! update, so calls can address them by id (Telegram refuses an id without the hash this
//! session was given: `PEER_ID_INVALID`). Peers are keyed by [`PeerId`], so a user and a
//! channel with the same number never mix.

use std::any::Any;
use std::collections::HashMap;

use ferrogram_tl_types::{TlRead, enums, types};

use crate::ids::PeerId;

/// A peer as the cache keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedPeer {
    /// Which peer.
    pub id: PeerId,
    /// The access hash this session may use (0 for basic groups, which need none).
    pub access_hash: i64,
    /// The @username, if it has one.
    pub username: Option<String>,
    /// A bot (users only).
    pub bot: bool,
}

/// The users of the cache (the same type: a user is a [`CachedPeer`] with a
/// [`PeerId::User`] id).
pub type CachedUser = CachedPeer;

/// In-memory cache of the peers met (id → access hash).
///
/// It notes which peers are new or changed since [`take_changes`](Self::take_changes) was
/// last called, so a client saves only those to its session.
#[derive(Clone, Debug, Default)]
pub struct PeerCache {
    peers: HashMap<PeerId, CachedPeer>,
    changed: Vec<PeerId>,
}

impl PeerCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many peers it knows.
    pub fn len(&self) -> usize {
        self.peers.len()
    }

    /// Whether it knows no one.
    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    /// The peer, if met.
    pub fn get(&self, id: PeerId) -> Option<&CachedPeer> {
        self.peers.get(&id)
    }

    /// The user with this id, if met.
    pub fn user(&self, id: i64) -> Option<&CachedPeer> {
        self.get(PeerId::User(id))
    }

    /// The peer (user, group or channel) with this @username (without the `@`, any case),
    /// if met.
    pub fn by_username(&self, username: &str) -> Option<&CachedPeer> {
        let username = username.trim_start_matches('@');
        self.peers.values().find(|p| {
            p.username
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(username))
        })
    }

    /// The user with this @username, if met.
    pub fn user_by_username(&self, username: &str) -> Option<&CachedPeer> {
        self.by_username(username)
            .filter(|p| matches!(p.id, PeerId::User(_)))
    }

    /// The `InputPeer` for a marked id (see [`PeerId`]): a met user or channel, or any
    /// basic group (those need no access hash). `None` if it was not met.
    pub fn input_peer(&self, marked: i64) -> Option<enums::InputPeer> {
        match PeerId::from_marked(marked)? {
            PeerId::Chat(chat_id) => Some(enums::InputPeer::Chat(types::InputPeerChat { chat_id })),
            PeerId::User(user_id) => {
                let p = self.user(user_id)?;
                Some(enums::InputPeer::User(types::InputPeerUser {
                    user_id,
                    access_hash: p.access_hash,
                }))
            }
            PeerId::Channel(channel_id) => {
                let p = self.get(PeerId::Channel(channel_id))?;
                Some(enums::InputPeer::Channel(types::InputPeerChannel {
                    channel_id,
                    access_hash: p.access_hash,
                }))
            }
        }
    }

    /// `inputUser` for a met user.
    pub fn input_user(&self, id: i64) -> Option<enums::InputUser> {
        let u = self.user(id)?;
        Some(enums::InputUser::InputUser(types::InputUser {
            user_id: id,
            access_hash: u.access_hash,
        }))
    }

    /// `inputChannel` for a met channel (by its bare id).
    pub fn input_channel(&self, id: i64) -> Option<enums::InputChannel> {
        let c = self.get(PeerId::Channel(id))?;
        Some(enums::InputChannel::InputChannel(types::InputChannel {
            channel_id: id,
            access_hash: c.access_hash,
        }))
    }

    /// Remembers a user; returns whether it was new or changed. A `min` user (seen in a
    /// group, its hash not usable) does not replace a full one; users without an access hash
    /// are not kept.
    pub fn remember(&mut self, user: &enums::User) -> bool {
        let enums::User::User(u) = user else {
            return false;
        };
        let Some(access_hash) = u.access_hash else {
            return false;
        };
        self.put(
            CachedPeer {
                id: PeerId::User(u.id),
                access_hash,
                username: u.username.clone(),
                bot: u.bot,
            },
            u.min,
        )
    }

    /// Remembers a group or channel; returns whether it was new or changed. A `min`
    /// channel does not replace a full one; channels without an access hash are not kept.
    pub fn remember_chat(&mut self, chat: &enums::Chat) -> bool {
        let (peer, min) = match chat {
            enums::Chat::Chat(c) => (
                CachedPeer {
                    id: PeerId::Chat(c.id),
                    access_hash: 0,
                    username: None,
                    bot: false,
                },
                false,
            ),
            enums::Chat::Forbidden(c) => (
                CachedPeer {
                    id: PeerId::Chat(c.id),
                    access_hash: 0,
                    username: None,
                    bot: false,
                },
                false,
            ),
            enums::Chat::Channel(c) => {
                let Some(access_hash) = c.access_hash else {
                    return false;
                };
                (
                    CachedPeer {
                        id: PeerId::Channel(c.id),
                        access_hash,
                        username: c.username.clone(),
                        bot: false,
                    },
                    c.min,
                )
            }
            enums::Chat::ChannelForbidden(c) => (
                CachedPeer {
                    id: PeerId::Channel(c.id),
                    access_hash: c.access_hash,
                    username: None,
                    bot: false,
                },
                false,
            ),
            _ => return false,
        };
        self.put(peer, min)
    }

    fn put(&mut self, peer: CachedPeer, min: bool) -> bool {
        let id = peer.id;
        if min && self.peers.contains_key(&id) {
            return false;
        }
        if self.peers.get(&id) == Some(&peer) {
            return false;
        }
        if self.peers.insert(id, peer).is_none() {
            log::trace!("peer cache: met {id}");
        }
        if !self.changed.contains(&id) {
            self.changed.push(id);
        }
        true
    }

    /// Adds a peer known from elsewhere (a stored session), not counted as a change.
    pub fn insert(&mut self, peer: CachedPeer) {
        self.peers.insert(peer.id, peer);
    }

    /// The peers new or changed since the last call, oldest first.
    pub fn take_changes(&mut self) -> Vec<CachedPeer> {
        let ids = std::mem::take(&mut self.changed);
        ids.iter()
            .filter_map(|id| self.peers.get(id).cloned())
            .collect()
    }

    /// Remembers every user, group and channel in an answer of one of the types that carry
    /// them (others are ignored): `User`, `Vector<User>`, `auth.Authorization`, `Updates`,
    /// `messages.Messages`, `messages.Dialogs`, `messages.Chats`, `messages.ChatFull`,
    /// `contacts.ResolvedPeer`, `updates.Difference`, `users.UserFull`.
    pub fn collect(&mut self, answer: &dyn Any) {
        if let Some(u) = answer.downcast_ref::<enums::User>() {
            let _ = self.remember(u);
        } else if let Some(list) = answer.downcast_ref::<Vec<enums::User>>() {
            self.remember_all(list, &[]);
        } else if let Some(a) = answer.downcast_ref::<enums::auth::Authorization>() {
            if let enums::auth::Authorization::Authorization(a) = a {
                let _ = self.remember(&a.user);
            }
        } else if let Some(u) = answer.downcast_ref::<enums::Updates>() {
            self.collect_updates(u);
        } else if let Some(m) = answer.downcast_ref::<enums::messages::Messages>() {
            match m {
                enums::messages::Messages::Messages(m) => self.remember_all(&m.users, &m.chats),
                enums::messages::Messages::Slice(m) => self.remember_all(&m.users, &m.chats),
                enums::messages::Messages::ChannelMessages(m) => {
                    self.remember_all(&m.users, &m.chats)
                }
                enums::messages::Messages::NotModified(_) => {}
            }
        } else if let Some(d) = answer.downcast_ref::<enums::messages::Dialogs>() {
            match d {
                enums::messages::Dialogs::Dialogs(d) => self.remember_all(&d.users, &d.chats),
                enums::messages::Dialogs::Slice(d) => self.remember_all(&d.users, &d.chats),
                enums::messages::Dialogs::NotModified(_) => {}
            }
        } else if let Some(c) = answer.downcast_ref::<enums::messages::Chats>() {
            match c {
                enums::messages::Chats::Chats(c) => self.remember_all(&[], &c.chats),
                enums::messages::Chats::Slice(c) => self.remember_all(&[], &c.chats),
            }
        } else if let Some(enums::messages::ChatFull::ChatFull(c)) =
            answer.downcast_ref::<enums::messages::ChatFull>()
        {
            self.remember_all(&c.users, &c.chats);
        } else if let Some(enums::contacts::ResolvedPeer::ResolvedPeer(r)) =
            answer.downcast_ref::<enums::contacts::ResolvedPeer>()
        {
            self.remember_all(&r.users, &r.chats);
        } else if let Some(d) = answer.downcast_ref::<enums::updates::Difference>() {
            match d {
                enums::updates::Difference::Difference(d) => self.remember_all(&d.users, &d.chats),
                enums::updates::Difference::Slice(d) => self.remember_all(&d.users, &d.chats),
                _ => {}
            }
        } else if let Some(enums::users::UserFull::UserFull(f)) =
            answer.downcast_ref::<enums::users::UserFull>()
        {
            self.remember_all(&f.users, &f.chats);
        }
    }

    /// Remembers the peers of a pushed update (serialized `Updates`); anything else is
    /// ignored.
    pub fn collect_update_bytes(&mut self, bytes: &[u8]) {
        if let Ok(u) = enums::Updates::from_bytes(bytes) {
            self.collect_updates(&u);
        }
    }

    fn collect_updates(&mut self, u: &enums::Updates) {
        match u {
            enums::Updates::Updates(u) => self.remember_all(&u.users, &u.chats),
            enums::Updates::Combined(u) => self.remember_all(&u.users, &u.chats),
            _ => {}
        }
    }

    fn remember_all(&mut self, users: &[enums::User], chats: &[enums::Chat]) {
        for u in users {
            let _ = self.remember(u);
        }
        for c in chats {
            let _ = self.remember_chat(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(id: i64, hash: Option<i64>, min: bool, username: Option<&str>) -> enums::Chat {
        enums::Chat::Channel(Box::new(types::Channel {
            creator: false,
            left: false,
            broadcast: true,
            verified: false,
            megagroup: false,
            restricted: false,
            signatures: false,
            min,
            scam: false,
            has_link: false,
            has_geo: false,
            slowmode_enabled: false,
            call_active: false,
            call_not_empty: false,
            fake: false,
            gigagroup: false,
            noforwards: false,
            join_to_send: false,
            join_request: false,
            forum: false,
            stories_hidden: false,
            stories_hidden_min: false,
            stories_unavailable: false,
            signature_profiles: false,
            autotranslation: false,
            broadcast_messages_allowed: false,
            monoforum: false,
            forum_tabs: false,
            id,
            access_hash: hash,
            title: "News".into(),
            username: username.map(Into::into),
            photo: enums::ChatPhoto::Empty(types::ChatPhotoEmpty {}),
            date: 0,
            restriction_reason: None,
            admin_rights: None,
            banned_rights: None,
            default_banned_rights: None,
            participants_count: None,
            usernames: None,
            stories_max_id: None,
            color: None,
            profile_color: None,
            emoji_status: None,
            level: None,
            subscription_until_date: None,
            bot_verification_icon: None,
            send_paid_messages_stars: None,
            linked_monoforum_id: None,
            linked_community_id: None,
        }))
    }

    #[test]
    fn channels_and_groups_are_kept_apart_from_users_with_the_same_number() {
        let mut c = PeerCache::new();
        assert!(c.remember_chat(&channel(42, Some(7), false, Some("news"))));
        assert!(
            !c.remember_chat(&channel(42, Some(7), false, Some("news"))),
            "unchanged"
        );
        assert!(
            !c.remember_chat(&channel(42, Some(9), true, None)),
            "min keeps the full"
        );
        assert!(
            !c.remember_chat(&channel(43, None, false, None)),
            "no hash, not kept"
        );
        assert!(c.user(42).is_none());
        let marked = PeerId::Channel(42).marked();
        assert_eq!(
            c.input_peer(marked),
            Some(enums::InputPeer::Channel(types::InputPeerChannel {
                channel_id: 42,
                access_hash: 7
            }))
        );
        assert_eq!(
            c.by_username("@NEWS").map(|p| p.id),
            Some(PeerId::Channel(42))
        );
        assert!(c.user_by_username("news").is_none());
        // Basic groups need no hash: any id works.
        assert_eq!(
            c.input_peer(-5),
            Some(enums::InputPeer::Chat(types::InputPeerChat { chat_id: 5 }))
        );
        assert_eq!(c.input_peer(PeerId::Channel(44).marked()), None);
        assert_eq!(c.take_changes().len(), 1);
        assert!(c.take_changes().is_empty());
    }
}
