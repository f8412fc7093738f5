//! The node keystore (DESIGN.md §3) and key rings for verification (§4).
//!
//! A keystore is a JSON array of `{key_id, alg, secret_hex, label?}`. Records
//! are read with the crate's own strict scanner (the one behind the
//! canonicalizer: one set of JSON rules everywhere); secrets are decoded from
//! hex in constant time into wiped buffers. Errors name the record (index,
//! `key_id`) and the reason, never the secret.
//!
//! **Capacity**: with the `alloc` feature (every host build) keystores and
//! rings hold any number of keys, found by id in O(log n), and loading is
//! O(n log n). Without `alloc` both hold at most [`MAX_KEYS`] records; a
//! larger file is refused with `RecordProblem::TooManyRecords` at record
//! [`MAX_KEYS`], whichever call reads it (so what an edge build refuses, it
//! refuses everywhere).
//!
//! ```
//! use signcore::keystore::{Keystore, load_key};
//! let json = br#"[{"key_id": "node-1", "alg": "hmac_sha256", "secret_hex": "aa55aa55", "label": "primary"}]"#;
//! let store = Keystore::from_json(json)?;
//! let meta = store.get("node-1").unwrap().metadata();
//! assert_eq!(meta.alg.as_str(), "hmac-sha256");
//! let record = load_key(json, "node-1")?;
//! assert_eq!(record.key().key_hash(), meta.key_hash);
//! # Ok::<(), signcore::Error>(())
//! ```

use core::{borrow::Borrow, fmt, ops::Deref};

use zeroize::Zeroizing;

use crate::canonical::Sink;
use crate::digest::Hash;
use crate::error::{Error, RecordContext, RecordError, RecordProblem};
use crate::json::{Elements, Span, array_start, expect_end, pick_members, skip_ws, string_content};
use crate::key::{Alg, ED25519_PUBLIC_KEY_LEN, ED25519_SEED_LEN, HmacKey, SigningInner, SigningKey, VerifyingKey};

/// How many records a keystore or ring holds in builds without `alloc`
/// (with `alloc` there is no limit).
pub const MAX_KEYS: usize = 16;
/// Longest `key_id`/`kid` in bytes (UTF-8).
pub const MAX_KEY_ID_LEN: usize = 64;
/// Longest `label` in bytes (UTF-8).
pub const MAX_LABEL_LEN: usize = 64;

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $max:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(heapless::String<$max>);

        impl $name {
            #[doc = concat!("A ", $what, " of at most [`", stringify!($max), "`] bytes.")]
            pub fn new(text: &str) -> Result<Self, Error> {
                heapless::String::try_from(text)
                    .map($name)
                    .map_err(|_| Error::TooLong { what: $what, max: $max, actual: text.len() })
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// Decodes a validated raw JSON string; `None` when it does not fit.
            pub(crate) fn from_raw_json(raw: &[u8]) -> Option<Self> {
                crate::json::decode_string(raw).map($name)
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                self.as_str()
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Error;
            fn try_from(text: &str) -> Result<Self, Error> {
                Self::new(text)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }
    };
}

bounded_text!(
    /// A key identifier (`key_id` in keystores, `kid` in rings and signature
    /// blocks): UTF-8 of at most [`MAX_KEY_ID_LEN`] bytes. Not secret.
    KeyId,
    MAX_KEY_ID_LEN,
    "key_id"
);
bounded_text!(
    /// A key label: UTF-8 of at most [`MAX_LABEL_LEN`] bytes. Not secret.
    Label,
    MAX_LABEL_LEN,
    "label"
);

/// Storage for records and ring entries: the heap with `alloc`, a fixed
/// array of [`MAX_KEYS`] without.
#[cfg(feature = "alloc")]
type Store<T> = alloc::vec::Vec<T>;
#[cfg(not(feature = "alloc"))]
type Store<T> = heapless::Vec<T, MAX_KEYS>;

#[cfg(feature = "alloc")]
fn store_push<T>(store: &mut Store<T>, item: T) -> Result<(), T> {
    store.push(item);
    Ok(())
}
#[cfg(not(feature = "alloc"))]
fn store_push<T>(store: &mut Store<T>, item: T) -> Result<(), T> {
    store.push(item)
}

/// Finds items by key id: a sorted index with `alloc` (O(log n)), a linear
/// scan over at most [`MAX_KEYS`] items without.
#[derive(Clone, Default)]
struct IdIndex {
    #[cfg(feature = "alloc")]
    sorted: alloc::vec::Vec<u32>,
}

impl IdIndex {
    /// Position of `id` among `count` items whose ids `id_of` gives.
    fn find<'s>(&self, id: &str, count: usize, id_of: impl Fn(usize) -> &'s str) -> Option<usize> {
        #[cfg(feature = "alloc")]
        {
            let _ = count;
            self.search(id, &id_of).ok().and_then(|k| self.sorted.get(k)).map(|&i| i as usize)
        }
        #[cfg(not(feature = "alloc"))]
        {
            (0..count).find(|&i| id_of(i) == id)
        }
    }

    #[cfg(feature = "alloc")]
    fn search<'s>(&self, id: &str, id_of: &impl Fn(usize) -> &'s str) -> Result<usize, usize> {
        self.sorted.binary_search_by(|&i| id_of(i as usize).as_bytes().cmp(id.as_bytes()))
    }

    /// Records that item `position` (the newest) has `id`, not yet present.
    fn add<'s>(&mut self, id: &str, position: usize, id_of: impl Fn(usize) -> &'s str) {
        #[cfg(feature = "alloc")]
        if let Err(k) = self.search(id, &id_of) {
            self.sorted.insert(k, position as u32);
        }
        #[cfg(not(feature = "alloc"))]
        let _ = (id, position, id_of);
    }
}

/// Publishable facts about a key: `{ key_id, alg, key_hash, label }`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyMetadata {
    /// The key's id.
    pub key_id: KeyId,
    /// Its algorithm.
    pub alg: Alg,
    /// SHA256(public key) for Ed25519, SHA256(secret) for HMAC.
    pub key_hash: Hash,
    /// Optional label.
    pub label: Option<Label>,
}

/// One validated keystore record: id, label and the signing key.
#[derive(Clone, Debug)]
pub struct KeyRecord {
    key_id: KeyId,
    label: Option<Label>,
    key: SigningKey,
}

impl KeyRecord {
    /// The record's `key_id`.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The record's label, if any.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The signing key.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// Takes the signing key out of the record.
    pub fn into_key(self) -> SigningKey {
        self.key
    }

    /// The publishable metadata.
    pub fn metadata(&self) -> KeyMetadata {
        KeyMetadata {
            key_id: self.key_id.clone(),
            alg: self.key.alg(),
            key_hash: self.key.key_hash(),
            label: self.label.clone(),
        }
    }
}

/// A parsed keystore, all records validated (capacity: see the module docs).
#[derive(Clone, Default)]
pub struct Keystore {
    records: Store<KeyRecord>,
    index: IdIndex,
}

impl Keystore {
    /// Parses and validates a keystore file's JSON.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let mut store = Keystore::default();
        for_each_record(json, Mode::Keystore, |record| {
            let built = record.record()?;
            let position = store.records.len();
            store_push(&mut store.records, built).map_err(|_| record.fail(RecordProblem::TooManyRecords))?;
            let records = &store.records;
            store.index.add(&record.key_id, position, |i| records.get(i).map_or("", |r| r.key_id.as_str()));
            Ok(())
        })?;
        Ok(store)
    }

    /// The record with this `key_id`.
    pub fn get(&self, key_id: &str) -> Option<&KeyRecord> {
        let records = &self.records;
        let position = self.index.find(key_id, records.len(), |i| records.get(i).map_or("", |r| r.key_id.as_str()));
        position.and_then(|i| records.get(i))
    }

    /// All records, in file order.
    pub fn records(&self) -> &[KeyRecord] {
        &self.records
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the keystore holds no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

impl fmt::Debug for Keystore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.records.iter().map(|r| r.key_id.as_str())).finish()
    }
}

/// Validates the whole keystore and returns the record `key_id`, holding
/// only one record at a time (for small stacks). [`Error::KeyNotFound`] when
/// the file is valid but has no such key.
pub fn load_key(json: &[u8], key_id: &str) -> Result<KeyRecord, Error> {
    // Validate everything first, noting only where the key is; then build
    // that one key. Keeps a single key on the stack, built once.
    let mut found = None;
    for_each_record(json, Mode::Keystore, |record| {
        if found.is_none() && record.key_id.as_str() == key_id {
            found = Some(record.index);
        }
        Ok(())
    })?;
    let index = found.ok_or_else(|| key_not_found(key_id))?;
    let span =
        Elements::new(json, skip_ws(json, 0), 0)?.delimit_only().nth(index).ok_or_else(|| key_not_found(key_id))??;
    parse_record(json, span, index, Mode::Keystore)?.record()
}

#[cold]
#[inline(never)]
fn key_not_found(key_id: &str) -> Error {
    Error::KeyNotFound { key_id: KeyId::new(key_id).ok() }
}

/// Calls `f` with the metadata of every key, after validating the whole file
/// (nothing is reported from a keystore that would be refused).
pub fn for_each_metadata(json: &[u8], mut f: impl FnMut(KeyMetadata)) -> Result<usize, Error> {
    validate(json)?;
    for_each_record(json, Mode::Keystore, |record| {
        f(record.record()?.metadata());
        Ok(())
    })
}

/// Validates a keystore without keeping anything; returns the record count.
pub fn validate(json: &[u8]) -> Result<usize, Error> {
    for_each_record(json, Mode::Keystore, |_| Ok(()))
}

/// Whether [`write_public_ring`] and [`ring_entry`] write HMAC keys, whose
/// ring entry is the secret itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HmacSecrets {
    /// Leave HMAC keys out (a public ring: safe to hand to any verifier).
    Omit,
    /// Write HMAC keys with their `secret_hex` (a secret ring: guard it like
    /// the keystore).
    Include,
}

/// What [`write_public_ring`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RingExport {
    /// Ring entries written.
    pub written: usize,
    /// HMAC records left out ([`HmacSecrets::Omit`]).
    pub omitted_hmac: usize,
}

/// Writes the verification ring of a keystore as JSON into `sink`:
/// `[{"kid","alg":"ed25519","public_key"}, ...]`, in file order. HMAC keys
/// are written (`{"kid","alg":"hmac-sha256","secret_hex"}`) only with
/// [`HmacSecrets::Include`]. The whole keystore is validated first, so
/// nothing is written from a keystore that would be refused.
pub fn write_public_ring<S: Sink + ?Sized>(
    keystore_json: &[u8],
    hmac: HmacSecrets,
    sink: &mut S,
) -> Result<RingExport, Error> {
    validate(keystore_json)?;
    let mut export = RingExport::default();
    sink.write(b"[");
    for_each_record(keystore_json, Mode::Keystore, |record| {
        let key = record.signing_key()?;
        if key.alg() == Alg::HmacSha256 && hmac == HmacSecrets::Omit {
            export.omitted_hmac += 1;
            return Ok(());
        }
        if export.written > 0 {
            sink.write(b",");
        }
        ring_entry(&record.key_id, &key, hmac, &mut *sink)?;
        export.written += 1;
        Ok(())
    })?;
    sink.write(b"]");
    Ok(export)
}

/// Writes the ring entry of one key as JSON: `{"kid","alg":"ed25519",
/// "public_key"}` for Ed25519; for HMAC `{"kid","alg":"hmac-sha256",
/// "secret_hex"}` with [`HmacSecrets::Include`], else
/// [`Error::SecretRequired`] (an HMAC key has no public part).
pub fn ring_entry<S: Sink + ?Sized>(kid: &str, key: &SigningKey, hmac: HmacSecrets, sink: &mut S) -> Result<(), Error> {
    if kid.is_empty() {
        return Err(record_error(RecordContext::Ring, 0, None, RecordProblem::MissingKeyId));
    }
    if matches!(key.inner(), SigningInner::Hmac(_)) && hmac == HmacSecrets::Omit {
        return Err(Error::SecretRequired);
    }
    sink.write(br#"{"kid":"#);
    crate::canonical::write_json_string(kid, &mut *sink);
    sink.write(br#","alg":""#);
    sink.write(key.alg().as_str().as_bytes());
    match key.inner() {
        SigningInner::Hmac(k) => {
            sink.write(br#"","secret_hex":""#);
            let mut text = Zeroizing::new([0u8; 2 * crate::key::MAX_HMAC_SECRET_LEN]);
            let hex = crate::hex::encode(k.secret(), &mut text[..])?;
            sink.write(hex.as_bytes());
        }
        SigningInner::Ed25519(_) => {
            sink.write(br#"","public_key":""#);
            let public = key.public_key().unwrap_or([0; ED25519_PUBLIC_KEY_LEN]);
            sink.write(crate::hex::HexBuf::<32, 64>::new(&public).as_str().as_bytes());
        }
    }
    sink.write(br#""}"#);
    Ok(())
}

/// One trusted key of a ring.
#[derive(Clone)]
struct RingEntry {
    kid: KeyId,
    key: VerifyingKey,
}

/// Trusted verification keys by `kid` (capacity: see the module docs).
///
/// Built from ring JSON (`[{kid, alg: "ed25519", public_key}, {kid, alg:
/// "hmac-sha256", secret_hex}]`, and with the `rsa` feature `{kid, alg:
/// "rsa-sha256", public_key | public_key_pem}`) or from a keystore file (its
/// `key_id` is the kid; Ed25519 public keys are derived from the seeds).
/// Prefer a public ring ([`write_public_ring`]): a keystore used as a ring
/// carries every secret into the verifier.
#[derive(Clone, Default)]
pub struct KeyRing {
    entries: Store<RingEntry>,
    index: IdIndex,
}

impl KeyRing {
    /// An empty ring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses ring JSON or a keystore file.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let mut ring = Self::new();
        for_each_record(json, Mode::Ring, |record| {
            let key = record.verifying_key()?;
            ring.insert(&record.key_id, key).map_err(|e| match e {
                Error::Record(r) => Error::Record(RecordError { index: record.index, ..r }),
                other => other,
            })
        })?;
        Ok(ring)
    }

    /// Adds a key. Refuses an empty or over-long `kid`, a `kid` already
    /// present and, without `alloc`, a full ring.
    pub fn insert(&mut self, kid: &str, key: VerifyingKey) -> Result<(), Error> {
        let index = self.entries.len();
        let fail = |id: Option<KeyId>, problem| record_error(RecordContext::Ring, index, id, problem);
        let id = KeyId::new(kid).map_err(|_| fail(None, RecordProblem::KeyIdTooLong))?;
        if id.is_empty() {
            return Err(fail(None, RecordProblem::MissingKeyId));
        }
        if self.position(kid).is_some() {
            return Err(fail(Some(id), RecordProblem::DuplicateKeyId));
        }
        store_push(&mut self.entries, RingEntry { kid: id, key })
            .map_err(|entry| fail(Some(entry.kid), RecordProblem::TooManyRecords))?;
        let entries = &self.entries;
        self.index.add(kid, index, |i| entries.get(i).map_or("", |e| e.kid.as_str()));
        Ok(())
    }

    /// The key for `kid`.
    pub fn get(&self, kid: &str) -> Option<&VerifyingKey> {
        self.position(kid).and_then(|i| self.entries.get(i)).map(|e| &e.key)
    }

    /// Index of the entry whose kid equals the raw (escaped) JSON string.
    pub(crate) fn position_raw(&self, raw_kid: &[u8]) -> Option<usize> {
        if !raw_kid.contains(&b'\\') {
            return core::str::from_utf8(raw_kid).ok().and_then(|kid| self.position(kid));
        }
        KeyId::from_raw_json(raw_kid).and_then(|kid| self.position(&kid))
    }

    fn position(&self, kid: &str) -> Option<usize> {
        let entries = &self.entries;
        self.index.find(kid, entries.len(), |i| entries.get(i).map_or("", |e| e.kid.as_str()))
    }

    /// The entry at `index`: its kid and key.
    pub fn entry(&self, index: usize) -> Option<(&str, &VerifyingKey)> {
        self.entries.get(index).map(|e| (e.kid.as_str(), &e.key))
    }

    /// The key hash of the entry at `index` (DESIGN.md §3): equal for the
    /// same key listed under several kids.
    pub fn key_hash(&self, index: usize) -> Option<Hash> {
        self.entries.get(index).map(|e| e.key.key_hash())
    }

    /// The entries in insertion order: kid and key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &VerifyingKey)> {
        self.entries.iter().map(|e| (e.kid.as_str(), &e.key))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the ring holds no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries.iter().map(|e| (e.kid.as_str(), e.key.alg()))).finish()
    }
}

fn record_error(context: RecordContext, index: usize, key_id: Option<KeyId>, problem: RecordProblem) -> Error {
    Error::Record(RecordError { context, index, key_id, problem })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `key_id` + `secret_hex` required.
    Keystore,
    /// `kid` or `key_id`; Ed25519 and RSA may give a public key instead.
    Ring,
}

impl Mode {
    fn context(self) -> RecordContext {
        match self {
            Mode::Keystore => RecordContext::Keystore,
            Mode::Ring => RecordContext::Ring,
        }
    }
}

/// Which key material a record carries (still hex, or PEM, text).
#[derive(Clone, Copy)]
enum Material<'a> {
    Secret(&'a [u8]),
    PublicKey(&'a [u8]),
    #[cfg_attr(not(feature = "rsa"), allow(dead_code))]
    PublicKeyPem(&'a [u8]),
}

/// A record whose fields have been checked; keys are built on demand, so
/// validating a file never derives an Ed25519 public key it does not need.
struct Parsed<'a> {
    index: usize,
    context: RecordContext,
    key_id: KeyId,
    alg: Alg,
    /// Raw JSON string content, checked to fit a [`Label`].
    label: Option<&'a [u8]>,
    material: Material<'a>,
}

impl Parsed<'_> {
    fn fail(&self, problem: RecordProblem) -> Error {
        record_error(self.context, self.index, Some(self.key_id.clone()), problem)
    }

    fn map_key_error(&self, e: Error) -> Error {
        match e {
            Error::InvalidKey(problem) => self.fail(problem),
            Error::InvalidHex => self.fail(RecordProblem::InvalidHex),
            Error::InvalidLength { .. } => self.fail(RecordProblem::WrongKeyLength),
            Error::UnsupportedAlgorithm => self.fail(RecordProblem::UnsupportedAlg),
            record @ Error::Record(_) => record,
            _ => self.fail(RecordProblem::NotARecord),
        }
    }

    /// Decodes the key material into wiped scratch and checks its length,
    /// without building a key.
    fn check(&self) -> Result<(), Error> {
        match (self.material, self.alg) {
            (Material::Secret(hex), Alg::HmacSha256) => HmacKey::check_hex(hex),
            (Material::Secret(hex), _) | (Material::PublicKey(hex), Alg::Ed25519) => {
                let mut bytes = Zeroizing::new([0u8; ED25519_SEED_LEN]);
                crate::hex::decode_exact(hex, &mut bytes[..])
            }
            // RSA keys are parsed to be checked (a ring with the rsa feature).
            #[cfg(feature = "rsa")]
            (Material::PublicKey(_) | Material::PublicKeyPem(_), _) => return self.verifying_key().map(drop),
            #[cfg(not(feature = "rsa"))]
            _ => Err(Error::UnsupportedAlgorithm),
        }
        .map_err(|e| self.map_key_error(e))
    }

    // Not inlined: LTO would otherwise merge its frame into load_key's.
    #[inline(never)]
    fn signing_key(&self) -> Result<SigningKey, Error> {
        match self.material {
            Material::Secret(hex) => SigningKey::from_hex(self.alg, hex).map_err(|e| self.map_key_error(e)),
            Material::PublicKey(_) | Material::PublicKeyPem(_) => Err(self.fail(RecordProblem::MissingSecret)),
        }
    }

    // Not inlined: its key value would otherwise enlarge `check`'s frame.
    #[inline(never)]
    fn verifying_key(&self) -> Result<VerifyingKey, Error> {
        match (self.material, self.alg) {
            (Material::Secret(_), _) => self.signing_key().map(|k| k.verifying_key()),
            (Material::PublicKey(hex), Alg::Ed25519) => crate::hex::decode_array::<ED25519_PUBLIC_KEY_LEN>(hex)
                .and_then(|bytes| VerifyingKey::ed25519(&bytes))
                .map_err(|e| self.map_key_error(e)),
            #[cfg(feature = "rsa")]
            (Material::PublicKey(hex), Alg::RsaSha256) => {
                let mut der = alloc::vec![0u8; hex.len() / 2];
                crate::hex::decode(hex, &mut der)
                    .and_then(VerifyingKey::rsa_spki_der)
                    .map_err(|e| self.map_key_error(e))
            }
            #[cfg(feature = "rsa")]
            (Material::PublicKeyPem(raw), Alg::RsaSha256) => {
                // PEM text has line breaks, escaped (`\n`) in the JSON string.
                let pem: alloc::string::String = crate::json::Chars::new(raw).collect();
                VerifyingKey::rsa_pem(&pem).map_err(|e| self.map_key_error(e))
            }
            _ => Err(self.fail(RecordProblem::UnsupportedAlg)),
        }
    }

    #[inline(never)]
    fn record(&self) -> Result<KeyRecord, Error> {
        Ok(KeyRecord {
            key_id: self.key_id.clone(),
            label: self.label.and_then(Label::from_raw_json),
            key: self.signing_key()?,
        })
    }
}

/// Splits the top-level array and hands each checked record to `f`.
#[inline(never)]
fn for_each_record<'j>(
    json: &'j [u8],
    mode: Mode,
    mut f: impl FnMut(Parsed<'j>) -> Result<(), Error>,
) -> Result<usize, Error> {
    let start = array_start(json)?;
    // The file's JSON first, so that a truncated file reads as bad JSON
    // rather than as a bad record.
    expect_end(json, crate::json::skip_value(json, start, 0)?)?;
    let duplicate = first_duplicate(json, start, mode);
    let mut elements = Elements::new(json, start, 0)?.delimit_only();
    let mut count = 0;
    for (index, element) in (&mut elements).enumerate() {
        if cfg!(not(feature = "alloc")) && index >= MAX_KEYS {
            return Err(record_error(mode.context(), index, None, RecordProblem::TooManyRecords));
        }
        let record = parse_record(json, element?, index, mode)?;
        if duplicate == Some(index) {
            return Err(record.fail(RecordProblem::DuplicateKeyId));
        }
        f(record)?;
        count = index + 1;
    }
    expect_end(json, elements.end())?;
    Ok(count)
}

/// The id a record is known by (decoded), when it can be read.
#[cfg(feature = "alloc")]
fn record_id(json: &[u8], span: Span, mode: Mode) -> Option<KeyId> {
    let [key_id, kid] = pick_members(json, span.start, 1, ["key_id", "kid"]).ok()?;
    let id = match (mode, key_id, kid) {
        (_, Some(id), _) | (Mode::Ring, None, Some(id)) => id,
        _ => return None,
    };
    KeyId::from_raw_json(string_content(json, id)?)
}

/// The index of the first record whose id an earlier record already has:
/// sorting with `alloc` (O(n log n)), pairwise over at most [`MAX_KEYS`]
/// records without.
#[cfg(feature = "alloc")]
fn first_duplicate(json: &[u8], array: usize, mode: Mode) -> Option<usize> {
    let elements = Elements::new(json, array, 0).ok()?.delimit_only();
    let mut ids: alloc::vec::Vec<(KeyId, usize)> =
        elements.enumerate().filter_map(|(i, span)| Some((record_id(json, span.ok()?, mode)?, i))).collect();
    ids.sort_unstable();
    ids.windows(2).filter_map(|w| (w[0].0 == w[1].0).then_some(w[1].1)).min()
}

#[cfg(not(feature = "alloc"))]
#[inline(never)]
fn first_duplicate(json: &[u8], array: usize, mode: Mode) -> Option<usize> {
    // Raw (still escaped) ids compared as decoded text, without decoding.
    let raw_id = |span: Span| {
        let [key_id, kid] = pick_members(json, span.start, 1, ["key_id", "kid"]).ok()?;
        let id = match (mode, key_id, kid) {
            (_, Some(id), _) | (Mode::Ring, None, Some(id)) => id,
            _ => return None,
        };
        string_content(json, id)
    };
    let elements = || Elements::new(json, array, 0).ok().map(Elements::delimit_only);
    for (index, span) in elements()?.enumerate().take(MAX_KEYS) {
        let Some(id) = span.ok().and_then(raw_id) else { continue };
        let mut earlier = elements()?.take(index).filter_map(|span| raw_id(span.ok()?));
        if earlier.any(|other| crate::json::cmp_utf16(other, id).is_eq()) {
            return Some(index);
        }
    }
    None
}

fn parse_record(json: &[u8], span: Span, index: usize, mode: Mode) -> Result<Parsed<'_>, Error> {
    let context = mode.context();
    let not_a_record = || record_error(context, index, None, RecordProblem::NotARecord);
    // The whole file has been validated: members are only delimited here.
    // `public_key_pem` is read only where RSA keys can be used.
    #[cfg(feature = "rsa")]
    const NAMES: [&str; 7] = ["key_id", "kid", "alg", "secret_hex", "public_key", "label", "public_key_pem"];
    #[cfg(not(feature = "rsa"))]
    const NAMES: [&str; 6] = ["key_id", "kid", "alg", "secret_hex", "public_key", "label"];
    let fields = pick_members(json, span.start, 1, NAMES).map_err(|_| not_a_record())?;
    // Every member read is a string, or `null` for "absent".
    let text = |value: Option<Span>| match value {
        Some(v) if v.of(json) == b"null" => Ok(None),
        Some(v) => string_content(json, v).map(Some).ok_or_else(not_a_record),
        None => Ok(None),
    };
    let [key_id, kid, alg, secret_hex, public_key, label, ..] = fields;
    #[cfg(feature = "rsa")]
    let public_key_pem = fields[6];
    #[cfg(not(feature = "rsa"))]
    let public_key_pem: Option<Span> = None;
    let (key_id, kid) = (text(key_id)?, text(kid)?);
    let raw_id = match (mode, key_id, kid) {
        (_, Some(id), _) | (Mode::Ring, None, Some(id)) => id,
        _ => return Err(record_error(context, index, None, RecordProblem::MissingKeyId)),
    };
    let key_id =
        KeyId::from_raw_json(raw_id).ok_or_else(|| record_error(context, index, None, RecordProblem::KeyIdTooLong))?;
    if key_id.is_empty() {
        return Err(record_error(context, index, None, RecordProblem::MissingKeyId));
    }
    let mut record =
        Parsed { index, context, key_id, alg: Alg::HmacSha256, label: None, material: Material::Secret(&[]) };
    record.alg = match text(alg)?.map(crate::json::decode_string::<16>) {
        None => return Err(record.fail(RecordProblem::MissingAlg)),
        Some(None) => return Err(record.fail(RecordProblem::UnknownAlg)),
        Some(Some(name)) => match Alg::parse(&name) {
            Ok(alg) => alg,
            Err(_) => return Err(record.fail(RecordProblem::UnknownAlg)),
        },
    };
    record.label = text(label)?;
    if record.label.is_some_and(|raw| !crate::json::decoded_fits(raw, MAX_LABEL_LEN)) {
        return Err(record.fail(RecordProblem::LabelTooLong));
    }
    // Hex text is used as written: an escape inside it is not hex.
    if record.alg == Alg::RsaSha256 && (mode == Mode::Keystore || !cfg!(feature = "rsa")) {
        // Verify-only: a keystore cannot hold RSA keys, nor can a ring without the rsa feature.
        return Err(record.fail(RecordProblem::UnsupportedAlg));
    }
    record.material = match (text(secret_hex)?, text(public_key)?, mode, record.alg) {
        (Some(_), _, _, Alg::RsaSha256) => return Err(record.fail(RecordProblem::UnsupportedAlg)),
        (Some(secret), _, _, _) => Material::Secret(secret),
        (None, Some(public), Mode::Ring, Alg::Ed25519 | Alg::RsaSha256) => Material::PublicKey(public),
        (None, None, Mode::Ring, Alg::RsaSha256) => match text(public_key_pem)? {
            Some(pem) => Material::PublicKeyPem(pem),
            None => return Err(record.fail(RecordProblem::MissingSecret)),
        },
        _ => return Err(record.fail(RecordProblem::MissingSecret)),
    };
    record.check()?;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hmac_records(n: usize) -> std::string::String {
        let mut json = std::string::String::from("[");
        for i in 0..n {
            if i > 0 {
                json.push(',');
            }
            json += &std::format!(r#"{{"key_id":"k{i}","alg":"hmac","secret_hex":"{:02x}"}}"#, i % 256);
        }
        json + "]"
    }

    extern crate std;
    use std::string::ToString;

    #[test]
    fn errors_name_the_record() {
        let json = br#"[{"key_id":"a","alg":"hmac","secret_hex":"00"},{"key_id":"b","alg":"hmac","secret_hex":"0g"}]"#;
        let e = Keystore::from_json(json).unwrap_err();
        let b = KeyId::new("b").ok();
        assert_eq!(e, record_error(RecordContext::Keystore, 1, b, RecordProblem::InvalidHex));
        assert_eq!(e.code(), "INVALID_KEYSTORE");
        assert!(e.to_string().starts_with("invalid keystore: record 1 (key_id \"b\")"), "{e}");
        let ring = KeyRing::from_json(json).unwrap_err();
        assert_eq!(ring.code(), "INVALID_KEY_RING");
        assert!(ring.to_string().starts_with("invalid key ring: record 1"), "{ring}");
    }

    #[test]
    fn truncated_files_are_json_errors() {
        for text in [&b"[1"[..], br#"[{"key_id":"a","alg":"hmac","secret_hex":"00"}"#, b"[] x"] {
            assert_eq!(Keystore::from_json(text).unwrap_err().code(), "INVALID_JSON", "{text:?}");
        }
    }

    #[test]
    fn duplicate_ids_compare_decoded() {
        let json =
            br#"[{"key_id":"a","alg":"hmac","secret_hex":"00"},{"key_id":"\u0061","alg":"hmac","secret_hex":"01"}]"#;
        let e = Keystore::from_json(json).unwrap_err();
        assert!(matches!(e, Error::Record(RecordError { index: 1, problem: RecordProblem::DuplicateKeyId, .. })));
    }

    #[test]
    fn the_first_duplicate_in_file_order_is_named() {
        // b repeats at 3, a repeats at 4: record 3 is the first that repeats an earlier id.
        let json = br#"[{"key_id":"a","alg":"hmac","secret_hex":"00"},{"key_id":"b","alg":"hmac","secret_hex":"01"},
            {"key_id":"c","alg":"hmac","secret_hex":"02"},{"key_id":"b","alg":"hmac","secret_hex":"03"},
            {"key_id":"a","alg":"hmac","secret_hex":"04"}]"#;
        let e = validate(json).unwrap_err();
        assert!(
            matches!(e, Error::Record(RecordError { index: 3, problem: RecordProblem::DuplicateKeyId, .. })),
            "{e}"
        );
        // An earlier record with another problem is reported first.
        let json = br#"[{"key_id":"a","alg":"hmac","secret_hex":"0"},{"key_id":"a","alg":"hmac","secret_hex":"01"}]"#;
        let e = validate(json).unwrap_err();
        assert!(matches!(e, Error::Record(RecordError { index: 0, problem: RecordProblem::InvalidHex, .. })), "{e}");
    }

    #[test]
    #[cfg(feature = "alloc")]
    fn hosts_have_no_key_ceiling_and_load_in_n_log_n() {
        let json = hmac_records(10_000);
        let started = std::time::Instant::now();
        let store = Keystore::from_json(json.as_bytes()).unwrap();
        let ring = KeyRing::from_json(json.as_bytes()).unwrap();
        assert_eq!((store.len(), ring.len()), (10_000, 10_000));
        assert_eq!(store.get("k9999").map(|r| r.key_id()), Some("k9999"));
        assert!(ring.get("k0").is_some() && ring.get("k10000").is_none());
        assert!(load_key(json.as_bytes(), "k5000").is_ok());
        std::println!("keystore: 10,000 keys parsed as keystore + ring + load_key in {:?}", started.elapsed());
    }

    #[test]
    #[cfg(not(feature = "alloc"))]
    fn without_alloc_every_reader_stops_at_max_keys() {
        let json = hmac_records(MAX_KEYS + 1);
        let ok = hmac_records(MAX_KEYS);
        for e in [
            Keystore::from_json(json.as_bytes()).unwrap_err(),
            KeyRing::from_json(json.as_bytes()).unwrap_err(),
            load_key(json.as_bytes(), "k0").unwrap_err(),
            validate(json.as_bytes()).unwrap_err(),
        ] {
            assert!(
                matches!(e, Error::Record(RecordError { index: MAX_KEYS, problem: RecordProblem::TooManyRecords, .. })),
                "{e}"
            );
        }
        assert_eq!(KeyRing::from_json(ok.as_bytes()).unwrap().len(), MAX_KEYS);
    }

    #[test]
    fn long_labels_and_ids_are_refused_by_name() {
        let label = "x".repeat(65);
        let json = std::format!(r#"[{{"key_id":"a","alg":"hmac","secret_hex":"00","label":"{label}"}}]"#);
        let e = validate(json.as_bytes()).unwrap_err();
        assert!(matches!(e, Error::Record(RecordError { problem: RecordProblem::LabelTooLong, .. })), "{e}");
        assert!(e.to_string().contains("(key_id \"a\")"), "{e}");
        let json = std::format!(r#"[{{"key_id":"{label}","alg":"hmac","secret_hex":"00"}}]"#);
        let e = validate(json.as_bytes()).unwrap_err();
        assert!(matches!(e, Error::Record(RecordError { problem: RecordProblem::KeyIdTooLong, .. })), "{e}");
        let mut ring = KeyRing::new();
        let key = VerifyingKey::hmac(b"k").unwrap();
        assert!(matches!(ring.insert(&label, key.clone()), Err(Error::Record(_))));
        ring.insert("kid-1", key.clone()).unwrap();
        assert!(matches!(
            ring.insert("kid-1", key),
            Err(Error::Record(RecordError { problem: RecordProblem::DuplicateKeyId, .. }))
        ));
    }

    #[test]
    fn ring_accepts_public_keys_and_keystores() {
        let ring = br#"[{"kid":"e","alg":"ed25519","public_key":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"}]"#;
        assert_eq!(KeyRing::from_json(ring).unwrap().len(), 1);
        // The identity point has small order: refused.
        let weak = br#"[{"kid":"e","alg":"ed25519","public_key":"0100000000000000000000000000000000000000000000000000000000000000"}]"#;
        assert!(matches!(
            KeyRing::from_json(weak),
            Err(Error::Record(RecordError { problem: RecordProblem::WeakOrInvalidPublicKey, .. }))
        ));
    }

    #[test]
    fn public_ring_export_leaves_secrets_out() {
        let keystore = br#"[{"key_id":"ed","alg":"ed25519","secret_hex":"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"},
            {"key_id":"h\"1","alg":"hmac","secret_hex":"aa55aa55"}]"#;
        let mut out = [0u8; 512];
        let mut sink = crate::canonical::SliceSink::new(&mut out);
        let export = write_public_ring(keystore, HmacSecrets::Omit, &mut sink).unwrap();
        let n = sink.finish().unwrap();
        assert_eq!(export, RingExport { written: 1, omitted_hmac: 1 });
        let text = core::str::from_utf8(&out[..n]).unwrap();
        assert_eq!(
            text,
            r#"[{"kid":"ed","alg":"ed25519","public_key":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"}]"#
        );
        assert!(!text.contains("9d61b1") && !text.contains("aa55"));
        let ring = KeyRing::from_json(&out[..n]).unwrap();
        let full = KeyRing::from_json(keystore).unwrap();
        assert_eq!(ring.key_hash(0), full.key_hash(0));
        assert!(ring.key_hash(0).is_some());

        let mut out = [0u8; 512];
        let mut sink = crate::canonical::SliceSink::new(&mut out);
        write_public_ring(keystore, HmacSecrets::Include, &mut sink).unwrap();
        let n = sink.finish().unwrap();
        let ring = KeyRing::from_json(&out[..n]).unwrap();
        assert_eq!(ring.len(), 2);
        assert_eq!(ring.key_hash(1), full.key_hash(1));

        let hmac = SigningKey::hmac(b"s").unwrap();
        let mut sink = crate::canonical::NullSink;
        assert_eq!(ring_entry("h", &hmac, HmacSecrets::Omit, &mut sink), Err(Error::SecretRequired));
    }
}
