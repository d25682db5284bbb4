//! Client-side CPU time of one whole auth-key exchange: ferrogram's `ClientHandshake`
//! against grammers-mtproto 0.11's `authentication` steps, over the same three server
//! messages (see `src/lib.rs`). Server work is precomputed; only client calls are timed.
//!
//! Both sides include what a client does with wire bytes: ours parses the plain messages
//! and writes its requests into a buffer; grammers' responses are deserialized from the
//! same TL bytes and its requests serialized with `to_bytes()` inside the timed loop.
//!
//! `cd peer-bench && cargo bench --bench handshake`

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use ferrogram_mtproto_proto::auth_key::client::{ClientConfig, ClientHandshake};
use ferrogram_mtproto_proto::auth_key::keys::PRODUCTION_KEYS;
use ferrogram_mtproto_proto::auth_key::plain;
use ferrogram_mtproto_proto::msg_id::UnixNanos;
use ferrogram_peer_bench::{ScriptedRng, Transcript, script};
use grammers_mtproto::authentication as auth;
use grammers_tl_types::{self as tl, Deserializable, Serializable};

/// The server's three answers wrapped as plain messages (auth_key_id 0, odd msg_ids).
fn plain_packets(t: &Transcript) -> [Vec<u8>; 3] {
    let wrap = |i: i64, body: &[u8]| {
        let mut out = vec![0u8; plain::HEADER_LEN + body.len()];
        let msg_id = (i64::from(t.server_time) << 32) + 4 * i + 1;
        let n = plain::write_message(&mut out, msg_id, body).expect("fits");
        out.truncate(n);
        out
    };
    [
        wrap(0, &t.res_pq),
        wrap(1, &t.server_dh_params),
        wrap(2, &t.dh_gen_ok),
    ]
}

fn ours(t: &Transcript, packets: &[Vec<u8>; 3]) -> [u8; 256] {
    let now = UnixNanos(u64::from(t.server_time as u32) * 1_000_000_000);
    let mut rng = ScriptedRng::new(t);
    let mut hs = ClientHandshake::new(ClientConfig::new(PRODUCTION_KEYS, 2), now, &mut rng);
    let mut out = [0u8; 512];
    for packet in packets {
        let n = hs
            .poll_transmit(now, &mut out)
            .expect("buffer")
            .expect("a request");
        black_box(&out[..n]);
        hs.handle_packet(now, packet, &mut rng)
            .expect("our client accepts");
    }
    hs.poll_result().expect("a key").auth_key
}

fn grammers(t: &Transcript) -> [u8; 256] {
    script::rewind();
    let (request, step1) = auth::step1().expect("step1");
    black_box(request.to_bytes());
    let res_pq = tl::enums::ResPq::from_bytes(&t.res_pq).expect("resPQ");
    let (request, step2) = auth::step2(step1, res_pq).expect("step2");
    black_box(request.to_bytes());
    let params = tl::enums::ServerDhParams::from_bytes(&t.server_dh_params).expect("params");
    let (request, step3) = auth::step3(step2, params).expect("step3");
    black_box(request.to_bytes());
    let answer = tl::enums::SetClientDhParamsAnswer::from_bytes(&t.dh_gen_ok).expect("answer");
    let done = auth::create_key(step3, answer).expect("create_key");
    done.auth_key
}

fn handshake(c: &mut Criterion) {
    let t = Transcript::new(0x5EED_0001);
    let packets = plain_packets(&t);
    script::load(&t.grammers_script);

    // Both clients must reach the server's key before anything is timed.
    assert_eq!(ours(&t, &packets), t.auth_key, "ferrogram's key differs");
    assert_eq!(grammers(&t), t.auth_key, "grammers' key differs");
    assert_eq!(
        script::remaining(),
        0,
        "grammers drew a different amount of randomness"
    );

    paired_minimums(&t, &packets);

    let mut group = c.benchmark_group("handshake_client");
    group.sample_size(30);
    group.bench_function("ferrogram", |b| b.iter(|| ours(&t, &packets)));
    group.bench_function("grammers", |b| b.iter(|| grammers(&t)));
    group.finish();
}

/// Interleaved best-of-N (one exchange per sample, alternating the two clients): on a
/// shared machine the minimum is steadier than criterion's mean. Printed before criterion.
fn paired_minimums(t: &Transcript, packets: &[Vec<u8>; 3]) {
    let (mut best_ours, mut best_grammers) = (f64::MAX, f64::MAX);
    for _ in 0..200 {
        let start = Instant::now();
        black_box(ours(t, packets));
        best_ours = best_ours.min(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        black_box(grammers(t));
        best_grammers = best_grammers.min(start.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "paired best of 200: ferrogram {best_ours:.3} ms, grammers {best_grammers:.3} ms, \
         grammers/ferrogram = {:.2}x",
        best_grammers / best_ours
    );
}

criterion_group!(benches, handshake);
criterion_main!(benches);
