//! The test DC's built-in RSA key: **public test material, never secret**.
//!
//! It is test key 0 ("test-key-0") of the project's shared ground-truth vectors
//! (`mtproto-proto/tests/data/rsa_fingerprints.json`, generated with Python's `cryptography`
//! 50.0.2, `rsa.generate_private_key(65537, 2048)`). Its fingerprint is
//! `2291777751704349816` (`0x1fce07b90a7b2c78`). Anyone can decrypt handshakes made with it:
//! use it only on 127.0.0.1, or pass `--rsa-key` with a key of your own.

/// The modulus n, big-endian hex.
pub const N_HEX: &str = concat!(
    "f5b87f1f7e3eed3f320fe178b76610c69dd03601ddf67989dc07ef07746d0f45",
    "afbe6c74c5f0a59f8a92994e64f5cc43161331b0ef90b8eab9df42e6c3f00cda",
    "bad40f58a3b02b8cf3058b5431c54356a0bf5ae25731ec49fb12ed0e0ccfbad6",
    "3a6808490492cf8401afd272c2e972c6cee062f803ba07fdb618a2b211b8111e",
    "cb547fd7a2d23e7f0fec9ee68283378609d89e3b32e49051c5a432744f1ef947",
    "d3436af6a51d6569df21d351aa7443d8b121af1eba86ee624c74cd0192fb92d1",
    "fea6918a68a78a652f3e89563155ccde5053737170c77e5f15d8215e27dc7ef2",
    "ac5947db3460585b36ba1b30cd0526222354b4674ad6563673c5c763c6d66fa7",
);

/// The public exponent e, big-endian hex.
pub const E_HEX: &str = "10001";

/// The private exponent d, big-endian hex.
pub const D_HEX: &str = concat!(
    "1caccb2901b2963d29ba70b585b18383aa27022675a0adce48bf2445da705fb7",
    "e22a76bda9dbcb7832d3a8d05d37d1fe8234fb378abd78d6eb9a0254abc8f7b7",
    "0ed6707407a6276eeb6d5a351919cc21efe064dac5122e60f3cbe19e22209bcd",
    "2443bfb3c5b4dc42ab6fb93f6b3f9305605f0f2da241b36d083317c97007eaf7",
    "52769bfe5bde5f03ecf1f14e5a571d2bdefd5841c12bcc12139911f3c7c8e586",
    "bb7d0283b38678e8e1c2e43012ba9caad9b6dced7580a33c2a8deef64be1bdd3",
    "ebd4b346f94551fa54e1403341b5113720d06ad50fdcd6dd4f6e24e40ab9e1dd",
    "8db6278ef5b1d64fc8c11b16dab8957ef73b255abf9ac54c1ff53aea8d3d631",
);

/// The key's fingerprint as clients compute it (signed 64-bit).
pub const FINGERPRINT: i64 = 2291777751704349816;
