//! # ferrogram-client-embedded
//!
//! A Telegram client for microcontrollers, with no heap: a device that logs in as a bot once
//! and sends alerts. It drives `ferrogram-mtproto-proto`'s sans-IO core over any
//! `embedded-io-async` byte stream — embassy-net's `TcpSocket` on a board — with every
//! buffer inside the [`Device`] value, time from a [`Clock`] and randomness from the
//! caller's `rand_core` generator.
//!
//! - [`Device::connected`] after each TCP connection: the auth key is made once (stored in
//!   the [`Record`], e.g. in flash) and the session resumes after a reconnect without a new
//!   handshake.
//! - [`Device::login_bot`] once; [`Device::send_message`] to a user, group or channel by
//!   id, as `invokeWithoutUpdates` so the server pushes nothing the device must hold.
//! - `FLOOD_WAIT`s up to [`Config::flood_sleep_max_secs`] are slept through; every failure
//!   is an [`Error`], never a panic.
//!
//! - [`Device::keep_alive`] between alerts (acks, keep-alive pings, a dead connection
//!   noticed); [`RecordStore`] / [`Device::save_record`] keep the record where the board
//!   wants it (written only when it changes); [`Device::with_provider`] puts a board's
//!   AES/SHA engines under the session.
//!
//! With feature `embassy`, [`EmbassyClock`] takes time from embassy-time.
//!
//! Tested on the host against the test DC over TCP (`tests/device.rs`) and end to end on
//! embassy-net over a TAP device in a network namespace the test creates (`tests/tap.rs`);
//! `firmware/` is an example firmware for thumbv7em and riscv32imac whose size
//! `scripts/firmware-size.sh` reports (135 KiB of flash and 40 KiB of static RAM on a
//! Cortex-M4F). Not built: a mode that receives updates to react to commands.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod device;
#[cfg(feature = "embassy")]
pub mod embassy;
pub mod record;

pub use device::{Clock, Config, Device, Error, Peer, sent_message_id};
#[cfg(feature = "embassy")]
pub use embassy::EmbassyClock;
pub use record::{RECORD_LEN, Record, RecordError, RecordStore, load_record};
