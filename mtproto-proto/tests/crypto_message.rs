//! MTProto 2.0 message encryption and decryption against Telethon/Kurigram
//! (`data/mtproto2_messages.json`), plus a hostile input for every decrypt check.

use core::convert::Infallible;

use ferrogram_mtproto_proto::crypto::ige;
use ferrogram_mtproto_proto::crypto::message::{
    self, DecryptError, EncryptError, MIN_PAYLOAD_LEN, MessageHeader, Packet, Role, decrypt,
    encrypted_len, padding_len,
};
use ferrogram_mtproto_proto::crypto::message_key::{
    AUTH_KEY_LEN, AuthKey, Direction, derive_v2, msg_key_v2,
};
use ferrogram_mtproto_proto::crypto::provider::Software;
use rand_core::{TryCryptoRng, TryRng};
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

fn header(v: &Value, case: &Value) -> MessageHeader {
    MessageHeader {
        salt: v["common"]["salt_i64"].as_i64().unwrap(),
        session_id: v["common"]["session_id_i64"].as_i64().unwrap(),
        msg_id: case["msg_id"].as_i64().unwrap(),
        seq_no: i32::try_from(case["seq_no"].as_i64().unwrap()).unwrap(),
    }
}

fn cases<'a>(v: &'a Value, direction: &str) -> Vec<&'a Value> {
    let found: Vec<_> = v["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["direction"] == direction)
        .collect();
    assert_eq!(found.len(), 6, "{direction}");
    found
}

/// Serves recorded bytes as "randomness", so the RNG path can reproduce a vector.
struct Replay {
    bytes: Vec<u8>,
    at: usize,
}

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unreachable!("padding is drawn with fill_bytes")
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        unreachable!("padding is drawn with fill_bytes")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        dst.copy_from_slice(&self.bytes[self.at..self.at + dst.len()]);
        self.at += dst.len();
        Ok(())
    }
}

impl TryCryptoRng for Replay {}

/// Seals `case` in a buffer with `start` bytes in front and `extra` after.
fn seal_case(
    v: &Value,
    case: &Value,
    role: Role,
    start: usize,
    extra: usize,
    use_rng: bool,
) -> (Vec<u8>, core::ops::Range<usize>) {
    let key = auth_key(v);
    let body = unhex(case["body"].as_str().unwrap());
    let padding = unhex(case["padding"].as_str().unwrap());
    let mut buf =
        vec![
            0xeeu8;
            start + encrypted_len(body.len()).max(24 + 32 + body.len() + padding.len()) + extra
        ];
    let mut packet = Packet::new(&mut buf, start).unwrap();
    assert!(packet.body_capacity() >= body.len());
    packet.body_mut()[..body.len()].copy_from_slice(&body);
    let h = header(v, case);
    let range = if use_rng {
        let mut rng = Replay {
            bytes: padding.clone(),
            at: 0,
        };
        let r = packet
            .encrypt(&mut Software, &key, role, &h, body.len(), &mut rng)
            .unwrap();
        assert_eq!(rng.at, padding.len(), "all recorded padding consumed");
        r
    } else {
        packet
            .encrypt_with_padding(&mut Software, &key, role, &h, body.len(), &padding)
            .unwrap()
    };
    (buf, range)
}

#[test]
fn client_payloads_byte_for_byte_with_recorded_padding() {
    let v = vectors();
    for case in cases(&v, "client_to_server") {
        let name = case["name"].as_str().unwrap();
        let want = unhex(case["payload"].as_str().unwrap());
        for start in [0usize, 4, 64] {
            let (buf, range) = seal_case(&v, case, Role::Client, start, 7, false);
            assert_eq!(range, start..start + want.len(), "{name}");
            assert_eq!(&buf[range], &want[..], "{name}, start {start}");
            assert!(
                buf[..start].iter().all(|&b| b == 0xee),
                "{name}: prefix touched"
            );
        }
    }
}

/// Telethon's client padding length is our `padding_len`, so the RNG path serving the
/// recorded bytes reproduces the payloads too.
#[test]
fn client_payloads_through_the_rng_path() {
    let v = vectors();
    for case in cases(&v, "client_to_server") {
        let name = case["name"].as_str().unwrap();
        let body_len = case["body_length"].as_u64().unwrap() as usize;
        assert_eq!(
            padding_len(body_len) as u64,
            case["padding_length"].as_u64().unwrap(),
            "{name}"
        );
        let want = unhex(case["payload"].as_str().unwrap());
        assert_eq!(encrypted_len(body_len), want.len(), "{name}");
        let (buf, range) = seal_case(&v, case, Role::Client, 0, 0, true);
        assert_eq!(&buf[range], &want[..], "{name}");
    }
}

#[test]
fn server_payloads_decrypt_as_client() {
    let v = vectors();
    let key = auth_key(&v);
    for case in cases(&v, "server_to_client") {
        let name = case["name"].as_str().unwrap();
        let mut payload = unhex(case["payload"].as_str().unwrap());
        let got = decrypt(&mut Software, &key, Role::Client, &mut payload)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got.header, header(&v, case), "{name}");
        assert_eq!(
            got.body(&payload),
            &unhex(case["body"].as_str().unwrap())[..],
            "{name}"
        );
        assert_eq!(
            got.padding_len as u64,
            case["padding_length"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            &payload[got.body.end..],
            &unhex(case["padding"].as_str().unwrap())[..],
            "{name} padding"
        );
        assert_eq!(
            &payload[24..],
            &unhex(case["plaintext"].as_str().unwrap())[..],
            "{name} plaintext"
        );
    }
}

/// The test DC's side: server payloads (including 616 bytes of padding) sealed with the
/// recorded padding, client payloads opened.
#[test]
fn server_role_reproduces_and_opens() {
    let v = vectors();
    let key = auth_key(&v);
    for case in cases(&v, "server_to_client") {
        let name = case["name"].as_str().unwrap();
        let want = unhex(case["payload"].as_str().unwrap());
        let (buf, range) = seal_case(&v, case, Role::Server, 3, 0, false);
        assert_eq!(&buf[range], &want[..], "{name}");
    }
    for case in cases(&v, "client_to_server") {
        let name = case["name"].as_str().unwrap();
        let mut payload = unhex(case["payload"].as_str().unwrap());
        let got = decrypt(&mut Software, &key, Role::Server, &mut payload).unwrap();
        assert_eq!(got.header, header(&v, case), "{name}");
        assert_eq!(
            got.body(&payload),
            &unhex(case["body"].as_str().unwrap())[..],
            "{name}"
        );
    }
}

/// A server routes by the session id read from the first block alone: it agrees with the
/// full decryption on every vector (Telethon's and Kurigram's payloads, both directions),
/// leaves the payload untouched, and claims nothing about authenticity (a payload with a
/// damaged body still yields its session id; `decrypt` then refuses it).
#[test]
fn peeked_session_id_agrees_with_decrypt() {
    let v = vectors();
    let key = auth_key(&v);
    for (direction, role) in [
        ("client_to_server", Role::Server),
        ("server_to_client", Role::Client),
    ] {
        for case in cases(&v, direction) {
            let name = case["name"].as_str().unwrap();
            let payload = unhex(case["payload"].as_str().unwrap());
            let peeked = message::peek_session_id(&mut Software, &key, role, &payload).unwrap();
            assert_eq!(peeked, header(&v, case).session_id, "{name}");
            let mut damaged = payload.clone();
            let last = damaged.len() - 1;
            damaged[last] ^= 1;
            assert_eq!(
                message::peek_session_id(&mut Software, &key, role, &damaged).unwrap(),
                peeked,
                "{name}: the first block alone decides"
            );
            assert_eq!(
                decrypt(&mut Software, &key, role, &mut damaged),
                Err(DecryptError::MsgKeyMismatch),
                "{name}"
            );
        }
    }
    let payload = unhex(
        cases(&v, "client_to_server")[0]["payload"]
            .as_str()
            .unwrap(),
    );
    assert!(matches!(
        message::peek_session_id(&mut Software, &key, Role::Server, &payload[..40]),
        Err(DecryptError::TooShort { len: 40 })
    ));
    let mut other = payload.clone();
    other[0] ^= 1;
    assert!(matches!(
        message::peek_session_id(&mut Software, &key, Role::Server, &other),
        Err(DecryptError::AuthKeyIdMismatch { .. })
    ));
}

// ---- hostile inputs -------------------------------------------------------------------

/// Encrypts an arbitrary `plaintext` the way a (possibly malicious) peer with the right
/// key would: a correct msg_key over whatever bytes it likes.
fn forge(key: &AuthKey, direction: Direction, plaintext: &[u8]) -> Vec<u8> {
    assert_eq!(plaintext.len() % 16, 0);
    let msg_key = msg_key_v2(&mut Software, key, direction, plaintext);
    let keys = derive_v2(&mut Software, key, direction, &msg_key);
    let mut enc = plaintext.to_vec();
    ige::encrypt_in_place(&keys.aes_key, &keys.aes_iv, &mut enc).unwrap();
    let mut payload = key.id().to_vec();
    payload.extend_from_slice(&msg_key);
    payload.extend_from_slice(&enc);
    payload
}

/// A plaintext with the given length field, `body_len` body bytes and `pad` padding bytes.
fn plaintext(msg_id: i64, length_field: i32, body_len: usize, pad: usize) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&0x1122_3344_5566_7788i64.to_le_bytes());
    p.extend_from_slice(&0x0102_0304_0506_0708i64.to_le_bytes());
    p.extend_from_slice(&msg_id.to_le_bytes());
    p.extend_from_slice(&7i32.to_le_bytes());
    p.extend_from_slice(&length_field.to_le_bytes());
    p.extend((0..body_len).map(|i| i as u8));
    p.extend((0..pad).map(|i| (i as u8) ^ 0x5a));
    p
}

const SERVER_MSG_ID: i64 = 0x6900_0000_0000_0001;

fn test_key() -> AuthKey {
    let v = vectors();
    auth_key(&v)
}

fn open(payload: &mut [u8]) -> Result<message::Decrypted, DecryptError> {
    decrypt(&mut Software, &test_key(), Role::Client, payload)
}

#[test]
fn forged_but_valid_message_is_accepted() {
    // The helper itself produces acceptable messages: 12 and 1024 bytes of padding.
    let key = test_key();
    for (body, pad) in [(20usize, 12usize), (16, 1024)] {
        let mut payload = forge(
            &key,
            Direction::ServerToClient,
            &plaintext(SERVER_MSG_ID, body as i32, body, pad),
        );
        let got = open(&mut payload).unwrap();
        assert_eq!(got.padding_len, pad);
        assert_eq!(got.body, 56..56 + body);
        assert_eq!(got.header.msg_id, SERVER_MSG_ID);
    }
}

#[test]
fn rejects_too_short_payloads() {
    for len in [0usize, 8, 23, 24, 40, 56, MIN_PAYLOAD_LEN - 1] {
        let mut payload = vec![0u8; len];
        assert_eq!(open(&mut payload), Err(DecryptError::TooShort { len }));
    }
    assert_eq!(MIN_PAYLOAD_LEN, 72);
}

#[test]
fn rejects_unaligned_payloads() {
    let v = vectors();
    let good = unhex(
        cases(&v, "server_to_client")[0]["payload"]
            .as_str()
            .unwrap(),
    );
    for cut in [1usize, 4, 15] {
        let mut payload = good[..good.len() - cut].to_vec();
        let len = payload.len();
        assert_eq!(
            open(&mut payload),
            Err(DecryptError::UnalignedLength { len })
        );
    }
    let mut longer = good.clone();
    longer.extend_from_slice(&[0; 8]);
    let len = longer.len();
    assert_eq!(
        open(&mut longer),
        Err(DecryptError::UnalignedLength { len })
    );
}

#[test]
fn padded_transport_bytes_are_stripped_before_decrypting() {
    let v = vectors();
    let good = unhex(
        cases(&v, "server_to_client")[0]["payload"]
            .as_str()
            .unwrap(),
    );
    for extra in 0..16usize {
        let mut frame = good.clone();
        frame.extend((0..extra).map(|i| i as u8 ^ 0x5a));
        let payload = message::strip_transport_padding(&mut frame);
        assert_eq!(payload.len(), good.len(), "{extra} padding bytes");
        assert!(open(payload).is_ok(), "{extra} padding bytes");
    }
}

#[test]
fn rejects_another_auth_key_id() {
    let v = vectors();
    let key = auth_key(&v);
    let mut payload = unhex(
        cases(&v, "server_to_client")[0]["payload"]
            .as_str()
            .unwrap(),
    );
    payload[0] ^= 1;
    let got = u64::from_le_bytes(payload[..8].try_into().unwrap());
    assert_eq!(
        open(&mut payload),
        Err(DecryptError::AuthKeyIdMismatch {
            expected: key.id_u64(),
            got
        })
    );
}

#[test]
fn rejects_wrong_msg_key_and_zeroes_the_plaintext() {
    let v = vectors();
    for case in cases(&v, "server_to_client") {
        let name = case["name"].as_str().unwrap();
        let good = unhex(case["payload"].as_str().unwrap());
        // A flipped bit in msg_key, in the first and the last ciphertext block.
        for at in [8usize, 23, 24, good.len() - 1] {
            let mut payload = good.clone();
            payload[at] ^= 0x80;
            assert_eq!(
                open(&mut payload),
                Err(DecryptError::MsgKeyMismatch),
                "{name}, byte {at}"
            );
            assert!(payload[24..].iter().all(|&b| b == 0), "{name}: not zeroed");
        }
        // A server message replayed to the server (wrong direction).
        let mut payload = good.clone();
        let key = auth_key(&v);
        assert_eq!(
            decrypt(&mut Software, &key, Role::Server, &mut payload),
            Err(DecryptError::MsgKeyMismatch),
            "{name} reflected"
        );
    }
    // Truncated by whole blocks: still aligned, but the msg_key no longer matches.
    let mut payload = unhex(
        cases(&v, "server_to_client")[5]["payload"]
            .as_str()
            .unwrap(),
    );
    payload.truncate(payload.len() - 16);
    assert_eq!(open(&mut payload), Err(DecryptError::MsgKeyMismatch));
}

#[test]
fn rejects_negative_or_unaligned_body_length() {
    let key = test_key();
    for length in [-4i32, -1, i32::MIN, 13, 2] {
        let mut payload = forge(
            &key,
            Direction::ServerToClient,
            &plaintext(SERVER_MSG_ID, length, 16, 16),
        );
        assert_eq!(
            open(&mut payload),
            Err(DecryptError::BadBodyLength { length }),
            "length {length}"
        );
        assert!(payload[24..].iter().all(|&b| b == 0));
    }
}

#[test]
fn rejects_body_length_past_the_plaintext() {
    let key = test_key();
    // 32 + 16 + 16 bytes: 32 bytes after the header.
    for length in [36i32, 64, 1 << 20, i32::MAX - 3] {
        let mut payload = forge(
            &key,
            Direction::ServerToClient,
            &plaintext(SERVER_MSG_ID, length, 16, 16),
        );
        assert_eq!(
            open(&mut payload),
            Err(DecryptError::BodyTooLong {
                length,
                available: 32
            }),
            "length {length}"
        );
    }
}

#[test]
fn rejects_padding_outside_12_to_1024() {
    let key = test_key();
    // Length field claims more body than there is, leaving 0, 4 or 8 bytes of padding.
    for (claimed, pad) in [(32i32, 0usize), (28, 4), (24, 8)] {
        let mut payload = forge(
            &key,
            Direction::ServerToClient,
            &plaintext(SERVER_MSG_ID, claimed, 16, 16),
        );
        assert_eq!(
            open(&mut payload),
            Err(DecryptError::BadPadding { padding_len: pad }),
            "padding {pad}"
        );
    }
    // 1040 bytes of padding.
    let mut payload = forge(
        &key,
        Direction::ServerToClient,
        &plaintext(SERVER_MSG_ID, 0, 0, 1040),
    );
    assert_eq!(
        open(&mut payload),
        Err(DecryptError::BadPadding { padding_len: 1040 })
    );
}

#[test]
fn rejects_wrong_msg_id_parity() {
    let key = test_key();
    // An even msg_id from the "server".
    let mut payload = forge(
        &key,
        Direction::ServerToClient,
        &plaintext(0x6900_0000_0000_0004, 16, 16, 16),
    );
    assert_eq!(
        open(&mut payload),
        Err(DecryptError::WrongMsgIdParity {
            msg_id: 0x6900_0000_0000_0004,
            direction: Direction::ServerToClient
        })
    );
    // An odd msg_id from the "client".
    let mut payload = forge(
        &key,
        Direction::ClientToServer,
        &plaintext(SERVER_MSG_ID, 16, 16, 16),
    );
    assert_eq!(
        decrypt(&mut Software, &key, Role::Server, &mut payload),
        Err(DecryptError::WrongMsgIdParity {
            msg_id: SERVER_MSG_ID,
            direction: Direction::ClientToServer
        })
    );
}

#[test]
fn decrypt_errors_explain_what_to_do() {
    let all = [
        DecryptError::TooShort { len: 3 },
        DecryptError::UnalignedLength { len: 80 },
        DecryptError::AuthKeyIdMismatch {
            expected: 1,
            got: 2,
        },
        DecryptError::MsgKeyMismatch,
        DecryptError::BadBodyLength { length: -4 },
        DecryptError::BodyTooLong {
            length: 64,
            available: 32,
        },
        DecryptError::BadPadding { padding_len: 4 },
        DecryptError::WrongMsgIdParity {
            msg_id: 4,
            direction: Direction::ServerToClient,
        },
    ];
    for err in all {
        let text = err.to_string();
        assert!(text.contains("discard the message"), "{text}");
        let _: &dyn core::error::Error = &err;
    }
}

// ---- encrypt-side misuse ---------------------------------------------------------------

fn client_header() -> MessageHeader {
    MessageHeader {
        salt: 1,
        session_id: 2,
        msg_id: 0x6900_0000_0000_0004,
        seq_no: 1,
    }
}

#[test]
fn packet_refuses_small_buffers_and_reports_capacity() {
    let mut small = [0u8; MIN_PAYLOAD_LEN - 1];
    assert_eq!(
        Packet::new(&mut small, 0).unwrap_err(),
        EncryptError::BufferTooSmall {
            needed: MIN_PAYLOAD_LEN,
            available: MIN_PAYLOAD_LEN - 1
        }
    );
    let mut buf = [0u8; 100];
    assert!(Packet::new(&mut buf, 101).is_err());
    assert!(Packet::new(&mut buf, 29).is_err());
    assert!(Packet::new(&mut buf, 28).is_ok());

    // Capacity is exact: the largest body that fits, and it does fit.
    for size in MIN_PAYLOAD_LEN..400 {
        let mut buf = vec![0u8; size];
        let packet = Packet::new(&mut buf, 0).unwrap();
        let cap = packet.body_capacity();
        assert_eq!(cap % 4, 0);
        assert!(encrypted_len(cap) <= size, "size {size}");
        assert!(encrypted_len(cap + 4) > size, "size {size}");
        let mut packet = packet;
        assert_eq!(packet.body_mut().len(), cap);
        let key = test_key();
        let range = packet
            .encrypt_with_padding(
                &mut Software,
                &key,
                Role::Client,
                &client_header(),
                cap,
                &vec![0; padding_len(cap)],
            )
            .unwrap();
        assert_eq!(range, 0..encrypted_len(cap));
    }
}

#[test]
fn encrypt_refuses_bad_arguments() {
    let key = test_key();
    let mut buf = [0u8; 200];
    let body_cap = Packet::new(&mut buf, 0).unwrap().body_capacity();

    let seal = |body_len: usize, padding: &[u8], role: Role, header: MessageHeader| {
        let mut buf = [0u8; 200];
        Packet::new(&mut buf, 0).unwrap().encrypt_with_padding(
            &mut Software,
            &key,
            role,
            &header,
            body_len,
            padding,
        )
    };
    assert_eq!(
        seal(6, &[0; 26], Role::Client, client_header()),
        Err(EncryptError::UnalignedBody { body_len: 6 })
    );
    assert_eq!(
        seal(body_cap + 16, &[0; 12], Role::Client, client_header()),
        Err(EncryptError::BufferTooSmall {
            needed: 24 + 32 + body_cap + 16 + 12,
            available: 200
        })
    );
    assert_eq!(
        seal(usize::MAX - 3, &[0; 20], Role::Client, client_header()),
        Err(EncryptError::BufferTooSmall {
            needed: usize::MAX,
            available: 200
        })
    );
    for pad in [0usize, 4, 11, 13, 27] {
        assert_eq!(
            seal(4, &vec![0; pad], Role::Client, client_header()),
            Err(EncryptError::BadPadding {
                padding_len: pad,
                body_len: 4
            }),
            "padding {pad}"
        );
    }
    assert!(matches!(
        seal(0, &[0; 1040], Role::Client, client_header()),
        Err(EncryptError::BadPadding { .. })
    ));
    for (role, msg_id) in [(Role::Client, 2i64), (Role::Client, 5), (Role::Server, 4)] {
        let header = MessageHeader {
            msg_id,
            ..client_header()
        };
        assert_eq!(
            seal(4, &[0; 28], role, header),
            Err(EncryptError::WrongMsgIdParity { msg_id, role })
        );
    }
    assert!(
        EncryptError::UnalignedBody { body_len: 6 }
            .to_string()
            .contains("multiple of 4")
    );
}

/// Random padding from a real RNG path round-trips, and two seals of the same message
/// differ (the padding is random).
#[test]
fn random_padding_round_trip() {
    /// SplitMix64 (not cryptographic; this only checks the plumbing).
    struct Counter(u64);
    impl TryRng for Counter {
        type Error = Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            Ok(self.try_next_u64()? as u32)
        }
        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            Ok(z ^ (z >> 31))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
            for chunk in dst.chunks_mut(8) {
                let word = self.try_next_u64()?.to_le_bytes();
                chunk.copy_from_slice(&word[..chunk.len()]);
            }
            Ok(())
        }
    }
    impl TryCryptoRng for Counter {}

    let key = test_key();
    let mut rng = Counter(1);
    let mut outputs = Vec::new();
    for body_len in [0usize, 4, 8, 12, 16, 20, 100, 1000] {
        for _ in 0..2 {
            let mut buf = vec![0u8; encrypted_len(body_len)];
            let mut packet = Packet::new(&mut buf, 0).unwrap();
            for (i, b) in packet.body_mut()[..body_len].iter_mut().enumerate() {
                *b = i as u8;
            }
            let range = packet
                .encrypt(
                    &mut Software,
                    &key,
                    Role::Client,
                    &client_header(),
                    body_len,
                    &mut rng,
                )
                .unwrap();
            assert_eq!(range.len(), buf.len());
            outputs.push(buf.clone());
            let got = decrypt(&mut Software, &key, Role::Server, &mut buf).unwrap();
            assert_eq!(got.header, client_header());
            assert_eq!(got.padding_len, padding_len(body_len));
            assert!((12..=27).contains(&got.padding_len));
            let want: Vec<u8> = (0..body_len).map(|i| i as u8).collect();
            assert_eq!(got.body(&buf), &want[..]);
        }
        let n = outputs.len();
        assert_ne!(outputs[n - 1], outputs[n - 2], "body {body_len}");
    }
}
