//! Signer selection, DESIGN.md §6: pure rules over a snapshot of environment
//! values, so that Node, C and the CLI choose the same signer.
//!
//! First match wins: KMS, signing proxy, node keystore (`RITMA_KEY_ID`; on
//! failure warn and go on), legacy `UTLD_PACKAGE_SIG_KEY`, local env key,
//! mock. `REQUIRE_KMS=true` admits only KMS or proxy; `NODE_ENV=production`
//! admits only KMS, proxy or keystore. Empty values count as unset.
//!
//! ```
//! use signcore::policy::{EnvSnapshot, Resolved, Var, resolve};
//! let env = EnvSnapshot::new().with(Var::MockAuditSigningKey, "dev-key");
//! let Resolved::Local(signer) = resolve(&env, |_, _| unreachable!(), |_| {})? else { panic!() };
//! assert_eq!(signer.kid.as_str(), "mock");
//!
//! let prod = env.with(Var::NodeEnv, "production");
//! let refused = resolve(&prod, |_, _| unreachable!(), |_| {}).unwrap_err();
//! assert!(refused.to_string().starts_with("Audit signing is required"));
//! # Ok::<(), signcore::Error>(())
//! ```

use core::fmt;

use crate::digest::Hash;
use crate::error::{EnvError, EnvProblem, Error, PolicyError};
use crate::key::{Alg, HmacKey, SigningKey};
use crate::keystore::{KeyId, KeyMetadata, KeyRecord, Label};

/// Where a keystore is looked for when `RITMA_KEYSTORE_PATH` is unset.
pub const DEFAULT_KEYSTORE_PATH: &str = "./node_keystore.json";

macro_rules! vars {
    ($($var:ident = $name:literal,)*) => {
        /// The environment variables the rules read.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Var {
            $(#[doc = concat!("`", $name, "`")] $var,)*
        }
        impl Var {
            /// Every variable, in declaration order.
            pub const ALL: &'static [Var] = &[$(Var::$var,)*];
            /// The variable's name.
            pub fn name(self) -> &'static str {
                match self { $(Var::$var => $name,)* }
            }
        }
    };
}

vars! {
    AuditSigningKmsKeyId = "AUDIT_SIGNING_KMS_KEY_ID",
    AuditSigningAlg = "AUDIT_SIGNING_ALG",
    AwsRegion = "AWS_REGION",
    AwsDefaultRegion = "AWS_DEFAULT_REGION",
    SigningProxyUrl = "SIGNING_PROXY_URL",
    SigningProxyApiKey = "SIGNING_PROXY_API_KEY",
    RitmaKeyId = "RITMA_KEY_ID",
    RitmaKeystorePath = "RITMA_KEYSTORE_PATH",
    RitmaKeyHash = "RITMA_KEY_HASH",
    RitmaKeyLabel = "RITMA_KEY_LABEL",
    UtldPackageSigKey = "UTLD_PACKAGE_SIG_KEY",
    AuditSigningKey = "AUDIT_SIGNING_KEY",
    AuditSigningPrivateKey = "AUDIT_SIGNING_PRIVATE_KEY",
    AuditSigningSecret = "AUDIT_SIGNING_SECRET",
    MockAuditSigningKey = "MOCK_AUDIT_SIGNING_KEY",
    RequireKms = "REQUIRE_KMS",
    NodeEnv = "NODE_ENV",
}

const VAR_COUNT: usize = Var::ALL.len();

/// The values of [`Var`]s, borrowed from wherever the host keeps them.
/// Its `Debug` shows which variables are set, never their values.
#[derive(Clone, Copy, Default)]
pub struct EnvSnapshot<'a> {
    values: [Option<&'a str>; VAR_COUNT],
}

impl<'a> EnvSnapshot<'a> {
    /// An empty snapshot.
    pub fn new() -> Self {
        EnvSnapshot { values: [None; VAR_COUNT] }
    }

    /// Reads every [`Var`] through `lookup` (e.g. `std::env::var`).
    pub fn from_fn(mut lookup: impl FnMut(&'static str) -> Option<&'a str>) -> Self {
        let mut snapshot = Self::new();
        for &var in Var::ALL {
            snapshot.values[var as usize] = lookup(var.name());
        }
        snapshot
    }

    /// This snapshot with `var` set to `value`.
    pub fn with(mut self, var: Var, value: &'a str) -> Self {
        self.values[var as usize] = Some(value);
        self
    }

    /// The value of `var`; empty values count as unset.
    pub fn get(&self, var: Var) -> Option<&'a str> {
        self.values[var as usize].filter(|v| !v.is_empty())
    }

    /// A boolean flag: unset or empty is false; `true`, `1`, `yes`, `on`
    /// and `false`, `0`, `no`, `off` (any case, surrounding white space
    /// ignored); anything else is refused rather than guessed.
    pub fn flag(&self, var: Var) -> Result<bool, Error> {
        let Some(value) = self.get(var) else { return Ok(false) };
        let value = value.trim();
        let is = |names: [&str; 4]| names.iter().any(|n| value.eq_ignore_ascii_case(n));
        if value.is_empty() || is(["false", "0", "no", "off"]) {
            Ok(false)
        } else if is(["true", "1", "yes", "on"]) {
            Ok(true)
        } else {
            Err(env_error(var, EnvProblem::NotABoolean))
        }
    }

    /// Whether `NODE_ENV` is `production`. Unset or empty is not; the other
    /// known environments (`development`, `dev`, `test`, `testing`,
    /// `staging`, `ci`, `local`) are not; anything else (`prod`, a typo) is
    /// refused, so that a misspelling never switches the production guard
    /// off silently.
    pub fn is_production(&self) -> Result<bool, Error> {
        let Some(value) = self.get(Var::NodeEnv) else { return Ok(false) };
        let value = value.trim();
        let known = ["development", "dev", "test", "testing", "staging", "ci", "local"];
        if value.eq_ignore_ascii_case("production") {
            Ok(true)
        } else if value.is_empty() || known.iter().any(|n| value.eq_ignore_ascii_case(n)) {
            Ok(false)
        } else {
            Err(env_error(Var::NodeEnv, EnvProblem::UnknownEnvironment))
        }
    }
}

fn env_error(var: Var, problem: EnvProblem) -> Error {
    Error::Env(EnvError { var, problem })
}

/// Names the variable in errors about its key material.
fn in_var(var: Var) -> impl Fn(Error) -> Error {
    move |e| match e {
        Error::InvalidHex => env_error(var, EnvProblem::InvalidHex),
        Error::InvalidKey(p) => env_error(var, EnvProblem::InvalidKey(p)),
        Error::UnknownAlgorithm | Error::UnsupportedAlgorithm => env_error(var, EnvProblem::UnusableAlgorithm),
        Error::InvalidLength { .. } => env_error(var, EnvProblem::InvalidKey(crate::RecordProblem::WrongKeyLength)),
        other => other,
    }
}

impl fmt::Debug for EnvSnapshot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut set = f.debug_set();
        for &var in Var::ALL {
            if self.get(var).is_some() {
                set.entry(&var.name());
            }
        }
        set.finish()
    }
}

/// A remote backend, performed by a host with a network stack.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remote<'a> {
    /// AWS KMS (`AUDIT_SIGNING_KMS_KEY_ID`).
    Kms {
        /// KMS key id or ARN.
        key_id: &'a str,
        /// `AUDIT_SIGNING_ALG`, if set (KMS may offer `rsa-sha256`).
        alg: Option<&'a str>,
        /// `AWS_REGION`, else `AWS_DEFAULT_REGION`.
        region: Option<&'a str>,
    },
    /// Signing proxy (`SIGNING_PROXY_URL`): `POST /sign/hash`.
    Proxy {
        /// Base URL.
        url: &'a str,
        /// Sent as `Authorization: Bearer <api_key>` when set.
        api_key: Option<&'a str>,
    },
}

impl fmt::Debug for Remote<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remote::Kms { key_id, alg, region } => {
                f.debug_struct("Kms").field("key_id", key_id).field("alg", alg).field("region", region).finish()
            }
            Remote::Proxy { url, api_key } => {
                f.debug_struct("Proxy").field("url", url).field("api_key", &api_key.map(|_| "<set>")).finish()
            }
        }
    }
}

/// Where a local signing key came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// Rule 3: the node keystore.
    Keystore,
    /// Rule 4: `UTLD_PACKAGE_SIG_KEY` (kid `legacy-env`).
    LegacyEnv,
    /// Rule 5: `AUDIT_SIGNING_KEY` and friends (kid `local`).
    LocalEnv,
    /// Rule 6: `MOCK_AUDIT_SIGNING_KEY` (kid `mock`).
    Mock,
}

/// A key the core signs with locally.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LocalSigner {
    /// The kid written into signature blocks.
    pub kid: KeyId,
    /// The key.
    pub key: SigningKey,
    /// The keystore label, if any.
    pub label: Option<Label>,
    /// Which rule chose it.
    pub source: Source,
}

/// The outcome of [`resolve`].
// Without an allocator the key is held inline; a `Resolved` is made once.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Resolved<'a> {
    /// Sign remotely (rules 1 and 2).
    Remote(Remote<'a>),
    /// Sign locally (rules 3 to 6).
    Local(LocalSigner),
    /// Rule 7: nothing configured and no guard active; the host decides
    /// whether that is fatal.
    NoSigner,
}

/// Something a host should log while resolving.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The keystore could not serve `RITMA_KEY_ID`; the rules went on.
    KeystoreUnavailable {
        /// Why (no secret material).
        reason: Error,
    },
    /// Signing with the legacy `UTLD_PACKAGE_SIG_KEY`.
    LegacyKey,
    /// Signing with an environment secret (emergency only).
    LocalEnvKey,
    /// Signing with the mock signer (development and CI only).
    MockSigner,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::KeystoreUnavailable { reason } => {
                write!(f, "node keystore cannot serve RITMA_KEY_ID ({reason}); trying the next signer")
            }
            Warning::LegacyKey => {
                f.write_str("signing with the legacy UTLD_PACKAGE_SIG_KEY; move the key into the node keystore")
            }
            Warning::LocalEnvKey => f.write_str("signing with a key from the environment (emergency only)"),
            Warning::MockSigner => f.write_str("signing with the mock signer (development and CI only)"),
        }
    }
}

fn kid(text: &str) -> KeyId {
    KeyId::new(text).unwrap_or_default()
}

/// Applies the rules. `load_keystore_key(path, key_id)` reads the keystore
/// (a host with files passes a reader; [`load_keystore_key`] with `std`);
/// `warn` receives what should be logged.
pub fn resolve<'a>(
    env: &EnvSnapshot<'a>,
    mut load_keystore_key: impl FnMut(&str, &str) -> Result<KeyRecord, Error>,
    mut warn: impl FnMut(Warning),
) -> Result<Resolved<'a>, Error> {
    let require_kms = env.flag(Var::RequireKms)?;
    let production = env.is_production()?;
    if let Some(key_id) = env.get(Var::AuditSigningKmsKeyId) {
        let region = env.get(Var::AwsRegion).or(env.get(Var::AwsDefaultRegion));
        return Ok(Resolved::Remote(Remote::Kms { key_id, alg: env.get(Var::AuditSigningAlg), region }));
    }
    if let Some(url) = env.get(Var::SigningProxyUrl) {
        return Ok(Resolved::Remote(Remote::Proxy { url, api_key: env.get(Var::SigningProxyApiKey) }));
    }
    if require_kms {
        return Err(Error::Policy(PolicyError::KmsRequired));
    }
    if let Some(key_id) = env.get(Var::RitmaKeyId) {
        let path = env.get(Var::RitmaKeystorePath).unwrap_or(DEFAULT_KEYSTORE_PATH);
        match load_keystore_key(path, key_id) {
            Ok(record) => {
                return Ok(Resolved::Local(LocalSigner {
                    kid: kid(record.key_id()),
                    label: record.label().and_then(|l| Label::new(l).ok()),
                    key: record.into_key(),
                    source: Source::Keystore,
                }));
            }
            Err(reason) => warn(Warning::KeystoreUnavailable { reason }),
        }
    }
    if production {
        return Err(Error::Policy(PolicyError::ProductionRequiresManagedKey));
    }
    if let Some(value) = env.get(Var::UtldPackageSigKey) {
        let var = Var::UtldPackageSigKey;
        let (alg, secret_hex) = value.split_once(':').ok_or(env_error(var, EnvProblem::NotAlgColonHex))?;
        let alg = Alg::parse(alg.trim()).map_err(in_var(var))?;
        let key = SigningKey::from_hex(alg, secret_hex.trim().as_bytes()).map_err(in_var(var))?;
        warn(Warning::LegacyKey);
        return Ok(Resolved::Local(LocalSigner {
            kid: kid("legacy-env"),
            key,
            label: None,
            source: Source::LegacyEnv,
        }));
    }
    let local = [Var::AuditSigningKey, Var::AuditSigningPrivateKey, Var::AuditSigningSecret]
        .into_iter()
        .find_map(|var| Some((var, env.get(var)?)));
    if let Some((var, value)) = local {
        let alg = match env.get(Var::AuditSigningAlg) {
            None => Alg::HmacSha256,
            Some(name) => Alg::parse(name.trim()).map_err(in_var(Var::AuditSigningAlg))?,
        };
        let key = match alg {
            Alg::HmacSha256 => SigningKey::from(HmacKey::new(value.as_bytes()).map_err(in_var(var))?),
            Alg::Ed25519 => SigningKey::from_hex(Alg::Ed25519, value.trim().as_bytes()).map_err(in_var(var))?,
            _ => return Err(env_error(Var::AuditSigningAlg, EnvProblem::UnusableAlgorithm)),
        };
        warn(Warning::LocalEnvKey);
        return Ok(Resolved::Local(LocalSigner { kid: kid("local"), key, label: None, source: Source::LocalEnv }));
    }
    if let Some(value) = env.get(Var::MockAuditSigningKey) {
        let key = SigningKey::from(HmacKey::new(value.as_bytes()).map_err(in_var(Var::MockAuditSigningKey))?);
        warn(Warning::MockSigner);
        return Ok(Resolved::Local(LocalSigner { kid: kid("mock"), key, label: None, source: Source::Mock }));
    }
    Ok(Resolved::NoSigner)
}

/// Key facts a node reports to the cloud: from the keystore when it can
/// serve `RITMA_KEY_ID`, else from `RITMA_KEY_HASH` / `RITMA_KEY_LABEL`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CloudKeySummary {
    /// `RITMA_KEY_ID`.
    pub key_id: KeyId,
    /// Known only from the keystore.
    pub alg: Option<Alg>,
    /// From the keystore, else `RITMA_KEY_HASH` (when it is 64 hex chars).
    pub key_hash: Option<Hash>,
    /// From the keystore, else `RITMA_KEY_LABEL`.
    pub label: Option<Label>,
}

/// The metadata fallback of §6; `None` without `RITMA_KEY_ID`.
pub fn cloud_key_summary(
    env: &EnvSnapshot<'_>,
    load_keystore_key: impl FnOnce(&str, &str) -> Result<KeyRecord, Error>,
) -> Option<CloudKeySummary> {
    let key_id = env.get(Var::RitmaKeyId)?;
    let path = env.get(Var::RitmaKeystorePath).unwrap_or(DEFAULT_KEYSTORE_PATH);
    Some(match load_keystore_key(path, key_id) {
        Ok(record) => {
            let KeyMetadata { key_id, alg, key_hash, label } = record.metadata();
            CloudKeySummary { key_id, alg: Some(alg), key_hash: Some(key_hash), label }
        }
        Err(_) => CloudKeySummary {
            key_id: kid(key_id),
            alg: None,
            key_hash: env.get(Var::RitmaKeyHash).and_then(|h| crate::digest::parse_hash(h).ok()),
            label: env.get(Var::RitmaKeyLabel).and_then(|l| Label::new(l).ok()),
        },
    })
}

/// Reads a keystore file and loads `key_id` from it (`std` only). The file's
/// bytes are wiped after parsing.
#[cfg(feature = "std")]
pub fn load_keystore_key(path: &str, key_id: &str) -> Result<KeyRecord, Error> {
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(path).map_err(|e| Error::KeystoreUnreadable(crate::KeystoreUnreadable::from_io(path, &e)))?,
    );
    crate::keystore::load_key(&bytes, key_id)
}

/// The process environment, captured once (`std` only).
#[cfg(feature = "std")]
pub struct ProcessEnv {
    values: std::vec::Vec<(Var, zeroize::Zeroizing<std::string::String>)>,
}

#[cfg(feature = "std")]
impl ProcessEnv {
    /// Reads every [`Var`] from the process environment.
    pub fn capture() -> Self {
        let values = Var::ALL
            .iter()
            .filter_map(|&var| std::env::var(var.name()).ok().map(|v| (var, zeroize::Zeroizing::new(v))))
            .collect();
        ProcessEnv { values }
    }

    /// A snapshot borrowing the captured values.
    pub fn snapshot(&self) -> EnvSnapshot<'_> {
        self.values.iter().fold(EnvSnapshot::new(), |env, (var, value)| env.with(*var, value.as_str()))
    }
}

/// Resolves the signer from the process environment and files (`std` only).
#[cfg(feature = "std")]
pub fn resolve_process_env(env: &ProcessEnv, warn: impl FnMut(Warning)) -> Result<Resolved<'_>, Error> {
    resolve(&env.snapshot(), load_keystore_key, warn)
}
