//! The host API for Rust services: what the node keystore's consumers call
//! (DESIGN.md §13). Each of Ritma's components becomes a few lines:
//!
//! | component | calls |
//! | --- | --- |
//! | `utl_cli` evidence export | [`EvidenceBuilder::export`] (keystore → `UTLD_PACKAGE_SIG_KEY` → unsigned, every skipped step returned with its reason) |
//! | `utl_http` evidence API | [`EvidenceBuilder::export`] with [`Unsigned::Refuse`]: the final failure is an [`HostError`] whose text is the 500's descriptive error |
//! | `security_kit::EvidenceBuilder` | [`EvidenceBuilder::build_and_sign`], [`EvidenceBuilder::build_and_sign_with_keystore_env`], [`EvidenceBuilder::build_and_sign_with_keystore_key_id`] |
//! | `compliance_index` burns | [`NodeKeystore::sign_burn`] / [`burn::sign_burn`], [`burn::verify_burn`] |
//! | `ritma_cloud` key metadata | [`CloudKeySummary`] (from the environment with its fallback reason kept; with `serde` it deserializes what nodes post) |
//!
//! Without `alloc` only [`burn`] is available; the evidence format and its
//! verifier need `alloc`; files, the process environment and the keystore
//! file need `std`.

use core::fmt;

pub mod burn;
#[cfg(feature = "alloc")]
pub mod evidence;
#[cfg(feature = "std")]
mod evidence_fs;
#[cfg(feature = "std")]
mod host_error;
#[cfg(feature = "std")]
mod node_keystore;
pub mod rfc3339;
#[cfg(feature = "alloc")]
pub mod signer;
#[cfg(feature = "alloc")]
pub mod summary;

#[cfg(feature = "alloc")]
pub use evidence::{EvidenceBuilder, EvidencePackage, EvidenceReport, verify_package};
#[cfg(feature = "std")]
pub use evidence_fs::{
    ExportOutcome, SignedBy, SkipReason, Skipped, Step, Unsigned, list_dir, read_package, verify_package_dir,
};
#[cfg(feature = "std")]
pub use host_error::HostError;
#[cfg(feature = "std")]
pub use node_keystore::{KeystoreError, KeystoreErrorKind, MAX_KEYSTORE_FILE_LEN, NodeKeystore};
#[cfg(feature = "alloc")]
pub use signer::{AuditSigner, SignError};
#[cfg(feature = "alloc")]
pub use summary::{CloudKeySummary, SummaryReport, SummarySource};

/// Why an evidence package (DESIGN.md §13) cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvidenceProblem {
    /// The document is not a JSON object.
    NotAnObject,
    /// `format` is not `signcore-evidence/1`.
    UnknownFormat,
    /// A required member is missing (`format`, `created_at`, `files`, `meta`, `signature`).
    MissingMember(&'static str),
    /// A member this format does not define (at the top, in a file entry or a signature block).
    UnknownMember,
    /// `created_at` is not an RFC 3339 date-time.
    BadCreatedAt,
    /// `files[index]` is not `{path, size, sha256}` with a string, a safe
    /// integer and 64 hex chars.
    BadFileEntry {
        /// Index in `files`.
        index: usize,
    },
    /// `files[index].path` is not a relative, `/`-separated path without
    /// empty, `.` or `..` components (or longer than the limit).
    BadPath {
        /// Index in `files`.
        index: usize,
    },
    /// `files[index]` is not after `files[index - 1]` in byte order of the
    /// paths (unsorted or a duplicate path).
    NotSorted {
        /// Index in `files`.
        index: usize,
    },
    /// `meta` is not an object of string values.
    BadMeta,
    /// `signature` is neither `null` nor a `{kid, alg, signature}` block.
    BadSignatureBlock,
    /// More files than [`evidence::MAX_FILES`] or more meta entries than [`evidence::MAX_META_ENTRIES`].
    TooManyEntries,
    /// A package larger than [`evidence::MAX_PACKAGE_LEN`].
    TooLarge,
}

impl EvidenceProblem {
    /// `LIMIT_EXCEEDED` for limits, else `INVALID_EVIDENCE`.
    pub fn code(self) -> &'static str {
        match self {
            EvidenceProblem::TooManyEntries | EvidenceProblem::TooLarge => "LIMIT_EXCEEDED",
            _ => "INVALID_EVIDENCE",
        }
    }
}

impl fmt::Display for EvidenceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvidenceProblem::NotAnObject => f.write_str("not a JSON object"),
            EvidenceProblem::UnknownFormat => f.write_str("format is not \"signcore-evidence/1\""),
            EvidenceProblem::MissingMember(name) => write!(f, "member {name:?} is missing"),
            EvidenceProblem::UnknownMember => f.write_str("a member this format does not define"),
            EvidenceProblem::BadCreatedAt => f.write_str("created_at is not an RFC 3339 date-time"),
            EvidenceProblem::BadFileEntry { index } => {
                write!(f, "files[{index}] is not {{path, size, sha256}} (string, integer 0..2^53, 64 hex chars)")
            }
            EvidenceProblem::BadPath { index } => {
                write!(f, "files[{index}].path is not a relative /-separated path without empty, . or .. components")
            }
            EvidenceProblem::NotSorted { index } => {
                write!(
                    f,
                    "files[{index}] is not sorted after files[{}] by path (or repeats it)",
                    index.saturating_sub(1)
                )
            }
            EvidenceProblem::BadMeta => f.write_str("meta is not an object of string values"),
            EvidenceProblem::BadSignatureBlock => f.write_str("signature is neither null nor {kid, alg, signature}"),
            EvidenceProblem::TooManyEntries => f.write_str("more files or meta entries than the limit"),
            EvidenceProblem::TooLarge => f.write_str("package larger than the limit"),
        }
    }
}

/// Writes a node keystore and an evidence directory into a fresh temporary
/// folder for the README examples; returns (folder, keystore path).
#[cfg(feature = "std")]
#[doc(hidden)]
pub fn doc_fixture(name: &str) -> std::io::Result<(std::path::PathBuf, std::path::PathBuf)> {
    let dir = std::env::temp_dir().join(std::format!("signcore-doc-{name}-{}", std::process::id()));
    let evidence = dir.join("evidence");
    std::fs::create_dir_all(evidence.join("logs"))?;
    std::fs::write(evidence.join("logs/run.log"), "started\nfinished\n")?;
    let keystore = dir.join("node_keystore.json");
    std::fs::write(
        &keystore,
        r#"[{"key_id":"node-key-ed25519-1","alg":"ed25519","secret_hex":"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff","label":"primary-ed25519"}]"#,
    )?;
    Ok((dir, keystore))
}
