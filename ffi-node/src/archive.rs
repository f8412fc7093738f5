//! Signed archives (DESIGN.md §8): `verifyArchive`, on the calling thread
//! and on the binding's own pool ([`crate::pool`]). Each is one call into
//! the core's streaming archive verifier (`signcore::archive::verify_archive`:
//! the chain check anchored at `range.anchor`, the manifest digest
//! recomputed while the same events are checked, the range and the N-of-M
//! manifest with the verifier's threshold). The archive block of the report
//! is the core's `ArchiveBlock`, serialized here and parsed by
//! `lib/archive.js`, so it is the very shape `signcore verify --json` prints.

use napi::Env;
use napi::bindgen_prelude::Object;
use napi_derive::napi;
use signcore::archive::{self, Found, Options};
use signcore::archive_block::ArchiveBlock;
use signcore::digest::Hash;
use signcore::hex::HashHex;
use signcore::keystore::KeyRing;
use zeroize::Zeroizing;

use crate::pool;
use crate::text::Text;
use crate::verify::TaskError;
use crate::{Fail, fail_with, parse_prev_hash};

/// One finding of an archive check: about an event (`index`) or about the
/// archive (`index: null`).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ArchiveFinding {
    /// Event index (0-based position in `events`), `null` for archive-level findings.
    pub index: Option<i64>,
    /// A §4 chain code, or `ARCHIVE_DIGEST_MISMATCH`, `RANGE_MISMATCH`, `THRESHOLD_NOT_MET`, `CHECKPOINT_MISMATCH`.
    #[napi(
        ts_type = "'CHAIN_BROKEN' | 'HASH_MISMATCH' | 'UNKNOWN_KEY' | 'SIGNATURE_INVALID' | 'MALFORMED' | 'ARCHIVE_DIGEST_MISMATCH' | 'RANGE_MISMATCH' | 'THRESHOLD_NOT_MET' | 'CHECKPOINT_MISMATCH'"
    )]
    pub code: &'static str,
    /// Readable explanation.
    pub message: &'static str,
}

/// The native report: the chain report, `head`, and the archive block as
/// JSON text (`lib/archive.js` parses it).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct NativeArchiveReport {
    /// No finding at all.
    pub ok: bool,
    /// Events checked.
    pub checked: i64,
    /// Chain findings in index order, then archive findings.
    pub errors: Vec<ArchiveFinding>,
    /// The stored hash of the last event (the next slice's anchor), when readable.
    pub head: Option<String>,
    /// The core's `ArchiveBlock` as JSON text.
    pub archive: String,
}

/// What the verifier asks of the archive.
#[derive(Clone, Copy)]
struct Ask {
    threshold: u32,
    anchor: Option<Option<Hash>>,
}

fn ask(threshold: u32, anchor: Option<String>, genesis: bool) -> Result<Ask, Fail> {
    let anchor = match (parse_prev_hash(anchor.as_deref(), "options.anchor")?, genesis) {
        (Some(a), _) => Some(Some(a)),
        (None, true) => Some(None),
        (None, false) => None,
    };
    Ok(Ask { threshold, anchor })
}

/// A core error, its message saying what the input should have been.
fn archive_error(e: signcore::Error) -> TaskError {
    let message = match e {
        signcore::Error::InvalidThreshold => format!("options.threshold: {e}"),
        _ => format!("the \"archive\" argument is not a {} archive: {e}", archive::FORMAT),
    };
    TaskError { code: e.code(), message }
}

/// The core's archive check.
fn check_archive(bytes: &[u8], ring_json: &[u8], ask: Ask) -> Result<NativeArchiveReport, TaskError> {
    let ring = KeyRing::from_json(ring_json)
        .map_err(|e| TaskError { code: e.code(), message: format!("the \"ring\" argument: {e}") })?;
    let mut errors = Vec::new();
    let options = Options { threshold: ask.threshold as usize, expected_anchor: ask.anchor };
    let report = archive::verify_archive(bytes, &ring, options, |f| {
        errors.push(match f {
            Found::Event(e) => ArchiveFinding { index: Some(e.index as i64), code: e.code.as_str(), message: e.detail },
            Found::Archive(a) => ArchiveFinding { index: None, code: a.code.as_str(), message: a.detail },
        })
    })
    .map_err(archive_error)?;
    let block = ArchiveBlock::of_archive(bytes, &report);
    let archive = serde_json::to_string(&block)
        .map_err(|e| TaskError { code: "INTERNAL_ERROR", message: format!("archive block: {e}") })?;
    Ok(NativeArchiveReport {
        ok: errors.is_empty(),
        checked: report.chain.checked as i64,
        errors,
        head: report.chain.head.map(|h| HashHex::new(&h).as_str().to_owned()),
        archive,
    })
}

/// Verifies a §8 archive (JSON text or bytes) against a ring with the
/// verifier's `threshold`; `anchor` (or `genesis`) is the anchor the
/// verifier expects `range.anchor` to be.
#[napi(
    ts_args_type = "archive: string | Uint8Array, ring: string | Uint8Array, threshold: number, anchor: string | undefined | null, genesis: boolean"
)]
pub fn verify_archive(
    archive: Text<'_>,
    ring: Text<'_>,
    threshold: u32,
    anchor: Option<String>,
    genesis: bool,
) -> Result<NativeArchiveReport, Fail> {
    let ask = ask(threshold, anchor, genesis)?;
    check_archive(archive.as_bytes(), ring.as_bytes(), ask).map_err(|e| fail_with(e.code, e.message))
}

/// The input of one `verifyArchiveAsync` call, copied from JS.
struct ArchiveInput {
    archive: Vec<u8>,
    /// A keystore used as a ring holds secrets.
    ring: Zeroizing<Vec<u8>>,
    ask: Ask,
}

fn check_archive_input(input: &ArchiveInput) -> Result<NativeArchiveReport, TaskError> {
    check_archive(&input.archive, &input.ring, input.ask)
}

/// `verifyArchive` on the binding's own bounded pool (the one of
/// `verifyChainAsync`). The input is copied before this returns, so the job
/// owns it (a caller may detach or reuse its buffer at once). `cancel()`
/// skips the check if no thread has started it. The promise resolves with
/// the report or a `TaskError` (never rejects).
#[napi(
    ts_args_type = "archive: string | Uint8Array, ring: string | Uint8Array, threshold: number, anchor: string | undefined | null, genesis: boolean",
    ts_return_type = "{ promise: Promise<NativeArchiveReport | TaskError>; cancel(): void }"
)]
pub fn verify_archive_async<'env>(
    env: &'env Env,
    archive: Text<'_>,
    ring: Text<'_>,
    threshold: u32,
    anchor: Option<String>,
    genesis: bool,
) -> Result<Object<'env>, Fail> {
    let ask = ask(threshold, anchor, genesis)?;
    let input = ArchiveInput { archive: archive.into_owned(), ring: Zeroizing::new(ring.into_owned()), ask };
    pool::spawn(env, input, "archive verifier", check_archive_input)
}
