//! The node keystore file (DESIGN.md §3, §13) for hosts with files.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::vec::Vec;

use zeroize::Zeroizing;

use super::burn::{BurnSignature, sign_burn};
use crate::error::{Error, KeystoreUnreadable};
use crate::key::{Signature, SigningKey};
use crate::keystore::{KeyMetadata, KeyRecord, KeyRing, Keystore};
use crate::policy::{DEFAULT_KEYSTORE_PATH, EnvSnapshot, ProcessEnv, Var};

/// Largest keystore file read (16 MiB): bigger files are refused unread.
pub const MAX_KEYSTORE_FILE_LEN: u64 = 16 << 20;

/// What went wrong with the keystore.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeystoreErrorKind {
    /// The file cannot be read (`NotFound`, `PermissionDenied`, ...).
    Io(std::io::ErrorKind),
    /// The file is larger than [`MAX_KEYSTORE_FILE_LEN`].
    TooLarge,
    /// The file was read but refused (bad JSON, a bad record): the core's error.
    Invalid(Error),
    /// The file is valid but has no key with the requested id.
    KeyNotFound,
    /// No key id was given (`RITMA_KEY_ID` unset, or a burn config without
    /// `signing_key_id`).
    MissingKeyId,
}

/// A keystore failure: which file, which key id, and why. Never secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeystoreError {
    // Boxed: errors stay one pointer wide in the `Result`s that carry them.
    inner: std::boxed::Box<Inner>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    path: PathBuf,
    key_id: Option<String>,
    kind: KeystoreErrorKind,
}

impl KeystoreError {
    pub(crate) fn new(path: &Path, key_id: Option<&str>, kind: KeystoreErrorKind) -> Self {
        KeystoreError {
            inner: std::boxed::Box::new(Inner { path: path.to_path_buf(), key_id: key_id.map(str::to_string), kind }),
        }
    }

    /// The keystore path.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The key id asked for, if any.
    pub fn key_id(&self) -> Option<&str> {
        self.inner.key_id.as_deref()
    }

    /// Why.
    pub fn kind(&self) -> &KeystoreErrorKind {
        &self.inner.kind
    }

    /// The I/O error kind when the file could not be read.
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self.inner.kind {
            KeystoreErrorKind::Io(kind) => Some(kind),
            _ => None,
        }
    }

    /// `KEYSTORE_UNREADABLE`, `LIMIT_EXCEEDED`, `KEY_NOT_FOUND`,
    /// `KEY_ID_MISSING`, or the core's code (`INVALID_JSON`, `INVALID_KEYSTORE`, ...).
    pub fn code(&self) -> &'static str {
        match &self.inner.kind {
            KeystoreErrorKind::Io(_) => "KEYSTORE_UNREADABLE",
            KeystoreErrorKind::TooLarge => "LIMIT_EXCEEDED",
            KeystoreErrorKind::Invalid(e) => e.code(),
            KeystoreErrorKind::KeyNotFound => "KEY_NOT_FOUND",
            KeystoreErrorKind::MissingKeyId => "KEY_ID_MISSING",
        }
    }

    /// The nearest core [`Error`] (for APIs that speak only the core's
    /// vocabulary; the path is lost there).
    pub fn to_core(&self) -> Error {
        let path = self.inner.path.to_string_lossy();
        match &self.inner.kind {
            KeystoreErrorKind::Invalid(e) => e.clone(),
            KeystoreErrorKind::KeyNotFound => {
                Error::KeyNotFound { key_id: self.inner.key_id.as_deref().and_then(|id| id.try_into().ok()) }
            }
            KeystoreErrorKind::Io(kind) => {
                Error::KeystoreUnreadable(KeystoreUnreadable::from_io(&path, &std::io::Error::from(*kind)))
            }
            KeystoreErrorKind::TooLarge => {
                Error::KeystoreUnreadable(KeystoreUnreadable::new(&path, "file larger than the 16 MiB limit"))
            }
            KeystoreErrorKind::MissingKeyId => {
                Error::KeystoreUnreadable(KeystoreUnreadable::new(&path, "no key id given (RITMA_KEY_ID is unset)"))
            }
        }
    }
}

impl fmt::Display for KeystoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.inner.path.display();
        match (&self.inner.kind, &self.inner.key_id) {
            (KeystoreErrorKind::MissingKeyId, _) => {
                write!(f, "no signing key id given (set RITMA_KEY_ID; keystore {path})")
            }
            (KeystoreErrorKind::KeyNotFound, Some(id)) => write!(f, "node keystore {path} has no key {id:?}"),
            (kind, id) => {
                write!(f, "node keystore {path}")?;
                if let Some(id) = id {
                    write!(f, " (key {id:?})")?;
                }
                match kind {
                    KeystoreErrorKind::Io(kind) => write!(f, ": cannot read the file: {kind}"),
                    KeystoreErrorKind::TooLarge => {
                        write!(f, ": file larger than the {MAX_KEYSTORE_FILE_LEN}-byte limit")
                    }
                    KeystoreErrorKind::Invalid(e) => write!(f, ": {e}"),
                    _ => f.write_str(": no such key"),
                }
            }
        }
    }
}

impl std::error::Error for KeystoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner.kind {
            KeystoreErrorKind::Invalid(e) => Some(e),
            _ => None,
        }
    }
}

/// A node keystore loaded from its file: every key validated, any number of
/// keys (the core's [`Keystore`]), looked up by `key_id`.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("signcore-doc-nk-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// # let path = dir.join("node_keystore.json");
/// std::fs::write(&path, r#"[{"key_id":"node-key-ed25519-1","alg":"ed25519",
///   "secret_hex":"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff","label":"primary-ed25519"}]"#)?;
/// use signcore::host::NodeKeystore;
/// let keystore = NodeKeystore::from_path(&path)?;
/// let meta = keystore.metadata_for("node-key-ed25519-1")?;
/// assert_eq!(meta.label.as_deref(), Some("primary-ed25519"));
/// let signature = keystore.sign_bytes("node-key-ed25519-1", b"hello")?;
/// assert_eq!(signature.as_bytes().len(), 64);
/// let missing = keystore.sign_bytes("other", b"hello").unwrap_err();
/// assert_eq!(missing.code(), "KEY_NOT_FOUND");
/// assert!(missing.to_string().contains("node_keystore.json"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct NodeKeystore {
    path: PathBuf,
    store: Keystore,
}

impl fmt::Debug for NodeKeystore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.store.records().iter().map(KeyRecord::key_id).collect();
        f.debug_struct("NodeKeystore").field("path", &self.path).field("key_ids", &ids).finish()
    }
}

/// `RITMA_KEYSTORE_PATH` from `env`, else `./node_keystore.json`.
pub(crate) fn keystore_path(env: &EnvSnapshot<'_>) -> PathBuf {
    PathBuf::from(env.get(Var::RitmaKeystorePath).unwrap_or(DEFAULT_KEYSTORE_PATH))
}

impl NodeKeystore {
    /// Loads the keystore at `RITMA_KEYSTORE_PATH` (default
    /// `./node_keystore.json`) from the process environment.
    pub fn from_env() -> Result<Self, KeystoreError> {
        Self::from_snapshot(&ProcessEnv::capture().snapshot())
    }

    /// [`NodeKeystore::from_env`] over an environment snapshot.
    pub fn from_snapshot(env: &EnvSnapshot<'_>) -> Result<Self, KeystoreError> {
        Self::from_path(keystore_path(env))
    }

    /// Loads the keystore file at `path`. Its bytes are wiped after parsing.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, KeystoreError> {
        let path = path.as_ref();
        let fail = |kind| KeystoreError::new(path, None, kind);
        let file = std::fs::File::open(path).map_err(|e| fail(KeystoreErrorKind::Io(e.kind())))?;
        let mut bytes = Zeroizing::new(Vec::new());
        file.take(MAX_KEYSTORE_FILE_LEN + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| fail(KeystoreErrorKind::Io(e.kind())))?;
        if bytes.len() as u64 > MAX_KEYSTORE_FILE_LEN {
            return Err(fail(KeystoreErrorKind::TooLarge));
        }
        Self::from_json(path, &bytes)
    }

    /// Parses keystore JSON that was read from `path` (named in errors).
    pub fn from_json(path: impl AsRef<Path>, json: &[u8]) -> Result<Self, KeystoreError> {
        let path = path.as_ref();
        let store =
            Keystore::from_json(json).map_err(|e| KeystoreError::new(path, None, KeystoreErrorKind::Invalid(e)))?;
        Ok(NodeKeystore { path: path.to_path_buf(), store })
    }

    /// The file this keystore was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.store.records().len()
    }

    /// True when the file holds no key.
    pub fn is_empty(&self) -> bool {
        self.store.records().is_empty()
    }

    /// The key ids, in file order.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.store.records().iter().map(KeyRecord::key_id)
    }

    /// The metadata of every key, in file order (safe to publish).
    pub fn metadata(&self) -> Vec<KeyMetadata> {
        self.store.records().iter().map(KeyRecord::metadata).collect()
    }

    /// The record for `key_id`.
    pub fn record(&self, key_id: &str) -> Result<&KeyRecord, KeystoreError> {
        self.store
            .get(key_id)
            .ok_or_else(|| KeystoreError::new(&self.path, Some(key_id), KeystoreErrorKind::KeyNotFound))
    }

    /// The metadata of `key_id`.
    pub fn metadata_for(&self, key_id: &str) -> Result<KeyMetadata, KeystoreError> {
        self.record(key_id).map(KeyRecord::metadata)
    }

    /// A copy of the signing key `key_id` (wiped on drop).
    pub fn signing_key(&self, key_id: &str) -> Result<SigningKey, KeystoreError> {
        self.record(key_id).map(|r| r.key().clone())
    }

    /// Signs `bytes` with `key_id` (HMAC tag or Ed25519 signature).
    pub fn sign_bytes(&self, key_id: &str, bytes: &[u8]) -> Result<Signature, KeystoreError> {
        self.record(key_id).map(|r| r.key().sign(bytes))
    }

    /// The compliance burn signature `sig_<hex>` of `burn_hash` with
    /// `key_id`; a missing key id is an error, never a stub signature.
    ///
    /// ```
    /// # let path = std::env::temp_dir().join(format!("signcore-doc-burn-{}.json", std::process::id()));
    /// # std::fs::write(&path, r#"[{"key_id":"burn","alg":"hmac_sha256","secret_hex":"aa55aa55aa55aa55aa55aa55aa55aa55"}]"#)?;
    /// use signcore::host::{NodeKeystore, burn::verify_burn};
    /// let keystore = NodeKeystore::from_path(&path)?;
    /// let sig = keystore.sign_burn(Some("burn"), "burn-hash-text")?;
    /// verify_burn(&keystore.signing_key("burn")?.verifying_key(), "burn-hash-text", sig.as_str())?;
    /// assert_eq!(keystore.sign_burn(None, "burn-hash-text").unwrap_err().code(), "KEY_ID_MISSING");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign_burn(&self, signing_key_id: Option<&str>, burn_hash: &str) -> Result<BurnSignature, KeystoreError> {
        let key_id = signing_key_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| KeystoreError::new(&self.path, None, KeystoreErrorKind::MissingKeyId))?;
        self.record(key_id).map(|r| sign_burn(r.key(), burn_hash))
    }

    /// A ring of every key's verifying key (Ed25519 public keys; HMAC
    /// secrets stay in wiped storage), for verifying what this node signed.
    pub fn key_ring(&self) -> Result<KeyRing, Error> {
        let mut ring = KeyRing::new();
        for record in self.store.records() {
            ring.insert(record.key_id(), record.key().verifying_key())?;
        }
        Ok(ring)
    }

    /// The keystore's records.
    pub fn records(&self) -> &[KeyRecord] {
        self.store.records()
    }
}

/// Reads `RITMA_KEY_ID` (empty counts as unset).
pub(crate) fn key_id_from(env: &EnvSnapshot<'_>) -> Option<String> {
    env.get(Var::RitmaKeyId).map(ToString::to_string)
}
