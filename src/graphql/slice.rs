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
//!   before the thread goes back to other requests;
//! - once the request has run for [`SHORT`], waits for a place among the [`LongRunners`] and
//!   keeps it to its end: there are one fewer places than CPUs (at least one), so however many
//!   long requests arrive, a CPU stays free for the short ones, which never need a place. A
//!   request still waiting at its deadline fails with `REQUEST_TIMEOUT` like one still running.
//!
//! Slices alone share the CPUs fairly among requests, so two long requests on two CPUs would
//! still make every short one wait for a slice to end; the places keep a CPU for short requests.

use super::error::{ApiError, ApiResult};
use async_graphql::Context;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long one poll of a request may compute before its resolvers yield the thread.
pub const SLICE: Duration = Duration::from_micros(500);

/// How long a request may run before it needs a place among the [`LongRunners`]. A page of a
/// list, a detail page or a search takes less.
pub const SHORT: Duration = Duration::from_micros(500);

/// The places for requests that run longer than [`SHORT`], shared by every request of a server.
#[derive(Debug, Clone)]
pub struct LongRunners(Arc<Semaphore>);

impl LongRunners {
    /// One place fewer than this machine's CPUs, and at least one.
    pub fn for_this_machine() -> LongRunners {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        LongRunners::new(cpus.saturating_sub(1).max(1))
    }

    /// `places` places.
    pub fn new(places: usize) -> LongRunners {
        LongRunners(Arc::new(Semaphore::new(places)))
    }

    /// How many places there are free now.
    pub fn free(&self) -> usize {
        self.0.available_permits()
    }
}

/// One request's deadline, the start of its current poll, and its place among the long runners
/// once it has one.
#[derive(Debug)]
pub struct Clock {
    origin: Instant,
    deadline: Instant,
    /// When the current poll began, in nanoseconds after `origin`.
    poll_started: AtomicU64,
    long_runners: LongRunners,
    /// Taken once for the whole request: its root fields run together, and each passes a
    /// checkpoint, but one place serves them all.
    place: tokio::sync::OnceCell<OwnedSemaphorePermit>,
}

impl Clock {
    /// A clock for a request that must be answered by `deadline`, and that runs past [`SHORT`]
    /// only in a place of `long_runners`.
    pub fn new(deadline: Instant, long_runners: &LongRunners) -> Arc<Clock> {
        Arc::new(Clock {
            origin: Instant::now(),
            deadline,
            poll_started: AtomicU64::new(0),
            long_runners: long_runners.clone(),
            place: tokio::sync::OnceCell::new(),
        })
    }

    /// Whether the request has run past [`SHORT`] without a place yet.
    fn needs_place(&self) -> bool {
        self.place.get().is_none() && self.origin.elapsed() >= SHORT
    }

    /// Waits for a place (or for another field of the request that is already waiting for one)
    /// and keeps it until the request ends; false when the deadline came first.
    async fn take_place(&self) -> bool {
        let semaphore = &self.long_runners.0;
        let wait = self.place.get_or_try_init(|| Arc::clone(semaphore).acquire_owned());
        // The semaphore is never closed.
        matches!(tokio::time::timeout_at(self.deadline.into(), wait).await, Ok(Ok(_)))
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

/// Before work that grows with the data: fails once the request's deadline has passed, waits
/// for a place among the long runners once the request has run past [`SHORT`], and yields the
/// thread while the current poll has spent its slice. A request run without a clock (a
/// subscription's events, a test) passes straight through.
pub async fn checkpoint(ctx: &Context<'_>) -> ApiResult<()> {
    match ctx.data_opt::<Arc<Clock>>() {
        Some(clock) => pass(clock).await,
        None => Ok(()),
    }
}

async fn pass(clock: &Clock) -> ApiResult<()> {
    loop {
        if clock.expired() {
            return Err(ApiError::TimedOut);
        }
        if clock.needs_place() {
            if !clock.take_place().await {
                return Err(ApiError::TimedOut);
            }
            continue;
        }
        if !clock.slice_spent() {
            return Ok(());
        }
        tokio::task::yield_now().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock of `long_runners` that has run past [`SHORT`], at the start of a poll.
    fn long(deadline: Duration, long_runners: &LongRunners) -> Arc<Clock> {
        let clock = Clock::new(Instant::now() + deadline, long_runners);
        std::thread::sleep(SHORT * 2);
        clock.poll_begins();
        clock
    }

    #[tokio::test]
    async fn a_long_request_waits_for_a_place_while_every_place_is_taken_and_runs_once_one_is_free() {
        let places = LongRunners::new(1);
        let first = long(Duration::from_secs(60), &places);
        pass(&first).await.expect("the first long request takes the free place");
        assert_eq!(places.free(), 0);
        let second = long(Duration::from_secs(60), &places);
        // Timed as a request's execution is: each poll begins a new slice.
        let waiting = tokio::spawn({
            let clock = Arc::clone(&second);
            Sliced::new(async move { pass(&clock).await }, Arc::clone(&second))
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the second long request waits while the only place is taken");
        // The first request ends: its clock, and its place with it, go.
        drop(first);
        waiting.await.unwrap().expect("the second runs in the place the first left");
        assert_eq!(places.free(), 0, "the second keeps the place until it ends");
        drop(second);
        assert_eq!(places.free(), 1);
    }

    #[tokio::test]
    async fn the_root_fields_of_one_long_request_share_one_place() {
        let places = LongRunners::new(1);
        let request = long(Duration::from_secs(60), &places);
        // async-graphql resolves a query's root fields together, each passing a checkpoint.
        let fields: Vec<_> = (0..8).map(|_| pass(&request)).collect();
        let passed = tokio::time::timeout(Duration::from_secs(10), futures_util::future::join_all(fields))
            .await
            .expect("no field waits for the place its own request holds");
        assert!(passed.iter().all(Result::is_ok));
        assert_eq!(places.free(), 0);
    }

    #[tokio::test]
    async fn a_long_request_still_waiting_for_a_place_at_its_deadline_times_out() {
        let places = LongRunners::new(1);
        let first = long(Duration::from_secs(60), &places);
        pass(&first).await.unwrap();
        let late = long(Duration::from_millis(20), &places);
        assert!(matches!(pass(&late).await, Err(ApiError::TimedOut)));
        assert_eq!(places.free(), 0, "the place stays with the request that holds it");
    }

    #[test]
    fn a_machine_keeps_one_cpu_for_short_requests() {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(LongRunners::for_this_machine().free(), cpus.saturating_sub(1).max(1));
    }
}
