//! An IoT-style alert, end to end, with no Telegram account: starts the bundled test DC,
//! then — as a bot — makes an auth key, logs in and messages the DC's user Alice, using only
//! `ferrogram-mtproto-proto`'s sans-IO state machines over a blocking `TcpStream`.
//!
//! `cargo run -p ferrogram-testdc --example sans_io_alert -- "disk almost full"`
//!
//! (The high-level client in `client-std` will hide this loop; it is spelled out here to
//! show the polling contract a no-heap device follows too.)

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ferrogram_mtproto_proto::auth_key::client::{ClientConfig, ClientHandshake, NewAuthKey};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::{
    DEFAULT_TRANSMIT_BUFFER, RequestId, RequestOptions, Session, SessionConfig,
};
use ferrogram_mtproto_proto::transport::{Decoder, EncodeOptions, Encoder, Event, TransportKind};
use ferrogram_testdc::world::FIRST_USER_ID;
use ferrogram_testdc::{Config, TestDc};
use ferrogram_tl_types::{TlRead, TlWrite, enums, functions as f, types};
use getrandom::SysRng;
use rand_core::UnwrapErr;

type Error = Box<dyn std::error::Error>;

fn now() -> UnixNanos {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    UnixNanos(d.as_nanos() as u64)
}

/// One TCP connection with intermediate framing.
struct Link {
    stream: TcpStream,
    enc: Encoder,
    dec: Decoder<Vec<u8>>,
    wire: Vec<u8>,
}

impl Link {
    fn send(&mut self, payload: &[u8]) -> Result<(), Error> {
        let n = self.enc.encode(
            payload,
            EncodeOptions::default(),
            &mut UnwrapErr(SysRng),
            &mut self.wire,
        )?;
        self.stream.write_all(&self.wire[..n])?;
        Ok(())
    }

    /// Waits for the next packet (up to 10 s).
    fn recv(&mut self) -> Result<Vec<u8>, Error> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err("the test DC closed the connection".into());
            }
            let mut input = &chunk[..n];
            if let Some(event) = self.dec.decode(&mut input)? {
                return match event {
                    Event::Packet { payload, .. } => Ok(payload.to_vec()),
                    other => Err(format!("transport: {other:?}").into()),
                };
            }
        }
    }
}

fn handshake(link: &mut Link, dc: &TestDc) -> Result<NewAuthKey, Error> {
    let keys = [*dc.public_key()];
    let mut rng = UnwrapErr(SysRng);
    let mut hs = ClientHandshake::new(ClientConfig::new(&keys, 2), now(), &mut rng);
    let mut buf = [0u8; 1024];
    while !hs.is_done() {
        if let Some(n) = hs.poll_transmit(now(), &mut buf)? {
            link.send(&buf[..n])?;
        }
        let packet = link.recv()?;
        hs.handle_packet(now(), &packet, &mut rng)?;
    }
    Ok(hs.poll_result().ok_or("no key")?)
}

/// Sends what the session has queued, then feeds it packets until `id` has its outcome.
fn call(link: &mut Link, s: &mut Session, id: RequestId) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; DEFAULT_TRANSMIT_BUFFER];
    loop {
        while let Some(range) = s.poll_transmit(now(), &mut UnwrapErr(SysRng), &mut out)? {
            link.send(&out[range])?;
        }
        while let Some(outcome) = s.poll_outcome() {
            if outcome.id == id {
                return Ok(outcome.result?.to_vec());
            }
        }
        while s.poll_event().is_some() {}
        let mut packet = link.recv()?;
        s.handle_packet(now(), &mut packet);
    }
}

fn main() -> Result<(), Error> {
    let text = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "disk almost full".into());

    let dc = TestDc::start(Config::default())?;
    let (bot_id, token) = dc.create_bot("Alert bot", "alert_bot");
    println!(
        "test DC 2 at {} (RSA fingerprint {:#018x})",
        dc.addr(),
        dc.fingerprint() as u64
    );

    let stream = TcpStream::connect(dc.addr())?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut link = Link {
        stream,
        enc: Encoder::client(TransportKind::Intermediate),
        dec: Decoder::client(TransportKind::Intermediate, vec![0u8; 64 * 1024]),
        wire: vec![0u8; DEFAULT_TRANSMIT_BUFFER + 64],
    };
    let key = handshake(&mut link, &dc)?;
    let auth_key = AuthKey::new(key.auth_key);
    println!("auth key {:#018x} made", auth_key.id_u64());

    let mut session_id = [0u8; 8];
    getrandom::fill(&mut session_id)?;
    let mut session: Session = Session::new(
        Software,
        auth_key,
        i64::from_le_bytes(session_id),
        key.first_salt,
        key.time_offset,
        SessionConfig::default(),
        now(),
    );
    let layer = RequestOptions {
        layer: Some(ferrogram_tl_types::LAYER as i32),
        ..RequestOptions::default()
    };

    let login = f::auth::ImportBotAuthorization {
        flags: 0,
        api_id: 1,
        api_hash: "0123456789abcdef0123456789abcdef".into(),
        bot_auth_token: token,
    };
    let id = session.enqueue(now(), &login.to_bytes()?, layer)?;
    let answer = call(&mut link, &mut session, id)?;
    let enums::auth::Authorization::Authorization(auth) =
        enums::auth::Authorization::from_bytes(&answer)?
    else {
        return Err("sign-up required".into());
    };
    let enums::User::User(me) = auth.user else {
        return Err("empty user".into());
    };
    println!(
        "logged in as bot {} (@{})",
        me.id,
        me.username.unwrap_or_default()
    );
    assert_eq!(me.id, bot_id);

    let send = f::messages::SendMessage {
        no_webpage: false,
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer: enums::InputPeer::User(types::InputPeerUser {
            user_id: FIRST_USER_ID,
            access_hash: 0,
        }),
        reply_to: None,
        message: text.clone(),
        random_id: i64::from_le_bytes(session_id) ^ 0x5a5a,
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
    };
    let id = session.enqueue(now(), &send.to_bytes()?, RequestOptions::default())?;
    let answer = call(&mut link, &mut session, id)?;
    match enums::Updates::from_bytes(&answer)? {
        enums::Updates::UpdateShortSentMessage(sent) => {
            println!("sent message {} to Alice (pts {})", sent.id, sent.pts)
        }
        other => println!("sent; the DC answered {other:?}"),
    }
    println!("the test DC stored: {:?}", dc.messages());
    Ok(())
}
