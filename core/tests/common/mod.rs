//! Shared helpers for the integration tests: where the outside vectors are.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/vectors` beside the checkout, or `$SIGNCORE_VECTORS`.
pub fn vectors_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("SIGNCORE_VECTORS") {
        return PathBuf::from(dir);
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors");
    assert!(dir.is_dir(), "test vectors not found at {} (set SIGNCORE_VECTORS)", dir.display());
    dir
}

pub fn read(rel: &str) -> Vec<u8> {
    let path = vectors_dir().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn json(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&read(rel)).unwrap()
}

pub fn unhex(s: &str) -> Vec<u8> {
    let mut out = vec![0u8; s.len() / 2];
    signcore::hex::decode(s, &mut out).unwrap().to_vec()
}

/// Prints a count line that the test output shows with `--nocapture`.
pub fn report(set: &str, passed: usize) {
    println!("vectors: {set}: {passed} passed");
}
