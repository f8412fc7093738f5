//! Zero allocations, measured: a counting global allocator around sign,
//! verify, canonicalize, digest, keystore parse, chain and manifest
//! verification. A control allocation proves the counter works.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use signcore::canonical::{NullSink, canonicalize, canonicalize_to_slice};
use signcore::chain::verify_chain;
use signcore::digest::audit_digest;
use signcore::key::SigningKey;
use signcore::keystore::{KeyRing, Keystore, load_key};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    f();
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

const KEYSTORE: &[u8] = br#"[
  {"key_id": "node-ed", "alg": "ed25519", "secret_hex": "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "label": "primary"},
  {"key_id": "node-\u0068mac", "alg": "hmac_sha256", "secret_hex": "aa55aa55aa55aa55aa55aa55aa55aa55", "extra": {"x": [1]}}
]"#;

#[test]
fn core_operations_do_not_allocate() {
    // Inputs are built before counting starts.
    let payload = br#"{"b": [1, 2.5e3, "\u00e9"], "a": {"z": null, "y": true}}"#;
    let hmac = SigningKey::hmac(b"test-ci-signing-key").unwrap();
    let ed = SigningKey::ed25519_from_seed(&[7; 32]);
    let mut events = String::from("[");
    let mut prev: Option<[u8; 32]> = None;
    for i in 0..4 {
        let key = if i % 2 == 0 { &hmac } else { &ed };
        let body = format!(r#"{{"seq":{i},"actor":"svc"}}"#);
        let hash = audit_digest(body.as_bytes(), prev.as_ref()).unwrap();
        let prev_text = prev.map_or("null".to_string(), |p| format!("\"{}\"", signcore::hex::HashHex::new(&p)));
        let kid = if i % 2 == 0 { "h" } else { "e" };
        events += &format!(
            r#"{}{{"payload":{body},"hash":"{}","prev_hash":{prev_text},"kid":"{kid}","alg":"{}","signature":"{}"}}"#,
            if i > 0 { "," } else { "" },
            signcore::hex::HashHex::new(&hash),
            key.alg(),
            key.sign(&hash).hex()
        );
        prev = Some(hash);
    }
    events += "]";
    let ring_json = format!(
        r#"[{{"kid":"h","alg":"hmac-sha256","secret_hex":"{}"}},{{"kid":"e","alg":"ed25519","public_key":"{}"}}]"#,
        "746573742d63692d7369676e696e672d6b6579",
        signcore::hex::HashHex::new(&ed.public_key().unwrap())
    );

    let control = allocations_in(|| drop(std::hint::black_box(vec![1u8; 8])));
    assert_eq!(control, 1, "the counter sees allocations");

    let mut out = [0u8; 256];
    let mut findings = 0;
    // Keys and rings are parsed up front when the build has an allocator:
    // there they keep a sorted id index on the heap (unbounded rings).
    #[cfg(feature = "alloc")]
    let ring = KeyRing::from_json(ring_json.as_bytes()).unwrap();
    let n = allocations_in(|| {
        canonicalize_to_slice(payload, &mut out).unwrap();
        canonicalize(payload, &mut NullSink).unwrap();
        let digest = audit_digest(payload, None).unwrap();
        let sig = hmac.sign(&digest);
        hmac.verify(&digest, sig.as_bytes()).unwrap();
        let sig = ed.sign(&digest);
        ed.verifying_key().verify(&digest, sig.as_bytes()).unwrap();
        let _ = std::hint::black_box(hmac.key_hash());
        #[cfg(not(feature = "alloc"))]
        let ring = {
            let store = Keystore::from_json(KEYSTORE).unwrap();
            assert_eq!(store.records().len(), 2);
            load_key(KEYSTORE, "node-hmac").unwrap();
            KeyRing::from_json(ring_json.as_bytes()).unwrap()
        };
        let summary = verify_chain(events.as_bytes(), &ring, None, |_| findings += 1).unwrap();
        assert_eq!(summary.checked, 4);
    });
    assert_eq!(findings, 0);
    assert_eq!(n, 0, "allocations during core operations");
    if cfg!(feature = "alloc") {
        let parse = allocations_in(|| {
            assert_eq!(Keystore::from_json(KEYSTORE).unwrap().records().len(), 2);
            load_key(KEYSTORE, "node-hmac").unwrap();
        });
        println!(
            "allocations: 0 across canonicalize, digest, sign, verify, chain verification (alloc build; keystore parse: {parse}, the id index)"
        );
    } else {
        println!(
            "allocations: 0 across canonicalize, digest, sign, verify, keystore parse, ring, chain verification (no-alloc build)"
        );
    }
}
