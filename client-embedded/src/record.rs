//! What a device keeps across reboots (in flash, say): its DC, auth key, salt, clock offset
//! and bot login, as one fixed-size record with a version and a CRC-32, so a torn or foreign
//! write is detected instead of trusted.

use ferrogram_mtproto_proto::transport::crc32::crc32;

/// Bytes of a serialized [`Record`].
pub const RECORD_LEN: usize = 4 + 1 + 4 + 1 + 256 + 8 + 8 + 8 + 4;

const MAGIC: [u8; 4] = *b"FGDV";
const VERSION: u8 = 1;

/// The persisted state of a device client.
#[derive(Clone, PartialEq, Eq)]
pub struct Record {
    /// The DC the key belongs to.
    pub dc_id: i32,
    /// The auth key, once made.
    pub auth_key: Option<[u8; 256]>,
    /// The last server salt.
    pub salt: i64,
    /// Server time minus device time, seconds, when last known.
    pub time_offset: i64,
    /// The bot's user id once logged in (0: not logged in).
    pub bot_id: i64,
}

impl core::fmt::Debug for Record {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Record")
            .field("dc_id", &self.dc_id)
            .field("has_key", &self.auth_key.is_some())
            .field("bot_id", &self.bot_id)
            .finish_non_exhaustive()
    }
}

/// Why stored bytes are not a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// Not a record of this crate (wrong magic: erased flash, another layout).
    NotARecord,
    /// A record of a newer version of this crate.
    UnsupportedVersion(u8),
    /// The checksum does not match: a torn or corrupted write.
    Corrupt,
    /// Too few bytes.
    Truncated,
}

impl core::fmt::Display for RecordError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotARecord => f.write_str(
                "the stored bytes are not a ferrogram device record (erased or foreign data); \
                 start fresh: a new auth key and login",
            ),
            Self::UnsupportedVersion(v) => write!(
                f,
                "the stored record has version {v}, newer than this firmware's {VERSION}; \
                 update the firmware or erase the record"
            ),
            Self::Corrupt => f.write_str(
                "the stored record fails its checksum (a torn or corrupted write); start \
                 fresh: a new auth key and login",
            ),
            Self::Truncated => f.write_str("the stored record is cut short"),
        }
    }
}

/// Where a device keeps its [`Record`] (a flash page, EEPROM, a file on the host). Writes
/// happen only when the record changed: a new auth key or a login, a few times in a
/// device's life.
pub trait RecordStore {
    /// Why storing or loading failed.
    type Error: core::fmt::Debug;

    /// The stored bytes, or `None` if nothing was stored yet.
    fn load(
        &mut self,
    ) -> impl core::future::Future<Output = Result<Option<[u8; RECORD_LEN]>, Self::Error>>;

    /// Stores the bytes (replacing what was there).
    fn save(
        &mut self,
        bytes: &[u8; RECORD_LEN],
    ) -> impl core::future::Future<Output = Result<(), Self::Error>>;
}

/// Loads the record from `store`: `Record::new(dc_id)` if nothing (or nothing valid) was
/// stored, with the reason it was not used.
///
/// # Errors
/// The store's own error.
pub async fn load_record<S: RecordStore>(
    store: &mut S,
    dc_id: i32,
) -> Result<(Record, Option<RecordError>), S::Error> {
    Ok(match store.load().await? {
        None => (Record::new(dc_id), None),
        Some(bytes) => match Record::from_bytes(&bytes) {
            Ok(r) => (r, None),
            Err(e) => (Record::new(dc_id), Some(e)),
        },
    })
}

impl Record {
    /// A device that has nothing yet, for DC `dc_id`.
    pub const fn new(dc_id: i32) -> Self {
        Record {
            dc_id,
            auth_key: None,
            salt: 0,
            time_offset: 0,
            bot_id: 0,
        }
    }

    /// The bytes to store.
    pub fn to_bytes(&self) -> [u8; RECORD_LEN] {
        let mut b = [0u8; RECORD_LEN];
        b[..4].copy_from_slice(&MAGIC);
        b[4] = VERSION;
        b[5..9].copy_from_slice(&self.dc_id.to_le_bytes());
        if let Some(k) = &self.auth_key {
            b[9] = 1;
            b[10..266].copy_from_slice(k);
        }
        b[266..274].copy_from_slice(&self.salt.to_le_bytes());
        b[274..282].copy_from_slice(&self.time_offset.to_le_bytes());
        b[282..290].copy_from_slice(&self.bot_id.to_le_bytes());
        let crc = crc32(&b[..290]);
        b[290..294].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Reads stored bytes.
    ///
    /// # Errors
    /// [`RecordError`] for anything but an intact record of this version.
    pub fn from_bytes(b: &[u8]) -> Result<Self, RecordError> {
        let b: &[u8; RECORD_LEN] = b
            .get(..RECORD_LEN)
            .and_then(|s| s.try_into().ok())
            .ok_or(RecordError::Truncated)?;
        if b[..4] != MAGIC {
            return Err(RecordError::NotARecord);
        }
        if b[4] != VERSION {
            return Err(RecordError::UnsupportedVersion(b[4]));
        }
        let crc = u32::from_le_bytes([b[290], b[291], b[292], b[293]]);
        if crc32(&b[..290]) != crc {
            return Err(RecordError::Corrupt);
        }
        let i32_at = |i: usize| i32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let i64_at = |i: usize| {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[i..i + 8]);
            i64::from_le_bytes(x)
        };
        let auth_key = match b[9] {
            // Without a key its bytes are zero: anything else is not a record this wrote.
            0 if b[10..266].iter().all(|&x| x == 0) => None,
            1 => {
                let mut k = [0u8; 256];
                k.copy_from_slice(&b[10..266]);
                Some(k)
            }
            _ => return Err(RecordError::Corrupt),
        };
        Ok(Record {
            dc_id: i32_at(5),
            auth_key,
            salt: i64_at(266),
            time_offset: i64_at(274),
            bot_id: i64_at(282),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_damage_is_detected() {
        let mut r = Record::new(2);
        assert_eq!(Record::from_bytes(&r.to_bytes()), Ok(r.clone()));
        r.auth_key = Some([7; 256]);
        r.salt = -5;
        r.time_offset = 3;
        r.bot_id = 1_000_002;
        let bytes = r.to_bytes();
        assert_eq!(Record::from_bytes(&bytes), Ok(r));
        for i in 5..RECORD_LEN {
            let mut torn = bytes;
            torn[i] ^= 0x40;
            assert_eq!(
                Record::from_bytes(&torn),
                Err(RecordError::Corrupt),
                "byte {i}"
            );
        }
        assert_eq!(
            Record::from_bytes(&[0xff; RECORD_LEN]),
            Err(RecordError::NotARecord)
        );
        let mut newer = bytes;
        newer[4] = 9;
        assert_eq!(
            Record::from_bytes(&newer),
            Err(RecordError::UnsupportedVersion(9))
        );
        assert_eq!(
            Record::from_bytes(&bytes[..100]),
            Err(RecordError::Truncated)
        );
        // No key, but key bytes (found by the fuzzer): not a record this crate writes.
        let mut odd = Record::new(2).to_bytes();
        odd[100] = 1;
        let crc = crc32(&odd[..290]);
        odd[290..294].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(Record::from_bytes(&odd), Err(RecordError::Corrupt));
    }
}
