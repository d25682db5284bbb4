//! The API slice the test DC answers: a query's bytes in, a result's bytes (or an RPC error
//! with Telegram's name for it) out, plus updates to push to other logged-in keys.
//!
//! Wrappers (`invokeWithLayer`, `initConnection`, `invokeWithoutUpdates`, `invokeAfterMsg`)
//! are unwrapped first. Served today:
//!
//! - `help.getConfig`, `help.getNearestDc`;
//! - `auth.sendCode` / `auth.signIn` / `auth.signUp` (the code is [`login_code`]: the DC's
//!   digit five times), `auth.importBotAuthorization`, `auth.logOut`;
//! - 2FA: `account.getPassword`, `auth.checkPassword` (SRP, see [`crate::srp`]); `auth.signIn`
//!   for an account with a password answers `401 SESSION_PASSWORD_NEEDED`;
//! - several DCs (`dcs.rs`): `auth.exportAuthorization`, `auth.importAuthorization`;
//!   `303 USER_MIGRATE_X` for a user's calls away from their home DC, `PHONE_MIGRATE_X`
//!   for a login there, `FILE_MIGRATE_X` for a document stored on another DC;
//! - `users.getUsers`, `users.getFullUser`, `contacts.resolveUsername`;
//! - `updates.getState`, `updates.getDifference`;
//! - `messages.sendMessage`, `messages.sendMedia` (an uploaded or stored document),
//!   `messages.getHistory`, `messages.getMessages`, `messages.getDialogs` (private chats);
//! - `upload.saveFilePart`, `upload.saveBigFilePart`, `upload.getFile` (documents).
//!
//! Any other method is answered `400 INPUT_METHOD_INVALID` naming it, never with silence.

use ferrogram_tl_types::functions::{
    self as f, InitConnection, InvokeAfterMsg, InvokeWithLayer, InvokeWithoutUpdates,
};
use ferrogram_tl_types::{AnyFunction, TlRead, TlWrite, enums, types};
use std::borrow::Cow;

use crate::world::{Account, World, normalize_phone};

mod dcs;
mod history;
mod objects;
mod password;
mod upload;

use objects::{authorization, full_user, stored_message, users_of};
pub use objects::{config, user};

/// Who is calling, and when.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    /// The caller's auth key id.
    pub auth_key_id: u64,
    /// Server time, Unix seconds.
    pub now: i32,
    /// This DC's id.
    pub dc_id: i32,
    /// This DC's port on 127.0.0.1 (for `help.getConfig`).
    pub port: u16,
}

/// An RPC error: Telegram's code and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// 400, 401, 403, 420, 500, …
    pub code: i32,
    /// E.g. `AUTH_KEY_UNREGISTERED`, `FLOOD_WAIT_30`.
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(code: i32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// An update for another logged-in auth key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Push {
    /// The key to deliver it to.
    pub auth_key_id: u64,
    /// The serialized `Updates` object.
    pub update: Vec<u8>,
}

/// What a call produced.
#[derive(Debug)]
pub struct Answer {
    /// The result's bytes, or the error.
    pub result: Result<Vec<u8>, ApiError>,
    /// Updates for other keys.
    pub pushes: Vec<Push>,
}

/// The TL name of a function id, for error messages.
fn name_of(id: u32) -> &'static str {
    ferrogram_tl_types::names::name_of(id).unwrap_or("an unknown function")
}

fn id_of(query: &[u8]) -> u32 {
    query
        .get(..4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

pub(crate) fn decode<T: TlRead>(query: &[u8]) -> Result<T, ApiError> {
    T::from_bytes(query).map_err(|e| ApiError::new(400, format!("INPUT_REQUEST_INVALID: {e}")))
}

pub(crate) fn encode(value: &impl TlWrite) -> Result<Vec<u8>, ApiError> {
    value
        .to_bytes()
        .map_err(|e| ApiError::new(500, format!("INTERNAL: {e}")))
}

/// Whether `id` is one of the wrappers [`unwrap`] strips.
fn is_wrapper(id: u32) -> bool {
    matches!(
        id,
        InvokeWithLayer::<AnyFunction>::CONSTRUCTOR_ID
            | InitConnection::<AnyFunction>::CONSTRUCTOR_ID
            | InvokeWithoutUpdates::<AnyFunction>::CONSTRUCTOR_ID
            | InvokeAfterMsg::<AnyFunction>::CONSTRUCTOR_ID
    )
}

/// Strips the wrappers a client puts around its real query.
pub fn unwrap(query: &[u8]) -> Result<Cow<'_, [u8]>, ApiError> {
    if !is_wrapper(id_of(query)) {
        // Most queries come bare: no copy.
        return Ok(Cow::Borrowed(query));
    }
    let mut q = query.to_vec();
    for _ in 0..8 {
        q = match id_of(&q) {
            InvokeWithLayer::<AnyFunction>::CONSTRUCTOR_ID => {
                decode::<InvokeWithLayer<AnyFunction>>(&q)?.query.0
            }
            InitConnection::<AnyFunction>::CONSTRUCTOR_ID => {
                decode::<InitConnection<AnyFunction>>(&q)?.query.0
            }
            InvokeWithoutUpdates::<AnyFunction>::CONSTRUCTOR_ID => {
                decode::<InvokeWithoutUpdates<AnyFunction>>(&q)?.query.0
            }
            InvokeAfterMsg::<AnyFunction>::CONSTRUCTOR_ID => {
                decode::<InvokeAfterMsg<AnyFunction>>(&q)?.query.0
            }
            _ => return Ok(Cow::Owned(q)),
        };
    }
    Err(ApiError::new(
        400,
        "INPUT_REQUEST_INVALID: wrappers nested too deep",
    ))
}

/// Whether a query makes its session the one updates go to: not when wrapped in
/// `invokeWithoutUpdates`, nor for `upload.*` (clients send those from media sessions).
pub fn wants_updates(query: &[u8]) -> bool {
    if !is_wrapper(id_of(query)) {
        return !name_of(id_of(query)).starts_with("upload.");
    }
    let mut q = query.to_vec();
    for _ in 0..8 {
        q = match id_of(&q) {
            InvokeWithoutUpdates::<AnyFunction>::CONSTRUCTOR_ID => return false,
            InvokeWithLayer::<AnyFunction>::CONSTRUCTOR_ID => {
                match decode::<InvokeWithLayer<AnyFunction>>(&q) {
                    Ok(w) => w.query.0,
                    Err(_) => return false,
                }
            }
            InitConnection::<AnyFunction>::CONSTRUCTOR_ID => {
                match decode::<InitConnection<AnyFunction>>(&q) {
                    Ok(w) => w.query.0,
                    Err(_) => return false,
                }
            }
            InvokeAfterMsg::<AnyFunction>::CONSTRUCTOR_ID => {
                match decode::<InvokeAfterMsg<AnyFunction>>(&q) {
                    Ok(w) => w.query.0,
                    Err(_) => return false,
                }
            }
            id => return !name_of(id).starts_with("upload."),
        };
    }
    false
}

/// Answers one query (wrappers included).
pub fn call(world: &mut World, caller: &Caller, query: &[u8]) -> Answer {
    let mut pushes = Vec::new();
    let result = unwrap(query).and_then(|q| {
        dcs::check_home(world, caller, id_of(&q))?;
        dispatch(world, caller, &q, &mut pushes)
    });
    Answer { result, pushes }
}

fn dispatch(
    world: &mut World,
    c: &Caller,
    q: &[u8],
    pushes: &mut Vec<Push>,
) -> Result<Vec<u8>, ApiError> {
    match id_of(q) {
        f::help::GetConfig::CONSTRUCTOR_ID => encode(&config(c, world.dcs(), world.test_mode())),
        f::help::GetNearestDc::CONSTRUCTOR_ID => {
            encode(&enums::NearestDc::NearestDc(types::NearestDc {
                country: "XX".into(),
                this_dc: c.dc_id,
                nearest_dc: c.dc_id,
            }))
        }
        f::auth::ImportBotAuthorization::CONSTRUCTOR_ID => {
            let call: f::auth::ImportBotAuthorization = decode(q)?;
            let Some(bot) = world.bot_by_token(&call.bot_auth_token) else {
                return Err(ApiError::new(401, "ACCESS_TOKEN_INVALID"));
            };
            dcs::home_or_migrate(world, c, bot, "USER_MIGRATE")?;
            world.log_in(c.auth_key_id, bot);
            let me = world.account(bot).cloned().ok_or_else(internal)?;
            authorization(&me)
        }
        f::auth::SendCode::CONSTRUCTOR_ID => {
            let call: f::auth::SendCode = decode(q)?;
            if normalize_phone(&call.phone_number).len() < 5 {
                return Err(ApiError::new(400, "PHONE_NUMBER_INVALID"));
            }
            if let Some(user) = world.user_by_phone(&call.phone_number) {
                dcs::home_or_migrate(world, c, user, "PHONE_MIGRATE")?;
            }
            let hash = world.send_code(&call.phone_number);
            encode(&enums::auth::SentCode::SentCode(types::auth::SentCode {
                r#type: enums::auth::SentCodeType::App(types::auth::SentCodeTypeApp {
                    length: LOGIN_CODE_LEN,
                }),
                phone_code_hash: hash,
                next_type: None,
                timeout: None,
            }))
        }
        f::auth::SignIn::CONSTRUCTOR_ID => {
            let call: f::auth::SignIn = decode(q)?;
            let phone = check_code(world, c, &call.phone_number, &call.phone_code_hash)?;
            match call.phone_code.as_deref() {
                None | Some("") => return Err(ApiError::new(400, "PHONE_CODE_EMPTY")),
                Some(code) if code != login_code(c.dc_id) => {
                    return Err(ApiError::new(400, "PHONE_CODE_INVALID"));
                }
                Some(_) => {}
            }
            if let Some(id) = world.user_by_phone(&phone) {
                dcs::home_or_migrate(world, c, id, "PHONE_MIGRATE")?;
            }
            match world.user_by_phone(&phone) {
                Some(id) if world.password(id).is_some() => {
                    world.begin_2fa(c.auth_key_id, id);
                    Err(ApiError::new(401, "SESSION_PASSWORD_NEEDED"))
                }
                Some(id) => {
                    world.log_in(c.auth_key_id, id);
                    let me = world.account(id).cloned().ok_or_else(internal)?;
                    authorization(&me)
                }
                None => encode(&enums::auth::Authorization::SignUpRequired(
                    types::auth::AuthorizationSignUpRequired {
                        terms_of_service: None,
                    },
                )),
            }
        }
        f::auth::SignUp::CONSTRUCTOR_ID => {
            let call: f::auth::SignUp = decode(q)?;
            let phone = check_code(world, c, &call.phone_number, &call.phone_code_hash)?;
            if call.first_name.trim().is_empty() {
                return Err(ApiError::new(400, "FIRSTNAME_INVALID"));
            }
            if world.user_by_phone(&phone).is_some() {
                return Err(ApiError::new(400, "PHONE_NUMBER_OCCUPIED"));
            }
            let id = world.create_user(call.first_name.trim(), &phone);
            // A new account lives where it signed up.
            world.set_home_dc(id, c.dc_id);
            world.log_in(c.auth_key_id, id);
            let me = world.account(id).cloned().ok_or_else(internal)?;
            authorization(&me)
        }
        f::account::GetPassword::CONSTRUCTOR_ID => password::get_password(world, c),
        f::auth::CheckPassword::CONSTRUCTOR_ID => {
            let call: f::auth::CheckPassword = decode(q)?;
            password::check_password(world, c, &call)
        }
        f::auth::ExportAuthorization::CONSTRUCTOR_ID => {
            let call: f::auth::ExportAuthorization = decode(q)?;
            dcs::export_authorization(world, c, &call)
        }
        f::auth::ImportAuthorization::CONSTRUCTOR_ID => {
            let call: f::auth::ImportAuthorization = decode(q)?;
            dcs::import_authorization(world, c, &call)
        }
        f::auth::LogOut::CONSTRUCTOR_ID => {
            me(world, c)?;
            world.log_out(c.auth_key_id);
            encode(&enums::auth::LoggedOut::LoggedOut(types::auth::LoggedOut {
                future_auth_token: None,
            }))
        }
        f::users::GetUsers::CONSTRUCTOR_ID => {
            let call: f::users::GetUsers = decode(q)?;
            let me = me(world, c)?;
            let mut out = Vec::new();
            for input in &call.id {
                if let Some(acc) = resolve_user(world, &me, input)? {
                    out.push(user(&acc, acc.id == me.id)?);
                }
            }
            encode(&out)
        }
        f::users::GetFullUser::CONSTRUCTOR_ID => {
            let call: f::users::GetFullUser = decode(q)?;
            let me = me(world, c)?;
            let acc = resolve_user(world, &me, &call.id)?
                .ok_or_else(|| ApiError::new(400, "USER_ID_INVALID"))?;
            encode(&enums::users::UserFull::UserFull(types::users::UserFull {
                full_user: full_user(acc.id)?,
                chats: Vec::new(),
                users: vec![user(&acc, acc.id == me.id)?],
            }))
        }
        f::updates::GetState::CONSTRUCTOR_ID => {
            let me = me(world, c)?;
            encode(&enums::updates::State::State(types::updates::State {
                pts: world.pts(me.id),
                qts: 0,
                date: c.now,
                seq: 0,
                unread_count: 0,
            }))
        }
        f::updates::GetDifference::CONSTRUCTOR_ID => {
            let call: f::updates::GetDifference = decode(q)?;
            let me = me(world, c)?;
            difference(world, c, &me, call.pts)
        }
        f::messages::SendMessage::CONSTRUCTOR_ID => {
            let call: f::messages::SendMessage = decode(q)?;
            let (me_id, to_id) = {
                let me = me_ref(world, c)?;
                let to = resolve_peer_ref(world, me, &call.peer)?;
                if call.message.trim().is_empty() {
                    return Err(ApiError::new(400, "MESSAGE_EMPTY"));
                }
                if call.message.chars().count() > 4096 {
                    return Err(ApiError::new(400, "MESSAGE_TOO_LONG"));
                }
                check_entities(world, me, &call.message, call.entities.as_deref())?;
                if let Some((sent, date, to_id, text)) =
                    world.sent_with_random_id(me.id, call.random_id)
                {
                    // As Telegram does: a repeated random_id (a re-sent request whose answer
                    // was lost) stores nothing; the answer names the message sent the first
                    // time.
                    return objects::repeated_send(
                        world,
                        me,
                        call.random_id,
                        *sent,
                        *date,
                        *to_id,
                        text,
                    )
                    .and_then(|u| encode(&u));
                }
                (me.id, to.id)
            };
            let (sent, to_push) = text_message(
                world,
                me_id,
                to_id,
                c.now,
                &call.message,
                call.entities.clone().unwrap_or_default(),
                call.silent,
            )?;
            world.remember_random_id(me_id, call.random_id, sent, c.now, to_id, &call.message);
            pushes.extend(to_push);
            encode(&enums::Updates::UpdateShortSentMessage(
                types::UpdateShortSentMessage {
                    out: true,
                    id: sent.id,
                    pts: sent.pts,
                    pts_count: 1,
                    date: c.now,
                    media: None,
                    entities: None,
                    ttl_period: None,
                },
            ))
        }
        f::contacts::ResolveUsername::CONSTRUCTOR_ID => {
            let call: f::contacts::ResolveUsername = decode(q)?;
            let me = me(world, c)?;
            history::resolve_username(world, &me, &call)
        }
        f::messages::GetHistory::CONSTRUCTOR_ID => {
            let call: f::messages::GetHistory = decode(q)?;
            let me = me(world, c)?;
            history::get_history(world, &me, &call)
        }
        f::messages::GetMessages::CONSTRUCTOR_ID => {
            let call: f::messages::GetMessages = decode(q)?;
            let me = me(world, c)?;
            history::get_messages(world, &me, &call)
        }
        f::messages::GetDialogs::CONSTRUCTOR_ID => {
            let call: f::messages::GetDialogs = decode(q)?;
            let me = me(world, c)?;
            history::get_dialogs(world, &me, &call)
        }
        f::upload::SaveFilePart::CONSTRUCTOR_ID => {
            let call: f::upload::SaveFilePart = decode(q)?;
            let me = me(world, c)?;
            upload::save_part(world, &me, call.file_id, call.file_part, None, &call.bytes)
        }
        f::upload::SaveBigFilePart::CONSTRUCTOR_ID => {
            let call: f::upload::SaveBigFilePart = decode(q)?;
            let me = me(world, c)?;
            upload::save_part(
                world,
                &me,
                call.file_id,
                call.file_part,
                Some(call.file_total_parts),
                &call.bytes,
            )
        }
        f::messages::SendMedia::CONSTRUCTOR_ID => {
            let call: f::messages::SendMedia = decode(q)?;
            let me = me(world, c)?;
            upload::send_media(world, c, &me, &call, pushes)
        }
        f::upload::GetFile::CONSTRUCTOR_ID => {
            let call: f::upload::GetFile = decode(q)?;
            me(world, c)?;
            upload::get_file(world, c, &call)
        }
        other => Err(ApiError::new(
            400,
            format!(
                "INPUT_METHOD_INVALID: the test DC does not serve {} (#{other:08x})",
                name_of(other)
            ),
        )),
    }
}

/// Formatting entities as Telegram checks them: inside the text (UTF-16 units), and a
/// mention by id (`inputMessageEntityMentionName`) must name a user the sender may address.
fn check_entities(
    world: &World,
    me: &Account,
    text: &str,
    entities: Option<&[enums::MessageEntity]>,
) -> Result<(), ApiError> {
    use enums::MessageEntity as M;
    let units = text.encode_utf16().count() as i64;
    for e in entities.unwrap_or_default() {
        let (offset, length) = match e {
            M::Bold(e) => (e.offset, e.length),
            M::Italic(e) => (e.offset, e.length),
            M::Underline(e) => (e.offset, e.length),
            M::Strike(e) => (e.offset, e.length),
            M::Spoiler(e) => (e.offset, e.length),
            M::Code(e) => (e.offset, e.length),
            M::Pre(e) => (e.offset, e.length),
            M::TextUrl(e) => (e.offset, e.length),
            M::CustomEmoji(e) => (e.offset, e.length),
            M::Blockquote(e) => (e.offset, e.length),
            M::InputMessageEntityMentionName(e) => {
                if resolve_user(world, me, &e.user_id)?.is_none() {
                    return Err(ApiError::new(400, "ENTITY_MENTION_USER_INVALID"));
                }
                (e.offset, e.length)
            }
            _ => continue,
        };
        let (offset, length) = (i64::from(offset), i64::from(length));
        if offset < 0 || length <= 0 || offset + length > units {
            return Err(ApiError::new(400, "ENTITY_BOUNDS_INVALID"));
        }
    }
    Ok(())
}

/// Stores a text message and makes the recipient's `updateShortMessage` for each of their
/// keys (none for a message to oneself).
fn text_message(
    world: &mut World,
    from: i64,
    to: i64,
    date: i32,
    text: &str,
    entities: Vec<enums::MessageEntity>,
    silent: bool,
) -> Result<(crate::world::Sent, Vec<Push>), ApiError> {
    let received = objects::received_entities(from, &entities);
    let sent = world.send(from, to, date, text);
    world.set_last_entities(entities);
    let mut pushes = Vec::new();
    let keys = if to != from {
        world.keys_of(to)
    } else {
        Vec::new()
    };
    // Nobody is logged in as the recipient (a bot messaging Alice): no update to encode.
    if !keys.is_empty() {
        let update = encode(&enums::Updates::UpdateShortMessage(Box::new(
            types::UpdateShortMessage {
                out: false,
                mentioned: false,
                media_unread: false,
                silent,
                id: sent.recipient_id,
                user_id: from,
                message: text.into(),
                pts: sent.recipient_pts,
                pts_count: 1,
                date,
                fwd_from: None,
                via_bot_id: None,
                reply_to: None,
                entities: received,
                ttl_period: None,
            },
        )))?;
        for key in keys {
            pushes.push(Push {
                auth_key_id: key,
                update: update.clone(),
            });
        }
    }
    Ok((sent, pushes))
}

/// Stores a text message from `from` to `to` as `messages.sendMessage` would and returns the
/// updates for `to`'s keys (for [`TestDc::send_burst`](crate::TestDc::send_burst)).
///
/// # Errors
/// Only if the update cannot be serialized (a bug: `500 INTERNAL`).
pub fn deliver_text(
    world: &mut World,
    from: i64,
    to: i64,
    date: i32,
    text: &str,
) -> Result<Vec<Push>, ApiError> {
    text_message(world, from, to, date, text, Vec::new(), false).map(|(_, p)| p)
}

/// Login codes have this many digits.
pub const LOGIN_CODE_LEN: i32 = 5;

/// The login code for every phone on DC `dc_id`: its digit five times ("22222" on DC 2), as
/// on Telegram's own test DCs.
pub fn login_code(dc_id: i32) -> String {
    dc_id.to_string().repeat(LOGIN_CODE_LEN as usize)
}

/// Checks that `hash` was issued for `phone`; returns the normalized phone.
fn check_code(world: &World, _c: &Caller, phone: &str, hash: &str) -> Result<String, ApiError> {
    let phone = normalize_phone(phone);
    match world.code_phone(hash) {
        Some(p) if p == phone => Ok(phone),
        _ => Err(ApiError::new(400, "PHONE_CODE_EXPIRED")),
    }
}

/// `updates.getDifference`: the caller's messages after `pts` (empty if none).
fn difference(world: &World, c: &Caller, me: &Account, pts: i32) -> Result<Vec<u8>, ApiError> {
    let new = world.messages_after(me.id, pts);
    if new.is_empty() {
        return encode(&enums::updates::Difference::Empty(
            types::updates::DifferenceEmpty {
                date: c.now,
                seq: 0,
            },
        ));
    }
    let mut messages = Vec::new();
    let mut peers = Vec::new();
    for (id, m) in new {
        messages.push(stored_message(world, me.id, id, m)?);
        peers.push(m.peer_for(me.id));
    }
    let users = users_of(world, me, peers)?;
    encode(&enums::updates::Difference::Difference(
        types::updates::Difference {
            new_messages: messages,
            new_encrypted_messages: Vec::new(),
            other_updates: Vec::new(),
            chats: Vec::new(),
            users,
            state: enums::updates::State::State(types::updates::State {
                pts: world.pts(me.id),
                qts: 0,
                date: c.now,
                seq: 0,
                unread_count: 0,
            }),
        },
    ))
}

pub(crate) fn internal() -> ApiError {
    ApiError::new(500, "INTERNAL")
}

/// The logged-in account, or 401 as Telegram answers before login.
pub(crate) fn me(world: &World, c: &Caller) -> Result<Account, ApiError> {
    me_ref(world, c).cloned()
}

/// [`me`], borrowed (no copy of the account).
fn me_ref<'w>(world: &'w World, c: &Caller) -> Result<&'w Account, ApiError> {
    world
        .logged_in(c.auth_key_id)
        .and_then(|id| world.account(id))
        .ok_or_else(|| ApiError::new(401, "AUTH_KEY_UNREGISTERED"))
}

/// Checks an access hash: the right one, or 0 from a bot (Telegram lets bots use 0 for users
/// they have seen; the test DC is lenient and allows it for every user).
fn hash_ok(me: &Account, acc: &Account, hash: i64) -> bool {
    hash == acc.access_hash || (hash == 0 && me.bot)
}

fn resolve_user(
    world: &World,
    me: &Account,
    input: &enums::InputUser,
) -> Result<Option<Account>, ApiError> {
    Ok(match input {
        enums::InputUser::InputUserSelf(_) => Some(me.clone()),
        enums::InputUser::InputUser(u) => world
            .account(u.user_id)
            .filter(|acc| hash_ok(me, acc, u.access_hash))
            .cloned(),
        enums::InputUser::Empty(_) => None,
        enums::InputUser::FromMessage(_) => {
            return Err(ApiError::new(400, "USER_ID_INVALID"));
        }
    })
}

pub(crate) fn resolve_peer(
    world: &World,
    me: &Account,
    peer: &enums::InputPeer,
) -> Result<Account, ApiError> {
    resolve_peer_ref(world, me, peer).cloned()
}

/// [`resolve_peer`], borrowed (no copy of the account).
fn resolve_peer_ref<'w>(
    world: &'w World,
    me: &'w Account,
    peer: &enums::InputPeer,
) -> Result<&'w Account, ApiError> {
    let found = match peer {
        enums::InputPeer::InputPeerSelf(_) => Some(me),
        enums::InputPeer::User(u) => world
            .account(u.user_id)
            .filter(|acc| hash_ok(me, acc, u.access_hash)),
        _ => None,
    };
    found.ok_or_else(|| ApiError::new(400, "PEER_ID_INVALID"))
}
