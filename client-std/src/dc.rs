//! Where the DCs are: Telegram's production and test addresses, built in, and custom ones.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

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

const fn v6(id: i32, segments: [u16; 8], port: u16) -> DcAddress {
    let [a, b, c, d, e, f, g, h] = segments;
    DcAddress {
        id,
        addr: SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::new(a, b, c, d, e, f, g, h),
            port,
            0,
            0,
        )),
    }
}

/// Telegram's production DCs over IPv6.
pub const PRODUCTION_V6: &[DcAddress] = &[
    v6(1, [0x2001, 0xb28, 0xf23d, 0xf001, 0, 0, 0, 0xa], 443),
    v6(2, [0x2001, 0x67c, 0x4e8, 0xf002, 0, 0, 0, 0xa], 443),
    v6(3, [0x2001, 0xb28, 0xf23d, 0xf003, 0, 0, 0, 0xa], 443),
    v6(4, [0x2001, 0x67c, 0x4e8, 0xf004, 0, 0, 0, 0xa], 443),
    v6(5, [0x2001, 0xb28, 0xf23f, 0xf005, 0, 0, 0, 0xa], 443),
];

/// Telegram's test DCs over IPv6.
pub const TEST_V6: &[DcAddress] = &[
    v6(1, [0x2001, 0xb28, 0xf23d, 0xf001, 0, 0, 0, 0xe], 443),
    v6(2, [0x2001, 0x67c, 0x4e8, 0xf002, 0, 0, 0, 0xe], 443),
    v6(3, [0x2001, 0xb28, 0xf23d, 0xf003, 0, 0, 0, 0xe], 443),
];

/// The built-in list for an environment and address family.
pub fn built_in(test_mode: bool, ipv6: bool) -> &'static [DcAddress] {
    match (test_mode, ipv6) {
        (false, false) => PRODUCTION,
        (false, true) => PRODUCTION_V6,
        (true, false) => TEST,
        (true, true) => TEST_V6,
    }
}

/// The address of DC `id` in `list`.
pub fn find(list: &[DcAddress], id: i32) -> Option<SocketAddr> {
    list.iter().find(|d| d.id == id).map(|d| d.addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_has_its_family_and_dcs_in_order() {
        for (test, v6) in [(false, false), (false, true), (true, false), (true, true)] {
            let list = built_in(test, v6);
            assert_eq!(list.len(), if test { 3 } else { 5 });
            for (i, d) in list.iter().enumerate() {
                assert_eq!(d.id, i as i32 + 1);
                assert_eq!(d.addr.is_ipv6(), v6);
                assert_eq!(d.addr.port(), 443);
            }
        }
        assert_eq!(
            find(PRODUCTION_V6, 2).unwrap().to_string(),
            "[2001:67c:4e8:f002::a]:443"
        );
    }
}
