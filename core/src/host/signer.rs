//! One signer trait for the Rust side: whatever signs a 32-byte digest into
//! a §2 signature block, locally or remotely.
//!
//! [`AuditSigner`] is implemented here for the keys the core holds
//! ([`NamedKey`], [`crate::keystore::KeyRecord`], [`crate::policy::LocalSigner`]).
//! A host that signs through the signing proxy (`POST /sign/hash`) or AWS KMS
//! (`Sign` / `GenerateMac`) implements it on its own client type, so that
//! [`EvidenceBuilder`](super::EvidenceBuilder), archives and chains take any of them:
//!
//! ```
//! use signcore::digest::Hash;
//! use signcore::host::{AuditSigner, SignError};
//! use signcore::key::Alg;
//!
//! /// A signer behind a network call (here a stand-in that refuses).
//! struct ProxySigner { kid: String }
//!
//! impl AuditSigner for ProxySigner {
//!     fn kid(&self) -> &str { &self.kid }
//!     fn alg(&self) -> Alg { Alg::Ed25519 }
//!     fn sign_digest(&self, _digest: &Hash) -> Result<Vec<u8>, SignError> {
//!         Err(SignError::new("PROXY_UNAVAILABLE", "the signing proxy did not answer"))
//!     }
//! }
//! let signer = ProxySigner { kid: "proxy-1".into() };
//! assert_eq!(signer.sign_digest(&[0; 32]).unwrap_err().code(), "PROXY_UNAVAILABLE");
//! ```
//!
//! Contract: `sign_digest` returns the raw signature bytes for `alg()` over
//! the 32 digest bytes (never over hex text), or an error; never a stub.
//! Remote implementations should verify asymmetric answers locally before
//! returning them (DESIGN.md §11). The trait is synchronous; an async host
//! calls it from a blocking task or implements `signature::AsyncSigner` too.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::digest::Hash;
use crate::error::Error;
use crate::key::{Alg, SigningKey};

/// Signs 32-byte digests as one key id and algorithm.
pub trait AuditSigner {
    /// The kid written into signature blocks.
    fn kid(&self) -> &str;
    /// The algorithm of the signatures.
    fn alg(&self) -> Alg;
    /// The raw signature over the 32 digest bytes.
    fn sign_digest(&self, digest: &Hash) -> Result<Vec<u8>, SignError>;
}

impl<T: AuditSigner + ?Sized> AuditSigner for &T {
    fn kid(&self) -> &str {
        (**self).kid()
    }
    fn alg(&self) -> Alg {
        (**self).alg()
    }
    fn sign_digest(&self, digest: &Hash) -> Result<Vec<u8>, SignError> {
        (**self).sign_digest(digest)
    }
}

/// Why a signer could not sign: a stable code and a readable message (never
/// secret material).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignError {
    code: &'static str,
    message: String,
}

impl SignError {
    /// An error with a stable `code` (e.g. `PROXY_UNAVAILABLE`) and a message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        SignError { code, message: message.into() }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<Error> for SignError {
    fn from(e: Error) -> Self {
        SignError { code: e.code(), message: alloc::format!("{e}") }
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for SignError {}

/// A local key with the kid it signs as.
///
/// ```
/// use signcore::host::{AuditSigner, signer::NamedKey};
/// use signcore::key::SigningKey;
/// let key = SigningKey::hmac(b"secret")?;
/// let signer = NamedKey::new("node-1", &key);
/// assert_eq!(signer.sign_digest(&[1; 32]).unwrap(), key.sign(&[1; 32]).as_bytes());
/// # Ok::<(), signcore::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct NamedKey<'a> {
    kid: &'a str,
    key: &'a SigningKey,
}

impl<'a> NamedKey<'a> {
    /// `key` signing as `kid`.
    pub fn new(kid: &'a str, key: &'a SigningKey) -> Self {
        NamedKey { kid, key }
    }
}

fn sign_local(key: &SigningKey, digest: &Hash) -> Result<Vec<u8>, SignError> {
    Ok(key.sign(digest).as_bytes().to_vec())
}

impl AuditSigner for NamedKey<'_> {
    fn kid(&self) -> &str {
        self.kid
    }
    fn alg(&self) -> Alg {
        self.key.alg()
    }
    fn sign_digest(&self, digest: &Hash) -> Result<Vec<u8>, SignError> {
        sign_local(self.key, digest)
    }
}

impl AuditSigner for crate::keystore::KeyRecord {
    fn kid(&self) -> &str {
        self.key_id()
    }
    fn alg(&self) -> Alg {
        self.key().alg()
    }
    fn sign_digest(&self, digest: &Hash) -> Result<Vec<u8>, SignError> {
        sign_local(self.key(), digest)
    }
}

impl AuditSigner for crate::policy::LocalSigner {
    fn kid(&self) -> &str {
        self.kid.as_str()
    }
    fn alg(&self) -> Alg {
        self.key.alg()
    }
    fn sign_digest(&self, digest: &Hash) -> Result<Vec<u8>, SignError> {
        sign_local(&self.key, digest)
    }
}
