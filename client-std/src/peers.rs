//! The peer cache: the access hash of every user seen in any answer or update, so calls can
//! address users by id (Telegram refuses an id without the hash this session was given:
//! `PEER_ID_INVALID`).

use std::any::Any;
use std::collections::HashMap;

use ferrogram_tl_types::{TlRead, enums, types};

/// A user as the cache keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedUser {
    /// The id.
    pub id: i64,
    /// The access hash this session may use.
    pub access_hash: i64,
    /// The @username, if it has one.
    pub username: Option<String>,
    /// Whether it is a bot.
    pub bot: bool,
}

/// In-memory cache of users met (id → access hash).
///
/// It notes which users are new or changed since [`take_changes`](Self::take_changes) was
/// last called, so a client saves only those to its session.
#[derive(Clone, Debug, Default)]
pub struct PeerCache {
    users: HashMap<i64, CachedUser>,
    changed: Vec<i64>,
}

impl PeerCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many users it knows.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether it knows no one.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// The user with this id, if met.
    pub fn user(&self, id: i64) -> Option<&CachedUser> {
        self.users.get(&id)
    }

    /// The user with this @username (without the `@`, any case), if met.
    pub fn user_by_username(&self, username: &str) -> Option<&CachedUser> {
        let username = username.trim_start_matches('@');
        self.users.values().find(|u| {
            u.username
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(username))
        })
    }

    /// `inputPeerUser` for a met user.
    pub fn input_peer(&self, id: i64) -> Option<enums::InputPeer> {
        let u = self.users.get(&id)?;
        Some(enums::InputPeer::User(types::InputPeerUser {
            user_id: u.id,
            access_hash: u.access_hash,
        }))
    }

    /// `inputUser` for a met user.
    pub fn input_user(&self, id: i64) -> Option<enums::InputUser> {
        let u = self.users.get(&id)?;
        Some(enums::InputUser::InputUser(types::InputUser {
            user_id: u.id,
            access_hash: u.access_hash,
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
        if u.min && self.users.contains_key(&u.id) {
            return false;
        }
        let cached = CachedUser {
            id: u.id,
            access_hash,
            username: u.username.clone(),
            bot: u.bot,
        };
        if self.users.get(&u.id) == Some(&cached) {
            return false;
        }
        if self.users.insert(u.id, cached).is_none() {
            log::trace!("peer cache: met user {}", u.id);
        }
        if !self.changed.contains(&u.id) {
            self.changed.push(u.id);
        }
        true
    }

    /// Adds a user known from elsewhere (a stored session), not counted as a change.
    pub fn insert(&mut self, user: CachedUser) {
        self.users.insert(user.id, user);
    }

    /// The users new or changed since the last call, oldest first.
    pub fn take_changes(&mut self) -> Vec<CachedUser> {
        let ids = std::mem::take(&mut self.changed);
        ids.iter()
            .filter_map(|id| self.users.get(id).cloned())
            .collect()
    }

    /// Remembers every user in an answer of one of the types that carry users (others are
    /// ignored): `User`, `Vector<User>`, `auth.Authorization`, `Updates`,
    /// `messages.Messages`, `messages.Dialogs`, `contacts.ResolvedPeer`,
    /// `updates.Difference`, `users.UserFull`.
    pub fn collect(&mut self, answer: &dyn Any) {
        if let Some(u) = answer.downcast_ref::<enums::User>() {
            let _ = self.remember(u);
        } else if let Some(list) = answer.downcast_ref::<Vec<enums::User>>() {
            self.remember_all(list);
        } else if let Some(a) = answer.downcast_ref::<enums::auth::Authorization>() {
            if let enums::auth::Authorization::Authorization(a) = a {
                let _ = self.remember(&a.user);
            }
        } else if let Some(u) = answer.downcast_ref::<enums::Updates>() {
            self.collect_updates(u);
        } else if let Some(m) = answer.downcast_ref::<enums::messages::Messages>() {
            match m {
                enums::messages::Messages::Messages(m) => self.remember_all(&m.users),
                enums::messages::Messages::Slice(m) => self.remember_all(&m.users),
                enums::messages::Messages::ChannelMessages(m) => self.remember_all(&m.users),
                enums::messages::Messages::NotModified(_) => {}
            }
        } else if let Some(d) = answer.downcast_ref::<enums::messages::Dialogs>() {
            match d {
                enums::messages::Dialogs::Dialogs(d) => self.remember_all(&d.users),
                enums::messages::Dialogs::Slice(d) => self.remember_all(&d.users),
                enums::messages::Dialogs::NotModified(_) => {}
            }
        } else if let Some(enums::contacts::ResolvedPeer::ResolvedPeer(r)) =
            answer.downcast_ref::<enums::contacts::ResolvedPeer>()
        {
            self.remember_all(&r.users);
        } else if let Some(d) = answer.downcast_ref::<enums::updates::Difference>() {
            match d {
                enums::updates::Difference::Difference(d) => self.remember_all(&d.users),
                enums::updates::Difference::Slice(d) => self.remember_all(&d.users),
                _ => {}
            }
        } else if let Some(enums::users::UserFull::UserFull(f)) =
            answer.downcast_ref::<enums::users::UserFull>()
        {
            self.remember_all(&f.users);
        }
    }

    /// Remembers the users of a pushed update (serialized `Updates`); anything else is
    /// ignored.
    pub fn collect_update_bytes(&mut self, bytes: &[u8]) {
        if let Ok(u) = enums::Updates::from_bytes(bytes) {
            self.collect_updates(&u);
        }
    }

    fn collect_updates(&mut self, u: &enums::Updates) {
        match u {
            enums::Updates::Updates(u) => self.remember_all(&u.users),
            enums::Updates::Combined(u) => self.remember_all(&u.users),
            _ => {}
        }
    }

    fn remember_all(&mut self, users: &[enums::User]) {
        for u in users {
            let _ = self.remember(u);
        }
    }
}
