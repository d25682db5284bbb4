//! Optional persistence: the world and every DC's auth keys in one state file
//! ([`Config::state_file`](crate::Config::state_file), `--state FILE`).
//!
//! # What is kept
//! Accounts (users and bots, tokens, usernames, phones, home DCs, 2FA verifiers and hints),
//! which auth key is logged in as whom, issued login-code hashes, pending 2FA logins and
//! exported authorizations, every message with each user's box (ids and `pts`), uploads in
//! progress and documents, the world's random seed and draw counter, and the auth keys of
//! every DC of the cluster (keys of DCs not started this time are kept and written back).
//! Not kept: encrypted sessions (a client's next message opens a new one, as after a server
//! restart on Telegram), SRP challenges (call `account.getPassword` again), fault knobs, and
//! the cluster's ports (they come from the new start).
//!
//! # When it is written
//! Debounced: a change (an API call, a new auth key, a [`TestDc`](crate::TestDc) method that
//! changes the world) marks the state dirty; a background thread writes it at most every
//! [`SAVE_INTERVAL`] (200 ms), and dropping a [`TestDc`](crate::TestDc) writes what is still
//! pending. A process killed outright loses at most the last 200 ms of changes. Every write
//! goes to `FILE.tmp`, is synced, then renamed over `FILE`, so the file is always either the
//! old state or the new one, never half of each.
//!
//! # Format (version [`FORMAT_VERSION`])
//! `b"FGTDCST\0"`, the format version (u32 LE), the body length (u64 LE), the body, and the
//! SHA-256 of everything before it. The body is a hand-written little-endian encoding
//! (lengths as u32; documents' attributes as TL bytes). A file that is not one, from another
//! version, cut short or changed gets a [`StateError`] naming the file; the DC then refuses to
//! start and leaves the file as it is.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::world::World;
use crate::{State, StoredKey};

/// The file's first bytes.
pub const MAGIC: [u8; 8] = *b"FGTDCST\0";
/// The format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// At most this often the state is written while it changes.
pub const SAVE_INTERVAL: Duration = Duration::from_millis(200);

const HEADER_LEN: usize = 8 + 4 + 8;
const HASH_LEN: usize = 32;

/// Why a state file cannot be loaded or written. Each names the file; delete a file that
/// cannot be loaded to start fresh (or point `--state` elsewhere).
#[derive(Debug)]
pub enum StateError {
    /// Reading or writing failed.
    Io {
        /// The state file.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// It does not start with the test DC's magic bytes: not a state file.
    NotAStateFile {
        /// The file.
        path: PathBuf,
    },
    /// Written by a test DC with another format version.
    Version {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
        /// The one this build reads.
        supported: u32,
    },
    /// Shorter than its header says (a write cut short, or a copied fragment).
    Truncated {
        /// The file.
        path: PathBuf,
        /// Its length, bytes.
        len: u64,
        /// The length its header implies.
        expected: u64,
    },
    /// Longer than its header says.
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// Its length, bytes.
        len: u64,
        /// The length its header implies.
        expected: u64,
    },
    /// The checksum does not match: the bytes were changed.
    Checksum {
        /// The file.
        path: PathBuf,
    },
    /// The checksum matches but the content does not parse (a bug, or a hand-made file).
    Malformed {
        /// The file.
        path: PathBuf,
        /// The body offset where parsing stopped.
        at: usize,
        /// What was wrong there.
        what: String,
    },
}

impl StateError {
    /// The state file concerned.
    pub fn path(&self) -> &Path {
        match self {
            Self::Io { path, .. }
            | Self::NotAStateFile { path }
            | Self::Version { path, .. }
            | Self::Truncated { path, .. }
            | Self::TrailingBytes { path, .. }
            | Self::Checksum { path }
            | Self::Malformed { path, .. } => path,
        }
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.path().display();
        match self {
            Self::Io { source, .. } => write!(f, "state file {p}: {source}"),
            Self::NotAStateFile { .. } => write!(
                f,
                "state file {p} is not a test DC state file (no `FGTDCST` header); delete it \
                 or pass another --state file"
            ),
            Self::Version {
                found, supported, ..
            } => write!(
                f,
                "state file {p} has format version {found}, this test DC reads version \
                 {supported}; delete it to start fresh"
            ),
            Self::Truncated { len, expected, .. } => write!(
                f,
                "state file {p} is cut short: {len} bytes, its header says {expected}; delete \
                 it to start fresh"
            ),
            Self::TrailingBytes { len, expected, .. } => write!(
                f,
                "state file {p} has {len} bytes, its header says {expected}; delete it to \
                 start fresh"
            ),
            Self::Checksum { .. } => write!(
                f,
                "state file {p} is corrupt (its SHA-256 checksum does not match); delete it \
                 to start fresh"
            ),
            Self::Malformed { at, what, .. } => write!(
                f,
                "state file {p} does not parse at body byte {at}: {what}; delete it to start \
                 fresh"
            ),
        }
    }
}

impl std::error::Error for StateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Where decoding a body stopped, and why.
#[derive(Debug)]
pub(crate) struct Malformed {
    pub(crate) at: usize,
    pub(crate) what: String,
}

/// Appends the body's little-endian fields.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub(crate) fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// A count or length (u32; the test DC's collections are far smaller).
    pub(crate) fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    pub(crate) fn bytes(&mut self, v: &[u8]) {
        self.len(v.len());
        self.buf.extend_from_slice(v);
    }
    pub(crate) fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }
    pub(crate) fn fixed(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(v);
    }
    pub(crate) fn opt<T>(&mut self, v: Option<T>, mut each: impl FnMut(&mut Self, T)) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                each(self, v);
            }
        }
    }
}

/// Reads the body's fields; every read checks bounds.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, at: 0 }
    }
    pub(crate) fn err<T>(&self, what: impl Into<String>) -> Result<T, Malformed> {
        Err(Malformed {
            at: self.at,
            what: what.into(),
        })
    }
    pub(crate) fn fixed(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        match self.buf.get(self.at..self.at.saturating_add(n)) {
            Some(s) if self.at.checked_add(n).is_some() => {
                self.at += n;
                Ok(s)
            }
            _ => self.err(format!("{n} bytes needed, the body ends")),
        }
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        let s = self.fixed(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }
    pub(crate) fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(self.array::<1>()?[0])
    }
    pub(crate) fn bool(&mut self) -> Result<bool, Malformed> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => self.err(format!("{b} is not a boolean")),
        }
    }
    pub(crate) fn u32(&mut self) -> Result<u32, Malformed> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub(crate) fn i32(&mut self) -> Result<i32, Malformed> {
        Ok(i32::from_le_bytes(self.array()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, Malformed> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub(crate) fn i64(&mut self) -> Result<i64, Malformed> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    pub(crate) fn len(&mut self) -> Result<usize, Malformed> {
        Ok(self.u32()? as usize)
    }
    pub(crate) fn bytes(&mut self) -> Result<Vec<u8>, Malformed> {
        let n = self.len()?;
        Ok(self.fixed(n)?.to_vec())
    }
    pub(crate) fn str(&mut self) -> Result<String, Malformed> {
        let at = self.at;
        String::from_utf8(self.bytes()?).map_err(|_| Malformed {
            at,
            what: "a string is not UTF-8".into(),
        })
    }
    pub(crate) fn array_n<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        self.array()
    }
    pub(crate) fn opt<T>(
        &mut self,
        each: impl FnOnce(&mut Self) -> Result<T, Malformed>,
    ) -> Result<Option<T>, Malformed> {
        match self.u8()? {
            0 => Ok(None),
            1 => each(self).map(Some),
            b => self.err(format!("{b} is not an option tag")),
        }
    }
    pub(crate) fn done(&self) -> Result<(), Malformed> {
        if self.at == self.buf.len() {
            Ok(())
        } else {
            self.err(format!("{} bytes left over", self.buf.len() - self.at))
        }
    }
}

/// A DC's auth keys, shared between its connections and the persister.
pub(crate) type KeyMap = Arc<Mutex<HashMap<u64, StoredKey>>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a state file holds.
pub(crate) struct Loaded {
    pub(crate) world: World,
    /// Per DC id, its auth keys by id.
    pub(crate) keys: Vec<(i32, HashMap<u64, StoredKey>)>,
}

fn write_key(w: &mut Writer, id: u64, k: &StoredKey) {
    w.u64(id);
    w.fixed(&k.auth_key);
    w.i64(k.first_salt);
    w.opt(k.requested_dc, Writer::i32);
    w.opt(k.expires_in, Writer::i32);
}

fn read_key(r: &mut Reader<'_>) -> Result<(u64, StoredKey), Malformed> {
    let id = r.u64()?;
    let auth_key: [u8; 256] = r.array_n()?;
    let key = StoredKey {
        auth_key,
        first_salt: r.i64()?,
        requested_dc: r.opt(Reader::i32)?,
        expires_in: r.opt(Reader::i32)?,
    };
    let real = ferrogram_mtproto_proto::crypto::message_key::AuthKey::new(auth_key).id_u64();
    if real != id {
        return r.err(format!("auth key stored as {id:#018x} has id {real:#018x}"));
    }
    Ok((id, key))
}

/// Encodes a whole state file: header, body, checksum.
fn encode(world: &World, keys: &[(i32, Vec<(u64, StoredKey)>)]) -> Vec<u8> {
    let mut w = Writer::default();
    world.write_state(&mut w);
    w.len(keys.len());
    for (dc, list) in keys {
        w.i32(*dc);
        w.len(list.len());
        for (id, k) in list {
            write_key(&mut w, *id, k);
        }
    }
    let body = w.buf;
    let mut out = Vec::with_capacity(HEADER_LEN + body.len() + HASH_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    let hash: [u8; 32] = Sha256::digest(&out).into();
    out.extend_from_slice(&hash);
    out
}

/// Decodes a whole state file (`path` only names it in errors).
pub(crate) fn decode(path: &Path, file: &[u8], upload_limit: usize) -> Result<Loaded, StateError> {
    let path_buf = || path.to_path_buf();
    if file.len() < MAGIC.len() || file[..MAGIC.len()] != MAGIC {
        return Err(StateError::NotAStateFile { path: path_buf() });
    }
    let len = file.len() as u64;
    if file.len() < HEADER_LEN {
        return Err(StateError::Truncated {
            path: path_buf(),
            len,
            expected: (HEADER_LEN + HASH_LEN) as u64,
        });
    }
    let version = u32::from_le_bytes([file[8], file[9], file[10], file[11]]);
    if version != FORMAT_VERSION {
        return Err(StateError::Version {
            path: path_buf(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let mut body_len = [0u8; 8];
    body_len.copy_from_slice(&file[12..20]);
    let body_len = u64::from_le_bytes(body_len);
    let expected = body_len.saturating_add((HEADER_LEN + HASH_LEN) as u64);
    if len < expected {
        return Err(StateError::Truncated {
            path: path_buf(),
            len,
            expected,
        });
    }
    if len > expected {
        return Err(StateError::TrailingBytes {
            path: path_buf(),
            len,
            expected,
        });
    }
    let (signed, hash) = file.split_at(file.len() - HASH_LEN);
    let real: [u8; 32] = Sha256::digest(signed).into();
    if real[..] != *hash {
        return Err(StateError::Checksum { path: path_buf() });
    }
    let malformed = |m: Malformed| StateError::Malformed {
        path: path_buf(),
        at: m.at,
        what: m.what,
    };
    let mut r = Reader::new(&signed[HEADER_LEN..]);
    let world = World::read_state(&mut r, upload_limit).map_err(malformed)?;
    let mut keys = Vec::new();
    let body = (|| {
        for _ in 0..r.len()? {
            let dc = r.i32()?;
            let mut map = HashMap::new();
            for _ in 0..r.len()? {
                let (id, k) = read_key(&mut r)?;
                map.insert(id, k);
            }
            keys.push((dc, map));
        }
        r.done()
    })();
    body.map_err(malformed)?;
    Ok(Loaded { world, keys })
}

/// Reads the state file at `path`: `Ok(None)` if there is none.
pub(crate) fn load(path: &Path, upload_limit: usize) -> Result<Option<Loaded>, StateError> {
    match std::fs::read(path) {
        Ok(bytes) => decode(path, &bytes, upload_limit).map(Some),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StateError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes `bytes` to `path` through `path.tmp`: written, synced, renamed.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    // Make the rename itself durable (best effort: not every platform opens directories).
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Keeps one state file up to date for a cluster.
pub(crate) struct Persister {
    path: PathBuf,
    dirty: AtomicBool,
    state: Arc<Mutex<State>>,
    /// The running DCs' keys.
    keys: Vec<(i32, KeyMap)>,
    /// Keys of DCs in the file but not running now: written back unchanged.
    other_keys: Vec<(i32, Vec<(u64, StoredKey)>)>,
    /// One writer at a time (the background thread and a drop may race).
    writing: Mutex<()>,
}

impl Persister {
    /// A persister for `path`, dirty (so a fresh state is written soon), and its
    /// background thread.
    pub(crate) fn start(
        path: PathBuf,
        state: Arc<Mutex<State>>,
        keys: Vec<(i32, KeyMap)>,
        other_keys: Vec<(i32, Vec<(u64, StoredKey)>)>,
    ) -> io::Result<Arc<Self>> {
        let this = Arc::new(Self {
            path,
            dirty: AtomicBool::new(true),
            state,
            keys,
            other_keys,
            writing: Mutex::new(()),
        });
        let weak: Weak<Self> = Arc::downgrade(&this);
        std::thread::Builder::new()
            .name("testdc-persist".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(SAVE_INTERVAL);
                    let Some(p) = weak.upgrade() else { return };
                    p.flush();
                }
            })?;
        Ok(this)
    }

    /// Marks the state changed: it is written within [`SAVE_INTERVAL`].
    pub(crate) fn changed(&self) {
        self.dirty.store(true, Ordering::SeqCst);
    }

    /// Writes the state now if it changed since the last write; a failure is printed and
    /// the state stays dirty (the next tick tries again).
    pub(crate) fn flush(&self) {
        if self.dirty.swap(false, Ordering::SeqCst)
            && let Err(e) = self.save()
        {
            self.dirty.store(true, Ordering::SeqCst);
            eprintln!("testdc: {e}");
        }
    }

    /// Writes the state now.
    pub(crate) fn save(&self) -> Result<(), StateError> {
        let _writing = lock(&self.writing);
        let bytes = {
            // World first, then each DC's keys (no other code holds a key map while taking
            // the world).
            let state = lock(&self.state);
            let mut keys: Vec<(i32, Vec<(u64, StoredKey)>)> = self
                .keys
                .iter()
                .map(|(dc, map)| {
                    let mut list: Vec<_> =
                        lock(map).iter().map(|(id, k)| (*id, k.clone())).collect();
                    list.sort_unstable_by_key(|(id, _)| *id);
                    (*dc, list)
                })
                .collect();
            keys.extend(self.other_keys.iter().cloned());
            keys.sort_unstable_by_key(|(dc, _)| *dc);
            encode(&state.world, &keys)
        };
        write_atomically(&self.path, &bytes).map_err(|source| StateError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::FileRef;
    use ferrogram_tl_types::{enums, types};

    fn attrs() -> Vec<enums::DocumentAttribute> {
        vec![enums::DocumentAttribute::Filename(
            types::DocumentAttributeFilename {
                file_name: "report.txt".into(),
            },
        )]
    }

    /// A world with something in every persisted part, through a file and back.
    #[test]
    fn everything_persisted_comes_back() {
        let mut w = World::new();
        w.set_seed([7; 32]);
        let (bot, token) = w.create_bot("Round", "round_bot");
        let bob = w.create_user("Bob", "+1 555 000 0002");
        w.set_password(bob, Some("hunter2"), Some("the usual"));
        w.set_home_dc(bob, 3);
        w.log_in(0x11, bot);
        w.begin_2fa(0x22, bob);
        let hash = w.send_code("15550000002");
        let exported = w.export_authorization(bot, 4);
        w.files_mut().save_part(bot, 5, 0, None, b"hello").unwrap();
        let file = FileRef {
            id: 5,
            parts: 1,
            md5_checksum: "",
        };
        let doc = w
            .files_mut()
            .make_document(2, bot, &file, 1000, "text/plain", attrs())
            .unwrap()
            .clone();
        w.files_mut()
            .save_part(bot, 6, 0, Some(3), &[1; 1024])
            .unwrap();
        w.send_with(
            bot,
            crate::world::FIRST_USER_ID,
            1001,
            "see file",
            Some(doc.id),
        );
        w.send(bob, bot, 1002, "hi");

        let keys = vec![(
            2,
            vec![(
                key_id(&[9; 256]),
                StoredKey {
                    auth_key: [9; 256],
                    first_salt: -5,
                    requested_dc: Some(2),
                    expires_in: Some(3600),
                },
            )],
        )];
        let bytes = encode(&w, &keys);
        let back = decode(Path::new("mem"), &bytes, 1 << 20).unwrap();
        let r = &back.world;
        for id in [crate::world::FIRST_USER_ID, bot, bob] {
            assert_eq!(r.account(id), w.account(id));
        }
        assert_eq!(r.bot_by_token(&token), Some(bot));
        assert_eq!(r.logged_in(0x11), Some(bot));
        assert_eq!(r.pending_2fa(0x22), Some(bob));
        assert_eq!(r.code_phone(&hash), Some("15550000002"));
        assert_eq!(
            r.password(bob).unwrap().verifier,
            w.password(bob).unwrap().verifier
        );
        assert_eq!(r.password(bob).unwrap().hint.as_deref(), Some("the usual"));
        assert_eq!(r.messages(), w.messages());
        for user in [crate::world::FIRST_USER_ID, bot, bob] {
            assert_eq!(r.pts(user), w.pts(user));
            assert_eq!(r.box_messages(user), w.box_messages(user));
        }
        assert_eq!(r.files().document(doc.id), Some(&doc));
        assert_eq!(r.files().stored(), w.files().stored());
        assert_eq!(r.files().limit(), 1 << 20);
        // The seed and draw counter continue: the next draw is the same in both.
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        let mut w2 = w;
        let mut r2 = back.world;
        w2.random_bytes(&mut a);
        r2.random_bytes(&mut b);
        assert_eq!(a, b);
        assert_eq!(r2.import_authorization(bot, &exported, 4), Some(bot));
        // The upload in progress is still there: its last part completes it.
        r2.files_mut()
            .save_part(bot, 6, 2, Some(3), &[3; 10])
            .unwrap();
        r2.files_mut()
            .save_part(bot, 6, 1, Some(3), &[2; 1024])
            .unwrap();
        let big = FileRef {
            id: 6,
            parts: 3,
            md5_checksum: "",
        };
        let made = r2
            .files_mut()
            .make_document(2, bot, &big, 1003, "x/y", attrs())
            .unwrap();
        assert_eq!(made.data.len(), 2048 + 10);
        assert_eq!(back.keys.len(), 1);
        assert_eq!(back.keys[0].0, 2);
        let k = &back.keys[0].1[&key_id(&[9; 256])];
        assert_eq!(
            (k.first_salt, k.requested_dc, k.expires_in),
            (-5, Some(2), Some(3600))
        );
    }

    #[test]
    fn a_key_stored_under_the_wrong_id_is_malformed() {
        let keys = vec![(
            2,
            vec![(
                1,
                StoredKey {
                    auth_key: [9; 256],
                    first_salt: 0,
                    requested_dc: None,
                    expires_in: None,
                },
            )],
        )];
        let bytes = encode(&World::new(), &keys);
        let e = decode(Path::new("mem"), &bytes, 1 << 20).err().unwrap();
        assert!(
            matches!(&e, StateError::Malformed { what, .. } if what.contains("has id")),
            "{e:?}"
        );
    }

    fn key_id(key: &[u8; 256]) -> u64 {
        ferrogram_mtproto_proto::crypto::message_key::AuthKey::new(*key).id_u64()
    }
}
