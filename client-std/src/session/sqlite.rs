//! [`SqliteStorage`]: a session in an SQLite file.
//!
//! Durability: WAL journal mode, and every [`Storage::apply`] batch is one transaction, so a
//! crash at any moment (`kill -9`, a panic, power loss) leaves the state before or after the
//! batch. `synchronous = NORMAL`: in WAL mode a commit reaches the WAL file (in the OS's
//! cache) before `apply` returns, so it survives the process dying at once; only an OS crash
//! or power cut may roll back the last commits (never corrupting the file), which costs at
//! worst a new auth key or a new login. `FULL` would add an fsync to every batch of peers
//! met, for nothing a killed process needs.
//!
//! Schema, version 1 (in table `version`; a file with a newer version is refused):
//!
//! ```sql
//! CREATE TABLE version (version INTEGER NOT NULL);
//! CREATE TABLE session (id INTEGER PRIMARY KEY CHECK (id = 0), home_dc INTEGER NOT NULL,
//!     test_mode INTEGER NOT NULL, api_id INTEGER, user_id INTEGER, user_is_bot INTEGER);
//! CREATE TABLE dcs (dc_id INTEGER PRIMARY KEY, auth_key BLOB, salt INTEGER,
//!     time_offset INTEGER, address TEXT);
//! CREATE TABLE peers (id INTEGER PRIMARY KEY, access_hash INTEGER NOT NULL,
//!     kind TEXT NOT NULL, username TEXT);
//! CREATE TABLE update_state (id INTEGER PRIMARY KEY CHECK (id = 0), pts INTEGER NOT NULL,
//!     qts INTEGER NOT NULL, date INTEGER NOT NULL, seq INTEGER NOT NULL);
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use super::lock::SessionLock;
use super::{
    Change, DcEntry, KeyInfo, LoggedInUser, PeerKind, SessionData, SessionError, Storage,
    StoredPeer, UpdateState,
};

/// The schema version this code writes and the newest it reads.
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE version (version INTEGER NOT NULL);
CREATE TABLE session (id INTEGER PRIMARY KEY CHECK (id = 0), home_dc INTEGER NOT NULL,
    test_mode INTEGER NOT NULL, api_id INTEGER, user_id INTEGER, user_is_bot INTEGER);
CREATE TABLE dcs (dc_id INTEGER PRIMARY KEY, auth_key BLOB, salt INTEGER,
    time_offset INTEGER, address TEXT);
CREATE TABLE peers (id INTEGER PRIMARY KEY, access_hash INTEGER NOT NULL,
    kind TEXT NOT NULL, username TEXT);
CREATE TABLE update_state (id INTEGER PRIMARY KEY CHECK (id = 0), pts INTEGER NOT NULL,
    qts INTEGER NOT NULL, date INTEGER NOT NULL, seq INTEGER NOT NULL);
INSERT INTO session (id, home_dc, test_mode) VALUES (0, 2, 0);
";

/// A session in an SQLite file, held by one process at a time (see the module docs for the
/// durability and [`SessionError::InUse`] for the lock).
#[derive(Debug)]
pub struct SqliteStorage {
    // Declared before the lock: the database closes first, then the lock is released.
    db: Connection,
    path: PathBuf,
    _lock: SessionLock,
}

impl SqliteStorage {
    /// Opens (or creates) the session file at `path`, locking `<path>.lock` first.
    ///
    /// # Errors
    /// [`SessionError::InUse`] at once if another process (or another open in this one)
    /// holds the file; [`SessionError::UnsupportedVersion`] for a newer schema;
    /// [`SessionError::Corrupt`] for a database that is not a session;
    /// [`SessionError::Sqlite`] or [`SessionError::Io`] otherwise.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, SessionError> {
        let path = path.as_ref().to_owned();
        let lock = SessionLock::acquire(&path)?;
        let sql = |source| SessionError::Sqlite {
            path: path.clone(),
            source,
        };
        let db = Connection::open(&path).map_err(sql)?;
        let mode: String = db
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(sql)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(SessionError::Corrupt {
                path,
                reason: format!("SQLite kept journal mode {mode} instead of WAL"),
            });
        }
        db.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        let mut storage = SqliteStorage {
            db,
            path,
            _lock: lock,
        };
        storage.check_schema()?;
        Ok(storage)
    }

    /// The session file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, source: rusqlite::Error) -> SessionError {
        SessionError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn corrupt(&self, reason: impl Into<String>) -> SessionError {
        SessionError::Corrupt {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }

    /// Creates the schema in an empty file; checks the version of an existing one.
    fn check_schema(&mut self) -> Result<(), SessionError> {
        let tables: i64 = self
            .db
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))?;
        if tables == 0 {
            let tx = self.db.transaction().map_err(|e| sql_err(&self.path, e))?;
            tx.execute_batch(SCHEMA)
                .map_err(|e| sql_err(&self.path, e))?;
            tx.execute(
                "INSERT INTO version (version) VALUES (?1)",
                [SCHEMA_VERSION],
            )
            .map_err(|e| sql_err(&self.path, e))?;
            tx.commit().map_err(|e| sql_err(&self.path, e))?;
            return Ok(());
        }
        let version: Option<i64> = self
            .db
            .query_row("SELECT max(version) FROM version", [], |r| r.get(0))
            .map_err(|_| self.corrupt("it has tables but no `version` table"))?;
        match version {
            Some(SCHEMA_VERSION) => Ok(()),
            Some(found) if found > SCHEMA_VERSION => Err(SessionError::UnsupportedVersion {
                path: self.path.clone(),
                found,
                supported: SCHEMA_VERSION,
            }),
            other => Err(self.corrupt(format!("schema version {other:?}"))),
        }
    }
}

fn sql_err(path: &Path, source: rusqlite::Error) -> SessionError {
    SessionError::Sqlite {
        path: path.to_owned(),
        source,
    }
}

impl Storage for SqliteStorage {
    fn load(&mut self) -> Result<SessionData, SessionError> {
        let tx = self.db.transaction().map_err(|e| sql_err(&self.path, e))?;
        let path = self.path.clone();
        let corrupt = |reason: String| SessionError::Corrupt {
            path: path.clone(),
            reason,
        };
        let sql = |e| sql_err(&path, e);
        type SessionRow = (i64, i64, Option<i64>, Option<i64>, Option<i64>);
        let row: Option<SessionRow> = tx
            .query_row(
                "SELECT home_dc, test_mode, api_id, user_id, user_is_bot FROM session WHERE id = 0",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()
            .map_err(sql)?;
        let Some((home_dc, test_mode, api_id, user_id, is_bot)) = row else {
            return Err(corrupt("the `session` row is missing".into()));
        };
        let mut data = SessionData {
            home_dc: i32::try_from(home_dc).map_err(|_| corrupt(format!("home DC {home_dc}")))?,
            test_mode: test_mode != 0,
            api_id: api_id
                .map(|a| u32::try_from(a).map_err(|_| corrupt(format!("api_id {a}"))))
                .transpose()?,
            user: user_id.map(|id| LoggedInUser {
                id,
                is_bot: is_bot.unwrap_or(0) != 0,
            }),
            ..SessionData::default()
        };
        {
            let mut q = tx
                .prepare("SELECT dc_id, auth_key, salt, time_offset, address FROM dcs")
                .map_err(sql)?;
            type DcRow = (
                i64,
                Option<Vec<u8>>,
                Option<i64>,
                Option<i64>,
                Option<String>,
            );
            let rows = q
                .query_map([], |r| -> rusqlite::Result<DcRow> {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .map_err(sql)?;
            for row in rows {
                let (dc_id, key, salt, offset, addr) = row.map_err(sql)?;
                let dc_id = i32::try_from(dc_id).map_err(|_| corrupt(format!("DC id {dc_id}")))?;
                let key = match key {
                    None => None,
                    Some(bytes) => Some(KeyInfo {
                        auth_key: bytes.try_into().map_err(|b: Vec<u8>| {
                            corrupt(format!("DC {dc_id}'s auth key has {} bytes", b.len()))
                        })?,
                        first_salt: salt.unwrap_or(0),
                        time_offset: offset.unwrap_or(0),
                    }),
                };
                let addr = addr
                    .map(|a| {
                        a.parse::<SocketAddr>()
                            .map_err(|_| corrupt(format!("DC {dc_id}'s address {a:?}")))
                    })
                    .transpose()?;
                data.dcs.insert(dc_id, DcEntry { key, addr });
            }
        }
        {
            let mut q = tx
                .prepare("SELECT id, access_hash, kind, username FROM peers")
                .map_err(sql)?;
            let rows = q
                .query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                })
                .map_err(sql)?;
            for row in rows {
                // The id column holds marked ids (a user and a channel may share a number).
                let (marked, access_hash, kind, username) = row.map_err(sql)?;
                let kind = PeerKind::parse(&kind)
                    .ok_or_else(|| corrupt(format!("peer {marked} has kind {kind:?}")))?;
                let id = match (crate::PeerId::from_marked(marked), kind) {
                    (Some(crate::PeerId::User(id)), PeerKind::User | PeerKind::Bot)
                    | (Some(crate::PeerId::Chat(id)), PeerKind::Chat)
                    | (Some(crate::PeerId::Channel(id)), PeerKind::Channel) => id,
                    _ => return Err(corrupt(format!("peer id {marked} is not a {kind:?} id"))),
                };
                data.peers.insert(
                    marked,
                    StoredPeer {
                        id,
                        access_hash,
                        kind,
                        username,
                    },
                );
            }
        }
        data.update_state = tx
            .query_row(
                "SELECT pts, qts, date, seq FROM update_state WHERE id = 0",
                [],
                |r| {
                    Ok(UpdateState {
                        pts: r.get(0)?,
                        qts: r.get(1)?,
                        date: r.get(2)?,
                        seq: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(data)
    }

    fn apply(&mut self, changes: &[Change]) -> Result<(), SessionError> {
        let path = self.path.clone();
        let sql = |e| sql_err(&path, e);
        let tx = self.db.transaction().map_err(sql)?;
        for change in changes {
            match change {
                Change::Clear => tx
                    .execute_batch(
                        "DELETE FROM dcs; DELETE FROM peers; DELETE FROM update_state;
                         UPDATE session SET home_dc = 2, test_mode = 0, api_id = NULL,
                             user_id = NULL, user_is_bot = NULL;",
                    )
                    .map_err(sql)?,
                Change::HomeDc(id) => {
                    tx.execute("UPDATE session SET home_dc = ?1", [id])
                        .map_err(sql)?;
                }
                Change::TestMode(on) => {
                    tx.execute("UPDATE session SET test_mode = ?1", [on])
                        .map_err(sql)?;
                }
                Change::ApiId(id) => {
                    tx.execute("UPDATE session SET api_id = ?1", [id])
                        .map_err(sql)?;
                }
                Change::Key { dc_id, key } => {
                    let (blob, salt, offset) = match key {
                        Some(k) => (
                            Some(&k.auth_key[..]),
                            Some(k.first_salt),
                            Some(k.time_offset),
                        ),
                        None => (None, None, None),
                    };
                    tx.execute(
                        "INSERT INTO dcs (dc_id, auth_key, salt, time_offset) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (dc_id) DO UPDATE SET auth_key = ?2, salt = ?3,
                             time_offset = ?4",
                        params![dc_id, blob, salt, offset],
                    )
                    .map_err(sql)?;
                }
                Change::Address { dc_id, addr } => {
                    tx.execute(
                        "INSERT INTO dcs (dc_id, address) VALUES (?1, ?2)
                         ON CONFLICT (dc_id) DO UPDATE SET address = ?2",
                        params![dc_id, addr.map(|a| a.to_string())],
                    )
                    .map_err(sql)?;
                }
                Change::User(user) => {
                    tx.execute(
                        "UPDATE session SET user_id = ?1, user_is_bot = ?2",
                        params![user.map(|u| u.id), user.map(|u| u.is_bot)],
                    )
                    .map_err(sql)?;
                }
                Change::Peers(peers) => {
                    let mut q = tx
                        .prepare_cached(
                            "INSERT OR REPLACE INTO peers (id, access_hash, kind, username)
                             VALUES (?1, ?2, ?3, ?4)",
                        )
                        .map_err(sql)?;
                    for p in peers {
                        q.execute(params![
                            p.peer_id().marked(),
                            p.access_hash,
                            p.kind.as_str(),
                            p.username
                        ])
                        .map_err(sql)?;
                    }
                }
                Change::UpdateState(None) => {
                    tx.execute("DELETE FROM update_state", []).map_err(sql)?;
                }
                Change::UpdateState(Some(s)) => {
                    tx.execute(
                        "INSERT OR REPLACE INTO update_state (id, pts, qts, date, seq)
                         VALUES (0, ?1, ?2, ?3, ?4)",
                        params![s.pts, s.qts, s.date, s.seq],
                    )
                    .map_err(sql)?;
                }
            }
        }
        // A DC row with neither key nor address is no DC entry (as in SessionData::apply).
        tx.execute(
            "DELETE FROM dcs WHERE auth_key IS NULL AND address IS NULL",
            [],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)
    }
}
