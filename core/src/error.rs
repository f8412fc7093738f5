//! One error vocabulary for every caller: a typed [`Error`], a stable
//! machine-readable [`Error::code`] and a readable `Display` message.
//!
//! No variant carries secret material: keystore errors name the record by
//! index and `key_id` only, and key errors say what is wrong, not with what.

use core::fmt;

use crate::keystore::KeyId;

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
    /// `alg` names an algorithm only a remote signer offers (`rsa-sha256`).
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
    /// More records than the keystore or ring capacity.
    TooManyRecords,
}

impl RecordProblem {
    fn describe(self) -> &'static str {
        match self {
            Self::NotARecord => "not a key record (object with string members of bounded length)",
            Self::MissingKeyId => "key_id is missing or empty",
            Self::DuplicateKeyId => "key_id is used by an earlier record",
            Self::MissingAlg => "alg is missing",
            Self::UnknownAlg => "alg is not one of hmac, hmac_sha256, hmac-sha256, HMAC_SHA_256, ed25519",
            Self::UnsupportedAlg => "rsa-sha256 is not supported by the local core (only by a KMS or proxy signer)",
            Self::MissingSecret => "secret_hex is missing",
            Self::InvalidHex => "key material is not valid hex",
            Self::WrongKeyLength => "ed25519 keys must be exactly 32 bytes",
            Self::EmptySecret => "HMAC secret must not be empty",
            Self::HmacSecretTooLong => {
                "HMAC secret is longer than 64 bytes: HMAC would replace it by SHA256(secret), so its key_hash would be the effective key; use at most 64 bytes"
            }
            Self::WeakOrInvalidPublicKey => "ed25519 public key is not a valid point or has small order",
            Self::TooManyRecords => "more records than the capacity",
        }
    }
}

/// A refused keystore or ring record, named by position and `key_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
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
    /// `AUDIT_SIGNING_ALG` or the legacy key's algorithm is not usable locally.
    UnusableAlgorithm,
    /// The legacy `UTLD_PACKAGE_SIG_KEY` is not `<alg>:<secret_hex>`.
    InvalidLegacyKey,
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
    KeyNotFound,
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
    KeystoreUnreadable,
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
            Error::Record(_) => "INVALID_KEYSTORE",
            Error::KeyNotFound => "KEY_NOT_FOUND",
            Error::BufferTooSmall { .. } => "BUFFER_TOO_SMALL",
            Error::SignatureInvalid => "SIGNATURE_INVALID",
            Error::InvalidThreshold => "INVALID_THRESHOLD",
            Error::Policy(PolicyError::NoSigner) => "NO_SIGNER",
            Error::Policy(PolicyError::UnusableAlgorithm | PolicyError::InvalidLegacyKey) => "INVALID_SIGNER_CONFIG",
            Error::Policy(_) => "SIGNER_REQUIRED",
            Error::KeystoreUnreadable => "KEYSTORE_UNREADABLE",
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
            PolicyError::UnusableAlgorithm => {
                "the configured signing algorithm is not usable by the local core (use hmac-sha256 or ed25519, or a KMS/proxy for rsa-sha256)"
            }
            PolicyError::InvalidLegacyKey => "UTLD_PACKAGE_SIG_KEY must be <alg>:<secret_hex>",
        })
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
            Error::Record(e) => write!(f, "invalid keystore: {e}"),
            Error::KeyNotFound => f.write_str("no key with this id"),
            Error::BufferTooSmall { needed } => write!(f, "output buffer too small: {needed} bytes needed"),
            Error::SignatureInvalid => f.write_str("signature does not verify"),
            Error::InvalidThreshold => f.write_str("threshold must be at least 1"),
            Error::Policy(p) => p.fmt(f),
            Error::KeystoreUnreadable => f.write_str("the keystore file cannot be read"),
            Error::Proof(e) => e.fmt(f),
            Error::Note(e) => e.fmt(f),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
