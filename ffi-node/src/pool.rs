//! The binding's own bounded worker pool for `verifyChainAsync`.
//!
//! Chain checks used to run as napi `AsyncTask`s on libuv's thread pool
//! (4 threads by default): four concurrent long checks filled it, and the
//! service's `fs`, `dns.lookup` and `zlib` work waited behind them (58 s in
//! the issue-8 report). They now run on at most [`MAX_WORKERS`] std threads
//! of their own, fed by a queue of at most [`QUEUE_CAPACITY`] waiting jobs;
//! results go back to the JS thread through a napi `Deferred` (a
//! threadsafe function), so libuv's pool stays free for everything else.
//! A job counts as waiting from `submit` until a thread takes its input or
//! it is cancelled (which frees its input at once), so cancelled jobs never
//! hold a place in the queue.
//!
//! The pool starts on first use and lives as long as the process. Its
//! threads hold nothing between jobs; each job owns its input (copied from
//! JS before the call returns, so nothing JS does afterwards, such as
//! transferring or detaching an `ArrayBuffer`, can reach it).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread;

/// At most this many verification threads (fewer on a machine with fewer
/// cores: `available_parallelism`). A long chain is still checked on every
/// core by the core's parallel verifier, inside one job.
pub const MAX_WORKERS: usize = 4;

/// At most this many jobs wait for a thread; one more is refused with
/// `QUEUE_FULL` (each waiting job holds a copy of its chain).
pub const QUEUE_CAPACITY: usize = 256;

/// Jobs waiting for a thread (see [`left_queue`]).
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// A job stops waiting: a thread took its input, or it was cancelled.
/// Called exactly once per queued job, by whoever takes its input.
pub(crate) fn left_queue() {
    WAITING.fetch_sub(1, Ordering::AcqRel);
}

/// A unit of work: run once on a pool thread.
pub(crate) trait Job: Send + 'static {
    /// Does the work (on a pool thread) and settles its promise.
    fn run(self: Box<Self>);
    /// Settles its promise with `QUEUE_FULL` or `INTERNAL_ERROR` (on the JS
    /// thread) when it could not be queued (so it never counted as waiting).
    fn refuse(self: Box<Self>, code: &'static str, message: String);
}

struct Pool {
    queue: Sender<Box<dyn Job>>,
    workers: usize,
}

static POOL: OnceLock<Result<Pool, String>> = OnceLock::new();

fn start() -> Result<Pool, String> {
    let (queue, jobs) = channel::<Box<dyn Job>>();
    let jobs = Arc::new(Mutex::new(jobs));
    let workers = thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_WORKERS);
    let mut started = 0;
    for i in 0..workers {
        let jobs = Arc::clone(&jobs);
        match thread::Builder::new().name(format!("signcore-verify-{i}")).spawn(move || work(&jobs)) {
            Ok(_) => started += 1,
            Err(e) if started == 0 => return Err(format!("cannot start a verification thread: {e}")),
            Err(_) => break,
        }
    }
    Ok(Pool { queue, workers: started })
}

fn work(jobs: &Mutex<Receiver<Box<dyn Job>>>) {
    loop {
        // The lock is held only while waiting for the next job; a job never
        // panics past `run` (it catches), so the lock is never poisoned, and
        // a poisoned one would still hold a usable receiver.
        let next = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match next {
            Ok(job) => job.run(),
            Err(_) => return,
        }
    }
}

/// Queues `job`; when the queue is full (or the pool cannot start) the job's
/// promise is settled with a coded error instead.
pub(crate) fn submit(job: Box<dyn Job>) {
    let pool = match POOL.get_or_init(start) {
        Ok(pool) => pool,
        Err(e) => return job.refuse("INTERNAL_ERROR", e.clone()),
    };
    if WAITING.fetch_add(1, Ordering::AcqRel) >= QUEUE_CAPACITY {
        WAITING.fetch_sub(1, Ordering::AcqRel);
        return job.refuse(
            "QUEUE_FULL",
            format!(
                "verifyChainAsync: {QUEUE_CAPACITY} chain checks are already waiting for the binding's {} verification \
                 thread(s); await some of them before starting more",
                pool.workers
            ),
        );
    }
    if let Err(unsent) = pool.queue.send(job) {
        WAITING.fetch_sub(1, Ordering::AcqRel);
        unsent.0.refuse("INTERNAL_ERROR", "the verification threads have stopped".to_owned());
    }
}
