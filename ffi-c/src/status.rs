//! The status enum every function returns, and the error detail record.

use core::ffi::{c_char, c_int};

use signcore::Error;

use crate::consts::SIGNCORE_ERROR_MESSAGE_BYTES;

/// The result of every fallible `signcore_*` function.
///
/// `SIGNCORE_OK` is 0. Errors have a distinctive base so they stand out in
/// logs: 5100..5199 are the core's errors, one for each stable code of
/// DESIGN.md §4 (the same `code` strings the Node binding throws, see
/// `signcore_status_code`); 5200..5299 are verdicts and errors of the C
/// boundary itself. Values are stable; new ones may be added.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum signcore_status {
    /// Success.
    SIGNCORE_OK = 0,
    /// `INVALID_JSON`: malformed JSON, trailing data, a wrong shape.
    SIGNCORE_INVALID_JSON = 5100,
    /// `DUPLICATE_MEMBER`: the same member name twice in one object (I-JSON).
    SIGNCORE_DUPLICATE_MEMBER = 5101,
    /// `LONE_SURROGATE`: an unpaired UTF-16 surrogate (I-JSON).
    SIGNCORE_LONE_SURROGATE = 5102,
    /// `INVALID_UTF8`: bytes that are not UTF-8, in JSON or in a C string argument.
    SIGNCORE_INVALID_UTF8 = 5103,
    /// `NUMBER_OUT_OF_RANGE`: a number that overflows to infinity.
    SIGNCORE_NUMBER_OUT_OF_RANGE = 5104,
    /// `LIMIT_EXCEEDED`: nesting deeper than `SIGNCORE_MAX_DEPTH`, input over
    /// 4 GiB, or (no_std build only) more object members open at once than
    /// `SIGNCORE_MAX_OPEN_MEMBERS`.
    SIGNCORE_LIMIT_EXCEEDED = 5105,
    /// `INVALID_HEX`: odd length or a non-hex character.
    SIGNCORE_INVALID_HEX = 5106,
    /// `INVALID_LENGTH`: a hash, key, signature or tag of the wrong length.
    SIGNCORE_INVALID_LENGTH = 5107,
    /// `UNKNOWN_ALGORITHM`: not one of the algorithm names of DESIGN.md §2.
    SIGNCORE_UNKNOWN_ALGORITHM = 5108,
    /// `UNSUPPORTED_ALGORITHM`: `rsa-sha256`, which only a remote signer offers.
    SIGNCORE_UNSUPPORTED_ALGORITHM = 5109,
    /// `INVALID_KEY`: an empty or over-long HMAC secret, a weak Ed25519 public key.
    SIGNCORE_INVALID_KEY = 5110,
    /// `INVALID_KEYSTORE`: a keystore record was refused (the
    /// `signcore_error` names the record by index and key_id, never the secret).
    SIGNCORE_INVALID_KEYSTORE = 5111,
    /// `KEY_NOT_FOUND`: no key with this id in the keystore.
    SIGNCORE_KEY_NOT_FOUND = 5112,
    /// `BUFFER_TOO_SMALL`: the output capacity is too small; nothing was
    /// written except the needed size, reported through the written-length
    /// out-parameter.
    SIGNCORE_BUFFER_TOO_SMALL = 5113,
    /// `SIGNATURE_INVALID`: a signature or tag does not verify.
    SIGNCORE_SIGNATURE_INVALID = 5114,
    /// `INVALID_THRESHOLD`: an N-of-M threshold of 0.
    SIGNCORE_INVALID_THRESHOLD = 5115,
    /// `SIGNER_REQUIRED`: a guard (`REQUIRE_KMS`, `NODE_ENV=production`)
    /// refused the signer configuration; the message begins `Audit signing is
    /// required` and names the variables to set.
    SIGNCORE_SIGNER_REQUIRED = 5116,
    /// `NO_SIGNER`: no signer is configured at all (DESIGN.md §6 rule 7).
    SIGNCORE_NO_SIGNER = 5117,
    /// `KEYSTORE_UNREADABLE`: the keystore file cannot be read.
    SIGNCORE_KEYSTORE_UNREADABLE = 5118,
    /// `INVALID_SIGNER_CONFIG`: the environment names an algorithm the local
    /// core cannot use, or `UTLD_PACKAGE_SIG_KEY` is not `<alg>:<secret_hex>`.
    SIGNCORE_INVALID_SIGNER_CONFIG = 5119,
    /// `INVALID_KEY_RING`: a key ring record was refused (the `signcore_error`
    /// names the record by index and kid and the reason, never a secret).
    SIGNCORE_INVALID_KEY_RING = 5120,
    /// `SECRET_REQUIRED`: an HMAC key's ring entry was asked for without
    /// permission to write its secret (an HMAC key has no public part).
    SIGNCORE_SECRET_REQUIRED = 5121,
    /// `INVALID_BURN_SIGNATURE`: a burn signature that is not `sig_` followed
    /// by the hex of a signature (DESIGN.md §13).
    SIGNCORE_INVALID_BURN_SIGNATURE = 5122,
    /// `INVALID_EVIDENCE`: an evidence package of the wrong shape (not a
    /// `signcore-evidence/1` object, a bad file entry, path, size or hash,
    /// unsorted or duplicate paths, a bad `meta` or signature block; the
    /// message says which). Package limits are `SIGNCORE_LIMIT_EXCEEDED`.
    SIGNCORE_INVALID_EVIDENCE = 5123,
    /// `IO_ERROR`: a file or directory could not be read (the message names
    /// the path, the action and the OS error kind).
    SIGNCORE_IO_ERROR = 5124,
    /// `NOT_PACKAGEABLE`: an evidence directory holds an entry that is not a
    /// regular file or directory (a symbolic link, a device) or whose name is
    /// not UTF-8 (the message names the path).
    SIGNCORE_NOT_PACKAGEABLE = 5125,
    /// `MALFORMED_NOTE`: a signed note that is not C2SP signed-note syntax (the message says what).
    SIGNCORE_MALFORMED_NOTE = 5130,
    /// `INVALID_VERIFIER_KEY`: a note verifier key that is not `<name>+<hex key id>+<base64(0x01 ‖ key)>`, or whose id does not match.
    SIGNCORE_INVALID_VERIFIER_KEY = 5131,
    /// `MALFORMED_CHECKPOINT`: a note body that is not a C2SP tlog-checkpoint (origin, size, root).
    SIGNCORE_MALFORMED_CHECKPOINT = 5132,
    /// `ORIGIN_MISMATCH`: the checkpoint is of another log than the origin expected.
    SIGNCORE_ORIGIN_MISMATCH = 5133,
    /// `ROOT_MISMATCH`: a Merkle proof leads to another root than the one given.
    SIGNCORE_ROOT_MISMATCH = 5134,
    /// `INVALID_PROOF_LENGTH`: a Merkle proof with the wrong number of hashes for its index and sizes.
    SIGNCORE_INVALID_PROOF_LENGTH = 5135,
    /// `INDEX_OUT_OF_RANGE`: a leaf index that is not below the tree size.
    SIGNCORE_INDEX_OUT_OF_RANGE = 5136,
    /// `INVALID_TREE_SIZE`: tree sizes no consistency proof relates (old size 0 or above the new size).
    SIGNCORE_INVALID_TREE_SIZE = 5137,
    /// `MALFORMED_PROOF`: a proof text that cannot be read.
    SIGNCORE_MALFORMED_PROOF = 5138,
    /// `NULL_POINTER`: a required pointer argument is NULL.
    SIGNCORE_NULL_POINTER = 5200,
    /// `KEY_NOT_INITIALIZED`: the `signcore_key` was never initialised, was
    /// wiped, or is not a `signcore_key`.
    SIGNCORE_KEY_NOT_INITIALIZED = 5201,
    /// `REMOTE_SIGNER_CONFIGURED`: the environment selects a remote signer (AWS
    /// KMS or a signing proxy), which the host must perform; no local key.
    SIGNCORE_REMOTE_SIGNER_CONFIGURED = 5202,
    /// `PANIC`: an internal bug was caught at the boundary (never expected).
    SIGNCORE_PANIC = 5203,
    /// `INVALID_ARGUMENT`: a length over `PTRDIFF_MAX`, a misaligned
    /// `signcore_key`, overlapping input and output buffers, a key id that
    /// does not fit `SIGNCORE_KEY_ID_MAX_BYTES`, an HMAC key asked for a
    /// public key.
    SIGNCORE_INVALID_ARGUMENT = 5204,
    /// `CHAIN_INVALID`: the chain was read and verified, and has at least one
    /// finding; the report and findings array are filled in.
    SIGNCORE_CHAIN_INVALID = 5205,
    /// `THRESHOLD_NOT_MET`: the manifest was read and verified, and fewer than
    /// N distinct trusted kids signed it; the report is filled in.
    SIGNCORE_THRESHOLD_NOT_MET = 5206,
    /// `OTHER_ERROR`: a core error newer than this binding (never expected:
    /// the binding maps every core code it was built with).
    SIGNCORE_OTHER_ERROR = 5207,
    /// `KEY_CORRUPTED`: the `signcore_key` carries the tag of an initialised
    /// key but fails its integrity check (a keyed checksum over the whole
    /// storage, then range checks): it was overwritten, partly copied, or
    /// forged. It is never used; wipe it and load the key again.
    SIGNCORE_KEY_CORRUPTED = 5208,
    /// `ARCHIVE_INVALID`: the archive was read and verified, and has at least
    /// one finding (chain or archive-level); the report and findings array
    /// are filled in.
    SIGNCORE_ARCHIVE_INVALID = 5209,
}

use signcore_status::*;

/// Every status, for tests and tables.
pub(crate) const ALL_STATUSES: &[signcore_status] = &[
    SIGNCORE_OK,
    SIGNCORE_INVALID_JSON,
    SIGNCORE_DUPLICATE_MEMBER,
    SIGNCORE_LONE_SURROGATE,
    SIGNCORE_INVALID_UTF8,
    SIGNCORE_NUMBER_OUT_OF_RANGE,
    SIGNCORE_LIMIT_EXCEEDED,
    SIGNCORE_INVALID_HEX,
    SIGNCORE_INVALID_LENGTH,
    SIGNCORE_UNKNOWN_ALGORITHM,
    SIGNCORE_UNSUPPORTED_ALGORITHM,
    SIGNCORE_INVALID_KEY,
    SIGNCORE_INVALID_KEYSTORE,
    SIGNCORE_KEY_NOT_FOUND,
    SIGNCORE_BUFFER_TOO_SMALL,
    SIGNCORE_SIGNATURE_INVALID,
    SIGNCORE_INVALID_THRESHOLD,
    SIGNCORE_SIGNER_REQUIRED,
    SIGNCORE_NO_SIGNER,
    SIGNCORE_KEYSTORE_UNREADABLE,
    SIGNCORE_INVALID_SIGNER_CONFIG,
    SIGNCORE_INVALID_KEY_RING,
    SIGNCORE_SECRET_REQUIRED,
    SIGNCORE_INVALID_BURN_SIGNATURE,
    SIGNCORE_INVALID_EVIDENCE,
    SIGNCORE_IO_ERROR,
    SIGNCORE_NOT_PACKAGEABLE,
    SIGNCORE_MALFORMED_NOTE,
    SIGNCORE_INVALID_VERIFIER_KEY,
    SIGNCORE_MALFORMED_CHECKPOINT,
    SIGNCORE_ORIGIN_MISMATCH,
    SIGNCORE_ROOT_MISMATCH,
    SIGNCORE_INVALID_PROOF_LENGTH,
    SIGNCORE_INDEX_OUT_OF_RANGE,
    SIGNCORE_INVALID_TREE_SIZE,
    SIGNCORE_MALFORMED_PROOF,
    SIGNCORE_NULL_POINTER,
    SIGNCORE_KEY_NOT_INITIALIZED,
    SIGNCORE_REMOTE_SIGNER_CONFIGURED,
    SIGNCORE_PANIC,
    SIGNCORE_INVALID_ARGUMENT,
    SIGNCORE_CHAIN_INVALID,
    SIGNCORE_THRESHOLD_NOT_MET,
    SIGNCORE_OTHER_ERROR,
    SIGNCORE_KEY_CORRUPTED,
    SIGNCORE_ARCHIVE_INVALID,
];

impl signcore_status {
    /// The stable machine-readable code (as the core's `Error::code`).
    pub(crate) fn code(self) -> &'static core::ffi::CStr {
        match self {
            SIGNCORE_OK => c"OK",
            SIGNCORE_INVALID_JSON => c"INVALID_JSON",
            SIGNCORE_DUPLICATE_MEMBER => c"DUPLICATE_MEMBER",
            SIGNCORE_LONE_SURROGATE => c"LONE_SURROGATE",
            SIGNCORE_INVALID_UTF8 => c"INVALID_UTF8",
            SIGNCORE_NUMBER_OUT_OF_RANGE => c"NUMBER_OUT_OF_RANGE",
            SIGNCORE_LIMIT_EXCEEDED => c"LIMIT_EXCEEDED",
            SIGNCORE_INVALID_HEX => c"INVALID_HEX",
            SIGNCORE_INVALID_LENGTH => c"INVALID_LENGTH",
            SIGNCORE_UNKNOWN_ALGORITHM => c"UNKNOWN_ALGORITHM",
            SIGNCORE_UNSUPPORTED_ALGORITHM => c"UNSUPPORTED_ALGORITHM",
            SIGNCORE_INVALID_KEY => c"INVALID_KEY",
            SIGNCORE_INVALID_KEYSTORE => c"INVALID_KEYSTORE",
            SIGNCORE_KEY_NOT_FOUND => c"KEY_NOT_FOUND",
            SIGNCORE_BUFFER_TOO_SMALL => c"BUFFER_TOO_SMALL",
            SIGNCORE_SIGNATURE_INVALID => c"SIGNATURE_INVALID",
            SIGNCORE_INVALID_THRESHOLD => c"INVALID_THRESHOLD",
            SIGNCORE_SIGNER_REQUIRED => c"SIGNER_REQUIRED",
            SIGNCORE_NO_SIGNER => c"NO_SIGNER",
            SIGNCORE_KEYSTORE_UNREADABLE => c"KEYSTORE_UNREADABLE",
            SIGNCORE_INVALID_SIGNER_CONFIG => c"INVALID_SIGNER_CONFIG",
            SIGNCORE_INVALID_KEY_RING => c"INVALID_KEY_RING",
            SIGNCORE_SECRET_REQUIRED => c"SECRET_REQUIRED",
            SIGNCORE_INVALID_BURN_SIGNATURE => c"INVALID_BURN_SIGNATURE",
            SIGNCORE_INVALID_EVIDENCE => c"INVALID_EVIDENCE",
            SIGNCORE_IO_ERROR => c"IO_ERROR",
            SIGNCORE_NOT_PACKAGEABLE => c"NOT_PACKAGEABLE",
            SIGNCORE_MALFORMED_NOTE => c"MALFORMED_NOTE",
            SIGNCORE_INVALID_VERIFIER_KEY => c"INVALID_VERIFIER_KEY",
            SIGNCORE_MALFORMED_CHECKPOINT => c"MALFORMED_CHECKPOINT",
            SIGNCORE_ORIGIN_MISMATCH => c"ORIGIN_MISMATCH",
            SIGNCORE_ROOT_MISMATCH => c"ROOT_MISMATCH",
            SIGNCORE_INVALID_PROOF_LENGTH => c"INVALID_PROOF_LENGTH",
            SIGNCORE_INDEX_OUT_OF_RANGE => c"INDEX_OUT_OF_RANGE",
            SIGNCORE_INVALID_TREE_SIZE => c"INVALID_TREE_SIZE",
            SIGNCORE_MALFORMED_PROOF => c"MALFORMED_PROOF",
            SIGNCORE_NULL_POINTER => c"NULL_POINTER",
            SIGNCORE_KEY_NOT_INITIALIZED => c"KEY_NOT_INITIALIZED",
            SIGNCORE_REMOTE_SIGNER_CONFIGURED => c"REMOTE_SIGNER_CONFIGURED",
            SIGNCORE_PANIC => c"PANIC",
            SIGNCORE_INVALID_ARGUMENT => c"INVALID_ARGUMENT",
            SIGNCORE_CHAIN_INVALID => c"CHAIN_INVALID",
            SIGNCORE_THRESHOLD_NOT_MET => c"THRESHOLD_NOT_MET",
            SIGNCORE_OTHER_ERROR => c"OTHER_ERROR",
            SIGNCORE_KEY_CORRUPTED => c"KEY_CORRUPTED",
            SIGNCORE_ARCHIVE_INVALID => c"ARCHIVE_INVALID",
        }
    }

    /// A readable, static description.
    pub(crate) fn describe(self) -> &'static core::ffi::CStr {
        match self {
            SIGNCORE_OK => c"success",
            SIGNCORE_INVALID_JSON => c"invalid JSON",
            SIGNCORE_DUPLICATE_MEMBER => c"invalid JSON: duplicate member name",
            SIGNCORE_LONE_SURROGATE => c"invalid JSON: lone UTF-16 surrogate",
            SIGNCORE_INVALID_UTF8 => c"invalid UTF-8",
            SIGNCORE_NUMBER_OUT_OF_RANGE => c"invalid JSON: number overflows to infinity",
            SIGNCORE_LIMIT_EXCEEDED => c"input exceeds a documented limit (nesting, open members or size)",
            SIGNCORE_INVALID_HEX => c"invalid hex: odd length or a non-hex character",
            SIGNCORE_INVALID_LENGTH => c"a hash, key, signature or tag has the wrong length",
            SIGNCORE_UNKNOWN_ALGORITHM => {
                c"unknown algorithm: expected hmac-sha256 (hmac, hmac_sha256, HMAC_SHA_256) or ed25519"
            }
            SIGNCORE_UNSUPPORTED_ALGORITHM => {
                c"rsa-sha256 is not supported by the local core (only by a KMS or proxy signer)"
            }
            SIGNCORE_INVALID_KEY => c"invalid key",
            SIGNCORE_INVALID_KEYSTORE => c"invalid keystore or key ring record",
            SIGNCORE_KEY_NOT_FOUND => c"no key with this id",
            SIGNCORE_BUFFER_TOO_SMALL => c"output buffer too small (the needed size was reported)",
            SIGNCORE_SIGNATURE_INVALID => c"signature does not verify",
            SIGNCORE_INVALID_THRESHOLD => c"threshold must be at least 1",
            SIGNCORE_SIGNER_REQUIRED => c"Audit signing is required: the signer configuration was refused",
            SIGNCORE_NO_SIGNER => c"no signer configured",
            SIGNCORE_KEYSTORE_UNREADABLE => c"the keystore file cannot be read",
            SIGNCORE_INVALID_SIGNER_CONFIG => {
                c"the signer configuration names an algorithm the local core cannot use, or a malformed legacy key"
            }
            SIGNCORE_INVALID_KEY_RING => c"invalid key ring record",
            SIGNCORE_SECRET_REQUIRED => c"an HMAC key has no public part: its ring entry needs its secret",
            SIGNCORE_INVALID_BURN_SIGNATURE => c"a burn signature must be sig_ followed by the signature's hex",
            SIGNCORE_INVALID_EVIDENCE => c"invalid evidence package (see the message for what is wrong)",
            SIGNCORE_IO_ERROR => c"a file or directory cannot be read",
            SIGNCORE_NOT_PACKAGEABLE => {
                c"an evidence directory entry is not a regular file or directory, or its name is not UTF-8"
            }
            SIGNCORE_MALFORMED_NOTE => c"malformed signed note",
            SIGNCORE_INVALID_VERIFIER_KEY => c"invalid note verifier key",
            SIGNCORE_MALFORMED_CHECKPOINT => c"malformed checkpoint",
            SIGNCORE_ORIGIN_MISMATCH => c"the checkpoint's origin is not the log expected",
            SIGNCORE_ROOT_MISMATCH => c"the proof does not lead to the given root hash",
            SIGNCORE_INVALID_PROOF_LENGTH => c"the proof has the wrong number of hashes",
            SIGNCORE_INDEX_OUT_OF_RANGE => c"leaf index not in the tree",
            SIGNCORE_INVALID_TREE_SIZE => c"invalid tree sizes",
            SIGNCORE_MALFORMED_PROOF => c"malformed proof",
            SIGNCORE_NULL_POINTER => c"a required pointer argument is NULL",
            SIGNCORE_KEY_NOT_INITIALIZED => c"the key was never initialised or has been wiped",
            SIGNCORE_REMOTE_SIGNER_CONFIGURED => {
                c"a remote signer (KMS or signing proxy) is configured; the host must perform it"
            }
            SIGNCORE_PANIC => c"internal error (a panic was caught at the C boundary)",
            SIGNCORE_INVALID_ARGUMENT => c"invalid argument",
            SIGNCORE_CHAIN_INVALID => c"the chain has findings (see the report)",
            SIGNCORE_THRESHOLD_NOT_MET => c"the manifest does not meet the threshold (see the report)",
            SIGNCORE_OTHER_ERROR => c"an error this binding does not know",
            SIGNCORE_KEY_CORRUPTED => {
                c"the key storage fails its integrity check (corrupted or forged); it was not used"
            }
            SIGNCORE_ARCHIVE_INVALID => c"the archive has findings (see the report)",
        }
    }

    fn from_int(value: c_int) -> Option<Self> {
        ALL_STATUSES.iter().copied().find(|s| *s as c_int == value)
    }
}

/// The status for a core error: one per stable `Error::code()`.
pub(crate) fn status_of(error: &Error) -> signcore_status {
    status_for_code(error.code())
}

/// The status for a stable core code string.
pub(crate) fn status_for_code(code: &str) -> signcore_status {
    match code {
        "INVALID_JSON" => SIGNCORE_INVALID_JSON,
        "DUPLICATE_MEMBER" => SIGNCORE_DUPLICATE_MEMBER,
        "LONE_SURROGATE" => SIGNCORE_LONE_SURROGATE,
        "INVALID_UTF8" => SIGNCORE_INVALID_UTF8,
        "NUMBER_OUT_OF_RANGE" => SIGNCORE_NUMBER_OUT_OF_RANGE,
        "LIMIT_EXCEEDED" => SIGNCORE_LIMIT_EXCEEDED,
        "INVALID_HEX" => SIGNCORE_INVALID_HEX,
        "INVALID_LENGTH" => SIGNCORE_INVALID_LENGTH,
        "UNKNOWN_ALGORITHM" => SIGNCORE_UNKNOWN_ALGORITHM,
        "UNSUPPORTED_ALGORITHM" => SIGNCORE_UNSUPPORTED_ALGORITHM,
        "INVALID_KEY" => SIGNCORE_INVALID_KEY,
        "INVALID_KEYSTORE" => SIGNCORE_INVALID_KEYSTORE,
        "KEY_NOT_FOUND" => SIGNCORE_KEY_NOT_FOUND,
        "BUFFER_TOO_SMALL" => SIGNCORE_BUFFER_TOO_SMALL,
        "SIGNATURE_INVALID" => SIGNCORE_SIGNATURE_INVALID,
        "INVALID_THRESHOLD" => SIGNCORE_INVALID_THRESHOLD,
        "SIGNER_REQUIRED" => SIGNCORE_SIGNER_REQUIRED,
        "NO_SIGNER" => SIGNCORE_NO_SIGNER,
        "KEYSTORE_UNREADABLE" => SIGNCORE_KEYSTORE_UNREADABLE,
        "INVALID_SIGNER_CONFIG" => SIGNCORE_INVALID_SIGNER_CONFIG,
        "INVALID_KEY_RING" => SIGNCORE_INVALID_KEY_RING,
        "SECRET_REQUIRED" => SIGNCORE_SECRET_REQUIRED,
        "INVALID_BURN_SIGNATURE" => SIGNCORE_INVALID_BURN_SIGNATURE,
        "INVALID_EVIDENCE" => SIGNCORE_INVALID_EVIDENCE,
        "IO_ERROR" => SIGNCORE_IO_ERROR,
        "NOT_PACKAGEABLE" => SIGNCORE_NOT_PACKAGEABLE,
        "MALFORMED_NOTE" => SIGNCORE_MALFORMED_NOTE,
        "INVALID_VERIFIER_KEY" => SIGNCORE_INVALID_VERIFIER_KEY,
        "MALFORMED_CHECKPOINT" => SIGNCORE_MALFORMED_CHECKPOINT,
        "ORIGIN_MISMATCH" => SIGNCORE_ORIGIN_MISMATCH,
        "ROOT_MISMATCH" => SIGNCORE_ROOT_MISMATCH,
        "INVALID_PROOF_LENGTH" => SIGNCORE_INVALID_PROOF_LENGTH,
        "INDEX_OUT_OF_RANGE" => SIGNCORE_INDEX_OUT_OF_RANGE,
        "INVALID_TREE_SIZE" => SIGNCORE_INVALID_TREE_SIZE,
        "MALFORMED_PROOF" => SIGNCORE_MALFORMED_PROOF,
        "THRESHOLD_NOT_MET" => SIGNCORE_THRESHOLD_NOT_MET,
        // A code newer than this binding: still an error, never OK.
        _ => SIGNCORE_OTHER_ERROR,
    }
}

/// A readable description of `status`: a static, NUL-terminated string that
/// the caller must not free. Never NULL; unknown values give
/// `"unknown signcore status"`. Contains no secret material.
///
/// `status` is an `int` so that any value is safe to pass.
#[unsafe(no_mangle)]
pub extern "C" fn signcore_status_str(status: c_int) -> *const c_char {
    match signcore_status::from_int(status) {
        Some(s) => s.describe().as_ptr(),
        None => c"unknown signcore status".as_ptr(),
    }
}

/// The stable machine-readable code of `status`, e.g. `"KEY_NOT_FOUND"` for
/// `SIGNCORE_KEY_NOT_FOUND` and `"OK"` for `SIGNCORE_OK`: the same codes the
/// Node binding puts in an error's `code`. A static, NUL-terminated string
/// that the caller must not free; never NULL (`"UNKNOWN"` for unknown values).
#[unsafe(no_mangle)]
pub extern "C" fn signcore_status_code(status: c_int) -> *const c_char {
    match signcore_status::from_int(status) {
        Some(s) => s.code().as_ptr(),
        None => c"UNKNOWN".as_ptr(),
    }
}

/// Details of a failure, for the functions that parse input.
///
/// Functions that take a `signcore_error *error` write it on every return
/// when `error` is not NULL (pass NULL to skip it): on success `status` is
/// `SIGNCORE_OK` and `message` is empty. The message is readable, names the
/// keystore or ring record (index and key_id) when one was refused, and
/// never contains secret material.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct signcore_error {
    /// The status the function returned.
    pub status: signcore_status,
    /// Byte offset into the JSON input where a JSON error was found, or
    /// `SIZE_MAX` when the error has no offset.
    pub offset: usize,
    /// Index of the refused keystore or ring record, or `SIZE_MAX`.
    pub record_index: usize,
    /// NUL-terminated UTF-8 message, truncated (at a character boundary) to
    /// fit `SIGNCORE_ERROR_MESSAGE_BYTES` including the NUL.
    pub message: [c_char; SIGNCORE_ERROR_MESSAGE_BYTES],
}
