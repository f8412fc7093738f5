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

/// A SHA-256 sink that gathers the canonicalizer's many small writes (a
/// token at a time) into whole blocks before hashing them.
pub(crate) struct HashSink {
    hasher: Sha256,
    buf: [u8; 64],
    len: usize,
}

impl HashSink {
    pub(crate) fn new() -> Self {
        HashSink { hasher: Sha256::new(), buf: [0; 64], len: 0 }
    }

    pub(crate) fn finalize(mut self) -> Hash {
        self.hasher.update(self.buf.get(..self.len).unwrap_or(&[]));
        self.hasher.finalize().into()
    }
}

impl crate::canonical::Sink for HashSink {
    fn write(&mut self, bytes: &[u8]) {
        if let Some(dst) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            dst.copy_from_slice(bytes);
            self.len += bytes.len();
            return;
        }
        self.hasher.update(self.buf.get(..self.len).unwrap_or(&[]));
        self.len = 0;
        match self.buf.get_mut(..bytes.len()) {
            Some(dst) if bytes.len() < 32 => {
                dst.copy_from_slice(bytes);
                self.len = bytes.len();
            }
            _ => self.hasher.update(bytes),
        }
    }
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// The audit digest of a payload given as JSON text: canonicalized per
/// RFC 8785, then hashed with the previous event's hash bytes, if any.
pub fn audit_digest(payload_json: &[u8], prev_hash: Option<&Hash>) -> Result<Hash, Error> {
    let mut sink = HashSink::new();
    crate::canonical::canonicalize(payload_json, &mut sink)?;
    if let Some(prev) = prev_hash {
        crate::canonical::Sink::write(&mut sink, prev);
    }
    Ok(sink.finalize())
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
    let mut sink = HashSink::new();
    crate::canonical::canonicalize(content_json, &mut sink)?;
    Ok(sink.finalize())
}

/// Parses a previous-hash text (64 hex chars, either case).
pub fn parse_hash(hex: impl AsRef<[u8]>) -> Result<Hash, Error> {
    crate::hex::decode_array(hex).map_err(|e| match e {
        Error::InvalidLength { expected, actual, .. } => Error::InvalidLength { what: "hash", expected, actual },
        other => other,
    })
}
