//! The node keystore (DESIGN.md §3) and key rings for verification (§4).
//!
//! A keystore is a JSON array of `{key_id, alg, secret_hex, label?}`. Records
//! are read with the crate's own strict scanner (the one behind the
//! canonicalizer: one set of JSON rules everywhere) into fixed-capacity
//! `heapless` storage; secrets are decoded from hex in constant time into wiped
//! buffers. Errors name the record (index, `key_id`) and the reason, never
//! the secret.
//!
//! ```
//! use signcore::keystore::{Keystore, load_key};
//! let json = br#"[{"key_id": "node-1", "alg": "hmac_sha256", "secret_hex": "aa55aa55", "label": "primary"}]"#;
//! let store: Keystore = Keystore::from_json(json)?;
//! let meta = store.get("node-1").unwrap().metadata();
//! assert_eq!(meta.alg.as_str(), "hmac-sha256");
//! let record = load_key(json, "node-1")?;
//! assert_eq!(record.key().key_hash(), meta.key_hash);
//! # Ok::<(), signcore::Error>(())
//! ```

use zeroize::Zeroize;

use crate::digest::Hash;
use crate::error::{Error, RecordError, RecordProblem};
use crate::json::{Elements, Span, array_start, expect_end, pick_members, skip_ws, str_eq, string_content};
use crate::key::{Alg, ED25519_PUBLIC_KEY_LEN, ED25519_SEED_LEN, HmacKey, SigningKey, VerifyingKey};

/// Default capacity of a [`Keystore`] and a [`KeyRing`].
pub const MAX_KEYS: usize = 16;
/// Longest `key_id`/`kid` in bytes (UTF-8).
pub const MAX_KEY_ID_LEN: usize = 64;
/// Longest `label` in bytes (UTF-8).
pub const MAX_LABEL_LEN: usize = 64;

/// A key identifier.
pub type KeyId = heapless::String<MAX_KEY_ID_LEN>;
/// A key label.
pub type Label = heapless::String<MAX_LABEL_LEN>;

/// Publishable facts about a key: `{ key_id, alg, key_hash, label }`.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// A parsed keystore of at most `N` keys, all validated.
#[derive(Clone, Debug)]
pub struct Keystore<const N: usize = MAX_KEYS> {
    records: heapless::Vec<KeyRecord, N>,
}

impl<const N: usize> Keystore<N> {
    /// Parses and validates a keystore file's JSON.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let mut records = heapless::Vec::new();
        for_each_record(json, Mode::Keystore, |record| {
            records.push(record.record()?).map_err(|_| record.fail(RecordProblem::TooManyRecords))
        })?;
        Ok(Keystore { records })
    }

    /// The record with this `key_id`.
    pub fn get(&self, key_id: &str) -> Option<&KeyRecord> {
        self.records.iter().find(|r| r.key_id.as_str() == key_id)
    }

    /// All records, in file order.
    pub fn records(&self) -> &[KeyRecord] {
        &self.records
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
    let index = found.ok_or(Error::KeyNotFound)?;
    let span = Elements::new(json, skip_ws(json, 0), 0)?.nth(index).ok_or(Error::KeyNotFound)??;
    parse_record(json, span, index, Mode::Keystore)?.record()
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

/// Trusted verification keys by `kid`, of at most `N` entries.
///
/// Built from ring JSON (`[{kid, alg: "ed25519", public_key}, {kid, alg:
/// "hmac-sha256", secret_hex}]`) or from a keystore file (its `key_id` is the
/// kid; Ed25519 public keys are derived from the seeds).
#[derive(Clone, Debug, Default)]
pub struct KeyRing<const N: usize = MAX_KEYS> {
    entries: heapless::Vec<(KeyId, VerifyingKey), N>,
}

impl<const N: usize> KeyRing<N> {
    /// An empty ring.
    pub fn new() -> Self {
        KeyRing { entries: heapless::Vec::new() }
    }

    /// Parses ring JSON or a keystore file.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let mut ring = Self::new();
        for_each_record(json, Mode::Ring, |record| {
            ring.insert(record.key_id.clone(), record.verifying_key()?).map_err(|e| match e {
                Error::Record(r) => Error::Record(RecordError { index: record.index, ..r }),
                other => other,
            })
        })?;
        Ok(ring)
    }

    /// Adds a key. Refuses a `kid` already present and a full ring.
    pub fn insert(&mut self, kid: KeyId, key: VerifyingKey) -> Result<(), Error> {
        if kid.is_empty() {
            return Err(record_error(self.entries.len(), None, RecordProblem::MissingKeyId));
        }
        if self.get(&kid).is_some() {
            return Err(record_error(self.entries.len(), Some(kid), RecordProblem::DuplicateKeyId));
        }
        let index = self.entries.len();
        self.entries.push((kid, key)).map_err(|(kid, _)| record_error(index, Some(kid), RecordProblem::TooManyRecords))
    }

    /// The key for `kid`.
    pub fn get(&self, kid: &str) -> Option<&VerifyingKey> {
        self.position(kid.as_bytes()).and_then(|i| self.entries.get(i)).map(|(_, k)| k)
    }

    /// Index of the entry whose kid equals the raw (escaped) JSON string.
    pub(crate) fn position_raw(&self, raw_kid: &[u8]) -> Option<usize> {
        self.entries.iter().position(|(id, _)| crate::json::str_eq(raw_kid, id))
    }

    fn position(&self, kid: &[u8]) -> Option<usize> {
        self.entries.iter().position(|(id, _)| id.as_bytes() == kid)
    }

    /// The entry at `index`.
    pub fn entry(&self, index: usize) -> Option<(&str, &VerifyingKey)> {
        self.entries.get(index).map(|(id, k)| (id.as_str(), k))
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

fn record_error(index: usize, key_id: Option<KeyId>, problem: RecordProblem) -> Error {
    Error::Record(RecordError { index, key_id, problem })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `key_id` + `secret_hex` required.
    Keystore,
    /// `kid` or `key_id`; Ed25519 may give `public_key` instead of a seed.
    Ring,
}

/// Which key material a record carries (still hex text).
#[derive(Clone, Copy)]
enum Material<'a> {
    Secret(&'a [u8]),
    PublicKey(&'a [u8]),
}

/// A record whose fields have been checked; keys are built on demand, so
/// validating a file never derives an Ed25519 public key it does not need.
struct Parsed<'a> {
    index: usize,
    key_id: KeyId,
    alg: Alg,
    label: Option<&'a [u8]>,
    material: Material<'a>,
}

impl Parsed<'_> {
    fn fail(&self, problem: RecordProblem) -> Error {
        record_error(self.index, Some(self.key_id.clone()), problem)
    }

    fn map_key_error(&self, e: Error) -> Error {
        match e {
            Error::InvalidKey(problem) => self.fail(problem),
            Error::InvalidHex => self.fail(RecordProblem::InvalidHex),
            Error::InvalidLength { .. } => self.fail(RecordProblem::WrongKeyLength),
            _ => self.fail(RecordProblem::NotARecord),
        }
    }

    /// Decodes the key material into wiped scratch and checks its length,
    /// without building a key.
    fn check(&self) -> Result<(), Error> {
        match (self.material, self.alg) {
            (Material::Secret(hex), Alg::HmacSha256) => HmacKey::from_hex(hex).map(drop),
            (Material::Secret(hex), Alg::Ed25519) | (Material::PublicKey(hex), _) => {
                crate::hex::decode_array::<ED25519_SEED_LEN>(hex).map(|mut bytes| bytes.zeroize())
            }
        }
        .map_err(|e| self.map_key_error(e))
    }

    // Not inlined: LTO would otherwise merge its frame into load_key's.
    #[inline(never)]
    fn signing_key(&self) -> Result<SigningKey, Error> {
        match self.material {
            Material::Secret(hex) => SigningKey::from_hex(self.alg, hex).map_err(|e| self.map_key_error(e)),
            Material::PublicKey(_) => Err(self.fail(RecordProblem::MissingSecret)),
        }
    }

    fn verifying_key(&self) -> Result<VerifyingKey, Error> {
        match self.material {
            Material::Secret(_) => self.signing_key().map(|k| k.verifying_key()),
            Material::PublicKey(hex) => crate::hex::decode_array::<ED25519_PUBLIC_KEY_LEN>(hex)
                .and_then(|bytes| VerifyingKey::ed25519(&bytes))
                .map_err(|e| self.map_key_error(e)),
        }
    }

    fn label(&self) -> Option<Label> {
        self.label.and_then(crate::json::decode_string)
    }

    fn record(&self) -> Result<KeyRecord, Error> {
        Ok(KeyRecord { key_id: self.key_id.clone(), label: self.label(), key: self.signing_key()? })
    }
}

/// Splits the top-level array and hands each checked record to `f`.
fn for_each_record<'j>(
    json: &'j [u8],
    mode: Mode,
    mut f: impl FnMut(Parsed<'j>) -> Result<(), Error>,
) -> Result<usize, Error> {
    let start = array_start(json)?;
    // The file's JSON first, so that a truncated file reads as bad JSON
    // rather than as a bad record.
    expect_end(json, crate::json::skip_value(json, start, 0)?)?;
    let mut elements = Elements::new(json, start, 0)?;
    let mut count = 0;
    for (index, element) in (&mut elements).enumerate() {
        let record = parse_record(json, element?, index, mode)?;
        if earlier_record_has_id(json, start, index, &record.key_id) {
            return Err(record.fail(RecordProblem::DuplicateKeyId));
        }
        f(record)?;
        count = index + 1;
    }
    expect_end(json, elements.end())?;
    Ok(count)
}

/// True when a record before `index` has the id `key_id` (decoded compare).
#[inline(never)]
fn earlier_record_has_id(json: &[u8], array: usize, index: usize, key_id: &str) -> bool {
    let Ok(elements) = Elements::new(json, array, 0) else { return false };
    elements.take(index).filter_map(Result::ok).any(|span| {
        let Ok(ids) = pick_members(json, span.start, 1, ["key_id", "kid"]) else { return false };
        ids.into_iter().flatten().any(|v| string_content(json, v).is_some_and(|raw| str_eq(raw, key_id)))
    })
}

fn parse_record(json: &[u8], span: Span, index: usize, mode: Mode) -> Result<Parsed<'_>, Error> {
    let not_a_record = || record_error(index, None, RecordProblem::NotARecord);
    // The whole file has been validated: members are only delimited here.
    let fields = pick_members(json, span.start, 1, ["key_id", "kid", "alg", "secret_hex", "public_key", "label"])
        .map_err(|_| not_a_record())?;
    // Every member read is a string, or `null` for "absent".
    let text = |value: Option<Span>| match value {
        Some(v) if v.of(json) == b"null" => Ok(None),
        Some(v) => string_content(json, v).map(Some).ok_or_else(not_a_record),
        None => Ok(None),
    };
    let [key_id, kid, alg, secret_hex, public_key, label] = fields;
    let (key_id, kid) = (text(key_id)?, text(kid)?);
    let raw_id = match (mode, key_id, kid) {
        (_, Some(id), _) | (Mode::Ring, None, Some(id)) => id,
        _ => return Err(record_error(index, None, RecordProblem::MissingKeyId)),
    };
    let key_id: KeyId = crate::json::decode_string(raw_id).ok_or_else(not_a_record)?;
    if key_id.is_empty() {
        return Err(record_error(index, None, RecordProblem::MissingKeyId));
    }
    let mut record = Parsed { index, key_id, alg: Alg::HmacSha256, label: None, material: Material::Secret(&[]) };
    record.alg = match text(alg)?.map(crate::json::decode_string::<16>) {
        None => return Err(record.fail(RecordProblem::MissingAlg)),
        Some(None) => return Err(record.fail(RecordProblem::UnknownAlg)),
        Some(Some(name)) => match Alg::parse(&name) {
            Ok(alg) => alg,
            Err(Error::UnsupportedAlgorithm) => return Err(record.fail(RecordProblem::UnsupportedAlg)),
            Err(_) => return Err(record.fail(RecordProblem::UnknownAlg)),
        },
    };
    record.label = text(label)?;
    // Hex text is used as written: an escape inside it is not hex.
    record.material = match (text(secret_hex)?, text(public_key)?, mode, record.alg) {
        (Some(secret), _, _, _) => Material::Secret(secret),
        (None, Some(public), Mode::Ring, Alg::Ed25519) => Material::PublicKey(public),
        _ => return Err(record.fail(RecordProblem::MissingSecret)),
    };
    record.check()?;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_record() {
        let json = br#"[{"key_id":"a","alg":"hmac","secret_hex":"00"},{"key_id":"b","alg":"hmac","secret_hex":"0g"}]"#;
        let e = Keystore::<4>::from_json(json).unwrap_err();
        assert_eq!(e, record_error(1, Some(KeyId::try_from("b").unwrap()), RecordProblem::InvalidHex));
    }

    #[test]
    fn truncated_files_are_json_errors() {
        for text in [&b"[1"[..], br#"[{"key_id":"a","alg":"hmac","secret_hex":"00"}"#, b"[] x"] {
            assert_eq!(Keystore::<4>::from_json(text).unwrap_err().code(), "INVALID_JSON", "{text:?}");
        }
    }

    #[test]
    fn duplicate_ids_compare_decoded() {
        let json =
            br#"[{"key_id":"a","alg":"hmac","secret_hex":"00"},{"key_id":"\u0061","alg":"hmac","secret_hex":"01"}]"#;
        let e = Keystore::<4>::from_json(json).unwrap_err();
        assert!(matches!(e, Error::Record(RecordError { index: 1, problem: RecordProblem::DuplicateKeyId, .. })));
    }

    #[test]
    fn capacity_is_a_typed_error() {
        let json = br#"[{"key_id":"a","alg":"hmac","secret_hex":"00"},{"key_id":"b","alg":"hmac","secret_hex":"01"}]"#;
        let e = Keystore::<1>::from_json(json).unwrap_err();
        assert!(matches!(e, Error::Record(RecordError { index: 1, problem: RecordProblem::TooManyRecords, .. })));
    }

    #[test]
    fn ring_accepts_public_keys_and_keystores() {
        let ring = br#"[{"kid":"e","alg":"ed25519","public_key":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"}]"#;
        assert_eq!(KeyRing::<2>::from_json(ring).unwrap().len(), 1);
        // The identity point has small order: refused.
        let weak = br#"[{"kid":"e","alg":"ed25519","public_key":"0100000000000000000000000000000000000000000000000000000000000000"}]"#;
        assert!(matches!(
            KeyRing::<2>::from_json(weak),
            Err(Error::Record(RecordError { problem: RecordProblem::WeakOrInvalidPublicKey, .. }))
        ));
    }
}
