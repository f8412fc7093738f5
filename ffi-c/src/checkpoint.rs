//! Checkpoints and Merkle proofs (DESIGN.md §12): verify a signed
//! checkpoint note against the caller's trusted note keys and threshold,
//! verify RFC 9162 inclusion and consistency proofs, compute a streaming
//! root. No heap on any path; hashes are 32 raw bytes, proofs are
//! concatenated 32-byte hashes (leaf side first).

use core::ffi::c_char;

use signcore::checkpoint;
use signcore::digest::Hash;
use signcore::merkle::{self, RootBuilder};
use signcore::note::{NoteError, NoteVerifier};

use crate::status::signcore_error;
use crate::status::signcore_status::{self, *};
use crate::util::{Fail, c_str, guard, input_bytes, out_ptr, put, required};

/// Most trusted note keys one `signcore_checkpoint_verify` call takes.
pub const SIGNCORE_MAX_NOTE_KEYS: usize = 16;

/// Most hashes in a proof (`signcore::merkle::MAX_PROOF_HASHES`).
pub const SIGNCORE_MAX_PROOF_HASHES: usize = 65;

/// What a verified checkpoint says (C2SP tlog-checkpoint).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct signcore_checkpoint {
    /// The tree size: events covered.
    pub size: u64,
    /// The RFC 9162 Merkle root over those events.
    pub root: [u8; 32],
    /// Bytes of the checkpoint body at the start of the note (origin, size,
    /// root and any extension lines), so extension lines can be read.
    pub body_len: usize,
    /// Distinct trusted keys with a valid signature.
    pub verified: usize,
    /// Signatures by keys the caller did not pass (skipped).
    pub unknown: usize,
    /// Bit `i` set when `verifier_keys[i]` signed.
    pub signed_by: u64,
}

/// The Ed25519 base point: a valid key to fill unused slots of the trusted
/// array (never consulted: only the first `verifier_keys_len` slots are).
const PLACEHOLDER: [u8; 32] = [
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
];

fn note(e: NoteError) -> Fail {
    Fail::Core(e.into())
}

/// # Safety
/// `ptr` must be NULL or point to 32 readable bytes.
unsafe fn hash_in(ptr: *const u8) -> Result<Hash, Fail> {
    // SAFETY: forwarded caller contract (32 readable bytes when not NULL).
    let bytes = unsafe { input_bytes(ptr, 32)? };
    let mut h = [0u8; 32];
    h.copy_from_slice(bytes);
    Ok(h)
}

/// # Safety
/// `ptr` must be NULL (only with `count` 0) or point to `count * 32` readable bytes.
unsafe fn proof_in<'a>(ptr: *const u8, count: usize) -> Result<&'a [Hash], Fail> {
    if count > SIGNCORE_MAX_PROOF_HASHES {
        return Err(Fail::Core(
            merkle::ProofError::WrongProofLength { expected: SIGNCORE_MAX_PROOF_HASHES, actual: count }.into(),
        ));
    }
    if count == 0 {
        return Ok(&[]);
    }
    // SAFETY: forwarded caller contract; count * 32 <= 65 * 32 cannot overflow.
    let bytes = unsafe { input_bytes(ptr, count * 32)? };
    let (hashes, rest) = bytes.as_chunks::<32>();
    if !rest.is_empty() {
        return Err(SIGNCORE_INVALID_ARGUMENT.into());
    }
    Ok(hashes)
}

/// Verifies a signed checkpoint note: C2SP signed-note syntax, the Ed25519
/// signatures by the trusted keys (others are skipped), at least
/// `threshold` distinct trusted keys, a checkpoint body, and the origin.
///
/// - `note`, `note_len`: the signed note (text, blank line, signature lines).
/// - `origin`: NUL-terminated; the log the caller expects. A checkpoint of
///   another log is `SIGNCORE_ORIGIN_MISMATCH`, whoever signed it.
/// - `verifier_keys`, `verifier_keys_len`: the trusted keys, each a
///   NUL-terminated `<name>+<hex key id>+<base64(0x01 ‖ public key)>`; at
///   most `SIGNCORE_MAX_NOTE_KEYS`.
/// - `threshold`: distinct trusted keys that must have signed (at least 1).
/// - `out`: receives the size, root and signature counts on success.
/// - `error`: optional (may be NULL) failure details.
///
/// Returns `SIGNCORE_OK`; `SIGNCORE_MALFORMED_NOTE`, `SIGNCORE_INVALID_VERIFIER_KEY`,
/// `SIGNCORE_SIGNATURE_INVALID` (a trusted key's signature does not verify),
/// `SIGNCORE_THRESHOLD_NOT_MET`, `SIGNCORE_INVALID_THRESHOLD`,
/// `SIGNCORE_MALFORMED_CHECKPOINT`, `SIGNCORE_ORIGIN_MISMATCH`,
/// `SIGNCORE_LIMIT_EXCEEDED` (too many keys), `SIGNCORE_NULL_POINTER`,
/// `SIGNCORE_INVALID_UTF8`; `out` is written only on success.
///
/// # Safety
/// `note` must point to `note_len` readable bytes; `origin` to a
/// NUL-terminated string; `verifier_keys` to `verifier_keys_len` pointers to
/// NUL-terminated strings; `out` to a writable `signcore_checkpoint`;
/// `error`, when not NULL, to a writable `signcore_error`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn signcore_checkpoint_verify(
    note_bytes: *const u8,
    note_len: usize,
    origin: *const c_char,
    verifier_keys: *const *const c_char,
    verifier_keys_len: usize,
    threshold: usize,
    out: *mut signcore_checkpoint,
    error: *mut signcore_error,
) -> signcore_status {
    guard(error, || {
        // SAFETY: the caller's contracts for the note and the origin.
        let (note_in, origin) = unsafe { (input_bytes(note_bytes, note_len)?, c_str(origin)?) };
        out_ptr(out)?;
        if verifier_keys_len > SIGNCORE_MAX_NOTE_KEYS {
            return Err(note(NoteError::TooManyTrustedKeys));
        }
        if verifier_keys_len > 0 {
            required(verifier_keys)?;
        }
        let key = |i: usize| -> Result<NoteVerifier, Fail> {
            // SAFETY: `verifier_keys` holds `verifier_keys_len` pointers to
            // NUL-terminated strings by contract; `i` < verifier_keys_len.
            let text = unsafe { c_str(*verifier_keys.add(i))? };
            NoteVerifier::parse(text).map_err(note)
        };
        // A fixed array (no heap): filled with the first key, then each slot
        // overwritten by its own key.
        let mut keys =
            [NoteVerifier::from_public_key("placeholder", &PLACEHOLDER).map_err(note)?; SIGNCORE_MAX_NOTE_KEYS];
        for (i, slot) in keys.iter_mut().enumerate().take(verifier_keys_len) {
            *slot = key(i)?;
        }
        let trusted = keys.get(..verifier_keys_len).unwrap_or(&[]);
        let v = checkpoint::open(note_in, origin, trusted, threshold).map_err(note)?;
        let record = signcore_checkpoint {
            size: v.checkpoint.size,
            root: v.checkpoint.root,
            body_len: v.note.text.len(),
            verified: v.note.verified,
            unknown: v.note.unknown,
            signed_by: v.note.signed_by,
        };
        // SAFETY: checked by `out_ptr`; writable by contract.
        unsafe { put(out, record) };
        Ok(())
    })
}

/// Verifies that the event with hash `event_hash` is leaf `index` of the
/// tree of `size` events whose root is `root` (RFC 9162 §2.1.3.2). The leaf
/// hash `SHA256(0x00 ‖ event_hash)` is computed here.
///
/// - `event_hash`, `root`: 32 raw bytes each.
/// - `proof`, `proof_hashes`: the audit path, `proof_hashes` × 32 bytes;
///   `proof` may be NULL when `proof_hashes` is 0.
///
/// Returns `SIGNCORE_OK`; `SIGNCORE_ROOT_MISMATCH` (the proof leads to
/// another root), `SIGNCORE_INVALID_PROOF_LENGTH`, `SIGNCORE_INDEX_OUT_OF_RANGE`,
/// `SIGNCORE_NULL_POINTER`.
///
/// # Safety
/// `event_hash` and `root` must point to 32 readable bytes; `proof` to
/// `proof_hashes * 32`; `error`, when not NULL, to a writable `signcore_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_verify_inclusion(
    event_hash: *const u8,
    index: u64,
    size: u64,
    proof: *const u8,
    proof_hashes: usize,
    root: *const u8,
    error: *mut signcore_error,
) -> signcore_status {
    guard(error, || {
        // SAFETY: the caller's contracts for the three inputs.
        let (event, root, proof) = unsafe { (hash_in(event_hash)?, hash_in(root)?, proof_in(proof, proof_hashes)?) };
        merkle::verify_inclusion(&merkle::leaf_hash(&event), index, size, proof, &root)
            .map_err(|e| Fail::Core(e.into()))
    })
}

/// Verifies that the tree of `old_size` events with root `old_root` is a
/// prefix of the tree of `new_size` events with root `new_root`
/// (RFC 9162 §2.1.4.2). Equal sizes need no proof and equal roots.
///
/// Returns `SIGNCORE_OK`; `SIGNCORE_ROOT_MISMATCH`, `SIGNCORE_INVALID_PROOF_LENGTH`,
/// `SIGNCORE_INVALID_TREE_SIZE` (old size 0 or above the new size),
/// `SIGNCORE_NULL_POINTER`.
///
/// # Safety
/// `old_root` and `new_root` must point to 32 readable bytes; `proof` to
/// `proof_hashes * 32` (may be NULL when 0); `error`, when not NULL, to a
/// writable `signcore_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: *const u8,
    new_root: *const u8,
    proof: *const u8,
    proof_hashes: usize,
    error: *mut signcore_error,
) -> signcore_status {
    guard(error, || {
        // SAFETY: the caller's contracts for the three inputs.
        let (old_root, new_root, proof) =
            unsafe { (hash_in(old_root)?, hash_in(new_root)?, proof_in(proof, proof_hashes)?) };
        merkle::verify_consistency(old_size, new_size, &old_root, &new_root, proof).map_err(|e| Fail::Core(e.into()))
    })
}

/// The RFC 9162 Merkle root over `count` event hashes (concatenated 32-byte
/// hashes), streamed in O(log n) memory; the root of no events is SHA256().
///
/// # Safety
/// `event_hashes` must point to `count * 32` readable bytes (may be NULL when
/// `count` is 0); `root_out` to 32 writable bytes; `error`, when not NULL, to
/// a writable `signcore_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_merkle_root(
    event_hashes: *const u8,
    count: usize,
    root_out: *mut u8,
    error: *mut signcore_error,
) -> signcore_status {
    guard(error, || {
        required(root_out)?;
        let len = count.checked_mul(32).ok_or(Fail::Status(SIGNCORE_INVALID_ARGUMENT))?;
        let bytes = if count == 0 {
            &[][..]
        } else {
            // SAFETY: the caller's contract: `count * 32` readable bytes.
            unsafe { input_bytes(event_hashes, len)? }
        };
        let mut b = RootBuilder::new();
        for h in bytes.as_chunks::<32>().0 {
            b.push_event_hash(h).map_err(|e| Fail::Core(e.into()))?;
        }
        let root = b.root();
        // SAFETY: `root_out` is non-NULL and points to 32 writable bytes by
        // contract; it cannot overlap the local `root`.
        unsafe { core::ptr::copy_nonoverlapping(root.as_ptr(), root_out, 32) };
        Ok(())
    })
}
