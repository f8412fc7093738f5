//! Chain and manifest verification over arbitrary JSON: no panic, findings in
//! index order, summary consistent with the findings reported.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use signcore::chain::{ChainVerifier, verify_chain};
use signcore::keystore::KeyRing;
use signcore::manifest::verify_manifest;

const RING: &[u8] = br#"[
 {"kid":"audit-hmac-1","alg":"hmac-sha256","secret_hex":"0050f702daf9e11cf99ab73c90e5a643c860c5f8f07e396cd43b4b9e86b3d14f"},
 {"kid":"audit-ed25519-1","alg":"ed25519","public_key":"6e9860b9fd33cd52fe2ac51f912f4f7549d061d3de9ea52df10480252ec23558"},
 {"kid":"audit-ed25519-2","alg":"ed25519","public_key":"4138a91a55e93726542792465e51817bfc3b33ef59389d8af99d5e35fed0e733"}
]"#;

fuzz_target!(|data: &[u8]| {
    static RING_ONCE: OnceLock<KeyRing> = OnceLock::new();
    let ring = RING_ONCE.get_or_init(|| KeyRing::from_json(RING).unwrap());
    let mut last = 0;
    let mut count = 0;
    if let Ok(summary) = verify_chain(data, ring, None, |f| {
        assert!(f.index >= last);
        last = f.index;
        count += 1;
    }) {
        assert_eq!(summary.findings, count);
    }
    let mut single = ChainVerifier::new(ring, None);
    single.check_event(data, |f| assert_eq!(f.index, 0));
    assert_eq!(single.summary().checked, 1);
    let _ = verify_manifest(data, ring, 2, |_| {});
});
