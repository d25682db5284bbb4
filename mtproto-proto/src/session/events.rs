//! What the session tells its driver: events (updates, a new server session, dropped
//! messages, advice to reconnect) and request outcomes.

use core::fmt;

use ferrogram_tl_types::DecodeError;

use super::container::ContainerError;
use super::gzip::GzipError;
use super::replay::Replay;
use super::requests::{RequestError, RequestId};
use super::service::BadMsgCode;
use super::store::Span;
use crate::crypto::message::DecryptError;

/// Why an incoming message (or part of one) was dropped. The session keeps going; the
/// security guidelines recommend reconnecting after a message that fails decryption
/// ([`DropReason::should_reconnect`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// Decryption or one of its checks failed (auth_key_id, msg_key, lengths, padding,
    /// msg_id parity).
    Decrypt(DecryptError),
    /// The message belongs to another session.
    WrongSession {
        /// Ours.
        expected: i64,
        /// The message's.
        got: i64,
    },
    /// The msg_id was seen before, or is older than the replay window.
    Replayed {
        /// The id.
        msg_id: i64,
        /// Which check.
        replay: Replay,
    },
    /// The msg_id is more than 300 s in the past or 30 s in the future of the server time
    /// we know.
    OutOfTimeWindow {
        /// The id.
        msg_id: i64,
        /// How far off, in milliseconds (positive: future).
        skew_ms: i64,
    },
    /// An inner message of a container has an even msg_id (a client's).
    WrongParity {
        /// The id.
        msg_id: i64,
    },
    /// A malformed container.
    Container(ContainerError),
    /// A malformed service message or rpc_result.
    Malformed {
        /// The message's id.
        msg_id: i64,
        /// The decoding error.
        error: DecodeError,
    },
    /// A packed update could not be inflated.
    Gzip {
        /// The message's id.
        msg_id: i64,
        /// Why.
        error: GzipError,
    },
    /// An update did not fit in the inbox.
    UpdateTooLarge {
        /// Its length.
        len: usize,
        /// Bytes free.
        free: usize,
    },
    /// A notification about a msg_id we did not send recently.
    UnknownMsgId {
        /// The id it named.
        msg_id: i64,
    },
}

impl DropReason {
    /// Whether the guidelines advise closing the connection and opening a new one.
    pub const fn should_reconnect(&self) -> bool {
        matches!(self, Self::Decrypt(_) | Self::WrongSession { .. })
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dropped an incoming message: ")?;
        match self {
            Self::Decrypt(e) => e.fmt(f),
            Self::WrongSession { expected, got } => write!(
                f,
                "it is for session {got:#x}, ours is {expected:#x}; reconnect"
            ),
            Self::Replayed { msg_id, replay } => {
                write!(
                    f,
                    "msg_id {msg_id:#x} is a replay ({replay:?}); nothing to do"
                )
            }
            Self::OutOfTimeWindow { msg_id, skew_ms } => write!(
                f,
                "msg_id {msg_id:#x} is {skew_ms} ms off the server time (allowed: -300 s..+30 s); \
                 if this repeats, check the local clock"
            ),
            Self::WrongParity { msg_id } => {
                write!(
                    f,
                    "inner msg_id {msg_id:#x} is even (a client's id); nothing to do"
                )
            }
            Self::Container(e) => e.fmt(f),
            Self::Malformed { msg_id, error } => {
                write!(f, "message {msg_id:#x} does not decode ({error})")
            }
            Self::Gzip { msg_id, error } => write!(f, "message {msg_id:#x}: {error}"),
            Self::UpdateTooLarge { len, free } => write!(
                f,
                "a {len}-byte update did not fit in the {free} bytes free in the inbox; poll \
                 events promptly or raise `IN`, and refetch updates (getDifference)"
            ),
            Self::UnknownMsgId { msg_id } => write!(
                f,
                "a notification names msg_id {msg_id:#x}, which this session did not send \
                 recently; ignored"
            ),
        }
    }
}

/// Something the driver should know about. Poll with
/// [`Session::poll_event`](super::Session::poll_event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// An update (any object the server sent outside an rpc_result), inflated if it was
    /// packed. Valid until the next call on the session.
    Update(&'a [u8]),
    /// The server created a new session for us: updates may have been missed, refetch them
    /// (`updates.getDifference`).
    NewSession {
        /// The first of our message ids the new session covers.
        first_msg_id: i64,
        /// The server's id of this incarnation of the session.
        unique_id: i64,
    },
    /// A message was dropped.
    Dropped(DropReason),
    /// The clock was corrected from a bad_msg_notification.
    TimeResynced {
        /// Server time minus local time, in milliseconds.
        offset_ms: i64,
    },
    /// A message was refused by the server with a notification the session handled
    /// (resent, or ended the requests in it).
    BadMsg {
        /// The refused message id.
        msg_id: i64,
        /// Why.
        code: BadMsgCode,
    },
    /// The keep-alive ping went unanswered for a whole interval: the connection is
    /// probably dead; reconnect and call [`Session::handle_reconnect`](super::Session::handle_reconnect).
    PingTimeout,
    /// An answer to [`Session::destroy_session`](super::Session::destroy_session).
    SessionDestroyed {
        /// The session.
        session_id: i64,
        /// Whether the server knew it (`destroy_session_ok`) or not (`destroy_session_none`).
        existed: bool,
    },
    /// Events were lost because the queue was full (poll more often); updates among them
    /// must be refetched.
    EventsLost {
        /// How many.
        count: u32,
    },
}

/// An event as stored (updates by span into the inbox).
#[derive(Clone, Debug)]
pub(crate) enum StoredEvent {
    Update(Span),
    NewSession { first_msg_id: i64, unique_id: i64 },
    Dropped(DropReason),
    TimeResynced { offset_ms: i64 },
    BadMsg { msg_id: i64, code: BadMsgCode },
    PingTimeout,
    SessionDestroyed { session_id: i64, existed: bool },
}

/// A request's end: exactly one per [`RequestId`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// The request.
    pub id: RequestId,
    /// The result object's bytes (inflated if packed; valid until the next call on the
    /// session), or why there is none.
    pub result: Result<&'a [u8], RequestError>,
}
