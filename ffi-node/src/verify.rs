//! Keystore metadata, chain verification (sync and on the libuv pool) and
//! N-of-M manifests: each one native call into the core.

use napi::bindgen_prelude::{AbortSignal, AsyncTask, Buffer, Either, Uint8ArraySlice};
use napi::{Env, Task};
use napi_derive::napi;
use signcore::chain::{self, Finding};
use signcore::digest::{Hash, parse_hash};
use signcore::hex::HashHex;
use signcore::keystore::KeyRing;

use crate::keys::read_keystore_file;
use crate::text::Text;
use crate::{Fail, bytes, fail, fail_in, parse_prev_hash};

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
    let anchor = parse_prev_hash(anchor.as_deref())?;
    check_chain(events.as_bytes(), ring.as_bytes(), anchor).map_err(fail)
}

/// `verifyChain` on the libuv thread pool.
pub struct ChainTask {
    events: Either<String, Buffer>,
    ring: Either<String, Buffer>,
    anchor: Option<String>,
}

fn owned(input: &Either<String, Buffer>) -> &[u8] {
    match input {
        Either::A(text) => text.as_bytes(),
        Either::B(data) => data,
    }
}

impl Task for ChainTask {
    type Output = Result<ChainReport, signcore::Error>;
    type JsValue = ChainReport;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let anchor = match self.anchor.as_deref().map(parse_hash).transpose() {
            Ok(anchor) => anchor,
            Err(e) => return Ok(Err(e)),
        };
        Ok(check_chain(owned(&self.events), owned(&self.ring), anchor))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<ChainReport> {
        output.map_err(|e| fail_in(env, e))
    }
}

/// `verifyChain` off the main thread; `signal` cancels it while queued.
/// Buffers are read in place: do not modify them until the promise settles.
#[napi(ts_return_type = "Promise<ChainReport>")]
pub fn verify_chain_async(
    events: Either<String, Buffer>,
    ring: Either<String, Buffer>,
    anchor: Option<String>,
    signal: Option<AbortSignal>,
) -> AsyncTask<ChainTask> {
    AsyncTask::with_optional_signal(ChainTask { events, ring, anchor }, signal)
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
