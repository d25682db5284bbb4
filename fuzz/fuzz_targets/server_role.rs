//! The server role fed arbitrary client bytes, as the test DC runs it: a transport decoder
//! that detects the transport (plain tags, full, obfuscated headers), then for each frame
//! either the auth-key exchange (`ServerHandshake`, a new one after each end) or, for the
//! known auth key, the encrypted session (`ServerSession`), whose queries are answered.
//! A second input mode seals frames as a client would (so they pass decryption and reach
//! the session's later checks). No panic, no unbounded growth.
//!
//! Input: the first byte picks the chunking; then records `[kind][len][...]`: kind % 2 == 0
//! raw transport bytes (len * 4 of them, fed in chunks); 1 a client-sealed message for the
//! session (12 bytes msg_id and seq_no, then the body).
#![no_main]

use ferrogram_mtproto_proto::auth_key::rsa::RsaPrivateKey;
use ferrogram_mtproto_proto::auth_key::server::ServerHandshake;
use ferrogram_mtproto_proto::crypto::message::{self, MessageHeader, Packet, Role};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::server::{ServerConfig, ServerSession};
use ferrogram_mtproto_proto::transport::{Decoder, Event};
use libfuzzer_sys::fuzz_target;

#[path = "session_common.rs"]
#[allow(dead_code)]
mod common;

#[path = "../../tests/testdc/src/default_key.rs"]
#[allow(dead_code)]
mod default_key;

const T0: u64 = common::T0;

fn hex(s: &str) -> Vec<u8> {
    let s = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_string()
    };
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

type Server = ServerSession<Software, 8, 4096, 4096>;

struct Dc<'k> {
    key: &'k RsaPrivateKey,
    handshake: ServerHandshake<'k>,
    session: Server,
    auth_key: AuthKey,
    rng: common::Rng,
    out: Vec<u8>,
}

impl Dc<'_> {
    fn payload(&mut self, payload: &[u8]) {
        let now = UnixNanos(T0);
        let key_id = payload
            .get(..8)
            .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap()));
        if key_id == 0 {
            if self.handshake.is_done() {
                self.handshake = ServerHandshake::new(self.key);
            }
            if self
                .handshake
                .handle_packet(now, payload, &mut self.rng)
                .is_ok()
            {
                let _ = self.handshake.poll_transmit(now, &mut self.out);
                let _ = self.handshake.poll_result();
            }
        } else if key_id == self.auth_key.id_u64() {
            let mut p = payload.to_vec();
            self.session.handle_packet(now, &mut p);
            self.drain();
        }
    }

    fn drain(&mut self) {
        let now = UnixNanos(T0);
        let mut reqs = Vec::new();
        while let Some(q) = self.session.poll_query() {
            reqs.push(q.req_msg_id);
        }
        for r in reqs {
            let _ = self.session.respond(now, r, &[1, 0, 0, 0]);
        }
        while self.session.poll_event().is_some() {}
        let mut sent = 0;
        while let Ok(Some(_)) = self
            .session
            .poll_transmit(now, &mut self.rng, &mut self.out)
        {
            sent += 1;
            assert!(sent < 1000, "poll_transmit does not end");
        }
    }
}

/// The test DC's key, built once (its Montgomery parameters are not cheap).
fn rsa_key() -> &'static RsaPrivateKey {
    static KEY: std::sync::OnceLock<RsaPrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        RsaPrivateKey::from_be_bytes(
            &hex(default_key::N_HEX),
            &hex(default_key::E_HEX),
            &hex(default_key::D_HEX),
        )
        .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let key = rsa_key();
    let auth_key = AuthKey::new(common::KEY);
    let mut dc = Dc {
        key,
        handshake: ServerHandshake::new(key),
        session: Server::new(Software, AuthKey::new(common::KEY), ServerConfig::default()),
        auth_key: AuthKey::new(common::KEY),
        rng: common::Rng(5),
        out: vec![0u8; 8192],
    };
    let mut decoder = Decoder::server(vec![0u8; 8192]);
    let mut decoder_ok = true;
    let Some((&chunking, mut rest)) = data.split_first() else {
        return;
    };
    let mut seal_rng = common::Rng(9);
    while rest.len() >= 2 {
        let (kind, len) = (rest[0], usize::from(rest[1]) * 4);
        rest = &rest[2..];
        let body = &rest[..len.min(rest.len())];
        if kind % 2 == 0 {
            rest = &rest[body.len()..];
            if !decoder_ok {
                continue;
            }
            let step = usize::from(chunking % 16) + 1;
            for chunk in body.chunks(step) {
                let mut input = chunk;
                loop {
                    match decoder.decode(&mut input) {
                        Ok(Some(Event::Packet { payload, .. })) => {
                            let p = payload.to_vec();
                            dc.payload(&p);
                        }
                        Ok(Some(_)) => {}
                        Ok(None) => break,
                        // A broken stream ends the connection, as in the test DC.
                        Err(_) => {
                            decoder_ok = false;
                            break;
                        }
                    }
                }
                if !decoder_ok {
                    break;
                }
            }
        } else {
            if rest.len() < 12 {
                break;
            }
            let msg_id = i64::from_le_bytes(rest[..8].try_into().unwrap());
            let seq_no = i32::from_le_bytes(rest[8..12].try_into().unwrap());
            rest = &rest[12..];
            let body = &rest[..len.min(rest.len())];
            rest = &rest[body.len()..];
            let msg_id = ((T0 / 1_000_000_000) as i64) << 32 | (msg_id & 0xffff_fffc);
            let mut buf = vec![0u8; message::encrypted_len(body.len())];
            let mut p = Packet::new(&mut buf, 0).unwrap();
            p.body_mut()[..body.len()].copy_from_slice(body);
            let header = MessageHeader {
                salt: dc.session.salt_at(UnixNanos(T0)),
                session_id: common::SID,
                msg_id,
                seq_no,
            };
            if let Ok(r) = p.encrypt(
                &mut Software,
                &auth_key,
                Role::Client,
                &header,
                body.len(),
                &mut seal_rng,
            ) {
                let frame = buf[r].to_vec();
                dc.payload(&frame);
            }
        }
    }
});
