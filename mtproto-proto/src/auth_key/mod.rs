//! The auth-key exchange: creating a permanent or temporary authorization key with a DC.
//!
//! The arithmetic of the exchange lives here as pure functions with injected randomness:
//!
//! - [`factorize`]: splitting the server's `pq` into `p < q` (step 3).
//! - [`rsa`]: the fingerprints of RSA keys, RSA_PAD and the old scheme for
//!   `req_DH_params` (step 4), and with feature `server` their decryption.
//! - [`keys`]: Telegram's built-in RSA public keys.
//! - [`dh`]: the checks on `dh_prime`, `g`, `g_a` and `g_b`, and the two modular
//!   exponentiations that give `g_b` and the auth key (steps 6 to 8).

pub mod client;
pub mod derive;
pub mod dh;
pub mod error;
pub mod factorize;
pub mod keys;
pub mod plain;
pub mod rsa;
#[cfg(feature = "server")]
pub mod server;
