//! Several DCs over one world: every account has a home DC ([`Account::home_dc`]); away from
//! it a user may log in only by importing an authorization exported at home, and then call
//! `help.*`, `auth.*` and `upload.*` (file traffic, as clients' media sessions do) there;
//! anything else answers `303 USER_MIGRATE_<home>`, as Telegram does. A world whose cluster
//! has one DC (or none recorded) never sends anyone elsewhere.

use ferrogram_tl_types::functions as f;
use ferrogram_tl_types::{enums, types};

use super::objects::authorization;
use super::{ApiError, Caller, encode, internal, name_of};
use crate::world::{Account, World};

/// `Err(303 <error>_<home>)` if `user`'s home is another DC of the cluster.
pub(super) fn home_or_migrate(
    world: &World,
    c: &Caller,
    user: i64,
    error: &str,
) -> Result<(), ApiError> {
    match world.account(user) {
        Some(acc) if acc.home_dc != c.dc_id && world.has_dc(acc.home_dc) => {
            Err(ApiError::new(303, format!("{error}_{}", acc.home_dc)))
        }
        _ => Ok(()),
    }
}

/// Whether a method is served to a user away from their home DC.
fn served_away(function: u32) -> bool {
    let name = name_of(function);
    name.starts_with("help.") || name.starts_with("auth.") || name.starts_with("upload.")
}

/// Before any method: a logged-in user away from home gets `USER_MIGRATE_X` except for
/// [`served_away`] methods.
pub(super) fn check_home(world: &World, c: &Caller, function: u32) -> Result<(), ApiError> {
    let Some(user) = world.logged_in(c.auth_key_id) else {
        return Ok(());
    };
    if served_away(function) {
        return Ok(());
    }
    home_or_migrate(world, c, user, "USER_MIGRATE")
}

/// `auth.exportAuthorization`: a one-time token to log in as the caller on DC `dc_id`
/// (another DC of the cluster; `400 DC_ID_INVALID` otherwise).
pub(super) fn export_authorization(
    world: &mut World,
    c: &Caller,
    call: &f::auth::ExportAuthorization,
) -> Result<Vec<u8>, ApiError> {
    let me: Account = super::me(world, c)?;
    if call.dc_id == c.dc_id || !world.has_dc(call.dc_id) {
        return Err(ApiError::new(400, "DC_ID_INVALID"));
    }
    let bytes = world.export_authorization(me.id, call.dc_id);
    encode(&enums::auth::ExportedAuthorization::ExportedAuthorization(
        types::auth::ExportedAuthorization { id: me.id, bytes },
    ))
}

/// `auth.importAuthorization`: logs the key in as the user a token was exported for, if it
/// was exported for this DC and not used yet (`400 AUTH_BYTES_INVALID` otherwise).
pub(super) fn import_authorization(
    world: &mut World,
    c: &Caller,
    call: &f::auth::ImportAuthorization,
) -> Result<Vec<u8>, ApiError> {
    let user = world
        .import_authorization(call.id, &call.bytes, c.dc_id)
        .ok_or_else(|| ApiError::new(400, "AUTH_BYTES_INVALID"))?;
    world.log_in(c.auth_key_id, user);
    let me = world.account(user).cloned().ok_or_else(internal)?;
    authorization(&me)
}
