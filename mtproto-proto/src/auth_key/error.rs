//! Why an auth-key exchange failed. Every check of `auth_key.md` and the security guidelines
//! has its own variant, so a log line names the check a hostile or broken server failed.

use core::fmt;

use ferrogram_tl_types::DecodeError;

use super::plain::PlainError;

/// Which message of the exchange a problem was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `resPQ` (answer to `req_pq_multi`).
    ResPq,
    /// `server_DH_params_ok` / `_fail` (answer to `req_DH_params`).
    ServerDhParams,
    /// The decrypted `server_DH_inner_data`.
    ServerDhInnerData,
    /// `dh_gen_ok` / `_retry` / `_fail` (answer to `set_client_DH_params`).
    DhGen,
    /// A client message (server role).
    ClientMessage,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::ResPq => "resPQ",
            Step::ServerDhParams => "server_DH_params",
            Step::ServerDhInnerData => "server_DH_inner_data",
            Step::DhGen => "set_client_DH_params answer",
            Step::ClientMessage => "client message",
        })
    }
}

/// The auth-key exchange failed. Start a new exchange on a new connection (all variants are
/// final for this exchange); if it keeps failing with a check error, the server (or something
/// between) is not Telegram's.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The packet is not a well-formed unencrypted message.
    Plain(PlainError),
    /// The message body does not decode as the expected TL type.
    Decode {
        /// Where.
        step: Step,
        /// The decoder's error.
        error: DecodeError,
    },
    /// A message arrived when none was expected (or after the exchange ended).
    Unexpected {
        /// What the exchange was waiting for, if anything.
        waiting_for: Option<Step>,
    },
    /// `nonce` differs from the one we sent.
    NonceMismatch {
        /// Where.
        step: Step,
    },
    /// `server_nonce` differs from the one in `resPQ`.
    ServerNonceMismatch {
        /// Where.
        step: Step,
    },
    /// `pq` is not 1–8 bytes, or is not a product of two primes we could find.
    BadPq {
        /// The value (big-endian bytes read as an integer, 0 if too long).
        pq: u64,
    },
    /// None of the server's RSA key fingerprints is a key we know.
    UnknownFingerprints {
        /// The first fingerprint offered (0 if none).
        first: i64,
    },
    /// `server_DH_params_fail`: the server could not decrypt our request (its
    /// `new_nonce_hash` was checked).
    ServerDhParamsFail,
    /// `server_DH_params_fail` with a wrong `new_nonce_hash`: forged.
    BadNewNonceHash,
    /// `encrypted_answer` has a length that is not a positive multiple of 16 (or is larger
    /// than any valid answer).
    BadEncryptedAnswerLength {
        /// Its length.
        len: usize,
    },
    /// The SHA-1 in front of the decrypted answer does not match it: wrong key or tampering.
    AnswerHashMismatch,
    /// More than 15 bytes of padding after the decrypted answer.
    BadAnswerPadding {
        /// Bytes after the answer.
        padding: usize,
    },
    /// `dh_prime` or `g` failed a check (see [`super::dh::DhError`]).
    Dh(super::dh::DhError),
    /// The `new_nonce_hash1/2/3` of the final answer does not match: forged or corrupted.
    BadDhGenHash {
        /// 1 (ok), 2 (retry) or 3 (fail).
        which: u8,
    },
    /// `dh_gen_fail`: the server refused the key.
    DhGenFail,
    /// `dh_gen_retry` too many times in a row.
    TooManyRetries {
        /// Retries done.
        retries: u8,
    },
    /// RSA encryption or decryption failed (see [`super::rsa::RsaError`]).
    Rsa(super::rsa::RsaError),
    /// The exchange did not finish before its deadline.
    TimedOut,
    /// A buffer given by the caller is too small.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use HandshakeError::*;
        match self {
            Plain(e) => write!(f, "auth key exchange: {e}"),
            Decode { step, error } => write!(f, "auth key exchange: bad {step}: {error}"),
            Unexpected {
                waiting_for: Some(s),
            } => write!(
                f,
                "auth key exchange: unexpected message while waiting for {s}"
            ),
            Unexpected { waiting_for: None } => {
                f.write_str("auth key exchange: message after the exchange ended")
            }
            NonceMismatch { step } => write!(
                f,
                "auth key exchange: {step} carries a nonce we did not send; the reply is \
                 forged or for another connection"
            ),
            ServerNonceMismatch { step } => write!(
                f,
                "auth key exchange: {step} carries a server_nonce that differs from resPQ's; \
                 the reply is forged"
            ),
            BadPq { pq } => write!(
                f,
                "auth key exchange: pq {pq:#x} is not a product of two primes we can factor"
            ),
            UnknownFingerprints { first } => write!(
                f,
                "auth key exchange: the server offers no RSA key we know (first fingerprint \
                 {first:#x}); add the server's public key to the client configuration"
            ),
            ServerDhParamsFail => f.write_str(
                "auth key exchange: the server answered server_DH_params_fail; retry on a new \
                 connection",
            ),
            BadNewNonceHash => f.write_str(
                "auth key exchange: server_DH_params_fail with a wrong new_nonce_hash; forged",
            ),
            BadEncryptedAnswerLength { len } => write!(
                f,
                "auth key exchange: encrypted_answer is {len} bytes, not a valid size"
            ),
            AnswerHashMismatch => f.write_str(
                "auth key exchange: the SHA-1 of the decrypted answer does not match; wrong \
                 key or tampering",
            ),
            BadAnswerPadding { padding } => write!(
                f,
                "auth key exchange: {padding} bytes of padding after the answer (at most 15)"
            ),
            Dh(e) => write!(f, "auth key exchange: {e}"),
            BadDhGenHash { which } => write!(
                f,
                "auth key exchange: new_nonce_hash{which} does not match; the answer is forged"
            ),
            DhGenFail => f.write_str(
                "auth key exchange: the server answered dh_gen_fail; retry on a new connection",
            ),
            TooManyRetries { retries } => write!(
                f,
                "auth key exchange: dh_gen_retry {retries} times in a row; giving up"
            ),
            Rsa(e) => write!(f, "auth key exchange: {e}"),
            TimedOut => {
                f.write_str("auth key exchange timed out; check the connection and try again")
            }
            BufferTooSmall { needed } => write!(
                f,
                "auth key exchange: the output buffer is too small ({needed} bytes needed)"
            ),
        }
    }
}

impl core::error::Error for HandshakeError {}

impl From<PlainError> for HandshakeError {
    fn from(e: PlainError) -> Self {
        HandshakeError::Plain(e)
    }
}
