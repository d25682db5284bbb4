//! # ferrogram-client-embedded
//!
//! **Not built yet.** This crate will drive the sans-IO core over an embassy-net TCP socket
//! on microcontrollers, with caller-provided static buffers and no heap, so that a device
//! can log in as a bot and send Telegram alerts. It currently exports nothing.
#![no_std]
#![forbid(unsafe_code)]
