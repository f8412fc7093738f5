//! The node keystore (DESIGN.md §3) and key rings for verification (§4).
//!
//! A keystore is a JSON array of `{key_id, alg, secret_hex, label?}`. Records
//! are split by the crate's strict scanner (I-JSON rules, limits) and each
//! one is decoded by `serde-json-core` into fixed-capacity `heapless`
//! storage; secrets are decoded from hex in constant time into wiped
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

use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use crate::digest::Hash;
use crate::error::{Error, JsonErrorKind, RecordError, RecordProblem};
use crate::json::{Elements, Members, Span, err, expect_end, skip_ws};
use crate::key::{Alg, ED25519_PUBLIC_KEY_LEN, SigningKey, VerifyingKey};

/// Default capacity of a [`Keystore`] and a [`KeyRing`].
pub const MAX_KEYS: usize = 16;
/// Longest `key_id`/`kid` in bytes (UTF-8).
pub const MAX_KEY_ID_LEN: usize = 64;
/// Longest `label` in bytes (UTF-8).
pub const MAX_LABEL_LEN: usize = 128;
/// Longest `secret_hex` read; longer values are refused as too long.
const MAX_SECRET_HEX_LEN: usize = 256;
/// Scratch for unescaping one record's strings (only escaped ones use it).
const UNESCAPE_SCRATCH: usize = 384;

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
        for_each_record(json, Mode::Keystore, |index, record| {
            let Parsed { key_id, label, material: Material::Signing(key) } = record else {
                return Err(record_error(index, None, RecordProblem::NotARecord));
            };
            records
                .push(KeyRecord { key_id, label, key })
                .map_err(|r| record_error(index, Some(r.key_id.clone()), RecordProblem::TooManyRecords))
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
    let mut found = None;
    for_each_record(json, Mode::Keystore, |_, record| {
        if let Parsed { key_id: id, label, material: Material::Signing(key) } = record
            && id.as_str() == key_id
        {
            found = Some(KeyRecord { key_id: id, label, key });
        }
        Ok(())
    })?;
    found.ok_or(Error::KeyNotFound)
}

/// Calls `f` with the metadata of every key, after validating the whole file
/// (nothing is reported from a keystore that would be refused).
pub fn for_each_metadata(json: &[u8], mut f: impl FnMut(KeyMetadata)) -> Result<usize, Error> {
    validate(json)?;
    for_each_record(json, Mode::Keystore, |_, record| {
        if let Parsed { key_id, label, material: Material::Signing(key) } = record {
            f(KeyMetadata { key_id, alg: key.alg(), key_hash: key.key_hash(), label });
        }
        Ok(())
    })
}

/// Validates a keystore without keeping anything; returns the record count.
pub fn validate(json: &[u8]) -> Result<usize, Error> {
    for_each_record(json, Mode::Keystore, |_, _| Ok(()))
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
        for_each_record(json, Mode::Ring, |index, record| {
            let key = match record.material {
                Material::Signing(k) => k.verifying_key(),
                Material::Verifying(k) => k,
            };
            ring.insert(record.key_id, key).map_err(|e| match e {
                Error::Record(r) => Error::Record(RecordError { index, ..r }),
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

enum Material {
    Signing(SigningKey),
    Verifying(VerifyingKey),
}

struct Parsed {
    key_id: KeyId,
    label: Option<Label>,
    material: Material,
}

/// The members of one record as `serde-json-core` decodes them; unknown
/// members are ignored. Every field is optional so that a missing one is
/// reported by name rather than as a generic decode error.
#[derive(Deserialize)]
struct RawRecord {
    key_id: Option<KeyId>,
    kid: Option<KeyId>,
    alg: Option<heapless::String<32>>,
    secret_hex: Option<SecretText>,
    public_key: Option<heapless::String<{ 4 * ED25519_PUBLIC_KEY_LEN }>>,
    label: Option<Label>,
}

/// Secret hex text, wiped on drop; remembers an over-long value only as a
/// flag so that the error can say "too long" without keeping it.
struct SecretText {
    text: heapless::Vec<u8, MAX_SECRET_HEX_LEN>,
    too_long: bool,
}

impl Drop for SecretText {
    fn drop(&mut self) {
        // heapless::Vec has no Zeroize impl: wipe its storage in full.
        self.text.iter_mut().for_each(Zeroize::zeroize);
        self.text.clear();
    }
}

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = SecretText;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a hex string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SecretText, E> {
                let mut text = heapless::Vec::new();
                let too_long = text.extend_from_slice(v.as_bytes()).is_err();
                Ok(SecretText { text, too_long })
            }
        }
        d.deserialize_str(V)
    }
}

/// Splits the top-level array and hands each validated record to `f`.
fn for_each_record(
    json: &[u8],
    mode: Mode,
    mut f: impl FnMut(usize, Parsed) -> Result<(), Error>,
) -> Result<usize, Error> {
    let start = skip_ws(json, 0);
    if json.get(start) != Some(&b'[') {
        return Err(Error::Json(err(
            if start == json.len() { JsonErrorKind::UnexpectedEnd } else { JsonErrorKind::WrongShape },
            start,
        )));
    }
    let mut elements = Elements::new(json, start, 0)?;
    let mut count = 0;
    for (index, element) in (&mut elements).enumerate() {
        let span = element?;
        // I-JSON checks (duplicate members, surrogates) over the record.
        crate::canonical::validate(span.of(json)).map_err(|e| {
            if let Error::Json(mut j) = e {
                j.offset += span.start;
                Error::Json(j)
            } else {
                e
            }
        })?;
        let record = parse_record(json, span, index, mode)?;
        if earlier_record_has_id(json, start, index, &record.key_id) {
            return Err(record_error(index, Some(record.key_id), RecordProblem::DuplicateKeyId));
        }
        f(index, record)?;
        count = index + 1;
    }
    expect_end(json, elements.end())?;
    Ok(count)
}

/// True when a record before `index` has the id `key_id` (decoded compare).
fn earlier_record_has_id(json: &[u8], array: usize, index: usize, key_id: &str) -> bool {
    let Ok(elements) = Elements::new(json, array, 0) else { return false };
    elements.take(index).filter_map(Result::ok).any(|span| {
        let Ok(members) = Members::new(json, span.start, 1) else { return false };
        members.filter_map(Result::ok).any(|m: crate::json::Member| {
            let name = m.name.of(json);
            let is_id = crate::json::str_eq(name, "key_id") || crate::json::str_eq(name, "kid");
            is_id && json.get(m.value.start) == Some(&b'"') && string_value_eq(json, m.value, key_id)
        })
    })
}

fn string_value_eq(json: &[u8], value: Span, s: &str) -> bool {
    let raw = json.get(value.start + 1..value.end.saturating_sub(1)).unwrap_or(&[]);
    crate::json::str_eq(raw, s)
}

fn parse_record(json: &[u8], span: Span, index: usize, mode: Mode) -> Result<Parsed, Error> {
    let mut scratch = Zeroizing::new([0u8; UNESCAPE_SCRATCH]);
    let raw: RawRecord = match serde_json_core::from_slice_escaped(span.of(json), &mut scratch[..]) {
        Ok((raw, _)) => raw,
        Err(_) => return Err(record_error(index, None, RecordProblem::NotARecord)),
    };
    let key_id = match (mode, raw.key_id, raw.kid) {
        (Mode::Keystore, Some(id), _) | (Mode::Ring, Some(id), _) | (Mode::Ring, None, Some(id)) => id,
        _ => return Err(record_error(index, None, RecordProblem::MissingKeyId)),
    };
    let fail = |problem| record_error(index, Some(key_id.clone()), problem);
    if key_id.is_empty() {
        return Err(record_error(index, None, RecordProblem::MissingKeyId));
    }
    let alg = match raw.alg.as_deref().map(Alg::parse) {
        None => return Err(fail(RecordProblem::MissingAlg)),
        Some(Ok(alg)) => alg,
        Some(Err(Error::UnsupportedAlgorithm)) => return Err(fail(RecordProblem::UnsupportedAlg)),
        Some(Err(_)) => return Err(fail(RecordProblem::UnknownAlg)),
    };
    let key_problem = |e: Error| match e {
        Error::InvalidKey(problem) => fail(problem),
        Error::InvalidHex => fail(RecordProblem::InvalidHex),
        Error::InvalidLength { .. } => fail(RecordProblem::WrongKeyLength),
        _ => fail(RecordProblem::NotARecord),
    };
    let material = match (&raw.secret_hex, &raw.public_key, mode, alg) {
        (Some(secret), _, _, _) => {
            if secret.too_long {
                return Err(fail(match alg {
                    Alg::HmacSha256 => RecordProblem::HmacSecretTooLong,
                    Alg::Ed25519 => RecordProblem::WrongKeyLength,
                }));
            }
            Material::Signing(SigningKey::from_hex(alg, &secret.text).map_err(key_problem)?)
        }
        (None, Some(public), Mode::Ring, Alg::Ed25519) => {
            let bytes = crate::hex::decode_array::<ED25519_PUBLIC_KEY_LEN>(public.as_bytes()).map_err(key_problem)?;
            Material::Verifying(VerifyingKey::ed25519(&bytes).map_err(key_problem)?)
        }
        _ => return Err(fail(RecordProblem::MissingSecret)),
    };
    Ok(Parsed { key_id, label: raw.label, material })
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
