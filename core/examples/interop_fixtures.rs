//! Writes what the Rust host API signs, for the C and Node tests to verify
//! at test time (issue 12 "a burn signed in Rust and verified from C and
//! Node"; issue 11 `signcore_verify_archive`):
//!
//! ```text
//! cargo run -q -p signcore --all-features --example interop_fixtures -- OUT_DIR
//! ```
//!
//! - `OUT_DIR/burns.json`: `{ keystore, public_ring, burns: [{ key_id, alg,
//!   burn_hash, signature }] }`, the burns signed by `NodeKeystore::sign_burn`
//!   with the test keystore below; one burn hash is new on every run (it
//!   carries the time), so no verifier can pass on a stale copy.
//! - `OUT_DIR/archive-ring.json`: the public ring of three Ed25519 archive keys.
//! - `OUT_DIR/archive-*.json`: §8 archives of a 4-event chain: `valid`
//!   (signed by one key), `truncated` (the last event removed, range and
//!   manifest kept), `unsigned` (no signature), `cosigned` (2 of the 3 keys),
//!   `checkpoint` (signed, carrying its signed checkpoint).
//!
//! Published test keys only: never use them for real signing.

use std::path::PathBuf;

use signcore::archive::{build_archive, build_archive_with_checkpoint, cosign};
use signcore::digest::{Hash, audit_digest};
use signcore::hex::HashHex;
use signcore::host::NodeKeystore;
use signcore::key::SigningKey;
use signcore::keystore::{HmacSecrets, write_public_ring};

/// The test keystore (RFC 8032 test 1 seed, a fixed HMAC secret).
const KEYSTORE: &str = r#"[
  {"key_id":"interop-ed25519","alg":"ed25519","secret_hex":"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60","label":"interop"},
  {"key_id":"interop-hmac","alg":"hmac-sha256","secret_hex":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}
]"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).ok_or("usage: interop_fixtures OUT_DIR")?);
    std::fs::create_dir_all(&out)?;

    // Burns, signed by the host API exactly as compliance_index does.
    let keystore = NodeKeystore::from_json("interop keystore", KEYSTORE.as_bytes())?;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos();
    let fresh = format!("burn-{nanos}");
    let hashes = ["b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c", fresh.as_str(), "brûlé ✓"];
    let mut burns = Vec::new();
    for key_id in ["interop-ed25519", "interop-hmac"] {
        let alg = keystore.metadata_for(key_id)?.alg;
        for hash in hashes {
            let signature = keystore.sign_burn(Some(key_id), hash)?;
            burns.push(serde_json::json!({
                "key_id": key_id, "alg": alg.as_str(), "burn_hash": hash, "signature": signature.as_str(),
            }));
        }
    }
    let mut public_ring = Vec::new();
    write_public_ring(KEYSTORE.as_bytes(), HmacSecrets::Omit, &mut public_ring)?;
    let fixture = serde_json::json!({
        "keystore": serde_json::from_str::<serde_json::Value>(KEYSTORE)?,
        "public_ring": serde_json::from_slice::<serde_json::Value>(&public_ring)?,
        "burns": burns,
    });
    std::fs::write(out.join("burns.json"), serde_json::to_string_pretty(&fixture)? + "\n")?;

    // Archives: three Ed25519 keys, a 4-event chain signed by the first.
    let keys: Vec<(String, SigningKey)> =
        (1..=3u8).map(|i| (format!("archive-key-{i}"), SigningKey::ed25519_from_seed(&[i; 32]))).collect();
    let ring: Vec<_> = keys
        .iter()
        .map(|(kid, key)| {
            let public = key.public_key().map(|p| HashHex::new(&p).as_str().to_owned());
            serde_json::json!({ "kid": kid, "alg": "ed25519", "public_key": public })
        })
        .collect();
    std::fs::write(out.join("archive-ring.json"), serde_json::to_string(&ring)?)?;
    let (kid, signer) = (&keys[0].0, &keys[0].1);
    let mut events = Vec::new();
    let mut prev: Option<Hash> = None;
    for (i, action) in ["login", "export", "grant", "logout"].iter().enumerate() {
        let payload = format!(r#"{{"action":"{action}","actor":"alice","seq":{i}}}"#);
        let hash = audit_digest(payload.as_bytes(), prev.as_ref())?;
        let prev_json = prev.map_or("null".into(), |p| format!("\"{}\"", HashHex::new(&p)));
        events.push(format!(
            r#"{{"payload":{payload},"hash":"{}","prev_hash":{prev_json},"kid":"{kid}","alg":"ed25519","signature":"{}"}}"#,
            HashHex::new(&hash),
            signer.sign(&hash).hex()
        ));
        prev = Some(hash);
    }
    let texts = events.iter().map(|e| e.as_bytes());
    let origin = "signcore-tests/c";
    let valid = build_archive(texts.clone(), origin, 0, None, &[(kid.as_str(), signer)])?;
    let unsigned = build_archive(texts, origin, 0, None, &[])?;
    let cosigned = cosign(&valid, &keys[1].0, &keys[1].1)?;
    let note_signer = signcore::note::NoteSigner::new(origin, signer)?;
    let texts = events.iter().map(|e| e.as_bytes());
    let checkpointed = build_archive_with_checkpoint(texts, origin, &[(kid.as_str(), signer)], &note_signer)?;
    let mut truncated: serde_json::Value = serde_json::from_slice(&valid)?;
    truncated["events"].as_array_mut().ok_or("events")?.pop();
    for (name, bytes) in [
        ("valid", valid),
        ("unsigned", unsigned),
        ("cosigned", cosigned),
        ("checkpoint", checkpointed),
        ("truncated", serde_json::to_vec(&truncated)?),
    ] {
        std::fs::write(out.join(format!("archive-{name}.json")), bytes)?;
    }
    println!(
        "interop fixtures: {} burns, 5 archives in {}",
        fixture["burns"].as_array().map_or(0, Vec::len),
        out.display()
    );
    Ok(())
}
