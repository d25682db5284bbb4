//! 2FA through the API slice: the client side of SRP is computed here from api/srp.md's
//! formulas with num-bigint (not the DC's crypto-bigint), so a wrong formula on either side
//! fails the login.

mod common;

use common::{ALICE_KEY, BOB_KEY, call, err, ok};
use ferrogram_mtproto_proto::auth_key::dh::TELEGRAM_DH_PRIME;
use ferrogram_testdc::world::{FIRST_USER_ID, World};
use ferrogram_tl_types::functions as f;
use ferrogram_tl_types::{enums, types};
use num_bigint::BigUint;
use sha2::{Digest, Sha256, Sha512};

const ALICE_PHONE: &str = "+1 555 000 0001";

fn h(parts: &[&[u8]]) -> [u8; 32] {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    d.finalize().into()
}

fn pad(x: &BigUint) -> Vec<u8> {
    let b = x.to_bytes_be();
    let mut out = vec![0u8; 256 - b.len()];
    out.extend_from_slice(&b);
    out
}

/// The client's `inputCheckPasswordSRP` for `password`, from an `account.password` answer,
/// with client secret `a` (api/srp.md, "Checking the password with SRP").
fn client_proof(
    pw: &types::account::Password,
    password: &str,
    a: &[u8],
) -> types::InputCheckPasswordSrp {
    let Some(enums::PasswordKdfAlgo::Sha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow(algo)) =
        &pw.current_algo
    else {
        panic!("no SRP algorithm: {:?}", pw.current_algo);
    };
    let p = BigUint::from_bytes_be(&algo.p);
    let g = BigUint::from(algo.g as u32);
    let (s1, s2) = (&algo.salt1[..], &algo.salt2[..]);
    // x = PH2(password, salt1, salt2)
    let sh = |data: &[u8], salt: &[u8]| h(&[salt, data, salt]);
    let ph1 = sh(&sh(password.as_bytes(), s1), s2);
    let mut stretched = [0u8; 64];
    pbkdf2::pbkdf2_hmac::<Sha512>(&ph1, s1, 100_000, &mut stretched);
    let x = BigUint::from_bytes_be(&sh(&stretched, s2));
    let g_b_bytes = pw.srp_b.clone().expect("srp_B");
    let g_b = BigUint::from_bytes_be(&g_b_bytes);
    let k = BigUint::from_bytes_be(&h(&[&pad(&p), &pad(&g)]));
    let v = g.modpow(&x, &p);
    let k_v = (k * v) % &p;
    let a = BigUint::from_bytes_be(a);
    let g_a = pad(&g.modpow(&a, &p));
    let u = BigUint::from_bytes_be(&h(&[&g_a, &pad(&g_b)]));
    let t = ((&g_b + &p) - k_v) % &p;
    let s_a = t.modpow(&(a + u * x), &p);
    let k_a = h(&[&pad(&s_a)]);
    let (hp, hg) = (h(&[&pad(&p)]), h(&[&pad(&g)]));
    let xor: Vec<u8> = hp.iter().zip(hg).map(|(a, b)| a ^ b).collect();
    let m1 = h(&[&xor, &h(&[s1]), &h(&[s2]), &g_a, &pad(&g_b), &k_a]);
    types::InputCheckPasswordSrp {
        srp_id: pw.srp_id.expect("srp_id"),
        a: g_a,
        m1: m1.to_vec(),
    }
}

fn code_settings() -> enums::CodeSettings {
    enums::CodeSettings::CodeSettings(types::CodeSettings {
        allow_flashcall: false,
        current_number: false,
        allow_app_hash: false,
        allow_missed_call: false,
        allow_firebase: false,
        unknown_number: false,
        logout_tokens: None,
        token: None,
        app_sandbox: None,
    })
}

fn world_with_password() -> World {
    let mut w = World::new();
    w.set_seed([7; 32]);
    w.set_password(FIRST_USER_ID, Some("hunter2"), Some("the usual"));
    w
}

/// sendCode + signIn with the right code: `401 SESSION_PASSWORD_NEEDED` for Alice.
fn give_code(w: &mut World, key: u64) -> (i32, String) {
    let sent: enums::auth::SentCode = ok(
        w,
        key,
        &f::auth::SendCode {
            phone_number: ALICE_PHONE.into(),
            api_id: 1,
            api_hash: "0".repeat(32),
            settings: code_settings(),
        },
    );
    let enums::auth::SentCode::SentCode(sent) = sent else {
        panic!("{sent:?}")
    };
    err(
        w,
        key,
        &f::auth::SignIn {
            phone_number: ALICE_PHONE.into(),
            phone_code_hash: sent.phone_code_hash,
            phone_code: Some("22222".into()),
            email_verification: None,
        },
    )
}

fn get_password(w: &mut World, key: u64) -> types::account::Password {
    let enums::account::Password::Password(pw) = ok(w, key, &f::account::GetPassword {});
    *pw
}

fn check(
    w: &mut World,
    key: u64,
    srp: types::InputCheckPasswordSrp,
) -> ferrogram_testdc::api::Answer {
    call(
        w,
        key,
        &f::auth::CheckPassword {
            password: enums::InputCheckPasswordSrp::InputCheckPasswordSrp(srp),
        },
    )
}

fn get_self(w: &mut World, key: u64) -> Result<Vec<u8>, (i32, String)> {
    call(
        w,
        key,
        &f::users::GetUsers {
            id: vec![enums::InputUser::InputUserSelf(types::InputUserSelf {})],
        },
    )
    .result
    .map_err(|e| (e.code, e.message))
}

#[test]
fn code_then_password_logs_in() {
    let mut w = world_with_password();
    assert_eq!(
        give_code(&mut w, ALICE_KEY),
        (401, "SESSION_PASSWORD_NEEDED".into())
    );
    // Not logged in yet.
    assert_eq!(
        get_self(&mut w, ALICE_KEY),
        Err((401, "AUTH_KEY_UNREGISTERED".into()))
    );
    let pw = get_password(&mut w, ALICE_KEY);
    assert!(pw.has_password);
    assert_eq!(pw.hint.as_deref(), Some("the usual"));
    let Some(enums::PasswordKdfAlgo::Sha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow(algo)) =
        &pw.current_algo
    else {
        panic!("{:?}", pw.current_algo)
    };
    assert_eq!((algo.g, &algo.p[..]), (3, &TELEGRAM_DH_PRIME[..]));
    assert_eq!(pw.srp_b.as_ref().map(Vec::len), Some(256));
    assert_eq!(pw.secure_random.len(), 32);

    let answer = check(
        &mut w,
        ALICE_KEY,
        client_proof(&pw, "hunter2", &[0x5a; 256]),
    );
    let bytes = answer.result.expect("the right password is accepted");
    let enums::auth::Authorization::Authorization(auth) =
        <enums::auth::Authorization as ferrogram_tl_types::TlRead>::from_bytes(&bytes).unwrap()
    else {
        panic!("sign-up required?")
    };
    let enums::User::User(me) = &auth.user else {
        panic!("{:?}", auth.user)
    };
    assert_eq!((me.id, me.self_), (FIRST_USER_ID, true));
    assert_eq!(w.logged_in(ALICE_KEY), Some(FIRST_USER_ID));
    assert!(get_self(&mut w, ALICE_KEY).is_ok());
    // Once in, a second check is refused as Telegram does.
    let pw2 = get_password(&mut w, ALICE_KEY);
    assert_eq!(
        check(&mut w, ALICE_KEY, client_proof(&pw2, "hunter2", &[1; 256]))
            .result
            .unwrap_err()
            .message,
        "SESSION_PASSWORD_NOT_NEEDED"
    );
}

#[test]
fn a_wrong_password_or_a_stale_srp_id_is_refused() {
    let mut w = world_with_password();
    give_code(&mut w, ALICE_KEY);
    let pw = get_password(&mut w, ALICE_KEY);
    let wrong = check(
        &mut w,
        ALICE_KEY,
        client_proof(&pw, "hunter3", &[0x33; 256]),
    );
    assert_eq!(
        wrong.result.unwrap_err(),
        ferrogram_testdc::api::ApiError {
            code: 400,
            message: "PASSWORD_HASH_INVALID".into()
        }
    );
    assert_eq!(w.logged_in(ALICE_KEY), None);

    // A proof for an earlier srp_id, after another getPassword issued a new one.
    let newer = get_password(&mut w, ALICE_KEY);
    assert_ne!(newer.srp_id, pw.srp_id);
    assert_ne!(newer.srp_b, pw.srp_b);
    let stale = check(
        &mut w,
        ALICE_KEY,
        client_proof(&pw, "hunter2", &[0x33; 256]),
    );
    assert_eq!(stale.result.unwrap_err().message, "SRP_ID_INVALID");
    // An A outside 1 < A < p - 1, with the current srp_id.
    let mut bad_a = client_proof(&newer, "hunter2", &[0x44; 256]);
    bad_a.a = TELEGRAM_DH_PRIME.to_vec();
    assert_eq!(
        check(&mut w, ALICE_KEY, bad_a).result.unwrap_err().message,
        "PASSWORD_HASH_INVALID"
    );
    // inputCheckPasswordEmpty is a wrong password too.
    let empty = call(
        &mut w,
        ALICE_KEY,
        &f::auth::CheckPassword {
            password: enums::InputCheckPasswordSrp::InputCheckPasswordEmpty(
                types::InputCheckPasswordEmpty {},
            ),
        },
    );
    assert_eq!(empty.result.unwrap_err().message, "PASSWORD_HASH_INVALID");
    // The current challenge still works with the right password.
    assert!(
        check(
            &mut w,
            ALICE_KEY,
            client_proof(&newer, "hunter2", &[0x44; 256])
        )
        .result
        .is_ok()
    );
    assert_eq!(w.logged_in(ALICE_KEY), Some(FIRST_USER_ID));
}

#[test]
fn without_a_password_or_a_code_there_is_nothing_to_check() {
    // A key that gave no code may not ask for the password nor check one.
    let mut w = world_with_password();
    assert_eq!(
        err(&mut w, BOB_KEY, &f::account::GetPassword {}),
        (401, "AUTH_KEY_UNREGISTERED".into())
    );
    let pw = {
        let mut other = world_with_password();
        give_code(&mut other, ALICE_KEY);
        get_password(&mut other, ALICE_KEY)
    };
    assert_eq!(
        check(&mut w, BOB_KEY, client_proof(&pw, "hunter2", &[9; 256]))
            .result
            .unwrap_err()
            .code,
        401
    );

    // No password configured: the code alone logs in, and getPassword says so.
    let mut plain = World::new();
    let sent: enums::auth::SentCode = ok(
        &mut plain,
        ALICE_KEY,
        &f::auth::SendCode {
            phone_number: ALICE_PHONE.into(),
            api_id: 1,
            api_hash: "0".repeat(32),
            settings: code_settings(),
        },
    );
    let enums::auth::SentCode::SentCode(sent) = sent else {
        panic!()
    };
    let _: enums::auth::Authorization = ok(
        &mut plain,
        ALICE_KEY,
        &f::auth::SignIn {
            phone_number: ALICE_PHONE.into(),
            phone_code_hash: sent.phone_code_hash,
            phone_code: Some("22222".into()),
            email_verification: None,
        },
    );
    let pw = get_password(&mut plain, ALICE_KEY);
    assert!(!pw.has_password);
    assert_eq!((pw.current_algo, pw.srp_b, pw.srp_id), (None, None, None));
    assert!(matches!(
        pw.new_algo,
        enums::PasswordKdfAlgo::Sha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow(_)
    ));
}
