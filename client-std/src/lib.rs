//! # ferrogram-client-std
//!
//! A Telegram client on blocking `std::net` sockets or, async, on smol's, built on
//! `ferrogram-mtproto-proto`'s sans-IO core: [`Connection`](connection::Connection) is the thin loop that owns a socket,
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
//!
//! // Formatted: Markdown or HTML becomes text plus entities (see the `parse` module).
//! use ferrogram_client_std::ParseMode;
//! client.send_message_with(alice, "disk **almost** full", ParseMode::Markdown)?;
//! assert_eq!(dc.messages().last().map(|m| m.2.as_str()), Some("disk almost full"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `FLOOD_WAIT`s up to the builder's threshold are slept through; `USER_`, `PHONE_` and
//! `NETWORK_MIGRATE_X` move the client to DC `X` (carrying a login over with
//! `auth.exportAuthorization`/`importAuthorization`) and repeat the call.
//!
//! Updates the server pushes (new messages, edits, deletions, anything else raw) queue up
//! for [`Client::next_update`]; `examples/echo_bot.rs` is a bot built on it. Peers are
//! addressed by marked ids ([`PeerId`]: users positive, groups negative, channels `-100…`).
//!
//! **Async**: [`ClientBuilder::connect_async`] gives an [`AsyncClient`], the same client on
//! smol's sockets and timers (`async-io`) with `async` methods. It needs no particular
//! executor: it runs inside smol, tokio (its futures are `Send`), async-std or a bare
//! `block_on`. Both clients run one implementation (see [`net`]).
//!
//! ```
//! # use ferrogram_testdc::{Config, TestDc};
//! # let dc = TestDc::start(Config::default())?;
//! # let (_, token) = dc.create_bot("Alert bot", "alert_bot");
//! use ferrogram_client_std::Client;
//!
//! futures_lite::future::block_on(async {
//!     let mut client = Client::builder(1, "0123456789abcdef0123456789abcdef")
//!         .dc(2, dc.addr())
//!         .trust_key(*dc.public_key())
//!         .connect_async()
//!         .await?;
//!     client.login_bot(&token).await?;
//!     client.get_me().await
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **Proxies**: SOCKS5 and MTProxy (`dd` secrets) with [`ClientBuilder::proxy`]; plain
//! obfuscation with [`ClientBuilder::obfuscated`]; Telegram's IPv6 addresses with
//! [`ClientBuilder::ipv6`].
//!
//! ## Sessions
//!
//! By default the session (auth key, login, peers met) lives as long as the [`Client`]. With
//! [`ClientBuilder::session_file`] it is kept in an SQLite file (one process at a time), so
//! the next run reuses the auth key and the login: no key exchange, no login, and the users
//! met can still be messaged. [`ClientBuilder::session_string`] starts from a session string
//! (ours from [`Client::export_session_string`], or Pyrogram's/Kurigram's or Telethon's);
//! [`ClientBuilder::session`] takes any [`session::Storage`].
//!
//! ```
//! # use ferrogram_client_std::Client;
//! # use ferrogram_testdc::{Config, TestDc};
//! # let dc = TestDc::start(Config::default())?;
//! # let (_, token) = dc.create_bot("Alert bot", "alert_bot");
//! # let dir = std::env::temp_dir().join(format!("ferrogram-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! let builder = Client::builder(1, "0123456789abcdef0123456789abcdef")
//!     .dc(2, dc.addr())
//!     .trust_key(*dc.public_key())
//!     .session_file(dir.join("alerts.session"));
//! let mut first = builder.clone().connect()?;
//! let bot = first.login_bot(&token)?;
//! drop(first); // as if the program ended
//!
//! let mut again = builder.connect()?; // the stored key: no key exchange, no login
//! assert_eq!(again.get_me()?.id, bot.id);
//! assert_eq!(dc.auth_key_count(), 1);
//! # drop(again);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **Formatting**: [`Client::send_message_with`] sends Markdown or HTML ([`ParseMode`]) as
//! message entities.
//!
//! Not here yet: update gap recovery (`updates.getDifference`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
pub mod connection;
pub mod dc;
pub mod error;
pub mod ids;
pub mod messages;
pub mod net;
pub mod parse;
pub mod peers;
mod pipeline;
pub mod proxy;
pub mod retry;
pub mod session;
pub mod updates;

pub use client::{AsyncClient, Client, ClientBuilder, LoginToken, MAX_QUEUED_UPDATES, SentMessage};
pub use connection::AsyncConnection;
pub use error::{Error, ProtocolError, RpcError};
pub use ids::PeerId;
pub use messages::{AsyncHistory, History};
pub use parse::ParseMode;
pub use peers::PeerCache;
pub use proxy::Proxy;
pub use updates::{Message, Update};

/// An RSA public key to trust (see [`ClientBuilder::trust_key`]).
pub use ferrogram_mtproto_proto::auth_key::rsa::RsaPublicKey;
/// The transport framings a client can use.
pub use ferrogram_mtproto_proto::transport::TransportKind;
/// The TL types (`ferrogram-tl-types`), for [`Client::invoke`].
pub use ferrogram_tl_types as tl;
