//! Keystore metadata, chain verification (sync and on the libuv pool) and
//! N-of-M manifests: each one native call into the core.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use napi::Env;
use napi::bindgen_prelude::{Either, Object, Uint8ArraySlice};
use napi_derive::napi;
use signcore::chain::{self, ChainVerifier, Finding};
use signcore::digest::Hash;
use signcore::hex::HashHex;
use signcore::keystore::KeyRing;

use zeroize::Zeroizing;

use crate::keys::read_keystore_file;
use crate::pool;
use crate::text::Text;
use crate::{Fail, bytes, fail, fail_with, parse_prev_hash};

/// A key ring (ring JSON or a keystore); unbounded on hosts (the core's
/// `alloc` build), lookups by kid O(log n).
fn ring(json: &[u8]) -> Result<KeyRing, signcore::Error> {
    KeyRing::from_json(json)
}

/// Publishable facts about a key: `{ key_id, alg, key_hash, label }`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct KeyMetadata {
    /// The key's id.
    #[napi(js_name = "key_id")]
    pub key_id: String,
    /// Canonical algorithm name.
    pub alg: String,
    /// SHA256(public key) for Ed25519, SHA256(secret) for HMAC; lowercase hex.
    #[napi(js_name = "key_hash")]
    pub key_hash: String,
    /// The record's label, or `null`.
    pub label: Option<String>,
}

/// Metadata of every key in a keystore, given as a file path or as its JSON;
/// the whole keystore is validated first.
#[napi]
pub fn keystore_metadata(source: Either<String, Uint8ArraySlice<'_>>) -> Result<Vec<KeyMetadata>, Fail> {
    let file;
    let json: &[u8] = match &source {
        Either::A(path) => {
            file = read_keystore_file(path)?;
            &file
        }
        Either::B(json) => json,
    };
    let mut out = Vec::new();
    signcore::keystore::for_each_metadata(json, |m| {
        out.push(KeyMetadata {
            key_id: m.key_id.as_str().to_owned(),
            alg: m.alg.as_str().to_owned(),
            key_hash: HashHex::new(&m.key_hash).as_str().to_owned(),
            label: m.label.map(|l| l.as_str().to_owned()),
        })
    })
    .map_err(fail)?;
    Ok(out)
}

/// One `(index, code)` finding of a chain check.
#[napi(object, object_from_js = false)]
pub struct ChainFinding {
    /// Event index (0-based).
    pub index: i64,
    /// `CHAIN_BROKEN`, `HASH_MISMATCH`, `UNKNOWN_KEY`, `SIGNATURE_INVALID` or `MALFORMED`.
    #[napi(ts_type = "'CHAIN_BROKEN' | 'HASH_MISMATCH' | 'UNKNOWN_KEY' | 'SIGNATURE_INVALID' | 'MALFORMED'")]
    pub code: &'static str,
    /// Readable explanation.
    pub message: &'static str,
}

/// The result of a chain check: `ok` only when `errors` is empty.
#[napi(object, object_from_js = false)]
pub struct ChainReport {
    /// No finding at all.
    pub ok: bool,
    /// Events checked.
    pub checked: i64,
    /// Every finding, in index order.
    pub errors: Vec<ChainFinding>,
}

/// Below this many bytes of events a chain is checked on the calling thread:
/// starting threads would cost more than they save.
const PARALLEL_MIN_BYTES: usize = 64 * 1024;

/// The core's chain check, on every core for chains of
/// [`PARALLEL_MIN_BYTES`] or more (same findings, in index order, as the
/// sequential check: `signcore::chain::verify_chain_parallel`).
fn check_chain(events: &[u8], ring_json: &[u8], anchor: Option<Hash>) -> Result<ChainReport, signcore::Error> {
    let ring = ring(ring_json)?;
    let mut errors = Vec::new();
    let report =
        |f: Finding| errors.push(ChainFinding { index: f.index as i64, code: f.code.as_str(), message: f.detail });
    let summary = if events.len() < PARALLEL_MIN_BYTES {
        chain::verify_chain(events, &ring, anchor, report)
    } else {
        // 0: every available core.
        chain::verify_chain_parallel(events, &ring, anchor, 0, report)
    }?;
    Ok(ChainReport { ok: errors.is_empty(), checked: summary.checked as i64, errors })
}

/// Verifies a JSON array of audit events against a key ring (ring JSON or a
/// keystore), from genesis or from `anchor` (the hash before a slice).
#[napi(ts_args_type = "events: string | Uint8Array, ring: string | Uint8Array, anchor?: string | undefined | null")]
pub fn verify_chain(events: Text<'_>, ring: Text<'_>, anchor: Option<String>) -> Result<ChainReport, Fail> {
    let anchor = parse_prev_hash(anchor.as_deref(), "options.anchor")?;
    check_chain(events.as_bytes(), ring.as_bytes(), anchor).map_err(fail)
}

/// One chunk of a chain given as JS objects: the `JSON.stringify` text of
/// events `first..` (with `context`, preceded by event `first - 1`, which
/// only links the chunk to what comes before it).
struct Chunk {
    order: usize,
    text: Vec<u8>,
    first: u64,
    context: bool,
}

/// A checked chunk: its findings and how many events it checked, or the
/// code and message of its failure.
type ChunkResult = Result<(Vec<ChainFinding>, u64), (&'static str, String)>;
type ChunkOutcome = (usize, ChunkResult);

/// Checks one chunk exactly as the sequential verifier checks those events
/// of the whole chain (`ChainVerifier::resume` after the context event).
fn check_chunk(
    ring: &KeyRing,
    anchor: Option<Hash>,
    chunk: &Chunk,
) -> Result<(Vec<ChainFinding>, u64), signcore::Error> {
    let mut findings = Vec::new();
    let mut verifier = (!chunk.context).then(|| ChainVerifier::new(ring, anchor));
    let mut checked = 0;
    let mut index = chunk.first;
    signcore::stringified::for_each_element(&chunk.text, |event| match &mut verifier {
        None => verifier = Some(ChainVerifier::resume(ring, event, index)),
        Some(v) => {
            v.check_event(event, |f| {
                findings.push(ChainFinding { index: f.index as i64, code: f.code.as_str(), message: f.detail })
            });
            checked += 1;
            index += 1;
        }
    })?;
    Ok((findings, checked))
}

/// `verifyChain` of a JS array, chunk by chunk (`index.js`): while the JS
/// thread runs `JSON.stringify` on chunk k + 1, threads of this session
/// verify chunk k (each chunk on its own, linked to the event before it, so
/// the findings are exactly the whole chain's). `finish()` waits for every
/// chunk and returns the report; `cancel()` (or collection) stops the
/// threads after their current chunk.
#[napi]
pub struct ChainSession {
    chunks: Option<Sender<Chunk>>,
    outcomes: Receiver<ChunkOutcome>,
    pushed: usize,
    cancelled: Arc<AtomicBool>,
    /// The queue the threads take chunks from: `finish()` takes from it too.
    waiting: Arc<Mutex<Receiver<Chunk>>>,
    ring: Arc<KeyRing>,
    anchor: Option<Hash>,
}

/// Checks `chunk` (a panic becomes `INTERNAL_ERROR`), unless the session
/// was cancelled.
fn run_chunk(ring: &KeyRing, anchor: Option<Hash>, cancelled: &AtomicBool, chunk: &Chunk) -> ChunkResult {
    if cancelled.load(Ordering::Acquire) {
        return Err(("ABORT_ERR", "the chain session was cancelled".to_owned()));
    }
    match catch_unwind(AssertUnwindSafe(|| check_chunk(ring, anchor, chunk))) {
        Ok(checked) => checked.map_err(|e| (e.code(), e.to_string())),
        Err(_) => Err(("INTERNAL_ERROR", "internal error in the chain verifier (please report it)".to_owned())),
    }
}

/// The next queued chunk, waiting for one while the queue is open; `None`
/// once it is closed and empty.
fn next_chunk(waiting: &Mutex<Receiver<Chunk>>) -> Option<Chunk> {
    // Held only while waiting for the next chunk.
    waiting.lock().unwrap_or_else(PoisonError::into_inner).recv().ok()
}

impl Drop for ChainSession {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// At most this many threads per session (fewer on a machine with fewer cores).
const SESSION_MAX_THREADS: usize = 4;

#[napi]
impl ChainSession {
    /// Starts a session over `ring` (ring JSON or a keystore), from genesis
    /// or from `anchor`.
    #[napi(factory, ts_args_type = "ring: string | Uint8Array, anchor?: string | undefined | null")]
    pub fn start(ring: Text<'_>, anchor: Option<String>) -> Result<Self, Fail> {
        let anchor = parse_prev_hash(anchor.as_deref(), "options.anchor")?;
        let ring = Arc::new(self::ring(ring.as_bytes()).map_err(fail)?);
        let (chunks, waiting) = channel::<Chunk>();
        let waiting = Arc::new(Mutex::new(waiting));
        let (done, outcomes) = channel::<ChunkOutcome>();
        let cancelled = Arc::new(AtomicBool::new(false));
        let threads = thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, SESSION_MAX_THREADS);
        for i in 0..threads {
            let (ring, waiting, done) = (Arc::clone(&ring), Arc::clone(&waiting), done.clone());
            let cancelled = Arc::clone(&cancelled);
            let spawned = thread::Builder::new().name(format!("signcore-chain-{i}")).spawn(move || {
                while let Some(chunk) = next_chunk(&waiting) {
                    let outcome = run_chunk(&ring, anchor, &cancelled, &chunk);
                    let order = chunk.order;
                    // The text is freed before the JS thread sees the outcome.
                    drop(chunk);
                    if done.send((order, outcome)).is_err() {
                        return;
                    }
                }
            });
            if let Err(e) = spawned
                && i == 0
            {
                return Err(fail_with("INTERNAL_ERROR", format!("cannot start a verification thread: {e}")));
            }
        }
        Ok(ChainSession { chunks: Some(chunks), outcomes, pushed: 0, cancelled, waiting, ring, anchor })
    }

    /// Queues the `JSON.stringify` text of events `first..`; with `context`
    /// its first element is event `first - 1` (not checked again).
    #[napi(ts_args_type = "text: string | Uint8Array, first: number, context: boolean")]
    pub fn push(&mut self, text: Text<'_>, first: f64, context: bool) -> Result<(), Fail> {
        let sender = self.chunks.as_ref().ok_or_else(|| fail_with("INTERNAL_ERROR", "the chain session has ended"))?;
        let chunk = Chunk { order: self.pushed, text: text.into_buffer(), first: first as u64, context };
        sender.send(chunk).map_err(|_| fail_with("INTERNAL_ERROR", "the verification threads have stopped"))?;
        self.pushed += 1;
        Ok(())
    }

    /// Checks the chunks still queued on this thread too (its
    /// `JSON.stringify` work is done), waits for the rest; the report of the
    /// whole chain.
    #[napi]
    pub fn finish(&mut self) -> Result<ChainReport, Fail> {
        // No more chunks: the threads end once the queue is empty.
        drop(self.chunks.take());
        let mut outcomes: Vec<Option<ChunkResult>> = (0..self.pushed).map(|_| None).collect();
        let mut here = 0;
        while let Some(chunk) = next_chunk(&self.waiting) {
            let outcome = run_chunk(&self.ring, self.anchor, &self.cancelled, &chunk);
            if let Some(slot) = outcomes.get_mut(chunk.order) {
                *slot = Some(outcome);
            }
            here += 1;
        }
        for _ in here..self.pushed {
            let (order, outcome) = self
                .outcomes
                .recv()
                .map_err(|_| fail_with("INTERNAL_ERROR", "the verification threads have stopped"))?;
            if let Some(slot) = outcomes.get_mut(order) {
                *slot = Some(outcome);
            }
        }
        let mut errors = Vec::new();
        let mut checked = 0;
        for outcome in outcomes {
            let (found, n) = outcome
                .ok_or_else(|| fail_with("INTERNAL_ERROR", "a chunk was not checked"))?
                .map_err(|(code, message)| fail_with(code, message))?;
            errors.extend(found);
            checked += n;
        }
        self.pushed = 0;
        Ok(ChainReport { ok: errors.is_empty(), checked: checked as i64, errors })
    }

    /// Ends the session without a report (queued chunks are dropped as the
    /// threads reach them).
    #[napi]
    pub fn cancel(&mut self) {
        self.cancelled.store(true, Ordering::Release);
        drop(self.chunks.take());
    }
}

/// A failure of `verifyChainAsync`, delivered as the promise's value (the
/// JS wrapper throws it as a `SigncoreError`).
#[napi(object, object_from_js = false)]
pub struct TaskError {
    /// The error's `code`.
    pub code: &'static str,
    /// Readable message.
    pub message: String,
}

impl TaskError {
    fn of(e: &signcore::Error) -> Self {
        TaskError { code: e.code(), message: e.to_string() }
    }
}

/// The input of one `verifyChainAsync` call, copied from JS.
struct ChainInput {
    events: Vec<u8>,
    /// A keystore used as a ring holds secrets.
    ring: Zeroizing<Vec<u8>>,
    anchor: Option<Hash>,
}

fn check_chain_input(input: &ChainInput) -> Result<ChainReport, TaskError> {
    check_chain(&input.events, &input.ring, input.anchor).map_err(|e| TaskError::of(&e))
}

/// `verifyChain` off the JS thread, on the binding's own bounded pool (not
/// libuv's: fs and dns work keeps flowing). The input is copied before this
/// returns. `cancel()` skips the check if it has not started (and frees its
/// input and its place in the queue at once). The promise
/// resolves with the report or with a `TaskError` (never rejects).
#[napi(
    ts_args_type = "events: string | Uint8Array, ring: string | Uint8Array, anchor?: string | undefined | null",
    ts_return_type = "{ promise: Promise<ChainReport | TaskError>; cancel(): void }"
)]
pub fn verify_chain_async<'env>(
    env: &'env Env,
    events: Text<'_>,
    ring: Text<'_>,
    anchor: Option<String>,
) -> Result<Object<'env>, Fail> {
    let anchor = parse_prev_hash(anchor.as_deref(), "options.anchor")?;
    let input = ChainInput { events: events.into_owned(), ring: Zeroizing::new(ring.into_owned()), anchor };
    pool::spawn(env, input, "chain verifier", check_chain_input)
}

/// The verdict on one manifest signature block.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ManifestSigner {
    /// Position in `signatures`.
    pub index: i64,
    /// The block's kid, when it could be read.
    pub kid: Option<String>,
    /// `valid`, `invalid`, `unknown`, `duplicate` or `malformed`.
    #[napi(ts_type = "'valid' | 'invalid' | 'unknown' | 'duplicate' | 'malformed'")]
    pub status: &'static str,
}

/// N-of-M manifest verdict; `ok` when `valid >= threshold`.
#[napi(object, object_from_js = false)]
pub struct ManifestReport {
    /// At least `threshold` distinct trusted kids signed validly.
    pub ok: bool,
    /// The manifest's digest, lowercase hex.
    pub digest: String,
    /// The verifier's threshold.
    pub threshold: u32,
    /// Distinct trusted kids with a valid signature.
    pub valid: u32,
    /// Blocks by trusted kids that do not verify.
    pub invalid: u32,
    /// Blocks by kids not trusted.
    pub unknown: u32,
    /// Blocks by kids already counted.
    pub duplicate: u32,
    /// Blocks that cannot be read.
    pub malformed: u32,
    /// Every block's verdict, in order.
    pub signers: Vec<ManifestSigner>,
}

/// Verifies an N-of-M manifest against the verifier's ring and threshold.
#[napi]
pub fn verify_manifest(
    manifest: Either<String, Uint8ArraySlice<'_>>,
    ring: Either<String, Uint8ArraySlice<'_>>,
    threshold: u32,
) -> Result<ManifestReport, Fail> {
    let ring = self::ring(bytes(&ring)).map_err(fail)?;
    let mut signers = Vec::new();
    let report = signcore::manifest::verify_manifest(bytes(&manifest), &ring, threshold as usize, |check| {
        signers.push(ManifestSigner {
            index: check.index as i64,
            kid: check.kid.map(|k| k.as_str().to_owned()),
            status: check.status.as_str(),
        })
    })
    .map_err(fail)?;
    let count = |n: usize| n as u32;
    Ok(ManifestReport {
        ok: report.is_met(),
        digest: HashHex::new(&report.digest).as_str().to_owned(),
        threshold,
        valid: count(report.valid),
        invalid: count(report.invalid),
        unknown: count(report.unknown),
        duplicate: count(report.duplicate),
        malformed: count(report.malformed),
        signers,
    })
}
