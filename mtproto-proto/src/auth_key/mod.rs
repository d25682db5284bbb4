//! The auth-key exchange: creating a permanent or temporary authorization key with a DC.

pub mod dh;
pub mod factorize;
pub mod rsa;
