//! Profiling driver (not a benchmark): verifies a 20,000-event HMAC chain.
use signcore::digest::{Hash, audit_digest};
use signcore::hex::HashHex;
use signcore::key::SigningKey;
use signcore::keystore::KeyRing;

const PAYLOAD: &str = r#"{"actor":"svc-ingest","action":"update","seq":41,"amount":4439.83,"tags":["x","y"],"meta":{"ip":"10.0.0.41","note":"line\nbreak \"quoted\" \u2028","ratio":0.5625193425276974,"ua":"Mozilla/5.0 (X11; Linux x86_64)"},"createdAt":1700000000041,"target":{"kind":"document","id":"doc-7f3a"}}"#;

fn main() {
    let key = SigningKey::hmac(b"0050f702daf9e11cf99ab73c90e5a643").unwrap();
    let mut ring: KeyRing = KeyRing::new();
    ring.insert("h".try_into().unwrap(), key.verifying_key()).unwrap();
    let mut events = String::from("[");
    let mut prev: Option<Hash> = None;
    for i in 0..20_000 {
        let payload = PAYLOAD.replace("\"seq\":41", &format!("\"seq\":{i}"));
        let hash = audit_digest(payload.as_bytes(), prev.as_ref()).unwrap();
        let prev_json = prev.map_or("null".to_string(), |p| format!("\"{}\"", HashHex::new(&p)));
        if i > 0 {
            events.push(',');
        }
        events += &format!(
            r#"{{"id":"evt-{i}","payload":{payload},"hash":"{}","prev_hash":{prev_json},"kid":"h","alg":"hmac-sha256","signature":"{}"}}"#,
            HashHex::new(&hash),
            key.sign(&hash).hex()
        );
        prev = Some(hash);
    }
    events.push(']');
    let s = signcore::chain::verify_chain(events.as_bytes(), &ring, None, |f| panic!("{f}")).unwrap();
    println!("{}", s.checked);
}
