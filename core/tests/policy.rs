//! DESIGN.md §6 signer selection: order, fallbacks and guards.

use signcore::Error;
use signcore::key::Alg;
use signcore::keystore::{KeyRecord, load_key};
use signcore::policy::{EnvSnapshot, Remote, Resolved, Var, Warning, cloud_key_summary, resolve};

const KEYSTORE: &[u8] = br#"[{"key_id":"node-1","alg":"ed25519","secret_hex":"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60","label":"primary"}]"#;

fn loader(path: &str, key_id: &str) -> Result<KeyRecord, Error> {
    match path {
        "good.json" => load_key(KEYSTORE, key_id),
        "bad.json" => load_key(b"[1]", key_id),
        _ => Err(Error::KeystoreUnreadable(signcore::KeystoreUnreadable::new(path, "No such file or directory"))),
    }
}

fn run(env: EnvSnapshot<'_>) -> (Result<String, Error>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let outcome = resolve(&env, loader, |w| warnings.push(w)).map(|r| match r {
        Resolved::Remote(Remote::Kms { key_id, .. }) => format!("kms:{key_id}"),
        Resolved::Remote(Remote::Proxy { url, api_key }) => format!("proxy:{url}:{}", api_key.unwrap_or("-")),
        Resolved::Local(s) => format!("{:?}:{}:{}", s.source, s.kid, s.key.alg()),
        Resolved::NoSigner => "none".into(),
        _ => unreachable!("no other outcome exists yet"),
    });
    (outcome, warnings)
}

fn is_required_error(r: &Result<String, Error>) -> bool {
    matches!(r, Err(e) if e.to_string().starts_with("Audit signing is required") && e.code() == "SIGNER_REQUIRED")
}

#[test]
fn first_match_wins() {
    let all = EnvSnapshot::new()
        .with(Var::AuditSigningKmsKeyId, "arn:kms")
        .with(Var::SigningProxyUrl, "http://127.0.0.1:1")
        .with(Var::RitmaKeyId, "node-1")
        .with(Var::RitmaKeystorePath, "good.json")
        .with(Var::AuditSigningKey, "test-ci-signing-key")
        .with(Var::MockAuditSigningKey, "mock-key");
    assert_eq!(run(all).0.unwrap(), "kms:arn:kms");
    let no_kms = all.with(Var::AuditSigningKmsKeyId, "");
    assert_eq!(run(no_kms).0.unwrap(), "proxy:http://127.0.0.1:1:-");
    let keystore = no_kms.with(Var::SigningProxyUrl, "");
    assert_eq!(run(keystore).0.unwrap(), "Keystore:node-1:ed25519");
    let local = keystore.with(Var::RitmaKeyId, "");
    assert_eq!(run(local).0.unwrap(), "LocalEnv:local:hmac-sha256");
    let mock = local.with(Var::AuditSigningKey, "");
    assert_eq!(run(mock).0.unwrap(), "Mock:mock:hmac-sha256");
    assert_eq!(run(EnvSnapshot::new()).0.unwrap(), "none");
}

#[test]
fn keystore_failure_warns_and_falls_back() {
    for path in ["missing.json", "bad.json"] {
        let env = EnvSnapshot::new()
            .with(Var::RitmaKeyId, "node-1")
            .with(Var::RitmaKeystorePath, path)
            .with(Var::UtldPackageSigKey, "hmac_sha256:aa55aa55");
        let (outcome, warnings) = run(env);
        assert_eq!(outcome.unwrap(), "LegacyEnv:legacy-env:hmac-sha256");
        assert!(matches!(warnings[0], Warning::KeystoreUnavailable { .. }), "{warnings:?}");
        assert_eq!(warnings[1], Warning::LegacyKey);
    }
    let unknown_id = EnvSnapshot::new().with(Var::RitmaKeyId, "nope").with(Var::RitmaKeystorePath, "good.json");
    let (outcome, warnings) = run(unknown_id);
    assert_eq!(outcome.unwrap(), "none");
    let reason = Error::KeyNotFound { key_id: Some("nope".try_into().unwrap()) };
    assert_eq!(warnings, vec![Warning::KeystoreUnavailable { reason }]);
    assert!(warnings[0].to_string().contains(r#"no key with key_id "nope""#), "{}", warnings[0]);
}

#[test]
fn guards() {
    let dev = EnvSnapshot::new().with(Var::AuditSigningKey, "k").with(Var::MockAuditSigningKey, "m");
    assert!(is_required_error(&run(dev.with(Var::RequireKms, "true")).0));
    assert!(is_required_error(&run(dev.with(Var::NodeEnv, "production")).0));
    assert!(is_required_error(&run(EnvSnapshot::new().with(Var::NodeEnv, "production")).0));
    let legacy = EnvSnapshot::new().with(Var::UtldPackageSigKey, "hmac:00ff").with(Var::NodeEnv, "production");
    assert!(is_required_error(&run(legacy).0));
    // Production accepts the keystore; REQUIRE_KMS does not.
    let keystore = EnvSnapshot::new().with(Var::RitmaKeyId, "node-1").with(Var::RitmaKeystorePath, "good.json");
    assert_eq!(run(keystore.with(Var::NodeEnv, "production")).0.unwrap(), "Keystore:node-1:ed25519");
    assert!(is_required_error(&run(keystore.with(Var::RequireKms, "true")).0));
    // A broken keystore in production is refused, not replaced by the mock.
    let broken = keystore.with(Var::RitmaKeystorePath, "bad.json").with(Var::NodeEnv, "production");
    assert!(is_required_error(&run(broken.with(Var::MockAuditSigningKey, "m")).0));
    let proxy = EnvSnapshot::new().with(Var::SigningProxyUrl, "http://x").with(Var::SigningProxyApiKey, "local-ci-key");
    assert_eq!(
        run(proxy.with(Var::RequireKms, "true").with(Var::NodeEnv, "production")).0.unwrap(),
        "proxy:http://x:local-ci-key"
    );
    let message = run(dev.with(Var::RequireKms, "true")).0.unwrap_err().to_string();
    assert!(message.contains("AUDIT_SIGNING_KMS_KEY_ID") && message.contains("SIGNING_PROXY_URL"), "{message}");
}

#[test]
fn local_key_algorithms() {
    let ed = EnvSnapshot::new()
        .with(Var::AuditSigningSecret, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        .with(Var::AuditSigningAlg, "ed25519");
    assert_eq!(run(ed).0.unwrap(), "LocalEnv:local:ed25519");
    let rsa = ed.with(Var::AuditSigningAlg, "rsa-sha256");
    assert_eq!(run(rsa).0.unwrap_err().code(), "INVALID_SIGNER_CONFIG");
    let bad_legacy = EnvSnapshot::new().with(Var::UtldPackageSigKey, "no-colon");
    assert_eq!(run(bad_legacy).0.unwrap_err().code(), "INVALID_SIGNER_CONFIG");
    // Errors about key material name the variable, never the value.
    let cases = [
        (Var::UtldPackageSigKey, "ed25519:zz-not-hex", "INVALID_HEX"),
        (Var::UtldPackageSigKey, "ed25519:00ff", "INVALID_KEY"),
        (Var::UtldPackageSigKey, "rsa-sha256:00ff", "INVALID_SIGNER_CONFIG"),
        (Var::AuditSigningPrivateKey, "zz-not-hex-but-ed25519-needs-hex", "INVALID_HEX"),
    ];
    for (var, value, code) in cases {
        let mut env = EnvSnapshot::new().with(var, value);
        if var == Var::AuditSigningPrivateKey {
            env = env.with(Var::AuditSigningAlg, "ed25519");
        }
        let e = run(env).0.unwrap_err();
        assert_eq!(e.code(), code, "{var:?} {value}");
        let message = e.to_string();
        assert!(message.starts_with(var.name()) && !message.contains(value), "{message}");
    }
    // The mock key is HMAC keyed with the value's UTF-8 bytes.
    let env = EnvSnapshot::new().with(Var::MockAuditSigningKey, "test-ci-signing-key");
    let Ok(Resolved::Local(mock)) = resolve(&env, loader, |_| {}) else { panic!() };
    let direct = signcore::key::SigningKey::hmac(b"test-ci-signing-key").unwrap();
    assert_eq!(mock.key.sign(&[1; 32]), direct.sign(&[1; 32]));
    assert_eq!(mock.key.alg(), Alg::HmacSha256);
}

#[test]
fn flags_are_parsed_strictly() {
    let dev = EnvSnapshot::new().with(Var::AuditSigningKey, "k");
    for on in ["true", "TRUE", " 1 ", "yes", "On"] {
        assert!(is_required_error(&run(dev.with(Var::RequireKms, on)).0), "{on}");
    }
    for off in ["false", "0", "no", "OFF", ""] {
        assert_eq!(run(dev.with(Var::RequireKms, off)).0.unwrap(), "LocalEnv:local:hmac-sha256", "{off}");
    }
    for bad in ["ture", "2", "enabled"] {
        let e = run(dev.with(Var::RequireKms, bad)).0.unwrap_err();
        assert_eq!(e.code(), "INVALID_SIGNER_CONFIG", "{bad}");
        assert!(e.to_string().starts_with("REQUIRE_KMS: must be true"), "{e}");
    }
    for env in ["development", "test", "Staging", "ci", "local", "dev", ""] {
        assert!(run(dev.with(Var::NodeEnv, env)).0.is_ok(), "{env}");
    }
    for prod in ["production", "PRODUCTION", " production "] {
        assert!(is_required_error(&run(dev.with(Var::NodeEnv, prod)).0), "{prod}");
    }
    for bad in ["prod", "producton", "live"] {
        let e = run(dev.with(Var::NodeEnv, bad)).0.unwrap_err();
        assert_eq!(e.code(), "INVALID_SIGNER_CONFIG", "{bad}");
        assert!(e.to_string().starts_with("NODE_ENV: must be production"), "{e}");
    }
}

#[test]
fn snapshot_debug_hides_values() {
    let env = EnvSnapshot::new().with(Var::AuditSigningKey, "hunter2-secret");
    let text = format!("{env:?}");
    assert!(text.contains("AUDIT_SIGNING_KEY") && !text.contains("hunter2"), "{text}");
}

#[test]
fn cloud_metadata_falls_back_to_env() {
    let hash = "ab".repeat(32);
    let env = EnvSnapshot::new()
        .with(Var::RitmaKeyId, "node-1")
        .with(Var::RitmaKeystorePath, "missing.json")
        .with(Var::RitmaKeyHash, &hash)
        .with(Var::RitmaKeyLabel, "fallback");
    let summary = cloud_key_summary(&env, loader).unwrap();
    assert_eq!((summary.key_hash, summary.label.as_deref(), summary.alg), (Some([0xab; 32]), Some("fallback"), None));
    let summary = cloud_key_summary(&env.with(Var::RitmaKeystorePath, "good.json"), loader).unwrap();
    assert_eq!((summary.label.as_deref(), summary.alg), (Some("primary"), Some(Alg::Ed25519)));
    assert!(cloud_key_summary(&EnvSnapshot::new(), loader).is_none());
}
