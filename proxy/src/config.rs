//! Start-up: flags and environment into a checked [`Config`]. Everything
//! that can be wrong with a configuration is refused here, before the
//! service listens, with a message naming the flag or variable.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use signcore::key::{Alg, SigningKey};
use signcore::keystore::Keystore;
use signcore::policy::{EnvSnapshot, Resolved, Var};
use zeroize::Zeroizing;

use crate::auth::ApiKeys;

/// signcore-proxy: the signing service of DESIGN.md §10.
///
/// Serves one signing key of a node keystore (or, with --mock, the mock key
/// of MOCK_AUDIT_SIGNING_KEY) over HTTP/1.1 or TLS. Secrets are read from
/// files and the environment only: SIGNING_PROXY_API_KEY, --api-keys-file,
/// the keystore, the TLS key.
#[derive(Parser, Debug)]
#[command(name = "signcore-proxy", version, about, long_about = None)]
pub struct Args {
    /// Node keystore file (DESIGN.md §3) [default: ./node_keystore.json].
    #[arg(long, env = "RITMA_KEYSTORE_PATH", value_name = "PATH")]
    pub keystore: Option<PathBuf>,
    /// The keystore key that signs (every keystore key verifies and is listed by /keys).
    #[arg(long, env = "RITMA_KEY_ID", value_name = "KEY_ID")]
    pub key_id: Option<String>,
    /// Serve the mock signer (HMAC keyed with MOCK_AUDIT_SIGNING_KEY, kid "mock"); dev/CI only,
    /// refused when NODE_ENV=production. RITMA_KEYSTORE_PATH/RITMA_KEY_ID are then ignored.
    #[arg(long)]
    pub mock: bool,
    /// AWS KMS key to front (issue 9): not available in this build.
    #[arg(long, value_name = "KEY_ID")]
    pub kms: Option<String>,
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:8081", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// File of API keys, one per line ('#' comments); all are valid at once (rotation).
    /// Added to SIGNING_PROXY_API_KEY when both are set. Re-read on SIGHUP.
    #[arg(long, value_name = "PATH")]
    pub api_keys_file: Option<PathBuf>,
    /// TLS certificate chain (PEM).
    #[arg(long, value_name = "PATH", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PATH", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Require client certificates issued by this CA (PEM): mTLS.
    #[arg(long, value_name = "PATH", requires = "tls_cert")]
    pub client_ca: Option<PathBuf>,
    /// Most connections open at once (more wait in the kernel backlog).
    #[arg(long, default_value_t = 4096, value_name = "N")]
    pub max_connections: usize,
    /// Most requests handled at once (more wait for a slot).
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub max_in_flight: usize,
    /// Time for a client to send a request's headers (also the idle keep-alive
    /// limit and the TLS handshake limit), in ms.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub header_timeout_ms: u64,
    /// Time for a client to send a request's body, in ms.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub body_timeout_ms: u64,
    /// On SIGTERM, how long requests in flight may take to finish, in ms.
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    pub drain_timeout_ms: u64,
}

/// The key the service signs with and the keys it verifies with.
pub struct Keys {
    /// kid of the signing key.
    pub kid: String,
    /// The signing key.
    pub signing: SigningKey,
    /// Every key by kid (the signing key included), for /verify and /keys.
    pub all: Vec<KeyEntry>,
}

/// One served key.
pub struct KeyEntry {
    /// Its kid (`key_id`).
    pub kid: String,
    /// Its keystore label.
    pub label: Option<String>,
    /// The key.
    pub key: SigningKey,
}

/// A checked configuration.
pub struct Config {
    pub listen: SocketAddr,
    pub keys: Keys,
    pub api_keys: ApiKeys,
    pub api_keys_file: Option<PathBuf>,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub mtls: bool,
    pub max_connections: usize,
    pub max_in_flight: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub drain_timeout: Duration,
    pub warnings: Vec<String>,
}

/// A start-up refusal: the message is printed and the process exits 2.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn fail<T>(message: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError(message.into()))
}

fn env_value(name: &str) -> Option<Zeroizing<String>> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).map(Zeroizing::new)
}

impl Config {
    /// Checks `args` and the environment; loads keys, API keys and TLS files.
    pub fn load(args: Args) -> Result<Config, ConfigError> {
        let mut warnings = Vec::new();
        if args.kms.is_some() {
            return fail(
                "--kms is not available in this build of signcore-proxy (AWS KMS fronting is deferred, issue 9); \
                 serve a node keystore key with --keystore/--key-id",
            );
        }
        for (name, value) in [("--max-connections", args.max_connections), ("--max-in-flight", args.max_in_flight)] {
            if value == 0 {
                return fail(format!("{name} must be at least 1"));
            }
        }
        if args.max_in_flight > tokio::sync::Semaphore::MAX_PERMITS || args.max_in_flight > u32::MAX as usize {
            return fail("--max-in-flight is too large");
        }
        for (name, value) in [
            ("--header-timeout-ms", args.header_timeout_ms),
            ("--body-timeout-ms", args.body_timeout_ms),
            ("--drain-timeout-ms", args.drain_timeout_ms),
        ] {
            if value == 0 {
                return fail(format!("{name} must be at least 1"));
            }
        }

        let keys = if args.mock { mock_keys()? } else { keystore_keys(&args, &mut warnings)? };

        let env_key = env_value("SIGNING_PROXY_API_KEY");
        let api_keys = ApiKeys::load(env_key.as_deref().map(String::as_str), args.api_keys_file.as_deref())
            .map_err(ConfigError)?;
        if let Some(path) = &args.api_keys_file {
            warn_if_readable_by_others(path, "--api-keys-file", &mut warnings);
        }

        let (tls, mtls) = match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => {
                (Some(tls_config(cert, key, args.client_ca.as_deref())?), args.client_ca.is_some())
            }
            _ => (None, false),
        };

        if !args.listen.ip().is_loopback() {
            if tls.is_none() {
                return fail(format!(
                    "refusing to listen on {} without TLS: beyond loopback, --tls-cert/--tls-key are required \
                     (and client authentication: SIGNING_PROXY_API_KEY, --api-keys-file or --client-ca)",
                    args.listen
                ));
            }
            if api_keys.is_empty() && !mtls {
                return fail(format!(
                    "refusing to listen on {} without client authentication: set SIGNING_PROXY_API_KEY, \
                     --api-keys-file or --client-ca",
                    args.listen
                ));
            }
        }

        Ok(Config {
            listen: args.listen,
            keys,
            api_keys,
            api_keys_file: args.api_keys_file,
            tls,
            mtls,
            max_connections: args.max_connections,
            max_in_flight: args.max_in_flight,
            header_timeout: Duration::from_millis(args.header_timeout_ms),
            body_timeout: Duration::from_millis(args.body_timeout_ms),
            drain_timeout: Duration::from_millis(args.drain_timeout_ms),
            warnings,
        })
    }
}

/// `--mock`: the core's rule 6 of §6, with its production guard.
fn mock_keys() -> Result<Keys, ConfigError> {
    let mock = env_value("MOCK_AUDIT_SIGNING_KEY");
    let node_env = env_value("NODE_ENV");
    let mut env = EnvSnapshot::new();
    if let Some(v) = &mock {
        env = env.with(Var::MockAuditSigningKey, v);
    }
    if let Some(v) = &node_env {
        env = env.with(Var::NodeEnv, v);
    }
    // No RITMA_KEY_ID in this snapshot: the keystore reader is never called.
    let resolved = signcore::policy::resolve(&env, |_, _| Err(signcore::Error::InvalidHex), |_| {});
    match resolved {
        Ok(Resolved::Local(signer)) => {
            let kid = signer.kid.as_str().to_owned();
            let entry = KeyEntry { kid: kid.clone(), label: None, key: signer.key.clone() };
            Ok(Keys { kid, signing: signer.key, all: vec![entry] })
        }
        Ok(_) => fail("--mock needs MOCK_AUDIT_SIGNING_KEY (the mock HMAC key, its UTF-8 bytes) in the environment"),
        Err(e) => fail(format!("--mock refused: {e}")),
    }
}

/// `--keystore`/`--key-id`: every record of the keystore, one of them signing.
fn keystore_keys(args: &Args, warnings: &mut Vec<String>) -> Result<Keys, ConfigError> {
    let Some(key_id) = args.key_id.as_deref().filter(|k| !k.is_empty()) else {
        return fail(
            "no signing key: pass --key-id (or RITMA_KEY_ID) with --keystore (or RITMA_KEYSTORE_PATH), or --mock for CI",
        );
    };
    let path = args.keystore.clone().unwrap_or_else(|| PathBuf::from(signcore::policy::DEFAULT_KEYSTORE_PATH));
    let bytes = match std::fs::read(&path) {
        Ok(b) => Zeroizing::new(b),
        Err(e) => return fail(format!("keystore {} cannot be read: {e}", path.display())),
    };
    warn_if_readable_by_others(&path, "the keystore", warnings);
    let store: Keystore = match Keystore::from_json(&bytes) {
        Ok(s) => s,
        Err(e) => return fail(format!("keystore {}: {e} ({})", path.display(), e.code())),
    };
    let all: Vec<KeyEntry> = store
        .records()
        .iter()
        .map(|r| KeyEntry { kid: r.key_id().to_owned(), label: r.label().map(str::to_owned), key: r.key().clone() })
        .collect();
    let Some(signing) = all.iter().find(|e| e.kid == key_id).map(|e| e.key.clone()) else {
        return fail(format!(
            "keystore {} has no key {key_id:?} (KEY_NOT_FOUND); it holds {} key(s)",
            path.display(),
            all.len()
        ));
    };
    Ok(Keys { kid: key_id.to_owned(), signing, all })
}

fn warn_if_readable_by_others(path: &Path, what: &str, warnings: &mut Vec<String>) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        warnings.push(format!(
            "{what} {} is readable by group or others (mode {:o}); chmod 600 it",
            path.display(),
            meta.permissions().mode() & 0o777
        ));
    }
}

fn tls_config(cert: &Path, key: &Path, client_ca: Option<&Path>) -> Result<Arc<rustls::ServerConfig>, ConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| ConfigError(format!("--tls-cert {}: {e}", cert.display())))?;
    if certs.is_empty() {
        return fail(format!("--tls-cert {}: no certificate in the file", cert.display()));
    }
    let key_pem =
        std::fs::read(key).map(Zeroizing::new).map_err(|e| ConfigError(format!("--tls-key {}: {e}", key.display())))?;
    let private_key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| ConfigError(format!("--tls-key {}: no usable private key ({e})", key.display())))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError(format!("TLS: {e}")))?;
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            let cas = CertificateDer::pem_file_iter(ca)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| ConfigError(format!("--client-ca {}: {e}", ca.display())))?;
            for c in cas {
                roots.add(c).map_err(|e| ConfigError(format!("--client-ca {}: {e}", ca.display())))?;
            }
            if roots.is_empty() {
                return fail(format!("--client-ca {}: no certificate in the file", ca.display()));
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| ConfigError(format!("--client-ca {}: {e}", ca.display())))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config =
        builder.with_single_cert(certs, private_key).map_err(|e| ConfigError(format!("--tls-cert/--tls-key: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Hex of the key's publishable facts.
pub fn key_facts(key: &SigningKey) -> (Alg, String, Option<String>) {
    let hash = key.key_hash();
    let public = key.public_key().map(|pk| hex(&pk));
    (key.alg(), hex(&hash), public)
}

/// Lowercase hex through the core.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 2];
    signcore::hex::encode(bytes, &mut out).map(str::to_owned).unwrap_or_default()
}
