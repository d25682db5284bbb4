//! RSA: fingerprints against every published table, the recorded Telethon handshake
//! encryptions, RSA_PAD against grammers-crypto, server decryption and hostile ciphertexts.

mod auth_math_common;

use auth_math_common::{Replay, TestRng, hex, rsa_vectors, to_decimal};
use ferrogram_mtproto_proto::auth_key::keys::{
    PRODUCTION_KEY, PRODUCTION_KEYS, TEST_KEY, TEST_KEYS,
};
use ferrogram_mtproto_proto::auth_key::rsa::{
    OLD_MAX_DATA, RSA_PAD_MAX_DATA, RsaError, RsaPublicKey, find_key,
};
use serde_json::Value;

fn key_of(v: &Value) -> RsaPublicKey {
    RsaPublicKey::from_be_bytes(
        &hex(v["n"].as_str().unwrap()),
        &hex(v["e"].as_str().unwrap()),
    )
    .unwrap()
}

fn fingerprint_of(v: &Value) -> i64 {
    v["fingerprint"].as_i64().unwrap()
}

/// Every (n, e, fingerprint) entry of the vector file.
fn all_entries() -> Vec<Value> {
    let v = rsa_vectors();
    let mut out: Vec<Value> = v["vectors"].as_array().unwrap().clone();
    out.extend(
        v["telethon_builtin_keys"]
            .as_array()
            .unwrap()
            .iter()
            .cloned(),
    );
    for table in v["pyrogram_hardcoded_tables"].as_object().unwrap().values() {
        if let Some(list) = table.as_array() {
            out.extend(list.iter().cloned());
        }
    }
    out
}

#[test]
fn fingerprints_match_every_table() {
    let entries = all_entries();
    assert_eq!(entries.len(), 3 + 8 + 9 + 9);
    for entry in &entries {
        let key = key_of(entry);
        assert_eq!(key.fingerprint(), fingerprint_of(entry), "{}", entry["n"]);
        let u64_hex = entry["fingerprint_u64_hex"].as_str().unwrap();
        assert_eq!(format!("{:016x}", key.fingerprint() as u64), u64_hex);
        if let Some(wire) = entry.get("fingerprint_wire_le") {
            assert_eq!(
                key.fingerprint().to_le_bytes().to_vec(),
                hex(wire.as_str().unwrap())
            );
        }
        // The modulus round-trips.
        let n = hex(entry["n"].as_str().unwrap());
        assert_eq!(key.n_be_bytes().to_vec(), n);
        assert_eq!(key.e(), 65537);
    }
}

#[test]
fn built_in_keys() {
    assert_eq!(PRODUCTION_KEY.fingerprint() as u64, 0xd09d1d85de64fd85);
    assert_eq!(TEST_KEY.fingerprint() as u64, 0xb25898df208d2603);
    // grammers-mtproto 0.11.0 lists the same two as signed literals.
    assert_eq!(PRODUCTION_KEY.fingerprint(), -3414540481677951611);
    assert_eq!(TEST_KEY.fingerprint(), -5595554452916591101);
    // Every built-in key is a valid key and equals the published one with its fingerprint.
    let telethon = rsa_vectors()["telethon_builtin_keys"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(PRODUCTION_KEYS.len(), 1 + telethon.len());
    for key in PRODUCTION_KEYS.iter().chain(TEST_KEYS) {
        let again = RsaPublicKey::from_be_bytes(&key.n_be_bytes(), &key.e().to_be_bytes()).unwrap();
        assert_eq!(&again, key);
    }
    for entry in &telethon {
        let published = key_of(entry);
        assert!(
            PRODUCTION_KEYS.contains(&published),
            "{}",
            entry["fingerprint_u64_hex"]
        );
        assert_eq!(published.fingerprint(), fingerprint_of(entry));
    }
}

#[test]
fn find_key_follows_our_preference() {
    // The official sample's resPQ lists these three fingerprints (wire bytes, little-endian).
    let listed: Vec<i64> = ["A5B7F709355FC30B", "216BE86C022BB4C3", "85FD64DE851D9DD0"]
        .iter()
        .map(|h| i64::from_le_bytes(hex(h).try_into().unwrap()))
        .collect();
    let (key, fingerprint) = find_key(PRODUCTION_KEYS, &listed).unwrap();
    assert_eq!(key, &PRODUCTION_KEY);
    assert_eq!(fingerprint as u64, 0xd09d1d85de64fd85);
    // Without the current key, the first listed legacy key in our order.
    let (key, _) = find_key(PRODUCTION_KEYS, &listed[..2]).unwrap();
    assert_eq!(key.fingerprint() as u64, 0x0bc35f3509f7b7a5);
    assert_eq!(find_key(PRODUCTION_KEYS, &[1, 2, 3]), None);
    assert_eq!(find_key(TEST_KEYS, &listed), None);
    assert_eq!(find_key(&[], &listed), None);
}

#[test]
fn old_scheme_reproduces_telethon() {
    for vector in rsa_vectors()["vectors"].as_array().unwrap() {
        let key = key_of(vector);
        let enc = &vector["encrypt_vector"];
        let data = hex(enc["data"].as_str().unwrap());
        let padding = hex(enc["padding"].as_str().unwrap());
        assert_eq!(data.len() + padding.len(), OLD_MAX_DATA);
        let mut rng = Replay::new(padding.clone());
        let ciphertext = key.encrypt_old(&data, &mut rng).unwrap();
        assert_eq!(rng.consumed(), padding.len());
        assert_eq!(
            ciphertext.to_vec(),
            hex(enc["ciphertext"].as_str().unwrap()),
            "{}",
            vector["name"]
        );
    }
}

#[test]
fn rsa_pad_matches_grammers() {
    // grammers-crypto's encrypt_hashed takes 224 random bytes: the padding from the start, the
    // temp_key from offset 192 (and increments it on retry; we draw a new one, so compare
    // only cases where the first temp_key fits).
    let mut rng = TestRng::new(7);
    let mut compared = 0;
    for (i, key) in PRODUCTION_KEYS.iter().chain(TEST_KEYS).enumerate() {
        let gkey = grammers_crypto::rsa::Key::new(&to_decimal(&key.n_be_bytes()), "65537").unwrap();
        for len in [0usize, 4, 96, 100, 144] {
            let mut data = vec![0u8; len];
            rand_core::Rng::fill_bytes(&mut rng, &mut data);
            let mut random = [0u8; 224];
            rand_core::Rng::fill_bytes(&mut rng, &mut random);
            let mut replay_bytes = random[..192 - len].to_vec();
            replay_bytes.extend_from_slice(&random[192..]);
            replay_bytes.extend_from_slice(&[0x55; 32 * 63]); // further temp_keys, if needed
            let mut replay = Replay::new(replay_bytes);
            let ours = key.encrypt_rsa_pad(&data, &mut replay);
            if replay.consumed() != 224 - len {
                continue; // the first temp_key gave a block ≥ n
            }
            let theirs = grammers_crypto::rsa::encrypt_hashed(&data, &gkey, &random);
            assert_eq!(ours.unwrap().to_vec(), theirs, "key {i}, len {len}");
            compared += 1;
        }
    }
    assert!(compared > 20, "{compared}");
}

#[test]
fn data_length_limits() {
    let mut rng = TestRng::new(1);
    let long = [0u8; 236];
    assert_eq!(
        PRODUCTION_KEY.encrypt_rsa_pad(&long[..145], &mut rng),
        Err(RsaError::DataTooLong {
            len: 145,
            max: RSA_PAD_MAX_DATA
        })
    );
    assert!(
        PRODUCTION_KEY
            .encrypt_rsa_pad(&long[..144], &mut rng)
            .is_ok()
    );
    assert_eq!(
        PRODUCTION_KEY.encrypt_old(&long, &mut rng),
        Err(RsaError::DataTooLong {
            len: 236,
            max: OLD_MAX_DATA
        })
    );
    assert!(PRODUCTION_KEY.encrypt_old(&long[..235], &mut rng).is_ok());
}

#[test]
fn bad_public_keys() {
    let n = PRODUCTION_KEY.n_be_bytes();
    let e = [0x01, 0x00, 0x01];
    assert_eq!(RsaPublicKey::from_be_bytes(&n, &e).unwrap(), PRODUCTION_KEY);
    // Leading zeros are fine.
    let mut padded = vec![0u8; 3];
    padded.extend_from_slice(&n);
    assert_eq!(
        RsaPublicKey::from_be_bytes(&padded, &[0, 0, 1, 0, 1]).unwrap(),
        PRODUCTION_KEY
    );
    // Sizes.
    assert_eq!(
        RsaPublicKey::from_be_bytes(&n[1..], &e),
        Err(RsaError::ModulusSize { bits: 2040 })
    );
    let mut big = vec![1u8];
    big.extend_from_slice(&n);
    assert_eq!(
        RsaPublicKey::from_be_bytes(&big, &e),
        Err(RsaError::ModulusSize { bits: 2049 })
    );
    assert_eq!(
        RsaPublicKey::from_be_bytes(&[], &e),
        Err(RsaError::ModulusSize { bits: 0 })
    );
    let mut half = n;
    half[0] = 0x7f;
    assert_eq!(
        RsaPublicKey::from_be_bytes(&half, &e),
        Err(RsaError::ModulusSize { bits: 2047 })
    );
    // Parity and exponents.
    let mut even = n;
    even[255] &= 0xfe;
    assert_eq!(
        RsaPublicKey::from_be_bytes(&even, &e),
        Err(RsaError::ModulusEven)
    );
    for bad_e in [&[][..], &[1], &[2], &[0x01, 0x00, 0x00], &[1; 9]] {
        assert_eq!(
            RsaPublicKey::from_be_bytes(&n, bad_e),
            Err(RsaError::BadExponent),
            "{bad_e:?}"
        );
    }
    assert!(RsaPublicKey::from_be_bytes(&n, &[3]).is_ok());
    // encrypt_raw refuses blocks at or above n.
    assert_eq!(
        PRODUCTION_KEY.encrypt_raw(&n),
        Err(RsaError::CiphertextOutOfRange)
    );
    assert_eq!(
        PRODUCTION_KEY.encrypt_raw(&[0xff; 256]),
        Err(RsaError::CiphertextOutOfRange)
    );
}

#[test]
fn errors_say_what_happened() {
    let text = RsaError::CiphertextLength { len: 255 }.to_string();
    assert!(text.contains("255") && text.contains("256"), "{text}");
}

#[cfg(feature = "server")]
mod server {
    use super::*;
    use ferrogram_mtproto_proto::auth_key::rsa::{RSA_BYTES, RsaPrivateKey, RsaScheme};
    use sha1::{Digest, Sha1};

    fn private_keys() -> Vec<(RsaPrivateKey, Value)> {
        rsa_vectors()["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                let key = RsaPrivateKey::from_be_bytes(
                    &hex(v["n"].as_str().unwrap()),
                    &hex(v["e"].as_str().unwrap()),
                    &hex(v["d"].as_str().unwrap()),
                )
                .unwrap();
                (key, v.clone())
            })
            .collect()
    }

    #[test]
    fn decrypts_telethon_ciphertexts() {
        for (key, vector) in private_keys() {
            let enc = &vector["encrypt_vector"];
            let ciphertext = hex(enc["ciphertext"].as_str().unwrap());
            let raw = key.decrypt_raw(&ciphertext).unwrap();
            assert_eq!(raw[0], 0);
            assert_eq!(raw[1..].to_vec(), hex(enc["block_255"].as_str().unwrap()));
            let data = hex(enc["data"].as_str().unwrap());
            for plain in [
                key.decrypt(&ciphertext).unwrap(),
                key.decrypt_old(&ciphertext).unwrap(),
            ] {
                assert_eq!(plain.scheme(), RsaScheme::Old);
                assert_eq!(plain.data(), &data[..]);
            }
            // It is not an RSA_PAD block.
            assert_eq!(
                key.decrypt_rsa_pad(&ciphertext).unwrap_err(),
                RsaError::RsaPadHashMismatch
            );
        }
    }

    #[test]
    fn rsa_pad_round_trip() {
        let mut rng = TestRng::new(99);
        for (key, _) in private_keys() {
            for len in [0usize, 4, 40, 96, 100, 140, 144] {
                let mut data = vec![0u8; len];
                rand_core::Rng::fill_bytes(&mut rng, &mut data);
                let ciphertext = key.public_key().encrypt_rsa_pad(&data, &mut rng).unwrap();
                for plain in [
                    key.decrypt(&ciphertext).unwrap(),
                    key.decrypt_rsa_pad(&ciphertext).unwrap(),
                ] {
                    assert_eq!(plain.scheme(), RsaScheme::RsaPad);
                    assert_eq!(plain.data().len(), 192);
                    assert_eq!(&plain.data()[..len], &data[..]);
                }
            }
        }
    }

    #[test]
    fn old_round_trip() {
        let mut rng = TestRng::new(5);
        for (key, _) in private_keys() {
            for len in (4..=OLD_MAX_DATA).step_by(4).chain([232]) {
                let mut data = vec![0u8; len];
                rand_core::Rng::fill_bytes(&mut rng, &mut data);
                let ciphertext = key.public_key().encrypt_old(&data, &mut rng).unwrap();
                let plain = key.decrypt(&ciphertext).unwrap();
                assert_eq!(plain.scheme(), RsaScheme::Old);
                assert_eq!(plain.data(), &data[..]);
            }
        }
    }

    #[test]
    fn hostile_ciphertexts() {
        let (key, vector) = private_keys().remove(0);
        let public = *key.public_key();
        let good = hex(vector["encrypt_vector"]["ciphertext"].as_str().unwrap());
        // Wrong lengths.
        for len in [0usize, 1, 255, 257, 512] {
            let c = vec![1u8; len];
            assert_eq!(key.decrypt(&c), Err(RsaError::CiphertextLength { len }));
            assert_eq!(key.decrypt_raw(&c), Err(RsaError::CiphertextLength { len }));
        }
        // At or above the modulus.
        let n = public.n_be_bytes();
        assert_eq!(key.decrypt(&n), Err(RsaError::CiphertextOutOfRange));
        assert_eq!(
            key.decrypt(&[0xff; RSA_BYTES]),
            Err(RsaError::CiphertextOutOfRange)
        );
        // A flipped bit: garbage after decryption, both schemes refuse it.
        let mut flipped = good.clone();
        flipped[100] ^= 0x10;
        assert!(key.decrypt_old(&flipped).is_err());
        assert_eq!(key.decrypt(&flipped), Err(RsaError::RsaPadHashMismatch));
        // Old scheme with a leading byte that is not zero.
        let mut block = [0u8; RSA_BYTES];
        block[0] = 0x01;
        let c = public.encrypt_raw(&block).unwrap();
        assert_eq!(
            key.decrypt_old(&c),
            Err(RsaError::OldLeadingByte { byte: 1 })
        );
        // Old scheme with a wrong SHA-1 (the data's hash, one bit off).
        let data = hex(vector["encrypt_vector"]["data"].as_str().unwrap());
        let mut block = [0u8; RSA_BYTES];
        block[1..21].copy_from_slice(&Sha1::digest(&data));
        block[5] ^= 1;
        block[21..21 + data.len()].copy_from_slice(&data);
        let c = public.encrypt_raw(&block).unwrap();
        assert_eq!(key.decrypt_old(&c), Err(RsaError::OldHashMismatch));
        // Zero and one are below n but carry nothing.
        let mut one = [0u8; RSA_BYTES];
        one[255] = 1;
        assert_eq!(
            key.decrypt_old(&[0; RSA_BYTES]),
            Err(RsaError::OldHashMismatch)
        );
        assert_eq!(key.decrypt(&one), Err(RsaError::RsaPadHashMismatch));
        // RSA_PAD with one bit flipped inside the AES part, re-encrypted: the hash catches it.
        let mut rng = TestRng::new(3);
        let c = public.encrypt_rsa_pad(&data, &mut rng).unwrap();
        let mut raw = key.decrypt_raw(&c).unwrap();
        raw[200] ^= 0x80;
        if let Ok(c) = public.encrypt_raw(&raw) {
            assert_eq!(key.decrypt_rsa_pad(&c), Err(RsaError::RsaPadHashMismatch));
        }
        // Tampering with temp_key_xor changes temp_key: refused too.
        let mut raw = key.decrypt_raw(&c).unwrap();
        raw[31] ^= 1;
        if let Ok(c) = public.encrypt_raw(&raw) {
            assert_eq!(key.decrypt_rsa_pad(&c), Err(RsaError::RsaPadHashMismatch));
        }
    }

    #[test]
    fn bad_private_keys() {
        let (key, vector) = private_keys().remove(0);
        let n = hex(vector["n"].as_str().unwrap());
        let e = hex(vector["e"].as_str().unwrap());
        let d = hex(vector["d"].as_str().unwrap());
        let mut wrong = d.clone();
        let last = wrong.len() - 1;
        wrong[last] ^= 2;
        assert_eq!(
            RsaPrivateKey::from_be_bytes(&n, &e, &wrong),
            Err(RsaError::KeyMismatch)
        );
        assert_eq!(
            RsaPrivateKey::from_be_bytes(&n, &e, &[]),
            Err(RsaError::KeyMismatch)
        );
        assert_eq!(
            RsaPrivateKey::from_be_bytes(&n, &e, &n),
            Err(RsaError::KeyMismatch)
        );
        assert_eq!(
            RsaPrivateKey::from_be_bytes(&n, &e, &[1; 300]),
            Err(RsaError::KeyMismatch)
        );
        assert_eq!(
            RsaPrivateKey::from_be_bytes(&n, &[3], &d),
            Err(RsaError::KeyMismatch)
        );
        // Debug output does not show d.
        let debug = format!("{key:?}");
        assert!(
            !debug.contains(&vector["d"].as_str().unwrap()[..16]),
            "{debug}"
        );
    }
}
