//! Evidence packages on hosts with files and an environment: directories,
//! the keystore helpers and the export fallback chain of DESIGN.md §13.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

use sha2::{Digest, Sha256};

use super::evidence::{EvidenceBuilder, EvidencePackage, EvidenceReport, FileEntry, VerifyOptions};
use super::host_error::HostError;
use super::node_keystore::{KeystoreError, KeystoreErrorKind, NodeKeystore, key_id_from, keystore_path};
use crate::error::{Error, PolicyError};
use crate::key::Alg;
use crate::keystore::KeyRing;
use crate::policy::{EnvSnapshot, ProcessEnv, Resolved, Source, Var, resolve};

fn io<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(std::io::Error) -> HostError + 'a {
    move |e| HostError::Io { path: path.to_path_buf(), action, kind: e.kind() }
}

/// Every regular file under `dir`, with `/`-separated relative paths, size
/// and SHA-256 (streamed). Symbolic links, devices and non-UTF-8 names are
/// errors rather than silently left out.
pub fn list_dir(dir: &Path) -> Result<Vec<FileEntry>, HostError> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            HostError::Io { path, action: "list", kind: e.io_error().map_or(std::io::ErrorKind::Other, |e| e.kind()) }
        })?;
        let file_type = entry.file_type();
        if file_type.is_dir() {
            continue;
        }
        let not_packageable = || HostError::NotPackageable { path: entry.path().to_path_buf() };
        if !file_type.is_file() {
            return Err(not_packageable());
        }
        let relative = entry.path().strip_prefix(dir).map_err(|_| not_packageable())?;
        let mut parts = Vec::new();
        for part in relative.components() {
            parts.push(part.as_os_str().to_str().ok_or_else(not_packageable)?);
        }
        let path = parts.join("/");
        let (size, sha256) = hash_file(entry.path())?;
        files.push(FileEntry { path, size, sha256 });
        if files.len() > super::evidence::MAX_FILES {
            return Err(Error::InvalidEvidence(super::EvidenceProblem::TooManyEntries).into());
        }
    }
    Ok(files)
}

fn hash_file(path: &Path) -> Result<(u64, [u8; 32]), HostError> {
    let mut file = std::fs::File::open(path).map_err(io(path, "read"))?;
    let mut hasher = Sha256::new();
    let mut buf = [0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io(path, "read"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hasher.finalize().into()))
}

/// Verifies a package file's JSON against a directory: the signature, then
/// every file's size and SHA-256, no file missing or extra.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("signcore-doc-vdir-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// use signcore::host::{EvidenceBuilder, verify_package_dir, evidence::VerifyOptions, signer::NamedKey};
/// use signcore::{key::SigningKey, keystore::KeyRing};
/// std::fs::write(dir.join("report.txt"), "all good")?;
/// let key = SigningKey::ed25519_from_seed(&[9; 32]);
/// let mut builder = EvidenceBuilder::new();
/// builder.add_dir(&dir)?;
/// let json = builder.build_and_sign(&NamedKey::new("node-1", &key))?.to_json();
/// let mut ring = KeyRing::new();
/// ring.insert("node-1", key.verifying_key())?;
/// assert!(verify_package_dir(json.as_bytes(), &ring, VerifyOptions::default(), &dir)?.ok);
///
/// std::fs::write(dir.join("report.txt"), "all bad!")?;
/// let report = verify_package_dir(json.as_bytes(), &ring, VerifyOptions::default(), &dir)?;
/// assert_eq!(report.findings[0].code.as_str(), "HASH_MISMATCH");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_package_dir(
    json: &[u8],
    ring: &KeyRing,
    options: VerifyOptions,
    dir: impl AsRef<Path>,
) -> Result<EvidenceReport, HostError> {
    let package = EvidencePackage::from_json(json)?;
    let mut report = EvidenceReport::for_package(&package, ring, options);
    let actual = list_dir(dir.as_ref())?;
    report.add_files(package.check_files(actual));
    Ok(report)
}

/// A step of the export chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// The node keystore (`RITMA_KEY_ID`, `RITMA_KEYSTORE_PATH`).
    Keystore,
    /// The legacy `UTLD_PACKAGE_SIG_KEY`.
    LegacyEnv,
}

/// Why a step of the chain was skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// Its variable is not set (`RITMA_KEY_ID` or `UTLD_PACKAGE_SIG_KEY`).
    NotConfigured,
    /// The keystore could not serve the key: path, key id and why.
    Keystore(KeystoreError),
    /// The legacy key is malformed (not `<alg>:<secret_hex>`, bad hex, ...).
    Invalid(Error),
    /// Refused by a guard (`NODE_ENV=production` never uses the legacy key).
    Refused(Error),
}

/// A skipped step and its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Which step.
    pub step: Step,
    /// Why.
    pub reason: SkipReason,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.step, &self.reason) {
            (Step::Keystore, SkipReason::NotConfigured) => {
                f.write_str("node keystore not used: RITMA_KEY_ID is not set")
            }
            (Step::Keystore, SkipReason::Keystore(e)) => write!(f, "node keystore signing failed: {e}"),
            (Step::LegacyEnv, SkipReason::NotConfigured) => f.write_str("UTLD_PACKAGE_SIG_KEY is not set"),
            (Step::LegacyEnv, SkipReason::Invalid(e)) => write!(f, "legacy key unusable: {e}"),
            (Step::LegacyEnv, SkipReason::Refused(e)) => write!(f, "UTLD_PACKAGE_SIG_KEY refused: {e}"),
            (step, reason) => write!(f, "{step:?} skipped: {reason:?}"),
        }
    }
}

/// Whether the chain may end with an unsigned package.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsigned {
    /// `utl_cli`: export unsigned, with a warning.
    Allow,
    /// `utl_http` with `sign: true`: fail with [`HostError::NoSigningKey`].
    Refuse,
}

/// Who signed an exported package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedBy {
    /// The keystore, or the legacy env key (kid `legacy-env`).
    pub source: Source,
    /// The kid in the signature block.
    pub kid: String,
    /// Its algorithm.
    pub alg: Alg,
}

/// The result of [`EvidenceBuilder::export`]: the package, who signed it,
/// and every step skipped on the way with its reason.
#[derive(Clone, Debug)]
pub struct ExportOutcome {
    /// The package (signed unless the whole chain was skipped).
    pub package: EvidencePackage,
    /// The signer, `None` for an unsigned package.
    pub signed_by: Option<SignedBy>,
    /// The steps skipped before the one used, in order.
    pub skipped: Vec<Skipped>,
}

impl ExportOutcome {
    /// The warnings a host should log: a failed keystore, the legacy key
    /// in use, an unsigned export.
    pub fn warnings(&self) -> Vec<String> {
        // An unset variable is not worth a warning; a failure is.
        let mut out: Vec<String> =
            self.skipped.iter().filter(|s| s.reason != SkipReason::NotConfigured).map(ToString::to_string).collect();
        match &self.signed_by {
            Some(by) if by.source == Source::LegacyEnv => out.push(
                "signing with the legacy UTLD_PACKAGE_SIG_KEY (kid legacy-env); move the key into the node keystore"
                    .into(),
            ),
            None => out.push("no signing key available: the evidence package is exported UNSIGNED".into()),
            _ => {}
        }
        out
    }
}

impl EvidenceBuilder {
    /// Adds every regular file under `dir` (paths relative to it).
    pub fn add_dir(&mut self, dir: impl AsRef<Path>) -> Result<&mut Self, HostError> {
        for entry in list_dir(dir.as_ref())? {
            self.add_entry(entry)?;
        }
        Ok(self)
    }

    /// Reads one file into the package under `path`.
    pub fn add_path(&mut self, path: &str, file: impl AsRef<Path>) -> Result<&mut Self, HostError> {
        super::evidence::check_path(path)?;
        let (size, sha256) = hash_file(file.as_ref())?;
        self.add_entry(FileEntry { path: path.to_string(), size, sha256 })?;
        Ok(self)
    }

    /// Signs with the key `key_id` of `keystore`.
    pub fn build_and_sign_with_keystore(
        self,
        keystore: &NodeKeystore,
        key_id: &str,
    ) -> Result<EvidencePackage, HostError> {
        let record = keystore.record(key_id)?;
        Ok(self.build_and_sign(record)?)
    }

    /// Signs with the keystore key `RITMA_KEY_ID` from the keystore at
    /// `RITMA_KEYSTORE_PATH` (default `./node_keystore.json`).
    pub fn build_and_sign_with_keystore_env(self) -> Result<EvidencePackage, HostError> {
        let env = ProcessEnv::capture();
        let env = env.snapshot();
        let keystore = NodeKeystore::from_snapshot(&env)?;
        let key_id = key_id_from(&env)
            .ok_or_else(|| KeystoreError::new(keystore.path(), None, KeystoreErrorKind::MissingKeyId))?;
        self.build_and_sign_with_keystore(&keystore, &key_id)
    }

    /// Signs with `key_id` from the keystore at `RITMA_KEYSTORE_PATH`.
    pub fn build_and_sign_with_keystore_key_id(self, key_id: &str) -> Result<EvidencePackage, HostError> {
        let keystore = NodeKeystore::from_env()?;
        self.build_and_sign_with_keystore(&keystore, key_id)
    }

    /// The export chain of DESIGN.md §13 from the process environment:
    /// keystore (`RITMA_KEY_ID`) → `UTLD_PACKAGE_SIG_KEY` → unsigned (when
    /// allowed). Every skipped step comes back with its reason.
    pub fn export(self, unsigned: Unsigned) -> Result<ExportOutcome, HostError> {
        let env = ProcessEnv::capture();
        self.export_with_env(&env.snapshot(), unsigned)
    }

    /// [`EvidenceBuilder::export`] over an environment snapshot.
    ///
    /// ```
    /// use signcore::host::{EvidenceBuilder, Unsigned};
    /// use signcore::policy::{EnvSnapshot, Var};
    /// let env = EnvSnapshot::new()
    ///     .with(Var::RitmaKeyId, "node-1")
    ///     .with(Var::RitmaKeystorePath, "/nonexistent/node_keystore.json")
    ///     .with(Var::UtldPackageSigKey, "hmac_sha256:aa55aa55");
    /// let mut builder = EvidenceBuilder::new();
    /// builder.add_file("a.txt", b"a")?;
    /// let outcome = builder.export_with_env(&env, Unsigned::Allow)?;
    /// assert_eq!(outcome.signed_by.unwrap().kid, "legacy-env");
    /// assert_eq!(outcome.skipped[0].to_string(),
    ///     "node keystore signing failed: node keystore /nonexistent/node_keystore.json: cannot read the file: entity not found");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn export_with_env(self, env: &EnvSnapshot<'_>, unsigned: Unsigned) -> Result<ExportOutcome, HostError> {
        let mut chain = EnvSnapshot::new();
        for var in [Var::RitmaKeyId, Var::RitmaKeystorePath, Var::UtldPackageSigKey, Var::NodeEnv] {
            if let Some(value) = env.get(var) {
                chain = chain.with(var, value);
            }
        }
        let mut keystore_error = None;
        let resolved = resolve(
            &chain,
            |path, key_id| {
                let loaded = NodeKeystore::from_path(path).and_then(|ks| ks.record(key_id).cloned());
                loaded.map_err(|e| {
                    let core = e.to_core();
                    keystore_error = Some(e);
                    core
                })
            },
            |_| {},
        );
        let keystore_skip = || Skipped {
            step: Step::Keystore,
            reason: match (&keystore_error, key_id_from(&chain)) {
                (Some(e), _) => SkipReason::Keystore(e.clone()),
                (None, None) => SkipReason::NotConfigured,
                (None, Some(id)) => SkipReason::Keystore(KeystoreError::new(
                    &keystore_path(&chain),
                    Some(&id),
                    KeystoreErrorKind::KeyNotFound,
                )),
            },
        };
        let legacy = |reason| Skipped { step: Step::LegacyEnv, reason };
        let (signer, skipped) = match resolved {
            Ok(Resolved::Local(signer)) if signer.source == Source::Keystore => (Some(signer), Vec::new()),
            Ok(Resolved::Local(signer)) => (Some(signer), std::vec![keystore_skip()]),
            Ok(_) => (None, std::vec![keystore_skip(), legacy(SkipReason::NotConfigured)]),
            Err(e @ Error::Policy(PolicyError::ProductionRequiresManagedKey)) => {
                let legacy_reason = if chain.get(Var::UtldPackageSigKey).is_some() {
                    SkipReason::Refused(e)
                } else {
                    SkipReason::NotConfigured
                };
                (None, std::vec![keystore_skip(), legacy(legacy_reason)])
            }
            Err(e) => (None, std::vec![keystore_skip(), legacy(SkipReason::Invalid(e))]),
        };
        match signer {
            Some(signer) => {
                let package = self.build_and_sign(&signer)?;
                let signed_by =
                    SignedBy { source: signer.source, kid: signer.kid.as_str().to_string(), alg: signer.key.alg() };
                Ok(ExportOutcome { package, signed_by: Some(signed_by), skipped })
            }
            None if unsigned == Unsigned::Allow => {
                Ok(ExportOutcome { package: self.build()?, signed_by: None, skipped })
            }
            None => Err(HostError::NoSigningKey { skipped }),
        }
    }
}

/// Reads a package file (bounded by [`super::evidence::MAX_PACKAGE_LEN`]).
pub fn read_package(path: impl AsRef<Path>) -> Result<Vec<u8>, HostError> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(io(path, "read"))?;
    let mut bytes = Vec::new();
    file.take(super::evidence::MAX_PACKAGE_LEN as u64 + 1).read_to_end(&mut bytes).map_err(io(path, "read"))?;
    if bytes.len() > super::evidence::MAX_PACKAGE_LEN {
        return Err(Error::InvalidEvidence(super::EvidenceProblem::TooLarge).into());
    }
    Ok(bytes)
}
