//! Real third-party clients against the test DC: Telethon 1.45 and Kurigram 2.2.26 (the
//! maintained Pyrogram fork, with tgcrypto) generate auth keys over every transport each
//! supports, with the test DC's RSA key injected into their key tables
//! (`tests/interop/handshake.py`).
//!
//! They need a Python with those packages: `scripts/test.sh` builds one in `.venv` and runs
//! these tests with `FERROGRAM_INTEROP_PYTHON` pointing at it. Under a plain `cargo test`
//! they are ignored (and say so).

use std::path::PathBuf;
use std::process::Command;

use ferrogram_testdc::{Config, TestDc};

fn python() -> PathBuf {
    match std::env::var_os("FERROGRAM_INTEROP_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => panic!(
            "FERROGRAM_INTEROP_PYTHON is not set: run scripts/test.sh, which installs Telethon \
             and Kurigram into .venv and points this variable at its python"
        ),
    }
}

fn driver(script: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../interop")
        .join(script)
}

fn run(
    dc: &TestDc,
    script: &str,
    client: &str,
    transport: &str,
    extra: &[(&str, String)],
) -> std::process::Output {
    let mut cmd = Command::new(python());
    cmd.arg(driver(script))
        .env("TESTDC_PORT", dc.addr().port().to_string())
        .env("TESTDC_RSA_N", hex(&dc.public_key().n_be_bytes()))
        .env("TESTDC_RSA_E", format!("{:x}", dc.public_key().e()))
        .env("TESTDC_RSA_PEM", dc.public_key_pem())
        .env("TESTDC_CLIENT", client)
        .env("TESTDC_TRANSPORT", transport);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.output().expect("the interop python runs")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs the driver for each transport and checks the DC holds exactly the key the client
/// reports.
fn keys_over(client: &str, transports: &[&str]) {
    let dc = TestDc::start(Config::default()).expect("test DC starts");
    let mut failures = Vec::new();
    // Keys a client threw away and made again (Telethon's short-key quirk, see
    // tests/interop/handshake.py): the DC made those too.
    let mut remade = 0;
    for transport in transports {
        let out = run(&dc, "handshake.py", client, transport, &[]);
        remade += String::from_utf8_lossy(&out.stderr)
            .matches("short-key quirk")
            .count();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout.lines().find(|l| l.starts_with("OK "));
        let Some(id_hex) = line.and_then(|l| l.split_whitespace().nth(3)) else {
            failures.push(format!(
                "{client} over {transport}: no key (exit {:?})\n{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        };
        let id = u64::from_str_radix(id_hex, 16).expect("16 hex digits");
        if dc.auth_key(id).is_none() {
            failures.push(format!(
                "{client} over {transport}: the client's key {id:#018x} is not one the DC made"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(dc.auth_key_count(), transports.len() + remade);
}

#[test]
#[ignore = "needs Telethon in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn telethon_makes_auth_keys_over_every_transport() {
    keys_over(
        "telethon",
        &[
            "full",
            "abridged",
            "intermediate",
            "padded",
            "obf-abridged",
            "obf-intermediate",
            "obf-padded",
        ],
    );
}

#[test]
#[ignore = "needs Kurigram in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn kurigram_makes_auth_keys_over_every_transport() {
    // Kurigram has no obfuscated padded-intermediate transport.
    keys_over(
        "kurigram",
        &[
            "full",
            "abridged",
            "intermediate",
            "padded",
            "obf-abridged",
            "obf-intermediate",
        ],
    );
}

/// A bot logs in with a token the DC issued, calls get_me and messages the DC's user; the
/// DC must have stored exactly that message from that bot, over every transport.
fn bot_flow(client: &str, transports: &[&str]) {
    let dc = TestDc::start(Config::default()).expect("test DC starts");
    let mut failures = Vec::new();
    for (i, transport) in transports.iter().enumerate() {
        let (bot, token) = dc.create_bot("Alert", &format!("alert{i}"));
        let text = format!("{client} over {transport}: disk almost full");
        let out = run(
            &dc,
            "bot_flow.py",
            client,
            transport,
            &[("TESTDC_BOT_TOKEN", token), ("TESTDC_TEXT", text.clone())],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let ok = stdout
            .lines()
            .find(|l| l.starts_with("OK "))
            .map(|l| l.split_whitespace().nth(3) == Some(bot.to_string().as_str()));
        let stored = dc
            .messages()
            .contains(&(bot, ferrogram_testdc::world::FIRST_USER_ID, text));
        if ok != Some(true) || !stored {
            failures.push(format!(
                "{client} over {transport}: reported {:?}, message stored: {stored} (exit {:?})\n{}",
                stdout.trim(),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
#[ignore = "needs Telethon in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn telethon_bot_logs_in_and_sends_over_every_transport() {
    bot_flow(
        "telethon",
        &[
            "full",
            "abridged",
            "intermediate",
            "padded",
            "obf-abridged",
            "obf-intermediate",
            "obf-padded",
        ],
    );
}

#[test]
#[ignore = "needs Kurigram in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn kurigram_bot_logs_in_and_sends_over_every_transport() {
    bot_flow(
        "kurigram",
        &[
            "full",
            "abridged",
            "intermediate",
            "padded",
            "obf-abridged",
            "obf-intermediate",
        ],
    );
}

/// Two clients of one library: a user signs in with Alice's phone and the DC's login code,
/// a bot messages her, and her client receives it as an update.
fn receive(client: &str, transport: &str) {
    let dc = TestDc::start(Config::default()).expect("test DC starts");
    let (_, token) = dc.create_bot("Alert", "alert_bot");
    let text = format!("{client} update over {transport}");
    let out = run(
        &dc,
        "receive.py",
        client,
        transport,
        &[("TESTDC_BOT_TOKEN", token), ("TESTDC_TEXT", text.clone())],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("OK ") && l.ends_with(&text)),
        "{client}: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs Telethon in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn telethon_user_signs_in_and_receives_a_bot_message() {
    receive("telethon", "full");
}

#[test]
#[ignore = "needs Kurigram in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn kurigram_user_signs_in_and_receives_a_bot_message() {
    receive("kurigram", "abridged");
}

/// A bot sends Alice a 3 MB document of seeded random bytes and downloads it again; Alice's
/// client (same library) receives it and downloads it too. All three copies, and the bytes
/// the DC stored, must have the MD5 of what was sent; Alice sees its name and size.
fn file_round_trip(client: &str, transport: &str) {
    let dc = TestDc::start(Config::default()).expect("test DC starts");
    let (_, token) = dc.create_bot("Files", "files_bot");
    let started = std::time::Instant::now();
    let out = run(
        &dc,
        "files.py",
        client,
        transport,
        &[
            ("TESTDC_BOT_TOKEN", token),
            ("TESTDC_SIZE", "3000000".into()),
            ("TESTDC_SEED", "7".into()),
        ],
    );
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = stdout
        .lines()
        .find(|l| l.starts_with("OK "))
        .map(|l| l.split_whitespace().collect())
        .unwrap_or_default();
    assert_eq!(
        fields.len(),
        8,
        "{client}: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (sent, bot_copy, user_copy) = (fields[3], fields[4], fields[5]);
    assert_eq!(bot_copy, sent, "{client}: the bot's download differs");
    assert_eq!(user_copy, sent, "{client}: Alice's download differs");
    assert_eq!((fields[6], fields[7]), ("report.bin", "3000000"));

    let docs = dc.documents();
    assert_eq!(docs.len(), 1, "{client}: one document stored");
    assert_eq!(docs[0].data.len(), 3_000_000);
    let stored: String = md5_hex(&docs[0].data);
    assert_eq!(stored, sent, "{client}: the DC stored other bytes");
    assert!(
        took < std::time::Duration::from_secs(20),
        "{client}: took {took:?}"
    );
}

fn md5_hex(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
#[ignore = "needs Telethon in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn telethon_bot_sends_and_downloads_a_document_alice_receives() {
    file_round_trip("telethon", "full");
}

#[test]
#[ignore = "needs Kurigram in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn kurigram_bot_sends_and_downloads_a_document_alice_receives() {
    file_round_trip("kurigram", "abridged");
}

/// Alice has a 2FA password: the client gives the login code, gets
/// `SESSION_PASSWORD_NEEDED`, computes its own SRP proof and is let in (Telethon also has a
/// wrong password refused first). The DC must then hold the client's key logged in as Alice.
fn two_factor(client: &str, transport: &str) {
    let password = "correct horse battery staple";
    let dc = TestDc::start(Config {
        password: Some(password.into()),
        ..Config::default()
    })
    .expect("test DC starts");
    let out = run(
        &dc,
        "two_factor.py",
        client,
        transport,
        &[("TESTDC_PASSWORD", password.into())],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = format!(
        "OK {client} {transport} {}",
        ferrogram_testdc::world::FIRST_USER_ID
    );
    assert!(
        stdout.lines().any(|l| l == expected),
        "{client}: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        dc.logged_in_keys(ferrogram_testdc::world::FIRST_USER_ID)
            .len(),
        1
    );
}

#[test]
#[ignore = "needs Telethon in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn telethon_user_signs_in_with_code_and_2fa_password() {
    two_factor("telethon", "full");
}

#[test]
#[ignore = "needs Kurigram in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn kurigram_user_signs_in_with_code_and_2fa_password() {
    two_factor("kurigram", "abridged");
}

/// A cluster of DCs 1–3 with Alice at home on DC 3: Telethon, pointed at DC 2, gets
/// `PHONE_MIGRATE_3`, finds DC 3 in help.getConfig, makes a key there and signs in. The key
/// logged in as Alice must be one DC 3 made.
#[test]
#[ignore = "needs Telethon in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn telethon_follows_phone_migrate_to_the_home_dc() {
    let dcs = TestDc::start_cluster(
        Config {
            alice_dc: 3,
            ..Config::default()
        },
        &[1, 2, 3],
    )
    .expect("cluster starts");
    let out = run(
        &dcs[1],
        "migrate.py",
        "telethon",
        "full",
        &[("TESTDC_HOME_DC", "3".into())],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let alice = ferrogram_testdc::world::FIRST_USER_ID;
    assert!(
        stdout
            .lines()
            .any(|l| l == format!("OK telethon full {alice} 3")),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys = dcs[2].logged_in_keys(alice);
    assert_eq!(keys.len(), 1);
    assert!(dcs[2].auth_key(keys[0]).is_some());
    assert!(dcs[1].auth_key(keys[0]).is_none());
}
