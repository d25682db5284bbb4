//! The frame decoder shared by all transports, plain or obfuscated, with server-side
//! transport detection.

use super::crc32::Crc32;
use super::obfuscated::{self, ProxySecret};
use super::{
    DEFAULT_MAX_FRAME_LEN, DecodeError, Encoder, Event, Header, Role, TransportErrorCode,
    TransportKind, abridged, full, intermediate, padded,
};
use crate::crypto::ctr::Aes256Ctr;

/// Where the decoder is in the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Server role: collecting the first bytes to find the transport (`scratch[..have]`).
    Detect,
    /// Collecting a frame header into `scratch[..have]`.
    Header,
    /// Copying `frame_len` bytes into the buffer (`have` so far).
    Body,
    /// Full transport: collecting the CRC into `scratch[8..8 + have]`.
    Trailer,
}

/// A finished frame, described without borrowing the buffer.
#[derive(Clone, Copy, Debug)]
enum Done {
    Packet { len: usize, quick_ack: bool },
    QuickAck(u32),
    TransportError(TransportErrorCode),
}

/// Finds frames in the received bytes of one direction of a connection.
///
/// Feed it what the socket gave, in chunks of any size, with [`decode`](Decoder::decode); it
/// copies each frame into the buffer `B` (an array, a `&mut [u8]`, a `Vec<u8>` — anything
/// `AsMut<[u8]>`), decrypts it if the connection is obfuscated, checks it, and returns one
/// [`Event`] per frame. The buffer's size bounds the largest frame, together with
/// [`with_max_frame_len`](Decoder::with_max_frame_len) (default
/// [`DEFAULT_MAX_FRAME_LEN`]).
///
/// - [`Decoder::client`]: reads what a server sends on a plain connection of a known transport.
/// - [`Decoder::server`] / [`Decoder::server_with_secret`]: detects the transport from the
///   client's first bytes (tag, full transport's first header, or obfuscated header); then
///   [`take_encoder`](Decoder::take_encoder) gives the matching encoder for the replies.
/// - [`obfuscated::ClientInit::split`]: the obfuscated client's decoder.
///
/// After any [`DecodeError`] the decoder keeps returning it: close the connection.
#[derive(Clone, Debug)]
pub struct Decoder<B> {
    buf: B,
    max_frame_len: usize,
    role: Role,
    kind: Option<TransportKind>,
    state: State,
    /// Detection bytes, then the current header (and the full transport's CRC at 8..12).
    scratch: [u8; 64],
    have: usize,
    frame_len: usize,
    quick_ack: bool,
    /// The next expected full-transport seq_no.
    seq: u32,
    cipher: Option<Aes256Ctr>,
    /// Server role: the MTProxy secret obfuscated clients must use.
    secret: Option<[u8; 16]>,
    /// Server role: the obfuscated reply cipher until [`take_encoder`] hands it out.
    reply_cipher: Option<Aes256Ctr>,
    encoder_taken: bool,
    obfuscated: bool,
    dc_id: Option<i16>,
    error: Option<DecodeError>,
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> Decoder<B> {
    fn new(buf: B, role: Role, kind: Option<TransportKind>, cipher: Option<Aes256Ctr>) -> Self {
        Self {
            buf,
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            role,
            kind,
            state: if kind.is_some() {
                State::Header
            } else {
                State::Detect
            },
            scratch: [0; 64],
            have: 0,
            frame_len: 0,
            quick_ack: false,
            seq: 0,
            obfuscated: cipher.is_some(),
            cipher,
            secret: None,
            reply_cipher: None,
            encoder_taken: false,
            dc_id: None,
            error: None,
        }
    }

    /// A client's decoder for a plain connection of transport `kind`: reads server frames,
    /// quick-ack replies and transport errors into `buf`.
    pub fn client(kind: TransportKind, buf: B) -> Self {
        Self::new(buf, Role::Client, Some(kind), None)
    }

    /// The obfuscated client's decoder (see [`obfuscated::ClientInit::split`]).
    pub(crate) fn client_obfuscated(kind: TransportKind, buf: B, cipher: Aes256Ctr) -> Self {
        Self::new(buf, Role::Client, Some(kind), Some(cipher))
    }

    /// A server's decoder: detects the transport from the client's first bytes (plain tags,
    /// the full transport, or an obfuscated header with any of the three tags), then reads
    /// client frames into `buf`.
    pub fn server(buf: B) -> Self {
        Self::new(buf, Role::Server, None, None)
    }

    /// Like [`server`](Decoder::server), acting as an MTProxy: obfuscated clients' keys are
    /// derived with `secret` (`SHA-256(key ‖ secret)`). Plain clients are still accepted.
    pub fn server_with_secret(buf: B, secret: &ProxySecret) -> Self {
        let mut d = Self::server(buf);
        d.secret = Some(*secret.key());
        d
    }

    /// Sets the largest payload accepted (bytes); frames announcing more are
    /// [`DecodeError::FrameTooLarge`]. The buffer size is a limit too.
    #[must_use]
    pub fn with_max_frame_len(mut self, max: usize) -> Self {
        self.max_frame_len = max;
        self
    }

    /// The decoder's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The transport: known from the start for clients, once detected for servers.
    pub fn kind(&self) -> Option<TransportKind> {
        self.kind
    }

    /// Whether the connection is obfuscated (for servers: once detected).
    pub fn is_obfuscated(&self) -> bool {
        self.obfuscated
    }

    /// Server role: the DC id from an obfuscated client's header (bytes 60..62, signed
    /// little-endian: +10000 for test DCs, negative for media DCs). Only MTProxy clients are
    /// required to fill it in; others may leave random bytes there.
    pub fn dc_id(&self) -> Option<i16> {
        self.dc_id
    }

    /// The full-transport seq_no the next frame must carry.
    pub fn next_seq_no(&self) -> u32 {
        self.seq
    }

    /// The receive buffer's capacity in bytes.
    pub fn capacity(&self) -> usize {
        self.buf.as_ref().len()
    }

    /// Server role, once the transport is detected: the encoder for the replies (obfuscated
    /// with the server's keys if the client was). Returns `None` before detection, in the
    /// client role, and after the first call.
    pub fn take_encoder(&mut self) -> Option<Encoder> {
        if self.role != Role::Server || self.encoder_taken {
            return None;
        }
        let kind = self.kind?;
        self.encoder_taken = true;
        Some(match self.reply_cipher.take() {
            Some(c) => Encoder::obfuscated(kind, Role::Server, None, c),
            None => Encoder::server(kind),
        })
    }

    /// Reads from `input`, advancing it past the bytes consumed, until a frame is complete
    /// (returns its [`Event`]) or `input` is empty (returns `None`). Call it in a loop until it
    /// returns `None`:
    ///
    /// ```
    /// # use ferrogram_mtproto_proto::transport::{Decoder, Event, TransportKind};
    /// # let mut decoder = Decoder::client(TransportKind::Abridged, [0u8; 64]);
    /// # let received: &[u8] = &[1, 1, 2, 3, 4];
    /// let mut rest = received;
    /// while let Some(event) = decoder.decode(&mut rest)? {
    ///     match event {
    ///         Event::Packet { payload, .. } => { /* hand to the MTProto layer */ }
    ///         Event::QuickAck(token) => { /* mark that packet as received */ }
    ///         Event::TransportError(code) => { /* see its Display */ }
    ///     }
    /// }
    /// # Ok::<(), ferrogram_mtproto_proto::transport::DecodeError>(())
    /// ```
    ///
    /// The event borrows the buffer until the next call.
    ///
    /// # Errors
    ///
    /// Any [`DecodeError`]; all are fatal and repeated on later calls.
    pub fn decode(&mut self, input: &mut &[u8]) -> Result<Option<Event<'_>>, DecodeError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        match self.step(input) {
            Ok(None) => Ok(None),
            Ok(Some(Done::Packet { len, quick_ack })) => {
                let payload = self.buf.as_ref().get(..len).unwrap_or(&[]);
                Ok(Some(Event::Packet { payload, quick_ack }))
            }
            Ok(Some(Done::QuickAck(t))) => Ok(Some(Event::QuickAck(t))),
            Ok(Some(Done::TransportError(c))) => Ok(Some(Event::TransportError(c))),
            Err(e) => {
                self.error = Some(e);
                Err(e)
            }
        }
    }

    /// Call when the connection closed: `Ok` if it closed between frames,
    /// [`DecodeError::Truncated`] if inside one (or the earlier error).
    ///
    /// # Errors
    ///
    /// As described.
    pub fn handle_eof(&self) -> Result<(), DecodeError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let hdr = self.header_len_so_far();
        let (have, need) = match self.state {
            State::Detect | State::Header if self.have == 0 => return Ok(()),
            State::Detect => (self.have, detect_target(self.have)),
            State::Header => (self.have, self.header_need().max(self.have + 1)),
            State::Body => (hdr + self.have, hdr + self.frame_len + self.trailer_len()),
            State::Trailer => (hdr + self.frame_len + self.have, hdr + self.frame_len + 4),
        };
        Err(DecodeError::Truncated { have, need })
    }

    fn trailer_len(&self) -> usize {
        if self.kind == Some(TransportKind::Full) {
            4
        } else {
            0
        }
    }

    /// The header length of the frame being read (for `Truncated` reports).
    fn header_len_so_far(&self) -> usize {
        match self.kind {
            Some(TransportKind::Abridged) => abridged::header_len(self.scratch[0], self.role),
            Some(TransportKind::Full) => 8,
            _ => 4,
        }
    }

    /// Header bytes needed, given those collected so far.
    fn header_need(&self) -> usize {
        match self.kind {
            Some(TransportKind::Abridged) if self.have == 0 => 1,
            Some(TransportKind::Abridged) => abridged::header_len(self.scratch[0], self.role),
            Some(TransportKind::Full) => 8,
            _ => 4,
        }
    }

    /// Copies up to `need - have` bytes of `input` into `dst[have..need]`, decrypting them.
    /// Returns whether `have` reached `need`.
    fn fill(
        dst: &mut [u8],
        have: &mut usize,
        need: usize,
        input: &mut &[u8],
        cipher: Option<&mut Aes256Ctr>,
    ) -> bool {
        let take = need.saturating_sub(*have).min(input.len());
        let (src, rest) = input.split_at(take);
        if let Some(d) = dst.get_mut(*have..*have + take) {
            d.copy_from_slice(src);
            if let Some(c) = cipher {
                c.apply_keystream(d);
            }
        }
        *input = rest;
        *have += take;
        *have >= need
    }

    fn step(&mut self, input: &mut &[u8]) -> Result<Option<Done>, DecodeError> {
        loop {
            match self.state {
                State::Detect => {
                    let target = detect_target(self.have);
                    if !Self::fill(&mut self.scratch, &mut self.have, target, input, None) {
                        return Ok(None);
                    }
                    self.detect()?;
                }
                State::Header => {
                    let need = self.header_need();
                    if !Self::fill(
                        &mut self.scratch,
                        &mut self.have,
                        need,
                        input,
                        self.cipher.as_mut(),
                    ) {
                        return Ok(None);
                    }
                    // Abridged learns its header length from the first byte.
                    if self.header_need() > self.have {
                        continue;
                    }
                    if let Some(done) = self.parse_header()? {
                        return Ok(Some(done));
                    }
                }
                State::Body => {
                    let need = self.frame_len;
                    let buf = self.buf.as_mut();
                    if !Self::fill(buf, &mut self.have, need, input, self.cipher.as_mut()) {
                        return Ok(None);
                    }
                    if self.kind == Some(TransportKind::Full) {
                        self.state = State::Trailer;
                        self.have = 0;
                    } else {
                        return Ok(Some(self.finish()));
                    }
                }
                State::Trailer => {
                    let (_, crc_bytes) = self.scratch.split_at_mut(8);
                    if !Self::fill(crc_bytes, &mut self.have, 4, input, self.cipher.as_mut()) {
                        return Ok(None);
                    }
                    let got = u32::from_le_bytes([
                        self.scratch[8],
                        self.scratch[9],
                        self.scratch[10],
                        self.scratch[11],
                    ]);
                    let mut crc = Crc32::new();
                    crc.update(&self.scratch[..8]);
                    crc.update(self.buf.as_ref().get(..self.frame_len).unwrap_or(&[]));
                    let expected = crc.finish();
                    if expected != got {
                        return Err(DecodeError::BadCrc { expected, got });
                    }
                    self.seq = self.seq.wrapping_add(1);
                    return Ok(Some(self.finish()));
                }
            }
        }
    }

    /// Server role: decides the transport once `detect_target` bytes are in `scratch`.
    fn detect(&mut self) -> Result<(), DecodeError> {
        let s = &self.scratch;
        let first = [s[0], s[1], s[2], s[3]];
        let found = match self.have {
            1 if s[0] == abridged::TAG => Some(TransportKind::Abridged),
            1 => None,
            4 => match first {
                intermediate::TAG => Some(TransportKind::Intermediate),
                padded::TAG => Some(TransportKind::PaddedIntermediate),
                _ if obfuscated::is_http(first) => return Err(DecodeError::HttpNotSupported),
                obfuscated::TLS_START => return Err(DecodeError::FakeTlsNotSupported),
                _ => None,
            },
            8 if s[4..8] == [0; 4] => {
                // The full transport's first header (seq_no 0) is already in scratch[..8].
                self.kind = Some(TransportKind::Full);
                self.state = State::Header;
                return Ok(());
            }
            8 => None,
            _ => {
                let mut header = [0u8; 64];
                header.copy_from_slice(&self.scratch);
                let server = obfuscated::ServerInit::parse(&header, self.secret.as_ref())?;
                self.kind = Some(server.kind);
                self.dc_id = Some(server.dc_id);
                self.cipher = Some(server.decrypt);
                self.reply_cipher = Some(server.encrypt);
                self.obfuscated = true;
                self.state = State::Header;
                self.have = 0;
                return Ok(());
            }
        };
        if let Some(kind) = found {
            self.kind = Some(kind);
            self.state = State::Header;
            self.have = 0;
        }
        Ok(())
    }

    fn parse_header(&mut self) -> Result<Option<Done>, DecodeError> {
        let kind = self.kind.unwrap_or(TransportKind::Full);
        let s = self.scratch;
        let word = [s[0], s[1], s[2], s[3]];
        let len = match kind {
            TransportKind::Abridged
            | TransportKind::Intermediate
            | TransportKind::PaddedIntermediate => {
                let header = if kind == TransportKind::Abridged {
                    abridged::parse_header(&s[..self.have], self.role)
                } else {
                    intermediate::parse_header(word, self.role)
                };
                match header {
                    Header::QuickAck(t) => {
                        self.have = 0;
                        return Ok(Some(Done::QuickAck(t)));
                    }
                    Header::Frame { len, quick_ack } => {
                        if kind == TransportKind::Intermediate && len % 4 != 0 {
                            return Err(DecodeError::Misaligned { kind, len });
                        }
                        self.quick_ack = quick_ack;
                        len
                    }
                }
            }
            TransportKind::Full => {
                let mut h = [0u8; 8];
                h.copy_from_slice(&s[..8]);
                self.quick_ack = false;
                full::parse_header(h, self.seq)?
            }
        };
        if len > self.max_frame_len {
            return Err(DecodeError::FrameTooLarge {
                len,
                max: self.max_frame_len,
            });
        }
        let capacity = self.buf.as_ref().len();
        if len > capacity {
            return Err(DecodeError::BufferTooSmall { len, capacity });
        }
        self.frame_len = len;
        self.have = 0;
        self.state = State::Body;
        Ok(None)
    }

    /// A frame's body is complete: reset for the next header and classify it.
    fn finish(&mut self) -> Done {
        self.state = State::Header;
        self.have = 0;
        let len = self.frame_len;
        let frame = self.buf.as_ref().get(..len).unwrap_or(&[]);
        if self.role == Role::Client {
            if self.kind == Some(TransportKind::PaddedIntermediate) {
                match padded::classify_server_frame(frame) {
                    Some(Event::QuickAck(t)) => return Done::QuickAck(t),
                    Some(Event::TransportError(c)) => return Done::TransportError(c),
                    _ => {}
                }
            } else if let [a, b, c, d] = *frame {
                return Done::TransportError(TransportErrorCode::from_code(i32::from_le_bytes([
                    a, b, c, d,
                ])));
            }
        }
        Done::Packet {
            len,
            quick_ack: self.quick_ack,
        }
    }
}

/// How many bytes server-side detection needs next, given `have`.
fn detect_target(have: usize) -> usize {
    match have {
        0 => 1,
        1..=3 => 4,
        4..=7 => 8,
        _ => obfuscated::HEADER_LEN,
    }
}
