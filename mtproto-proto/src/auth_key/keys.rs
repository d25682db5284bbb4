//! Telegram's RSA public keys, built in.
//!
//! The moduli are public data published by Telegram (my.telegram.org lists the current
//! production and test keys; older keys stay valid while servers still advertise their
//! fingerprints, as in the official sample's `resPQ`). The current production and test keys
//! were taken from grammers-mtproto 0.11.0 (`key_for_fingerprint`), the others from
//! Telethon 1.45.0's built-in list as recorded in `tests/data/rsa_fingerprints.json`; the
//! tests recompute every fingerprint and compare it with the published tables.
//!
//! Pass [`PRODUCTION_KEYS`] or [`TEST_KEYS`] (or your own slice, e.g. a test DC's key) to
//! [`find_key`](super::rsa::find_key).

use super::rsa::RsaPublicKey;
use crypto_bigint::{Odd, U2048};

/// Builds a key from a 512-digit hex modulus split into 64-digit lines (checked when the
/// constant is evaluated).
const fn key(lines: [&str; 8], e: u64) -> RsaPublicKey {
    let mut hex = [0u8; 512];
    let mut i = 0;
    while i < 8 {
        let line = lines[i].as_bytes();
        assert!(line.len() == 64);
        let mut j = 0;
        while j < 64 {
            hex[i * 64 + j] = line[j];
            j += 1;
        }
        i += 1;
    }
    let Ok(hex) = core::str::from_utf8(&hex) else {
        panic!("modulus is not ASCII hex")
    };
    let n = Odd::<U2048>::from_be_hex(hex);
    assert!(n.as_ref().bit_vartime(2047), "modulus is not 2048 bits");
    RsaPublicKey { n, e }
}

/// The current production key (fingerprint `0xd09d1d85de64fd85`).
pub const PRODUCTION_KEY: RsaPublicKey = key(
    [
        "e8bb3305c0b52c6cf2afdf7637313489e63e05268e5badb601af417786472e5f",
        "93b85438968e20e6729a301c0afc121bf7151f834436f7fda680847a66bf64ac",
        "cec78ee21c0b316f0edafe2f41908da7bd1f4a5107638eeb67040ace472a14f9",
        "0d9f7c2b7def99688ba3073adb5750bb02964902a359fe745d8170e36876d4fd",
        "8a5d41b2a76cbff9a13267eb9580b2d06d10357448d20d9da2191cb5d8c93982",
        "961cdfdeda629e37f1fb09a0722027696032fe61ed663db7a37f6f263d370f69",
        "db53a0dc0a1748bdaaff6209d5645485e6e001d1953255757e4b8e42813347b1",
        "1da6ab500fd0ace7e6dfa3736199ccaf9397ed0745a427dcfa6cd67bcb1acff3",
    ],
    65537,
);

/// The test-DC key (fingerprint `0xb25898df208d2603`).
pub const TEST_KEY: RsaPublicKey = key(
    [
        "c8c11d635691fac091dd9489aedced2932aa8a0bcefef05fa800892d9b52ed03",
        "200865c9e97211cb2ee6c7ae96d3fb0e15aeffd66019b44a08a240cfdd2868a8",
        "5e1f54d6fa5deaa041f6941ddf302690d61dc476385c2fa655142353cb4e4b59",
        "f6e5b6584db76fe8b1370263246c010c93d011014113ebdf987d093f9d37c2be",
        "48352d69a1683f8f6e6c2167983c761e3ab169fde5daaa12123fa1beab621e4d",
        "a5935e9c198f82f35eae583a99386d8110ea6bd1abb0f568759f62694419ea5f",
        "69847c43462abef858b4cb5edc84e7b9226cd7bd7e183aa974a712c079dde85b",
        "9dc063b8a5c08e8f859c0ee5dcd824c7807f20153361a7f63cfd2a433a1be7f5",
    ],
    65537,
);

/// An older production key (fingerprint `0x0bc35f3509f7b7a5`).
pub const LEGACY_KEY_0BC35F3509F7B7A5: RsaPublicKey = key(
    [
        "aeec36c8ffc109cb099624685b97815415657bd76d8c9c3e398103d7ad16c9bb",
        "a6f525ed0412d7ae2c2de2b44e77d72cbf4b7438709a4e646a05c43427c7f184",
        "debf72947519680e651500890c6832796dd11f772c25ff8f576755afe055b0a3",
        "752c696eb7d8da0d8be1faf38c9bdd97ce0a77d3916230c4032167100edd0f9e",
        "7a3a9b602d04367b689536af0d64b613ccba7962939d3b57682beb6dae5b6081",
        "30b2e52aca78ba023cf6ce806b1dc49c72cf928a7199d22e3d7ac84e47bc9427",
        "d0236945d10dbd15177bab413fbf0edfda09f014c7a7da088dde9759702ca760",
        "af2b8e4e97cc055c617bd74c3d97008635b98dc4d621b4891da9fb0473047927",
    ],
    65537,
);

/// An older production key (fingerprint `0x15ae5fa8b5529542`).
pub const LEGACY_KEY_15AE5FA8B5529542: RsaPublicKey = key(
    [
        "bdf2c77d81f6afd47bd30f29ac76e55adfe70e487e5e48297e5a9055c9c07d2b",
        "93b4ed3994d3eca5098bf18d978d54f8b7c713eb10247607e69af9ef44f38e28",
        "f8b439f257a11572945cc0406fe3f37bb92b79112db69eedf2dc71584a661638",
        "ea5becb9e23585074b80d57d9f5710dd30d2da940e0ada2f1b878397dc1a72b5",
        "ce2531b6f7dd158e09c828d03450ca0ff8a174deacebcaa22dde84ef66ad370f",
        "259d18af806638012da0ca4a70baa83d9c158f3552bc9158e69bf332a45809e1",
        "c36905a5caa12348dd57941a482131be7b2355a5f4635374f3bd3ddf5ff925bf",
        "4809ee27c1e67d9120c5fe08a9de458b1b4a3c5d0a428437f2beca81f4e2d5ff",
    ],
    65537,
);

/// An older production key (fingerprint `0xaeae98e13cd7f94f`).
pub const LEGACY_KEY_AEAE98E13CD7F94F: RsaPublicKey = key(
    [
        "b3f762b739be98f343eb1921cf0148cfa27ff7af02b6471213fed9daa0098976",
        "e667750324f1abcea4c31e43b7d11f1579133f2b3d9fe27474e462058884e5e1",
        "b123be9cbbc6a443b2925c08520e7325e6f1a6d50e117eb61ea49d2534c8bb4d",
        "2ae4153fabe832b9edf4c5755fdd8b19940b81d1d96cf433d19e6a22968a85dc",
        "80f0312f596bd2530c1cfb28b5fe019ac9bc25cd9c2a5d8a0f3a1c0c79bcca52",
        "4d315b5e21b5c26b46babe3d75d06d1cd33329ec782a0f22891ed1db42a1d6c0",
        "dea431428bc4d7aabdcf3e0eb6fda4e23eb7733e7727e9a1915580796c55188d",
        "2596d2665ad1182ba7abf15aaa5a8b779ea996317a20ae044b820bff35b6e8a1",
    ],
    65537,
);

/// An older production key (fingerprint `0x5a181b2235057d98`).
pub const LEGACY_KEY_5A181B2235057D98: RsaPublicKey = key(
    [
        "be6a71558ee577ff03023cfa17aab4e6c86383cff8a7ad38edb9fafe6f323f2d",
        "5106cbc8cafb83b869cffd1ccf121cd743d509e589e68765c96601e813dc5b9d",
        "fc4be415c7a6526132d0035ca33d6d6075d4f535122a1cdfe017041f1088d141",
        "9f65c8e5490ee613e16dbf662698c0f54870f0475fa893fc41eb55b08ff1ac21",
        "1bc045ded31be27d12c96d8d3cfc6a7ae8aa50bf2ee0f30ed507cc2581e3dec5",
        "6de94f5dc0a7abee0be990b893f2887bd2c6310a1e0a9e3e38bd34fded254150",
        "8dc102a9c9b4c95effd9dd2dfe96c29be647d6c69d66ca500843cfaed6e44019",
        "6f1dbe0e2e22163c61ca48c79116fa77216726749a976a1c4b0944b5121e8c01",
    ],
    65537,
);

/// An older production key (fingerprint `0xc3b42b026ce86b21`, marked old by Telethon).
pub const LEGACY_KEY_C3B42B026CE86B21: RsaPublicKey = key(
    [
        "c150023e2f70db7985ded064759cfecf0af328e69a41daf4d6f01b538135a6f9",
        "1f8f8b2a0ec9ba9720ce352efcf6c5680ffc424bd634864902de0b4bd6d49f4e",
        "580230e3ae97d95c8b19442b3c0a10d8f5633fecedd6926a7f6dab0ddb7d457f",
        "9ea81b8465fcd6fffeed114011df91c059caedaf97625f6c96ecc74725556934",
        "ef781d866b34f011fce4d835a090196e9a5f0e4449af7eb697ddb9076494ca5f",
        "81104a305b6dd27665722c46b60e5df680fb16b210607ef217652e60236c255f",
        "6a28315f4083a96791d7214bf64c1df4fd0db1944fb26a2a57031b32eee64ad1",
        "5a8ba68885cde74a5bfc920f6abf59ba5c75506373e7130f9042da922179251f",
    ],
    65537,
);

/// An older production key (fingerprint `0x9a996a1db11c729b`, marked old by Telethon).
pub const LEGACY_KEY_9A996A1DB11C729B: RsaPublicKey = key(
    [
        "c6aeda78b02a251db4b6441031f467fa871faed32526c436524b1fb3b5dca28e",
        "fb8c089dd1b46d92c895993d87108254951c5f001a0f055f3063dcd14d431a30",
        "0eb9e29517e359a1c9537e5e87ab1b116faecf5d17546ebc21db234d9d336a69",
        "3efcb2b6fbcca1e7d1a0be414dca408a11609b9c4269a920b09fed1f9a1597be",
        "02761430f09e4bc48fcafbe289054c99dba51b6b5eb7d9c3a2ab4e490545b467",
        "6bd620e93804bcac93bf94f73f92c729ca899477ff17625ef14a934d51dc11d5",
        "f8650a3364586b3a52fcff2fedec8a8406cac4e751705a472e55707e3c8cd559",
        "4342b119c6c3293532d85dbe9271ed54a2fd18b4dc79c04a30951107d5639397",
    ],
    65537,
);

/// An older production key (fingerprint `0xb05b2a6f70cdea78`, marked old by Telethon).
pub const LEGACY_KEY_B05B2A6F70CDEA78: RsaPublicKey = key(
    [
        "b1066749655935f0a5936f517034c943bea7f3365a8931ae52c8bcb14856f004",
        "b83d26cf2839be0f22607470d67481771c1ce5ec31de16b20bbaa4ecd2f7d2ec",
        "f6b6356f27501c226984263edc046b89fb6d3981546b01d7bd34fedcfcc1058e",
        "2d494bda732ff813e50e1c6ae249890b225f82b22b1e55fcb063dc3c0e18e91c",
        "28d0c4aa627dec8353eee6038a95a4fd1ca984eb09f94aeb7a2220635a8ceb45",
        "0ea7e61d915cdb4eecedaa083aa3801daf071855ec1fb38516cb6c2996d2d60c",
        "0ecbcfa57e4cf1fb0ed39b2f37e94ab4202ecf595e167b3ca62669a6da520859",
        "fb6d6c6203dfdfc79c75ec3ee97da8774b2da903e3435f2cd294670a75a526c1",
    ],
    65537,
);

/// An older production key (fingerprint `0x71e025b6c76033e3`, marked old by Telethon).
pub const LEGACY_KEY_71E025B6C76033E3: RsaPublicKey = key(
    [
        "c2a8c55b4a62e2b78a19b91cf692bcdc4ba7c23fe4d06f194e2a0c30f6d9996f",
        "7d1a2bcc89bc1ac4333d44359a6c433252d1a8402d9970378b5912b75bc8cc3f",
        "a76710a025bcb9032df0b87d7607cc53b928712a174ea2a80a8176623588119d",
        "42ffce40205c6d72160860d8d80b22a8b8651907cf388effbef29cd7cf2b4eb8",
        "a872052da1351cfe7fec214ce48304ea472bd66329d60115b3420d08f6894b04",
        "10b6ab9450249967617670c932f7cbdb5d6fbcce1e492c595f483109999b2661",
        "fcdeec31b196429b7834c7211a93c6789d9ee601c18c39e521fda9d7264e61e5",
        "18add6f0712d2d5228204b851e13c4f322e5c5431c3b7f31089668486aadc59f",
    ],
    65537,
);

/// The keys of Telegram's production DCs, the current one first (the order
/// [`find_key`](super::rsa::find_key) prefers).
pub const PRODUCTION_KEYS: &[RsaPublicKey] = &[
    PRODUCTION_KEY,
    LEGACY_KEY_0BC35F3509F7B7A5,
    LEGACY_KEY_15AE5FA8B5529542,
    LEGACY_KEY_AEAE98E13CD7F94F,
    LEGACY_KEY_5A181B2235057D98,
    LEGACY_KEY_C3B42B026CE86B21,
    LEGACY_KEY_9A996A1DB11C729B,
    LEGACY_KEY_B05B2A6F70CDEA78,
    LEGACY_KEY_71E025B6C76033E3,
];

/// The keys of Telegram's test DCs.
pub const TEST_KEYS: &[RsaPublicKey] = &[TEST_KEY];
