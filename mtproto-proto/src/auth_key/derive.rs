//! Values both sides derive during the exchange from the nonces and the new key
//! (`auth_key.md`, steps 6–9).

use sha1::{Digest, Sha1};

/// SHA-1 of the concatenation of `parts`.
pub(crate) fn sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The AES key and IV that protect `server_DH_inner_data` and `client_DH_inner_data`:
///
/// - `tmp_aes_key = SHA1(new_nonce ‖ server_nonce) ‖ SHA1(server_nonce ‖ new_nonce)[0..12]`
/// - `tmp_aes_iv = SHA1(server_nonce ‖ new_nonce)[12..20] ‖ SHA1(new_nonce ‖ new_nonce) ‖
///   new_nonce[0..4]`
pub fn tmp_aes_key_iv(new_nonce: &[u8; 32], server_nonce: &[u8; 16]) -> ([u8; 32], [u8; 32]) {
    let ns = sha1(&[new_nonce, server_nonce]);
    let sn = sha1(&[server_nonce, new_nonce]);
    let nn = sha1(&[new_nonce, new_nonce]);
    let mut key = [0u8; 32];
    key[..20].copy_from_slice(&ns);
    key[20..].copy_from_slice(&sn[..12]);
    let mut iv = [0u8; 32];
    iv[..8].copy_from_slice(&sn[12..]);
    iv[8..28].copy_from_slice(&nn);
    iv[28..].copy_from_slice(&new_nonce[..4]);
    (key, iv)
}

/// `auth_key_aux_hash`: the 64 higher-order bits of SHA-1(auth_key), i.e. its first 8 bytes.
/// (Not the auth key id, which is the last 8.)
pub fn auth_key_aux_hash(auth_key: &[u8; 256]) -> [u8; 8] {
    let h = sha1(&[auth_key]);
    let mut out = [0u8; 8];
    out.copy_from_slice(&h[..8]);
    out
}

/// Which answer to `set_client_DH_params` a `new_nonce_hash` belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DhGenAnswer {
    /// `dh_gen_ok` (`new_nonce_hash1`).
    Ok = 1,
    /// `dh_gen_retry` (`new_nonce_hash2`).
    Retry = 2,
    /// `dh_gen_fail` (`new_nonce_hash3`).
    Fail = 3,
}

/// `new_nonce_hashN`: the 128 lower-order bits of `SHA1(new_nonce ‖ N ‖ auth_key_aux_hash)`,
/// i.e. the last 16 bytes of the digest.
pub fn new_nonce_hash(new_nonce: &[u8; 32], answer: DhGenAnswer, aux_hash: &[u8; 8]) -> [u8; 16] {
    let h = sha1(&[new_nonce, &[answer as u8], aux_hash]);
    let mut out = [0u8; 16];
    out.copy_from_slice(&h[4..]);
    out
}

/// The first server salt: `new_nonce[0..8] XOR server_nonce[0..8]`, as a little-endian
/// `long` (the way it goes on the wire in every encrypted message).
pub fn first_server_salt(new_nonce: &[u8; 32], server_nonce: &[u8; 16]) -> i64 {
    let mut b = [0u8; 8];
    for (i, x) in b.iter_mut().enumerate() {
        *x = new_nonce[i] ^ server_nonce[i];
    }
    i64::from_le_bytes(b)
}

/// Compares two byte strings in time that depends only on their lengths.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex<const N: usize>(s: &str) -> [u8; N] {
        let s: alloc_free::Hex = alloc_free::Hex(s);
        s.decode()
    }

    /// A tiny no-alloc hex decoder for the tests.
    mod alloc_free {
        pub struct Hex<'a>(pub &'a str);
        impl Hex<'_> {
            pub fn decode<const N: usize>(&self) -> [u8; N] {
                let digits: heapless::Vec<u8, 1024> = self
                    .0
                    .bytes()
                    .filter(|c| !c.is_ascii_whitespace())
                    .collect();
                assert_eq!(digits.len(), 2 * N, "hex length");
                let mut out = [0u8; N];
                for (i, o) in out.iter_mut().enumerate() {
                    let v = |c: u8| (c as char).to_digit(16).expect("hex digit") as u8;
                    *o = v(digits[2 * i]) << 4 | v(digits[2 * i + 1]);
                }
                out
            }
        }
    }

    // Values from the official sample (`samples-auth_key.md`, steps 4 and 6).
    const NEW_NONCE: &str = "845FAD32D10A4C7967DA49A89FBE508AD24AA3150992B499B3B2C72CDC0F364C";
    const SERVER_NONCE: &str = "D6701FCD212CEB87C966E5318F5564A8";

    #[test]
    fn tmp_aes_key_and_iv_match_the_official_sample() {
        let (key, iv) = tmp_aes_key_iv(&hex(NEW_NONCE), &hex(SERVER_NONCE));
        assert_eq!(
            key,
            hex::<32>("D32E4A7F18252AE2B0406B84633E1117833ED75BDA40011D1E1700E3E08A8AE7")
        );
        assert_eq!(
            iv,
            hex::<32>("4FFC40D969D49934ED3740FF66D9179947A5E1D85C4C7F15555920C1845FAD32")
        );
    }

    #[test]
    fn first_salt_is_the_xor_of_the_nonce_prefixes() {
        let salt = first_server_salt(&hex(NEW_NONCE), &hex(SERVER_NONCE));
        let expected: [u8; 8] = hex("845FAD32D10A4C79");
        let sn: [u8; 8] = hex("D6701FCD212CEB87");
        let want: [u8; 8] = core::array::from_fn(|i| expected[i] ^ sn[i]);
        assert_eq!(salt.to_le_bytes(), want);
    }

    #[test]
    fn new_nonce_hash1_matches_the_official_sample() {
        // Step 8's auth_key and step 9's dh_gen_ok.new_nonce_hash1.
        let parts = [
            "77379866D71627E6C3635361F9681B03C9EE8A7AAB9552EF513A13315EABC18A",
            "118ED649614AE1F01DAB8F71D83341309C5999AD4889E5D9F3E911AAAD00D9DD",
            "C24273D7B97DD92151F969242F347C8F9D5DE44E8D7E87A69C2AE1757F5ECD20",
            "AAFC586EDD34C89AC8D5B8F7C9EB33A0C7F06A69632BCEB8DE03E336E5AF0332",
            "D4B1F52BA73FBE7A3A6FE8C2268C10B9357E5474A7CCEB0E39FE3B4A92900CD0",
            "9AF3C307D8FA90CB9DA2AD35643FB0335BD0B7E6D30D1038741EB632E6A97B69",
            "2A1F76F418AF74337D05539B59DF1D4E16B7E0C87240595DDFD26037CDB7E70D",
            "B4B6C5CAE532F49BC6974F6F46FD3CBDCD90EBB6795FD9A43421BCDF893D5C46",
        ];
        let mut joined: heapless::String<512> = heapless::String::new();
        for p in parts {
            joined.push_str(p).unwrap();
        }
        let auth_key: [u8; 256] = hex(&joined);
        let aux = auth_key_aux_hash(&auth_key);
        let h1 = new_nonce_hash(&hex(NEW_NONCE), DhGenAnswer::Ok, &aux);
        assert_eq!(h1, hex::<16>("677F483BB89FD206B244A2D1AC38CB31"));
    }

    #[test]
    fn nonce_hashes_differ_per_answer() {
        let nn = hex(NEW_NONCE);
        let aux = [7u8; 8];
        let h1 = new_nonce_hash(&nn, DhGenAnswer::Ok, &aux);
        let h2 = new_nonce_hash(&nn, DhGenAnswer::Retry, &aux);
        let h3 = new_nonce_hash(&nn, DhGenAnswer::Fail, &aux);
        assert!(h1 != h2 && h2 != h3 && h1 != h3);
        // The lower-order 128 bits are the digest's last 16 bytes.
        let full = sha1(&[&nn, &[1], &aux]);
        assert_eq!(h1[..], full[4..]);
    }

    #[test]
    fn ct_eq_compares() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
