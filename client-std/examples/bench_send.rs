//! Our side of the end-to-end bench (`scripts/bench-e2e.sh`, BENCHMARKS.md): a bot sends
//! messages to Alice pipelined over one connection to a running test DC, or idles so its
//! resident memory can be read, or (as Alice) counts what the DC stored.
//!
//! The test DC is given by the environment, as for the Python drivers in `tests/interop/`:
//! `TESTDC_PORT` and `TESTDC_RSA_N`/`TESTDC_RSA_E` (hex), and `TESTDC_BOT_TOKEN` for
//! `send` and `idle`.
//!
//! - `bench_send send COUNT TAG`: log in as the bot, meet @alice, then send COUNT
//!   `messages.sendMessage` with texts `TAG 0` … through [`Client::invoke_all`]; prints
//!   `RESULT ours sent=… failed=… secs=… per_sec=…`, timed from the first send to the last
//!   answer.
//! - `bench_send idle`: connect, log in, `get_me`, idle 2 s; prints `RSS ours kib=…` (this
//!   process's whole VmRSS).
//! - `bench_send count COUNT BOT_USERNAME:TAG…`: log in as Alice, page through her chat
//!   with each bot, and print `COUNT TAG stored=… distinct=… missing=… duplicated=…`:
//!   messages whose text starts with `TAG `, distinct texts, which of `TAG 0` …
//!   `TAG COUNT-1` are missing, and texts stored more than once.

use std::collections::HashMap;
use std::env;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ferrogram_client_std::tl::{enums, functions as f};
use ferrogram_client_std::{Client, RsaPublicKey};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const API_HASH: &str = "0123456789abcdef0123456789abcdef";

fn main() -> Result<()> {
    let args: Vec<String> = env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match arg(0) {
        Some("send") => send(arg(1).unwrap_or("10000").parse()?, arg(2).unwrap_or("ours")),
        Some("idle") => idle(),
        Some("count") => count(
            arg(1).unwrap_or("10000").parse()?,
            &args[2.min(args.len())..],
        ),
        _ => Err("usage: bench_send send COUNT TAG | idle | count COUNT BOT:TAG...".into()),
    }
}

fn client() -> Result<Client> {
    let port: u16 = env::var("TESTDC_PORT")?.parse()?;
    let n = unhex(&env::var("TESTDC_RSA_N")?)?;
    let e = unhex(&env::var("TESTDC_RSA_E").unwrap_or_else(|_| "010001".into()))?;
    let key = RsaPublicKey::from_be_bytes(&n, &e).map_err(|e| format!("{e:?}"))?;
    Ok(Client::builder(12345, API_HASH)
        .dc(2, SocketAddr::from(([127, 0, 0, 1], port)))
        .trust_key(key)
        .connect()?)
}

fn bot() -> Result<Client> {
    let mut c = client()?;
    c.login_bot(&env::var("TESTDC_BOT_TOKEN")?)?;
    Ok(c)
}

/// Resolves `@username` (meeting it) and returns its peer.
fn meet(c: &mut Client, username: &str) -> Result<enums::InputPeer> {
    let id = c.resolve_username(username)?.marked();
    Ok(c.peers().input_peer(id).ok_or("resolved but not met")?)
}

fn send(count: usize, tag: &str) -> Result<()> {
    let mut c = bot()?;
    let alice = meet(&mut c, "alice")?;
    let base = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos() as i64;
    let calls: Vec<f::messages::SendMessage> = (0..count)
        .map(|i| f::messages::SendMessage {
            no_webpage: false,
            silent: false,
            background: false,
            clear_draft: false,
            noforwards: false,
            update_stickersets_order: false,
            invert_media: false,
            allow_paid_floodskip: false,
            peer: alice.clone(),
            reply_to: None,
            message: format!("{tag} {i}"),
            random_id: base.wrapping_add(i as i64),
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
        })
        .collect();
    let start = Instant::now();
    let outcomes = c.invoke_all(calls);
    let secs = start.elapsed().as_secs_f64();
    let failed = outcomes.iter().filter(|o| o.is_err()).count();
    if let Some(Err(e)) = outcomes.iter().find(|o| o.is_err()) {
        eprintln!("first failure: {e}");
    }
    println!(
        "RESULT ours sent={} failed={failed} secs={secs:.3} per_sec={:.0}",
        count - failed,
        count as f64 / secs
    );
    Ok(())
}

fn idle() -> Result<()> {
    let mut c = bot()?;
    c.get_me()?;
    std::thread::sleep(Duration::from_secs(2));
    println!("RSS ours kib={}", vm_rss_kib()?);
    Ok(())
}

fn vm_rss_kib() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS in /proc/self/status")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or("VmRSS without a value")?
        .parse()?)
}

fn count(count: usize, chats: &[String]) -> Result<()> {
    let mut c = client()?;
    let login = c.request_login_code("+15550000001")?;
    c.sign_in(&login, "22222")?;
    for chat in chats {
        let (bot, tag) = chat.split_once(':').ok_or("count takes BOT:TAG")?;
        let seen = history_texts(&mut c, bot)?;
        let prefix = format!("{tag} ");
        let mine: Vec<u32> = seen
            .iter()
            .filter(|(t, _)| t.starts_with(&prefix))
            .map(|(_, n)| *n)
            .collect();
        let stored: u32 = mine.iter().sum();
        let duplicated = mine.iter().filter(|n| **n > 1).count();
        let missing = (0..count)
            .filter(|i| !seen.contains_key(&format!("{tag} {i}")))
            .count();
        println!(
            "COUNT {tag} stored={stored} distinct={} missing={missing} duplicated={duplicated}",
            mine.len()
        );
    }
    Ok(())
}

/// Every text in the logged-in user's chat with `@username`, with how often it is stored.
fn history_texts(c: &mut Client, username: &str) -> Result<HashMap<String, u32>> {
    let chat = c.resolve_username(username)?.marked();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for m in c.history(chat, None) {
        *seen.entry(m?.text).or_default() += 1;
    }
    Ok(seen)
}

fn unhex(s: &str) -> Result<Vec<u8>> {
    let s = s.trim();
    let s = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_string()
    };
    (0..s.len())
        .step_by(2)
        .map(|i| Ok(u8::from_str_radix(&s[i..i + 2], 16)?))
        .collect()
}
