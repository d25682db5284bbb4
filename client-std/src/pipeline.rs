//! Pipelining: many calls in flight over one [`Connection`], each with exactly one outcome.
//!
//! [`run`] is the loop behind [`Client::invoke_all`](crate::Client::invoke_all) (and the
//! async client's), on
//! serialized bodies: it keeps the session full ([`Connection::send`] until the session
//! says it is full), takes outcomes as they come ([`Connection::wait_any`]) and refills one
//! slot per outcome, so the requests queued meanwhile leave together in one container.
//!
//! Flood waits are per call but slow the whole batch: a call answered `FLOOD_WAIT_X` (under
//! the policy's threshold) goes back to the head of the queue, and nothing new is sent for
//! `X` seconds (calls already in flight still get their answers). Any other error is the
//! call's outcome. A failure of the connection itself ends the batch: the earliest call
//! still waiting gets it, every other call without an outcome gets [`Error::Abandoned`]
//! (those in flight are cancelled in the session).

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use ferrogram_mtproto_proto::session::{EnqueueError, RequestId, RequestOptions};

use crate::connection::Connection;
use crate::error::Error;
use crate::net::Io;
use crate::retry::{FloodPolicy, Retry};

/// Runs calls `0..count` pipelined. `body(i)` serializes call `i` (again after a flood
/// wait); `done(i, outcome)` is called exactly once per call, in the order outcomes arrive,
/// with the answer's bytes or the call's error.
pub(crate) async fn run<I: Io>(
    conn: &mut Connection<I>,
    count: usize,
    policy: FloodPolicy,
    mut body: impl FnMut(usize) -> Result<Vec<u8>, Error>,
    mut done: impl FnMut(usize, Result<Vec<u8>, Error>),
) {
    let mut next = 0usize;
    // Calls to send again after a flood wait, with how many times each was tried.
    let mut again: VecDeque<usize> = VecDeque::new();
    let mut attempts: HashMap<usize, u32> = HashMap::new();
    // A serialized call the session had no room for yet.
    let mut ready: Option<(usize, Vec<u8>)> = None;
    let mut waiting: HashMap<RequestId, usize> = HashMap::new();
    let mut hold_until: Option<Instant> = None;
    loop {
        if hold_until.is_some_and(|t| Instant::now() >= t) {
            hold_until = None;
        }
        // Fill the session (one clock read for the whole fill: it takes microseconds).
        let t = crate::connection::now();
        while hold_until.is_none() {
            let (i, bytes) = match ready.take() {
                Some(r) => r,
                None => {
                    let i = match again.pop_front() {
                        Some(i) => i,
                        None if next < count => {
                            next += 1;
                            next - 1
                        }
                        None => break,
                    };
                    match body(i) {
                        Ok(b) => (i, b),
                        Err(e) => {
                            done(i, Err(e));
                            continue;
                        }
                    }
                }
            };
            match conn.send_at(t, &bytes, RequestOptions::default()) {
                Ok(id) => {
                    waiting.insert(id, i);
                }
                Err(Error::Enqueue(
                    EnqueueError::TooManyRequests { .. } | EnqueueError::OutboxFull { .. },
                )) if !waiting.is_empty() => {
                    ready = Some((i, bytes));
                    break;
                }
                Err(e) => done(i, Err(e)),
            }
        }
        if waiting.is_empty() {
            match hold_until {
                Some(t) => I::sleep(t.saturating_duration_since(Instant::now())).await,
                None if ready.is_none() && again.is_empty() && next >= count => return,
                None => {}
            }
            continue;
        }
        match conn.wait_any_async(hold_until).await {
            Ok(Some((id, result))) => {
                // Not one of ours: a request someone queued before the batch.
                let Some(i) = waiting.remove(&id) else {
                    continue;
                };
                let attempt = attempts.get(&i).copied().unwrap_or(0) + 1;
                match result {
                    Err(Error::Rpc(e)) => match policy.on_error(&e, attempt) {
                        Retry::After(pause) => {
                            log::info!("{e}; holding new requests for {pause:?}");
                            attempts.insert(i, attempt);
                            again.push_back(i);
                            let until = Instant::now() + pause;
                            hold_until = Some(hold_until.map_or(until, |t| t.max(until)));
                        }
                        Retry::No => done(i, Err(Error::Rpc(e))),
                    },
                    other => done(i, other),
                }
            }
            // The hold is over (or, defensively, the session lost track of our requests:
            // the loop then ends them below).
            Ok(None) if hold_until.is_some() => {}
            Ok(None) => {
                for (_, i) in waiting.drain() {
                    done(i, Err(Error::Abandoned { sent: true }));
                }
            }
            Err(e) => {
                abandon(conn, e, waiting, ready, again, next..count, &mut done);
                return;
            }
        }
    }
}

/// Ends the batch after the connection failed with `e`.
fn abandon<I: Io>(
    conn: &mut Connection<I>,
    e: Error,
    waiting: HashMap<RequestId, usize>,
    ready: Option<(usize, Vec<u8>)>,
    again: VecDeque<usize>,
    unsent: std::ops::Range<usize>,
    done: &mut impl FnMut(usize, Result<Vec<u8>, Error>),
) {
    log::warn!(
        "pipelined batch ended by a connection failure ({e}); {} calls in flight abandoned",
        waiting.len()
    );
    let mut sent: Vec<(usize, RequestId)> = waiting.into_iter().map(|(id, i)| (i, id)).collect();
    sent.sort_unstable();
    let mut error = Some(e);
    for (i, id) in sent {
        conn.cancel(id);
        match error.take() {
            Some(e) => done(i, Err(e)),
            None => done(i, Err(Error::Abandoned { sent: true })),
        }
    }
    let not_sent = ready.map(|(i, _)| i).into_iter().chain(again).chain(unsent);
    for i in not_sent {
        match error.take() {
            Some(e) => done(i, Err(e)),
            None => done(i, Err(Error::Abandoned { sent: false })),
        }
    }
}
