//! One error vocabulary for every caller: a typed [`Error`], a stable
//! machine-readable [`Error::code`] and a readable `Display` message.
//!
//! No variant carries secret material: keystore errors name the record by
//! index and `key_id` only, and key errors say what is wrong, not with what.

use core::fmt;

use crate::keystore::KeyId;
use crate::policy::Var;

/// What is wrong with a JSON input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The input ended in the middle of a value.
    UnexpectedEnd,
    /// A byte that cannot start or continue a value here.
    UnexpectedByte,
    /// Bytes that are not UTF-8 (RFC 3629) inside a string.
    InvalidUtf8,
    /// A backslash escape that JSON does not define.
    InvalidEscape,
    /// A UTF-16 surrogate (escaped) without its pair; I-JSON forbids it.
    LoneSurrogate,
    /// An unescaped control character (U+0000..U+001F) inside a string.
    ControlCharacter,
    /// A number that does not follow the JSON grammar.
    InvalidNumber,
    /// A number whose magnitude overflows an IEEE 754 double to infinity.
    NumberOutOfRange,
    /// The same member name twice in one object; I-JSON forbids it.
    DuplicateMember,
    /// Arrays and objects nested deeper than [`crate::json::MAX_DEPTH`].
    NestingTooDeep,
    /// More members open at once than the member table holds.
    TooManyMembers,
    /// Something other than white space after the document.
    TrailingData,
    /// The input is larger than [`crate::canonical::MAX_INPUT_LEN`].
    InputTooLarge,
    /// The document is valid JSON but not of the expected shape.
    WrongShape,
}

impl JsonErrorKind {
    fn describe(self) -> &'static str {
        match self {
            Self::UnexpectedEnd => "unexpected end of input",
            Self::UnexpectedByte => "unexpected character",
            Self::InvalidUtf8 => "invalid UTF-8",
            Self::InvalidEscape => "invalid escape sequence",
            Self::LoneSurrogate => "lone UTF-16 surrogate",
            Self::ControlCharacter => "unescaped control character in string",
            Self::InvalidNumber => "invalid number",
            Self::NumberOutOfRange => "number overflows to infinity",
            Self::DuplicateMember => "duplicate member name",
            Self::NestingTooDeep => "nesting deeper than the limit",
            Self::TooManyMembers => "more object members than the member table holds",
            Self::TrailingData => "trailing data after the document",
            Self::InputTooLarge => "input larger than the limit",
            Self::WrongShape => "unexpected JSON shape",
        }
    }
}

/// A JSON input error and the byte offset where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// What is wrong.
    pub kind: JsonErrorKind,
    /// Byte offset into the input.
    pub offset: usize,
}

/// Why a keystore or ring record was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordProblem {
    /// The record is not an object or a member has the wrong type or size.
    NotARecord,
    /// `key_id` (or `kid`) is missing or empty.
    MissingKeyId,
    /// Another record already uses this `key_id`.
    DuplicateKeyId,
    /// `alg` is missing.
    MissingAlg,
    /// `alg` is not one of the accepted names.
    UnknownAlg,
    /// `alg` is `rsa-sha256` where this build or this file cannot take it:
    /// a keystore (RSA keys sign only behind KMS or a proxy), or a ring in a
    /// build without the `rsa` feature.
    UnsupportedAlg,
    /// `secret_hex` (or `public_key`) is missing.
    MissingSecret,
    /// `secret_hex` or `public_key` is not valid hex.
    InvalidHex,
    /// An Ed25519 seed or public key that is not 32 bytes.
    WrongKeyLength,
    /// An empty HMAC secret.
    EmptySecret,
    /// An HMAC secret over 64 bytes.
    HmacSecretTooLong,
    /// An Ed25519 public key that is not a valid, non-small-order point.
    WeakOrInvalidPublicKey,
    /// More records than the capacity of a build without `alloc`
    /// ([`crate::keystore::MAX_KEYS`]).
    TooManyRecords,
    /// `key_id` (or `kid`) is longer than [`crate::keystore::MAX_KEY_ID_LEN`] bytes.
    KeyIdTooLong,
    /// `label` is longer than [`crate::keystore::MAX_LABEL_LEN`] bytes.
    LabelTooLong,
    /// `public_key_pem` is not a PEM `PUBLIC KEY` block.
    InvalidPem,
    /// An RSA public key that is not a SubjectPublicKeyInfo of a 2048..=4096-bit key.
    InvalidRsaKey,
}

impl RecordProblem {
    fn describe(self) -> &'static str {
        match self {
            Self::NotARecord => "not a key record (object with string members of bounded length)",
            Self::MissingKeyId => "key_id is missing or empty",
            Self::DuplicateKeyId => "key_id is used by an earlier record",
            Self::MissingAlg => "alg is missing",
            Self::UnknownAlg => "alg is not one of hmac, hmac_sha256, hmac-sha256, HMAC_SHA_256, ed25519",
            Self::UnsupportedAlg => {
                if cfg!(feature = "rsa") {
                    "rsa-sha256 keys are verify-only here: a ring takes their public_key, a keystore cannot hold them (sign through KMS or the signing proxy)"
                } else {
                    "rsa-sha256 is not supported by this build (the core's rsa feature is off)"
                }
            }
            Self::MissingSecret => "secret_hex is missing",
            Self::InvalidHex => "key material is not valid hex",
            Self::WrongKeyLength => "ed25519 keys must be exactly 32 bytes",
            Self::EmptySecret => "HMAC secret must not be empty",
            Self::HmacSecretTooLong => {
                "HMAC secret is longer than 64 bytes: HMAC would replace it by SHA256(secret), so its key_hash would be the effective key; use at most 64 bytes"
            }
            Self::WeakOrInvalidPublicKey => "ed25519 public key is not a valid point or has small order",
            Self::TooManyRecords => "more records than MAX_KEYS (16), the capacity of builds without an allocator",
            Self::KeyIdTooLong => "key_id is longer than 64 bytes",
            Self::LabelTooLong => "label is longer than 64 bytes",
            Self::InvalidPem => "public_key_pem is not a PEM PUBLIC KEY block",
            Self::InvalidRsaKey => "not an RSA SubjectPublicKeyInfo with a 2048..=4096-bit modulus",
        }
    }
}

/// What a refused record belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordContext {
    /// A node keystore file (DESIGN.md §3).
    Keystore,
    /// A verification key ring (DESIGN.md §4), or a keystore read as one.
    Ring,
}

/// A refused keystore or ring record, named by position and `key_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordError {
    /// Whether it was read as a keystore or as a ring.
    pub context: RecordContext,
    /// Index of the record in the JSON array.
    pub index: usize,
    /// The record's `key_id`/`kid`, when it could be read.
    pub key_id: Option<KeyId>,
    /// Why it was refused.
    pub problem: RecordProblem,
}

/// Why a signer configuration (DESIGN.md §6) was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// `REQUIRE_KMS=true` but neither a KMS key nor a signing proxy is set.
    KmsRequired,
    /// `NODE_ENV=production` and no KMS, proxy or usable node keystore key.
    ProductionRequiresManagedKey,
    /// No signer configured at all.
    NoSigner,
}

/// What is wrong with the value of an environment variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvProblem {
    /// Key material that is not valid hex.
    InvalidHex,
    /// Key material that makes no key (length, empty, too long).
    InvalidKey(RecordProblem),
    /// An algorithm the local core cannot sign with.
    UnusableAlgorithm,
    /// `UTLD_PACKAGE_SIG_KEY` is not `<alg>:<secret_hex>`.
    NotAlgColonHex,
    /// A flag that is neither true-like (`true`, `1`, `yes`, `on`) nor
    /// false-like (`false`, `0`, `no`, `off`).
    NotABoolean,
    /// A `NODE_ENV` that is none of the known environments.
    UnknownEnvironment,
}

/// An environment variable whose value was refused (the value itself is
/// never repeated: it may be a secret).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvError {
    /// The variable.
    pub var: Var,
    /// What is wrong with it.
    pub problem: EnvProblem,
}

/// Longest path and reason kept in [`KeystoreUnreadable`] (longer ones are cut).
#[cfg(feature = "alloc")]
const MAX_ERROR_PATH_LEN: usize = 256;

/// A keystore file that could not be read: its path and the operating
/// system's reason. Both are kept in builds with `alloc` (the hosts that
/// read files); without it the error only says that the file was unreadable.
#[derive(Clone, PartialEq, Eq)]
pub struct KeystoreUnreadable {
    #[cfg(feature = "alloc")]
    detail: alloc::boxed::Box<UnreadableDetail>,
}

#[cfg(feature = "alloc")]
#[derive(Clone, PartialEq, Eq)]
struct UnreadableDetail {
    path: alloc::string::String,
    reason: alloc::string::String,
    #[cfg(feature = "std")]
    kind: Option<std::io::ErrorKind>,
}

impl KeystoreUnreadable {
    /// A path and a reason (without `alloc`, both are dropped).
    pub fn new(path: &str, reason: &str) -> Self {
        #[cfg(not(feature = "alloc"))]
        let _ = (path, reason);
        KeystoreUnreadable {
            #[cfg(feature = "alloc")]
            detail: alloc::boxed::Box::new(UnreadableDetail {
                path: truncated(path, MAX_ERROR_PATH_LEN),
                reason: truncated(reason, MAX_ERROR_PATH_LEN),
                #[cfg(feature = "std")]
                kind: None,
            }),
        }
    }

    /// From an I/O error while reading `path` (`std` only).
    #[cfg(feature = "std")]
    pub fn from_io(path: &str, error: &std::io::Error) -> Self {
        use std::string::ToString;
        let mut unreadable = Self::new(path, &error.to_string());
        unreadable.detail.kind = Some(error.kind());
        unreadable
    }

    /// The path that was read (empty without `alloc`).
    pub fn path(&self) -> &str {
        #[cfg(feature = "alloc")]
        return &self.detail.path;
        #[cfg(not(feature = "alloc"))]
        ""
    }

    /// Why it could not be read, the operating system's message (empty
    /// without `alloc`).
    pub fn reason(&self) -> &str {
        #[cfg(feature = "alloc")]
        return &self.detail.reason;
        #[cfg(not(feature = "alloc"))]
        ""
    }

    /// The I/O error kind, when it came from an I/O error (`std` only).
    #[cfg(feature = "std")]
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        self.detail.kind
    }
}

impl fmt::Debug for KeystoreUnreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeystoreUnreadable").field("path", &self.path()).field("reason", &self.reason()).finish()
    }
}

/// `text` cut at a character boundary to at most `max` bytes.
#[cfg(feature = "alloc")]
fn truncated(text: &str, max: usize) -> alloc::string::String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    alloc::string::String::from(&text[..end])
}
/// Every error the core returns.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Malformed or forbidden JSON.
    Json(JsonError),
    /// Text that should be hex is not (odd length or a non-hex character).
    InvalidHex,
    /// A value of the wrong byte length (hash, key, signature).
    InvalidLength {
        /// What had the wrong length.
        what: &'static str,
        /// Bytes expected.
        expected: usize,
        /// Bytes given.
        actual: usize,
    },
    /// An algorithm name that is not one of DESIGN.md §2's names.
    UnknownAlgorithm,
    /// `rsa-sha256`: recognised, but only a remote signer offers it.
    UnsupportedAlgorithm,
    /// A key that cannot be built (empty or over-long HMAC secret, weak point).
    InvalidKey(RecordProblem),
    /// A keystore or ring record was refused.
    Record(RecordError),
    /// No key with this id in the keystore or ring.
    KeyNotFound {
        /// The id asked for (`None` when it is longer than any key id).
        key_id: Option<KeyId>,
    },
    /// A text longer than its limit (a key id, a label).
    TooLong {
        /// What was too long.
        what: &'static str,
        /// The limit in bytes.
        max: usize,
        /// Bytes given.
        actual: usize,
    },
    /// An HMAC key was asked for its ring entry without permission to
    /// write its secret (an HMAC key has no public part).
    SecretRequired,
    /// An environment variable's value was refused.
    Env(EnvError),
    /// The output buffer is too small; `needed` bytes would fit.
    BufferTooSmall {
        /// The size that would have been enough.
        needed: usize,
    },
    /// A signature or tag did not verify.
    SignatureInvalid,
    /// An N-of-M threshold of zero.
    InvalidThreshold,
    /// The signer configuration was refused.
    Policy(PolicyError),
    /// The keystore file could not be read (missing, unreadable).
    KeystoreUnreadable(KeystoreUnreadable),
    /// A compliance burn signature that is not `sig_<hex>` (DESIGN.md §13).
    InvalidBurnSignature,
    /// An evidence package that cannot be read (DESIGN.md §13).
    InvalidEvidence(crate::host::EvidenceProblem),
    /// A Merkle tree or proof error (DESIGN.md §12).
    Proof(crate::merkle::ProofError),
    /// A signed note, note key or checkpoint error (DESIGN.md §12).
    Note(crate::note::NoteError),
}

impl Error {
    /// A stable, machine-readable code (the bindings expose it as `code`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Json(e) => match e.kind {
                JsonErrorKind::DuplicateMember => "DUPLICATE_MEMBER",
                JsonErrorKind::LoneSurrogate => "LONE_SURROGATE",
                JsonErrorKind::InvalidUtf8 => "INVALID_UTF8",
                JsonErrorKind::NumberOutOfRange => "NUMBER_OUT_OF_RANGE",
                JsonErrorKind::NestingTooDeep | JsonErrorKind::TooManyMembers | JsonErrorKind::InputTooLarge => {
                    "LIMIT_EXCEEDED"
                }
                _ => "INVALID_JSON",
            },
            Error::InvalidHex => "INVALID_HEX",
            Error::InvalidLength { .. } => "INVALID_LENGTH",
            Error::UnknownAlgorithm => "UNKNOWN_ALGORITHM",
            Error::UnsupportedAlgorithm => "UNSUPPORTED_ALGORITHM",
            Error::InvalidKey(_) => "INVALID_KEY",
            Error::Record(RecordError { problem: RecordProblem::UnsupportedAlg, .. }) => "UNSUPPORTED_ALGORITHM",
            Error::Record(RecordError { context: RecordContext::Keystore, .. }) => "INVALID_KEYSTORE",
            Error::Record(_) => "INVALID_KEY_RING",
            Error::KeyNotFound { .. } => "KEY_NOT_FOUND",
            Error::TooLong { .. } => "INVALID_LENGTH",
            Error::SecretRequired => "SECRET_REQUIRED",
            Error::Env(EnvError { problem: EnvProblem::InvalidHex, .. }) => "INVALID_HEX",
            Error::Env(EnvError { problem: EnvProblem::InvalidKey(_), .. }) => "INVALID_KEY",
            Error::Env(_) => "INVALID_SIGNER_CONFIG",
            Error::BufferTooSmall { .. } => "BUFFER_TOO_SMALL",
            Error::SignatureInvalid => "SIGNATURE_INVALID",
            Error::InvalidThreshold => "INVALID_THRESHOLD",
            Error::Policy(PolicyError::NoSigner) => "NO_SIGNER",
            Error::Policy(_) => "SIGNER_REQUIRED",
            Error::KeystoreUnreadable(_) => "KEYSTORE_UNREADABLE",
            Error::InvalidBurnSignature => "INVALID_BURN_SIGNATURE",
            Error::InvalidEvidence(p) => p.code(),
            Error::Proof(e) => e.code(),
            Error::Note(e) => e.code(),
        }
    }
}

impl From<crate::merkle::ProofError> for Error {
    fn from(e: crate::merkle::ProofError) -> Self {
        Error::Proof(e)
    }
}

impl From<crate::note::NoteError> for Error {
    fn from(e: crate::note::NoteError) -> Self {
        Error::Note(e)
    }
}

impl From<JsonError> for Error {
    fn from(e: JsonError) -> Self {
        Error::Json(e)
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.describe(), self.offset)
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.context {
            RecordContext::Keystore => "invalid keystore: ",
            RecordContext::Ring => "invalid key ring: ",
        })?;
        write!(f, "record {}", self.index)?;
        if let Some(id) = &self.key_id {
            write!(f, " (key_id {:?})", id.as_str())?;
        }
        write!(f, ": {}", self.problem.describe())
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PolicyError::KmsRequired => {
                "Audit signing is required (REQUIRE_KMS=true): set AUDIT_SIGNING_KMS_KEY_ID (with AUDIT_SIGNING_ALG and AWS_REGION) or SIGNING_PROXY_URL (with SIGNING_PROXY_API_KEY)"
            }
            PolicyError::ProductionRequiresManagedKey => {
                "Audit signing is required (NODE_ENV=production): set AUDIT_SIGNING_KMS_KEY_ID, SIGNING_PROXY_URL, or RITMA_KEY_ID with a readable keystore at RITMA_KEYSTORE_PATH; mock, legacy and environment secrets are refused in production"
            }
            PolicyError::NoSigner => {
                "no signer configured: set AUDIT_SIGNING_KMS_KEY_ID, SIGNING_PROXY_URL, RITMA_KEY_ID, AUDIT_SIGNING_KEY or MOCK_AUDIT_SIGNING_KEY"
            }
        })
    }
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.var.name())?;
        match self.problem {
            EnvProblem::InvalidHex => f.write_str("key material is not valid hex (odd length or a non-hex character)"),
            EnvProblem::InvalidKey(p) => write!(f, "invalid key: {}", p.describe()),
            EnvProblem::UnusableAlgorithm => f.write_str(
                "not an algorithm the local core signs with (hmac-sha256 or ed25519; rsa-sha256 signs only through KMS or the signing proxy)",
            ),
            EnvProblem::NotAlgColonHex => f.write_str("must be <alg>:<secret_hex>, e.g. ed25519:<64 hex characters>"),
            EnvProblem::NotABoolean => {
                f.write_str("must be true, 1, yes, on or false, 0, no, off (or unset); refusing to guess")
            }
            EnvProblem::UnknownEnvironment => f.write_str(
                "must be production, development, dev, test, testing, staging, ci or local (or unset); refusing to guess whether production guards apply",
            ),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Json(e) => write!(f, "invalid JSON: {e}"),
            Error::InvalidHex => f.write_str("invalid hex: odd length or a non-hex character"),
            Error::InvalidLength { what, expected, actual } => {
                write!(f, "{what} must be {expected} bytes, got {actual}")
            }
            Error::UnknownAlgorithm => {
                f.write_str("unknown algorithm: expected hmac-sha256 (hmac, hmac_sha256, HMAC_SHA_256) or ed25519")
            }
            Error::UnsupportedAlgorithm => {
                f.write_str("rsa-sha256 is not supported by the local core (only by a KMS or proxy signer)")
            }
            Error::InvalidKey(p) => write!(f, "invalid key: {}", p.describe()),
            Error::Record(e) => e.fmt(f),
            Error::KeyNotFound { key_id: Some(id) } => write!(f, "no key with key_id {:?}", id.as_str()),
            Error::KeyNotFound { key_id: None } => f.write_str("no key with this id (it is longer than 64 bytes)"),
            Error::TooLong { what, max, actual } => write!(f, "{what} is {actual} bytes, at most {max} allowed"),
            Error::SecretRequired => f.write_str(
                "an HMAC key has no public part: its ring entry is the secret (ask for it explicitly, and guard the ring like the keystore)",
            ),
            Error::Env(e) => e.fmt(f),
            Error::BufferTooSmall { needed } => write!(f, "output buffer too small: {needed} bytes needed"),
            Error::SignatureInvalid => f.write_str("signature does not verify"),
            Error::InvalidThreshold => f.write_str("threshold must be at least 1"),
            Error::Policy(p) => p.fmt(f),
            Error::KeystoreUnreadable(e) => {
                write!(f, "the keystore file {:?} cannot be read", e.path())?;
                if !e.reason().is_empty() {
                    write!(f, ": {}", e.reason())?;
                }
                Ok(())
            }
            Error::InvalidBurnSignature => {
                f.write_str("invalid burn signature: expected sig_ followed by the hex of a 32- or 64-byte signature")
            }
            Error::InvalidEvidence(p) => write!(f, "invalid evidence package: {p}"),
            Error::Proof(e) => e.fmt(f),
            Error::Note(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for Error {}
