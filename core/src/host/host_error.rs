//! The host API's error: the core's vocabulary plus paths and I/O.

use std::fmt;
use std::path::PathBuf;
use std::vec::Vec;

use super::evidence_fs::Skipped;
use super::node_keystore::KeystoreError;
use super::signer::SignError;
use crate::error::Error;

/// Every error of the host API: says which file, which key id and why,
/// never secret material. [`HostError::code`] is a stable code.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostError {
    /// The node keystore could not serve (file, JSON, key id).
    Keystore(KeystoreError),
    /// A core error (bad input, limits).
    Core(Error),
    /// A file or directory could not be read or written.
    Io {
        /// The path.
        path: PathBuf,
        /// What was being done (`"read"`, `"list"`, ...).
        action: &'static str,
        /// The I/O error kind.
        kind: std::io::ErrorKind,
    },
    /// A directory entry that is not a regular file or directory (a
    /// symbolic link, a device) or whose name is not UTF-8.
    NotPackageable {
        /// The path.
        path: PathBuf,
    },
    /// A signer failed.
    Sign(SignError),
    /// No signing key could be used and unsigned output was refused: every
    /// step of the chain with the reason it was skipped (the `utl_http` 500).
    NoSigningKey {
        /// The steps tried, in order.
        skipped: Vec<Skipped>,
    },
}

impl HostError {
    /// A stable machine-readable code: the keystore's or the core's code,
    /// `IO_ERROR`, `NOT_PACKAGEABLE`, the signer's code, or `NO_SIGNER`.
    pub fn code(&self) -> &'static str {
        match self {
            HostError::Keystore(e) => e.code(),
            HostError::Core(e) => e.code(),
            HostError::Io { .. } => "IO_ERROR",
            HostError::NotPackageable { .. } => "NOT_PACKAGEABLE",
            HostError::Sign(e) => e.code(),
            HostError::NoSigningKey { .. } => "NO_SIGNER",
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Keystore(e) => e.fmt(f),
            HostError::Core(e) => e.fmt(f),
            HostError::Io { path, action, kind } => write!(f, "cannot {action} {}: {kind}", path.display()),
            HostError::NotPackageable { path } => {
                write!(
                    f,
                    "{} is not a regular file with a UTF-8 name (symbolic links and devices are not packaged)",
                    path.display()
                )
            }
            HostError::Sign(e) => write!(f, "signing failed: {e}"),
            HostError::NoSigningKey { skipped } => {
                f.write_str("evidence package cannot be signed")?;
                for (i, step) in skipped.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    step.fmt(f)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for HostError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HostError::Keystore(e) => Some(e),
            HostError::Core(e) => Some(e),
            HostError::Sign(e) => Some(e),
            _ => None,
        }
    }
}

impl From<KeystoreError> for HostError {
    fn from(e: KeystoreError) -> Self {
        HostError::Keystore(e)
    }
}

impl From<Error> for HostError {
    fn from(e: Error) -> Self {
        HostError::Core(e)
    }
}

impl From<SignError> for HostError {
    fn from(e: SignError) -> Self {
        HostError::Sign(e)
    }
}
