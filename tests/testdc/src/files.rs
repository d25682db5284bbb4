//! Uploaded file parts and the documents made of them, under one cap on the bytes stored.
//!
//! The part rules are Telegram's (core.telegram.org/api/files): parts numbered
//! `0..upload_max_fileparts` (4000 here, the non-Premium figure), at most 512 KiB each, every
//! part but the last of one size that is a multiple of 1 KiB dividing 512 KiB, the last no
//! bigger. A part may be saved again (it replaces the old one). Telegram forgets parts after
//! minutes or hours; the test DC keeps them until the file is used, and refuses new bytes past
//! [`Files::limit`] so a test DC's memory stays bounded.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ferrogram_tl_types::enums;
use ferrogram_tl_types::{TlRead, TlWrite};
use md5::{Digest, Md5};

use crate::persist::{Malformed, Reader, Writer};

/// Largest part: 512 KiB.
pub const MAX_PART_LEN: usize = 512 * 1024;
/// `upload_max_fileparts_default`: parts are numbered `0..MAX_PARTS`.
pub const MAX_PARTS: i32 = 4000;
/// The default cap on stored upload bytes (parts and documents): 256 MiB.
pub const DEFAULT_UPLOAD_LIMIT: usize = 256 * 1024 * 1024;

/// Why an upload step was refused; [`FileError::rpc_name`] is Telegram's error name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileError {
    /// `file_part` is outside `0..MAX_PARTS` (or past `file_total_parts`).
    PartInvalid {
        /// The part number given.
        part: i32,
    },
    /// The number of parts is outside `1..=MAX_PARTS`, or disagrees with earlier parts.
    PartsInvalid {
        /// The number given.
        parts: i32,
    },
    /// An empty part.
    PartEmpty,
    /// A part over 512 KiB.
    PartTooBig {
        /// Its length.
        len: usize,
    },
    /// A part that is not the last has a size that is not a multiple of 1 KiB dividing
    /// 512 KiB.
    PartSizeInvalid {
        /// Its length.
        len: usize,
    },
    /// Parts of one file have different sizes (or the last is bigger than the others).
    PartSizeChanged {
        /// This part's length.
        len: usize,
        /// The size of the file's other parts.
        expected: usize,
    },
    /// The file is used but a part is not stored.
    PartMissing {
        /// The missing part's number.
        part: i32,
    },
    /// The `md5_checksum` given does not match the bytes.
    Md5Invalid,
    /// Storing this would pass the test DC's cap on upload bytes (the test DC's own error:
    /// Telegram's storage has no such small bound).
    StorageFull {
        /// The cap, bytes.
        limit: usize,
        /// What would be stored with this part.
        needed: usize,
    },
}

impl FileError {
    /// Telegram's RPC error name (all are code 400).
    pub fn rpc_name(&self) -> String {
        match self {
            Self::PartInvalid { .. } => "FILE_PART_INVALID".into(),
            Self::PartsInvalid { .. } => "FILE_PARTS_INVALID".into(),
            Self::PartEmpty => "FILE_PART_EMPTY".into(),
            Self::PartTooBig { .. } => "FILE_PART_TOO_BIG".into(),
            Self::PartSizeInvalid { .. } => "FILE_PART_SIZE_INVALID".into(),
            Self::PartSizeChanged { .. } => "FILE_PART_SIZE_CHANGED".into(),
            Self::PartMissing { part } => format!("FILE_PART_{part}_MISSING"),
            Self::Md5Invalid => "MD5_CHECKSUM_INVALID".into(),
            Self::StorageFull { limit, .. } => format!(
                "UPLOAD_STORAGE_FULL: the test DC stores at most {limit} bytes of uploads \
                 (Config::upload_limit, --upload-limit)"
            ),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PartInvalid { part } => write!(
                f,
                "file part {part} is not in 0..{MAX_PARTS} (or not below file_total_parts)"
            ),
            Self::PartsInvalid { parts } => {
                write!(f, "{parts} parts is not in 1..={MAX_PARTS} or disagrees")
            }
            Self::PartEmpty => f.write_str("an empty file part"),
            Self::PartTooBig { len } => {
                write!(f, "a {len}-byte part is over the {MAX_PART_LEN}-byte limit")
            }
            Self::PartSizeInvalid { len } => write!(
                f,
                "{len} bytes is not a part size (a multiple of 1024 dividing 524288) and the \
                 part is not the last"
            ),
            Self::PartSizeChanged { len, expected } => {
                write!(f, "a {len}-byte part in a file of {expected}-byte parts")
            }
            Self::PartMissing { part } => write!(f, "part {part} was never saved"),
            Self::Md5Invalid => f.write_str("md5_checksum does not match the parts"),
            Self::StorageFull { limit, needed } => write!(
                f,
                "storing {needed} bytes of uploads would pass the test DC's cap of {limit}"
            ),
        }
    }
}

impl std::error::Error for FileError {}

/// Whether `len` may be the size of a file's (non-last) parts.
pub fn is_part_size(len: usize) -> bool {
    len > 0 && len % 1024 == 0 && MAX_PART_LEN % len == 0
}

/// One file being uploaded.
#[derive(Debug, Default)]
struct Upload {
    parts: BTreeMap<i32, Vec<u8>>,
    /// `file_total_parts` from `upload.saveBigFilePart`, once known (not -1).
    total: Option<i32>,
}

impl Upload {
    fn bytes(&self) -> usize {
        self.parts.values().map(Vec::len).sum()
    }

    /// Every part but the highest-numbered one has one valid size; the highest is no bigger.
    fn check_sizes(&self) -> Result<(), FileError> {
        let Some((&last, _)) = self.parts.last_key_value() else {
            return Ok(());
        };
        let mut size = None;
        for (&n, p) in &self.parts {
            if n == last {
                break;
            }
            if !is_part_size(p.len()) {
                return Err(FileError::PartSizeInvalid { len: p.len() });
            }
            match size {
                None => size = Some(p.len()),
                Some(s) if s != p.len() => {
                    return Err(FileError::PartSizeChanged {
                        len: p.len(),
                        expected: s,
                    });
                }
                Some(_) => {}
            }
        }
        let last_len = self.parts[&last].len();
        match size {
            Some(s) if last_len > s => Err(FileError::PartSizeChanged {
                len: last_len,
                expected: s,
            }),
            _ => Ok(()),
        }
    }
}

/// What a finished upload names: `inputFile` or `inputFileBig`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef<'a> {
    /// The client's file id.
    pub id: i64,
    /// The number of parts.
    pub parts: i32,
    /// Lowercase hex MD5 of the file, or empty (`inputFileBig` has none).
    pub md5_checksum: &'a str,
}

/// A stored document.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Its id.
    pub id: i64,
    /// The access hash clients must present.
    pub access_hash: i64,
    /// The current file reference.
    pub file_reference: Vec<u8>,
    /// Unix time it was made.
    pub date: i32,
    /// MIME type, as the uploader gave it.
    pub mime_type: String,
    /// The uploader's attributes (file name, video or audio details, …).
    pub attributes: Vec<enums::DocumentAttribute>,
    /// The content.
    pub data: Vec<u8>,
    /// The DC it is stored on (where it was sent): `upload.getFile` elsewhere in a cluster
    /// answers `303 FILE_MIGRATE_<dc_id>`.
    pub dc_id: i32,
}

/// Upload parts per (uploader, file id), and documents.
#[derive(Debug)]
pub struct Files {
    uploads: HashMap<(i64, i64), Upload>,
    documents: HashMap<i64, Document>,
    stored: usize,
    limit: usize,
    next_document: u64,
}

impl Default for Files {
    fn default() -> Self {
        Self::new(DEFAULT_UPLOAD_LIMIT)
    }
}

impl Files {
    /// Nothing stored; at most `limit` bytes of parts and documents.
    pub fn new(limit: usize) -> Self {
        Self {
            uploads: HashMap::new(),
            documents: HashMap::new(),
            stored: 0,
            limit,
            next_document: 0,
        }
    }

    /// The cap on stored bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes stored now (parts and documents).
    pub fn stored(&self) -> usize {
        self.stored
    }

    /// `upload.saveFilePart` (`total: None`) or `upload.saveBigFilePart` (`total:
    /// Some(file_total_parts)`, -1 while a stream's length is unknown) from `owner`.
    pub fn save_part(
        &mut self,
        owner: i64,
        file_id: i64,
        part: i32,
        total: Option<i32>,
        bytes: &[u8],
    ) -> Result<(), FileError> {
        if !(0..MAX_PARTS).contains(&part) {
            return Err(FileError::PartInvalid { part });
        }
        let upload = self.uploads.get(&(owner, file_id));
        if let Some(total) = total {
            if total != -1 && !(1..=MAX_PARTS).contains(&total) {
                return Err(FileError::PartsInvalid { parts: total });
            }
            if let Some(known) = upload.and_then(|u| u.total)
                && total != -1
                && total != known
            {
                return Err(FileError::PartsInvalid { parts: total });
            }
            // A stream that ended on a part boundary sends one last empty part, numbered
            // file_total_parts: it only fixes the total.
            if bytes.is_empty() && total != -1 && part == total {
                self.uploads.entry((owner, file_id)).or_default().total = Some(total);
                return Ok(());
            }
            if total != -1 && part >= total {
                return Err(FileError::PartInvalid { part });
            }
        }
        if bytes.is_empty() {
            return Err(FileError::PartEmpty);
        }
        if bytes.len() > MAX_PART_LEN {
            return Err(FileError::PartTooBig { len: bytes.len() });
        }
        let old = upload.and_then(|u| u.parts.get(&part)).map_or(0, Vec::len);
        let needed = self.stored - old + bytes.len();
        if needed > self.limit {
            return Err(FileError::StorageFull {
                limit: self.limit,
                needed,
            });
        }
        let upload = self.uploads.entry((owner, file_id)).or_default();
        let previous = upload.parts.insert(part, bytes.to_vec());
        if let Err(e) = upload.check_sizes() {
            match previous {
                Some(p) => upload.parts.insert(part, p),
                None => upload.parts.remove(&part),
            };
            if upload.parts.is_empty() && upload.total.is_none() {
                self.uploads.remove(&(owner, file_id));
            }
            return Err(e);
        }
        if let Some(total) = total.filter(|t| *t != -1) {
            upload.total = Some(total);
        }
        self.stored = needed;
        Ok(())
    }

    /// Takes `owner`'s finished upload `file` (all its parts, checked) for a document.
    fn take(&mut self, owner: i64, file: &FileRef<'_>) -> Result<Vec<u8>, FileError> {
        if !(1..=MAX_PARTS).contains(&file.parts) {
            return Err(FileError::PartsInvalid { parts: file.parts });
        }
        let Some(upload) = self.uploads.get(&(owner, file.id)) else {
            return Err(FileError::PartMissing { part: 0 });
        };
        if let Some(part) = (0..file.parts).find(|n| !upload.parts.contains_key(n)) {
            return Err(FileError::PartMissing { part });
        }
        let beyond = upload.parts.keys().any(|&n| n >= file.parts);
        if beyond || upload.total.is_some_and(|t| t != file.parts) {
            return Err(FileError::PartsInvalid { parts: file.parts });
        }
        let mut data = Vec::with_capacity(upload.bytes());
        for p in upload.parts.values() {
            data.extend_from_slice(p);
        }
        if !file.md5_checksum.is_empty() {
            let digest = Md5::digest(&data);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            if !file.md5_checksum.eq_ignore_ascii_case(&hex) {
                return Err(FileError::Md5Invalid);
            }
        }
        self.uploads.remove(&(owner, file.id));
        Ok(data)
    }

    /// Makes a document of `owner`'s finished upload `file`, stored on DC `dc_id`. Its bytes
    /// stay counted.
    pub fn make_document(
        &mut self,
        dc_id: i32,
        owner: i64,
        file: &FileRef<'_>,
        date: i32,
        mime_type: &str,
        attributes: Vec<enums::DocumentAttribute>,
    ) -> Result<&Document, FileError> {
        let data = self.take(owner, file)?;
        self.next_document += 1;
        let n = self.next_document;
        // Ids and hashes look like Telegram's (large, unrelated); file references are
        // opaque bytes clients must pass back.
        let id = (0x0510_0000_0000_0000u64 | n.wrapping_mul(0x9e37_79b9)) as i64;
        let access_hash = n.wrapping_mul(0xd6e8_feb8_6659_fd93) as i64;
        let mut file_reference = vec![0x02];
        file_reference.extend_from_slice(&(n as u32).to_be_bytes());
        file_reference.extend_from_slice(&(access_hash as u64).to_le_bytes()[..8]);
        let doc = Document {
            id,
            access_hash,
            file_reference,
            date,
            mime_type: mime_type.into(),
            attributes,
            data,
            dc_id,
        };
        Ok(self.documents.entry(id).or_insert(doc))
    }

    /// The document with this id.
    pub fn document(&self, id: i64) -> Option<&Document> {
        self.documents.get(&id)
    }

    /// Every document, in no particular order.
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.documents.values()
    }
}

impl Files {
    /// Appends uploads in progress and documents to a state-file body.
    pub(crate) fn write_state(&self, w: &mut Writer) {
        let mut uploads: Vec<_> = self.uploads.iter().collect();
        uploads.sort_unstable_by_key(|(k, _)| **k);
        w.len(uploads.len());
        for ((owner, file_id), u) in uploads {
            w.i64(*owner);
            w.i64(*file_id);
            w.opt(u.total, Writer::i32);
            w.len(u.parts.len());
            for (n, bytes) in &u.parts {
                w.i32(*n);
                w.bytes(bytes);
            }
        }
        let mut docs: Vec<_> = self.documents.values().collect();
        docs.sort_unstable_by_key(|d| d.id);
        w.len(docs.len());
        for d in docs {
            w.i64(d.id);
            w.i64(d.access_hash);
            w.bytes(&d.file_reference);
            w.i32(d.date);
            w.str(&d.mime_type);
            w.len(d.attributes.len());
            for a in &d.attributes {
                // Attributes we stored came from the client's TL; they re-encode.
                w.bytes(&a.to_bytes().unwrap_or_default());
            }
            w.bytes(&d.data);
            w.i32(d.dc_id);
        }
        w.u64(self.next_document);
    }

    /// Reads what [`write_state`](Self::write_state) wrote, with the cap `limit`.
    pub(crate) fn read_state(r: &mut Reader<'_>, limit: usize) -> Result<Self, Malformed> {
        let mut f = Files::new(limit);
        for _ in 0..r.len()? {
            let key = (r.i64()?, r.i64()?);
            let mut u = Upload {
                total: r.opt(Reader::i32)?,
                ..Upload::default()
            };
            for _ in 0..r.len()? {
                let n = r.i32()?;
                u.parts.insert(n, r.bytes()?);
            }
            f.stored += u.bytes();
            f.uploads.insert(key, u);
        }
        for _ in 0..r.len()? {
            let id = r.i64()?;
            let access_hash = r.i64()?;
            let file_reference = r.bytes()?;
            let date = r.i32()?;
            let mime_type = r.str()?;
            let mut attributes = Vec::new();
            for _ in 0..r.len()? {
                let bytes = r.bytes()?;
                match enums::DocumentAttribute::from_bytes(&bytes) {
                    Ok(a) => attributes.push(a),
                    Err(e) => return r.err(format!("document {id}: attribute: {e}")),
                }
            }
            let data = r.bytes()?;
            f.stored += data.len();
            let doc = Document {
                id,
                access_hash,
                file_reference,
                date,
                mime_type,
                attributes,
                data,
                dc_id: r.i32()?,
            };
            f.documents.insert(id, doc);
        }
        f.next_document = r.u64()?;
        Ok(f)
    }
}
