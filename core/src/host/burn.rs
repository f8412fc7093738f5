//! The compliance burn signature (DESIGN.md §13): `"sig_" + hex(sign(key,
//! burn_hash.as_bytes()))`, over the bytes of the burn-hash **text** exactly
//! as `compliance_index` signs it (not over the decoded hash bytes).
//!
//! No allocation: the signature text lives in a fixed buffer.
//!
//! ```
//! use signcore::host::burn::{sign_burn, verify_burn};
//! use signcore::key::SigningKey;
//! let key = SigningKey::ed25519_from_seed(&[7; 32]);
//! let burn_hash = "3f1c0a9e5b7d2f4c6e8a0b1d3f5a7c9e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a";
//! let sig = sign_burn(&key, burn_hash);
//! assert!(sig.as_str().starts_with("sig_"));
//! verify_burn(&key.verifying_key(), burn_hash, sig.as_str())?;
//! assert_eq!(verify_burn(&key.verifying_key(), "other", sig.as_str()).unwrap_err().code(), "SIGNATURE_INVALID");
//! # Ok::<(), signcore::Error>(())
//! ```

use core::fmt;

use crate::error::Error;
use crate::key::{MAX_SIGNATURE_LEN, SigningKey, VerifyingKey};

/// The prefix of every burn signature.
pub const BURN_SIGNATURE_PREFIX: &str = "sig_";
/// Longest burn signature text: the prefix and the hex of a 64-byte signature.
pub const MAX_BURN_SIGNATURE_LEN: usize = BURN_SIGNATURE_PREFIX.len() + 2 * MAX_SIGNATURE_LEN;

/// A burn signature as text, `sig_<lowercase hex>`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BurnSignature {
    text: [u8; MAX_BURN_SIGNATURE_LEN],
    len: u8,
}

impl BurnSignature {
    /// The text `sig_<hex>`.
    pub fn as_str(&self) -> &str {
        self.text.get(..usize::from(self.len)).and_then(|t| core::str::from_utf8(t).ok()).unwrap_or("")
    }
}

impl fmt::Display for BurnSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for BurnSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Signs the bytes of the burn-hash text with `key` (HMAC-SHA256 or Ed25519).
pub fn sign_burn(key: &SigningKey, burn_hash: &str) -> BurnSignature {
    let signature = key.sign(burn_hash.as_bytes());
    let hex = signature.hex();
    let mut text = [0u8; MAX_BURN_SIGNATURE_LEN];
    let prefix = BURN_SIGNATURE_PREFIX.as_bytes();
    let body = hex.as_str().as_bytes();
    let len = prefix.len() + body.len();
    if let Some(dst) = text.get_mut(..prefix.len()) {
        dst.copy_from_slice(prefix);
    }
    if let Some(dst) = text.get_mut(prefix.len()..len) {
        dst.copy_from_slice(body);
    }
    BurnSignature { text, len: len as u8 }
}

/// Decodes `sig_<hex>` into its signature bytes (hex of either case).
/// [`Error::InvalidBurnSignature`] without the prefix or with bad hex or a
/// length that no algorithm has.
pub fn parse_burn_signature(text: &str, out: &mut [u8; MAX_SIGNATURE_LEN]) -> Result<usize, Error> {
    let hex = text.strip_prefix(BURN_SIGNATURE_PREFIX).ok_or(Error::InvalidBurnSignature)?;
    if hex.len() > 2 * MAX_SIGNATURE_LEN {
        return Err(Error::InvalidBurnSignature);
    }
    let bytes = crate::hex::decode(hex, &mut out[..]).map_err(|_| Error::InvalidBurnSignature)?;
    Ok(bytes.len())
}

/// Verifies a burn signature over the bytes of the burn-hash text:
/// [`Error::SignatureInvalid`] when it does not verify,
/// [`Error::InvalidBurnSignature`] when it is not `sig_<hex>`, and the key's
/// length error when the signature has the wrong length for its algorithm.
pub fn verify_burn(key: &VerifyingKey, burn_hash: &str, signature: &str) -> Result<(), Error> {
    let mut bytes = [0u8; MAX_SIGNATURE_LEN];
    let len = parse_burn_signature(signature, &mut bytes)?;
    key.verify(burn_hash.as_bytes(), bytes.get(..len).unwrap_or(&[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_burn_is_tag_of_the_text() {
        let key = SigningKey::hmac(b"burn-key").unwrap();
        let sig = sign_burn(&key, "abc");
        assert_eq!(sig.as_str().len(), 4 + 64);
        let expected = key.sign(b"abc").hex();
        assert_eq!(&sig.as_str()[4..], expected.as_str());
        assert!(verify_burn(&key.verifying_key(), "abc", sig.as_str()).is_ok());
        let upper = alloc_free_upper(sig.as_str());
        assert!(verify_burn(&key.verifying_key(), "abc", upper.as_str()).is_ok());
    }

    fn alloc_free_upper(s: &str) -> heapless::String<200> {
        let mut out = heapless::String::new();
        let _ = out.push_str("sig_");
        for c in s[4..].chars() {
            let _ = out.push(c.to_ascii_uppercase());
        }
        out
    }

    #[test]
    fn malformed_signatures() {
        let key = SigningKey::ed25519_from_seed(&[1; 32]).verifying_key();
        for bad in ["", "sig_", "abcd", "sig_zz", "sig_abc", "SIG_00"] {
            let e = verify_burn(&key, "h", bad).unwrap_err();
            assert!(matches!(e, Error::InvalidBurnSignature | Error::InvalidLength { .. }), "{bad}: {e:?}");
        }
        let long = [b'a'; 4 + 130];
        let mut text = long;
        text[..4].copy_from_slice(b"sig_");
        let text = core::str::from_utf8(&text).unwrap();
        assert_eq!(verify_burn(&key, "h", text), Err(Error::InvalidBurnSignature));
    }
}
