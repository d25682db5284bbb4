//! CRC32 (IEEE 802.3, the one TL uses for constructor ids) and the normalization of a
//! combinator's text before hashing.

const fn make_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static TABLE: [u32; 256] = make_table();

/// CRC32 of `data` (polynomial 0xEDB88320, as zlib's `crc32`).
///
/// ```
/// assert_eq!(ferrogram_tl_codegen::crc32(b"123456789"), 0xCBF4_3926);
/// ```
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c = TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// The texts whose CRC32 may equal a combinator's id.
///
/// `tokens` are the combinator's whitespace-separated tokens with the `#id` removed and the
/// terminating `;` dropped. Following Telegram's practice:
/// - `name:flags.N?true` parameters are left out;
/// - `{` `}` and `>` are removed and `<` becomes a space (`Vector<T>` is `Vector T`);
/// - `bytes` is an alias of `string`, so the first text spells parameter types `:bytes` and
///   `?bytes` as `string` (how the API schema's ids were computed), and the second keeps
///   `bytes` (how some MTProto service ids were computed).
pub fn normalized_texts(tokens: &[&str]) -> [String; 2] {
    let kept: Vec<&str> = tokens
        .iter()
        .copied()
        .filter(|t| !is_true_flag(t))
        .collect();
    let raw = kept
        .join(" ")
        .replace(['{', '}', '>'], "")
        .replace('<', " ");
    let with_string = kept
        .iter()
        .map(|t| bytes_as_string(t))
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['{', '}', '>'], "")
        .replace('<', " ");
    [with_string, raw]
}

fn is_true_flag(token: &str) -> bool {
    match token.split_once(':') {
        Some((_, ty)) => match ty.split_once('?') {
            Some((cond, t)) => t == "true" && cond.starts_with("flags") && cond.contains('.'),
            None => false,
        },
        None => false,
    }
}

fn bytes_as_string(token: &str) -> String {
    if let Some(prefix) = token.strip_suffix(":bytes") {
        format!("{prefix}:string")
    } else if let Some(prefix) = token.strip_suffix("?bytes") {
        format!("{prefix}?string")
    } else {
        token.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example_user() {
        // TL.md: the id of `user` is the CRC32 of this text.
        assert_eq!(
            crc32(b"user id:int first_name:string last_name:string = User"),
            0xd23c81a3
        );
    }

    #[test]
    fn normalization_drops_true_flags_and_brackets() {
        let toks = [
            "a",
            "flags:#",
            "x:flags.0?true",
            "v:Vector<bytes>",
            "b:bytes",
            "=",
            "A",
        ];
        let [s, raw] = normalized_texts(&toks);
        assert_eq!(s, "a flags:# v:Vector bytes b:string = A");
        assert_eq!(raw, "a flags:# v:Vector bytes b:bytes = A");
    }
}
