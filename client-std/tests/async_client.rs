//! The async client (smol's sockets) against the in-process test DC: the same calls as the
//! blocking client, inside smol's executor, tokio's multi-threaded runtime and a bare
//! `block_on`; and two clients in one thread, which only works if nothing blocks.

use std::time::Duration;

use ferrogram_client_std::tl::functions as f;
use ferrogram_client_std::{AsyncClient, Client, ClientBuilder, Error, PeerId, Update};
use ferrogram_testdc::world::FIRST_USER_ID as ALICE;
use ferrogram_testdc::{Config, TestDc};
use futures_lite::future;

const API_HASH: &str = "0123456789abcdef0123456789abcdef";

fn builder(dc: &TestDc) -> ClientBuilder {
    Client::builder(1, API_HASH)
        .dc(2, dc.addr())
        .trust_key(*dc.public_key())
}

async fn bot(dc: &TestDc) -> Result<(AsyncClient, i64), Error> {
    let (id, token) = dc.create_bot("Async bot", "async_bot");
    let mut c = builder(dc).connect_async().await?;
    assert_eq!(c.login_bot(&token).await?.id, id);
    Ok((c, id))
}

async fn alice(dc: &TestDc) -> Result<AsyncClient, Error> {
    let mut c = builder(dc).connect_async().await?;
    let login = c.request_login_code("+15550000001").await?;
    assert_eq!(c.sign_in(&login, "22222").await?.id, ALICE);
    Ok(c)
}

/// Bot login, get_me, a message to Alice, and Alice's second client receiving it.
async fn the_alert_flow(dc: &TestDc) -> Result<(), Error> {
    let mut alice = alice(dc).await?;
    let (mut bot, bot_id) = bot(dc).await?;
    assert_eq!(bot.get_me().await?.id, bot_id);
    bot.invoke(&f::contacts::ResolveUsername {
        username: "alice".into(),
        referer: None,
    })
    .await?;
    let sent = bot.send_message(ALICE, "disk almost full").await?;
    assert!(sent.id > 0);
    match alice.next_update(Duration::from_secs(10)).await? {
        Some(Update::NewMessage(m)) => {
            assert_eq!(m.text, "disk almost full");
            assert_eq!(m.chat, PeerId::User(bot_id));
        }
        other => panic!("expected the message, got {other:?}"),
    }
    assert_eq!(
        dc.messages(),
        [(bot_id, ALICE, "disk almost full".to_string())]
    );
    Ok(())
}

#[test]
fn in_smols_executor() {
    let dc = TestDc::start(Config::default()).unwrap();
    smol::block_on(the_alert_flow(&dc)).unwrap();
}

#[test]
fn in_a_bare_block_on() {
    let dc = TestDc::start(Config::default()).unwrap();
    future::block_on(the_alert_flow(&dc)).unwrap();
}

#[test]
fn in_tokios_multi_threaded_runtime_from_a_spawned_task() {
    let dc = TestDc::start(Config::default()).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let addr = dc.addr();
    let key = *dc.public_key();
    let (_, token) = dc.create_bot("Tokio bot", "tokio_bot");
    // A spawned task must be Send: the client's futures are.
    let task = rt.spawn(async move {
        let mut bot = Client::builder(1, API_HASH)
            .dc(2, addr)
            .trust_key(key)
            .connect_async()
            .await?;
        bot.login_bot(&token).await?;
        bot.invoke(&f::contacts::ResolveUsername {
            username: "alice".into(),
            referer: None,
        })
        .await?;
        bot.send_message(ALICE, "from tokio").await?;
        Ok::<_, Error>(())
    });
    rt.block_on(task).unwrap().unwrap();
    assert_eq!(
        dc.messages().last().map(|m| m.2.as_str()),
        Some("from tokio")
    );
}

#[test]
fn two_clients_in_one_thread_do_not_block_each_other() {
    let dc = TestDc::start(Config::default()).unwrap();
    future::block_on(async {
        let mut alice = alice(&dc).await?;
        let (mut bot, _) = bot(&dc).await?;
        bot.invoke(&f::contacts::ResolveUsername {
            username: "alice".into(),
            referer: None,
        })
        .await?;
        // Alice waits up to 10 s while, in the same thread, the bot sends after 200 ms: if
        // waiting blocked the thread, the bot could not run and Alice would get nothing.
        let waiting = alice.next_update(Duration::from_secs(10));
        let sending = async {
            async_io::Timer::after(Duration::from_millis(200)).await;
            bot.send_message(ALICE, "while you wait").await
        };
        let (got, sent) = future::zip(waiting, sending).await;
        sent?;
        match got? {
            Some(Update::NewMessage(m)) => assert_eq!(m.text, "while you wait"),
            other => panic!("expected the message, got {other:?}"),
        }
        Ok::<_, Error>(())
    })
    .unwrap();
}

#[test]
fn a_request_timeout_is_an_error_not_a_hang() {
    let dc = TestDc::start(Config::default()).unwrap();
    future::block_on(async {
        let mut slow = builder(&dc)
            .request_timeout(Duration::from_millis(300))
            .connect_async()
            .await
            .unwrap();
        let mut faults = dc.faults();
        faults.delay = Duration::from_secs(5);
        dc.set_faults(faults);
        let t = std::time::Instant::now();
        let e = slow.get_me().await.unwrap_err();
        assert!(matches!(e, Error::TimedOut { .. }), "{e:?}");
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    });
}
