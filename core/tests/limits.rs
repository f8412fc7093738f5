//! Issue 8, item 2: whatever the core canonicalizes and signs, its chain
//! verifier verifies; a per-event problem (depth, bad member) is a MALFORMED
//! finding at that event, and the other events are still verified.

use signcore::canonical::{MAX_DEPTH, canonicalize_to_string};
use signcore::chain::{Finding, FindingCode, verify_chain, verify_chain_parallel};
use signcore::digest::audit_digest;
use signcore::hex::HashHex;
use signcore::key::SigningKey;
use signcore::keystore::KeyRing;

fn nested(depth: usize) -> String {
    format!("{}{{\"leaf\":1}}{}", "[".repeat(depth - 1), "]".repeat(depth - 1))
}

struct Chain {
    events: Vec<String>,
    prev: Option<[u8; 32]>,
    key: SigningKey,
}

impl Chain {
    fn push(&mut self, payload: &str) {
        // A payload the canonicalizer refuses cannot have been signed: store
        // a made-up hash, as a corrupt or hostile row would.
        let hash = audit_digest(payload.as_bytes(), self.prev.as_ref()).unwrap_or([0x5a; 32]);
        let prev = self.prev.map_or("null".to_string(), |p| format!("\"{}\"", HashHex::new(&p)));
        self.events.push(format!(
            r#"{{"id":{},"payload":{payload},"hash":"{}","prev_hash":{prev},"kid":"k","alg":"hmac-sha256","signature":"{}"}}"#,
            self.events.len(),
            HashHex::new(&hash),
            self.key.sign(&hash).hex()
        ));
        self.prev = Some(hash);
    }

    fn json(&self) -> String {
        format!("[{}]", self.events.join(","))
    }
}

fn findings(json: &str, ring: &KeyRing) -> Vec<(u64, FindingCode)> {
    let mut seq = Vec::new();
    let summary = verify_chain(json.as_bytes(), ring, None, |f: Finding| seq.push((f.index, f.code))).unwrap();
    let mut par = Vec::new();
    let psummary = verify_chain_parallel(json.as_bytes(), ring, None, 3, |f| par.push((f.index, f.code))).unwrap();
    assert_eq!(seq, par);
    assert_eq!((summary.checked, summary.head), (psummary.checked, psummary.head));
    seq
}

#[test]
fn payloads_at_the_depth_limit_verify_per_event() {
    assert_eq!(MAX_DEPTH, 64);
    let key = SigningKey::hmac(b"depth-key").unwrap();
    let mut ring = KeyRing::new();
    ring.insert("k", key.verifying_key()).unwrap();
    // The canonicalizer accepts exactly up to MAX_DEPTH levels.
    for depth in [62, 63, 64] {
        canonicalize_to_string(nested(depth).as_bytes()).unwrap();
    }
    assert_eq!(canonicalize_to_string(nested(65).as_bytes()).unwrap_err().code(), "LIMIT_EXCEEDED");

    let mut chain = Chain { events: Vec::new(), prev: None, key };
    for depth in [62, 63, 65, 64, 1] {
        chain.push(&nested(depth));
    }
    assert_eq!(findings(&chain.json(), &ring), vec![(2, FindingCode::Malformed)]);
    // A 100,000-deep payload is one MALFORMED event, not an error or a crash.
    let mut chain = Chain { events: Vec::new(), prev: None, key: SigningKey::hmac(b"depth-key").unwrap() };
    chain.push(&nested(3));
    chain.push(&format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)));
    chain.push(&nested(2));
    let found = findings(&chain.json(), &ring);
    assert_eq!(found[0], (1, FindingCode::Malformed), "{found:?}");
}

#[test]
fn deep_members_besides_the_payload_are_malformed_events() {
    let key = SigningKey::hmac(b"depth-key").unwrap();
    let mut ring = KeyRing::new();
    ring.insert("k", key.verifying_key()).unwrap();
    let mut chain = Chain { events: Vec::new(), prev: None, key };
    chain.push(r#"{"a":1}"#);
    chain.push(r#"{"a":2}"#);
    // An ignored member nested past the limit, and one that is not JSON.
    chain.events[0] = chain.events[0].replacen("{\"id\"", &format!("{{\"meta\":{},\"id\"", nested(70)), 1);
    assert_eq!(findings(&chain.json(), &ring), vec![(0, FindingCode::Malformed)]);
}

#[test]
fn summary_head_chains_slices() {
    let key = SigningKey::hmac(b"slice-key").unwrap();
    let mut ring = KeyRing::new();
    ring.insert("k", key.verifying_key()).unwrap();
    let mut chain = Chain { events: Vec::new(), prev: None, key };
    for i in 0..6 {
        chain.push(&format!(r#"{{"seq":{i}}}"#));
    }
    let first = format!("[{}]", chain.events[..3].join(","));
    let second = format!("[{}]", chain.events[3..].join(","));
    let head = verify_chain(first.as_bytes(), &ring, None, |f| panic!("{f}")).unwrap().head;
    assert!(head.is_some());
    let summary = verify_chain(second.as_bytes(), &ring, head, |f| panic!("{f}")).unwrap();
    assert_eq!((summary.checked, summary.head), (3, chain.prev));
    let empty = verify_chain(b"[]", &ring, None, |f| panic!("{f}")).unwrap();
    assert_eq!((empty.checked, empty.head), (0, None));
}
