//! Diffie–Hellman: the official sample byte for byte, the full safe-prime check, and one
//! hostile value for every check.

mod auth_math_common;

use auth_math_common::{
    PRIME_1_MOD_4, PRIME_NOT_SAFE, PRIME_Q_DIV_5, RFC3526_PRIME, Replay, TestRng, add_small, hex,
    pow2, sub,
};
use crypto_bigint::U2048;
use ferrogram_mtproto_proto::auth_key::dh::{
    DH_BYTES, DhError, DhGroup, DhSecret, MAX_SECRET_TRIES, RangeFault, TELEGRAM_DH_PRIME,
};

// samples-auth_key.md (one self-consistent run of the official page): dh_prime and g = 3 from
// server_DH_inner_data, g_a, the client's b, g_b and auth_key.
const SAMPLE_DH_PRIME: &str = "C71CAEB9C6B1C9048E6C522F70F13F73980D40238E3E21C14934D037563D930F48198A0AA7C14058229493D22530F4DBFA336F6E0AC925139543AED44CCE7C3720FD51F69458705AC68CD4FE6B6B13ABDC9746512969328454F18FAF8C595F642477FE96BB2A941D5BCD1D4AC8CC49880708FA9B378E3C4F3A9060BEE67CF9A4A4A695811051907E162753B56B0F6B410DBA74D8A84B2A14B3144E0EF1284754FD17ED950D5965B4B9DD46582DB1178D169C6BC465B0D6FF9CA3928FEF5B9AE4E418FC15E83EBEA0F87FA9FF5EED70050DED2849F47BF959D956850CE929851F0D8115F635B105EE2E4E15D04B2454BF6F4FADF034B10403119CD8E3B92FCC5B";
const SAMPLE_G_A: &str = "9828B2E4CAEC188BB94216F5E2DB632A17630A21FD00C67465E741D26137C8E2B757F349D8DD1B62B601642ACB9E3B390ABF153D3A11615A128ED1D79379D763C14D2DF5CEF99C96945C51290C1FD82C4B482078863B2BC7022C7886C21C0F1D24814C768321C05934303E50AE22CBC83F2A3994BBC3C72E77BF10CDB695CBD86655D1BC0A083551E59D0FBFCFA13825A182105A78DA35AF5A15C064275B6E6729049C84209B898675C9110ADCD1CBB2AAB333C05D3E9F70D05FEE7C54EFCE927E1B40A719D04D15C7E950EB885E60AAAE990231719DBDDD84C65B2F3A606FE1F78DEA7C8FAD25C1CD7876EB6F5A46270B82D549E31EDD3C2DC2F82970A4999C";
const SAMPLE_B: &str = "A521C97B9D210812C56055C62FE8C3CE7FC97A75E51D4428F78F7D5F7325FCE03FF70D99039502FB75059DC40E36CF4F4D7A073937CC6DBC86AB864E7B3F26EFE833F766856033931BC41F031507DD571FCFEBB28F1B3DF1577A90C25B95C56894AAB64C681961AC68AFA9AADF03752D0E26EADD645A02D7895B64846EB83B3DDD458D856870CD8C0765B985C1ED50D5D802DDE67B159C899898A9B738D17802F3D50B83A868738D8502BBE33B8D7FBC3348E3E444352816FD84D300A2A8E2117CAC0EAEC654235183187D85548791BF25ABFD1AC97EAB7FA685F67A57E7BBE47B96A99B8F34B8EB523C18AEE074EABACB6FA9A28A41F4F961F41D86B19F4EC1";
const SAMPLE_G_B: &str = "A0BB357C5A5FBC4EC9D8B2171C030CB68A693A8024CD9E3630BAE4CE000A14A5DBF8A40DFB322678A797ED3D591032D0A1C529BE4E76B7EBD5436E7BF7539A9AB5A5FE9DD62F37CAE704EFE0C10DD608E5D9554F7B2F7198E99CE29A9A86CCE0FBB1491EBA269DEB6AA20C5CB2134E75E5C70A7C0E7D47EE16F87189D135EDAE37EAD992063C11AEA4AC660CF3EBE61B6C21ADAAC2A9317120A6F4D1DA65978FA74BF94CC65A0CA2479D064906E78575049E7654D346CA576C6778F478CDB48FCA2FD9202E6E5F95FEF623A206207AFB41619C419357B49F4F8825B37EF7E74811FBA22BDF45730F423793C5049514363232F3358BC5F60A416BDCE7D7BBFB49";
const SAMPLE_AUTH_KEY: &str = "77379866D71627E6C3635361F9681B03C9EE8A7AAB9552EF513A13315EABC18A118ED649614AE1F01DAB8F71D83341309C5999AD4889E5D9F3E911AAAD00D9DDC24273D7B97DD92151F969242F347C8F9D5DE44E8D7E87A69C2AE1757F5ECD20AAFC586EDD34C89AC8D5B8F7C9EB33A0C7F06A69632BCEB8DE03E336E5AF0332D4B1F52BA73FBE7A3A6FE8C2268C10B9357E5474A7CCEB0E39FE3B4A92900CD09AF3C307D8FA90CB9DA2AD35643FB0335BD0B7E6D30D1038741EB632E6A97B692A1F76F418AF74337D05539B59DF1D4E16B7E0C87240595DDFD26037CDB7E70DB4B6C5CAE532F49BC6974F6F46FD3CBDCD90EBB6795FD9A43421BCDF893D5C46";

fn telegram(g: i32) -> DhGroup {
    DhGroup::telegram(g).unwrap()
}

#[test]
fn official_sample_byte_for_byte() {
    assert_eq!(hex(SAMPLE_DH_PRIME), TELEGRAM_DH_PRIME);
    // The known prime takes the fast path: no randomness drawn.
    let mut no_rng = Replay::new(Vec::new());
    let group = DhGroup::new(3, &hex(SAMPLE_DH_PRIME), &mut no_rng).unwrap();
    assert_eq!(group.g(), 3);
    assert_eq!(group.prime_be_bytes(), TELEGRAM_DH_PRIME);
    let b = DhSecret::from_be_bytes(&hex(SAMPLE_B).try_into().unwrap());
    let client = group.client_exchange_with(&hex(SAMPLE_G_A), &b).unwrap();
    assert_eq!(client.g_b.to_vec(), hex(SAMPLE_G_B));
    assert_eq!(client.auth_key.to_vec(), hex(SAMPLE_AUTH_KEY));
    // The same through the random path, with b replayed.
    let mut rng = Replay::new(hex(SAMPLE_B));
    let again = group.client_exchange(&hex(SAMPLE_G_A), &mut rng).unwrap();
    assert_eq!(again, client);
    assert_eq!(rng.consumed(), DH_BYTES);
}

#[test]
fn public_value_edge_exponents() {
    let mut rng = TestRng::new(11);
    let rfc_prime: [u8; 256] = hex(RFC3526_PRIME).try_into().unwrap();
    let rfc = DhGroup::new_with(2, &rfc_prime, &[rfc_prime], 0, &mut rng).unwrap();
    for group in [telegram(3), telegram(4), telegram(7), rfc] {
        let g = u8::try_from(group.g()).unwrap();
        let exponent = |k: u8| {
            let mut bytes = [0u8; 256];
            bytes[255] = k;
            DhSecret::from_be_bytes(&bytes)
        };
        let mut expect = [0u8; 256];
        expect[255] = 1;
        assert_eq!(group.public_value(&exponent(0)), expect);
        expect[255] = g;
        assert_eq!(group.public_value(&exponent(1)), expect);
        expect[255] = g * g;
        assert_eq!(group.public_value(&exponent(2)), expect);
        // (g^x)^2 = (g^2)^x for a random x.
        let x = DhSecret::random(&mut rng);
        let g_x = U2048::from_be_slice(&group.public_value(&x));
        let g_squared = U2048::from_u32(u32::from(g) * u32::from(g));
        assert_eq!(
            group.shared_key(&exponent(2), &g_x),
            group.shared_key(&x, &g_squared)
        );
    }
}

#[cfg(feature = "server")]
#[test]
fn server_and_client_agree() {
    let mut rng = TestRng::new(12);
    for g in [3, 4, 7] {
        let server = telegram(g);
        let (a, g_a) = server.server_start(&mut rng).unwrap();
        let client = DhGroup::new(g, &server.prime_be_bytes(), &mut rng)
            .unwrap()
            .client_exchange(&g_a, &mut rng)
            .unwrap();
        assert_eq!(
            server.server_finish(&a, &client.g_b).unwrap(),
            client.auth_key
        );
        // A g_b the client trims of leading zeros is the same number.
        let first = client.g_b.iter().position(|&b| b != 0).unwrap();
        assert_eq!(
            server.server_finish(&a, &client.g_b[first..]).unwrap(),
            client.auth_key
        );
    }
    let server = telegram(3);
    let (a, _) = server.server_start(&mut rng).unwrap();
    assert_eq!(
        server.server_finish(&a, &[1]),
        Err(DhError::GbOutOfRange {
            fault: RangeFault::AtMostOne
        })
    );
    assert_eq!(
        server.server_finish(&a, &server.prime_be_bytes()),
        Err(DhError::GbOutOfRange {
            fault: RangeFault::AtLeastPMinusOne
        })
    );
    // A broken generator (all zeros: a = 0, g_a = 1) is caught.
    let mut zeros = Replay::new(vec![0; DH_BYTES * MAX_SECRET_TRIES as usize]);
    assert_eq!(
        server.server_start(&mut zeros).unwrap_err(),
        DhError::SecretTriesExhausted
    );
}

#[test]
fn full_safe_prime_check_accepts_safe_primes() {
    let mut rng = TestRng::new(13);
    // Telegram's prime, not trusted this time.
    let group = DhGroup::new_with(3, &TELEGRAM_DH_PRIME, &[], 4, &mut rng).unwrap();
    assert_eq!(group.prime_be_bytes(), TELEGRAM_DH_PRIME);
    // RFC 3526 group 14 through the default path (32 rounds).
    let group = DhGroup::new(2, &hex(RFC3526_PRIME), &mut rng).unwrap();
    assert_eq!(group.g(), 2);
    // Leading zero bytes are fine.
    let mut padded = vec![0, 0];
    padded.extend_from_slice(&TELEGRAM_DH_PRIME);
    assert!(DhGroup::new(3, &padded, &mut rng).is_ok());
}

#[test]
fn hostile_primes() {
    let mut rng = TestRng::new(14);
    let mut check =
        |g: i32, p: &[u8]| DhGroup::new_with(g, p, &[TELEGRAM_DH_PRIME], 3, &mut rng).map(|_| ());
    // Out of range.
    assert_eq!(check(3, &[]), Err(DhError::DhPrimeOutOfRange { bits: 0 }));
    assert_eq!(
        check(3, &TELEGRAM_DH_PRIME[1..]),
        Err(DhError::DhPrimeOutOfRange { bits: 2037 })
    );
    let mut long = vec![1u8];
    long.extend_from_slice(&TELEGRAM_DH_PRIME);
    assert_eq!(
        check(3, &long),
        Err(DhError::DhPrimeOutOfRange { bits: 2049 })
    );
    assert_eq!(
        check(4, &pow2(2047)),
        Err(DhError::DhPrimeOutOfRange { bits: 2048 })
    );
    let mut low = TELEGRAM_DH_PRIME;
    low[0] &= 0x7f;
    assert_eq!(
        check(4, &low),
        Err(DhError::DhPrimeOutOfRange { bits: 2047 })
    );
    // Not prime: even, a small factor, a product of two large primes (an RSA modulus).
    assert_eq!(
        check(4, &add_small(&TELEGRAM_DH_PRIME, 1)),
        Err(DhError::DhPrimeNotPrime)
    );
    let times_3 = add_small(&pow2(2047), 3); // 2^2047 + 3 ≡ 2 + 0 (mod 3)
    assert_eq!(check(4, &times_3), Err(DhError::DhPrimeNotPrime));
    let rsa_n = auth_math_common::rsa_vectors()["vectors"][0]["n"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(check(4, &hex(&rsa_n)), Err(DhError::DhPrimeNotPrime));
    // Prime but not safe: (p − 1)/2 composite with large factors, with a factor 5, even.
    assert_eq!(check(3, &hex(PRIME_NOT_SAFE)), Err(DhError::DhPrimeNotSafe));
    assert_eq!(check(4, &hex(PRIME_Q_DIV_5)), Err(DhError::DhPrimeNotSafe));
    assert_eq!(check(4, &hex(PRIME_1_MOD_4)), Err(DhError::DhPrimeNotSafe));
    // Primality testing off and the prime not trusted.
    assert_eq!(
        DhGroup::new_with(
            2,
            &hex(RFC3526_PRIME),
            &[TELEGRAM_DH_PRIME],
            0,
            &mut TestRng::new(1)
        )
        .unwrap_err(),
        DhError::DhPrimeUnknown
    );
}

#[test]
fn hostile_generators() {
    let mut rng = TestRng::new(15);
    for g in [i32::MIN, -3, -1, 0, 1, 8, 9, 256, i32::MAX] {
        assert_eq!(
            DhGroup::new(g, &TELEGRAM_DH_PRIME, &mut rng).unwrap_err(),
            DhError::GOutOfRange { g }
        );
        assert_eq!(
            DhGroup::telegram(g).unwrap_err(),
            DhError::GOutOfRange { g }
        );
    }
    // Telegram's prime is 3 mod 8, 3 mod 5 and 11 mod 24: not for g = 2, 5, 6.
    for (g, modulus, residue) in [(2, 8, 3), (5, 5, 3), (6, 24, 11)] {
        assert_eq!(
            DhGroup::telegram(g).unwrap_err(),
            DhError::GNotQuadraticResidue {
                g: g as u32,
                modulus,
                residue
            }
        );
    }
    // g = 3 and 7 need other primes: the quadratic-residue check comes before primality, so
    // any 2048-bit odd number with the wrong residue shows it.
    let base = add_small(&pow2(2047), 1); // 2^2047 + 1: ≡ 0 mod 3, ≡ 3 mod 7
    for (g, modulus, bad) in [(3, 3u32, [0i64, 1].as_slice()), (7, 7, &[0, 1, 2, 4])] {
        for &want in bad {
            // Find a small offset giving the wanted residue.
            let candidate = (0..2 * i64::from(modulus))
                .map(|k| add_small(&base, 2 * k))
                .find(|c| {
                    c.iter()
                        .fold(0u32, |r, &b| ((r << 8) | u32::from(b)) % modulus)
                        == want as u32
                })
                .unwrap();
            assert_eq!(
                DhGroup::new_with(g, &candidate, &[], 3, &mut rng).unwrap_err(),
                DhError::GNotQuadraticResidue {
                    g: g as u32,
                    modulus,
                    residue: want as u32
                },
                "g = {g}, residue {want}"
            );
        }
    }
    for g in [3, 4, 7] {
        assert_eq!(telegram(g).g(), g as u32);
    }
}

#[test]
fn hostile_g_a() {
    let group = telegram(3);
    let p = TELEGRAM_DH_PRIME;
    let margin = pow2(2048 - 64);
    let mut rng = TestRng::new(16);
    let fault = |x: &[u8]| match group.check_g_a(x) {
        Err(DhError::GaOutOfRange { fault }) => Some(fault),
        Err(other) => panic!("{other:?}"),
        Ok(_) => None,
    };
    use RangeFault::*;
    assert_eq!(fault(&[]), Some(AtMostOne));
    assert_eq!(fault(&[0]), Some(AtMostOne));
    assert_eq!(fault(&[1]), Some(AtMostOne));
    assert_eq!(fault(&[0; 256]), Some(AtMostOne));
    assert_eq!(fault(&add_small(&p, -1)), Some(AtLeastPMinusOne));
    assert_eq!(fault(&p), Some(AtLeastPMinusOne));
    assert_eq!(fault(&add_small(&p, 1)), Some(AtLeastPMinusOne));
    assert_eq!(fault(&[0xff; 256]), Some(AtLeastPMinusOne));
    assert_eq!(fault(&[2]), Some(BelowMargin));
    assert_eq!(fault(&add_small(&margin, -1)), Some(BelowMargin));
    assert_eq!(fault(&margin), None);
    assert_eq!(fault(&sub(&p, &margin)), None);
    assert_eq!(fault(&add_small(&sub(&p, &margin), 1)), Some(AboveMargin));
    assert_eq!(fault(&add_small(&p, -2)), Some(AboveMargin));
    let mut long = vec![1u8];
    long.extend_from_slice(&hex(SAMPLE_G_A));
    assert_eq!(fault(&long), Some(TooLong));
    let mut padded = vec![0u8; 10];
    padded.extend_from_slice(&hex(SAMPLE_G_A));
    assert_eq!(fault(&padded), None);
    // client_exchange refuses before drawing anything.
    let mut no_rng = Replay::new(Vec::new());
    assert_eq!(
        group.client_exchange(&[2], &mut no_rng),
        Err(DhError::GaOutOfRange { fault: BelowMargin })
    );
    assert!(group.client_exchange(&hex(SAMPLE_G_A), &mut rng).is_ok());
}

#[test]
fn own_g_b_out_of_range() {
    let group = telegram(3);
    let g_a = hex(SAMPLE_G_A);
    // b = 0 gives g_b = 1, b = 1 gives g_b = 3.
    let zero = DhSecret::from_be_bytes(&[0; 256]);
    let mut one = [0u8; 256];
    one[255] = 1;
    let one = DhSecret::from_be_bytes(&one);
    assert_eq!(
        group.client_exchange_with(&g_a, &zero),
        Err(DhError::GbOutOfRange {
            fault: RangeFault::AtMostOne
        })
    );
    assert_eq!(
        group.client_exchange_with(&g_a, &one),
        Err(DhError::GbOutOfRange {
            fault: RangeFault::BelowMargin
        })
    );
    // A generator stuck at zero: redrawn MAX_SECRET_TRIES times, then refused.
    let mut zeros = Replay::new(vec![0; DH_BYTES * MAX_SECRET_TRIES as usize]);
    assert_eq!(
        group.client_exchange(&g_a, &mut zeros),
        Err(DhError::SecretTriesExhausted)
    );
    // One bad draw, then the sample's b: retried and accepted.
    let mut bytes = vec![0; DH_BYTES];
    bytes.extend_from_slice(&hex(SAMPLE_B));
    let client = group
        .client_exchange(&g_a, &mut Replay::new(bytes))
        .unwrap();
    assert_eq!(client.g_b.to_vec(), hex(SAMPLE_G_B));
}

#[test]
fn errors_say_what_happened() {
    let text = DhError::GNotQuadraticResidue {
        g: 2,
        modulus: 8,
        residue: 3,
    }
    .to_string();
    assert!(
        text.contains("g = 2") && text.contains("mod 8 = 3"),
        "{text}"
    );
    let text = DhError::GaOutOfRange {
        fault: RangeFault::BelowMargin,
    }
    .to_string();
    assert!(text.contains("g_a") && text.contains("2^1984"), "{text}");
    assert!(format!("{:?}", DhSecret::from_be_bytes(&[7; 256])).contains(".."));
}
