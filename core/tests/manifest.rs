//! N-of-M manifests: threshold from the verifier, distinct trusted keys.

use signcore::digest::content_digest;
use signcore::hex::HashHex;
use signcore::key::SigningKey;
use signcore::keystore::KeyRing;
use signcore::manifest::{SignerStatus, signature_block, verify_manifest};

#[test]
fn counts_distinct_trusted_valid_signers() {
    let a = SigningKey::ed25519_from_seed(&[1; 32]);
    let b = SigningKey::hmac(b"b-secret").unwrap();
    let c = SigningKey::ed25519_from_seed(&[3; 32]);
    let outsider = SigningKey::ed25519_from_seed(&[9; 32]);
    let mut ring = KeyRing::new();
    for (kid, key) in [("a", &a), ("b", &b), ("c", &c)] {
        ring.insert(kid, key.verifying_key()).unwrap();
    }
    let digest = content_digest(br#"{"artifact":"sha256:00","version":"1.2.3"}"#).unwrap();
    let other = content_digest(b"{}").unwrap();
    let blocks = [
        signature_block("a", &a, &digest).to_string(),
        signature_block("a", &a, &digest).to_string(),        // duplicate
        signature_block("b", &b, &other).to_string(),         // invalid
        signature_block("z", &outsider, &digest).to_string(), // unknown
        signature_block("c", &b, &digest).to_string(),        // c is ed25519 in the ring
        r#"{"kid":"c","alg":"ed25519","signature":"zz"}"#.to_string(),
    ];
    let manifest = format!(r#"{{"digest":"{}","signatures":[{}]}}"#, HashHex::new(&digest), blocks.join(","));
    let mut statuses = Vec::new();
    let report = verify_manifest(manifest.as_bytes(), &ring, 2, |c| statuses.push(c.status)).unwrap();
    use SignerStatus::*;
    assert_eq!(statuses, vec![Valid, Duplicate, Invalid, Unknown, Unknown, Malformed]);
    assert_eq!((report.valid, report.invalid, report.unknown, report.duplicate, report.malformed), (1, 1, 2, 1, 1));
    assert!(!report.is_met());
    let report = verify_manifest(manifest.as_bytes(), &ring, 1, |_| {}).unwrap();
    assert!(report.is_met());
    assert_eq!(verify_manifest(manifest.as_bytes(), &ring, 0, |_| {}).unwrap_err().code(), "INVALID_THRESHOLD");
    assert!(verify_manifest(b"[]", &ring, 1, |_| {}).is_err());
}

/// Issue 8, item 3: one key listed in the ring under two kids is one signer.
#[test]
fn one_key_under_two_kids_counts_once() {
    for key in [SigningKey::ed25519_from_seed(&[5; 32]), SigningKey::hmac(b"shared-secret").unwrap()] {
        let mut ring = KeyRing::new();
        ring.insert("alice", key.verifying_key()).unwrap();
        ring.insert("alice-again", key.verifying_key()).unwrap();
        assert_eq!(ring.key_hash(0), ring.key_hash(1));
        let digest = content_digest(br#"{"release":"2.0"}"#).unwrap();
        let blocks = [signature_block("alice", &key, &digest), signature_block("alice-again", &key, &digest)];
        let manifest =
            format!(r#"{{"digest":"{}","signatures":[{},{}]}}"#, HashHex::new(&digest), blocks[0], blocks[1]);
        let mut statuses = Vec::new();
        let report = verify_manifest(manifest.as_bytes(), &ring, 2, |c| statuses.push(c.status)).unwrap();
        assert_eq!(statuses, vec![SignerStatus::Valid, SignerStatus::Duplicate], "{:?}", key.alg());
        assert_eq!((report.valid, report.duplicate), (1, 1));
        assert!(!report.is_met(), "one key met a threshold of 2 ({:?})", key.alg());
    }
}
