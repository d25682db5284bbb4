//! Writes the fuzzers' seed corpora:
//!
//! - `seeds/tl/`: about 300 valid encodings of constructors and functions of
//!   `tl-types/tl/{mtproto,api}.tl`, from `ferrogram_tl_codegen::sample::Sampler` (an encoder
//!   independent of the generated code), over many combinators, seeds and flag modes, plus a
//!   few hand-made edge cases (deep nesting, long-form bytes, invalid UTF-8, lying vector
//!   lengths, trailing bytes).
//! - `seeds/tl_schema/`: small TL schema snippets covering the parser's grammar and its error
//!   paths.
//!
//! - `seeds/handshake_client/` and `seeds/handshake_server/`: honest auth-key exchanges between
//!   our client and our server role with the fixed random sources and clock of
//!   `fuzz_targets/handshake_common.rs` (so they replay exactly in the targets): the server's
//!   answers for the client target, the client's requests for the server target, whole and
//!   cut short, permanent and temporary, with a timeout and with a packet after the end.
//!
//! Run from the `fuzz` directory: `cargo run --release --bin make_seeds [OUT_DIR]`
//! (default `seeds`). Deterministic: rerunning rewrites the same files.

use ferrogram_mtproto_proto::auth_key::client::{ClientHandshake, MAX_REQUEST};
use ferrogram_mtproto_proto::auth_key::server::{MAX_ANSWER, ServerHandshake};
use ferrogram_tl_codegen::sample::{FlagMode, Sampler, tl_bytes};
use ferrogram_tl_codegen::{
    Category, Def, MTPROTO_ID_EXCEPTIONS, ParamKind, ParseOptions, Schema, Ty, parse_all,
};
use std::fs;
use std::path::{Path, PathBuf};

/// Largest sample kept; bigger ones are retried with another seed and shallower nesting.
const MAX_SAMPLE: usize = 12 * 1024;
/// How many sampled encodings to write.
const SAMPLES: usize = 300;

fn schema(tl_dir: &Path) -> Schema {
    let mtproto = fs::read_to_string(tl_dir.join("mtproto.tl")).expect("mtproto.tl");
    let api = fs::read_to_string(tl_dir.join("api.tl")).expect("api.tl");
    let opts = ParseOptions {
        id_exceptions: MTPROTO_ID_EXCEPTIONS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    parse_all(&[("mtproto.tl", &mtproto), ("api.tl", &api)], &opts)
        .expect("the vendored schema parses")
}

/// How interesting a combinator is for a fuzzer: flags, vectors, strings, nested objects,
/// generic queries.
fn richness(d: &Def) -> usize {
    fn ty_score(t: &Ty) -> usize {
        match t {
            Ty::Vector { elem, .. } => 3 + ty_score(elem),
            Ty::Named { .. } => 2,
            Ty::GenericQuery(_) => 4,
            Ty::String | Ty::Bytes => 1,
            _ => 0,
        }
    }
    d.params
        .iter()
        .map(|p| match &p.kind {
            ParamKind::Flags => 3,
            ParamKind::Value { ty, cond } => ty_score(ty) + usize::from(cond.is_some()),
        })
        .sum()
}

fn mode_name(m: FlagMode) -> &'static str {
    match m {
        FlagMode::AllSet => "all",
        FlagMode::NoneSet => "none",
        FlagMode::Random => "rand",
    }
}

fn file_name(d: &Def) -> String {
    d.name.to_string().replace('.', "_")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("writing {name}: {e}"));
}

fn sample_seeds(schema: &Schema, dir: &Path) -> usize {
    // Every combinator with a parameter is a candidate; the richest go first, then an even
    // spread over the rest so that plain constructors (and every id range) appear too.
    let mut rich: Vec<&Def> = schema
        .defs
        .iter()
        .filter(|d| !d.params.is_empty())
        .collect();
    rich.sort_by_key(|d| (std::cmp::Reverse(richness(d)), d.id));
    let mut picked: Vec<&Def> = rich.iter().take(SAMPLES / 3).copied().collect();
    let rest: Vec<&Def> = schema
        .defs
        .iter()
        .filter(|d| {
            !picked
                .iter()
                .any(|p| p.name == d.name && p.category == d.category)
        })
        .collect();
    let want = SAMPLES - picked.len() - 20;
    let step = (rest.len() / want).max(1);
    picked.extend(rest.iter().step_by(step).take(want));
    // A few with the same combinator in all three flag modes.
    let again: Vec<&Def> = picked.iter().take(20).copied().collect();
    picked.extend(again);

    let modes = [FlagMode::AllSet, FlagMode::Random, FlagMode::NoneSet];
    let mut written = 0;
    for (i, def) in picked.iter().enumerate() {
        let mut mode = modes[i % 3];
        if i >= SAMPLES - 20 {
            // The repeated ones: a mode different from the first pass.
            mode = modes[(i + 1) % 3];
        }
        let mut seed = 1000 + i as u64;
        let mut depth = 3;
        let bytes = loop {
            let mut s = Sampler::new(schema, seed);
            s.max_depth = depth;
            let b = match def.category {
                Category::Type => s.constructor(def, mode),
                Category::Function => s.function(def, mode),
            };
            if b.len() <= MAX_SAMPLE || depth == 0 {
                break b;
            }
            seed += 7919;
            depth -= 1;
        };
        let kind = if def.category == Category::Function {
            "fn"
        } else {
            "ctor"
        };
        write(
            dir,
            &format!("{kind}-{}-{}-s{seed}.bin", file_name(def), mode_name(mode)),
            &bytes,
        );
        written += 1;
    }
    written
}

fn find<'s>(schema: &'s Schema, name: &str) -> &'s Def {
    schema
        .defs
        .iter()
        .find(|d| d.name.to_string() == name)
        .unwrap_or_else(|| panic!("{name} not in the schema"))
}

fn id(schema: &Schema, name: &str) -> [u8; 4] {
    find(schema, name).id.to_le_bytes()
}

/// Hand-made inputs that a random sampler does not produce.
fn edge_seeds(schema: &Schema, dir: &Path) -> usize {
    let mut n = 0;
    let mut put = |name: &str, bytes: Vec<u8>| {
        write(dir, &format!("edge-{name}.bin"), &bytes);
        n += 1;
    };

    // RichText nested 40 deep (textBold → textBold → … → textEmpty) and far beyond the
    // reader's depth limit.
    for depth in [40usize, 200] {
        let mut b = Vec::new();
        for _ in 0..depth {
            b.extend_from_slice(&id(schema, "textBold"));
        }
        b.extend_from_slice(&id(schema, "textEmpty"));
        put(&format!("textBold-nested-{depth}"), b);
    }

    // textPlain with a long-form (254-prefixed) string, and with invalid UTF-8 / nonzero
    // padding.
    let mut b = id(schema, "textPlain").to_vec();
    tl_bytes(&mut b, "long form ".repeat(40).as_bytes());
    put("textPlain-long-string", b);
    let mut b = id(schema, "textPlain").to_vec();
    b.extend_from_slice(&[5, 0xff, 0xfe, b'a', 0xc3, 0x28, 0xaa, 0xbb]);
    put("textPlain-bad-utf8-padding", b);
    // A long-form length used for a short string (non-canonical).
    let mut b = id(schema, "textPlain").to_vec();
    b.extend_from_slice(&[254, 3, 0, 0, b'a', b'b', b'c', 0]);
    put("textPlain-noncanonical-length", b);

    // msgs_ack with a vector whose length claims far more than the input holds, and one
    // with a wrong vector id.
    let mut b = id(schema, "msgs_ack").to_vec();
    b.extend_from_slice(&0x1cb5c415u32.to_le_bytes());
    b.extend_from_slice(&0x7fff_ffffu32.to_le_bytes());
    b.extend_from_slice(&1u64.to_le_bytes());
    put("msgs_ack-huge-vector", b);
    let mut b = id(schema, "msgs_ack").to_vec();
    b.extend_from_slice(&0x1cb5c416u32.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&1u64.to_le_bytes());
    put("msgs_ack-bad-vector-id", b);

    // A valid value followed by trailing bytes, and a truncated one.
    let mut s = Sampler::new(schema, 7);
    let msg = s.constructor(find(schema, "message"), FlagMode::AllSet);
    let mut b = msg.clone();
    b.extend_from_slice(&[1, 2, 3, 4]);
    put("message-trailing", b);
    put("message-truncated", msg[..msg.len() / 2].to_vec());

    // A Bool that is neither boolTrue nor boolFalse (contacts.block has none; use
    // account.updateStatus offline:Bool).
    let mut b = id(schema, "account.updateStatus").to_vec();
    b.extend_from_slice(&0xdeadbeefu32.to_le_bytes());
    put("updateStatus-bad-bool", b);

    // invokeWithLayer(initConnection(help.getConfig)) — nested generic queries.
    let mut b = id(schema, "invokeWithLayer").to_vec();
    b.extend_from_slice(&230u32.to_le_bytes());
    b.extend_from_slice(&id(schema, "initConnection"));
    b.extend_from_slice(&0u32.to_le_bytes()); // flags
    b.extend_from_slice(&1u32.to_le_bytes()); // api_id
    for s in ["device", "os", "1.0", "en", "", "en"] {
        tl_bytes(&mut b, s.as_bytes());
    }
    b.extend_from_slice(&id(schema, "help.getConfig"));
    put("invokeWithLayer-initConnection-getConfig", b);

    // Unused flag bits set on a constructor with flags (message with all bits set).
    let mut b = id(schema, "messageReplies").to_vec();
    b.extend_from_slice(&0xffff_fff0u32.to_le_bytes());
    b.extend_from_slice(&[0; 12]);
    put("messageReplies-unused-flag-bits", b);

    // Only an id, and a bare unknown id.
    put("id-only-message", id(schema, "message").to_vec());
    put("unknown-id", vec![0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0]);
    n
}

/// Small schemas for the parser: the grammar, the built-ins, and the error paths.
const SCHEMAS: &[(&str, &str)] = &[
    ("minimal", "inputPeerEmpty#7f3b18ea = InputPeer;\n"),
    (
        "no-ids",
        "// LAYER 42\nuser id:int first_name:string = User;\nuserEmpty id:int = User;\n---functions---\nusers.getUser id:int = User;\n",
    ),
    (
        "flags",
        "peerUser#59511722 user_id:long = Peer;\n\
         message flags:# out:flags.1?true id:int from_id:flags.8?Peer text:flags.31?string flags2:# pinned:flags2.0?true views:flags2.3?int forwards:flags2.3?int = Message;\n",
    ),
    (
        "generics",
        "int ? = Int;\nlong ? = Long;\nvector {t:Type} # [ t ] = Vector t;\nint128 4*[ int ] = Int128;\n\
         ---functions---\n\
         invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;\n\
         invokeAfterMsgs#3dc4b4f0 {X:Type} msg_ids:Vector<long> query:!X = X;\n\
         help.getNearestDc#1fb33026 = NearestDc;\n\
         ---types---\n\
         nearestDc#8e1a1775 country:string this_dc:int nearest_dc:int = NearestDc;\n",
    ),
    (
        "vectors",
        "future_salt#0949d9dc valid_since:int valid_until:int salt:long = FutureSalt;\n\
         future_salts#ae500895 req_msg_id:long now:int salts:vector<future_salt> = FutureSalts;\n\
         ipPort#d433ad73 ipv4:int port:int = IpPort;\n\
         list ids:Vector<long> nested:Vector<Vector<int>> bare:vector<%IpPort> strs:Vector<string> = List;\n\
         ---functions---\n\
         contacts.getIds hash:long = Vector<int>;\n",
    ),
    (
        "namespaces",
        "messages.chats#64ff9fd5 chats:Vector<Chat> = messages.Chats;\n\
         chatEmpty#29562865 id:long = Chat;\n\
         chat id:long title:string = Chat;\n\
         storage.fileJpeg#7efe0e = storage.FileType;\n\
         ---functions---\n\
         messages.getChats id:Vector<long> = messages.Chats;\n\
         upload.getFile location:string offset:long = storage.FileType;\n",
    ),
    (
        "comments",
        "// LAYER 7\n/////\n// ---functions---  (commented out, not a section)\n\
         boolFalse#bc799737 = Bool; // built-in, skipped\nboolTrue#997275b5 = Bool;\ntrue#3fedd339 = True;\n\
         a x:int = A; // trailing\n   // indented comment\n\n\
         b y:Bool z:A = B; c = C; d = D;\n\
         e\n  f:int\n  = E;\n",
    ),
    (
        "bad-id",
        "user#d23c81a4 id:int first_name:string last_name:string = User;\n",
    ),
    ("bad-hex-id", "a#xyz = A;\nb#123456789 = B;\nc# = C;\n"),
    (
        "errors",
        "a x:flags.0?int = A;\nb flags:# x:flags.32?int = B;\nc x:Vector<int = C;\nd x:true = D;\ne x:!X = E;\n\
         f {X:Type} x:!Y = X;\ng x:int\n",
    ),
    ("unknown-section", "a = A;\n---foo---\nb = B;\n"),
    ("unknown-type", "a x:Missing = A;\nb y:%missing = B;\n"),
    (
        "duplicates",
        "a x:int = A;\na y:long = A;\nmy.thing = T;\nmyThing = T;\nfoo x:int X:int = Foo;\nfoo_bar = Foo;\nfooBar = Foo;\n",
    ),
    (
        "keywords",
        "fn type:int self:long ref:string match:Bool crate:int Self:int async:int = Kw;\nstruct = Type;\nenum = Self;\n\
         ---functions---\nmod.impl loop:int = Kw;\n",
    ),
    (
        "recursion",
        "textEmpty#dc3d824f = RichText;\ntextBold#6724abc4 text:RichText = RichText;\n\
         textConcat#7e6260d7 texts:Vector<RichText> = RichText;\n\
         node left:Tree right:Tree = Tree;\nleaf = Tree;\nloop self_ref:Loop = Loop;\n",
    ),
    (
        "bare-types",
        "dcOption id:int ip:string = DcOption;\nconfig a:%DcOption b:dcOption c:vector<dcOption> d:Vector<%DcOption> = Config;\n\
         ---functions---\nhelp.getConfig = Config;\nhelp.getInt = int;\nhelp.getLong = long;\nhelp.getBool = Bool;\nhelp.getStr = string;\n",
    ),
    ("semicolons-and-equals", "a=A;b x:int=B;;\n  ;\nc = C ;\n"),
    (
        "unicode",
        "// LAYER ünïcode\nпривет = A;\na x:int = Ä;\nb\u{a0}x:int = B;\n",
    ),
];

fn schema_seeds(dir: &Path, tl_dir: &Path) -> usize {
    for (name, text) in SCHEMAS {
        write(dir, &format!("{name}.tl"), text.as_bytes());
    }
    // Plus the first 60 lines of the real MTProto schema (mixed ids, comments, built-ins).
    let mtproto = fs::read_to_string(tl_dir.join("mtproto.tl")).expect("mtproto.tl");
    let head: String = mtproto.lines().take(60).flat_map(|l| [l, "\n"]).collect();
    write(dir, "mtproto-head.tl", head.as_bytes());
    SCHEMAS.len() + 1
}

#[path = "../../fuzz_targets/handshake_common.rs"]
mod handshake_common;

/// One honest exchange: the client's three requests and the server's three answers.
fn honest_exchange(config: u8) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    use handshake_common::{CLIENT_SEED, NOW, Rng, SERVER_SEED, client_config, server_key};
    let key = server_key();
    let keys = [*key.public_key()];
    let mut crng = Rng(CLIENT_SEED);
    let mut srng = Rng(SERVER_SEED);
    let mut client = ClientHandshake::new(client_config(&keys, config), NOW, &mut crng);
    let mut server = ServerHandshake::new(&key);
    let (mut requests, mut answers) = (Vec::new(), Vec::new());
    let mut buf = [0u8; MAX_REQUEST + MAX_ANSWER];
    for _ in 0..3 {
        let n = client
            .poll_transmit(NOW, &mut buf)
            .unwrap()
            .expect("a request");
        requests.push(buf[..n].to_vec());
        server
            .handle_packet(NOW, &buf[..n], &mut srng)
            .expect("our server accepts our client");
        let n = server
            .poll_transmit(NOW, &mut buf)
            .unwrap()
            .expect("an answer");
        answers.push(buf[..n].to_vec());
        client
            .handle_packet(NOW, &buf[..n], &mut crng)
            .expect("our client accepts our server");
    }
    assert!(client.poll_result().is_some() && server.poll_result().is_some());
    (requests, answers)
}

fn handshake_seeds(client_dir: &Path, server_dir: &Path) -> usize {
    use handshake_common::encode;
    let mut n = 0;
    // Configuration byte: bit 0 temporary, bits 1-3 max_retries (5 as by default).
    for (name, config) in [("permanent", 5 << 1), ("temporary", 5 << 1 | 1)] {
        let (requests, answers) = honest_exchange(config);
        let a: Vec<(u8, &[u8])> = answers.iter().map(|p| (0, p.as_slice())).collect();
        let r: Vec<(u8, &[u8])> = requests.iter().map(|p| (0, p.as_slice())).collect();
        for k in 1..=3 {
            write(
                client_dir,
                &format!("{name}-{k}-answers.bin"),
                &encode(config, &a[..k]),
            );
            write(
                server_dir,
                &format!("{name}-{k}-requests.bin"),
                &encode(0, &r[..k]),
            );
            n += 2;
        }
        // The last answer after the deadline (30 s), and a packet after the end.
        let mut late = a.clone();
        late[2].0 = 31;
        write(
            client_dir,
            &format!("{name}-late.bin"),
            &encode(config, &late),
        );
        let mut extra = a.clone();
        extra.push(a[2]);
        write(
            client_dir,
            &format!("{name}-after-end.bin"),
            &encode(config, &extra),
        );
        let mut extra = r.clone();
        extra.push(r[2]);
        write(
            server_dir,
            &format!("{name}-after-end.bin"),
            &encode(0, &extra),
        );
        n += 3;
    }
    n
}

fn main() {
    let fuzz_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tl_dir = fuzz_dir.join("../tl-types/tl");
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| fuzz_dir.join("seeds"));
    let tl_out = out.join("tl");
    let schema_out = out.join("tl_schema");
    let client_out = out.join("handshake_client");
    let server_out = out.join("handshake_server");
    for d in [&tl_out, &schema_out, &client_out, &server_out] {
        if d.exists() {
            fs::remove_dir_all(d).expect("clearing the old seeds");
        }
        fs::create_dir_all(d).expect("creating the seed dir");
    }
    let schema = schema(&tl_dir);
    let sampled = sample_seeds(&schema, &tl_out);
    let edges = edge_seeds(&schema, &tl_out);
    let schemas = schema_seeds(&schema_out, &tl_dir);
    let handshakes = handshake_seeds(&client_out, &server_out);
    let size: u64 = [&tl_out, &schema_out]
        .iter()
        .flat_map(|d| fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    println!(
        "wrote {sampled} sampled + {edges} hand-made encodings to {}, {schemas} schemas to {} ({size} bytes), {handshakes} handshake inputs to {} and {}",
        tl_out.display(),
        schema_out.display(),
        client_out.display(),
        server_out.display()
    );
}
