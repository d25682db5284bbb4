//! Session strings made by real third-party clients: Telethon 1.45 and Kurigram 2.2.26 each
//! log a bot in against the test DC (`tests/interop/session_string.py`) and print their own
//! session string; our client imports it and calls `get_me` as that bot, with no login and
//! no new key exchange.
//!
//! They need a Python with those packages: `scripts/test.sh` builds one in `.venv` and runs
//! these tests with `FERROGRAM_INTEROP_PYTHON` pointing at it. Under a plain `cargo test`
//! they are ignored (and say so).

use std::path::PathBuf;
use std::process::Command;

use ferrogram_client_std::Client;
use ferrogram_client_std::session::{LoggedInUser, SessionData};
use ferrogram_testdc::{Config, TestDc};

const API_HASH: &str = "0123456789abcdef0123456789abcdef";

fn python() -> PathBuf {
    match std::env::var_os("FERROGRAM_INTEROP_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => panic!(
            "FERROGRAM_INTEROP_PYTHON is not set: run scripts/test.sh, which installs Telethon \
             and Kurigram into .venv and points this variable at its python"
        ),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the driver printed: the bot id, the auth key id and the session string.
struct Exported {
    bot: i64,
    key: u64,
    string: String,
}

fn export(dc: &TestDc, client: &str, transport: &str, token: &str) -> Exported {
    let driver =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/interop/session_string.py");
    let out = Command::new(python())
        .arg(driver)
        .env("TESTDC_PORT", dc.addr().port().to_string())
        .env("TESTDC_RSA_N", hex(&dc.public_key().n_be_bytes()))
        .env("TESTDC_RSA_E", format!("{:x}", dc.public_key().e()))
        .env("TESTDC_RSA_PEM", dc.public_key_pem())
        .env("TESTDC_CLIENT", client)
        .env("TESTDC_TRANSPORT", transport)
        .env("TESTDC_BOT_TOKEN", token)
        .output()
        .expect("the interop python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let field = |label: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(label)?.strip_prefix(' '))
            .unwrap_or_else(|| {
                panic!(
                    "{client}: no {label} (exit {:?})\n{stdout}\n{}",
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                )
            })
            .trim()
            .to_owned()
    };
    Exported {
        bot: field("BOT").parse().unwrap(),
        key: u64::from_str_radix(&field("KEY"), 16).unwrap(),
        string: field("SESSION"),
    }
}

#[test]
#[ignore = "needs Telethon in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn a_telethon_string_session_continues_in_our_client() {
    let dc = TestDc::start(Config::default()).expect("test DC starts");
    let (bot, token) = dc.create_bot("Alert", "alert_bot");
    let e = export(&dc, "telethon", "intermediate", &token);
    assert_eq!(e.bot, bot);
    assert_eq!(e.string.len(), 353, "Telethon's IPv4 layout: {}", e.string);
    let keys = dc.auth_key_count();

    // Telethon's string carries the address: no `.dc(…)`.
    let data = SessionData::import_telethon(&e.string).unwrap();
    assert_eq!(data.dcs[&2].addr, Some(dc.addr()));
    let mut c = Client::builder(1, API_HASH)
        .session_string(&e.string)
        .connect()
        .unwrap();
    assert_eq!(c.connection().auth_key_id(), e.key, "Telethon's key");
    assert_eq!(c.logged_in_user(), None, "Telethon strings name no user");
    let me = c.get_me().unwrap();
    assert_eq!((me.id, me.bot), (bot, true));
    assert_eq!(
        c.logged_in_user(),
        Some(LoggedInUser {
            id: bot,
            is_bot: true
        })
    );
    assert_eq!(dc.auth_key_count(), keys, "no new key exchange");
    assert_eq!(dc.logged_in_user(e.key), Some(bot));
}

#[test]
#[ignore = "needs Kurigram in FERROGRAM_INTEROP_PYTHON; scripts/test.sh runs it"]
fn a_kurigram_session_string_continues_in_our_client() {
    let dc = TestDc::start(Config::default()).expect("test DC starts");
    let (bot, token) = dc.create_bot("Alert", "alert_bot");
    let e = export(&dc, "kurigram", "abridged", &token);
    assert_eq!(e.bot, bot);
    assert_eq!(
        e.string.len(),
        362,
        "Pyrogram's current layout: {}",
        e.string
    );
    let keys = dc.auth_key_count();

    let data = SessionData::import_pyrogram(&e.string).unwrap();
    assert_eq!(
        (data.home_dc, data.api_id, data.test_mode),
        (2, Some(12345), false)
    );
    // Pyrogram strings have no address: the local DC's is given here.
    let mut c = Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .session_string(&e.string)
        .connect()
        .unwrap();
    assert_eq!(c.connection().auth_key_id(), e.key, "Kurigram's key");
    assert_eq!(
        c.logged_in_user(),
        Some(LoggedInUser {
            id: bot,
            is_bot: true
        }),
        "the string names the bot"
    );
    let me = c.get_me().unwrap();
    assert_eq!((me.id, me.bot), (bot, true));
    assert_eq!(dc.auth_key_count(), keys, "no new key exchange");
    assert_eq!(dc.logged_in_user(e.key), Some(bot));
}
