//! Helpers shared by the API tests: call the API slice with a serialized query as a given
//! auth key would.
#![allow(dead_code)]

use ferrogram_testdc::api::{self, Caller};
use ferrogram_testdc::world::World;
use ferrogram_tl_types::{TlRead, TlWrite, enums, types};

pub const BOT_KEY: u64 = 0xB07;
pub const ALICE_KEY: u64 = 0xA11CE;
pub const BOB_KEY: u64 = 0xB0B;
pub const NOW: i32 = 1_790_000_000;

pub fn caller(key: u64) -> Caller {
    Caller {
        auth_key_id: key,
        now: NOW,
        dc_id: 2,
        port: 44300,
    }
}

pub fn call(world: &mut World, key: u64, q: &impl TlWrite) -> api::Answer {
    api::call(world, &caller(key), &q.to_bytes().unwrap())
}

/// The answer, decoded as `T`.
pub fn ok<T: TlRead>(world: &mut World, key: u64, q: &impl TlWrite) -> T {
    let bytes = call(world, key, q).result.expect("an answer, not an error");
    T::from_bytes(&bytes).expect("the answer decodes")
}

/// The error's (code, name).
pub fn err(world: &mut World, key: u64, q: &impl TlWrite) -> (i32, String) {
    let e = call(world, key, q).result.unwrap_err();
    (e.code, e.message)
}

pub fn peer(world: &World, id: i64) -> enums::InputPeer {
    enums::InputPeer::User(types::InputPeerUser {
        user_id: id,
        access_hash: world.account(id).unwrap().access_hash,
    })
}

pub fn message(m: &enums::Message) -> &types::Message {
    match m {
        enums::Message::Message(m) => m,
        other => panic!("not a message: {other:?}"),
    }
}

/// A call as `key` would make it on DC `dc_id` of a cluster.
pub fn call_at(world: &mut World, dc_id: i32, key: u64, q: &impl TlWrite) -> api::Answer {
    let c = Caller {
        dc_id,
        port: 44300 + dc_id as u16,
        ..caller(key)
    };
    api::call(world, &c, &q.to_bytes().unwrap())
}

/// The error's (code, name), on DC `dc_id`.
pub fn err_at(world: &mut World, dc_id: i32, key: u64, q: &impl TlWrite) -> (i32, String) {
    let e = call_at(world, dc_id, key, q).result.unwrap_err();
    (e.code, e.message)
}

/// The answer on DC `dc_id`, decoded as `T`.
pub fn ok_at<T: TlRead>(world: &mut World, dc_id: i32, key: u64, q: &impl TlWrite) -> T {
    let bytes = call_at(world, dc_id, key, q)
        .result
        .expect("an answer, not an error");
    T::from_bytes(&bytes).expect("the answer decodes")
}
