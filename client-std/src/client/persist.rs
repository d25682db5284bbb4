//! The client's side of sessions: where the builder's session comes from, and the
//! bookkeeping that sends every change (login, peers met, update state) to the storage.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ferrogram_tl_types::types;

use super::{Client, ClientBuilder};
use crate::error::Error;
use crate::ids::PeerId;
use crate::net::Io;
use crate::peers::{CachedPeer, PeerCache};
use crate::session::{
    Change, LoggedInUser, MemoryStorage, PeerKind, SessionData, SqliteStorage, Storage, StoredPeer,
    UpdateState,
};

/// Where [`ClientBuilder::connect`] gets the session.
#[derive(Clone)]
pub(super) enum SessionSource {
    Memory,
    File(PathBuf),
    String(String),
    /// Taken by the first `connect` (a clone of the builder shares it).
    Storage(Arc<Mutex<Option<Box<dyn Storage>>>>),
}

impl std::fmt::Debug for SessionSource {
    /// Never the string itself (it holds the auth key).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Memory => f.write_str("Memory"),
            Self::File(p) => write!(f, "File({})", p.display()),
            Self::String(_) => f.write_str("String(..)"),
            Self::Storage(_) => f.write_str("Storage(..)"),
        }
    }
}

impl ClientBuilder {
    /// DC `dc_id`'s address if it is not the built-in one (given with `.dc(…)` or by the
    /// session): what a session stores with the DC's key.
    pub(super) fn custom_addr(&self, dc_id: i32) -> Option<std::net::SocketAddr> {
        crate::dc::find(&self.dcs, dc_id).or_else(|| crate::dc::find(&self.session_dcs, dc_id))
    }

    /// The storage the builder names, opened.
    pub(super) fn open_session(&mut self) -> Result<Box<dyn Storage>, Error> {
        Ok(
            match std::mem::replace(&mut self.session, SessionSource::Memory) {
                SessionSource::Memory => Box::new(MemoryStorage::new()),
                SessionSource::File(path) => Box::new(SqliteStorage::open(path)?),
                SessionSource::String(s) => {
                    Box::new(MemoryStorage::with_data(SessionData::import_any(&s)?))
                }
                SessionSource::Storage(shared) => shared
                    .lock()
                    .map_err(|_| Error::Config("the session storage's lock is poisoned".into()))?
                    .take()
                    .ok_or_else(|| {
                        Error::Config(
                            "this session storage was already taken by another client's connect \
                         (a cloned builder); give each client its own"
                                .into(),
                        )
                    })?,
            },
        )
    }
}

/// The peers of a stored session, for the client's peer cache.
pub(super) fn stored_peers(data: &SessionData) -> PeerCache {
    let mut peers = PeerCache::new();
    for p in data.peers.values() {
        peers.insert(CachedPeer {
            id: p.peer_id(),
            access_hash: p.access_hash,
            username: p.username.clone(),
            bot: p.kind == PeerKind::Bot,
        });
    }
    peers
}

impl<I: Io> Client<I> {
    /// Notes the logged-in account, and stores the login if it is new.
    pub(super) fn set_login(&mut self, user: &types::User) -> Result<(), Error> {
        self.me = Some(user.clone());
        let login = LoggedInUser {
            id: user.id,
            is_bot: user.bot,
        };
        if self.login != Some(login) {
            self.login = Some(login);
            self.storage.apply(&[Change::User(Some(login))])?;
        }
        Ok(())
    }

    /// Stores the peers met since the last call. A failure is logged, not returned: the
    /// call that met them succeeded, and they will be met again.
    pub(super) fn save_peers(&mut self) {
        let changed = self.peers.take_changes();
        if changed.is_empty() {
            return;
        }
        let peers = changed
            .into_iter()
            .map(|p| StoredPeer {
                id: p.id.bare(),
                access_hash: p.access_hash,
                kind: match p.id {
                    PeerId::User(_) if p.bot => PeerKind::Bot,
                    PeerId::User(_) => PeerKind::User,
                    PeerId::Chat(_) => PeerKind::Chat,
                    PeerId::Channel(_) => PeerKind::Channel,
                },
                username: p.username,
            })
            .collect();
        if let Err(e) = self.storage.apply(&[Change::Peers(peers)]) {
            log::warn!("peers met could not be stored: {e}");
        }
    }

    /// This session as a string in our format ([`SessionData::export_string`]): home DC,
    /// keys, addresses, login and update state, but not the peers. Give it to
    /// [`ClientBuilder::session_string`] elsewhere to continue there; it is as secret as a
    /// password (it logs in as this account).
    ///
    /// # Errors
    /// [`Error::Session`] if the storage cannot be read.
    pub fn export_session_string(&mut self) -> Result<String, Error> {
        let mut data = self.storage.load()?;
        data.apply(&Change::Key {
            dc_id: self.conn.dc_id(),
            key: Some(self.conn.key_info()),
        });
        Ok(data.export_string()?)
    }

    /// Whom the session is logged in as (restored from the stored session, or a login or
    /// [`get_me`](Self::get_me) here).
    pub fn logged_in_user(&self) -> Option<LoggedInUser> {
        self.login
    }

    /// Where the updates stood when last stored (from the session, or
    /// [`set_update_state`](Self::set_update_state)): where `updates.getDifference` resumes.
    pub fn update_state(&self) -> Option<UpdateState> {
        self.update_state
    }

    /// Stores where the updates stand (pts, qts, date, seq), e.g. after handling a batch.
    ///
    /// # Errors
    /// [`Error::Session`] if the storage cannot be written.
    pub fn set_update_state(&mut self, state: UpdateState) -> Result<(), Error> {
        if self.update_state != Some(state) {
            self.storage.apply(&[Change::UpdateState(Some(state))])?;
            self.update_state = Some(state);
        }
        Ok(())
    }
}
