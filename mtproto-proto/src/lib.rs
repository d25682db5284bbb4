//! # ferrogram-mtproto-proto
//!
//! The sans-IO heart of ferrogram: MTProto 2.0 as a plain state machine with no heap.
//!
//! **Not built yet.** This crate will hold transport framing (abridged, intermediate,
//! padded intermediate, full, obfuscated), MTProto 2.0 message encryption, the auth-key
//! exchange (client and server roles), and the encrypted session (msg_ids, seq_nos, acks,
//! containers, salts, resends). It will never touch a socket or a clock: bytes, time and
//! randomness go in; bytes and events come out. It currently exports nothing.
#![no_std]
#![forbid(unsafe_code)]
