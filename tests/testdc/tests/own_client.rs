//! Our own client role against the test DC over real TCP: every transport, plain and
//! obfuscated; the key the client ends with is byte-for-byte the one the DC stored.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ferrogram_mtproto_proto::auth_key::client::{ClientConfig, ClientHandshake, KeyKind};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::transport::obfuscated::ClientInit;
use ferrogram_mtproto_proto::transport::{Decoder, EncodeOptions, Encoder, Event, TransportKind};
use ferrogram_testdc::{Config, TestDc};
use getrandom::SysRng;
use rand_core::UnwrapErr;

fn now() -> UnixNanos {
    UnixNanos(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    )
}

fn handshake(dc: &TestDc, kind: TransportKind, obfuscated: bool, key_kind: KeyKind) {
    let mut rng = UnwrapErr(SysRng);
    let mut stream = TcpStream::connect(dc.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let (mut enc, mut dec) = if obfuscated {
        ClientInit::new(&mut rng, kind, Some(2), None)
            .unwrap()
            .split(vec![0u8; 4096])
    } else {
        (
            Encoder::client(kind),
            Decoder::client(kind, vec![0u8; 4096]),
        )
    };
    let keys = [*dc.public_key()];
    let mut config = ClientConfig::new(&keys, 2);
    config.kind = key_kind;
    let mut client = ClientHandshake::new(config, now(), &mut rng);
    let (mut msg, mut wire, mut chunk) = ([0u8; 1024], [0u8; 1200], [0u8; 4096]);
    let label = format!("{kind:?} obfuscated={obfuscated} {key_kind:?}");
    while !client.is_done() {
        if let Some(n) = client.poll_transmit(now(), &mut msg).unwrap() {
            let w = enc
                .encode(&msg[..n], EncodeOptions::default(), &mut rng, &mut wire)
                .unwrap();
            stream.write_all(&wire[..w]).unwrap();
        }
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "{label}: the DC closed the connection");
        let mut input = &chunk[..n];
        while let Some(event) = dec.decode(&mut input).unwrap() {
            let Event::Packet { payload, .. } = event else {
                panic!("{label}: unexpected {event:?}");
            };
            let payload = payload.to_vec();
            client.handle_packet(now(), &payload, &mut rng).unwrap();
        }
    }
    let key = client.poll_result().expect("a key");
    let id = AuthKey::new(key.auth_key).id_u64();
    let stored = dc
        .auth_key(id)
        .unwrap_or_else(|| panic!("{label}: DC has no key {id:#x}"));
    assert!(stored.auth_key == key.auth_key, "{label}: keys differ");
    assert_eq!(stored.first_salt, key.first_salt, "{label}");
    assert_eq!(stored.requested_dc, Some(2), "{label}");
    match key_kind {
        KeyKind::Temporary { expires_in } => {
            assert_eq!(stored.expires_in, Some(expires_in as i32), "{label}")
        }
        KeyKind::Permanent => assert_eq!(stored.expires_in, None, "{label}"),
    }
}

#[test]
fn every_transport_plain_and_obfuscated() {
    let dc = TestDc::start(Config::default()).unwrap();
    let kinds = [
        TransportKind::Abridged,
        TransportKind::Intermediate,
        TransportKind::PaddedIntermediate,
        TransportKind::Full,
    ];
    for kind in kinds {
        handshake(&dc, kind, false, KeyKind::Permanent);
        if kind != TransportKind::Full {
            handshake(&dc, kind, true, KeyKind::Permanent);
        }
    }
    handshake(
        &dc,
        TransportKind::Intermediate,
        false,
        KeyKind::Temporary { expires_in: 3600 },
    );
    assert_eq!(dc.auth_key_count(), 8);
}

#[test]
fn an_unknown_key_gets_transport_error_404() {
    let dc = TestDc::start(Config::default()).unwrap();
    let mut stream = TcpStream::connect(dc.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut enc = Encoder::client(TransportKind::Intermediate);
    let mut dec = Decoder::client(TransportKind::Intermediate, vec![0u8; 256]);
    // An "encrypted" message under auth_key_id 0x1122334455667788.
    let mut msg = [0u8; 24 + 48];
    msg[..8].copy_from_slice(&0x1122_3344_5566_7788u64.to_le_bytes());
    let mut wire = [0u8; 128];
    let n = enc
        .encode(
            &msg,
            EncodeOptions::default(),
            &mut UnwrapErr(SysRng),
            &mut wire,
        )
        .unwrap();
    stream.write_all(&wire[..n]).unwrap();
    let mut got = Vec::new();
    stream.read_to_end(&mut got).unwrap();
    let mut input = &got[..];
    let event = dec.decode(&mut input).unwrap();
    assert!(
        matches!(event, Some(Event::TransportError(code)) if code.code() == -404),
        "{event:?}"
    );
}

#[test]
fn a_cluster_shares_the_world_but_not_the_auth_keys() {
    let dcs = TestDc::start_cluster(Config::default(), &[1, 2, 3]).unwrap();
    let ports: Vec<u16> = dcs.iter().map(|d| d.addr().port()).collect();
    assert_eq!(dcs.iter().map(TestDc::dc_id).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2]);
    handshake(
        &dcs[0],
        TransportKind::Intermediate,
        false,
        KeyKind::Permanent,
    );
    assert_eq!(
        dcs.iter().map(TestDc::auth_key_count).collect::<Vec<_>>(),
        [1, 0, 0]
    );
    // One world: a bot made through one DC's handle is known to the others.
    let (bot, _) = dcs[2].create_bot("Shared", "shared_bot");
    dcs[0].log_in(0x77, bot);
    assert_eq!(dcs[1].logged_in_keys(bot), [0x77]);
    // Ids must be distinct and in 1..=5.
    for bad in [&[1, 1][..], &[0], &[6], &[]] {
        let e = TestDc::start_cluster(Config::default(), bad).err().unwrap();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{bad:?}");
    }
}
