//! A bot that answers every text message with the same text.
//!
//! `cargo run -p ferrogram-client-std --example echo_bot` starts the bundled test DC
//! in-process, runs the bot, and has the DC's user Alice (logged in on a second client)
//! write to it three times and print the answers — no account needed.
//!
//! With Telegram: set `TG_API_ID`, `TG_API_HASH` and `TG_BOT_TOKEN`; the bot then runs until
//! stopped (Ctrl-C). Logging goes through the `log` facade; plug in any logger to see it.

use std::env;
use std::thread;
use std::time::Duration;

use ferrogram_client_std::tl::functions as f;
use ferrogram_client_std::{Client, Update};
use ferrogram_testdc::{Config, TestDc};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const API_HASH: &str = "0123456789abcdef0123456789abcdef";

fn main() -> Result<()> {
    match env::var("TG_BOT_TOKEN") {
        Ok(token) => {
            let api_id: i32 = env::var("TG_API_ID")?.parse()?;
            let mut bot = Client::builder(api_id, env::var("TG_API_HASH")?).connect()?;
            let me = bot.login_bot(&token)?;
            println!(
                "@{} is running; Ctrl-C stops it",
                me.username.unwrap_or_default()
            );
            echo(&mut bot, None)
        }
        Err(_) => test_dc(),
    }
}

/// Answers each incoming text message in its chat; stops after `limit` answers if given.
fn echo(bot: &mut Client, limit: Option<usize>) -> Result<()> {
    let mut answered = 0;
    while limit.is_none_or(|n| answered < n) {
        let Some(Update::NewMessage(m)) = bot.next_update(Duration::from_secs(60))? else {
            continue;
        };
        if m.outgoing || m.text.is_empty() {
            continue;
        }
        bot.send_message(m.chat.marked(), &m.text)?;
        answered += 1;
    }
    Ok(())
}

fn test_dc() -> Result<()> {
    let dc = TestDc::start(Config::default())?;
    let (bot_id, token) = dc.create_bot("Echo bot", "echo_bot");
    println!("test DC 2 at {}", dc.addr());
    let connect = || {
        Client::builder(1, API_HASH)
            .dc(2, dc.addr())
            .trust_key(*dc.public_key())
            .connect()
    };
    let mut bot = connect()?;
    bot.login_bot(&token)?;
    let mut alice = connect()?;
    let login = alice.request_login_code("+15550000001")?;
    alice.sign_in(&login, "22222")?;
    alice.invoke(&f::contacts::ResolveUsername {
        username: "echo_bot".into(),
        referer: None,
    })?;

    let words = ["hello", "are you there?", "bye"];
    let runner = thread::spawn(move || echo(&mut bot, Some(words.len())));
    for word in words {
        alice.send_message(bot_id, word)?;
        println!("Alice -> bot: {word}");
        loop {
            match alice.next_update(Duration::from_secs(10))? {
                Some(Update::NewMessage(m)) if !m.outgoing => {
                    println!("bot -> Alice: {}", m.text);
                    break;
                }
                Some(_) => {}
                None => return Err("the bot did not answer within 10 s".into()),
            }
        }
    }
    runner.join().map_err(|_| "the bot thread panicked")??;
    Ok(())
}
