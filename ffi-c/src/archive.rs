//! Signed archives (DESIGN.md §8): the core's streaming archive verifier
//! behind the conventions of `signcore_verify_chain`.

use core::ffi::c_char;
use core::fmt::Write as _;

use signcore::archive::{self, ArchiveCode, Found};
use signcore::digest::Hash;
use signcore::keystore::KeyRing;

use crate::consts::*;
use crate::status::signcore_error;
use crate::status::signcore_status::{self, *};
use crate::util::{Fail, Text, guard, input, out_buffer, out_ptr, put, scrubbed};
use crate::verify::{signcore_finding, signcore_finding_code};

/// The `index` of an archive-level finding (DESIGN.md §8 `index: null`):
/// `UINT64_MAX`, never an event's index.
pub const SIGNCORE_ARCHIVE_FINDING_INDEX: u64 = u64::MAX;

/// What `signcore_verify_archive` found: the chain's totals, the archive's
/// `range`, the recomputed digest and the manifest's counts.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct signcore_archive_report {
    /// Events checked (the length of `events`).
    pub checked: u64,
    /// Findings found, chain and archive-level, including those that did not
    /// fit the caller's array.
    pub findings_total: u64,
    /// Of `findings_total`, the archive-level ones (index
    /// `SIGNCORE_ARCHIVE_FINDING_INDEX`).
    pub archive_findings: u64,
    /// Findings written to the caller's array: `min(findings_total, findings_cap)`.
    pub findings_written: usize,
    /// True only when `findings_total` is 0.
    pub ok: bool,
    /// Whether `range` could be read (else a `RANGE_MISMATCH` finding says so
    /// and the range fields below are zero).
    pub has_range: bool,
    /// `range.first`: the index in the full chain of `events[0]`.
    pub range_first: u64,
    /// `range.size` as stated (compare with `checked`).
    pub range_size: u64,
    /// Whether `range.anchor` is a hash (false: null, from the chain's genesis).
    pub has_anchor: bool,
    /// `range.anchor` (raw bytes; zero when `has_anchor` is false).
    pub anchor: [u8; SIGNCORE_HASH_BYTES],
    /// Whether `range.head` is a hash (false: null, an empty archive).
    pub has_head: bool,
    /// `range.head` as stated (raw bytes; zero when `has_head` is false).
    pub head: [u8; SIGNCORE_HASH_BYTES],
    /// Whether the digest could be recomputed (false when the archive cannot
    /// be canonicalized: an `ARCHIVE_DIGEST_MISMATCH` finding).
    pub has_digest: bool,
    /// SHA-256 of the canonical archive without its `manifest`, recomputed.
    pub digest: [u8; SIGNCORE_HASH_BYTES],
    /// Whether the manifest could be read (false: absent or unreadable, a
    /// `THRESHOLD_NOT_MET` finding; the counts below are then 0).
    pub has_manifest: bool,
    /// The verifier's threshold N.
    pub threshold: usize,
    /// Distinct trusted keys with a valid signature.
    pub valid_signers: usize,
    /// Signature blocks by trusted kids that do not verify.
    pub invalid_signers: usize,
    /// Signature blocks by kids not in the ring.
    pub unknown_signers: usize,
    /// Whether the archive carries a readable `checkpoint` member (checked
    /// against the events: `CHECKPOINT_MISMATCH` findings).
    pub has_checkpoint: bool,
    /// The checkpoint's tree size (0 without one).
    pub checkpoint_size: u64,
    /// The checkpoint's root hash (zero without one).
    pub checkpoint_root: [u8; SIGNCORE_HASH_BYTES],
    /// Whether the root was recomputed from the events (a full-chain
    /// archive); for a slice only the size is checked.
    pub checkpoint_root_checked: bool,
}

fn record(found: &Found) -> signcore_finding {
    let mut message = Text::<SIGNCORE_FINDING_MESSAGE_BYTES>::new();
    let (index, code, detail) = match found {
        Found::Event(f) => (f.index, f.code.into(), f.detail),
        Found::Archive(a) => (SIGNCORE_ARCHIVE_FINDING_INDEX, archive_code(a.code), a.detail),
    };
    let _ = message.write_str(detail);
    signcore_finding { index, code, message: message.into_c_chars() }
}

fn archive_code(code: ArchiveCode) -> signcore_finding_code {
    match code {
        ArchiveCode::ArchiveDigestMismatch => signcore_finding_code::SIGNCORE_FINDING_ARCHIVE_DIGEST_MISMATCH,
        ArchiveCode::RangeMismatch => signcore_finding_code::SIGNCORE_FINDING_RANGE_MISMATCH,
        ArchiveCode::ThresholdNotMet => signcore_finding_code::SIGNCORE_FINDING_THRESHOLD_NOT_MET,
        ArchiveCode::CheckpointMismatch => signcore_finding_code::SIGNCORE_FINDING_CHECKPOINT_MISMATCH,
        _ => signcore_finding_code::SIGNCORE_FINDING_OTHER,
    }
}

/// Verifies, then writes the first `cap` findings only when the whole
/// archive was read (as `verify_then_write` for chains: with `std` they are
/// held back in a buffer; without it the archive is first read with an
/// empty ring and no output, then verified for real).
fn verify_then_write(
    json: &[u8],
    ring: &KeyRing,
    options: archive::Options,
    out: *mut signcore_finding,
    cap: usize,
) -> Result<(archive::ArchiveReport, u64, usize), Fail> {
    let mut total = 0u64;
    if cap == 0 {
        let report = archive::verify_archive(json, ring, options, |_| total += 1)?;
        return Ok((report, total, 0));
    }
    #[cfg(feature = "std")]
    {
        let mut kept: std::vec::Vec<signcore_finding> = std::vec::Vec::new();
        let report = archive::verify_archive(json, ring, options, |found| {
            total += 1;
            if kept.len() < cap {
                kept.push(record(&found));
            }
        })?;
        for (i, r) in kept.iter().enumerate() {
            // SAFETY: `out` is non-NULL (cap > 0), aligned and valid for
            // `cap` > i records by contract.
            unsafe { put(out.add(i), *r) };
        }
        Ok((report, total, kept.len()))
    }
    #[cfg(not(feature = "std"))]
    {
        let no_keys: KeyRing = KeyRing::new();
        archive::verify_archive(json, &no_keys, options, |_| {})?;
        let mut written = 0usize;
        let report = archive::verify_archive(json, ring, options, |found| {
            total += 1;
            if written < cap {
                // SAFETY: `out` is non-NULL (cap > written), aligned and
                // valid for `cap` records by contract.
                unsafe { put(out.add(written), record(&found)) };
                written += 1;
            }
        })?;
        Ok((report, total, written))
    }
}

fn hash_or_zero(hash: Option<Hash>) -> (bool, [u8; SIGNCORE_HASH_BYTES]) {
    (hash.is_some(), hash.unwrap_or([0; SIGNCORE_HASH_BYTES]))
}

/// Verifies a signed archive (DESIGN.md §8) held in a buffer, with the core's
/// streaming archive verifier: the §4 chain check anchored at `range.anchor`,
/// `range` against the events, the manifest digest recomputed, and at least
/// `threshold` distinct trusted keys in the manifest.
///
/// - `archive_json`, `archive_len`: a `signcore-archive/1` object (members
///   `format`, `origin`, `range`, `events`, `manifest`; any other member is
///   an input error).
/// - `ring_json`, `ring_len`: the trusted keys (as for `signcore_verify_chain`:
///   prefer a public ring).
/// - `threshold`: N, at least 1 (the verifier's, never the archive's).
/// - `anchor_hex`: NULL to accept the archive's own `range.anchor`; the
///   NUL-terminated string `"null"` to require an archive from the chain's
///   genesis; or the hex hash `range.anchor` must equal (a slice continuing
///   a chain you hold). A mismatch is a `RANGE_MISMATCH` finding.
/// - `findings`, `findings_cap`: the caller's array; may be NULL only when
///   `findings_cap` is 0. Chain findings come first, in index order (index
///   = position in `events`), then the archive-level findings
///   (`SIGNCORE_FINDING_ARCHIVE_DIGEST_MISMATCH`,
///   `SIGNCORE_FINDING_RANGE_MISMATCH`, `SIGNCORE_FINDING_THRESHOLD_NOT_MET`,
///   `SIGNCORE_FINDING_CHECKPOINT_MISMATCH` for an archive that carries a
///   `checkpoint` member) with index `SIGNCORE_ARCHIVE_FINDING_INDEX`. A bounded log: the first
///   `findings_cap` are written, `report->findings_total` counts them all.
/// - `report`: receives the totals, range, digest and signer counts on
///   `SIGNCORE_OK` and `SIGNCORE_ARCHIVE_INVALID` only.
/// - `error`: optional (may be NULL) failure details.
///
/// Returns `SIGNCORE_OK` only when the archive verifies with no finding;
/// `SIGNCORE_ARCHIVE_INVALID` when it has findings (`report->ok` is false: a
/// truncated archive gives `RANGE_MISMATCH` and `ARCHIVE_DIGEST_MISMATCH`,
/// an unsigned one `THRESHOLD_NOT_MET`); `SIGNCORE_INVALID_THRESHOLD` for 0;
/// for unreadable input the JSON errors (`SIGNCORE_INVALID_JSON` also for a
/// wrong `format`, an unknown or missing member, `events` not an array),
/// `SIGNCORE_INVALID_KEY_RING` / `SIGNCORE_INVALID_KEYSTORE` (ring),
/// `SIGNCORE_INVALID_HEX` / `SIGNCORE_INVALID_LENGTH` (`anchor_hex`),
/// `SIGNCORE_NULL_POINTER`, `SIGNCORE_INVALID_ARGUMENT`. On every such error
/// neither `report` nor any entry of `findings` is written: findings are
/// written only after the whole archive was read. Memory as for
/// `signcore_verify_chain` (the no_std build reads the archive twice when
/// `findings_cap` > 0).
///
/// # Safety
/// `archive_json` must point to `archive_len` readable bytes, `ring_json` to
/// `ring_len`; `anchor_hex`, when not NULL, to a NUL-terminated string;
/// `findings` to `findings_cap` writable records; `report` to a writable
/// `signcore_archive_report`; `error`, when not NULL, to a writable
/// `signcore_error`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn signcore_verify_archive(
    archive_json: *const c_char,
    archive_len: usize,
    ring_json: *const c_char,
    ring_len: usize,
    threshold: usize,
    anchor_hex: *const c_char,
    findings: *mut signcore_finding,
    findings_cap: usize,
    report: *mut signcore_archive_report,
    error: *mut signcore_error,
) -> signcore_status {
    scrubbed(|| {
        guard(error, || {
            // SAFETY: the caller's contracts for the two inputs.
            let (json, ring_json) = unsafe { (input(archive_json, archive_len)?, input(ring_json, ring_len)?) };
            out_buffer(findings, findings_cap)?;
            out_ptr(report)?;
            if threshold == 0 {
                return Err(signcore::Error::InvalidThreshold.into());
            }
            let expected_anchor = if anchor_hex.is_null() {
                None
            } else {
                // SAFETY: non-NULL and NUL-terminated by contract.
                let text = unsafe { core::ffi::CStr::from_ptr(anchor_hex) }.to_bytes();
                Some(if text == b"null" { None } else { Some(signcore::digest::parse_hash(text)?) })
            };
            let ring = KeyRing::from_json(ring_json)?;
            let options = archive::Options { threshold, expected_anchor };
            let (verdict, total, written) = verify_then_write(json, &ring, options, findings, findings_cap)?;
            let range = verdict.range;
            let (has_anchor, anchor) = hash_or_zero(range.and_then(|r| r.anchor));
            let (has_head, head) = hash_or_zero(range.and_then(|r| r.head));
            let (has_digest, digest) = hash_or_zero(verdict.digest);
            let manifest = verdict.manifest;
            let totals = signcore_archive_report {
                checked: verdict.chain.checked,
                findings_total: total,
                archive_findings: verdict.archive_findings,
                findings_written: written,
                ok: verdict.is_ok(),
                has_range: range.is_some(),
                range_first: range.map_or(0, |r| r.first),
                range_size: range.map_or(0, |r| r.size),
                has_anchor,
                anchor,
                has_head,
                head,
                has_digest,
                digest,
                has_manifest: manifest.is_some(),
                threshold,
                valid_signers: manifest.map_or(0, |m| m.valid),
                invalid_signers: manifest.map_or(0, |m| m.invalid),
                unknown_signers: manifest.map_or(0, |m| m.unknown),
                has_checkpoint: verdict.checkpoint.is_some(),
                checkpoint_size: verdict.checkpoint.map_or(0, |c| c.size),
                checkpoint_root: verdict.checkpoint.map_or([0; SIGNCORE_HASH_BYTES], |c| c.root),
                checkpoint_root_checked: verdict.checkpoint.is_some_and(|c| c.root_checked),
            };
            // SAFETY: checked by `out_ptr`; writable by contract.
            unsafe { put(report, totals) };
            if verdict.is_ok() { Ok(()) } else { Err(SIGNCORE_ARCHIVE_INVALID.into()) }
        })
    })
}
