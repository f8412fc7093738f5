//! `serde` support (feature `serde`), kept apart from the type definitions.
//!
//! Shapes are those of DESIGN.md: hashes and signatures as lowercase hex
//! strings (either case accepted on input), algorithms by their canonical
//! names (every accepted alias on input), optional values as `null`.
//! Deserializing validates exactly as the core's own readers do.
//!
//! | type | Serialize | Deserialize |
//! | --- | --- | --- |
//! | `key::Alg` | yes | yes |
//! | `keystore::KeyMetadata` | yes | yes |
//! | `host::CloudKeySummary` | yes | yes |
//! | `host::EvidencePackage` (+ `FileEntry`) | yes | yes |
//! | `host::EvidenceReport` (+ findings) | yes | no |
//! | `chain::Finding`, `chain::FindingCode`, `chain::ChainSummary` | yes | code and summary only |
//! | `manifest::ManifestReport` | yes | no |

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::de::Error as _;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::chain::{ChainSummary, Finding, FindingCode};
use crate::digest::{Hash, parse_hash};
use crate::hex::HashHex;
use crate::host::evidence::{
    EVIDENCE_FORMAT, EvidenceFinding, EvidencePackage, EvidenceReport, FileEntry, MAX_FILE_SIZE, PackageSignature,
    check_path,
};
use crate::host::{CloudKeySummary, EvidenceProblem};
use crate::key::Alg;
use crate::keystore::KeyMetadata;
use crate::manifest::ManifestReport;

fn hex_string(bytes: &[u8]) -> String {
    let mut out = alloc::vec![0u8; bytes.len() * 2];
    let _ = crate::hex::encode(bytes, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

fn hash<E: serde::de::Error>(text: &str) -> Result<Hash, E> {
    parse_hash(text).map_err(E::custom)
}

impl Serialize for Alg {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Alg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Alg::parse(&name).map_err(D::Error::custom)
    }
}

#[derive(Serialize, Deserialize)]
struct MetadataShape {
    key_id: String,
    alg: Alg,
    key_hash: String,
    label: Option<String>,
}

impl Serialize for KeyMetadata {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MetadataShape {
            key_id: self.key_id.as_str().to_string(),
            alg: self.alg,
            key_hash: HashHex::new(&self.key_hash).as_str().to_string(),
            label: self.label.as_deref().map(ToString::to_string),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for KeyMetadata {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let shape = MetadataShape::deserialize(d)?;
        let too_long = |what| D::Error::custom(alloc::format!("{what} is longer than the limit"));
        Ok(KeyMetadata {
            key_id: shape.key_id.as_str().try_into().map_err(|_| too_long("key_id"))?,
            alg: shape.alg,
            key_hash: hash(&shape.key_hash)?,
            label: match shape.label {
                Some(l) => Some(l.as_str().try_into().map_err(|_| too_long("label"))?),
                None => None,
            },
        })
    }
}

#[derive(Serialize, Deserialize)]
struct SummaryShape {
    org_id: Option<String>,
    node_id: String,
    key_id: String,
    key_hash: Option<String>,
    label: Option<String>,
}

impl Serialize for CloudKeySummary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SummaryShape {
            org_id: self.org_id.clone(),
            node_id: self.node_id.clone(),
            key_id: self.key_id.clone(),
            key_hash: self.key_hash.as_ref().map(|h| HashHex::new(h).as_str().to_string()),
            label: self.label.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for CloudKeySummary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let shape = SummaryShape::deserialize(d)?;
        if shape.node_id.is_empty() || shape.key_id.is_empty() {
            return Err(D::Error::custom("node_id and key_id must not be empty"));
        }
        Ok(CloudKeySummary {
            org_id: shape.org_id,
            node_id: shape.node_id,
            key_id: shape.key_id,
            key_hash: shape.key_hash.as_deref().map(hash).transpose()?,
            label: shape.label,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    path: String,
    size: u64,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureShape {
    kid: String,
    alg: Alg,
    signature: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackageShape {
    format: String,
    created_at: String,
    files: Vec<FileShape>,
    meta: BTreeMap<String, String>,
    signature: Option<SignatureShape>,
}

impl Serialize for FileEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        FileShape { path: self.path.clone(), size: self.size, sha256: hex_string(&self.sha256) }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for FileEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let shape = FileShape::deserialize(d)?;
        file_entry(shape, 0)
    }
}

fn file_entry<E: serde::de::Error>(shape: FileShape, index: usize) -> Result<FileEntry, E> {
    let problem = |p: EvidenceProblem| E::custom(crate::Error::InvalidEvidence(p));
    check_path(&shape.path).map_err(|_| problem(EvidenceProblem::BadPath { index }))?;
    if shape.size > MAX_FILE_SIZE {
        return Err(problem(EvidenceProblem::BadFileEntry { index }));
    }
    Ok(FileEntry { path: shape.path, size: shape.size, sha256: hash(&shape.sha256)? })
}

impl Serialize for EvidencePackage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        PackageShape {
            format: EVIDENCE_FORMAT.to_string(),
            created_at: self.created_at.clone(),
            files: self
                .files
                .iter()
                .map(|f| FileShape { path: f.path.clone(), size: f.size, sha256: hex_string(&f.sha256) })
                .collect(),
            meta: self.meta.clone(),
            signature: self.signature.as_ref().map(|sig| SignatureShape {
                kid: sig.kid.clone(),
                alg: sig.alg,
                signature: hex_string(&sig.signature),
            }),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for EvidencePackage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let shape = PackageShape::deserialize(d)?;
        let problem = |p: EvidenceProblem| D::Error::custom(crate::Error::InvalidEvidence(p));
        if shape.format != EVIDENCE_FORMAT {
            return Err(problem(EvidenceProblem::UnknownFormat));
        }
        if !crate::host::rfc3339::is_valid(&shape.created_at) {
            return Err(problem(EvidenceProblem::BadCreatedAt));
        }
        if shape.files.len() > crate::host::evidence::MAX_FILES
            || shape.meta.len() > crate::host::evidence::MAX_META_ENTRIES
        {
            return Err(problem(EvidenceProblem::TooManyEntries));
        }
        let mut files: Vec<FileEntry> = Vec::with_capacity(shape.files.len());
        for (index, file) in shape.files.into_iter().enumerate() {
            let entry = file_entry(file, index)?;
            if files.last().is_some_and(|prev| prev.path >= entry.path) {
                return Err(problem(EvidenceProblem::NotSorted { index }));
            }
            files.push(entry);
        }
        let signature = match shape.signature {
            None => None,
            Some(sig) => {
                let bad = || problem(EvidenceProblem::BadSignatureBlock);
                if sig.kid.is_empty() || sig.signature.len() % 2 != 0 || sig.signature.len() > 2048 {
                    return Err(bad());
                }
                let mut bytes = alloc::vec![0u8; sig.signature.len() / 2];
                crate::hex::decode(&sig.signature, &mut bytes).map_err(|_| bad())?;
                Some(PackageSignature { kid: sig.kid, alg: sig.alg, signature: bytes })
            }
        };
        Ok(EvidencePackage { created_at: shape.created_at, files, meta: shape.meta, signature })
    }
}

impl Serialize for EvidenceFinding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("EvidenceFinding", 3)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("code", self.code.as_str())?;
        st.serialize_field("message", &self.message)?;
        st.end()
    }
}

impl Serialize for EvidenceReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("EvidenceReport", 6)?;
        st.serialize_field("ok", &self.ok)?;
        st.serialize_field("signature", self.signature.as_str())?;
        st.serialize_field("kid", &self.kid)?;
        st.serialize_field("files", &self.files)?;
        st.serialize_field("files_checked", &self.files_checked)?;
        st.serialize_field("findings", &self.findings)?;
        st.end()
    }
}

impl Serialize for FindingCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FindingCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        const ALL: [FindingCode; 5] = [
            FindingCode::ChainBroken,
            FindingCode::HashMismatch,
            FindingCode::UnknownKey,
            FindingCode::SignatureInvalid,
            FindingCode::Malformed,
        ];
        ALL.into_iter()
            .find(|c| c.as_str() == name)
            .ok_or_else(|| D::Error::custom(alloc::format!("unknown finding code {name:?}")))
    }
}

/// `{index, code, message}`, as the Node `verifyChain` report lists findings.
impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Finding", 3)?;
        st.serialize_field("index", &self.index)?;
        st.serialize_field("code", self.code.as_str())?;
        st.serialize_field("message", self.detail)?;
        st.end()
    }
}

#[derive(Serialize, Deserialize)]
struct ChainSummaryShape {
    ok: bool,
    checked: u64,
    findings: u64,
}

impl Serialize for ChainSummary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ChainSummaryShape { ok: self.is_ok(), checked: self.checked, findings: self.findings }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ChainSummary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let shape = ChainSummaryShape::deserialize(d)?;
        if shape.ok != (shape.findings == 0) {
            return Err(D::Error::custom("ok must be true exactly when findings is 0"));
        }
        Ok(ChainSummary { checked: shape.checked, findings: shape.findings, ..ChainSummary::default() })
    }
}

impl Serialize for ManifestReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ManifestReport", 8)?;
        st.serialize_field("digest", HashHex::new(&self.digest).as_str())?;
        st.serialize_field("threshold", &self.threshold)?;
        st.serialize_field("met", &self.is_met())?;
        st.serialize_field("valid", &self.valid)?;
        st.serialize_field("invalid", &self.invalid)?;
        st.serialize_field("unknown", &self.unknown)?;
        st.serialize_field("duplicate", &self.duplicate)?;
        st.serialize_field("malformed", &self.malformed)?;
        st.end()
    }
}
