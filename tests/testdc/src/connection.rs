//! One client connection: transport detection and framing, then the auth-key exchange for
//! unencrypted messages.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use ferrogram_mtproto_proto::auth_key::server::{MAX_ANSWER, ServerHandshake};
use ferrogram_mtproto_proto::crypto::message::{self, MessageHeader, Role};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::server::{ServerConfig, ServerError, ServerEvent};
use ferrogram_mtproto_proto::transport::{
    DEFAULT_MAX_FRAME_LEN, Decoder, EncodeOptions, Encoder, Event, TransportErrorCode,
};
use getrandom::SysRng;
use rand_core::UnwrapErr;

use crate::api::{self, Caller};
use crate::{Session, SessionSlot, Shared, State, StoredKey, faults};

/// How often a waiting connection wakes to send updates pushed by other connections.
const PUSH_POLL: Duration = Duration::from_millis(50);
/// Answers made before those made so far are sent (the session holds
/// [`MAX_OUT_MESSAGES`](ferrogram_mtproto_proto::session::server::MAX_OUT_MESSAGES)).
const ANSWER_BATCH: usize = 32;

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
    /// Encrypting an answer failed (a bug: the transmit buffer is sized for the session).
    Session(String),
    /// The `close_after` fault: this many messages came in.
    FaultClose(u32),
}

pub(crate) fn serve(stream: TcpStream, shared: &Shared) {
    let peer = stream
        .peer_addr()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    if shared.stop.load(std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    shared.log(peer, format_args!("connected"));
    // Answers go out as they are made, often several writes per client message: without
    // this, Nagle's algorithm holds each write after the first until the client's delayed
    // ACK (tens of milliseconds) — as Telegram's servers do not.
    if let Err(e) = stream.set_nodelay(true) {
        shared.log(peer, format_args!("cannot set TCP_NODELAY: {e}"));
    }
    let end = Connection::new(stream, shared, peer).run();
    let why = match end {
        End::Closed => "closed by the client".to_string(),
        End::Io(e) => format!("socket: {e}"),
        End::Framing(e) => format!("bad framing: {e}"),
        End::Handshake(e) => format!("auth-key exchange refused: {e}"),
        End::UnknownKey(id) => format!("unknown auth key {id:#018x}: sent -404"),
        End::Session(e) => format!("session: {e}"),
        End::FaultClose(n) => format!("closed after {n} messages (close_after fault)"),
    };
    shared.log(peer, format_args!("disconnected ({why})"));
}

/// A new boxed session. A session holds its ~10 MiB of buffers inline and is built on the
/// stack before it is boxed: kept out of line, that frame is paid once per new session, not
/// (with stack probes touching every page of it) by every message through the function it
/// would otherwise be inlined into.
#[inline(never)]
fn new_session(key: AuthKey) -> Box<Session> {
    Box::new(Session::new(Software, key, ServerConfig::default()))
}

/// Takes every message `session` has queued out for sending, encrypted, onto `ready`
/// (`tx` is the scratch buffer they are encrypted into).
fn take_queued(
    session: &mut Session,
    now: UnixNanos,
    rng: &mut UnwrapErr<SysRng>,
    tx: &mut [u8],
    ready: &mut Vec<Vec<u8>>,
) -> Result<(), End> {
    loop {
        match session.poll_transmit(now, rng, tx) {
            Ok(Some(range)) => ready.push(tx[range].to_vec()),
            Ok(None) => return Ok(()),
            Err(e) => return Err(End::Session(e.to_string())),
        }
    }
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
    /// Encrypted payloads from the session before framing.
    tx: Vec<u8>,
    /// The (auth key, session id) whose session this connection carries.
    attached: Option<(u64, i64)>,
    /// Encrypted messages received (for the `close_after` fault).
    received: u32,
}

impl<'s> Connection<'s> {
    fn new(stream: TcpStream, shared: &'s Shared, peer: SocketAddr) -> Self {
        Self {
            stream,
            shared,
            peer,
            decoder: match &shared.config.proxy_secret {
                Some(secret) => {
                    Decoder::server_with_secret(vec![0u8; DEFAULT_MAX_FRAME_LEN + 64], secret)
                }
                None => Decoder::server(vec![0u8; DEFAULT_MAX_FRAME_LEN + 64]),
            },
            encoder: None,
            handshake: ServerHandshake::new(&shared.key),
            rng: UnwrapErr(SysRng),
            out: vec![0u8; DEFAULT_MAX_FRAME_LEN + 64],
            // The largest answer (a 1 MiB upload.file) encrypted, within a transport frame.
            tx: vec![0u8; DEFAULT_MAX_FRAME_LEN],
            attached: None,
            received: 0,
        }
    }

    fn run(mut self) -> End {
        if let Err(e) = self.stream.set_read_timeout(Some(PUSH_POLL)) {
            return End::Io(e);
        }
        let mut chunk = vec![0u8; 64 * 1024];
        let mut last_input = Instant::now();
        loop {
            let n = match self.stream.read(&mut chunk) {
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    if last_input.elapsed() > self.shared.config.idle_timeout {
                        return End::Io(e);
                    }
                    // Updates other connections pushed to this key's session.
                    if let Some(end) = self.flush() {
                        return end;
                    }
                    continue;
                }
                Ok(0) => {
                    return match self.decoder.handle_eof() {
                        Ok(()) => End::Closed,
                        Err(e) => End::Framing(e.to_string()),
                    };
                }
                Ok(n) => {
                    last_input = Instant::now();
                    n
                }
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
            if let Some(stored) = self.shared.stored_key(key_id) {
                return self.handle_encrypted(key_id, &stored, payload);
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
        let now = self.shared.now();
        if let Err(e) = self.handshake.handle_packet(now, payload, &mut self.rng) {
            return Some(End::Handshake(e.to_string()));
        }
        let mut answer = [0u8; MAX_ANSWER];
        let answer_len = match self.handshake.poll_transmit(now, &mut answer) {
            Ok(n) => n,
            Err(e) => return Some(End::Handshake(e.to_string())),
        };
        // The key is stored before dh_gen_ok leaves: a client may use it on another
        // connection the moment it has the answer.
        self.store_new_key();
        if let Some(n) = answer_len {
            if let Err(e) = self.send(&answer[..n]) {
                return Some(e);
            }
        }
        None
    }

    /// Stores the key the handshake just made, if it made one.
    fn store_new_key(&mut self) {
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
    }

    /// An encrypted message: through its session (by auth key and session id), queries to
    /// the API, answers and pushed updates back out.
    fn handle_encrypted(&mut self, key_id: u64, stored: &StoredKey, payload: &[u8]) -> Option<End> {
        let now = self.shared.now();
        let faults = self.shared.faults().clone();
        self.received += 1;
        let caller = Caller {
            auth_key_id: key_id,
            now: i32::try_from(now.secs()).unwrap_or(i32::MAX),
            dc_id: self.shared.config.dc_id,
            port: self.shared.port(),
        };
        let key = AuthKey::new(stored.auth_key);
        // The session id is inside the encryption. The first block gives it cheaply, but
        // unauthenticated: that is enough to pick an existing session (which then checks the
        // whole message), not to make one. A new session id, and the refusal fault (which
        // answers from the header), take a full decryption of a copy first.
        let mut payload = payload.to_vec();
        let routed = message::strip_transport_padding(&mut payload).len();
        let claimed =
            match message::peek_session_id(&mut Software, &key, Role::Server, &payload[..routed]) {
                Ok(id) => id,
                Err(e) => {
                    self.shared.log(
                        self.peer,
                        format_args!("dropped an undecryptable message: {e}"),
                    );
                    return None;
                }
            };
        let refusing = faults.bad_server_salt || faults.bad_msg.is_some();
        let mut header = None;
        let known = self
            .shared
            .state()
            .sessions
            .contains_key(&(key_id, claimed));
        if refusing || !known {
            let mut copy = payload.clone();
            match message::decrypt(
                &mut Software,
                &key,
                Role::Server,
                message::strip_transport_padding(&mut copy),
            ) {
                Ok(d) => header = Some(d.header),
                Err(e) => {
                    self.shared.log(
                        self.peer,
                        format_args!("dropped an undecryptable message: {e}"),
                    );
                    return None;
                }
            }
        }
        let session_id = header.map_or(claimed, |h| h.session_id);
        let slot_id = (key_id, session_id);
        let mut guard = self.shared.state();
        let State {
            sessions,
            updates_to,
            tick,
            ..
        } = &mut *guard;
        *tick += 1;
        if !sessions.contains_key(&slot_id) {
            let of_key: Vec<((u64, i64), u64)> = sessions
                .iter()
                .filter(|(id, _)| id.0 == key_id)
                .map(|(id, slot)| (*id, slot.last_used))
                .collect();
            if of_key.len() >= crate::SESSIONS_PER_KEY
                && let Some((oldest, _)) = of_key.iter().min_by_key(|(_, used)| *used)
            {
                sessions.remove(oldest);
            }
            sessions.insert(
                slot_id,
                SessionSlot {
                    session: new_session(AuthKey::new(stored.auth_key)),
                    last_used: *tick,
                },
            );
        }
        updates_to.entry(key_id).or_insert(session_id);
        let slot = sessions.get_mut(&slot_id)?;
        slot.last_used = *tick;
        let session = &mut slot.session;
        if self.attached != Some(slot_id) {
            // A new connection for this session: unacknowledged answers go out again.
            session.handle_reconnect();
            self.attached = Some(slot_id);
        }
        let refusal = self.shared.faults().take_refusal();
        if let (Some(code), Some(header)) = (refusal, header) {
            // The refusal fault: the session never sees this message; the client is told
            // to fix its salt or clock and send it again.
            let salt = session.salt_at(now);
            drop(guard);
            self.shared.log(
                self.peer,
                format_args!("refused msg {:#x} with code {code} (fault)", header.msg_id),
            );
            let body = faults::refusal(header.msg_id, header.seq_no, code, salt);
            let out = MessageHeader {
                salt,
                session_id,
                msg_id: faults::server_msg_id(now, 1),
                seq_no: 0,
            };
            return match faults::encrypt_server(&key, &out, &body, &mut self.rng) {
                Ok(p) => self.send(&p).err(),
                Err(e) => Some(End::Session(e.to_string())),
            };
        }
        session.handle_packet(now, &mut payload);
        while let Some(event) = session.poll_event() {
            if self.shared.config.verbose {
                let what = match event {
                    ServerEvent::NewSession { session_id } => {
                        format!("new session {session_id:#018x}")
                    }
                    ServerEvent::Dropped(why) => format!("dropped a message: {why:?}"),
                    ServerEvent::Refused { msg_id, code } => {
                        format!("refused msg {msg_id:#x} with bad_msg code {code}")
                    }
                    ServerEvent::Forgotten { msg_id, req_msg_id } => format!(
                        "forgot unacknowledged msg {msg_id:#x}{}",
                        req_msg_id.map_or(String::new(), |r| format!(" (answer to {r:#x})"))
                    ),
                };
                self.shared.log(self.peer, format_args!("{what}"));
            }
        }
        let mut queries = Vec::new();
        while let Some(q) = session.poll_query() {
            queries.push((q.req_msg_id, q.body.to_vec()));
        }
        drop(guard);
        if !faults.delay.is_zero() {
            // The delay fault: a slow server, every answer late.
            std::thread::sleep(faults.delay);
        }
        let had_queries = !queries.is_empty();
        // The session keeps at most MAX_OUT_MESSAGES answers, and the client is waiting: the
        // answers to a large container go out in batches, each as soon as it is made (the
        // world unlocked while it is written), so the client works on one batch while the
        // next is made.
        // The close_after fault: this message is run, but the connection closes before its
        // answers leave; they stay queued in the session for the client's next connection.
        let closing = faults.close_after.filter(|n| self.received >= *n);
        for batch in queries.chunks(ANSWER_BATCH) {
            let deliver = closing.is_none();
            if let Some(end) = self.answer(slot_id, &caller, &faults, now, batch, deliver) {
                return Some(end);
            }
        }
        if had_queries {
            self.shared.changed();
        }
        if let Some(n) = closing {
            return Some(End::FaultClose(n));
        }
        self.flush()
    }

    /// Runs one batch of queries of the session `slot_id` against the world and sends their
    /// answers (with whatever else the session has queued); with `deliver` false the answers
    /// stay queued (those the queue had to make room for count as sent and lost, and go out
    /// again on the next connection).
    fn answer(
        &mut self,
        slot_id: (u64, i64),
        caller: &Caller,
        faults: &faults::Faults,
        now: UnixNanos,
        batch: &[(i64, Vec<u8>)],
        deliver: bool,
    ) -> Option<End> {
        let (key_id, session_id) = slot_id;
        let mut guard = self.shared.state();
        let State {
            world,
            sessions,
            updates_to,
            ..
        } = &mut *guard;
        let Some(slot) = sessions.get_mut(&slot_id) else {
            // Another connection's new session pushed this one out meanwhile.
            self.shared.log(
                self.peer,
                format_args!(
                    "session {session_id:#018x} evicted; {} queries dropped",
                    batch.len()
                ),
            );
            return None;
        };
        let session = &mut slot.session;
        let mut pushes = Vec::new();
        // Payloads to send, in order, once the world is unlocked.
        let mut ready = Vec::new();
        for (req_msg_id, body) in batch {
            let req_msg_id = *req_msg_id;
            if api::wants_updates(body) {
                updates_to.insert(key_id, session_id);
            }
            let armed = self.shared.faults().take_error();
            let answer = match armed {
                Some((code, message)) => api::Answer {
                    result: Err(api::ApiError { code, message }),
                    pushes: Vec::new(),
                },
                None => api::call(world, caller, body),
            };
            if self.shared.config.verbose {
                let name = api::unwrap(body)
                    .ok()
                    .and_then(|q| {
                        q.get(..4)
                            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    })
                    .and_then(ferrogram_tl_types::names::name_of)
                    .unwrap_or("?");
                let outcome = match &answer.result {
                    Ok(b) => format!("{} bytes", b.len()),
                    Err(e) => format!("rpc_error {} {}", e.code, e.message),
                };
                self.shared
                    .log(self.peer, format_args!("{name} -> {outcome}"));
            }
            let body = match &answer.result {
                Ok(bytes) if faults.gzip => Ok(std::borrow::Cow::Owned(faults::gzip_packed(bytes))),
                Ok(bytes) => Ok(std::borrow::Cow::Borrowed(bytes.as_slice())),
                Err(e) => Err(e),
            };
            let respond = |session: &mut Session| match &body {
                Ok(bytes) => session.respond(now, req_msg_id, bytes),
                Err(e) => session.respond_error(now, req_msg_id, e.code, &e.message),
            };
            let mut queued = respond(session);
            if matches!(queued, Err(ServerError::QueueFull)) {
                // The queue is full of messages not sent yet (answers re-sent after a
                // reconnect, say): take them out for sending, then the answer fits.
                if let Err(end) = take_queued(session, now, &mut self.rng, &mut self.tx, &mut ready)
                {
                    return Some(end);
                }
                queued = respond(session);
            }
            if let Err(e) = queued {
                self.shared.log(
                    self.peer,
                    format_args!("answer to {req_msg_id:#x} not queued: {e}"),
                );
            }
            pushes.extend(answer.pushes);
        }
        if deliver {
            if let Err(end) = take_queued(session, now, &mut self.rng, &mut self.tx, &mut ready) {
                return Some(end);
            }
        }
        crate::deliver(&mut guard, now, &pushes, faults.gzip);
        drop(guard);
        if !deliver {
            return None;
        }
        for payload in ready {
            if let Some(end) = self.send_payload(key_id, payload) {
                return Some(end);
            }
        }
        None
    }

    /// Sends everything the attached session has queued.
    fn flush(&mut self) -> Option<End> {
        let slot_id = self.attached?;
        loop {
            let now = self.shared.now();
            let payload = {
                let mut state = self.shared.state();
                let slot = state.sessions.get_mut(&slot_id)?;
                match slot.session.poll_transmit(now, &mut self.rng, &mut self.tx) {
                    Ok(Some(range)) => self.tx[range].to_vec(),
                    Ok(None) => return None,
                    Err(e) => return Some(End::Session(e.to_string())),
                }
            };
            if let Some(end) = self.send_payload(slot_id.0, payload) {
                return Some(end);
            }
        }
    }

    /// Sends one encrypted payload of `key_id`'s session (inside a container when the
    /// `containers` fault is on).
    fn send_payload(&mut self, key_id: u64, payload: Vec<u8>) -> Option<End> {
        let payload = match self.shared.stored_key(key_id) {
            Some(k) if self.shared.faults().containers => {
                faults::in_container(&AuthKey::new(k.auth_key), &payload, &mut self.rng)
            }
            _ => payload,
        };
        self.send(&payload).err()
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
