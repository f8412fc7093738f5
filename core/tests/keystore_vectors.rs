//! `generated/keystores.json`: the valid keystore's metadata (key hashes),
//! every broken keystore refused with no secret in the message, and texts
//! that are not keystores refused.
mod common;

use signcore::keystore::{KeyRing, Keystore, for_each_metadata, load_key};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn valid_keystore_metadata() {
    let doc = common::json("generated/keystores.json");
    let json = serde_json::to_vec(&doc["valid"]["keystore"]).unwrap();
    let expected = doc["valid"]["expected"].as_array().unwrap();
    let store: Keystore = Keystore::from_json(&json).unwrap();
    assert_eq!(store.records().len(), expected.len());
    let mut streamed = Vec::new();
    for_each_metadata(&json, |m| streamed.push(m)).unwrap();
    for (i, want) in expected.iter().enumerate() {
        let meta = store.records()[i].metadata();
        assert_eq!(meta.key_id.as_str(), want["key_id"].as_str().unwrap());
        assert_eq!(meta.alg.as_str(), want["alg"].as_str().unwrap());
        assert_eq!(hex(&meta.key_hash), want["key_hash"].as_str().unwrap(), "key {i}");
        assert_eq!(meta.label.as_deref(), want["label"].as_str());
        assert_eq!(streamed[i], meta);
        let one = load_key(&json, &meta.key_id).unwrap();
        assert_eq!(one.key().key_hash(), meta.key_hash);
    }
    let missing = load_key(&json, "absent").unwrap_err();
    assert!(matches!(missing, signcore::Error::KeyNotFound { .. }));
    assert_eq!(missing.to_string(), r#"no key with key_id "absent""#);
    // A keystore is also a ring.
    let ring: KeyRing = KeyRing::from_json(&json).unwrap();
    assert_eq!(ring.len(), expected.len());
    common::report("generated/keystores.json valid keys", expected.len());
}

#[test]
fn broken_keystores_are_refused_without_secrets() {
    let doc = common::json("generated/keystores.json");
    let broken = doc["broken"].as_array().unwrap();
    for case in broken {
        let name = case["name"].as_str().unwrap();
        let json = serde_json::to_vec(&case["keystore"]).unwrap();
        let err = Keystore::from_json(&json).expect_err(name);
        let streamed = load_key(&json, "a").expect_err(name);
        assert_eq!(err, streamed, "{name}: both entry points agree");
        let texts = [err.to_string(), format!("{err:?}")];
        for secret in case["secrets"].as_array().unwrap() {
            let secret = secret.as_str().unwrap();
            for text in &texts {
                assert!(!text.to_lowercase().contains(&secret.to_lowercase()), "{name}: secret in {text:?}");
                // Nor any 16-hex-char window of it.
                for window in secret.as_bytes().windows(16) {
                    assert!(!text.contains(std::str::from_utf8(window).unwrap()), "{name}: part of secret in {text}");
                }
            }
        }
        if name == "hmac-65-bytes" {
            assert!(texts[0].contains("longer than 64 bytes"), "{}", texts[0]);
        }
        if name != "not-array" {
            assert!(texts[0].contains("record 0") || texts[0].contains("record 1"), "{name}: {}", texts[0]);
        }
    }
    let raw = doc["raw"].as_array().unwrap();
    for case in raw {
        let text = case["text"].as_str().unwrap();
        assert!(Keystore::from_json(text.as_bytes()).is_err(), "{}", case["name"]);
    }
    common::report("generated/keystores.json broken + raw refused", broken.len() + raw.len());
}
