//! Sizes as constants (macros in C) and as functions, for callers that
//! cannot read macros (other languages' FFI).

use core::ffi::c_char;

use signcore::{canonical, digest, key, keystore};

/// Bytes of a SHA-256 hash (an audit digest, a key hash).
pub const SIGNCORE_HASH_BYTES: usize = 32;
/// Bytes of a hash as hex text plus its NUL terminator (64 + 1).
pub const SIGNCORE_HASH_HEX_BYTES: usize = 65;
/// Bytes of a full HMAC-SHA256 tag.
pub const SIGNCORE_HMAC_TAG_BYTES: usize = 32;
/// Shortest truncated HMAC-SHA256 tag accepted by `signcore_hmac_sha256_verify`.
pub const SIGNCORE_HMAC_MIN_TAG_BYTES: usize = 16;
/// Longest HMAC secret a `signcore_key` accepts (DESIGN.md §3).
pub const SIGNCORE_HMAC_MAX_SECRET_BYTES: usize = 64;
/// Bytes of an Ed25519 seed (the RFC 8032 private key).
pub const SIGNCORE_ED25519_SEED_BYTES: usize = 32;
/// Bytes of an Ed25519 public key.
pub const SIGNCORE_ED25519_PUBLIC_KEY_BYTES: usize = 32;
/// Bytes of an Ed25519 signature.
pub const SIGNCORE_ED25519_SIG_BYTES: usize = 64;
/// Bytes of the longest signature of any algorithm (a buffer this large
/// always fits `signcore_key_sign`'s output).
pub const SIGNCORE_MAX_SIGNATURE_BYTES: usize = 64;
/// Bytes of the longest signature as hex text plus its NUL (128 + 1).
pub const SIGNCORE_MAX_SIGNATURE_HEX_BYTES: usize = 129;
/// Size of a `signcore_key` in bytes (caller-owned storage).
pub const SIGNCORE_KEY_STORAGE_BYTES: usize = 640;
/// Size of a `signcore_key` in `uint64_t` words (`SIGNCORE_KEY_STORAGE_BYTES / 8`).
pub const SIGNCORE_KEY_STORAGE_WORDS: usize = 80;
/// Alignment of a `signcore_key` in bytes.
pub const SIGNCORE_KEY_STORAGE_ALIGN: usize = 8;
/// Longest key id (`key_id`/`kid`) in bytes of UTF-8.
pub const SIGNCORE_KEY_ID_MAX_BYTES: usize = 64;
/// Bytes of a key id buffer: `SIGNCORE_KEY_ID_MAX_BYTES` + NUL.
pub const SIGNCORE_KEY_ID_BUFFER_BYTES: usize = 65;
/// Longest key label in bytes of UTF-8.
pub const SIGNCORE_LABEL_MAX_BYTES: usize = 64;
/// Bytes of a label buffer: `SIGNCORE_LABEL_MAX_BYTES` + NUL.
pub const SIGNCORE_LABEL_BUFFER_BYTES: usize = 65;
/// Most keys in one keystore or key ring, per build:
///
/// - std build (the default, `SIGNCORE_FEATURE_STD`): no ceiling; keystores
///   and rings of any size are loaded (in time linear in their size), so an
///   agent can verify its own chain with its own keystore of any size.
/// - no_std build (`SIGNCORE_NO_STD`): at most this many records in a
///   keystore and in a ring; more is an input error naming the capacity.
pub const SIGNCORE_MAX_KEYS: usize = 16;
/// Deepest nesting of JSON arrays and objects accepted.
pub const SIGNCORE_MAX_DEPTH: usize = 64;
/// Object members open at once (summed over the objects on the current
/// nesting path) that canonicalizing sorts in a table on the stack.
///
/// - std build (the default, `SIGNCORE_FEATURE_STD`): a bound of the stack
///   table only; past it the table moves to the heap, so any number of
///   members is accepted (the same inputs as the Rust and Node hosts).
/// - no_std build (`SIGNCORE_NO_STD`): the limit; more is
///   `SIGNCORE_LIMIT_EXCEEDED`.
pub const SIGNCORE_MAX_OPEN_MEMBERS: usize = 256;
/// Bytes of `signcore_error.message`, NUL included.
pub const SIGNCORE_ERROR_MESSAGE_BYTES: usize = 256;
/// Bytes of `signcore_finding.message`, NUL included.
pub const SIGNCORE_FINDING_MESSAGE_BYTES: usize = 128;

// The C constants are literals (cbindgen copies them); they must equal the core's.
const _: () = {
    assert!(SIGNCORE_HASH_BYTES == digest::HASH_LEN);
    assert!(SIGNCORE_HASH_HEX_BYTES == 2 * SIGNCORE_HASH_BYTES + 1);
    assert!(SIGNCORE_HMAC_TAG_BYTES == key::HMAC_TAG_LEN);
    assert!(SIGNCORE_HMAC_MIN_TAG_BYTES == key::MIN_HMAC_TAG_LEN);
    assert!(SIGNCORE_HMAC_MAX_SECRET_BYTES == key::MAX_HMAC_SECRET_LEN);
    assert!(SIGNCORE_ED25519_SEED_BYTES == key::ED25519_SEED_LEN);
    assert!(SIGNCORE_ED25519_PUBLIC_KEY_BYTES == key::ED25519_PUBLIC_KEY_LEN);
    assert!(SIGNCORE_ED25519_SIG_BYTES == key::ED25519_SIGNATURE_LEN);
    assert!(SIGNCORE_MAX_SIGNATURE_BYTES == key::MAX_SIGNATURE_LEN);
    assert!(SIGNCORE_MAX_SIGNATURE_HEX_BYTES == 2 * SIGNCORE_MAX_SIGNATURE_BYTES + 1);
    assert!(SIGNCORE_KEY_ID_MAX_BYTES == keystore::MAX_KEY_ID_LEN);
    assert!(SIGNCORE_KEY_ID_BUFFER_BYTES == SIGNCORE_KEY_ID_MAX_BYTES + 1);
    assert!(SIGNCORE_LABEL_MAX_BYTES == keystore::MAX_LABEL_LEN);
    assert!(SIGNCORE_LABEL_BUFFER_BYTES == SIGNCORE_LABEL_MAX_BYTES + 1);
    assert!(SIGNCORE_MAX_KEYS == keystore::MAX_KEYS);
    assert!(SIGNCORE_MAX_DEPTH == canonical::MAX_DEPTH);
    assert!(SIGNCORE_MAX_OPEN_MEMBERS == canonical::MAX_OPEN_MEMBERS);
    assert!(SIGNCORE_KEY_STORAGE_BYTES == 8 * SIGNCORE_KEY_STORAGE_WORDS);
};

/// `SIGNCORE_HASH_BYTES` (32).
#[unsafe(no_mangle)]
pub extern "C" fn signcore_hash_bytes() -> usize {
    SIGNCORE_HASH_BYTES
}

/// `SIGNCORE_HMAC_TAG_BYTES` (32).
#[unsafe(no_mangle)]
pub extern "C" fn signcore_hmac_tag_bytes() -> usize {
    SIGNCORE_HMAC_TAG_BYTES
}

/// `SIGNCORE_ED25519_SEED_BYTES` (32).
#[unsafe(no_mangle)]
pub extern "C" fn signcore_ed25519_seed_bytes() -> usize {
    SIGNCORE_ED25519_SEED_BYTES
}

/// `SIGNCORE_ED25519_PUBLIC_KEY_BYTES` (32).
#[unsafe(no_mangle)]
pub extern "C" fn signcore_ed25519_public_key_bytes() -> usize {
    SIGNCORE_ED25519_PUBLIC_KEY_BYTES
}

/// `SIGNCORE_ED25519_SIG_BYTES` (64).
#[unsafe(no_mangle)]
pub extern "C" fn signcore_ed25519_sig_bytes() -> usize {
    SIGNCORE_ED25519_SIG_BYTES
}

/// `SIGNCORE_MAX_SIGNATURE_BYTES` (64).
#[unsafe(no_mangle)]
pub extern "C" fn signcore_max_signature_bytes() -> usize {
    SIGNCORE_MAX_SIGNATURE_BYTES
}

/// `SIGNCORE_KEY_STORAGE_BYTES`: the size of a `signcore_key`.
#[unsafe(no_mangle)]
pub extern "C" fn signcore_key_storage_bytes() -> usize {
    SIGNCORE_KEY_STORAGE_BYTES
}

/// `SIGNCORE_KEY_STORAGE_ALIGN`: the alignment a `signcore_key` needs.
#[unsafe(no_mangle)]
pub extern "C" fn signcore_key_storage_align() -> usize {
    SIGNCORE_KEY_STORAGE_ALIGN
}

/// `SIGNCORE_KEY_ID_MAX_BYTES` (64).
#[unsafe(no_mangle)]
pub extern "C" fn signcore_key_id_max_bytes() -> usize {
    SIGNCORE_KEY_ID_MAX_BYTES
}

/// `SIGNCORE_MAX_KEYS` (16).
#[unsafe(no_mangle)]
pub extern "C" fn signcore_max_keys() -> usize {
    SIGNCORE_MAX_KEYS
}

/// The library version (e.g. `"0.1.0"`): a static, NUL-terminated string
/// that the caller must not free.
#[unsafe(no_mangle)]
pub extern "C" fn signcore_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}
