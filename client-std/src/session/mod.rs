//! Persistent sessions: what a client must keep to come back without a new auth key or a new
//! login, where it keeps it, and session strings to carry it elsewhere.
//!
//! [`SessionData`] is the whole session: the home DC, the auth key of each DC (with its salt
//! and time offset), address overrides, the logged-in user, the peers met and the update
//! state. A [`Storage`] receives every change as a batch of [`Change`]s, applied atomically:
//! [`MemoryStorage`] (the default; forgotten when dropped) and [`SqliteStorage`] (a file, one
//! process at a time). Session strings move a session between machines and libraries:
//! [`SessionData::export_string`]/[`import_string`](SessionData::import_string) (ours, see
//! the [`string`] module for the layout), [`import_pyrogram`](SessionData::import_pyrogram)
//! and [`import_telethon`](SessionData::import_telethon).
//!
//! ```
//! use ferrogram_client_std::session::{MemoryStorage, SessionData, Storage};
//!
//! // A Telethon StringSession (DC 2 at 127.0.0.1:44152) …
//! let telethon = include_str!("../../tests/data/telethon_ipv4.txt").trim();
//! let data = SessionData::import_telethon(telethon)?;
//! assert_eq!((data.home_dc, data.dcs[&2].addr.unwrap().port()), (2, 44152));
//! // … in a storage a client can use, and out again in our format.
//! let storage = MemoryStorage::with_data(data.clone());
//! assert_eq!(SessionData::import_string(&data.export_string()?)?, data);
//! # let _ = storage;
//! # Ok::<(), ferrogram_client_std::session::SessionError>(())
//! ```

mod base64url;
mod error;
mod lock;
mod sqlite;
pub mod string;

use std::collections::BTreeMap;
use std::net::SocketAddr;

pub use crate::connection::KeyInfo;
pub use base64url::Base64Error;
pub use error::{SessionError, StringError, StringFormat};
pub use sqlite::{SCHEMA_VERSION, SqliteStorage};

/// What the session knows about one DC.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DcEntry {
    /// Its auth key, salt and time offset, once made (or imported).
    pub key: Option<KeyInfo>,
    /// Where to reach it, if not at the built-in address (a Telethon string carries one; a
    /// client given `.dc(id, addr)` stores it too).
    pub addr: Option<SocketAddr>,
}

/// The account a session is logged in as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoggedInUser {
    /// Its user id.
    pub id: i64,
    /// Whether it is a bot.
    pub is_bot: bool,
}

/// What kind of peer a stored access hash belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeerKind {
    /// A user account.
    User,
    /// A bot.
    Bot,
    /// A basic group (no access hash needed; stored with hash 0).
    Chat,
    /// A channel or supergroup.
    Channel,
}

impl PeerKind {
    /// The name stored in files (`user`, `bot`, `chat`, `channel`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Bot => "bot",
            Self::Chat => "chat",
            Self::Channel => "channel",
        }
    }

    /// The kind named `s` (as [`as_str`](Self::as_str) gives).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "user" => Self::User,
            "bot" => Self::Bot,
            "chat" => Self::Chat,
            "channel" => Self::Channel,
            _ => return None,
        })
    }
}

/// A peer met, with the access hash this session may use for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPeer {
    /// Its id (a user, chat or channel id, not a "marked" Bot API id).
    pub id: i64,
    /// The access hash.
    pub access_hash: i64,
    /// What it is.
    pub kind: PeerKind,
    /// Its @username, if it has one.
    pub username: Option<String>,
}

impl StoredPeer {
    /// Which peer this is.
    pub fn peer_id(&self) -> crate::PeerId {
        match self.kind {
            PeerKind::User | PeerKind::Bot => crate::PeerId::User(self.id),
            PeerKind::Chat => crate::PeerId::Chat(self.id),
            PeerKind::Channel => crate::PeerId::Channel(self.id),
        }
    }
}

/// Where the account's update sequence stands (`updates.getState`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpdateState {
    /// The common message box's `pts`.
    pub pts: i32,
    /// The secret chats' `qts`.
    pub qts: i32,
    /// The date of the last update.
    pub date: i32,
    /// The `seq` of the last `updates`/`updatesCombined`.
    pub seq: i32,
}

/// Everything a session keeps. See the module docs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionData {
    /// The DC the account lives in (where the client connects first).
    pub home_dc: i32,
    /// Telegram's test environment.
    pub test_mode: bool,
    /// The api_id the session was made with, if known (Pyrogram strings carry it; Telethon's
    /// do not).
    pub api_id: Option<u32>,
    /// What is known of each DC, by id.
    pub dcs: BTreeMap<i32, DcEntry>,
    /// The account the home DC's key is logged in as, if any.
    pub user: Option<LoggedInUser>,
    /// The peers met, by marked id ([`PeerId::marked`](crate::PeerId::marked): a user and
    /// a channel with the same number are two entries).
    pub peers: BTreeMap<i64, StoredPeer>,
    /// Where the updates stand, once known.
    pub update_state: Option<UpdateState>,
}

impl Default for SessionData {
    /// An empty session on DC 2 (where Telegram clients start), production.
    fn default() -> Self {
        SessionData {
            home_dc: 2,
            test_mode: false,
            api_id: None,
            dcs: BTreeMap::new(),
            user: None,
            peers: BTreeMap::new(),
            update_state: None,
        }
    }
}

/// One change to a session; a [`Storage`] applies a batch of them atomically.
// `Key` carries the 256-byte key inline: batches are short-lived and few, not worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Forget everything (before writing a whole imported session).
    Clear,
    /// The home DC moved.
    HomeDc(i32),
    /// The environment (test or production).
    TestMode(bool),
    /// The api_id.
    ApiId(Option<u32>),
    /// A DC's key was made (or dropped).
    Key {
        /// The DC.
        dc_id: i32,
        /// The key; `None` forgets it.
        key: Option<KeyInfo>,
    },
    /// A DC's address override.
    Address {
        /// The DC.
        dc_id: i32,
        /// The address; `None` goes back to the built-in one.
        addr: Option<SocketAddr>,
    },
    /// Logged in (`Some`) or out (`None`).
    User(Option<LoggedInUser>),
    /// Peers met or changed (each replaces the stored peer with its id).
    Peers(Vec<StoredPeer>),
    /// The update state.
    UpdateState(Option<UpdateState>),
}

impl SessionData {
    /// Applies one change.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::Clear => *self = SessionData::default(),
            Change::HomeDc(id) => self.home_dc = *id,
            Change::TestMode(on) => self.test_mode = *on,
            Change::ApiId(id) => self.api_id = *id,
            Change::Key { dc_id, key } => {
                let entry = self.dcs.entry(*dc_id).or_default();
                entry.key.clone_from(key);
                if entry.key.is_none() && entry.addr.is_none() {
                    self.dcs.remove(dc_id);
                }
            }
            Change::Address { dc_id, addr } => {
                let entry = self.dcs.entry(*dc_id).or_default();
                entry.addr = *addr;
                if entry.key.is_none() && entry.addr.is_none() {
                    self.dcs.remove(dc_id);
                }
            }
            Change::User(user) => self.user = *user,
            Change::Peers(peers) => {
                for p in peers {
                    self.peers.insert(p.peer_id().marked(), p.clone());
                }
            }
            Change::UpdateState(state) => self.update_state = *state,
        }
    }

    /// The changes that turn any session into this one (`Clear` first).
    pub fn to_changes(&self) -> Vec<Change> {
        let mut out = vec![
            Change::Clear,
            Change::HomeDc(self.home_dc),
            Change::TestMode(self.test_mode),
            Change::ApiId(self.api_id),
        ];
        for (&dc_id, entry) in &self.dcs {
            if entry.key.is_some() {
                out.push(Change::Key {
                    dc_id,
                    key: entry.key.clone(),
                });
            }
            if entry.addr.is_some() {
                out.push(Change::Address {
                    dc_id,
                    addr: entry.addr,
                });
            }
        }
        out.push(Change::User(self.user));
        if !self.peers.is_empty() {
            out.push(Change::Peers(self.peers.values().cloned().collect()));
        }
        out.push(Change::UpdateState(self.update_state));
        out
    }

    /// The home DC's key, if the session has one.
    pub fn home_key(&self) -> Option<&KeyInfo> {
        self.dcs.get(&self.home_dc)?.key.as_ref()
    }
}

/// Where a client keeps its session. The client calls [`apply`](Self::apply) on every change
/// (a key made, the home DC moved, a login or logout, peers met, the update state); each call
/// must be atomic: after a crash the storage holds the state before or after it, never a mix.
pub trait Storage: Send + std::fmt::Debug {
    /// The stored session (an empty [`SessionData::default`] if nothing was stored yet).
    ///
    /// # Errors
    /// If the storage cannot be read.
    fn load(&mut self) -> Result<SessionData, SessionError>;

    /// Applies `changes` in order, all or none.
    ///
    /// # Errors
    /// If the storage cannot be written (then nothing of the batch was applied).
    fn apply(&mut self, changes: &[Change]) -> Result<(), SessionError>;
}

/// A session kept in memory only (the default): forgotten when the client is dropped.
#[derive(Clone, Debug, Default)]
pub struct MemoryStorage {
    data: SessionData,
}

impl MemoryStorage {
    /// An empty session.
    pub fn new() -> Self {
        Self::default()
    }

    /// A session holding `data` (e.g. an imported session string).
    pub fn with_data(data: SessionData) -> Self {
        MemoryStorage { data }
    }

    /// What it holds now.
    pub fn data(&self) -> &SessionData {
        &self.data
    }
}

impl Storage for MemoryStorage {
    fn load(&mut self) -> Result<SessionData, SessionError> {
        Ok(self.data.clone())
    }

    fn apply(&mut self, changes: &[Change]) -> Result<(), SessionError> {
        for c in changes {
            self.data.apply(c);
        }
        Ok(())
    }
}
