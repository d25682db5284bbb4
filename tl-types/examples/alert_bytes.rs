//! What a device does when it sends an alert, at the TL layer: build
//! `invokeWithLayer(messages.sendMessage(...))` from borrowed data into a stack buffer (no
//! heap), then decode it back in place the way a server would, and once more as owned values.
//!
//! Run: `cargo run -p ferrogram-tl-types --features view --example alert_bytes -- "disk almost full"`

use ferrogram_tl_types::view::{enums, functions, types};
use ferrogram_tl_types::{LAYER, Lazy, LazyVec, Query, TlRead, TlStr, TlWrite, ViewRead, names};

fn main() {
    let text = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "disk almost full on sensor-7".into());

    // 1. Serialize from borrowed data: nothing here allocates.
    let peer = enums::InputPeer::User(types::InputPeerUser {
        user_id: 777_000,
        access_hash: 0x1234_5678_9abc_def0,
    });
    let bold = [enums::MessageEntity::Bold(types::MessageEntityBold {
        offset: 0,
        length: 4,
    })];
    let send = functions::messages::SendMessage {
        no_webpage: true,
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer: Lazy::Value(&peer),
        reply_to: None,
        message: TlStr::from(text.as_str()),
        random_id: 0x0102_0304_0506_0708,
        reply_markup: None,
        entities: Some(LazyVec::Slice(&bold)),
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
        suggested_post: None,
        rich_message: None,
    };
    let call = functions::InvokeWithLayer {
        layer: LAYER as i32,
        query: Query::Value(&send),
    };
    let mut buf = [0u8; 512];
    let n = match call.write_to(&mut buf) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let bytes = &buf[..n];
    println!("layer {LAYER}: invokeWithLayer(messages.sendMessage) = {n} bytes, no heap used");
    for line in bytes.chunks(16) {
        println!(
            "  {}",
            line.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }

    // 2. Decode in place, as the server side would: fields borrow from `bytes`.
    let outer = functions::InvokeWithLayer::from_bytes(bytes).expect("valid bytes");
    let Query::Encoded(inner) = outer.query else {
        unreachable!("decoded queries are encoded")
    };
    let id = u32::from_le_bytes(inner[..4].try_into().unwrap());
    println!(
        "zero-copy: layer {}, query {}",
        outer.layer,
        names::name_of(id).unwrap_or("?")
    );
    let msg = functions::messages::SendMessage::from_bytes(inner).expect("valid bytes");
    let peer = msg.peer.get().expect("checked");
    println!(
        "  message: {:?}",
        msg.message.to_str().unwrap_or("<invalid UTF-8>")
    );
    println!(
        "  peer: {}",
        match peer {
            enums::InputPeer::User(u) => format!("user {}", u.user_id),
            _ => "other".into(),
        }
    );
    println!("  entities: {}", msg.entities.map_or(0, |e| e.len()));

    // 3. The same bytes as owned values (with `alloc`).
    let owned = ferrogram_tl_types::functions::InvokeWithLayer::<
        ferrogram_tl_types::functions::messages::SendMessage,
    >::from_bytes(bytes)
    .expect("valid bytes");
    println!("owned: {:?}", owned.query.message);
    assert_eq!(owned.to_bytes().expect("encodes"), bytes);
    println!("owned re-encoding matches byte for byte");
}
