//! [`Client`] and its [`ClientBuilder`]: login, raw `invoke` with typed results, and the
//! first high-level calls.

use std::any::Any;
use std::net::SocketAddr;
use std::time::Duration;

use ferrogram_mtproto_proto::auth_key::keys::{PRODUCTION_KEYS, TEST_KEYS};
use ferrogram_mtproto_proto::auth_key::rsa::RsaPublicKey;
use ferrogram_mtproto_proto::session::RequestOptions;
use ferrogram_mtproto_proto::transport::TransportKind;
use ferrogram_tl_types::functions::{self as f, InitConnection};
use ferrogram_tl_types::{LAYER, RemoteCall, TlRead, TlWrite, Writer, enums, types};
use rand_core::{Rng, UnwrapErr};

use crate::connection::{Connection, ConnectionConfig};
use crate::dc::{self, DcAddress};
use crate::error::{Error, MigrateKind, ProtocolError};
use crate::peers::PeerCache;
use crate::retry::{FloodPolicy, Retry};

/// How many times one call may follow the server to another DC.
const MAX_MOVES: u32 = 2;

/// How a [`Client`] is set up. Start with [`Client::builder`].
#[derive(Clone)]
pub struct ClientBuilder {
    api_id: i32,
    api_hash: String,
    dcs: Vec<DcAddress>,
    keys: Vec<RsaPublicKey>,
    test_mode: bool,
    home_dc: i32,
    transport: TransportKind,
    device_model: String,
    system_version: String,
    app_version: String,
    lang_code: String,
    request_timeout: Duration,
    connect_attempts: u32,
    flood_sleep_threshold: Duration,
}

impl std::fmt::Debug for ClientBuilder {
    /// Everything but the api_hash (a secret: logs must not carry it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_id", &self.api_id)
            .field("dcs", &self.dcs)
            .field("test_mode", &self.test_mode)
            .field("home_dc", &self.home_dc)
            .field("transport", &self.transport)
            .field("request_timeout", &self.request_timeout)
            .field("flood_sleep_threshold", &self.flood_sleep_threshold)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    fn new(api_id: i32, api_hash: String) -> Self {
        ClientBuilder {
            api_id,
            api_hash,
            dcs: Vec::new(),
            keys: Vec::new(),
            test_mode: false,
            home_dc: 2,
            transport: TransportKind::Intermediate,
            device_model: "ferrogram".into(),
            system_version: std::env::consts::OS.into(),
            app_version: env!("CARGO_PKG_VERSION").into(),
            lang_code: "en".into(),
            request_timeout: Duration::from_secs(30),
            connect_attempts: 5,
            flood_sleep_threshold: Duration::from_secs(60),
        }
    }

    /// Telegram's test environment: its test DC addresses and key instead of production's
    /// (addresses given with [`dc`](Self::dc) still win).
    pub fn test_mode(mut self, on: bool) -> Self {
        self.test_mode = on;
        self
    }

    /// Connects to DC `id` at `addr` instead of the built-in address (e.g. a local test DC).
    pub fn dc(mut self, id: i32, addr: SocketAddr) -> Self {
        self.dcs.retain(|d| d.id != id);
        self.dcs.push(DcAddress { id, addr });
        self
    }

    /// Also trusts this RSA key in the auth-key exchange (a custom or local test DC's key;
    /// Telegram's own keys are built in).
    pub fn trust_key(mut self, key: RsaPublicKey) -> Self {
        self.keys.push(key);
        self
    }

    /// The DC to connect to first (default 2, where Telegram clients start).
    pub fn home_dc(mut self, id: i32) -> Self {
        self.home_dc = id;
        self
    }

    /// The MTProto framing (default intermediate).
    pub fn transport(mut self, kind: TransportKind) -> Self {
        self.transport = kind;
        self
    }

    /// The device model sent in `initConnection` (shown in the account's sessions list).
    pub fn device_model(mut self, s: impl Into<String>) -> Self {
        self.device_model = s.into();
        self
    }

    /// The system version sent in `initConnection` (default: the OS name).
    pub fn system_version(mut self, s: impl Into<String>) -> Self {
        self.system_version = s.into();
        self
    }

    /// The app version sent in `initConnection` (default: this crate's version).
    pub fn app_version(mut self, s: impl Into<String>) -> Self {
        self.app_version = s.into();
        self
    }

    /// The language code sent in `initConnection` (default `en`).
    pub fn lang_code(mut self, s: impl Into<String>) -> Self {
        self.lang_code = s.into();
        self
    }

    /// How long a request may wait for its answer (default 30 s).
    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.request_timeout = t;
        self
    }

    /// How many times in a row to try to (re)connect before failing (default 5).
    pub fn connect_attempts(mut self, n: u32) -> Self {
        self.connect_attempts = n;
        self
    }

    /// `FLOOD_WAIT`s up to this long are slept through and the call repeated; longer ones
    /// are returned as [`Error::Rpc`] (default 60 s; zero: never sleep).
    pub fn flood_sleep_threshold(mut self, t: Duration) -> Self {
        self.flood_sleep_threshold = t;
        self
    }

    /// Connects to the home DC and makes an auth key.
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid setting, else as [`Connection::connect`].
    pub fn connect(self) -> Result<Client, Error> {
        if self.api_id <= 0 {
            return Err(Error::Config(format!(
                "api_id must be positive, got {}; get yours at my.telegram.org",
                self.api_id
            )));
        }
        if self.api_hash.is_empty() {
            return Err(Error::Config(
                "api_hash is empty; get yours at my.telegram.org".into(),
            ));
        }
        let config = self.connection_config(self.home_dc)?;
        let keys = self.trusted_keys();
        log::info!("connecting to DC {} at {}", self.home_dc, config.addr);
        let conn = Connection::connect(config, &keys)?;
        Ok(Client {
            settings: self,
            keys,
            conn,
            initialized: false,
            peers: PeerCache::new(),
            me: None,
        })
    }

    /// The keys the handshake accepts: the added ones, then Telegram's for the environment.
    fn trusted_keys(&self) -> Vec<RsaPublicKey> {
        let mut keys = self.keys.clone();
        keys.extend_from_slice(if self.test_mode {
            TEST_KEYS
        } else {
            PRODUCTION_KEYS
        });
        keys
    }

    /// How to connect to DC `dc_id`: a configured address, else the built-in one.
    fn connection_config(&self, dc_id: i32) -> Result<ConnectionConfig, Error> {
        let built_in = if self.test_mode {
            dc::TEST
        } else {
            dc::PRODUCTION
        };
        let addr = dc::find(&self.dcs, dc_id)
            .or_else(|| dc::find(built_in, dc_id))
            .ok_or_else(|| {
                Error::Config(format!(
                    "no address for DC {dc_id}: give one with `.dc({dc_id}, addr)`"
                ))
            })?;
        Ok(ConnectionConfig {
            transport: self.transport,
            test_mode: self.test_mode,
            request_timeout: self.request_timeout,
            connect_attempts: self.connect_attempts,
            ..ConnectionConfig::new(dc_id, addr)
        })
    }
}

/// A Telegram client over blocking sockets.
///
/// See the crate docs for an example.
#[derive(Debug)]
pub struct Client {
    settings: ClientBuilder,
    /// The RSA keys trusted for new auth keys (on any DC).
    keys: Vec<RsaPublicKey>,
    conn: Connection,
    /// `initConnection` went out on this session.
    initialized: bool,
    peers: PeerCache,
    me: Option<types::User>,
}

/// What [`Client::send_message`] got back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// The message id in the chat.
    pub id: i32,
    /// Its date (Unix seconds), when the answer said.
    pub date: Option<i32>,
}

impl Client {
    /// A builder for a client with your `api_id` and `api_hash` (from my.telegram.org).
    pub fn builder(api_id: i32, api_hash: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(api_id, api_hash.into())
    }

    /// Calls any API function and returns its typed result. The first call of a session goes
    /// out as `invokeWithLayer(initConnection(…))`. `FLOOD_WAIT`s under the flood-sleep
    /// threshold are slept through and the call repeated; users in the answer enter the
    /// peer cache.
    ///
    /// # Errors
    /// [`Error::Rpc`] for the server's errors (longer flood waits included),
    /// [`Error::Migrate`] for `FILE_`/`STATS_MIGRATE_X` (a `USER_`, `PHONE_` or
    /// `NETWORK_MIGRATE_X` moves the client to that DC, carrying the login over, and repeats
    /// the call), [`Error::TimedOut`], [`Error::Connect`],
    /// [`Error::Protocol`] when the answer is not the function's type.
    pub fn invoke<F>(&mut self, function: &F) -> Result<F::Return, Error>
    where
        F: RemoteCall,
        F::Return: Any,
    {
        let body = function.to_bytes().map_err(|e| ProtocolError::Tl {
            what: "the request",
            error: e.to_string(),
        })?;
        let policy = FloodPolicy {
            threshold: self.settings.flood_sleep_threshold,
        };
        let mut attempt = 0u32;
        let mut moves = 0u32;
        loop {
            attempt += 1;
            match self.call(&body) {
                Ok(bytes) => {
                    let value = F::Return::from_bytes(&bytes).map_err(|e| ProtocolError::Tl {
                        what: "the answer",
                        error: e.to_string(),
                    })?;
                    self.peers.collect(&value);
                    let any: &dyn Any = &value;
                    if let Some(enums::auth::Authorization::Authorization(a)) = any.downcast_ref() {
                        if let enums::User::User(u) = &a.user {
                            self.me = Some((**u).clone());
                        }
                    }
                    self.take_pushed_users();
                    return Ok(value);
                }
                Err(Error::Rpc(e)) => match policy.on_error(&e, attempt) {
                    Retry::After(pause) => {
                        log::info!("{e}; sleeping {pause:?} before retrying");
                        std::thread::sleep(pause);
                    }
                    Retry::No => {
                        if let Some((kind, dc_id)) = e.migrate_dc() {
                            let follow = matches!(
                                kind,
                                MigrateKind::User | MigrateKind::Phone | MigrateKind::Network
                            );
                            if !follow || moves >= MAX_MOVES || dc_id == self.conn.dc_id() {
                                return Err(Error::Migrate { kind, dc_id });
                            }
                            moves += 1;
                            log::info!("{kind:?}_MIGRATE: moving to DC {dc_id}");
                            self.switch_dc(dc_id)?;
                            continue;
                        }
                        log::debug!("rpc error: {e}");
                        return Err(Error::Rpc(e));
                    }
                },
                Err(e) => return Err(e),
            }
        }
    }

    /// Makes DC `dc_id` the home DC: connects there with a new auth key and, if logged in,
    /// carries the login over (`auth.exportAuthorization` here, `auth.importAuthorization`
    /// there).
    fn switch_dc(&mut self, dc_id: i32) -> Result<(), Error> {
        let config = self.settings.connection_config(dc_id)?;
        let exported = if self.me.is_some() {
            let enums::auth::ExportedAuthorization::ExportedAuthorization(e) =
                self.invoke(&f::auth::ExportAuthorization { dc_id })?;
            Some(e)
        } else {
            None
        };
        let conn = Connection::connect(config, &self.keys)?;
        let old = std::mem::replace(&mut self.conn, conn);
        log::debug!("left DC {} ({:?})", old.dc_id(), old);
        self.initialized = false;
        self.settings.home_dc = dc_id;
        if let Some(e) = exported {
            let answer = self.invoke(&f::auth::ImportAuthorization {
                id: e.id,
                bytes: e.bytes,
            })?;
            let user = authorized_user(answer)?;
            log::info!("login of user {} carried over to DC {dc_id}", user.id);
            self.me = Some(user);
        }
        Ok(())
    }

    /// The home DC now (changes when the server sends the client elsewhere).
    pub fn home_dc(&self) -> i32 {
        self.conn.dc_id()
    }

    /// One request: wraps the first of the session in `initConnection`.
    fn call(&mut self, body: &[u8]) -> Result<Vec<u8>, Error> {
        if self.initialized {
            return self.conn.call(body, RequestOptions::default());
        }
        let s = &self.settings;
        let init = InitConnection {
            api_id: s.api_id,
            device_model: s.device_model.clone(),
            system_version: s.system_version.clone(),
            app_version: s.app_version.clone(),
            system_lang_code: s.lang_code.clone(),
            lang_pack: String::new(),
            lang_code: s.lang_code.clone(),
            proxy: None,
            params: None,
            query: Serialized(body),
        };
        let wrapped = init.to_bytes().map_err(|e| ProtocolError::Tl {
            what: "initConnection",
            error: e.to_string(),
        })?;
        let options = RequestOptions {
            layer: Some(LAYER as i32),
            ..RequestOptions::default()
        };
        log::debug!("first request: invokeWithLayer({LAYER}, initConnection(...))");
        let result = self.conn.call(&wrapped, options);
        if matches!(result, Ok(_) | Err(Error::Rpc(_))) {
            self.initialized = true;
        }
        result
    }

    fn take_pushed_users(&mut self) {
        while let Some(update) = self.conn.next_update() {
            self.peers.collect_update_bytes(&update);
        }
    }

    /// Logs in as a bot with the token from @BotFather (`auth.importBotAuthorization`).
    ///
    /// # Errors
    /// [`Error::Rpc`] (`ACCESS_TOKEN_INVALID` for a wrong token), or as [`invoke`](Self::invoke).
    pub fn login_bot(&mut self, token: &str) -> Result<types::User, Error> {
        let answer = self.invoke(&f::auth::ImportBotAuthorization {
            flags: 0,
            api_id: self.settings.api_id,
            api_hash: self.settings.api_hash.clone(),
            bot_auth_token: token.to_owned(),
        })?;
        let user = authorized_user(answer)?;
        log::info!(
            "logged in as bot {} (@{})",
            user.id,
            user.username.as_deref().unwrap_or("")
        );
        self.me = Some(user.clone());
        Ok(user)
    }

    /// The logged-in account (`users.getUsers([inputUserSelf])`).
    ///
    /// # Errors
    /// [`Error::NotLoggedIn`] if the session is not logged in, or as [`invoke`](Self::invoke).
    pub fn get_me(&mut self) -> Result<types::User, Error> {
        let users = self
            .invoke(&f::users::GetUsers {
                id: vec![enums::InputUser::InputUserSelf(types::InputUserSelf {})],
            })
            .map_err(not_logged_in)?;
        let user = match users.into_iter().next() {
            Some(enums::User::User(u)) => *u,
            other => {
                return Err(ProtocolError::Unexpected {
                    expected: "the logged-in user",
                    got: format!("{other:?}"),
                }
                .into());
            }
        };
        self.me = Some(user.clone());
        Ok(user)
    }

    /// Sends a plain-text message to a user this session has met (see [`PeerCache`]).
    ///
    /// # Errors
    /// [`Error::PeerUnknown`] if the user was never met (nothing is sent then), or as
    /// [`invoke`](Self::invoke).
    pub fn send_message(&mut self, user_id: i64, text: &str) -> Result<SentMessage, Error> {
        let peer = self
            .peers
            .input_peer(user_id)
            .ok_or(Error::PeerUnknown { id: user_id })?;
        let random_id = UnwrapErr(getrandom::SysRng).next_u64() as i64;
        let updates = self.invoke(&f::messages::SendMessage {
            no_webpage: false,
            silent: false,
            background: false,
            clear_draft: false,
            noforwards: false,
            update_stickersets_order: false,
            invert_media: false,
            allow_paid_floodskip: false,
            peer,
            reply_to: None,
            message: text.to_owned(),
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
        })?;
        sent_message(&updates, random_id).ok_or_else(|| {
            ProtocolError::Unexpected {
                expected: "the sent message's id",
                got: format!("{updates:?}"),
            }
            .into()
        })
    }

    /// Logs out (`auth.logOut`): the session's key is no longer logged in.
    ///
    /// # Errors
    /// As [`invoke`](Self::invoke).
    pub fn logout(&mut self) -> Result<(), Error> {
        self.invoke(&f::auth::LogOut {}).map_err(not_logged_in)?;
        log::info!("logged out");
        self.me = None;
        Ok(())
    }

    /// The account last seen by [`login_bot`](Self::login_bot) or [`get_me`](Self::get_me).
    pub fn me(&self) -> Option<&types::User> {
        self.me.as_ref()
    }

    /// The users this session has met.
    pub fn peers(&self) -> &PeerCache {
        &self.peers
    }

    /// The connection to the home DC (auth key id, reconnect count).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Closes the socket; the next call reconnects on the same session.
    pub fn disconnect(&mut self) {
        self.conn.disconnect();
    }

    /// Calls many API functions pipelined over the home DC's one connection, and returns
    /// one outcome per call, in the order of `calls` (each as [`invoke`](Self::invoke) would
    /// give it).
    ///
    /// As many calls are in flight as the session has room for
    /// ([`connection::REQUESTS`](crate::connection::REQUESTS) slots,
    /// [`connection::OUTBOX`](crate::connection::OUTBOX) bytes of bodies); the ones queued
    /// while waiting leave together in one container. The server runs them in the order sent
    /// but nothing waits for an earlier one's answer: use [`invoke`](Self::invoke) for calls
    /// that depend on each other. The first call of a session goes alone, wrapped in
    /// `initConnection`. A call answered with a `FLOOD_WAIT` under the threshold is sent
    /// again after the wait, during which no new call is sent; one moved to another DC
    /// (`USER_`/`PHONE_`/`NETWORK_MIGRATE_X`) is repeated through `invoke` after the batch.
    /// If the connection fails for good, the earliest call still waiting gets that error and
    /// every other call without an outcome [`Error::Abandoned`].
    ///
    /// ```
    /// # use ferrogram_client_std::Client;
    /// # use ferrogram_client_std::tl::{enums, functions as f, types};
    /// # let dc = ferrogram_testdc::TestDc::start(ferrogram_testdc::Config::default())?;
    /// # let (_, token) = dc.create_bot("Alert bot", "alert_bot");
    /// # let mut client = Client::builder(1, "0123456789abcdef0123456789abcdef")
    /// #     .dc(2, dc.addr()).trust_key(*dc.public_key()).connect()?;
    /// # client.login_bot(&token)?;
    /// let ids = [1, 2, 3].map(|n| f::users::GetUsers {
    ///     id: vec![enums::InputUser::InputUserSelf(types::InputUserSelf {})],
    /// });
    /// for outcome in client.invoke_all(ids) {
    ///     assert_eq!(outcome?.len(), 1);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn invoke_all<F>(
        &mut self,
        calls: impl IntoIterator<Item = F>,
    ) -> Vec<Result<F::Return, Error>>
    where
        F: RemoteCall,
        F::Return: Any,
    {
        let calls: Vec<F> = calls.into_iter().collect();
        let mut results: Vec<Option<Result<F::Return, Error>>> =
            std::iter::repeat_with(|| None).take(calls.len()).collect();
        let mut start = 0;
        if !self.initialized && !calls.is_empty() {
            results[0] = Some(self.invoke(&calls[0]));
            start = 1;
        }
        let policy = FloodPolicy {
            threshold: self.settings.flood_sleep_threshold,
        };
        let home = self.conn.dc_id();
        let rest = &calls[start..];
        let mut moved = Vec::new();
        let (peers, me) = (&mut self.peers, &mut self.me);
        crate::pipeline::run(
            &mut self.conn,
            rest.len(),
            policy,
            |i| {
                rest[i].to_bytes().map_err(|e| {
                    ProtocolError::Tl {
                        what: "the request",
                        error: e.to_string(),
                    }
                    .into()
                })
            },
            |i, outcome| {
                let result = match outcome {
                    Ok(bytes) => F::Return::from_bytes(&bytes)
                        .map_err(|e| {
                            ProtocolError::Tl {
                                what: "the answer",
                                error: e.to_string(),
                            }
                            .into()
                        })
                        .inspect(|value| {
                            peers.collect(value);
                            let any: &dyn Any = value;
                            if let Some(enums::auth::Authorization::Authorization(a)) =
                                any.downcast_ref()
                                && let enums::User::User(u) = &a.user
                            {
                                *me = Some((**u).clone());
                            }
                        }),
                    Err(Error::Rpc(e)) => match e.migrate_dc() {
                        Some((
                            MigrateKind::User | MigrateKind::Phone | MigrateKind::Network,
                            dc,
                        )) if dc != home => {
                            moved.push(start + i);
                            return;
                        }
                        Some((kind, dc_id)) => Err(Error::Migrate { kind, dc_id }),
                        None => Err(Error::Rpc(e)),
                    },
                    Err(e) => Err(e),
                };
                results[start + i] = Some(result);
            },
        );
        self.take_pushed_users();
        for i in moved {
            results[i] = Some(self.invoke(&calls[i]));
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or(Err(Error::Abandoned { sent: false })))
            .collect()
    }
}

/// `AUTH_KEY_UNREGISTERED` as the typed error it means here.
fn not_logged_in(e: Error) -> Error {
    match e {
        Error::Rpc(r) if r.code == 401 && r.is("AUTH_KEY_UNREGISTERED") => Error::NotLoggedIn,
        other => other,
    }
}

fn authorized_user(answer: enums::auth::Authorization) -> Result<types::User, Error> {
    match answer {
        enums::auth::Authorization::Authorization(a) => match a.user {
            enums::User::User(u) => Ok(*u),
            other => Err(ProtocolError::Unexpected {
                expected: "a user",
                got: format!("{other:?}"),
            }
            .into()),
        },
        enums::auth::Authorization::SignUpRequired(_) => Err(ProtocolError::Unexpected {
            expected: "an authorization",
            got: "auth.authorizationSignUpRequired (this phone number has no account)".into(),
        }
        .into()),
    }
}

fn sent_message(updates: &enums::Updates, random_id: i64) -> Option<SentMessage> {
    match updates {
        enums::Updates::UpdateShortSentMessage(s) => Some(SentMessage {
            id: s.id,
            date: Some(s.date),
        }),
        enums::Updates::Updates(u) => from_list(&u.updates, random_id),
        enums::Updates::Combined(u) => from_list(&u.updates, random_id),
        _ => None,
    }
}

fn from_list(updates: &[enums::Update], random_id: i64) -> Option<SentMessage> {
    updates.iter().find_map(|u| match u {
        enums::Update::MessageId(m) if m.random_id == random_id => Some(SentMessage {
            id: m.id,
            date: None,
        }),
        _ => None,
    })
}

/// An already serialized query, written as is (the `X` of `initConnection`).
struct Serialized<'a>(&'a [u8]);

impl TlWrite for Serialized<'_> {
    fn write(&self, w: &mut Writer<'_>) {
        w.put_raw(self.0);
    }
}
