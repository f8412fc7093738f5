//! Signing and verifying keys: HMAC-SHA256 and Ed25519.
//!
//! Secrets live only in zeroize-on-drop types with no `Debug` output of
//! their bytes and no getter. Ed25519 verification is strict (RFC 8032
//! canonical `S`, small-order keys and `R` rejected); HMAC tags are compared
//! in constant time. Signatures are always over the given bytes; for audit
//! events those are the 32 raw digest bytes, never the hex text.
//!
//! ```
//! use signcore::key::SigningKey;
//! let key = SigningKey::hmac(b"test-ci-signing-key")?;
//! let sig = key.sign(&[7u8; 32]);
//! key.verifying_key().verify(&[7u8; 32], sig.as_bytes())?;
//! assert_eq!(sig.hex().as_str().len(), 64);
//! # Ok::<(), signcore::Error>(())
//! ```

use core::fmt;

use ed25519_dalek::Signer as _;
use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::digest::Hash;
use crate::error::{Error, RecordProblem};

/// Longest HMAC secret accepted (the SHA-256 block size); see DESIGN.md §3.
pub const MAX_HMAC_SECRET_LEN: usize = 64;
/// Shortest truncated HMAC tag accepted by [`HmacKey::verify_truncated`].
pub const MIN_HMAC_TAG_LEN: usize = 16;
/// HMAC-SHA256 tag length.
pub const HMAC_TAG_LEN: usize = 32;
/// Ed25519 seed (RFC 8032 private key) length.
pub const ED25519_SEED_LEN: usize = 32;
/// Ed25519 public key length.
pub const ED25519_PUBLIC_KEY_LEN: usize = 32;
/// Ed25519 signature length.
pub const ED25519_SIGNATURE_LEN: usize = 64;
/// Longest signature the core makes ([`Signature`]): Ed25519's.
pub const MAX_SIGNATURE_LEN: usize = ED25519_SIGNATURE_LEN;
/// Longest signature the core verifies: a 4096-bit RSA signature with the
/// `rsa` feature, else [`MAX_SIGNATURE_LEN`].
#[cfg(feature = "rsa")]
pub const MAX_VERIFY_SIGNATURE_LEN: usize = crate::rsa::MAX_RSA_SIGNATURE_LEN;
/// Longest signature the core verifies: a 4096-bit RSA signature with the
/// `rsa` feature, else [`MAX_SIGNATURE_LEN`].
#[cfg(not(feature = "rsa"))]
pub const MAX_VERIFY_SIGNATURE_LEN: usize = MAX_SIGNATURE_LEN;

/// A signature algorithm of DESIGN.md §2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Alg {
    /// HMAC-SHA256, 32-byte tag.
    HmacSha256,
    /// Ed25519 (RFC 8032), 64-byte signature.
    Ed25519,
    /// RSASSA-PKCS1-v1_5 with SHA-256 over a pre-computed digest. Signed only
    /// behind KMS or a signing proxy; verified locally with the `rsa` feature.
    RsaSha256,
}

impl Alg {
    /// Parses DESIGN.md §2 names: `hmac`, `hmac_sha256`, `hmac-sha256`,
    /// `HMAC_SHA_256`, `ed25519`, `rsa-sha256`; anything else is
    /// [`Error::UnknownAlgorithm`].
    pub fn parse(name: &str) -> Result<Alg, Error> {
        match name {
            "hmac" | "hmac_sha256" | "hmac-sha256" | "HMAC_SHA_256" => Ok(Alg::HmacSha256),
            "ed25519" => Ok(Alg::Ed25519),
            "rsa-sha256" => Ok(Alg::RsaSha256),
            _ => Err(Error::UnknownAlgorithm),
        }
    }

    /// The canonical name: `hmac-sha256`, `ed25519` or `rsa-sha256`.
    pub fn as_str(self) -> &'static str {
        match self {
            Alg::HmacSha256 => "hmac-sha256",
            Alg::Ed25519 => "ed25519",
            Alg::RsaSha256 => "rsa-sha256",
        }
    }

    /// Signature length in bytes; `None` for RSA, whose signatures are as
    /// long as the key's modulus.
    pub fn signature_len(self) -> Option<usize> {
        match self {
            Alg::HmacSha256 => Some(HMAC_TAG_LEN),
            Alg::Ed25519 => Some(ED25519_SIGNATURE_LEN),
            Alg::RsaSha256 => None,
        }
    }

    /// True for the algorithms the core signs with locally.
    pub fn signs_locally(self) -> bool {
        matches!(self, Alg::HmacSha256 | Alg::Ed25519)
    }
}

impl core::str::FromStr for Alg {
    type Err = Error;
    fn from_str(name: &str) -> Result<Alg, Error> {
        Alg::parse(name)
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An HMAC-SHA256 secret of 1..=64 bytes, wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct HmacKey {
    bytes: [u8; MAX_HMAC_SECRET_LEN],
    len: u8,
}

impl HmacKey {
    /// Builds a key from 1..=64 secret bytes. Longer secrets are refused:
    /// HMAC would use SHA256(secret) instead, which would make the published
    /// key hash equal to the effective key.
    pub fn new(secret: &[u8]) -> Result<Self, Error> {
        if secret.is_empty() {
            return Err(Error::InvalidKey(RecordProblem::EmptySecret));
        }
        let mut bytes = [0u8; MAX_HMAC_SECRET_LEN];
        bytes
            .get_mut(..secret.len())
            .ok_or(Error::InvalidKey(RecordProblem::HmacSecretTooLong))?
            .copy_from_slice(secret);
        Ok(HmacKey { bytes, len: secret.len() as u8 })
    }

    /// Builds a key from any non-empty secret as RFC 2104 does: a secret
    /// longer than 64 bytes is replaced by its SHA-256 (same tags as any
    /// HMAC implementation). For interoperability with such keys only;
    /// [`HmacKey::key_hash`] is then the hash of the replaced key.
    pub fn new_rfc2104(secret: &[u8]) -> Result<Self, Error> {
        if secret.len() > MAX_HMAC_SECRET_LEN {
            let digest = Zeroizing::new(<[u8; 32]>::from(Sha256::digest(secret)));
            return Self::new(&digest[..]);
        }
        Self::new(secret)
    }

    /// Decodes a hex secret in constant time, then as [`HmacKey::new`].
    pub fn from_hex(secret_hex: &[u8]) -> Result<Self, Error> {
        let mut buf = Zeroizing::new([0u8; MAX_HMAC_SECRET_LEN]);
        let secret = Self::decode_hex(secret_hex, &mut buf)?;
        Self::new(secret)
    }

    /// Checks that `secret_hex` makes a key, without building one (the
    /// decoded bytes are wiped).
    pub(crate) fn check_hex(secret_hex: &[u8]) -> Result<(), Error> {
        let mut buf = Zeroizing::new([0u8; MAX_HMAC_SECRET_LEN]);
        match Self::decode_hex(secret_hex, &mut buf)? {
            [] => Err(Error::InvalidKey(RecordProblem::EmptySecret)),
            _ => Ok(()),
        }
    }

    fn decode_hex<'b>(secret_hex: &[u8], buf: &'b mut [u8; MAX_HMAC_SECRET_LEN]) -> Result<&'b [u8], Error> {
        if secret_hex.len() > 2 * MAX_HMAC_SECRET_LEN {
            // Say "too long" only for valid hex, without decoding it.
            return Err(if crate::hex::looks_like_hex(secret_hex) {
                Error::InvalidKey(RecordProblem::HmacSecretTooLong)
            } else {
                Error::InvalidHex
            });
        }
        crate::hex::decode(secret_hex, &mut buf[..])
    }

    pub(crate) fn secret(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    fn mac(&self) -> hmac::Hmac<Sha256> {
        // HMAC zero-pads keys shorter than the block, and `bytes` is zero past
        // `len`, so the padded array is the same key, with no fallible path.
        <hmac::Hmac<Sha256> as KeyInit>::new(&self.bytes.into())
    }

    /// The 32-byte tag of `message`.
    pub fn tag(&self, message: &[u8]) -> [u8; HMAC_TAG_LEN] {
        let mut mac = self.mac();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// Verifies a full 32-byte tag in constant time.
    pub fn verify(&self, message: &[u8], tag: &[u8]) -> Result<(), Error> {
        if tag.len() != HMAC_TAG_LEN {
            return Err(Error::InvalidLength { what: "hmac-sha256 tag", expected: HMAC_TAG_LEN, actual: tag.len() });
        }
        self.verify_truncated(message, tag)
    }

    /// Verifies a tag truncated to its leftmost 16..=32 bytes (RFC 2104 §5),
    /// in constant time.
    pub fn verify_truncated(&self, message: &[u8], tag: &[u8]) -> Result<(), Error> {
        if !(MIN_HMAC_TAG_LEN..=HMAC_TAG_LEN).contains(&tag.len()) {
            return Err(Error::InvalidLength { what: "hmac-sha256 tag", expected: HMAC_TAG_LEN, actual: tag.len() });
        }
        let mut mac = self.mac();
        mac.update(message);
        mac.verify_truncated_left(tag).map_err(|_| Error::SignatureInvalid)
    }

    /// SHA256(secret): the publishable key hash (DESIGN.md §3).
    pub fn key_hash(&self) -> Hash {
        Sha256::digest(self.secret()).into()
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacKey").field("len", &self.len).finish_non_exhaustive()
    }
}

/// A key that signs: an HMAC secret or an Ed25519 seed, wiped on drop.
///
/// Opaque: no getter for the secret, no dependency type in its API.
#[derive(Clone)]
pub struct SigningKey {
    inner: SigningInner,
}

#[derive(Clone)]
pub(crate) enum SigningInner {
    Hmac(HmacKey),
    /// The dalek key zeroizes its seed and expanded secret on drop.
    Ed25519(ed25519_dalek::SigningKey),
}

// Both variants wipe themselves on drop.
impl ZeroizeOnDrop for SigningKey {}

impl From<HmacKey> for SigningKey {
    fn from(key: HmacKey) -> Self {
        SigningKey { inner: SigningInner::Hmac(key) }
    }
}

impl SigningKey {
    /// An HMAC-SHA256 key from 1..=64 secret bytes.
    pub fn hmac(secret: &[u8]) -> Result<Self, Error> {
        HmacKey::new(secret).map(SigningKey::from)
    }

    /// An Ed25519 key from its 32-byte RFC 8032 seed.
    pub fn ed25519_from_seed(seed: &[u8; ED25519_SEED_LEN]) -> Self {
        SigningKey { inner: SigningInner::Ed25519(ed25519_dalek::SigningKey::from_bytes(seed)) }
    }

    /// A key from hex secret material as stored in a keystore: the seed for
    /// Ed25519 (exactly 32 bytes), the secret for HMAC (1..=64 bytes).
    /// Decoded in constant time into wiped storage. `rsa-sha256` is
    /// [`Error::UnsupportedAlgorithm`]: RSA keys sign only behind KMS or a proxy.
    pub fn from_hex(alg: Alg, secret_hex: &[u8]) -> Result<Self, Error> {
        match alg {
            Alg::RsaSha256 => Err(Error::UnsupportedAlgorithm),
            Alg::HmacSha256 => HmacKey::from_hex(secret_hex).map(SigningKey::from),
            Alg::Ed25519 => {
                if secret_hex.len() != 2 * ED25519_SEED_LEN {
                    return Err(if crate::hex::looks_like_hex(secret_hex) {
                        Error::InvalidKey(RecordProblem::WrongKeyLength)
                    } else {
                        Error::InvalidHex
                    });
                }
                let mut seed = Zeroizing::new([0u8; ED25519_SEED_LEN]);
                crate::hex::decode(secret_hex, &mut seed[..])?;
                Ok(Self::ed25519_from_seed(&seed))
            }
        }
    }

    /// The algorithm.
    pub fn alg(&self) -> Alg {
        match &self.inner {
            SigningInner::Hmac(_) => Alg::HmacSha256,
            SigningInner::Ed25519(_) => Alg::Ed25519,
        }
    }

    /// Signs `message` (for audit events: the 32 raw digest bytes).
    pub fn sign(&self, message: &[u8]) -> Signature {
        match &self.inner {
            SigningInner::Hmac(k) => Signature::from_parts(&k.tag(message)),
            SigningInner::Ed25519(k) => Signature::from_parts(&k.sign(message).to_bytes()),
        }
    }

    /// Verifies a signature made by this key (strict for Ed25519).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        match &self.inner {
            SigningInner::Hmac(k) => k.verify(message, signature),
            SigningInner::Ed25519(k) => verify_ed25519(&k.verifying_key(), message, signature),
        }
    }

    /// The publishable key hash: SHA256(public key) for Ed25519,
    /// SHA256(secret) for HMAC (DESIGN.md §3).
    pub fn key_hash(&self) -> Hash {
        match &self.inner {
            SigningInner::Hmac(k) => k.key_hash(),
            SigningInner::Ed25519(k) => Sha256::digest(k.verifying_key().as_bytes()).into(),
        }
    }

    /// The Ed25519 public key; `None` for HMAC, which has none.
    pub fn public_key(&self) -> Option<[u8; ED25519_PUBLIC_KEY_LEN]> {
        match &self.inner {
            SigningInner::Hmac(_) => None,
            SigningInner::Ed25519(k) => Some(k.verifying_key().to_bytes()),
        }
    }

    pub(crate) fn inner(&self) -> &SigningInner {
        &self.inner
    }

    /// The key that verifies this key's signatures (for HMAC, a copy of the
    /// secret, itself wiped on drop).
    pub fn verifying_key(&self) -> VerifyingKey {
        match &self.inner {
            SigningInner::Hmac(k) => VerifyingKey::Hmac(HmacVerifier::new(k.clone())),
            SigningInner::Ed25519(k) => VerifyingKey::Ed25519(Ed25519PublicKey(k.verifying_key())),
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("alg", &self.alg()).finish_non_exhaustive()
    }
}

/// Bytes of a [`RawSigningKey`] after its algorithm and length bytes: room
/// for an HMAC secret ([`MAX_HMAC_SECRET_LEN`]) or an expanded Ed25519 key
/// ([`RAW_ED25519_LEN`]), zero-padded.
pub const RAW_KEY_MATERIAL_LEN: usize = 96;
/// Bytes of an Ed25519 key's raw form: its secret scalar (32, reduced), the
/// nonce prefix (32) and its public key (32).
pub const RAW_ED25519_LEN: usize = 96;
/// Bytes of a [`RawSigningKey`]: an algorithm byte, a length byte and
/// [`RAW_KEY_MATERIAL_LEN`] bytes of key material.
pub const RAW_SIGNING_KEY_LEN: usize = 2 + RAW_KEY_MATERIAL_LEN;

/// The algorithm byte of a [`RawSigningKey`] holding an HMAC-SHA256 secret.
pub const RAW_ALG_HMAC_SHA256: u8 = 1;
/// The algorithm byte of a [`RawSigningKey`] holding an expanded Ed25519 key.
pub const RAW_ALG_ED25519: u8 = 2;

const _: () = assert!(MAX_HMAC_SECRET_LEN <= RAW_KEY_MATERIAL_LEN && RAW_ED25519_LEN == RAW_KEY_MATERIAL_LEN);

/// A [`SigningKey`] as plain, fixed-size bytes that sign without being
/// rebuilt: the storage form for hosts that keep keys in caller memory (the
/// C binding's `signcore_key`), where every stored byte must be covered by
/// an integrity check and any bytes must be safe to read back.
///
/// Layout ([`RAW_SIGNING_KEY_LEN`] = 98 bytes, no padding, alignment 1):
///
/// | offset | bytes | HMAC-SHA256 | Ed25519 |
/// |---|---|---|---|
/// | 0 | 1 | [`RAW_ALG_HMAC_SHA256`] (1) | [`RAW_ALG_ED25519`] (2) |
/// | 1 | 1 | secret length, 1..=64 | [`RAW_ED25519_LEN`] (96) |
/// | 2 | 32 | the secret, then zeros | the secret scalar `s` (little-endian, reduced mod ℓ) |
/// | 34 | 32 | | the nonce prefix (upper half of SHA-512(seed)) |
/// | 66 | 32 | | the public key `A = s·B` (compressed) |
///
/// An Ed25519 key is kept expanded (RFC 8032 §5.1.5, as ed25519-dalek
/// expands its seed) with its public key, and not as its seed: signing from
/// it ([`RawSigningKey::sign`]) costs what signing with a [`SigningKey`]
/// does (one base-point multiplication), with no SHA-512 of the seed and no
/// second multiplication to derive the public key. The seed is not kept:
/// there is no way back to a [`SigningKey`].
///
/// The form is canonical: [`RawSigningKey::sign`] and
/// [`RawSigningKey::verifying_key`] refuse any other alg byte, a length out
/// of range, a non-zero byte past an HMAC secret and an Ed25519 scalar that
/// is not reduced (`to_raw` produces none of these). What they do **not**
/// check is that the stored public key is the scalar's: that check is the
/// base-point multiplication the form exists to avoid (it would double the
/// cost of a signature). Signing with a scalar and a public key that do not
/// belong together gives signatures that fail to verify, and two such
/// signatures of one message under different public keys reveal the
/// scalar; so the bytes must come from [`SigningKey::to_raw`] unchanged.
/// A host storing them must guard them with an integrity check over every
/// byte (the C binding's keyed checksum) and use them only when it holds.
///
/// It holds secrets in the clear: the bytes are wiped on drop, `Debug`
/// shows only the algorithm byte, and there is no `Clone` (copy the bytes
/// out with [`RawSigningKey::as_bytes`] only into storage that is itself
/// wiped).
///
/// ```
/// use signcore::key::{RawSigningKey, SigningKey};
/// let key = SigningKey::ed25519_from_seed(&[7; 32]);
/// let mut storage = [0u8; signcore::key::RAW_SIGNING_KEY_LEN];
/// storage.copy_from_slice(key.to_raw().as_bytes());
/// // ... later, from the stored bytes:
/// let raw = RawSigningKey::from_bytes(&storage);
/// assert_eq!(raw.sign(b"m")?, key.sign(b"m")); // byte for byte (RFC 8032 is deterministic)
/// raw.verifying_key()?.verify(b"m", key.sign(b"m").as_bytes())?;
/// storage[33] |= 0xf0; // a scalar that is not reduced is refused
/// assert!(RawSigningKey::from_bytes(&storage).sign(b"m").is_err());
/// # Ok::<(), signcore::Error>(())
/// ```
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct RawSigningKey {
    bytes: [u8; RAW_SIGNING_KEY_LEN],
}

/// The checked parts of a [`RawSigningKey`], borrowed.
enum RawParts<'a> {
    Hmac(&'a [u8]),
    Ed25519 { scalar: &'a [u8; 32], prefix: &'a [u8; 32], public: &'a [u8; ED25519_PUBLIC_KEY_LEN] },
}

impl RawSigningKey {
    /// Copies stored bytes (checked when used).
    pub fn from_bytes(bytes: &[u8; RAW_SIGNING_KEY_LEN]) -> Self {
        RawSigningKey { bytes: *bytes }
    }

    /// The raw bytes (secret material: copy them only into wiped storage).
    pub fn as_bytes(&self) -> &[u8; RAW_SIGNING_KEY_LEN] {
        &self.bytes
    }

    /// The algorithm, the length and the padding checked, the secret's bytes
    /// not looked at (branches on the alg and length bytes only).
    fn parts(&self) -> Result<RawParts<'_>, Error> {
        let [alg, len, material @ ..] = &self.bytes;
        match *alg {
            RAW_ALG_HMAC_SHA256 => {
                let len = usize::from(*len);
                // An empty secret passes here; `HmacKey::new` refuses it.
                let Some((used, rest)) = material.split_at_checked(len).filter(|_| len <= MAX_HMAC_SECRET_LEN) else {
                    return Err(Error::InvalidKey(RecordProblem::HmacSecretTooLong));
                };
                // The padding is OR-ed whole, one test at the end (no early exit).
                if rest.iter().fold(0u8, |acc, b| acc | b) != 0 {
                    let actual = len + rest.iter().rposition(|&b| b != 0).map_or(0, |at| at + 1);
                    return Err(Error::InvalidLength { what: "raw signing key secret", expected: len, actual });
                }
                Ok(RawParts::Hmac(used))
            }
            RAW_ALG_ED25519 if usize::from(*len) == RAW_ED25519_LEN => {
                let (scalar, rest) = material.split_first_chunk::<32>().ok_or(Error::UnknownAlgorithm)?;
                let (prefix, rest) = rest.split_first_chunk::<32>().ok_or(Error::UnknownAlgorithm)?;
                let public = rest.first_chunk::<ED25519_PUBLIC_KEY_LEN>().ok_or(Error::UnknownAlgorithm)?;
                Ok(RawParts::Ed25519 { scalar, prefix, public })
            }
            RAW_ALG_ED25519 => Err(Error::InvalidKey(RecordProblem::WrongKeyLength)),
            _ => Err(Error::UnknownAlgorithm),
        }
    }

    /// The algorithm, once the form is checked as [`RawSigningKey::sign`] does
    /// (the scalar too).
    pub fn alg(&self) -> Result<Alg, Error> {
        match self.parts()? {
            RawParts::Hmac(secret) => HmacKey::new(secret).map(|_| Alg::HmacSha256),
            RawParts::Ed25519 { scalar, .. } => ed25519_scalar(scalar).map(|_| Alg::Ed25519),
        }
    }

    /// The stored Ed25519 public key (`None` for HMAC or a malformed form);
    /// never reads the secret.
    pub fn public_key(&self) -> Option<[u8; ED25519_PUBLIC_KEY_LEN]> {
        match self.parts() {
            Ok(RawParts::Ed25519 { public, .. }) => Some(*public),
            _ => None,
        }
    }

    /// Signs `message` as [`SigningKey::sign`] does, with the same bytes out.
    /// Refuses a malformed form (see the type's documentation) with
    /// [`Error::UnknownAlgorithm`], [`Error::InvalidKey`] (a length out of
    /// range; `NotARecord` for an Ed25519 scalar that is not reduced) or
    /// [`Error::InvalidLength`] (non-zero padding).
    ///
    /// Ed25519 (RFC 8032 §5.1.6) with curve25519-dalek's scalar and point
    /// arithmetic, the steps of ed25519-dalek's own signing: `r =
    /// SHA-512(prefix ‖ M) mod ℓ`, `R = r·B`, `k = SHA-512(R ‖ A ‖ M) mod ℓ`,
    /// `S = k·s + r`. The stored public key `A` is hashed as stored, never
    /// decompressed (decompressing costs about a quarter of a signature).
    pub fn sign(&self, message: &[u8]) -> Result<Signature, Error> {
        match self.parts()? {
            RawParts::Hmac(secret) => Ok(Signature::from_parts(&HmacKey::new(secret)?.tag(message))),
            RawParts::Ed25519 { scalar, prefix, public } => {
                use curve25519_dalek::{EdwardsPoint, Scalar};
                use sha2::Sha512;
                let s = ed25519_scalar(scalar)?;
                let mut h = Sha512::new();
                h.update(prefix);
                h.update(message);
                let r = Zeroizing::new(Scalar::from_hash(h));
                let big_r = EdwardsPoint::mul_base(&r).compress();
                let mut h = Sha512::new();
                h.update(big_r.as_bytes());
                h.update(public);
                h.update(message);
                let k = Scalar::from_hash(h);
                let big_s = k * *s + *r;
                let mut bytes = [0u8; ED25519_SIGNATURE_LEN];
                bytes[..32].copy_from_slice(big_r.as_bytes());
                bytes[32..].copy_from_slice(big_s.as_bytes());
                Ok(Signature::from_parts(&bytes))
            }
        }
    }

    /// The key that verifies this key's signatures: for Ed25519 from the
    /// stored public key alone (the secret is not read; a public key that is
    /// not a valid, non-small-order point is [`Error::InvalidKey`]), for HMAC
    /// from the secret (pre-keyed, wiped on drop). Refuses a malformed form
    /// as [`RawSigningKey::sign`] does, except that the scalar is not looked at.
    pub fn verifying_key(&self) -> Result<VerifyingKey, Error> {
        match self.parts()? {
            RawParts::Hmac(secret) => VerifyingKey::hmac(secret),
            RawParts::Ed25519 { public, .. } => VerifyingKey::ed25519(public),
        }
    }
}

/// The stored scalar, refused unless reduced mod ℓ (as ed25519-dalek keeps
/// it); checked in constant time, wiped on drop.
fn ed25519_scalar(bytes: &[u8; 32]) -> Result<Zeroizing<curve25519_dalek::Scalar>, Error> {
    Option::from(curve25519_dalek::Scalar::from_canonical_bytes(*bytes))
        .map(Zeroizing::new)
        .ok_or(Error::InvalidKey(RecordProblem::NotARecord))
}

impl fmt::Debug for RawSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawSigningKey").field("alg", &self.bytes[0]).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The key's [`RawSigningKey`] form, for hosts that store keys as bytes:
    /// the HMAC secret, or the Ed25519 key expanded by ed25519-dalek (its
    /// reduced scalar and nonce prefix) with its public key.
    pub fn to_raw(&self) -> RawSigningKey {
        let mut bytes = [0u8; RAW_SIGNING_KEY_LEN];
        let [alg, len, material @ ..] = &mut bytes;
        match &self.inner {
            SigningInner::Hmac(k) => {
                *alg = RAW_ALG_HMAC_SHA256;
                *len = k.len;
                material[..MAX_HMAC_SECRET_LEN].copy_from_slice(&k.bytes);
            }
            SigningInner::Ed25519(k) => {
                *alg = RAW_ALG_ED25519;
                *len = RAW_ED25519_LEN as u8;
                // Wiped on drop (dalek's `zeroize`).
                let expanded = ed25519_dalek::hazmat::ExpandedSecretKey::from(k.as_bytes());
                material[..32].copy_from_slice(expanded.scalar.as_bytes());
                material[32..64].copy_from_slice(&expanded.hash_prefix);
                material[64..].copy_from_slice(k.verifying_key().as_bytes());
            }
        }
        RawSigningKey { bytes }
    }
}

/// An HMAC key with its inner and outer SHA-256 states computed once, so
/// that checking many tags (a chain) costs two compressions per tag, not
/// four. Both parts wipe themselves on drop (sha2's and hmac's `zeroize`).
#[derive(Clone)]
pub struct HmacVerifier {
    key: HmacKey,
    keyed: hmac::Hmac<Sha256>,
}

impl ZeroizeOnDrop for HmacVerifier {}

impl HmacVerifier {
    /// Pre-keys `key`.
    pub fn new(key: HmacKey) -> Self {
        let keyed = key.mac();
        HmacVerifier { key, keyed }
    }

    /// Verifies a full 32-byte tag in constant time.
    pub fn verify(&self, message: &[u8], tag: &[u8]) -> Result<(), Error> {
        if tag.len() != HMAC_TAG_LEN {
            return Err(Error::InvalidLength { what: "hmac-sha256 tag", expected: HMAC_TAG_LEN, actual: tag.len() });
        }
        let mut mac = self.keyed.clone();
        mac.update(message);
        mac.verify_truncated_left(tag).map_err(|_| Error::SignatureInvalid)
    }

    /// The key's publishable hash, SHA256(secret).
    pub fn key_hash(&self) -> Hash {
        self.key.key_hash()
    }
}

/// A key that verifies: an Ed25519 or RSA public key, or an HMAC secret.
#[derive(Clone)]
#[non_exhaustive]
pub enum VerifyingKey {
    /// HMAC-SHA256: verifying needs the secret (kept pre-keyed).
    Hmac(HmacVerifier),
    /// Ed25519 public key (never weak: see [`VerifyingKey::ed25519`]).
    Ed25519(Ed25519PublicKey),
    /// RSA public key (feature `rsa`).
    #[cfg(feature = "rsa")]
    Rsa(crate::rsa::RsaPublicKey),
}

/// A strict Ed25519 public key: a valid point without small order.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ed25519PublicKey(ed25519_dalek::VerifyingKey);

impl Ed25519PublicKey {
    /// The 32 key bytes.
    pub fn to_bytes(&self) -> [u8; ED25519_PUBLIC_KEY_LEN] {
        self.0.to_bytes()
    }

    /// The 32 key bytes, borrowed.
    pub fn as_bytes(&self) -> &[u8; ED25519_PUBLIC_KEY_LEN] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Ed25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519PublicKey({})", crate::hex::HexBuf::<32, 64>::new(self.0.as_bytes()))
    }
}

impl VerifyingKey {
    /// An HMAC-SHA256 verifying key from 1..=64 secret bytes (pre-keyed).
    pub fn hmac(secret: &[u8]) -> Result<Self, Error> {
        HmacKey::new(secret).map(|k| VerifyingKey::Hmac(HmacVerifier::new(k)))
    }

    /// An Ed25519 public key; refuses non-points and small-order points.
    pub fn ed25519(public_key: &[u8; ED25519_PUBLIC_KEY_LEN]) -> Result<Self, Error> {
        match ed25519_dalek::VerifyingKey::from_bytes(public_key) {
            Ok(k) if !k.is_weak() => Ok(VerifyingKey::Ed25519(Ed25519PublicKey(k))),
            _ => Err(Error::InvalidKey(RecordProblem::WeakOrInvalidPublicKey)),
        }
    }

    /// An RSA public key from its SubjectPublicKeyInfo DER (2048..=4096 bits).
    #[cfg(feature = "rsa")]
    pub fn rsa_spki_der(der: &[u8]) -> Result<Self, Error> {
        crate::rsa::RsaPublicKey::from_spki_der(der).map(VerifyingKey::Rsa)
    }

    /// An RSA public key from a PEM `PUBLIC KEY` block (2048..=4096 bits).
    #[cfg(feature = "rsa")]
    pub fn rsa_pem(pem: &str) -> Result<Self, Error> {
        crate::rsa::RsaPublicKey::from_pem(pem).map(VerifyingKey::Rsa)
    }

    /// The algorithm.
    pub fn alg(&self) -> Alg {
        match self {
            VerifyingKey::Hmac(_) => Alg::HmacSha256,
            VerifyingKey::Ed25519(_) => Alg::Ed25519,
            #[cfg(feature = "rsa")]
            VerifyingKey::Rsa(_) => Alg::RsaSha256,
        }
    }

    /// Verifies `signature` over `message`: strict RFC 8032 for Ed25519,
    /// constant-time full-tag comparison for HMAC, RSASSA-PKCS1-v1_5 over
    /// the 32-byte pre-computed digest `message` for RSA.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        match self {
            VerifyingKey::Hmac(k) => k.verify(message, signature),
            VerifyingKey::Ed25519(k) => verify_ed25519(&k.0, message, signature),
            #[cfg(feature = "rsa")]
            VerifyingKey::Rsa(k) => k.verify(message, signature),
        }
    }

    /// The publishable key hash (DESIGN.md §2, §3): SHA256 of the Ed25519
    /// public key, of the HMAC secret, or of the RSA SubjectPublicKeyInfo DER.
    pub fn key_hash(&self) -> Hash {
        match self {
            VerifyingKey::Hmac(k) => k.key_hash(),
            VerifyingKey::Ed25519(k) => Sha256::digest(k.as_bytes()).into(),
            #[cfg(feature = "rsa")]
            VerifyingKey::Rsa(k) => k.key_hash(),
        }
    }

    /// The expected signature length for this key.
    pub fn signature_len(&self) -> usize {
        match self {
            VerifyingKey::Hmac(_) => HMAC_TAG_LEN,
            VerifyingKey::Ed25519(_) => ED25519_SIGNATURE_LEN,
            #[cfg(feature = "rsa")]
            VerifyingKey::Rsa(k) => k.signature_len(),
        }
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyingKey::Hmac(_) => f.write_str("VerifyingKey::Hmac(..)"),
            VerifyingKey::Ed25519(k) => write!(f, "VerifyingKey::{k:?}"),
            #[cfg(feature = "rsa")]
            VerifyingKey::Rsa(k) => write!(f, "VerifyingKey::{k:?}"),
        }
    }
}

fn verify_ed25519(key: &ed25519_dalek::VerifyingKey, message: &[u8], signature: &[u8]) -> Result<(), Error> {
    let bytes: &[u8; ED25519_SIGNATURE_LEN] = signature.try_into().map_err(|_| Error::InvalidLength {
        what: "ed25519 signature",
        expected: ED25519_SIGNATURE_LEN,
        actual: signature.len(),
    })?;
    let sig = ed25519_dalek::Signature::from_bytes(bytes);
    key.verify_strict(message, &sig).map_err(|_| Error::SignatureInvalid)
}

/// A signature or tag: 32 bytes (HMAC) or 64 bytes (Ed25519).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    bytes: [u8; MAX_SIGNATURE_LEN],
    len: u8,
}

impl Signature {
    pub(crate) fn from_parts(bytes: &[u8]) -> Self {
        let mut out = [0u8; MAX_SIGNATURE_LEN];
        let len = bytes.len().min(MAX_SIGNATURE_LEN);
        out[..len].copy_from_slice(&bytes[..len]);
        Signature { bytes: out, len: len as u8 }
    }

    /// The raw signature bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// Lowercase hex text of the signature.
    pub fn hex(&self) -> SignatureHex {
        let mut text = [0u8; 2 * MAX_SIGNATURE_LEN];
        let len = 2 * usize::from(self.len);
        let _ = base16ct::lower::encode(self.as_bytes(), &mut text);
        SignatureHex { text, len: len as u8 }
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hex().as_str())
    }
}

/// Hex text of a [`Signature`].
#[derive(Clone, Copy)]
pub struct SignatureHex {
    text: [u8; 2 * MAX_SIGNATURE_LEN],
    len: u8,
}

impl SignatureHex {
    /// The hex text.
    pub fn as_str(&self) -> &str {
        self.text.get(..usize::from(self.len)).and_then(|t| core::str::from_utf8(t).ok()).unwrap_or("")
    }
}

impl fmt::Display for SignatureHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;

    #[test]
    fn alg_names() {
        for name in ["hmac", "hmac_sha256", "hmac-sha256", "HMAC_SHA_256"] {
            assert_eq!(Alg::parse(name), Ok(Alg::HmacSha256));
        }
        assert_eq!(Alg::parse("ed25519"), Ok(Alg::Ed25519));
        assert_eq!(Alg::parse("rsa-sha256"), Ok(Alg::RsaSha256));
        assert_eq!(SigningKey::from_hex(Alg::RsaSha256, b"00").err(), Some(Error::UnsupportedAlgorithm));
        assert_eq!(Alg::parse("ED25519"), Err(Error::UnknownAlgorithm));
    }

    #[test]
    fn hmac_secret_bounds() {
        assert_eq!(HmacKey::new(&[]).err(), Some(Error::InvalidKey(RecordProblem::EmptySecret)));
        assert!(HmacKey::new(&[1; 64]).is_ok());
        assert_eq!(HmacKey::new(&[1; 65]).err(), Some(Error::InvalidKey(RecordProblem::HmacSecretTooLong)));
        // RFC 2104: a long key and its SHA-256 give the same tags.
        let long = HmacKey::new_rfc2104(&[1; 65]).unwrap();
        let hashed: [u8; 32] = Sha256::digest([1u8; 65]).into();
        assert_eq!(long.tag(b"m"), HmacKey::new(&hashed).unwrap().tag(b"m"));
    }

    #[test]
    fn raw_form_signs_as_the_key_and_is_canonical() {
        let keys = [
            SigningKey::hmac(&[0x5a]).unwrap(),
            SigningKey::hmac(b"test-ci-signing-key").unwrap(),
            SigningKey::hmac(&[0xff; 64]).unwrap(),
            SigningKey::ed25519_from_seed(&[9; 32]),
        ];
        for key in &keys {
            let raw = key.to_raw();
            let again = RawSigningKey::from_bytes(raw.as_bytes());
            let sig = key.sign(b"m");
            assert_eq!(again.alg(), Ok(key.alg()));
            assert_eq!(again.sign(b"m"), Ok(sig));
            assert_eq!(again.public_key(), key.public_key());
            let verifier = again.verifying_key().unwrap();
            assert_eq!(verifier.key_hash(), key.key_hash());
            assert_eq!(verifier.verify(b"m", sig.as_bytes()), Ok(()));
            let shown = std::format!("{raw:?}");
            assert!(shown.starts_with("RawSigningKey { alg: ") && shown.len() < 32, "{shown}");
            // Every single-byte change is refused, or signs otherwise (a
            // flipped secret, prefix or public key byte).
            for at in 0..RAW_SIGNING_KEY_LEN {
                for flip in [0x01, 0x80] {
                    let mut bytes = *raw.as_bytes();
                    bytes[at] ^= flip;
                    if let Ok(other) = RawSigningKey::from_bytes(&bytes).sign(b"m") {
                        assert!(at >= 2, "a changed alg or length byte was accepted");
                        assert_ne!(other, sig, "byte {at}");
                    }
                }
            }
        }
        let raw = |alg: u8, len: u8, fill: &[u8]| {
            let mut b = [0u8; RAW_SIGNING_KEY_LEN];
            b[0] = alg;
            b[1] = len;
            b[2..2 + fill.len()].copy_from_slice(fill);
            let raw = RawSigningKey::from_bytes(&b);
            let errors = (raw.sign(b"m").err(), raw.alg().err(), raw.verifying_key().err());
            assert_eq!(errors.0, errors.1);
            errors
        };
        let both = |e: Error| (Some(e.clone()), Some(e.clone()), Some(e));
        assert_eq!(raw(0, 32, &[1; 32]), both(Error::UnknownAlgorithm));
        assert_eq!(raw(3, 96, &[1; 96]), both(Error::UnknownAlgorithm));
        assert_eq!(raw(1, 0, &[]), both(Error::InvalidKey(RecordProblem::EmptySecret)));
        assert_eq!(raw(1, 65, &[1; 65]), both(Error::InvalidKey(RecordProblem::HmacSecretTooLong)));
        assert_eq!(raw(1, 200, &[1; 64]), both(Error::InvalidKey(RecordProblem::HmacSecretTooLong)));
        let padded = Error::InvalidLength { what: "raw signing key secret", expected: 4, actual: 96 };
        let mut tail = [0u8; 96];
        tail[..4].fill(1);
        tail[95] = 1;
        assert_eq!(raw(1, 4, &tail), both(padded));
        assert_eq!(raw(1, 4, &[1; 4]), (None, None, None));
        assert_eq!(raw(2, 32, &[1; 32]), both(Error::InvalidKey(RecordProblem::WrongKeyLength)));
        assert_eq!(raw(2, 97, &[1; 96]), both(Error::InvalidKey(RecordProblem::WrongKeyLength)));
        // An Ed25519 scalar that is not reduced mod l is refused; verifying
        // reads only the public key (here a valid one).
        let mut ed = *SigningKey::ed25519_from_seed(&[9; 32]).to_raw().as_bytes();
        ed[33] = 0xff;
        let not_reduced = RawSigningKey::from_bytes(&ed);
        assert_eq!(not_reduced.sign(b"m").err(), Some(Error::InvalidKey(RecordProblem::NotARecord)));
        assert_eq!(not_reduced.alg().err(), Some(Error::InvalidKey(RecordProblem::NotARecord)));
        assert!(not_reduced.verifying_key().is_ok());
        // A public key that is not the scalar's (here the identity, of small
        // order): signing does not notice (the host's integrity check over
        // the storage must), verifying refuses it.
        ed[33] = SigningKey::ed25519_from_seed(&[9; 32]).to_raw().as_bytes()[33];
        ed[66..].copy_from_slice(&[0; 32]);
        ed[66] = 1;
        let wrong_public = RawSigningKey::from_bytes(&ed);
        assert!(wrong_public.sign(b"m").is_ok());
        assert_eq!(wrong_public.verifying_key().err(), Some(Error::InvalidKey(RecordProblem::WeakOrInvalidPublicKey)));
    }

    /// Signing from the raw form gives ed25519-dalek's signature from the
    /// seed, byte for byte, over many seeds and message lengths.
    #[test]
    fn raw_ed25519_sign_equals_dalek_from_seed() {
        let mut message = [0u8; 300];
        let mut signed = 0;
        for i in 0u32..512 {
            let seed: [u8; 32] = Sha256::digest(i.to_le_bytes()).into();
            let key = SigningKey::ed25519_from_seed(&seed);
            let raw = key.to_raw();
            message[usize::from(seed[0]) % 300] ^= seed[1];
            let msg = &message[..usize::from(seed[2]) + usize::from(seed[3] & 0x1f)];
            let dalek = ed25519_dalek::SigningKey::from_bytes(&seed).sign(msg).to_bytes();
            assert_eq!(raw.sign(msg).unwrap().as_bytes(), &dalek[..], "seed {i}");
            assert_eq!(raw.sign(&[]).unwrap(), key.sign(&[]), "seed {i}, empty message");
            signed += 2;
        }
        std::println!("raw ed25519: {signed} signatures equal to ed25519-dalek's");
    }

    #[test]
    fn truncated_tags() {
        let key = HmacKey::new(b"k").unwrap();
        let tag = key.tag(b"msg");
        assert!(key.verify_truncated(b"msg", &tag[..16]).is_ok());
        assert!(key.verify_truncated(b"msg", &tag[..15]).is_err());
        assert!(key.verify(b"msg", &tag[..16]).is_err());
        let mut bad = tag;
        bad[31] ^= 1;
        assert_eq!(key.verify(b"msg", &bad), Err(Error::SignatureInvalid));
    }
}
