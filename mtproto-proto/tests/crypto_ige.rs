//! AES-256-IGE against the tgcrypto/cryptg vectors in `data/aes256_ige.json`.

use ferrogram_mtproto_proto::crypto::ige::{
    self, IgeDecryptor, IgeEncryptor, IgeError, decrypt_in_place, encrypt_in_place,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

const VECTORS: &str = include_str!("data/aes256_ige.json");

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn arr32(s: &str) -> [u8; 32] {
    unhex(s).try_into().expect("32 bytes")
}

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("aes256_ige.json parses")
}

/// The vectors' generator: SHA-256(seed ‖ 0 ‖ label ‖ 0 ‖ u32_be(i)) blocks.
fn drbg(seed: &str, label: &str, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 32);
    let mut i = 0u32;
    while out.len() < n {
        let mut h = Sha256::new();
        h.update(seed.as_bytes());
        h.update([0]);
        h.update(label.as_bytes());
        h.update([0]);
        h.update(i.to_be_bytes());
        out.extend_from_slice(&h.finalize());
        i += 1;
    }
    out.truncate(n);
    out
}

/// CRC-32 (IEEE 802.3 / zlib), table driven.
struct Crc32 {
    table: [u32; 256],
    state: u32,
}

impl Crc32 {
    fn new() -> Self {
        let mut table = [0u32; 256];
        for (i, entry) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *entry = c;
        }
        Self {
            table,
            state: 0xffff_ffff,
        }
    }

    fn update(&mut self, data: &[u8]) {
        for &b in data {
            self.state =
                self.table[((self.state ^ u32::from(b)) & 0xff) as usize] ^ (self.state >> 8);
        }
    }

    fn finish(&self) -> u32 {
        !self.state
    }
}

/// SplitMix64: deterministic chunk sizes for the streaming tests.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[test]
fn crc32_matches_the_zlib_check_value() {
    let mut crc = Crc32::new();
    crc.update(b"123456789");
    assert_eq!(crc.finish(), 0xcbf4_3926);
}

#[test]
fn six_vectors_encrypt() {
    let v = vectors();
    let list = v["vectors"].as_array().expect("vectors");
    assert_eq!(list.len(), 6);
    for case in list {
        let name = case["name"].as_str().unwrap();
        let key = arr32(case["key"].as_str().unwrap());
        let iv = arr32(case["iv"].as_str().unwrap());
        let mut buf = unhex(case["plaintext"].as_str().unwrap());
        assert_eq!(buf.len() as u64, case["length"].as_u64().unwrap(), "{name}");
        encrypt_in_place(&key, &iv, &mut buf).unwrap();
        assert_eq!(buf, unhex(case["ciphertext"].as_str().unwrap()), "{name}");
        assert_eq!(
            Sha256::digest(&buf).as_slice(),
            unhex(case["ciphertext_sha256"].as_str().unwrap()),
            "{name}"
        );
    }
}

#[test]
fn six_vectors_decrypt() {
    let v = vectors();
    for case in v["vectors"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let key = arr32(case["key"].as_str().unwrap());
        let iv = arr32(case["iv"].as_str().unwrap());
        let mut buf = unhex(case["ciphertext"].as_str().unwrap());
        decrypt_in_place(&key, &iv, &mut buf).unwrap();
        assert_eq!(buf, unhex(case["plaintext"].as_str().unwrap()), "{name}");
    }
}

#[test]
fn six_vectors_block_by_block_streaming() {
    let v = vectors();
    for case in v["vectors"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let key = arr32(case["key"].as_str().unwrap());
        let iv = arr32(case["iv"].as_str().unwrap());
        let plain = unhex(case["plaintext"].as_str().unwrap());
        let cipher = unhex(case["ciphertext"].as_str().unwrap());

        let mut buf = plain.clone();
        let mut enc = IgeEncryptor::new(&key, &iv);
        for block in buf.chunks_mut(16) {
            enc.encrypt(block).unwrap();
        }
        assert_eq!(buf, cipher, "{name} encrypt");

        let mut dec = IgeDecryptor::new(&key, &iv);
        for block in buf.chunks_mut(16) {
            dec.decrypt(block).unwrap();
        }
        assert_eq!(buf, plain, "{name} decrypt");
    }
}

/// Random splits of the 65536-byte vector into chunks (multiples of 16, empty ones
/// included) give the recorded ciphertext, and decrypt back the same way.
#[test]
fn random_chunk_splits_match_one_call() {
    let v = vectors();
    let case = &v["vectors"][5];
    assert_eq!(case["length"].as_u64(), Some(65536));
    let key = arr32(case["key"].as_str().unwrap());
    let iv = arr32(case["iv"].as_str().unwrap());
    let plain = unhex(case["plaintext"].as_str().unwrap());
    let cipher = unhex(case["ciphertext"].as_str().unwrap());

    let mut rng = SplitMix(0x1ce_c0de);
    let mut random_split = |max_blocks: u64| {
        let mut splits = Vec::new();
        let mut at = 0;
        while at < plain.len() {
            let n = (rng.next() % (max_blocks + 1)) as usize * 16;
            let n = n.min(plain.len() - at);
            splits.push(n);
            at += n;
        }
        splits
    };
    for round in 0..40 {
        let max_blocks = [1u64, 4, 64, 1024, 4096][round % 5];
        let enc_splits = random_split(max_blocks);
        let dec_splits = random_split(max_blocks);

        let mut buf = plain.clone();
        let mut enc = IgeEncryptor::new(&key, &iv);
        let mut at = 0;
        for &n in &enc_splits {
            enc.encrypt(&mut buf[at..at + n]).unwrap();
            at += n;
        }
        assert_eq!(buf, cipher, "encrypt, round {round}, splits {enc_splits:?}");

        let mut dec = IgeDecryptor::new(&key, &iv);
        let mut at = 0;
        for &n in &dec_splits {
            dec.decrypt(&mut buf[at..at + n]).unwrap();
            at += n;
        }
        assert_eq!(buf, plain, "decrypt, round {round}, splits {dec_splits:?}");
    }
}

#[test]
fn next_iv_continues_the_chain() {
    let v = vectors();
    let case = &v["vectors"][4];
    let key = arr32(case["key"].as_str().unwrap());
    let iv = arr32(case["iv"].as_str().unwrap());
    let mut buf = unhex(case["plaintext"].as_str().unwrap());
    let cipher = unhex(case["ciphertext"].as_str().unwrap());
    let (head, tail) = buf.split_at_mut(1024);
    let mut enc = IgeEncryptor::new(&key, &iv);
    enc.encrypt(head).unwrap();
    encrypt_in_place(&key, &enc.next_iv(), tail).unwrap();
    assert_eq!(buf, cipher);
}

#[test]
fn unaligned_lengths_are_refused_and_untouched() {
    let key = [1u8; 32];
    let iv = [2u8; 32];
    for len in [1usize, 8, 15, 17, 33, 1023] {
        let mut buf = vec![0xa5u8; len];
        assert_eq!(
            encrypt_in_place(&key, &iv, &mut buf),
            Err(IgeError::UnalignedLength { len })
        );
        assert_eq!(
            decrypt_in_place(&key, &iv, &mut buf),
            Err(IgeError::UnalignedLength { len })
        );
        let mut enc = IgeEncryptor::new(&key, &iv);
        assert!(enc.encrypt(&mut buf).is_err());
        let mut dec = IgeDecryptor::new(&key, &iv);
        assert!(dec.decrypt(&mut buf).is_err());
        assert!(buf.iter().all(|&b| b == 0xa5), "len {len} was modified");
        // The failed call left the chain where it was.
        assert_eq!(enc.next_iv(), iv);
        assert_eq!(dec.next_iv(), iv);
    }
    let err = IgeError::UnalignedLength { len: 5 }.to_string();
    assert!(
        err.contains("5 bytes") && err.contains("multiple of 16"),
        "{err}"
    );
    assert_eq!(ige::BLOCK_LEN, 16);
}

#[test]
fn empty_buffer_is_a_no_op() {
    let mut buf: [u8; 0] = [];
    encrypt_in_place(&[0; 32], &[0; 32], &mut buf).unwrap();
    decrypt_in_place(&[0; 32], &[0; 32], &mut buf).unwrap();
}

/// All 4097 lengths 0..=65536: CRC-32 of the concatenated ciphertexts against the value
/// tgcrypto and cryptg produced. The spot checks name the first wrong length.
#[test]
fn long_all_lengths_crc32() {
    let v = vectors();
    let seed = v["seed"].as_str().unwrap();
    let long = &v["long"];
    assert_eq!(long["lengths"]["count"].as_u64(), Some(4097));
    let message = drbg(seed, "aes-ige-long/plaintext", 65536);

    let spot = long["spot_checks"].as_object().unwrap();
    for (n, check) in spot {
        let n: usize = n.parse().unwrap();
        let key = drbg(seed, &format!("aes-ige-long/{n}/key"), 32);
        let iv = drbg(seed, &format!("aes-ige-long/{n}/iv"), 32);
        assert_eq!(key, unhex(check["key"].as_str().unwrap()), "spot {n} key");
        assert_eq!(iv, unhex(check["iv"].as_str().unwrap()), "spot {n} iv");
        let mut buf = message[..n].to_vec();
        encrypt_in_place(&key.try_into().unwrap(), &iv.try_into().unwrap(), &mut buf).unwrap();
        assert_eq!(
            Sha256::digest(&buf).as_slice(),
            unhex(check["ciphertext_sha256"].as_str().unwrap()),
            "spot {n}"
        );
    }

    let mut plain_crc = Crc32::new();
    let mut cipher_crc = Crc32::new();
    let mut total = 0usize;
    let mut buf = vec![0u8; 65536];
    for n in (0..=65536usize).step_by(16) {
        let key: [u8; 32] = drbg(seed, &format!("aes-ige-long/{n}/key"), 32)
            .try_into()
            .unwrap();
        let iv: [u8; 32] = drbg(seed, &format!("aes-ige-long/{n}/iv"), 32)
            .try_into()
            .unwrap();
        let buf = &mut buf[..n];
        buf.copy_from_slice(&message[..n]);
        plain_crc.update(buf);
        encrypt_in_place(&key, &iv, buf).unwrap();
        cipher_crc.update(buf);
        total += n;
    }
    assert_eq!(total as u64, long["total_bytes"].as_u64().unwrap());
    assert_eq!(
        format!("{:08x}", plain_crc.finish()),
        long["crc32_of_all_plaintexts"].as_str().unwrap()
    );
    assert_eq!(
        format!("{:08x}", cipher_crc.finish()),
        long["crc32_of_all_ciphertexts"].as_str().unwrap()
    );
}
