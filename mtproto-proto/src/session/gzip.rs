//! `gzip_packed#3072cfa1 packed_data:bytes = Object`: inflating a gzip member into a bounded
//! buffer.
//!
//! The DEFLATE decoder is `miniz_oxide`'s `inflate::core` (no heap with default features off,
//! `#![forbid(unsafe_code)]`, the Rust port of miniz that `flate2` uses by default). Its
//! decompressor state is about 11 KiB and lives on the stack only during [`inflate`]; the
//! output goes straight into the caller's slice, so an oversized answer is refused with
//! [`GzipError::TooLarge`] instead of growing anything.

use core::fmt;

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

use crate::transport::crc32::crc32;

/// `gzip_packed`'s constructor id.
pub const GZIP_PACKED_ID: u32 = 0x3072_cfa1;

/// Why a gzip member could not be inflated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GzipError {
    /// The data does not start with a gzip header (`1f 8b 08`), or the header is cut short.
    BadHeader,
    /// The DEFLATE stream is corrupt or ends early.
    Corrupt,
    /// The inflated data does not fit in the buffer.
    TooLarge {
        /// Bytes of room there were.
        capacity: usize,
    },
    /// The trailer's CRC-32 or length does not match the inflated data.
    BadTrailer,
}

impl fmt::Display for GzipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadHeader => f.write_str(
                "gzip_packed does not hold a gzip member (bad or truncated header); the peer \
                 sent corrupt data: drop the message",
            ),
            Self::Corrupt => f.write_str(
                "gzip_packed holds a corrupt or truncated DEFLATE stream; drop the message",
            ),
            Self::TooLarge { capacity } => write!(
                f,
                "the inflated gzip_packed data is larger than the {capacity} bytes of room; give \
                 the session a larger inbox (its `IN` capacity) or ask for less at once"
            ),
            Self::BadTrailer => f.write_str(
                "the gzip trailer's CRC-32 or length does not match the inflated data; drop the \
                 message",
            ),
        }
    }
}

impl core::error::Error for GzipError {}

/// Skips the gzip header (RFC 1952 §2.3) and returns where the DEFLATE data begins.
fn header_len(gz: &[u8]) -> Result<usize, GzipError> {
    const FHCRC: u8 = 0x02;
    const FEXTRA: u8 = 0x04;
    const FNAME: u8 = 0x08;
    const FCOMMENT: u8 = 0x10;
    if gz.len() < 10 || gz[0] != 0x1f || gz[1] != 0x8b || gz[2] != 8 {
        return Err(GzipError::BadHeader);
    }
    let flags = gz[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let xlen = gz.get(at..at + 2).ok_or(GzipError::BadHeader)?;
        at += 2 + usize::from(u16::from_le_bytes([xlen[0], xlen[1]]));
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let rest = gz.get(at..).ok_or(GzipError::BadHeader)?;
            let nul = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or(GzipError::BadHeader)?;
            at += nul + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    if at > gz.len() {
        return Err(GzipError::BadHeader);
    }
    Ok(at)
}

/// Inflates the gzip member `gz` into `out`, returning the inflated length. Checks the
/// trailer (CRC-32 and length).
///
/// # Errors
/// [`GzipError`]: `TooLarge` if the data does not fit in `out`, the others for bad input.
pub fn inflate(gz: &[u8], out: &mut [u8]) -> Result<usize, GzipError> {
    let start = header_len(gz)?;
    let body = &gz[start..];
    let mut state = DecompressorOxide::new();
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, read, written) = decompress(&mut state, body, out, 0, flags);
    match status {
        TINFLStatus::Done => {}
        TINFLStatus::HasMoreOutput => {
            return Err(GzipError::TooLarge {
                capacity: out.len(),
            });
        }
        _ => return Err(GzipError::Corrupt),
    }
    let trailer = body.get(read..read + 8).ok_or(GzipError::BadTrailer)?;
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    let data = &out[..written];
    if crc != crc32(data) || size != written as u32 {
        return Err(GzipError::BadTrailer);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python's `gzip.compress(b'hello gzip_packed ' * 20, mtime=0)`.
    const SAMPLE: &str =
        "1f8b0800000000000203cb48cdc9c95748afca2c882f484cce4e4d51c81815a18108005b1b18c468010000";

    fn unhex(s: &str) -> [u8; 43] {
        let mut out = [0; 43];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    #[test]
    fn inflates_a_known_member() {
        let gz = unhex(SAMPLE);
        let mut out = [0u8; 400];
        let n = inflate(&gz, &mut out).unwrap();
        assert_eq!(n, 360);
        for chunk in out[..n].chunks(18) {
            assert_eq!(chunk, b"hello gzip_packed ");
        }
    }

    #[test]
    fn too_small_a_buffer_is_a_typed_error() {
        let gz = unhex(SAMPLE);
        let mut out = [0u8; 359];
        assert_eq!(
            inflate(&gz, &mut out),
            Err(GzipError::TooLarge { capacity: 359 })
        );
    }

    #[test]
    fn corruption_is_caught() {
        let gz = unhex(SAMPLE);
        let mut out = [0u8; 400];
        let mut bad = gz;
        bad[0] = 0;
        assert_eq!(inflate(&bad, &mut out), Err(GzipError::BadHeader));
        let mut bad = gz;
        bad[38] ^= 1; // CRC
        assert_eq!(inflate(&bad, &mut out), Err(GzipError::BadTrailer));
        assert!(inflate(&gz[..30], &mut out).is_err());
        assert!(inflate(&gz[..5], &mut out).is_err());
        let mut bad = gz;
        bad[12] ^= 0xff;
        assert!(inflate(&bad, &mut out).is_err());
    }
}
