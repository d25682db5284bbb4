//! # ferrogram-client-std
//!
//! **Not built yet.** This crate will bind the sans-IO core to std and smol sockets and
//! provide the high-level client (bot login, messages, peers, sessions, updates). It
//! currently exports nothing.
#![forbid(unsafe_code)]
