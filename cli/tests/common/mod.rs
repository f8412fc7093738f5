//! Helpers for the CLI tests: the built binary, the shared vectors, fixtures.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_signcore"));
    for var in ["DATABASE_URL", "RITMA_KEYSTORE_PATH", "RITMA_KEY_ID", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"] {
        c.env_remove(var);
    }
    c
}

/// Runs the binary; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    output(bin().args(args).output().unwrap())
}

pub fn run_stdin(args: &[&str], input: &[u8]) -> (i32, String, String) {
    let mut child =
        bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output(out)
}

pub fn output(out: Output) -> (i32, String, String) {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "panic: {stderr}");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).to_string(), stderr)
}

/// Exit code 2 with exactly one line on stderr.
pub fn assert_input_error(code: i32, stderr: &str) {
    assert_eq!(code, 2, "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
}

pub fn vectors_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("SIGNCORE_VECTORS") {
        return PathBuf::from(dir);
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors");
    assert!(dir.is_dir(), "test vectors not found at {} (set SIGNCORE_VECTORS)", dir.display());
    dir
}

pub struct Vectors {
    pub doc: Value,
    pub raw: Vec<u8>,
}

impl Vectors {
    pub fn load() -> Self {
        let raw = std::fs::read(vectors_dir().join("generated/audit_chains.json")).unwrap();
        Vectors { doc: serde_json::from_slice(&raw).unwrap(), raw }
    }
    pub fn scenarios(&self) -> &Vec<Value> {
        self.doc["scenarios"].as_array().unwrap()
    }
    /// Each scenario's events as their original texts.
    pub fn raw_events(&self) -> Vec<(String, Vec<Vec<u8>>, Vec<(u64, String)>)> {
        #[derive(serde::Deserialize)]
        struct Doc<'a> {
            #[serde(borrow)]
            scenarios: Vec<Sc<'a>>,
        }
        #[derive(serde::Deserialize)]
        struct Sc<'a> {
            name: String,
            #[serde(borrow)]
            events: Vec<&'a serde_json::value::RawValue>,
            expected: Vec<(u64, String)>,
        }
        let doc: Doc = serde_json::from_slice(&self.raw).unwrap();
        doc.scenarios
            .into_iter()
            .map(|s| (s.name, s.events.iter().map(|e| e.get().as_bytes().to_vec()).collect(), s.expected))
            .collect()
    }
    pub fn write_ring(&self, dir: &Path) -> PathBuf {
        let p = dir.join("ring.json");
        std::fs::write(&p, serde_json::to_vec(&self.doc["ring"]).unwrap()).unwrap();
        p
    }
    pub fn write_keystore(&self, dir: &Path) -> PathBuf {
        let p = dir.join("signing_keys.json");
        std::fs::write(&p, serde_json::to_vec(&self.doc["signing_keys"]).unwrap()).unwrap();
        p
    }
    pub fn key(&self, id: &str) -> signcore::key::SigningKey {
        let ks = serde_json::to_vec(&self.doc["signing_keys"]).unwrap();
        signcore::keystore::load_key(&ks, id).unwrap().into_key()
    }
}

pub fn array(events: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"[\n".to_vec();
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(e);
    }
    out.extend_from_slice(b"\n]\n");
    out
}

pub fn ndjson(events: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in events {
        let v: Value = serde_json::from_slice(e).unwrap();
        out.extend_from_slice(serde_json::to_string(&v).unwrap().as_bytes());
        out.push(b'\n');
    }
    out
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

pub fn archive(
    events: &[Vec<u8>],
    first: u64,
    anchor: Option<[u8; 32]>,
    signers: &[(&str, &signcore::key::SigningKey)],
) -> Vec<u8> {
    signcore::archive::build_archive(events.iter().map(Vec::as_slice), "memory-layer/audit", first, anchor, signers)
        .unwrap()
}

/// The (index, code) pairs of a --json report.
pub fn pairs(report: &Value) -> std::collections::BTreeSet<(Option<u64>, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["index"].as_u64(), e["code"].as_str().unwrap().to_string()))
        .collect()
}

pub fn report_count(set: &str, n: usize) {
    println!("vectors: {set}: {n} passed");
}
