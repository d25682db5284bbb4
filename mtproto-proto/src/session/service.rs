//! Demultiplexing one message body: the MTProto service messages (both directions) by their
//! constructor ids, decoded with the zero-copy views of `ferrogram-tl-types`;
//! `rpc_result`, `msg_container` and `gzip_packed`, which the schema leaves to be parsed by
//! hand, are read here; anything else is an API object (an update, or a query on the server).

use core::fmt;

use ferrogram_tl_types::view::{functions, types};
use ferrogram_tl_types::{Bare, DecodeError, LazyVec, ViewRead};

use super::container::MSG_CONTAINER_ID;
use super::gzip::GZIP_PACKED_ID;

/// `rpc_result#f35c6d01 req_msg_id:long result:Object = RpcResult`.
pub const RPC_RESULT_ID: u32 = 0xf35c_6d01;
/// `msg_copy#e06046b2 orig_message:Message = MessageCopy` (documented as unused).
pub const MSG_COPY_ID: u32 = 0xe060_46b2;

/// What a `bad_msg_notification` says was wrong (`service_messages_about_messages.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BadMsgCode {
    /// 16: msg_id too low (our clock is behind): resync time and resend.
    MsgIdTooLow,
    /// 17: msg_id too high (our clock is ahead): resync time and resend.
    MsgIdTooHigh,
    /// 18: the two low bits of msg_id are wrong.
    MsgIdBadBits,
    /// 19: a container reused the msg_id of an earlier message.
    ContainerIdReused,
    /// 20: the message is too old for the server to tell whether it got it.
    MsgTooOld,
    /// 32: seq_no too low.
    SeqNoTooLow,
    /// 33: seq_no too high.
    SeqNoTooHigh,
    /// 34: an even seq_no was expected (not content-related).
    EvenSeqNoExpected,
    /// 35: an odd seq_no was expected (content-related).
    OddSeqNoExpected,
    /// 48: wrong server salt (comes as `bad_server_salt`).
    BadServerSalt,
    /// 64: invalid container.
    InvalidContainer,
    /// A code the documentation does not list.
    Other(i32),
}

impl BadMsgCode {
    /// The code as sent.
    pub const fn from_code(code: i32) -> Self {
        match code {
            16 => Self::MsgIdTooLow,
            17 => Self::MsgIdTooHigh,
            18 => Self::MsgIdBadBits,
            19 => Self::ContainerIdReused,
            20 => Self::MsgTooOld,
            32 => Self::SeqNoTooLow,
            33 => Self::SeqNoTooHigh,
            34 => Self::EvenSeqNoExpected,
            35 => Self::OddSeqNoExpected,
            48 => Self::BadServerSalt,
            64 => Self::InvalidContainer,
            other => Self::Other(other),
        }
    }

    /// The numeric code.
    pub const fn code(self) -> i32 {
        match self {
            Self::MsgIdTooLow => 16,
            Self::MsgIdTooHigh => 17,
            Self::MsgIdBadBits => 18,
            Self::ContainerIdReused => 19,
            Self::MsgTooOld => 20,
            Self::SeqNoTooLow => 32,
            Self::SeqNoTooHigh => 33,
            Self::EvenSeqNoExpected => 34,
            Self::OddSeqNoExpected => 35,
            Self::BadServerSalt => 48,
            Self::InvalidContainer => 64,
            Self::Other(c) => c,
        }
    }

    /// Whether the session fixes it by itself and resends (16, 17, 20, 32, 33, 48); the rest
    /// mean a bug on one side and end the affected requests with
    /// [`RequestError::BadMessage`](super::RequestError::BadMessage).
    pub const fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::MsgIdTooLow
                | Self::MsgIdTooHigh
                | Self::MsgTooOld
                | Self::SeqNoTooLow
                | Self::SeqNoTooHigh
                | Self::BadServerSalt
        )
    }
}

impl fmt::Display for BadMsgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            Self::MsgIdTooLow => "msg_id too low (local clock behind the server's)",
            Self::MsgIdTooHigh => "msg_id too high (local clock ahead of the server's)",
            Self::MsgIdBadBits => "msg_id's two low bits are wrong",
            Self::ContainerIdReused => "a container reused an earlier msg_id",
            Self::MsgTooOld => "the message is too old",
            Self::SeqNoTooLow => "seq_no too low",
            Self::SeqNoTooHigh => "seq_no too high",
            Self::EvenSeqNoExpected => "an even seq_no was expected",
            Self::OddSeqNoExpected => "an odd seq_no was expected",
            Self::BadServerSalt => "wrong server salt",
            Self::InvalidContainer => "invalid container",
            Self::Other(_) => "undocumented code",
        };
        write!(f, "bad_msg_notification {} ({what})", self.code())
    }
}

/// What an `rpc_result` carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RpcBody<'a> {
    /// `rpc_error`.
    Error {
        /// `error_code`.
        code: i32,
        /// `error_message` (raw bytes).
        message: &'a [u8],
    },
    /// `gzip_packed` data (a gzip member) to inflate.
    Gzip(&'a [u8]),
    /// The serialized result object.
    Data(&'a [u8]),
}

/// One message body, classified.
#[derive(Clone, Copy)]
pub enum Body<'a> {
    /// `msg_container` (still to be checked with [`super::container::Container::parse`]).
    Container(&'a [u8]),
    /// `rpc_result`.
    RpcResult {
        /// The request it answers.
        req_msg_id: i64,
        /// The result.
        result: RpcBody<'a>,
    },
    /// `gzip_packed` outside an rpc_result (a packed update, or a packed query on the server).
    Gzip(&'a [u8]),
    /// `msgs_ack`.
    MsgsAck(LazyVec<'a, i64>),
    /// `bad_msg_notification`.
    BadMsg {
        /// The refused message (or container).
        bad_msg_id: i64,
        /// Its seq_no.
        bad_seq_no: i32,
        /// Why.
        code: BadMsgCode,
    },
    /// `bad_server_salt`.
    BadServerSalt {
        /// The refused message (or container).
        bad_msg_id: i64,
        /// The salt to use.
        new_salt: i64,
    },
    /// `new_session_created`.
    NewSession {
        /// The first message id of ours the new session covers.
        first_msg_id: i64,
        /// Changes every time the server (re)creates the session.
        unique_id: i64,
        /// The salt to use.
        server_salt: i64,
    },
    /// `pong`.
    Pong {
        /// The ping's msg_id.
        msg_id: i64,
        /// The ping's id.
        ping_id: i64,
    },
    /// `future_salts`.
    FutureSalts(types::FutureSalts<'a>),
    /// `msgs_state_req`.
    StateReq(LazyVec<'a, i64>),
    /// `msgs_state_info`.
    StateInfo {
        /// The msgs_state_req it answers.
        req_msg_id: i64,
        /// One status byte per asked id.
        info: &'a [u8],
    },
    /// `msgs_all_info`.
    AllInfo {
        /// The ids.
        msg_ids: LazyVec<'a, i64>,
        /// One status byte per id.
        info: &'a [u8],
    },
    /// `msg_detailed_info` (`msg_id` is `None`) or `msg_new_detailed_info`.
    DetailedInfo {
        /// Our message it answers (`msg_detailed_info` only).
        msg_id: Option<i64>,
        /// The answer's id.
        answer_msg_id: i64,
        /// The answer's size.
        bytes: i32,
    },
    /// `msg_resend_req` or `msg_resend_ans_req`.
    ResendReq(LazyVec<'a, i64>),
    /// `ping` (`disconnect_delay` is set for `ping_delay_disconnect`).
    Ping {
        /// The ping's id.
        ping_id: i64,
        /// Seconds after which the server closes the connection unless pinged again.
        disconnect_delay: Option<i32>,
    },
    /// `get_future_salts`.
    GetFutureSalts {
        /// How many.
        num: i32,
    },
    /// `destroy_session`.
    DestroySession {
        /// The session to forget.
        session_id: i64,
    },
    /// `rpc_drop_answer`.
    RpcDropAnswer {
        /// The request whose answer to drop.
        req_msg_id: i64,
    },
    /// `http_wait` (meaningful only over HTTP; ignored).
    HttpWait,
    /// `msg_copy`: a re-sent message to be processed as if unwrapped.
    MsgCopy {
        /// The original message's id.
        msg_id: i64,
        /// Its seq_no.
        seq_no: i32,
        /// Its body.
        body: &'a [u8],
    },
    /// Any other object: an update from the server, a query from the client.
    Other(&'a [u8]),
}

/// The constructor id at the start of `body`.
pub fn constructor_id(body: &[u8]) -> Option<u32> {
    body.get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn gzip_data(body: &[u8]) -> Result<&[u8], DecodeError> {
    let mut r = ferrogram_tl_types::Reader::new(body);
    r.expect_id(GZIP_PACKED_ID, "gzip_packed")?;
    let data = r.tl_bytes()?;
    r.finish()?;
    Ok(data)
}

/// Classifies and decodes `body`. Service messages must decode completely (no trailing
/// bytes); API objects are passed through unchecked.
///
/// # Errors
/// The [`DecodeError`] of a malformed service message.
pub fn classify(body: &[u8]) -> Result<Body<'_>, DecodeError> {
    let Some(id) = constructor_id(body) else {
        return Ok(Body::Other(body));
    };
    Ok(match id {
        MSG_CONTAINER_ID => Body::Container(body),
        RPC_RESULT_ID => {
            let mut r = ferrogram_tl_types::Reader::new(body);
            r.skip(4)?;
            let req_msg_id = r.i64()?;
            let rest = &body[12..];
            let result = match constructor_id(rest) {
                Some(types::RpcError::CONSTRUCTOR_ID) => {
                    let e = types::RpcError::from_bytes(rest)?;
                    RpcBody::Error {
                        code: e.error_code,
                        message: e.error_message.as_bytes(),
                    }
                }
                Some(GZIP_PACKED_ID) => RpcBody::Gzip(gzip_data(rest)?),
                Some(_) => RpcBody::Data(rest),
                None => {
                    return Err(r.unexpected_id("rpc_result.result", 0));
                }
            };
            Body::RpcResult { req_msg_id, result }
        }
        GZIP_PACKED_ID => Body::Gzip(gzip_data(body)?),
        types::MsgsAck::CONSTRUCTOR_ID => Body::MsgsAck(types::MsgsAck::from_bytes(body)?.msg_ids),
        types::BadMsgNotification::CONSTRUCTOR_ID => {
            let m = types::BadMsgNotification::from_bytes(body)?;
            Body::BadMsg {
                bad_msg_id: m.bad_msg_id,
                bad_seq_no: m.bad_msg_seqno,
                code: BadMsgCode::from_code(m.error_code),
            }
        }
        types::BadServerSalt::CONSTRUCTOR_ID => {
            let m = types::BadServerSalt::from_bytes(body)?;
            Body::BadServerSalt {
                bad_msg_id: m.bad_msg_id,
                new_salt: m.new_server_salt,
            }
        }
        types::NewSessionCreated::CONSTRUCTOR_ID => {
            let m = types::NewSessionCreated::from_bytes(body)?;
            Body::NewSession {
                first_msg_id: m.first_msg_id,
                unique_id: m.unique_id,
                server_salt: m.server_salt,
            }
        }
        types::Pong::CONSTRUCTOR_ID => {
            let m = types::Pong::from_bytes(body)?;
            Body::Pong {
                msg_id: m.msg_id,
                ping_id: m.ping_id,
            }
        }
        types::FutureSalts::CONSTRUCTOR_ID => {
            Body::FutureSalts(types::FutureSalts::from_bytes(body)?)
        }
        types::MsgsStateReq::CONSTRUCTOR_ID => {
            Body::StateReq(types::MsgsStateReq::from_bytes(body)?.msg_ids)
        }
        types::MsgsStateInfo::CONSTRUCTOR_ID => {
            let m = types::MsgsStateInfo::from_bytes(body)?;
            Body::StateInfo {
                req_msg_id: m.req_msg_id,
                info: m.info,
            }
        }
        types::MsgsAllInfo::CONSTRUCTOR_ID => {
            let m = types::MsgsAllInfo::from_bytes(body)?;
            Body::AllInfo {
                msg_ids: m.msg_ids,
                info: m.info,
            }
        }
        types::MsgDetailedInfo::CONSTRUCTOR_ID => {
            let m = types::MsgDetailedInfo::from_bytes(body)?;
            Body::DetailedInfo {
                msg_id: Some(m.msg_id),
                answer_msg_id: m.answer_msg_id,
                bytes: m.bytes,
            }
        }
        types::MsgNewDetailedInfo::CONSTRUCTOR_ID => {
            let m = types::MsgNewDetailedInfo::from_bytes(body)?;
            Body::DetailedInfo {
                msg_id: None,
                answer_msg_id: m.answer_msg_id,
                bytes: m.bytes,
            }
        }
        types::MsgResendReq::CONSTRUCTOR_ID => {
            Body::ResendReq(types::MsgResendReq::from_bytes(body)?.msg_ids)
        }
        types::MsgResendAnsReq::CONSTRUCTOR_ID => {
            Body::ResendReq(types::MsgResendAnsReq::from_bytes(body)?.msg_ids)
        }
        functions::Ping::CONSTRUCTOR_ID => Body::Ping {
            ping_id: functions::Ping::from_bytes(body)?.ping_id,
            disconnect_delay: None,
        },
        functions::PingDelayDisconnect::CONSTRUCTOR_ID => {
            let m = functions::PingDelayDisconnect::from_bytes(body)?;
            Body::Ping {
                ping_id: m.ping_id,
                disconnect_delay: Some(m.disconnect_delay),
            }
        }
        functions::GetFutureSalts::CONSTRUCTOR_ID => Body::GetFutureSalts {
            num: functions::GetFutureSalts::from_bytes(body)?.num,
        },
        functions::DestroySession::CONSTRUCTOR_ID => Body::DestroySession {
            session_id: functions::DestroySession::from_bytes(body)?.session_id,
        },
        functions::RpcDropAnswer::CONSTRUCTOR_ID => Body::RpcDropAnswer {
            req_msg_id: functions::RpcDropAnswer::from_bytes(body)?.req_msg_id,
        },
        MSG_COPY_ID => {
            let mut r = ferrogram_tl_types::Reader::new(body);
            r.skip(4)?;
            let msg_id = r.i64()?;
            let seq_no = r.i32()?;
            let len = r.u32()? as usize;
            let inner = r.take(len)?;
            r.finish()?;
            Body::MsgCopy {
                msg_id,
                seq_no,
                body: inner,
            }
        }
        types::HttpWait::CONSTRUCTOR_ID => {
            types::HttpWait::from_bytes(body)?;
            Body::HttpWait
        }
        _ => Body::Other(body),
    })
}

impl Body<'_> {
    /// Whether the message must be acknowledged when it arrives with an odd seq_no; service
    /// messages that the documentation says need no acknowledgement return false.
    pub fn wants_ack(&self) -> bool {
        !matches!(
            self,
            Body::Container(_)
                | Body::MsgsAck(_)
                | Body::BadMsg { .. }
                | Body::BadServerSalt { .. }
                | Body::Pong { .. }
                | Body::FutureSalts(_)
                | Body::StateInfo { .. }
                | Body::AllInfo { .. }
                | Body::DetailedInfo { .. }
                | Body::HttpWait
                | Body::MsgCopy { .. }
        )
    }
}

/// Iterates the salts of a `future_salts`, stopping at the first malformed one.
pub fn future_salts<'a>(
    m: &types::FutureSalts<'a>,
) -> impl Iterator<Item = types::FutureSalt> + 'a {
    m.salts.iter().map_while(|s| s.ok().map(|Bare(s)| s))
}

/// Iterates an id vector, stopping at the first malformed element.
pub fn ids<'a>(v: &LazyVec<'a, i64>) -> impl Iterator<Item = i64> + 'a {
    v.iter().map_while(Result::ok)
}
