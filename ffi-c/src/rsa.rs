//! RSA-SHA256 verification with a public key (DESIGN.md §2 `rsa-sha256`).
//!
//! RSA keys sign only behind AWS KMS or a signing proxy; hosts verify
//! locally. In a build without the core's `rsa` feature (the no_std build)
//! the function answers `SIGNCORE_UNSUPPORTED_ALGORITHM`, never a verdict.

use crate::status::signcore_status;
use crate::util::guard;
#[cfg(feature = "rsa")]
use crate::util::input_bytes;

/// Verifies an RSASSA-PKCS1-v1_5 / SHA-256 signature over a 32-byte
/// pre-computed digest (what AWS KMS `Sign` makes with `MessageType=DIGEST`):
/// the audit digest of an event, not its hex text.
///
/// - `spki_der`, `spki_der_len`: the public key as a SubjectPublicKeyInfo in
///   DER (KMS `GetPublicKey`), 2048..=4096-bit modulus.
/// - `digest`: `SIGNCORE_HASH_BYTES` (32) bytes.
/// - `sig`, `sig_len`: the signature, exactly the modulus length.
///
/// Returns `SIGNCORE_OK` only when the signature verifies;
/// `SIGNCORE_SIGNATURE_INVALID`, `SIGNCORE_INVALID_LENGTH` (signature not the
/// modulus length), `SIGNCORE_INVALID_KEY` (not an RSA SubjectPublicKeyInfo of
/// 2048..=4096 bits), `SIGNCORE_UNSUPPORTED_ALGORITHM` (a build without RSA),
/// `SIGNCORE_NULL_POINTER`.
///
/// # Safety
/// `spki_der` must point to `spki_der_len` readable bytes, `digest` to 32,
/// `sig` to `sig_len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_rsa_sha256_verify(
    spki_der: *const u8,
    spki_der_len: usize,
    digest: *const u8,
    sig: *const u8,
    sig_len: usize,
) -> signcore_status {
    guard(core::ptr::null_mut(), || {
        #[cfg(feature = "rsa")]
        {
            // SAFETY: the caller's contracts.
            let (der, digest, sig) =
                unsafe { (input_bytes(spki_der, spki_der_len)?, input_bytes(digest, 32)?, input_bytes(sig, sig_len)?) };
            Ok(signcore::key::VerifyingKey::rsa_spki_der(der)?.verify(digest, sig)?)
        }
        #[cfg(not(feature = "rsa"))]
        {
            let _ = (spki_der, spki_der_len, digest, sig, sig_len);
            Err(signcore::Error::UnsupportedAlgorithm.into())
        }
    })
}

/// SHA-256 of `data` into `out` (`SIGNCORE_HASH_BYTES`, 32 bytes): the
/// digest of a file or message, e.g. the pre-computed digest an
/// `rsa-sha256` signature of arbitrary bytes is over.
///
/// Returns `SIGNCORE_OK`, or `SIGNCORE_NULL_POINTER`.
///
/// # Safety
/// `data` must point to `len` readable bytes (it must not be NULL, even when
/// `len` is 0) and `out` to 32 writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_sha256(data: *const u8, len: usize, out: *mut u8) -> signcore_status {
    guard(core::ptr::null_mut(), || {
        // SAFETY: the caller's contract for `data`.
        let data = unsafe { crate::util::input_bytes(data, len)? };
        crate::util::out_ptr(out)?;
        let hash = signcore::digest::sha256(data);
        // SAFETY: `out` is non-NULL (checked) and points to 32 writable bytes
        // (the caller's contract); `hash` is a local, so they do not overlap.
        unsafe { crate::util::copy_out(&hash, out) };
        Ok(())
    })
}
