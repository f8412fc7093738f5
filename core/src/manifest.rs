//! N-of-M manifests (DESIGN.md §5): independent signatures over one digest,
//! counted against a threshold the *verifier* chooses.
//!
//! A manifest is `{"digest": "<hex>", "signatures": [{kid, alg, signature}]}`.
//! Each block is reported as valid, invalid, unknown (kid not trusted, or the
//! trusted key has another algorithm), duplicate (a key already counted) or
//! malformed; only distinct trusted **keys** with a valid signature count:
//! the same key listed in the ring under two kids counts once (key hashes
//! are compared), so one signer can never meet a threshold of 2.
//!
//! ```
//! use signcore::{digest::content_digest, key::SigningKey, keystore::KeyRing, manifest};
//! let (a, b) = (SigningKey::ed25519_from_seed(&[1; 32]), SigningKey::hmac(b"b-secret")?);
//! let mut ring = KeyRing::new();
//! ring.insert("a", a.verifying_key())?;
//! ring.insert("b", b.verifying_key())?;
//! let digest = content_digest(br#"{"release": "1.2.3"}"#)?;
//! let json = format!(
//!     r#"{{"digest":"{}","signatures":[{},{}]}}"#,
//!     signcore::hex::HashHex::new(&digest),
//!     manifest::signature_block("a", &a, &digest), manifest::signature_block("b", &b, &digest));
//! let report = manifest::verify_manifest(json.as_bytes(), &ring, 2, |_| {})?;
//! assert!(report.is_met() && report.valid == 2);
//! # Ok::<(), signcore::Error>(())
//! ```

use core::fmt;

use crate::digest::{Hash, parse_hash};
use crate::error::{Error, JsonErrorKind};
use crate::json::{Elements, Span, err, pick_members, skip_ws, string_content as string};
use crate::key::{Alg, MAX_VERIFY_SIGNATURE_LEN, SigningKey};
use crate::keystore::{KeyId, KeyRing};

/// What one signature block amounts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignerStatus {
    /// Trusted kid, signature verifies: counted.
    Valid,
    /// Trusted kid, signature does not verify.
    Invalid,
    /// Kid not in the ring (or the ring's key has another algorithm).
    Unknown,
    /// A key already counted as valid (by this kid or another kid of the
    /// same key).
    Duplicate,
    /// The block cannot be read.
    Malformed,
}

impl SignerStatus {
    /// Lowercase name: `valid`, `invalid`, `unknown`, `duplicate`, `malformed`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignerStatus::Valid => "valid",
            SignerStatus::Invalid => "invalid",
            SignerStatus::Unknown => "unknown",
            SignerStatus::Duplicate => "duplicate",
            SignerStatus::Malformed => "malformed",
        }
    }
}

/// The verdict on one signature block.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignerCheck {
    /// Position in `signatures`.
    pub index: usize,
    /// The block's kid, when it could be read.
    pub kid: Option<KeyId>,
    /// The verdict.
    pub status: SignerStatus,
}

/// Counts over all blocks of a manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ManifestReport {
    /// The manifest's digest.
    pub digest: Hash,
    /// The verifier's threshold N.
    pub threshold: usize,
    /// Distinct trusted keys with a valid signature.
    pub valid: usize,
    /// Blocks by trusted kids that do not verify.
    pub invalid: usize,
    /// Blocks by kids not trusted.
    pub unknown: usize,
    /// Blocks by keys already counted.
    pub duplicate: usize,
    /// Blocks that cannot be read.
    pub malformed: usize,
}

impl ManifestReport {
    /// True when at least `threshold` distinct trusted keys signed.
    pub fn is_met(&self) -> bool {
        self.valid >= self.threshold
    }
}

/// Verifies a manifest against `ring` with the verifier's `threshold`,
/// calling `on_signer` for each block in order. Errors only when the
/// manifest itself cannot be read or `threshold` is 0.
pub fn verify_manifest(
    manifest_json: &[u8],
    ring: &KeyRing,
    threshold: usize,
    mut on_signer: impl FnMut(SignerCheck),
) -> Result<ManifestReport, Error> {
    if threshold == 0 {
        return Err(Error::InvalidThreshold);
    }
    crate::canonical::validate(manifest_json)?;
    let start = skip_ws(manifest_json, 0);
    let shape = || Error::Json(err(JsonErrorKind::WrongShape, start));
    let [digest, signatures] = pick_members(manifest_json, start, 0, ["digest", "signatures"]).map_err(|_| shape())?;
    let digest = digest.and_then(|s| string(manifest_json, s)).ok_or_else(shape)?;
    let digest = parse_hash(digest)?;
    let signatures = signatures.ok_or_else(shape)?;
    let mut report = ManifestReport { digest, threshold, valid: 0, invalid: 0, unknown: 0, duplicate: 0, malformed: 0 };
    let mut counted = Counted::default();
    let mut blocks = Elements::new(manifest_json, signatures.start, 1).map_err(|_| shape())?;
    for (index, block) in (&mut blocks).enumerate() {
        let (kid, status) = check_block(manifest_json, block?, ring, &digest, &mut counted);
        match status {
            SignerStatus::Valid => report.valid += 1,
            SignerStatus::Invalid => report.invalid += 1,
            SignerStatus::Unknown => report.unknown += 1,
            SignerStatus::Duplicate => report.duplicate += 1,
            SignerStatus::Malformed => report.malformed += 1,
        }
        on_signer(SignerCheck { index, kid, status });
    }
    Ok(report)
}

/// Key hashes of the keys counted so far (at most one per ring entry).
#[derive(Default)]
struct Counted {
    #[cfg(feature = "alloc")]
    keys: alloc::vec::Vec<Hash>,
    #[cfg(not(feature = "alloc"))]
    keys: heapless::Vec<Hash, { crate::keystore::MAX_KEYS }>,
}

impl Counted {
    fn contains(&self, key_hash: &Hash) -> bool {
        self.keys.contains(key_hash)
    }

    fn add(&mut self, key_hash: Hash) {
        // Cannot overflow without alloc: one hash per distinct ring key.
        #[cfg(feature = "alloc")]
        self.keys.push(key_hash);
        #[cfg(not(feature = "alloc"))]
        let _ = self.keys.push(key_hash);
    }
}

fn check_block(
    json: &[u8],
    block: Span,
    ring: &KeyRing,
    digest: &Hash,
    counted: &mut Counted,
) -> (Option<KeyId>, SignerStatus) {
    let Ok([kid, alg, sig]) = pick_members(json, block.start, 2, ["kid", "alg", "signature"]) else {
        return (None, SignerStatus::Malformed);
    };
    let [kid, alg, sig] = [kid, alg, sig].map(|v| v.and_then(|v| string(json, v)));
    let Some(raw_kid) = kid else { return (None, SignerStatus::Malformed) };
    let kid = KeyId::from_raw_json(raw_kid);
    let alg = alg.and_then(|a| core::str::from_utf8(a).ok()).and_then(|a| Alg::parse(a).ok());
    let mut signature = [0u8; MAX_VERIFY_SIGNATURE_LEN];
    let signature = match (sig.map(|s| crate::hex::decode(s, &mut signature)), alg) {
        (Some(Ok(s)), Some(_)) if kid.is_some() => s,
        // A well-formed RSA block longer than this build can hold is not
        // malformed: without the rsa feature it is simply not trusted.
        (Some(Err(Error::BufferTooSmall { .. })), Some(Alg::RsaSha256)) if kid.is_some() => {
            return (kid, SignerStatus::Unknown);
        }
        _ => return (kid, SignerStatus::Malformed),
    };
    let position = ring.position_raw(raw_kid);
    let entry = position.and_then(|i| Some((ring.entry(i)?.1, ring.key_hash(i)?)));
    let status = match (entry, alg) {
        (Some((key, key_hash)), Some(alg)) if key.alg() == alg => {
            if counted.contains(&key_hash) {
                SignerStatus::Duplicate
            } else if key.verify(digest, signature).is_ok() {
                counted.add(key_hash);
                SignerStatus::Valid
            } else {
                SignerStatus::Invalid
            }
        }
        _ => SignerStatus::Unknown,
    };
    (kid, status)
}

/// A signature block `{"kid","alg","signature"}` over `digest`, as JSON text
/// (through `Display`). `kid` is written as a JSON string.
pub fn signature_block<'a>(kid: &'a str, key: &SigningKey, digest: &Hash) -> SignatureBlock<'a> {
    SignatureBlock { kid, alg: key.alg(), signature: key.sign(digest) }
}

/// See [`signature_block`].
#[derive(Clone, Copy, Debug)]
pub struct SignatureBlock<'a> {
    /// Key id.
    pub kid: &'a str,
    /// Algorithm.
    pub alg: Alg,
    /// Signature over the 32 raw digest bytes.
    pub signature: crate::key::Signature,
}

impl fmt::Display for SignatureBlock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"{"kid":"#)?;
        let mut sink = FmtSink { f, failed: false };
        crate::canonical::write_json_string(self.kid, &mut sink);
        if sink.failed {
            return Err(fmt::Error);
        }
        write!(f, r#","alg":"{}","signature":"{}"}}"#, self.alg, self.signature.hex())
    }
}

struct FmtSink<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    failed: bool,
}

impl crate::canonical::Sink for FmtSink<'_, '_> {
    fn write(&mut self, bytes: &[u8]) {
        let text = core::str::from_utf8(bytes).unwrap_or("");
        self.failed |= self.f.write_str(text).is_err();
    }
}
