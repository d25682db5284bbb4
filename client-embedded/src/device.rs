//! The device client: one DC, one bot, messages out. It drives the core's auth-key exchange
//! and session over any `embedded-io-async` byte stream (embassy-net's `TcpSocket`, or a
//! host socket in tests), with every buffer inside the [`Device`] value (no heap) and time
//! and randomness from the caller.
//!
//! The caller owns the socket: it connects it, tells the device with
//! [`Device::connected`], and calls [`Device::login_bot`] and [`Device::send_message`]. When
//! a call fails with [`Error::ConnectionLost`] the caller reconnects the socket and calls
//! `connected` again: the device keeps its auth key and session (no new handshake), and a
//! message whose answer was lost is sent again with the same `random_id`, which Telegram
//! stores once.

use core::future::Future;

use embedded_io_async::{Read, Write};
use ferrogram_mtproto_proto::auth_key::client::{ClientConfig, ClientHandshake, MAX_REQUEST};
use ferrogram_mtproto_proto::auth_key::error::HandshakeError;
use ferrogram_mtproto_proto::auth_key::rsa::RsaPublicKey;
use ferrogram_mtproto_proto::crypto::message;
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::{CryptoProvider, Software};
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::requests::MAX_WRAPPER_LEN;
use ferrogram_mtproto_proto::session::{
    EnqueueError, Event, MAX_PENDING_ACKS, RequestError, RequestId, RequestOptions, RpcError,
    Session, SessionConfig, TransmitError,
};
use ferrogram_mtproto_proto::transport::crc32::crc32;
use ferrogram_mtproto_proto::transport::{
    DecodeError, Decoder, EncodeError, EncodeOptions, Encoder, Event as Frame, TransportErrorCode,
    TransportKind,
};
use ferrogram_tl_types::view::{enums, functions, types};
use ferrogram_tl_types::{LAYER, Lazy, Query, TlStr, TlWrite, ViewRead};
use rand_core::CryptoRng;

use crate::record::Record;

/// Request slots of the device's session.
pub const REQUESTS: usize = 4;
/// Outbox bytes: request bodies kept until answered.
pub const OUTBOX: usize = 2048;
/// Inbox bytes: answers and updates until taken.
pub const INBOX: usize = 4096;
/// The session a device drives, with crypto provider `P`.
pub type DeviceSession<P = Software> = Session<P, REQUESTS, OUTBOX, INBOX>;
/// The longest message text a device sends, in UTF-8 bytes (its request must fit the
/// outbox with the rest of the call).
pub const MAX_TEXT: usize = 1536;

const TX: usize = OUTBOX + MAX_WRAPPER_LEN + 64 + message::MAX_OVERHEAD + 8 * MAX_PENDING_ACKS;
const WIRE: usize = TX + 64;
const CHUNK: usize = 512;

/// Time as the device has it.
pub trait Clock {
    /// The wall-clock time as well as the device knows it. It may be off (boot time counted
    /// from 1970, say): the session corrects it from the server's clock.
    fn now(&self) -> UnixNanos;
    /// Runs `f` for at most `ms` milliseconds: `None` if time ran out first.
    fn timeout<F: Future>(&self, ms: u64, f: F) -> impl Future<Output = Option<F::Output>>;
    /// Waits `ms` milliseconds.
    fn sleep(&self, ms: u64) -> impl Future<Output = ()>;
}

/// Where to connect and who the app is.
#[derive(Clone, Copy, Debug)]
pub struct Config<'a> {
    /// The DC id.
    pub dc_id: i32,
    /// Telegram's test environment (the handshake names DC `10000 + dc_id`).
    pub test_mode: bool,
    /// The DC keys to trust.
    pub keys: &'a [RsaPublicKey],
    /// From my.telegram.org.
    pub api_id: i32,
    /// From my.telegram.org.
    pub api_hash: &'a str,
    /// Sent in `initConnection`.
    pub device_model: &'a str,
    /// Sent in `initConnection`.
    pub app_version: &'a str,
    /// The framing (intermediate by default).
    pub transport: TransportKind,
    /// A request without an answer this long ends with [`Error::TimedOut`].
    pub request_timeout_ms: u64,
    /// `FLOOD_WAIT`s up to this many seconds are slept through; longer ones are returned.
    pub flood_sleep_max_secs: u32,
    /// A keep-alive ping goes out after this long without one (while the device is driven:
    /// a call or [`Device::keep_alive`]); an unanswered ping means a dead connection.
    pub ping_interval_ms: u64,
}

impl<'a> Config<'a> {
    /// Defaults for `dc_id`, trusting `keys`.
    pub const fn new(dc_id: i32, keys: &'a [RsaPublicKey], api_id: i32, api_hash: &'a str) -> Self {
        Config {
            dc_id,
            test_mode: false,
            keys,
            api_id,
            api_hash,
            device_model: "ferrogram device",
            app_version: env!("CARGO_PKG_VERSION"),
            transport: TransportKind::Intermediate,
            request_timeout_ms: 30_000,
            flood_sleep_max_secs: 60,
            ping_interval_ms: 60_000,
        }
    }
}

/// Whom to message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    /// A user, with the access hash the bot got for it (bots may use 0 for users who
    /// wrote to them).
    User {
        /// Its id.
        id: i64,
        /// Its access hash.
        access_hash: i64,
    },
    /// A basic group.
    Chat {
        /// Its id.
        id: i64,
    },
    /// A channel or supergroup.
    Channel {
        /// Its id.
        id: i64,
        /// Its access hash.
        access_hash: i64,
    },
}

/// Why a device call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The socket failed, closed, or the session asks for a new connection: reconnect the
    /// socket and call [`Device::connected`].
    ConnectionLost,
    /// The auth-key exchange failed.
    Handshake(HandshakeError),
    /// The DC sent a transport error (`-404`: it does not know the auth key; erase the
    /// record and start over).
    Transport(TransportErrorCode),
    /// The server answered with an error.
    Rpc(RpcError),
    /// A `FLOOD_WAIT` longer than [`Config::flood_sleep_max_secs`]: wait this long.
    FloodWait {
        /// Seconds.
        secs: u32,
    },
    /// No answer within [`Config::request_timeout_ms`].
    TimedOut,
    /// The text is longer than [`MAX_TEXT`] bytes.
    TextTooLong {
        /// Its length.
        len: usize,
    },
    /// A call needs an auth key or login that this device does not have yet.
    NotReady(&'static str),
    /// The byte stream or an answer broke the protocol.
    Protocol(&'static str),
    /// The request could not be queued.
    Enqueue(EnqueueError),
    /// The session could not write.
    Transmit(TransmitError),
    /// A frame could not be decoded.
    Framing(DecodeError),
    /// A frame could not be encoded.
    Encoding(EncodeError),
    /// The request ended without an answer.
    Request(RequestError),
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::ConnectionLost => f.write_str(
                "the connection was lost; reconnect the socket and call Device::connected \
                 (the auth key and session are kept)",
            ),
            Self::Handshake(e) => write!(f, "the auth-key exchange failed: {e}"),
            Self::Transport(code) => write!(
                f,
                "the DC sent transport error {}{}",
                code.code(),
                if code.code() == -404 {
                    " (it does not know this auth key: erase the stored record and start over)"
                } else {
                    ""
                }
            ),
            Self::Rpc(e) => write!(f, "Telegram answered {e}"),
            Self::FloodWait { secs } => write!(f, "too many requests: wait {secs} s"),
            Self::TimedOut => f.write_str("no answer within the request timeout"),
            Self::TextTooLong { len } => {
                write!(
                    f,
                    "the text has {len} bytes; a device sends at most {MAX_TEXT}"
                )
            }
            Self::NotReady(what) => write!(f, "not ready: {what}"),
            Self::Protocol(what) => write!(f, "protocol error: {what}"),
            Self::Enqueue(e) => write!(f, "the request could not be queued: {e}"),
            Self::Transmit(e) => write!(f, "{e}"),
            Self::Framing(e) => write!(f, "the byte stream does not frame: {e}"),
            Self::Encoding(e) => write!(f, "a frame could not be encoded: {e}"),
            Self::Request(e) => write!(f, "{e}"),
        }
    }
}

/// A device talking to one DC. `RX` is the largest frame it accepts (its answers are small:
/// 4 KiB is plenty for a bot sending alerts); the value holds every buffer, so put it in a
/// `static` or a task's state rather than on a small stack. `P` is the crypto provider of
/// the session (SHA-1, SHA-256, AES-256-IGE): [`Software`] by default, or a board's
/// hardware engines through [`Device::with_provider`].
pub struct Device<'k, R, C, const RX: usize, P: CryptoProvider = Software> {
    config: Config<'k>,
    provider: P,
    rng: R,
    clock: C,
    record: Record,
    dirty: bool,
    session: Option<DeviceSession<P>>,
    initialized: bool,
    enc: Encoder,
    dec: Decoder<[u8; RX]>,
    tx: [u8; TX],
    wire: [u8; WIRE],
    packet: [u8; RX],
    chunk: [u8; CHUNK],
    body: [u8; OUTBOX],
    answer: [u8; INBOX],
    /// A call whose connection was lost before its answer: the session re-sends it after
    /// the reconnect, and the next call waits for it instead of sending it twice.
    pending: Option<Pending>,
}

/// A call still waiting for its answer.
#[derive(Clone, Copy, Debug)]
struct Pending {
    id: RequestId,
    /// What was called (a checksum of the call without its random parts).
    what: u32,
    /// The `random_id` a pending message went out with.
    random_id: i64,
}

impl<'k, R: CryptoRng, C: Clock, const RX: usize> Device<'k, R, C, RX, Software> {
    /// A device with what it stored before (or [`Record::new`] the first time), with the
    /// portable software crypto.
    pub fn new(config: Config<'k>, record: Record, rng: R, clock: C) -> Self {
        Self::with_provider(config, record, rng, clock, Software)
    }
}

impl<'k, R: CryptoRng, C: Clock, const RX: usize, P: CryptoProvider + Clone>
    Device<'k, R, C, RX, P>
{
    /// A device whose session encrypts and hashes with `provider` (a board's AES and SHA
    /// engines, say).
    pub fn with_provider(
        config: Config<'k>,
        record: Record,
        rng: R,
        clock: C,
        provider: P,
    ) -> Self {
        Device {
            provider,
            enc: Encoder::client(config.transport),
            dec: Decoder::client(config.transport, [0u8; RX]),
            config,
            rng,
            clock,
            record,
            dirty: false,
            session: None,
            initialized: false,
            tx: [0; TX],
            wire: [0; WIRE],
            packet: [0; RX],
            chunk: [0; CHUNK],
            body: [0; OUTBOX],
            answer: [0; INBOX],
            pending: None,
        }
    }

    /// What to store; changed since the last [`mark_saved`](Self::mark_saved) if
    /// [`record_changed`](Self::record_changed).
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// Whether the record changed (a new key, a login) and should be stored.
    pub fn record_changed(&self) -> bool {
        self.dirty
    }

    /// The record was stored.
    pub fn mark_saved(&mut self) {
        self.dirty = false;
    }

    /// Stores the record in `store` if it changed since it was last stored.
    ///
    /// # Errors
    /// The store's own error (the record stays marked as changed).
    pub async fn save_record<S: crate::record::RecordStore>(
        &mut self,
        store: &mut S,
    ) -> Result<(), S::Error> {
        if self.dirty {
            store.save(&self.record.to_bytes()).await?;
            self.dirty = false;
        }
        Ok(())
    }

    /// Call after each new TCP connection: makes the auth key if the device has none (the
    /// only handshake of its life, if the record is stored), else resumes the session,
    /// which re-sends what was not answered.
    ///
    /// # Errors
    /// [`Error::Handshake`], [`Error::ConnectionLost`], [`Error::Transport`].
    pub async fn connected<S: Read + Write>(&mut self, socket: &mut S) -> Result<(), Error> {
        self.enc = Encoder::client(self.config.transport);
        self.dec = Decoder::client(self.config.transport, [0u8; RX]);
        if self.record.auth_key.is_none() || self.record.dc_id != self.config.dc_id {
            self.handshake(socket).await?;
        }
        let now = self.clock.now();
        match self.session.as_mut() {
            Some(s) => s.handle_reconnect(now),
            None => {
                let key = self.record.auth_key.ok_or(Error::NotReady("no auth key"))?;
                let config = SessionConfig {
                    request_timeout_ms: self.config.request_timeout_ms,
                    ping_interval_ms: self.config.ping_interval_ms,
                    ..SessionConfig::default()
                };
                self.session = Some(DeviceSession::new(
                    self.provider.clone(),
                    AuthKey::new(key),
                    self.rng.next_u64() as i64,
                    self.record.salt,
                    self.record.time_offset,
                    config,
                    now,
                ));
                self.initialized = false;
                self.pending = None;
            }
        }
        Ok(())
    }

    /// Logs in as a bot once; later calls (and later boots, with the record stored) return
    /// the stored bot id without asking the server.
    ///
    /// # Errors
    /// [`Error::Rpc`] (`ACCESS_TOKEN_INVALID`…), or as [`send_message`](Self::send_message).
    pub async fn login_bot<S: Read + Write>(
        &mut self,
        socket: &mut S,
        token: &str,
    ) -> Result<i64, Error> {
        if self.record.bot_id != 0 {
            return Ok(self.record.bot_id);
        }
        let call = functions::auth::ImportBotAuthorization {
            flags: 0,
            api_id: self.config.api_id,
            api_hash: TlStr::from(self.config.api_hash),
            bot_auth_token: TlStr::from(token),
        };
        let n = write_body(&call, &mut self.body)?;
        let what = crc32(&self.body[..n]);
        let len = self.call(socket, n, false, what, 0).await?;
        let answer = enums::auth::Authorization::from_bytes(&self.answer[..len])
            .map_err(|_| Error::Protocol("the login answer is not an auth.Authorization"))?;
        let enums::auth::Authorization::Authorization(a) = answer else {
            return Err(Error::Protocol("a bot login answered sign-up required"));
        };
        let user = a
            .user
            .get()
            .map_err(|_| Error::Protocol("the login answer's user does not decode"))?;
        let enums::User::User(u) = user else {
            return Err(Error::Protocol("the login answer has an empty user"));
        };
        self.record.bot_id = u.id;
        self.dirty = true;
        Ok(u.id)
    }

    /// Sends `text` to `peer` and returns the message id (0 if the answer did not say).
    /// The call goes out as `invokeWithoutUpdates`, so the server pushes no updates the
    /// device would have to hold.
    ///
    /// # Errors
    /// [`Error::TextTooLong`]; [`Error::ConnectionLost`] (reconnect and call again: the same
    /// message is stored once); [`Error::Rpc`], [`Error::FloodWait`], [`Error::TimedOut`].
    pub async fn send_message<S: Read + Write>(
        &mut self,
        socket: &mut S,
        peer: Peer,
        text: &str,
    ) -> Result<i32, Error> {
        if text.len() > MAX_TEXT {
            return Err(Error::TextTooLong { len: text.len() });
        }
        if self.record.bot_id == 0 {
            return Err(Error::NotReady("not logged in: call login_bot first"));
        }
        let input = match peer {
            Peer::User { id, access_hash } => enums::InputPeer::User(types::InputPeerUser {
                user_id: id,
                access_hash,
            }),
            Peer::Chat { id } => enums::InputPeer::Chat(types::InputPeerChat { chat_id: id }),
            Peer::Channel { id, access_hash } => {
                enums::InputPeer::Channel(types::InputPeerChannel {
                    channel_id: id,
                    access_hash,
                })
            }
        };
        let what = {
            let mut peer_bytes = [0u8; 32];
            let m = input.write_to(&mut peer_bytes).unwrap_or(0);
            crc32(&peer_bytes[..m]) ^ crc32(text.as_bytes()).rotate_left(7)
        };
        // A retry of a send whose answer was lost keeps its random_id: Telegram stores a
        // message once per random_id.
        let random_id = match self.pending {
            Some(p) if p.what == what => p.random_id,
            _ => self.rng.next_u64() as i64,
        };
        let call = functions::messages::SendMessage {
            no_webpage: true,
            silent: false,
            background: false,
            clear_draft: false,
            noforwards: false,
            update_stickersets_order: false,
            invert_media: false,
            allow_paid_floodskip: false,
            peer: Lazy::Value(&input),
            reply_to: None,
            message: TlStr::from(text),
            random_id,
            reply_markup: None,
            entities: None,
            schedule_date: None,
            schedule_repeat_period: None,
            send_as: None,
            quick_reply_shortcut: None,
            effect: None,
            allow_paid_stars: None,
            suggested_post: None,
            rich_message: None,
        };
        let n = write_body(&call, &mut self.body)?;
        let len = self.call(socket, n, true, what, random_id).await?;
        Ok(sent_message_id(&self.answer[..len], random_id))
    }

    /// One request (the body in `self.body[..n]`) until its answer, in `self.answer`.
    async fn call<S: Read + Write>(
        &mut self,
        socket: &mut S,
        n: usize,
        without_updates: bool,
        what: u32,
        random_id: i64,
    ) -> Result<usize, Error> {
        if let Some(p) = self.pending {
            // The call before this one lost its connection; the session re-sent it. Its
            // answer comes first: it is this call's if this is its retry.
            let earlier = self.wait(socket, p.id).await;
            if matches!(earlier, Err(Error::ConnectionLost)) {
                return Err(Error::ConnectionLost);
            }
            self.pending = None;
            if p.what == what {
                return match earlier {
                    Err(Error::Rpc(e)) => match flood_secs(&e) {
                        // Refused for flooding: send it again below, after the wait.
                        Some(_) => {
                            self.call_retrying(socket, n, without_updates, what, random_id)
                                .await
                        }
                        None => Err(Error::Rpc(e)),
                    },
                    other => other,
                };
            }
        }
        self.call_retrying(socket, n, without_updates, what, random_id)
            .await
    }

    /// A new call, repeated after flood waits under the threshold.
    async fn call_retrying<S: Read + Write>(
        &mut self,
        socket: &mut S,
        n: usize,
        without_updates: bool,
        what: u32,
        random_id: i64,
    ) -> Result<usize, Error> {
        loop {
            let id = self.enqueue(n, without_updates)?;
            let result = self.wait(socket, id).await;
            if matches!(result, Err(Error::ConnectionLost)) {
                self.pending = Some(Pending {
                    id,
                    what,
                    random_id,
                });
            }
            match result {
                Err(Error::Rpc(e)) => match flood_secs(&e) {
                    Some(secs) if secs <= self.config.flood_sleep_max_secs => {
                        self.clock.sleep(u64::from(secs) * 1000).await;
                    }
                    Some(secs) => return Err(Error::FloodWait { secs }),
                    None => return Err(Error::Rpc(e)),
                },
                other => return other,
            }
        }
    }

    /// Queues the body in `self.body[..n]`; the first call of a session inside
    /// `invokeWithLayer(initConnection(…))`.
    fn enqueue(&mut self, n: usize, without_updates: bool) -> Result<RequestId, Error> {
        let first = !self.initialized;
        let Some(session) = self.session.as_mut() else {
            return Err(Error::NotReady(
                "not connected: call Device::connected first",
            ));
        };
        let options = RequestOptions {
            layer: first.then_some(LAYER as i32),
            without_updates,
            ..RequestOptions::default()
        };
        let now = self.clock.now();
        let queued = if first {
            // The first call of a session goes out inside initConnection.
            let init = functions::InitConnection {
                api_id: self.config.api_id,
                device_model: TlStr::from(self.config.device_model),
                system_version: TlStr::from("embedded"),
                app_version: TlStr::from(self.config.app_version),
                system_lang_code: TlStr::from("en"),
                lang_pack: TlStr::from(""),
                lang_code: TlStr::from("en"),
                proxy: None,
                params: None,
                query: Query::Encoded(&self.body[..n]),
            };
            let mut wrapped = [0u8; OUTBOX];
            let m = init
                .write_to(&mut wrapped)
                .map_err(|_| Error::Protocol("the request does not fit the outbox"))?;
            session.enqueue(now, &wrapped[..m], options)
        } else {
            session.enqueue(now, &self.body[..n], options)
        };
        queued.map_err(Error::Enqueue)
    }

    /// Drives the connection until request `id` has its outcome; the answer goes to
    /// `self.answer`.
    async fn wait<S: Read + Write>(
        &mut self,
        socket: &mut S,
        id: RequestId,
    ) -> Result<usize, Error> {
        self.drive(socket, Some(id), None).await
    }

    /// Keeps the connection alive for `ms` milliseconds between alerts: reads what the
    /// server sends, acknowledges it, and sends the session's keep-alive pings (every
    /// [`Config::ping_interval_ms`], 60 s by default), so the connection survives
    /// quiet hours and a dead one is noticed. Call it instead of a plain sleep.
    ///
    /// # Errors
    /// [`Error::ConnectionLost`] when the connection dies (reconnect and call
    /// [`connected`](Self::connected)); [`Error::NotReady`] before `connected` or while a
    /// call whose connection was lost is still waiting to be repeated.
    pub async fn keep_alive<S: Read + Write>(
        &mut self,
        socket: &mut S,
        ms: u64,
    ) -> Result<(), Error> {
        if self.pending.is_some() {
            return Err(Error::NotReady(
                "a call whose connection was lost is pending: repeat it first",
            ));
        }
        if self.session.is_none() {
            return Err(Error::NotReady(
                "not connected: call Device::connected first",
            ));
        }
        let until = UnixNanos(
            self.clock
                .now()
                .0
                .saturating_add(ms.saturating_mul(1_000_000)),
        );
        self.drive(socket, None, Some(until)).await.map(|_| ())
    }

    /// Drives the connection until request `id` has its outcome (the answer goes to
    /// `self.answer`) or, without one, until `until`.
    async fn drive<S: Read + Write>(
        &mut self,
        socket: &mut S,
        id: Option<RequestId>,
        until: Option<UnixNanos>,
    ) -> Result<usize, Error> {
        loop {
            let session = self.session.as_mut().ok_or(Error::ConnectionLost)?;
            let mut done = None;
            while let Some(o) = session.poll_outcome() {
                if Some(o.id) != id {
                    continue;
                }
                done = Some(match o.result {
                    Ok(bytes) if bytes.len() <= self.answer.len() => {
                        self.answer[..bytes.len()].copy_from_slice(bytes);
                        Ok(bytes.len())
                    }
                    Ok(_) => Err(Error::Protocol("the answer is larger than the inbox")),
                    Err(RequestError::Rpc(e)) => Err(Error::Rpc(e)),
                    Err(RequestError::TimedOut { .. }) => Err(Error::TimedOut),
                    Err(e) => Err(Error::Request(e)),
                });
            }
            let mut lost = false;
            while let Some(event) = session.poll_event() {
                match event {
                    Event::PingTimeout => lost = true,
                    Event::Dropped(why) => lost |= why.should_reconnect(),
                    _ => {}
                }
            }
            let now = self.clock.now();
            while let Some(range) = session
                .poll_transmit(now, &mut self.rng, &mut self.tx)
                .map_err(Error::Transmit)?
            {
                let m = self
                    .enc
                    .encode(
                        &self.tx[range],
                        EncodeOptions::default(),
                        &mut self.rng,
                        &mut self.wire,
                    )
                    .map_err(Error::Encoding)?;
                socket
                    .write_all(&self.wire[..m])
                    .await
                    .map_err(|_| Error::ConnectionLost)?;
            }
            if let Some(result) = done {
                if result.is_ok() || matches!(result, Err(Error::Rpc(_))) {
                    self.initialized = true;
                }
                return result;
            }
            if lost {
                return Err(Error::ConnectionLost);
            }
            if until.is_some_and(|t| now.0 >= t.0) {
                return Ok(0);
            }
            let wait_ms = session
                .poll_timeout()
                .into_iter()
                .chain(until)
                .map(|d| d.0.saturating_sub(now.0) / 1_000_000)
                .min()
                .unwrap_or(1000)
                .clamp(1, 1000);
            match self
                .clock
                .timeout(wait_ms, socket.read(&mut self.chunk))
                .await
            {
                None => session.handle_timeout(self.clock.now()),
                Some(Ok(0)) | Some(Err(_)) => return Err(Error::ConnectionLost),
                Some(Ok(got)) => {
                    let mut input = &self.chunk[..got];
                    loop {
                        match self.dec.decode(&mut input).map_err(Error::Framing)? {
                            None => break,
                            Some(Frame::Packet { payload, .. }) => {
                                let len = payload.len();
                                if len > self.packet.len() {
                                    return Err(Error::Protocol("a packet larger than RX"));
                                }
                                self.packet[..len].copy_from_slice(payload);
                                session.handle_packet(self.clock.now(), &mut self.packet[..len]);
                            }
                            Some(Frame::QuickAck(_)) => {}
                            Some(Frame::TransportError(code)) => {
                                return Err(Error::Transport(code));
                            }
                        }
                    }
                }
            }
        }
    }

    /// The auth-key exchange on a fresh connection; stores the key in the record.
    async fn handshake<S: Read + Write>(&mut self, socket: &mut S) -> Result<(), Error> {
        let named_dc = if self.config.test_mode {
            10_000 + self.config.dc_id
        } else {
            self.config.dc_id
        };
        let mut hs = ClientHandshake::new(
            ClientConfig::new(self.config.keys, named_dc),
            self.clock.now(),
            &mut self.rng,
        );
        let mut msg = [0u8; MAX_REQUEST];
        loop {
            while let Some(n) = hs
                .poll_transmit(self.clock.now(), &mut msg)
                .map_err(Error::Handshake)?
            {
                let m = self
                    .enc
                    .encode(
                        &msg[..n],
                        EncodeOptions::default(),
                        &mut self.rng,
                        &mut self.wire,
                    )
                    .map_err(Error::Encoding)?;
                socket
                    .write_all(&self.wire[..m])
                    .await
                    .map_err(|_| Error::ConnectionLost)?;
            }
            if let Some(key) = hs.poll_result() {
                self.record = Record {
                    dc_id: self.config.dc_id,
                    auth_key: Some(key.auth_key),
                    salt: key.first_salt,
                    time_offset: key.time_offset,
                    bot_id: 0,
                };
                self.dirty = true;
                self.session = None;
                return Ok(());
            }
            let now = self.clock.now();
            let wait_ms = hs
                .poll_timeout()
                .map_or(1000, |d| d.0.saturating_sub(now.0) / 1_000_000)
                .clamp(1, 1000);
            match self
                .clock
                .timeout(wait_ms, socket.read(&mut self.chunk))
                .await
            {
                None => hs
                    .handle_timeout(self.clock.now())
                    .map_err(Error::Handshake)?,
                Some(Ok(0)) | Some(Err(_)) => return Err(Error::ConnectionLost),
                Some(Ok(got)) => {
                    let mut input = &self.chunk[..got];
                    while let Some(frame) = self.dec.decode(&mut input).map_err(Error::Framing)? {
                        match frame {
                            Frame::Packet { payload, .. } => hs
                                .handle_packet(self.clock.now(), payload, &mut self.rng)
                                .map_err(Error::Handshake)?,
                            Frame::QuickAck(_) => {}
                            Frame::TransportError(code) => return Err(Error::Transport(code)),
                        }
                    }
                }
            }
        }
    }
}

/// Serializes a call into the body buffer.
fn write_body<T: TlWrite>(call: &T, body: &mut [u8]) -> Result<usize, Error> {
    call.write_to(body)
        .map_err(|_| Error::Protocol("the request does not fit the outbox"))
}

/// `FLOOD_WAIT_X` and its kin: X.
fn flood_secs(e: &RpcError) -> Option<u32> {
    ferrogram_mtproto_proto::session::requests::is_flood_wait(&e.name)
        .then_some(e.value)
        .flatten()
}

/// The id of the sent message in a `messages.sendMessage` answer, read by hand: decoding
/// the whole `Updates` would pull every update type of the API into the firmware (over
/// 100 KiB of flash) for one number. `updateShortSentMessage` carries it at a fixed place;
/// in `updates`, Telegram puts `updateMessageID` (with our `random_id`) first. 0 if neither.
pub fn sent_message_id(answer: &[u8], random_id: i64) -> i32 {
    const UPDATE_SHORT_SENT_MESSAGE: u32 = 0x9015_e101;
    const UPDATES: u32 = 0x74ae_4240;
    const VECTOR: u32 = 0x1cb5_c415;
    const UPDATE_MESSAGE_ID: u32 = 0x4e90_bfd6;
    let u32_at = |i: usize| {
        answer
            .get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    match u32_at(0) {
        // ctor, flags, id
        Some(UPDATE_SHORT_SENT_MESSAGE) => u32_at(8).map_or(0, |id| id as i32),
        // ctor, vector, count, first update: ctor, id, random_id
        Some(UPDATES) if u32_at(4) == Some(VECTOR) && u32_at(12) == Some(UPDATE_MESSAGE_ID) => {
            let id = u32_at(16);
            let rid = answer.get(20..28).map(|b| {
                let mut x = [0u8; 8];
                x.copy_from_slice(b);
                i64::from_le_bytes(x)
            });
            match (id, rid) {
                (Some(id), Some(rid)) if rid == random_id => id as i32,
                _ => 0,
            }
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    extern crate alloc;
    use super::sent_message_id;
    use ferrogram_tl_types::{TlWrite, enums, types};

    #[test]
    fn the_sent_id_is_read_from_both_answer_forms() {
        // Bytes made by the owned TL types (the other serializer of the workspace).
        let short = enums::Updates::UpdateShortSentMessage(types::UpdateShortSentMessage {
            out: true,
            id: 4242,
            pts: 7,
            pts_count: 1,
            date: 1,
            media: None,
            entities: None,
            ttl_period: None,
        })
        .to_bytes()
        .unwrap();
        assert_eq!(sent_message_id(&short, 0), 4242);

        let full = enums::Updates::Updates(types::Updates {
            updates: alloc::vec![enums::Update::MessageId(types::UpdateMessageId {
                id: 99,
                random_id: -5,
            })],
            users: alloc::vec![],
            chats: alloc::vec![],
            date: 1,
            seq: 0,
        })
        .to_bytes()
        .unwrap();
        assert_eq!(sent_message_id(&full, -5), 99);
        assert_eq!(sent_message_id(&full, -6), 0, "another message's id");
        for cut in 0..full.len() {
            assert!(matches!(sent_message_id(&full[..cut], -5), 0 | 99));
        }
        assert_eq!(sent_message_id(&full[..27], -5), 0, "cut short");
    }
}
