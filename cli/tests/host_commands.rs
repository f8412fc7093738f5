//! `signcore keys summary|publish`, `sign`, `verify-signature`, `evidence
//! export|verify`: the built binary, real files, and for `publish` a real
//! HTTP server on 127.0.0.1 started (and stopped) by the test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

const KEYSTORE: &str = r#"[{"key_id":"node-key-ed25519-1","alg":"ed25519","secret_hex":"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60","label":"primary-ed25519"},
 {"key_id":"node-key-hmac-1","alg":"hmac_sha256","secret_hex":"aa55aa55aa55aa55aa55aa55aa55aa55","label":"primary-hmac"}]"#;

const VARS: &[&str] = &[
    "RITMA_KEYSTORE_PATH",
    "RITMA_KEY_ID",
    "RITMA_KEY_HASH",
    "RITMA_KEY_LABEL",
    "RITMA_CLOUD_URL",
    "RITMA_CLOUD_ORG_ID",
    "RITMA_NODE_ID",
    "UTLD_PACKAGE_SIG_KEY",
    "NODE_ENV",
];

fn signcore(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_signcore"));
    cmd.current_dir(dir).args(args);
    for var in VARS {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("node_keystore.json"), KEYSTORE).unwrap();
    let ev = dir.path().join("evidence");
    std::fs::create_dir_all(ev.join("logs")).unwrap();
    std::fs::write(ev.join("logs/run.log"), "started\nfinished\n").unwrap();
    std::fs::write(ev.join("summary.json"), "{\"ok\":true}").unwrap();
    dir
}

#[test]
fn sign_and_verify_burns() {
    let dir = setup();
    let d = dir.path();
    let hash = "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";
    let out = signcore(d, &["sign", "--key-id", "node-key-ed25519-1", "--burn", hash], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sig = text(&out.stdout).trim().to_string();
    assert!(sig.starts_with("sig_") && sig.len() == 4 + 128, "{sig}");
    // The same from a file and from stdin (the bytes of the text).
    std::fs::write(d.join("burn.txt"), hash).unwrap();
    let from_file = signcore(d, &["sign", "--key-id", "node-key-ed25519-1", "burn.txt"], &[]);
    assert_eq!(text(&from_file.stdout).trim(), sig);
    let mut child = Command::new(env!("CARGO_BIN_EXE_signcore"))
        .current_dir(d)
        .args(["sign", "-", "--json"])
        .env("RITMA_KEY_ID", "node-key-hmac-1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(hash.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((json["kid"].as_str(), json["alg"].as_str()), (Some("node-key-hmac-1"), Some("hmac-sha256")));
    assert_eq!(json["signature"].as_str().unwrap().len(), 4 + 64);
    // verify-signature: 0 valid, 1 invalid, 2 malformed.
    let ok =
        signcore(d, &["verify-signature", "--key-id", "node-key-ed25519-1", "--signature", &sig, "--burn", hash], &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let bad =
        signcore(d, &["verify-signature", "--key-id", "node-key-ed25519-1", "--signature", &sig, "--burn", "x"], &[]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stdout).contains("INVALID"));
    let malformed =
        signcore(d, &["verify-signature", "--key-id", "node-key-ed25519-1", "--signature", "abc", "--burn", hash], &[]);
    assert_eq!(malformed.status.code(), Some(2));
    assert!(text(&malformed.stderr).contains("invalid burn signature"), "{}", text(&malformed.stderr));
    // A missing key id or keystore is an error (exit 2), never a stub signature.
    let missing = signcore(d, &["sign", "--key-id", "nope", "--burn", hash], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("has no key \"nope\"") && missing.stdout.is_empty());
    let no_id = signcore(d, &["sign", "--burn", hash], &[]);
    assert_eq!(no_id.status.code(), Some(2));
    let no_file = signcore(d, &["sign", "--key-id", "k", "--keystore", "missing.json", "--burn", hash], &[]);
    assert_eq!(no_file.status.code(), Some(2));
    assert!(text(&no_file.stderr).contains("missing.json"), "{}", text(&no_file.stderr));
}

#[test]
fn evidence_export_and_verify() {
    let dir = setup();
    let d = dir.path();
    let env = [("RITMA_KEY_ID", "node-key-ed25519-1")];
    let out = signcore(d, &["evidence", "export", "evidence", "--out", "pkg.json", "--meta", "case=R4.5"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("signed by node-key-ed25519-1"), "{}", text(&out.stderr));
    let verify = |extra: &[&str]| {
        let mut args = vec!["evidence", "verify", "pkg.json"];
        args.extend_from_slice(extra);
        signcore(d, &args, &[])
    };
    assert_eq!(verify(&[]).status.code(), Some(0));
    let out = verify(&["--dir", "evidence", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report["ok"].as_bool(), report["files_checked"].as_bool()), (Some(true), Some(true)));
    // Tampering: exit 1 with the finding.
    std::fs::write(d.join("evidence/summary.json"), "{\"ok\":fals}").unwrap();
    let out = verify(&["--dir", "evidence"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("HASH_MISMATCH"), "{}", text(&out.stdout));
    std::fs::write(d.join("evidence/summary.json"), "{\"ok\":true}").unwrap();
    let package = std::fs::read_to_string(d.join("pkg.json")).unwrap();
    std::fs::write(d.join("edited.json"), package.replace("R4.5", "R4.6")).unwrap();
    let out = signcore(d, &["evidence", "verify", "edited.json"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("SIGNATURE_INVALID"));
    // Unreadable package: exit 2.
    std::fs::write(d.join("broken.json"), "{").unwrap();
    assert_eq!(signcore(d, &["evidence", "verify", "broken.json"], &[]).status.code(), Some(2));
    // --out inside the directory is refused.
    let out = signcore(d, &["evidence", "export", "evidence", "--out", "evidence/pkg.json"], &env);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn evidence_export_fallbacks() {
    let dir = setup();
    let d = dir.path();
    // Keystore missing → legacy key with warnings.
    let env = [
        ("RITMA_KEY_ID", "node-key-ed25519-1"),
        ("RITMA_KEYSTORE_PATH", "missing.json"),
        ("UTLD_PACKAGE_SIG_KEY", "hmac_sha256:aa55aa55aa55aa55aa55aa55aa55aa55"),
    ];
    let out = signcore(d, &["evidence", "export", "evidence", "--out", "legacy.json"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("warning: node keystore signing failed") && stderr.contains("missing.json"), "{stderr}");
    assert!(stderr.contains("warning: signing with the legacy UTLD_PACKAGE_SIG_KEY"), "{stderr}");
    // The legacy signature verifies with a ring holding kid legacy-env.
    std::fs::write(
        d.join("legacy-ring.json"),
        r#"[{"kid":"legacy-env","alg":"hmac-sha256","secret_hex":"aa55aa55aa55aa55aa55aa55aa55aa55"}]"#,
    )
    .unwrap();
    let ok =
        signcore(d, &["evidence", "verify", "legacy.json", "--ring", "legacy-ring.json", "--dir", "evidence"], &[]);
    assert_eq!(ok.status.code(), Some(0), "{}{}", text(&ok.stdout), text(&ok.stderr));
    // Nothing configured → unsigned with a warning; verify says so (exit 1) unless allowed.
    let out = signcore(d, &["evidence", "export", "evidence", "--out", "unsigned.json"], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("UNSIGNED"));
    assert_eq!(signcore(d, &["evidence", "verify", "unsigned.json"], &[]).status.code(), Some(1));
    assert_eq!(signcore(d, &["evidence", "verify", "unsigned.json", "--allow-unsigned"], &[]).status.code(), Some(0));
    // --require-signature: the descriptive error, exit 2, nothing written.
    let env = [("RITMA_KEY_ID", "k"), ("RITMA_KEYSTORE_PATH", "missing.json"), ("UTLD_PACKAGE_SIG_KEY", "hmac:zz")];
    let out = signcore(d, &["evidence", "export", "evidence", "--out", "refused.json", "--require-signature"], &env);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("evidence package cannot be signed") && stderr.contains("legacy key unusable"), "{stderr}");
    assert!(!d.join("refused.json").exists());
}

/// A one-request HTTP/1.1 server on 127.0.0.1: answers `status` and hands
/// back the request line and body.
fn serve_once(status: &'static str) -> (String, std::thread::JoinHandle<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        // Never hang the suite: give up after 20 s without a client.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10))
                }
                Err(e) => panic!("no client connected: {e}"),
            }
        };
        stream.set_nonblocking(false).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).unwrap();
        let reply = r#"{"error":"boom"}"#;
        let answer =
            format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}", reply.len());
        (&stream).write_all(answer.as_bytes()).unwrap();
        (request_line, String::from_utf8(body).unwrap())
    });
    (url, handle)
}

#[test]
fn keys_summary_and_publish() {
    let dir = setup();
    let d = dir.path();
    let env = [("RITMA_KEY_ID", "node-key-hmac-1"), ("RITMA_CLOUD_ORG_ID", "org-7"), ("RITMA_NODE_ID", "node-a")];
    let out = signcore(d, &["keys", "summary", "--json"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["label"], "primary-hmac");
    assert_eq!(summary["org_id"], "org-7");
    assert_eq!(summary["key_hash"].as_str().unwrap().len(), 64);
    // Publish: the server checks method, path and body.
    let (url, server) = serve_once("201 Created");
    let out = signcore(d, &["keys", "publish", "--url", &url], &env);
    let (request_line, body) = server.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(request_line.trim(), "POST /keys HTTP/1.1");
    let posted: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(posted, summary);
    // RITMA_CLOUD_URL from the environment, a 500 answer: exit 2 with the status and body.
    let (url, server) = serve_once("500 Internal Server Error");
    let mut env500 = env.to_vec();
    env500.push(("RITMA_CLOUD_URL", &url));
    let out = signcore(d, &["keys", "publish"], &env500);
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("500") && stderr.contains("boom"), "{stderr}");
    // Fallback: keystore missing, an invalid RITMA_KEY_HASH is reported.
    let env = [
        ("RITMA_KEY_ID", "k"),
        ("RITMA_KEYSTORE_PATH", "missing.json"),
        ("RITMA_KEY_HASH", "xyz"),
        ("RITMA_KEY_LABEL", "fb"),
    ];
    let out = signcore(d, &["keys", "summary", "--json"], &env);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("RITMA_KEY_HASH is invalid") && stderr.contains("missing.json"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(summary["key_hash"].is_null() && summary["label"] == "fb");
    // Nothing configured: exit 2.
    assert_eq!(signcore(d, &["keys", "summary"], &[]).status.code(), Some(2));
    // Nobody listening: exit 2, one line.
    let out = signcore(d, &["keys", "publish", "--url", "http://127.0.0.1:9"], &[("RITMA_KEY_ID", "node-key-hmac-1")]);
    assert_eq!(out.status.code(), Some(2));
}
