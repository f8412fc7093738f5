//! `signcore verify` and `signcore archive cosign` on files and stdin: the
//! shared chain scenarios in every input form, truncation, unsigned and
//! under-signed archives, 2-of-3 cosigning, text and JSON output, exit codes.
mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use serde_json::Value;

fn expected_set(expected: &[(u64, String)]) -> BTreeSet<(Option<u64>, String)> {
    expected.iter().map(|(i, c)| (Some(*i), c.clone())).collect()
}

fn verify_json(file: &Path, ring: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["verify", file.to_str().unwrap(), "--ring", ring.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    assert!(err.is_empty(), "no stderr with --json: {err}");
    (code, serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}")))
}

#[test]
fn scenarios_in_every_input_form() {
    let v = Vectors::load();
    let dir = tempfile::tempdir().unwrap();
    let ring = v.write_ring(dir.path());
    let keystore = v.write_keystore(dir.path());
    let hmac = v.key("audit-hmac-1");
    let scenarios = v.raw_events();
    assert_eq!(scenarios.len(), 15);
    let mut runs = 0;
    for (name, events, expected) in &scenarios {
        let want = expected_set(expected);
        let archive = archive(events, 0, None, &[("audit-hmac-1", &hmac)]);
        let forms: Vec<(&str, Vec<u8>)> = vec![
            ("archive.json", archive.clone()),
            ("array.json", array(events)),
            ("events.ndjson", ndjson(events)),
            ("archive.json.gz", gzip(&archive)),
            ("array.json.gz", gzip(&array(events))),
            ("events.ndjson.gz", gzip(&ndjson(events))),
        ];
        for (form, bytes) in &forms {
            let file = dir.path().join(format!("{name}.{form}"));
            std::fs::write(&file, bytes).unwrap();
            for (flag, keys) in [("--ring", &ring), ("--keystore", &keystore)] {
                let (code, out, err) = run(&["verify", file.to_str().unwrap(), flag, keys.to_str().unwrap(), "--json"]);
                assert!(err.is_empty(), "{name} {form}: {err}");
                let report: Value = serde_json::from_str(&out).unwrap();
                assert_eq!(pairs(&report), want, "{name} {form}");
                assert_eq!(code, if want.is_empty() { 0 } else { 1 }, "{name} {form}");
                assert_eq!(report["ok"], want.is_empty());
                assert_eq!(report["checked"], events.len() as u64);
                assert_eq!(report["signed"], form.starts_with("archive"));
                runs += 1;
            }
        }
        // stdin, archive and NDJSON.
        for bytes in [&archive, &ndjson(events)] {
            let (code, out, _) = run_stdin(&["verify", "-", "--ring", ring.to_str().unwrap(), "--json"], bytes);
            let report: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(pairs(&report), want, "{name} stdin");
            assert_eq!(code, if want.is_empty() { 0 } else { 1 });
            runs += 1;
        }
    }
    report_count("audit_chains scenarios x (archive, array, NDJSON, 3 x gzip) x (ring, keystore) + stdin", runs);
}

/// The JSON report equals Node's `verifyChain` report for the same events
/// (arrays, NDJSON) and Node's `verifyArchive` report for the same archive
/// (chain part, `head` and the archive block), over every shared scenario
/// plus truncated, unsigned, under-signed and cosigned archives. Runs the
/// built addon (`make test-cli` builds it when missing and sets
/// `SIGNCORE_REQUIRE_NODE=1`, so a missing addon fails instead of skipping).
#[test]
fn json_matches_node_reports() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let node_dir = root.join("ffi-node");
    let built = std::fs::read_dir(&node_dir)
        .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".node")))
        .unwrap_or(false);
    let has_node = std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !built || !has_node {
        assert!(
            std::env::var("SIGNCORE_REQUIRE_NODE").as_deref() != Ok("1"),
            "SIGNCORE_REQUIRE_NODE=1 but the Node addon is not built in {} (or node is missing): run `make test-cli`",
            node_dir.display()
        );
        println!("vectors: node comparison skipped (ffi-node not built)");
        return;
    }
    let v = Vectors::load();
    let dir = tempfile::tempdir().unwrap();
    let ring = v.write_ring(dir.path());
    let hmac = v.key("audit-hmac-1");
    let ed = v.key("audit-ed25519-1");
    // (file, Node function, threshold): every case written first, one Node process for all.
    let mut cases: Vec<(String, &str, u64)> = Vec::new();
    let mut add = |name: String, bytes: Vec<u8>, func: &'static str, threshold: u64| {
        let file = dir.path().join(&name);
        std::fs::write(&file, bytes).unwrap();
        cases.push((file.to_str().unwrap().to_string(), func, threshold));
    };
    for (name, events, _) in v.raw_events() {
        add(format!("{name}.json"), array(&events), "verifyChain", 1);
        add(format!("{name}.ndjson"), ndjson(&events), "verifyChain", 1);
        add(format!("{name}.archive.json"), archive(&events, 0, None, &[("audit-hmac-1", &hmac)]), "verifyArchive", 1);
    }
    let (_, events, _) = &v.raw_events()[0];
    let signed = archive(events, 0, None, &[("audit-hmac-1", &hmac), ("audit-ed25519-1", &ed)]);
    add("cosigned.archive.json".into(), signed.clone(), "verifyArchive", 2);
    add("under-signed.archive.json".into(), signed.clone(), "verifyArchive", 3);
    add("unsigned.archive.json".into(), archive(events, 0, None, &[]), "verifyArchive", 1);
    let mut value: Value = serde_json::from_slice(&signed).unwrap();
    value["events"].as_array_mut().unwrap().truncate(30);
    add("truncated.archive.json".into(), serde_json::to_vec(&value).unwrap(), "verifyArchive", 1);
    value["range"] = serde_json::json!("unreadable");
    add("bad-range.archive.json".into(), serde_json::to_vec(&value).unwrap(), "verifyArchive", 1);
    let slice: Vec<Vec<u8>> = events[20..].to_vec();
    let anchor = signcore::archive::stored_hash(&events[19]);
    add("slice.archive.json".into(), archive(&slice, 20, anchor, &[("audit-hmac-1", &hmac)]), "verifyArchive", 1);

    let list = dir.path().join("cases.json");
    std::fs::write(&list, serde_json::to_vec(&cases).unwrap()).unwrap();
    let script = r#"
const s = require(process.argv[1]); const fs = require('fs');
const ring = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = JSON.parse(fs.readFileSync(process.argv[3], 'utf8')).map(([file, func, threshold]) => {
  const text = fs.readFileSync(file, 'utf8');
  if (func === 'verifyArchive') return s.verifyArchive(text, ring, { threshold });
  const events = file.endsWith('.ndjson') ? text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)) : JSON.parse(text);
  return s.verifyChain(events, ring);
});
console.log(JSON.stringify(out));
"#;
    let out = std::process::Command::new("node")
        .arg("-e")
        .arg(script)
        .arg(node_dir.to_str().unwrap())
        .arg(ring.to_str().unwrap())
        .arg(list.to_str().unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "node: {}", String::from_utf8_lossy(&out.stderr));
    let node: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(node.len(), cases.len());
    let mut compared = 0;
    for ((file, func, threshold), node) in cases.iter().zip(&node) {
        let t = threshold.to_string();
        let (_, ours) = verify_json(Path::new(file), &ring, &["--threshold", &t]);
        let keys: &[&str] = if *func == "verifyArchive" {
            &["ok", "checked", "errors", "head", "archive"]
        } else {
            &["ok", "checked", "errors"]
        };
        for key in keys {
            assert!(!node[*key].is_null() || *key == "head" || ours[*key].is_null(), "{file}: Node has no {key}");
            assert_eq!(ours[*key], node[*key], "{file}: {key} differs (CLI vs Node {func})");
        }
        // Nothing else in Node's report that the CLI lacks.
        for key in node.as_object().unwrap().keys() {
            assert!(ours.get(key).is_some(), "{file}: Node reports {key}, the CLI does not");
        }
        compared += 1;
    }
    // The cases above do differ from each other (a comparison of nulls would prove nothing).
    let archives: BTreeSet<String> = node.iter().filter_map(|n| n.get("archive").map(|a| a.to_string())).collect();
    assert!(archives.len() > 5, "{archives:?}");
    report_count("CLI --json report == Node verifyChain / verifyArchive report", compared);
}

#[test]
fn truncated_and_tampered_archives() {
    let v = Vectors::load();
    let dir = tempfile::tempdir().unwrap();
    let ring = v.write_ring(dir.path());
    let hmac = v.key("audit-hmac-1");
    let (_, events, _) = &v.raw_events()[0];
    let archive = archive(events, 0, None, &[("audit-hmac-1", &hmac)]);
    let mut value: Value = serde_json::from_slice(&archive).unwrap();
    value["events"].as_array_mut().unwrap().truncate(30);
    let file = dir.path().join("cut.json");
    std::fs::write(&file, serde_json::to_vec(&value).unwrap()).unwrap();
    let (code, report) = verify_json(&file, &ring, &[]);
    assert_eq!(code, 1);
    let want: BTreeSet<_> =
        [(None, "ARCHIVE_DIGEST_MISMATCH".to_string()), (None, "RANGE_MISMATCH".to_string())].into();
    assert_eq!(pairs(&report), want);
    assert!(report["errors"].as_array().unwrap().iter().all(|e| e["index"].is_null()));
    // Text output names the findings and says FAILED.
    let (code, out, _) = run(&["verify", file.to_str().unwrap(), "--ring", ring.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("archive: RANGE_MISMATCH: range.size differs"), "{out}");
    assert!(out.contains("FAILED: 3 finding(s) in 30 events"), "{out}");
    // The range rewritten too: only the digest gives it away.
    value["range"]["size"] = 30.into();
    value["range"]["head"] = value["events"][29]["hash"].clone();
    std::fs::write(&file, serde_json::to_vec(&value).unwrap()).unwrap();
    let (_, report) = verify_json(&file, &ring, &[]);
    assert_eq!(pairs(&report), [(None, "ARCHIVE_DIGEST_MISMATCH".to_string())].into());
    // Bytes cut off the end of the file: an input error naming truncation.
    for cut in [archive.len() / 2, archive.len() - 3, 10] {
        std::fs::write(&file, &archive[..cut]).unwrap();
        let (code, _, err) = run(&["verify", file.to_str().unwrap(), "--ring", ring.to_str().unwrap()]);
        assert_input_error(code, &err);
        assert!(err.contains("truncated") || err.contains("ends"), "{err}");
    }
    // Members out of streaming order (events first): verified in memory
    // from a file; from stdin an input error that says why.
    let value: Value = serde_json::from_slice(&archive).unwrap();
    let reordered = format!(
        r#"{{"events":{},"manifest":{},"range":{},"origin":{},"format":{}}}"#,
        value["events"], value["manifest"], value["range"], value["origin"], value["format"]
    );
    std::fs::write(&file, &reordered).unwrap();
    let (code, report) = verify_json(&file, &ring, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["archive"]["origin"], "memory-layer/audit");
    let (code, _, err) = run_stdin(&["verify", "-", "--ring", ring.to_str().unwrap()], reordered.as_bytes());
    assert_input_error(code, &err);
    assert!(err.contains("out of order"), "{err}");
    // An OK archive in text form.
    std::fs::write(&file, &archive).unwrap();
    let (code, out, _) = run(&["verify", file.to_str().unwrap(), "--ring", ring.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.starts_with("OK: 50 events verified: signed archive"), "{out}");
    // An unsigned JSON array says so.
    std::fs::write(&file, array(events)).unwrap();
    let (code, out, _) = run(&["verify", file.to_str().unwrap(), "--ring", ring.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("unsigned"), "{out}");
}

#[test]
fn unsigned_under_signed_and_cosigned_2_of_3() {
    let v = Vectors::load();
    let dir = tempfile::tempdir().unwrap();
    let (_, events, _) = &v.raw_events()[1];
    // Three officers' keys, generated by the CLI into one keystore.
    let officers = dir.path().join("officers.json");
    for id in ["officer-1", "officer-2", "officer-3"] {
        let (code, out, err) = run(&["keys", "generate", "--keystore", officers.to_str().unwrap(), "--key-id", id]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(id) && !out.contains("secret"), "{out}");
    }
    let (code, ring_out, _) = run(&["keys", "ring", "--keystore", officers.to_str().unwrap()]);
    assert_eq!(code, 0);
    let mut ring: Vec<Value> = serde_json::from_str(&ring_out).unwrap();
    assert_eq!(ring.len(), 3);
    ring.extend(v.doc["ring"].as_array().unwrap().iter().cloned());
    let ring_file = dir.path().join("ring.json");
    std::fs::write(&ring_file, serde_json::to_vec(&ring).unwrap()).unwrap();

    let file = dir.path().join("archive.json");
    std::fs::write(&file, archive(events, 0, None, &[])).unwrap();
    let threshold_not_met: BTreeSet<_> = [(None, "THRESHOLD_NOT_MET".to_string())].into();
    let (code, report) = verify_json(&file, &ring_file, &[]);
    assert_eq!((code, pairs(&report)), (1, threshold_not_met.clone()), "unsigned");

    let cosign = |id: &str| {
        let (code, _, err) = run(&[
            "archive",
            "cosign",
            file.to_str().unwrap(),
            "--keystore",
            officers.to_str().unwrap(),
            "--key-id",
            id,
        ]);
        assert_eq!(code, 0, "{err}");
    };
    cosign("officer-1");
    assert_eq!(verify_json(&file, &ring_file, &[]).0, 0);
    let (code, report) = verify_json(&file, &ring_file, &["--threshold", "2"]);
    assert_eq!((code, pairs(&report)), (1, threshold_not_met.clone()), "under-signed");
    assert_eq!(report["archive"]["manifest"]["valid"], 1);
    cosign("officer-1"); // the same key twice still counts once
    assert_eq!(verify_json(&file, &ring_file, &["--threshold", "2"]).0, 1);
    cosign("officer-3");
    let (code, report) = verify_json(&file, &ring_file, &["--threshold", "2"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["archive"]["manifest"]["valid"], 2);
    assert_eq!(report["archive"]["manifest"]["duplicate"], 1);
    let (code, _) = verify_json(&file, &ring_file, &["--threshold", "3"]);
    assert_eq!(code, 1);
    // Cosigning a tampered archive is refused.
    let mut value: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    value["origin"] = "elsewhere".into();
    std::fs::write(&file, serde_json::to_vec(&value).unwrap()).unwrap();
    let (code, _, err) = run(&[
        "archive",
        "cosign",
        file.to_str().unwrap(),
        "--keystore",
        officers.to_str().unwrap(),
        "--key-id",
        "officer-2",
    ]);
    assert_input_error(code, &err);
    assert!(err.contains("refusing to cosign"), "{err}");
}

#[test]
fn slices_with_anchor() {
    let v = Vectors::load();
    let dir = tempfile::tempdir().unwrap();
    let ring = v.write_ring(dir.path());
    let (_, events, _) = &v.raw_events()[0];
    let before: Value = serde_json::from_slice(&events[24]).unwrap();
    let anchor = before["hash"].as_str().unwrap();
    let file = dir.path().join("slice.json");
    std::fs::write(&file, array(&events[25..])).unwrap();
    let (code, report) = verify_json(&file, &ring, &[]);
    assert_eq!((code, pairs(&report)), (1, [(Some(0), "CHAIN_BROKEN".to_string())].into()));
    let (code, report) = verify_json(&file, &ring, &["--anchor", anchor]);
    assert_eq!(code, 0, "{report}");
    // A signed slice: range.anchor must match --anchor.
    let hmac = v.key("audit-hmac-1");
    let a = signcore::digest::parse_hash(anchor).unwrap();
    std::fs::write(&file, common::archive(&events[25..], 25, Some(a), &[("audit-hmac-1", &hmac)])).unwrap();
    assert_eq!(verify_json(&file, &ring, &[]).0, 0);
    assert_eq!(verify_json(&file, &ring, &["--anchor", &anchor.to_uppercase()]).0, 0);
    let other = "00".repeat(32);
    let (code, report) = verify_json(&file, &ring, &["--anchor", &other]);
    assert_eq!((code, pairs(&report)), (1, [(None, "RANGE_MISMATCH".to_string())].into()));
}

#[test]
fn input_and_usage_errors_exit_2() {
    let v = Vectors::load();
    let dir = tempfile::tempdir().unwrap();
    let ring = v.write_ring(dir.path());
    let r = ring.to_str().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["verify".into(), write("a.json", b"[]")], "ring"),
        (vec!["verify".into(), "/nonexistent/file.json".into(), "--ring".into(), r.into()], "cannot open"),
        (vec!["verify".into(), write("b.json", b"[]"), "--ring".into(), "/nonexistent/ring.json".into()], "ring"),
        (vec!["verify".into(), write("c.json", b"[]"), "--ring".into(), write("badring.json", b"{")], "ring"),
        (vec!["verify".into(), write("d.json", b"\"text\""), "--ring".into(), r.into()], "not an archive"),
        (vec!["verify".into(), write("e.json", b""), "--ring".into(), r.into()], "empty"),
        (vec!["verify".into(), write("f.json", b"[{}] x"), "--ring".into(), r.into()], "trailing"),
        (
            vec![
                "verify".into(),
                write("g.json", br#"{"format":"other/2","range":{},"events":[]}"#),
                "--ring".into(),
                r.into(),
            ],
            "signcore-archive/1",
        ),
        (
            vec![
                "verify".into(),
                write("h.json", br#"{"format":"signcore-archive/1","range":{},"events":[],"x":1}"#),
                "--ring".into(),
                r.into(),
            ],
            "unknown member",
        ),
        (
            vec!["verify".into(), write("i.json", b"[]"), "--ring".into(), r.into(), "--threshold".into(), "0".into()],
            "threshold",
        ),
        (
            vec!["verify".into(), write("j.json", b"[]"), "--ring".into(), r.into(), "--anchor".into(), "zz".into()],
            "anchor",
        ),
        (vec!["verify".into(), write("k.json", &gzip(b"[")[..10]), "--ring".into(), r.into()], "input"),
        (vec!["frobnicate".into()], "unrecognized"),
        (vec!["verify".into(), "--bogus".into()], "unexpected argument"),
        (vec!["keys".into(), "list".into(), "--keystore".into(), "/nonexistent".into()], "cannot read"),
        (vec!["archive".into(), "--out".into(), "x.json".into()], "database-url"),
    ];
    for (args, needle) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        // clap's usage errors carry a usage block; ours are one line.
        if !needle.starts_with("unrecognized")
            && !needle.starts_with("unexpected")
            && *needle != "ring"
            && *needle != "threshold"
        {
            assert_input_error(code, &err);
        }
        assert!(err.to_lowercase().contains(needle), "{args:?}: {needle:?} not in {err}");
    }
    // --help on every subcommand, with examples where they help.
    for args in [
        vec!["--help"],
        vec!["verify", "--help"],
        vec!["archive", "--help"],
        vec!["archive", "cosign", "--help"],
        vec!["keys", "--help"],
        vec!["keys", "list", "--help"],
        vec!["keys", "ring", "--help"],
        vec!["keys", "generate", "--help"],
    ] {
        let (code, out, _) = run(&args);
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains("Usage:"), "{args:?}");
    }
    let (_, out, _) = run(&["verify", "--help"]);
    assert!(out.contains("Examples:") && out.contains("Exit codes"));
    // An event that is not an object is a finding, not an input error.
    let p = write("l.json", b"[1]");
    let (code, out, _) = run(&["verify", &p, "--ring", r, "--json"]);
    assert_eq!(code, 1);
    assert!(out.contains("MALFORMED"));
}

#[test]
fn keys_list_ring_generate() {
    let v = Vectors::load();
    let dir = tempfile::tempdir().unwrap();
    let ks = v.write_keystore(dir.path());
    let k = ks.to_str().unwrap();
    let secrets: Vec<String> = v.doc["signing_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["secret_hex"].as_str().unwrap().to_string())
        .collect();
    let (code, out, _) = run(&["keys", "list", "--keystore", k, "--json"]);
    assert_eq!(code, 0);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        list,
        v.doc["key_metadata"]
            .as_array()
            .unwrap()
            .iter()
            .zip(v.doc["signing_keys"].as_array().unwrap())
            .map(|(m, s)| {
                let mut m = m.clone();
                m["label"] = s["label"].clone();
                m
            })
            .collect::<Value>()
    );
    let (code, text, _) = run(&["keys", "list", "--keystore", k]);
    assert_eq!(code, 0);
    assert_eq!(text.lines().count(), 3);
    for s in &secrets {
        assert!(!out.contains(s) && !text.contains(s));
    }
    // Env default for the keystore path.
    let out = output(common::bin().args(["keys", "list", "--json"]).env("RITMA_KEYSTORE_PATH", k).output().unwrap());
    assert_eq!(out.0, 0);

    // The public ring: Ed25519 only, equal to the vectors' ring entries.
    let (code, out, _) = run(&["keys", "ring", "--keystore", k]);
    assert_eq!(code, 0);
    let ring: Vec<Value> = serde_json::from_str(&out).unwrap();
    let want: Vec<Value> =
        v.doc["ring"].as_array().unwrap().iter().filter(|e| e["alg"] == "ed25519").cloned().collect();
    assert_eq!(ring, want);
    for s in &secrets {
        assert!(!out.contains(s.as_str()));
    }
    let ring_file = dir.path().join("full-ring.json");
    let (code, _, _) =
        run(&["keys", "ring", "--keystore", k, "--include-secrets", "--out", ring_file.to_str().unwrap()]);
    assert_eq!(code, 0);
    let full: Vec<Value> = serde_json::from_slice(&std::fs::read(&ring_file).unwrap()).unwrap();
    assert_eq!(full.len(), 3);
    assert_eq!(full.iter().find(|e| e["alg"] == "hmac-sha256").unwrap()["secret_hex"], v.doc["ring"][0]["secret_hex"]);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&ring_file).unwrap().permissions().mode() & 0o777, 0o600);

    // Generate: mode 0600, valid keystore, duplicate ids refused, the RNG differs.
    let new = dir.path().join("new_keystore.json");
    let n = new.to_str().unwrap();
    assert_eq!(run(&["keys", "generate", "--keystore", n, "--key-id", "a", "--label", "first"]).0, 0);
    assert_eq!(run(&["keys", "generate", "--keystore", n, "--key-id", "b", "--alg", "hmac-sha256"]).0, 0);
    assert_eq!(std::fs::metadata(&new).unwrap().permissions().mode() & 0o777, 0o600);
    let (code, _, err) = run(&["keys", "generate", "--keystore", n, "--key-id", "a"]);
    assert_input_error(code, &err);
    assert!(err.contains("\"a\""), "{err}");
    let (code, _, err) = run(&["keys", "generate", "--keystore", n, "--key-id", "c", "--alg", "rot13"]);
    assert_input_error(code, &err);
    let store: Vec<Value> = serde_json::from_slice(&std::fs::read(&new).unwrap()).unwrap();
    assert_eq!(store.len(), 2);
    assert_ne!(store[0]["secret_hex"], store[1]["secret_hex"]);
    assert_eq!(store[0]["label"], "first");
    assert_eq!(store[1]["alg"], "hmac-sha256");
    let (code, out, _) = run(&["keys", "list", "--keystore", n]);
    assert_eq!(code, 0);
    assert!(out.contains("a\ted25519") && out.contains("b\thmac-sha256"), "{out}");
}
