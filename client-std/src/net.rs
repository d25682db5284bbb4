//! Sockets and timers for the drivers. The connection logic is written once, as async code
//! over [`Io`]; [`Blocking`] runs it on `std::net` (its futures never wait: every call
//! blocks the thread and completes, so a trivial `block_on` drives them), [`Smol`] runs it on
//! smol's reactor (`async-io`), which needs no particular executor: an
//! [`AsyncClient`](crate::AsyncClient) works inside smol, tokio, async-std or a plain
//! `block_on`.

use std::future::Future;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use async_io::{Async, Timer};
use futures_lite::{AsyncReadExt, AsyncWriteExt, FutureExt};

/// A TCP stream and a clock, as a driver needs them.
pub trait Io: Sized {
    /// Opens a TCP connection to `addr` (Nagle off), giving up after `timeout`.
    fn connect(addr: SocketAddr, timeout: Duration) -> impl Future<Output = io::Result<Self>>;
    /// Writes all of `bytes`.
    fn write_all(&mut self, bytes: &[u8]) -> impl Future<Output = io::Result<()>>;
    /// Reads what is there into `buf`, waiting at most `wait`: `Ok(None)` if nothing came,
    /// `Ok(Some(0))` when the peer closed the connection.
    fn read(
        &mut self,
        buf: &mut [u8],
        wait: Duration,
    ) -> impl Future<Output = io::Result<Option<usize>>>;
    /// Waits `d`.
    fn sleep(d: Duration) -> impl Future<Output = ()>;
}

/// Blocking `std::net` sockets and `thread::sleep`.
#[derive(Debug)]
pub struct Blocking(TcpStream);

impl Io for Blocking {
    async fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<Self> {
        let s = TcpStream::connect_timeout(&addr, timeout)?;
        s.set_nodelay(true)?;
        Ok(Blocking(s))
    }

    async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }

    async fn read(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<Option<usize>> {
        self.0
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
        match self.0.read(buf) {
            Ok(n) => Ok(Some(n)),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    async fn sleep(d: Duration) {
        std::thread::sleep(d);
    }
}

/// Non-blocking sockets and timers on smol's reactor (`async-io`).
#[derive(Debug)]
pub struct Smol(Async<TcpStream>);

impl Io for Smol {
    async fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<Self> {
        let s = Async::<TcpStream>::connect(addr)
            .or(async {
                Timer::after(timeout).await;
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no TCP connection within {timeout:?}"),
                ))
            })
            .await?;
        s.get_ref().set_nodelay(true)?;
        Ok(Smol(s))
    }

    async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes).await
    }

    async fn read(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<Option<usize>> {
        let stream = &mut self.0;
        // Reads on async-io are cancel-safe: a read dropped by the timer consumed nothing.
        async move { stream.read(buf).await.map(Some) }
            .or(async {
                Timer::after(wait).await;
                Ok(None)
            })
            .await
    }

    async fn sleep(d: Duration) {
        Timer::after(d).await;
    }
}

/// Reads exactly `buf.len()` bytes, each read waiting at most `wait`.
///
/// # Errors
/// `TimedOut` if a read waited `wait` for nothing, `UnexpectedEof` if the peer closed.
pub(crate) async fn read_exact<I: Io>(s: &mut I, buf: &mut [u8], wait: Duration) -> io::Result<()> {
    let mut got = 0;
    while got < buf.len() {
        match s.read(&mut buf[got..], wait).await? {
            None => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no answer within {wait:?}"),
                ));
            }
            Some(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the peer closed the connection",
                ));
            }
            Some(n) => got += n,
        }
    }
    Ok(())
}
