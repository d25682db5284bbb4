//! Base64 with the URL-safe alphabet (RFC 4648 §5: `-` and `_` for `+` and `/`), the
//! alphabet of every session string format. Small enough to write here rather than pull in a
//! crate for two functions.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes `bytes`; with `pad`, `=` fills the last group to four characters.
pub(crate) fn encode(bytes: &[u8], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Where and why a string is not base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base64Error {
    /// A character outside the alphabet (or `=` before the end), at this character index.
    Character {
        /// Its index in the string.
        at: usize,
    },
    /// A length no encoding gives (one character past a whole group, or wrong padding).
    Length {
        /// The number of characters.
        len: usize,
    },
}

impl std::fmt::Display for Base64Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Character { at } => write!(f, "character {at} is not base64url"),
            Self::Length { len } => write!(f, "{len} characters cannot be base64url"),
        }
    }
}

/// Decodes base64url with or without `=` padding. Bits left over in the last character must
/// be zero (so each byte string has one encoding).
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let s = text.as_bytes();
    let body = s.len() - s.iter().rev().take_while(|&&c| c == b'=').count();
    let padding = s.len() - body;
    if body % 4 == 1 || padding > 2 || (padding > 0 && !s.len().is_multiple_of(4)) {
        return Err(Base64Error::Length { len: s.len() });
    }
    let mut out = Vec::with_capacity(body / 4 * 3 + 2);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for (at, &c) in s[..body].iter().enumerate() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return Err(Base64Error::Character { at }),
        };
        acc = (acc << 6 | u32::from(v)) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if acc & ((1 << bits) - 1) != 0 {
        return Err(Base64Error::Character {
            at: body.saturating_sub(1),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors_both_ways() {
        // RFC 4648 §10, plus the two characters only the URL-safe alphabet has.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes(), true), coded);
            assert_eq!(encode(plain.as_bytes(), false), coded.trim_end_matches('='));
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
            assert_eq!(
                decode(coded.trim_end_matches('=')).unwrap(),
                plain.as_bytes()
            );
        }
        assert_eq!(encode(&[0xfb, 0xff], false), "-_8");
        assert_eq!(decode("-_8").unwrap(), [0xfb, 0xff]);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert_eq!(decode("Zm9v+A"), Err(Base64Error::Character { at: 4 }));
        assert_eq!(decode("Zm/v"), Err(Base64Error::Character { at: 2 }));
        assert_eq!(decode("Zm9vY"), Err(Base64Error::Length { len: 5 }));
        assert_eq!(decode("Zg==="), Err(Base64Error::Length { len: 5 }));
        assert_eq!(decode("Zg="), Err(Base64Error::Length { len: 3 }));
        assert_eq!(decode("Z=g="), Err(Base64Error::Character { at: 1 }));
        // "Zh" carries a set bit past the byte: not the encoding of any byte string.
        assert_eq!(decode("Zh"), Err(Base64Error::Character { at: 1 }));
    }
}
