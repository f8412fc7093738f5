//! Canonical JSON, audit digests and hex.

use core::ffi::c_char;

use signcore::canonical::{self, Sink};
use signcore::digest::{self, Hash};
use signcore::{Error, hex};
use zeroize::Zeroize;

use crate::consts::{SIGNCORE_HASH_BYTES, SIGNCORE_HASH_HEX_BYTES};
use crate::status::signcore_error;
use crate::status::signcore_status::{self, *};
use crate::util::{Fail, copy_out, disjoint, guard, input, input_bytes, out_buffer, out_ptr, put, required};

/// Counts the canonical bytes without keeping them.
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
}

/// Writes the RFC 8785 canonical form of the JSON text `json` into `out`.
///
/// - `json`, `json_len`: the JSON text (UTF-8, not NUL-terminated; need not
///   be NUL-free). Borrowed for the call only. Must not be NULL, even when
///   `json_len` is 0.
/// - `out`, `out_cap`: the caller's buffer. The output is **not**
///   NUL-terminated. `out` may be NULL only when `out_cap` is 0 (a size
///   query). It must not overlap `json`.
/// - `out_len`: receives the canonical length on `SIGNCORE_OK`, or the size
///   needed on `SIGNCORE_BUFFER_TOO_SMALL` (then nothing is written to `out`).
///   On other errors neither `out` nor `out_len` is written.
/// - `error`: optional (may be NULL) details of a failure, see `signcore_error`.
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_BUFFER_TOO_SMALL`, the JSON
/// errors (`SIGNCORE_INVALID_JSON`, `SIGNCORE_DUPLICATE_MEMBER`,
/// `SIGNCORE_LONE_SURROGATE`, `SIGNCORE_INVALID_UTF8`,
/// `SIGNCORE_NUMBER_OUT_OF_RANGE`, `SIGNCORE_LIMIT_EXCEEDED`),
/// `SIGNCORE_INVALID_ARGUMENT` (overlapping buffers). The input is read
/// twice (once to size the output, once to write it).
///
/// Heap, per build: the no_std build uses none, and an input with more than
/// `SIGNCORE_MAX_OPEN_MEMBERS` object members open at once is
/// `SIGNCORE_LIMIT_EXCEEDED`. The std build sorts members in a stack table of
/// that size and moves it to the heap beyond it, so it accepts such input.
///
/// # Safety
/// `json` must point to `json_len` readable bytes; `out` to `out_cap`
/// writable bytes; `out_len` to a writable `size_t`; `error`, when not NULL,
/// to a writable `signcore_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_canonicalize(
    json: *const c_char,
    json_len: usize,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
    error: *mut signcore_error,
) -> signcore_status {
    guard(error, || {
        // SAFETY: the caller's contract for `json`.
        let json = unsafe { input(json, json_len) }?;
        out_buffer(out, out_cap)?;
        out_ptr(out_len)?;
        let mut counter = Counter(0);
        canonical::canonicalize(json, &mut counter)?;
        let needed = counter.0;
        if needed > out_cap {
            // SAFETY: `out_len` was checked by `out_ptr`.
            unsafe { put(out_len, needed) };
            return Err(Error::BufferTooSmall { needed }.into());
        }
        disjoint(json, out.cast(), needed)?;
        if needed == 0 {
            // Unreachable for valid JSON (the shortest document is one byte).
            return Err(SIGNCORE_INVALID_JSON.into());
        }
        // SAFETY: `out` is non-NULL (out_cap >= needed > 0), valid for
        // `out_cap` >= `needed` writes by contract, and does not overlap `json`.
        let dst = unsafe { core::slice::from_raw_parts_mut(out.cast::<u8>(), needed) };
        let written = canonical::canonicalize_to_slice(json, dst)?;
        // SAFETY: checked by `out_ptr`.
        unsafe { put(out_len, written) };
        Ok(())
    })
}

fn audit_digest(json: &[u8], prev: Option<&Hash>) -> Result<Hash, Fail> {
    Ok(digest::audit_digest(json, prev)?)
}

/// The audit digest of DESIGN.md §2 as lowercase hex:
/// `SHA256(canonical(payload) || prev_hash_bytes)`.
///
/// - `payload_json`, `payload_len`: the event's payload as JSON text (any
///   JSON value); canonicalized per RFC 8785 straight into the hash.
/// - `prev_hash_hex`: the previous event's `hash` as a NUL-terminated string
///   of 64 hex characters (either case), or NULL for the first event of a
///   chain (`prev_hash` null). With no previous event the result is also the
///   manifest content digest of DESIGN.md §5.
/// - `out_hex`: receives 64 lowercase hex characters and a NUL: must point to
///   `SIGNCORE_HASH_HEX_BYTES` (65) writable bytes. Written only on success.
/// - `error`: optional (may be NULL) failure details.
///
/// Errors: `SIGNCORE_NULL_POINTER`, the JSON errors, `SIGNCORE_INVALID_HEX`
/// or `SIGNCORE_INVALID_LENGTH` (a bad `prev_hash_hex`), `SIGNCORE_INVALID_UTF8`.
///
/// # Safety
/// `payload_json` must point to `payload_len` readable bytes;
/// `prev_hash_hex`, when not NULL, to a NUL-terminated string; `out_hex` to
/// 65 writable bytes; `error`, when not NULL, to a writable `signcore_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_audit_digest_hex(
    payload_json: *const c_char,
    payload_len: usize,
    prev_hash_hex: *const c_char,
    out_hex: *mut c_char,
    error: *mut signcore_error,
) -> signcore_status {
    guard(error, || {
        // SAFETY: the caller's contract for `payload_json`.
        let json = unsafe { input(payload_json, payload_len) }?;
        required(out_hex)?;
        let prev = if prev_hash_hex.is_null() {
            None
        } else {
            // SAFETY: non-NULL and NUL-terminated by contract.
            let text = unsafe { core::ffi::CStr::from_ptr(prev_hash_hex) };
            Some(digest::parse_hash(text.to_bytes())?)
        };
        let hash = audit_digest(json, prev.as_ref())?;
        let text = hex::HashHex::new(&hash);
        let mut buf = [0u8; SIGNCORE_HASH_HEX_BYTES];
        buf[..SIGNCORE_HASH_HEX_BYTES - 1].copy_from_slice(text.as_str().as_bytes());
        disjoint(json, out_hex.cast(), buf.len())?;
        // SAFETY: `out_hex` is non-NULL and valid for 65 writes by contract, and
        // `buf` is a local.
        unsafe { copy_out(&buf, out_hex.cast()) };
        Ok(())
    })
}

/// The audit digest of DESIGN.md §2 as 32 raw bytes; the twin of
/// `signcore_audit_digest_hex`.
///
/// - `payload_json`, `payload_len`: the payload as JSON text.
/// - `prev_hash`: the previous event's hash as `SIGNCORE_HASH_BYTES` (32)
///   raw bytes, or NULL for the first event of a chain.
/// - `out`: receives `SIGNCORE_HASH_BYTES` (32) bytes; written only on success.
///   It may be the same buffer as `prev_hash`.
/// - `error`: optional (may be NULL) failure details.
///
/// Errors: `SIGNCORE_NULL_POINTER`, the JSON errors.
///
/// # Safety
/// `payload_json` must point to `payload_len` readable bytes; `prev_hash`,
/// when not NULL, to 32 readable bytes; `out` to 32 writable bytes; `error`,
/// when not NULL, to a writable `signcore_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_audit_digest(
    payload_json: *const c_char,
    payload_len: usize,
    prev_hash: *const u8,
    out: *mut u8,
    error: *mut signcore_error,
) -> signcore_status {
    guard(error, || {
        // SAFETY: the caller's contract for `payload_json`.
        let json = unsafe { input(payload_json, payload_len) }?;
        required(out)?;
        let prev = if prev_hash.is_null() {
            None
        } else {
            let mut prev = [0u8; SIGNCORE_HASH_BYTES];
            // SAFETY: non-NULL and 32 readable bytes by contract; `prev` is a local.
            unsafe { core::ptr::copy_nonoverlapping(prev_hash, prev.as_mut_ptr(), SIGNCORE_HASH_BYTES) };
            Some(prev)
        };
        let hash = audit_digest(json, prev.as_ref())?;
        disjoint(json, out, hash.len())?;
        // SAFETY: `out` is non-NULL and valid for 32 writes by contract.
        unsafe { copy_out(&hash, out) };
        Ok(())
    })
}

/// Writes `bytes` as lowercase hex followed by a NUL.
///
/// - `bytes`, `bytes_len`: the input; must not be NULL, even when `bytes_len` is 0.
/// - `out`, `out_cap`: needs `2 * bytes_len + 1` bytes; may be NULL only when
///   `out_cap` is 0 (a size query). Must not overlap `bytes`.
/// - `out_len`: receives `2 * bytes_len` (the NUL not counted) on success, or
///   the size needed *including* the NUL on `SIGNCORE_BUFFER_TOO_SMALL`
///   (then nothing is written to `out`).
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_BUFFER_TOO_SMALL`,
/// `SIGNCORE_INVALID_ARGUMENT` (overlap, or a length whose hex overflows).
///
/// # Safety
/// `bytes` must point to `bytes_len` readable bytes, `out` to `out_cap`
/// writable bytes and `out_len` to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_hex_encode(
    bytes: *const u8,
    bytes_len: usize,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> signcore_status {
    guard(core::ptr::null_mut(), || {
        // SAFETY: the caller's contract for `bytes`.
        let bytes = unsafe { input_bytes(bytes, bytes_len) }?;
        out_buffer(out, out_cap)?;
        out_ptr(out_len)?;
        let needed = bytes.len().checked_mul(2).and_then(|n| n.checked_add(1)).ok_or(SIGNCORE_INVALID_ARGUMENT)?;
        if needed > out_cap {
            // SAFETY: checked by `out_ptr`.
            unsafe { put(out_len, needed) };
            return Err(SIGNCORE_BUFFER_TOO_SMALL.into());
        }
        disjoint(bytes, out.cast(), needed)?;
        // SAFETY: `out` is non-NULL (out_cap >= needed >= 1), valid for `needed`
        // writes and disjoint from `bytes`.
        let dst = unsafe { core::slice::from_raw_parts_mut(out.cast::<u8>(), needed) };
        let (text, nul) = dst.split_at_mut(needed - 1);
        hex::encode(bytes, text)?;
        nul[0] = 0;
        // SAFETY: checked by `out_ptr`.
        unsafe { put(out_len, needed - 1) };
        Ok(())
    })
}

/// Decodes hex text (either case) into bytes, in constant time.
///
/// - `hex_text`, `hex_len`: the text (not necessarily NUL-terminated); must
///   not be NULL, even when `hex_len` is 0.
/// - `out`, `out_cap`: needs `hex_len / 2` bytes; may be NULL only when
///   `out_cap` is 0. Must not overlap `hex_text`. Written only on success.
/// - `out_len`: receives `hex_len / 2` on success, or the size needed on
///   `SIGNCORE_BUFFER_TOO_SMALL`.
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_INVALID_HEX` (checked before
/// the capacity), `SIGNCORE_BUFFER_TOO_SMALL`, `SIGNCORE_INVALID_ARGUMENT`.
///
/// # Safety
/// `hex_text` must point to `hex_len` readable bytes, `out` to `out_cap`
/// writable bytes and `out_len` to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_hex_decode(
    hex_text: *const c_char,
    hex_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> signcore_status {
    guard(core::ptr::null_mut(), || {
        // SAFETY: the caller's contract for `hex_text`.
        let text = unsafe { input(hex_text, hex_len) }?;
        out_buffer(out, out_cap)?;
        out_ptr(out_len)?;
        // Validate everything first so that nothing is written on bad input.
        let mut scratch = [0u8; 32];
        let valid = text.len() % 2 == 0 && text.chunks(64).all(|chunk| hex::decode(chunk, &mut scratch).is_ok());
        scratch.zeroize();
        if !valid {
            return Err(Error::InvalidHex.into());
        }
        let needed = text.len() / 2;
        if needed > out_cap {
            // SAFETY: checked by `out_ptr`.
            unsafe { put(out_len, needed) };
            return Err(SIGNCORE_BUFFER_TOO_SMALL.into());
        }
        if needed > 0 {
            disjoint(text, out, needed)?;
            // SAFETY: `out` is non-NULL (out_cap >= needed > 0), valid for
            // `needed` writes and disjoint from `hex_text`.
            let dst = unsafe { core::slice::from_raw_parts_mut(out, needed) };
            hex::decode(text, dst)?;
        }
        // SAFETY: checked by `out_ptr`.
        unsafe { put(out_len, needed) };
        Ok(())
    })
}
