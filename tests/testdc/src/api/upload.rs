//! Files: `upload.saveFilePart`, `upload.saveBigFilePart`, `messages.sendMedia` with an
//! uploaded (or already stored) document, and `upload.getFile` for documents.

use ferrogram_tl_types::functions as f;
use ferrogram_tl_types::{enums, types};

use super::objects::{document_media, message, users_of};
use super::{ApiError, Caller, Push, encode, internal, resolve_peer};
use crate::files::{FileError, FileRef};
use crate::world::{Account, World};

/// 1 MiB: no `upload.getFile` answer crosses a multiple of it.
const CHUNK: i64 = 1024 * 1024;

fn file_error(e: FileError) -> ApiError {
    ApiError::new(400, e.rpc_name())
}

/// `upload.saveFilePart` (`total: None`) and `upload.saveBigFilePart`.
pub(super) fn save_part(
    world: &mut World,
    me: &Account,
    file_id: i64,
    part: i32,
    total: Option<i32>,
    bytes: &[u8],
) -> Result<Vec<u8>, ApiError> {
    world
        .files_mut()
        .save_part(me.id, file_id, part, total, bytes)
        .map_err(file_error)?;
    encode(&true)
}

/// The document a `messages.sendMedia` names: made from an upload, or one already stored.
fn media_document(
    world: &mut World,
    c: &Caller,
    me: &Account,
    media: &enums::InputMedia,
) -> Result<i64, ApiError> {
    match media {
        enums::InputMedia::UploadedDocument(d) => {
            let (id, parts, md5) = match &d.file {
                enums::InputFile::InputFile(f) => (f.id, f.parts, f.md5_checksum.as_str()),
                enums::InputFile::Big(f) => (f.id, f.parts, ""),
                enums::InputFile::StoryDocument(_) => {
                    return Err(ApiError::new(
                        400,
                        "MEDIA_INVALID: inputFileStoryDocument is for stories",
                    ));
                }
            };
            if d.thumb.is_some() || d.stickers.is_some() || d.video_cover.is_some() {
                return Err(ApiError::new(
                    400,
                    "MEDIA_INVALID: the test DC does not serve thumbnails, stickers or video \
                     covers on documents yet",
                ));
            }
            let mime = if d.mime_type.is_empty() {
                "application/octet-stream"
            } else {
                d.mime_type.as_str()
            };
            let file = FileRef {
                id,
                parts,
                md5_checksum: md5,
            };
            let doc = world
                .files_mut()
                .make_document(c.dc_id, me.id, &file, c.now, mime, d.attributes.clone())
                .map_err(file_error)?;
            Ok(doc.id)
        }
        enums::InputMedia::Document(d) => match &d.id {
            enums::InputDocument::InputDocument(input) => {
                let doc = world
                    .files()
                    .document(input.id)
                    .filter(|doc| doc.access_hash == input.access_hash)
                    .ok_or_else(|| ApiError::new(400, "MEDIA_INVALID"))?;
                check_reference(&doc.file_reference, &input.file_reference)?;
                Ok(doc.id)
            }
            enums::InputDocument::Empty(_) => Err(ApiError::new(400, "MEDIA_EMPTY")),
        },
        enums::InputMedia::Empty(_) => Err(ApiError::new(400, "MEDIA_EMPTY")),
        other => Err(ApiError::new(
            400,
            format!(
                "MEDIA_INVALID: the test DC serves inputMediaUploadedDocument and \
                 inputMediaDocument only, not {}",
                ferrogram_tl_types::names::name_of(enum_id(other)).unwrap_or("this media")
            ),
        )),
    }
}

fn enum_id(media: &enums::InputMedia) -> u32 {
    use ferrogram_tl_types::TlWrite;
    media
        .to_bytes()
        .ok()
        .and_then(|b| {
            b.get(..4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        })
        .unwrap_or(0)
}

fn check_reference(stored: &[u8], given: &[u8]) -> Result<(), ApiError> {
    if given.is_empty() {
        return Err(ApiError::new(400, "FILE_REFERENCE_EMPTY"));
    }
    if given != stored {
        return Err(ApiError::new(400, "FILE_REFERENCE_EXPIRED"));
    }
    Ok(())
}

/// `messages.sendMedia`: stores the message; the sender gets `updates` with
/// `updateMessageID` and `updateNewMessage`, the recipient's keys `updateNewMessage`.
pub(super) fn send_media(
    world: &mut World,
    c: &Caller,
    me: &Account,
    call: &f::messages::SendMedia,
    pushes: &mut Vec<Push>,
) -> Result<Vec<u8>, ApiError> {
    let to = resolve_peer(world, me, &call.peer)?;
    if call.message.chars().count() > 1024 {
        return Err(ApiError::new(400, "MEDIA_CAPTION_TOO_LONG"));
    }
    let doc_id = media_document(world, c, me, &call.media)?;
    let sent = world.send_with(me.id, to.id, c.now, &call.message, Some(doc_id));
    let media = || {
        world
            .files()
            .document(doc_id)
            .map(document_media)
            .ok_or_else(internal)
    };
    if to.id != me.id {
        let them = world.account(to.id).cloned().ok_or_else(internal)?;
        let theirs = message(
            sent.recipient_id,
            false,
            me.id,
            me.id,
            c.now,
            &call.message,
            Some(media()?),
        )?;
        let update = encode(&updates(
            vec![enums::Update::NewMessage(types::UpdateNewMessage {
                message: theirs,
                pts: sent.recipient_pts,
                pts_count: 1,
            })],
            users_of(world, &them, [me.id])?,
            c.now,
        ))?;
        for key in world.keys_of(to.id) {
            pushes.push(Push {
                auth_key_id: key,
                update: update.clone(),
            });
        }
    }
    let mine = message(
        sent.id,
        true,
        me.id,
        to.id,
        c.now,
        &call.message,
        Some(media()?),
    )?;
    encode(&updates(
        vec![
            enums::Update::MessageId(types::UpdateMessageId {
                id: sent.id,
                random_id: call.random_id,
            }),
            enums::Update::NewMessage(types::UpdateNewMessage {
                message: mine,
                pts: sent.pts,
                pts_count: 1,
            }),
        ],
        users_of(world, me, [to.id])?,
        c.now,
    ))
}

fn updates(list: Vec<enums::Update>, users: Vec<enums::User>, date: i32) -> enums::Updates {
    enums::Updates::Updates(types::Updates {
        updates: list,
        users,
        chats: Vec::new(),
        date,
        seq: 0,
    })
}

/// Checks `upload.getFile`'s `offset` and `limit` (core.telegram.org/api/files).
pub fn check_range(offset: i64, limit: i32, precise: bool) -> Result<(), ApiError> {
    let (align, limit_ok) = if precise {
        (
            1024,
            limit > 0 && limit % 1024 == 0 && i64::from(limit) <= CHUNK,
        )
    } else {
        (
            4096,
            limit > 0 && limit % 4096 == 0 && CHUNK % i64::from(limit) == 0,
        )
    };
    if offset < 0 || offset % align != 0 {
        return Err(ApiError::new(400, "OFFSET_INVALID"));
    }
    if !limit_ok || offset / CHUNK != (offset + i64::from(limit) - 1) / CHUNK {
        return Err(ApiError::new(400, "LIMIT_INVALID"));
    }
    Ok(())
}

/// `upload.getFile` for a document: `limit` bytes from `offset`, fewer at the end, none past
/// it.
pub(super) fn get_file(
    world: &World,
    c: &Caller,
    call: &f::upload::GetFile,
) -> Result<Vec<u8>, ApiError> {
    let enums::InputFileLocation::InputDocumentFileLocation(loc) = &call.location else {
        return Err(ApiError::new(
            400,
            "LOCATION_INVALID: the test DC serves inputDocumentFileLocation only",
        ));
    };
    let doc = world
        .files()
        .document(loc.id)
        .filter(|d| d.access_hash == loc.access_hash)
        .ok_or_else(|| ApiError::new(400, "FILE_ID_INVALID"))?;
    check_reference(&doc.file_reference, &loc.file_reference)?;
    if doc.dc_id != c.dc_id && world.has_dc(doc.dc_id) {
        return Err(ApiError::new(303, format!("FILE_MIGRATE_{}", doc.dc_id)));
    }
    if !loc.thumb_size.is_empty() {
        return Err(ApiError::new(
            400,
            "LOCATION_INVALID: the test DC makes no thumbnails",
        ));
    }
    check_range(call.offset, call.limit, call.precise)?;
    let len = doc.data.len();
    let from = usize::try_from(call.offset).unwrap_or(usize::MAX).min(len);
    let to = from.saturating_add(call.limit as usize).min(len);
    encode(&enums::upload::File::File(types::upload::File {
        r#type: enums::storage::FileType::FileUnknown(types::storage::FileUnknown {}),
        mtime: doc.date,
        bytes: doc.data[from..to].to_vec(),
    }))
}
