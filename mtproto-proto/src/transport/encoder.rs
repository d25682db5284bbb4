//! The frame encoder shared by all transports, plain or obfuscated.

use rand_core::Rng;

use super::crc32::Crc32;
use super::{
    EncodeError, Role, TransportErrorCode, TransportKind, abridged, full, intermediate, padded,
};
use crate::crypto::ctr::Aes256Ctr;

/// Per-frame options for [`Encoder::encode`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncodeOptions {
    /// Client role only, not on full: ask the server for a quick ack of this packet (the top
    /// bit of the length). Remember the packet's quick-ack token to match the
    /// [`Event::QuickAck`](super::Event::QuickAck) that comes back.
    pub quick_ack: bool,
}

impl EncodeOptions {
    /// No options: a plain frame (the same as `default()`, usable in `const`).
    #[must_use]
    pub const fn new() -> Self {
        Self { quick_ack: false }
    }

    /// Options asking for a quick ack.
    #[must_use]
    pub const fn quick_ack() -> Self {
        Self { quick_ack: true }
    }
}

/// What still has to be sent before the first frame.
#[derive(Clone, Debug)]
enum Preamble {
    None,
    /// The plain tag of the transport.
    Tag,
    /// The 64-byte obfuscated header, already in its wire form.
    Obfuscated([u8; 64]),
}

/// Turns payloads into the bytes of one direction of a connection.
///
/// Build one with [`client`](Encoder::client) or [`server`](Encoder::server) (plain), or from
/// [`obfuscated::ClientInit::split`](super::obfuscated::ClientInit::split) /
/// [`Decoder::take_encoder`](super::Decoder::take_encoder) (obfuscated). The first frame
/// written is preceded by the preamble (the tag, or the 64-byte obfuscated header) unless
/// [`write_preamble`](Encoder::write_preamble) sent it already.
///
/// Every method writes into a caller slice and either writes a whole frame or nothing: on
/// error the encoder is unchanged.
#[derive(Clone, Debug)]
pub struct Encoder {
    kind: TransportKind,
    role: Role,
    preamble: Preamble,
    /// The next full-transport seq_no.
    seq: u32,
    cipher: Option<Aes256Ctr>,
}

impl Encoder {
    /// A plain client encoder; its first output starts with `kind`'s tag.
    #[must_use]
    pub const fn client(kind: TransportKind) -> Self {
        let preamble = if kind.tag().is_empty() {
            Preamble::None
        } else {
            Preamble::Tag
        };
        Self {
            kind,
            role: Role::Client,
            preamble,
            seq: 0,
            cipher: None,
        }
    }

    /// A plain server encoder (no tag; can send quick-ack replies and transport errors).
    #[must_use]
    pub const fn server(kind: TransportKind) -> Self {
        Self {
            kind,
            role: Role::Server,
            preamble: Preamble::None,
            seq: 0,
            cipher: None,
        }
    }

    /// An obfuscated encoder (client: with its header to send; server: header `None`).
    pub(crate) fn obfuscated(
        kind: TransportKind,
        role: Role,
        header: Option<[u8; 64]>,
        cipher: Aes256Ctr,
    ) -> Self {
        let preamble = match header {
            Some(h) => Preamble::Obfuscated(h),
            None => Preamble::None,
        };
        Self {
            kind,
            role,
            preamble,
            seq: 0,
            cipher: Some(cipher),
        }
    }

    /// The transport this encoder frames for.
    #[must_use]
    pub const fn kind(&self) -> TransportKind {
        self.kind
    }

    /// The encoder's role.
    #[must_use]
    pub const fn role(&self) -> Role {
        self.role
    }

    /// Whether the output is AES-256-CTR obfuscated.
    #[must_use]
    pub const fn is_obfuscated(&self) -> bool {
        self.cipher.is_some()
    }

    /// The full-transport seq_no the next frame will carry (0 for the first).
    #[must_use]
    pub const fn next_seq_no(&self) -> u32 {
        self.seq
    }

    /// Bytes of preamble still to be sent (0 once sent).
    #[must_use]
    pub const fn preamble_len(&self) -> usize {
        match &self.preamble {
            Preamble::None => 0,
            Preamble::Tag => self.kind.tag().len(),
            Preamble::Obfuscated(_) => 64,
        }
    }

    /// The largest number of bytes [`encode`](Encoder::encode) can write for a payload of
    /// `payload_len` bytes (pending preamble and at most 15 padding bytes included).
    #[must_use]
    pub const fn max_encoded_len(&self, payload_len: usize) -> usize {
        let frame = match self.kind {
            TransportKind::Abridged => 4 + payload_len,
            TransportKind::Intermediate => 4 + payload_len,
            TransportKind::PaddedIntermediate => 4 + payload_len + padded::MAX_PADDING,
            TransportKind::Full => full::OVERHEAD + payload_len,
        };
        self.preamble_len() + frame
    }

    /// Writes the preamble now (for example right after connecting) so the first frame does
    /// not carry it. Returns the bytes written (0 if there is nothing to send).
    ///
    /// # Errors
    ///
    /// [`EncodeError::OutputTooSmall`] if `out` cannot hold it.
    pub fn write_preamble(&mut self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let n = self.preamble_len();
        let capacity = out.len();
        let dst = out.get_mut(..n).ok_or(EncodeError::OutputTooSmall {
            needed: n,
            capacity,
        })?;
        self.put_preamble(dst);
        Ok(n)
    }

    fn put_preamble(&mut self, dst: &mut [u8]) {
        match &self.preamble {
            Preamble::None => {}
            Preamble::Tag => dst.copy_from_slice(self.kind.tag()),
            Preamble::Obfuscated(h) => dst.copy_from_slice(h),
        }
        self.preamble = Preamble::None;
    }

    /// Frames `payload` into `out` and returns the number of bytes written. On padded
    /// intermediate, random padding is drawn from `rng`: 0–15 bytes from a client,
    /// 0–3 from a server ([`padded::MAX_SERVER_PADDING`]: Telethon strips only `len mod 4`
    /// bytes from what it receives, and longer server padding breaks it). Other transports
    /// don't use `rng`.
    ///
    /// # Errors
    ///
    /// See [`encode_with_padding`](Encoder::encode_with_padding).
    pub fn encode<R: Rng + ?Sized>(
        &mut self,
        payload: &[u8],
        options: EncodeOptions,
        rng: &mut R,
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        let mut pad = [0u8; padded::MAX_PADDING];
        let pad_len = if self.kind == TransportKind::PaddedIntermediate {
            let max = match self.role {
                Role::Client => padded::MAX_PADDING,
                Role::Server => padded::MAX_SERVER_PADDING,
            };
            let n = (rng.next_u32() % (max as u32 + 1)) as usize;
            rng.fill_bytes(&mut pad[..n]);
            n
        } else {
            0
        };
        self.encode_with_padding(payload, options, &pad[..pad_len], out)
    }

    /// Frames `payload` followed by the given `padding` (padded intermediate only; pass `&[]`
    /// for the other transports) into `out`; returns the number of bytes written.
    ///
    /// # Errors
    ///
    /// - [`EncodeError::Misaligned`]: a payload length that is not a multiple of 4 on
    ///   abridged, intermediate or full;
    /// - [`EncodeError::PaddingNotAllowed`], [`EncodeError::PaddingTooLong`];
    /// - [`EncodeError::NotSupported`]: a quick-ack request in the server role or on full;
    /// - [`EncodeError::FrameTooLarge`]: beyond the length field's range;
    /// - [`EncodeError::OutputTooSmall`]: see [`max_encoded_len`](Encoder::max_encoded_len).
    pub fn encode_with_padding(
        &mut self,
        payload: &[u8],
        options: EncodeOptions,
        padding: &[u8],
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        let kind = self.kind;
        if kind.requires_alignment() && payload.len() % 4 != 0 {
            return Err(EncodeError::Misaligned {
                kind,
                len: payload.len(),
            });
        }
        if kind != TransportKind::PaddedIntermediate && !padding.is_empty() {
            return Err(EncodeError::PaddingNotAllowed { kind });
        }
        if padding.len() > padded::MAX_PADDING {
            return Err(EncodeError::PaddingTooLong {
                len: padding.len(),
                max: padded::MAX_PADDING,
            });
        }
        if options.quick_ack && (self.role != Role::Client || !kind.supports_quick_ack()) {
            return Err(EncodeError::NotSupported {
                kind,
                role: self.role,
                what: "requesting a quick ack",
            });
        }
        let body = payload.len() + padding.len();
        if body > kind.max_payload_len() {
            return Err(EncodeError::FrameTooLarge {
                len: body,
                max: kind.max_payload_len(),
            });
        }

        let mut hdr = [0u8; 8];
        let hdr_len = match kind {
            TransportKind::Abridged => {
                let mut h = [0u8; 4];
                let n = abridged::write_header(body, options.quick_ack, &mut h);
                hdr[..4].copy_from_slice(&h);
                n
            }
            TransportKind::Intermediate | TransportKind::PaddedIntermediate => {
                hdr[..4].copy_from_slice(&intermediate::header(body, options.quick_ack));
                4
            }
            TransportKind::Full => {
                hdr = full::header(body, self.seq);
                8
            }
        };
        let crc_len = if kind == TransportKind::Full { 4 } else { 0 };
        let pre = self.preamble_len();
        let needed = pre + hdr_len + body + crc_len;
        let capacity = out.len();
        let out = out
            .get_mut(..needed)
            .ok_or(EncodeError::OutputTooSmall { needed, capacity })?;

        let (pre_out, frame) = out.split_at_mut(pre);
        self.put_preamble(pre_out);
        let (h, rest) = frame.split_at_mut(hdr_len);
        h.copy_from_slice(&hdr[..hdr_len]);
        let (p, rest) = rest.split_at_mut(payload.len());
        p.copy_from_slice(payload);
        let (pad, crc_out) = rest.split_at_mut(padding.len());
        pad.copy_from_slice(padding);
        if kind == TransportKind::Full {
            let mut crc = Crc32::new();
            crc.update(&hdr[..8]);
            crc.update(payload);
            crc_out.copy_from_slice(&crc.finish().to_le_bytes());
            self.seq = self.seq.wrapping_add(1);
        }
        if let Some(c) = &mut self.cipher {
            c.apply_keystream(frame);
        }
        Ok(needed)
    }

    /// Server role: writes the quick-ack reply for `token` (abridged: byte-swapped, no header;
    /// intermediate: the token, no header; padded: a frame of `ff ff ff ff`, the token and the
    /// given 0–8 `padding` bytes). Returns the bytes written.
    ///
    /// # Errors
    ///
    /// [`EncodeError::NotSupported`] in the client role or on full;
    /// [`EncodeError::PaddingNotAllowed`], [`EncodeError::PaddingTooLong`],
    /// [`EncodeError::OutputTooSmall`].
    pub fn encode_quick_ack(
        &mut self,
        token: u32,
        padding: &[u8],
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        let kind = self.kind;
        if self.role != Role::Server || !kind.supports_quick_ack() {
            return Err(EncodeError::NotSupported {
                kind,
                role: self.role,
                what: "sending a quick-ack reply",
            });
        }
        let mut buf = [0u8; 4 + 8 + padded::MAX_QUICK_ACK_PADDING];
        let len = match kind {
            TransportKind::PaddedIntermediate => {
                if padding.len() > padded::MAX_QUICK_ACK_PADDING {
                    return Err(EncodeError::PaddingTooLong {
                        len: padding.len(),
                        max: padded::MAX_QUICK_ACK_PADDING,
                    });
                }
                let body = 8 + padding.len();
                buf[..4].copy_from_slice(&intermediate::header(body, false));
                buf[4..8].copy_from_slice(&[0xff; 4]);
                buf[8..12].copy_from_slice(&token.to_le_bytes());
                buf[12..12 + padding.len()].copy_from_slice(padding);
                4 + body
            }
            _ if !padding.is_empty() => return Err(EncodeError::PaddingNotAllowed { kind }),
            TransportKind::Abridged => {
                buf[..4].copy_from_slice(&abridged::quick_ack_reply(token));
                4
            }
            _ => {
                buf[..4].copy_from_slice(&token.to_le_bytes());
                4
            }
        };
        self.write_raw(&buf[..len], out)
    }

    /// Server role: writes a transport error frame (the code as a 4-byte payload). Returns the
    /// bytes written.
    ///
    /// # Errors
    ///
    /// [`EncodeError::NotSupported`] in the client role; [`EncodeError::OutputTooSmall`].
    pub fn encode_transport_error(
        &mut self,
        code: TransportErrorCode,
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        if self.role != Role::Server {
            return Err(EncodeError::NotSupported {
                kind: self.kind,
                role: self.role,
                what: "sending a transport error",
            });
        }
        self.encode_with_padding(
            &code.code().to_le_bytes(),
            EncodeOptions::default(),
            &[],
            out,
        )
    }

    /// Writes bytes that are already framed (plus any preamble), encrypting if obfuscated.
    fn write_raw(&mut self, frame: &[u8], out: &mut [u8]) -> Result<usize, EncodeError> {
        let pre = self.preamble_len();
        let needed = pre + frame.len();
        let capacity = out.len();
        let out = out
            .get_mut(..needed)
            .ok_or(EncodeError::OutputTooSmall { needed, capacity })?;
        let (pre_out, dst) = out.split_at_mut(pre);
        self.put_preamble(pre_out);
        dst.copy_from_slice(frame);
        if let Some(c) = &mut self.cipher {
            c.apply_keystream(dst);
        }
        Ok(needed)
    }
}
