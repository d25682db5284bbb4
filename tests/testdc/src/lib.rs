//! `ferrogram-testdc`: a local MTProto server — the "test DC" — for our tests and for anyone
//! who wants to test a Telegram client without Telegram.
//!
//! It listens on 127.0.0.1, speaks every MTProto transport (abridged, intermediate, padded
//! intermediate, full, and the obfuscated form of the first three; detected from the first
//! bytes of each connection), and runs the auth-key exchange with
//! [`ferrogram_mtproto_proto`]'s server role: Telegram's DH group, both RSA schemes and every
//! `p_q_inner_data` variant, so Telethon, Pyrogram and Kurigram get keys as they would from
//! Telegram.
//!
//! On top run the encrypted session (the server role of [`ferrogram_mtproto_proto::session`],
//! one per auth key) and the API slice in [`api`], over the state in [`world`]. An encrypted
//! message under an unknown key gets transport error -404, as from Telegram.
//!
//! [`TestDc::start_cluster`] runs several DCs over one world (each with its own auth keys);
//! [`srp`] is the server side of 2FA; [`faults`] makes a DC misbehave on purpose;
//! [`persist`] keeps the state in a file across restarts ([`Config::state_file`]).
//!
//! ```no_run
//! use ferrogram_testdc::{Config, TestDc};
//!
//! let dc = TestDc::start(Config::default())?;
//! println!("DC 2 at {}, RSA fingerprint {}", dc.addr(), dc.fingerprint());
//! // ... point a client at dc.addr() and trust dc.public_key() ...
//! # Ok::<(), std::io::Error>(())
//! ```

#![forbid(unsafe_code)]

pub mod api;
mod connection;
pub mod default_key;
pub mod faults;
pub mod files;
pub mod pem;
pub mod persist;
pub mod srp;
pub mod world;

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ferrogram_mtproto_proto::auth_key::rsa::{RsaPrivateKey, RsaPublicKey};
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::server::ServerSession;
use ferrogram_mtproto_proto::transport::obfuscated::ProxySecret;
use ferrogram_tl_types::enums;

use crate::world::World;

pub use crate::persist::StateError;

/// How to run a test DC.
#[derive(Clone, Debug)]
pub struct Config {
    /// The DC id it serves (1–5). Default 2, where clients start.
    pub dc_id: i32,
    /// TCP port; 0 picks a free one (read it back with [`TestDc::addr`]).
    pub port: u16,
    /// The address to listen on (default 127.0.0.1; e.g. a TAP device's address inside a
    /// network namespace, for a device's network stack to reach).
    pub host: std::net::IpAddr,
    /// Its RSA key; `None` uses the public test key in [`default_key`].
    pub rsa_key: Option<RsaKeyHex>,
    /// Print one line per connection event to stderr.
    pub verbose: bool,
    /// Close a connection that sends nothing for this long.
    pub idle_timeout: Duration,
    /// At most this many bytes of uploads (file parts and documents) are stored; past it,
    /// uploads get `400 UPLOAD_STORAGE_FULL`. Default
    /// [`DEFAULT_UPLOAD_LIMIT`](files::DEFAULT_UPLOAD_LIMIT), 256 MiB.
    pub upload_limit: usize,
    /// Alice's 2FA password; `None` (the default) means she has none. With one,
    /// `auth.signIn` answers `401 SESSION_PASSWORD_NEEDED` and `auth.checkPassword` takes the
    /// SRP proof.
    pub password: Option<String>,
    /// Alice's home DC (default 2). It matters in a cluster
    /// ([`TestDc::start_cluster`]): elsewhere her login answers `PHONE_MIGRATE_X` and her
    /// calls `USER_MIGRATE_X`.
    pub alice_dc: i32,
    /// Fault knobs at start (see [`faults`]); change them later with
    /// [`TestDc::set_faults`]. Default: none.
    pub faults: faults::Faults,
    /// Keep the state in this file across restarts (see [`persist`]); `None` (the default)
    /// keeps everything in memory. A missing file starts fresh; one that cannot be read makes
    /// [`TestDc::start`] fail with a [`StateError`] (inside an
    /// [`io::ErrorKind::InvalidData`] error) and leaves the file alone. When the file is
    /// loaded, `password` and `alice_dc` are not applied: the file's accounts win.
    pub state_file: Option<PathBuf>,
    /// Present itself as Telegram's test environment: `help.getConfig` answers
    /// `test_mode: true` (what clients in test mode, e.g. Telethon's or Pyrogram's
    /// `test_mode=True`, expect of the test DCs). Default `false`. Not kept in the state file.
    pub test_mode: bool,
    /// Act as an MTProxy in front of itself: obfuscated connections must be keyed with this
    /// secret (as clients of an MTProxy with a `dd…` or 16-byte secret do); plain
    /// transports are still served. Default `None`: obfuscated connections without a secret.
    pub proxy_secret: Option<ProxySecret>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            dc_id: 2,
            port: 0,
            host: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            rsa_key: None,
            verbose: false,
            idle_timeout: Duration::from_secs(60),
            upload_limit: files::DEFAULT_UPLOAD_LIMIT,
            password: None,
            alice_dc: world::DEFAULT_HOME_DC,
            faults: faults::Faults::default(),
            state_file: None,
            test_mode: false,
            proxy_secret: None,
        }
    }
}

/// An RSA key as big-endian hex strings (the form `--rsa-key` files use: three lines
/// `n=…`, `e=…`, `d=…`).
#[derive(Clone, Debug)]
pub struct RsaKeyHex {
    /// The modulus.
    pub n: String,
    /// The public exponent.
    pub e: String,
    /// The private exponent.
    pub d: String,
}

impl RsaKeyHex {
    /// Reads `n=`, `e=` and `d=` lines (hex; blank lines and `#` comments ignored).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (mut n, mut e, mut d) = (None, None, None);
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                return Err(format!(
                    "line {}: expected `n=<hex>`, `e=<hex>` or `d=<hex>`",
                    i + 1
                ));
            };
            let v = Some(v.trim().to_string());
            match k.trim() {
                "n" => n = v,
                "e" => e = v,
                "d" => d = v,
                other => return Err(format!("line {}: unknown field `{other}`", i + 1)),
            }
        }
        match (n, e, d) {
            (Some(n), Some(e), Some(d)) => Ok(Self { n, e, d }),
            _ => Err("an RSA key file needs `n=`, `e=` and `d=` lines (hex)".into()),
        }
    }

    fn load(&self) -> Result<RsaPrivateKey, String> {
        let n = hex(&self.n).ok_or("n is not hex")?;
        let e = hex(&self.e).ok_or("e is not hex")?;
        let d = hex(&self.d).ok_or("d is not hex")?;
        RsaPrivateKey::from_be_bytes(&n, &e, &d).map_err(|e| e.to_string())
    }
}

fn hex(s: &str) -> Option<Vec<u8>> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let s = if s.len() % 2 == 1 { format!("0{s}") } else { s };
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// An auth key this DC created.
#[derive(Clone)]
pub struct StoredKey {
    /// The 256-byte key.
    pub auth_key: [u8; 256],
    /// The first server salt it was given.
    pub first_salt: i64,
    /// The DC id in the client's `p_q_inner_data`, if it sent one.
    pub requested_dc: Option<i32>,
    /// `Some(expires_in)` for a temporary key.
    pub expires_in: Option<i32>,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("first_salt", &self.first_salt)
            .field("requested_dc", &self.requested_dc)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// The encrypted session the test DC keeps per (auth key, session id): as many queries in
/// flight as one container carries (1,024: Telethon packs 100 requests a container, a
/// pipelining client of ours its whole window), 8 MiB of unacknowledged answers (a client
/// that acknowledges every ten messages, as Pyrogram does, may leave several 1 MiB
/// `upload.file` answers waiting), 2 MiB of received queries (a container of 512 KiB file
/// parts).
pub(crate) type Session = ServerSession<
    Software,
    { ferrogram_mtproto_proto::session::container::MAX_CONTAINER_MESSAGES },
    { 8 * 1024 * 1024 },
    { 2 * 1024 * 1024 },
>;

/// The sessions one auth key may have at once (a client's main and media sessions, say);
/// past it the least recently used is forgotten.
pub(crate) const SESSIONS_PER_KEY: usize = 4;

/// One client session the DC serves.
pub(crate) struct SessionSlot {
    pub(crate) session: Box<Session>,
    /// When it last received a message (a counter: larger is later).
    pub(crate) last_used: u64,
}

/// The API world and the sessions, behind one lock (world first, then sessions: one lock,
/// so no ordering to get wrong).
pub(crate) struct State {
    pub(crate) world: World,
    /// By (auth key id, session id).
    pub(crate) sessions: HashMap<(u64, i64), SessionSlot>,
    /// Per auth key, the session updates go to: the one that most recently sent a query
    /// other than `upload.*` (those come from clients' media sessions).
    pub(crate) updates_to: HashMap<u64, i64>,
    /// The `last_used` clock.
    pub(crate) tick: u64,
}

/// What connections share.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) key: RsaPrivateKey,
    keys: persist::KeyMap,
    /// Shared by every DC of a cluster.
    state: Arc<Mutex<State>>,
    /// Writes the state file, if there is one (shared by the cluster).
    persister: Option<Arc<persist::Persister>>,
    port: std::sync::atomic::AtomicU16,
    pub(crate) stop: AtomicBool,
    faults: Mutex<faults::Faults>,
}

impl Shared {
    fn keys(&self) -> MutexGuard<'_, HashMap<u64, StoredKey>> {
        // A panicking connection thread must not take the DC down with it.
        self.keys.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, faults::Faults> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The DC's clock: the system's, shifted by the `clock_skew_secs` fault.
    pub(crate) fn now(&self) -> UnixNanos {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let nanos = i128::try_from(d.as_nanos()).unwrap_or(i128::MAX)
            + i128::from(self.faults().clock_skew_secs) * 1_000_000_000;
        UnixNanos(u64::try_from(nanos.max(0)).unwrap_or(u64::MAX))
    }

    /// Marks the persistent state changed (written within
    /// [`SAVE_INTERVAL`](persist::SAVE_INTERVAL) when there is a state file).
    pub(crate) fn changed(&self) {
        if let Some(p) = &self.persister {
            p.changed();
        }
    }

    pub(crate) fn stored_key(&self, id: u64) -> Option<StoredKey> {
        self.keys().get(&id).cloned()
    }

    pub(crate) fn store_key(&self, id: u64, key: StoredKey) {
        self.keys().insert(id, key);
        self.changed();
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port.load(Ordering::Relaxed)
    }

    pub(crate) fn log(&self, peer: SocketAddr, msg: std::fmt::Arguments<'_>) {
        if self.config.verbose {
            eprintln!("testdc[dc{}] {peer}: {msg}", self.config.dc_id);
        }
    }
}

/// A running test DC. Dropping it stops accepting connections.
pub struct TestDc {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl TestDc {
    /// Binds 127.0.0.1:`config.port` and serves connections on background threads.
    ///
    /// # Errors
    /// The port cannot be bound, or `config.rsa_key` is not a valid 2048-bit key
    /// ([`io::ErrorKind::InvalidInput`]).
    pub fn start(config: Config) -> io::Result<Self> {
        let id = config.dc_id;
        let mut dcs = Self::start_cluster(config, &[id])?;
        dcs.pop()
            .ok_or_else(|| io::Error::other("a cluster of one DC started none"))
    }

    /// Starts one DC per id in `dc_ids` (distinct, each 1..=5) in this process, sharing one
    /// world (accounts, messages, files, logins) but each with its own listener and auth
    /// keys; `help.getConfig` lists them all. With `config.port` 0 each picks a free port;
    /// otherwise the i-th listed DC gets `config.port + i`. `config.dc_id` is ignored.
    ///
    /// # Errors
    /// As [`start`](Self::start), and [`io::ErrorKind::InvalidInput`] for an empty, repeated
    /// or out-of-range id list.
    pub fn start_cluster(config: Config, dc_ids: &[i32]) -> io::Result<Vec<Self>> {
        let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
        if dc_ids.is_empty() {
            return Err(invalid("a cluster needs at least one DC".into()));
        }
        for (i, id) in dc_ids.iter().enumerate() {
            if !(1..=5).contains(id) {
                return Err(invalid(format!("DC id {id} is not one of 1..=5")));
            }
            if dc_ids[..i].contains(id) {
                return Err(invalid(format!("DC id {id} is listed twice")));
            }
        }
        let key_hex = config.rsa_key.clone().unwrap_or_else(|| RsaKeyHex {
            n: default_key::N_HEX.into(),
            e: default_key::E_HEX.into(),
            d: default_key::D_HEX.into(),
        });
        let key = key_hex
            .load()
            .map_err(|e| invalid(format!("RSA key: {e}")))?;
        let mut listeners = Vec::new();
        for (i, &id) in dc_ids.iter().enumerate() {
            let port = if config.port == 0 {
                0
            } else {
                u16::try_from(usize::from(config.port) + i)
                    .map_err(|_| invalid(format!("no port for DC {id} past {}", config.port)))?
            };
            let listener = TcpListener::bind((config.host, port))?;
            let addr = listener.local_addr()?;
            listeners.push((id, listener, addr));
        }
        let loaded = match &config.state_file {
            Some(path) => persist::load(path, config.upload_limit)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
            None => None,
        };
        let (mut world, mut file_keys) = match loaded {
            Some(l) => (l.world, l.keys),
            None => {
                let mut world = World::with_upload_limit(config.upload_limit);
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| io::Error::other(e.to_string()))?;
                world.set_seed(seed);
                world.set_password(world::FIRST_USER_ID, config.password.as_deref(), None);
                world.set_home_dc(world::FIRST_USER_ID, config.alice_dc);
                (world, Vec::new())
            }
        };
        world.set_test_mode(config.test_mode);
        world.set_dcs(listeners.iter().map(|(id, _, a)| (*id, a.port())).collect());
        let state = Arc::new(Mutex::new(State {
            world,
            sessions: HashMap::new(),
            updates_to: HashMap::new(),
            tick: 0,
        }));
        let key_maps: Vec<(i32, persist::KeyMap)> = listeners
            .iter()
            .map(|(id, _, _)| {
                let keys = file_keys
                    .iter()
                    .position(|(dc, _)| dc == id)
                    .map(|at| file_keys.swap_remove(at).1)
                    .unwrap_or_default();
                (*id, Arc::new(Mutex::new(keys)))
            })
            .collect();
        let persister = match &config.state_file {
            Some(path) => {
                let others = file_keys
                    .into_iter()
                    .map(|(dc, keys)| (dc, keys.into_iter().collect()))
                    .collect();
                Some(persist::Persister::start(
                    path.clone(),
                    Arc::clone(&state),
                    key_maps.clone(),
                    others,
                )?)
            }
            None => None,
        };
        let mut out = Vec::new();
        for ((id, listener, addr), (_, keys)) in listeners.into_iter().zip(key_maps) {
            let shared = Arc::new(Shared {
                config: Config {
                    dc_id: id,
                    port: addr.port(),
                    ..config.clone()
                },
                key,
                keys,
                state: Arc::clone(&state),
                persister: persister.clone(),
                port: std::sync::atomic::AtomicU16::new(addr.port()),
                stop: AtomicBool::new(false),
                faults: Mutex::new(config.faults.clone()),
            });
            let accept_shared = Arc::clone(&shared);
            let acceptor = std::thread::Builder::new()
                .name(format!("testdc-{}-accept", addr.port()))
                .spawn(move || accept_loop(listener, accept_shared))?;
            out.push(Self {
                addr,
                shared,
                acceptor: Some(acceptor),
            });
        }
        Ok(out)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The DC id it serves.
    pub fn dc_id(&self) -> i32 {
        self.shared.config.dc_id
    }

    /// Its RSA public key (clients must trust it).
    pub fn public_key(&self) -> &RsaPublicKey {
        self.shared.key.public_key()
    }

    /// The RSA public key as PEM (`-----BEGIN RSA PUBLIC KEY-----`, PKCS #1), the form
    /// Telegram publishes its keys in and clients load.
    pub fn public_key_pem(&self) -> String {
        let key = self.public_key();
        pem::rsa_public_key_pem(&key.n_be_bytes(), key.e())
    }

    /// The RSA key's fingerprint as clients compute it.
    pub fn fingerprint(&self) -> i64 {
        self.public_key().fingerprint()
    }

    /// The auth key with this `auth_key_id`, if this DC created it.
    pub fn auth_key(&self, auth_key_id: u64) -> Option<StoredKey> {
        self.shared.keys().get(&auth_key_id).cloned()
    }

    /// Creates a bot account; returns its user id and token (for
    /// `auth.importBotAuthorization`, e.g. a client's `start(bot_token=...)`).
    pub fn create_bot(&self, first_name: &str, username: &str) -> (i64, String) {
        let bot = self.shared.state().world.create_bot(first_name, username);
        self.shared.changed();
        bot
    }

    /// The bot with this username (and its token), created if there is none (so a `--bot`
    /// given again to a DC with a state file is the same bot).
    pub fn bot(&self, first_name: &str, username: &str) -> (i64, String) {
        let existing = {
            let state = self.shared.state();
            state
                .world
                .account_by_username(username)
                .filter(|a| a.bot)
                .and_then(|a| Some((a.id, state.world.bot_token(a.id)?)))
        };
        existing.unwrap_or_else(|| self.create_bot(first_name, username))
    }

    /// Writes the state file now (without one, does nothing). Changes are also written on
    /// their own, at most every [`SAVE_INTERVAL`](persist::SAVE_INTERVAL), and on drop.
    ///
    /// # Errors
    /// [`StateError::Io`] if the file cannot be written (the old one is then untouched).
    pub fn save_state(&self) -> Result<(), StateError> {
        match &self.shared.persister {
            Some(p) => p.save(),
            None => Ok(()),
        }
    }

    /// The fault knobs now in force on this DC.
    pub fn faults(&self) -> faults::Faults {
        self.shared.faults().clone()
    }

    /// Replaces this DC's fault knobs (they take effect with the next message).
    pub fn set_faults(&self, faults: faults::Faults) {
        *self.shared.faults() = faults;
    }

    /// Sends `user` a burst of `n` messages from `from` ("burst 1", "burst 2", …): each is
    /// stored and pushed to every key logged in as `user` as `updateShortMessage`, in one go.
    /// Returns `user`'s `pts` after the burst.
    ///
    /// # Errors
    /// Only if an update cannot be serialized (a bug: `500 INTERNAL`).
    pub fn send_burst(&self, from: i64, user: i64, n: u32) -> Result<i32, api::ApiError> {
        let now = self.shared.now();
        let date = i32::try_from(now.secs()).unwrap_or(i32::MAX);
        let mut state = self.shared.state();
        let mut pushes = Vec::new();
        for i in 1..=n {
            pushes.extend(api::deliver_text(
                &mut state.world,
                from,
                user,
                date,
                &format!("burst {i}"),
            )?);
        }
        let pts = state.world.pts(user);
        deliver(&mut state, now, &pushes, self.shared.faults().gzip);
        drop(state);
        self.shared.changed();
        Ok(pts)
    }

    /// Moves `user`'s home to DC `dc_id` (see [`world::Account::home_dc`]).
    pub fn set_home_dc(&self, user: i64, dc_id: i32) {
        self.shared.state().world.set_home_dc(user, dc_id);
        self.shared.changed();
    }

    /// Logs `auth_key_id` in as `user` (a test's shortcut past the sign-in flow).
    pub fn log_in(&self, auth_key_id: u64, user: i64) {
        self.shared.state().world.log_in(auth_key_id, user);
        self.shared.changed();
    }

    /// Who `auth_key_id` is logged in as.
    pub fn logged_in_user(&self, auth_key_id: u64) -> Option<i64> {
        self.shared.state().world.logged_in(auth_key_id)
    }

    /// Messages the DC sent on the sessions of this auth key that the client has not
    /// acknowledged yet (answers, updates, service messages).
    pub fn unacknowledged(&self, auth_key_id: u64) -> usize {
        self.shared
            .state()
            .sessions
            .iter()
            .filter(|((key, _), _)| *key == auth_key_id)
            .map(|(_, slot)| slot.session.unacknowledged())
            .sum()
    }

    /// The auth keys logged in as `user`.
    pub fn logged_in_keys(&self, user: i64) -> Vec<u64> {
        self.shared.state().world.keys_of(user)
    }

    /// Every message sent through this DC: (from, to, text), oldest first.
    pub fn messages(&self) -> Vec<(i64, i64, String)> {
        self.shared
            .state()
            .world
            .messages()
            .iter()
            .map(|m| (m.from, m.to, m.text.clone()))
            .collect()
    }

    /// The formatting entities the `index`-th message of [`messages`](Self::messages) was
    /// sent with (`messages.sendMessage`'s `entities`, as the client sent them; empty if it
    /// had none). Kept in memory only: a DC restarted from its state file has none.
    pub fn message_entities(&self, index: usize) -> Vec<enums::MessageEntity> {
        let state = self.shared.state();
        let world = &state.world;
        world
            .messages()
            .get(index)
            .map(|m| world.entities(m).to_vec())
            .unwrap_or_default()
    }

    /// Every document stored (uploaded and sent), oldest first.
    pub fn documents(&self) -> Vec<files::Document> {
        let state = self.shared.state();
        let mut docs: Vec<files::Document> = state.world.files().documents().cloned().collect();
        docs.sort_by_key(|d| (d.date, d.file_reference.clone()));
        docs
    }

    /// How many auth keys it has created.
    pub fn auth_key_count(&self) -> usize {
        self.shared.keys().len()
    }
}

impl Drop for TestDc {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor so it sees the flag.
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
        if let Some(p) = &self.shared.persister {
            p.flush();
        }
    }
}

/// Queues pushed updates to the session each key takes updates on (`gzip`: packed).
pub(crate) fn deliver(state: &mut State, now: UnixNanos, pushes: &[api::Push], gzip: bool) {
    for push in pushes {
        let Some(&sid) = state.updates_to.get(&push.auth_key_id) else {
            continue;
        };
        if let Some(target) = state.sessions.get_mut(&(push.auth_key_id, sid)) {
            let _ = if gzip {
                target
                    .session
                    .push_update(now, &faults::gzip_packed(&push.update))
            } else {
                target.session.push_update(now, &push.update)
            };
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let conn_shared = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("testdc-conn".into())
            // A session holds its ~10 MiB of buffers inline and is built on the stack before
            // it is boxed; an unoptimized build may hold two copies.
            .stack_size(64 << 20)
            .spawn(move || connection::serve(stream, &conn_shared));
        if let Err(e) = spawned {
            eprintln!("testdc: cannot start a connection thread: {e}");
        }
    }
}
