//! The server role with an answer too big for a container: a 1 MiB `upload.file` (what
//! `upload.getFile` with `limit = 1048576` returns) must go out as one plain message, not
//! fail with "buffer too small" because a container holds at most `MAX_CONTAINER_LEN`.

mod session_common;

use ferrogram_mtproto_proto::crypto::message::{self, MessageHeader, Packet, Role};
use ferrogram_mtproto_proto::crypto::message_key::AuthKey;
use ferrogram_mtproto_proto::crypto::provider::Software;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_mtproto_proto::session::server::{ServerConfig, ServerSession};
use session_common::TestRng;

const T0: u64 = 1_700_000_000_000_000_000;
const RPC_RESULT: u32 = 0xf35c_6d01;
const MSG_CONTAINER: u32 = 0x73f1_f8dc;

type Server = ServerSession<Software, 4, { 2 * 1024 * 1024 }, { 64 * 1024 }>;

fn run() {
    let key = AuthKey::new([7u8; 256]);
    let mut server: Box<Server> = Box::new(ServerSession::new(
        Software,
        key.clone(),
        ServerConfig::default(),
    ));
    let mut rng = TestRng::new(1);

    // The client's query: some 12-byte TL object, content-related (odd seq_no).
    let msg_id = ((T0 / 1_000_000_000) as i64) << 32 | 4;
    let header = MessageHeader {
        salt: server.salt_at(UnixNanos(T0)),
        session_id: 0x5e55,
        msg_id,
        seq_no: 1,
    };
    let mut buf = vec![0u8; 1024];
    let mut packet = Packet::new(&mut buf, 0).unwrap();
    packet.body_mut()[..12].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    let range = packet
        .encrypt(&mut Software, &key, Role::Client, &header, 12, &mut rng)
        .unwrap();
    let mut payload = buf[range].to_vec();
    server.handle_packet(UnixNanos(T0), &mut payload);
    let req = server.poll_query().expect("the query").req_msg_id;
    assert_eq!(req, msg_id);

    // upload.file with 1 MiB of bytes: larger than a container may be.
    let mut answer = 0x096a_18d5u32.to_le_bytes().to_vec();
    answer.extend_from_slice(&0xaa96_3b05u32.to_le_bytes());
    answer.extend_from_slice(&0i32.to_le_bytes());
    answer.extend_from_slice(&[254, 0, 0, 16]); // TL bytes header for 1 MiB
    answer.extend((0..1 << 20).map(|i: u32| (i % 251) as u8));
    server.respond(UnixNanos(T0), req, &answer).unwrap();

    // First the container with new_session_created (and the ack); then the answer alone.
    let mut out = vec![0u8; 2 * 1024 * 1024 + 1024];
    let mut bodies = Vec::new();
    while let Some(range) = server
        .poll_transmit(UnixNanos(T0), &mut rng, &mut out)
        .expect("every message fits the transmit buffer")
    {
        let mut p = out[range].to_vec();
        let d = message::decrypt(&mut Software, &key, Role::Client, &mut p).unwrap();
        bodies.push(d.body(&p).to_vec());
    }
    assert_eq!(bodies.len(), 2, "container, then the big answer");
    assert_eq!(bodies[0][..4], MSG_CONTAINER.to_le_bytes());
    let big = &bodies[1];
    assert_eq!(big[..4], RPC_RESULT.to_le_bytes());
    assert_eq!(big[4..12], req.to_le_bytes());
    assert_eq!(&big[12..], &answer[..]);
}

#[test]
fn a_one_mebibyte_answer_goes_out_alone() {
    // The session holds its stores inline: give it a thread with room for them.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}
