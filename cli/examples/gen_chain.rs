//! Writes a signed audit chain for demos and benchmarks:
//! `gen_chain KEYSTORE KEY_ID COUNT OUT [array|ndjson|csv]` (csv: the
//! columns id, payload, hash, prev_hash, kid, alg, signature for `COPY`).
//! Payloads vary in shape and size (about 200 bytes each); events are
//! streamed to the file, never held in memory.

use std::io::{BufWriter, Write};

use signcore::digest::{Hash, audit_digest};
use signcore::hex::HashHex;
use signcore::keystore::load_key;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: gen_chain KEYSTORE KEY_ID COUNT OUT [array|ndjson]");
        std::process::exit(2);
    }
    let keystore = zeroize::Zeroizing::new(std::fs::read(&args[1])?);
    let record = load_key(&keystore, &args[2])?;
    let count: u64 = args[3].parse()?;
    let ndjson = args.get(5).is_some_and(|f| f == "ndjson");
    let csv = args.get(5).is_some_and(|f| f == "csv");
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&args[4])?);
    if !ndjson && !csv {
        out.write_all(b"[\n")?;
    }
    let actions = ["login", "export", "grant", "update", "logout"];
    let mut prev: Option<Hash> = None;
    for i in 0..count {
        let payload = format!(
            r#"{{"seq":{i},"action":"{}","actor":"user-{}","amount":{}.{:02},"tags":["t{}","audit"],"meta":{{"ip":"10.0.{}.{}","ratio":{}}},"note":"event number {i} of the benchmark chain"}}"#,
            actions[(i % 5) as usize],
            i % 97,
            i % 10_000,
            i % 100,
            i % 7,
            (i / 256) % 256,
            i % 256,
            (i % 1000) as f64 / 1024.0
        );
        let hash = audit_digest(payload.as_bytes(), prev.as_ref())?;
        let signature = record.key().sign(&hash);
        let prev_json = prev.map_or("null".to_string(), |p| format!("\"{}\"", HashHex::new(&p)));
        if csv {
            writeln!(
                out,
                "{},\"{}\",{},{},{},{},{}",
                i + 1,
                payload.replace('"', "\"\""),
                HashHex::new(&hash),
                prev.map_or(String::new(), |p| HashHex::new(&p).as_str().to_string()),
                record.key_id(),
                record.key().alg().as_str(),
                signature.hex().as_str()
            )?;
            prev = Some(hash);
            continue;
        }
        if i > 0 && !ndjson {
            out.write_all(b",\n")?;
        }
        write!(
            out,
            r#"{{"id":{},"payload":{payload},"hash":"{}","prev_hash":{prev_json},"kid":"{}","alg":"{}","signature":"{}"}}"#,
            i + 1,
            HashHex::new(&hash),
            record.key_id(),
            record.key().alg().as_str(),
            signature.hex().as_str()
        )?;
        if ndjson {
            out.write_all(b"\n")?;
        }
        prev = Some(hash);
    }
    if !ndjson && !csv {
        out.write_all(b"\n]\n")?;
    }
    out.flush()?;
    Ok(())
}
