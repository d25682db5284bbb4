//! What the test DC knows: users and bots, which auth keys are logged in as whom, bot
//! tokens, the messages sent (each user's box: message ids and the update counter, `pts`, as
//! Telegram numbers private chats), and uploaded files ([`Files`]).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use ferrogram_tl_types::enums;

use crate::files::Files;
use crate::persist::{Malformed, Reader, Writer};
use crate::srp::{Challenge, SRP_BYTES, Verifier};

/// A user or bot account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The user id.
    pub id: i64,
    /// The access hash clients must present (bots may present 0, as on Telegram).
    pub access_hash: i64,
    /// First name.
    pub first_name: String,
    /// Username without `@`, if any.
    pub username: Option<String>,
    /// Phone number (digits), for users.
    pub phone: Option<String>,
    /// Whether this is a bot.
    pub bot: bool,
    /// Its home DC ([`DEFAULT_HOME_DC`] unless changed): in a cluster, the DC that serves
    /// its API calls and its login (`USER_MIGRATE_X`, `PHONE_MIGRATE_X` elsewhere).
    pub home_dc: i32,
}

/// Every account's home DC unless changed: DC 2, where clients start.
pub const DEFAULT_HOME_DC: i32 = 2;

/// A stored private message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMessage {
    /// The message id in the sender's box.
    pub id: i32,
    /// Sender.
    pub from: i64,
    /// Recipient.
    pub to: i64,
    /// Unix time it was sent.
    pub date: i32,
    /// Text (a caption, for media).
    pub text: String,
    /// The document it carries, if any (an id in [`Files`]).
    pub document: Option<i64>,
}

/// The test DC's state (in memory).
#[derive(Debug, Default)]
pub struct World {
    accounts: BTreeMap<i64, Account>,
    tokens: HashMap<String, i64>,
    logins: HashMap<u64, i64>,
    /// phone_code_hash → phone, for codes "sent".
    code_hashes: HashMap<String, String>,
    /// Per user: the last message id and the update counter.
    boxes: HashMap<i64, (i32, i32)>,
    messages: Vec<StoredMessage>,
    /// Per user: (message id in their box, pts after it, index into `messages`).
    box_log: HashMap<i64, Vec<BoxEntry>>,
    next_id: i64,
    files: Files,
    /// Per account with a 2FA password: its verifier and the last challenge handed out.
    passwords: HashMap<i64, Password>,
    /// Auth keys that gave the right login code for an account with a password: the
    /// account they may log in as with `auth.checkPassword`.
    pending_2fa: HashMap<u64, i64>,
    /// The seed of the world's random draws ([`World::random_bytes`]) and the draw counter.
    seed: [u8; 32],
    draws: u64,
    /// The cluster this world is served by: (DC id, port), in id order. Empty for a world
    /// outside a running DC (a single DC is never told to send clients elsewhere).
    dcs: Vec<(i32, u16)>,
    /// `help.getConfig` says `test_mode` (Telegram's test environment); set per start.
    test_mode: bool,
    /// (sender, random_id) of sent text messages: where each landed, its date and text, so
    /// a repeated `random_id` (a client re-sending after a lost answer) is not stored twice.
    /// Kept in memory only.
    random_ids: IdMap<(i64, i64), (Sent, i32, i64, String)>,
    /// `auth.exportAuthorization` tokens not yet imported: bytes → (user, target DC).
    exported: HashMap<Vec<u8>, (i64, i32)>,
    /// The entities `messages.sendMessage` gave, by (sender, message id in the sender's
    /// box); messages sent without any have no entry. Kept in memory only: not persisted.
    entities: HashMap<(i64, i32), Vec<enums::MessageEntity>>,
}

/// A 2FA password as the DC keeps it.
#[derive(Clone, Debug)]
pub struct Password {
    /// Salts and `v`.
    pub verifier: Verifier,
    /// The hint shown to the user, if any.
    pub hint: Option<String>,
    /// The challenge the last `account.getPassword` issued (the only `srp_id` accepted).
    pub challenge: Option<Challenge>,
}

/// Hashes the (sender, random_id) keys of every sent message with a multiply per field
/// instead of SipHash (a tenth of the DC's time per `messages.sendMessage` went to hashing).
/// The DC serves 127.0.0.1: there is no one to flood it with colliding ids.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct IdHasher(u64);

/// A map keyed by ids, hashed with [`IdHasher`].
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

impl IdHasher {
    fn mix(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(26) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.mix(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_i64(&mut self, n: i64) {
        self.mix(n as u64);
    }
}

/// The user every fresh test DC has, so a bot has someone to write to.
pub const FIRST_USER_ID: i64 = 1_000_001;

impl World {
    /// A world with one user, "Alice" (`@alice`, id [`FIRST_USER_ID`]), storing at most
    /// [`DEFAULT_UPLOAD_LIMIT`](crate::files::DEFAULT_UPLOAD_LIMIT) bytes of uploads.
    pub fn new() -> Self {
        Self::with_upload_limit(crate::files::DEFAULT_UPLOAD_LIMIT)
    }

    /// A world with Alice that stores at most `limit` bytes of uploads (parts and
    /// documents).
    pub fn with_upload_limit(limit: usize) -> Self {
        let mut w = World {
            next_id: FIRST_USER_ID,
            files: Files::new(limit),
            ..World::default()
        };
        w.add_account("Alice", Some("alice"), Some("15550000001"), false);
        w
    }

    /// Sets the seed of the random draws (salts, SRP secrets). A fresh world's seed is all
    /// zeros, so API tests are deterministic; [`TestDc`](crate::TestDc) seeds it from the OS.
    pub fn set_seed(&mut self, seed: [u8; 32]) {
        self.seed = seed;
    }

    /// Fills `out` with bytes derived from the seed and a counter (SHA-256 blocks): the
    /// world's only source of randomness, so the API stays a function of the world.
    pub fn random_bytes(&mut self, out: &mut [u8]) {
        use sha2::{Digest, Sha256};
        for chunk in out.chunks_mut(32) {
            self.draws += 1;
            let block: [u8; 32] = Sha256::new()
                .chain_update(self.seed)
                .chain_update(self.draws.to_le_bytes())
                .finalize()
                .into();
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }

    /// Gives `user` a 2FA password (fresh random salts; `None` removes it).
    pub fn set_password(&mut self, user: i64, password: Option<&str>, hint: Option<&str>) {
        let Some(password) = password else {
            self.passwords.remove(&user);
            return;
        };
        // Telegram's salt1 is 8 server bytes plus 32 the client appended; salt2 is 16.
        let (mut salt1, mut salt2) = (vec![0u8; 40], vec![0u8; 16]);
        self.random_bytes(&mut salt1);
        self.random_bytes(&mut salt2);
        self.passwords.insert(
            user,
            Password {
                verifier: Verifier::new(password, salt1, salt2),
                hint: hint.map(Into::into),
                challenge: None,
            },
        );
    }

    /// `user`'s 2FA password, if set.
    pub fn password(&self, user: i64) -> Option<&Password> {
        self.passwords.get(&user)
    }

    /// Issues a new SRP challenge for `user` (replacing the last; `None` without a password).
    pub fn new_challenge(&mut self, user: i64) -> Option<Challenge> {
        let mut b = [0u8; SRP_BYTES];
        self.random_bytes(&mut b);
        let mut id = [0u8; 8];
        self.random_bytes(&mut id);
        let pw = self.passwords.get_mut(&user)?;
        let challenge = Challenge::new(&pw.verifier, i64::from_le_bytes(id), &b);
        pw.challenge = Some(challenge.clone());
        Some(challenge)
    }

    /// Forgets `user`'s SRP challenge (a proof is good for one login).
    pub fn end_challenge(&mut self, user: i64) {
        if let Some(pw) = self.passwords.get_mut(&user) {
            pw.challenge = None;
        }
    }

    /// Records that `auth_key_id` gave the right code for `user`, who has a password.
    pub fn begin_2fa(&mut self, auth_key_id: u64, user: i64) {
        self.pending_2fa.insert(auth_key_id, user);
    }

    /// The account `auth_key_id` is signing in to, awaiting its password.
    pub fn pending_2fa(&self, auth_key_id: u64) -> Option<i64> {
        self.pending_2fa.get(&auth_key_id).copied()
    }

    /// Sets the cluster's DCs: (id, port) each. With more than one, accounts are served at
    /// their home DC only, and documents at the DC they are stored on.
    pub fn set_dcs(&mut self, mut dcs: Vec<(i32, u16)>) {
        dcs.sort_unstable();
        self.dcs = dcs;
    }

    /// The message `from` already sent with `random_id`: where it landed, its date, its
    /// recipient and its text.
    pub fn sent_with_random_id(
        &self,
        from: i64,
        random_id: i64,
    ) -> Option<&(Sent, i32, i64, String)> {
        self.random_ids.get(&(from, random_id))
    }

    /// Remembers that `from`'s message with `random_id` landed as `sent`.
    pub fn remember_random_id(
        &mut self,
        from: i64,
        random_id: i64,
        sent: Sent,
        date: i32,
        to: i64,
        text: &str,
    ) {
        self.random_ids
            .insert((from, random_id), (sent, date, to, text.to_string()));
    }

    /// Whether `help.getConfig` says `test_mode` (Telegram's test environment).
    pub fn set_test_mode(&mut self, on: bool) {
        self.test_mode = on;
    }

    /// See [`set_test_mode`](Self::set_test_mode).
    pub fn test_mode(&self) -> bool {
        self.test_mode
    }

    /// The cluster's DCs: (id, port), in id order (empty outside a running DC).
    pub fn dcs(&self) -> &[(i32, u16)] {
        &self.dcs
    }

    /// Whether DC `id` is part of a cluster of several DCs (so clients may be sent to it).
    pub fn has_dc(&self, id: i32) -> bool {
        self.dcs.len() > 1 && self.dcs.iter().any(|(d, _)| *d == id)
    }

    /// Moves `user` to home DC `dc_id`.
    pub fn set_home_dc(&mut self, user: i64, dc_id: i32) {
        if let Some(acc) = self.accounts.get_mut(&user) {
            acc.home_dc = dc_id;
        }
    }

    /// Records an `auth.exportAuthorization` of `user` for DC `to`; returns the token bytes.
    pub fn export_authorization(&mut self, user: i64, to: i32) -> Vec<u8> {
        let mut bytes = vec![0u8; 128];
        self.random_bytes(&mut bytes);
        self.exported.insert(bytes.clone(), (user, to));
        bytes
    }

    /// Takes an exported authorization: the user, if `bytes` were exported for `user` to DC
    /// `at` (each token imports once).
    pub fn import_authorization(&mut self, user: i64, bytes: &[u8], at: i32) -> Option<i64> {
        match self.exported.get(bytes) {
            Some(&(u, to)) if u == user && to == at => {
                self.exported.remove(bytes);
                Some(u)
            }
            _ => None,
        }
    }

    /// Uploads and documents.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// Uploads and documents, to change.
    pub fn files_mut(&mut self) -> &mut Files {
        &mut self.files
    }

    fn add_account(
        &mut self,
        first_name: &str,
        username: Option<&str>,
        phone: Option<&str>,
        bot: bool,
    ) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        // Deterministic but not guessable from the id alone by a careless client.
        let access_hash = (id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) as i64;
        self.accounts.insert(
            id,
            Account {
                id,
                access_hash,
                first_name: first_name.into(),
                username: username.map(Into::into),
                phone: phone.map(Into::into),
                bot,
                home_dc: DEFAULT_HOME_DC,
            },
        );
        id
    }

    /// Creates a bot and returns its id and token (`<id>:<secret>`, as BotFather's).
    pub fn create_bot(&mut self, first_name: &str, username: &str) -> (i64, String) {
        let id = self.add_account(first_name, Some(username), None, true);
        let token = format!(
            "{id}:TESTDC{:016x}",
            (id as u64).wrapping_mul(0x2545_f491_4f6c_dd1d)
        );
        self.tokens.insert(token.clone(), id);
        (id, token)
    }

    /// A bot's token.
    pub fn bot_token(&self, bot: i64) -> Option<String> {
        self.tokens
            .iter()
            .find(|(_, id)| **id == bot)
            .map(|(t, _)| t.clone())
    }

    /// Creates a user account with a phone number (digits only); returns its id.
    pub fn create_user(&mut self, first_name: &str, phone: &str) -> i64 {
        self.add_account(first_name, None, Some(phone), false)
    }

    /// The user with this phone number (digits; `+` and spaces ignored).
    pub fn user_by_phone(&self, phone: &str) -> Option<i64> {
        let phone = normalize_phone(phone);
        self.accounts
            .values()
            .find(|a| a.phone.as_deref() == Some(phone.as_str()))
            .map(|a| a.id)
    }

    /// Records a login code "sent" to `phone`; returns its `phone_code_hash`.
    pub fn send_code(&mut self, phone: &str) -> String {
        let phone = normalize_phone(phone);
        let hash = format!(
            "{:016x}",
            (self.code_hashes.len() as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        );
        self.code_hashes.insert(hash.clone(), phone);
        hash
    }

    /// The phone a `phone_code_hash` was issued for.
    pub fn code_phone(&self, hash: &str) -> Option<&str> {
        self.code_hashes.get(hash).map(String::as_str)
    }

    /// The account with this id.
    pub fn account(&self, id: i64) -> Option<&Account> {
        self.accounts.get(&id)
    }

    /// The account with this username (without `@`; case does not matter, as on Telegram).
    pub fn account_by_username(&self, username: &str) -> Option<&Account> {
        self.accounts.values().find(|a| {
            a.username
                .as_deref()
                .is_some_and(|u| u.eq_ignore_ascii_case(username))
        })
    }

    /// The account a bot token belongs to.
    pub fn bot_by_token(&self, token: &str) -> Option<i64> {
        self.tokens.get(token).copied()
    }

    /// Logs an auth key in as `user`.
    pub fn log_in(&mut self, auth_key_id: u64, user: i64) {
        self.pending_2fa.remove(&auth_key_id);
        self.logins.insert(auth_key_id, user);
    }

    /// Logs an auth key out.
    pub fn log_out(&mut self, auth_key_id: u64) {
        self.logins.remove(&auth_key_id);
    }

    /// Who an auth key is logged in as.
    pub fn logged_in(&self, auth_key_id: u64) -> Option<i64> {
        self.logins.get(&auth_key_id).copied()
    }

    /// The auth keys logged in as `user`.
    pub fn keys_of(&self, user: i64) -> Vec<u64> {
        let mut keys: Vec<u64> = self
            .logins
            .iter()
            .filter(|(_, u)| **u == user)
            .map(|(k, _)| *k)
            .collect();
        keys.sort_unstable();
        keys
    }

    /// `user`'s update counter (`pts`).
    pub fn pts(&self, user: i64) -> i32 {
        self.boxes.get(&user).map_or(0, |b| b.1)
    }

    /// Stores a text message; returns its id and the sender's and recipient's new `pts` and
    /// the recipient's message id.
    pub fn send(&mut self, from: i64, to: i64, date: i32, text: &str) -> Sent {
        self.send_with(from, to, date, text, None)
    }

    /// Stores a message with an optional document (an id in [`Files`]) and caption.
    pub fn send_with(
        &mut self,
        from: i64,
        to: i64,
        date: i32,
        text: &str,
        document: Option<i64>,
    ) -> Sent {
        let (from_id, from_pts) = {
            let b = self.boxes.entry(from).or_default();
            b.0 += 1;
            b.1 += 1;
            *b
        };
        let (to_id, to_pts) = if to == from {
            (from_id, from_pts)
        } else {
            let b = self.boxes.entry(to).or_default();
            b.0 += 1;
            b.1 += 1;
            *b
        };
        let index = self.messages.len();
        self.box_log.entry(from).or_default().push(BoxEntry {
            id: from_id,
            pts: from_pts,
            index,
        });
        if to != from {
            self.box_log.entry(to).or_default().push(BoxEntry {
                id: to_id,
                pts: to_pts,
                index,
            });
        }
        self.messages.push(StoredMessage {
            id: from_id,
            from,
            to,
            date,
            text: text.into(),
            document,
        });
        Sent {
            id: from_id,
            pts: from_pts,
            recipient_id: to_id,
            recipient_pts: to_pts,
        }
    }

    /// `user`'s messages after update counter `pts`: (id in their box, the message).
    pub fn messages_after(&self, user: i64, pts: i32) -> Vec<(i32, &StoredMessage)> {
        self.box_log
            .get(&user)
            .into_iter()
            .flatten()
            .filter(|e| e.pts > pts)
            .filter_map(|e| self.messages.get(e.index).map(|m| (e.id, m)))
            .collect()
    }

    /// `user`'s box: (id in their box, the message), oldest first.
    pub fn box_messages(&self, user: i64) -> Vec<(i32, &StoredMessage)> {
        self.box_log
            .get(&user)
            .into_iter()
            .flatten()
            .filter_map(|e| self.messages.get(e.index).map(|m| (e.id, m)))
            .collect()
    }

    /// The message with id `id` in `user`'s box.
    pub fn box_message(&self, user: i64, id: i32) -> Option<&StoredMessage> {
        let log = self.box_log.get(&user)?;
        let at = log.binary_search_by_key(&id, |e| e.id).ok()?;
        self.messages.get(log[at].index)
    }

    /// `user`'s private chat with `peer`: (id in `user`'s box, the message), oldest first.
    pub fn history(&self, user: i64, peer: i64) -> Vec<(i32, &StoredMessage)> {
        self.box_messages(user)
            .into_iter()
            .filter(|(_, m)| m.peer_for(user) == peer)
            .collect()
    }

    /// `user`'s dialogs: for each peer they have talked with, the newest message (id in
    /// their box, the message); newest dialog first.
    pub fn dialogs(&self, user: i64) -> Vec<(i32, &StoredMessage)> {
        let mut top: HashMap<i64, (i32, &StoredMessage)> = HashMap::new();
        for (id, m) in self.box_messages(user) {
            top.insert(m.peer_for(user), (id, m));
        }
        let mut out: Vec<_> = top.into_values().collect();
        out.sort_by_key(|(id, m)| std::cmp::Reverse((m.date, *id)));
        out
    }

    /// Every stored message, oldest first.
    pub fn messages(&self) -> &[StoredMessage] {
        &self.messages
    }

    /// Keeps the formatting entities the last stored message was sent with.
    pub fn set_last_entities(&mut self, entities: Vec<enums::MessageEntity>) {
        if let Some(m) = self.messages.last() {
            let key = (m.from, m.id);
            if entities.is_empty() {
                self.entities.remove(&key);
            } else {
                self.entities.insert(key, entities);
            }
        }
    }

    /// The formatting entities `m` was sent with, as the client sent them (empty if none;
    /// not kept across a restart).
    pub fn entities(&self, m: &StoredMessage) -> &[enums::MessageEntity] {
        self.entities
            .get(&(m.from, m.id))
            .map_or(&[], Vec::as_slice)
    }
}

impl StoredMessage {
    /// The other party of the chat as `user` sees it (`user` itself for Saved Messages).
    pub fn peer_for(&self, user: i64) -> i64 {
        if self.from == user {
            self.to
        } else {
            self.from
        }
    }
}

/// One message in one user's box.
#[derive(Clone, Copy, Debug)]
struct BoxEntry {
    id: i32,
    pts: i32,
    index: usize,
}

/// Where a sent message landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    /// Its id in the sender's box.
    pub id: i32,
    /// The sender's `pts` after it.
    pub pts: i32,
    /// Its id in the recipient's box.
    pub recipient_id: i32,
    /// The recipient's `pts` after it.
    pub recipient_pts: i32,
}

/// Digits only.
pub fn normalize_phone(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

impl World {
    /// Appends the persistent part of the world to a state-file body (see
    /// [`persist`](crate::persist)): not the cluster's ports, not SRP challenges.
    pub(crate) fn write_state(&self, w: &mut Writer) {
        w.len(self.accounts.len());
        for a in self.accounts.values() {
            w.i64(a.id);
            w.i64(a.access_hash);
            w.str(&a.first_name);
            w.opt(a.username.as_deref(), Writer::str);
            w.opt(a.phone.as_deref(), Writer::str);
            w.bool(a.bot);
            w.i32(a.home_dc);
        }
        let mut tokens: Vec<_> = self.tokens.iter().collect();
        tokens.sort_unstable();
        w.len(tokens.len());
        for (token, id) in tokens {
            w.str(token);
            w.i64(*id);
        }
        let mut logins: Vec<_> = self.logins.iter().collect();
        logins.sort_unstable();
        w.len(logins.len());
        for (key, user) in logins {
            w.u64(*key);
            w.i64(*user);
        }
        let mut hashes: Vec<_> = self.code_hashes.iter().collect();
        hashes.sort_unstable();
        w.len(hashes.len());
        for (hash, phone) in hashes {
            w.str(hash);
            w.str(phone);
        }
        let mut boxes: Vec<_> = self.boxes.iter().collect();
        boxes.sort_unstable();
        w.len(boxes.len());
        for (user, (last_id, pts)) in boxes {
            w.i64(*user);
            w.i32(*last_id);
            w.i32(*pts);
        }
        w.len(self.messages.len());
        for m in &self.messages {
            w.i32(m.id);
            w.i64(m.from);
            w.i64(m.to);
            w.i32(m.date);
            w.str(&m.text);
            w.opt(m.document, Writer::i64);
        }
        let mut logs: Vec<_> = self.box_log.iter().collect();
        logs.sort_unstable_by_key(|(user, _)| **user);
        w.len(logs.len());
        for (user, entries) in logs {
            w.i64(*user);
            w.len(entries.len());
            for e in entries {
                w.i32(e.id);
                w.i32(e.pts);
                w.len(e.index);
            }
        }
        w.i64(self.next_id);
        self.files.write_state(w);
        let mut passwords: Vec<_> = self.passwords.iter().collect();
        passwords.sort_unstable_by_key(|(user, _)| **user);
        w.len(passwords.len());
        for (user, pw) in passwords {
            w.i64(*user);
            w.bytes(&pw.verifier.salt1);
            w.bytes(&pw.verifier.salt2);
            w.fixed(&pw.verifier.v);
            w.opt(pw.hint.as_deref(), Writer::str);
        }
        let mut pending: Vec<_> = self.pending_2fa.iter().collect();
        pending.sort_unstable();
        w.len(pending.len());
        for (key, user) in pending {
            w.u64(*key);
            w.i64(*user);
        }
        w.fixed(&self.seed);
        w.u64(self.draws);
        let mut exported: Vec<_> = self.exported.iter().collect();
        exported.sort_unstable();
        w.len(exported.len());
        for (bytes, (user, dc)) in exported {
            w.bytes(bytes);
            w.i64(*user);
            w.i32(*dc);
        }
    }

    /// Reads what [`write_state`](Self::write_state) wrote; uploads are capped at
    /// `upload_limit` from now on (what is stored stays, even past it).
    pub(crate) fn read_state(r: &mut Reader<'_>, upload_limit: usize) -> Result<Self, Malformed> {
        let mut w = World::default();
        for _ in 0..r.len()? {
            let a = Account {
                id: r.i64()?,
                access_hash: r.i64()?,
                first_name: r.str()?,
                username: r.opt(Reader::str)?,
                phone: r.opt(Reader::str)?,
                bot: r.bool()?,
                home_dc: r.i32()?,
            };
            if w.accounts.insert(a.id, a).is_some() {
                return r.err("an account is listed twice");
            }
        }
        for _ in 0..r.len()? {
            let token = r.str()?;
            w.tokens.insert(token, r.i64()?);
        }
        for _ in 0..r.len()? {
            let key = r.u64()?;
            w.logins.insert(key, r.i64()?);
        }
        for _ in 0..r.len()? {
            let hash = r.str()?;
            w.code_hashes.insert(hash, r.str()?);
        }
        for _ in 0..r.len()? {
            let user = r.i64()?;
            w.boxes.insert(user, (r.i32()?, r.i32()?));
        }
        for _ in 0..r.len()? {
            w.messages.push(StoredMessage {
                id: r.i32()?,
                from: r.i64()?,
                to: r.i64()?,
                date: r.i32()?,
                text: r.str()?,
                document: r.opt(Reader::i64)?,
            });
        }
        for _ in 0..r.len()? {
            let user = r.i64()?;
            let mut entries = Vec::new();
            for _ in 0..r.len()? {
                let e = BoxEntry {
                    id: r.i32()?,
                    pts: r.i32()?,
                    index: r.len()?,
                };
                if e.index >= w.messages.len() {
                    return r.err(format!(
                        "user {user}'s box names message {} of {}",
                        e.index,
                        w.messages.len()
                    ));
                }
                if entries.last().is_some_and(|l: &BoxEntry| l.id >= e.id) {
                    return r.err(format!("user {user}'s box is not in id order"));
                }
                entries.push(e);
            }
            w.box_log.insert(user, entries);
        }
        w.next_id = r.i64()?;
        w.files = Files::read_state(r, upload_limit)?;
        for _ in 0..r.len()? {
            let user = r.i64()?;
            let verifier = Verifier {
                salt1: r.bytes()?,
                salt2: r.bytes()?,
                v: r.array_n()?,
            };
            let hint = r.opt(Reader::str)?;
            w.passwords.insert(
                user,
                Password {
                    verifier,
                    hint,
                    challenge: None,
                },
            );
        }
        for _ in 0..r.len()? {
            let key = r.u64()?;
            w.pending_2fa.insert(key, r.i64()?);
        }
        w.seed = r.array_n()?;
        w.draws = r.u64()?;
        for _ in 0..r.len()? {
            let bytes = r.bytes()?;
            w.exported.insert(bytes, (r.i64()?, r.i32()?));
        }
        Ok(w)
    }
}
