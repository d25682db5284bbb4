//! Session strings against the ground-truth vectors of Telethon, Kurigram and Pyrogram
//! (tests/data/README.md says where they come from), our own format's round trip, and every
//! kind of malformed string.

use std::net::SocketAddr;

use ferrogram_client_std::session::{
    Base64Error, DcEntry, KeyInfo, LoggedInUser, SessionData, SessionError, StringError,
    StringFormat, UpdateState,
};
use serde_json::Value;

fn vectors(file: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["vectors"].as_array().unwrap().clone()
}

fn key(hex: &str) -> [u8; 256] {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    bytes.try_into().unwrap()
}

fn truthy(v: &Value) -> bool {
    v.as_bool().unwrap_or_else(|| v.as_i64().unwrap() != 0)
}

fn is_bad(r: Result<SessionData, SessionError>, format: StringFormat, reason: StringError) {
    match r {
        Err(SessionError::BadString {
            format: f,
            reason: r,
        }) => {
            assert_eq!((f, r), (format, reason));
        }
        other => panic!("expected {format:?} {reason:?}, got {other:?}"),
    }
}

/// Every Pyrogram/Kurigram vector (362 characters) and the two older layouts (351, 356)
/// decode to the fields the libraries read back.
#[test]
fn pyrogram_and_kurigram_strings_decode_to_their_fields() {
    let mut all = vectors("session_strings.json");
    all.retain(|v| !v["library"].as_str().unwrap().starts_with("Telethon"));
    all.extend(vectors("pyrogram_old_strings.json"));
    let mut lengths = Vec::new();
    for v in &all {
        let s = v["string"].as_str().unwrap();
        let f = &v["fields"];
        lengths.push(s.len());
        for data in [
            SessionData::import_pyrogram(s).unwrap(),
            SessionData::import_any(s).unwrap(),
        ] {
            let dc = f["dc_id"].as_i64().unwrap() as i32;
            assert_eq!(data.home_dc, dc, "{s}");
            assert_eq!(data.test_mode, truthy(&f["test_mode"]));
            assert_eq!(data.api_id, f["api_id"].as_u64().map(|a| a as u32));
            assert_eq!(
                data.user,
                Some(LoggedInUser {
                    id: f["user_id"].as_i64().unwrap(),
                    is_bot: truthy(&f["is_bot"]),
                })
            );
            let entry = &data.dcs[&dc];
            assert_eq!(
                entry.key.as_ref().unwrap().auth_key,
                key(f["auth_key"].as_str().unwrap())
            );
            assert_eq!(entry.addr, None, "Pyrogram strings carry no address");
            assert_eq!(data.dcs.len(), 1);
        }
    }
    lengths.sort_unstable();
    lengths.dedup();
    assert_eq!(lengths, [351, 356, 362], "all three layouts covered");
}

#[test]
fn telethon_strings_decode_to_their_fields() {
    let all = vectors("session_strings.json");
    let telethon: Vec<&Value> = all
        .iter()
        .filter(|v| v["library"].as_str().unwrap().starts_with("Telethon"))
        .collect();
    assert_eq!(telethon.len(), 2);
    for v in telethon {
        let s = v["string"].as_str().unwrap();
        let f = &v["fields"];
        for data in [
            SessionData::import_telethon(s).unwrap(),
            SessionData::import_any(s).unwrap(),
        ] {
            let dc = f["dc_id"].as_i64().unwrap() as i32;
            let ip: std::net::IpAddr = f["server_address"].as_str().unwrap().parse().unwrap();
            let addr = SocketAddr::new(ip, f["port"].as_u64().unwrap() as u16);
            assert_eq!(data.home_dc, dc);
            assert_eq!(
                (data.test_mode, data.api_id, data.user),
                (false, None, None)
            );
            assert_eq!(data.dcs[&dc].addr, Some(addr), "{s}");
            assert_eq!(
                data.dcs[&dc].key.as_ref().unwrap().auth_key,
                key(f["auth_key"].as_str().unwrap())
            );
        }
    }
}

fn full_session() -> SessionData {
    let mut data = SessionData {
        home_dc: 4,
        test_mode: true,
        api_id: Some(4_079_296_058),
        user: Some(LoggedInUser {
            id: 6_287_895_873,
            is_bot: false,
        }),
        update_state: Some(UpdateState {
            pts: 7,
            qts: -1,
            date: 1_790_000_000,
            seq: 3,
        }),
        ..SessionData::default()
    };
    data.dcs.insert(
        4,
        DcEntry {
            key: Some(KeyInfo {
                auth_key: [0xa5; 256],
                first_salt: -2,
                time_offset: 11,
            }),
            addr: Some("[2001:db8::475]:443".parse().unwrap()),
        },
    );
    data.dcs.insert(
        2,
        DcEntry {
            key: Some(KeyInfo {
                auth_key: [7; 256],
                first_salt: 99,
                time_offset: -3,
            }),
            addr: Some("127.0.0.1:44152".parse().unwrap()),
        },
    );
    data.dcs.insert(
        1,
        DcEntry {
            key: None,
            addr: Some("10.0.0.1:80".parse().unwrap()),
        },
    );
    data
}

#[test]
fn our_strings_round_trip_everything_but_peers() {
    let data = full_session();
    let s = data.export_string().unwrap();
    assert_eq!(SessionData::import_string(&s).unwrap(), data);
    assert_eq!(SessionData::import_any(&s).unwrap(), data);
    assert!(
        s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    );

    // The smallest string: one key, no login, no address.
    let mut small = SessionData::default();
    small.dcs.insert(
        2,
        DcEntry {
            key: Some(KeyInfo {
                auth_key: [1; 256],
                first_salt: 0,
                time_offset: 0,
            }),
            addr: None,
        },
    );
    let s = small.export_string().unwrap();
    assert_eq!(s.len(), 379, "documented length");
    assert_eq!(SessionData::import_any(&s).unwrap(), small);

    // Imported Telethon/Pyrogram sessions re-export in our format and come back the same.
    for v in vectors("session_strings.json") {
        let data = SessionData::import_any(v["string"].as_str().unwrap()).unwrap();
        let ours = data.export_string().unwrap();
        assert_eq!(SessionData::import_string(&ours).unwrap(), data);
    }
}

#[test]
fn a_session_without_a_key_has_nothing_to_export() {
    assert!(matches!(
        SessionData::default().export_string(),
        Err(SessionError::NothingToExport)
    ));
}

#[test]
fn malformed_pyrogram_strings_are_typed_errors() {
    let all = vectors("session_strings.json");
    let good = all[2]["string"].as_str().unwrap();
    assert_eq!(good.len(), 362);
    let p = StringFormat::Pyrogram;
    // Wrong lengths.
    for cut in [361, 360, 357, 352, 350, 0] {
        is_bad(
            SessionData::import_pyrogram(&good[..cut]),
            p,
            StringError::Length {
                got: cut,
                expected: &[362, 356, 351],
                bytes: false,
            },
        );
    }
    // A character outside base64url.
    let mut bad = good.to_string();
    bad.replace_range(10..11, "+");
    is_bad(
        SessionData::import_pyrogram(&bad),
        p,
        StringError::Base64(Base64Error::Character { at: 10 }),
    );
    // DC 0 and DC 6 (the first byte: "AA" is 0, "Bg" is 6).
    for (prefix, dc) in [("AA", 0), ("Bg", 6)] {
        let s = format!("{prefix}{}", &good[2..]);
        is_bad(
            SessionData::import_pyrogram(&s),
            p,
            StringError::DcId { got: dc },
        );
    }
}

#[test]
fn malformed_telethon_strings_are_typed_errors() {
    let all = vectors("session_strings.json");
    let good = all[0]["string"].as_str().unwrap();
    let t = StringFormat::Telethon;
    // Wrong version character.
    is_bad(
        SessionData::import_telethon(&format!("2{}", &good[1..])),
        t,
        StringError::Version { got: b'2' },
    );
    // Wrong length: the last group (two bytes and `=`) cut off.
    is_bad(
        SessionData::import_telethon(&good[..good.len() - 4]),
        t,
        StringError::Length {
            got: 261,
            expected: &[263, 275],
            bytes: true,
        },
    );
    // Bad base64.
    let mut bad = good.to_string();
    bad.replace_range(5..6, "*");
    is_bad(
        SessionData::import_telethon(&bad),
        t,
        StringError::Base64(Base64Error::Character { at: 4 }),
    );
    // DC id 0: the first byte "02" becomes "00" ("Ag" -> "AA" at the start of the body).
    assert_eq!(&good[1..3], "An");
    let dc0 = format!("1AH{}", &good[3..]);
    is_bad(
        SessionData::import_telethon(&dc0),
        t,
        StringError::DcId { got: 0 },
    );
    is_bad(
        SessionData::import_telethon(""),
        t,
        StringError::Version { got: 0 },
    );
}

#[test]
fn malformed_ferrogram_strings_are_typed_errors() {
    let good = full_session().export_string().unwrap();
    let f = StringFormat::Ferrogram;
    assert_eq!(SessionData::import_string(&good).unwrap(), full_session());
    // Version 2: bytes 01 17 (version, flags) start "AR"; 02 17 starts "Ah".
    assert!(good.starts_with("AR"));
    is_bad(
        SessionData::import_string(&format!("Ah{}", &good[2..])),
        f,
        StringError::Version { got: 2 },
    );
    // Cut short, or with a byte too many (4 characters = 3 bytes more or less).
    is_bad(
        SessionData::import_string(&good[..good.len() - 4]),
        f,
        StringError::Truncated,
    );
    is_bad(
        SessionData::import_string(&format!("{good}AAAA")),
        f,
        StringError::Truncated,
    );
    // Bad base64, and an impossible length.
    is_bad(
        SessionData::import_string(&format!("{}!", &good[..good.len() - 1])),
        f,
        StringError::Base64(Base64Error::Character { at: good.len() - 1 }),
    );
    is_bad(
        SessionData::import_string("AQAC0"),
        f,
        StringError::Base64(Base64Error::Length { len: 5 }),
    );
    // Home DC 0: version 1, flags 0, dc 0.
    is_bad(
        SessionData::import_string("AQAAAAAA"),
        f,
        StringError::DcId { got: 0 },
    );
    is_bad(SessionData::import_string(""), f, StringError::Truncated);
    // A home DC without a key: version 1, flags 0, home DC 2, no DC entries.
    is_bad(
        SessionData::import_string("AQACAAAAAA"),
        f,
        StringError::Field {
            name: "home DC key (missing)",
        },
    );
}

#[test]
fn errors_say_what_to_do() {
    let e = SessionData::import_pyrogram("abc").unwrap_err().to_string();
    assert!(
        e.contains("Pyrogram") && e.contains("3 characters") && e.contains("copy the whole"),
        "{e}"
    );
}

/// Every prefix of every valid string, and every single-character change at a few places,
/// is an error (or, for a change that keeps the layout valid, a session) and never a panic.
#[test]
fn cut_or_changed_strings_never_panic() {
    let mut strings: Vec<String> = vectors("session_strings.json")
        .iter()
        .chain(vectors("pyrogram_old_strings.json").iter())
        .map(|v| v["string"].as_str().unwrap().to_owned())
        .collect();
    strings.push(full_session().export_string().unwrap());
    for s in &strings {
        for cut in 0..s.len() {
            // A cut to another layout's length may read as that layout (Pyrogram tells its
            // layouts apart by length alone); any other cut is refused.
            if ![351, 353, 356, 362, 369].contains(&cut) {
                assert!(
                    SessionData::import_any(&s[..cut]).is_err(),
                    "{cut} characters of {s}"
                );
            }
            let _ = SessionData::import_string(&s[..cut]);
            let _ = SessionData::import_pyrogram(&s[..cut]);
            let _ = SessionData::import_telethon(&s[..cut]);
        }
        for at in [0, 1, 2, 3, 7, s.len() / 2, s.len() - 2, s.len() - 1] {
            for c in ['A', '_', '-', '=', 'z', '/', 'é'] {
                let mut changed = s.clone();
                changed.replace_range(at..at + 1, &c.to_string());
                let _ = SessionData::import_any(&changed);
            }
        }
    }
}
