//! Uploads, documents and downloads, called on the API slice directly.

mod common;

use common::*;
use ferrogram_testdc::world::{FIRST_USER_ID, World};
use ferrogram_tl_types::functions as f;
use ferrogram_tl_types::{enums, types};
use md5::{Digest, Md5};

const ALICE: i64 = FIRST_USER_ID;

fn world() -> (World, i64) {
    world_with(ferrogram_testdc::files::DEFAULT_UPLOAD_LIMIT)
}

fn world_with(limit: usize) -> (World, i64) {
    let mut w = World::with_upload_limit(limit);
    let (bot, _) = w.create_bot("Files", "files_bot");
    w.log_in(BOT_KEY, bot);
    w.log_in(ALICE_KEY, ALICE);
    (w, bot)
}

fn part(file_id: i64, n: i32, bytes: Vec<u8>) -> f::upload::SaveFilePart {
    f::upload::SaveFilePart {
        file_id,
        file_part: n,
        bytes,
    }
}

fn big(file_id: i64, n: i32, total: i32, bytes: Vec<u8>) -> f::upload::SaveBigFilePart {
    f::upload::SaveBigFilePart {
        file_id,
        file_part: n,
        file_total_parts: total,
        bytes,
    }
}

fn bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
}

fn md5_hex(data: &[u8]) -> String {
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn send_media(w: &World, to: i64, media: enums::InputMedia) -> f::messages::SendMedia {
    f::messages::SendMedia {
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer: peer(w, to),
        reply_to: None,
        media,
        message: "the report".into(),
        random_id: 0x5eed,
        reply_markup: None,
        entities: None,
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
        suggested_post: None,
    }
}

fn uploaded(file: enums::InputFile) -> enums::InputMedia {
    enums::InputMedia::UploadedDocument(Box::new(types::InputMediaUploadedDocument {
        nosound_video: false,
        force_file: true,
        spoiler: false,
        file,
        thumb: None,
        mime_type: "application/octet-stream".into(),
        attributes: vec![enums::DocumentAttribute::Filename(
            types::DocumentAttributeFilename {
                file_name: "report.bin".into(),
            },
        )],
        stickers: None,
        video_cover: None,
        video_timestamp: None,
        ttl_seconds: None,
    }))
}

fn input_file(id: i64, parts: i32, md5: &str) -> enums::InputFile {
    enums::InputFile::InputFile(types::InputFile {
        id,
        parts,
        name: "report.bin".into(),
        md5_checksum: md5.into(),
    })
}

fn get_file(doc: &types::Document, offset: i64, limit: i32) -> f::upload::GetFile {
    f::upload::GetFile {
        precise: false,
        cdn_supported: false,
        location: enums::InputFileLocation::InputDocumentFileLocation(
            types::InputDocumentFileLocation {
                id: doc.id,
                access_hash: doc.access_hash,
                file_reference: doc.file_reference.clone(),
                thumb_size: String::new(),
            },
        ),
        offset,
        limit,
    }
}

fn e400(name: &str) -> (i32, String) {
    (400, name.into())
}

#[test]
fn part_rules_are_telegrams() {
    let (mut w, _) = world();
    let k = BOT_KEY;
    assert_eq!(
        err(&mut w, k, &part(1, -1, bytes(1024, 0))),
        e400("FILE_PART_INVALID")
    );
    assert_eq!(
        err(&mut w, k, &part(1, 4000, bytes(1024, 0))),
        e400("FILE_PART_INVALID")
    );
    assert_eq!(
        err(&mut w, k, &part(1, 0, Vec::new())),
        e400("FILE_PART_EMPTY")
    );
    assert_eq!(
        err(&mut w, k, &part(1, 0, bytes(512 * 1024 + 1024, 0))),
        e400("FILE_PART_TOO_BIG")
    );
    // 1000 bytes may only be a last part; part 1 after it says it was not.
    let saved: bool = ok(&mut w, k, &part(2, 0, bytes(1000, 0)));
    assert!(saved);
    assert_eq!(
        err(&mut w, k, &part(2, 1, bytes(1000, 0))),
        e400("FILE_PART_SIZE_INVALID")
    );
    // 3 KiB does not divide 512 KiB.
    let _: bool = ok(&mut w, k, &part(3, 1, bytes(1024, 0)));
    assert_eq!(
        err(&mut w, k, &part(3, 0, bytes(3072, 0))),
        e400("FILE_PART_SIZE_INVALID")
    );
    // Parts of one file keep one size; the last may be smaller, never bigger.
    let _: bool = ok(&mut w, k, &part(4, 0, bytes(2048, 0)));
    assert_eq!(
        err(&mut w, k, &part(4, 1, bytes(4096, 0))),
        e400("FILE_PART_SIZE_CHANGED")
    );
    let _: bool = ok(&mut w, k, &part(4, 1, bytes(2048, 0)));
    let _: bool = ok(&mut w, k, &part(4, 2, bytes(10, 0)));
    // Big files: a total in 1..=4000 that does not change, parts below it.
    assert_eq!(
        err(&mut w, k, &big(5, 0, 0, bytes(1024, 0))),
        e400("FILE_PARTS_INVALID")
    );
    assert_eq!(
        err(&mut w, k, &big(5, 0, 4001, bytes(1024, 0))),
        e400("FILE_PARTS_INVALID")
    );
    assert_eq!(
        err(&mut w, k, &big(5, 3, 3, bytes(1024, 0))),
        e400("FILE_PART_INVALID")
    );
    let _: bool = ok(&mut w, k, &big(5, 0, 3, bytes(1024, 0)));
    assert_eq!(
        err(&mut w, k, &big(5, 1, 4, bytes(1024, 0))),
        e400("FILE_PARTS_INVALID")
    );
    // A stream's parts say -1 until the end.
    let _: bool = ok(&mut w, k, &big(6, 0, -1, bytes(1024, 0)));
    let _: bool = ok(&mut w, k, &big(6, 1, 2, bytes(100, 0)));
    // Before login: 401.
    assert_eq!(err(&mut w, 0x404, &part(7, 0, bytes(1024, 0))).0, 401);
}

#[test]
fn stored_upload_bytes_are_capped() {
    let (mut w, _) = world_with(8192);
    let _: bool = ok(&mut w, BOT_KEY, &part(1, 0, bytes(4096, 0)));
    let _: bool = ok(&mut w, BOT_KEY, &part(1, 1, bytes(4096, 0)));
    let (code, name) = err(&mut w, BOT_KEY, &part(1, 2, bytes(1024, 0)));
    assert_eq!(code, 400);
    assert!(
        name.starts_with("UPLOAD_STORAGE_FULL") && name.contains("8192"),
        "{name}"
    );
    // Saving a part again replaces it: no new bytes.
    let _: bool = ok(&mut w, BOT_KEY, &part(1, 1, bytes(4096, 9)));
    assert_eq!(w.files().stored(), 8192);
}

#[test]
fn a_bot_sends_an_uploaded_document_alice_gets_it_and_both_download_it() {
    let (mut w, bot) = world();
    let data = [bytes(4096, 1), bytes(4096, 2), bytes(1000, 3)].concat();
    for (n, chunk) in data.chunks(4096).enumerate() {
        let _: bool = ok(&mut w, BOT_KEY, &part(77, n as i32, chunk.to_vec()));
    }

    // A wrong checksum, a missing part and a wrong count are refused, and keep the parts.
    let q = send_media(&w, ALICE, uploaded(input_file(77, 3, &md5_hex(b"other"))));
    assert_eq!(err(&mut w, BOT_KEY, &q), e400("MD5_CHECKSUM_INVALID"));
    let q = send_media(&w, ALICE, uploaded(input_file(77, 4, "")));
    assert_eq!(err(&mut w, BOT_KEY, &q), e400("FILE_PART_3_MISSING"));
    let q = send_media(&w, ALICE, uploaded(input_file(77, 2, "")));
    assert_eq!(err(&mut w, BOT_KEY, &q), e400("FILE_PARTS_INVALID"));

    let q = send_media(&w, ALICE, uploaded(input_file(77, 3, &md5_hex(&data))));
    let answer = call(&mut w, BOT_KEY, &q);
    let enums::Updates::Updates(u) =
        <enums::Updates as ferrogram_tl_types::TlRead>::from_bytes(&answer.result.unwrap())
            .unwrap()
    else {
        panic!("updates")
    };
    let [enums::Update::MessageId(id), enums::Update::NewMessage(new)] = &u.updates[..] else {
        panic!("{:?}", u.updates)
    };
    assert_eq!((id.id, id.random_id), (1, 0x5eed));
    assert_eq!((new.pts, new.pts_count), (1, 1));
    let m = message(&new.message);
    assert!(m.out);
    assert_eq!(m.message, "the report");
    let Some(enums::MessageMedia::Document(media)) = &m.media else {
        panic!("{:?}", m.media)
    };
    let Some(enums::Document::Document(doc)) = &media.document else {
        panic!()
    };
    assert_eq!(
        (doc.size, doc.dc_id, doc.mime_type.as_str()),
        (9192, 2, "application/octet-stream")
    );
    assert!(!doc.file_reference.is_empty());
    assert_eq!(
        doc.attributes,
        [enums::DocumentAttribute::Filename(
            types::DocumentAttributeFilename {
                file_name: "report.bin".into()
            }
        )]
    );

    // The upload is used up.
    assert_eq!(err(&mut w, BOT_KEY, &q), e400("FILE_PART_0_MISSING"));

    // Alice's key gets updateNewMessage with the bot among the users.
    assert_eq!(answer.pushes.len(), 1);
    assert_eq!(answer.pushes[0].auth_key_id, ALICE_KEY);
    let enums::Updates::Updates(pushed) =
        <enums::Updates as ferrogram_tl_types::TlRead>::from_bytes(&answer.pushes[0].update)
            .unwrap()
    else {
        panic!()
    };
    let [enums::Update::NewMessage(hers)] = &pushed.updates[..] else {
        panic!()
    };
    let theirs = message(&hers.message);
    assert!(!theirs.out);
    assert_eq!(
        theirs.from_id,
        Some(enums::Peer::User(types::PeerUser { user_id: bot }))
    );
    assert_eq!(theirs.media, m.media);
    assert!(
        pushed
            .users
            .iter()
            .any(|u| matches!(u, enums::User::User(u) if u.id == bot))
    );

    // Download: whole 4 KiB pieces, the short end, nothing past it.
    for key in [BOT_KEY, ALICE_KEY] {
        let mut got = Vec::new();
        let mut offset = 0;
        loop {
            let enums::upload::File::File(file) = ok(&mut w, key, &get_file(doc, offset, 4096))
            else {
                panic!()
            };
            got.extend_from_slice(&file.bytes);
            if file.bytes.len() < 4096 {
                break;
            }
            offset += 4096;
        }
        assert_eq!(got, data);
    }
    let enums::upload::File::File(past) = ok(&mut w, ALICE_KEY, &get_file(doc, 1 << 20, 4096))
    else {
        panic!()
    };
    assert!(past.bytes.is_empty());

    // Telegram's offset and limit rules.
    assert_eq!(
        err(&mut w, ALICE_KEY, &get_file(doc, 100, 4096)),
        e400("OFFSET_INVALID")
    );
    assert_eq!(
        err(&mut w, ALICE_KEY, &get_file(doc, 0, 1000)),
        e400("LIMIT_INVALID")
    );
    assert_eq!(
        err(&mut w, ALICE_KEY, &get_file(doc, 0, 12288)),
        e400("LIMIT_INVALID")
    );
    assert_eq!(
        err(&mut w, ALICE_KEY, &get_file(doc, 0, 2 << 20)),
        e400("LIMIT_INVALID")
    );
    assert_eq!(
        err(&mut w, ALICE_KEY, &get_file(doc, (1 << 20) - 4096, 8192)),
        e400("LIMIT_INVALID"),
        "crosses a 1 MiB boundary"
    );
    let mut precise = get_file(doc, 1024, 3072);
    precise.precise = true;
    let enums::upload::File::File(p) = ok(&mut w, ALICE_KEY, &precise) else {
        panic!()
    };
    assert_eq!(p.bytes, data[1024..4096]);

    // File references and hashes are checked.
    let with = |change: &dyn Fn(&mut types::InputDocumentFileLocation)| {
        let mut q = get_file(doc, 0, 4096);
        if let enums::InputFileLocation::InputDocumentFileLocation(loc) = &mut q.location {
            change(loc);
        }
        q
    };
    let stale = with(&|l| l.file_reference[0] ^= 1);
    assert_eq!(
        err(&mut w, ALICE_KEY, &stale),
        e400("FILE_REFERENCE_EXPIRED")
    );
    let empty = with(&|l| l.file_reference.clear());
    assert_eq!(err(&mut w, ALICE_KEY, &empty), e400("FILE_REFERENCE_EMPTY"));
    let forged = with(&|l| l.access_hash ^= 1);
    assert_eq!(err(&mut w, ALICE_KEY, &forged), e400("FILE_ID_INVALID"));

    // Alice's history and getMessages carry the document too.
    let q = f::messages::GetMessages {
        id: vec![enums::InputMessage::Id(types::InputMessageId { id: 1 })],
    };
    let enums::messages::Messages::Messages(mine) = ok(&mut w, ALICE_KEY, &q) else {
        panic!()
    };
    assert_eq!(message(&mine.messages[0]).media, m.media);

    // The stored document can be sent again by id, with its current file reference.
    let again = enums::InputMedia::Document(types::InputMediaDocument {
        spoiler: false,
        id: enums::InputDocument::InputDocument(types::InputDocument {
            id: doc.id,
            access_hash: doc.access_hash,
            file_reference: doc.file_reference.clone(),
        }),
        video_cover: None,
        video_timestamp: None,
        ttl_seconds: None,
        query: None,
    });
    let q = send_media(&w, ALICE, again.clone());
    let _: enums::Updates = ok(&mut w, BOT_KEY, &q);
    assert_eq!(w.messages().len(), 2);
    assert_eq!(w.messages()[1].document, w.messages()[0].document);
    let enums::InputMedia::Document(mut stale) = again else {
        unreachable!()
    };
    let enums::InputDocument::InputDocument(d) = &mut stale.id else {
        unreachable!()
    };
    d.file_reference[1] ^= 1;
    let q = send_media(&w, ALICE, enums::InputMedia::Document(stale));
    assert_eq!(err(&mut w, BOT_KEY, &q), e400("FILE_REFERENCE_EXPIRED"));
}

#[test]
fn big_uploads_and_unserved_media_kinds() {
    let (mut w, _) = world();
    let data = [bytes(2048, 4), bytes(2048, 5), bytes(7, 6)].concat();
    for (n, chunk) in data.chunks(2048).enumerate() {
        let _: bool = ok(&mut w, BOT_KEY, &big(9, n as i32, 3, chunk.to_vec()));
    }
    let file = enums::InputFile::Big(types::InputFileBig {
        id: 9,
        parts: 3,
        name: "big.bin".into(),
    });
    let q = send_media(&w, ALICE, uploaded(file));
    let _: enums::Updates = ok(&mut w, BOT_KEY, &q);
    let doc = w.files().documents().next().unwrap();
    assert_eq!(doc.data, data);

    // Photos need an image decoder the test DC does not have: it says so.
    let photo = enums::InputMedia::UploadedPhoto(types::InputMediaUploadedPhoto {
        spoiler: false,
        live_photo: false,
        file: input_file(10, 1, ""),
        stickers: None,
        ttl_seconds: None,
        video: None,
    });
    let q = send_media(&w, ALICE, photo);
    let (code, name) = err(&mut w, BOT_KEY, &q);
    assert_eq!(code, 400);
    assert!(
        name.starts_with("MEDIA_INVALID") && name.contains("inputMediaUploadedPhoto"),
        "{name}"
    );
}

#[test]
fn a_document_stored_on_another_dc_answers_file_migrate() {
    let (mut w, bot) = world();
    w.set_dcs(vec![(2, 44302), (4, 44304)]);
    w.set_home_dc(bot, 4);
    // The bot sends from its home, DC 4: the document is stored there.
    let data = bytes(3000, 9);
    let _: bool = ok_at(&mut w, 4, BOT_KEY, &part(88, 0, data.clone()));
    let q = send_media(&w, ALICE, uploaded(input_file(88, 1, &md5_hex(&data))));
    let updates: enums::Updates = ok_at(&mut w, 4, BOT_KEY, &q);
    let enums::Updates::Updates(u) = updates else {
        panic!("updates")
    };
    let Some(enums::Update::NewMessage(new)) = u.updates.get(1) else {
        panic!("{:?}", u.updates)
    };
    let Some(enums::MessageMedia::Document(media)) = &message(&new.message).media else {
        panic!()
    };
    let Some(enums::Document::Document(doc)) = &media.document else {
        panic!()
    };
    assert_eq!(doc.dc_id, 4);
    // Alice, at her home DC 2, is sent to DC 4 for the bytes ...
    assert_eq!(
        err_at(&mut w, 2, ALICE_KEY, &get_file(doc, 0, 4096)),
        (303, "FILE_MIGRATE_4".into())
    );
    // ... where a key she imported her login to gets them (upload.* is served away from
    // home).
    const ALICE_ON_4: u64 = 0xA11CE4;
    w.log_in(ALICE_ON_4, ALICE);
    let file: enums::upload::File = ok_at(&mut w, 4, ALICE_ON_4, &get_file(doc, 0, 4096));
    let enums::upload::File::File(file) = file else {
        panic!()
    };
    assert_eq!(file.bytes, data);
    // A single DC never sends anyone elsewhere: the same world as a one-DC cluster.
    w.set_dcs(vec![(2, 44302)]);
    let _: enums::upload::File = ok_at(&mut w, 2, ALICE_KEY, &get_file(doc, 0, 4096));
}
