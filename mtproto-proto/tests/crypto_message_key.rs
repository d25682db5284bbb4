//! Auth key id, msg_key and the AES key/IV derivations against Telethon/Kurigram
//! (`data/mtproto2_messages.json`) and gotd (MTProto 1.0).

use ferrogram_mtproto_proto::crypto::message_key::{
    AUTH_KEY_LEN, AuthKey, Direction, derive_v1, derive_v2, msg_key_v1, msg_key_v2,
};
use ferrogram_mtproto_proto::crypto::provider::Software;
use serde_json::Value;

const VECTORS: &str = include_str!("data/mtproto2_messages.json");

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("mtproto2_messages.json parses")
}

fn auth_key(v: &Value) -> AuthKey {
    let bytes: [u8; AUTH_KEY_LEN] = unhex(v["common"]["auth_key"].as_str().unwrap())
        .try_into()
        .unwrap();
    AuthKey::new(bytes)
}

fn direction(case: &Value) -> Direction {
    match (
        case["direction"].as_str().unwrap(),
        case["x"].as_u64().unwrap(),
    ) {
        ("client_to_server", 0) => Direction::ClientToServer,
        ("server_to_client", 8) => Direction::ServerToClient,
        other => panic!("unexpected direction {other:?}"),
    }
}

#[test]
fn auth_key_id_matches_telethon() {
    let v = vectors();
    let key = auth_key(&v);
    assert_eq!(
        key.id().to_vec(),
        unhex(v["common"]["auth_key_id"].as_str().unwrap())
    );
    assert_eq!(
        key.id_u64(),
        v["common"]["auth_key_id_u64"].as_u64().unwrap()
    );
    let debug = format!("{key:?}");
    assert!(
        !debug.contains("10f147f6"),
        "Debug leaks key bytes: {debug}"
    );
    assert_eq!(key.as_bytes()[0], 0x10);
}

#[test]
fn direction_offsets() {
    assert_eq!(Direction::ClientToServer.x(), 0);
    assert_eq!(Direction::ServerToClient.x(), 8);
    assert_eq!(
        Direction::ClientToServer.reverse(),
        Direction::ServerToClient
    );
}

#[test]
fn msg_key_v2_of_all_twelve_vectors() {
    let v = vectors();
    let key = auth_key(&v);
    let cases = v["vectors"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let plaintext = unhex(case["plaintext"].as_str().unwrap());
        let msg_key = msg_key_v2(&mut Software, &key, direction(case), &plaintext);
        assert_eq!(
            msg_key.to_vec(),
            unhex(case["msg_key"].as_str().unwrap()),
            "{name}"
        );
        // The other direction's offset gives another key.
        let wrong = msg_key_v2(&mut Software, &key, direction(case).reverse(), &plaintext);
        assert_ne!(wrong, msg_key, "{name}");
    }
}

#[test]
fn derive_v2_of_all_twelve_vectors() {
    let v = vectors();
    let key = auth_key(&v);
    for case in v["vectors"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let msg_key: [u8; 16] = unhex(case["msg_key"].as_str().unwrap()).try_into().unwrap();
        let keys = derive_v2(&mut Software, &key, direction(case), &msg_key);
        assert_eq!(
            keys.aes_key.to_vec(),
            unhex(case["aes_key"].as_str().unwrap()),
            "{name} aes_key"
        );
        assert_eq!(
            keys.aes_iv.to_vec(),
            unhex(case["aes_iv"].as_str().unwrap()),
            "{name} aes_iv"
        );
        assert_eq!(format!("{keys:?}"), "MessageKeys { .. }");
    }
}

/// gotd/td `crypto/kdf_v1_test.go`: `MessageKeyV1("bind-message-test-payload")`.
#[test]
fn msg_key_v1_matches_gotd() {
    assert_eq!(
        msg_key_v1(&mut Software, b"bind-message-test-payload").to_vec(),
        unhex("fc11a3669566de22b87f66550dc3de6d")
    );
}

/// gotd/td `crypto/kdf_v1_test.go`: `KeysV1` with `auth_key[i] = i`, `msg_key[i] = i`,
/// `x = 0`.
#[test]
fn derive_v1_matches_gotd() {
    let mut bytes = [0u8; AUTH_KEY_LEN];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = i as u8;
    }
    let key = AuthKey::new(bytes);
    let mut msg_key = [0u8; 16];
    for (i, b) in msg_key.iter_mut().enumerate() {
        *b = i as u8;
    }
    let keys = derive_v1(&mut Software, &key, Direction::ClientToServer, &msg_key);
    assert_eq!(
        keys.aes_key.to_vec(),
        unhex("17d7295ca9213d1ab656acdb1ad48b2ea7f3a8f7095098d5508b900bbd5fccfc")
    );
    assert_eq!(
        keys.aes_iv.to_vec(),
        unhex("2d7d16a65a84108e9805656caa474501cc580aa2edc33abfd0bfad785464d1c6")
    );
    // x = 8 reads other parts of the key (no independent vector for it).
    let other = derive_v1(&mut Software, &key, Direction::ServerToClient, &msg_key);
    assert_ne!(other.aes_key, keys.aes_key);
    assert_ne!(other.aes_iv, keys.aes_iv);
}
