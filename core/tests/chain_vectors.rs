//! `generated/audit_chains.json`: 15 scenarios, exact (index, code) sets.
//! Events are passed as their original bytes (serde_json `RawValue`).
mod common;

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::value::RawValue;
use signcore::chain::verify_chain;
use signcore::keystore::KeyRing;

#[derive(Deserialize)]
struct Chains<'a> {
    #[serde(borrow)]
    ring: &'a RawValue,
    #[serde(borrow)]
    signing_keys: &'a RawValue,
    #[serde(borrow)]
    scenarios: Vec<Scenario<'a>>,
}

#[derive(Deserialize)]
struct Scenario<'a> {
    name: String,
    #[serde(borrow)]
    events: &'a RawValue,
    expected: Vec<(u64, String)>,
}

#[test]
fn audit_chain_scenarios() {
    let bytes = common::read("generated/audit_chains.json");
    let doc: Chains = serde_json::from_slice(&bytes).unwrap();
    let ring: KeyRing = KeyRing::from_json(doc.ring.get().as_bytes()).unwrap();
    let keystore_ring: KeyRing = KeyRing::from_json(doc.signing_keys.get().as_bytes()).unwrap();
    assert_eq!(doc.scenarios.len(), 15);
    for scenario in &doc.scenarios {
        let expected: BTreeSet<(u64, String)> = scenario.expected.iter().cloned().collect();
        let events = scenario.events.get().as_bytes();
        let count = serde_json::from_slice::<Vec<&RawValue>>(events).unwrap().len();
        for ring in [&ring, &keystore_ring] {
            let mut found = BTreeSet::new();
            let mut last_index = 0;
            let summary = verify_chain(events, ring, None, |f| {
                assert!(f.index >= last_index, "findings in index order");
                last_index = f.index;
                found.insert((f.index, f.code.as_str().to_string()));
            })
            .unwrap();
            assert_eq!(found, expected, "scenario {}", scenario.name);
            assert_eq!(summary.checked as usize, count);
            assert_eq!(summary.is_ok(), expected.is_empty());
        }
    }
    common::report("generated/audit_chains.json scenarios (ring and keystore-as-ring)", doc.scenarios.len());
}

/// The parallel verifier reports exactly what the sequential one does, for
/// every split of every scenario (runs that start after a tampered event).
#[cfg(feature = "std")]
#[test]
fn parallel_verification_matches_sequential() {
    let bytes = common::read("generated/audit_chains.json");
    let doc: Chains = serde_json::from_slice(&bytes).unwrap();
    let ring: KeyRing = KeyRing::from_json(doc.ring.get().as_bytes()).unwrap();
    let mut compared = 0;
    for scenario in &doc.scenarios {
        let events = scenario.events.get().as_bytes();
        let mut sequential = Vec::new();
        let expected = verify_chain(events, &ring, None, |f| sequential.push(f)).unwrap();
        for threads in [1, 2, 3, 4, 7, 16, 49, 50, 64] {
            let mut parallel = Vec::new();
            let summary =
                signcore::chain::verify_chain_parallel(events, &ring, None, threads, |f| parallel.push(f)).unwrap();
            assert_eq!(parallel, sequential, "{} with {threads} threads", scenario.name);
            assert_eq!(summary, expected);
            compared += 1;
        }
    }
    common::report("parallel == sequential (scenario x thread count)", compared);
}

/// An event that is not valid JSON is a MALFORMED finding for that event;
/// the rest of the archive is still verified (sequentially and in parallel).
#[test]
fn unreadable_event_is_a_finding_not_an_abort() {
    let bytes = common::read("generated/audit_chains.json");
    let doc: Chains = serde_json::from_slice(&bytes).unwrap();
    let ring: KeyRing = KeyRing::from_json(doc.ring.get().as_bytes()).unwrap();
    let valid = doc.scenarios.iter().find(|s| s.name == "valid-hmac").unwrap().events.get();
    for (needle, corrupt) in [
        (r#""id":"evt-10""#, r#""id":"evt-10\ud800""#),
        (r#""id":"evt-10""#, r#""id":tru"#),
        (r#""id":"evt-10""#, r#""id":"a","id2":[1,]"#),
    ] {
        assert!(valid.contains(needle), "vector layout changed");
        let events = valid.replacen(needle, corrupt, 1);
        let mut found = Vec::new();
        let summary = verify_chain(events.as_bytes(), &ring, None, |f| found.push((f.index, f.code.as_str()))).unwrap();
        assert_eq!(found, vec![(10, "MALFORMED")], "{corrupt}");
        assert_eq!(summary.checked, 50);
        #[cfg(feature = "std")]
        for threads in [2, 3, 11] {
            let mut parallel = Vec::new();
            signcore::chain::verify_chain_parallel(events.as_bytes(), &ring, None, threads, |f| {
                parallel.push((f.index, f.code.as_str()))
            })
            .unwrap();
            assert_eq!(parallel, found, "{corrupt} with {threads} threads");
        }
    }
    // The array itself must still be readable.
    assert!(verify_chain(b"[{\"a\":1}", &ring, None, |_| {}).is_err());
    assert!(verify_chain(b"{}", &ring, None, |_| {}).is_err());
}
