//! Cryptographic building blocks of MTProto, on RustCrypto's `aes`, `sha1` and `sha2`.

pub mod ctr;
pub mod ige;
pub mod message;
pub mod message_key;
pub mod provider;
