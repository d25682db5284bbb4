//! Shared by the `transport_*` targets: decode the same bytes whole and in chunks with fresh
//! decoders and require identical results (events, errors, end-of-stream verdict). Any panic
//! or disagreement is a bug.

#![allow(dead_code)]

use ferrogram_mtproto_proto::transport::{DecodeError, Decoder, Event};

/// Receive buffer size; small, so `BufferTooSmall` and `FrameTooLarge` are reachable.
pub const BUF: usize = 2048;

/// What a decoder produced, owned so runs can be compared.
#[derive(Debug, PartialEq, Eq)]
pub enum Out {
    Packet(Vec<u8>, bool),
    QuickAck(u32),
    TransportError(i32),
    Failed(DecodeError),
    Eof(Result<(), DecodeError>),
}

/// Feeds `data` in chunks of `chunk` bytes (0 = all at once).
pub fn run<B: AsRef<[u8]> + AsMut<[u8]>>(
    dec: &mut Decoder<B>,
    data: &[u8],
    chunk: usize,
) -> Vec<Out> {
    let mut out = Vec::new();
    let chunk = if chunk == 0 { data.len().max(1) } else { chunk };
    'outer: for c in data.chunks(chunk) {
        let mut rest = c;
        loop {
            let before = rest.len();
            match dec.decode(&mut rest) {
                Ok(Some(ev)) => out.push(match ev {
                    Event::Packet { payload, quick_ack } => {
                        Out::Packet(payload.to_vec(), quick_ack)
                    }
                    Event::QuickAck(t) => Out::QuickAck(t),
                    Event::TransportError(c) => Out::TransportError(c.code()),
                }),
                Ok(None) => {
                    assert!(rest.is_empty(), "None with input left");
                    break;
                }
                Err(e) => {
                    // Sticky.
                    let mut again: &[u8] = &[0];
                    assert_eq!(dec.decode(&mut again).unwrap_err(), e);
                    let _ = e.to_string();
                    out.push(Out::Failed(e));
                    break 'outer;
                }
            }
            assert!(rest.len() <= before);
        }
    }
    out.push(Out::Eof(dec.handle_eof()));
    out
}

/// Splits the fuzz input into a chunk size (first byte) and the stream.
pub fn split(data: &[u8]) -> (usize, &[u8]) {
    match data.split_first() {
        Some((&c, rest)) => (usize::from(c % 17), rest),
        None => (0, data),
    }
}

/// Decodes `stream` with two fresh decoders from `make`, whole and in `chunk`-byte pieces
/// (and byte by byte), and checks they agree.
pub fn check<B: AsRef<[u8]> + AsMut<[u8]>>(
    make: impl Fn() -> Decoder<B>,
    stream: &[u8],
    chunk: usize,
) {
    let whole = run(&mut make(), stream, 0);
    let pieces = run(&mut make(), stream, chunk);
    assert_eq!(whole, pieces, "chunk size {chunk}");
    if stream.len() <= 512 {
        let bytes = run(&mut make(), stream, 1);
        assert_eq!(whole, bytes, "byte by byte");
    }
}
