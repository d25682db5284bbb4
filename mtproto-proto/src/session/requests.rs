//! Requests and their outcomes: handles, options (the `invoke*` wrappers), RPC errors with
//! their name/value split and helpers, and the local errors a request can end with.

use core::fmt;

use heapless::String;

use super::gzip::GzipError;
use super::service::BadMsgCode;

/// `invokeAfterMsg#cb9f372d msg_id:long query:!X = X`.
pub const INVOKE_AFTER_MSG_ID: u32 = 0xcb9f_372d;
/// `invokeWithoutUpdates#bf9459b7 query:!X = X`.
pub const INVOKE_WITHOUT_UPDATES_ID: u32 = 0xbf94_59b7;
/// `invokeWithLayer#da9b0d0d layer:int query:!X = X`.
pub const INVOKE_WITH_LAYER_ID: u32 = 0xda9b_0d0d;
/// The most bytes the wrappers add in front of a request.
pub const MAX_WRAPPER_LEN: usize = 8 + 4 + 12;

/// Identifies a request for its whole life. Stale handles (of requests whose outcome was
/// delivered) are recognised and refused, never confused with newer requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId {
    pub(crate) index: u16,
    pub(crate) generation: u32,
}

impl RequestId {
    /// A number unique among live requests (for logs and maps).
    pub const fn as_u64(self) -> u64 {
        ((self.generation as u64) << 16) | self.index as u64
    }
}

/// How to wrap a request when it is sent. The query itself must be a serialized function
/// (constructor id first), e.g. `invokeWithLayer(initConnection(...))` built by the caller
/// for the first request of a connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// Wrap in `invokeWithLayer(layer, …)`.
    pub layer: Option<i32>,
    /// Wrap in `invokeWithoutUpdates(…)`.
    pub without_updates: bool,
    /// Wrap in `invokeAfterMsg(msg_id of that request, …)` while that request is still
    /// pending (once it has its outcome, the dependency is met and no wrapper is added).
    pub after: Option<RequestId>,
}

impl RequestOptions {
    /// The most bytes these options add in front of the body.
    pub const fn max_wrapper_len(&self) -> usize {
        (if self.layer.is_some() { 8 } else { 0 })
            + (if self.without_updates { 4 } else { 0 })
            + (if self.after.is_some() { 12 } else { 0 })
    }
}

/// The wrappers a server found around a query.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unwrapped<'a> {
    /// From `invokeWithLayer`.
    pub layer: Option<i32>,
    /// From `invokeWithoutUpdates`.
    pub without_updates: bool,
    /// From `invokeAfterMsg`.
    pub after_msg: Option<i64>,
    /// The inner query.
    pub query: &'a [u8],
}

/// Strips `invokeWithLayer`, `invokeWithoutUpdates` and `invokeAfterMsg` wrappers (in any
/// order, at most 8 deep) from `body`. `initConnection` is left to the caller (its fields
/// need the API schema).
pub fn unwrap_invoke(mut body: &[u8]) -> Unwrapped<'_> {
    let mut u = Unwrapped::default();
    for _ in 0..8 {
        let Some(id) = body
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        else {
            break;
        };
        match id {
            INVOKE_WITH_LAYER_ID if body.len() >= 8 => {
                u.layer = Some(i32::from_le_bytes([body[4], body[5], body[6], body[7]]));
                body = &body[8..];
            }
            INVOKE_WITHOUT_UPDATES_ID => {
                u.without_updates = true;
                body = &body[4..];
            }
            INVOKE_AFTER_MSG_ID if body.len() >= 12 => {
                let mut b = [0; 8];
                b.copy_from_slice(&body[4..12]);
                u.after_msg = Some(i64::from_le_bytes(b));
                body = &body[12..];
            }
            _ => break,
        }
    }
    u.query = body;
    u
}

/// Writes the wrappers for `options` (with `after_msg` resolved) into `out`, returning the
/// length (at most [`MAX_WRAPPER_LEN`]).
pub(crate) fn write_wrappers(
    layer: Option<i32>,
    without_updates: bool,
    after_msg: Option<i64>,
    out: &mut [u8],
) -> usize {
    let mut n = 0;
    let mut put = |b: &[u8]| {
        out[n..n + b.len()].copy_from_slice(b);
        n += b.len();
    };
    if let Some(layer) = layer {
        put(&INVOKE_WITH_LAYER_ID.to_le_bytes());
        put(&layer.to_le_bytes());
    }
    if without_updates {
        put(&INVOKE_WITHOUT_UPDATES_ID.to_le_bytes());
    }
    if let Some(msg_id) = after_msg {
        put(&INVOKE_AFTER_MSG_ID.to_le_bytes());
        put(&msg_id.to_le_bytes());
    }
    n
}

/// The longest error name kept (Telegram's are far shorter; longer ones are cut).
pub const RPC_NAME_MAX: usize = 64;

/// An `rpc_error` the server answered with, e.g. `420 FLOOD_WAIT_30` → code 420, name
/// `FLOOD_WAIT`, value 30. A number inside the name (`FILE_PART_3_MISSING`) is taken out the
/// same way (name `FILE_PART_MISSING`, value 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcError {
    /// The error code (303, 400, 401, 403, 404, 406, 420, 500, …).
    pub code: i32,
    /// The error name without its number.
    pub name: String<RPC_NAME_MAX>,
    /// The number in the message, if any.
    pub value: Option<u32>,
}

/// Which `*_MIGRATE_X` error moved the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrateKind {
    /// `PHONE_MIGRATE_X`: the phone number is registered in DC X; log in there.
    Phone,
    /// `NETWORK_MIGRATE_X`: reconnect to DC X.
    Network,
    /// `USER_MIGRATE_X`: the user's DC is X.
    User,
    /// `FILE_MIGRATE_X`: the file lives in DC X.
    File,
    /// `STATS_MIGRATE_X`: the statistics are in DC X.
    Stats,
}

impl MigrateKind {
    /// The kind named by an error name without its number (`USER_MIGRATE` → `User`).
    pub fn of(name: &str) -> Option<Self> {
        Some(match name {
            "PHONE_MIGRATE" => MigrateKind::Phone,
            "NETWORK_MIGRATE" => MigrateKind::Network,
            "USER_MIGRATE" => MigrateKind::User,
            "FILE_MIGRATE" => MigrateKind::File,
            "STATS_MIGRATE" => MigrateKind::Stats,
            _ => return None,
        })
    }
}

/// Whether an error name (without its number) asks to wait its value in seconds:
/// `FLOOD_WAIT`, `FLOOD_PREMIUM_WAIT`, `SLOWMODE_WAIT`.
pub fn is_flood_wait(name: &str) -> bool {
    matches!(name, "FLOOD_WAIT" | "FLOOD_PREMIUM_WAIT" | "SLOWMODE_WAIT")
}

impl RpcError {
    /// Parses `error_message` (with invalid UTF-8 replaced by `?`).
    pub fn parse(code: i32, message: &[u8]) -> Self {
        let mut name = String::new();
        let mut value = None;
        let parts = message.split(|&b| b == b'_');
        let mut first = true;
        for part in parts {
            let is_number =
                !part.is_empty() && part.len() <= 9 && part.iter().all(u8::is_ascii_digit);
            if is_number && value.is_none() && !first {
                value = core::str::from_utf8(part).ok().and_then(|s| s.parse().ok());
                continue;
            }
            if !first {
                let _ = name.push('_');
            }
            first = false;
            for &b in part {
                let c = if b.is_ascii() { b as char } else { '?' };
                if name.push(c).is_err() {
                    break;
                }
            }
        }
        RpcError { code, name, value }
    }

    /// Whether the name is `name`.
    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }

    /// Seconds to wait for `FLOOD_WAIT_X`, `FLOOD_PREMIUM_WAIT_X` and `SLOWMODE_WAIT_X`.
    pub fn flood_wait(&self) -> Option<u32> {
        is_flood_wait(&self.name).then_some(self.value).flatten()
    }

    /// The DC to go to for `PHONE_/NETWORK_/USER_/FILE_/STATS_MIGRATE_X`.
    pub fn migrate_dc(&self) -> Option<(MigrateKind, u32)> {
        Some((MigrateKind::of(&self.name)?, self.value?))
    }

    /// `AUTH_KEY_UNREGISTERED` (401): the key is not (or no longer) logged in.
    pub fn is_auth_key_unregistered(&self) -> bool {
        self.code == 401 && self.is("AUTH_KEY_UNREGISTERED")
    }

    /// A server-side failure (code 500 or -500): retrying later may succeed.
    pub fn is_server_error(&self) -> bool {
        self.code == 500 || self.code == -500
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the server answered error {} {}", self.code, self.name)?;
        if let Some(v) = self.value {
            write!(f, " ({v})")?;
        }
        if let Some(secs) = self.flood_wait() {
            write!(f, "; wait {secs} s before retrying")
        } else if let Some((_, dc)) = self.migrate_dc() {
            write!(f, "; repeat the request in DC {dc}")
        } else if self.is_auth_key_unregistered() {
            f.write_str("; log in (or create a new key) and retry")
        } else if self.is_server_error() {
            f.write_str("; a server fault: retry later")
        } else {
            f.write_str("; see the method's documented errors")
        }
    }
}

/// How a request ended other than with a result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// The server answered with an `rpc_error`.
    Rpc(RpcError),
    /// No answer arrived within the request's timeout.
    TimedOut {
        /// The timeout, in milliseconds.
        after_ms: u64,
    },
    /// The caller cancelled the request.
    Cancelled,
    /// The answer did not fit in the session's inbox.
    AnswerTooLarge {
        /// The answer's length (for a packed answer: the room that was not enough).
        len: usize,
        /// Bytes free in the inbox (its capacity when it is empty).
        free: usize,
    },
    /// The packed answer could not be inflated.
    Gzip(GzipError),
    /// The server refused the message with a `bad_msg_notification` that resending cannot
    /// fix (or kept refusing it).
    BadMessage {
        /// The notification's code.
        code: BadMsgCode,
    },
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rpc(e) => e.fmt(f),
            Self::TimedOut { after_ms } => write!(
                f,
                "no answer within {after_ms} ms; the request may or may not have been executed: \
                 check before repeating anything that is not idempotent"
            ),
            Self::Cancelled => f.write_str("the request was cancelled by the caller"),
            Self::AnswerTooLarge { len, free } => write!(
                f,
                "the {len}-byte answer did not fit in the {free} bytes free in the session's \
                 inbox; poll outcomes and events promptly, or give the session a larger `IN` \
                 capacity"
            ),
            Self::Gzip(e) => e.fmt(f),
            Self::BadMessage { code } => write!(
                f,
                "the server refused the message: {code}; this is a bug in the session or the \
                 server, report it"
            ),
        }
    }
}

impl core::error::Error for RequestError {}

/// Why [`Session::enqueue`](super::Session::enqueue) refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnqueueError {
    /// Every request slot is in use.
    TooManyRequests {
        /// The number of slots (`REQ`).
        capacity: usize,
    },
    /// The body does not fit in the outbox even when it is empty, or in one message.
    TooLarge {
        /// The body length.
        len: usize,
        /// The largest body the session can send.
        max: usize,
    },
    /// The outbox is full of other requests' bodies right now.
    OutboxFull {
        /// The body length.
        len: usize,
        /// Bytes free.
        free: usize,
    },
    /// The body is not a serialized function: empty or not a multiple of 4 bytes.
    NotTl {
        /// The body length.
        len: usize,
    },
}

impl fmt::Display for EnqueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyRequests { capacity } => write!(
                f,
                "all {capacity} request slots are in use; poll outcomes (or raise `REQ`) and \
                 retry"
            ),
            Self::TooLarge { len, max } => write!(
                f,
                "a {len}-byte request cannot be sent through this session (at most {max}); \
                 split it (upload in parts) or raise the `OUT` capacity"
            ),
            Self::OutboxFull { len, free } => write!(
                f,
                "the {len}-byte request does not fit in the {free} bytes left in the outbox; \
                 wait for outstanding requests to finish and retry"
            ),
            Self::NotTl { len } => write!(
                f,
                "a {len}-byte body is not a serialized TL function (empty or not a multiple \
                 of 4); serialize the function with `TlWrite::write_to`"
            ),
        }
    }
}

impl core::error::Error for EnqueueError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_split() {
        let e = RpcError::parse(420, b"FLOOD_WAIT_30");
        assert_eq!(
            (e.code, e.name.as_str(), e.value),
            (420, "FLOOD_WAIT", Some(30))
        );
        assert_eq!(e.flood_wait(), Some(30));
        assert_eq!(e.migrate_dc(), None);

        let e = RpcError::parse(303, b"PHONE_MIGRATE_4");
        assert_eq!(e.migrate_dc(), Some((MigrateKind::Phone, 4)));
        let e = RpcError::parse(303, b"FILE_MIGRATE_2");
        assert_eq!(e.migrate_dc(), Some((MigrateKind::File, 2)));

        let e = RpcError::parse(400, b"FILE_PART_3_MISSING");
        assert_eq!((e.name.as_str(), e.value), ("FILE_PART_MISSING", Some(3)));

        let e = RpcError::parse(401, b"AUTH_KEY_UNREGISTERED");
        assert!(e.is_auth_key_unregistered());
        assert_eq!(e.value, None);

        let e = RpcError::parse(400, b"\xffBAD");
        assert_eq!(e.name.as_str(), "?BAD");
        let long = [b'A'; 100];
        assert_eq!(RpcError::parse(400, &long).name.len(), RPC_NAME_MAX);
        assert_eq!(RpcError::parse(400, b"").name.as_str(), "");
        let e = RpcError::parse(400, b"2FA_CONFIRM_WAIT_3600");
        assert_eq!((e.name.as_str(), e.value), ("2FA_CONFIRM_WAIT", Some(3600)));
    }

    #[test]
    fn wrappers_round_trip() {
        let mut buf = [0u8; 64];
        let n = write_wrappers(Some(230), true, Some(0x1234), &mut buf);
        assert_eq!(n, MAX_WRAPPER_LEN);
        buf[n..n + 4].copy_from_slice(&0x1122_3344u32.to_le_bytes());
        let u = unwrap_invoke(&buf[..n + 4]);
        assert_eq!(u.layer, Some(230));
        assert!(u.without_updates);
        assert_eq!(u.after_msg, Some(0x1234));
        assert_eq!(u.query, &0x1122_3344u32.to_le_bytes());
        assert_eq!(unwrap_invoke(&[1, 2]).query, &[1, 2]);
    }
}
