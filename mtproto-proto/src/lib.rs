//! # ferrogram-mtproto-proto
//!
//! The sans-IO heart of ferrogram: MTProto 2.0 as plain state machines with no heap.
//! Bytes, time and randomness go in; bytes and events come out. Nothing here touches a
//! socket, a clock or a global.
//!
//! - [`crypto`]: AES-256-IGE (streaming, in place), AES-256-CTR, MTProto 2.0 and 1.0 message
//!   keys, message encryption, behind a narrow provider trait for hardware backends.
//! - [`transport`]: abridged, intermediate, padded intermediate and full framing, and their
//!   obfuscated forms (including MTProxy `dd` secrets), as chunk-fed encoders and decoders
//!   over fixed buffers.
//! - [`auth_key`]: the auth-key exchange (client role; server role with feature `server`):
//!   pq factorization, RSA, Diffie–Hellman and every check of the security guidelines.
//!
//! - [`session`]: the encrypted session (msg_ids, seq_nos, acks, containers, salts, resends,
//!   time sync, reconnects) as a deterministic state machine; the server role with feature
//!   `server`.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth_key;
pub mod crypto;
pub mod msg_id;
pub mod session;
pub mod transport;
