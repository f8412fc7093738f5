//! The hash-chained audit digest of DESIGN.md §2:
//! `digest = SHA256(canonical(payload) || prev_hash_bytes)`.
//!
//! The payload is canonicalized straight into the hasher, so no buffer of
//! the canonical text is ever held.
//!
//! ```
//! use signcore::digest::{audit_digest, audit_digest_canonical};
//! let first = audit_digest(br#"{"b": 2, "a": 1}"#, None)?;
//! assert_eq!(first, audit_digest_canonical(br#"{"a":1,"b":2}"#, None));
//! let second = audit_digest(br#"{"seq": 2}"#, Some(&first))?;
//! assert_ne!(first, second);
//! # Ok::<(), signcore::Error>(())
//! ```

use sha2::{Digest, Sha256};

use crate::error::Error;

/// A SHA-256 hash.
pub type Hash = [u8; HASH_LEN];
/// SHA-256 output length.
pub const HASH_LEN: usize = 32;

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// The audit digest of a payload given as JSON text: canonicalized per
/// RFC 8785, then hashed with the previous event's hash bytes, if any.
pub fn audit_digest(payload_json: &[u8], prev_hash: Option<&Hash>) -> Result<Hash, Error> {
    let mut hasher = Sha256::new();
    crate::canonical::canonicalize(payload_json, &mut hasher)?;
    if let Some(prev) = prev_hash {
        hasher.update(prev);
    }
    Ok(hasher.finalize().into())
}

/// The audit digest of an already-canonical payload text, hashed as given.
pub fn audit_digest_canonical(canonical: &[u8], prev_hash: Option<&Hash>) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(canonical);
    if let Some(prev) = prev_hash {
        hasher.update(prev);
    }
    hasher.finalize().into()
}

/// The manifest digest of DESIGN.md §5: SHA-256 of the canonical JSON of
/// the signed content.
pub fn content_digest(content_json: &[u8]) -> Result<Hash, Error> {
    let mut hasher = Sha256::new();
    crate::canonical::canonicalize(content_json, &mut hasher)?;
    Ok(hasher.finalize().into())
}

/// Parses a previous-hash text (64 hex chars, either case).
pub fn parse_hash(hex: impl AsRef<[u8]>) -> Result<Hash, Error> {
    crate::hex::decode_array(hex).map_err(|e| match e {
        Error::InvalidLength { expected, actual, .. } => Error::InvalidLength { what: "hash", expected, actual },
        other => other,
    })
}
