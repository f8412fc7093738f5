//! Chain verification (DESIGN.md §4) and N-of-M manifests (§5).

use core::ffi::{c_char, c_int};
use core::fmt::Write as _;

use signcore::chain::{self, FindingCode};
use signcore::keystore::KeyRing;
use signcore::manifest::{self, SignerStatus};

use crate::consts::*;
use crate::status::signcore_error;
use crate::status::signcore_status::{self, *};
use crate::util::{Fail, Text, guard, input, out_buffer, out_ptr, put, scrubbed};

/// The finding codes of DESIGN.md §4.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum signcore_finding_code {
    /// `CHAIN_BROKEN`: `prev_hash` differs from the previous event's `hash`
    /// (or, for the first event, from the expected anchor).
    SIGNCORE_FINDING_CHAIN_BROKEN = 1,
    /// `HASH_MISMATCH`: `hash` is not SHA256(canonical(payload) || prev_hash).
    SIGNCORE_FINDING_HASH_MISMATCH = 2,
    /// `UNKNOWN_KEY`: the `kid` is not in the ring, or the ring's key has another algorithm.
    SIGNCORE_FINDING_UNKNOWN_KEY = 3,
    /// `SIGNATURE_INVALID`: the signature does not verify over the stored `hash`.
    SIGNCORE_FINDING_SIGNATURE_INVALID = 4,
    /// `MALFORMED`: the event cannot be read; its other checks were skipped.
    SIGNCORE_FINDING_MALFORMED = 5,
    /// `ARCHIVE_DIGEST_MISMATCH` (archives, index
    /// `SIGNCORE_ARCHIVE_FINDING_INDEX`): `manifest.digest` is not SHA-256 of
    /// the canonical archive without its manifest.
    SIGNCORE_FINDING_ARCHIVE_DIGEST_MISMATCH = 6,
    /// `RANGE_MISMATCH` (archives): `range` does not agree with the events
    /// (size, head, first/anchor) or with the expected anchor.
    SIGNCORE_FINDING_RANGE_MISMATCH = 7,
    /// `THRESHOLD_NOT_MET` (archives): fewer distinct trusted keys signed the
    /// manifest than the verifier's threshold, or no readable manifest.
    SIGNCORE_FINDING_THRESHOLD_NOT_MET = 8,
    /// `CHECKPOINT_MISMATCH` (archives): the archive's `checkpoint` member
    /// cannot be read or disagrees with the events (size, origin, root).
    SIGNCORE_FINDING_CHECKPOINT_MISMATCH = 9,
    /// A finding newer than this binding (never expected): still a finding.
    SIGNCORE_FINDING_OTHER = 255,
}

impl From<FindingCode> for signcore_finding_code {
    fn from(code: FindingCode) -> Self {
        match code {
            FindingCode::ChainBroken => signcore_finding_code::SIGNCORE_FINDING_CHAIN_BROKEN,
            FindingCode::HashMismatch => signcore_finding_code::SIGNCORE_FINDING_HASH_MISMATCH,
            FindingCode::UnknownKey => signcore_finding_code::SIGNCORE_FINDING_UNKNOWN_KEY,
            FindingCode::SignatureInvalid => signcore_finding_code::SIGNCORE_FINDING_SIGNATURE_INVALID,
            FindingCode::Malformed => signcore_finding_code::SIGNCORE_FINDING_MALFORMED,
            _ => signcore_finding_code::SIGNCORE_FINDING_OTHER,
        }
    }
}

/// One `(index, code)` finding of a chain or archive verification, with a
/// readable message.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct signcore_finding {
    /// Index of the event in the chain (0-based); for an archive-level
    /// finding `SIGNCORE_ARCHIVE_FINDING_INDEX`.
    pub index: u64,
    /// What is wrong.
    pub code: signcore_finding_code,
    /// A readable explanation: NUL-terminated UTF-8, truncated to fit
    /// `SIGNCORE_FINDING_MESSAGE_BYTES` including the NUL.
    pub message: [c_char; SIGNCORE_FINDING_MESSAGE_BYTES],
}

/// The totals of a chain verification.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct signcore_chain_report {
    /// Events checked.
    pub checked: u64,
    /// Findings found, including those that did not fit the caller's array.
    pub findings_total: u64,
    /// Findings written to the caller's array: `min(findings_total, findings_cap)`.
    pub findings_written: usize,
    /// True only when `findings_total` is 0.
    pub ok: bool,
}

/// The code of a finding as DESIGN.md §4 spells it (`"CHAIN_BROKEN"`, ...),
/// or `"UNKNOWN"`: a static NUL-terminated string the caller must not free.
#[unsafe(no_mangle)]
pub extern "C" fn signcore_finding_code_str(code: c_int) -> *const c_char {
    match code {
        1 => c"CHAIN_BROKEN".as_ptr(),
        2 => c"HASH_MISMATCH".as_ptr(),
        3 => c"UNKNOWN_KEY".as_ptr(),
        4 => c"SIGNATURE_INVALID".as_ptr(),
        5 => c"MALFORMED".as_ptr(),
        6 => c"ARCHIVE_DIGEST_MISMATCH".as_ptr(),
        7 => c"RANGE_MISMATCH".as_ptr(),
        8 => c"THRESHOLD_NOT_MET".as_ptr(),
        9 => c"CHECKPOINT_MISMATCH".as_ptr(),
        _ => c"UNKNOWN".as_ptr(),
    }
}

fn ring(json: &[u8]) -> Result<KeyRing, Fail> {
    Ok(KeyRing::from_json(json)?)
}

/// One finding as the C record.
fn finding_record(finding: &chain::Finding) -> signcore_finding {
    let mut message = Text::<SIGNCORE_FINDING_MESSAGE_BYTES>::new();
    let _ = message.write_str(finding.detail);
    signcore_finding { index: finding.index, code: finding.code.into(), message: message.into_c_chars() }
}

/// Verifies the chain and writes the first `cap` findings to `out` only when
/// the events array was read to its end. With `std` the findings are kept
/// in a buffer until then; without it (no heap) the events are first
/// delimited with an empty ring and no output (the same input errors,
/// ring-independent), then verified for real.
fn verify_then_write(
    events: &[u8],
    ring: &KeyRing,
    anchor: Option<signcore::digest::Hash>,
    out: *mut signcore_finding,
    cap: usize,
) -> Result<(chain::ChainSummary, usize), Fail> {
    if cap == 0 {
        return Ok((chain::verify_chain(events, ring, anchor, |_| {})?, 0));
    }
    #[cfg(feature = "std")]
    {
        let mut kept: std::vec::Vec<signcore_finding> = std::vec::Vec::new();
        let summary = chain::verify_chain(events, ring, anchor, |finding| {
            if kept.len() < cap {
                kept.push(finding_record(&finding));
            }
        })?;
        for (i, record) in kept.iter().enumerate() {
            // SAFETY: `out` is non-NULL (cap > 0), aligned and valid for
            // `cap` > i records by contract.
            unsafe { put(out.add(i), *record) };
        }
        Ok((summary, kept.len()))
    }
    #[cfg(not(feature = "std"))]
    {
        let no_keys: KeyRing = KeyRing::new();
        chain::verify_chain(events, &no_keys, anchor, |_| {})?;
        let mut written = 0usize;
        let summary = chain::verify_chain(events, ring, anchor, |finding| {
            if written < cap {
                // SAFETY: `out` is non-NULL (cap > written), aligned and
                // valid for `cap` records by contract.
                unsafe { put(out.add(written), finding_record(&finding)) };
                written += 1;
            }
        })?;
        Ok((summary, written))
    }
}

/// Verifies a hash-chained audit log against a key ring (DESIGN.md §4):
/// every event is checked for CHAIN_BROKEN, HASH_MISMATCH, UNKNOWN_KEY,
/// SIGNATURE_INVALID and MALFORMED, and every finding is reported in index
/// order.
///
/// - `events_json`, `events_len`: a JSON array of audit events.
/// - `ring_json`, `ring_len`: the trusted keys: a JSON array of `{kid, alg:
///   "ed25519", public_key}` / `{kid, alg: "hmac-sha256", secret_hex}`, or a
///   keystore file (which carries every secret into the verifier: prefer a
///   public ring, see `signcore_keystore_public_ring`). Key count: see
///   `SIGNCORE_MAX_KEYS`.
/// - `anchor_hex`: NULL for a chain from its first event (whose `prev_hash`
///   must be null), or the NUL-terminated hex hash that the first event's
///   `prev_hash` must equal (verifying a slice of a longer chain).
/// - `findings`, `findings_cap`: the caller's array for the findings; may be
///   NULL only when `findings_cap` is 0 (then only the totals are reported).
///   On `SIGNCORE_OK` / `SIGNCORE_CHAIN_INVALID` it is a bounded log: when
///   there are more findings than fit, the first `findings_cap` are written
///   and `report->findings_total` tells how many there were.
/// - `report`: receives the totals on `SIGNCORE_OK` and
///   `SIGNCORE_CHAIN_INVALID` only.
/// - `error`: optional (may be NULL) failure details.
///
/// Returns `SIGNCORE_OK` only when the chain verifies with no finding;
/// `SIGNCORE_CHAIN_INVALID` when it has findings (`report->ok` is false);
/// for unreadable input the JSON errors (events or ring),
/// `SIGNCORE_INVALID_KEY_RING` / `SIGNCORE_INVALID_KEYSTORE` (a refused ring or keystore record), `SIGNCORE_INVALID_HEX`
/// / `SIGNCORE_INVALID_LENGTH` (anchor), `SIGNCORE_NULL_POINTER`,
/// `SIGNCORE_INVALID_ARGUMENT`. On every such error neither `report` nor any
/// entry of `findings` is written, also when the events array turns out to
/// be unreadable only after events with findings (a truncated array,
/// trailing data): findings are written only after the whole array was read.
/// An event that cannot be read inside a well-formed array is a MALFORMED
/// finding, not an error.
///
/// Memory, per build: the std build keeps up to `findings_cap` findings in a
/// heap buffer until the array has been read, and reads the events once. The
/// no_std build uses no heap: with `findings_cap` > 0 it reads the events
/// twice (first only to check the array, with no keys), then verifies.
///
/// # Safety
/// `events_json` must point to `events_len` readable bytes, `ring_json` to
/// `ring_len`; `anchor_hex`, when not NULL, to a NUL-terminated string;
/// `findings` to `findings_cap` writable records; `report` to a writable
/// `signcore_chain_report`; `error`, when not NULL, to a writable `signcore_error`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn signcore_verify_chain(
    events_json: *const c_char,
    events_len: usize,
    ring_json: *const c_char,
    ring_len: usize,
    anchor_hex: *const c_char,
    findings: *mut signcore_finding,
    findings_cap: usize,
    report: *mut signcore_chain_report,
    error: *mut signcore_error,
) -> signcore_status {
    scrubbed(|| {
        guard(error, || {
            // SAFETY: the caller's contracts for the two inputs.
            let (events, ring_json) = unsafe { (input(events_json, events_len)?, input(ring_json, ring_len)?) };
            out_buffer(findings, findings_cap)?;
            out_ptr(report)?;
            let anchor = if anchor_hex.is_null() {
                None
            } else {
                // SAFETY: non-NULL and NUL-terminated by contract.
                let text = unsafe { core::ffi::CStr::from_ptr(anchor_hex) };
                Some(signcore::digest::parse_hash(text.to_bytes())?)
            };
            let ring = ring(ring_json)?;
            // Findings are written only once the whole input has been read:
            // an unreadable events array (truncated, trailing data) is an
            // input error that writes nothing.
            let (summary, written) = verify_then_write(events, &ring, anchor, findings, findings_cap)?;
            let totals = signcore_chain_report {
                checked: summary.checked,
                findings_total: summary.findings,
                findings_written: written,
                ok: summary.is_ok(),
            };
            // SAFETY: checked by `out_ptr`; writable by contract.
            unsafe { put(report, totals) };
            if summary.is_ok() { Ok(()) } else { Err(SIGNCORE_CHAIN_INVALID.into()) }
        })
    })
}

/// The verdict on one signature block of a manifest.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum signcore_signer_status {
    /// Trusted kid, signature verifies: counted.
    SIGNCORE_SIGNER_VALID = 1,
    /// Trusted kid, signature does not verify.
    SIGNCORE_SIGNER_INVALID = 2,
    /// Kid not in the ring (or the ring's key has another algorithm).
    SIGNCORE_SIGNER_UNKNOWN = 3,
    /// A kid already counted as valid.
    SIGNCORE_SIGNER_DUPLICATE = 4,
    /// The block cannot be read.
    SIGNCORE_SIGNER_MALFORMED = 5,
}

impl From<SignerStatus> for signcore_signer_status {
    fn from(status: SignerStatus) -> Self {
        match status {
            SignerStatus::Valid => signcore_signer_status::SIGNCORE_SIGNER_VALID,
            SignerStatus::Invalid => signcore_signer_status::SIGNCORE_SIGNER_INVALID,
            SignerStatus::Unknown => signcore_signer_status::SIGNCORE_SIGNER_UNKNOWN,
            SignerStatus::Duplicate => signcore_signer_status::SIGNCORE_SIGNER_DUPLICATE,
            SignerStatus::Malformed => signcore_signer_status::SIGNCORE_SIGNER_MALFORMED,
            // A verdict newer than this binding: never counted.
            _ => signcore_signer_status::SIGNCORE_SIGNER_MALFORMED,
        }
    }
}

/// One signature block's verdict.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct signcore_signer_check {
    /// Position of the block in the manifest's `signatures`.
    pub index: usize,
    /// The verdict.
    pub status: signcore_signer_status,
    /// Whether the block's kid could be read.
    pub has_kid: bool,
    /// The kid as NUL-terminated UTF-8 (empty when `has_kid` is false).
    pub kid: [c_char; SIGNCORE_KEY_ID_BUFFER_BYTES],
    /// Bytes of `kid` before the NUL.
    pub kid_len: usize,
}

/// The counts of a manifest verification.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct signcore_manifest_report {
    /// The manifest's digest (raw bytes).
    pub digest: [u8; SIGNCORE_HASH_BYTES],
    /// The verifier's threshold N.
    pub threshold: usize,
    /// Distinct trusted kids with a valid signature.
    pub valid: usize,
    /// Blocks by trusted kids whose signature does not verify.
    pub invalid: usize,
    /// Blocks by kids not trusted.
    pub unknown: usize,
    /// Blocks by kids already counted.
    pub duplicate: usize,
    /// Blocks that cannot be read.
    pub malformed: usize,
    /// Blocks in the manifest, including those that did not fit the caller's array.
    pub signers_total: usize,
    /// Verdicts written to the caller's array: `min(signers_total, signers_cap)`.
    pub signers_written: usize,
    /// True when `valid >= threshold`.
    pub met: bool,
}

/// Verifies an N-of-M manifest (DESIGN.md §5): `{"digest": "<hex>",
/// "signatures": [{kid, alg, signature}...]}` where each signature is over
/// the 32 raw digest bytes. Counts distinct trusted kids with a valid
/// signature against the verifier's `threshold` (never the manifest's).
///
/// - `manifest_json`, `manifest_len`: the manifest.
/// - `ring_json`, `ring_len`: the verifier's trusted keys (as for
///   `signcore_verify_chain`).
/// - `threshold`: N, at least 1.
/// - `signers`, `signers_cap`: the caller's array for per-block verdicts; may
///   be NULL only when `signers_cap` is 0. A bounded log: the first
///   `signers_cap` verdicts are written.
/// - `report`: receives the counts whenever the inputs could be read (status
///   `SIGNCORE_OK` or `SIGNCORE_THRESHOLD_NOT_MET`).
/// - `error`: optional (may be NULL) failure details.
///
/// The digest is not recomputed here: check that it is the digest of the
/// content you hold (`signcore_audit_digest` with no previous hash is
/// SHA256(canonical(content))).
///
/// Returns `SIGNCORE_OK` only when at least `threshold` distinct trusted
/// kids signed; `SIGNCORE_THRESHOLD_NOT_MET` when fewer did;
/// `SIGNCORE_INVALID_THRESHOLD` for 0; for unreadable input the JSON errors,
/// `SIGNCORE_INVALID_HEX` / `SIGNCORE_INVALID_LENGTH` (digest),
/// `SIGNCORE_INVALID_KEY_RING` / `SIGNCORE_INVALID_KEYSTORE` (ring), `SIGNCORE_NULL_POINTER`,
/// `SIGNCORE_INVALID_ARGUMENT`; then `report` and `signers` are not written.
///
/// # Safety
/// `manifest_json` must point to `manifest_len` readable bytes, `ring_json`
/// to `ring_len`; `signers` to `signers_cap` writable records; `report` to a
/// writable `signcore_manifest_report`; `error`, when not NULL, to a writable
/// `signcore_error`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn signcore_verify_manifest(
    manifest_json: *const c_char,
    manifest_len: usize,
    ring_json: *const c_char,
    ring_len: usize,
    threshold: usize,
    signers: *mut signcore_signer_check,
    signers_cap: usize,
    report: *mut signcore_manifest_report,
    error: *mut signcore_error,
) -> signcore_status {
    scrubbed(|| {
        guard(error, || {
            // SAFETY: the caller's contracts for the two inputs.
            let (manifest_json, ring_json) =
                unsafe { (input(manifest_json, manifest_len)?, input(ring_json, ring_len)?) };
            out_buffer(signers, signers_cap)?;
            out_ptr(report)?;
            if threshold == 0 {
                return Err(signcore::Error::InvalidThreshold.into());
            }
            let ring = ring(ring_json)?;
            let (mut total, mut written) = (0usize, 0usize);
            let counts = manifest::verify_manifest(manifest_json, &ring, threshold, |check| {
                total += 1;
                if written < signers_cap {
                    let (kid, kid_len) =
                        Text::<SIGNCORE_KEY_ID_BUFFER_BYTES>::from_str(check.kid.as_deref().unwrap_or(""));
                    let record = signcore_signer_check {
                        index: check.index,
                        status: check.status.into(),
                        has_kid: check.kid.is_some(),
                        kid: kid.into_c_chars(),
                        kid_len,
                    };
                    // SAFETY: `signers` is non-NULL (signers_cap > written), aligned
                    // and valid for `signers_cap` records by contract.
                    unsafe { put(signers.add(written), record) };
                    written += 1;
                }
            })?;
            let totals = signcore_manifest_report {
                digest: counts.digest,
                threshold: counts.threshold,
                valid: counts.valid,
                invalid: counts.invalid,
                unknown: counts.unknown,
                duplicate: counts.duplicate,
                malformed: counts.malformed,
                signers_total: total,
                signers_written: written,
                met: counts.is_met(),
            };
            // SAFETY: checked by `out_ptr`; writable by contract.
            unsafe { put(report, totals) };
            if counts.is_met() { Ok(()) } else { Err(SIGNCORE_THRESHOLD_NOT_MET.into()) }
        })
    })
}

/// A short name for a signer verdict (`"valid"`, `"invalid"`, `"unknown"`,
/// `"duplicate"`, `"malformed"`), or `"?"`: a static NUL-terminated string
/// the caller must not free.
#[unsafe(no_mangle)]
pub extern "C" fn signcore_signer_status_str(status: c_int) -> *const c_char {
    match status {
        1 => c"valid".as_ptr(),
        2 => c"invalid".as_ptr(),
        3 => c"unknown".as_ptr(),
        4 => c"duplicate".as_ptr(),
        5 => c"malformed".as_ptr(),
        _ => c"?".as_ptr(),
    }
}
