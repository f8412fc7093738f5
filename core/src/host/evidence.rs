//! Evidence packages (DESIGN.md §13): the format, a builder and the
//! verifier, with `alloc` only (files and the environment: `std`).
//!
//! ```json
//! { "format": "signcore-evidence/1", "created_at": "<RFC 3339>",
//!   "files": [ { "path", "size", "sha256" } sorted by path ],
//!   "meta": { "<name>": "<text>" },
//!   "signature": { "kid", "alg", "signature" } | null }
//! ```
//! The signature is a §2 block over SHA256(canonical JSON of the package
//! without `signature`). Packages are written as RFC 8785 canonical JSON.
//!
//! ```
//! use signcore::host::{EvidenceBuilder, verify_package, evidence::VerifyOptions, signer::NamedKey};
//! use signcore::key::SigningKey;
//! use signcore::keystore::KeyRing;
//! let key = SigningKey::ed25519_from_seed(&[3; 32]);
//! let mut builder = EvidenceBuilder::new();
//! builder.created_at("2026-12-01T08:00:00Z")?.add_file("logs/run.txt", b"ok\n")?.meta("case", "42");
//! let package = builder.build_and_sign(&NamedKey::new("node-1", &key))?;
//! let json = package.to_json();
//!
//! let mut ring = KeyRing::new();
//! ring.insert("node-1", key.verifying_key())?;
//! let report = verify_package(json.as_bytes(), &ring, VerifyOptions::default())?;
//! assert!(report.ok, "{:?}", report.findings);
//!
//! let edited = json.replace("\"42\"", "\"43\"");
//! let report = verify_package(edited.as_bytes(), &ring, VerifyOptions::default())?;
//! assert_eq!(report.findings[0].code.as_str(), "SIGNATURE_INVALID");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Choices where DESIGN.md is silent: `meta` is an object of **string**
//! values; members other than the five above (and other than `path`, `size`,
//! `sha256` in a file entry) are refused, so that everything a package says
//! is covered by its signature; paths are relative, `/`-separated, without
//! empty, `.` or `..` components, sorted by their UTF-8 bytes, unique;
//! `size` is an integer in 0..=2^53-1 (exact in every JSON reader).

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use alloc::{format, vec};
use core::fmt;

use super::EvidenceProblem;
use super::signer::{AuditSigner, SignError};
use crate::canonical::{Sink, write_json_string};
use crate::digest::{Hash, HashSink, parse_hash};
use crate::error::Error;
use crate::hex::HashHex;
use crate::json::{Chars, Elements, Members, Span, skip_ws, string_content};
use crate::key::Alg;
use crate::keystore::KeyRing;

/// The `format` member of every package.
pub const EVIDENCE_FORMAT: &str = "signcore-evidence/1";
/// Largest package accepted by [`EvidencePackage::from_json`] (64 MiB).
pub const MAX_PACKAGE_LEN: usize = 64 << 20;
/// Most files in one package.
pub const MAX_FILES: usize = 100_000;
/// Longest file path, in bytes.
pub const MAX_PATH_LEN: usize = 4096;
/// Most `meta` entries.
pub const MAX_META_ENTRIES: usize = 256;
/// Largest `size`: 2^53 - 1, exact in every JSON reader.
pub const MAX_FILE_SIZE: u64 = (1 << 53) - 1;

fn bad(problem: EvidenceProblem) -> Error {
    Error::InvalidEvidence(problem)
}

/// One file of a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative `/`-separated path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content.
    pub sha256: Hash,
}

impl FileEntry {
    /// The entry for `content` at `path` (the path is checked).
    pub fn new(path: &str, content: &[u8]) -> Result<Self, Error> {
        check_path(path).map_err(|_| bad(EvidenceProblem::BadPath { index: 0 }))?;
        Ok(FileEntry { path: path.to_string(), size: content.len() as u64, sha256: crate::digest::sha256(content) })
    }
}

/// A package's signature block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageSignature {
    /// Key id.
    pub kid: String,
    /// Algorithm.
    pub alg: Alg,
    /// Raw signature bytes.
    pub signature: Vec<u8>,
}

/// An evidence package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidencePackage {
    /// RFC 3339 date-time.
    pub created_at: String,
    /// Files, sorted by path, unique.
    pub files: Vec<FileEntry>,
    /// Host metadata (string values).
    pub meta: BTreeMap<String, String>,
    /// The signature block, `None` for an unsigned package.
    pub signature: Option<PackageSignature>,
}

/// Checks a relative path: non-empty, bounded, `/`-separated components that
/// are neither empty nor `.` nor `..`, no backslash or NUL.
pub fn check_path(path: &str) -> Result<(), Error> {
    let ok = !path.is_empty()
        && path.len() <= MAX_PATH_LEN
        && !path.contains(['\\', '\0'])
        && path.split('/').all(|c| !c.is_empty() && c != "." && c != "..");
    if ok { Ok(()) } else { Err(bad(EvidenceProblem::BadPath { index: 0 })) }
}

fn decode(raw: &[u8]) -> String {
    Chars::new(raw).collect()
}

fn string_of(json: &[u8], span: Span) -> Option<String> {
    string_content(json, span).map(decode)
}

fn safe_integer(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 16 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = text.iter().try_fold(0u64, |n, &d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))?;
    (n <= MAX_FILE_SIZE).then_some(n)
}

impl EvidencePackage {
    /// Reads a package strictly (I-JSON, the shape above, sorted unique
    /// paths). Errors are [`Error::InvalidEvidence`] (or JSON errors).
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        if json.len() > MAX_PACKAGE_LEN {
            return Err(bad(EvidenceProblem::TooLarge));
        }
        crate::canonical::validate(json)?;
        let start = skip_ws(json, 0);
        if json.get(start) != Some(&b'{') {
            return Err(bad(EvidenceProblem::NotAnObject));
        }
        let (mut format, mut created_at, mut files, mut meta, mut signature) = (None, None, None, None, None);
        for member in Members::new(json, start, 0)?.delimit_only() {
            let member = member?;
            let slot = match decode(member.name.of(json)).as_str() {
                "format" => &mut format,
                "created_at" => &mut created_at,
                "files" => &mut files,
                "meta" => &mut meta,
                "signature" => &mut signature,
                _ => return Err(bad(EvidenceProblem::UnknownMember)),
            };
            *slot = Some(member.value);
        }
        let need = |v: Option<Span>, name| v.ok_or(bad(EvidenceProblem::MissingMember(name)));
        if string_of(json, need(format, "format")?).as_deref() != Some(EVIDENCE_FORMAT) {
            return Err(bad(EvidenceProblem::UnknownFormat));
        }
        let created_at = string_of(json, need(created_at, "created_at")?)
            .filter(|t| super::rfc3339::is_valid(t))
            .ok_or(bad(EvidenceProblem::BadCreatedAt))?;
        let files = parse_files(json, need(files, "files")?)?;
        let meta = parse_meta(json, need(meta, "meta")?)?;
        let signature = parse_signature(json, need(signature, "signature")?)?;
        Ok(EvidencePackage { created_at, files, meta, signature })
    }

    fn write_json(&self, with_signature: bool) -> String {
        let mut text: Vec<u8> = Vec::new();
        text.extend_from_slice(b"{\"format\":");
        write_json_string(EVIDENCE_FORMAT, &mut text);
        text.extend_from_slice(b",\"created_at\":");
        write_json_string(&self.created_at, &mut text);
        text.extend_from_slice(b",\"files\":[");
        for (i, file) in self.files.iter().enumerate() {
            if i > 0 {
                text.push(b',');
            }
            text.extend_from_slice(b"{\"path\":");
            write_json_string(&file.path, &mut text);
            text.extend_from_slice(
                format!(",\"sha256\":\"{}\",\"size\":{}}}", HashHex::new(&file.sha256), file.size).as_bytes(),
            );
        }
        text.extend_from_slice(b"],\"meta\":{");
        for (i, (name, value)) in self.meta.iter().enumerate() {
            if i > 0 {
                text.push(b',');
            }
            write_json_string(name, &mut text);
            text.push(b':');
            write_json_string(value, &mut text);
        }
        text.push(b'}');
        if with_signature {
            text.extend_from_slice(b",\"signature\":");
            match &self.signature {
                None => text.extend_from_slice(b"null"),
                Some(sig) => {
                    text.extend_from_slice(b"{\"kid\":");
                    write_json_string(&sig.kid, &mut text);
                    text.extend_from_slice(format!(",\"alg\":\"{}\",\"signature\":\"", sig.alg).as_bytes());
                    let mut hex = vec![0u8; 2 * sig.signature.len()];
                    let _ = crate::hex::encode(&sig.signature, &mut hex);
                    text.extend_from_slice(&hex);
                    text.extend_from_slice(b"\"}");
                }
            }
        }
        text.push(b'}');
        // Member names and strings were written with RFC 8785 escapes; the
        // canonicalizer orders the members by UTF-16 code units.
        crate::canonical::canonicalize_to_string(&text).unwrap_or_default()
    }

    /// The package as canonical JSON (RFC 8785).
    pub fn to_json(&self) -> String {
        self.write_json(true)
    }

    /// The canonical JSON without `signature`: the signed bytes.
    pub fn unsigned_json(&self) -> String {
        self.write_json(false)
    }

    /// SHA256 of [`EvidencePackage::unsigned_json`]: what the signature signs.
    pub fn signing_digest(&self) -> Hash {
        let mut sink = HashSink::new();
        sink.write(self.unsigned_json().as_bytes());
        sink.finalize()
    }

    /// Signs (or re-signs) the package with `signer`.
    pub fn sign(&mut self, signer: &(impl AuditSigner + ?Sized)) -> Result<(), SignError> {
        let digest = self.signing_digest();
        let signature = signer.sign_digest(&digest)?;
        self.signature = Some(PackageSignature { kid: signer.kid().to_string(), alg: signer.alg(), signature });
        Ok(())
    }

    /// The entry for `path`.
    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files.binary_search_by(|f| f.path.as_str().cmp(path)).ok().and_then(|i| self.files.get(i))
    }

    /// Checks the signature against `ring`.
    pub fn check_signature(&self, ring: &KeyRing) -> SignatureStatus {
        let Some(sig) = &self.signature else { return SignatureStatus::Unsigned };
        match ring.get(&sig.kid) {
            Some(key) if key.alg() == sig.alg => match key.verify(&self.signing_digest(), &sig.signature) {
                Ok(()) => SignatureStatus::Valid,
                Err(_) => SignatureStatus::Invalid,
            },
            _ => SignatureStatus::UnknownKey,
        }
    }

    /// Compares the listed files with `actual` (any order): every listed
    /// file must be present with its size and SHA-256, and nothing else.
    pub fn check_files(&self, mut actual: Vec<FileEntry>) -> Vec<EvidenceFinding> {
        actual.sort_by(|a, b| a.path.cmp(&b.path));
        let mut findings = Vec::new();
        let (mut listed, mut found) = (self.files.iter().peekable(), actual.iter().peekable());
        loop {
            let finding = match (listed.peek(), found.peek()) {
                (None, None) => break,
                (Some(l), Some(f)) if l.path == f.path => {
                    let (l, f) = (listed.next(), found.next());
                    let (Some(l), Some(f)) = (l, f) else { break };
                    if l.size != f.size {
                        EvidenceFinding::new(
                            Some(&l.path),
                            EvidenceCode::SizeMismatch,
                            format!("{} is {} bytes, the package says {}", l.path, f.size, l.size),
                        )
                    } else if l.sha256 != f.sha256 {
                        EvidenceFinding::new(
                            Some(&l.path),
                            EvidenceCode::HashMismatch,
                            format!(
                                "{} has SHA-256 {}, the package says {}",
                                l.path,
                                HashHex::new(&f.sha256),
                                HashHex::new(&l.sha256)
                            ),
                        )
                    } else {
                        continue;
                    }
                }
                (Some(l), f) if f.is_none_or(|f| l.path < f.path) => {
                    let path = l.path.clone();
                    listed.next();
                    let message = format!("{path} is listed in the package but missing");
                    EvidenceFinding::new(Some(&path), EvidenceCode::FileMissing, message)
                }
                (_, Some(f)) => {
                    let path = f.path.clone();
                    found.next();
                    let message = format!("{path} is not listed in the package");
                    EvidenceFinding::new(Some(&path), EvidenceCode::ExtraFile, message)
                }
                (_, None) => break,
            };
            findings.push(finding);
        }
        findings
    }
}

fn parse_files(json: &[u8], span: Span) -> Result<Vec<FileEntry>, Error> {
    if json.get(span.start) != Some(&b'[') {
        return Err(bad(EvidenceProblem::MissingMember("files")));
    }
    let mut files: Vec<FileEntry> = Vec::new();
    for (index, element) in Elements::new(json, span.start, 1)?.delimit_only().enumerate() {
        if index >= MAX_FILES {
            return Err(bad(EvidenceProblem::TooManyEntries));
        }
        let element = element?;
        let entry = parse_file(json, element).ok_or(bad(EvidenceProblem::BadFileEntry { index }))?;
        check_path(&entry.path).map_err(|_| bad(EvidenceProblem::BadPath { index }))?;
        if files.last().is_some_and(|prev| prev.path >= entry.path) {
            return Err(bad(EvidenceProblem::NotSorted { index }));
        }
        files.push(entry);
    }
    Ok(files)
}

fn parse_file(json: &[u8], span: Span) -> Option<FileEntry> {
    if json.get(span.start) != Some(&b'{') {
        return None;
    }
    let (mut path, mut size, mut sha256) = (None, None, None);
    for member in Members::new(json, span.start, 2).ok()?.delimit_only() {
        let member = member.ok()?;
        let value = member.value;
        match decode(member.name.of(json)).as_str() {
            "path" => path = Some(string_of(json, value)?),
            "size" => size = Some(safe_integer(value.of(json))?),
            "sha256" => sha256 = Some(parse_hash(string_content(json, value)?).ok()?),
            _ => return None,
        }
    }
    Some(FileEntry { path: path?, size: size?, sha256: sha256? })
}

fn parse_meta(json: &[u8], span: Span) -> Result<BTreeMap<String, String>, Error> {
    let fail = || bad(EvidenceProblem::BadMeta);
    if json.get(span.start) != Some(&b'{') {
        return Err(fail());
    }
    let mut meta = BTreeMap::new();
    for member in Members::new(json, span.start, 1)?.delimit_only() {
        let member = member?;
        if meta.len() >= MAX_META_ENTRIES {
            return Err(bad(EvidenceProblem::TooManyEntries));
        }
        let value = string_of(json, member.value).ok_or_else(fail)?;
        meta.insert(decode(member.name.of(json)), value);
    }
    Ok(meta)
}

fn parse_signature(json: &[u8], span: Span) -> Result<Option<PackageSignature>, Error> {
    if span.of(json) == b"null" {
        return Ok(None);
    }
    let fail = || bad(EvidenceProblem::BadSignatureBlock);
    if json.get(span.start) != Some(&b'{') {
        return Err(fail());
    }
    let (mut kid, mut alg, mut signature) = (None, None, None);
    for member in Members::new(json, span.start, 1)?.delimit_only() {
        let member = member?;
        let text = string_of(json, member.value).ok_or_else(fail)?;
        match decode(member.name.of(json)).as_str() {
            "kid" => kid = Some(text),
            "alg" => alg = Some(text),
            "signature" => signature = Some(text),
            _ => return Err(bad(EvidenceProblem::UnknownMember)),
        }
    }
    let (Some(kid), Some(alg), Some(signature)) = (kid, alg, signature) else { return Err(fail()) };
    if kid.is_empty() {
        return Err(fail());
    }
    let alg = Alg::parse(&alg)?;
    if signature.len() % 2 != 0 || signature.len() > 2 * 1024 {
        return Err(fail());
    }
    let mut bytes = vec![0u8; signature.len() / 2];
    crate::hex::decode(&signature, &mut bytes).map_err(|_| fail())?;
    Ok(Some(PackageSignature { kid, alg, signature: bytes }))
}

/// How a package's signature fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureStatus {
    /// A trusted key signed this very package.
    Valid,
    /// The kid is trusted but the signature does not verify (an edited package).
    Invalid,
    /// The kid is not in the ring, or the ring's key has another algorithm.
    UnknownKey,
    /// `signature` is `null`.
    Unsigned,
}

impl SignatureStatus {
    /// `valid`, `invalid`, `unknown_key` or `unsigned`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureStatus::Valid => "valid",
            SignatureStatus::Invalid => "invalid",
            SignatureStatus::UnknownKey => "unknown_key",
            SignatureStatus::Unsigned => "unsigned",
        }
    }
}

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvidenceCode {
    /// The package carries no signature (and unsigned packages were not allowed).
    Unsigned,
    /// Signed by a kid the ring does not hold (or with another algorithm).
    UnknownKey,
    /// The signature does not verify: the package was edited.
    SignatureInvalid,
    /// A listed file is not in the directory.
    FileMissing,
    /// A file in the directory is not listed.
    ExtraFile,
    /// A file's size differs from the package.
    SizeMismatch,
    /// A file's SHA-256 differs from the package.
    HashMismatch,
}

impl EvidenceCode {
    /// `UNSIGNED`, `UNKNOWN_KEY`, `SIGNATURE_INVALID`, `FILE_MISSING`,
    /// `EXTRA_FILE`, `SIZE_MISMATCH`, `HASH_MISMATCH`.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceCode::Unsigned => "UNSIGNED",
            EvidenceCode::UnknownKey => "UNKNOWN_KEY",
            EvidenceCode::SignatureInvalid => "SIGNATURE_INVALID",
            EvidenceCode::FileMissing => "FILE_MISSING",
            EvidenceCode::ExtraFile => "EXTRA_FILE",
            EvidenceCode::SizeMismatch => "SIZE_MISMATCH",
            EvidenceCode::HashMismatch => "HASH_MISMATCH",
        }
    }
}

impl fmt::Display for EvidenceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing that does not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceFinding {
    /// The file concerned; `None` for the package itself.
    pub path: Option<String>,
    /// The code.
    pub code: EvidenceCode,
    /// A readable message.
    pub message: String,
}

impl EvidenceFinding {
    fn new(path: Option<&str>, code: EvidenceCode, message: String) -> Self {
        EvidenceFinding { path: path.map(str::to_string), code, message }
    }
}

/// What [`verify_package`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceReport {
    /// True when `findings` is empty.
    pub ok: bool,
    /// The signature's status.
    pub signature: SignatureStatus,
    /// The kid that signed, if any.
    pub kid: Option<String>,
    /// Files listed in the package.
    pub files: usize,
    /// Whether the files were compared with a directory.
    pub files_checked: bool,
    /// Everything that does not verify, package findings first, then files by path.
    pub findings: Vec<EvidenceFinding>,
}

/// How to verify.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Accept a package whose `signature` is `null` (no `UNSIGNED` finding).
    pub allow_unsigned: bool,
}

impl EvidenceReport {
    pub(crate) fn for_package(package: &EvidencePackage, ring: &KeyRing, options: VerifyOptions) -> Self {
        let signature = package.check_signature(ring);
        let kid = package.signature.as_ref().map(|s| s.kid.clone());
        let kid_text = kid.as_deref().unwrap_or("");
        let finding = match signature {
            SignatureStatus::Valid => None,
            SignatureStatus::Unsigned if options.allow_unsigned => None,
            SignatureStatus::Unsigned => {
                Some((EvidenceCode::Unsigned, "the package is unsigned (signature is null)".to_string()))
            }
            SignatureStatus::UnknownKey => Some((
                EvidenceCode::UnknownKey,
                format!("signed by kid {kid_text:?}, which the ring does not hold with this algorithm"),
            )),
            SignatureStatus::Invalid => Some((
                EvidenceCode::SignatureInvalid,
                format!("the signature by {kid_text:?} does not verify: the package was changed after signing"),
            )),
        };
        let findings: Vec<_> =
            finding.into_iter().map(|(code, message)| EvidenceFinding::new(None, code, message)).collect();
        EvidenceReport {
            ok: findings.is_empty(),
            signature,
            kid,
            files: package.files.len(),
            files_checked: false,
            findings,
        }
    }

    /// Adds the findings of comparing the package with the files found.
    pub(crate) fn add_files(&mut self, findings: Vec<EvidenceFinding>) {
        self.files_checked = true;
        self.findings.extend(findings);
        self.ok = self.findings.is_empty();
    }
}

/// Verifies a package alone: its shape (an input error when unreadable),
/// then its signature against the trusted `ring`.
pub fn verify_package(json: &[u8], ring: &KeyRing, options: VerifyOptions) -> Result<EvidenceReport, Error> {
    let package = EvidencePackage::from_json(json)?;
    Ok(EvidenceReport::for_package(&package, ring, options))
}

/// Verifies a package against the files actually present (from a
/// directory walk, an archive, an upload): [`verify_package`] plus every
/// file's size and SHA-256, no file missing, no file extra.
pub fn verify_package_files(
    json: &[u8],
    ring: &KeyRing,
    options: VerifyOptions,
    actual: Vec<FileEntry>,
) -> Result<EvidenceReport, Error> {
    let package = EvidencePackage::from_json(json)?;
    let mut report = EvidenceReport::for_package(&package, ring, options);
    report.add_files(package.check_files(actual));
    Ok(report)
}

/// Builds packages: files by (path, bytes) (or from a directory with
/// `std`), metadata, a creation time; then signs.
#[derive(Clone, Debug, Default)]
pub struct EvidenceBuilder {
    created_at: Option<String>,
    pub(crate) files: BTreeMap<String, FileEntry>,
    meta: BTreeMap<String, String>,
}

impl EvidenceBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `created_at` (RFC 3339). Without it, [`EvidenceBuilder::build`]
    /// uses the current time with `std` and fails without.
    pub fn created_at(&mut self, rfc3339: &str) -> Result<&mut Self, Error> {
        if !super::rfc3339::is_valid(rfc3339) {
            return Err(bad(EvidenceProblem::BadCreatedAt));
        }
        self.created_at = Some(rfc3339.to_string());
        Ok(self)
    }

    /// Adds (or replaces) a file from its content.
    pub fn add_file(&mut self, path: &str, content: &[u8]) -> Result<&mut Self, Error> {
        let entry = FileEntry::new(path, content)?;
        self.add_entry(entry)
    }

    /// Adds (or replaces) a file whose size and hash are known.
    pub fn add_entry(&mut self, entry: FileEntry) -> Result<&mut Self, Error> {
        check_path(&entry.path)?;
        if entry.size > MAX_FILE_SIZE {
            return Err(bad(EvidenceProblem::BadFileEntry { index: self.files.len() }));
        }
        if self.files.len() >= MAX_FILES && !self.files.contains_key(&entry.path) {
            return Err(bad(EvidenceProblem::TooManyEntries));
        }
        self.files.insert(entry.path.clone(), entry);
        Ok(self)
    }

    /// Sets a metadata entry.
    pub fn meta(&mut self, name: &str, value: &str) -> &mut Self {
        self.meta.insert(name.to_string(), value.to_string());
        self
    }

    /// The unsigned package.
    pub fn build(self) -> Result<EvidencePackage, Error> {
        if self.meta.len() > MAX_META_ENTRIES {
            return Err(bad(EvidenceProblem::TooManyEntries));
        }
        let created_at = match self.created_at {
            Some(t) => t,
            None => now().ok_or(bad(EvidenceProblem::MissingMember("created_at")))?,
        };
        Ok(EvidencePackage { created_at, files: self.files.into_values().collect(), meta: self.meta, signature: None })
    }

    /// The package signed by `signer` (a local key, a keystore record, a
    /// proxy or KMS client: any [`AuditSigner`]).
    pub fn build_and_sign(self, signer: &(impl AuditSigner + ?Sized)) -> Result<EvidencePackage, SignError> {
        let mut package = self.build()?;
        package.sign(signer)?;
        Ok(package)
    }
}

#[cfg(feature = "std")]
fn now() -> Option<String> {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(super::rfc3339::format_utc(secs).as_str().to_string())
}

#[cfg(not(feature = "std"))]
fn now() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::SigningKey;

    fn package() -> EvidencePackage {
        let mut b = EvidenceBuilder::new();
        b.created_at("2026-01-02T03:04:05Z").unwrap();
        b.add_file("b.txt", b"bee").unwrap().add_file("a/x.bin", &[0, 1, 2]).unwrap();
        b.meta("node_id", "n-1").meta("\u{e000}", "private use").meta("\u{10000}", "supplementary");
        b.build().unwrap()
    }

    #[test]
    fn round_trip_is_canonical() {
        let p = package();
        let json = p.to_json();
        assert_eq!(crate::canonical::canonicalize_to_string(json.as_bytes()).unwrap(), json);
        assert!(json.starts_with(r#"{"created_at":"2026-01-02T03:04:05Z","files":[{"path":"a/x.bin""#), "{json}");
        assert!(json.ends_with(r#""signature":null}"#), "{json}");
        assert_eq!(EvidencePackage::from_json(json.as_bytes()).unwrap(), p);
        assert!(!p.unsigned_json().contains("signature"));
    }

    #[test]
    fn signed_round_trip() {
        let key = SigningKey::hmac(b"k").unwrap();
        let mut p = package();
        p.sign(&super::super::signer::NamedKey::new("h", &key)).unwrap();
        let back = EvidencePackage::from_json(p.to_json().as_bytes()).unwrap();
        assert_eq!(back, p);
        let mut ring = KeyRing::new();
        ring.insert("h", key.verifying_key()).unwrap();
        assert_eq!(back.check_signature(&ring), SignatureStatus::Valid);
    }

    #[test]
    fn shape_errors() {
        let p = package().to_json();
        let cases: &[(String, &str)] = &[
            ("[]".into(), "INVALID_EVIDENCE"),
            (p.replace("signcore-evidence/1", "signcore-evidence/2"), "INVALID_EVIDENCE"),
            (p.replace(r#","signature":null"#, ""), "INVALID_EVIDENCE"),
            (p.replace(r#""signature":null"#, r#""signature":null,"x":1"#), "INVALID_EVIDENCE"),
            (p.replace("2026-01-02T03:04:05Z", "yesterday"), "INVALID_EVIDENCE"),
            (p.replace(r#""size":3"#, r#""size":-3"#), "INVALID_EVIDENCE"),
            (p.replace(r#""size":3"#, r#""size":1.5"#), "INVALID_EVIDENCE"),
            (p.replace(r#""size":3"#, r#""size":9007199254740992"#), "INVALID_EVIDENCE"),
            (p.replace("a/x.bin", "../x.bin"), "INVALID_EVIDENCE"),
            (p.replace("a/x.bin", "/abs"), "INVALID_EVIDENCE"),
            (p.replace("a/x.bin", "c.txt"), "INVALID_EVIDENCE"),
            (p.replace(r#""node_id":"n-1""#, r#""node_id":1"#), "INVALID_EVIDENCE"),
            (p.replace(r#""signature":null"#, r#""signature":{"kid":"a"}"#), "INVALID_EVIDENCE"),
            (p.replace(r#""signature":null"#, r#""signature":null,"signature":null"#), "DUPLICATE_MEMBER"),
        ];
        for (json, code) in cases {
            let e = EvidencePackage::from_json(json.as_bytes()).unwrap_err();
            assert_eq!(e.code(), *code, "{json}: {e}");
        }
    }

    #[test]
    fn file_findings() {
        let p = package();
        let actual = vec![FileEntry::new("b.txt", b"bee!").unwrap(), FileEntry::new("c.txt", b"extra").unwrap()];
        let codes: Vec<_> = p.check_files(actual).into_iter().map(|f| (f.path.unwrap(), f.code)).collect();
        assert_eq!(
            codes,
            vec![
                ("a/x.bin".into(), EvidenceCode::FileMissing),
                ("b.txt".into(), EvidenceCode::SizeMismatch),
                ("c.txt".into(), EvidenceCode::ExtraFile),
            ]
        );
        let same_size = vec![FileEntry::new("a/x.bin", &[0, 1, 3]).unwrap(), FileEntry::new("b.txt", b"bee").unwrap()];
        let findings = p.check_files(same_size);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, EvidenceCode::HashMismatch);
    }
}
