//! End-to-end demo: load a node keystore, canonicalize and chain audit
//! events, sign them, export the public ring a verifier gets, verify the
//! chain with it, then tamper with events and show the reports.
//! Run: `cargo run -p signcore --features std --example audit_demo [KEYSTORE]`
//! (without an argument it uses the published demo keystore next to it).

use std::fmt::Write as _;

use signcore::chain::verify_chain;
use signcore::digest::{Hash, audit_digest};
use signcore::hex::HashHex;
use signcore::keystore::{HmacSecrets, KeyRing, for_each_metadata, load_key, write_public_ring};

/// Published demo keys only: never use them for real signing.
const DEMO_KEYSTORE: &[u8] = include_bytes!("demo_keystore.json");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (path, keystore) = match std::env::args().nth(1) {
        Some(path) => {
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read keystore {path}: {e}"))?;
            (path, zeroize::Zeroizing::new(bytes))
        }
        None => ("the built-in demo keystore".into(), zeroize::Zeroizing::new(DEMO_KEYSTORE.to_vec())),
    };
    println!("1. keystore: {path}");
    for_each_metadata(&keystore, |m| {
        let label = m.label.as_deref().unwrap_or("");
        println!("   {:<16} {:<12} key_hash {}  {label}", m.key_id, m.alg.as_str(), HashHex::new(&m.key_hash));
    })?;
    let signer = load_key(&keystore, "demo-ed25519-1")?;

    let payloads = [
        r#"{"action": "login",  "actor": "alice", "ip": "10.0.0.7"}"#,
        r#"{"actor": "alice", "action": "export", "rows": 1200, "ratio": 0.1e1}"#,
        r#"{"action": "grant", "actor": "bob", "role": "auditor", "note": "line\nbreak"}"#,
        r#"{"action": "logout", "actor": "alice"}"#,
    ];
    println!(
        "2. chaining {} events: hash = SHA256(canonical(payload) || prev_hash), signed by {}",
        payloads.len(),
        signer.key_id()
    );
    let mut events = Vec::new();
    let mut prev: Option<Hash> = None;
    for (i, payload) in payloads.iter().enumerate() {
        let canonical = signcore::canonical::canonicalize_to_string(payload.as_bytes())?;
        let hash = audit_digest(payload.as_bytes(), prev.as_ref())?;
        let signature = signer.key().sign(&hash);
        let prev_json = prev.map_or("null".into(), |p| format!("\"{}\"", HashHex::new(&p)));
        println!("   #{i} {canonical}\n      hash {}", HashHex::new(&hash));
        events.push(format!(
            r#"{{"id":"evt-{i}","payload":{payload},"hash":"{}","prev_hash":{prev_json},"kid":"{}","alg":"{}","signature":"{}"}}"#,
            HashHex::new(&hash),
            signer.key_id(),
            signer.key().alg(),
            signature.hex()
        ));
        prev = Some(hash);
    }

    // Verifiers get the public ring, never the keystore.
    let mut public_ring = Vec::new();
    let export = write_public_ring(&keystore, HmacSecrets::Omit, &mut public_ring)?;
    println!(
        "3. public ring for verifiers ({} key(s); {} HMAC key(s) left out: their ring entry would be the secret)\n   {}",
        export.written,
        export.omitted_hmac,
        String::from_utf8_lossy(&public_ring)
    );
    let ring = KeyRing::from_json(&public_ring)?;
    let archive = format!("[{}]", events.join(","));
    println!("4. verifying the archive with the public ring");
    report(&archive, &ring)?;

    println!("5. tampering: event 1 now says rows=12");
    report(&archive.replacen(r#""rows": 1200"#, r#""rows": 12"#, 1), &ring)?;

    println!("6. tampering: event 2 deleted");
    let without_2: Vec<_> = events.iter().enumerate().filter(|(i, _)| *i != 2).map(|(_, e)| e.as_str()).collect();
    report(&format!("[{}]", without_2.join(",")), &ring)?;
    Ok(())
}

fn report(archive: &str, ring: &KeyRing) -> Result<(), signcore::Error> {
    let mut lines = String::new();
    let summary = verify_chain(archive.as_bytes(), ring, None, |f| {
        let _ = writeln!(lines, "      [{}, {}] {}", f.index, f.code, f.detail);
    })?;
    let verdict = if summary.is_ok() { "OK" } else { "TAMPERED" };
    println!("   {verdict}: {} events checked, {} findings", summary.checked, summary.findings);
    print!("{lines}");
    Ok(())
}
