//! Several DCs over one world, called on the API slice directly: the config lists them,
//! logins move with auth.exportAuthorization / importAuthorization, and users are sent to
//! their home DC (`303 USER_MIGRATE_X`, `PHONE_MIGRATE_X`).

mod common;

use common::*;
use ferrogram_testdc::world::{FIRST_USER_ID, World};
use ferrogram_tl_types::functions as f;
use ferrogram_tl_types::{TlRead, enums, types};

const ALICE: i64 = FIRST_USER_ID;
const ALICE_PHONE: &str = "15550000001";

fn cluster() -> World {
    let mut w = World::new();
    w.set_dcs(vec![(3, 44303), (1, 44301), (2, 44302)]);
    w
}

fn get_self() -> f::users::GetUsers {
    f::users::GetUsers {
        id: vec![enums::InputUser::InputUserSelf(types::InputUserSelf {})],
    }
}

fn send_code(phone: &str) -> f::auth::SendCode {
    f::auth::SendCode {
        phone_number: phone.into(),
        api_id: 1,
        api_hash: "0".repeat(32),
        settings: enums::CodeSettings::CodeSettings(types::CodeSettings {
            allow_flashcall: false,
            current_number: false,
            allow_app_hash: false,
            allow_missed_call: false,
            allow_firebase: false,
            unknown_number: false,
            logout_tokens: None,
            token: None,
            app_sandbox: None,
        }),
    }
}

fn user_of(auth: enums::auth::Authorization) -> i64 {
    let enums::auth::Authorization::Authorization(a) = auth else {
        panic!("sign-up required")
    };
    let enums::User::User(u) = a.user else {
        panic!()
    };
    u.id
}

#[test]
fn config_lists_every_dc_of_the_cluster() {
    let mut w = cluster();
    let enums::Config::Config(cfg) = ok_at(&mut w, 3, BOT_KEY, &f::help::GetConfig {});
    assert_eq!(cfg.this_dc, 3);
    let listed: Vec<(i32, String, i32)> = cfg
        .dc_options
        .iter()
        .map(|enums::DcOption::DcOption(d)| (d.id, d.ip_address.clone(), d.port))
        .collect();
    let local = || "127.0.0.1".to_string();
    assert_eq!(
        listed,
        [
            (1, local(), 44301),
            (2, local(), 44302),
            (3, local(), 44303)
        ]
    );
}

#[test]
fn export_and_import_move_a_login_to_another_dc() {
    let mut w = cluster();
    let export = |dc_id| f::auth::ExportAuthorization { dc_id };
    assert_eq!(err_at(&mut w, 2, ALICE_KEY, &export(3)).0, 401);
    w.log_in(ALICE_KEY, ALICE);
    for bad in [2, 4, 9] {
        assert_eq!(
            err_at(&mut w, 2, ALICE_KEY, &export(bad)),
            (400, "DC_ID_INVALID".into()),
            "export to DC {bad}"
        );
    }
    let enums::auth::ExportedAuthorization::ExportedAuthorization(token) =
        ok_at(&mut w, 2, ALICE_KEY, &export(3));
    assert_eq!(token.id, ALICE);
    let import = |id, bytes: &[u8]| f::auth::ImportAuthorization {
        id,
        bytes: bytes.to_vec(),
    };
    const K1: u64 = 0x1001;
    const K3: u64 = 0x3003;
    let invalid = (400, "AUTH_BYTES_INVALID".to_string());
    // Not at DC 1 (it was exported for 3), not for another id, not with other bytes.
    assert_eq!(err_at(&mut w, 1, K1, &import(ALICE, &token.bytes)), invalid);
    assert_eq!(
        err_at(&mut w, 3, K3, &import(ALICE + 1, &token.bytes)),
        invalid
    );
    let mut forged = token.bytes.clone();
    forged[0] ^= 1;
    assert_eq!(err_at(&mut w, 3, K3, &import(ALICE, &forged)), invalid);
    assert_eq!(w.logged_in(K3), None);
    let auth: enums::auth::Authorization = ok_at(&mut w, 3, K3, &import(ALICE, &token.bytes));
    assert_eq!(user_of(auth), ALICE);
    assert_eq!(w.logged_in(K3), Some(ALICE));
    // Once only.
    assert_eq!(
        err_at(&mut w, 3, 0x3333, &import(ALICE, &token.bytes)),
        invalid
    );
}

#[test]
fn calls_away_from_home_answer_user_migrate() {
    let mut w = cluster();
    const K3: u64 = 0x3003;
    w.log_in(ALICE_KEY, ALICE);
    w.log_in(K3, ALICE);
    // Home (DC 2): served.
    let _: Vec<enums::User> = ok_at(&mut w, 2, ALICE_KEY, &get_self());
    // DC 3: users.* is not, help.* and upload.* are.
    assert_eq!(
        err_at(&mut w, 3, K3, &get_self()),
        (303, "USER_MIGRATE_2".into())
    );
    let _: enums::Config = ok_at(&mut w, 3, K3, &f::help::GetConfig {});
    // Moving her home moves the answer.
    w.set_home_dc(ALICE, 3);
    let _: Vec<enums::User> = ok_at(&mut w, 3, K3, &get_self());
    assert_eq!(
        err_at(&mut w, 2, ALICE_KEY, &get_self()),
        (303, "USER_MIGRATE_3".into())
    );
    // A bot logging in away from its home is sent there too.
    let (bot, token) = w.create_bot("Away", "away_bot");
    w.set_home_dc(bot, 1);
    let import = f::auth::ImportBotAuthorization {
        flags: 0,
        api_id: 1,
        api_hash: "0".repeat(32),
        bot_auth_token: token,
    };
    assert_eq!(
        err_at(&mut w, 2, BOT_KEY, &import),
        (303, "USER_MIGRATE_1".into())
    );
    let auth: enums::auth::Authorization = ok_at(&mut w, 1, BOT_KEY, &import);
    assert_eq!(user_of(auth), bot);
}

#[test]
fn a_login_away_from_home_answers_phone_migrate() {
    let mut w = cluster();
    w.set_home_dc(ALICE, 3);
    assert_eq!(
        err_at(&mut w, 2, ALICE_KEY, &send_code(ALICE_PHONE)),
        (303, "PHONE_MIGRATE_3".into())
    );
    let enums::auth::SentCode::SentCode(sent) =
        ok_at(&mut w, 3, ALICE_KEY, &send_code(ALICE_PHONE))
    else {
        panic!()
    };
    let sign_in = |code: &str| f::auth::SignIn {
        phone_number: ALICE_PHONE.into(),
        phone_code_hash: sent.phone_code_hash.clone(),
        phone_code: Some(code.into()),
        email_verification: None,
    };
    // The code hash is good cluster-wide, but the login itself is only at home.
    assert_eq!(
        err_at(&mut w, 1, 0x1001, &sign_in("11111")),
        (303, "PHONE_MIGRATE_3".into())
    );
    let auth: enums::auth::Authorization = ok_at(&mut w, 3, ALICE_KEY, &sign_in("33333"));
    assert_eq!(user_of(auth), ALICE);

    // A new phone signs up wherever it asked, and that DC is its home.
    const NEW_KEY: u64 = 0x1234;
    let enums::auth::SentCode::SentCode(sent) =
        ok_at(&mut w, 1, NEW_KEY, &send_code("15550009999"))
    else {
        panic!()
    };
    let auth: enums::auth::Authorization = ok_at(
        &mut w,
        1,
        NEW_KEY,
        &f::auth::SignUp {
            no_joined_notifications: false,
            phone_number: "15550009999".into(),
            phone_code_hash: sent.phone_code_hash,
            first_name: "Carol".into(),
            last_name: String::new(),
        },
    );
    let carol = user_of(auth);
    assert_eq!(w.account(carol).unwrap().home_dc, 1);
    assert_eq!(
        err_at(&mut w, 2, 0x2222, &send_code("15550009999")),
        (303, "PHONE_MIGRATE_1".into())
    );
    // Alone, a DC serves every account whatever its home.
    let mut single = World::new();
    single.set_dcs(vec![(1, 44301)]);
    let _ = enums::auth::SentCode::from_bytes(
        &call_at(&mut single, 1, ALICE_KEY, &send_code(ALICE_PHONE))
            .result
            .unwrap(),
    )
    .unwrap();
}
