//! Checkpoints and Merkle proofs (DESIGN.md §12): roots, proofs, signed
//! checkpoint notes. Each function is one native call into the core; the
//! JS wrapper (`lib/checkpoint.js`) checks argument types.

use napi::bindgen_prelude::{Either, Uint8ArraySlice};
use napi_derive::napi;
use signcore::checkpoint::{self, Checkpoint};
use signcore::digest::{Hash, parse_hash};
use signcore::hex::HashHex;
use signcore::key::SigningKey;
use signcore::merkle::{self, MerkleTree, ProofError};
use signcore::note::{NoteError, NoteSigner, NoteVerifier};

use crate::{Fail, bytes, fail, fail_with};

fn hash(text: &str) -> Result<Hash, Fail> {
    parse_hash(text).map_err(fail)
}

fn hashes(texts: &[String]) -> Result<Vec<Hash>, Fail> {
    texts.iter().map(|t| hash(t)).collect()
}

fn hex(h: &Hash) -> String {
    HashHex::new(h).as_str().to_owned()
}

fn size(name: &str, value: i64) -> Result<u64, Fail> {
    u64::try_from(value).map_err(|_| fail_with("INVALID_ARGUMENT", format!("{name} must be a non-negative integer")))
}

fn tree(event_hashes: &[String]) -> Result<MerkleTree, Fail> {
    Ok(MerkleTree::from_event_hashes(&hashes(event_hashes)?))
}

fn proof_fail(e: ProofError) -> Fail {
    fail(e.into())
}

/// The RFC 9162 Merkle root (hex) over events given by their `hash` (hex).
#[napi]
pub fn merkle_root(event_hashes: Vec<String>) -> Result<String, Fail> {
    let mut b = merkle::RootBuilder::new();
    for h in &event_hashes {
        b.push_event_hash(&hash(h)?).map_err(proof_fail)?;
    }
    Ok(hex(&b.root()))
}

/// The inclusion proof (hex hashes, leaf side first) of event `index` in the
/// tree of the first `size` events (default: all).
#[napi]
pub fn inclusion_proof(event_hashes: Vec<String>, index: i64, tree_size: Option<i64>) -> Result<Vec<String>, Fail> {
    let t = tree(&event_hashes)?;
    let n = tree_size.map_or(Ok(t.size()), |s| size("size", s))?;
    let proof = t.inclusion_proof(size("index", index)?, n).map_err(proof_fail)?;
    Ok(proof.iter().map(hex).collect())
}

/// The consistency proof from the first `old_size` events to the first
/// `new_size` (default: all).
#[napi]
pub fn consistency_proof(event_hashes: Vec<String>, old_size: i64, new_size: Option<i64>) -> Result<Vec<String>, Fail> {
    let t = tree(&event_hashes)?;
    let n = new_size.map_or(Ok(t.size()), |s| size("newSize", s))?;
    let proof = t.consistency_proof(size("oldSize", old_size)?, n).map_err(proof_fail)?;
    Ok(proof.iter().map(hex).collect())
}

/// The verdict on a proof or a checkpoint.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Verdict {
    /// True when it verifies.
    pub ok: bool,
    /// Why not (`ROOT_MISMATCH`, `INVALID_PROOF_LENGTH`, ...), or `null`.
    pub code: Option<String>,
    /// A readable reason, or `null`.
    pub message: Option<String>,
}

fn verdict(r: Result<(), ProofError>) -> Verdict {
    match r {
        Ok(()) => Verdict { ok: true, code: None, message: None },
        Err(e) => Verdict { ok: false, code: Some(e.code().to_owned()), message: Some(e.to_string()) },
    }
}

/// Verifies an inclusion proof of the event with hash `event_hash`.
#[napi]
pub fn verify_inclusion(
    event_hash: String,
    index: i64,
    tree_size: i64,
    proof: Vec<String>,
    root: String,
) -> Result<Verdict, Fail> {
    let (leaf, root, proof) = (merkle::leaf_hash(&hash(&event_hash)?), hash(&root)?, hashes(&proof)?);
    Ok(verdict(merkle::verify_inclusion(&leaf, size("index", index)?, size("size", tree_size)?, &proof, &root)))
}

/// Verifies a consistency proof between two tree sizes and roots.
#[napi]
pub fn verify_consistency(
    old_size: i64,
    new_size: i64,
    old_root: String,
    new_root: String,
    proof: Vec<String>,
) -> Result<Verdict, Fail> {
    let (old_root, new_root, proof) = (hash(&old_root)?, hash(&new_root)?, hashes(&proof)?);
    Ok(verdict(merkle::verify_consistency(
        size("oldSize", old_size)?,
        size("newSize", new_size)?,
        &old_root,
        &new_root,
        &proof,
    )))
}

/// Signs a checkpoint with Ed25519 note keys: `names[i]` with seed `seeds[i]`.
#[napi]
pub fn sign_checkpoint(
    origin: String,
    tree_size: i64,
    root: String,
    extensions: Option<String>,
    names: Vec<String>,
    seeds: Vec<Uint8ArraySlice<'_>>,
) -> Result<String, Fail> {
    let root = hash(&root)?;
    let cp = Checkpoint::new(&origin, size("size", tree_size)?, root).map_err(|e| fail(e.into()))?;
    let cp = cp.with_extensions(extensions.as_deref().unwrap_or("")).map_err(|e| fail(e.into()))?;
    let signers = names
        .iter()
        .zip(&seeds)
        .map(|(name, seed)| {
            let seed: &[u8; 32] = (&seed[..]).try_into().map_err(|_| {
                fail_with("INVALID_LENGTH", format!("ed25519 seed must be 32 bytes, got {}", seed.len()))
            })?;
            NoteSigner::new(name, &SigningKey::ed25519_from_seed(seed)).map_err(|e| fail(e.into()))
        })
        .collect::<Result<Vec<_>, Fail>>()?;
    let refs: Vec<&NoteSigner> = signers.iter().collect();
    checkpoint::sign(&cp, &refs).map_err(|e| fail(e.into()))
}

/// The note verifier key `<name>+<hex key id>+<base64(0x01 ‖ public key)>`
/// of an Ed25519 public key (32 bytes or hex).
#[napi]
pub fn note_verifier_key(name: String, public_key: Either<String, Uint8ArraySlice<'_>>) -> Result<String, Fail> {
    let key: [u8; 32] = match &public_key {
        Either::A(hex) => signcore::hex::decode_array(hex).map_err(fail)?,
        Either::B(raw) => (&raw[..]).try_into().map_err(|_| {
            fail_with("INVALID_LENGTH", format!("ed25519 public key must be 32 bytes, got {}", raw.len()))
        })?,
    };
    Ok(NoteVerifier::from_public_key(&name, &key).map_err(|e| fail(e.into()))?.to_string())
}

/// A checkpoint's verdict and, when it verifies, its contents.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct CheckpointVerdict {
    /// True when the note verifies with the threshold and the origin.
    pub ok: bool,
    /// Why not (`SIGNATURE_INVALID`, `THRESHOLD_NOT_MET`, `ORIGIN_MISMATCH`,
    /// `MALFORMED_NOTE`, `MALFORMED_CHECKPOINT`), or `null`.
    pub code: Option<String>,
    /// A readable reason, or `null`.
    pub message: Option<String>,
    /// The log's origin line.
    pub origin: Option<String>,
    /// The tree size.
    pub size: Option<i64>,
    /// The root hash (hex).
    pub root: Option<String>,
    /// Extension lines after the root ("" when none).
    pub extensions: Option<String>,
    /// The trusted keys (verifier key strings) whose signature verified.
    pub signed_by: Vec<String>,
    /// Signatures by keys not trusted (ignored).
    pub unknown: u32,
}

/// Opens a signed checkpoint with the caller's trusted verifier keys and
/// threshold, for the log `origin`.
#[napi]
pub fn verify_checkpoint(
    note: Either<String, Uint8ArraySlice<'_>>,
    origin: String,
    keys: Vec<String>,
    threshold: u32,
) -> Result<CheckpointVerdict, Fail> {
    let trusted =
        keys.iter().map(|k| NoteVerifier::parse(k).map_err(|e| fail(e.into()))).collect::<Result<Vec<_>, Fail>>()?;
    let no = |e: NoteError| CheckpointVerdict {
        ok: false,
        code: Some(e.code().to_owned()),
        message: Some(e.to_string()),
        origin: None,
        size: None,
        root: None,
        extensions: None,
        signed_by: Vec::new(),
        unknown: 0,
    };
    match checkpoint::open(bytes(&note), &origin, &trusted, threshold as usize) {
        Ok(v) => Ok(CheckpointVerdict {
            ok: true,
            code: None,
            message: None,
            origin: Some(v.checkpoint.origin.to_owned()),
            // Sizes past 2^53 are not exact JS numbers: refuse rather than round.
            size: Some(i64::try_from(v.checkpoint.size).ok().filter(|s| *s < (1i64 << 53)).ok_or_else(|| {
                fail_with("LIMIT_EXCEEDED", "the tree size is larger than a JS number holds exactly (2^53 - 1)")
            })?),
            root: Some(hex(&v.checkpoint.root)),
            extensions: Some(v.checkpoint.extensions.to_owned()),
            signed_by: (0..keys.len()).filter(|i| v.note.signed_by & (1 << i) != 0).map(|i| keys[i].clone()).collect(),
            unknown: v.note.unknown as u32,
        }),
        // Unusable inputs of the verifier's own are thrown; everything about
        // the note itself is a verdict.
        Err(e @ (NoteError::InvalidThreshold | NoteError::TooManyTrustedKeys | NoteError::InvalidKey(_))) => {
            Err(fail(e.into()))
        }
        Err(e) => Ok(no(e)),
    }
}
