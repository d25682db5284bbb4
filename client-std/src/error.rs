//! Errors: [`RpcError`] for what the server answered, [`Error`] for everything a call can end
//! with. Every `Display` says what happened, the usual cause, and what to do.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use ferrogram_mtproto_proto::auth_key::error::HandshakeError;
use ferrogram_mtproto_proto::session::{self, EnqueueError, RequestError, TransmitError};
use ferrogram_mtproto_proto::transport::{DecodeError, EncodeError, TransportErrorCode};

pub use ferrogram_mtproto_proto::session::MigrateKind;

use crate::session::SessionError;

/// An `rpc_error` the server answered with: `420 FLOOD_WAIT_30` is code 420, name
/// `FLOOD_WAIT`, value 30. Compare names with [`RpcError::is`] or use the helpers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcError {
    /// The error code (303, 400, 401, 403, 406, 420, 500, …).
    pub code: i32,
    /// The error name without its number (`FLOOD_WAIT`, `PEER_ID_INVALID`).
    pub name: String,
    /// The number taken out of the name, if there was one.
    pub value: Option<u32>,
}

impl RpcError {
    /// Parses an `rpc_error`'s code and message (`FLOOD_WAIT_30`, `FILE_PART_3_MISSING`).
    pub fn parse(code: i32, message: &str) -> Self {
        Self::from(session::RpcError::parse(code, message.as_bytes()))
    }

    /// Whether the name is `name` (without its number).
    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }

    /// Seconds to wait for `FLOOD_WAIT_X`, `FLOOD_PREMIUM_WAIT_X` and `SLOWMODE_WAIT_X`.
    pub fn flood_wait(&self) -> Option<u32> {
        session::requests::is_flood_wait(&self.name)
            .then_some(self.value)
            .flatten()
    }

    /// Which `*_MIGRATE_X` this is, and the DC `X` to repeat the request in.
    pub fn migrate_dc(&self) -> Option<(MigrateKind, i32)> {
        Some((
            MigrateKind::of(&self.name)?,
            i32::try_from(self.value?).ok()?,
        ))
    }

    /// The usual cause and the fix for the errors people meet most, if this is one.
    pub fn advice(&self) -> Option<&'static str> {
        Some(match self.name.as_str() {
            "PEER_ID_INVALID" | "USER_ID_INVALID" | "CHAT_ID_INVALID" | "CHANNEL_INVALID" => {
                "the id (or its access hash) is not known to this session: Telegram only lets \
                 an account address a peer it has met. Meet it first: receive a message or \
                 update from it, resolve its @username, or get it from a dialog, history or \
                 member list in this session, then use that id"
            }
            "AUTH_KEY_DUPLICATED" => {
                "the same session (auth key) was used by two connections at once, e.g. two \
                 processes or two clients started with the same session; Telegram then \
                 invalidates it. Use one session per running client, log in again with a new \
                 session, and do not copy a live session"
            }
            "AUTH_KEY_UNREGISTERED" | "SESSION_REVOKED" | "USER_DEACTIVATED" => {
                "this session is not logged in (never was, was logged out, or was terminated \
                 from another device); log in again"
            }
            "ACCESS_TOKEN_INVALID" | "ACCESS_TOKEN_EXPIRED" => {
                "the bot token is wrong or was revoked; copy it again from @BotFather"
            }
            "API_ID_INVALID" | "API_ID_PUBLISHED_FLOOD" => {
                "the api_id/api_hash pair is not valid; get yours at my.telegram.org"
            }
            "USER_IS_BOT" | "BOT_METHOD_INVALID" => {
                "this method is for user accounts only, and this session is a bot"
            }
            "INPUT_USER_DEACTIVATED" | "USER_IS_BLOCKED" => {
                "the user deleted the account or blocked this account; nothing to retry"
            }
            _ => return None,
        })
    }
}

impl From<session::RpcError> for RpcError {
    fn from(e: session::RpcError) -> Self {
        RpcError {
            code: e.code,
            name: e.name.as_str().to_owned(),
            value: e.value,
        }
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Telegram answered {} {}", self.code, self.name)?;
        if let Some(v) = self.value {
            write!(f, "_{v}")?;
        }
        if let Some(secs) = self.flood_wait() {
            write!(
                f,
                ": too many requests; wait {secs} s before retrying (the client sleeps and \
                 retries by itself for waits up to its flood-sleep threshold)"
            )
        } else if let Some((_, dc)) = self.migrate_dc() {
            write!(f, ": the request must be repeated in DC {dc}")
        } else if let Some(advice) = self.advice() {
            write!(f, ": {advice}")
        } else if self.code == 500 || self.code == -500 {
            f.write_str(": a server fault; retry later")
        } else {
            f.write_str(": see this method's documented errors")
        }
    }
}

impl std::error::Error for RpcError {}

/// Everything a client call can end with.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client's settings are incomplete or contradict each other.
    Config(String),
    /// No TCP connection to the DC could be made (after the configured retries).
    Connect {
        /// The DC.
        dc_id: i32,
        /// Its address.
        addr: SocketAddr,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        source: io::Error,
    },
    /// The auth-key exchange with the DC failed.
    Handshake {
        /// The DC.
        dc_id: i32,
        /// Why.
        source: HandshakeError,
    },
    /// No answer within the request timeout.
    TimedOut {
        /// The timeout.
        after: Duration,
    },
    /// The DC sent a transport error instead of a packet.
    Transport {
        /// The DC.
        dc_id: i32,
        /// The code.
        code: TransportErrorCode,
    },
    /// The byte stream or an answer broke the protocol.
    Protocol(ProtocolError),
    /// The server answered with an error.
    Rpc(RpcError),
    /// The call needs a logged-in session: none was made, or the server no longer knows
    /// it (`AUTH_KEY_UNREGISTERED`, `SESSION_REVOKED`, `SESSION_EXPIRED`: logged out or
    /// terminated from another device).
    NotLoggedIn,
    /// `AUTH_KEY_DUPLICATED`: Telegram saw this session's auth key used by two connections
    /// at once and revoked it. The session is dead: log in again with a new one.
    AuthKeyDuplicated,
    /// A peer this session has never met.
    PeerUnknown {
        /// Its id.
        id: i64,
    },
    /// The server sent the request to another DC and the client did not follow (a call
    /// moved more than twice, or to the DC it came from).
    Migrate {
        /// Which move.
        kind: MigrateKind,
        /// The DC to go to.
        dc_id: i32,
    },
    /// The request could not be queued.
    Enqueue(EnqueueError),
    /// The request ended without an answer (cancelled, too large, refused by the server).
    Request(RequestError),
    /// The session could not be stored, loaded or imported, or its stored login is gone.
    Session(SessionError),
    /// Marked-up text could not be parsed (nothing was sent).
    Parse(crate::parse::ParseError),
    /// A pipelined call ([`Client::invoke_all`](crate::Client::invoke_all)) got no outcome:
    /// the connection failed first (that failure is the outcome of the earliest call still
    /// waiting).
    Abandoned {
        /// The call had been sent: it may or may not have been executed.
        sent: bool,
    },
}

/// How the byte stream or an answer broke the protocol.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A frame could not be decoded.
    Framing(DecodeError),
    /// A frame could not be encoded.
    Encoding(EncodeError),
    /// The session could not write a message.
    Transmit(TransmitError),
    /// A TL object did not decode (or encode).
    Tl {
        /// What was being read or written.
        what: &'static str,
        /// Why.
        error: String,
    },
    /// The answer was well-formed but not what the call expects.
    Unexpected {
        /// What was expected.
        expected: &'static str,
        /// What came.
        got: String,
    },
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Framing(e) => write!(f, "the DC's byte stream does not frame: {e}"),
            Self::Encoding(e) => write!(f, "a message could not be framed: {e}"),
            Self::Transmit(e) => e.fmt(f),
            Self::Tl { what, error } => write!(
                f,
                "{what} does not match the TL schema ({error}); client and server may use \
                 different layers"
            ),
            Self::Unexpected { expected, got } => write!(f, "expected {expected}, got {got}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(what) => write!(f, "client configuration: {what}"),
            Self::Connect {
                dc_id,
                addr,
                attempts,
                source,
            } => write!(
                f,
                "cannot connect to DC {dc_id} at {addr} ({attempts} attempt(s), last: {source}); \
                 check the network, a firewall, or the address you configured"
            ),
            Self::Handshake { dc_id, source } => write!(
                f,
                "the auth-key exchange with DC {dc_id} failed: {source}; if the DC's RSA key \
                 is not among the trusted keys (a custom or test DC), add it to the builder"
            ),
            Self::TimedOut { after } => write!(
                f,
                "no answer within {} ms; the request may or may not have been executed, check \
                 before repeating anything that is not idempotent (raise the request timeout \
                 for slow calls)",
                after.as_millis()
            ),
            Self::Transport { dc_id, code } => match code {
                TransportErrorCode::AuthKeyNotFound => write!(
                    f,
                    "DC {dc_id} does not know this auth key (transport error -404): the \
                     session was made on another DC or server, or was deleted; start a new \
                     session and log in again"
                ),
                TransportErrorCode::Flood => write!(
                    f,
                    "DC {dc_id} refused the connection for flooding (transport error -429): too \
                     many connections or requests; wait and reconnect less often"
                ),
                other => write!(f, "DC {dc_id} sent transport error {}", other.code()),
            },
            Self::Protocol(e) => write!(f, "protocol error: {e}"),
            Self::Rpc(e) => e.fmt(f),
            Self::NotLoggedIn => f.write_str(
                "this call needs a logged-in session, and this one is not (never logged in, \
                 logged out, or terminated from another device: Telegram answered \
                 AUTH_KEY_UNREGISTERED or SESSION_REVOKED); log in again with `login_bot` or \
                 `sign_in`",
            ),
            Self::AuthKeyDuplicated => f.write_str(
                "Telegram revoked this session (AUTH_KEY_DUPLICATED): its auth key was used by \
                 two connections at once, e.g. the same session file or string in two running \
                 processes, or a copied session. This session cannot be used again: delete \
                 it, log in with a new session, and run one client per session",
            ),
            Self::PeerUnknown { id } => write!(
                f,
                "peer {id} is unknown to this session (PEER_ID_INVALID): Telegram needs the \
                 access hash of every user you address, and a session only has it after \
                 meeting the user. Meet it first: receive a message or update from it, get it \
                 in any answer (users.getUsers, history, dialogs, resolving its @username), \
                 then use the id"
            ),
            Self::Migrate { kind, dc_id } => write!(
                f,
                "the server asks to repeat this request in DC {dc_id} ({kind:?}_MIGRATE); \
                 the client follows moves twice per call at most, and this call was moved \
                 again (or back to the DC it came from); a server keeps doing this only when \
                 something is wrong on its side: retry later, or connect a client to DC \
                 {dc_id} directly (`ClientBuilder::home_dc({dc_id})`)"
            ),
            Self::Enqueue(e) => write!(f, "the request could not be queued: {e}"),
            Self::Request(e) => e.fmt(f),
            Self::Session(e) => e.fmt(f),
            Self::Parse(e) => write!(f, "cannot parse the message: {e}"),
            Self::Abandoned { sent: true } => f.write_str(
                "the connection failed before this call's answer (an earlier call of the batch \
                 has the failure); the call may or may not have been executed: check before \
                 repeating anything that is not idempotent",
            ),
            Self::Abandoned { sent: false } => f.write_str(
                "the connection failed before this call was sent (an earlier call of the batch \
                 has the failure); it was not executed",
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Connect { source, .. } => Some(source),
            Self::Handshake { source, .. } => Some(source),
            Self::Rpc(e) => Some(e),
            Self::Session(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RpcError> for Error {
    fn from(e: RpcError) -> Self {
        Error::Rpc(e)
    }
}

impl From<ProtocolError> for Error {
    fn from(e: ProtocolError) -> Self {
        Error::Protocol(e)
    }
}

impl From<EnqueueError> for Error {
    fn from(e: EnqueueError) -> Self {
        Error::Enqueue(e)
    }
}

impl From<SessionError> for Error {
    fn from(e: SessionError) -> Self {
        Error::Session(e)
    }
}

impl From<crate::parse::ParseError> for Error {
    fn from(e: crate::parse::ParseError) -> Self {
        Error::Parse(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_and_helpers() {
        let e = RpcError::parse(420, "FLOOD_WAIT_30");
        assert_eq!(
            (e.code, e.name.as_str(), e.value),
            (420, "FLOOD_WAIT", Some(30))
        );
        assert_eq!(e.flood_wait(), Some(30));
        assert_eq!(e.migrate_dc(), None);
        let m = RpcError::parse(303, "USER_MIGRATE_4");
        assert_eq!(m.migrate_dc(), Some((MigrateKind::User, 4)));
        assert_eq!(m.flood_wait(), None);
        let p = RpcError::parse(400, "PEER_ID_INVALID");
        assert_eq!(p.value, None);
        assert!(p.is("PEER_ID_INVALID"));
    }

    #[test]
    fn the_faq_errors_explain_themselves() {
        let peer = RpcError::parse(400, "PEER_ID_INVALID").to_string();
        assert!(peer.contains("Meet it first"), "{peer}");
        let dup = RpcError::parse(406, "AUTH_KEY_DUPLICATED").to_string();
        assert!(dup.contains("two processes"), "{dup}");
        let flood = RpcError::parse(420, "FLOOD_WAIT_7").to_string();
        assert!(flood.contains("wait 7 s"), "{flood}");
        let unknown = Error::PeerUnknown { id: 5 }.to_string();
        assert!(unknown.contains("PEER_ID_INVALID") && unknown.contains("5"));
    }

    #[test]
    fn garbage_names_do_not_panic() {
        for m in [
            "",
            "_",
            "__1",
            "FLOOD_WAIT_",
            "FLOOD_WAIT_99999999999",
            "Ü_1_ß",
        ] {
            let e = RpcError::parse(420, m);
            let _ = e.to_string();
            let _ = e.migrate_dc();
        }
        assert_eq!(
            RpcError::parse(303, "USER_MIGRATE_4294967295").migrate_dc(),
            None
        );
    }
}
