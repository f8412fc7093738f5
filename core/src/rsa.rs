//! RSASSA-PKCS1-v1_5 with SHA-256, verification only (feature `rsa`).
//!
//! DESIGN.md §2: the signature is over the 32-byte audit digest taken as a
//! *pre-computed* SHA-256 (what AWS KMS `Sign` does with
//! `MessageType=DIGEST` and `RSASSA_PKCS1_V1_5_SHA_256`), so the padded
//! block is `DigestInfo(SHA-256) ‖ digest` and the message is not hashed
//! again. Moduli of 2048..=4096 bits; the signature is exactly the modulus
//! length.
//!
//! Built on the RustCrypto `rsa` crate. Its published timing issue
//! (RUSTSEC-2023-0071, "Marvin") concerns private-key operations; this
//! module only ever holds public keys, and RSA signing happens behind KMS or
//! a signing proxy, never here.

use alloc::vec::Vec;

use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};
use spki::{DecodePublicKey, EncodePublicKey};

use crate::digest::Hash;
use crate::error::{Error, RecordProblem};

/// Smallest modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest modulus accepted, in bits.
pub const MAX_RSA_BITS: usize = 4096;
/// Longest RSA signature (a 4096-bit modulus).
pub const MAX_RSA_SIGNATURE_LEN: usize = MAX_RSA_BITS / 8;

/// DER of `DigestInfo { sha256, NULL }` up to the digest (RFC 8017 §9.2).
const SHA256_DIGEST_INFO: [u8; 19] =
    [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

/// An RSA public key that verifies `rsa-sha256` signatures over digests.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    key: rsa::PublicKey,
    /// SHA256 of the key's canonical SubjectPublicKeyInfo DER.
    key_hash: Hash,
    spki_der: Vec<u8>,
}

impl RsaPublicKey {
    /// From a SubjectPublicKeyInfo in DER (what KMS `GetPublicKey` returns).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        let key = rsa::PublicKey::from_public_key_der(der).map_err(|_| invalid())?;
        Self::checked(key)
    }

    /// From a PEM `PUBLIC KEY` block holding a SubjectPublicKeyInfo.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let key = rsa::PublicKey::from_public_key_pem(pem.trim()).map_err(|e| match e {
            spki::Error::Asn1(ref der) if matches!(der.kind(), spki::der::ErrorKind::Pem(_)) => {
                Error::InvalidKey(RecordProblem::InvalidPem)
            }
            _ => invalid(),
        })?;
        Self::checked(key)
    }

    fn checked(key: rsa::PublicKey) -> Result<Self, Error> {
        let bits = key.n().bit_width() as usize;
        if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            return Err(invalid());
        }
        // Hash the canonical encoding, whatever form the key came in.
        let spki_der = key.to_public_key_der().map_err(|_| invalid())?.into_vec();
        let key_hash = Sha256::digest(&spki_der).into();
        Ok(RsaPublicKey { key, key_hash, spki_der })
    }

    /// Modulus length in bytes: the length of every valid signature.
    pub fn signature_len(&self) -> usize {
        self.key.size()
    }

    /// Modulus length in bits.
    pub fn bits(&self) -> usize {
        self.key.n().bit_width() as usize
    }

    /// SHA256(SubjectPublicKeyInfo DER), the key hash of DESIGN.md §2.
    pub fn key_hash(&self) -> Hash {
        self.key_hash
    }

    /// The canonical SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// Verifies `signature` over the 32-byte pre-computed SHA-256 `digest`.
    pub fn verify(&self, digest: &[u8], signature: &[u8]) -> Result<(), Error> {
        if digest.len() != 32 {
            return Err(Error::InvalidLength { what: "rsa-sha256 digest", expected: 32, actual: digest.len() });
        }
        if signature.len() != self.signature_len() {
            return Err(Error::InvalidLength {
                what: "rsa-sha256 signature",
                expected: self.signature_len(),
                actual: signature.len(),
            });
        }
        let scheme = rsa::pkcs1v15::Pkcs1v15Sign { hash_len: Some(32), prefix: SHA256_DIGEST_INFO.into() };
        self.key.verify(scheme, digest, signature).map_err(|_| Error::SignatureInvalid)
    }
}

impl core::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaPublicKey({} bits, key_hash {})", self.bits(), crate::hex::HashHex::new(&self.key_hash))
    }
}

fn invalid() -> Error {
    Error::InvalidKey(RecordProblem::InvalidRsaKey)
}
