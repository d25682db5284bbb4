//! 2FA: `account.getPassword` and `auth.checkPassword` (api/srp.md), over [`crate::srp`].

use ferrogram_tl_types::functions as f;
use ferrogram_tl_types::{enums, types};

use super::objects::authorization;
use super::{ApiError, Caller, encode, internal};
use crate::srp::{CheckError, SRP_G};
use crate::world::World;
use ferrogram_mtproto_proto::auth_key::dh::TELEGRAM_DH_PRIME;

/// The account a key asks about: the one it is logged in as, or the one it gave the login
/// code for and now must prove the password of.
fn subject(world: &World, c: &Caller) -> Result<i64, ApiError> {
    world
        .logged_in(c.auth_key_id)
        .or_else(|| world.pending_2fa(c.auth_key_id))
        .ok_or_else(|| ApiError::new(401, "AUTH_KEY_UNREGISTERED"))
}

fn algo(salt1: Vec<u8>, salt2: Vec<u8>) -> enums::PasswordKdfAlgo {
    enums::PasswordKdfAlgo::Sha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow(
        types::PasswordKdfAlgoSha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow {
            salt1,
            salt2,
            g: SRP_G,
            p: TELEGRAM_DH_PRIME.to_vec(),
        },
    )
}

/// `account.getPassword`: the SRP parameters and a fresh `srp_B`/`srp_id` if the account has
/// a password; otherwise `has_password` clear and the algorithm a new password would use.
pub(super) fn get_password(world: &mut World, c: &Caller) -> Result<Vec<u8>, ApiError> {
    let user = subject(world, c)?;
    let mut secure_random = vec![0u8; 32];
    world.random_bytes(&mut secure_random);
    let mut new_salt1 = vec![0u8; 8];
    world.random_bytes(&mut new_salt1);
    let mut new_salt2 = vec![0u8; 16];
    world.random_bytes(&mut new_salt2);
    let mut secure_salt = vec![0u8; 8];
    world.random_bytes(&mut secure_salt);
    let challenge = world.new_challenge(user);
    let pw = world.password(user);
    let (current_algo, srp_b, srp_id, hint) = match (pw, challenge) {
        (Some(pw), Some(ch)) => (
            Some(algo(pw.verifier.salt1.clone(), pw.verifier.salt2.clone())),
            Some(ch.g_b.to_vec()),
            Some(ch.srp_id),
            pw.hint.clone(),
        ),
        _ => (None, None, None, None),
    };
    encode(&enums::account::Password::Password(Box::new(
        types::account::Password {
            has_recovery: false,
            has_secure_values: false,
            has_password: current_algo.is_some(),
            current_algo,
            srp_b,
            srp_id,
            hint,
            email_unconfirmed_pattern: None,
            new_algo: algo(new_salt1, new_salt2),
            new_secure_algo: enums::SecurePasswordKdfAlgo::Pbkdf2Hmacsha512iter100000(
                types::SecurePasswordKdfAlgoPbkdf2Hmacsha512iter100000 { salt: secure_salt },
            ),
            secure_random,
            pending_reset_date: None,
            login_email_pattern: None,
        },
    )))
}

/// `auth.checkPassword`: verifies `M1` against the last challenge of the account the key
/// gave the login code for, and logs the key in (the challenge is then spent).
pub(super) fn check_password(
    world: &mut World,
    c: &Caller,
    call: &f::auth::CheckPassword,
) -> Result<Vec<u8>, ApiError> {
    if world.logged_in(c.auth_key_id).is_some() {
        // Telegram answers so for a key that is already signed in.
        return Err(ApiError::new(400, "SESSION_PASSWORD_NOT_NEEDED"));
    }
    let user = world
        .pending_2fa(c.auth_key_id)
        .ok_or_else(|| ApiError::new(401, "AUTH_KEY_UNREGISTERED"))?;
    let Some(pw) = world.password(user) else {
        return Err(ApiError::new(400, "PASSWORD_HASH_INVALID"));
    };
    let enums::InputCheckPasswordSrp::InputCheckPasswordSrp(srp) = &call.password else {
        return Err(ApiError::new(400, "PASSWORD_HASH_INVALID"));
    };
    let Some(challenge) = pw.challenge.as_ref().filter(|ch| ch.srp_id == srp.srp_id) else {
        return Err(ApiError::new(400, "SRP_ID_INVALID"));
    };
    match challenge.check(&pw.verifier, &srp.a, &srp.m1) {
        Ok(()) => {}
        Err(CheckError::BadA | CheckError::Mismatch) => {
            return Err(ApiError::new(400, "PASSWORD_HASH_INVALID"));
        }
    }
    world.end_challenge(user);
    world.log_in(c.auth_key_id, user);
    let me = world.account(user).cloned().ok_or_else(internal)?;
    authorization(&me)
}
