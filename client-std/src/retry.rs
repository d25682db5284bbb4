//! Retry policy, kept out of the driver: what to do when the server says "wait".

use std::time::Duration;

use crate::error::RpcError;

/// What to do after an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Give the error to the caller.
    No,
    /// Sleep this long, then repeat the call.
    After(Duration),
}

/// Sleeps through `FLOOD_WAIT_X` (and `SLOWMODE_WAIT_X`) when `X` is at most the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FloodPolicy {
    /// The longest wait slept through.
    pub threshold: Duration,
}

/// How many times one call is repeated after flood waits before the error is returned.
pub const MAX_FLOOD_RETRIES: u32 = 5;

impl FloodPolicy {
    /// The decision for `error` on the `attempt`-th try of a call (1 for the first).
    pub fn on_error(&self, error: &RpcError, attempt: u32) -> Retry {
        match error.flood_wait() {
            Some(secs)
                if attempt <= MAX_FLOOD_RETRIES
                    && Duration::from_secs(u64::from(secs)) <= self.threshold =>
            {
                // A zero wait still means "slow down": give the server a second.
                Retry::After(Duration::from_secs(u64::from(secs.max(1))))
            }
            _ => Retry::No,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_under_the_threshold_only() {
        let p = FloodPolicy {
            threshold: Duration::from_secs(10),
        };
        let e = |m| RpcError::parse(420, m);
        assert_eq!(
            p.on_error(&e("FLOOD_WAIT_3"), 1),
            Retry::After(Duration::from_secs(3))
        );
        assert_eq!(
            p.on_error(&e("FLOOD_WAIT_10"), 1),
            Retry::After(Duration::from_secs(10))
        );
        assert_eq!(p.on_error(&e("FLOOD_WAIT_11"), 1), Retry::No);
        assert_eq!(
            p.on_error(&e("FLOOD_WAIT_0"), 1),
            Retry::After(Duration::from_secs(1))
        );
        assert_eq!(
            p.on_error(&e("FLOOD_WAIT_3"), MAX_FLOOD_RETRIES + 1),
            Retry::No
        );
        assert_eq!(
            p.on_error(&RpcError::parse(400, "PEER_ID_INVALID"), 1),
            Retry::No
        );
    }
}
