//! Sends an alert to a user, as a bot.
//!
//! `cargo run -p ferrogram-client-std --example send_alert -- "disk almost full"` starts the
//! bundled test DC in-process and messages its user Alice (no account needed).
//!
//! With Telegram: set `TG_API_ID`, `TG_API_HASH`, `TG_BOT_TOKEN` and `TG_CHAT_ID` (a user id;
//! the bot must have met the user, e.g. the user started the bot). `RUST_LOG`-style logging
//! is left to you: the client logs through the `log` facade.

use std::env;

use ferrogram_client_std::Client;
use ferrogram_client_std::tl::{enums, functions as f, types};
use ferrogram_testdc::{Config, TestDc};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let text = env::args()
        .nth(1)
        .unwrap_or_else(|| "disk almost full".into());
    match env::var("TG_BOT_TOKEN") {
        Ok(token) => telegram(&token, &text),
        Err(_) => test_dc(&text),
    }
}

fn telegram(token: &str, text: &str) -> Result<()> {
    let api_id: i32 = env::var("TG_API_ID")?.parse()?;
    let api_hash = env::var("TG_API_HASH")?;
    let chat: i64 = env::var("TG_CHAT_ID")?.parse()?;
    let mut client = Client::builder(api_id, api_hash).connect()?;
    client.login_bot(token)?;
    // Meet the user: bots may ask for users by id with access hash 0.
    client.invoke(&f::users::GetUsers {
        id: vec![enums::InputUser::InputUser(types::InputUser {
            user_id: chat,
            access_hash: 0,
        })],
    })?;
    let sent = client.send_message(chat, text)?;
    println!("sent message {} to {chat}", sent.id);
    Ok(())
}

fn test_dc(text: &str) -> Result<()> {
    let dc = TestDc::start(Config::default())?;
    let (_, token) = dc.create_bot("Alert bot", "alert_bot");
    println!("test DC 2 at {}", dc.addr());
    let mut client = Client::builder(1, "0123456789abcdef0123456789abcdef")
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
        .connect()?;
    let me = client.login_bot(&token)?;
    println!(
        "logged in as bot {} (@{})",
        me.id,
        me.username.unwrap_or_default()
    );
    // Meet Alice through her @username, then message her.
    let enums::contacts::ResolvedPeer::ResolvedPeer(alice) =
        client.invoke(&f::contacts::ResolveUsername {
            username: "alice".into(),
            referer: None,
        })?;
    let enums::Peer::User(alice) = alice.peer else {
        return Err("@alice is not a user".into());
    };
    let sent = client.send_message(alice.user_id, text)?;
    println!("sent message {} to Alice", sent.id);
    println!("the test DC stored: {:?}", dc.messages());
    Ok(())
}
