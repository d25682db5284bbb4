//! The auth-key exchange: creating a permanent or temporary authorization key with a DC.

pub mod derive;
pub mod dh;
pub mod factorize;
pub mod plain;
pub mod rsa;
