//! [`Client`] and its [`ClientBuilder`]: login, raw `invoke` with typed results, and the
//! first high-level calls.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod persist;

use persist::{SessionSource, stored_peers};

use ferrogram_mtproto_proto::auth_key::keys::{PRODUCTION_KEYS, TEST_KEYS};
use ferrogram_mtproto_proto::auth_key::rsa::RsaPublicKey;
use ferrogram_mtproto_proto::session::RequestOptions;
use ferrogram_mtproto_proto::transport::TransportKind;
use ferrogram_tl_types::functions::{self as f, InitConnection};
use ferrogram_tl_types::{LAYER, RemoteCall, TlRead, TlWrite, Writer, enums, types};
use rand_core::{Rng, UnwrapErr};

use crate::connection::{Connection, ConnectionConfig};
use crate::dc::{self, DcAddress};
use crate::error::{Error, MigrateKind, ProtocolError, RpcError};
use futures_lite::future::block_on;

use crate::net::{Blocking, Io, Smol};
use crate::parse::{self, ParseMode};
use crate::peers::PeerCache;
use crate::proxy::Proxy;
use crate::retry::{FloodPolicy, Retry};
use crate::session::{Change, LoggedInUser, SessionError, Storage, UpdateState};
#[cfg(doc)]
use crate::session::{SessionData, SqliteStorage};
use crate::updates::{self, Update};

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
    proxy: Option<Proxy>,
    obfuscated: bool,
    ipv6: bool,
    session: SessionSource,
    /// DC addresses the loaded session gave (after `dcs`, before the built-in ones).
    session_dcs: Vec<DcAddress>,
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
            .field("proxy", &self.proxy)
            .field("obfuscated", &self.obfuscated)
            .field("ipv6", &self.ipv6)
            .field("session", &self.session)
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
            proxy: None,
            obfuscated: false,
            ipv6: false,
            session: SessionSource::Memory,
            session_dcs: Vec::new(),
        }
    }

    /// Connects through a proxy (SOCKS5 or MTProxy; see [`Proxy`]).
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Obfuscates the transport so the traffic does not look like MTProto to a filter
    /// (default off; always on through an MTProxy). Not with [`TransportKind::Full`].
    pub fn obfuscated(mut self, on: bool) -> Self {
        self.obfuscated = on;
        self
    }

    /// Uses Telegram's IPv6 DC addresses instead of the IPv4 ones (default off). Addresses
    /// given with [`dc`](Self::dc) are used as given.
    pub fn ipv6(mut self, on: bool) -> Self {
        self.ipv6 = on;
        self
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

    /// Keeps the session in the SQLite file at `path` (created if missing; see
    /// [`SqliteStorage`]): the auth key, the login and the peers met survive restarts. Only
    /// one process may use the file at a time.
    pub fn session_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.session = SessionSource::File(path.into());
        self
    }

    /// Keeps the session in `storage` (any [`Storage`]). The first `connect` takes it.
    pub fn session(mut self, storage: Box<dyn Storage>) -> Self {
        self.session = SessionSource::Storage(Arc::new(Mutex::new(Some(storage))));
        self
    }

    /// Starts from a session string, kept in memory afterwards: ours
    /// ([`Client::export_session_string`]), Pyrogram's/Kurigram's or Telethon's, told apart by
    /// [`SessionData::import_any`]. With a key for its home DC the client connects without a
    /// key exchange and, if the string names a login, without logging in. To start from a
    /// string and keep the session in a file, import it into a [`SqliteStorage`] first
    /// (`storage.apply(&data.to_changes())`) and pass that to [`session`](Self::session).
    pub fn session_string(mut self, s: impl Into<String>) -> Self {
        self.session = SessionSource::String(s.into());
        self
    }

    /// Connects to the home DC: with the session's key for it (no key exchange, and still
    /// logged in if the session was), else with a new auth key, which is stored. A session
    /// with a key decides the home DC and test mode; addresses given with [`dc`](Self::dc)
    /// win over the session's.
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid setting, [`Error::Session`] if the session cannot be
    /// opened or read (another process holds the file: [`SessionError::InUse`]), else as
    /// [`Connection::connect`].
    pub fn connect(self) -> Result<Client, Error> {
        block_on(self.connect_with())
    }

    /// Connects as [`connect`](Self::connect) does, for a client on smol's sockets
    /// ([`AsyncClient`]), usable from any executor (smol, tokio, async-std, `block_on`).
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub async fn connect_async(self) -> Result<AsyncClient, Error> {
        self.connect_with().await
    }

    async fn connect_with<I: Io>(mut self) -> Result<Client<I>, Error> {
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
        let mut storage = self.open_session()?;
        let data = storage.load()?;
        self.session_dcs = data
            .dcs
            .iter()
            .filter_map(|(&id, e)| Some(DcAddress { id, addr: e.addr? }))
            .collect();
        let stored = data.home_key().cloned();
        if stored.is_some() {
            self.home_dc = data.home_dc;
            self.test_mode = data.test_mode;
        }
        let config = self.connection_config(self.home_dc)?;
        let keys = self.trusted_keys();
        let home = self.home_dc;
        let conn = match stored {
            Some(key) => {
                log::info!(
                    "DC {home} at {}: reusing the session's auth key (logged in: {:?})",
                    config.addr,
                    data.user.map(|u| u.id)
                );
                Connection::<I>::with_key(config, key)
            }
            None => {
                log::info!("connecting to DC {home} at {}", config.addr);
                let conn = Connection::<I>::connect_with(config, &keys).await?;
                storage.apply(&[
                    Change::HomeDc(home),
                    Change::TestMode(self.test_mode),
                    Change::ApiId(u32::try_from(self.api_id).ok()),
                    Change::Key {
                        dc_id: home,
                        key: Some(conn.key_info()),
                    },
                    Change::Address {
                        dc_id: home,
                        addr: self.custom_addr(home),
                    },
                    Change::User(None),
                ])?;
                conn
            }
        };
        let peers = stored_peers(&data);
        let login = data.home_key().and(data.user);
        let update_state = data.update_state;
        Ok(Client {
            settings: self,
            keys,
            conn,
            initialized: false,
            peers,
            me: None,
            others: HashMap::new(),
            updates: VecDeque::new(),
            updates_dropped: 0,
            login,
            storage,
            update_state,
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
        let built_in = dc::built_in(self.test_mode, self.ipv6);
        let addr = dc::find(&self.dcs, dc_id)
            .or_else(|| dc::find(&self.session_dcs, dc_id))
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
            proxy: self.proxy.clone(),
            obfuscated: self.obfuscated,
            ..ConnectionConfig::new(dc_id, addr)
        })
    }
}

/// A Telegram client over blocking sockets.
///
/// See the crate docs for an example.
#[derive(Debug)]
pub struct Client<I = Blocking> {
    settings: ClientBuilder,
    /// The RSA keys trusted for new auth keys (on any DC).
    keys: Vec<RsaPublicKey>,
    conn: Connection<I>,
    /// `initConnection` went out on this session.
    initialized: bool,
    peers: PeerCache,
    me: Option<types::User>,
    /// Connections to other DCs, for calls that must run there (files, statistics).
    others: HashMap<i32, OtherDc<I>>,
    /// Pushed updates not yet taken by [`Client::next_update`].
    updates: VecDeque<Update>,
    /// Updates were dropped since the last warning (the queue was full).
    updates_dropped: u64,
    /// Whom the home DC's key is logged in as (from the session or a login here).
    login: Option<LoggedInUser>,
    /// Where every change of the session goes.
    storage: Box<dyn Storage>,
    update_state: Option<UpdateState>,
}

/// A connection to a DC other than the home one.
#[derive(Debug)]
struct OtherDc<I> {
    conn: Connection<I>,
    /// `initConnection` went out on it.
    initialized: bool,
}

/// Updates kept for [`Client::next_update`]; past this the oldest are dropped.
pub const MAX_QUEUED_UPDATES: usize = 4096;

/// A login code was sent: what [`Client::sign_in`] needs besides the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginToken {
    phone: String,
    phone_code_hash: String,
}

/// What [`Client::send_message`] got back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// The message id in the chat.
    pub id: i32,
    /// Its date (Unix seconds), when the answer said.
    pub date: Option<i32>,
}

/// A client on smol's sockets and timers: the same as [`Client`] with `async` methods,
/// usable from any executor. Made by [`ClientBuilder::connect_async`].
pub type AsyncClient = Client<Smol>;

impl Client {
    /// A builder for a client with your `api_id` and `api_hash` (from my.telegram.org).
    pub fn builder(api_id: i32, api_hash: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(api_id, api_hash.into())
    }
}

impl<I: Io> Client<I> {
    /// The body of [`Client::invoke_all`].
    pub(crate) async fn invoke_all_inner<F>(
        &mut self,
        calls: Vec<F>,
    ) -> Vec<Result<F::Return, Error>>
    where
        F: RemoteCall,
        F::Return: Any,
    {
        let mut results: Vec<Option<Result<F::Return, Error>>> =
            std::iter::repeat_with(|| None).take(calls.len()).collect();
        let mut start = 0;
        if !self.initialized && !calls.is_empty() {
            results[0] = Some(self.invoke_inner(&calls[0]).await);
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
            |i| encode(&rest[i]),
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
                        None => Err(relogin_error(e)),
                    },
                    Err(e) => Err(e),
                };
                results[start + i] = Some(result);
            },
        )
        .await;
        self.take_pushed();
        self.save_peers();
        for i in moved {
            results[i] = Some(self.invoke_inner(&calls[i]).await);
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or(Err(Error::Abandoned { sent: false })))
            .collect()
    }

    pub(crate) async fn invoke_inner<F>(&mut self, function: &F) -> Result<F::Return, Error>
    where
        F: RemoteCall,
        F::Return: Any,
    {
        let body = encode(function)?;
        let mut moves = 0u32;
        loop {
            match self.invoke_here::<F>(None, &body).await {
                Err(Error::Migrate { kind, dc_id })
                    if matches!(
                        kind,
                        MigrateKind::User | MigrateKind::Phone | MigrateKind::Network
                    ) && moves < MAX_MOVES
                        && dc_id != self.conn.dc_id() =>
                {
                    moves += 1;
                    log::info!("{kind:?}_MIGRATE: moving to DC {dc_id}");
                    self.switch_dc(dc_id).await?;
                }
                // Files and statistics live on their DC: the call runs there, the home DC
                // stays.
                Err(Error::Migrate { kind, dc_id })
                    if matches!(kind, MigrateKind::File | MigrateKind::Stats)
                        && dc_id != self.conn.dc_id() =>
                {
                    log::debug!("{kind:?}_MIGRATE: calling DC {dc_id}");
                    self.open_other(dc_id).await?;
                    return self.invoke_here::<F>(Some(dc_id), &body).await;
                }
                other => return other,
            }
        }
    }

    /// One call on the current DC: flood waits under the threshold are slept through; a
    /// `*_MIGRATE_X` comes back as [`Error::Migrate`].
    async fn invoke_here<F>(&mut self, dc: Option<i32>, body: &[u8]) -> Result<F::Return, Error>
    where
        F: RemoteCall,
        F::Return: Any,
    {
        let policy = FloodPolicy {
            threshold: self.settings.flood_sleep_threshold,
        };
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match self.call(dc, body).await {
                Ok(bytes) => {
                    let value = F::Return::from_bytes(&bytes).map_err(|e| ProtocolError::Tl {
                        what: "the answer",
                        error: e.to_string(),
                    })?;
                    self.peers.collect(&value);
                    let any: &dyn Any = &value;
                    if let Some(enums::auth::Authorization::Authorization(a)) = any.downcast_ref()
                        && let enums::User::User(u) = &a.user
                    {
                        self.set_login(u)?;
                    }
                    self.take_pushed();
                    self.save_peers();
                    return Ok(value);
                }
                Err(Error::Rpc(e)) => match policy.on_error(&e, attempt) {
                    Retry::After(pause) => {
                        log::info!("{e}; sleeping {pause:?} before retrying");
                        I::sleep(pause).await;
                    }
                    Retry::No => {
                        if let Some((kind, dc_id)) = e.migrate_dc() {
                            return Err(Error::Migrate { kind, dc_id });
                        }
                        log::debug!("rpc error: {e}");
                        if e.code == 401
                            && e.is("AUTH_KEY_UNREGISTERED")
                            && let Some(gone) = self.login.take()
                        {
                            self.me = None;
                            self.storage.apply(&[Change::User(None)])?;
                            return Err(SessionError::LoginGone { user_id: gone.id }.into());
                        }
                        return Err(relogin_error(e));
                    }
                },
                Err(e) => return Err(e),
            }
        }
    }

    /// Makes DC `dc_id` the home DC: connects there with a new auth key and, if logged in,
    /// carries the login over (`auth.exportAuthorization` here, `auth.importAuthorization`
    /// there).
    async fn switch_dc(&mut self, dc_id: i32) -> Result<(), Error> {
        let config = self.settings.connection_config(dc_id)?;
        let exported = if self.login.is_some() {
            let export = f::auth::ExportAuthorization { dc_id };
            let enums::auth::ExportedAuthorization::ExportedAuthorization(e) = self
                .invoke_here::<f::auth::ExportAuthorization>(None, &encode(&export)?)
                .await?;
            Some(e)
        } else {
            None
        };
        let conn = Connection::<I>::connect_with(config, &self.keys).await?;
        // A file connection to the new home is replaced by the home connection.
        self.others.remove(&dc_id);
        self.storage.apply(&[
            Change::Key {
                dc_id,
                key: Some(conn.key_info()),
            },
            Change::Address {
                dc_id,
                addr: self.settings.custom_addr(dc_id),
            },
        ])?;
        let old = std::mem::replace(&mut self.conn, conn);
        log::debug!("left DC {} ({:?})", old.dc_id(), old);
        self.initialized = false;
        self.settings.home_dc = dc_id;
        if let Some(e) = exported {
            let import = f::auth::ImportAuthorization {
                id: e.id,
                bytes: e.bytes,
            };
            let answer = self
                .invoke_here::<f::auth::ImportAuthorization>(None, &encode(&import)?)
                .await?;
            let user = authorized_user(answer)?;
            log::info!("login of user {} carried over to DC {dc_id}", user.id);
            self.set_login(&user)?;
        }
        self.storage
            .apply(&[Change::HomeDc(dc_id), Change::User(self.login)])?;
        Ok(())
    }

    /// The home DC now (changes when the server sends the client elsewhere).
    pub fn home_dc(&self) -> i32 {
        self.conn.dc_id()
    }

    /// One request: wraps the first of the session in `initConnection`.
    /// One request on DC `dc` (`None`: home).
    async fn call(&mut self, dc: Option<i32>, body: &[u8]) -> Result<Vec<u8>, Error> {
        let settings = &self.settings;
        match dc {
            None => call_on(&mut self.conn, &mut self.initialized, settings, body).await,
            Some(id) => {
                let Some(other) = self.others.get_mut(&id) else {
                    return Err(Error::Config(format!("no connection to DC {id}")));
                };
                call_on(&mut other.conn, &mut other.initialized, settings, body).await
            }
        }
    }

    /// Opens a connection to DC `dc_id` for calls that must run there (files, statistics),
    /// carrying the login over if there is one. Kept for later calls.
    async fn open_other(&mut self, dc_id: i32) -> Result<(), Error> {
        if self.others.contains_key(&dc_id) {
            return Ok(());
        }
        let config = self.settings.connection_config(dc_id)?;
        let exported = if self.login.is_some() {
            let export = f::auth::ExportAuthorization { dc_id };
            let enums::auth::ExportedAuthorization::ExportedAuthorization(e) = self
                .invoke_here::<f::auth::ExportAuthorization>(None, &encode(&export)?)
                .await?;
            Some(e)
        } else {
            None
        };
        log::info!("opening a connection to DC {dc_id} (files or statistics live there)");
        let conn = Connection::<I>::connect_with(config, &self.keys).await?;
        self.others.insert(
            dc_id,
            OtherDc {
                conn,
                initialized: false,
            },
        );
        if let Some(e) = exported {
            let import = f::auth::ImportAuthorization {
                id: e.id,
                bytes: e.bytes,
            };
            let imported = self
                .invoke_here::<f::auth::ImportAuthorization>(Some(dc_id), &encode(&import)?)
                .await;
            if let Err(e) = imported {
                self.others.remove(&dc_id);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Takes what the DC pushed: peers into the cache, updates into the queue.
    fn take_pushed(&mut self) {
        while let Some(bytes) = self.conn.next_update() {
            let updates = match enums::Updates::from_bytes(&bytes) {
                Ok(u) => u,
                Err(e) => {
                    log::warn!("undecodable update ({} bytes) dropped: {e}", bytes.len());
                    continue;
                }
            };
            self.peers.collect(&updates);
            for u in updates::split(updates, self.login.map(|l| l.id)) {
                if self.updates.len() == MAX_QUEUED_UPDATES {
                    self.updates.pop_front();
                    self.updates_dropped += 1;
                    if self.updates_dropped.is_power_of_two() {
                        log::warn!(
                            "{} updates dropped: none taken with next_update while \
                             {MAX_QUEUED_UPDATES} waited",
                            self.updates_dropped
                        );
                    }
                }
                self.updates.push_back(u);
            }
        }
    }

    async fn next_update_inner(&mut self, timeout: Duration) -> Result<Option<Update>, Error> {
        self.take_pushed();
        if self.updates.is_empty() && self.conn.wait_update_async(timeout).await? {
            self.take_pushed();
        }
        Ok(self.updates.pop_front())
    }

    async fn login_bot_inner(&mut self, token: &str) -> Result<types::User, Error> {
        let answer = self
            .invoke_inner(&f::auth::ImportBotAuthorization {
                flags: 0,
                api_id: self.settings.api_id,
                api_hash: self.settings.api_hash.clone(),
                bot_auth_token: token.to_owned(),
            })
            .await?;
        let user = authorized_user(answer)?;
        log::info!(
            "logged in as bot {} (@{})",
            user.id,
            user.username.as_deref().unwrap_or("")
        );
        self.set_login(&user)?;
        Ok(user)
    }

    async fn request_login_code_inner(&mut self, phone: &str) -> Result<LoginToken, Error> {
        let settings = enums::CodeSettings::CodeSettings(types::CodeSettings {
            allow_flashcall: false,
            current_number: false,
            allow_app_hash: false,
            allow_missed_call: false,
            allow_firebase: false,
            unknown_number: false,
            logout_tokens: None,
            token: None,
            app_sandbox: None,
        });
        let sent = self
            .invoke_inner(&f::auth::SendCode {
                phone_number: phone.to_owned(),
                api_id: self.settings.api_id,
                api_hash: self.settings.api_hash.clone(),
                settings,
            })
            .await?;
        match sent {
            enums::auth::SentCode::SentCode(c) => Ok(LoginToken {
                phone: phone.to_owned(),
                phone_code_hash: c.phone_code_hash,
            }),
            other => Err(ProtocolError::Unexpected {
                expected: "auth.sentCode (other answers need a login flow not built yet)",
                got: format!("{other:?}"),
            }
            .into()),
        }
    }

    async fn sign_in_inner(
        &mut self,
        token: &LoginToken,
        code: &str,
    ) -> Result<types::User, Error> {
        let answer = self
            .invoke_inner(&f::auth::SignIn {
                phone_number: token.phone.clone(),
                phone_code_hash: token.phone_code_hash.clone(),
                phone_code: Some(code.to_owned()),
                email_verification: None,
            })
            .await?;
        let user = authorized_user(answer)?;
        log::info!("logged in as user {}", user.id);
        self.me = Some(user.clone());
        Ok(user)
    }

    async fn get_me_inner(&mut self) -> Result<types::User, Error> {
        let users = self
            .invoke_inner(&f::users::GetUsers {
                id: vec![enums::InputUser::InputUserSelf(types::InputUserSelf {})],
            })
            .await?;
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
        self.set_login(&user)?;
        Ok(user)
    }

    async fn send_message_inner(&mut self, chat: i64, text: &str) -> Result<SentMessage, Error> {
        self.send_text(chat, text.to_owned(), None).await
    }

    async fn send_message_with_inner(
        &mut self,
        chat: i64,
        text: &str,
        mode: ParseMode,
    ) -> Result<SentMessage, Error> {
        let parsed = parse::parse(text, mode)?;
        let entities = parsed.to_tl(|id| self.peers.input_user(id))?;
        let entities = (!entities.is_empty()).then_some(entities);
        self.send_text(chat, parsed.text, entities).await
    }

    async fn send_text(
        &mut self,
        chat: i64,
        text: String,
        entities: Option<Vec<enums::MessageEntity>>,
    ) -> Result<SentMessage, Error> {
        let peer = self.input_peer(chat).await?;
        let random_id = UnwrapErr(getrandom::SysRng).next_u64() as i64;
        let updates = self
            .invoke_inner(&f::messages::SendMessage {
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
                message: text,
                random_id,
                reply_markup: None,
                entities,
                schedule_date: None,
                schedule_repeat_period: None,
                send_as: None,
                quick_reply_shortcut: None,
                effect: None,
                allow_paid_stars: None,
                suggested_post: None,
                rich_message: None,
            })
            .await?;
        sent_message(&updates, random_id).ok_or_else(|| {
            ProtocolError::Unexpected {
                expected: "the sent message's id",
                got: format!("{updates:?}"),
            }
            .into()
        })
    }

    /// The `InputPeer` for a user this session has met. A bot may also address a user it
    /// has not met yet (one who wrote to it, say): Telegram lets bots look users up by id
    /// alone, so the user is fetched first (`users.getUsers` with access hash 0).
    pub(crate) async fn input_peer(&mut self, user_id: i64) -> Result<enums::InputPeer, Error> {
        if let Some(p) = self.peers.input_peer(user_id) {
            return Ok(p);
        }
        if self.login.is_some_and(|l| l.is_bot) && user_id > 0 {
            log::debug!("meeting user {user_id} by id (bots may)");
            self.invoke_inner(&f::users::GetUsers {
                id: vec![enums::InputUser::InputUser(types::InputUser {
                    user_id,
                    access_hash: 0,
                })],
            })
            .await?;
        }
        self.peers
            .input_peer(user_id)
            .ok_or(Error::PeerUnknown { id: user_id })
    }

    async fn logout_inner(&mut self) -> Result<(), Error> {
        self.invoke_inner(&f::auth::LogOut {}).await?;
        log::info!("logged out");
        self.me = None;
        self.login = None;
        self.storage.apply(&[Change::User(None)])?;
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
    pub fn connection(&self) -> &Connection<I> {
        &self.conn
    }

    /// Closes the socket at once; the next call reconnects on the same session. Prefer
    /// `close`, which first tells the server what this client received.
    pub fn disconnect(&mut self) {
        self.conn.disconnect();
    }
}

impl Client<Blocking> {
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
        block_on(self.invoke_all_inner(calls.into_iter().collect()))
    }

    /// A clean shutdown: sends the acknowledgements still pending (so the server does not
    /// re-send, to the next session, what this one already received), then closes the
    /// socket. The client stays usable; the next call reconnects.
    pub fn close(&mut self) {
        block_on(self.conn.close_async());
    }

    /// Calls any API function and returns its typed result. The first call of a session goes
    /// out as `invokeWithLayer(initConnection(…))`. `FLOOD_WAIT`s under the flood-sleep
    /// threshold are slept through and the call repeated; users in the answer enter the
    /// peer cache.
    ///
    /// # Errors
    /// [`Error::Rpc`] for the server's errors (longer flood waits included),
    /// [`Error::Migrate`] for a call moved more than twice (a `USER_`, `PHONE_` or
    /// `NETWORK_MIGRATE_X` moves the client to that DC, carrying the login over, and repeats
    /// the call; a `FILE_` or `STATS_MIGRATE_X` runs the call on a second connection to DC
    /// `X`, with the login carried there, kept for later calls), [`Error::TimedOut`],
    /// [`Error::Connect`],
    /// [`Error::Protocol`] when the answer is not the function's type.
    pub fn invoke<F>(&mut self, function: &F) -> Result<F::Return, Error>
    where
        F: RemoteCall,
        F::Return: Any,
    {
        block_on(self.invoke_inner(function))
    }

    /// The next update the server pushed, waiting up to `timeout` for one (zero: only what
    /// has arrived). While it waits the connection is kept alive (acks, pings, reconnects).
    /// Updates also arrive while other calls run; up to [`MAX_QUEUED_UPDATES`] are kept.
    ///
    /// ```no_run
    /// # fn f(mut client: ferrogram_client_std::Client) -> Result<(), ferrogram_client_std::Error> {
    /// use std::time::Duration;
    /// use ferrogram_client_std::Update;
    ///
    /// loop {
    ///     if let Some(Update::NewMessage(m)) = client.next_update(Duration::from_secs(60))? {
    ///         if !m.outgoing {
    ///             client.send_message(m.chat.marked(), &m.text)?;
    ///         }
    ///     }
    /// }
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`invoke`](Self::invoke), when the connection fails for good.
    pub fn next_update(&mut self, timeout: Duration) -> Result<Option<Update>, Error> {
        block_on(self.next_update_inner(timeout))
    }

    /// Logs in as a bot with the token from @BotFather (`auth.importBotAuthorization`).
    ///
    /// # Errors
    /// [`Error::Rpc`] (`ACCESS_TOKEN_INVALID` for a wrong token), or as [`invoke`](Self::invoke).
    pub fn login_bot(&mut self, token: &str) -> Result<types::User, Error> {
        block_on(self.login_bot_inner(token))
    }

    /// Asks Telegram to send a login code to `phone` (international format, e.g.
    /// `+15550000001`) for a user login; pass the token and the code to
    /// [`sign_in`](Self::sign_in).
    ///
    /// # Errors
    /// [`Error::Rpc`] (`PHONE_NUMBER_INVALID`, `PHONE_NUMBER_BANNED`, …; a `PHONE_MIGRATE_X`
    /// moves the client to the account's DC first), or as [`invoke`](Self::invoke).
    pub fn request_login_code(&mut self, phone: &str) -> Result<LoginToken, Error> {
        block_on(self.request_login_code_inner(phone))
    }

    /// Logs in as a user with the code Telegram sent (see
    /// [`request_login_code`](Self::request_login_code)).
    ///
    /// # Errors
    /// [`Error::Rpc`]: `PHONE_CODE_INVALID` / `PHONE_CODE_EXPIRED` (ask for a new code),
    /// `SESSION_PASSWORD_NEEDED` (the account has two-step verification, not supported by
    /// this client yet); [`Error::Protocol`] if the number has no account (sign-up is not
    /// built); or as [`invoke`](Self::invoke).
    pub fn sign_in(&mut self, token: &LoginToken, code: &str) -> Result<types::User, Error> {
        block_on(self.sign_in_inner(token, code))
    }

    /// The logged-in account (`users.getUsers([inputUserSelf])`).
    ///
    /// # Errors
    /// [`Error::NotLoggedIn`] if the session is not logged in, or as [`invoke`](Self::invoke).
    pub fn get_me(&mut self) -> Result<types::User, Error> {
        block_on(self.get_me_inner())
    }

    /// Sends a plain-text message to `chat`, a marked id ([`PeerId`](crate::PeerId): a user,
    /// `-id` for a basic group, `-100…` for a channel) this session has met (see
    /// [`PeerCache`]). A bot may also message a user by id that it has not met (one who wrote
    /// to it): the user is looked up first.
    ///
    /// # Errors
    /// [`Error::PeerUnknown`] if the peer was never met (nothing is sent then), or as
    /// [`invoke`](Self::invoke).
    pub fn send_message(&mut self, chat: i64, text: &str) -> Result<SentMessage, Error> {
        block_on(self.send_message_inner(chat, text))
    }

    /// Sends a message marked up in `mode` (see [`parse`](crate::parse) for the Markdown
    /// and HTML it reads) to `chat`, as [`send_message`](Self::send_message) does. A mention
    /// (`[name](tg://user?id=…)`) must name a user this session has met too.
    ///
    /// ```
    /// # use ferrogram_client_std::Client;
    /// # use ferrogram_testdc::{Config, TestDc};
    /// # let dc = TestDc::start(Config::default())?;
    /// # let (_, token) = dc.create_bot("Alert bot", "alert_bot");
    /// # let mut client = Client::builder(1, "0123456789abcdef0123456789abcdef")
    /// #     .dc(2, dc.addr()).trust_key(*dc.public_key()).connect()?;
    /// # client.login_bot(&token)?;
    /// # use ferrogram_client_std::tl::functions as f;
    /// # client.invoke(&f::contacts::ResolveUsername { username: "alice".into(), referer: None })?;
    /// use ferrogram_client_std::ParseMode;
    ///
    /// let alice = ferrogram_testdc::world::FIRST_USER_ID;
    /// client.send_message_with(alice, "disk **almost** full: `/dev/sda1`", ParseMode::Markdown)?;
    /// client.send_message_with(alice, "<b>96 %</b> used", ParseMode::Html)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Parse`] if the markup is wrong or a mentioned user was never met, and
    /// [`Error::PeerUnknown`] if the recipient was never met (nothing is sent then); or as
    /// [`invoke`](Self::invoke).
    pub fn send_message_with(
        &mut self,
        chat: i64,
        text: &str,
        mode: ParseMode,
    ) -> Result<SentMessage, Error> {
        block_on(self.send_message_with_inner(chat, text, mode))
    }

    /// Logs out (`auth.logOut`): the session's key is no longer logged in.
    ///
    /// # Errors
    /// As [`invoke`](Self::invoke).
    pub fn logout(&mut self) -> Result<(), Error> {
        block_on(self.logout_inner())
    }
}

impl Client<Smol> {
    /// The async form of [`Client::close`].
    pub async fn close(&mut self) {
        self.conn.close_async().await;
    }

    /// The async form of [`Client::invoke`].
    ///
    /// # Errors
    /// As [`Client::invoke`].
    pub async fn invoke<F>(&mut self, function: &F) -> Result<F::Return, Error>
    where
        F: RemoteCall,
        F::Return: Any,
    {
        self.invoke_inner(function).await
    }

    /// The async form of [`Client::invoke_all`]: many calls pipelined over one connection,
    /// one outcome per call in the order of `calls`.
    pub async fn invoke_all<F>(
        &mut self,
        calls: impl IntoIterator<Item = F>,
    ) -> Vec<Result<F::Return, Error>>
    where
        F: RemoteCall,
        F::Return: Any,
    {
        self.invoke_all_inner(calls.into_iter().collect()).await
    }

    /// The async form of [`Client::next_update`].
    ///
    /// # Errors
    /// As [`Client::next_update`].
    pub async fn next_update(&mut self, timeout: Duration) -> Result<Option<Update>, Error> {
        self.next_update_inner(timeout).await
    }

    /// The async form of [`Client::login_bot`].
    ///
    /// # Errors
    /// As [`Client::login_bot`].
    pub async fn login_bot(&mut self, token: &str) -> Result<types::User, Error> {
        self.login_bot_inner(token).await
    }

    /// The async form of [`Client::request_login_code`].
    ///
    /// # Errors
    /// As [`Client::request_login_code`].
    pub async fn request_login_code(&mut self, phone: &str) -> Result<LoginToken, Error> {
        self.request_login_code_inner(phone).await
    }

    /// The async form of [`Client::sign_in`].
    ///
    /// # Errors
    /// As [`Client::sign_in`].
    pub async fn sign_in(&mut self, token: &LoginToken, code: &str) -> Result<types::User, Error> {
        self.sign_in_inner(token, code).await
    }

    /// The async form of [`Client::get_me`].
    ///
    /// # Errors
    /// As [`Client::get_me`].
    pub async fn get_me(&mut self) -> Result<types::User, Error> {
        self.get_me_inner().await
    }

    /// The async form of [`Client::send_message`].
    ///
    /// # Errors
    /// As [`Client::send_message`].
    pub async fn send_message(&mut self, chat: i64, text: &str) -> Result<SentMessage, Error> {
        self.send_message_inner(chat, text).await
    }

    /// The async form of [`Client::send_message_with`].
    ///
    /// # Errors
    /// As [`Client::send_message_with`].
    pub async fn send_message_with(
        &mut self,
        chat: i64,
        text: &str,
        mode: ParseMode,
    ) -> Result<SentMessage, Error> {
        self.send_message_with_inner(chat, text, mode).await
    }

    /// The async form of [`Client::logout`].
    ///
    /// # Errors
    /// As [`Client::logout`].
    pub async fn logout(&mut self) -> Result<(), Error> {
        self.logout_inner().await
    }
}

/// One request on `conn`: the first of its session goes out wrapped in
/// `invokeWithLayer(initConnection(…))`.
async fn call_on<I: Io>(
    conn: &mut Connection<I>,
    initialized: &mut bool,
    s: &ClientBuilder,
    body: &[u8],
) -> Result<Vec<u8>, Error> {
    if *initialized {
        return conn.call_async(body, RequestOptions::default()).await;
    }
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
    log::debug!(
        "DC {}: first request: invokeWithLayer({LAYER}, initConnection(...))",
        conn.dc_id()
    );
    let result = conn.call_async(&wrapped, options).await;
    if matches!(result, Ok(_) | Err(Error::Rpc(_))) {
        *initialized = true;
    }
    result
}

/// A request's bytes.
fn encode<F: TlWrite>(function: &F) -> Result<Vec<u8>, Error> {
    function.to_bytes().map_err(|e| {
        ProtocolError::Tl {
            what: "the request",
            error: e.to_string(),
        }
        .into()
    })
}

/// The errors that mean "log in again" as their typed errors; others stay [`Error::Rpc`].
fn relogin_error(e: RpcError) -> Error {
    match (e.code, e.name.as_str()) {
        (401, "AUTH_KEY_UNREGISTERED" | "SESSION_REVOKED" | "SESSION_EXPIRED") => {
            log::warn!("{e}: this session is not logged in");
            Error::NotLoggedIn
        }
        (406 | 401, "AUTH_KEY_DUPLICATED") => {
            log::error!("{e}: the session was revoked");
            Error::AuthKeyDuplicated
        }
        _ => Error::Rpc(e),
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
