//! Session strings: ours (versioned), Pyrogram's/Kurigram's and Telethon's.
//!
//! # Our format, version 1
//!
//! base64url without padding over these bytes (integers little-endian, as in MTProto):
//!
//! | bytes | field |
//! | --- | --- |
//! | 1 | version, `1` |
//! | 1 | flags: bit 0 test mode, bit 1 api_id present, bit 2 logged in, bit 3 the login is a bot, bit 4 update state present; other bits zero |
//! | 4 | home DC id (`i32`) |
//! | 4 | api_id (`u32`), if flag bit 1 |
//! | 8 | user id (`i64`), if flag bit 2 |
//! | 16 | pts, qts, date, seq (`i32` each), if flag bit 4 |
//! | 1 | number of DC entries, 1–255 |
//!
//! then per DC entry:
//!
//! | bytes | field |
//! | --- | --- |
//! | 4 | DC id (`i32`, 1–255) |
//! | 1 | flags: bit 0 key present, bit 1 address present; other bits zero |
//! | 256 + 8 + 8 | auth key, salt (`i64`), time offset in seconds (`i64`), if bit 0 |
//! | 1 + 4 or 16 + 2 | address: `4` or `6`, the IP's bytes, the port (`u16`), if bit 1 |
//!
//! The home DC must have a key. Peers are not carried: the string is what is needed to
//! connect and stay logged in; a client meets its peers again. The shortest string (one DC,
//! no login, no address) has 284 bytes, 379 characters, so ours never have the length of a
//! Pyrogram (351, 356, 362) or Telethon (353, 369) string.
//!
//! # Pyrogram and Kurigram
//!
//! base64url without padding over big-endian `struct` layouts, told apart by length:
//! 362 characters `>BI?256sQ?` (dc_id, api_id, test_mode, auth_key, user_id, is_bot; both
//! libraries export this one), 356 characters `>B?256sQ?` and 351 characters `>B?256sI?`
//! (older, without api_id). They hold no address: DC ids must be Telegram's 1–5.
//!
//! # Telethon
//!
//! `1` and then base64url with padding over `>B4sH256s` (dc_id, IPv4, port, auth_key; 353
//! characters) or `>B16sH256s` (IPv6; 369 characters). No user, api_id or test mode.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::base64url;
use super::{DcEntry, KeyInfo, LoggedInUser, SessionData, SessionError, UpdateState};
use super::{StringError, StringFormat};

/// The version byte of the strings [`SessionData::export_string`] writes.
pub const VERSION: u8 = 1;

const TEST_MODE: u8 = 1;
const HAS_API_ID: u8 = 2;
const HAS_USER: u8 = 4;
const USER_IS_BOT: u8 = 8;
const HAS_UPDATE_STATE: u8 = 16;
const DC_HAS_KEY: u8 = 1;
const DC_HAS_ADDR: u8 = 2;

/// Pyrogram string lengths in characters, newest first.
pub const PYROGRAM_LENGTHS: &[usize] = &[362, 356, 351];
/// Telethon string lengths in characters (IPv4, IPv6).
pub const TELETHON_LENGTHS: &[usize] = &[353, 369];

/// Reads fields off a byte string; every read checks the length first.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StringError> {
        if self.bytes.len() < n {
            return Err(StringError::Truncated);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], StringError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, StringError> {
        Ok(self.array::<1>()?[0])
    }

    fn end(&self) -> Result<(), StringError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(StringError::Truncated)
        }
    }
}

fn dc_id(id: i64) -> Result<i32, StringError> {
    match i32::try_from(id) {
        Ok(id @ 1..=255) => Ok(id),
        _ => Err(StringError::DcId { got: id }),
    }
}

fn user_id(id: u64) -> Result<i64, StringError> {
    match i64::try_from(id) {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(StringError::UserId { got: id }),
    }
}

fn imported_key(auth_key: [u8; 256]) -> KeyInfo {
    // Neither library's string keeps a salt or time offset: the first message gets
    // bad_server_salt (with the right salt) and the session corrects itself.
    KeyInfo {
        auth_key,
        first_salt: 0,
        time_offset: 0,
    }
}

impl SessionData {
    /// This session as a string in our format (see the [`string`](self) module docs).
    ///
    /// # Errors
    /// [`SessionError::NothingToExport`] without a key for the home DC;
    /// [`SessionError::BadString`] if a DC id is outside 1–255 or there are more than 255 DC
    /// entries (nothing this library makes).
    pub fn export_string(&self) -> Result<String, SessionError> {
        let bad = |reason| SessionError::bad(StringFormat::Ferrogram, reason);
        if self.home_key().is_none() {
            return Err(SessionError::NothingToExport);
        }
        let mut out = vec![VERSION];
        let mut flags = 0;
        if self.test_mode {
            flags |= TEST_MODE;
        }
        if self.api_id.is_some() {
            flags |= HAS_API_ID;
        }
        if let Some(u) = self.user {
            flags |= HAS_USER;
            if u.is_bot {
                flags |= USER_IS_BOT;
            }
        }
        if self.update_state.is_some() {
            flags |= HAS_UPDATE_STATE;
        }
        out.push(flags);
        out.extend_from_slice(&self.home_dc.to_le_bytes());
        if let Some(id) = self.api_id {
            out.extend_from_slice(&id.to_le_bytes());
        }
        if let Some(u) = self.user {
            out.extend_from_slice(&u.id.to_le_bytes());
        }
        if let Some(s) = self.update_state {
            for v in [s.pts, s.qts, s.date, s.seq] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        let count = u8::try_from(self.dcs.len()).map_err(|_| bad(StringError::Truncated))?;
        out.push(count);
        for (&id, entry) in &self.dcs {
            dc_id(i64::from(id)).map_err(bad)?;
            out.extend_from_slice(&id.to_le_bytes());
            let mut flags = 0;
            if entry.key.is_some() {
                flags |= DC_HAS_KEY;
            }
            if entry.addr.is_some() {
                flags |= DC_HAS_ADDR;
            }
            out.push(flags);
            if let Some(k) = &entry.key {
                out.extend_from_slice(&k.auth_key);
                out.extend_from_slice(&k.first_salt.to_le_bytes());
                out.extend_from_slice(&k.time_offset.to_le_bytes());
            }
            if let Some(addr) = entry.addr {
                match addr.ip() {
                    IpAddr::V4(ip) => {
                        out.push(4);
                        out.extend_from_slice(&ip.octets());
                    }
                    IpAddr::V6(ip) => {
                        out.push(6);
                        out.extend_from_slice(&ip.octets());
                    }
                }
                out.extend_from_slice(&addr.port().to_le_bytes());
            }
        }
        Ok(base64url::encode(&out, false))
    }

    /// Reads a string [`export_string`](Self::export_string) wrote.
    ///
    /// # Errors
    /// [`SessionError::BadString`] (format [`StringFormat::Ferrogram`]) saying why.
    pub fn import_string(s: &str) -> Result<SessionData, SessionError> {
        parse_ours(s.trim()).map_err(|e| SessionError::bad(StringFormat::Ferrogram, e))
    }

    /// Reads a Pyrogram 2.0.106 or Kurigram session string (any of the 362, 356 and 351
    /// character layouts). The session has no address: the DC's built-in one is used (or
    /// the client's `.dc(id, addr)`).
    ///
    /// # Errors
    /// [`SessionError::BadString`] (format [`StringFormat::Pyrogram`]) saying why.
    pub fn import_pyrogram(s: &str) -> Result<SessionData, SessionError> {
        parse_pyrogram(s.trim()).map_err(|e| SessionError::bad(StringFormat::Pyrogram, e))
    }

    /// Reads a Telethon `StringSession` (IPv4 or IPv6). It holds no login: the client learns
    /// the account from the first `get_me`.
    ///
    /// # Errors
    /// [`SessionError::BadString`] (format [`StringFormat::Telethon`]) saying why.
    pub fn import_telethon(s: &str) -> Result<SessionData, SessionError> {
        parse_telethon(s.trim()).map_err(|e| SessionError::bad(StringFormat::Telethon, e))
    }

    /// Reads a string of any of the three formats, told apart by length: 351, 356 or 362
    /// characters is Pyrogram's, 353 or 369 starting with `1` is Telethon's, anything
    /// else is read as ours.
    ///
    /// # Errors
    /// As the format's own import.
    pub fn import_any(s: &str) -> Result<SessionData, SessionError> {
        let s = s.trim();
        if PYROGRAM_LENGTHS.contains(&s.len()) {
            Self::import_pyrogram(s)
        } else if TELETHON_LENGTHS.contains(&s.len()) && s.starts_with('1') {
            Self::import_telethon(s)
        } else {
            Self::import_string(s)
        }
    }
}

fn parse_ours(s: &str) -> Result<SessionData, StringError> {
    let bytes = base64url::decode(s).map_err(StringError::Base64)?;
    let mut r = Reader { bytes: &bytes };
    let version = r.u8()?;
    if version != VERSION {
        return Err(StringError::Version { got: version });
    }
    let flags = r.u8()?;
    if flags & !(TEST_MODE | HAS_API_ID | HAS_USER | USER_IS_BOT | HAS_UPDATE_STATE) != 0
        || (flags & USER_IS_BOT != 0 && flags & HAS_USER == 0)
    {
        return Err(StringError::Field { name: "flags" });
    }
    let home_dc = dc_id(i64::from(i32::from_le_bytes(r.array()?)))?;
    let api_id = if flags & HAS_API_ID != 0 {
        Some(u32::from_le_bytes(r.array()?))
    } else {
        None
    };
    let user = if flags & HAS_USER != 0 {
        let id = i64::from_le_bytes(r.array()?);
        if id <= 0 {
            return Err(StringError::UserId { got: id as u64 });
        }
        Some(LoggedInUser {
            id,
            is_bot: flags & USER_IS_BOT != 0,
        })
    } else {
        None
    };
    let update_state = if flags & HAS_UPDATE_STATE != 0 {
        let mut v = [0i32; 4];
        for x in &mut v {
            *x = i32::from_le_bytes(r.array()?);
        }
        Some(UpdateState {
            pts: v[0],
            qts: v[1],
            date: v[2],
            seq: v[3],
        })
    } else {
        None
    };
    let mut data = SessionData {
        home_dc,
        test_mode: flags & TEST_MODE != 0,
        api_id,
        user,
        update_state,
        ..SessionData::default()
    };
    let count = r.u8()?;
    for _ in 0..count {
        let id = dc_id(i64::from(i32::from_le_bytes(r.array()?)))?;
        let dc_flags = r.u8()?;
        if dc_flags & !(DC_HAS_KEY | DC_HAS_ADDR) != 0 {
            return Err(StringError::Field { name: "DC flags" });
        }
        let mut entry = DcEntry::default();
        if dc_flags & DC_HAS_KEY != 0 {
            entry.key = Some(KeyInfo {
                auth_key: r.array()?,
                first_salt: i64::from_le_bytes(r.array()?),
                time_offset: i64::from_le_bytes(r.array()?),
            });
        }
        if dc_flags & DC_HAS_ADDR != 0 {
            let ip = match r.u8()? {
                4 => IpAddr::V4(Ipv4Addr::from(r.array::<4>()?)),
                6 => IpAddr::V6(Ipv6Addr::from(r.array::<16>()?)),
                _ => {
                    return Err(StringError::Field {
                        name: "address kind",
                    });
                }
            };
            entry.addr = Some(SocketAddr::new(ip, u16::from_le_bytes(r.array()?)));
        }
        if data.dcs.insert(id, entry).is_some() {
            return Err(StringError::Field {
                name: "DC entries (one DC twice)",
            });
        }
    }
    r.end()?;
    if data.home_key().is_none() {
        return Err(StringError::Field {
            name: "home DC key (missing)",
        });
    }
    Ok(data)
}

fn parse_pyrogram(s: &str) -> Result<SessionData, StringError> {
    if !PYROGRAM_LENGTHS.contains(&s.len()) {
        return Err(StringError::Length {
            got: s.len(),
            expected: PYROGRAM_LENGTHS,
            bytes: false,
        });
    }
    let bytes = base64url::decode(s).map_err(StringError::Base64)?;
    let mut r = Reader { bytes: &bytes };
    let dc = r.u8()?;
    let (api_id, test_mode, auth_key, user, is_bot);
    match s.len() {
        362 => {
            api_id = Some(u32::from_be_bytes(r.array()?));
            test_mode = r.u8()? != 0;
            auth_key = r.array::<256>()?;
            user = u64::from_be_bytes(r.array()?);
        }
        356 => {
            api_id = None;
            test_mode = r.u8()? != 0;
            auth_key = r.array::<256>()?;
            user = u64::from_be_bytes(r.array()?);
        }
        _ => {
            api_id = None;
            test_mode = r.u8()? != 0;
            auth_key = r.array::<256>()?;
            user = u64::from(u32::from_be_bytes(r.array()?));
        }
    }
    is_bot = r.u8()? != 0;
    r.end()?;
    if !(1..=5).contains(&dc) {
        return Err(StringError::DcId { got: i64::from(dc) });
    }
    let home_dc = i32::from(dc);
    let mut data = SessionData {
        home_dc,
        test_mode,
        api_id,
        // Pyrogram writes user_id 0 for a session not logged in yet.
        user: if user == 0 {
            None
        } else {
            Some(LoggedInUser {
                id: user_id(user)?,
                is_bot,
            })
        },
        ..SessionData::default()
    };
    data.dcs.insert(
        home_dc,
        DcEntry {
            key: Some(imported_key(auth_key)),
            addr: None,
        },
    );
    Ok(data)
}

fn parse_telethon(s: &str) -> Result<SessionData, StringError> {
    let Some(body) = s.strip_prefix('1') else {
        return Err(StringError::Version {
            got: s.bytes().next().unwrap_or(0),
        });
    };
    let bytes = base64url::decode(body).map_err(StringError::Base64)?;
    let ip_len = match bytes.len() {
        263 => 4,
        275 => 16,
        got => {
            return Err(StringError::Length {
                got,
                expected: &[263, 275],
                bytes: true,
            });
        }
    };
    let mut r = Reader { bytes: &bytes };
    let home_dc = dc_id(i64::from(r.u8()?))?;
    let ip = if ip_len == 4 {
        IpAddr::V4(Ipv4Addr::from(r.array::<4>()?))
    } else {
        IpAddr::V6(Ipv6Addr::from(r.array::<16>()?))
    };
    let port = u16::from_be_bytes(r.array()?);
    let auth_key = r.array::<256>()?;
    r.end()?;
    let mut data = SessionData {
        home_dc,
        ..SessionData::default()
    };
    data.dcs.insert(
        home_dc,
        DcEntry {
            key: Some(imported_key(auth_key)),
            addr: Some(SocketAddr::new(ip, port)),
        },
    );
    Ok(data)
}
