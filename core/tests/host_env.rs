//! The `*_env` entry points of the host API read the real process
//! environment. One test in its own binary, so nothing else reads the
//! environment while it changes.
#![cfg(feature = "std")]

use signcore::host::{CloudKeySummary, EvidenceBuilder, NodeKeystore, SummarySource, Unsigned};

fn set(name: &str, value: Option<&str>) {
    // SAFETY: this test binary has a single test, so no other thread reads
    // or writes the environment while it runs.
    unsafe {
        match value {
            Some(v) => std::env::set_var(name, v),
            None => std::env::remove_var(name),
        }
    }
}

#[test]
fn env_entry_points() {
    let dir = tempfile::tempdir().unwrap();
    let keystore = r#"[{"key_id":"k-ed","alg":"ed25519","secret_hex":"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60","label":"L"}]"#;
    std::fs::write(dir.path().join("node_keystore.json"), keystore).unwrap();
    for var in ["RITMA_KEYSTORE_PATH", "RITMA_KEY_ID", "UTLD_PACKAGE_SIG_KEY", "NODE_ENV", "RITMA_NODE_ID"] {
        set(var, None);
    }
    // Default path ./node_keystore.json.
    std::env::set_current_dir(dir.path()).unwrap();
    let ks = NodeKeystore::from_env().unwrap();
    assert_eq!(ks.path(), std::path::Path::new("./node_keystore.json"));
    // RITMA_KEY_ID unset: the env helper says so.
    let mut builder = EvidenceBuilder::new();
    builder.add_file("a.txt", b"a").unwrap();
    assert_eq!(builder.clone().build_and_sign_with_keystore_env().unwrap_err().code(), "KEY_ID_MISSING");
    // With an explicit id.
    let package = builder.clone().build_and_sign_with_keystore_key_id("k-ed").unwrap();
    assert_eq!(package.signature.unwrap().kid, "k-ed");
    // RITMA_KEYSTORE_PATH and RITMA_KEY_ID.
    let elsewhere = dir.path().join("elsewhere.json");
    std::fs::rename(dir.path().join("node_keystore.json"), &elsewhere).unwrap();
    set("RITMA_KEYSTORE_PATH", elsewhere.to_str());
    set("RITMA_KEY_ID", Some("k-ed"));
    set("RITMA_NODE_ID", Some("node-env"));
    assert!(builder.clone().build_and_sign_with_keystore_env().is_ok());
    let out = builder.clone().export(Unsigned::Refuse).unwrap();
    assert_eq!(out.signed_by.unwrap().kid, "k-ed");
    let report = CloudKeySummary::from_env().unwrap();
    assert_eq!((report.summary.node_id.as_str(), report.summary.label.as_deref()), ("node-env", Some("L")));
    assert!(matches!(report.source, SummarySource::Keystore { .. }));
    // The keystore goes away: legacy, then unsigned.
    std::fs::remove_file(&elsewhere).unwrap();
    set("UTLD_PACKAGE_SIG_KEY", Some("hmac:00ff"));
    assert_eq!(builder.clone().export(Unsigned::Allow).unwrap().signed_by.unwrap().kid, "legacy-env");
    set("UTLD_PACKAGE_SIG_KEY", None);
    let out = builder.export(Unsigned::Allow).unwrap();
    assert!(out.package.signature.is_none());
    assert_eq!(out.warnings().len(), 2, "{:?}", out.warnings());
}
