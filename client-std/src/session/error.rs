//! [`SessionError`]: what can go wrong storing, loading or importing a session.

use std::fmt;
use std::io;
use std::path::PathBuf;

use super::base64url::Base64Error;

/// Which session string format was being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringFormat {
    /// Ours ([`SessionData::export_string`](super::SessionData::export_string)).
    Ferrogram,
    /// Pyrogram's and Kurigram's `export_session_string()`.
    Pyrogram,
    /// Telethon's `StringSession.save()`.
    Telethon,
}

impl fmt::Display for StringFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ferrogram => "ferrogram",
            Self::Pyrogram => "Pyrogram/Kurigram",
            Self::Telethon => "Telethon",
        })
    }
}

/// Why a session string was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StringError {
    /// Not base64url.
    Base64(Base64Error),
    /// The string (or its decoded bytes, for `bytes: true`) has a length the format never has.
    Length {
        /// What it has.
        got: usize,
        /// What the format has.
        expected: &'static [usize],
        /// Whether these are decoded bytes (else characters).
        bytes: bool,
    },
    /// A version (byte or leading character) this code does not know.
    Version {
        /// What the string has.
        got: u8,
    },
    /// A DC id outside the valid range.
    DcId {
        /// What the string has.
        got: i64,
    },
    /// A user id outside the valid range (zero or past `i64::MAX`).
    UserId {
        /// What the string has.
        got: u64,
    },
    /// The bytes end in the middle of a field, or go on after the last one.
    Truncated,
    /// A field holds a value the format does not allow.
    Field {
        /// Which field.
        name: &'static str,
    },
}

impl fmt::Display for StringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Base64(e) => e.fmt(f),
            Self::Length {
                got,
                expected,
                bytes,
            } => write!(
                f,
                "{got} {} where the format has {expected:?} (cut or joined when copied?)",
                if *bytes { "bytes" } else { "characters" }
            ),
            Self::Version { got } => write!(f, "unknown version {got}"),
            Self::DcId { got } => write!(f, "DC id {got} is not a valid DC"),
            Self::UserId { got } => write!(f, "user id {got} is not a valid user id"),
            Self::Truncated => f.write_str("the fields do not fill the string exactly"),
            Self::Field { name } => write!(f, "field {name} has an invalid value"),
        }
    }
}

/// What can go wrong storing, loading or importing a session.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionError {
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// SQLite refused.
    Sqlite {
        /// The session file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// Another process (or another open in this one) holds the session file.
    InUse {
        /// The session file.
        path: PathBuf,
        /// The holder's process id, as written in the lock file (`None` if it had not
        /// written it yet).
        pid: Option<u32>,
    },
    /// The file is not a session file of ours, or its contents contradict each other.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The file was written by a newer version of this library.
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this code reads.
        supported: i64,
    },
    /// A session string could not be read.
    BadString {
        /// The format it was read as.
        format: StringFormat,
        /// Why.
        reason: StringError,
    },
    /// The session has nothing to export (no auth key for its home DC).
    NothingToExport,
    /// The server no longer accepts the login stored in the session
    /// (`AUTH_KEY_UNREGISTERED`).
    LoginGone {
        /// The user the session was logged in as.
        user_id: i64,
    },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => write!(
                f,
                "session file {}: {source}; check the path and its permissions",
                path.display()
            ),
            Self::Sqlite { path, source } => write!(
                f,
                "session file {}: SQLite: {source}; if the file is damaged, move it away and \
                 log in again with a new one",
                path.display()
            ),
            Self::InUse {
                path,
                pid: Some(pid),
            } => write!(
                f,
                "session file {} is in use by process {pid} — stop that process or use another \
                 session file (two clients on one session make Telegram revoke it). The lock \
                 ({}.lock) dies with its process, so a leftover lock file of a dead process is \
                 ignored; if process {pid} no longer runs, just retry",
                path.display(),
                path.display()
            ),
            Self::InUse { path, pid: None } => write!(
                f,
                "session file {} is in use by another process (which had not yet written its \
                 id to {}.lock) — stop that process or use another session file",
                path.display(),
                path.display()
            ),
            Self::Corrupt { path, reason } => write!(
                f,
                "session file {} is not a valid session ({reason}); move it away and log in \
                 again with a new one",
                path.display()
            ),
            Self::UnsupportedVersion {
                path,
                found,
                supported,
            } => write!(
                f,
                "session file {} has schema version {found}, but this version of \
                 ferrogram-client-std reads up to {supported}; upgrade ferrogram, or use \
                 another session file",
                path.display()
            ),
            Self::BadString { format, reason } => write!(
                f,
                "not a valid {format} session string: {reason}; copy the whole string again \
                 from where it was exported"
            ),
            Self::NothingToExport => f.write_str(
                "the session has no auth key yet, so there is nothing to export; connect first",
            ),
            Self::LoginGone { user_id } => write!(
                f,
                "the login stored in this session (user {user_id}) is gone: the server answered \
                 AUTH_KEY_UNREGISTERED (logged out, or terminated from another device); log in \
                 again"
            ),
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Sqlite { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl SessionError {
    pub(crate) fn bad(format: StringFormat, reason: StringError) -> Self {
        SessionError::BadString { format, reason }
    }
}
