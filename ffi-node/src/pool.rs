//! The binding's own bounded worker pool for `verifyChainAsync` and
//! `verifyArchiveAsync` ([`spawn`]: one task type for both).
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
                "{QUEUE_CAPACITY} chain or archive checks (verifyChainAsync, verifyArchiveAsync) are already waiting \
                 for the binding's {} verification thread(s); await some of them before starting more",
                pool.workers
            ),
        );
    }
    if let Err(unsent) = pool.queue.send(job) {
        WAITING.fetch_sub(1, Ordering::AcqRel);
        unsent.0.refuse("INTERNAL_ERROR", "the verification threads have stopped".to_owned());
    }
}

/// What a pool task settles its promise with: the report or a coded error.
type Outcome<R> = napi::bindgen_prelude::Either<R, crate::verify::TaskError>;
type Resolver<R> = Box<dyn FnOnce(napi::Env) -> napi::Result<Outcome<R>>>;

/// The input of a task: taken once, by the pool thread that runs it or by
/// `cancel()` (which frees it at once, so a cancelled task holds nothing).
type InputSlot<I> = Arc<Mutex<Option<I>>>;

fn take<I>(slot: &InputSlot<I>) -> Option<I> {
    slot.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// One call of an `...Async` function: its input, its work and its promise.
struct Task<I, R: napi::bindgen_prelude::ToNapiValue> {
    input: InputSlot<I>,
    work: fn(&I) -> Result<R, crate::verify::TaskError>,
    /// The verifier's name, for the internal-error message.
    what: &'static str,
    deferred: napi::JsDeferred<Outcome<R>, Resolver<R>>,
}

impl<I: Send + 'static, R: napi::bindgen_prelude::ToNapiValue + Send + 'static> Job for Task<I, R> {
    fn run(self: Box<Self>) {
        use crate::verify::TaskError;
        use napi::bindgen_prelude::Either;
        use std::panic::{AssertUnwindSafe, catch_unwind};
        let outcome = match take(&self.input) {
            Some(input) => {
                left_queue();
                let outcome = match catch_unwind(AssertUnwindSafe(|| (self.work)(&input))) {
                    Ok(Ok(report)) => Either::A(report),
                    Ok(Err(e)) => Either::B(e),
                    Err(_) => Either::B(TaskError {
                        code: "INTERNAL_ERROR",
                        message: format!("internal error in the {} (please report it)", self.what),
                    }),
                };
                // The input is freed (and a ring wiped) before the JS thread sees the result.
                drop(input);
                outcome
            }
            // Cancelled: the JS promise has already rejected with an AbortError.
            None => Either::B(TaskError { code: "ABORT_ERR", message: "the operation was aborted".to_owned() }),
        };
        self.deferred.resolve(Box::new(move |_| Ok(outcome)));
    }

    fn refuse(self: Box<Self>, code: &'static str, message: String) {
        drop(take(&self.input));
        self.deferred.resolve(Box::new(move |_| {
            Ok(napi::bindgen_prelude::Either::B(crate::verify::TaskError { code, message }))
        }));
    }
}

/// Runs `work(&input)` on the pool and returns `{ promise, cancel }`: the
/// promise resolves with the report or a `TaskError` (never rejects);
/// `cancel()` frees the input and skips the work if no thread has taken it.
/// `input` must own everything (copied from JS before this returns).
pub(crate) fn spawn<'env, I, R>(
    env: &'env napi::Env,
    input: I,
    what: &'static str,
    work: fn(&I) -> Result<R, crate::verify::TaskError>,
) -> Result<napi::bindgen_prelude::Object<'env>, crate::Fail>
where
    I: Send + 'static,
    R: napi::bindgen_prelude::ToNapiValue + Send + 'static,
{
    use crate::from_napi;
    use napi::bindgen_prelude::{JsObjectValue, Object};
    let input: InputSlot<I> = Arc::new(Mutex::new(Some(input)));
    let slot = Arc::clone(&input);
    let cancel = env
        .create_function_from_closure::<(), (), _>("cancel", move |_| {
            if let Some(input) = take(&slot) {
                left_queue();
                drop(input);
            }
            Ok(())
        })
        .map_err(from_napi)?;
    let (deferred, promise) = env.create_deferred::<Outcome<R>, Resolver<R>>().map_err(from_napi)?;
    let mut handle = Object::new(env).map_err(from_napi)?;
    // Once the deferred exists it must be settled (an unsettled one keeps
    // the event loop alive): nothing fallible comes between it and submit.
    let set = handle.set_named_property("promise", promise).and_then(|()| handle.set_named_property("cancel", cancel));
    let job = Box::new(Task { input, work, what, deferred });
    if let Err(e) = set {
        job.refuse("INTERNAL_ERROR", e.reason.clone());
        return Err(from_napi(e));
    }
    submit(job);
    Ok(handle)
}
