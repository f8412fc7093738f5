//! DESIGN.md §13, one test per component flow of the node keystore seed:
//! utl_cli export (every fallback branch), utl_http (the descriptive 500),
//! security_kit helpers, compliance_index burns, ritma_cloud summaries,
//! and tampered evidence. Real files in temporary directories.
#![cfg(all(feature = "std", feature = "serde"))]

use std::path::{Path, PathBuf};

use signcore::host::evidence::{EvidenceCode, SignatureStatus, VerifyOptions};
use signcore::host::summary::UNKNOWN_NODE_ID;
use signcore::host::{
    CloudKeySummary, EvidenceBuilder, EvidencePackage, HostError, KeystoreErrorKind, NodeKeystore, SkipReason, Step,
    SummarySource, Unsigned, burn, verify_package, verify_package_dir,
};
use signcore::keystore::KeyRing;
use signcore::policy::{EnvSnapshot, Source, Var};

const ED_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const HMAC_SECRET: &str = "aa55aa55aa55aa55aa55aa55aa55aa55";

fn keystore_json() -> String {
    format!(
        r#"[{{"key_id":"node-key-ed25519-1","alg":"ed25519","secret_hex":"{ED_SEED}","label":"primary-ed25519"}},
            {{"key_id":"node-key-hmac-1","alg":"hmac_sha256","secret_hex":"{HMAC_SECRET}","label":"primary-hmac"}}]"#
    )
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("node_keystore.json"), keystore_json()).unwrap();
        std::fs::write(dir.path().join("bad.json"), "[{\"key_id\": ").unwrap();
        let evidence = dir.path().join("evidence");
        std::fs::create_dir_all(evidence.join("logs")).unwrap();
        std::fs::write(evidence.join("logs/run.log"), "started\nfinished\n").unwrap();
        std::fs::write(evidence.join("summary.json"), r#"{"ok":true}"#).unwrap();
        Fixture { dir }
    }
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }
    fn evidence(&self) -> PathBuf {
        self.dir.path().join("evidence")
    }
    fn builder(&self) -> EvidenceBuilder {
        let mut b = EvidenceBuilder::new();
        b.add_dir(self.evidence()).unwrap().meta("case", "R4.5");
        b
    }
}

fn ring() -> KeyRing {
    let keystore = NodeKeystore::from_json("mem", keystore_json().as_bytes()).unwrap();
    keystore.key_ring().unwrap()
}

#[test]
fn node_keystore_reads_and_names_errors() {
    let fx = Fixture::new();
    let ks = NodeKeystore::from_path(fx.path("node_keystore.json")).unwrap();
    assert_eq!(ks.len(), 2);
    let ids: Vec<_> = ks.key_ids().collect();
    assert_eq!(ids, ["node-key-ed25519-1", "node-key-hmac-1"]);
    let meta = ks.metadata();
    assert_eq!(meta[1].alg.as_str(), "hmac-sha256");
    assert_eq!(ks.metadata_for("node-key-hmac-1").unwrap(), meta[1]);
    let sig = ks.sign_bytes("node-key-ed25519-1", b"bytes").unwrap();
    ks.signing_key("node-key-ed25519-1").unwrap().verifying_key().verify(b"bytes", sig.as_bytes()).unwrap();
    // Debug shows the path and the ids, never secrets.
    let debug = format!("{ks:?}");
    assert!(debug.contains("node-key-hmac-1") && !debug.contains(HMAC_SECRET) && !debug.contains(ED_SEED), "{debug}");

    let missing = NodeKeystore::from_path(fx.path("missing.json")).unwrap_err();
    assert_eq!(missing.io_kind(), Some(std::io::ErrorKind::NotFound));
    assert_eq!(missing.code(), "KEYSTORE_UNREADABLE");
    assert!(missing.to_string().contains("missing.json"), "{missing}");
    let bad = NodeKeystore::from_path(fx.path("bad.json")).unwrap_err();
    assert_eq!(bad.code(), "INVALID_JSON");
    assert!(bad.to_string().contains("bad.json"), "{bad}");
    let unknown = ks.metadata_for("nope").unwrap_err();
    assert_eq!((unknown.code(), unknown.key_id()), ("KEY_NOT_FOUND", Some("nope")));
    assert!(unknown.to_string().contains("node_keystore.json") && unknown.to_string().contains("\"nope\""));
    // A bad record: named by index and key id, without the secret.
    let secret = "00112233445566778899aabbccddeeff00112233445566778899aabbccddee";
    std::fs::write(fx.path("short.json"), format!(r#"[{{"key_id":"k","alg":"ed25519","secret_hex":"{secret}"}}]"#))
        .unwrap();
    let short = NodeKeystore::from_path(fx.path("short.json")).unwrap_err();
    assert_eq!(short.code(), "INVALID_KEYSTORE");
    let text = short.to_string();
    assert!(text.contains("short.json") && text.contains("record 0") && !text.contains(secret), "{text}");
    // A directory is not a keystore file.
    let dir = NodeKeystore::from_path(fx.dir.path()).unwrap_err();
    assert!(matches!(dir.kind(), KeystoreErrorKind::Io(_)), "{dir:?}");
}

fn env_for<'a>(fx_path: &'a str, key_id: &'a str) -> EnvSnapshot<'a> {
    EnvSnapshot::new().with(Var::RitmaKeystorePath, fx_path).with(Var::RitmaKeyId, key_id)
}

#[test]
fn utl_cli_export_keystore_first() {
    let fx = Fixture::new();
    let path = fx.path("node_keystore.json");
    let env = env_for(&path, "node-key-ed25519-1").with(Var::UtldPackageSigKey, "hmac:00ff");
    let out = fx.builder().export_with_env(&env, Unsigned::Allow).unwrap();
    let by = out.signed_by.as_ref().unwrap();
    assert_eq!((by.source, by.kid.as_str(), by.alg.as_str()), (Source::Keystore, "node-key-ed25519-1", "ed25519"));
    assert!(out.skipped.is_empty() && out.warnings().is_empty(), "{:?}", out.warnings());
    let json = out.package.to_json();
    let report = verify_package_dir(json.as_bytes(), &ring(), VerifyOptions::default(), fx.evidence()).unwrap();
    assert!(report.ok && report.files_checked && report.files == 2, "{report:?}");
}

#[test]
fn utl_cli_export_fallbacks() {
    let fx = Fixture::new();
    let good = fx.path("node_keystore.json");
    let missing = fx.path("missing.json");
    let bad = fx.path("bad.json");
    // Keystore missing, bad JSON, unknown id: warn with the reason, sign with the legacy key.
    for (path, key_id, code) in [
        (missing.as_str(), "node-key-ed25519-1", "KEYSTORE_UNREADABLE"),
        (bad.as_str(), "node-key-ed25519-1", "INVALID_JSON"),
        (good.as_str(), "no-such-key", "KEY_NOT_FOUND"),
    ] {
        let env = env_for(path, key_id).with(Var::UtldPackageSigKey, "hmac_sha256:aa55aa55");
        let out = fx.builder().export_with_env(&env, Unsigned::Allow).unwrap();
        let by = out.signed_by.as_ref().unwrap();
        assert_eq!((by.source, by.kid.as_str()), (Source::LegacyEnv, "legacy-env"));
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(out.skipped[0].step, Step::Keystore);
        let SkipReason::Keystore(e) = &out.skipped[0].reason else { panic!("{:?}", out.skipped) };
        assert_eq!(e.code(), code);
        assert!(e.to_string().contains(path.rsplit('/').next().unwrap()), "{e}");
        let warnings = out.warnings();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("node keystore signing failed") && warnings[1].contains("legacy"));
        // The legacy signature verifies with the legacy key.
        let mut legacy_ring = KeyRing::new();
        legacy_ring
            .insert("legacy-env", signcore::key::VerifyingKey::hmac(&[0xaa, 0x55, 0xaa, 0x55]).unwrap())
            .unwrap();
        let report = verify_package(out.package.to_json().as_bytes(), &legacy_ring, VerifyOptions::default()).unwrap();
        assert!(report.ok, "{report:?}");
    }
    // Legacy key malformed: exported unsigned, both reasons kept.
    let env = env_for(&missing, "node-key-ed25519-1").with(Var::UtldPackageSigKey, "hmac_sha256:not-hex");
    let out = fx.builder().export_with_env(&env, Unsigned::Allow).unwrap();
    assert!(out.signed_by.is_none() && out.package.signature.is_none());
    assert!(matches!(&out.skipped[1].reason, SkipReason::Invalid(e) if e.code() == "INVALID_HEX"), "{:?}", out.skipped);
    let env = env_for(&missing, "node-key-ed25519-1").with(Var::UtldPackageSigKey, "no-colon");
    let out = fx.builder().export_with_env(&env, Unsigned::Allow).unwrap();
    assert!(matches!(&out.skipped[1].reason, SkipReason::Invalid(e) if e.code() == "INVALID_SIGNER_CONFIG"));
    let warnings = out.warnings();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[1].starts_with("legacy key unusable: UTLD_PACKAGE_SIG_KEY") && warnings[2].contains("UNSIGNED"));
    // Nothing configured: unsigned with one warning.
    let out = fx.builder().export_with_env(&EnvSnapshot::new(), Unsigned::Allow).unwrap();
    assert_eq!(
        out.skipped.iter().map(|s| &s.reason).collect::<Vec<_>>(),
        [&SkipReason::NotConfigured, &SkipReason::NotConfigured]
    );
    assert_eq!(out.warnings(), ["no signing key available: the evidence package is exported UNSIGNED"]);
    let json = out.package.to_json();
    let report = verify_package(json.as_bytes(), &ring(), VerifyOptions::default()).unwrap();
    assert_eq!((report.ok, report.findings[0].code), (false, EvidenceCode::Unsigned));
    assert!(verify_package(json.as_bytes(), &ring(), VerifyOptions { allow_unsigned: true }).unwrap().ok);
    // Production never uses the legacy key.
    let env = env_for(&missing, "k").with(Var::UtldPackageSigKey, "hmac:00ff").with(Var::NodeEnv, "production");
    let out = fx.builder().export_with_env(&env, Unsigned::Allow).unwrap();
    assert!(matches!(&out.skipped[1].reason, SkipReason::Refused(e) if e.code() == "SIGNER_REQUIRED"));
    assert!(out.signed_by.is_none());
}

#[test]
fn utl_http_final_failure_is_a_descriptive_error() {
    let fx = Fixture::new();
    let bad = fx.path("bad.json");
    let env = env_for(&bad, "node-key-ed25519-1").with(Var::UtldPackageSigKey, "ed25519:abcd");
    let err = fx.builder().export_with_env(&env, Unsigned::Refuse).unwrap_err();
    assert_eq!(err.code(), "NO_SIGNER");
    let message = err.to_string();
    // What the 500 body says: every step and why.
    assert!(
        message.starts_with("evidence package cannot be signed: node keystore signing failed: node keystore "),
        "{message}"
    );
    assert!(message.contains("bad.json") && message.contains("invalid JSON"), "{message}");
    assert!(
        message.contains(
            "; legacy key unusable: UTLD_PACKAGE_SIG_KEY: invalid key: ed25519 keys must be exactly 32 bytes"
        ),
        "{message}"
    );
    let HostError::NoSigningKey { skipped } = err else { panic!() };
    assert_eq!(skipped.len(), 2);
    // With a working keystore the same call signs.
    let good = fx.path("node_keystore.json");
    let out = fx.builder().export_with_env(&env_for(&good, "node-key-hmac-1"), Unsigned::Refuse).unwrap();
    assert_eq!(out.package.signature.as_ref().unwrap().kid, "node-key-hmac-1");
}

#[test]
fn security_kit_helpers() {
    let fx = Fixture::new();
    let ks = NodeKeystore::from_path(fx.path("node_keystore.json")).unwrap();
    let package = fx.builder().build_and_sign_with_keystore(&ks, "node-key-hmac-1").unwrap();
    let report =
        verify_package(package.to_json().as_bytes(), &ks.key_ring().unwrap(), VerifyOptions::default()).unwrap();
    assert!(report.ok);
    assert_eq!((report.signature, report.kid.as_deref()), (SignatureStatus::Valid, Some("node-key-hmac-1")));
    let err = fx.builder().build_and_sign_with_keystore(&ks, "nope").unwrap_err();
    assert_eq!(err.code(), "KEY_NOT_FOUND");
    // build_and_sign with a record (any AuditSigner).
    let record = ks.record("node-key-ed25519-1").unwrap();
    let package = fx.builder().build_and_sign(record).unwrap();
    assert_eq!(package.signature.unwrap().alg.as_str(), "ed25519");
}

#[test]
fn compliance_index_burns() {
    let fx = Fixture::new();
    let ks = NodeKeystore::from_path(fx.path("node_keystore.json")).unwrap();
    let burn_hash = "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";
    for key_id in ["node-key-ed25519-1", "node-key-hmac-1"] {
        let sig = ks.sign_burn(Some(key_id), burn_hash).unwrap();
        let text = sig.as_str();
        assert!(
            text.starts_with("sig_") && text[4..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        // Over the bytes of the hash TEXT, as compliance_index signs.
        let raw = ks.sign_bytes(key_id, burn_hash.as_bytes()).unwrap();
        assert_eq!(&text[4..], raw.hex().as_str());
        let key = ks.signing_key(key_id).unwrap().verifying_key();
        burn::verify_burn(&key, burn_hash, text).unwrap();
        assert_eq!(burn::verify_burn(&key, &burn_hash.to_uppercase(), text).unwrap_err().code(), "SIGNATURE_INVALID");
    }
    // An error, never a stub signature.
    assert_eq!(ks.sign_burn(None, burn_hash).unwrap_err().code(), "KEY_ID_MISSING");
    assert_eq!(ks.sign_burn(Some(""), burn_hash).unwrap_err().code(), "KEY_ID_MISSING");
    assert_eq!(ks.sign_burn(Some("unknown"), burn_hash).unwrap_err().code(), "KEY_NOT_FOUND");
    assert_eq!(NodeKeystore::from_path(fx.path("missing.json")).unwrap_err().code(), "KEYSTORE_UNREADABLE");
}

#[test]
fn ritma_cloud_summary_and_fallbacks() {
    let fx = Fixture::new();
    let good = fx.path("node_keystore.json");
    let env = env_for(&good, "node-key-ed25519-1").with(Var::RitmaCloudOrgId, "org-7").with(Var::RitmaNodeId, "node-a");
    let report = CloudKeySummary::from_snapshot(&env).unwrap();
    let ks = NodeKeystore::from_path(&good).unwrap();
    let meta = ks.metadata_for("node-key-ed25519-1").unwrap();
    assert_eq!(report.summary.key_hash, Some(meta.key_hash));
    assert_eq!(report.summary.label.as_deref(), Some("primary-ed25519"));
    assert_eq!(report.summary.org_id.as_deref(), Some("org-7"));
    assert_eq!(report.source, SummarySource::Keystore { alg: meta.alg });
    assert!(report.warnings().is_empty());
    // What the cloud reads back (serde and the core's reader agree).
    let posted = serde_json::to_string(&report.summary).unwrap();
    let back: CloudKeySummary = serde_json::from_str(&posted).unwrap();
    assert_eq!(back, report.summary);
    assert_eq!(CloudKeySummary::from_json(report.summary.to_json().as_bytes()).unwrap(), report.summary);

    // Keystore missing: RITMA_KEY_HASH / RITMA_KEY_LABEL, reason kept.
    let missing = fx.path("missing.json");
    let hash = "CD".repeat(32);
    let env =
        env_for(&missing, "node-key-ed25519-1").with(Var::RitmaKeyHash, &hash).with(Var::RitmaKeyLabel, "fallback");
    let report = CloudKeySummary::from_snapshot(&env).unwrap();
    assert_eq!((report.summary.key_hash, report.summary.label.as_deref()), (Some([0xcd; 32]), Some("fallback")));
    let SummarySource::EnvFallback { keystore, key_hash_error } = &report.source else { panic!() };
    assert_eq!(keystore.code, "KEYSTORE_UNREADABLE");
    assert!(keystore.message.contains("missing.json") && key_hash_error.is_none());
    assert_eq!(report.warnings().len(), 1);
    // Node id: the host name when RITMA_NODE_ID is unset.
    let host = signcore::host::summary::host_name().unwrap_or_else(|| UNKNOWN_NODE_ID.to_string());
    assert_eq!(report.summary.node_id, host);

    // An invalid RITMA_KEY_HASH is reported, not silently dropped.
    let env = env_for(&good, "unknown-key").with(Var::RitmaKeyHash, "not-a-hash");
    let report = CloudKeySummary::from_snapshot(&env).unwrap();
    assert_eq!(report.summary.key_hash, None);
    let SummarySource::EnvFallback { keystore, key_hash_error } = &report.source else { panic!() };
    assert_eq!(keystore.code, "KEY_NOT_FOUND");
    assert_eq!(key_hash_error.as_ref().map(|e| e.code()), Some("INVALID_HEX"));
    let warnings = report.warnings();
    assert!(warnings[1].starts_with("RITMA_KEY_HASH is invalid"), "{warnings:?}");
    assert!(report.summary.to_json().contains(r#""key_hash":null"#));
    // Nothing configured.
    let err = CloudKeySummary::from_snapshot(&EnvSnapshot::new()).unwrap_err();
    assert_eq!(err.code(), "KEY_ID_MISSING");
}

fn signed_package(fx: &Fixture) -> String {
    let ks = NodeKeystore::from_path(fx.path("node_keystore.json")).unwrap();
    fx.builder().build_and_sign_with_keystore(&ks, "node-key-ed25519-1").unwrap().to_json()
}

fn codes(json: &str, dir: &Path) -> Vec<(Option<String>, &'static str)> {
    let report = verify_package_dir(json.as_bytes(), &ring(), VerifyOptions::default(), dir).unwrap();
    assert_eq!(report.ok, report.findings.is_empty());
    report.findings.into_iter().map(|f| (f.path, f.code.as_str())).collect()
}

#[test]
fn tampered_evidence_is_found() {
    let fx = Fixture::new();
    let json = signed_package(&fx);
    let dir = fx.evidence();
    assert!(codes(&json, &dir).is_empty());
    // Changed file (same size, then another size).
    std::fs::write(dir.join("summary.json"), r#"{"ok":fals}"#).unwrap();
    assert_eq!(codes(&json, &dir), [(Some("summary.json".into()), "HASH_MISMATCH")]);
    std::fs::write(dir.join("summary.json"), r#"{"ok":false}"#).unwrap();
    assert_eq!(codes(&json, &dir), [(Some("summary.json".into()), "SIZE_MISMATCH")]);
    std::fs::write(dir.join("summary.json"), r#"{"ok":true}"#).unwrap();
    // Extra file.
    std::fs::write(dir.join("logs/extra.log"), "x").unwrap();
    assert_eq!(codes(&json, &dir), [(Some("logs/extra.log".into()), "EXTRA_FILE")]);
    std::fs::remove_file(dir.join("logs/extra.log")).unwrap();
    // Missing file.
    std::fs::remove_file(dir.join("logs/run.log")).unwrap();
    assert_eq!(codes(&json, &dir), [(Some("logs/run.log".into()), "FILE_MISSING")]);
    std::fs::write(dir.join("logs/run.log"), "started\nfinished\n").unwrap();
    assert!(codes(&json, &dir).is_empty());
    // Edited package: meta, a listed hash, the time, the signer's kid.
    let package = EvidencePackage::from_json(json.as_bytes()).unwrap();
    let listed = signcore::hex::HashHex::new(&package.files[0].sha256).to_string();
    for edited in [
        json.replace("R4.5", "R4.6"),
        json.replace(&listed, &"0".repeat(64)),
        json.replace(&package.created_at, "2000-01-01T00:00:00Z"),
    ] {
        assert_ne!(edited, json);
        let report = verify_package(edited.as_bytes(), &ring(), VerifyOptions::default()).unwrap();
        assert_eq!(report.signature, SignatureStatus::Invalid, "{edited}");
        assert_eq!(report.findings[0].code, EvidenceCode::SignatureInvalid);
    }
    let renamed = json.replace("\"kid\":\"node-key-ed25519-1\"", "\"kid\":\"stranger\"");
    let report = verify_package(renamed.as_bytes(), &ring(), VerifyOptions::default()).unwrap();
    assert_eq!(report.findings[0].code, EvidenceCode::UnknownKey);
    // Broken shape: an input error, not a finding.
    let err = verify_package(json.replace("\"files\"", "\"filez\"").as_bytes(), &ring(), VerifyOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_EVIDENCE");
    assert!(err.to_string().starts_with("invalid evidence package"), "{err}");
}

#[test]
fn symlinks_are_refused_not_skipped() {
    let fx = Fixture::new();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(fx.path("node_keystore.json"), fx.evidence().join("link")).unwrap();
        let err = EvidenceBuilder::new().add_dir(fx.evidence()).map(|_| ()).unwrap_err();
        assert_eq!(err.code(), "NOT_PACKAGEABLE");
        assert!(err.to_string().contains("link"));
    }
    let err = EvidenceBuilder::new().add_dir(fx.path("nope")).map(|_| ()).unwrap_err();
    assert_eq!(err.code(), "IO_ERROR");
}

#[test]
fn serde_shapes() {
    let fx = Fixture::new();
    let json = signed_package(&fx);
    let package = EvidencePackage::from_json(json.as_bytes()).unwrap();
    // serde_json reads and writes the same package as the core.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let via_serde: EvidencePackage = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(via_serde, package);
    assert_eq!(serde_json::to_value(&package).unwrap(), value);
    let unsorted = json.replacen("logs/run.log", "zz.log", 1);
    assert!(serde_json::from_str::<EvidencePackage>(&unsorted).is_err());
    // Metadata: hex hashes and canonical alg names.
    let ks = NodeKeystore::from_path(fx.path("node_keystore.json")).unwrap();
    let meta = serde_json::to_value(ks.metadata()).unwrap();
    assert_eq!(meta[1]["alg"], "hmac-sha256");
    assert_eq!(meta[0]["key_hash"].as_str().unwrap().len(), 64);
    let back: Vec<signcore::keystore::KeyMetadata> = serde_json::from_value(meta).unwrap();
    assert_eq!(back, ks.metadata());
    // Reports.
    let report = verify_package(json.as_bytes(), &ring(), VerifyOptions::default()).unwrap();
    let text = serde_json::to_value(&report).unwrap();
    assert_eq!(text["signature"], "valid");
    assert_eq!(text["ok"], true);
}

/// The fixture the C tests read (tests/c/host_fixture.json): burns and an
/// evidence package signed here in Rust, verified there through the C ABI.
/// `SIGNCORE_WRITE_FIXTURES=1` rewrites it; otherwise it must match.
#[test]
fn c_fixture_is_what_rust_signs() {
    let ks = NodeKeystore::from_json("fixture", keystore_json().as_bytes()).unwrap();
    let burns: Vec<_> = [("node-key-ed25519-1", "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c"), ("node-key-hmac-1", "burn-2026-12-01")]
        .iter()
        .map(|(id, hash)| serde_json::json!({ "key_id": id, "burn_hash": hash, "signature": ks.sign_burn(Some(id), hash).unwrap().as_str() }))
        .collect();
    let files = [("logs/run.log", "started\nfinished\n"), ("summary.json", "{\"ok\":true}")];
    let mut builder = EvidenceBuilder::new();
    builder.created_at("2026-12-01T08:00:00Z").unwrap().meta("case", "R4.5");
    for (path, content) in files {
        builder.add_file(path, content.as_bytes()).unwrap();
    }
    let package = builder.build_and_sign_with_keystore(&ks, "node-key-ed25519-1").unwrap().to_json();
    let fixture = serde_json::json!({
        "keystore": serde_json::from_str::<serde_json::Value>(&keystore_json()).unwrap(),
        "burns": burns,
        "evidence": {
            "files": files.iter().map(|(p, c)| serde_json::json!({ "path": p, "content": c })).collect::<Vec<_>>(),
            "package": package,
        },
    });
    let text = serde_json::to_string_pretty(&fixture).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/c/host_fixture.json");
    if std::env::var_os("SIGNCORE_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "run with SIGNCORE_WRITE_FIXTURES=1 to regenerate");
}
