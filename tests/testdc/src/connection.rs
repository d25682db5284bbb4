//! One client connection: transport detection and framing, then the auth-key exchange for
//! unencrypted messages.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{SystemTime, UNIX_EPOCH};

use ferrogram_mtproto_proto::auth_key::server::{MAX_ANSWER, ServerHandshake};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::transport::{
    DEFAULT_MAX_FRAME_LEN, Decoder, EncodeOptions, Encoder, Event, TransportErrorCode,
};
use getrandom::SysRng;
use rand_core::UnwrapErr;

use crate::{Shared, StoredKey};

/// Why a connection ended (logged).
enum End {
    /// The client closed it.
    Closed,
    /// A socket error or the idle timeout.
    Io(std::io::Error),
    /// The byte stream was not valid framing.
    Framing(String),
    /// The exchange failed (the client is told nothing, as Telegram does: it closes).
    Handshake(String),
    /// An encrypted message under a key this DC does not know: -404 was sent.
    UnknownKey(u64),
    /// An encrypted message under a known key: the session layer is not served yet.
    NotServedYet(u64),
}

pub(crate) fn serve(stream: TcpStream, shared: &Shared) {
    let peer = stream
        .peer_addr()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    if shared.stop.load(std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    shared.log(peer, format_args!("connected"));
    let end = Connection::new(stream, shared, peer).run();
    let why = match end {
        End::Closed => "closed by the client".to_string(),
        End::Io(e) => format!("socket: {e}"),
        End::Framing(e) => format!("bad framing: {e}"),
        End::Handshake(e) => format!("auth-key exchange refused: {e}"),
        End::UnknownKey(id) => format!("unknown auth key {id:#018x}: sent -404"),
        End::NotServedYet(id) => format!(
            "encrypted message under auth key {id:#018x}: the session layer is not served \
             yet, closing"
        ),
    };
    shared.log(peer, format_args!("disconnected ({why})"));
}

struct Connection<'s> {
    stream: TcpStream,
    shared: &'s Shared,
    peer: SocketAddr,
    decoder: Decoder<Vec<u8>>,
    encoder: Option<Encoder>,
    handshake: ServerHandshake<'s>,
    rng: UnwrapErr<SysRng>,
    out: Vec<u8>,
}

fn now() -> UnixNanos {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    UnixNanos(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl<'s> Connection<'s> {
    fn new(stream: TcpStream, shared: &'s Shared, peer: SocketAddr) -> Self {
        Self {
            stream,
            shared,
            peer,
            decoder: Decoder::server(vec![0u8; DEFAULT_MAX_FRAME_LEN + 64]),
            encoder: None,
            handshake: ServerHandshake::new(&shared.key),
            rng: UnwrapErr(SysRng),
            out: vec![0u8; DEFAULT_MAX_FRAME_LEN + 64],
        }
    }

    fn run(mut self) -> End {
        if let Err(e) = self
            .stream
            .set_read_timeout(Some(self.shared.config.idle_timeout))
        {
            return End::Io(e);
        }
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = match self.stream.read(&mut chunk) {
                Ok(0) => {
                    return match self.decoder.handle_eof() {
                        Ok(()) => End::Closed,
                        Err(e) => End::Framing(e.to_string()),
                    };
                }
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return End::Io(e),
            };
            let mut input = &chunk[..n];
            loop {
                let payload = match self.decoder.decode(&mut input) {
                    Ok(Some(Event::Packet { payload, .. })) => payload.to_vec(),
                    // Clients send neither quick acks nor transport errors; ignore them.
                    Ok(Some(_)) => continue,
                    Ok(None) => break,
                    Err(e) => return End::Framing(e.to_string()),
                };
                if self.encoder.is_none() {
                    self.encoder = self.decoder.take_encoder();
                    if let (Some(kind), true) = (self.decoder.kind(), self.shared.config.verbose) {
                        let obf = if self.decoder.is_obfuscated() {
                            ", obfuscated"
                        } else {
                            ""
                        };
                        self.shared
                            .log(self.peer, format_args!("transport {kind:?}{obf}"));
                    }
                }
                if let Some(end) = self.handle_payload(&payload) {
                    return end;
                }
            }
        }
    }

    /// Handles one MTProto payload; `Some` ends the connection.
    fn handle_payload(&mut self, payload: &[u8]) -> Option<End> {
        let key_id = payload
            .get(..8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            .unwrap_or(0);
        if key_id != 0 {
            if self.shared.knows_key(key_id) {
                return Some(End::NotServedYet(key_id));
            }
            return Some(match self.send_error(TransportErrorCode::AuthKeyNotFound) {
                Ok(()) => End::UnknownKey(key_id),
                Err(e) => e,
            });
        }

        if self.handshake.is_done() {
            // A client may make several keys on one connection (e.g. a temporary one).
            self.handshake = ServerHandshake::new(&self.shared.key);
        }
        let now = now();
        if let Err(e) = self.handshake.handle_packet(now, payload, &mut self.rng) {
            return Some(End::Handshake(e.to_string()));
        }
        let mut answer = [0u8; MAX_ANSWER];
        match self.handshake.poll_transmit(now, &mut answer) {
            Ok(Some(n)) => {
                if let Err(e) = self.send(&answer[..n]) {
                    return Some(e);
                }
            }
            Ok(None) => {}
            Err(e) => return Some(End::Handshake(e.to_string())),
        }
        if let Some(key) = self.handshake.poll_result() {
            let id = AuthKey::new(key.auth_key).id_u64();
            self.shared.log(
                self.peer,
                format_args!(
                    "auth key {id:#018x} created (requested dc {:?}, {})",
                    key.dc,
                    match key.expires_in {
                        Some(s) => format!("temporary, {s} s"),
                        None => "permanent".into(),
                    }
                ),
            );
            self.shared.store_key(
                id,
                StoredKey {
                    auth_key: key.auth_key,
                    first_salt: key.first_salt,
                    requested_dc: key.dc,
                    expires_in: key.expires_in,
                },
            );
        }
        None
    }

    fn send(&mut self, payload: &[u8]) -> Result<(), End> {
        let Some(encoder) = self.encoder.as_mut() else {
            return Err(End::Framing("no transport detected before a reply".into()));
        };
        let n = encoder
            .encode(
                payload,
                EncodeOptions::default(),
                &mut self.rng,
                &mut self.out,
            )
            .map_err(|e| End::Framing(e.to_string()))?;
        self.stream.write_all(&self.out[..n]).map_err(End::Io)
    }

    fn send_error(&mut self, code: TransportErrorCode) -> Result<(), End> {
        let Some(encoder) = self.encoder.as_mut() else {
            return Err(End::Framing("no transport detected before a reply".into()));
        };
        let n = encoder
            .encode_transport_error(code, &mut self.out)
            .map_err(|e| End::Framing(e.to_string()))?;
        self.stream.write_all(&self.out[..n]).map_err(End::Io)
    }
}
