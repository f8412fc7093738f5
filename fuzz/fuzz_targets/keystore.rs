//! Keystore and ring parsing: no panic on any input; the streaming and the
//! whole-file entry points agree; errors never echo secret_hex text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signcore::keystore::{KeyRing, Keystore, load_key, validate};

fuzz_target!(|data: &[u8]| {
    let whole = Keystore::from_json(data);
    let streamed = validate(data);
    match (&whole, &streamed) {
        (Ok(store), Ok(n)) => {
            assert_eq!(store.records().len(), *n);
            for record in store.records() {
                let loaded = load_key(data, record.key_id()).expect("every record loads");
                assert_eq!(loaded.key().key_hash(), record.key().key_hash());
            }
        }
        (Err(e), _) if e.code() == "INVALID_KEYSTORE" && e.to_string().contains("capacity") => {}
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("entry points disagree: {a:?} vs {b:?}"),
    }
    if let Err(e) = &whole {
        // No secret_hex value may appear in the message (a key_id may: errors
        // name their record by it, so secrets equal to some id are skipped).
        let text = e.to_string();
        if let Ok(serde_json::Value::Array(records)) = serde_json::from_slice::<serde_json::Value>(data) {
            let field = |r: &serde_json::Value, k: &str| r.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let ids: Vec<String> = records.iter().flat_map(|r| [field(r, "key_id"), field(r, "kid")]).flatten().collect();
            for secret in records.iter().filter_map(|r| field(r, "secret_hex")) {
                if secret.len() >= 8 && !ids.iter().any(|id| id.contains(&secret)) {
                    assert!(!text.contains(&secret), "secret in message: {text}");
                }
            }
        }
    }
    let _ = KeyRing::from_json(data);
});
