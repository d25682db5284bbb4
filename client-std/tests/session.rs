//! Persistent sessions: the SQLite file round trip and its refusals, the client coming back
//! across process restarts without a new key or login, the one-process lock, and the file
//! surviving `kill -9` at any moment.
//!
//! The cross-process tests re-run this test binary as child processes (`--exact <helper>
//! --ignored`): the helpers are `#[ignore]`d tests that do nothing unless the `FG_*`
//! environment variables a parent sets are there.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ferrogram_client_std::session::{
    Change, DcEntry, KeyInfo, LoggedInUser, MemoryStorage, PeerKind, SCHEMA_VERSION, SessionData,
    SessionError, SqliteStorage, Storage, StoredPeer, UpdateState,
};
use ferrogram_client_std::{Client, ClientBuilder, Error, RsaPublicKey};
use ferrogram_testdc::world::FIRST_USER_ID as ALICE;
use ferrogram_testdc::{Config, TestDc};

const API_HASH: &str = "0123456789abcdef0123456789abcdef";

/// A fresh directory under the target dir for one test's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("session-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn sample() -> SessionData {
    let mut data = SessionData {
        home_dc: 4,
        test_mode: true,
        api_id: Some(4_079_296_058),
        user: Some(LoggedInUser {
            id: 6_287_895_873,
            is_bot: false,
        }),
        update_state: Some(UpdateState {
            pts: 10,
            qts: 0,
            date: 1_790_000_000,
            seq: 2,
        }),
        ..SessionData::default()
    };
    data.dcs.insert(
        4,
        DcEntry {
            key: Some(KeyInfo {
                auth_key: [0x5a; 256],
                first_salt: i64::MIN,
                time_offset: -7,
            }),
            addr: Some("[2001:db8::475]:443".parse().unwrap()),
        },
    );
    data.dcs.insert(
        1,
        DcEntry {
            key: None,
            addr: Some("127.0.0.1:4000".parse().unwrap()),
        },
    );
    // A user and a channel with the same number are two peers.
    for (id, kind, name) in [
        (ALICE, PeerKind::User, Some("alice")),
        (77, PeerKind::Bot, None),
        (5, PeerKind::Chat, None),
        (77, PeerKind::Channel, Some("news")),
    ] {
        let peer = StoredPeer {
            id,
            access_hash: id.wrapping_mul(31),
            kind,
            username: name.map(str::to_owned),
        };
        data.peers.insert(peer.peer_id().marked(), peer);
    }
    assert_eq!(data.peers.len(), 4);
    data
}

#[test]
fn sqlite_and_memory_keep_every_field() {
    let dir = temp_dir("fields");
    let path = dir.join("a.session");
    let data = sample();
    {
        let mut s = SqliteStorage::open(&path).unwrap();
        assert_eq!(s.load().unwrap(), SessionData::default(), "a new file");
        s.apply(&data.to_changes()).unwrap();
        assert_eq!(s.load().unwrap(), data);
    }
    let mut s = SqliteStorage::open(&path).unwrap();
    assert_eq!(s.load().unwrap(), data, "after reopening");

    // Changes one by one, applied the same way by both storages.
    let changes = [
        Change::HomeDc(1),
        Change::Key {
            dc_id: 4,
            key: None,
        },
        Change::Address {
            dc_id: 1,
            addr: None,
        },
        Change::User(None),
        Change::UpdateState(None),
        Change::Peers(vec![StoredPeer {
            id: 77,
            access_hash: 1,
            kind: PeerKind::Bot,
            username: Some("renamed_bot".into()),
        }]),
    ];
    let mut memory = MemoryStorage::with_data(data.clone());
    for c in &changes {
        s.apply(std::slice::from_ref(c)).unwrap();
        memory.apply(std::slice::from_ref(c)).unwrap();
        assert_eq!(s.load().unwrap(), memory.load().unwrap(), "after {c:?}");
    }
    let after = s.load().unwrap();
    assert_eq!(after.home_dc, 1);
    assert_eq!(after.dcs[&4].key, None);
    assert!(
        !after.dcs.contains_key(&1),
        "an entry with nothing left is gone"
    );
    assert_eq!(after.peers[&77].username.as_deref(), Some("renamed_bot"));
    assert_eq!(after.peers.len(), 4);
}

#[test]
fn a_newer_schema_or_a_foreign_file_is_refused() {
    let dir = temp_dir("schema");
    let path = dir.join("new.session");
    drop(SqliteStorage::open(&path).unwrap());
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute("UPDATE version SET version = ?1", [SCHEMA_VERSION + 1])
            .unwrap();
    }
    let e = SqliteStorage::open(&path).unwrap_err();
    assert!(
        matches!(e, SessionError::UnsupportedVersion { found, supported, .. }
            if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{e:?}"
    );
    assert!(e.to_string().contains("upgrade ferrogram"), "{e}");

    // Another program's SQLite database (Telethon's layout, say).
    let other = dir.join("telethon.session");
    {
        let db = rusqlite::Connection::open(&other).unwrap();
        db.execute_batch("CREATE TABLE sessions (dc_id INTEGER PRIMARY KEY, auth_key BLOB);")
            .unwrap();
    }
    let e = SqliteStorage::open(&other).unwrap_err();
    assert!(matches!(e, SessionError::Corrupt { .. }), "{e:?}");

    // Not SQLite at all.
    let text = dir.join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, just some text long enough ".repeat(40),
    )
    .unwrap();
    let e = SqliteStorage::open(&text).unwrap_err();
    assert!(matches!(e, SessionError::Sqlite { .. }), "{e:?}");
    assert!(e.to_string().contains("notes.txt"), "{e}");
}

#[test]
fn a_second_open_in_this_process_is_refused_until_the_first_is_dropped() {
    let dir = temp_dir("lock-here");
    let path = dir.join("a.session");
    let first = SqliteStorage::open(&path).unwrap();
    let started = Instant::now();
    let e = SqliteStorage::open(&path).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refused at once"
    );
    match &e {
        SessionError::InUse { path: p, pid } => {
            assert_eq!(
                (p.as_path(), *pid),
                (path.as_path(), Some(std::process::id()))
            );
        }
        other => panic!("{other:?}"),
    }
    drop(first);
    SqliteStorage::open(&path).expect("free again after drop");
}

// ----- child processes -----

fn child(helper: &str, env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        helper,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// The value after `label ` on the child's stdout (the test harness may have written
/// `test <name> ... ` before it on the same line).
fn field(stdout: &str, label: &str) -> Option<String> {
    let label = format!("{label} ");
    stdout.lines().find_map(|l| {
        let at = l.find(&label)?;
        Some(l[at + label.len()..].trim().to_owned())
    })
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The builder a child uses for the parent's test DC.
fn child_builder() -> Option<ClientBuilder> {
    let addr = env("FG_DC_ADDR")?.parse().unwrap();
    let n = unhex(&env("FG_DC_N")?);
    let key = RsaPublicKey::from_be_bytes(&n, &[1, 0, 1]).unwrap();
    Some(
        Client::builder(1, API_HASH)
            .dc(2, addr)
            .trust_key(key)
            .session_file(env("FG_SESSION")?),
    )
}

#[test]
#[ignore = "a child process of session_reuse_across_process_restarts"]
fn helper_login_bot() {
    let Some(builder) = child_builder() else {
        return;
    };
    let mut c = builder.connect().unwrap();
    let me = c.login_bot(&env("FG_TOKEN").unwrap()).unwrap();
    // Meet Alice, so the next process can message her without meeting her again.
    c.invoke(
        &ferrogram_client_std::tl::functions::contacts::ResolveUsername {
            username: "alice".into(),
            referer: None,
        },
    )
    .unwrap();
    println!("BOT {}", me.id);
    println!("KEY {:016x}", c.connection().auth_key_id());
}

#[test]
#[ignore = "a child process of session_reuse_across_process_restarts"]
fn helper_get_me() {
    let Some(builder) = child_builder() else {
        return;
    };
    let mut c = builder.connect().unwrap();
    let stored = c.logged_in_user().expect("the login was stored");
    println!("STORED {}", stored.id);
    let me = c.get_me().unwrap();
    println!("BOT {}", me.id);
    println!("KEY {:016x}", c.connection().auth_key_id());
    let sent = c.send_message(ALICE, "from the second process").unwrap();
    println!("SENT {}", sent.id);
}

fn dc_env(dc: &TestDc, session: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("FG_DC_ADDR", dc.addr().to_string()),
        ("FG_DC_N", hex(&dc.public_key().n_be_bytes())),
        ("FG_SESSION", session.display().to_string()),
    ]
}

#[test]
fn session_reuse_across_process_restarts() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (bot, token) = dc.create_bot("Alert bot", "alert_bot");
    let dir = temp_dir("restart");
    let path = dir.join("bot.session");
    let mut env = dc_env(&dc, &path);

    let first = run(child("helper_login_bot", &env).env("FG_TOKEN", &token));
    assert_eq!(field(&first, "BOT"), Some(bot.to_string()), "{first}");
    let key = field(&first, "KEY").unwrap();
    assert_eq!(dc.auth_key_count(), 1);

    env.retain(|(k, _)| *k != "FG_TOKEN");
    let second = run(&mut child("helper_get_me", &env));
    assert_eq!(field(&second, "STORED"), Some(bot.to_string()), "{second}");
    assert_eq!(field(&second, "BOT"), Some(bot.to_string()), "{second}");
    assert_eq!(
        field(&second, "KEY"),
        Some(key.clone()),
        "the same auth key"
    );
    assert_eq!(dc.auth_key_count(), 1, "no second key exchange");
    assert_eq!(
        dc.messages(),
        [(bot, ALICE, "from the second process".to_string())],
        "Alice's access hash came from the file"
    );

    // And this process too: no login, no handshake.
    let mut c = Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
        .session_file(&path)
        .connect()
        .unwrap();
    assert_eq!(c.get_me().unwrap().id, bot);
    assert_eq!(format!("{:016x}", c.connection().auth_key_id()), key);
    assert_eq!(dc.auth_key_count(), 1);
}

#[test]
#[ignore = "a child process of a_session_file_is_held_by_one_process"]
fn helper_hold_session() {
    let Some(path) = env("FG_SESSION") else {
        return;
    };
    let _held = SqliteStorage::open(&path).unwrap();
    println!("HELD {}", std::process::id());
    // Hold it until the parent closes stdin.
    let mut line = String::new();
    while std::io::stdin().read_line(&mut line).unwrap_or(0) > 0 {}
}

/// A child process, killed and reaped when dropped (so a failing test leaves none behind).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `cmd` with piped stdio and returns it once it printed a line with `ready`.
fn spawn_until(cmd: &mut Command, ready: &str) -> (Running, BufReader<std::process::ChildStdout>) {
    let mut child = Running(
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut out = BufReader::new(child.0.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap_or(0) > 0,
            "the child ended before {ready}"
        );
        if line.contains(ready) {
            return (child, out);
        }
    }
}

#[test]
fn a_session_file_is_held_by_one_process() {
    let dir = temp_dir("lock-child");
    let path = dir.join("held.session");
    let (mut holder, _out) = spawn_until(
        &mut child(
            "helper_hold_session",
            &[("FG_SESSION", path.display().to_string())],
        ),
        "HELD",
    );
    let started = Instant::now();
    let e = SqliteStorage::open(&path).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refused at once"
    );
    match &e {
        SessionError::InUse { pid, .. } => assert_eq!(*pid, Some(holder.0.id())),
        other => panic!("{other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.contains(&format!("is in use by process {}", holder.0.id()))
            && text.contains("stop that process or use another session file"),
        "{text}"
    );
    // The client says the same.
    let e = Client::builder(1, API_HASH)
        .session_file(&path)
        .connect()
        .unwrap_err();
    assert!(
        matches!(&e, Error::Session(SessionError::InUse { pid: Some(p), .. }) if *p == holder.0.id()),
        "{e:?}"
    );

    drop(holder.0.stdin.take());
    assert!(holder.0.wait().unwrap().success());
    let mut s = SqliteStorage::open(&path).expect("free once the holder exited");
    assert_eq!(s.load().unwrap(), SessionData::default());

    // A holder killed outright leaves its lock file (with its pid) behind; it is ignored.
    drop(s);
    let (mut holder, _out) = spawn_until(
        &mut child(
            "helper_hold_session",
            &[("FG_SESSION", path.display().to_string())],
        ),
        "HELD",
    );
    holder.0.kill().unwrap();
    holder.0.wait().unwrap();
    let lock = std::fs::read_to_string(format!("{}.lock", path.display())).unwrap();
    assert_eq!(
        lock.trim(),
        holder.0.id().to_string(),
        "the stale lock file"
    );
    SqliteStorage::open(&path).expect("a dead holder's lock is gone");
}

/// Batch `i` of the kill test: peer `i`, the update state's pts `i` and DC 1's salt `i`,
/// together (all or none).
fn batch(i: i64) -> Vec<Change> {
    vec![
        // User ids start at 1 (0 is no user).
        Change::Peers(vec![StoredPeer {
            id: i + 1,
            access_hash: (i + 1) * 3,
            kind: PeerKind::User,
            username: Some(format!("user{i}")),
        }]),
        Change::UpdateState(Some(UpdateState {
            pts: i as i32,
            qts: 0,
            date: 0,
            seq: 0,
        })),
        Change::Key {
            dc_id: 1,
            key: Some(KeyInfo {
                auth_key: [(i % 251) as u8; 256],
                first_salt: i,
                time_offset: 0,
            }),
        },
    ]
}

/// The batches a session holds: they must be exactly 0..n, each whole.
fn written_prefix(data: &SessionData) -> i64 {
    let n = data.peers.len() as i64;
    for (expected, (&id, p)) in data.peers.iter().enumerate() {
        assert_eq!(id, expected as i64 + 1, "peers are a prefix");
        assert_eq!(p.access_hash, id * 3);
    }
    if n == 0 {
        assert_eq!(data.update_state, None);
        assert!(data.dcs.is_empty());
    } else {
        assert_eq!(data.update_state.map(|s| i64::from(s.pts)), Some(n - 1));
        let key = data.dcs[&1].key.as_ref().unwrap();
        assert_eq!(key.first_salt, n - 1, "the key of the same batch");
        assert_eq!(key.auth_key, [((n - 1) % 251) as u8; 256]);
    }
    n
}

#[test]
#[ignore = "a child process of kill_9_at_any_moment_leaves_a_consistent_file"]
fn helper_write_loop() {
    let Some(path) = env("FG_SESSION") else {
        return;
    };
    let mut s = SqliteStorage::open(&path).unwrap();
    let mut i = written_prefix(&s.load().unwrap());
    println!("WRITING from {i}");
    std::io::stdout().flush().unwrap();
    // Bounded, so a parent that failed before killing it leaves no writer behind for long.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        s.apply(&batch(i)).unwrap();
        i += 1;
    }
}

#[test]
fn kill_9_at_any_moment_leaves_a_consistent_file() {
    let dir = temp_dir("kill");
    let path = dir.join("killed.session");
    let env = [("FG_SESSION", path.display().to_string())];
    let mut last = 0;
    let mut grew = 0;
    for round in 0..20u64 {
        let (mut writer, _out) = spawn_until(&mut child("helper_write_loop", &env), "WRITING");
        std::thread::sleep(Duration::from_millis(3 + round * 7 % 40));
        writer.0.kill().unwrap(); // SIGKILL
        writer.0.wait().unwrap();

        let db = rusqlite::Connection::open(&path).unwrap();
        let check: String = db
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
        drop(db);
        let mut s = SqliteStorage::open(&path).unwrap();
        let n = written_prefix(&s.load().unwrap());
        assert!(n >= last, "round {round}: {n} batches after {last}");
        grew += u32::from(n > last);
        last = n;
    }
    assert!(
        grew >= 10,
        "the writer got to write in most rounds ({grew}/20)"
    );
}

#[test]
fn a_client_without_a_session_option_keeps_nothing() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (_, token) = dc.create_bot("Alert bot", "alert_bot");
    let builder = Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key());
    let mut c = builder.clone().connect().unwrap();
    c.login_bot(&token).unwrap();
    drop(c);
    let mut c = builder.connect().unwrap();
    assert_eq!(dc.auth_key_count(), 2, "a new key");
    assert!(c.logged_in_user().is_none());
    assert!(matches!(c.get_me(), Err(Error::NotLoggedIn)));
}

#[test]
fn an_exported_string_continues_the_session_elsewhere() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (bot, token) = dc.create_bot("Alert bot", "alert_bot");
    let mut c = Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
        .connect()
        .unwrap();
    c.login_bot(&token).unwrap();
    let key = c.connection().auth_key_id();
    let s = c.export_session_string().unwrap();
    drop(c);

    // The string carries the address too: no `.dc(…)` needed.
    let mut c = Client::builder(1, API_HASH)
        .session_string(&s)
        .connect()
        .unwrap();
    assert_eq!(
        c.logged_in_user(),
        Some(LoggedInUser {
            id: bot,
            is_bot: true
        })
    );
    assert_eq!(c.get_me().unwrap().id, bot);
    assert_eq!(c.connection().auth_key_id(), key);
    assert_eq!(dc.auth_key_count(), 1);
}

#[test]
fn a_stored_login_the_server_dropped_says_to_log_in_again() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (bot, token) = dc.create_bot("Alert bot", "alert_bot");
    let dir = temp_dir("gone");
    let path = dir.join("bot.session");
    let builder = Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
        .session_file(&path);
    let mut c = builder.clone().connect().unwrap();
    c.login_bot(&token).unwrap();
    let key = c.connection().auth_key_id();
    // Terminated "from another device": the same key logs out through a second client.
    let s = c.export_session_string().unwrap();
    drop(c);
    let mut other = Client::builder(1, API_HASH)
        .session_string(&s)
        .connect()
        .unwrap();
    other.logout().unwrap();
    assert_eq!(dc.logged_in_user(key), None);
    drop(other);

    let mut c = builder.connect().unwrap();
    assert!(
        c.logged_in_user().is_some(),
        "the file still says logged in"
    );
    let e = c.get_me().unwrap_err();
    assert!(
        matches!(e, Error::Session(SessionError::LoginGone { user_id }) if user_id == bot),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("is gone") && text.contains("log in again"),
        "{text}"
    );
    assert!(c.logged_in_user().is_none());
    assert!(
        matches!(c.get_me(), Err(Error::NotLoggedIn)),
        "the file forgot it"
    );
    assert_eq!(
        c.login_bot(&token).unwrap().id,
        bot,
        "logging in again works"
    );
}

#[test]
fn a_migration_moves_the_stored_home_dc() {
    let dcs = TestDc::start_cluster(Config::default(), &[1, 2]).unwrap();
    let (bot, token) = dcs[1].create_bot("Alert bot", "alert_bot");
    dcs[1].set_home_dc(bot, 1);
    let dir = temp_dir("migrate");
    let path = dir.join("bot.session");
    let builder = Client::builder(1, API_HASH)
        .dc(1, dcs[0].addr())
        .dc(2, dcs[1].addr())
        .trust_key(*dcs[0].public_key())
        .trust_key(*dcs[1].public_key())
        .session_file(&path);
    let mut c = builder.clone().connect().unwrap();
    c.login_bot(&token).unwrap();
    assert_eq!(c.home_dc(), 1);
    let key = c.connection().auth_key_id();
    drop(c);
    {
        let mut s = SqliteStorage::open(&path).unwrap();
        let data = s.load().unwrap();
        assert_eq!(data.home_dc, 1);
        assert_eq!(data.user.map(|u| u.id), Some(bot));
        assert!(data.dcs[&2].key.is_some() && data.dcs[&1].key.is_some());
    }
    let mut c = builder.connect().unwrap();
    assert_eq!(c.home_dc(), 1, "starts on the stored home DC");
    assert_eq!(c.connection().auth_key_id(), key);
    assert_eq!(c.get_me().unwrap().id, bot);
    assert_eq!(dcs[0].auth_key_count() + dcs[1].auth_key_count(), 2);
}

#[test]
fn any_storage_can_be_given_and_is_taken_once() {
    let dc = TestDc::start(Config::default()).unwrap();
    let (bot, token) = dc.create_bot("Alert bot", "alert_bot");
    let storage: Box<dyn Storage> = Box::new(MemoryStorage::new());
    let builder = Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
        .session(storage);
    let mut c = builder.clone().connect().unwrap();
    c.login_bot(&token).unwrap();
    assert_eq!(c.logged_in_user().map(|u| u.id), Some(bot));
    // A cloned builder shares the storage, which one client only may use.
    let e = builder.connect().unwrap_err();
    assert!(
        matches!(&e, Error::Config(m) if m.contains("already taken")),
        "{e:?}"
    );
    // The debug output names the storage kind, never a session string's secret.
    let s = c.export_session_string().unwrap();
    let shown = format!("{:?}", Client::builder(1, API_HASH).session_string(&s));
    assert!(
        !shown.contains(&s) && shown.contains("String(..)"),
        "{shown}"
    );
}

#[test]
fn the_update_state_is_stored_and_exported() {
    let dc = TestDc::start(Config::default()).unwrap();
    let dir = temp_dir("updates");
    let path = dir.join("u.session");
    let builder = Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
        .session_file(&path);
    let state = UpdateState {
        pts: 41,
        qts: 2,
        date: 1_790_000_123,
        seq: 9,
    };
    let mut c = builder.clone().connect().unwrap();
    assert_eq!(c.update_state(), None);
    c.set_update_state(state).unwrap();
    let exported = SessionData::import_string(&c.export_session_string().unwrap()).unwrap();
    assert_eq!(exported.update_state, Some(state));
    drop(c);
    let c = builder.connect().unwrap();
    assert_eq!(c.update_state(), Some(state), "read back from the file");
}
