//! Keys in caller-owned storage, keystore metadata and one-shot verification.

use core::ffi::{c_char, c_int};
use core::mem::{align_of, size_of};

use signcore::Error;
use signcore::hex::HashHex;
use signcore::key::{Alg, HmacKey, RAW_ED25519_LEN, RAW_SIGNING_KEY_LEN, RawSigningKey, SigningKey, VerifyingKey};
use signcore::keystore::{self, KeyMetadata};
use zeroize::{Zeroize, Zeroizing};

use crate::consts::*;
use crate::status::signcore_error;
use crate::status::signcore_status::{self, *};
use crate::util::{
    Fail, SIGN_SCRUB_WORDS, Text, c_str, copy_out, disjoint, guard, input, input_bytes, out_buffer, out_ptr, put,
    required, scrubbed, scrubbed_words,
};

/// Caller-owned storage for one signing key (an HMAC-SHA256 secret or an
/// Ed25519 key, kept expanded rather than as its seed, with its key id and
/// label). Opaque: use it only through `signcore_key_*` functions.
///
/// Its size is `SIGNCORE_KEY_STORAGE_BYTES` and its alignment
/// `SIGNCORE_KEY_STORAGE_ALIGN` (8); declare it on the stack, in a struct or
/// in static storage, no heap needed. Zero it before first use (`signcore_key
/// k = {{0}};` in C, `signcore_key k{};` in C++, or `signcore_key_wipe`):
/// storage that no constructor filled is refused with
/// `SIGNCORE_KEY_NOT_INITIALIZED` (checked through a tag). Storage that has
/// the tag but was altered since a constructor filled it (a flipped byte, a
/// partial copy, the tag followed by other bytes) is refused with
/// `SIGNCORE_KEY_CORRUPTED`: every use first verifies a keyed checksum over
/// every stored byte (the secret included, stored as plain bytes: an HMAC
/// secret, or an Ed25519 key expanded with its public key), then the fields'
/// ranges; signing uses the stored form directly (the keyed checksum, not a
/// re-derivation, vouches that an Ed25519 public key is the secret's), and
/// verifying an Ed25519 signature reads only the public key. A flipped byte
/// anywhere is refused, never a crash and never a signature (see
/// ffi-c/README.md, "Key storage"). The checksum's key is
/// random per process in the std build: storage is valid only in the
/// process that filled it (copies within it work).
///
/// A constructor (`signcore_key_from_*`) fills it; `signcore_key_wipe`
/// zeroizes every byte, after which it is refused again until refilled.
/// Refilling an initialised key wipes the old key first. The storage holds
/// secret material: wipe it when done, and do not copy it around (copies
/// work, but only the storage passed to `signcore_key_wipe` is wiped).
/// Functions taking a `const signcore_key *` may be called from several
/// threads at once on the same key; wiping or refilling needs exclusive use.
#[repr(C)]
pub struct signcore_key {
    /// Opaque storage: never read or write it directly.
    pub _opaque: [u64; SIGNCORE_KEY_STORAGE_WORDS],
}

/// A signature algorithm.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum signcore_alg {
    /// HMAC-SHA256 (`hmac-sha256`), 32-byte tags.
    SIGNCORE_ALG_HMAC_SHA256 = 1,
    /// Ed25519 (`ed25519`, RFC 8032), 64-byte signatures.
    SIGNCORE_ALG_ED25519 = 2,
    /// RSA PKCS#1 v1.5 with SHA-256 (`rsa-sha256`): verified through rings,
    /// signed only by a remote signer (never a `signcore_key`).
    SIGNCORE_ALG_RSA_SHA256 = 3,
    /// An algorithm newer than this binding (never expected).
    SIGNCORE_ALG_OTHER = 255,
}

impl From<Alg> for signcore_alg {
    fn from(alg: Alg) -> Self {
        match alg {
            Alg::HmacSha256 => signcore_alg::SIGNCORE_ALG_HMAC_SHA256,
            Alg::Ed25519 => signcore_alg::SIGNCORE_ALG_ED25519,
            Alg::RsaSha256 => signcore_alg::SIGNCORE_ALG_RSA_SHA256,
            _ => signcore_alg::SIGNCORE_ALG_OTHER,
        }
    }
}

/// Where a key came from (the rule of DESIGN.md §6 that chose it, for keys
/// from the environment).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum signcore_key_source {
    /// No signer is configured (`signcore_key_from_env` returned `SIGNCORE_NO_SIGNER`).
    SIGNCORE_SOURCE_NONE = 0,
    /// `signcore_key_from_hmac_secret` or `signcore_key_from_ed25519_seed`.
    SIGNCORE_SOURCE_EXPLICIT = 1,
    /// A node keystore (`signcore_key_from_keystore`, or `RITMA_KEY_ID`).
    SIGNCORE_SOURCE_KEYSTORE = 2,
    /// The legacy `UTLD_PACKAGE_SIG_KEY` (kid `legacy-env`).
    SIGNCORE_SOURCE_LEGACY_ENV = 3,
    /// `AUDIT_SIGNING_KEY` / `_PRIVATE_KEY` / `_SECRET` (kid `local`, emergency only).
    SIGNCORE_SOURCE_LOCAL_ENV = 4,
    /// `MOCK_AUDIT_SIGNING_KEY` (kid `mock`, development and CI only).
    SIGNCORE_SOURCE_MOCK = 5,
    /// AWS KMS (`AUDIT_SIGNING_KMS_KEY_ID`): performed by the host, no local key.
    SIGNCORE_SOURCE_KMS = 6,
    /// Signing proxy (`SIGNING_PROXY_URL`): performed by the host, no local key.
    SIGNCORE_SOURCE_PROXY = 7,
}

/// Publishable facts about a key: `{ key_id, alg, key_hash, label }` of
/// DESIGN.md §3, plus where the key came from. Never holds secret material.
/// Plain data: the caller owns it; nothing to free.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct signcore_key_info {
    /// The key id as NUL-terminated UTF-8.
    pub key_id: [c_char; SIGNCORE_KEY_ID_BUFFER_BYTES],
    /// Bytes of `key_id` before the NUL (an id may itself contain `\u0000`).
    pub key_id_len: usize,
    /// The algorithm.
    pub alg: signcore_alg,
    /// The key hash: SHA256(public key) for Ed25519, SHA256(secret) for HMAC.
    pub key_hash: [u8; SIGNCORE_HASH_BYTES],
    /// `key_hash` as 64 lowercase hex characters and a NUL.
    pub key_hash_hex: [c_char; SIGNCORE_HASH_HEX_BYTES],
    /// Whether the key has a label.
    pub has_label: bool,
    /// The label as NUL-terminated UTF-8 (empty when `has_label` is false).
    pub label: [c_char; SIGNCORE_LABEL_BUFFER_BYTES],
    /// Bytes of `label` before the NUL.
    pub label_len: usize,
    /// Where the key came from.
    pub source: signcore_key_source,
}

/// The tag of initialised storage (the first 8 bytes); `4`: the layout with
/// the secret as plain bytes under the integrity check, an Ed25519 key
/// expanded (`3` held the seed).
const KEY_MAGIC: u64 = u64::from_be_bytes(*b"sgncKEY4");

/// What a `signcore_key` holds once initialised.
///
/// Plain data only (bytes and integers, no implicit padding): any bytes form
/// a valid `KeySlot`, so corrupted storage can be inspected without
/// undefined behaviour. Before anything is used, the tag, then `check` (a
/// keyed 64-bit checksum over every byte of the storage after it, the
/// secret included), then the fields' ranges are verified. The secret is
/// the core's `RawSigningKey` form (`raw`: alg, length, then the HMAC secret
/// or the Ed25519 scalar, nonce prefix and public key), which the core signs
/// with directly (a copy per call, wiped on drop).
#[repr(C)]
pub(crate) struct KeySlot {
    magic: u64,
    check: u64,
    alg: u8,
    source: u8,
    key_id_len: u8,
    has_label: u8,
    label_len: u8,
    _reserved: [u8; 3],
    key_hash: [u8; SIGNCORE_HASH_BYTES],
    public_key: [u8; SIGNCORE_ED25519_PUBLIC_KEY_BYTES],
    key_id: [u8; SIGNCORE_KEY_ID_MAX_BYTES],
    label: [u8; SIGNCORE_LABEL_MAX_BYTES],
    raw: [u8; RAW_SIGNING_KEY_LEN],
    _tail: [u8; TAIL_BYTES],
}

/// Bytes of `magic` and `check`, which the checksum does not cover.
const CHECKED_FROM: usize = 16;
/// Bytes of the fields before `raw`.
const PLAIN_BYTES: usize = 16 + 8 + SIGNCORE_HASH_BYTES + 32 + SIGNCORE_KEY_ID_MAX_BYTES + SIGNCORE_LABEL_MAX_BYTES;
/// Explicit padding to the 8-byte alignment (zero, checksummed).
const TAIL_BYTES: usize = (8 - (PLAIN_BYTES + RAW_SIGNING_KEY_LEN) % 8) % 8;

const _: () = {
    assert!(size_of::<KeySlot>() <= SIGNCORE_KEY_STORAGE_BYTES, "SIGNCORE_KEY_STORAGE_BYTES too small");
    assert!(align_of::<KeySlot>() <= SIGNCORE_KEY_STORAGE_ALIGN, "SIGNCORE_KEY_STORAGE_ALIGN too small");
    assert!(size_of::<signcore_key>() == SIGNCORE_KEY_STORAGE_BYTES);
    assert!(align_of::<signcore_key>() == SIGNCORE_KEY_STORAGE_ALIGN);
    // No implicit padding anywhere: every byte is a field's.
    assert!(core::mem::offset_of!(KeySlot, raw) == PLAIN_BYTES);
    assert!(size_of::<KeySlot>() == PLAIN_BYTES + RAW_SIGNING_KEY_LEN + TAIL_BYTES);
};

/// The checksum's key: random per process with `std` (so storage cannot be
/// forged or carried between processes), a fixed value without.
fn checksum_seed() -> u64 {
    #[cfg(feature = "std")]
    {
        use std::hash::BuildHasher as _;
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        *SEED.get_or_init(|| std::hash::RandomState::new().hash_one(KEY_MAGIC))
    }
    #[cfg(not(feature = "std"))]
    {
        0x9e37_79b9_7f4a_7c15
    }
}

/// Keyed checksum of every storage byte after `check`: the fields, the raw
/// secret and the zero tail. Non-cryptographic (foldhash, keyed per
/// process): it detects accidental and blind changes, it does not resist an
/// attacker who can read the storage (who then holds the secret anyway).
/// Its running time depends only on the storage size, not on its bytes.
fn checksum(storage: &[u8; SIGNCORE_KEY_STORAGE_BYTES]) -> u64 {
    use core::hash::{BuildHasher as _, Hasher as _};
    let mut hasher = foldhash::quality::FixedState::with_seed(checksum_seed()).build_hasher();
    hasher.write(storage.get(CHECKED_FROM..).unwrap_or(&[]));
    hasher.finish()
}

fn source_from_u8(value: u8) -> Option<signcore_key_source> {
    use signcore_key_source::*;
    Some(match value {
        0 => SIGNCORE_SOURCE_NONE,
        1 => SIGNCORE_SOURCE_EXPLICIT,
        2 => SIGNCORE_SOURCE_KEYSTORE,
        3 => SIGNCORE_SOURCE_LEGACY_ENV,
        4 => SIGNCORE_SOURCE_LOCAL_ENV,
        5 => SIGNCORE_SOURCE_MOCK,
        6 => SIGNCORE_SOURCE_KMS,
        7 => SIGNCORE_SOURCE_PROXY,
        _ => return None,
    })
}

const ALG_HMAC: u8 = 1;
const ALG_ED25519: u8 = 2;

impl KeySlot {
    fn alg(&self) -> Alg {
        if self.alg == ALG_ED25519 { Alg::Ed25519 } else { Alg::HmacSha256 }
    }

    fn key_id(&self) -> &str {
        text_field(&self.key_id, self.key_id_len)
    }

    fn label(&self) -> Option<&str> {
        (self.has_label == 1).then(|| text_field(&self.label, self.label_len))
    }

    /// The range checks behind the checksum (defence in depth: storage
    /// that passes the checksum was written by `store`).
    fn is_well_formed(&self) -> bool {
        let text_ok =
            |bytes: &[u8], len: u8| bytes.get(..usize::from(len)).is_some_and(|b| core::str::from_utf8(b).is_ok());
        let [raw_alg, raw_len, ..] = self.raw;
        let raw_len_ok = match self.alg {
            ALG_HMAC => (1..=signcore::key::MAX_HMAC_SECRET_LEN).contains(&usize::from(raw_len)),
            _ => usize::from(raw_len) == RAW_ED25519_LEN,
        };
        matches!(self.alg, ALG_HMAC | ALG_ED25519)
            && raw_alg == self.alg
            && raw_len_ok
            && source_from_u8(self.source).is_some()
            && self.key_id_len >= 1
            && text_ok(&self.key_id, self.key_id_len)
            && self.has_label <= 1
            && text_ok(&self.label, self.label_len)
    }

    fn source(&self) -> signcore_key_source {
        source_from_u8(self.source).unwrap_or(signcore_key_source::SIGNCORE_SOURCE_NONE)
    }

    /// Signs with the stored raw form (the core checks it and signs from it;
    /// the copy is wiped when dropped) once it agrees with the stored fields:
    /// an Ed25519 key's public key in the raw form is the `public_key` field
    /// (a byte comparison; neither is re-derived from the secret, the
    /// checksum vouches for both). Storage that passed [`slot`] always
    /// agrees (defence in depth); a raw form the core refuses is
    /// `SIGNCORE_KEY_CORRUPTED` too.
    fn sign(&self, msg: &[u8]) -> Result<signcore::key::Signature, Fail> {
        let raw = RawSigningKey::from_bytes(&self.raw);
        let agrees = self.alg() != Alg::Ed25519 || raw.public_key() == Some(self.public_key);
        match agrees.then(|| raw.sign(msg)) {
            Some(Ok(signature)) => Ok(signature),
            _ => Err(SIGNCORE_KEY_CORRUPTED.into()),
        }
    }

    /// The key that verifies: an Ed25519 key from the `public_key` field
    /// alone (the secret is not read), an HMAC key from the raw form's
    /// secret. A key the core refuses is `SIGNCORE_KEY_CORRUPTED`.
    fn verifier(&self) -> Result<VerifyingKey, Fail> {
        let key = if self.alg() == Alg::Ed25519 {
            VerifyingKey::ed25519(&self.public_key)
        } else {
            RawSigningKey::from_bytes(&self.raw).verifying_key()
        };
        key.map_err(|_| Fail::Status(SIGNCORE_KEY_CORRUPTED))
    }

    fn metadata(&self) -> signcore_key_info {
        let (key_id, key_id_len) = Text::<SIGNCORE_KEY_ID_BUFFER_BYTES>::from_str(self.key_id());
        let (label, label_len) = Text::<SIGNCORE_LABEL_BUFFER_BYTES>::from_str(self.label().unwrap_or(""));
        let (key_hash_hex, _) = Text::<SIGNCORE_HASH_HEX_BYTES>::from_str(HashHex::new(&self.key_hash).as_str());
        signcore_key_info {
            key_id: key_id.into_c_chars(),
            key_id_len,
            alg: self.alg().into(),
            key_hash: self.key_hash,
            key_hash_hex: key_hash_hex.into_c_chars(),
            has_label: self.label().is_some(),
            label: label.into_c_chars(),
            label_len,
            source: self.source(),
        }
    }
}

/// The first `len` bytes of a text field (checked UTF-8 by `is_well_formed`).
fn text_field(bytes: &[u8], len: u8) -> &str {
    bytes.get(..usize::from(len)).and_then(|b| core::str::from_utf8(b).ok()).unwrap_or("")
}

fn metadata_record(meta: &KeyMetadata, source: signcore_key_source) -> signcore_key_info {
    let (key_id, key_id_len) = Text::<SIGNCORE_KEY_ID_BUFFER_BYTES>::from_str(&meta.key_id);
    let (label, label_len) = Text::<SIGNCORE_LABEL_BUFFER_BYTES>::from_str(meta.label.as_deref().unwrap_or(""));
    let (key_hash_hex, _) = Text::<SIGNCORE_HASH_HEX_BYTES>::from_str(HashHex::new(&meta.key_hash).as_str());
    signcore_key_info {
        key_id: key_id.into_c_chars(),
        key_id_len,
        alg: meta.alg.into(),
        key_hash: meta.key_hash,
        key_hash_hex: key_hash_hex.into_c_chars(),
        has_label: meta.label.is_some(),
        label: label.into_c_chars(),
        label_len,
        source,
    }
}

/// Checks `key` (tag, then checksum, then field ranges) and borrows what it holds.
///
/// # Safety
/// When non-NULL and aligned, `key` must point to a readable `signcore_key`
/// that is not written during `'a`.
unsafe fn slot<'a>(key: *const signcore_key) -> Result<&'a KeySlot, Fail> {
    if key.is_null() {
        return Err(SIGNCORE_NULL_POINTER.into());
    }
    if !key.is_aligned() {
        return Err(SIGNCORE_INVALID_ARGUMENT.into());
    }
    // SAFETY: non-NULL, aligned and readable by contract; any bytes are a
    // valid `[u8; N]` (the caller zeroes storage before first use).
    let storage = unsafe { &*key.cast::<[u8; SIGNCORE_KEY_STORAGE_BYTES]>() };
    let word = |at: usize| storage.get(at..at + 8).and_then(|b| b.try_into().ok()).map_or(0, u64::from_ne_bytes);
    if word(0) != KEY_MAGIC {
        return Err(SIGNCORE_KEY_NOT_INITIALIZED.into());
    }
    if word(8) != checksum(storage) {
        return Err(SIGNCORE_KEY_CORRUPTED.into());
    }
    // SAFETY: size and alignment fit (asserted); every bit pattern is a
    // valid KeySlot (plain fields, see its comment).
    let slot = unsafe { &*key.cast::<KeySlot>() };
    if !slot.is_well_formed() {
        return Err(SIGNCORE_KEY_CORRUPTED.into());
    }
    Ok(slot)
}

/// Checks a key pointer for writing.
fn key_out(key: *mut signcore_key) -> Result<(), Fail> {
    out_ptr(key)
}

/// Zeroes every byte of `key` (secret material included: volatile writes).
///
/// # Safety
/// `key` must be non-NULL, aligned and valid for writes of a
/// `signcore_key`, with no other reference to it alive.
unsafe fn wipe(key: *mut signcore_key) {
    // SAFETY: valid for writes and not otherwise borrowed, by contract.
    let storage = unsafe { &mut (*key)._opaque };
    // Volatile writes and a compiler fence: not optimised away. The slot is
    // plain bytes, so nothing needs dropping first.
    storage.zeroize();
}

/// Fills `key` in place with `signing` (its raw form and the fields, copied
/// into the wiped storage, never moved through a temporary slot): wipes the
/// old content, writes the fields, then the checksum and last the tag.
///
/// Checks `key_id` (1..=64 bytes) and `label` (at most 64) first: on error
/// `key` is unchanged.
///
/// # Safety
/// As [`wipe`].
pub(crate) unsafe fn store(
    key: *mut signcore_key,
    source: signcore_key_source,
    signing: &SigningKey,
    key_id: &str,
    label: Option<&str>,
) -> Result<(), Fail> {
    if key_id.is_empty() || key_id.len() > SIGNCORE_KEY_ID_MAX_BYTES {
        return Err(SIGNCORE_INVALID_ARGUMENT.into());
    }
    let label_bytes = label.unwrap_or("").as_bytes();
    if label_bytes.len() > SIGNCORE_LABEL_MAX_BYTES {
        return Err(SIGNCORE_INVALID_ARGUMENT.into());
    }
    #[allow(unreachable_patterns)]
    let alg = match signing.alg() {
        Alg::HmacSha256 => ALG_HMAC,
        Alg::Ed25519 => ALG_ED25519,
        // A key type the storage cannot hold (RSA keys stay with remote signers).
        _ => return Err(SIGNCORE_UNSUPPORTED_ALGORITHM.into()),
    };
    // SAFETY: forwarded contract.
    unsafe { wipe(key) };
    {
        // SAFETY: non-NULL, aligned, exclusive (contract); size and alignment
        // fit (asserted); the zeroed storage is a valid KeySlot (plain data).
        let slot = unsafe { &mut *key.cast::<KeySlot>() };
        slot.alg = alg;
        slot.source = source as u8;
        slot.key_id_len = key_id.len() as u8;
        slot.key_id[..key_id.len()].copy_from_slice(key_id.as_bytes());
        slot.has_label = u8::from(label.is_some());
        slot.label_len = label_bytes.len() as u8;
        slot.label[..label_bytes.len()].copy_from_slice(label_bytes);
        slot.key_hash = signing.key_hash();
        slot.public_key = signing.public_key().unwrap_or_default();
        // The raw form is wiped when dropped; only the storage keeps it.
        slot.raw.copy_from_slice(signing.to_raw().as_bytes());
    }
    let check = {
        // SAFETY: the same storage, read as bytes (the `&mut` above has
        // ended); every byte of it is initialised (plain fields, zeroed tail).
        checksum(unsafe { &*key.cast::<[u8; SIGNCORE_KEY_STORAGE_BYTES]>() })
    };
    // SAFETY: as above; the tag is written last.
    let slot = unsafe { &mut *key.cast::<KeySlot>() };
    slot.check = check;
    slot.magic = KEY_MAGIC;
    Ok(())
}

fn key_id(text: &str) -> Result<&str, Fail> {
    if text.is_empty() || text.len() > SIGNCORE_KEY_ID_MAX_BYTES {
        return Err(SIGNCORE_INVALID_ARGUMENT.into());
    }
    Ok(text)
}

/// Loads the key `key_id` from a node keystore (DESIGN.md §3) into `key`.
///
/// - `key`: caller storage; on success it holds the key (any key it held
///   before is wiped first). On failure it is left unchanged.
/// - `keystore_json`, `keystore_len`: the keystore file's bytes (a JSON
///   array of `{key_id, alg, secret_hex, label?}`), borrowed for the call.
///   The whole file is validated, not only the record asked for. The caller
///   should wipe its copy of these bytes when done (they hold secrets).
/// - `key_id`: NUL-terminated UTF-8.
/// - `error`: optional (may be NULL) failure details; for a refused record
///   they name its index and key_id and the reason, never the secret.
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_INVALID_UTF8` (`key_id`),
/// `SIGNCORE_KEY_NOT_FOUND`, `SIGNCORE_INVALID_KEYSTORE`, the JSON errors,
/// `SIGNCORE_INVALID_ARGUMENT` (a misaligned `key`).
///
/// # Safety
/// `key` must point to writable `signcore_key` storage not used by another
/// thread during the call; `keystore_json` to `keystore_len` readable bytes;
/// `key_id` to a NUL-terminated string; `error`, when not NULL, to a writable
/// `signcore_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_key_from_keystore(
    key: *mut signcore_key,
    keystore_json: *const c_char,
    keystore_len: usize,
    key_id: *const c_char,
    error: *mut signcore_error,
) -> signcore_status {
    scrubbed(|| {
        guard(error, || {
            key_out(key)?;
            // SAFETY: the caller's contracts for `keystore_json` and `key_id`.
            let (json, id) = unsafe { (input(keystore_json, keystore_len)?, c_str(key_id)?) };
            let record = keystore::load_key(json, id)?;
            let source = signcore_key_source::SIGNCORE_SOURCE_KEYSTORE;
            // SAFETY: `key` checked non-NULL and aligned; exclusive use by contract.
            unsafe { store(key, source, record.key(), record.key_id(), record.label()) }
        })
    })
}

/// Makes an HMAC-SHA256 key from raw secret bytes.
///
/// - `key`: caller storage, filled on success (old content wiped first);
///   unchanged on failure.
/// - `key_id`: NUL-terminated UTF-8, 1..=`SIGNCORE_KEY_ID_MAX_BYTES` bytes;
///   the kid reported by `signcore_key_metadata`.
/// - `secret`, `secret_len`: 1..=`SIGNCORE_HMAC_MAX_SECRET_BYTES` (64) bytes,
///   copied; the caller keeps (and should wipe) its own copy. Longer secrets
///   are refused (DESIGN.md §3: HMAC would replace them by SHA256(secret),
///   which would make the publishable key hash the effective key).
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_INVALID_KEY` (empty or over 64
/// bytes), `SIGNCORE_INVALID_UTF8`, `SIGNCORE_INVALID_ARGUMENT` (empty or
/// over-long key id, misaligned `key`).
///
/// # Safety
/// `key` must point to writable `signcore_key` storage (exclusive during the
/// call), `key_id` to a NUL-terminated string, `secret` to `secret_len`
/// readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_key_from_hmac_secret(
    key: *mut signcore_key,
    key_id: *const c_char,
    secret: *const u8,
    secret_len: usize,
) -> signcore_status {
    scrubbed(|| {
        guard(core::ptr::null_mut(), || {
            key_out(key)?;
            // SAFETY: the caller's contracts for `key_id` and `secret`.
            let (id, secret) = unsafe { (c_str(key_id)?, input_bytes(secret, secret_len)?) };
            let id = self::key_id(id)?;
            let signing = SigningKey::hmac(secret)?;
            // SAFETY: `key` checked non-NULL and aligned; exclusive use by contract.
            unsafe { store(key, signcore_key_source::SIGNCORE_SOURCE_EXPLICIT, &signing, id, None) }
        })
    })
}

/// Makes an Ed25519 key from its 32-byte RFC 8032 seed.
///
/// - `key`: caller storage, filled on success (old content wiped first).
/// - `key_id`: NUL-terminated UTF-8, 1..=`SIGNCORE_KEY_ID_MAX_BYTES` bytes.
/// - `seed`: `SIGNCORE_ED25519_SEED_BYTES` (32) bytes, read: the key keeps the
///   expanded form (scalar, nonce prefix, public key), not the seed.
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_INVALID_UTF8`,
/// `SIGNCORE_INVALID_ARGUMENT` (empty or over-long key id, misaligned `key`).
///
/// # Safety
/// `key` must point to writable `signcore_key` storage (exclusive during the
/// call), `key_id` to a NUL-terminated string, `seed` to 32 readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_key_from_ed25519_seed(
    key: *mut signcore_key,
    key_id: *const c_char,
    seed: *const u8,
) -> signcore_status {
    scrubbed(|| {
        guard(core::ptr::null_mut(), || {
            key_out(key)?;
            // SAFETY: the caller's contract for `key_id`.
            let id = self::key_id(unsafe { c_str(key_id) }?)?;
            required(seed)?;
            let mut bytes = Zeroizing::new([0u8; SIGNCORE_ED25519_SEED_BYTES]);
            // SAFETY: `seed` is non-NULL and points to 32 readable bytes by contract.
            unsafe { core::ptr::copy_nonoverlapping(seed, bytes.as_mut_ptr(), bytes.len()) };
            let signing = SigningKey::ed25519_from_seed(&bytes);
            // SAFETY: `key` checked non-NULL and aligned; exclusive use by contract.
            unsafe { store(key, signcore_key_source::SIGNCORE_SOURCE_EXPLICIT, &signing, id, None) }
        })
    })
}

/// Signs `msg` with `key` (borrowed). For audit events the message is the 32 raw
/// digest bytes (never the hex text), see `signcore_audit_digest`.
///
/// - `msg`, `msg_len`: the message; must not be NULL, even when `msg_len` is 0.
/// - `sig`, `sig_cap`: receives the signature: 32 bytes (HMAC-SHA256) or 64
///   (Ed25519); `SIGNCORE_MAX_SIGNATURE_BYTES` always fits. May be NULL only
///   when `sig_cap` is 0 (a size query). Written only on success.
/// - `sig_len`: receives the signature length on success, or the size needed
///   on `SIGNCORE_BUFFER_TOO_SMALL`.
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_KEY_NOT_INITIALIZED`, `SIGNCORE_KEY_CORRUPTED`,
/// `SIGNCORE_BUFFER_TOO_SMALL`, `SIGNCORE_INVALID_ARGUMENT`.
///
/// # Safety
/// `key` must point to a readable `signcore_key`, `msg` to `msg_len` readable
/// bytes, `sig` to `sig_cap` writable bytes, `sig_len` to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_key_sign(
    key: *const signcore_key,
    msg: *const u8,
    msg_len: usize,
    sig: *mut u8,
    sig_cap: usize,
    sig_len: *mut usize,
) -> signcore_status {
    scrubbed_words::<SIGN_SCRUB_WORDS>(|| {
        guard(core::ptr::null_mut(), || {
            // SAFETY: the caller's contracts for `key` and `msg`.
            let (slot, msg) = unsafe { (slot(key)?, input_bytes(msg, msg_len)?) };
            out_buffer(sig, sig_cap)?;
            out_ptr(sig_len)?;
            let needed = slot.alg().signature_len().unwrap_or(SIGNCORE_MAX_SIGNATURE_BYTES);
            if needed > sig_cap {
                // SAFETY: checked by `out_ptr`.
                unsafe { put(sig_len, needed) };
                return Err(Error::BufferTooSmall { needed }.into());
            }
            disjoint(msg, sig, needed)?;
            let signature = slot.sign(msg)?;
            let bytes = signature.as_bytes();
            // SAFETY: `sig` is non-NULL (sig_cap >= needed > 0) and valid for
            // `sig_cap` >= `needed` = `bytes.len()` writes by contract.
            unsafe { copy_out(bytes, sig) };
            // SAFETY: checked by `out_ptr`.
            unsafe { put(sig_len, bytes.len()) };
            Ok(())
        })
    })
}

/// Verifies a signature made by `key` over `msg`: Ed25519 strictly (RFC
/// 8032, canonical S, no small-order points), HMAC-SHA256 by comparing the
/// full 32-byte tag in constant time (for truncated tags see
/// `signcore_hmac_sha256_verify`).
///
/// Returns `SIGNCORE_OK` only when the signature verifies;
/// `SIGNCORE_SIGNATURE_INVALID` when it does not; `SIGNCORE_INVALID_LENGTH`
/// for a signature of the wrong length; `SIGNCORE_NULL_POINTER`,
/// `SIGNCORE_KEY_NOT_INITIALIZED`, `SIGNCORE_KEY_CORRUPTED`.
///
/// # Safety
/// `key` must point to a readable `signcore_key`, `msg` to `msg_len` readable
/// bytes, `sig` to `sig_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_key_verify(
    key: *const signcore_key,
    msg: *const u8,
    msg_len: usize,
    sig: *const u8,
    sig_len: usize,
) -> signcore_status {
    scrubbed_words::<SIGN_SCRUB_WORDS>(|| {
        guard(core::ptr::null_mut(), || {
            // SAFETY: the caller's contracts for `key`, `msg` and `sig`.
            let (slot, msg, sig) = unsafe { (slot(key)?, input_bytes(msg, msg_len)?, input_bytes(sig, sig_len)?) };
            Ok(slot.verifier()?.verify(msg, sig)?)
        })
    })
}

/// Writes the key's publishable hash (DESIGN.md §3): SHA256(public key) for
/// Ed25519, SHA256(secret) for HMAC-SHA256.
///
/// - `out`: receives `SIGNCORE_HASH_BYTES` (32) bytes; written only on success.
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_KEY_NOT_INITIALIZED`, `SIGNCORE_KEY_CORRUPTED`.
///
/// # Safety
/// `key` must point to a readable `signcore_key` and `out` to 32 writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_key_hash(key: *const signcore_key, out: *mut u8) -> signcore_status {
    scrubbed_words::<SIGN_SCRUB_WORDS>(|| {
        guard(core::ptr::null_mut(), || {
            // SAFETY: the caller's contract for `key`.
            let slot = unsafe { slot(key) }?;
            required(out)?;
            // SAFETY: `out` is non-NULL and valid for 32 writes by contract.
            unsafe { copy_out(&slot.key_hash, out) };
            Ok(())
        })
    })
}

/// Writes the Ed25519 public key of `key`.
///
/// - `out`: receives `SIGNCORE_ED25519_PUBLIC_KEY_BYTES` (32) bytes; written
///   only on success.
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_KEY_NOT_INITIALIZED`, `SIGNCORE_KEY_CORRUPTED`,
/// `SIGNCORE_INVALID_ARGUMENT` for an HMAC key (which has no public key).
///
/// # Safety
/// `key` must point to a readable `signcore_key` and `out` to 32 writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_key_public_key(key: *const signcore_key, out: *mut u8) -> signcore_status {
    scrubbed_words::<SIGN_SCRUB_WORDS>(|| {
        guard(core::ptr::null_mut(), || {
            // SAFETY: the caller's contract for `key`.
            let slot = unsafe { slot(key) }?;
            required(out)?;
            if slot.alg() != Alg::Ed25519 {
                return Err(SIGNCORE_INVALID_ARGUMENT.into());
            }
            // SAFETY: `out` is non-NULL and valid for 32 writes by contract.
            unsafe { copy_out(&slot.public_key, out) };
            Ok(())
        })
    })
}

/// Writes the key's publishable metadata `{ key_id, alg, key_hash, label }`
/// and its source into `*metadata`. Never any secret material.
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_KEY_NOT_INITIALIZED`, `SIGNCORE_KEY_CORRUPTED`,
/// `SIGNCORE_INVALID_ARGUMENT` (misaligned `metadata`).
///
/// # Safety
/// `key` must point to a readable `signcore_key` and `metadata` to a writable
/// `signcore_key_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_key_metadata(
    key: *const signcore_key,
    metadata: *mut signcore_key_info,
) -> signcore_status {
    scrubbed_words::<SIGN_SCRUB_WORDS>(|| {
        guard(core::ptr::null_mut(), || {
            // SAFETY: the caller's contract for `key`.
            let slot = unsafe { slot(key) }?;
            out_ptr(metadata)?;
            let record = slot.metadata();
            // SAFETY: checked by `out_ptr`; writable by contract.
            unsafe { put(metadata, record) };
            Ok(())
        })
    })
}

/// Zeroizes every byte of `key` (the secret, the key id, the label, the tag).
/// Afterwards every function refuses the key with
/// `SIGNCORE_KEY_NOT_INITIALIZED` until a constructor refills it. Wiping a
/// wiped or never-initialised key is fine (it zeroes the storage again).
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_INVALID_ARGUMENT` (misaligned).
///
/// # Safety
/// `key` must point to writable `signcore_key` storage that no other thread
/// uses during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_key_wipe(key: *mut signcore_key) -> signcore_status {
    guard(core::ptr::null_mut(), || {
        key_out(key)?;
        // SAFETY: non-NULL, aligned, writable and exclusive by contract.
        unsafe { wipe(key) };
        Ok(())
    })
}

/// Validates a keystore and writes the metadata of each key, in file order.
///
/// - `keystore_json`, `keystore_len`: the keystore file's bytes.
/// - `out`, `out_cap`: an array of `out_cap` records; may be NULL only when
///   `out_cap` is 0 (a count query). Written only on success: when the
///   keystore has more keys than `out_cap`, nothing is written and the
///   status is `SIGNCORE_BUFFER_TOO_SMALL`.
/// - `count`: receives the number of keys (on success, and on
///   `SIGNCORE_BUFFER_TOO_SMALL` as the capacity needed).
/// - `error`: optional (may be NULL) failure details (the refused record's
///   index, key_id and reason; never the secret).
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_BUFFER_TOO_SMALL`,
/// `SIGNCORE_INVALID_KEYSTORE`, the JSON errors, `SIGNCORE_INVALID_ARGUMENT`.
///
/// # Safety
/// `keystore_json` must point to `keystore_len` readable bytes, `out` to
/// `out_cap` writable records, `count` to a writable `size_t`; `error`, when
/// not NULL, to a writable `signcore_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_keystore_metadata(
    keystore_json: *const c_char,
    keystore_len: usize,
    out: *mut signcore_key_info,
    out_cap: usize,
    count: *mut usize,
    error: *mut signcore_error,
) -> signcore_status {
    scrubbed(|| {
        guard(error, || {
            // SAFETY: the caller's contract for `keystore_json`.
            let json = unsafe { input(keystore_json, keystore_len) }?;
            out_buffer(out, out_cap)?;
            out_ptr(count)?;
            let total = keystore::validate(json)?;
            if total > out_cap {
                // SAFETY: checked by `out_ptr`.
                unsafe { put(count, total) };
                return Err(Fail::TooSmall { needed: total, unit: "records" });
            }
            let mut written = 0;
            keystore::for_each_metadata(json, |meta| {
                if written < out_cap {
                    let record = metadata_record(&meta, signcore_key_source::SIGNCORE_SOURCE_KEYSTORE);
                    // SAFETY: `out` is non-NULL (out_cap > written >= 0), aligned,
                    // and valid for `out_cap` records by contract.
                    unsafe { put(out.add(written), record) };
                    written += 1;
                }
            })?;
            // SAFETY: checked by `out_ptr`.
            unsafe { put(count, written) };
            Ok(())
        })
    })
}

/// Exports the verification ring of a keystore (DESIGN.md §4) as JSON:
/// `[{"kid","alg":"ed25519","public_key":"<hex>"}, ...]` in file order, the
/// key ring to hand to verifiers instead of the keystore itself (which
/// carries every secret). HMAC keys have no public part: they are left out
/// unless `include_hmac_secrets` is true, in which case they are written as
/// `{"kid","alg":"hmac-sha256","secret_hex"}` and the output is a secret
/// ring to guard like the keystore.
///
/// - `keystore_json`, `keystore_len`: the keystore file's bytes; the whole
///   file is validated first (a refused record writes nothing).
/// - `out`, `out_cap`: the caller's buffer for the ring JSON (UTF-8, **not**
///   NUL-terminated); may be NULL only when `out_cap` is 0 (a size query).
///   Must not overlap the input.
/// - `out_len`: receives the ring's length on `SIGNCORE_OK`, or the size
///   needed on `SIGNCORE_BUFFER_TOO_SMALL` (then nothing is written to `out`).
/// - `omitted_hmac`: optional (may be NULL); receives on `SIGNCORE_OK` how
///   many HMAC keys were left out.
/// - `error`: optional (may be NULL) failure details (the refused record's
///   index, key_id and reason; never a secret).
///
/// Errors: `SIGNCORE_NULL_POINTER`, `SIGNCORE_BUFFER_TOO_SMALL`,
/// `SIGNCORE_INVALID_KEYSTORE`, `SIGNCORE_UNSUPPORTED_ALGORITHM`, the JSON
/// errors, `SIGNCORE_INVALID_ARGUMENT` (overlapping buffers). The keystore is
/// read twice (to size the output, then to write it); no heap.
///
/// # Safety
/// `keystore_json` must point to `keystore_len` readable bytes, `out` to
/// `out_cap` writable bytes, `out_len` to a writable `size_t`;
/// `omitted_hmac` and `error`, when not NULL, to a writable `size_t` /
/// `signcore_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_keystore_public_ring(
    keystore_json: *const c_char,
    keystore_len: usize,
    include_hmac_secrets: bool,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
    omitted_hmac: *mut usize,
    error: *mut signcore_error,
) -> signcore_status {
    scrubbed(|| {
        guard(error, || {
            // SAFETY: the caller's contract for `keystore_json`.
            let json = unsafe { input(keystore_json, keystore_len) }?;
            out_buffer(out, out_cap)?;
            out_ptr(out_len)?;
            if !omitted_hmac.is_null() {
                out_ptr(omitted_hmac)?;
            }
            let hmac = if include_hmac_secrets { keystore::HmacSecrets::Include } else { keystore::HmacSecrets::Omit };
            let mut counter = crate::text::Counter(0);
            keystore::write_public_ring(json, hmac, &mut counter)?;
            let needed = counter.0;
            if needed > out_cap {
                // SAFETY: checked by `out_ptr`.
                unsafe { put(out_len, needed) };
                return Err(Error::BufferTooSmall { needed }.into());
            }
            disjoint(json, out.cast(), needed)?;
            // SAFETY: `out` is non-NULL (out_cap >= needed > 0: a ring is at
            // least `[]`), valid for `out_cap` writes and disjoint from `json`.
            let dst = unsafe { core::slice::from_raw_parts_mut(out.cast::<u8>(), needed) };
            let mut sink = signcore::canonical::SliceSink::new(dst);
            let export = keystore::write_public_ring(json, hmac, &mut sink)?;
            let written = sink.finish()?;
            // SAFETY: checked by `out_ptr`.
            unsafe { put(out_len, written) };
            if !omitted_hmac.is_null() {
                // SAFETY: non-NULL and checked by `out_ptr`.
                unsafe { put(omitted_hmac, export.omitted_hmac) };
            }
            Ok(())
        })
    })
}

/// Verifies an Ed25519 signature with a raw public key, strictly (RFC 8032:
/// canonical S; small-order or invalid public keys are refused).
///
/// - `public_key`: `SIGNCORE_ED25519_PUBLIC_KEY_BYTES` (32) bytes.
/// - `msg`, `msg_len`: the message; must not be NULL, even when empty.
/// - `sig`, `sig_len`: the signature (must be 64 bytes).
///
/// Returns `SIGNCORE_OK` only when the signature verifies;
/// `SIGNCORE_SIGNATURE_INVALID`, `SIGNCORE_INVALID_LENGTH` (signature not 64
/// bytes), `SIGNCORE_INVALID_KEY` (weak or invalid public key),
/// `SIGNCORE_NULL_POINTER`.
///
/// # Safety
/// `public_key` must point to 32 readable bytes, `msg` to `msg_len`, `sig` to
/// `sig_len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_ed25519_verify(
    public_key: *const u8,
    msg: *const u8,
    msg_len: usize,
    sig: *const u8,
    sig_len: usize,
) -> signcore_status {
    guard(core::ptr::null_mut(), || {
        // SAFETY: the caller's contracts.
        let (public_key, msg, sig) = unsafe {
            (
                input_bytes(public_key, SIGNCORE_ED25519_PUBLIC_KEY_BYTES)?,
                input_bytes(msg, msg_len)?,
                input_bytes(sig, sig_len)?,
            )
        };
        let mut pk = [0u8; SIGNCORE_ED25519_PUBLIC_KEY_BYTES];
        pk.copy_from_slice(public_key);
        Ok(VerifyingKey::ed25519(&pk)?.verify(msg, sig)?)
    })
}

/// Verifies an HMAC-SHA256 tag, full or truncated, for interoperability
/// (e.g. Wycheproof, other HMAC implementations).
///
/// - `secret`, `secret_len`: any non-empty key. Unlike `signcore_key`s, keys
///   longer than 64 bytes are accepted and, as RFC 2104 says, replaced by
///   their SHA-256 (so the tags match any HMAC implementation).
/// - `msg`, `msg_len`: the message; must not be NULL, even when empty.
/// - `tag`, `tag_len`: the leftmost `tag_len` bytes of the tag,
///   `SIGNCORE_HMAC_MIN_TAG_BYTES`..=`SIGNCORE_HMAC_TAG_BYTES` (16..=32; RFC
///   2104 §5), compared in constant time.
///
/// Returns `SIGNCORE_OK` only when the tag verifies;
/// `SIGNCORE_SIGNATURE_INVALID`, `SIGNCORE_INVALID_LENGTH` (tag length out
/// of range), `SIGNCORE_INVALID_KEY` (empty secret), `SIGNCORE_NULL_POINTER`.
///
/// # Safety
/// `secret` must point to `secret_len` readable bytes, `msg` to `msg_len`,
/// `tag` to `tag_len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signcore_hmac_sha256_verify(
    secret: *const u8,
    secret_len: usize,
    msg: *const u8,
    msg_len: usize,
    tag: *const u8,
    tag_len: usize,
) -> signcore_status {
    scrubbed_words::<SIGN_SCRUB_WORDS>(|| {
        guard(core::ptr::null_mut(), || {
            // SAFETY: the caller's contracts.
            let (secret, msg, tag) =
                unsafe { (input_bytes(secret, secret_len)?, input_bytes(msg, msg_len)?, input_bytes(tag, tag_len)?) };
            Ok(HmacKey::new_rfc2104(secret)?.verify_truncated(msg, tag)?)
        })
    })
}

/// The canonical name of an algorithm (`"hmac-sha256"`, `"ed25519"`), or
/// `"unknown"`: a static NUL-terminated string the caller must not free.
/// `alg` is an `int` so that any value is safe to pass.
#[unsafe(no_mangle)]
pub extern "C" fn signcore_alg_str(alg: c_int) -> *const c_char {
    match alg {
        1 => c"hmac-sha256".as_ptr(),
        2 => c"ed25519".as_ptr(),
        3 => c"rsa-sha256".as_ptr(),
        _ => c"unknown".as_ptr(),
    }
}

/// A short name for a key source (`"keystore"`, `"mock"`, `"kms"`, ...), or
/// `"unknown"`: a static NUL-terminated string the caller must not free.
#[unsafe(no_mangle)]
pub extern "C" fn signcore_key_source_str(source: c_int) -> *const c_char {
    match source {
        0 => c"none".as_ptr(),
        1 => c"explicit".as_ptr(),
        2 => c"keystore".as_ptr(),
        3 => c"legacy-env".as_ptr(),
        4 => c"local-env".as_ptr(),
        5 => c"mock".as_ptr(),
        6 => c"kms".as_ptr(),
        7 => c"proxy".as_ptr(),
        _ => c"unknown".as_ptr(),
    }
}
