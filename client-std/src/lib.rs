//! # ferrogram-client-std
//!
//! A Telegram client on blocking `std::net` sockets, built on `ferrogram-mtproto-proto`'s
//! sans-IO core: [`Connection`](connection::Connection) is the thin loop that owns a socket,
//! its framing, the auth-key exchange and the encrypted session; [`Client`] adds login,
//! `invoke` for any API function with its typed result, flood-wait sleeping, a peer cache,
//! and the first high-level calls.
//!
//! Turn on any `log` logger (e.g. `env_logger` with `RUST_LOG=ferrogram_client_std=debug`)
//! to see connects, key exchanges, calls, retries and reconnects.
//!
//! ```
//! use ferrogram_client_std::Client;
//! use ferrogram_testdc::{Config, TestDc};
//!
//! // A local test DC (no Telegram account needed); with Telegram, leave out `.dc(…)` and
//! // `.trust_key(…)` and pass your api_id, api_hash and bot token.
//! let dc = TestDc::start(Config::default())?;
//! let (_, token) = dc.create_bot("Alert bot", "alert_bot");
//!
//! let mut client = Client::builder(1, "0123456789abcdef0123456789abcdef")
//!     .dc(2, dc.addr())
//!     .trust_key(*dc.public_key())
//!     .connect()?;
//! let me = client.login_bot(&token)?;
//! assert_eq!(client.get_me()?.id, me.id);
//!
//! // A user must be met before it can be messaged: here, by resolving its @username (any
//! // answer that carries users fills the peer cache).
//! use ferrogram_client_std::tl::{enums, functions as f};
//! let alice = ferrogram_testdc::world::FIRST_USER_ID;
//! client.invoke(&f::contacts::ResolveUsername { username: "alice".into(), referer: None })?;
//! client.send_message(alice, "disk almost full")?;
//! assert_eq!(dc.messages().last().map(|m| m.2.as_str()), Some("disk almost full"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `FLOOD_WAIT`s up to the builder's threshold are slept through; `USER_`, `PHONE_` and
//! `NETWORK_MIGRATE_X` move the client to DC `X` (carrying a login over with
//! `auth.exportAuthorization`/`importAuthorization`) and repeat the call.
//!
//! Not here yet (issue 6 has the whole list): persistent sessions (the auth key lives as
//! long as the [`Client`]), `FILE_`/`STATS_MIGRATE_X` (returned as [`Error::Migrate`]), parse
//! modes, an updates stream, proxies, the async driver.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
pub mod connection;
pub mod dc;
pub mod error;
pub mod peers;
mod pipeline;
pub mod retry;

pub use client::{Client, ClientBuilder, SentMessage};
pub use error::{Error, ProtocolError, RpcError};
pub use peers::PeerCache;

/// An RSA public key to trust (see [`ClientBuilder::trust_key`]).
pub use ferrogram_mtproto_proto::auth_key::rsa::RsaPublicKey;
/// The transport framings a client can use.
pub use ferrogram_mtproto_proto::transport::TransportKind;
/// The TL types (`ferrogram-tl-types`), for [`Client::invoke`].
pub use ferrogram_tl_types as tl;
