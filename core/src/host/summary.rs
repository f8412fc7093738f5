//! The cloud key summary (DESIGN.md §13): what a node posts to
//! `POST {RITMA_CLOUD_URL}/keys` and what `ritma_cloud` reads back.
//!
//! `{ org_id, node_id, key_id, key_hash, label }` from `RITMA_CLOUD_ORG_ID`,
//! `RITMA_NODE_ID` (else the host name), `RITMA_KEY_ID` and the keystore's
//! metadata for that key; when the keystore cannot serve, `key_hash` and
//! `label` come from `RITMA_KEY_HASH` / `RITMA_KEY_LABEL` and the report
//! keeps why (and an invalid `RITMA_KEY_HASH` is reported, not dropped).
//!
//! ```
//! use signcore::host::summary::{cloud_key_summary, FallbackReason, SummarySource};
//! use signcore::policy::{EnvSnapshot, Var};
//! let hash = "ab".repeat(32);
//! let env = EnvSnapshot::new()
//!     .with(Var::RitmaCloudOrgId, "org-1")
//!     .with(Var::RitmaKeyId, "node-key-1")
//!     .with(Var::RitmaKeyHash, &hash)
//!     .with(Var::RitmaKeyLabel, "primary");
//! let unreadable = |_: &str, _: &str| Err(FallbackReason::new("KEYSTORE_UNREADABLE", "no keystore here"));
//! let report = cloud_key_summary(&env, Some("host-a"), unreadable).unwrap();
//! assert_eq!(report.summary.node_id, "host-a");
//! assert_eq!(report.summary.key_hash, Some([0xab; 32]));
//! assert!(matches!(report.source, SummarySource::EnvFallback { .. }));
//! assert_eq!(report.summary.to_json(),
//!     format!(r#"{{"key_hash":"{hash}","key_id":"node-key-1","label":"primary","node_id":"host-a","org_id":"org-1"}}"#));
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::canonical::write_json_string;
use crate::digest::{Hash, parse_hash};
use crate::error::{Error, JsonErrorKind};
use crate::hex::HashHex;
use crate::json::{Chars, Members, Span, err, skip_ws, string_content};
use crate::key::Alg;
use crate::keystore::KeyMetadata;
use crate::policy::{DEFAULT_KEYSTORE_PATH, EnvSnapshot, Var};

/// The node id when neither `RITMA_NODE_ID` nor a host name is known.
pub const UNKNOWN_NODE_ID: &str = "unknown-node";

/// The key facts a node reports to the cloud.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudKeySummary {
    /// `RITMA_CLOUD_ORG_ID`, if set.
    pub org_id: Option<String>,
    /// `RITMA_NODE_ID`, else the host name.
    pub node_id: String,
    /// `RITMA_KEY_ID`.
    pub key_id: String,
    /// From the keystore, else `RITMA_KEY_HASH` (when valid), else unknown.
    pub key_hash: Option<Hash>,
    /// From the keystore, else `RITMA_KEY_LABEL`.
    pub label: Option<String>,
}

/// Why the keystore could not serve the summary: a stable code and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FallbackReason {
    /// Stable code (`KEYSTORE_UNREADABLE`, `KEY_NOT_FOUND`, `INVALID_JSON`, ...).
    pub code: &'static str,
    /// Readable message naming the path and key id.
    pub message: String,
}

impl FallbackReason {
    /// A reason.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        FallbackReason { code, message: message.into() }
    }
}

impl fmt::Display for FallbackReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Where the summary's `key_hash` and `label` came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SummarySource {
    /// The keystore served `RITMA_KEY_ID`.
    Keystore {
        /// The key's algorithm.
        alg: Alg,
    },
    /// The keystore could not serve; `RITMA_KEY_HASH` / `RITMA_KEY_LABEL` were used.
    EnvFallback {
        /// Why the keystore could not serve.
        keystore: FallbackReason,
        /// Set when `RITMA_KEY_HASH` was set but is not 64 hex chars (so
        /// `key_hash` is unknown).
        key_hash_error: Option<Error>,
    },
}

/// A summary and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryReport {
    /// What to post.
    pub summary: CloudKeySummary,
    /// Its source, with the fallback reason.
    pub source: SummarySource,
}

impl SummaryReport {
    /// What a host should log: the keystore failure, an invalid or missing
    /// `RITMA_KEY_HASH`.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let SummarySource::EnvFallback { keystore, key_hash_error } = &self.source {
            out.push(alloc::format!(
                "keystore metadata unavailable ({keystore}); using RITMA_KEY_HASH / RITMA_KEY_LABEL"
            ));
            match key_hash_error {
                Some(e) => out.push(alloc::format!("RITMA_KEY_HASH is invalid ({e}); key_hash is reported as null")),
                None if self.summary.key_hash.is_none() => {
                    out.push("RITMA_KEY_HASH is not set; key_hash is reported as null".to_string())
                }
                None => {}
            }
        }
        out
    }
}

/// The pure rule: `None` without `RITMA_KEY_ID`. `metadata_for(path,
/// key_id)` asks the keystore at `RITMA_KEYSTORE_PATH` (default
/// `./node_keystore.json`); `host_name` is the node id fallback.
pub fn cloud_key_summary(
    env: &EnvSnapshot<'_>,
    host_name: Option<&str>,
    metadata_for: impl FnOnce(&str, &str) -> Result<KeyMetadata, FallbackReason>,
) -> Option<SummaryReport> {
    let key_id = env.get(Var::RitmaKeyId)?;
    let path = env.get(Var::RitmaKeystorePath).unwrap_or(DEFAULT_KEYSTORE_PATH);
    let org_id = env.get(Var::RitmaCloudOrgId).map(ToString::to_string);
    let node_id = env.get(Var::RitmaNodeId).or(host_name.filter(|h| !h.is_empty())).unwrap_or(UNKNOWN_NODE_ID);
    let node_id = node_id.to_string();
    Some(match metadata_for(path, key_id) {
        Ok(meta) => SummaryReport {
            summary: CloudKeySummary {
                org_id,
                node_id,
                key_id: meta.key_id.as_str().to_string(),
                key_hash: Some(meta.key_hash),
                label: meta.label.as_deref().map(ToString::to_string),
            },
            source: SummarySource::Keystore { alg: meta.alg },
        },
        Err(keystore) => {
            let (key_hash, key_hash_error) = match env.get(Var::RitmaKeyHash).map(parse_hash) {
                Some(Ok(hash)) => (Some(hash), None),
                Some(Err(e)) => (None, Some(e)),
                None => (None, None),
            };
            SummaryReport {
                summary: CloudKeySummary {
                    org_id,
                    node_id,
                    key_id: key_id.to_string(),
                    key_hash,
                    label: env.get(Var::RitmaKeyLabel).map(ToString::to_string),
                },
                source: SummarySource::EnvFallback { keystore, key_hash_error },
            }
        }
    })
}

fn opt_string(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(v) => write_json_string(v, out),
        None => out.extend_from_slice(b"null"),
    }
}

impl CloudKeySummary {
    /// Canonical JSON `{"key_hash","key_id","label","node_id","org_id"}`
    /// (unknown values are `null`).
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        out.extend_from_slice(b"{\"key_hash\":");
        opt_string(&mut out, self.key_hash.as_ref().map(HashHex::new).as_ref().map(HashHex::as_str));
        out.extend_from_slice(b",\"key_id\":");
        write_json_string(&self.key_id, &mut out);
        out.extend_from_slice(b",\"label\":");
        opt_string(&mut out, self.label.as_deref());
        out.extend_from_slice(b",\"node_id\":");
        write_json_string(&self.node_id, &mut out);
        out.extend_from_slice(b",\"org_id\":");
        opt_string(&mut out, self.org_id.as_deref());
        out.push(b'}');
        String::from_utf8(out).unwrap_or_default()
    }

    /// Reads a summary a node posted (`ritma_cloud`'s side). `node_id` and
    /// `key_id` are required strings; `org_id`, `key_hash` (64 hex chars)
    /// and `label` are strings or `null`/absent; other members are ignored.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        crate::canonical::validate(json)?;
        let start = skip_ws(json, 0);
        let shape = || Error::Json(err(JsonErrorKind::WrongShape, start));
        if json.get(start) != Some(&b'{') {
            return Err(shape());
        }
        let text = |span: Span| -> Result<Option<String>, Error> {
            if span.of(json) == b"null" {
                return Ok(None);
            }
            string_content(json, span).map(|raw| Some(Chars::new(raw).collect())).ok_or_else(shape)
        };
        let mut summary = CloudKeySummary {
            org_id: None,
            node_id: String::new(),
            key_id: String::new(),
            key_hash: None,
            label: None,
        };
        for member in Members::new(json, start, 0)?.delimit_only() {
            let member = member?;
            let name: String = Chars::new(member.name.of(json)).collect();
            match name.as_str() {
                "org_id" => summary.org_id = text(member.value)?,
                "node_id" => summary.node_id = text(member.value)?.unwrap_or_default(),
                "key_id" => summary.key_id = text(member.value)?.unwrap_or_default(),
                "key_hash" => summary.key_hash = text(member.value)?.map(parse_hash).transpose()?,
                "label" => summary.label = text(member.value)?,
                _ => {}
            }
        }
        if summary.node_id.is_empty() || summary.key_id.is_empty() {
            return Err(shape());
        }
        Ok(summary)
    }
}

#[cfg(feature = "std")]
mod from_env {
    use super::*;
    use crate::host::{HostError, KeystoreError, KeystoreErrorKind, NodeKeystore};
    use crate::policy::ProcessEnv;

    /// The host name, if the OS tells it.
    pub fn host_name() -> Option<String> {
        gethostname::gethostname().into_string().ok().filter(|h| !h.is_empty())
    }

    impl CloudKeySummary {
        /// The summary from the process environment and the keystore file
        /// (`RITMA_KEY_ID` is required: without it, `KEY_ID_MISSING`).
        ///
        /// ```
        /// # let path = std::env::temp_dir().join(format!("signcore-doc-sum-{}.json", std::process::id()));
        /// # std::fs::write(&path, r#"[{"key_id":"k1","alg":"ed25519","secret_hex":"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60","label":"primary"}]"#)?;
        /// use signcore::host::{CloudKeySummary, SummarySource};
        /// use signcore::policy::{EnvSnapshot, Var};
        /// let path = path.to_str().unwrap();
        /// let env = EnvSnapshot::new().with(Var::RitmaKeyId, "k1").with(Var::RitmaKeystorePath, path).with(Var::RitmaNodeId, "n1");
        /// let report = CloudKeySummary::from_snapshot(&env)?;
        /// assert_eq!(report.summary.label.as_deref(), Some("primary"));
        /// assert!(matches!(report.source, SummarySource::Keystore { .. }));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn from_env() -> Result<SummaryReport, HostError> {
            Self::from_snapshot(&ProcessEnv::capture().snapshot())
        }

        /// [`CloudKeySummary::from_env`] over an environment snapshot.
        pub fn from_snapshot(env: &EnvSnapshot<'_>) -> Result<SummaryReport, HostError> {
            let host = host_name();
            let load = |path: &str, key_id: &str| {
                NodeKeystore::from_path(path)
                    .and_then(|ks| ks.metadata_for(key_id))
                    .map_err(|e: KeystoreError| FallbackReason::new(e.code(), e.to_string()))
            };
            cloud_key_summary(env, host.as_deref(), load).ok_or_else(|| {
                let path = crate::host::node_keystore::keystore_path(env);
                HostError::Keystore(KeystoreError::new(&path, None, KeystoreErrorKind::MissingKeyId))
            })
        }
    }
}

#[cfg(feature = "std")]
pub use from_env::host_name;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip() {
        let s = CloudKeySummary {
            org_id: None,
            node_id: "n\"1".into(),
            key_id: "k".into(),
            key_hash: Some([1; 32]),
            label: Some("l".into()),
        };
        let json = s.to_json();
        assert_eq!(crate::canonical::canonicalize_to_string(json.as_bytes()).unwrap(), json);
        assert_eq!(CloudKeySummary::from_json(json.as_bytes()).unwrap(), s);
        assert!(CloudKeySummary::from_json(br#"{"key_id":"k"}"#).is_err());
        assert_eq!(
            CloudKeySummary::from_json(br#"{"key_id":"k","node_id":"n","key_hash":"zz"}"#).unwrap_err().code(),
            "INVALID_HEX"
        );
    }
}
