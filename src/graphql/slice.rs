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
//! A request that holds a place goes on in the long runners' own threads, one per place, so that
//! it never holds one of the threads that serve connections. Those threads run at the lowest
//! scheduling priority (nice 19), so that the kernel, too, gives a CPU to a short request the
//! moment it wakes rather than at the end of a long one's time slice. A field whose work reads every
//! meeting a filter selects, whatever its page (the aggregates), passes a [`checkpoint_long`]
//! instead: its request takes a place, and moves, before that work begins, because the work is
//! one step that no slice can cut, and a short request would otherwise wait behind it.
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
use tokio::runtime::{Handle, Runtime};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;
use tracing::Instrument;

/// How long one poll of a request may compute before its resolvers yield the thread.
pub const SLICE: Duration = Duration::from_micros(500);

/// How long a request may run before it needs a place among the [`LongRunners`]. A page of a
/// list, a detail page or a search takes less.
pub const SHORT: Duration = Duration::from_micros(500);

/// The places for requests that run longer than [`SHORT`], and the threads those requests go on
/// in, shared by every request of a server.
#[derive(Debug, Clone)]
pub struct LongRunners {
    places: Arc<Semaphore>,
    pool: Arc<Pool>,
}

/// The long runners' runtime: one worker thread per place, each at the lowest priority.
#[derive(Debug)]
struct Pool(Option<Runtime>);

impl Pool {
    fn new(threads: usize) -> Pool {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name(LONG_RUNNER_THREAD)
            .on_thread_start(lowest_priority)
            .enable_all()
            .build()
            .expect("the long runners' threads start");
        Pool(Some(runtime))
    }

    fn handle(&self) -> &Handle {
        self.0.as_ref().expect("the pool runs until dropped").handle()
    }
}

impl Drop for Pool {
    /// The last holder of the pool may be a task of a server's runtime, where a runtime may not
    /// block to stop another: the threads are told to stop, not waited for.
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// The name of the long runners' threads.
pub const LONG_RUNNER_THREAD: &str = "long-runner";

/// The nice value of the long runners' threads: the lowest priority there is.
pub const LONG_RUNNER_NICE: i32 = 19;

/// Lowers the calling thread's priority to [`LONG_RUNNER_NICE`]. On Linux the nice value belongs
/// to the thread, not the process, and any user may lower it.
fn lowest_priority() {
    #[cfg(unix)]
    // SAFETY: setpriority reads only its arguments; `0` names the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, LONG_RUNNER_NICE);
    }
}

impl LongRunners {
    /// One place fewer than this machine's CPUs, and at least one.
    pub fn for_this_machine() -> LongRunners {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        LongRunners::new(cpus.saturating_sub(1).max(1))
    }

    /// `places` places, and a thread for each.
    pub fn new(places: usize) -> LongRunners {
        LongRunners { places: Arc::new(Semaphore::new(places)), pool: Arc::new(Pool::new(places)) }
    }

    /// How many places there are free now.
    pub fn free(&self) -> usize {
        self.places.available_permits()
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
    places: Arc<Semaphore>,
    /// Where the request goes on once it holds a place. A handle, not the pool: the engine that
    /// owns the pool outlives every request it runs.
    pool: Handle,
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
            places: Arc::clone(&long_runners.places),
            pool: long_runners.pool.handle().clone(),
            place: tokio::sync::OnceCell::new(),
        })
    }

    /// Whether the request has run past [`SHORT`] without a place yet.
    fn needs_place(&self, work: Work) -> bool {
        !self.holds_place() && (work == Work::Whole || self.origin.elapsed() >= SHORT)
    }

    /// Whether the request holds a place among the long runners.
    fn holds_place(&self) -> bool {
        self.place.get().is_some()
    }

    /// Waits for a place (or for another field of the request that is already waiting for one)
    /// and keeps it until the request ends; false when the deadline came first.
    async fn take_place(&self) -> bool {
        let wait = self.place.get_or_try_init(|| Arc::clone(&self.places).acquire_owned());
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

/// An execution future whose polls a [`Clock`] times, and which goes on in the long runners'
/// threads once it holds a place among them. Dropping it (the client went away, the transport's
/// time limit answered first) stops the request wherever it runs.
pub struct Sliced<F: Future> {
    state: State<F>,
    clock: Arc<Clock>,
}

enum State<F: Future> {
    /// Polled by the task that awaits the [`Sliced`].
    Here(Timed<F>),
    /// Polled by a long runner's thread.
    Moved(JoinHandle<F::Output>),
    /// Between the two, for the length of one move.
    Moving,
}

/// An execution future that marks the start of each of its polls on its clock.
struct Timed<F> {
    inner: Pin<Box<F>>,
    clock: Arc<Clock>,
}

impl<F: Future> Future for Timed<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<F::Output> {
        self.clock.poll_begins();
        self.inner.as_mut().poll(cx)
    }
}

impl<F: Future> Sliced<F> {
    /// Times the polls of `inner` on `clock`.
    pub fn new(inner: F, clock: Arc<Clock>) -> Sliced<F> {
        let timed = Timed { inner: Box::pin(inner), clock: Arc::clone(&clock) };
        Sliced { state: State::Here(timed), clock }
    }
}

impl<F> Future for Sliced<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<F::Output> {
        // Every field is Unpin: the execution future is boxed.
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Here(timed) => {
                    let poll = Pin::new(timed).poll(cx);
                    if poll.is_ready() || !this.clock.holds_place() {
                        return poll;
                    }
                    let State::Here(timed) = std::mem::replace(&mut this.state, State::Moving) else {
                        unreachable!("matched above")
                    };
                    // The request's span goes with it, so that what it logs there is still its own.
                    let moved = timed.instrument(tracing::Span::current());
                    this.state = State::Moved(this.clock.pool.spawn(moved));
                }
                State::Moved(handle) => {
                    return Pin::new(handle).poll(cx).map(|joined| match joined {
                        Ok(output) => output,
                        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                        // Only a dropped Sliced aborts the task, and the pool outlives the engine's
                        // requests.
                        Err(error) => unreachable!("a long runner was cancelled under its request: {error}"),
                    });
                }
                State::Moving => unreachable!("a move ends within the poll that began it"),
            }
        }
    }
}

impl<F: Future> Drop for Sliced<F> {
    fn drop(&mut self) {
        if let State::Moved(handle) = &self.state {
            handle.abort();
        }
    }
}

/// How much of the record a field's work reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    /// A page, a record, or what an index selects: short unless it grows.
    Bounded,
    /// Every meeting a filter selects, whatever the page: an aggregate.
    Whole,
}

/// Before work that grows with the data: fails once the request's deadline has passed, waits
/// for a place among the long runners once the request has run past [`SHORT`], and yields the
/// thread while the current poll has spent its slice. A request run without a clock (a
/// subscription's events, a test) passes straight through.
pub async fn checkpoint(ctx: &Context<'_>) -> ApiResult<()> {
    checkpoint_for(ctx, Work::Bounded).await
}

/// [`checkpoint`] before work that reads the whole record: the request takes a place among the
/// long runners at once, however short it has been so far, and the work runs in their threads.
pub async fn checkpoint_long(ctx: &Context<'_>) -> ApiResult<()> {
    checkpoint_for(ctx, Work::Whole).await
}

async fn checkpoint_for(ctx: &Context<'_>, work: Work) -> ApiResult<()> {
    match ctx.data_opt::<Arc<Clock>>() {
        Some(clock) => pass(clock, work).await,
        None => Ok(()),
    }
}

async fn pass(clock: &Clock, work: Work) -> ApiResult<()> {
    loop {
        if clock.expired() {
            return Err(ApiError::TimedOut);
        }
        if clock.needs_place(work) {
            if !clock.take_place().await {
                return Err(ApiError::TimedOut);
            }
            // Ends the poll, so that the work after the checkpoint runs in a long runner.
            tokio::task::yield_now().await;
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
        pass(&first, Work::Bounded).await.expect("the first long request takes the free place");
        assert_eq!(places.free(), 0);
        let second = long(Duration::from_secs(60), &places);
        // Timed as a request's execution is: each poll begins a new slice.
        let waiting = tokio::spawn({
            let clock = Arc::clone(&second);
            Sliced::new(async move { pass(&clock, Work::Bounded).await }, Arc::clone(&second))
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
        let fields: Vec<_> = (0..8).map(|_| pass(&request, Work::Bounded)).collect();
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
        pass(&first, Work::Bounded).await.unwrap();
        let late = long(Duration::from_millis(20), &places);
        assert!(matches!(pass(&late, Work::Bounded).await, Err(ApiError::TimedOut)));
        assert_eq!(places.free(), 0, "the place stays with the request that holds it");
    }

    /// The calling thread's name and nice value.
    fn this_thread() -> (String, i32) {
        // SAFETY: getpriority reads only its arguments; `0` names the calling thread.
        let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        (std::thread::current().name().unwrap_or_default().to_owned(), nice)
    }

    /// A request on `clock` that passes a checkpoint for `work`, then ends its poll, and says
    /// which thread it went on in.
    fn request_on(clock: &Arc<Clock>, work: Work) -> impl Future<Output = (String, i32)> + Send + 'static {
        let clock = Arc::clone(clock);
        async move {
            pass(&clock, work).await.expect("the checkpoint passes");
            tokio::task::yield_now().await;
            this_thread()
        }
    }

    #[tokio::test]
    async fn a_long_request_goes_on_in_a_long_runner_thread_at_the_lowest_priority() {
        let places = LongRunners::new(1);
        let clock = long(Duration::from_secs(60), &places);
        let (thread, nice) = Sliced::new(request_on(&clock, Work::Bounded), Arc::clone(&clock)).await;
        assert_eq!((thread.as_str(), nice), (LONG_RUNNER_THREAD, LONG_RUNNER_NICE));
        assert_ne!(this_thread().1, LONG_RUNNER_NICE, "the server's own threads keep their priority");
    }

    #[tokio::test]
    async fn work_over_the_whole_record_goes_to_a_long_runner_before_it_begins_however_young_its_request() {
        let places = LongRunners::new(1);
        let clock = Clock::new(Instant::now() + Duration::from_secs(60), &places);
        let (thread, _) = Sliced::new(request_on(&clock, Work::Whole), Arc::clone(&clock)).await;
        assert_eq!(thread, LONG_RUNNER_THREAD);
        assert_eq!(places.free(), 0, "in a place, kept to the request's end");
        drop(clock);
        assert_eq!(places.free(), 1);
    }

    #[tokio::test]
    async fn a_short_request_runs_where_it_is_awaited() {
        let places = LongRunners::new(1);
        let clock = Clock::new(Instant::now() + Duration::from_secs(60), &places);
        let thread = Sliced::new(request_on(&clock, Work::Bounded), Arc::clone(&clock)).await;
        assert_eq!(thread, this_thread());
        assert_eq!(places.free(), 1, "a short request takes no place");
    }

    #[tokio::test]
    async fn a_long_request_dropped_by_its_caller_stops_in_the_long_runner_and_frees_its_place() {
        let places = LongRunners::new(1);
        let clock = long(Duration::from_secs(60), &places);
        let endless = {
            let clock = Arc::clone(&clock);
            async move {
                loop {
                    pass(&clock, Work::Bounded).await?;
                    tokio::task::yield_now().await;
                }
            }
        };
        let mut request: Sliced<_> = Sliced::new(endless, clock);
        let polled: Result<ApiResult<()>, _> = tokio::time::timeout(Duration::from_millis(50), &mut request).await;
        assert!(polled.is_err(), "the request runs on");
        assert_eq!(places.free(), 0, "in its place");
        drop(request);
        let freed = tokio::time::timeout(Duration::from_secs(5), async {
            while places.free() == 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        freed.await.expect("the place is freed once the caller has dropped the request");
    }

    #[test]
    fn a_machine_keeps_one_cpu_for_short_requests() {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(LongRunners::for_this_machine().free(), cpus.saturating_sub(1).max(1));
    }
}
