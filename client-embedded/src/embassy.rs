//! A [`Clock`] on embassy-time (feature `embassy`).

use core::future::Future;

use embassy_time::{Duration, Instant, Timer, with_timeout};
use ferrogram_mtproto_proto::msg_id::UnixNanos;

use crate::device::Clock;

/// Time from embassy-time: the Unix time at boot (from an RTC, a build stamp, or 0 if the
/// device has no idea: the session takes the server's clock either way) plus the time since
/// boot.
#[derive(Clone, Copy, Debug)]
pub struct EmbassyClock {
    boot_unix_nanos: u64,
}

impl EmbassyClock {
    /// A clock that was `unix_secs` at boot.
    pub const fn new(unix_secs: u64) -> Self {
        EmbassyClock {
            boot_unix_nanos: unix_secs.saturating_mul(1_000_000_000),
        }
    }
}

impl Clock for EmbassyClock {
    fn now(&self) -> UnixNanos {
        let since_boot = Instant::now().as_micros().saturating_mul(1000);
        UnixNanos(self.boot_unix_nanos.saturating_add(since_boot))
    }

    async fn timeout<F: Future>(&self, ms: u64, f: F) -> Option<F::Output> {
        with_timeout(Duration::from_millis(ms), f).await.ok()
    }

    async fn sleep(&self, ms: u64) {
        Timer::after(Duration::from_millis(ms)).await;
    }
}
