//! The real `signcore-proxy` binary, end to end: every endpoint and error
//! status of DESIGN.md §10, API keys and rotation, TLS and mTLS with a CA
//! generated here, start-up refusals, faults (slow and vanishing clients,
//! 1,000 idle connections), logs and the SIGTERM drain. Signatures are
//! verified offline by the core.

mod common;

use std::io::Write as _;
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use signcore::keystore::KeyRing;

fn keystore_proxy(key_id: &str, extra: &[&str]) -> Proxy {
    let mut args = vec!["--listen", "127.0.0.1:0", "--keystore", "{keystore}", "--key-id", key_id];
    args.extend_from_slice(extra);
    Proxy::start(&args, &[("SIGNING_PROXY_API_KEY", API_KEY)])
}

fn ring() -> KeyRing {
    KeyRing::from_json(KEYSTORE.as_bytes()).unwrap()
}

fn verify_offline(kid: &str, digest_hex: &str, signature_hex: &str) -> bool {
    let ring = ring();
    let key = ring.get(kid).expect("kid in ring");
    key.verify(&unhex(digest_hex), &unhex(signature_hex)).is_ok()
}

#[test]
fn health_keys_and_signing_verified_offline() {
    let proxy = keystore_proxy("ed-1", &[]);
    let health = proxy.call("GET", "/health", None, None);
    assert_eq!(health.status, 200);
    let h = health.json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["kid"], "ed-1");
    assert_eq!(h["alg"], "ed25519");
    let ring = ring();
    let signcore::key::VerifyingKey::Ed25519(pk) = ring.get("ed-1").unwrap() else { panic!() };
    assert_eq!(h["public_key"], hex(pk.as_bytes()));
    assert_eq!(h["key_hash"], hex(&signcore::digest::sha256(pk.as_bytes())));

    let keys = proxy.call("GET", "/keys", Some(API_KEY), None);
    assert_eq!(keys.status, 200);
    let listing = keys.json();
    let ids: Vec<&str> = listing.as_array().unwrap().iter().map(|k| k["key_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["hmac-1", "ed-1", "ed-old"]);
    assert_eq!(listing[1]["label"], "primary");
    assert_eq!(listing[0]["label"], Value::Null);
    assert_eq!(listing[0]["alg"], "hmac-sha256");
    assert!(!keys.body.windows(10).any(|w| w == b"aabbccddee"), "no secret in /keys");

    // 50 digests, each signature verified by the core with the ring.
    let mut client = proxy.plain();
    for i in 0..50 {
        let digest = digest_of(&format!("event {i}"));
        let sent = if i % 2 == 0 { digest.to_uppercase() } else { digest.clone() };
        let r = client.post("/sign/hash", API_KEY, &json!({ "digest_hex": sent })).unwrap();
        assert_eq!(r.status, 200, "{:?}", r);
        let v = r.json();
        assert_eq!(v["kid"], "ed-1");
        assert_eq!(v["alg"], "ed25519");
        let sig = v["signature"].as_str().unwrap();
        assert_eq!(sig.len(), 128);
        assert_eq!(sig, sig.to_lowercase());
        assert!(verify_offline("ed-1", &digest, sig));
    }
    println!("proxy: 50 keep-alive signatures verified offline");
}

#[test]
fn hmac_key_and_verify_endpoint() {
    let proxy = keystore_proxy("hmac-1", &[]);
    let digest = digest_of("hmac event");
    let r = proxy.call("POST", "/sign/hash", Some(API_KEY), Some(&json!({ "digest_hex": digest })));
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["alg"], "hmac-sha256");
    let sig = v["signature"].as_str().unwrap().to_owned();
    assert!(verify_offline("hmac-1", &digest, &sig));

    let verify = |body: Value| proxy.call("POST", "/verify", Some(API_KEY), Some(&body));
    assert_eq!(verify(json!({ "digest_hex": digest, "signature": sig })).json(), json!({ "valid": true }));
    assert_eq!(
        verify(json!({ "digest_hex": digest, "signature": sig.to_uppercase(), "kid": null })).json()["valid"],
        true
    );
    let mut flipped = unhex(&sig);
    flipped[0] ^= 1;
    assert_eq!(verify(json!({ "digest_hex": digest, "signature": hex(&flipped) })).json()["valid"], false);
    assert_eq!(verify(json!({ "digest_hex": digest_of("other"), "signature": sig })).json()["valid"], false);

    // kid selects another keystore key (a retired Ed25519 key still verifies).
    let old_sig = {
        let ks: signcore::keystore::Keystore = signcore::keystore::Keystore::from_json(KEYSTORE.as_bytes()).unwrap();
        ks.get("ed-old").unwrap().key().sign(&unhex(&digest)).hex().as_str().to_owned()
    };
    assert_eq!(verify(json!({ "digest_hex": digest, "signature": old_sig, "kid": "ed-old" })).json()["valid"], true);
    assert_eq!(verify(json!({ "digest_hex": digest, "signature": old_sig, "kid": "ed-1" })).json()["valid"], false);

    let cases = [
        (json!({ "digest_hex": digest, "signature": sig, "kid": "nope" }), "KEY_NOT_FOUND"),
        (json!({ "digest_hex": digest, "signature": "abc" }), "INVALID_HEX"),
        (json!({ "digest_hex": digest, "signature": "zz".repeat(32) }), "INVALID_HEX"),
        (json!({ "digest_hex": digest, "signature": "ab".repeat(31) }), "INVALID_LENGTH"),
        (json!({ "digest_hex": digest, "signature": "ab".repeat(64) }), "INVALID_LENGTH"),
        (json!({ "digest_hex": digest, "signature": "ab".repeat(5000) }), "INVALID_LENGTH"),
        (json!({ "digest_hex": digest }), "INVALID_JSON"),
        (json!({ "digest_hex": digest, "signature": 7 }), "INVALID_JSON"),
        (json!({ "digest_hex": digest, "signature": sig, "kid": 1 }), "INVALID_JSON"),
        (json!({ "digest_hex": "ab", "signature": sig }), "INVALID_LENGTH"),
    ];
    for (body, code) in &cases {
        let r = verify(body.clone());
        assert_eq!((r.status, r.code()), (400, code.to_string()), "{body}");
    }
    println!("proxy: /verify {} refusals", cases.len());
}

#[test]
fn sign_canonical_checks_canonical_form_and_signs_the_audit_digest() {
    let proxy = keystore_proxy("ed-1", &[]);
    let canonical = r#"{"action":"login","actor":{"id":7,"name":"bob"},"n":1e+21}"#;
    let expected = signcore::digest::audit_digest_canonical(canonical.as_bytes(), None);
    let r = proxy.call("POST", "/sign/canonical", Some(API_KEY), Some(&json!({ "canonical": canonical })));
    assert_eq!(r.status, 200, "{:?}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!(v["digest_hex"], hex(&expected));
    assert_eq!(v["kid"], "ed-1");
    assert!(verify_offline("ed-1", &hex(&expected), v["signature"].as_str().unwrap()));
    // The same digest through the core from the non-canonical payload text.
    let from_payload =
        signcore::digest::audit_digest(br#"{ "n": 1E21, "actor": {"name":"bob","id":7.0}, "action":"login" }"#, None)
            .unwrap();
    assert_eq!(from_payload, expected);

    let prev = hex(&expected);
    let chained = signcore::digest::audit_digest_canonical(canonical.as_bytes(), Some(&expected));
    let r = proxy.call(
        "POST",
        "/sign/canonical",
        Some(API_KEY),
        Some(&json!({ "canonical": canonical, "prev_hash": prev.to_uppercase() })),
    );
    assert_eq!(r.json()["digest_hex"], hex(&chained));
    let r = proxy.call(
        "POST",
        "/sign/canonical",
        Some(API_KEY),
        Some(&json!({ "canonical": canonical, "prev_hash": null })),
    );
    assert_eq!(r.json()["digest_hex"], hex(&expected));

    let cases = [
        (json!({ "canonical": r#"{"b":1,"a":2}"# }), "NOT_CANONICAL"),
        (json!({ "canonical": r#"{"a": 1}"# }), "NOT_CANONICAL"),
        (json!({ "canonical": r#"{"a":1.0}"# }), "NOT_CANONICAL"),
        (json!({ "canonical": "{\"a\":\"\\u0041\"}" }), "NOT_CANONICAL"),
        (json!({ "canonical": "{\"a\":1}\n" }), "NOT_CANONICAL"),
        (json!({ "canonical": r#"{"a":1,"a":2}"# }), "DUPLICATE_MEMBER"),
        (json!({ "canonical": r#"{"a":"\ud800"}"# }), "LONE_SURROGATE"),
        (json!({ "canonical": "{\"a\":" }), "INVALID_JSON"),
        (json!({ "canonical": "1e400" }), "NUMBER_OUT_OF_RANGE"),
        (json!({ "canonical": "[".repeat(100) + &"]".repeat(100) }), "LIMIT_EXCEEDED"),
        (json!({ "canonical": {"a": 1} }), "INVALID_JSON"),
        (json!({}), "INVALID_JSON"),
        (json!({ "canonical": canonical, "prev_hash": "xyz" }), "INVALID_HEX"),
        (json!({ "canonical": canonical, "prev_hash": "ab" }), "INVALID_LENGTH"),
        (json!({ "canonical": canonical, "prev_hash": 5 }), "INVALID_JSON"),
    ];
    for (body, code) in &cases {
        let r = proxy.call("POST", "/sign/canonical", Some(API_KEY), Some(body));
        assert_eq!((r.status, r.code()), (400, code.to_string()), "{body}");
    }
    println!("proxy: /sign/canonical {} refusals", cases.len());
}

#[test]
fn http_errors_have_their_status_and_json() {
    let proxy = keystore_proxy("ed-1", &[]);
    let digest = digest_of("x");
    let auth = format!("Bearer {API_KEY}");
    let json_ct = ("Content-Type", "application/json");
    let a = ("Authorization", auth.as_str());
    let raw = |method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>| {
        proxy.plain().request(method, path, headers, body).unwrap()
    };
    let body = serde_json::to_vec(&json!({ "digest_hex": digest })).unwrap();

    let r = raw("GET", "/nope", &[a], None);
    assert_eq!((r.status, r.code()), (404, "NOT_FOUND".into()));
    let r = raw("GET", "/sign/hash/extra", &[a], None);
    assert_eq!(r.status, 404);
    let r = raw("GET", "/sign/hash", &[a], None);
    assert_eq!((r.status, r.code()), (405, "METHOD_NOT_ALLOWED".into()));
    assert_eq!(r.header("allow"), Some("POST"));
    let r = raw("DELETE", "/health", &[], None);
    assert_eq!((r.status, r.header("allow")), (405, Some("GET")));
    let r = raw("PUT", "/keys", &[a], Some(b"{}"));
    assert_eq!(r.status, 405);
    // Query strings do not change the route.
    assert_eq!(raw("GET", "/health?x=1", &[], None).status, 200);

    // 415: no content type, text/plain, form; parameters are fine.
    for ct in [None, Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("application/jsonx")] {
        let mut headers = vec![a];
        if let Some(ct) = ct {
            headers.push(("Content-Type", ct));
        }
        let r = raw("POST", "/sign/hash", &headers, Some(&body));
        assert_eq!((r.status, r.code()), (415, "UNSUPPORTED_MEDIA_TYPE".into()), "{ct:?}");
    }
    let r = raw("POST", "/sign/hash", &[a, ("Content-Type", "Application/JSON; charset=utf-8")], Some(&body));
    assert_eq!(r.status, 200);

    // 413: declared and chunked bodies over 64 KiB; exactly 64 KiB is read.
    let big = vec![b' '; 64 * 1024 + 1];
    let r = raw("POST", "/sign/hash", &[a, json_ct], Some(&big));
    assert_eq!((r.status, r.code()), (413, "PAYLOAD_TOO_LARGE".into()));
    let mut exact = serde_json::to_vec(&json!({ "digest_hex": digest })).unwrap();
    exact.resize(64 * 1024, b' ');
    assert_eq!(raw("POST", "/sign/hash", &[a, json_ct], Some(&exact)).status, 200);
    let mut c = proxy.plain();
    let mut req = format!("POST /sign/hash HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").into_bytes();
    for _ in 0..70 {
        req.extend_from_slice(b"400\r\n");
        req.extend_from_slice(&[b' '; 1024]);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    c.send_raw(&req).unwrap();
    let r = c.read_response().unwrap();
    assert_eq!((r.status, r.code()), (413, "PAYLOAD_TOO_LARGE".into()));

    // 400: malformed JSON, wrong types and shapes, bad hex, wrong lengths.
    let bad: &[(&[u8], &str)] = &[
        (b"", "INVALID_JSON"),
        (b"{", "INVALID_JSON"),
        (b"{\"digest_hex\":}", "INVALID_JSON"),
        (b"[]", "INVALID_JSON"),
        (b"null", "INVALID_JSON"),
        (b"\"abc\"", "INVALID_JSON"),
        (b"{\"digest_hex\": 12}", "INVALID_JSON"),
        (b"{\"digest_hex\": null}", "INVALID_JSON"),
        (b"{\"digest_hex\": [\"ab\"]}", "INVALID_JSON"),
        (b"{\"other\": 1}", "INVALID_JSON"),
        (b"{\"digest_hex\": \"a\", \"digest_hex\": \"b\"}", "INVALID_JSON"),
        (b"{\"digest_hex\": \"\xff\xfe\"}", "INVALID_JSON"),
        (b"{\"digest_hex\": \"xyz\"}", "INVALID_HEX"),
        (b"{\"digest_hex\": \"\"}", "INVALID_LENGTH"),
        (b"{\"digest_hex\": \"abcd\"}", "INVALID_LENGTH"),
        (b"{\"digest_hex\": \"0g00000000000000000000000000000000000000000000000000000000000000\"}", "INVALID_HEX"),
        (b"{\"digest_hex\": \"000000000000000000000000000000000000000000000000000000000000000000\"}", "INVALID_LENGTH"),
    ];
    for (body, code) in bad {
        let r = raw("POST", "/sign/hash", &[a, json_ct], Some(body));
        assert_eq!((r.status, r.code()), (400, code.to_string()), "{:?}", String::from_utf8_lossy(body));
        assert!(!r.json()["error"]["message"].as_str().unwrap().is_empty());
    }
    // Unknown members are ignored.
    let r =
        raw("POST", "/sign/hash", &[a, json_ct], Some(format!("{{\"digest_hex\":\"{digest}\",\"x\":1}}").as_bytes()));
    assert_eq!(r.status, 200);
    // Headers over hyper's 16 KiB buffer are refused, not buffered.
    let huge = "x".repeat(20 * 1024);
    let r = proxy.plain().request("GET", "/health", &[("X-Big", &huge)], None);
    assert!(r.map(|r| r.status == 431).unwrap_or(true));
    println!("proxy: {} malformed /sign/hash bodies refused with 400", bad.len());
}

#[test]
fn api_keys_same_401_for_missing_and_wrong_and_rotation() {
    let scratch = Scratch::new();
    let keystore = scratch.write("ks.json", KEYSTORE);
    let keys_file = scratch.write("api-keys", format!("# rotation\n{API_KEY_2}\n\n  third-key-value  \n"));
    let keys_arg = path_str(&keys_file);
    let mut proxy = Proxy::try_start_in(
        scratch,
        &["--listen", "127.0.0.1:0", "--keystore", "{keystore}", "--key-id", "ed-1", "--api-keys-file", &keys_arg],
        &[("SIGNING_PROXY_API_KEY", API_KEY)],
        &keystore,
    )
    .unwrap();
    let body = json!({ "digest_hex": digest_of("k") });
    for key in [API_KEY, API_KEY_2, "third-key-value"] {
        assert_eq!(proxy.call("POST", "/sign/hash", Some(key), Some(&body)).status, 200, "{key}");
    }
    let missing = proxy.call("POST", "/sign/hash", None, Some(&body));
    let wrong = proxy.call("POST", "/sign/hash", Some("wrong-key"), Some(&body));
    let prefix = proxy.call("POST", "/sign/hash", Some(&API_KEY[..API_KEY.len() - 1]), Some(&body));
    let other_scheme = proxy
        .plain()
        .request(
            "POST",
            "/sign/hash",
            &[("Authorization", &format!("Basic {API_KEY}")), ("Content-Type", "application/json")],
            Some(b"{}"),
        )
        .unwrap();
    for r in [&missing, &wrong, &prefix, &other_scheme] {
        assert_eq!(r.status, 401);
        assert_eq!(r.body, missing.body);
        assert_eq!(r.code(), "UNAUTHORIZED");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
    assert_eq!(proxy.call("GET", "/keys", None, None).status, 401);
    assert_eq!(proxy.call("POST", "/verify", Some("wrong"), Some(&json!({}))).status, 401);
    assert_eq!(proxy.call("GET", "/health", None, None).status, 200, "health needs no key");

    // Rotation without restart: rewrite the file, SIGHUP.
    let mut f = std::fs::File::create(&keys_file).unwrap();
    writeln!(f, "new-key-after-rotation").unwrap();
    drop(f);
    proxy.signal("HUP");
    proxy.wait_for_line(r#""event":"reload","ok":true"#, Duration::from_secs(5));
    assert_eq!(proxy.call("POST", "/sign/hash", Some("new-key-after-rotation"), Some(&body)).status, 200);
    assert_eq!(proxy.call("POST", "/sign/hash", Some(API_KEY_2), Some(&body)).status, 401);
    assert_eq!(proxy.call("POST", "/sign/hash", Some(API_KEY), Some(&body)).status, 200, "env key stays");

    // Logs (all of them, once it has exited): one line per request, never a
    // key, a digest or a signature.
    proxy.signal("TERM");
    assert_eq!(proxy.wait_exit(Duration::from_secs(10)), Some(0));
    std::thread::sleep(Duration::from_millis(100));
    let logs = proxy.log_text();
    for secret in [
        API_KEY,
        API_KEY_2,
        "third-key-value",
        "new-key-after-rotation",
        "wrong-key",
        body["digest_hex"].as_str().unwrap(),
    ] {
        assert!(!logs.contains(secret), "log leaks {secret}");
    }
    let request_lines: Vec<Value> = proxy
        .lines
        .lock()
        .unwrap()
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("status").is_some())
        .collect();
    assert_eq!(request_lines.len(), 13, "{logs}");
    for v in &request_lines {
        assert!(v["method"].is_string() && v["path"].is_string() && v["status"].is_u64() && v["us"].is_u64(), "{v}");
    }
}

#[test]
fn mock_signer_for_ci_and_its_production_guard() {
    let proxy = Proxy::start(&["--listen", "127.0.0.1:0", "--mock"], &[("MOCK_AUDIT_SIGNING_KEY", "ci-mock-key")]);
    let h = proxy.call("GET", "/health", None, None).json();
    assert_eq!((h["kid"].as_str(), h["alg"].as_str()), (Some("mock"), Some("hmac-sha256")));
    assert!(h.get("public_key").is_none());
    let digest = digest_of("mock");
    // No API key configured on loopback: none asked for.
    let v = proxy.call("POST", "/sign/hash", None, Some(&json!({ "digest_hex": digest }))).json();
    let key = signcore::key::SigningKey::hmac(b"ci-mock-key").unwrap();
    assert_eq!(v["signature"], key.sign(&unhex(&digest)).hex().as_str());
    let keys = proxy.call("GET", "/keys", None, None).json();
    assert_eq!(keys[0]["key_id"], "mock");

    let refused = Proxy::try_start(
        &["--listen", "127.0.0.1:0", "--mock"],
        &[("MOCK_AUDIT_SIGNING_KEY", "k"), ("NODE_ENV", "production")],
    )
    .err()
    .expect("refused");
    assert_eq!(refused.code, Some(2));
    assert!(refused.stderr.contains("Audit signing is required"), "{}", refused.stderr);
    // RITMA_* in the environment do not get in the way of --mock.
    let env = [("MOCK_AUDIT_SIGNING_KEY", "k"), ("RITMA_KEY_ID", "x")];
    let with_ritma = Proxy::start(&["--listen", "127.0.0.1:0", "--mock"], &env);
    assert_eq!(with_ritma.call("GET", "/health", None, None).json()["kid"], "mock");
    let refused = Proxy::try_start(&["--listen", "127.0.0.1:0", "--mock"], &[]).err().expect("refused");
    assert!(refused.stderr.contains("MOCK_AUDIT_SIGNING_KEY"), "{}", refused.stderr);
}

#[test]
fn start_up_refusals_name_what_is_wrong() {
    let scratch = Scratch::new();
    let pki = Pki::new("refusal CA");
    let server = pki.server();
    let cert = path_str(&scratch.write("cert.pem", &server.cert_pem));
    let key = path_str(&scratch.write("key.pem", &server.key_pem));
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["--listen", "0.0.0.0:0", "--mock"],
            vec![("MOCK_AUDIT_SIGNING_KEY", "k"), ("SIGNING_PROXY_API_KEY", "a")],
            "without TLS",
        ),
        (
            vec!["--listen", "0.0.0.0:0", "--mock", "--tls-cert", &cert, "--tls-key", &key],
            vec![("MOCK_AUDIT_SIGNING_KEY", "k")],
            "without client authentication",
        ),
        (vec!["--listen", "127.0.0.1:0"], vec![], "no signing key"),
        (vec!["--listen", "127.0.0.1:0", "--keystore", "{keystore}", "--key-id", "absent"], vec![], "KEY_NOT_FOUND"),
        (
            vec!["--listen", "127.0.0.1:0", "--keystore", "/nonexistent/ks.json", "--key-id", "a"],
            vec![],
            "cannot be read",
        ),
        (vec!["--listen", "127.0.0.1:0", "--kms", "arn:aws:kms:x"], vec![], "issue 9"),
        (
            vec!["--listen", "127.0.0.1:0", "--mock", "--tls-cert", &cert],
            vec![("MOCK_AUDIT_SIGNING_KEY", "k")],
            "--tls-key",
        ),
        (
            vec!["--listen", "127.0.0.1:0", "--mock", "--tls-cert", &key, "--tls-key", &key],
            vec![("MOCK_AUDIT_SIGNING_KEY", "k")],
            "no certificate",
        ),
        (
            vec!["--listen", "127.0.0.1:0", "--mock", "--tls-cert", &cert, "--tls-key", &cert],
            vec![("MOCK_AUDIT_SIGNING_KEY", "k")],
            "--tls-key",
        ),
        (
            vec!["--listen", "127.0.0.1:0", "--mock", "--api-keys-file", "/nonexistent"],
            vec![("MOCK_AUDIT_SIGNING_KEY", "k")],
            "--api-keys-file",
        ),
        (
            vec!["--listen", "127.0.0.1:0", "--mock"],
            vec![("MOCK_AUDIT_SIGNING_KEY", "k"), ("SIGNING_PROXY_API_KEY", "has space")],
            "SIGNING_PROXY_API_KEY",
        ),
        (
            vec!["--listen", "127.0.0.1:0", "--mock", "--api-key", "k"],
            vec![("MOCK_AUDIT_SIGNING_KEY", "k")],
            "--api-key",
        ),
        (
            vec!["--listen", "127.0.0.1:0", "--mock", "--key-id", "ed-1"],
            vec![("MOCK_AUDIT_SIGNING_KEY", "k")],
            "cannot be combined",
        ),
    ];
    let n = cases.len();
    for (args, env, needle) in cases {
        let r = Proxy::try_start(&args, &env).err().unwrap_or_else(|| panic!("{args:?} started"));
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {needle:?} not in {}", r.stderr);
        assert!(!r.stderr.contains("0101010101"), "no secret in start-up errors");
    }
    // A bad keystore names the record, not the secret.
    let bad = Scratch::new();
    let ks = bad.write("ks.json", r#"[{"key_id":"x","alg":"ed25519","secret_hex":"0101"}]"#);
    let r =
        Proxy::try_start_in(bad, &["--listen", "127.0.0.1:0", "--keystore", "{keystore}", "--key-id", "x"], &[], &ks)
            .err()
            .unwrap();
    assert!(r.stderr.contains("record 0") && !r.stderr.contains("0101\""), "{}", r.stderr);
    println!("proxy: {} start-up refusals", n + 1);
}

fn tls_proxy(pki: &Pki, mtls: bool, api_key: bool) -> Proxy {
    let scratch = Scratch::new();
    let server = pki.server();
    let keystore = scratch.write("ks.json", KEYSTORE);
    let cert = path_str(&scratch.write("cert.pem", &server.cert_pem));
    let key = path_str(&scratch.write("key.pem", &server.key_pem));
    let ca = path_str(&scratch.write("ca.pem", &pki.ca_pem));
    let mut args = vec![
        "--listen",
        "127.0.0.1:0",
        "--keystore",
        "{keystore}",
        "--key-id",
        "ed-1",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
    ];
    if mtls {
        args.extend_from_slice(&["--client-ca", &ca]);
    }
    let env: &[(&str, &str)] = if api_key { &[("SIGNING_PROXY_API_KEY", API_KEY)] } else { &[] };
    Proxy::try_start_in(scratch, &args, env, &keystore).unwrap()
}

#[test]
fn tls_with_a_generated_ca() {
    let pki = Pki::new("signcore test CA");
    let proxy = tls_proxy(&pki, false, true);
    let config = pki.client_config(None);
    let mut client = Client::tls(proxy.addr, config.clone());
    let h = client.request("GET", "/health", &[], None).unwrap();
    assert_eq!(h.json()["kid"], "ed-1");
    let digest = digest_of("tls");
    let r = client.post("/sign/hash", API_KEY, &json!({ "digest_hex": digest })).unwrap();
    assert!(verify_offline("ed-1", &digest, r.json()["signature"].as_str().unwrap()));
    assert_eq!(client.post("/sign/hash", "wrong", &json!({ "digest_hex": digest })).unwrap().status, 401);

    // Plain HTTP to the TLS port gets no answer; a client trusting another
    // CA refuses the server.
    let plain = proxy.plain().request("GET", "/health", &[], None);
    assert!(plain.is_err() || plain.unwrap().status >= 400);
    let other = Pki::new("other CA");
    assert!(Client::tls(proxy.addr, other.client_config(None)).request("GET", "/health", &[], None).is_err());
    assert_eq!(Client::tls(proxy.addr, config).request("GET", "/health", &[], None).unwrap().status, 200);
}

#[test]
fn mtls_accepts_the_ca_clients_only() {
    let pki = Pki::new("signcore mTLS CA");
    let proxy = tls_proxy(&pki, true, false);
    let alice = pki.client("alice");
    let mut ok = Client::tls(proxy.addr, pki.client_config(Some(&alice)));
    let digest = digest_of("mtls");
    // No API key configured: the client certificate is the authentication.
    let r = ok
        .request(
            "POST",
            "/sign/hash",
            &[("Content-Type", "application/json")],
            Some(json!({ "digest_hex": digest }).to_string().as_bytes()),
        )
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(verify_offline("ed-1", &digest, r.json()["signature"].as_str().unwrap()));

    let no_cert = Client::tls(proxy.addr, pki.client_config(None)).request("GET", "/health", &[], None);
    assert!(no_cert.is_err(), "no client certificate: {no_cert:?}");
    let stranger_ca = Pki::new("stranger CA");
    let mallory = stranger_ca.client("mallory");
    // Trusts the server's CA, but presents a certificate from another CA.
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca_der.clone()).unwrap();
    let config =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_client_auth_cert(vec![mallory.cert_der.clone()], mallory.key_der.clone_key())
            .unwrap();
    let foreign = Client::tls(proxy.addr, std::sync::Arc::new(config)).request("GET", "/health", &[], None);
    assert!(foreign.is_err(), "foreign client certificate: {foreign:?}");
    proxy.wait_for_line("tls_handshake_failed", Duration::from_secs(5));
    // The service still serves the CA's clients.
    assert_eq!(ok.request("GET", "/health", &[], None).unwrap().status, 200);
}

#[test]
fn slow_vanishing_and_idle_clients_cannot_hold_the_service() {
    let proxy = keystore_proxy("ed-1", &["--header-timeout-ms", "3000", "--body-timeout-ms", "700"]);
    let digest = digest_of("faults");
    let auth = format!("Authorization: Bearer {API_KEY}\r\n");

    // Stops mid-body: 408 after the body timeout, connection closed.
    let mut stalled = proxy.plain();
    stalled
        .send_raw(format!("POST /sign/hash HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"digest_hex\":").as_bytes())
        .unwrap();
    // Stops mid-headers (slowloris): closed after the header timeout.
    let mut slowloris = proxy.plain();
    slowloris.send_raw(b"POST /sign/hash HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n").unwrap();
    // Disconnects before the answer: mid-body, and right after a full request.
    let mut gone = proxy.plain();
    gone.send_raw(format!("POST /sign/hash HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{").as_bytes()).unwrap();
    drop(gone);
    for _ in 0..20 {
        let mut c = proxy.plain();
        let body = json!({ "digest_hex": digest }).to_string();
        c.send_raw(format!("POST /sign/hash HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).unwrap();
        drop(c);
    }

    // Meanwhile, well-formed requests are answered.
    let r = proxy.call("POST", "/sign/hash", Some(API_KEY), Some(&json!({ "digest_hex": digest })));
    assert_eq!(r.status, 200);

    let r = stalled.read_response().unwrap();
    assert_eq!((r.status, r.code()), (408, "REQUEST_TIMEOUT".into()));
    assert!(stalled.closed_by_server());
    assert!(slowloris.closed_by_server(), "slowloris connection closed by the header timeout");

    // 1,000 connections opened and left idle.
    let rss_before = proxy.rss_kib();
    let mut idle: Vec<Client> = (0..1000).map(|_| proxy.plain()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let rss_idle = proxy.rss_kib();
    let r = proxy.call("POST", "/sign/hash", Some(API_KEY), Some(&json!({ "digest_hex": digest })));
    assert_eq!(r.status, 200);
    // The most recent idle ones can still be used (within the header timeout)...
    for c in idle.iter_mut().rev().take(10) {
        assert_eq!(c.request("GET", "/health", &[], None).unwrap().status, 200);
    }
    // ...and the rest are closed by the server after the header timeout.
    assert!(idle[0].closed_by_server(), "idle connection closed");
    assert!(idle[500].closed_by_server(), "idle connection closed");
    let grown = rss_idle.saturating_sub(rss_before);
    println!("proxy: RSS {rss_before} KiB, with 1000 idle connections {rss_idle} KiB (+{grown} KiB)");
    assert!(grown < 64 * 1024, "memory per idle connection bounded: grew {grown} KiB");
    drop(idle);
    let r = proxy.call("POST", "/sign/hash", Some(API_KEY), Some(&json!({ "digest_hex": digest })));
    assert_eq!(r.status, 200);
    assert!(proxy.log_text().contains(r#""status":408"#));
}

#[test]
fn sigterm_drains_in_flight_requests_and_refuses_newcomers() {
    let mut proxy = keystore_proxy("ed-1", &["--body-timeout-ms", "10000"]);
    let digest = digest_of("drain");
    let body = json!({ "digest_hex": digest }).to_string();
    // A keep-alive connection, used once before SIGTERM.
    let mut keep = proxy.plain();
    assert_eq!(keep.post("/sign/hash", API_KEY, &json!({ "digest_hex": digest })).unwrap().status, 200);
    // A request in flight: headers and half of the body sent.
    let mut in_flight = proxy.plain();
    let (first, rest) = body.split_at(10);
    in_flight
        .send_raw(format!("POST /sign/hash HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{first}", body.len()).as_bytes())
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    proxy.signal("TERM");
    let line = proxy.wait_for_line(r#""event":"shutting_down""#, Duration::from_secs(5));
    assert!(line.contains(r#""in_flight":1"#), "{line}");
    // A request arriving now on an open connection: 503, connection closed.
    let r = keep.post("/sign/hash", API_KEY, &json!({ "digest_hex": digest })).unwrap();
    assert_eq!((r.status, r.code()), (503, "SHUTTING_DOWN".into()));
    assert_eq!(r.header("connection"), Some("close"));
    // No new connections.
    assert!(std::net::TcpStream::connect(proxy.addr).is_err());
    // The request in flight completes.
    in_flight.send_raw(rest.as_bytes()).unwrap();
    let r = in_flight.read_response().unwrap();
    assert_eq!(r.status, 200);
    assert!(verify_offline("ed-1", &digest, r.json()["signature"].as_str().unwrap()));
    assert_eq!(proxy.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(proxy.log_text().contains(r#""drained":true"#));
}

#[test]
fn requests_in_flight_are_bounded() {
    let proxy = keystore_proxy("ed-1", &["--max-in-flight", "1", "--body-timeout-ms", "10000"]);
    let digest = digest_of("bound");
    let body = json!({ "digest_hex": digest }).to_string();
    let head = format!(
        "POST /sign/hash HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let answered = || proxy.lines.lock().unwrap().iter().filter(|l| l.contains(r#""path":"/sign/hash""#)).count();
    // The only slot is held by a request whose body is still arriving.
    let mut holder = proxy.plain();
    holder.send_raw(format!("{head}{}", &body[..5]).as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // A complete second request waits for the slot: not answered meanwhile.
    let mut waiting = proxy.plain();
    waiting.send_raw(format!("{head}{body}").as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(answered(), 0, "the second request waits for the slot");
    // Once the first one finishes, both are answered, in order.
    holder.send_raw(&body.as_bytes()[5..]).unwrap();
    assert_eq!(holder.read_response().unwrap().status, 200);
    let r = waiting.read_response().unwrap();
    assert_eq!(r.status, 200);
    assert!(verify_offline("ed-1", &digest, r.json()["signature"].as_str().unwrap()));
}
