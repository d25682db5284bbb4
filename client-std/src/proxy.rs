//! Proxies: SOCKS5 (RFC 1928, with RFC 1929 username/password) and MTProxy with `dd`
//! (padded intermediate) or plain 16-byte secrets. Fake-TLS (`ee`) secrets are refused with
//! an error that says so.
//!
//! ```
//! use ferrogram_client_std::proxy::Proxy;
//!
//! let socks = Proxy::socks5("127.0.0.1:1080".parse()?).with_auth("user", "pass");
//! let mtproxy = Proxy::mtproxy("127.0.0.1:443".parse()?, "dd00112233445566778899aabbccddeeff")?;
//! assert!(Proxy::mtproxy("127.0.0.1:443".parse()?, "ee00112233445566778899aabbccddeeff676f6f676c652e636f6d").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use ferrogram_mtproto_proto::transport::ObfuscationError;
use ferrogram_mtproto_proto::transport::obfuscated::ProxySecret;

use crate::net::{self, Io};

/// How a client reaches its DCs.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Proxy {
    /// A SOCKS5 proxy; the client asks it to connect to each DC's address.
    Socks5 {
        /// The proxy's address.
        addr: SocketAddr,
        /// Username and password (RFC 1929), if the proxy wants them.
        auth: Option<(String, String)>,
    },
    /// An MTProxy: the client connects to it with the obfuscated transport, keyed with the
    /// secret, naming the DC it wants in the header; the proxy forwards to that DC.
    MtProxy {
        /// The proxy's address.
        addr: SocketAddr,
        /// Its secret.
        secret: ProxySecret,
    },
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Proxy::Socks5 { addr, auth } => f
                .debug_struct("Socks5")
                .field("addr", addr)
                .field("user", &auth.as_ref().map(|(u, _)| u))
                .finish_non_exhaustive(),
            Proxy::MtProxy { addr, secret } => f
                .debug_struct("MtProxy")
                .field("addr", addr)
                .field("secret", secret)
                .finish(),
        }
    }
}

impl Proxy {
    /// A SOCKS5 proxy without authentication.
    pub fn socks5(addr: SocketAddr) -> Self {
        Proxy::Socks5 { addr, auth: None }
    }

    /// Adds a username and password (SOCKS5 only; each at most 255 bytes, checked when
    /// connecting).
    #[must_use]
    pub fn with_auth(self, user: impl Into<String>, password: impl Into<String>) -> Self {
        match self {
            Proxy::Socks5 { addr, .. } => Proxy::Socks5 {
                addr,
                auth: Some((user.into(), password.into())),
            },
            other => other,
        }
    }

    /// An MTProxy with the secret of its link (`tg://proxy?server=…&port=…&secret=dd…`).
    ///
    /// # Errors
    /// [`ObfuscationError`] for a secret that is not hex, has the wrong length, or is a
    /// fake-TLS (`ee`) secret, which this client does not speak.
    pub fn mtproxy(addr: SocketAddr, secret_hex: &str) -> Result<Self, ObfuscationError> {
        Ok(Proxy::MtProxy {
            addr,
            secret: ProxySecret::from_hex(secret_hex.trim())?,
        })
    }

    /// The address the client opens its TCP connection to.
    pub fn addr(&self) -> SocketAddr {
        match self {
            Proxy::Socks5 { addr, .. } | Proxy::MtProxy { addr, .. } => *addr,
        }
    }
}

/// Asks a SOCKS5 proxy on `stream` to connect to `target` (RFC 1928 `CONNECT`), with
/// username/password authentication when `auth` is given; each answer may take `wait`.
///
/// # Errors
/// `PermissionDenied` when the proxy refuses the credentials or needs ones that were not
/// given, `ConnectionRefused` with the proxy's reason when it cannot reach the target,
/// `InvalidData` when it does not speak SOCKS5, `InvalidInput` for credentials too long,
/// `TimedOut` when it does not answer.
pub(crate) async fn socks5_connect<I: Io>(
    stream: &mut I,
    target: SocketAddr,
    auth: Option<(&str, &str)>,
    wait: Duration,
) -> io::Result<()> {
    // Greeting: version 5, the methods we offer (0: none, 2: username/password).
    let greeting: &[u8] = if auth.is_some() {
        &[5, 2, 0, 2]
    } else {
        &[5, 1, 0]
    };
    stream.write_all(greeting).await?;
    let mut choice = [0u8; 2];
    net::read_exact(stream, &mut choice, wait).await?;
    if choice[0] != 5 {
        return Err(bad(
            "the proxy does not speak SOCKS5 (wrong version in its answer)",
        ));
    }
    match (choice[1], auth) {
        (0, _) => {}
        (2, Some((user, password))) => {
            if user.len() > 255 || password.len() > 255 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "SOCKS5 username and password may have at most 255 bytes each",
                ));
            }
            let mut req = vec![1, user.len() as u8];
            req.extend_from_slice(user.as_bytes());
            req.push(password.len() as u8);
            req.extend_from_slice(password.as_bytes());
            stream.write_all(&req).await?;
            let mut status = [0u8; 2];
            net::read_exact(stream, &mut status, wait).await?;
            if status[1] != 0 {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "the SOCKS5 proxy refused the username/password; check them",
                ));
            }
        }
        (2, None) => {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the SOCKS5 proxy wants a username and password; add them with \
                 Proxy::with_auth",
            ));
        }
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the SOCKS5 proxy accepts none of the offered authentication methods (none, \
                 username/password)",
            ));
        }
    }
    // CONNECT to the target by IP address.
    let mut req = vec![5, 1, 0];
    match target.ip() {
        IpAddr::V4(ip) => {
            req.push(1);
            req.extend_from_slice(&ip.octets());
        }
        IpAddr::V6(ip) => {
            req.push(4);
            req.extend_from_slice(&ip.octets());
        }
    }
    req.extend_from_slice(&target.port().to_be_bytes());
    stream.write_all(&req).await?;
    let mut head = [0u8; 4];
    net::read_exact(stream, &mut head, wait).await?;
    if head[0] != 5 {
        return Err(bad(
            "the proxy does not speak SOCKS5 (wrong version in its reply)",
        ));
    }
    if head[1] != 0 {
        return Err(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            format!(
                "the SOCKS5 proxy could not connect to {target}: {}",
                reply_text(head[1])
            ),
        ));
    }
    // The bound address, which we do not need: skip it.
    let skip = match head[3] {
        1 => 4,
        4 => 16,
        3 => {
            let mut len = [0u8; 1];
            net::read_exact(stream, &mut len, wait).await?;
            usize::from(len[0])
        }
        _ => return Err(bad("the SOCKS5 reply has an unknown address type")),
    };
    let mut rest = vec![0u8; skip + 2];
    net::read_exact(stream, &mut rest, wait).await?;
    Ok(())
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// RFC 1928's reply codes.
fn reply_text(code: u8) -> &'static str {
    match code {
        1 => "general failure",
        2 => "not allowed by the proxy's rules",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused by the target",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unknown error",
    }
}
