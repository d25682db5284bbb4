//! Where the DCs are: Telegram's production and test addresses, built in, and custom ones.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

/// One DC's address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DcAddress {
    /// The DC id (1–5 at Telegram).
    pub id: i32,
    /// Where to connect.
    pub addr: SocketAddr,
}

const fn v4(id: i32, a: u8, b: u8, c: u8, d: u8, port: u16) -> DcAddress {
    DcAddress {
        id,
        addr: SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(a, b, c, d), port)),
    }
}

/// Telegram's production DCs (IPv4), as published in its documentation and `help.getConfig`.
pub const PRODUCTION: &[DcAddress] = &[
    v4(1, 149, 154, 175, 53, 443),
    v4(2, 149, 154, 167, 51, 443),
    v4(3, 149, 154, 175, 100, 443),
    v4(4, 149, 154, 167, 91, 443),
    v4(5, 91, 108, 56, 130, 443),
];

/// Telegram's test DCs (IPv4; accounts there are separate from production ones).
pub const TEST: &[DcAddress] = &[
    v4(1, 149, 154, 175, 10, 443),
    v4(2, 149, 154, 167, 40, 443),
    v4(3, 149, 154, 175, 117, 443),
];

/// The address of DC `id` in `list`.
pub fn find(list: &[DcAddress], id: i32) -> Option<SocketAddr> {
    list.iter().find(|d| d.id == id).map(|d| d.addr)
}
