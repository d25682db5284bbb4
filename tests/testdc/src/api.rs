//! The API slice the test DC answers: a query's bytes in, a result's bytes (or an RPC error
//! with Telegram's name for it) out, plus updates to push to other logged-in keys.
//!
//! Wrappers (`invokeWithLayer`, `initConnection`, `invokeWithoutUpdates`, `invokeAfterMsg`)
//! are unwrapped first. Served today: `help.getConfig`, `help.getNearestDc`,
//! `auth.sendCode` / `auth.signIn` / `auth.signUp` (the code is [`login_code`]: the DC's
//! digit five times), `auth.importBotAuthorization`, `auth.logOut`, `users.getUsers`, `users.getFullUser`,
//! `updates.getState`, `updates.getDifference`, `messages.sendMessage`. Any other method is
//! answered `400 INPUT_METHOD_INVALID` naming it, never with silence.

use ferrogram_tl_types::functions::{
    self as f, InitConnection, InvokeAfterMsg, InvokeWithLayer, InvokeWithoutUpdates,
};
use ferrogram_tl_types::{AnyFunction, Reader, TlRead, TlWrite, enums, types};

use crate::world::{Account, World, normalize_phone};

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
    fn new(code: i32, message: impl Into<String>) -> Self {
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

fn decode<T: TlRead>(query: &[u8]) -> Result<T, ApiError> {
    T::from_bytes(query).map_err(|e| ApiError::new(400, format!("INPUT_REQUEST_INVALID: {e}")))
}

fn encode(value: &impl TlWrite) -> Result<Vec<u8>, ApiError> {
    value
        .to_bytes()
        .map_err(|e| ApiError::new(500, format!("INTERNAL: {e}")))
}

/// Strips the wrappers a client puts around its real query.
pub fn unwrap(query: &[u8]) -> Result<Vec<u8>, ApiError> {
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
            _ => return Ok(q),
        };
    }
    Err(ApiError::new(
        400,
        "INPUT_REQUEST_INVALID: wrappers nested too deep",
    ))
}

/// Answers one query (wrappers included).
pub fn call(world: &mut World, caller: &Caller, query: &[u8]) -> Answer {
    let mut pushes = Vec::new();
    let result = unwrap(query).and_then(|q| dispatch(world, caller, &q, &mut pushes));
    Answer { result, pushes }
}

fn dispatch(
    world: &mut World,
    c: &Caller,
    q: &[u8],
    pushes: &mut Vec<Push>,
) -> Result<Vec<u8>, ApiError> {
    match id_of(q) {
        f::help::GetConfig::CONSTRUCTOR_ID => encode(&config(c)),
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
            world.log_in(c.auth_key_id, bot);
            let me = world.account(bot).cloned().ok_or_else(internal)?;
            authorization(&me)
        }
        f::auth::SendCode::CONSTRUCTOR_ID => {
            let call: f::auth::SendCode = decode(q)?;
            if normalize_phone(&call.phone_number).len() < 5 {
                return Err(ApiError::new(400, "PHONE_NUMBER_INVALID"));
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
            match world.user_by_phone(&phone) {
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
            world.log_in(c.auth_key_id, id);
            let me = world.account(id).cloned().ok_or_else(internal)?;
            authorization(&me)
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
            let me = me(world, c)?;
            let to = resolve_peer(world, &me, &call.peer)?;
            if call.message.trim().is_empty() {
                return Err(ApiError::new(400, "MESSAGE_EMPTY"));
            }
            if call.message.chars().count() > 4096 {
                return Err(ApiError::new(400, "MESSAGE_TOO_LONG"));
            }
            let sent = world.send(me.id, to.id, c.now, &call.message);
            if to.id != me.id {
                let update = encode(&enums::Updates::UpdateShortMessage(Box::new(
                    types::UpdateShortMessage {
                        out: false,
                        mentioned: false,
                        media_unread: false,
                        silent: call.silent,
                        id: sent.recipient_id,
                        user_id: me.id,
                        message: call.message.clone(),
                        pts: sent.recipient_pts,
                        pts_count: 1,
                        date: c.now,
                        fwd_from: None,
                        via_bot_id: None,
                        reply_to: None,
                        entities: None,
                        ttl_period: None,
                    },
                )))?;
                for key in world.keys_of(to.id) {
                    pushes.push(Push {
                        auth_key_id: key,
                        update: update.clone(),
                    });
                }
            }
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
        other => Err(ApiError::new(
            400,
            format!(
                "INPUT_METHOD_INVALID: the test DC does not serve {} (#{other:08x})",
                name_of(other)
            ),
        )),
    }
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
    let mut users = vec![user(me, true)?];
    for (id, m) in new {
        let out = m.from == me.id;
        let other = if out { m.to } else { m.from };
        messages.push(message(id, out, m.from, other, m.date, &m.text)?);
        if other != me.id
            && let Some(acc) = world.account(other)
        {
            users.push(user(acc, false)?);
        }
    }
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

/// A private message as its box owner sees it: `peer` is the other party.
fn message(
    id: i32,
    out: bool,
    from: i64,
    peer: i64,
    date: i32,
    text: &str,
) -> Result<enums::Message, ApiError> {
    let mut b = Vec::with_capacity(32);
    b.extend_from_slice(&0u32.to_le_bytes()); // flags
    b.extend_from_slice(&0u32.to_le_bytes()); // flags2
    b.extend_from_slice(&id.to_le_bytes());
    b.extend_from_slice(&types::PeerUser::CONSTRUCTOR_ID.to_le_bytes());
    b.extend_from_slice(&peer.to_le_bytes());
    b.extend_from_slice(&date.to_le_bytes());
    b.extend_from_slice(&[0u8; 4]); // empty string
    let mut m: types::Message = bare(&b)?;
    m.out = out;
    m.from_id = Some(enums::Peer::User(types::PeerUser { user_id: from }));
    m.message = text.into();
    Ok(enums::Message::Message(Box::new(m)))
}

fn internal() -> ApiError {
    ApiError::new(500, "INTERNAL")
}

/// The logged-in account, or 401 as Telegram answers before login.
fn me(world: &World, c: &Caller) -> Result<Account, ApiError> {
    world
        .logged_in(c.auth_key_id)
        .and_then(|id| world.account(id).cloned())
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

fn resolve_peer(world: &World, me: &Account, peer: &enums::InputPeer) -> Result<Account, ApiError> {
    let found = match peer {
        enums::InputPeer::InputPeerSelf(_) => Some(me.clone()),
        enums::InputPeer::User(u) => world
            .account(u.user_id)
            .filter(|acc| hash_ok(me, acc, u.access_hash))
            .cloned(),
        _ => None,
    };
    found.ok_or_else(|| ApiError::new(400, "PEER_ID_INVALID"))
}

/// Reads a bare constructor from `bytes` (how the large, mostly-optional objects are
/// started: every flag clear, then the fields that matter are set).
fn bare<T: TlRead>(bytes: &[u8]) -> Result<T, ApiError> {
    T::read_bare(&mut Reader::new(bytes)).map_err(|_| internal())
}

/// A user as `is_self` sees it (phone only for oneself).
pub fn user(acc: &Account, is_self: bool) -> Result<enums::User, ApiError> {
    let mut b = Vec::with_capacity(16);
    b.extend_from_slice(&0u32.to_le_bytes()); // flags
    b.extend_from_slice(&0u32.to_le_bytes()); // flags2
    b.extend_from_slice(&acc.id.to_le_bytes());
    let mut u: types::User = bare(&b)?;
    u.self_ = is_self;
    u.bot = acc.bot;
    u.access_hash = Some(acc.access_hash);
    u.first_name = Some(acc.first_name.clone());
    u.username = acc.username.clone();
    if is_self {
        u.phone = acc.phone.clone();
    }
    if acc.bot {
        u.bot_info_version = Some(1);
        u.bot_nochats = true;
    }
    Ok(enums::User::User(Box::new(u)))
}

fn full_user(id: i64) -> Result<enums::UserFull, ApiError> {
    let mut b = Vec::with_capacity(40);
    b.extend_from_slice(&0u32.to_le_bytes()); // flags
    b.extend_from_slice(&0u32.to_le_bytes()); // flags2
    b.extend_from_slice(&id.to_le_bytes());
    b.extend_from_slice(&types::PeerSettings::CONSTRUCTOR_ID.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&types::PeerNotifySettings::CONSTRUCTOR_ID.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&0i32.to_le_bytes()); // common_chats_count
    let full: types::UserFull = bare(&b)?;
    Ok(enums::UserFull::UserFull(Box::new(full)))
}

fn authorization(me: &Account) -> Result<Vec<u8>, ApiError> {
    encode(&enums::auth::Authorization::Authorization(
        types::auth::Authorization {
            setup_password_required: false,
            otherwise_relogin_days: None,
            tmp_sessions: None,
            future_auth_token: None,
            user: user(me, true)?,
        },
    ))
}

/// `help.getConfig`: this DC only, at 127.0.0.1.
pub fn config(c: &Caller) -> enums::Config {
    let dc = enums::DcOption::DcOption(types::DcOption {
        ipv6: false,
        media_only: false,
        tcpo_only: false,
        cdn: false,
        r#static: false,
        this_port_only: false,
        id: c.dc_id,
        ip_address: "127.0.0.1".into(),
        port: i32::from(c.port),
        secret: None,
    });
    enums::Config::Config(Box::new(types::Config {
        default_p2p_contacts: false,
        preload_featured_stickers: false,
        revoke_pm_inbox: true,
        blocked_mode: false,
        force_try_ipv6: false,
        date: c.now,
        expires: c.now + 3600,
        test_mode: true,
        this_dc: c.dc_id,
        dc_options: vec![dc],
        dc_txt_domain_name: "testdc.invalid".into(),
        chat_size_max: 200,
        megagroup_size_max: 200_000,
        forwarded_count_max: 100,
        online_update_period_ms: 210_000,
        offline_blur_timeout_ms: 5_000,
        offline_idle_timeout_ms: 30_000,
        online_cloud_timeout_ms: 300_000,
        notify_cloud_delay_ms: 30_000,
        notify_default_delay_ms: 1_500,
        push_chat_period_ms: 60_000,
        push_chat_limit: 2,
        edit_time_limit: 172_800,
        revoke_time_limit: i32::MAX,
        revoke_pm_time_limit: i32::MAX,
        rating_e_decay: 2_419_200,
        stickers_recent_limit: 200,
        channels_read_media_period: 604_800,
        tmp_sessions: None,
        call_receive_timeout_ms: 20_000,
        call_ring_timeout_ms: 90_000,
        call_connect_timeout_ms: 30_000,
        call_packet_timeout_ms: 10_000,
        me_url_prefix: "https://t.me/".into(),
        autoupdate_url_prefix: None,
        gif_search_username: None,
        venue_search_username: None,
        img_search_username: None,
        static_maps_provider: None,
        caption_length_max: 1024,
        message_length_max: 4096,
        webfile_dc_id: c.dc_id,
        suggested_lang_code: None,
        lang_pack_version: None,
        base_lang_pack_version: None,
        reactions_default: None,
        autologin_token: None,
    }))
}
