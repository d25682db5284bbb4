//! Golden tests against known-good bytes from Telegram's official MTProto documentation, and
//! focused tests of the runtime on hostile input.
//!
//! Sources, in the shared spec directory beside the repository (`../shared/spec/mtproto/`; not
//! copied here — the hex strings below are re-typed from them, each citing its section):
//!
//! - `samples-auth_key.md`: hex dumps of one complete auth-key exchange (req_pq_multi, resPQ,
//!   p_q_inner_data_dc, req_DH_params, server_DH_params_ok, the decrypted
//!   server_DH_inner_data, client_DH_inner_data, set_client_DH_params, dh_gen_ok).
//! - `serialize.md` and `TL.md`: the encoding of `int`, `long`, `string` (length prefix and
//!   padding), `vector#1cb5c415`, and the `getUsers([2,3,4])` example (not in our schema, so
//!   it is checked with the runtime's `Reader` / `Writer` / `Vec` impls).
//!
//! For every TL object in the sample: strip the unencrypted-message envelope where the dump
//! has one (auth_key_id:long message_id:long message_length:int), decode the body with the
//! owned types and check every field the page lists, re-encode and compare byte for byte, then
//! the same with the zero-copy views.
//!
//! Two inconsistencies of the sample page itself, found while writing these tests (the tests
//! follow the bytes, which agree with the schema):
//! - the `message_length` of the three *server* messages (resPQ: 184, server_DH_params_ok: 668,
//!   dh_gen_ok: 112) is not the length of the body that follows (80, 632, 52); the client
//!   messages' lengths are right;
//! - the client_DH_inner_data table lists `g_b` at offset 36 and `retry_id` at 296, but the
//!   dump (and the schema) has `retry_id:long` at 36 and `g_b` at 44.

use ferrogram_tl_types::names::name_of;
use ferrogram_tl_types::testing::roundtrip;
use ferrogram_tl_types::{
    DecodeError, DecodeErrorKind, EncodeError, LAYER, Lazy, LazyVec, Reader, RemoteCall, TlRead,
    TlStr, TlWrite, ViewRead, Writer, enums, functions, types, view,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Debug;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Hex digits (whitespace ignored) to bytes; anything else is a typo in the test.
fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len() % 2 == 0, "odd number of hex digits");
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).expect("not a hex digit"))
        .collect()
}

fn arr<const N: usize>(s: &str) -> [u8; N] {
    hex(s).try_into().expect("wrong length")
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}

fn err(offset: usize, kind: DecodeErrorKind) -> DecodeError {
    DecodeError { offset, kind }
}

/// The unencrypted-message envelope (MTProto "unencrypted message": auth_key_id = 0,
/// message_id, message_length), read as plain little-endian fields.
struct Envelope<'a> {
    auth_key_id: i64,
    message_id: i64,
    message_length: i32,
    body: &'a [u8],
}

fn envelope(msg: &[u8]) -> Envelope<'_> {
    let mut r = Reader::new(msg);
    let auth_key_id = r.i64().unwrap();
    let message_id = r.i64().unwrap();
    let message_length = r.i32().unwrap();
    assert_eq!(r.pos(), 20);
    let body = r.take(r.remaining()).unwrap();
    assert!(r.is_empty());
    Envelope {
        auth_key_id,
        message_id,
        message_length,
        body,
    }
}

/// Decodes owned, checks the re-encoding (`to_bytes`, `write_to`, `serialized_len`) equals
/// `body`, and that the view decodes too and formats like the owned value (the crate's
/// `testing::roundtrip`, which also re-encodes the view and compares).
fn owned_exact<T: TlRead + TlWrite + Debug + PartialEq>(body: &[u8]) -> T {
    let v = T::from_bytes(body).unwrap_or_else(|e| panic!("owned decode: {e}"));
    assert_eq!(v.to_bytes().unwrap(), body, "owned re-encoding differs");
    assert_eq!(v.serialized_len(), body.len());
    let mut buf = vec![0u8; body.len()];
    assert_eq!(v.write_to(&mut buf), Ok(body.len()));
    assert_eq!(buf, body);
    v
}

/// Decodes a view and checks its re-encoding equals `body`.
fn view_exact<'a, V: ViewRead<'a> + TlWrite>(body: &'a [u8]) -> V {
    let v = V::from_bytes(body).unwrap_or_else(|e| panic!("view decode: {e}"));
    assert_eq!(v.to_bytes().unwrap(), body, "view re-encoding differs");
    assert_eq!(v.serialized_len(), body.len());
    let mut buf = vec![0u8; body.len()];
    assert_eq!(v.write_to(&mut buf), Ok(body.len()));
    assert_eq!(buf, body);
    // Skipping consumes exactly the value.
    let mut r = Reader::new(body);
    V::skip(&mut r).unwrap();
    assert!(r.is_empty());
    v
}

/// Both decoders agree and both re-encodings are exact; the view's `Debug` equals the owned
/// value's (which decodes every lazy field of the view).
fn both_agree<'a, O, V>(body: &'a [u8])
where
    O: TlRead + TlWrite + Debug + PartialEq,
    V: ViewRead<'a> + TlWrite + Debug,
{
    assert_eq!(roundtrip::<O, V>(body, true, true), Ok(true));
}

/// [`both_agree`] for result-only types, whose views are read-only.
fn both_agree_read_only<'a, O, V>(body: &'a [u8])
where
    O: TlRead + TlWrite + Debug + PartialEq,
    V: ViewRead<'a> + Debug,
{
    assert_eq!(
        ferrogram_tl_types::testing::roundtrip_read_only::<O, V>(body, true, true),
        Ok(true)
    );
}

// Client message ids are divisible by 4, server message ids are 1 mod 4 (responses); the high
// 32 bits are the unix time (description.md). All messages of the sample were sent within
// two seconds of server_time = 0x65ABC0FD = 1705754877.
fn check_message_id(id: i64, from_server: bool) {
    assert_eq!(
        id.rem_euclid(4),
        if from_server { 1 } else { 0 },
        "message_id {id:#x}"
    );
    let t = (id >> 32) as i32;
    assert!(
        (1_705_754_876..=1_705_754_877).contains(&t),
        "message_id {id:#x}: time {t}"
    );
}

// Values repeated through the sample (tables of steps 1, 2 and 4 of samples-auth_key.md).
/// samples-auth_key.md, step 1 table, `nonce`.
const NONCE: &str = "15A084B3B9CA2A17F03925F44B78FE68";
/// samples-auth_key.md, step 2 table, `server_nonce`.
const SERVER_NONCE: &str = "D6701FCD212CEB87C966E5318F5564A8";
/// samples-auth_key.md, step 4 table, `new_nonce`.
const NEW_NONCE: &str = "845FAD32D10A4C7967DA49A89FBE508A D24AA3150992B499B3B2C72CDC0F364C";
/// samples-auth_key.md, step 2 table, `pq` => 1468428376148703121; step 3, p and q.
const PQ: u64 = 1_468_428_376_148_703_121;
const P: u64 = 1_008_949_199;
const Q: u64 = 1_455_403_679;
/// samples-auth_key.md, step 2 table, `server_public_key_fingerprints[0..3]` (wire bytes
/// `A5B7F709355FC30B`, `216BE86C022BB4C3`, `85FD64DE851D9DD0`, little-endian longs).
const FINGERPRINTS: [i64; 3] = [
    0x0BC3_5F35_09F7_B7A5,
    0xC3B4_2B02_6CE8_6B21_u64 as i64,
    0xD09D_1D85_DE64_FD85_u64 as i64,
];
/// samples-auth_key.md, step 6 table, `server_time` (`FDC0AB65`, 1705754877 in decimal).
const SERVER_TIME: i32 = 1_705_754_877;

// ---------------------------------------------------------------------------------------------
// Hex re-typed from samples-auth_key.md. The dumps are shown 16 bytes a row as on the page,
// without the page's offset column.
// ---------------------------------------------------------------------------------------------

/// samples-auth_key.md, section 1) Client sends query to server (req_pq_multi, with the
/// unencrypted-message envelope): the hex dump, 40 bytes.
const REQ_PQ_MULTI_MSG: &str = "
    00 00 00 00 00 00 00 00 64 F7 0D 00 FC C0 AB 65
    14 00 00 00 F1 8E 7E BE 15 A0 84 B3 B9 CA 2A 17
    F0 39 25 F4 4B 78 FE 68
";

/// samples-auth_key.md, section 2) Server sends response of the form (resPQ, with the envelope):
/// the hex dump, 100 bytes.
const RES_PQ_MSG: &str = "
    00 00 00 00 00 00 00 00 01 C4 6F BE FC C0 AB 65
    B8 00 00 00 63 24 16 05 15 A0 84 B3 B9 CA 2A 17
    F0 39 25 F4 4B 78 FE 68 D6 70 1F CD 21 2C EB 87
    C9 66 E5 31 8F 55 64 A8 08 14 60 E7 D3 FA 72 77
    91 00 00 00 15 C4 B5 1C 03 00 00 00 A5 B7 F7 09
    35 5F C3 0B 21 6B E8 6C 02 2B B4 C3 85 FD 64 DE
    85 1D 9D D0
";

/// samples-auth_key.md, section 4) `encrypted_data` payload generation (p_q_inner_data_dc, no
/// envelope): the hex dump, 100 bytes.
const P_Q_INNER_DATA_DC: &str = "
    95 5F F5 A9 08 14 60 E7 D3 FA 72 77 91 00 00 00
    04 3C 23 57 CF 00 00 00 04 56 BF B2 9F 00 00 00
    15 A0 84 B3 B9 CA 2A 17 F0 39 25 F4 4B 78 FE 68
    D6 70 1F CD 21 2C EB 87 C9 66 E5 31 8F 55 64 A8
    84 5F AD 32 D1 0A 4C 79 67 DA 49 A8 9F BE 50 8A
    D2 4A A3 15 09 92 B4 99 B3 B2 C7 2C DC 0F 36 4C
    02 00 00 00
";

/// samples-auth_key.md, section 5) Send req_DH_params query with generated `encrypted_data` (with
/// the envelope): the hex dump, 340 bytes.
const REQ_DH_PARAMS_MSG: &str = "
    00 00 00 00 00 00 00 00 68 F7 0D 00 FC C0 AB 65
    40 01 00 00 BE E4 12 D7 15 A0 84 B3 B9 CA 2A 17
    F0 39 25 F4 4B 78 FE 68 D6 70 1F CD 21 2C EB 87
    C9 66 E5 31 8F 55 64 A8 04 3C 23 57 CF 00 00 00
    04 56 BF B2 9F 00 00 00 85 FD 64 DE 85 1D 9D D0
    FE 00 01 00 8A EC 72 30 B3 50 85 FA 65 67 8B 7F
    89 AB 27 41 4B 5D 3C BC E8 6D 14 A8 45 57 C2 4E
    36 FD 27 B3 5F C5 B4 FF 3C 1C 90 13 D4 88 20 24
    A4 46 25 EB CE 77 9E BA 82 BD B4 79 00 23 43 98
    07 75 16 5E DD 6D 9A BF 09 0C 01 24 0B 16 05 5B
    D6 6C 66 F0 CA 50 8F 85 0D 96 90 78 33 39 B6 18
    33 84 5E 9A B1 E2 17 0A 80 17 62 0B CE 98 C5 B4
    36 44 F6 29 E6 DB A1 CF 61 2C 77 D5 13 3D B2 27
    64 95 92 A4 19 F6 61 6E AC E0 E3 F2 4D 8C 09 48
    00 C3 A0 6F 98 D2 B9 F2 BB 41 51 A2 3E 3F 21 DB
    ED 9E 89 E5 C2 A7 07 06 92 FA F4 64 68 76 56 07
    23 28 62 76 20 9A 79 6A 34 29 A0 03 5F A8 28 28
    B3 A7 BA 4B 41 23 FE 10 AE 7C D9 2E C3 C0 CE 81
    73 04 6A 28 46 24 91 99 80 12 A0 BD 09 4B 41 62
    F9 A9 72 0E 19 95 D0 8A F2 FB 19 86 4B D2 7A 9E
    6F 4D 0E F6 8C 4F 61 90 85 72 38 C8 C7 DB 9F 05
    8C CD 17 D0
";

/// samples-auth_key.md, section 6) Server responds with (server_DH_params_ok, with the envelope):
/// the hex dump, 652 bytes.
const SERVER_DH_PARAMS_OK_MSG: &str = "
    00 00 00 00 00 00 00 00 01 E0 9A 64 FD C0 AB 65
    9C 02 00 00 5C 07 E8 D0 15 A0 84 B3 B9 CA 2A 17
    F0 39 25 F4 4B 78 FE 68 D6 70 1F CD 21 2C EB 87
    C9 66 E5 31 8F 55 64 A8 FE 50 02 00 FE F6 27 AC
    3A 88 02 7B C6 58 3F 95 D8 2E 61 00 66 A8 7B 83
    96 14 EE 34 3C D8 D3 7F 2B 2C 81 FC 96 45 61 BA
    16 4F 44 E4 B3 C3 9A 6C C7 4C 6E 2F 26 87 C2 E5
    87 26 58 E4 30 17 34 B3 81 4D 42 0C 68 4D 94 C0
    B9 3C 4B 33 5D BB 34 62 66 CD AD 20 B3 EE C9 1A
    E4 9B 59 E1 30 EA B8 77 FD 03 C0 7B A7 86 DA 8E
    FF 7B DD CB 77 3E 0C 4C 1C 7C 66 FE 5C 5A 39 D3
    2A 76 40 0D 71 FB D2 A0 9D 5B FD F3 B3 97 6F 17
    C1 DA 7F D7 73 49 CB D9 7E BC 52 17 18 15 41 F4
    3D 8D ED B3 02 7D C3 98 96 23 DC F8 49 FF 39 18
    32 F4 09 90 3E 76 20 EB BF 76 75 CE FA 13 CE C9
    05 70 BB 0E E1 96 C5 BB 67 DB 16 9D B9 02 C1 19
    2F 67 D9 A7 4B 1B 97 82 FF 02 FD 4D B7 8C 76 11
    7D 66 39 A6 ED 87 F5 DE B3 7E D4 92 96 F2 C9 4E
    A8 35 D0 98 8A 27 07 49 C3 E6 D1 D0 B0 BE 88 F3
    98 5D 68 3E 48 F2 E2 AC 76 48 17 5E E7 2B EA 1B
    52 64 1C 23 EC 8E EF BD 60 25 51 6E 91 CC E2 0C
    25 CB 51 59 B5 C9 D9 CA 19 A1 5D D4 A4 4F 42 29
    46 B7 58 EC 4C 96 8B DE 08 32 E2 38 9D 5B 9F 3C
    3A C5 20 AC 58 75 37 47 71 7F 72 76 A7 DF 3F F8
    41 A7 AB D1 85 24 A3 15 0F 53 74 71 F7 3A 98 18
    09 7E 82 D9 64 5A 9C E3 8F 85 8D 51 0F FC 79 CE
    11 D9 61 73 C2 2D DE 2B 0A E4 90 B8 CC 7B 10 BC
    C7 BB 88 79 02 78 72 E7 24 DC C6 48 DD F7 AE 6F
    14 C3 22 9E 7D 61 14 63 E5 13 D3 8B E9 13 D0 D5
    0E 9D 43 93 37 C0 FD 8D 71 C9 EF 70 C6 02 A4 71
    73 D6 99 30 82 16 C7 C4 4C 40 61 5B F8 E9 80 6A
    5D FA 56 F4 52 9A D7 0E 78 4C 19 04 A9 48 8A 01
    9A 6C 7A B7 D8 22 A9 A6 92 6A 19 16 89 13 02 C1
    82 7C E5 4E 9D 88 29 EE 07 9D 19 73 0D FE BA 21
    8D 31 7E B4 F2 2A 24 18 EF 93 43 DA 75 13 1F C6
    F3 7A 80 D5 EE B9 33 09 71 12 44 AE 3A 1D 4C A1
    90 6F 10 B4 F0 6C 8F 9B F5 47 A6 FE A9 A8 D0 CC
    91 0B 15 E7 DA 9A 0A CF 0C 2E 79 34 F7 A7 DB A8
    EF FE 4D 13 5D BD 20 7C 60 9B FC 3B AC 89 BA 94
    9D DF 75 48 79 71 2F 6B 97 C5 0A 54 F5 60 D0 A7
    5D A8 A0 78 A0 39 F2 1B CA 12 9F CB
";

/// samples-auth_key.md, section 6) ... decrypted answer, "Generated payload" (server_DH_inner_data,
/// no envelope): the hex dump, 564 bytes.
const SERVER_DH_INNER_DATA: &str = "
    BA 0D 89 B5 15 A0 84 B3 B9 CA 2A 17 F0 39 25 F4
    4B 78 FE 68 D6 70 1F CD 21 2C EB 87 C9 66 E5 31
    8F 55 64 A8 03 00 00 00 FE 00 01 00 C7 1C AE B9
    C6 B1 C9 04 8E 6C 52 2F 70 F1 3F 73 98 0D 40 23
    8E 3E 21 C1 49 34 D0 37 56 3D 93 0F 48 19 8A 0A
    A7 C1 40 58 22 94 93 D2 25 30 F4 DB FA 33 6F 6E
    0A C9 25 13 95 43 AE D4 4C CE 7C 37 20 FD 51 F6
    94 58 70 5A C6 8C D4 FE 6B 6B 13 AB DC 97 46 51
    29 69 32 84 54 F1 8F AF 8C 59 5F 64 24 77 FE 96
    BB 2A 94 1D 5B CD 1D 4A C8 CC 49 88 07 08 FA 9B
    37 8E 3C 4F 3A 90 60 BE E6 7C F9 A4 A4 A6 95 81
    10 51 90 7E 16 27 53 B5 6B 0F 6B 41 0D BA 74 D8
    A8 4B 2A 14 B3 14 4E 0E F1 28 47 54 FD 17 ED 95
    0D 59 65 B4 B9 DD 46 58 2D B1 17 8D 16 9C 6B C4
    65 B0 D6 FF 9C A3 92 8F EF 5B 9A E4 E4 18 FC 15
    E8 3E BE A0 F8 7F A9 FF 5E ED 70 05 0D ED 28 49
    F4 7B F9 59 D9 56 85 0C E9 29 85 1F 0D 81 15 F6
    35 B1 05 EE 2E 4E 15 D0 4B 24 54 BF 6F 4F AD F0
    34 B1 04 03 11 9C D8 E3 B9 2F CC 5B FE 00 01 00
    98 28 B2 E4 CA EC 18 8B B9 42 16 F5 E2 DB 63 2A
    17 63 0A 21 FD 00 C6 74 65 E7 41 D2 61 37 C8 E2
    B7 57 F3 49 D8 DD 1B 62 B6 01 64 2A CB 9E 3B 39
    0A BF 15 3D 3A 11 61 5A 12 8E D1 D7 93 79 D7 63
    C1 4D 2D F5 CE F9 9C 96 94 5C 51 29 0C 1F D8 2C
    4B 48 20 78 86 3B 2B C7 02 2C 78 86 C2 1C 0F 1D
    24 81 4C 76 83 21 C0 59 34 30 3E 50 AE 22 CB C8
    3F 2A 39 94 BB C3 C7 2E 77 BF 10 CD B6 95 CB D8
    66 55 D1 BC 0A 08 35 51 E5 9D 0F BF CF A1 38 25
    A1 82 10 5A 78 DA 35 AF 5A 15 C0 64 27 5B 6E 67
    29 04 9C 84 20 9B 89 86 75 C9 11 0A DC D1 CB B2
    AA B3 33 C0 5D 3E 9F 70 D0 5F EE 7C 54 EF CE 92
    7E 1B 40 A7 19 D0 4D 15 C7 E9 50 EB 88 5E 60 AA
    AE 99 02 31 71 9D BD DD 84 C6 5B 2F 3A 60 6F E1
    F7 8D EA 7C 8F AD 25 C1 CD 78 76 EB 6F 5A 46 27
    0B 82 D5 49 E3 1E DD 3C 2D C2 F8 29 70 A4 99 9C
    FD C0 AB 65
";

/// samples-auth_key.md, section 7.1) generation of encrypted_data (client_DH_inner_data, no
/// envelope): the hex dump, 304 bytes.
const CLIENT_DH_INNER_DATA: &str = "
    54 B6 43 66 15 A0 84 B3 B9 CA 2A 17 F0 39 25 F4
    4B 78 FE 68 D6 70 1F CD 21 2C EB 87 C9 66 E5 31
    8F 55 64 A8 00 00 00 00 00 00 00 00 FE 00 01 00
    A0 BB 35 7C 5A 5F BC 4E C9 D8 B2 17 1C 03 0C B6
    8A 69 3A 80 24 CD 9E 36 30 BA E4 CE 00 0A 14 A5
    DB F8 A4 0D FB 32 26 78 A7 97 ED 3D 59 10 32 D0
    A1 C5 29 BE 4E 76 B7 EB D5 43 6E 7B F7 53 9A 9A
    B5 A5 FE 9D D6 2F 37 CA E7 04 EF E0 C1 0D D6 08
    E5 D9 55 4F 7B 2F 71 98 E9 9C E2 9A 9A 86 CC E0
    FB B1 49 1E BA 26 9D EB 6A A2 0C 5C B2 13 4E 75
    E5 C7 0A 7C 0E 7D 47 EE 16 F8 71 89 D1 35 ED AE
    37 EA D9 92 06 3C 11 AE A4 AC 66 0C F3 EB E6 1B
    6C 21 AD AA C2 A9 31 71 20 A6 F4 D1 DA 65 97 8F
    A7 4B F9 4C C6 5A 0C A2 47 9D 06 49 06 E7 85 75
    04 9E 76 54 D3 46 CA 57 6C 67 78 F4 78 CD B4 8F
    CA 2F D9 20 2E 6E 5F 95 FE F6 23 A2 06 20 7A FB
    41 61 9C 41 93 57 B4 9F 4F 88 25 B3 7E F7 E7 48
    11 FB A2 2B DF 45 73 0F 42 37 93 C5 04 95 14 36
    32 32 F3 35 8B C5 F6 0A 41 6B DC E7 D7 BB FB 49
";

/// samples-auth_key.md, section 7.2) set_client_DH_params query (with the envelope): the hex dump,
/// 396 bytes.
const SET_CLIENT_DH_PARAMS_MSG: &str = "
    00 00 00 00 00 00 00 00 48 CD 0E 00 FD C0 AB 65
    78 01 00 00 1F 5F 04 F5 15 A0 84 B3 B9 CA 2A 17
    F0 39 25 F4 4B 78 FE 68 D6 70 1F CD 21 2C EB 87
    C9 66 E5 31 8F 55 64 A8 FE 50 01 00 79 CA 5B 55
    70 95 AD 84 7C 53 D6 30 8A 38 B6 2F C9 A6 F2 35
    6C 07 F2 98 D2 1C 9B 0D B4 00 2D 90 C4 C0 FB 9C
    72 62 6F 9F 14 6B 4E 3A 81 F5 9E D5 CC 6A 0B 4F
    59 BC 74 11 CD CA 6B DA 8C 27 B6 C3 B6 DB 54 8F
    07 6B B6 CC B6 79 1D B1 16 E6 36 8C 73 28 BA 21
    21 21 21 44 6C E7 54 EC 11 8C F3 80 ED 0C B0 D7
    98 41 8C E5 4D 7F 68 FC AE 7A F1 46 F4 F8 DF 31
    F9 87 94 FF 6E E0 6C 35 DE 10 A8 65 18 43 4A 9F
    83 CD C0 5F D5 B1 51 A5 0F 63 AD 87 D8 52 9D 7A
    A0 32 49 8A F9 C1 7C 6F 02 E7 EE 1E 87 33 F5 75
    21 86 88 0F A4 75 F2 97 7C 7F 00 E1 D8 38 4E 20
    61 39 71 F9 8E FD 81 A3 C6 BF B3 B8 F9 79 69 FB
    39 D1 72 52 79 61 34 1B BF DC 9D 28 95 30 63 65
    A5 2F 2C B9 08 7C 12 2E 53 99 08 00 BD 59 6E 05
    AA 25 A5 64 29 96 AF B4 30 61 17 8A 58 0F 21 E3
    C4 70 80 41 8B 4C F0 B6 B1 0F C0 C7 85 95 D4 86
    B3 A3 DD 40 1D 1B F3 72 57 C2 58 4B FD 5D 71 A7
    08 B1 38 A6 E2 2F 85 3E 52 26 96 AA 6D 1A 85 32
    46 1A BA EA 79 35 A9 75 E3 C9 78 A7 A0 0C 79 2C
    B3 AD F6 88 D0 B1 48 0C 6C 01 6B 04 CD 1B C3 65
    46 CD 9A CA BA A0 C8 4D B5 71 74 9B
";

/// samples-auth_key.md, section 9) Final server reply (dh_gen_ok, with the envelope): the hex dump,
/// 72 bytes.
const DH_GEN_OK_MSG: &str = "
    00 00 00 00 00 00 00 00 01 C0 A6 F6 FD C0 AB 65
    70 00 00 00 34 F7 CB 3B 15 A0 84 B3 B9 CA 2A 17
    F0 39 25 F4 4B 78 FE 68 D6 70 1F CD 21 2C EB 87
    C9 66 E5 31 8F 55 64 A8 67 7F 48 3B B8 9F D2 06
    B2 44 A2 D1 AC 38 CB 31
";

/// samples-auth_key.md, section 4) `encrypted_data` payload generation: "And this is the output:
/// encrypted_data = ...": 256 bytes.
const STEP4_ENCRYPTED_DATA: &str = "
    8AEC7230B35085FA65678B7F89AB27414B5D3CBCE86D14A84557C24E36FD27B3
    5FC5B4FF3C1C9013D4882024A44625EBCE779EBA82BDB479002343980775165E
    DD6D9ABF090C01240B16055BD66C66F0CA508F850D9690783339B61833845E9A
    B1E2170A8017620BCE98C5B43644F629E6DBA1CF612C77D5133DB227649592A4
    19F6616EACE0E3F24D8C094800C3A06F98D2B9F2BB4151A23E3F21DBED9E89E5
    C2A7070692FAF4646876560723286276209A796A3429A0035FA82828B3A7BA4B
    4123FE10AE7CD92EC3C0CE8173046A28462491998012A0BD094B4162F9A9720E
    1995D08AF2FB19864BD27A9E6F4D0EF68C4F6190857238C8C7DB9F058CCD17D0
";

/// samples-auth_key.md, section 6) "Decrypt `encrypted_answer` ...": `encrypted_answer = ...`: 592
/// bytes (the contents of server_DH_params_ok.encrypted_answer).
const STEP6_ENCRYPTED_ANSWER: &str = "
    FEF627AC3A88027BC6583F95D82E610066A87B839614EE343CD8D37F2B2C81FC
    964561BA164F44E4B3C39A6CC74C6E2F2687C2E5872658E4301734B3814D420C
    684D94C0B93C4B335DBB346266CDAD20B3EEC91AE49B59E130EAB877FD03C07B
    A786DA8EFF7BDDCB773E0C4C1C7C66FE5C5A39D32A76400D71FBD2A09D5BFDF3
    B3976F17C1DA7FD77349CBD97EBC5217181541F43D8DEDB3027DC3989623DCF8
    49FF391832F409903E7620EBBF7675CEFA13CEC90570BB0EE196C5BB67DB169D
    B902C1192F67D9A74B1B9782FF02FD4DB78C76117D6639A6ED87F5DEB37ED492
    96F2C94EA835D0988A270749C3E6D1D0B0BE88F3985D683E48F2E2AC7648175E
    E72BEA1B52641C23EC8EEFBD6025516E91CCE20C25CB5159B5C9D9CA19A15DD4
    A44F422946B758EC4C968BDE0832E2389D5B9F3C3AC520AC58753747717F7276
    A7DF3FF841A7ABD18524A3150F537471F73A9818097E82D9645A9CE38F858D51
    0FFC79CE11D96173C22DDE2B0AE490B8CC7B10BCC7BB8879027872E724DCC648
    DDF7AE6F14C3229E7D611463E513D38BE913D0D50E9D439337C0FD8D71C9EF70
    C602A47173D699308216C7C44C40615BF8E9806A5DFA56F4529AD70E784C1904
    A9488A019A6C7AB7D822A9A6926A1916891302C1827CE54E9D8829EE079D1973
    0DFEBA218D317EB4F22A2418EF9343DA75131FC6F37A80D5EEB93309711244AE
    3A1D4CA1906F10B4F06C8F9BF547A6FEA9A8D0CC910B15E7DA9A0ACF0C2E7934
    F7A7DBA8EFFE4D135DBD207C609BFC3BAC89BA949DDF754879712F6B97C50A54
    F560D0A75DA8A078A039F21BCA129FCB
";

/// samples-auth_key.md, section 6) "Yielding: ... answer = ..." 572 bytes: the decrypted
/// server_DH_inner_data (564 bytes) and 8 bytes of padding.
const STEP6_ANSWER: &str = "
    BA0D89B515A084B3B9CA2A17F03925F44B78FE68D6701FCD212CEB87C966E531
    8F5564A803000000FE000100C71CAEB9C6B1C9048E6C522F70F13F73980D4023
    8E3E21C14934D037563D930F48198A0AA7C14058229493D22530F4DBFA336F6E
    0AC925139543AED44CCE7C3720FD51F69458705AC68CD4FE6B6B13ABDC974651
    2969328454F18FAF8C595F642477FE96BB2A941D5BCD1D4AC8CC49880708FA9B
    378E3C4F3A9060BEE67CF9A4A4A695811051907E162753B56B0F6B410DBA74D8
    A84B2A14B3144E0EF1284754FD17ED950D5965B4B9DD46582DB1178D169C6BC4
    65B0D6FF9CA3928FEF5B9AE4E418FC15E83EBEA0F87FA9FF5EED70050DED2849
    F47BF959D956850CE929851F0D8115F635B105EE2E4E15D04B2454BF6F4FADF0
    34B10403119CD8E3B92FCC5BFE0001009828B2E4CAEC188BB94216F5E2DB632A
    17630A21FD00C67465E741D26137C8E2B757F349D8DD1B62B601642ACB9E3B39
    0ABF153D3A11615A128ED1D79379D763C14D2DF5CEF99C96945C51290C1FD82C
    4B482078863B2BC7022C7886C21C0F1D24814C768321C05934303E50AE22CBC8
    3F2A3994BBC3C72E77BF10CDB695CBD86655D1BC0A083551E59D0FBFCFA13825
    A182105A78DA35AF5A15C064275B6E6729049C84209B898675C9110ADCD1CBB2
    AAB333C05D3E9F70D05FEE7C54EFCE927E1B40A719D04D15C7E950EB885E60AA
    AE990231719DBDDD84C65B2F3A606FE1F78DEA7C8FAD25C1CD7876EB6F5A4627
    0B82D549E31EDD3C2DC2F82970A4999CFDC0AB657607B7374780E1C0
";

/// samples-auth_key.md, section 6) server_DH_inner_data table, row `dh_prime` (TL-serialized: FE 00
/// 01 00 length prefix, then the 2048-bit prime): 260 bytes.
const DH_PRIME_CELL: &str = "
    FE000100C71CAEB9C6B1C9048E6C522F70F13F73980D40238E3E21C14934D037
    563D930F48198A0AA7C14058229493D22530F4DBFA336F6E0AC925139543AED4
    4CCE7C3720FD51F69458705AC68CD4FE6B6B13ABDC9746512969328454F18FAF
    8C595F642477FE96BB2A941D5BCD1D4AC8CC49880708FA9B378E3C4F3A9060BE
    E67CF9A4A4A695811051907E162753B56B0F6B410DBA74D8A84B2A14B3144E0E
    F1284754FD17ED950D5965B4B9DD46582DB1178D169C6BC465B0D6FF9CA3928F
    EF5B9AE4E418FC15E83EBEA0F87FA9FF5EED70050DED2849F47BF959D956850C
    E929851F0D8115F635B105EE2E4E15D04B2454BF6F4FADF034B10403119CD8E3
    B92FCC5B
";

/// samples-auth_key.md, section 6) server_DH_inner_data table, row `g_a` (TL-serialized, with the
/// FE 00 01 00 prefix): 260 bytes.
const G_A_CELL: &str = "
    FE0001009828B2E4CAEC188BB94216F5E2DB632A17630A21FD00C67465E741D2
    6137C8E2B757F349D8DD1B62B601642ACB9E3B390ABF153D3A11615A128ED1D7
    9379D763C14D2DF5CEF99C96945C51290C1FD82C4B482078863B2BC7022C7886
    C21C0F1D24814C768321C05934303E50AE22CBC83F2A3994BBC3C72E77BF10CD
    B695CBD86655D1BC0A083551E59D0FBFCFA13825A182105A78DA35AF5A15C064
    275B6E6729049C84209B898675C9110ADCD1CBB2AAB333C05D3E9F70D05FEE7C
    54EFCE927E1B40A719D04D15C7E950EB885E60AAAE990231719DBDDD84C65B2F
    3A606FE1F78DEA7C8FAD25C1CD7876EB6F5A46270B82D549E31EDD3C2DC2F829
    70A4999C
";

/// samples-auth_key.md, section 7) "Then compute g_b = pow(g, b) mod dh_prime": `g_b = ...`: 256
/// bytes.
const STEP7_G_B: &str = "
    A0BB357C5A5FBC4EC9D8B2171C030CB68A693A8024CD9E3630BAE4CE000A14A5
    DBF8A40DFB322678A797ED3D591032D0A1C529BE4E76B7EBD5436E7BF7539A9A
    B5A5FE9DD62F37CAE704EFE0C10DD608E5D9554F7B2F7198E99CE29A9A86CCE0
    FBB1491EBA269DEB6AA20C5CB2134E75E5C70A7C0E7D47EE16F87189D135EDAE
    37EAD992063C11AEA4AC660CF3EBE61B6C21ADAAC2A9317120A6F4D1DA65978F
    A74BF94CC65A0CA2479D064906E78575049E7654D346CA576C6778F478CDB48F
    CA2FD9202E6E5F95FEF623A206207AFB41619C419357B49F4F8825B37EF7E748
    11FBA22BDF45730F423793C5049514363232F3358BC5F60A416BDCE7D7BBFB49
";

/// samples-auth_key.md, section 7.1) "Output: encrypted_data = ...": 336 bytes.
const STEP71_ENCRYPTED_DATA: &str = "
    79CA5B557095AD847C53D6308A38B62FC9A6F2356C07F298D21C9B0DB4002D90
    C4C0FB9C72626F9F146B4E3A81F59ED5CC6A0B4F59BC7411CDCA6BDA8C27B6C3
    B6DB548F076BB6CCB6791DB116E6368C7328BA21212121446CE754EC118CF380
    ED0CB0D798418CE54D7F68FCAE7AF146F4F8DF31F98794FF6EE06C35DE10A865
    18434A9F83CDC05FD5B151A50F63AD87D8529D7AA032498AF9C17C6F02E7EE1E
    8733F5752186880FA475F2977C7F00E1D8384E20613971F98EFD81A3C6BFB3B8
    F97969FB39D172527961341BBFDC9D2895306365A52F2CB9087C122E53990800
    BD596E05AA25A5642996AFB43061178A580F21E3C47080418B4CF0B6B10FC0C7
    8595D486B3A3DD401D1BF37257C2584BFD5D71A708B138A6E22F853E522696AA
    6D1A8532461ABAEA7935A975E3C978A7A00C792CB3ADF688D0B1480C6C016B04
    CD1BC36546CD9ACABAA0C84DB571749B
";

// ---------------------------------------------------------------------------------------------
// The auth-key exchange, step by step
// ---------------------------------------------------------------------------------------------

/// samples-auth_key.md, step 1. The sample uses `req_pq_multi#be7e8ef1` (the current request;
/// the older `req_pq#60469778` is also in our schema and must reject these bytes).
#[test]
fn step1_req_pq_multi() {
    let msg = hex(REQ_PQ_MULTI_MSG);
    assert_eq!(msg.len(), 40);
    let env = envelope(&msg);
    // Table: auth_key_id `0000000000000000`, message_id `64F70D00FCC0AB65`,
    // message_length `14000000` (20).
    assert_eq!(env.auth_key_id, 0);
    assert_eq!(env.message_id, 0x65AB_C0FC_000D_F764);
    check_message_id(env.message_id, false);
    assert_eq!(env.message_length, 20);
    let body = env.body;
    assert_eq!(body.len(), 20);

    assert_eq!(u32_at(body, 0), 0xbe7e8ef1);
    assert_eq!(name_of(0xbe7e8ef1), Some("req_pq_multi"));
    assert_eq!(name_of(functions::ReqPq::CONSTRUCTOR_ID), Some("req_pq"));
    assert_eq!(
        functions::ReqPq::from_bytes(body),
        Err(err(
            0,
            DecodeErrorKind::UnexpectedConstructor {
                expected: "req_pq",
                id: 0xbe7e8ef1
            }
        ))
    );

    let owned: functions::ReqPqMulti = owned_exact(body);
    assert_eq!(owned.nonce, arr::<16>(NONCE));
    // Built from the table's values alone, it serializes to the dump.
    assert_eq!(
        functions::ReqPqMulti { nonce: arr(NONCE) }
            .to_bytes()
            .unwrap(),
        body
    );

    let v: view::functions::ReqPqMulti = view_exact(body);
    assert_eq!(v.nonce, arr::<16>(NONCE));
    both_agree::<functions::ReqPqMulti, view::functions::ReqPqMulti>(body);
}

/// samples-auth_key.md, step 2: resPQ, the answer to req_pq_multi (its `RemoteCall::Return`).
#[test]
fn step2_res_pq() {
    let msg = hex(RES_PQ_MSG);
    assert_eq!(msg.len(), 100);
    let env = envelope(&msg);
    // Table: message_id `01C46FBEFCC0AB65`, message_length `B8000000` (184).
    assert_eq!(env.auth_key_id, 0);
    assert_eq!(env.message_id, 0x65AB_C0FC_BE6F_C401);
    check_message_id(env.message_id, true);
    // The page's message_length (184) is not the body's length (80): see the file comment.
    assert_eq!(env.message_length, 184);
    let body = env.body;
    assert_eq!(body.len(), 80);
    let mut r = Reader::new(&msg);
    r.skip(20).unwrap();
    assert_eq!(
        r.take(184),
        Err(err(
            20,
            DecodeErrorKind::UnexpectedEnd {
                needed: 184,
                remaining: 80
            }
        ))
    );

    assert_eq!(u32_at(body, 0), 0x05162463);
    assert_eq!(name_of(0x05162463), Some("resPQ"));
    // Table: `%(Vector strlong)` at offset 68 (body offset 48) is `15c4b51c`, count 3.
    assert_eq!(u32_at(body, 48), 0x1cb5c415);
    assert_eq!(name_of(0x1cb5c415), Some("vector"));
    assert_eq!(u32_at(body, 52), 3);

    let answer: <functions::ReqPqMulti as RemoteCall>::Return = owned_exact(body);
    let enums::ResPq::ResPq(res) = answer;
    assert_eq!(res.nonce, arr::<16>(NONCE));
    assert_eq!(res.server_nonce, arr::<16>(SERVER_NONCE));
    // pq: `081460E7D3FA727791000000`: length 8, the number big-endian, 3 bytes of padding.
    assert_eq!(res.pq, hex("1460E7D3FA727791"));
    assert_eq!(u64::from_be_bytes(res.pq[..].try_into().unwrap()), PQ);
    assert_eq!(res.server_public_key_fingerprints, FINGERPRINTS);
    assert_eq!(
        res.server_public_key_fingerprints[2],
        i64::from_le_bytes(arr("85FD64DE851D9DD0"))
    );
    let built = types::ResPq {
        nonce: arr(NONCE),
        server_nonce: arr(SERVER_NONCE),
        pq: PQ.to_be_bytes().to_vec(),
        server_public_key_fingerprints: FINGERPRINTS.to_vec(),
    };
    assert_eq!(built.to_bytes().unwrap(), body);
    assert_eq!(res, built);

    let v: view::enums::ResPq = view_exact(body);
    let view::enums::ResPq::ResPq(v) = v;
    assert_eq!(v.nonce, arr::<16>(NONCE));
    assert_eq!(v.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(v.pq, &hex("1460E7D3FA727791")[..]);
    assert_eq!(v.server_public_key_fingerprints.len(), 3);
    let fps: Result<Vec<i64>, _> = v.server_public_key_fingerprints.iter().collect();
    assert_eq!(fps.unwrap(), FINGERPRINTS);
    // The view borrows the input: pq points into `body` at offset 37.
    assert!(std::ptr::eq(v.pq.as_ptr(), body[37..].as_ptr()));
    both_agree::<enums::ResPq, view::enums::ResPq>(body);
    both_agree::<types::ResPq, view::types::ResPq>(body);
}

/// samples-auth_key.md, step 3: pq = 1468428376148703121 = 1008949199 * 1455403679, and
/// step 4: the p_q_inner_data sent encrypted. The sample uses `p_q_inner_data_dc#a9f55f95`
/// (with `dc:int`), not the older `p_q_inner_data#83c95aec` without dc, which must reject it.
#[test]
fn step4_p_q_inner_data_dc() {
    let body = hex(P_Q_INNER_DATA_DC);
    assert_eq!(body.len(), 100);
    assert_eq!(P * Q, PQ);
    const { assert!(P < Q) };

    assert_eq!(u32_at(&body, 0), 0xa9f55f95);
    assert_eq!(name_of(0xa9f55f95), Some("p_q_inner_data_dc"));
    assert_eq!(name_of(0x83c95aec), Some("p_q_inner_data"));
    assert_eq!(
        types::PQInnerData::from_bytes(&body),
        Err(err(
            0,
            DecodeErrorKind::UnexpectedConstructor {
                expected: "p_q_inner_data",
                id: 0xa9f55f95
            }
        ))
    );

    let owned: enums::PQInnerData = owned_exact(&body);
    let enums::PQInnerData::Dc(d) = &owned else {
        panic!("expected p_q_inner_data_dc, got {owned:?}")
    };
    // Table: pq `081460E7D3FA727791000000`, p `043C2357CF000000`, q `0456BFB29F000000`.
    assert_eq!(d.pq, hex("1460E7D3FA727791"));
    assert_eq!(d.p, hex("3C2357CF"));
    assert_eq!(d.q, hex("56BFB29F"));
    assert_eq!(u32::from_be_bytes(d.p[..].try_into().unwrap()) as u64, P);
    assert_eq!(u32::from_be_bytes(d.q[..].try_into().unwrap()) as u64, Q);
    assert_eq!(d.nonce, arr::<16>(NONCE));
    assert_eq!(d.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(d.new_nonce, arr::<32>(NEW_NONCE));
    // Table: dc `02000000` (2).
    assert_eq!(d.dc, 2);
    let built = types::PQInnerDataDc {
        pq: PQ.to_be_bytes().to_vec(),
        p: (P as u32).to_be_bytes().to_vec(),
        q: (Q as u32).to_be_bytes().to_vec(),
        nonce: arr(NONCE),
        server_nonce: arr(SERVER_NONCE),
        new_nonce: arr(NEW_NONCE),
        dc: 2,
    };
    assert_eq!(built.to_bytes().unwrap(), body);
    assert_eq!(enums::PQInnerData::from(built), owned);

    let v: view::enums::PQInnerData = view_exact(&body);
    let view::enums::PQInnerData::Dc(v) = v else {
        panic!("expected p_q_inner_data_dc")
    };
    assert_eq!(v.pq, &hex("1460E7D3FA727791")[..]);
    assert_eq!(v.p, &hex("3C2357CF")[..]);
    assert_eq!(v.q, &hex("56BFB29F")[..]);
    assert_eq!(v.nonce, arr::<16>(NONCE));
    assert_eq!(v.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(v.new_nonce, arr::<32>(NEW_NONCE));
    assert_eq!(v.dc, 2);
    both_agree::<enums::PQInnerData, view::enums::PQInnerData>(&body);
}

/// samples-auth_key.md, step 5: req_DH_params with the key whose fingerprint is
/// `85FD64DE851D9DD0` and the encrypted_data computed in step 4.
#[test]
fn step5_req_dh_params() {
    let msg = hex(REQ_DH_PARAMS_MSG);
    assert_eq!(msg.len(), 340);
    let env = envelope(&msg);
    // Table: message_id `68F70D00FCC0AB65`, message_length `40010000` (320).
    assert_eq!(env.auth_key_id, 0);
    assert_eq!(env.message_id, 0x65AB_C0FC_000D_F768);
    check_message_id(env.message_id, false);
    assert_eq!(env.message_length, 320);
    let body = env.body;
    assert_eq!(body.len(), 320);

    assert_eq!(u32_at(body, 0), 0xd712e4be);
    assert_eq!(name_of(0xd712e4be), Some("req_DH_params"));
    // encrypted_data: 256 bytes, so a 4-byte length prefix `FE 00 01 00` and no padding.
    assert_eq!(body[60..64], [0xFE, 0x00, 0x01, 0x00]);

    let owned: functions::ReqDhParams = owned_exact(body);
    assert_eq!(owned.nonce, arr::<16>(NONCE));
    assert_eq!(owned.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(owned.p, hex("3C2357CF"));
    assert_eq!(owned.q, hex("56BFB29F"));
    assert_eq!(
        owned.public_key_fingerprint,
        i64::from_le_bytes(arr("85FD64DE851D9DD0"))
    );
    assert_eq!(owned.public_key_fingerprint, FINGERPRINTS[2]);
    assert_eq!(owned.encrypted_data, hex(STEP4_ENCRYPTED_DATA));
    assert_eq!(owned.encrypted_data.len(), 256);
    let built = functions::ReqDhParams {
        nonce: arr(NONCE),
        server_nonce: arr(SERVER_NONCE),
        p: (P as u32).to_be_bytes().to_vec(),
        q: (Q as u32).to_be_bytes().to_vec(),
        public_key_fingerprint: FINGERPRINTS[2],
        encrypted_data: hex(STEP4_ENCRYPTED_DATA),
    };
    assert_eq!(built, owned);
    assert_eq!(built.to_bytes().unwrap(), body);

    let v: view::functions::ReqDhParams = view_exact(body);
    assert_eq!(v.nonce, arr::<16>(NONCE));
    assert_eq!(v.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(v.p, &hex("3C2357CF")[..]);
    assert_eq!(v.q, &hex("56BFB29F")[..]);
    assert_eq!(v.public_key_fingerprint, FINGERPRINTS[2]);
    assert_eq!(v.encrypted_data, &hex(STEP4_ENCRYPTED_DATA)[..]);
    // A request built from borrowed data serializes into a stack buffer to the same bytes.
    let (p, q, data) = (hex("3C2357CF"), hex("56BFB29F"), hex(STEP4_ENCRYPTED_DATA));
    let call = view::functions::ReqDhParams {
        nonce: arr(NONCE),
        server_nonce: arr(SERVER_NONCE),
        p: &p,
        q: &q,
        public_key_fingerprint: FINGERPRINTS[2],
        encrypted_data: &data,
    };
    let mut buf = [0u8; 512];
    let n = call.write_to(&mut buf).unwrap();
    assert_eq!(&buf[..n], body);
    both_agree::<functions::ReqDhParams, view::functions::ReqDhParams>(body);
}

/// samples-auth_key.md, step 6: server_DH_params_ok, the answer to req_DH_params.
#[test]
fn step6_server_dh_params_ok() {
    let msg = hex(SERVER_DH_PARAMS_OK_MSG);
    assert_eq!(msg.len(), 652);
    let env = envelope(&msg);
    // Table: message_id `01E09A64FDC0AB65`, message_length `9C020000` (668).
    assert_eq!(env.auth_key_id, 0);
    assert_eq!(env.message_id, 0x65AB_C0FD_649A_E001);
    check_message_id(env.message_id, true);
    // The page's message_length (668) is not the body's length (632): see the file comment.
    assert_eq!(env.message_length, 668);
    let body = env.body;
    assert_eq!(body.len(), 632);

    assert_eq!(u32_at(body, 0), 0xd0e8075c);
    assert_eq!(name_of(0xd0e8075c), Some("server_DH_params_ok"));
    // encrypted_answer: `FE 50 02 00` = 592 bytes, then no padding.
    assert_eq!(body[36..40], [0xFE, 0x50, 0x02, 0x00]);

    let answer: <functions::ReqDhParams as RemoteCall>::Return = owned_exact(body);
    let enums::ServerDhParams::Ok(ok) = &answer else {
        panic!("expected server_DH_params_ok, got {answer:?}")
    };
    assert_eq!(ok.nonce, arr::<16>(NONCE));
    assert_eq!(ok.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(ok.encrypted_answer.len(), 592);
    assert_eq!(ok.encrypted_answer, hex(STEP6_ENCRYPTED_ANSWER));
    // server_DH_params_ok is not server_DH_params_fail, and not a ResPQ.
    assert_eq!(
        types::ServerDhParamsFail::from_bytes(body),
        Err(err(
            0,
            DecodeErrorKind::UnexpectedConstructor {
                expected: "server_DH_params_fail",
                id: 0xd0e8075c
            }
        ))
    );

    let v: view::enums::ServerDhParams = view_exact(body);
    let view::enums::ServerDhParams::Ok(v) = v else {
        panic!("expected server_DH_params_ok")
    };
    assert_eq!(v.nonce, arr::<16>(NONCE));
    assert_eq!(v.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(v.encrypted_answer, &hex(STEP6_ENCRYPTED_ANSWER)[..]);
    both_agree::<enums::ServerDhParams, view::enums::ServerDhParams>(body);
}

/// samples-auth_key.md, step 6, the decrypted answer: server_DH_inner_data. `answer` on the page
/// is the object followed by 8 bytes of padding (up to a multiple of 16 for AES).
#[test]
fn step6_server_dh_inner_data() {
    let body = hex(SERVER_DH_INNER_DATA);
    assert_eq!(body.len(), 564);
    let answer = hex(STEP6_ANSWER);
    assert_eq!(answer.len(), 572);
    assert_eq!(answer[..564], body[..]);

    assert_eq!(u32_at(&body, 0), 0xb5890dba);
    assert_eq!(name_of(0xb5890dba), Some("server_DH_inner_data"));
    let dh_prime_tl = hex(DH_PRIME_CELL);
    let g_a_tl = hex(G_A_CELL);
    // The table's cells are the TL encodings: a 4-byte prefix (254, then 256 as 3 LE bytes).
    assert_eq!(dh_prime_tl[..4], [0xFE, 0x00, 0x01, 0x00]);
    assert_eq!(g_a_tl[..4], [0xFE, 0x00, 0x01, 0x00]);
    // Table: dh_prime at offset 40 (260 bytes), g_a at 300 (260), server_time at 560.
    assert_eq!(body[40..300], dh_prime_tl[..]);
    assert_eq!(body[300..560], g_a_tl[..]);

    let owned: enums::ServerDhInnerData = owned_exact(&body);
    let enums::ServerDhInnerData::ServerDhInnerData(d) = &owned;
    assert_eq!(d.nonce, arr::<16>(NONCE));
    assert_eq!(d.server_nonce, arr::<16>(SERVER_NONCE));
    // Table: g `03000000` (3).
    assert_eq!(d.g, 3);
    assert_eq!(d.dh_prime.len(), 256);
    assert_eq!(
        d.dh_prime[..16],
        hex("C71CAEB9C6B1C9048E6C522F70F13F73")[..]
    );
    assert_eq!(d.dh_prime[252..], hex("B92FCC5B")[..]);
    assert_eq!(d.dh_prime, dh_prime_tl[4..]);
    assert!(d.dh_prime[0] & 0x80 != 0, "a 2048-bit prime");
    assert_eq!(d.g_a, g_a_tl[4..]);
    assert_eq!(d.server_time, SERVER_TIME);
    assert_eq!(d.server_time, i32::from_le_bytes(arr("FDC0AB65")));

    let v: view::enums::ServerDhInnerData = view_exact(&body);
    let view::enums::ServerDhInnerData::ServerDhInnerData(v) = v;
    assert_eq!(v.nonce, arr::<16>(NONCE));
    assert_eq!(v.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(v.g, 3);
    assert_eq!(v.dh_prime, &dh_prime_tl[4..]);
    assert_eq!(v.g_a, &g_a_tl[4..]);
    assert_eq!(v.server_time, SERVER_TIME);
    both_agree::<enums::ServerDhInnerData, view::enums::ServerDhInnerData>(&body);

    // The decrypted answer with its padding: `from_bytes` (whole input) refuses the padding ...
    let trailing = err(564, DecodeErrorKind::TrailingBytes { count: 8 });
    assert_eq!(
        enums::ServerDhInnerData::from_bytes(&answer),
        Err(trailing.clone())
    );
    assert_eq!(
        view::enums::ServerDhInnerData::from_bytes(&answer).err(),
        Some(trailing)
    );
    // ... while `read` stops at the end of the object and leaves the padding.
    let mut r = Reader::new(&answer);
    assert_eq!(enums::ServerDhInnerData::read(&mut r).unwrap(), owned);
    assert_eq!((r.pos(), r.remaining()), (564, 8));
    let mut r = Reader::new(&answer);
    let view::enums::ServerDhInnerData::ServerDhInnerData(v2) =
        <view::enums::ServerDhInnerData as ViewRead>::read(&mut r).unwrap();
    assert_eq!(v2.server_time, SERVER_TIME);
    assert_eq!(r.remaining(), 8);
}

/// samples-auth_key.md, step 7.1: client_DH_inner_data (retry_id 0, g_b from step 7). The page's
/// table has the offsets of g_b and retry_id the wrong way round; the dump follows the schema
/// (`retry_id:long` at 36, `g_b:bytes` at 44).
#[test]
fn step7_client_dh_inner_data() {
    let body = hex(CLIENT_DH_INNER_DATA);
    assert_eq!(body.len(), 304);
    assert_eq!(u32_at(&body, 0), 0x6643b654);
    assert_eq!(name_of(0x6643b654), Some("client_DH_inner_data"));
    assert_eq!(body[36..44], [0u8; 8]);
    assert_eq!(body[44..48], [0xFE, 0x00, 0x01, 0x00]);

    let owned: enums::ClientDhInnerData = owned_exact(&body);
    let enums::ClientDhInnerData::ClientDhInnerData(d) = &owned;
    assert_eq!(d.nonce, arr::<16>(NONCE));
    assert_eq!(d.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(d.retry_id, 0);
    assert_eq!(d.g_b, hex(STEP7_G_B));
    assert_eq!(d.g_b.len(), 256);
    let built = types::ClientDhInnerData {
        nonce: arr(NONCE),
        server_nonce: arr(SERVER_NONCE),
        retry_id: 0,
        g_b: hex(STEP7_G_B),
    };
    assert_eq!(built.to_bytes().unwrap(), body);

    let v: view::enums::ClientDhInnerData = view_exact(&body);
    let view::enums::ClientDhInnerData::ClientDhInnerData(v) = v;
    assert_eq!(v.nonce, arr::<16>(NONCE));
    assert_eq!(v.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(v.retry_id, 0);
    assert_eq!(v.g_b, &hex(STEP7_G_B)[..]);
    both_agree::<enums::ClientDhInnerData, view::enums::ClientDhInnerData>(&body);
}

/// samples-auth_key.md, step 7.2: set_client_DH_params with the encrypted client_DH_inner_data.
#[test]
fn step7_set_client_dh_params() {
    let msg = hex(SET_CLIENT_DH_PARAMS_MSG);
    assert_eq!(msg.len(), 396);
    let env = envelope(&msg);
    // Table: message_id `48CD0E00FDC0AB65`, message_length `78010000` (376).
    assert_eq!(env.auth_key_id, 0);
    assert_eq!(env.message_id, 0x65AB_C0FD_000E_CD48);
    check_message_id(env.message_id, false);
    assert_eq!(env.message_length, 376);
    let body = env.body;
    assert_eq!(body.len(), 376);
    assert_eq!(u32_at(body, 0), 0xf5045f1f);
    assert_eq!(name_of(0xf5045f1f), Some("set_client_DH_params"));
    // encrypted_data: `FE 50 01 00` = 336 bytes.
    assert_eq!(body[36..40], [0xFE, 0x50, 0x01, 0x00]);

    let owned: functions::SetClientDhParams = owned_exact(body);
    assert_eq!(owned.nonce, arr::<16>(NONCE));
    assert_eq!(owned.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(owned.encrypted_data, hex(STEP71_ENCRYPTED_DATA));
    assert_eq!(owned.encrypted_data.len(), 336);

    let v: view::functions::SetClientDhParams = view_exact(body);
    assert_eq!(v.nonce, arr::<16>(NONCE));
    assert_eq!(v.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(v.encrypted_data, &hex(STEP71_ENCRYPTED_DATA)[..]);
    both_agree::<functions::SetClientDhParams, view::functions::SetClientDhParams>(body);
}

/// samples-auth_key.md, step 9: dh_gen_ok, the answer to set_client_DH_params.
#[test]
fn step9_dh_gen_ok() {
    let msg = hex(DH_GEN_OK_MSG);
    assert_eq!(msg.len(), 72);
    let env = envelope(&msg);
    // Table: message_id `01C0A6F6FDC0AB65`, message_length `70000000` (112).
    assert_eq!(env.auth_key_id, 0);
    assert_eq!(env.message_id, 0x65AB_C0FD_F6A6_C001);
    check_message_id(env.message_id, true);
    // The page's message_length (112) is not the body's length (52): see the file comment.
    assert_eq!(env.message_length, 112);
    let body = env.body;
    assert_eq!(body.len(), 52);
    assert_eq!(u32_at(body, 0), 0x3bcbf734);
    assert_eq!(name_of(0x3bcbf734), Some("dh_gen_ok"));

    let answer: <functions::SetClientDhParams as RemoteCall>::Return = owned_exact(body);
    let enums::SetClientDhParamsAnswer::DhGenOk(ok) = &answer else {
        panic!("expected dh_gen_ok, got {answer:?}")
    };
    assert_eq!(ok.nonce, arr::<16>(NONCE));
    assert_eq!(ok.server_nonce, arr::<16>(SERVER_NONCE));
    // Table: new_nonce_hash1 `677F483BB89FD206B244A2D1AC38CB31`.
    assert_eq!(
        ok.new_nonce_hash1,
        arr::<16>("677F483BB89FD206B244A2D1AC38CB31")
    );

    let v: view::enums::SetClientDhParamsAnswer = view_exact(body);
    let view::enums::SetClientDhParamsAnswer::DhGenOk(v) = v else {
        panic!("expected dh_gen_ok")
    };
    assert_eq!(v.nonce, arr::<16>(NONCE));
    assert_eq!(v.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(
        v.new_nonce_hash1,
        arr::<16>("677F483BB89FD206B244A2D1AC38CB31")
    );
    both_agree::<enums::SetClientDhParamsAnswer, view::enums::SetClientDhParamsAnswer>(body);
}

/// The nonces tie the sample's messages together: every object of the exchange carries the
/// client's nonce, and all but the first the server's nonce, at the offsets the tables give.
#[test]
fn nonces_thread_through_every_message() {
    let with_env = [
        RES_PQ_MSG,
        REQ_DH_PARAMS_MSG,
        SERVER_DH_PARAMS_OK_MSG,
        SET_CLIENT_DH_PARAMS_MSG,
        DH_GEN_OK_MSG,
    ];
    let bare = [
        P_Q_INNER_DATA_DC,
        SERVER_DH_INNER_DATA,
        CLIENT_DH_INNER_DATA,
    ];
    let (nonce, server_nonce) = (hex(NONCE), hex(SERVER_NONCE));
    for m in with_env {
        let msg = hex(m);
        let body = envelope(&msg).body;
        assert_eq!(body[4..20], nonce[..]);
        assert_eq!(body[20..36], server_nonce[..]);
    }
    for m in bare {
        let body = hex(m);
        let at = if u32_at(&body, 0) == 0xa9f55f95 {
            32
        } else {
            4
        };
        assert_eq!(body[at..at + 16], nonce[..]);
        assert_eq!(body[at + 16..at + 32], server_nonce[..]);
    }
    assert_eq!(envelope(&hex(REQ_PQ_MULTI_MSG)).body[4..20], nonce[..]);
}

/// The combinator descriptions the pages print hash (CRC32) to the ids found in the bytes and
/// in our schema (serialize.md: "Most often, it is CRC32 of the string containing the
/// combinator description"; TL.md gives user#d23c81a3, vector#1cb5c415, getUsers#2d84d5f5).
#[test]
fn constructor_ids_are_crc32_of_the_spec_descriptions() {
    use ferrogram_tl_codegen::crc32;
    let cases: [(&str, u32); 11] = [
        // TL.md, "Example" and "Example of an RPC query".
        (
            "user id:int first_name:string last_name:string = User",
            0xd23c81a3,
        ),
        ("no_user id:int = User", 0xc67599d1),
        ("getUsers Vector int = Vector User", 0x2d84d5f5),
        ("getUser int = User", 0xb0f732d5),
        ("int ? = Int", 0xa8509bda),
        // serialize.md, "Built-In Composite Types: Vectors".
        ("vector t:Type # [ t ] = Vector t", 0x1cb5c415),
        // samples-auth_key.md, "Payload (de)serialization" of steps 1, 2, 4, 6, 9.
        (
            "req_pq_multi nonce:int128 = ResPQ",
            functions::ReqPqMulti::CONSTRUCTOR_ID,
        ),
        (
            "resPQ nonce:int128 server_nonce:int128 pq:string server_public_key_fingerprints:Vector long = ResPQ",
            types::ResPq::CONSTRUCTOR_ID,
        ),
        (
            "p_q_inner_data_dc pq:string p:string q:string nonce:int128 server_nonce:int128 new_nonce:int256 dc:int = P_Q_inner_data",
            types::PQInnerDataDc::CONSTRUCTOR_ID,
        ),
        (
            "server_DH_inner_data nonce:int128 server_nonce:int128 g:int dh_prime:string g_a:string server_time:int = Server_DH_inner_data",
            types::ServerDhInnerData::CONSTRUCTOR_ID,
        ),
        (
            "dh_gen_ok nonce:int128 server_nonce:int128 new_nonce_hash1:int128 = Set_client_DH_params_answer",
            types::DhGenOk::CONSTRUCTOR_ID,
        ),
    ];
    for (text, id) in cases {
        assert_eq!(crc32(text.as_bytes()), id, "{text}");
    }
    assert_eq!(types::ResPq::CONSTRUCTOR_ID, 0x05162463);
    assert_eq!(types::PQInnerDataDc::CONSTRUCTOR_ID, 0xa9f55f95);
    assert_eq!(types::ServerDhInnerData::CONSTRUCTOR_ID, 0xb5890dba);
    assert_eq!(types::DhGenOk::CONSTRUCTOR_ID, 0x3bcbf734);
    assert_eq!(functions::ReqPqMulti::CONSTRUCTOR_ID, 0xbe7e8ef1);
}
// ---------------------------------------------------------------------------------------------
// All golden bodies: truncation and trailing bytes
// ---------------------------------------------------------------------------------------------

/// Decodes and re-encodes, as owned or as view.
type Codec = fn(&[u8]) -> Result<Vec<u8>, DecodeError>;

struct Golden {
    name: &'static str,
    body: Vec<u8>,
    owned: Codec,
    view: Codec,
}

fn body_of(msg: &str) -> Vec<u8> {
    let msg = hex(msg);
    envelope(&msg).body.to_vec()
}

fn goldens() -> Vec<Golden> {
    vec![
        Golden {
            name: "req_pq_multi",
            body: body_of(REQ_PQ_MULTI_MSG),
            owned: |b| functions::ReqPqMulti::from_bytes(b).map(|v| v.to_bytes().unwrap()),
            view: |b| view::functions::ReqPqMulti::from_bytes(b).map(|v| v.to_bytes().unwrap()),
        },
        Golden {
            name: "resPQ",
            body: body_of(RES_PQ_MSG),
            owned: |b| enums::ResPq::from_bytes(b).map(|v| v.to_bytes().unwrap()),
            view: |b| view::enums::ResPq::from_bytes(b).map(|v| v.to_bytes().unwrap()),
        },
        Golden {
            name: "p_q_inner_data_dc",
            body: hex(P_Q_INNER_DATA_DC),
            owned: |b| enums::PQInnerData::from_bytes(b).map(|v| v.to_bytes().unwrap()),
            view: |b| view::enums::PQInnerData::from_bytes(b).map(|v| v.to_bytes().unwrap()),
        },
        Golden {
            name: "req_DH_params",
            body: body_of(REQ_DH_PARAMS_MSG),
            owned: |b| functions::ReqDhParams::from_bytes(b).map(|v| v.to_bytes().unwrap()),
            view: |b| view::functions::ReqDhParams::from_bytes(b).map(|v| v.to_bytes().unwrap()),
        },
        Golden {
            name: "server_DH_params_ok",
            body: body_of(SERVER_DH_PARAMS_OK_MSG),
            owned: |b| enums::ServerDhParams::from_bytes(b).map(|v| v.to_bytes().unwrap()),
            view: |b| view::enums::ServerDhParams::from_bytes(b).map(|v| v.to_bytes().unwrap()),
        },
        Golden {
            name: "server_DH_inner_data",
            body: hex(SERVER_DH_INNER_DATA),
            owned: |b| enums::ServerDhInnerData::from_bytes(b).map(|v| v.to_bytes().unwrap()),
            view: |b| view::enums::ServerDhInnerData::from_bytes(b).map(|v| v.to_bytes().unwrap()),
        },
        Golden {
            name: "client_DH_inner_data",
            body: hex(CLIENT_DH_INNER_DATA),
            owned: |b| enums::ClientDhInnerData::from_bytes(b).map(|v| v.to_bytes().unwrap()),
            view: |b| view::enums::ClientDhInnerData::from_bytes(b).map(|v| v.to_bytes().unwrap()),
        },
        Golden {
            name: "set_client_DH_params",
            body: body_of(SET_CLIENT_DH_PARAMS_MSG),
            owned: |b| functions::SetClientDhParams::from_bytes(b).map(|v| v.to_bytes().unwrap()),
            view: |b| {
                view::functions::SetClientDhParams::from_bytes(b).map(|v| v.to_bytes().unwrap())
            },
        },
        Golden {
            name: "dh_gen_ok",
            body: body_of(DH_GEN_OK_MSG),
            owned: |b| enums::SetClientDhParamsAnswer::from_bytes(b).map(|v| v.to_bytes().unwrap()),
            view: |b| {
                view::enums::SetClientDhParamsAnswer::from_bytes(b).map(|v| v.to_bytes().unwrap())
            },
        },
    ]
}

#[test]
fn every_golden_body_names_its_constructor_and_round_trips() {
    let all = goldens();
    assert_eq!(all.len(), 9);
    for g in &all {
        assert_eq!(name_of(u32_at(&g.body, 0)), Some(g.name));
        assert_eq!((g.owned)(&g.body).as_deref(), Ok(&g.body[..]), "{}", g.name);
        assert_eq!((g.view)(&g.body).as_deref(), Ok(&g.body[..]), "{}", g.name);
        // Every TL value is a whole number of 32-bit words (serialize.md, "General Definitions").
        assert_eq!(g.body.len() % 4, 0, "{}", g.name);
    }
}

/// Every proper prefix of every golden body is an error (never `Ok`, never a panic): the input
/// ends early, or (inside a vector) the count no longer fits. Owned and view report the same
/// error, at an offset inside the prefix.
#[test]
fn every_prefix_of_every_golden_body_fails_cleanly() {
    let mut checked = 0;
    for g in goldens() {
        for n in 0..g.body.len() {
            let prefix = &g.body[..n];
            let owned = (g.owned)(prefix).expect_err(g.name);
            let view = (g.view)(prefix).expect_err(g.name);
            assert_eq!(owned, view, "{} truncated to {n}", g.name);
            assert!(owned.offset <= n, "{} truncated to {n}: {owned:?}", g.name);
            match owned.kind {
                DecodeErrorKind::UnexpectedEnd { needed, remaining } => {
                    assert!(needed > remaining, "{} truncated to {n}: {owned:?}", g.name);
                    assert_eq!(
                        remaining,
                        n - owned.offset,
                        "{} truncated to {n}: {owned:?}",
                        g.name
                    );
                }
                DecodeErrorKind::VectorTooLong {
                    count: 3,
                    remaining,
                } => {
                    assert_eq!(g.name, "resPQ");
                    assert!(remaining < 3 * 4);
                }
                other => panic!("{} truncated to {n}: unexpected {other:?}", g.name),
            }
            checked += 1;
        }
        // And one byte too many is TrailingBytes at the end of the value.
        let mut longer = g.body.clone();
        longer.push(0);
        let e = err(g.body.len(), DecodeErrorKind::TrailingBytes { count: 1 });
        assert_eq!((g.owned)(&longer), Err(e.clone()), "{}", g.name);
        assert_eq!((g.view)(&longer), Err(e), "{}", g.name);
    }
    assert_eq!(checked, 20 + 80 + 100 + 320 + 632 + 564 + 304 + 376 + 52);
}

/// The exact error for each prefix of resPQ (samples-auth_key.md, step 2; body offsets: id 0,
/// nonce 4, server_nonce 20, pq 36 (12 bytes), vector id 48, count 52, longs 56, 64, 72).
#[test]
fn truncated_res_pq_reports_where_and_what() {
    use DecodeErrorKind::*;
    let body = body_of(RES_PQ_MSG);
    assert_eq!(body.len(), 80);
    for n in 0..80 {
        let expected = match n {
            0..4 => err(
                0,
                UnexpectedEnd {
                    needed: 4,
                    remaining: n,
                },
            ),
            // nonce and server_nonce are read as one 32-byte run.
            4..36 => err(
                4,
                UnexpectedEnd {
                    needed: 32,
                    remaining: n - 4,
                },
            ),
            // pq: the length byte is missing, then its 12 bytes (with padding) are not all there.
            36 => err(
                36,
                UnexpectedEnd {
                    needed: 1,
                    remaining: 0,
                },
            ),
            37..48 => err(
                36,
                UnexpectedEnd {
                    needed: 12,
                    remaining: n - 36,
                },
            ),
            48..52 => err(
                48,
                UnexpectedEnd {
                    needed: 4,
                    remaining: n - 48,
                },
            ),
            52..56 => err(
                52,
                UnexpectedEnd {
                    needed: 4,
                    remaining: n - 52,
                },
            ),
            // 3 longs cannot fit in fewer than 12 bytes (each element takes at least 4).
            56..68 => err(
                52,
                VectorTooLong {
                    count: 3,
                    remaining: n - 56,
                },
            ),
            68..72 => err(
                64,
                UnexpectedEnd {
                    needed: 8,
                    remaining: n - 64,
                },
            ),
            _ => err(
                72,
                UnexpectedEnd {
                    needed: 8,
                    remaining: n - 72,
                },
            ),
        };
        assert_eq!(
            enums::ResPq::from_bytes(&body[..n]),
            Err(expected.clone()),
            "n = {n}"
        );
        assert_eq!(
            types::ResPq::from_bytes(&body[..n]),
            Err(expected.clone()),
            "n = {n}"
        );
        assert_eq!(
            view::enums::ResPq::from_bytes(&body[..n]).err(),
            Some(expected),
            "n = {n}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_constructor_id() {
    let mut body = body_of(RES_PQ_MSG);
    body[..4].copy_from_slice(&0xdeadbeef_u32.to_le_bytes());
    assert_eq!(name_of(0xdeadbeef), None);
    let e = err(
        0,
        DecodeErrorKind::UnexpectedConstructor {
            expected: "ResPQ",
            id: 0xdeadbeef,
        },
    );
    assert_eq!(enums::ResPq::from_bytes(&body), Err(e.clone()));
    assert_eq!(view::enums::ResPq::from_bytes(&body).err(), Some(e.clone()));
    // The constructor struct names the constructor it expected.
    assert_eq!(
        types::ResPq::from_bytes(&body),
        Err(err(
            0,
            DecodeErrorKind::UnexpectedConstructor {
                expected: "resPQ",
                id: 0xdeadbeef
            }
        ))
    );
    let text = e.to_string();
    assert!(text.contains("0xdeadbeef"), "{text}");
    assert!(
        text.contains(&format!("unknown to layer {LAYER}")),
        "{text}"
    );
    assert!(text.contains("`ResPQ`"), "{text}");

    // A known constructor of another type: the message names it.
    let res_pq = body_of(RES_PQ_MSG);
    let e = enums::ServerDhParams::from_bytes(&res_pq).unwrap_err();
    assert_eq!(
        e,
        err(
            0,
            DecodeErrorKind::UnexpectedConstructor {
                expected: "Server_DH_Params",
                id: 0x05162463
            }
        )
    );
    assert!(e.to_string().contains("(resPQ)"), "{e}");

    // Nested: in a message, the peer (after id, flags, flags2, id) has an unknown id: the offset
    // is the nested object's.
    let mut msg = message_bytes(true, true);
    assert_eq!(u32_at(&msg, 16), 0x59511722);
    msg[16..20].copy_from_slice(&0x01020304_u32.to_le_bytes());
    let e = err(
        16,
        DecodeErrorKind::UnexpectedConstructor {
            expected: "Peer",
            id: 0x01020304,
        },
    );
    assert_eq!(enums::Message::from_bytes(&msg), Err(e.clone()));
    assert_eq!(view::enums::Message::from_bytes(&msg).err(), Some(e));

    // The unencrypted-message envelope is not a TL object: its first word (auth_key_id = 0)
    // is not a constructor.
    let whole = hex(REQ_PQ_MULTI_MSG);
    assert_eq!(
        functions::ReqPqMulti::from_bytes(&whole),
        Err(err(
            0,
            DecodeErrorKind::UnexpectedConstructor {
                expected: "req_pq_multi",
                id: 0
            }
        ))
    );
}

#[test]
fn bool_that_is_neither_true_nor_false() {
    // account.updateStatus#6628562c offline:Bool = Bool;
    let id = functions::account::UpdateStatus::CONSTRUCTOR_ID;
    assert_eq!(id, 0x6628562c);
    let mut b = Vec::new();
    b.extend_from_slice(&id.to_le_bytes());
    b.extend_from_slice(&0x997275b5_u32.to_le_bytes()); // boolTrue
    assert_eq!(
        functions::account::UpdateStatus::from_bytes(&b),
        Ok(functions::account::UpdateStatus { offline: true })
    );
    assert!(
        view::functions::account::UpdateStatus::from_bytes(&b)
            .unwrap()
            .offline
    );
    b[4..].copy_from_slice(&0xbc799737_u32.to_le_bytes()); // boolFalse
    assert_eq!(
        functions::account::UpdateStatus::from_bytes(&b),
        Ok(functions::account::UpdateStatus { offline: false })
    );
    assert_eq!(
        functions::account::UpdateStatus { offline: false }
            .to_bytes()
            .unwrap(),
        b
    );

    for bad in [0x12345678_u32, 0, 1, 0x997275b4, 0x1cb5c415] {
        b[4..].copy_from_slice(&bad.to_le_bytes());
        let e = err(4, DecodeErrorKind::InvalidBool(bad));
        assert_eq!(
            functions::account::UpdateStatus::from_bytes(&b),
            Err(e.clone())
        );
        assert_eq!(
            view::functions::account::UpdateStatus::from_bytes(&b).err(),
            Some(e)
        );
        assert_eq!(
            <bool as TlRead>::from_bytes(&b[4..]),
            Err(err(0, DecodeErrorKind::InvalidBool(bad)))
        );
        // The reader does not move past the bad value.
        let mut r = Reader::new(&b[4..]);
        assert!(r.bool().is_err());
        assert_eq!(r.pos(), 0);
    }
}

#[test]
fn invalid_vector_id() {
    let mut body = body_of(RES_PQ_MSG);
    body[48..52].copy_from_slice(&0x1cb5c416_u32.to_le_bytes());
    let e = err(48, DecodeErrorKind::InvalidVectorId(0x1cb5c416));
    assert_eq!(enums::ResPq::from_bytes(&body), Err(e.clone()));
    assert_eq!(view::enums::ResPq::from_bytes(&body).err(), Some(e));
}

// A counting global allocator (per thread, so tests running in parallel do not disturb each
// other), to check how much an owned decode of hostile input allocates.
struct CountingAlloc;

thread_local! {
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

fn count(n: usize) {
    let _ = ALLOCATED.try_with(|c| c.set(c.get() + n));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are the allocator's; the only addition is a counter in a
// const-initialized thread-local `Cell`, which never allocates or re-enters the allocator.
// (Test-only: the library crates forbid unsafe code.)
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Bytes allocated by this thread while `f` runs.
fn allocated_by<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCATED.with(Cell::get);
    let r = f();
    (r, ALLOCATED.with(Cell::get) - before)
}

#[test]
fn huge_vector_count_is_refused_before_allocating() {
    // resPQ claiming 0xffffffff fingerprints (24 bytes follow the count).
    let mut body = body_of(RES_PQ_MSG);
    body[52..56].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = err(
        52,
        DecodeErrorKind::VectorTooLong {
            count: u32::MAX,
            remaining: 24,
        },
    );
    let start = std::time::Instant::now();
    let (owned, bytes) = allocated_by(|| enums::ResPq::from_bytes(&body));
    assert_eq!(owned, Err(e.clone()));
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    // The 8-byte pq was copied; nothing sized by the count was reserved.
    assert!(bytes < 1024, "allocated {bytes} bytes");
    assert_eq!(view::enums::ResPq::from_bytes(&body).err(), Some(e));

    // A bare Vector<long> of 2^32 - 1 elements with nothing after the count.
    let mut v = 0x1cb5c415_u32.to_le_bytes().to_vec();
    v.extend_from_slice(&u32::MAX.to_le_bytes());
    let (r, bytes) = allocated_by(|| Vec::<i64>::from_bytes(&v));
    assert_eq!(
        r,
        Err(err(
            4,
            DecodeErrorKind::VectorTooLong {
                count: u32::MAX,
                remaining: 0
            }
        ))
    );
    assert_eq!(bytes, 0);
    assert_eq!(
        LazyVec::<i64>::from_bytes(&v).err(),
        Some(err(
            4,
            DecodeErrorKind::VectorTooLong {
                count: u32::MAX,
                remaining: 0
            }
        ))
    );

    // A count that passes the "4 bytes per element" check but not the real size (longs take
    // 8): it fails at the end of the input, and reserved at most 2x the input.
    let k = 1000u32;
    let mut v = 0x1cb5c415_u32.to_le_bytes().to_vec();
    v.extend_from_slice(&k.to_le_bytes());
    v.resize(8 + 4 * k as usize, 0x11);
    let (r, bytes) = allocated_by(|| Vec::<i64>::from_bytes(&v));
    assert_eq!(
        r,
        Err(err(
            8 + 4000,
            DecodeErrorKind::UnexpectedEnd {
                needed: 8,
                remaining: 0
            }
        ))
    );
    assert!(
        bytes <= 2 * v.len(),
        "allocated {bytes} bytes for {} bytes of input",
        v.len()
    );
    // One more element than fits is refused up front.
    v[4..8].copy_from_slice(&(k + 1).to_le_bytes());
    let (r, bytes) = allocated_by(|| Vec::<i64>::from_bytes(&v));
    assert_eq!(
        r,
        Err(err(
            4,
            DecodeErrorKind::VectorTooLong {
                count: k + 1,
                remaining: 4000
            }
        ))
    );
    assert_eq!(bytes, 0);
}

#[test]
fn string_length_prefix_0xff_is_invalid() {
    // textPlain#744694e0 text:string with a length byte of 255.
    let mut b = 0x744694e0_u32.to_le_bytes().to_vec();
    b.extend_from_slice(&[0xff, 0, 0, 0]);
    let e = err(4, DecodeErrorKind::InvalidLength);
    assert_eq!(types::TextPlain::from_bytes(&b), Err(e.clone()));
    assert_eq!(enums::RichText::from_bytes(&b), Err(e.clone()));
    assert_eq!(view::enums::RichText::from_bytes(&b).err(), Some(e.clone()));
    assert_eq!(view::types::TextPlain::from_bytes(&b).err(), Some(e));
    // In resPQ's pq (bytes) at offset 36.
    let mut body = body_of(RES_PQ_MSG);
    body[36] = 0xff;
    let e = err(36, DecodeErrorKind::InvalidLength);
    assert_eq!(enums::ResPq::from_bytes(&body), Err(e.clone()));
    assert_eq!(view::enums::ResPq::from_bytes(&body).err(), Some(e));
    let mut r = Reader::new(&[0xff, 1, 2, 3]);
    assert_eq!(r.tl_bytes(), Err(err(0, DecodeErrorKind::InvalidLength)));
}

/// `n` times textBold#6724abc4 around textPlain#744694e0 "deep".
fn nested_bold(n: usize) -> Vec<u8> {
    let mut w = Vec::new();
    for _ in 0..n {
        w.extend_from_slice(&0x6724abc4_u32.to_le_bytes());
    }
    w.extend_from_slice(&0x744694e0_u32.to_le_bytes());
    w.extend_from_slice(&[4, b'd', b'e', b'e', b'p', 0, 0, 0]);
    w
}

#[test]
fn nesting_deeper_than_the_limit_is_refused() {
    assert_eq!(Reader::DEFAULT_MAX_DEPTH, 64);
    let too_deep = err(256, DecodeErrorKind::TooDeep { limit: 64 });

    // 100 levels: the 65th RichText (at byte 64 * 4) is one too many.
    let b = nested_bold(100);
    assert_eq!(enums::RichText::from_bytes(&b), Err(too_deep.clone()));
    assert_eq!(
        view::enums::RichText::from_bytes(&b).err(),
        Some(too_deep.clone())
    );

    // The boundary: 63 bold + the plain text = 64 nested values decode; one more does not.
    assert!(enums::RichText::from_bytes(&nested_bold(63)).is_ok());
    assert!(view::enums::RichText::from_bytes(&nested_bold(63)).is_ok());
    assert_eq!(
        enums::RichText::from_bytes(&nested_bold(64)),
        Err(too_deep.clone())
    );
    assert_eq!(
        view::enums::RichText::from_bytes(&nested_bold(64)).err(),
        Some(too_deep)
    );

    // A raised limit accepts 100 levels; a lowered one refuses 60.
    let mut r = Reader::new(&b).with_max_depth(200);
    let deep = enums::RichText::read(&mut r).unwrap();
    assert!(r.is_empty());
    assert_eq!(deep.to_bytes().unwrap(), b);
    let b60 = nested_bold(60);
    let mut r = Reader::new(&b60).with_max_depth(10);
    assert_eq!(
        enums::RichText::read(&mut r),
        Err(err(40, DecodeErrorKind::TooDeep { limit: 10 }))
    );

    // Vectors count as a level too: textConcat#7e6260d7 texts:Vector<RichText>, nested 40 deep
    // with one element each, is 81 levels; the 65th (the 33rd textConcat, at 32 * 12) fails.
    let mut c = Vec::new();
    for _ in 0..40 {
        c.extend_from_slice(&0x7e6260d7_u32.to_le_bytes());
        c.extend_from_slice(&0x1cb5c415_u32.to_le_bytes());
        c.extend_from_slice(&1u32.to_le_bytes());
    }
    c.extend_from_slice(&0xdc3d824f_u32.to_le_bytes()); // textEmpty
    let e = err(32 * 12, DecodeErrorKind::TooDeep { limit: 64 });
    assert_eq!(enums::RichText::from_bytes(&c), Err(e.clone()));
    assert_eq!(view::enums::RichText::from_bytes(&c).err(), Some(e));
}

/// KNOWN LIMITATION (reported to the lead, not fixed here): a view read with a raised limit
/// (`Reader::with_max_depth`) checks the whole value under that limit, but its lazy fields
/// decode later with a fresh `Reader` and the *default* limit, so `Lazy::get` and
/// `LazyVec::iter` fail on data that `read` accepted — contrary to `ViewRead`'s doc ("decoding
/// those later cannot fail on data that came through `read`"), and the view's `Debug` shows
/// `<undecodable ...>`. This test pins the current behaviour; if `Lazy` learns to carry the
/// reader's limit, flip the assertions.
#[test]
fn lazy_fields_of_a_view_read_with_a_raised_limit_need_that_limit_again() {
    let b = nested_bold(100);
    let mut r = Reader::new(&b).with_max_depth(200);
    let v = <view::enums::RichText as ViewRead<'_>>::read(&mut r).unwrap();
    assert!(r.is_empty());
    let view::enums::RichText::TextBold(x) = v else {
        panic!("not textBold")
    };
    // 99 textBold + textPlain remain inside: the 65th level fails, as in a default read.
    assert_eq!(
        x.text.get().err(),
        Some(err(256, DecodeErrorKind::TooDeep { limit: 64 }))
    );
    assert!(format!("{v:?}").contains("<undecodable"));
    // Decoding the nested part with the limit the view was read with works all the way down.
    let mut level = x.text.get_with_max_depth(200).unwrap();
    let mut depth = 1;
    while let view::enums::RichText::TextBold(inner) = level {
        level = inner.text.get_with_max_depth(200).unwrap();
        depth += 1;
    }
    assert_eq!(depth, 100);
    assert!(matches!(level, view::enums::RichText::TextPlain(_)));

    // The same through a vector: textConcat [ 100 x textBold ( textPlain ) ].
    let mut c = Vec::new();
    c.extend_from_slice(&0x7e6260d7_u32.to_le_bytes());
    c.extend_from_slice(&0x1cb5c415_u32.to_le_bytes());
    c.extend_from_slice(&1u32.to_le_bytes());
    c.extend_from_slice(&b);
    let mut r = Reader::new(&c).with_max_depth(200);
    let v = <view::enums::RichText as ViewRead<'_>>::read(&mut r).unwrap();
    let view::enums::RichText::TextConcat(x) = v else {
        panic!("not textConcat")
    };
    assert_eq!(
        x.texts.iter().next().unwrap().err(),
        Some(err(256, DecodeErrorKind::TooDeep { limit: 64 }))
    );
    assert!(x.texts.iter_with_max_depth(200).next().unwrap().is_ok());
    // The owned decode under the same raised limit has no such second step and succeeds.
    let mut r = Reader::new(&c).with_max_depth(200);
    assert!(enums::RichText::read(&mut r).is_ok());
}

#[test]
fn sixty_levels_decode_owned_and_view() {
    let b = nested_bold(60);
    let owned: enums::RichText = owned_exact(&b);
    let mut t = &owned;
    for level in 0..60 {
        match t {
            enums::RichText::TextBold(x) => t = &x.text,
            other => panic!("level {level}: {other:?}"),
        }
    }
    assert_eq!(
        t,
        &enums::RichText::TextPlain(types::TextPlain {
            text: "deep".into()
        })
    );

    let v: view::enums::RichText = view_exact(&b);
    let mut t = v;
    for level in 0..60 {
        match t {
            view::enums::RichText::TextBold(x) => t = x.text.get().unwrap(),
            _ => panic!("level {level}: not textBold"),
        }
    }
    let view::enums::RichText::TextPlain(p) = t else {
        panic!("not textPlain")
    };
    assert_eq!(p.text.to_str(), Ok("deep"));
    both_agree::<enums::RichText, view::enums::RichText>(&b);
}

#[test]
fn trailing_bytes() {
    let mut body = body_of(RES_PQ_MSG);
    body.extend_from_slice(&[1, 2, 3, 4]);
    let e = err(80, DecodeErrorKind::TrailingBytes { count: 4 });
    assert_eq!(enums::ResPq::from_bytes(&body), Err(e.clone()));
    assert_eq!(types::ResPq::from_bytes(&body), Err(e.clone()));
    assert_eq!(view::enums::ResPq::from_bytes(&body).err(), Some(e));
    // A Lazy holding more than one value reports it too.
    let two = [nested_bold(0), nested_bold(0)].concat();
    let lazy: Lazy<'_, view::enums::RichText> = Lazy::Encoded(&two);
    assert_eq!(
        lazy.get().err(),
        Some(err(12, DecodeErrorKind::TrailingBytes { count: 12 }))
    );
}

#[test]
fn writer_reports_buffer_full_with_the_size_needed() {
    let body = body_of(RES_PQ_MSG);
    let owned = enums::ResPq::from_bytes(&body).unwrap();
    let v = view::enums::ResPq::from_bytes(&body).unwrap();
    for cap in [0usize, 1, 4, 36, 79] {
        let mut buf = vec![0u8; cap];
        let full = Err(EncodeError::BufferFull {
            needed: 80,
            capacity: cap,
        });
        assert_eq!(owned.write_to(&mut buf), full);
        assert_eq!(v.write_to(&mut buf), full);
    }
    let mut buf = [0u8; 80];
    assert_eq!(owned.write_to(&mut buf), Ok(80));
    assert_eq!(buf[..], body[..]);
    let mut buf = [0u8; 100];
    assert_eq!(v.write_to(&mut buf), Ok(80));
    assert_eq!(buf[..80], body[..]);
    assert_eq!(buf[80..], [0u8; 20]);

    // The writer keeps counting past the end; finish reports the total.
    let mut small = [0u8; 6];
    let mut w = Writer::new(&mut small);
    w.put_i32(1);
    w.put_tl_bytes(b"abc");
    w.put_i64(2);
    assert_eq!(w.position(), 16);
    assert_eq!(
        w.finish(),
        Err(EncodeError::BufferFull {
            needed: 16,
            capacity: 6
        })
    );
    assert!(
        EncodeError::BufferFull {
            needed: 16,
            capacity: 6
        }
        .to_string()
        .contains("needs 16 bytes, has 6")
    );
}

/// message#7600b9d3 with flags.10 (views, forwards) set or not, and the fields written by hand.
fn message_bytes(views: bool, forwards: bool) -> Vec<u8> {
    let mut buf = vec![0u8; 64];
    let mut w = Writer::new(&mut buf);
    w.put_u32(0x7600b9d3);
    w.put_u32(if views || forwards { 1 << 10 } else { 0 }); // flags
    w.put_u32(0); // flags2
    w.put_i32(42); // id
    w.put_u32(0x59511722); // peerUser
    w.put_i64(777); // user_id
    w.put_i32(SERVER_TIME); // date
    w.put_tl_bytes(b"hi"); // message
    if views {
        w.put_i32(100);
    }
    if forwards {
        w.put_i32(7);
    }
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

#[test]
fn optional_fields_sharing_a_flag_bit_must_agree() {
    // message.views and message.forwards are both `flags.10?int`.
    let b = message_bytes(true, true);
    assert_eq!(name_of(u32_at(&b, 0)), Some("message"));
    let owned: enums::Message = owned_exact(&b);
    let enums::Message::Message(m) = &owned else {
        panic!("not message: {owned:?}")
    };
    assert_eq!((m.id, m.date, m.message.as_str()), (42, SERVER_TIME, "hi"));
    assert_eq!(
        m.peer_id,
        enums::Peer::User(types::PeerUser { user_id: 777 })
    );
    assert_eq!((m.views, m.forwards), (Some(100), Some(7)));
    both_agree_read_only::<enums::Message, view::enums::Message>(&b);

    let mismatch = EncodeError::FlagGroupMismatch {
        constructor: 0x7600b9d3,
        word: "flags",
        bit: 10,
    };
    for (views, forwards) in [(Some(100), None), (None, Some(7))] {
        let mut m = (**m).clone();
        m.views = views;
        m.forwards = forwards;
        assert_eq!(m.to_bytes(), Err(mismatch.clone()));
        assert_eq!(m.write_to(&mut [0u8; 256]), Err(mismatch.clone()));
        assert_eq!(enums::Message::from(m).to_bytes(), Err(mismatch.clone()));
    }
    let text = mismatch.to_string();
    assert!(
        text.contains("`message`") && text.contains("flags.10"),
        "{text}"
    );
    // Both absent is fine, and drops the bit.
    let mut none = (**m).clone();
    none.views = None;
    none.forwards = None;
    assert_eq!(none.to_bytes().unwrap(), message_bytes(false, false));

    // Views of result-only types such as `message` are read-only; the same rule holds for a
    // writable view: inputGroupCallStream's video_channel and video_quality share flags.0.
    let call = view::enums::InputGroupCall::InputGroupCall(view::types::InputGroupCall {
        id: 1,
        access_hash: 2,
    });
    let stream = view::types::InputGroupCallStream {
        call,
        time_ms: 3,
        scale: 0,
        video_channel: Some(1),
        video_quality: Some(2),
    };
    let full = stream.to_bytes().unwrap();
    let back = view::types::InputGroupCallStream::from_bytes(&full).unwrap();
    assert_eq!((back.video_channel, back.video_quality), (Some(1), Some(2)));
    let stream_mismatch = EncodeError::FlagGroupMismatch {
        constructor: 0x0598a92a,
        word: "flags",
        bit: 0,
    };
    let mut half = stream;
    half.video_quality = None;
    assert_eq!(half.to_bytes(), Err(stream_mismatch.clone()));
    let mut half = stream;
    half.video_channel = None;
    assert_eq!(half.write_to(&mut [0u8; 256]), Err(stream_mismatch));
    let _ = mismatch;
}

#[test]
fn invalid_utf8_is_lossy_when_owned_and_raw_in_views() {
    // textPlain "a\xffb"
    let mut b = 0x744694e0_u32.to_le_bytes().to_vec();
    b.extend_from_slice(&[3, b'a', 0xff, b'b']);
    let owned = types::TextPlain::from_bytes(&b).unwrap();
    assert_eq!(owned.text, "a\u{FFFD}b");
    // Re-encoding the owned value writes the replacement character (EF BF BD).
    let mut lossy = 0x744694e0_u32.to_le_bytes().to_vec();
    lossy.extend_from_slice(&[5, b'a', 0xEF, 0xBF, 0xBD, b'b', 0, 0]);
    assert_eq!(owned.to_bytes().unwrap(), lossy);

    let v = view::types::TextPlain::from_bytes(&b).unwrap();
    assert_eq!(v.text.as_bytes(), b"a\xffb");
    assert!(v.text.to_str().is_err());
    assert_eq!(v.text.to_string(), "a\u{FFFD}b");
    assert_eq!(format!("{:?}", v.text), "\"a\u{FFFD}b\"");
    // The view keeps the bytes: its re-encoding is exact.
    assert_eq!(v.to_bytes().unwrap(), b);
    assert_eq!(TlStr::from_bytes(b"a\xffb"), v.text);

    let mut r = Reader::new(&b[4..]);
    assert_eq!(r.string().unwrap(), "a\u{FFFD}b");
}

// ---------------------------------------------------------------------------------------------
// serialize.md / TL.md: base types and vectors, checked with the runtime
// ---------------------------------------------------------------------------------------------

/// serialize.md, "Base Types": `int` is one little-endian 32-bit number, `long` and `double`
/// two (low word first).
#[test]
fn int_long_double_are_little_endian() {
    let mut buf = [0u8; 20];
    let mut w = Writer::new(&mut buf);
    w.put_i32(-2);
    w.put_i64(0x0102_0304_0506_0708);
    w.put_f64(1.0);
    assert_eq!(w.finish(), Ok(20));
    assert_eq!(buf, hex("FEFFFFFF 0807060504030201 000000000000F03F")[..]);
    let mut r = Reader::new(&buf);
    assert_eq!(
        (r.i32(), r.i64(), r.f64()),
        (Ok(-2), Ok(0x0102_0304_0506_0708), Ok(1.0))
    );
    assert!(r.is_empty());
    // samples-auth_key.md, step 6 table: server_time `FDC0AB65` is 1705754877.
    assert_eq!(
        <i32 as TlRead>::from_bytes(&hex("FDC0AB65")),
        Ok(SERVER_TIME)
    );
    assert_eq!(SERVER_TIME.to_bytes().unwrap(), hex("FDC0AB65"));
}

/// serialize.md, "Base Types", `string`: if L <= 253, one byte L, the bytes, then 0-3 zero
/// bytes so the length is a multiple of 4; if L >= 254, byte 254, L in 3 little-endian bytes,
/// the bytes, then 0-3 zero bytes.
#[test]
fn string_length_prefix_and_padding() {
    let cases: [(usize, &str); 10] = [
        (0, "00 000000"),
        (1, "01 AA 0000"),
        (2, "02 AAAA 00"),
        (3, "03 AAAAAA"),
        (4, "04 AAAAAAAA 000000"),
        (253, "FD"),
        (254, "FE FE0000"),
        (255, "FE FF0000"),
        (256, "FE 000100"),
        (0x01_0203, "FE 030201"),
    ];
    for (len, head) in cases {
        let data = vec![0xAA; len];
        let mut expected = hex(head);
        if len >= 5 {
            expected.extend_from_slice(&data);
        }
        while expected.len() % 4 != 0 {
            expected.push(0);
        }
        let header = if len <= 253 { 1 } else { 4 };
        assert_eq!(expected.len(), (header + len).div_ceil(4) * 4, "L = {len}");
        let mut buf = vec![0x55; expected.len()];
        let mut w = Writer::new(&mut buf);
        w.put_tl_bytes(&data);
        assert_eq!(w.finish(), Ok(expected.len()), "L = {len}");
        assert_eq!(buf, expected, "L = {len}");
        let mut r = Reader::new(&buf);
        assert_eq!(r.tl_bytes(), Ok(&data[..]), "L = {len}");
        assert!(r.is_empty());
    }

    // The strings of samples-auth_key.md: pq (step 2: "single-byte prefix denoting length, an
    // 8-byte string, and three bytes of padding"), p (step 4: 4-byte string, 3 bytes of
    // padding), g_b (step 7.1: "a 256-byte (2048-bit) string, and zero bytes of padding").
    assert_eq!(
        hex("1460E7D3FA727791").to_bytes().unwrap(),
        hex("081460E7D3FA727791000000")
    );
    assert_eq!(hex("3C2357CF").to_bytes().unwrap(), hex("043C2357CF000000"));
    let g_b = hex(STEP7_G_B);
    let enc = g_b.to_bytes().unwrap();
    assert_eq!((enc.len(), &enc[..4]), (260, &[0xFE, 0x00, 0x01, 0x00][..]));
    assert_eq!(enc[4..], g_b[..]);
    // 592 and 336 bytes: `FE 50 02 00` and `FE 50 01 00` (steps 6 and 7.2).
    assert_eq!(
        hex(STEP6_ENCRYPTED_ANSWER).to_bytes().unwrap()[..4],
        hex("FE500200")[..]
    );
    assert_eq!(
        hex(STEP71_ENCRYPTED_DATA).to_bytes().unwrap()[..4],
        hex("FE500100")[..]
    );

    // Padding bytes are skipped, whatever they hold (not checked, as the crate docs say).
    let mut r = Reader::new(&[1, b'x', 0xEE, 0xEE]);
    assert_eq!(r.tl_bytes(), Ok(&b"x"[..]));
    assert!(r.is_empty());

    // TL cannot express 2^24 bytes or more.
    let huge = vec![0u8; 1 << 24];
    let mut w = Writer::new(&mut []);
    w.put_tl_bytes(&huge);
    assert_eq!(w.finish(), Err(EncodeError::TooLong { len: 1 << 24 }));
}

/// TL.md, "Example of an RPC query": getUsers([2,3,4]) is `0x2d84d5f5 0x1cb5c415 0x3 0x2 0x3
/// 0x4`, i.e. the byte stream `F5 D5 84 2D 15 C4 B5 1C 03 00 00 00 02 00 00 00 03 00 00 00 04
/// 00 00 00`. getUsers#2d84d5f5 is not in our schema: the vector is written and read with the
/// runtime's `Vec<i32>` / `LazyVec` impls.
#[test]
fn tl_md_get_users_query() {
    let stream = hex("F5 D5 84 2D 15 C4 B5 1C 03 00 00 00 02 00 00 00 03 00 00 00 04 00 00 00");
    let words: Vec<u8> = [0x2d84d5f5_u32, 0x1cb5c415, 0x3, 0x2, 0x3, 0x4]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    assert_eq!(words, stream);
    assert_eq!(name_of(0x2d84d5f5), None);

    let mut buf = [0u8; 24];
    let mut w = Writer::new(&mut buf);
    w.put_u32(0x2d84d5f5);
    vec![2i32, 3, 4].write(&mut w);
    assert_eq!(w.finish(), Ok(24));
    assert_eq!(buf[..], stream[..]);
    let ints: LazyVec<'_, i32> = LazyVec::Slice(&[2, 3, 4]);
    assert_eq!(ints.to_bytes().unwrap(), stream[4..]);

    let mut r = Reader::new(&stream);
    assert_eq!(r.u32(), Ok(0x2d84d5f5));
    assert_eq!(Vec::<i32>::read(&mut r), Ok(vec![2, 3, 4]));
    assert!(r.is_empty());
    let lazy = LazyVec::<i32>::from_bytes(&stream[4..]).unwrap();
    assert_eq!(lazy.len(), 3);
    assert_eq!(
        lazy.iter().collect::<Result<Vec<_>, _>>(),
        Ok(vec![2, 3, 4])
    );
    assert_eq!(lazy.to_bytes().unwrap(), stream[4..]);
}

/// TL.md, "Example of an RPC query": the response `0x1cb5c415 0x3 0xd23c81a3 0x2 0x74655005
/// 0x00007265 0x72615006 0x72656b 0xc67599d1 0x3 0xd23c81a3 0x4 0x686f4a04 0x6e 0x656f4403`,
/// i.e. [user 2 "Peter" "Parker", no_user 3, user 4 "John" "Doe"], read and written field by
/// field with `Reader` / `Writer` (user#d23c81a3 / no_user#c67599d1 are TL.md's example types).
#[test]
fn tl_md_get_users_response() {
    let words: [u32; 15] = [
        0x1cb5c415, 0x3, 0xd23c81a3, 0x2, 0x74655005, 0x00007265, 0x72615006, 0x72656b, 0xc67599d1,
        0x3, 0xd23c81a3, 0x4, 0x686f4a04, 0x6e, 0x656f4403,
    ];
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();

    #[derive(Debug, PartialEq)]
    enum User<'a> {
        User {
            id: i32,
            first: TlStr<'a>,
            last: TlStr<'a>,
        },
        NoUser {
            id: i32,
        },
    }
    let mut r = Reader::new(&bytes);
    let n = r.vec_len(false, 4).unwrap();
    assert_eq!(n, 3);
    let mut users = Vec::new();
    for _ in 0..n {
        users.push(match r.u32().unwrap() {
            0xd23c81a3 => User::User {
                id: r.i32().unwrap(),
                first: r.tl_str().unwrap(),
                last: r.tl_str().unwrap(),
            },
            0xc67599d1 => User::NoUser {
                id: r.i32().unwrap(),
            },
            other => panic!("{other:#x}"),
        });
    }
    r.leave();
    assert_eq!(r.finish(), Ok(()));
    assert_eq!(
        users,
        [
            User::User {
                id: 2,
                first: "Peter".into(),
                last: "Parker".into()
            },
            User::NoUser { id: 3 },
            User::User {
                id: 4,
                first: "John".into(),
                last: "Doe".into()
            },
        ]
    );

    let mut out = [0u8; 60];
    let mut w = Writer::new(&mut out);
    w.put_u32(0x1cb5c415);
    w.put_u32(users.len() as u32);
    for u in &users {
        match u {
            User::User { id, first, last } => {
                w.put_u32(0xd23c81a3);
                w.put_i32(*id);
                first.write(&mut w);
                last.write(&mut w);
            }
            User::NoUser { id } => {
                w.put_u32(0xc67599d1);
                w.put_i32(*id);
            }
        }
    }
    assert_eq!(w.finish(), Ok(60));
    assert_eq!(out[..], bytes[..]);
}
