//! RustCrypto `signature` traits for the core's keys (feature `signature`).
//!
//! [`SigningKey`] implements `Signer<Signature>` and `Verifier<Signature>`,
//! [`VerifyingKey`] implements `Verifier<Signature>`; [`Signature`]
//! implements `SignatureEncoding` (its bytes). Both algorithms are covered:
//! Ed25519 (strict verification) and HMAC-SHA256 (a MAC, verified in
//! constant time). Messages are whatever bytes the caller signs; for audit
//! events that is the 32 raw digest bytes.
//!
//! ```
//! use signature::{Signer, Verifier};
//! use signcore::key::{Signature, SigningKey};
//!
//! // Code written against RustCrypto's traits takes signcore keys.
//! fn sign_and_check<K: Signer<Signature> + Verifier<Signature>>(key: &K, msg: &[u8]) -> Result<(), signature::Error> {
//!     let sig = key.try_sign(msg)?;
//!     key.verify(msg, &sig)
//! }
//! let ed = SigningKey::ed25519_from_seed(&[5; 32]);
//! sign_and_check(&ed, b"message")?;
//! sign_and_check(&SigningKey::hmac(b"mac-key").unwrap(), b"message")?;
//! // Inherent methods of the same name take precedence: name the trait.
//! let sig: Signature = Signer::sign(&ed, b"message");
//! assert!(Verifier::verify(&ed.verifying_key(), b"other", &sig).is_err());
//! # Ok::<(), signature::Error>(())
//! ```

use crate::key::{MAX_SIGNATURE_LEN, Signature, SigningKey, VerifyingKey};

impl signature::Signer<Signature> for SigningKey {
    fn try_sign(&self, msg: &[u8]) -> Result<Signature, signature::Error> {
        Ok(SigningKey::sign(self, msg))
    }
}

impl signature::Verifier<Signature> for SigningKey {
    fn verify(&self, msg: &[u8], signature: &Signature) -> Result<(), signature::Error> {
        SigningKey::verify(self, msg, signature.as_bytes()).map_err(|_| signature::Error::new())
    }
}

impl signature::Verifier<Signature> for VerifyingKey {
    fn verify(&self, msg: &[u8], signature: &Signature) -> Result<(), signature::Error> {
        VerifyingKey::verify(self, msg, signature.as_bytes()).map_err(|_| signature::Error::new())
    }
}

impl TryFrom<&[u8]> for Signature {
    type Error = signature::Error;

    /// A 32-byte (HMAC-SHA256) or 64-byte (Ed25519) signature.
    fn try_from(bytes: &[u8]) -> Result<Self, signature::Error> {
        match bytes.len() {
            crate::key::HMAC_TAG_LEN | MAX_SIGNATURE_LEN => Ok(Signature::from_parts(bytes)),
            _ => Err(signature::Error::new()),
        }
    }
}

/// The bytes of a signature of either length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureBytes {
    bytes: [u8; MAX_SIGNATURE_LEN],
    len: u8,
}

impl AsRef<[u8]> for SignatureBytes {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl From<Signature> for SignatureBytes {
    fn from(sig: Signature) -> Self {
        let mut bytes = [0u8; MAX_SIGNATURE_LEN];
        let raw = sig.as_bytes();
        if let Some(dst) = bytes.get_mut(..raw.len()) {
            dst.copy_from_slice(raw);
        }
        SignatureBytes { bytes, len: raw.len() as u8 }
    }
}

impl signature::SignatureEncoding for Signature {
    type Repr = SignatureBytes;
}
