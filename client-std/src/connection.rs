//! The drivers: one TCP connection to one DC, around `mtproto-proto`'s sans-IO machines.
//! [`Connection`] is the blocking one (std sockets), [`AsyncConnection`] the async one
//! (smol's `async-io` sockets and timers, usable from any executor); both run the same code
//! (see [`net`](crate::net)).
//!
//! A connection owns the transport [`Encoder`]/[`Decoder`] (intermediate framing unless
//! configured otherwise), runs the auth-key exchange ([`ClientHandshake`]) on connect and then
//! drives the encrypted [`Session`] by its polling contract: after every command or input it
//! takes outcomes, then events, then payloads to transmit, then the next deadline; it blocks
//! on the socket at most until that deadline and then calls `handle_timeout`.
//!
//! When the socket fails or the DC closes it, the connection reconnects with exponential
//! backoff and jitter and calls [`Session::handle_reconnect`], which re-sends every request
//! still waiting for its answer; each request still gets exactly one outcome. Every request
//! has the session's deadline ([`ConnectionConfig::request_timeout`]): a silent DC ends it
//! with [`Error::TimedOut`] instead of hanging.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ferrogram_mtproto_proto::auth_key::client::{
    ClientConfig, ClientHandshake, MAX_REQUEST, NewAuthKey,
};
use ferrogram_mtproto_proto::auth_key::rsa::RsaPublicKey;
use ferrogram_mtproto_proto::crypto::message;
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::requests::MAX_WRAPPER_LEN;
use ferrogram_mtproto_proto::session::{
    Event, MAX_PENDING_ACKS, RequestError, RequestId, RequestOptions, Session, SessionConfig,
};
use ferrogram_mtproto_proto::transport::obfuscated;
use ferrogram_mtproto_proto::transport::{
    DEFAULT_MAX_FRAME_LEN, Decoder, EncodeOptions, Encoder, Event as Frame, TransportErrorCode,
    TransportKind,
};
use getrandom::SysRng;
use rand_core::{Rng, UnwrapErr};

use futures_lite::future::block_on;

use crate::error::{Error, ProtocolError};
use crate::net::{Blocking, Io, Smol};
use crate::proxy::{self, Proxy};

/// Request slots of a client session: this many requests may wait for answers at once.
pub const REQUESTS: usize = 128;
/// Outbox bytes: request bodies kept until answered (so they can be re-sent), 64 KiB.
pub const OUTBOX: usize = 64 * 1024;
/// Inbox bytes: answers and updates until taken, 256 KiB (an answer larger than this ends
/// its request with `AnswerTooLarge`).
pub const INBOX: usize = 256 * 1024;
/// A request's outcome from [`Connection::wait_any`]: its id and its answer's bytes or its
/// error.
pub type Answer = (RequestId, Result<Vec<u8>, Error>);
/// The session a client connection drives.
pub type ClientSession = Session<Software, REQUESTS, OUTBOX, INBOX>;

/// Transmit buffer: any single request of the outbox with wrappers, a container, pending
/// acks and encryption overhead.
const TRANSMIT_BUFFER: usize =
    OUTBOX + MAX_WRAPPER_LEN + 64 + message::MAX_OVERHEAD + 8 * MAX_PENDING_ACKS;
/// Updates kept until taken; older ones are dropped (with a warning) past this.
const MAX_QUEUED_UPDATES: usize = 1024;
/// The longest single wait on the socket (timers are checked at least this often).
const MAX_WAIT: Duration = Duration::from_secs(1);

/// How to reach one DC and how patiently.
#[derive(Clone, Debug)]
pub struct ConnectionConfig {
    /// The DC id (1–5 at Telegram).
    pub dc_id: i32,
    /// Its address.
    pub addr: SocketAddr,
    /// The framing (default intermediate).
    pub transport: TransportKind,
    /// Telegram's test environment: the handshake names DC `10000 + dc_id`, as its test
    /// servers expect.
    pub test_mode: bool,
    /// A request without an answer this long ends with [`Error::TimedOut`] (default 30 s;
    /// zero: wait for ever).
    pub request_timeout: Duration,
    /// How long one TCP connect may take (default 10 s).
    pub connect_timeout: Duration,
    /// How many times in a row to try to (re)connect before giving up (default 5).
    pub connect_attempts: u32,
    /// The first pause between attempts, doubled after each failure (default 200 ms).
    pub backoff_initial: Duration,
    /// The longest pause between attempts (default 10 s).
    pub backoff_max: Duration,
    /// Keep-alive ping interval (default 60 s; zero: no pings).
    pub ping_interval: Duration,
    /// Reach the DC through this proxy (default none).
    pub proxy: Option<Proxy>,
    /// Obfuscate the transport (as MTProxy does, without a secret) so the connection does
    /// not look like MTProto to a network filter. Always on through an MTProxy.
    pub obfuscated: bool,
}

impl ConnectionConfig {
    /// Defaults for DC `dc_id` at `addr`.
    pub fn new(dc_id: i32, addr: SocketAddr) -> Self {
        ConnectionConfig {
            dc_id,
            addr,
            transport: TransportKind::Intermediate,
            test_mode: false,
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            connect_attempts: 5,
            backoff_initial: Duration::from_millis(200),
            backoff_max: Duration::from_secs(10),
            ping_interval: Duration::from_secs(60),
            proxy: None,
            obfuscated: false,
        }
    }
}

/// The wall clock as the core wants it.
pub(crate) fn now() -> UnixNanos {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    UnixNanos(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

type OsRng = UnwrapErr<SysRng>;

/// What one read from the socket gave.
enum Received {
    /// Whole payloads (maybe none yet: a partial frame).
    Packets(Vec<Vec<u8>>),
    /// Nothing within the wait.
    Idle,
    /// The DC closed the connection.
    Closed,
}

/// Why the link failed.
enum LinkError {
    Io(io::Error),
    Framing(ferrogram_mtproto_proto::transport::DecodeError),
    Encoding(ferrogram_mtproto_proto::transport::EncodeError),
    Transport(TransportErrorCode),
}

/// One TCP connection with its framing.
struct Link<I> {
    stream: I,
    enc: Encoder,
    dec: Decoder<Vec<u8>>,
    wire: Vec<u8>,
    chunk: Vec<u8>,
    /// A whole packet arrived on this socket.
    received_any: bool,
}

impl<I: Io> Link<I> {
    async fn open(config: &ConnectionConfig, rng: &mut OsRng) -> io::Result<Link<I>> {
        let first_hop = config.proxy.as_ref().map_or(config.addr, Proxy::addr);
        let mut stream = I::connect(first_hop, config.connect_timeout).await?;
        let mut secret = None;
        match &config.proxy {
            Some(Proxy::Socks5 { auth, .. }) => {
                let auth = auth.as_ref().map(|(u, p)| (u.as_str(), p.as_str()));
                proxy::socks5_connect(&mut stream, config.addr, auth, config.connect_timeout)
                    .await?;
            }
            Some(Proxy::MtProxy { secret: s, .. }) => secret = Some(*s),
            None => {}
        }
        let buf = vec![0u8; DEFAULT_MAX_FRAME_LEN + 64];
        let (enc, dec) = if secret.is_some() || config.obfuscated {
            let dc = u16::try_from(config.dc_id).unwrap_or(0);
            let field = obfuscated::dc_id_field(dc, config.test_mode, false).ok();
            let init = obfuscated::ClientInit::new(rng, config.transport, field, secret.as_ref())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
            init.split(buf)
        } else {
            (
                Encoder::client(config.transport),
                Decoder::client(config.transport, buf),
            )
        };
        Ok(Link {
            stream,
            enc,
            dec,
            wire: vec![0u8; TRANSMIT_BUFFER + 64],
            chunk: vec![0u8; 64 * 1024],
            received_any: false,
        })
    }

    async fn send(&mut self, payload: &[u8], rng: &mut OsRng) -> Result<(), LinkError> {
        let need = self.enc.max_encoded_len(payload.len());
        if self.wire.len() < need {
            self.wire.resize(need, 0);
        }
        let n = self
            .enc
            .encode(payload, EncodeOptions::default(), rng, &mut self.wire)
            .map_err(LinkError::Encoding)?;
        self.stream
            .write_all(&self.wire[..n])
            .await
            .map_err(LinkError::Io)
    }

    /// Reads once, waiting at most `wait`, and returns the whole payloads that completed.
    async fn recv(&mut self, wait: Duration) -> Result<Received, LinkError> {
        let n = match self.stream.read(&mut self.chunk, wait).await {
            Ok(None) => return Ok(Received::Idle),
            Ok(Some(0)) => return Ok(Received::Closed),
            Ok(Some(n)) => n,
            Err(e) => return Err(LinkError::Io(e)),
        };
        let mut input = &self.chunk[..n];
        let mut packets = Vec::new();
        while let Some(frame) = self.dec.decode(&mut input).map_err(LinkError::Framing)? {
            match frame {
                Frame::Packet { payload, .. } => packets.push(payload.to_vec()),
                Frame::QuickAck(_) => {}
                Frame::TransportError(code) => return Err(LinkError::Transport(code)),
            }
        }
        self.received_any |= !packets.is_empty();
        Ok(Received::Packets(packets))
    }
}

/// The auth key a connection made (or was given), with what a session needs to start.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The 256-byte key.
    pub auth_key: [u8; 256],
    /// The first server salt.
    pub first_salt: i64,
    /// Server time minus local time, seconds.
    pub time_offset: i64,
}

impl std::fmt::Debug for KeyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyInfo")
            .field("auth_key_id", &AuthKey::new(self.auth_key).id_u64())
            .finish_non_exhaustive()
    }
}

impl From<NewAuthKey> for KeyInfo {
    fn from(k: NewAuthKey) -> Self {
        KeyInfo {
            auth_key: k.auth_key,
            first_salt: k.first_salt,
            time_offset: k.time_offset,
        }
    }
}

/// One DC connection: socket, framing, auth key and encrypted session, over blocking
/// sockets ([`Blocking`], the default) or smol's ([`Smol`]: [`AsyncConnection`]). See the
/// module docs.
pub struct Connection<I = Blocking> {
    config: ConnectionConfig,
    rng: OsRng,
    link: Option<Link<I>>,
    session: Box<ClientSession>,
    auth_key: [u8; 256],
    auth_key_id: u64,
    outcomes: HashMap<RequestId, Result<Vec<u8>, RequestError>>,
    updates: VecDeque<Vec<u8>>,
    tx: Vec<u8>,
    reconnects: u32,
    /// A socket was open before (the next one is a reconnect).
    connected_once: bool,
    /// Sockets in a row that closed before delivering anything (each waits longer).
    fruitless: u32,
}

/// A connection on smol's sockets and timers: the same as [`Connection`], with `async`
/// methods.
pub type AsyncConnection = Connection<Smol>;

impl<I> std::fmt::Debug for Connection<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("dc_id", &self.config.dc_id)
            .field("addr", &self.config.addr)
            .field("auth_key_id", &self.auth_key_id)
            .field("connected", &self.link.is_some())
            .field("reconnects", &self.reconnects)
            .finish_non_exhaustive()
    }
}

impl Connection<Blocking> {
    /// Connects and makes a new auth key, trusting `keys` (the DC must offer one of them).
    ///
    /// # Errors
    /// [`Error::Connect`] when no connection could be made, [`Error::Handshake`] when the
    /// key exchange failed, [`Error::Transport`] if the DC refused.
    pub fn connect(config: ConnectionConfig, keys: &[RsaPublicKey]) -> Result<Self, Error> {
        block_on(Self::connect_with(config, keys))
    }

    /// Sends a serialized function (wrapped as `options` say) and blocks until its answer:
    /// the result object's bytes.
    ///
    /// # Errors
    /// [`Error::Rpc`] for an `rpc_error`, [`Error::TimedOut`] past the request timeout,
    /// [`Error::Connect`] when reconnecting failed, [`Error::Transport`] for a transport
    /// error, [`Error::Protocol`], [`Error::Enqueue`] or [`Error::Request`] otherwise.
    pub fn call(&mut self, body: &[u8], options: RequestOptions) -> Result<Vec<u8>, Error> {
        block_on(self.call_async(body, options))
    }

    /// Drives the connection (answers, acks, pings, reconnects) until the DC pushes an update
    /// or `timeout` passes; returns whether an update is waiting for [`next_update`].
    ///
    /// # Errors
    /// As [`call`](Self::call), for failures of the connection itself.
    ///
    /// [`next_update`]: Self::next_update
    pub fn wait_update(&mut self, timeout: Duration) -> Result<bool, Error> {
        block_on(self.wait_update_async(timeout))
    }

    /// Sends what is queued and blocks until some request has its outcome, then returns it:
    /// the request's id and its answer (the result object's bytes) or its error, as
    /// [`call`](Self::call) would. Outcomes already received are returned without touching
    /// the socket. `Ok(None)` when nothing is in flight, or once `deadline` has passed.
    ///
    /// # Errors
    /// Only failures of the connection itself ([`Error::Connect`] when reconnecting failed,
    /// [`Error::Transport`], [`Error::Protocol`]); the requests in flight stay queued (the
    /// next call reconnects and re-sends them) until [`cancel`](Self::cancel)led.
    pub fn wait_any(&mut self, deadline: Option<Instant>) -> Result<Option<Answer>, Error> {
        block_on(self.wait_any_async(deadline))
    }
}

impl Connection<Smol> {
    /// Connects and makes a new auth key, trusting `keys` (the DC must offer one of them).
    ///
    /// # Errors
    /// As [`Connection::connect`].
    pub async fn connect(config: ConnectionConfig, keys: &[RsaPublicKey]) -> Result<Self, Error> {
        Self::connect_with(config, keys).await
    }

    /// Sends a serialized function (wrapped as `options` say) and waits for its answer.
    ///
    /// # Errors
    /// As [`Connection::call`].
    pub async fn call(&mut self, body: &[u8], options: RequestOptions) -> Result<Vec<u8>, Error> {
        self.call_async(body, options).await
    }

    /// Drives the connection until the DC pushes an update or `timeout` passes; returns
    /// whether an update is waiting.
    ///
    /// # Errors
    /// As [`Connection::call`].
    pub async fn wait_update(&mut self, timeout: Duration) -> Result<bool, Error> {
        self.wait_update_async(timeout).await
    }

    /// The async form of [`Connection::wait_any`].
    ///
    /// # Errors
    /// As [`Connection::wait_any`].
    pub async fn wait_any(&mut self, deadline: Option<Instant>) -> Result<Option<Answer>, Error> {
        self.wait_any_async(deadline).await
    }
}

impl<I: Io> Connection<I> {
    pub(crate) async fn connect_with(
        config: ConnectionConfig,
        keys: &[RsaPublicKey],
    ) -> Result<Self, Error> {
        let mut rng = UnwrapErr(SysRng);
        let mut link = open_with_backoff(&config, &mut rng).await?;
        let key = handshake(&mut link, &config, keys, &mut rng).await?;
        log::info!(
            "DC {}: auth key {:#018x} made",
            config.dc_id,
            AuthKey::new(key.auth_key).id_u64()
        );
        Ok(Self::with_link(config, Some(link), key.into(), rng))
    }

    /// Uses an existing auth key (connecting lazily, on the first request).
    pub fn with_key(config: ConnectionConfig, key: KeyInfo) -> Self {
        Self::with_link(config, None, key, UnwrapErr(SysRng))
    }

    fn with_link(
        config: ConnectionConfig,
        link: Option<Link<I>>,
        key: KeyInfo,
        mut rng: OsRng,
    ) -> Self {
        let auth_key = AuthKey::new(key.auth_key);
        let auth_key_id = auth_key.id_u64();
        let session_config = SessionConfig {
            request_timeout_ms: u64::try_from(config.request_timeout.as_millis())
                .unwrap_or(u64::MAX),
            ping_interval_ms: u64::try_from(config.ping_interval.as_millis()).unwrap_or(u64::MAX),
            ..SessionConfig::default()
        };
        let session = Box::new(ClientSession::new(
            Software,
            auth_key,
            rng.next_u64() as i64,
            key.first_salt,
            key.time_offset,
            session_config,
            now(),
        ));
        log::debug!(
            "DC {}: session {:#018x} on auth key {auth_key_id:#018x}",
            config.dc_id,
            session.session_id()
        );
        Connection {
            reconnects: 0,
            connected_once: link.is_some(),
            fruitless: 0,
            config,
            rng,
            link,
            session,
            auth_key: key.auth_key,
            auth_key_id,
            outcomes: HashMap::new(),
            updates: VecDeque::new(),
            tx: vec![0u8; TRANSMIT_BUFFER],
        }
    }

    /// The DC this connection serves.
    pub fn dc_id(&self) -> i32 {
        self.config.dc_id
    }

    /// The settings it runs with.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// The id of its auth key.
    pub fn auth_key_id(&self) -> u64 {
        self.auth_key_id
    }

    /// Its auth key with the salt and time offset in use now: what a session stores to
    /// come back to this DC without a new key exchange ([`Connection::with_key`]).
    pub fn key_info(&self) -> KeyInfo {
        KeyInfo {
            auth_key: self.auth_key,
            first_salt: self.session.salt(),
            time_offset: self.session.time_offset_ns() / 1_000_000_000,
        }
    }

    /// How many times it reconnected after losing the socket.
    pub fn reconnects(&self) -> u32 {
        self.reconnects
    }

    /// Whether a socket is open now.
    pub fn is_connected(&self) -> bool {
        self.link.is_some()
    }

    /// Takes the oldest update the DC pushed (a serialized `Updates`), if any.
    pub fn next_update(&mut self) -> Option<Vec<u8>> {
        self.updates.pop_front()
    }

    pub(crate) async fn call_async(
        &mut self,
        body: &[u8],
        options: RequestOptions,
    ) -> Result<Vec<u8>, Error> {
        let id = self.session.enqueue(now(), body, options)?;
        log::trace!(
            "DC {}: request {} queued ({} bytes)",
            self.config.dc_id,
            id.as_u64(),
            body.len()
        );
        loop {
            self.drive_output().await?;
            if let Some(result) = self.outcomes.remove(&id) {
                return result.map_err(request_error);
            }
            self.drive_input().await?;
        }
    }

    pub(crate) async fn wait_update_async(&mut self, timeout: Duration) -> Result<bool, Error> {
        let until = std::time::Instant::now() + timeout;
        loop {
            self.drive_output().await?;
            if !self.updates.is_empty() {
                return Ok(true);
            }
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            self.drive_input_at_most(left).await?;
        }
    }

    /// Sends the pending acknowledgements, then closes the socket (the session stays; the
    /// next call reconnects). A failure to send is logged, not returned: the connection is
    /// going away either way, and the server only re-sends what was not acknowledged.
    pub(crate) async fn close_async(&mut self) {
        if self.link.is_some() && self.session.has_pending_acks() {
            self.session.flush_acks();
            while let Ok(Some(range)) =
                self.session
                    .poll_transmit(now(), &mut self.rng, &mut self.tx)
            {
                let Some(link) = self.link.as_mut() else {
                    break;
                };
                if let Err(LinkError::Io(e)) = link.send(&self.tx[range], &mut self.rng).await {
                    log::debug!("DC {}: acks not sent on close ({e})", self.config.dc_id);
                    break;
                }
            }
        }
        self.disconnect();
    }

    /// Queues a serialized function (wrapped as `options` say) without waiting for its
    /// answer, and returns its id: the pipelined form of [`call`](Self::call). It goes out
    /// with the other queued requests (in one container) on the next
    /// [`wait_any`](Self::wait_any) or [`call`](Self::call); its outcome comes from
    /// `wait_any`, exactly once.
    ///
    /// At most [`REQUESTS`] requests (fewer while the session has its own in flight: pings,
    /// salts) and [`OUTBOX`] bytes of bodies wait at once.
    ///
    /// # Errors
    /// [`Error::Enqueue`] with `EnqueueError::TooManyRequests` or `EnqueueError::OutboxFull`
    /// while the session is full (wait for an answer first), another `EnqueueError` for a
    /// body it can never send. Nothing is queued then.
    pub fn send(&mut self, body: &[u8], options: RequestOptions) -> Result<RequestId, Error> {
        self.send_at(now(), body, options)
    }

    /// [`send`](Self::send) with the time read by the caller (once for many sends in a row).
    pub(crate) fn send_at(
        &mut self,
        now: UnixNanos,
        body: &[u8],
        options: RequestOptions,
    ) -> Result<RequestId, Error> {
        let id = self.session.enqueue(now, body, options)?;
        log::trace!(
            "DC {}: request {} queued ({} bytes, pipelined)",
            self.config.dc_id,
            id.as_u64(),
            body.len()
        );
        Ok(id)
    }

    /// Requests sent (with [`send`](Self::send) or [`call`](Self::call)) whose outcome was
    /// not taken yet.
    pub fn in_flight(&self) -> usize {
        self.session.pending_requests() + self.outcomes.len()
    }

    /// The body of [`Connection::wait_any`].
    pub(crate) async fn wait_any_async(
        &mut self,
        deadline: Option<Instant>,
    ) -> Result<Option<Answer>, Error> {
        loop {
            if let Some(id) = self.outcomes.keys().next().copied() {
                let result = self.outcomes.remove(&id).map(|r| r.map_err(request_error));
                return Ok(result.map(|r| (id, r)));
            }
            if self.session.pending_requests() == 0 {
                return Ok(None);
            }
            self.drive_output().await?;
            if !self.outcomes.is_empty() {
                continue;
            }
            let wait = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left.min(MAX_WAIT),
                    _ => return Ok(None),
                },
                None => MAX_WAIT,
            };
            self.drive_input_at_most(wait).await?;
        }
    }

    /// Gives up on a request: it gets no outcome from [`wait_any`](Self::wait_any) (one
    /// already received is dropped). If it was sent, the server may still execute it; the
    /// session asks it to drop the answer. Returns whether the request was live.
    pub fn cancel(&mut self, id: RequestId) -> bool {
        if self.outcomes.remove(&id).is_some() {
            return true;
        }
        let live = self.session.cancel(id);
        // Its `Cancelled` outcome (and any other ready now) moves to the map; drop its own.
        self.take_outcomes();
        self.outcomes.remove(&id);
        live
    }

    /// Closes the socket at once, without flushing acknowledgements (the session stays; the
    /// next call reconnects).
    pub fn disconnect(&mut self) {
        if self.link.take().is_some() {
            log::debug!("DC {}: disconnected", self.config.dc_id);
        }
    }

    /// Moves the session's finished requests into the outcome map.
    fn take_outcomes(&mut self) {
        while let Some(outcome) = self.session.poll_outcome() {
            self.outcomes
                .insert(outcome.id, outcome.result.map(<[u8]>::to_vec));
        }
    }

    /// Outcomes, events, then transmissions, as the session's contract orders them.
    async fn drive_output(&mut self) -> Result<(), Error> {
        let t = now();
        if self.session.poll_timeout().is_some_and(|d| d <= t) {
            self.session.handle_timeout(t);
        }
        self.take_outcomes();
        let mut reconnect = false;
        while let Some(event) = self.session.poll_event() {
            match event {
                Event::Update(bytes) => {
                    if self.updates.len() == MAX_QUEUED_UPDATES {
                        log::warn!(
                            "DC {}: {MAX_QUEUED_UPDATES} updates not taken; dropping the oldest",
                            self.config.dc_id
                        );
                        self.updates.pop_front();
                    }
                    self.updates.push_back(bytes.to_vec());
                }
                Event::PingTimeout => {
                    log::warn!(
                        "DC {}: keep-alive ping unanswered; reconnecting",
                        self.config.dc_id
                    );
                    reconnect = true;
                }
                Event::Dropped(why) => {
                    log::debug!("DC {}: {why}", self.config.dc_id);
                    reconnect |= why.should_reconnect();
                }
                other => log::debug!("DC {}: session event {other:?}", self.config.dc_id),
            }
        }
        if reconnect || self.link.is_none() {
            self.reconnect().await?;
        }
        loop {
            let range = self
                .session
                .poll_transmit(now(), &mut self.rng, &mut self.tx)
                .map_err(ProtocolError::Transmit)?;
            let Some(range) = range else { break };
            let Some(link) = self.link.as_mut() else {
                break;
            };
            match link.send(&self.tx[range], &mut self.rng).await {
                Ok(()) => {}
                Err(LinkError::Io(e)) => {
                    log::info!("DC {}: send failed ({e}); reconnecting", self.config.dc_id);
                    self.reconnect().await?;
                }
                Err(e) => return Err(self.fatal(e)),
            }
        }
        Ok(())
    }

    /// Waits for input until the session's next deadline and feeds it in.
    async fn drive_input(&mut self) -> Result<(), Error> {
        self.drive_input_at_most(MAX_WAIT).await
    }

    /// Waits for input until the session's next deadline, at most `cap`, and feeds it in.
    async fn drive_input_at_most(&mut self, cap: Duration) -> Result<(), Error> {
        let t = now();
        let wait = self
            .session
            .poll_timeout()
            .map_or(MAX_WAIT, |d| Duration::from_nanos(d.0.saturating_sub(t.0)))
            .min(MAX_WAIT)
            .min(cap);
        let Some(link) = self.link.as_mut() else {
            return self.reconnect().await;
        };
        match link.recv(wait).await {
            Ok(Received::Packets(packets)) => {
                for mut p in packets {
                    self.session.handle_packet(now(), &mut p);
                }
                self.take_outcomes();
                Ok(())
            }
            Ok(Received::Idle) => {
                self.session.handle_timeout(now());
                self.take_outcomes();
                Ok(())
            }
            Ok(Received::Closed) => {
                log::info!(
                    "DC {}: the server closed the connection; reconnecting",
                    self.config.dc_id
                );
                self.reconnect().await
            }
            Err(LinkError::Io(e)) => {
                log::info!(
                    "DC {}: receive failed ({e}); reconnecting",
                    self.config.dc_id
                );
                self.reconnect().await
            }
            Err(LinkError::Framing(e)) => {
                log::warn!(
                    "DC {}: broken framing ({e}); reconnecting",
                    self.config.dc_id
                );
                self.reconnect().await
            }
            Err(e) => Err(self.fatal(e)),
        }
    }

    fn fatal(&mut self, e: LinkError) -> Error {
        self.link = None;
        match e {
            LinkError::Transport(code) => {
                log::error!("DC {}: transport error {}", self.config.dc_id, code.code());
                Error::Transport {
                    dc_id: self.config.dc_id,
                    code,
                }
            }
            LinkError::Encoding(e) => Error::Protocol(ProtocolError::Encoding(e)),
            LinkError::Framing(e) => Error::Protocol(ProtocolError::Framing(e)),
            LinkError::Io(source) => Error::Connect {
                dc_id: self.config.dc_id,
                addr: self.config.addr,
                attempts: 1,
                source,
            },
        }
    }

    /// Opens a new socket (with backoff) and lets the session re-send what is waiting.
    async fn reconnect(&mut self) -> Result<(), Error> {
        // A DC that accepts and then closes without a word must not be hammered: pause
        // (with backoff) before replacing a socket that delivered nothing.
        match self.link.take() {
            Some(old) if !old.received_any => {
                self.fruitless = self.fruitless.saturating_add(1);
                let pause = backoff(&self.config, self.fruitless, &mut self.rng);
                log::warn!(
                    "DC {}: connection closed before any answer ({} in a row); waiting {pause:?}",
                    self.config.dc_id,
                    self.fruitless
                );
                I::sleep(pause).await;
            }
            Some(_) => self.fruitless = 0,
            None => {}
        }
        let link = open_with_backoff(&self.config, &mut self.rng).await?;
        self.link = Some(link);
        if self.connected_once {
            self.reconnects += 1;
        }
        self.connected_once = true;
        self.session.handle_reconnect(now());
        log::info!(
            "DC {}: connected to {} ({} requests to re-send)",
            self.config.dc_id,
            self.config.addr,
            self.session.pending_requests()
        );
        Ok(())
    }
}

/// A request's failure as the caller sees it.
fn request_error(e: RequestError) -> Error {
    match e {
        RequestError::Rpc(e) => Error::Rpc(e.into()),
        RequestError::TimedOut { after_ms } => Error::TimedOut {
            after: Duration::from_millis(after_ms),
        },
        other => Error::Request(other),
    }
}

/// Connects, retrying with exponential backoff and jitter.
async fn open_with_backoff<I: Io>(
    config: &ConnectionConfig,
    rng: &mut OsRng,
) -> Result<Link<I>, Error> {
    let attempts = config.connect_attempts.max(1);
    let mut attempt = 1;
    loop {
        log::debug!(
            "DC {}: connecting to {} (attempt {attempt}/{attempts})",
            config.dc_id,
            config.addr
        );
        match Link::open(config, rng).await {
            Ok(link) => return Ok(link),
            // Wrong proxy credentials or settings: trying again will not help.
            Err(source)
                if attempt >= attempts
                    || matches!(
                        source.kind(),
                        io::ErrorKind::PermissionDenied | io::ErrorKind::InvalidInput
                    ) =>
            {
                return Err(Error::Connect {
                    dc_id: config.dc_id,
                    addr: config.addr,
                    attempts,
                    source,
                });
            }
            Err(e) => {
                let pause = backoff(config, attempt, rng);
                log::warn!(
                    "DC {}: cannot connect to {} ({e}); retrying in {pause:?}",
                    config.dc_id,
                    config.addr
                );
                I::sleep(pause).await;
                attempt += 1;
            }
        }
    }
}

/// The pause before retry `n` (1 for the first): the initial pause doubled `n - 1` times,
/// at most the maximum, plus up to half of it again as jitter (so many clients cut off at
/// once do not come back at once).
fn backoff(config: &ConnectionConfig, n: u32, rng: &mut OsRng) -> Duration {
    let doubled = config
        .backoff_initial
        .checked_mul(1u32 << n.saturating_sub(1).min(20))
        .unwrap_or(config.backoff_max);
    let pause = doubled.min(config.backoff_max);
    let half = u64::try_from(pause.as_millis() / 2)
        .unwrap_or(u64::MAX)
        .max(1);
    pause.saturating_add(Duration::from_millis(rng.next_u64() % half))
}

/// Runs the auth-key exchange on a fresh link.
async fn handshake<I: Io>(
    link: &mut Link<I>,
    config: &ConnectionConfig,
    keys: &[RsaPublicKey],
    rng: &mut OsRng,
) -> Result<NewAuthKey, Error> {
    let dc_id = config.dc_id;
    let fail = |source| Error::Handshake { dc_id, source };
    let named_dc = if config.test_mode {
        10_000 + dc_id
    } else {
        dc_id
    };
    let mut hs = ClientHandshake::new(ClientConfig::new(keys, named_dc), now(), rng);
    let mut msg = [0u8; MAX_REQUEST];
    loop {
        while let Some(n) = hs.poll_transmit(now(), &mut msg).map_err(fail)? {
            link.send(&msg[..n], rng)
                .await
                .map_err(|e| link_error(config, e))?;
        }
        if let Some(key) = hs.poll_result() {
            return Ok(key);
        }
        let t = now();
        let wait = hs
            .poll_timeout()
            .map_or(MAX_WAIT, |d| Duration::from_nanos(d.0.saturating_sub(t.0)))
            .min(MAX_WAIT);
        match link.recv(wait).await.map_err(|e| link_error(config, e))? {
            Received::Packets(packets) => {
                for p in packets {
                    hs.handle_packet(now(), &p, rng).map_err(fail)?;
                }
            }
            Received::Idle => hs.handle_timeout(now()).map_err(fail)?,
            Received::Closed => {
                return Err(link_error(
                    config,
                    LinkError::Io(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the DC closed the connection during the auth-key exchange",
                    )),
                ));
            }
        }
    }
}

fn link_error(config: &ConnectionConfig, e: LinkError) -> Error {
    match e {
        LinkError::Io(source) => Error::Connect {
            dc_id: config.dc_id,
            addr: config.addr,
            attempts: 1,
            source,
        },
        LinkError::Framing(e) => Error::Protocol(ProtocolError::Framing(e)),
        LinkError::Encoding(e) => Error::Protocol(ProtocolError::Encoding(e)),
        LinkError::Transport(code) => Error::Transport {
            dc_id: config.dc_id,
            code,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum_with_bounded_jitter() {
        let mut rng = UnwrapErr(SysRng);
        let config = ConnectionConfig::new(2, "127.0.0.1:1".parse().unwrap());
        let ms = |d: Duration| d.as_millis();
        for _ in 0..50 {
            let first = backoff(&config, 1, &mut rng);
            assert!((200..300).contains(&ms(first)), "{first:?}");
            let third = backoff(&config, 3, &mut rng);
            assert!((800..1200).contains(&ms(third)), "{third:?}");
            let late = backoff(&config, u32::MAX, &mut rng);
            assert!((10_000..15_000).contains(&ms(late)), "{late:?}");
        }
        let huge = ConnectionConfig {
            backoff_initial: Duration::MAX,
            backoff_max: Duration::MAX,
            ..config
        };
        assert!(backoff(&huge, 40, &mut rng) >= Duration::from_secs(1 << 40));
    }
}
