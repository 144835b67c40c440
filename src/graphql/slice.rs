//! Time inside execution: a request's deadline, and slices that keep one request from holding a
//! thread.
//!
//! Resolvers read the in-memory read model and never wait on anything, so an execution future,
//! once polled, would run to its end in that one poll: a time limit outside it could not fire,
//! and two long requests would hold both of a small machine's threads while every other client
//! waited. async-graphql resolves the root fields of a query together, polling each in turn
//! within one poll of the request, so yielding in one field alone does not end the poll.
//!
//! [`Sliced`] records when each poll of a request begins. At a [`checkpoint`] (every root field:
//! the aggregates and searches whose work grows with the data), a resolver
//! - fails with `REQUEST_TIMEOUT` once the request's deadline has passed, so the rest of the
//!   request does no work; the engine then answers the whole request with that code;
//! - yields once the current poll has run for a [`SLICE`], and again each time it is resumed in
//!   a poll that is already that old, so a poll does at most one slice and one field's work
//!   before the thread goes back to other requests.

use super::error::{ApiError, ApiResult};
use async_graphql::Context;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

/// How long one poll of a request may compute before its resolvers yield the thread.
pub const SLICE: Duration = Duration::from_millis(2);

/// One request's deadline and the start of its current poll.
#[derive(Debug)]
pub struct Clock {
    origin: Instant,
    deadline: Instant,
    /// When the current poll began, in nanoseconds after `origin`.
    poll_started: AtomicU64,
}

impl Clock {
    /// A clock for a request that must be answered by `deadline`.
    pub fn new(deadline: Instant) -> Arc<Clock> {
        Arc::new(Clock { origin: Instant::now(), deadline, poll_started: AtomicU64::new(0) })
    }

    /// Whether the deadline has passed.
    pub fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }

    fn nanos(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    fn poll_begins(&self) {
        self.poll_started.store(self.nanos(), Ordering::Relaxed);
    }

    fn slice_spent(&self) -> bool {
        self.nanos().saturating_sub(self.poll_started.load(Ordering::Relaxed)) >= SLICE.as_nanos() as u64
    }
}

/// An execution future whose polls a [`Clock`] times.
pub struct Sliced<F> {
    inner: Pin<Box<F>>,
    clock: Arc<Clock>,
}

impl<F: Future> Sliced<F> {
    /// Times the polls of `inner` on `clock`.
    pub fn new(inner: F, clock: Arc<Clock>) -> Sliced<F> {
        Sliced { inner: Box::pin(inner), clock }
    }
}

impl<F: Future> Future for Sliced<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<F::Output> {
        self.clock.poll_begins();
        self.inner.as_mut().poll(cx)
    }
}

/// Before work that grows with the data: fails once the request's deadline has passed, and
/// yields the thread while the current poll has spent its slice. A request run without a clock
/// (a subscription's events, a test) passes straight through.
pub async fn checkpoint(ctx: &Context<'_>) -> ApiResult<()> {
    let Some(clock) = ctx.data_opt::<Arc<Clock>>() else { return Ok(()) };
    loop {
        if clock.expired() {
            return Err(ApiError::TimedOut);
        }
        if !clock.slice_spent() {
            return Ok(());
        }
        tokio::task::yield_now().await;
    }
}
