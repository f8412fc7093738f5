//! Host API for agents (DESIGN.md §13): the compliance burn signature and
//! the evidence-package verifier.
//!
//! Burns work without `std` (no heap). The evidence verifier needs `std`
//! (the package is read into owned strings; with a directory, files are
//! listed and hashed).

use core::ffi::{c_char, c_int};

use signcore::host::burn::{BURN_SIGNATURE_PREFIX, MAX_BURN_SIGNATURE_LEN, parse_burn_signature};

use crate::key::{signcore_key, signcore_key_sign, signcore_key_verify};
use crate::status::signcore_status::{self, *};
use crate::util::{Fail, guard, input, out_buffer, out_ptr, put};

/// Bytes of the longest burn signature text plus its NUL:
/// `"sig_"` + 128 hex characters + NUL.
pub const SIGNCORE_BURN_SIGNATURE_BYTES: usize = 133;
const _: () = assert!(SIGNCORE_BURN_SIGNATURE_BYTES == MAX_BURN_SIGNATURE_LEN + 1);

/// Signs a compliance burn (DESIGN.md §13) the way `compliance_index` does:
/// `"sig_" + hex(sign(key, burn_hash))` over the bytes of the burn-hash
/// **text** as given (not the decoded hash).
///
/// - `key`: an initialised key (HMAC-SHA256 or Ed25519).
/// - `burn_hash`, `burn_hash_len`: the burn hash text; must not be NULL.
/// - `out`, `out_cap`: receives the NUL-terminated text (`"sig_"` and
///   lowercase hex); `SIGNCORE_BURN_SIGNATURE_BYTES` always fits. Written
///   only on success.
/// - `out_len`: receives the text length without the NUL, or the size
///   needed (with the NUL) on `SIGNCORE_BUFFER_TOO_SMALL`.
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_KEY_NOT_INITIALIZED`,
/// `SIGNCORE_BUFFER_TOO_SMALL`, `SIGNCORE_INVALID_ARGUMENT`.
///
/// # Safety
/// `key` must point to a readable `signcore_key`, `burn_hash` to
/// `burn_hash_len` readable bytes, `out` to `out_cap` writable bytes,
/// `out_len` to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_sign_burn(
    key: *const signcore_key,
    burn_hash: *const c_char,
    burn_hash_len: usize,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> signcore_status {
    let mut sig = [0u8; signcore::key::MAX_SIGNATURE_LEN];
    let mut sig_len = 0usize;
    // SAFETY: the caller's contracts for `key` and `burn_hash` are forwarded;
    // `sig` and `sig_len` are locals of the right size.
    let status =
        unsafe { signcore_key_sign(key, burn_hash.cast(), burn_hash_len, sig.as_mut_ptr(), sig.len(), &mut sig_len) };
    if status != SIGNCORE_OK {
        return status;
    }
    guard(core::ptr::null_mut(), || {
        out_buffer(out, out_cap)?;
        out_ptr(out_len)?;
        let mut text = [0u8; SIGNCORE_BURN_SIGNATURE_BYTES];
        let prefix = BURN_SIGNATURE_PREFIX.len();
        text[..prefix].copy_from_slice(BURN_SIGNATURE_PREFIX.as_bytes());
        let hex_len = 2 * sig_len;
        signcore::hex::encode(sig.get(..sig_len).unwrap_or(&[]), &mut text[prefix..prefix + hex_len])?;
        let len = prefix + hex_len;
        if len + 1 > out_cap {
            // SAFETY: checked by `out_ptr`.
            unsafe { put(out_len, len + 1) };
            return Err(signcore::Error::BufferTooSmall { needed: len + 1 }.into());
        }
        // SAFETY: `out` is non-NULL (out_cap > len) and valid for `out_cap`
        // writes by contract; `text` is a local holding len + 1 bytes (NUL last).
        unsafe { core::ptr::copy_nonoverlapping(text.as_ptr(), out.cast::<u8>(), len + 1) };
        // SAFETY: checked by `out_ptr`.
        unsafe { put(out_len, len) };
        Ok(())
    })
}

/// Verifies a burn signature `sig_<hex>` (hex of either case) over the bytes
/// of the burn-hash text.
///
/// Returns `SIGNCORE_OK` only when it verifies; `SIGNCORE_SIGNATURE_INVALID`
/// when it does not; `SIGNCORE_INVALID_LENGTH` for a signature of the wrong
/// length for the key; `SIGNCORE_INVALID_BURN_SIGNATURE` for text that is
/// not `sig_<hex>`; `SIGNCORE_INVALID_UTF8`, `SIGNCORE_NULL_POINTER`,
/// `SIGNCORE_KEY_NOT_INITIALIZED`, `SIGNCORE_KEY_CORRUPTED`.
///
/// # Safety
/// `key` must point to a readable `signcore_key`, `burn_hash` to
/// `burn_hash_len` readable bytes, `signature` to `signature_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_verify_burn(
    key: *const signcore_key,
    burn_hash: *const c_char,
    burn_hash_len: usize,
    signature: *const c_char,
    signature_len: usize,
) -> signcore_status {
    let mut sig = [0u8; signcore::key::MAX_SIGNATURE_LEN];
    let mut sig_len = 0usize;
    let parsed = guard(core::ptr::null_mut(), || {
        // SAFETY: the caller's contract for `signature`.
        let text = unsafe { input(signature, signature_len) }?;
        let text = core::str::from_utf8(text).map_err(|_| Fail::Status(SIGNCORE_INVALID_UTF8))?;
        sig_len = parse_burn_signature(text, &mut sig)?;
        Ok(())
    });
    if parsed != SIGNCORE_OK {
        return parsed;
    }
    // SAFETY: the caller's contracts for `key` and `burn_hash` are forwarded;
    // `sig` is a local holding `sig_len` bytes.
    unsafe { signcore_key_verify(key, burn_hash.cast(), burn_hash_len, sig.as_ptr(), sig_len) }
}

/// How an evidence package's signature fared.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum signcore_evidence_signature {
    /// A trusted key signed this very package.
    SIGNCORE_EVIDENCE_SIGNATURE_VALID = 1,
    /// The kid is trusted but the signature does not verify (an edited package).
    SIGNCORE_EVIDENCE_SIGNATURE_INVALID = 2,
    /// The kid is not in the ring (or with another algorithm).
    SIGNCORE_EVIDENCE_SIGNATURE_UNKNOWN_KEY = 3,
    /// The package is unsigned.
    SIGNCORE_EVIDENCE_SIGNATURE_UNSIGNED = 4,
}

/// What `signcore_verify_evidence` found.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct signcore_evidence_report {
    /// 1 when the package verifies (no finding), else 0.
    pub ok: c_int,
    /// A `signcore_evidence_signature` value.
    pub signature: c_int,
    /// Files listed in the package.
    pub files: usize,
    /// 1 when the files were compared with a directory.
    pub files_checked: c_int,
    /// Number of findings (`UNSIGNED`, `UNKNOWN_KEY`, `SIGNATURE_INVALID`,
    /// `FILE_MISSING`, `EXTRA_FILE`, `SIZE_MISMATCH`, `HASH_MISMATCH`).
    pub findings: usize,
}

/// Verifies an evidence package (DESIGN.md §13): its shape, its signature
/// against a trusted key ring and, with `dir`, every file's size and SHA-256
/// with no file missing or extra. Needs `std`.
///
/// - `package_json`, `package_len`: the package file's bytes.
/// - `ring_json`, `ring_len`: the trusted key ring (or a keystore).
/// - `dir`: NULL to verify the package alone, else the NUL-terminated path of
///   the directory it describes.
/// - `allow_unsigned`: non-zero to accept an unsigned package.
/// - `report`: receives the verdict whenever the inputs could be read.
/// - `report_json`, `json_cap`, `json_len`: optional (NULL with `json_cap`
///   0 to skip): receives the full report as JSON `{ok, signature, kid,
///   files, files_checked, findings: [{path, code, message}]}` plus a NUL;
///   `json_len` gets its length, or the size needed on
///   `SIGNCORE_BUFFER_TOO_SMALL` (then `report` is still written).
/// - `error`: optional (may be NULL) failure details.
///
/// Returns `SIGNCORE_OK` when the package could be verified: the verdict
/// (valid or not, tampered files included) is `report->ok`, never a status.
/// Input errors have their own status and `error` details: the JSON errors,
/// `SIGNCORE_INVALID_EVIDENCE` (a package of the wrong shape),
/// `SIGNCORE_LIMIT_EXCEEDED` (more files or meta entries, or a larger
/// package, than the core's limits), `SIGNCORE_INVALID_KEYSTORE` /
/// `SIGNCORE_INVALID_KEY_RING` (ring), `SIGNCORE_IO_ERROR` (`dir` or a file in
/// it cannot be read: the message names the path), `SIGNCORE_NOT_PACKAGEABLE`
/// (a symbolic link, device or non-UTF-8 name in `dir`),
/// `SIGNCORE_BUFFER_TOO_SMALL` (`report_json`), `SIGNCORE_NULL_POINTER`,
/// `SIGNCORE_INVALID_UTF8` (`dir`), `SIGNCORE_INVALID_ARGUMENT`.
///
/// # Safety
/// `package_json` must point to `package_len` readable bytes, `ring_json` to
/// `ring_len`; `dir`, when not NULL, to a NUL-terminated string; `report` to
/// a writable `signcore_evidence_report`; `report_json` to `json_cap`
/// writable bytes; `json_len`, when not NULL, to a writable `size_t`;
/// `error`, when not NULL, to a writable `signcore_error`.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn signcore_verify_evidence(
    package_json: *const c_char,
    package_len: usize,
    ring_json: *const c_char,
    ring_len: usize,
    dir: *const c_char,
    allow_unsigned: c_int,
    report: *mut signcore_evidence_report,
    report_json: *mut c_char,
    json_cap: usize,
    json_len: *mut usize,
    error: *mut crate::status::signcore_error,
) -> signcore_status {
    use signcore::host::evidence::{SignatureStatus, VerifyOptions};
    guard(error, || {
        // SAFETY: the caller's contracts for the two inputs.
        let (package, ring) = unsafe { (input(package_json, package_len)?, input(ring_json, ring_len)?) };
        out_ptr(report)?;
        out_buffer(report_json, json_cap)?;
        if json_cap > 0 {
            out_ptr(json_len)?;
        }
        let dir = if dir.is_null() {
            None
        } else {
            // SAFETY: non-NULL and NUL-terminated by contract.
            Some(unsafe { crate::util::c_str(dir) }?)
        };
        let ring = signcore::keystore::KeyRing::from_json(ring)?;
        let options = VerifyOptions { allow_unsigned: allow_unsigned != 0 };
        let verdict = match dir {
            None => signcore::host::verify_package(package, &ring, options)?,
            Some(dir) => signcore::host::verify_package_dir(package, &ring, options, dir).map_err(host_fail)?,
        };
        let signature = match verdict.signature {
            SignatureStatus::Valid => signcore_evidence_signature::SIGNCORE_EVIDENCE_SIGNATURE_VALID,
            SignatureStatus::Invalid => signcore_evidence_signature::SIGNCORE_EVIDENCE_SIGNATURE_INVALID,
            SignatureStatus::UnknownKey => signcore_evidence_signature::SIGNCORE_EVIDENCE_SIGNATURE_UNKNOWN_KEY,
            _ => signcore_evidence_signature::SIGNCORE_EVIDENCE_SIGNATURE_UNSIGNED,
        };
        let out = signcore_evidence_report {
            ok: c_int::from(verdict.ok),
            signature: signature as c_int,
            files: verdict.files,
            files_checked: c_int::from(verdict.files_checked),
            findings: verdict.findings.len(),
        };
        // SAFETY: checked by `out_ptr`.
        unsafe { put(report, out) };
        if json_cap > 0 {
            let text = report_json_text(&verdict);
            let needed = text.len() + 1;
            // SAFETY: checked by `out_ptr` (json_cap > 0).
            unsafe { put(json_len, if needed > json_cap { needed } else { text.len() }) };
            if needed > json_cap {
                return Err(signcore::Error::BufferTooSmall { needed }.into());
            }
            // SAFETY: `report_json` is non-NULL (json_cap > 0) and valid for
            // `json_cap` >= needed writes; `text` is owned here.
            unsafe {
                core::ptr::copy_nonoverlapping(text.as_ptr(), report_json.cast::<u8>(), text.len());
                report_json.add(text.len()).write(0);
            }
        }
        Ok(())
    })
}

/// A host error as its own status: `SIGNCORE_IO_ERROR`,
/// `SIGNCORE_NOT_PACKAGEABLE`, or the core error's.
#[cfg(feature = "std")]
fn host_fail(e: signcore::host::HostError) -> Fail {
    match e {
        signcore::host::HostError::Core(e) => Fail::Core(e),
        e => Fail::Host(e),
    }
}

#[cfg(feature = "std")]
fn report_json_text(report: &signcore::host::EvidenceReport) -> std::string::String {
    use signcore::canonical::write_json_string;
    let mut out: std::vec::Vec<u8> = std::vec::Vec::new();
    let text = |out: &mut std::vec::Vec<u8>, v: Option<&str>| match v {
        Some(v) => write_json_string(v, out),
        None => out.extend_from_slice(b"null"),
    };
    out.extend_from_slice(
        format!("{{\"ok\":{},\"signature\":\"{}\",\"kid\":", report.ok, report.signature.as_str()).as_bytes(),
    );
    text(&mut out, report.kid.as_deref());
    out.extend_from_slice(
        format!(",\"files\":{},\"files_checked\":{},\"findings\":[", report.files, report.files_checked).as_bytes(),
    );
    for (i, f) in report.findings.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"path\":");
        text(&mut out, f.path.as_deref());
        out.extend_from_slice(format!(",\"code\":\"{}\",\"message\":", f.code.as_str()).as_bytes());
        write_json_string(&f.message, &mut out);
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    std::string::String::from_utf8(out).unwrap_or_default()
}
