//! signcore against its anchors, each measured in the same run:
//! raw sha2/hmac/ed25519-dalek calls, and serde_json + serde_json_canonicalizer
//! (a maintained RFC 8785 crate) for canonicalization. `scripts/bench.py`
//! turns the medians into the ratios of BENCHMARKS.md.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use ed25519_dalek::{Signer as _, Verifier as _};
use hmac::{KeyInit, Mac};
use sha2::Digest;
use signcore::canonical::{NullSink, canonicalize, canonicalize_to_slice};
use signcore::chain::{verify_chain, verify_chain_parallel};
use signcore::digest::{Hash, audit_digest};
use signcore::hex::HashHex;
use signcore::key::{HmacKey, SigningKey};
use signcore::keystore::KeyRing;

const PAYLOAD: &str = r#"{"actor":"svc-ingest","action":"update","seq":41,"amount":4439.83,"tags":["x","y"],"meta":{"ip":"10.0.0.41","note":"line\nbreak \"quoted\" \u2028","ratio":0.5625193425276974,"ua":"Mozilla/5.0 (X11; Linux x86_64)"},"createdAt":1700000000041,"target":{"kind":"document","id":"doc-7f3a"}}"#;

/// A ~100 KB document: 400 records of mixed members, nested two deep.
fn large_document() -> String {
    let mut out = String::from("{\"records\":[");
    for i in 0..400 {
        if i > 0 {
            out.push(',');
        }
        out += &format!(
            r#"{{"z":{i},"id":"rec-{i:05}","name":"Zoë \u00e9 {i}","score":{score},"flags":[true,false,null],"tags":["alpha","beta","gamma"],"geo":{{"lon":{lon},"lat":{lat}}},"note":"tab\there \\ slash / {i}","a":1e{e}}}"#,
            score = i as f64 * 1.25 + 0.1,
            lon = 13.404954 + i as f64 / 1000.0,
            lat = -52.520008 - i as f64 / 999.0,
            e = i % 30
        );
    }
    out += "],\"meta\":{\"version\":3,\"source\":\"bench\"}}";
    out
}

fn primitives(c: &mut Criterion) {
    let data = [0x5au8; 1024];
    let mut g = c.benchmark_group("sha256_1k");
    g.throughput(Throughput::Bytes(1024));
    g.bench_function("signcore", |b| b.iter(|| signcore::digest::sha256(black_box(&data))));
    g.bench_function("raw", |b| b.iter(|| <[u8; 32]>::from(sha2::Sha256::digest(black_box(&data)))));
    g.finish();

    let secret = b"0050f702daf9e11cf99ab73c90e5a643";
    let digest = [7u8; 32];
    let key = HmacKey::new(secret).unwrap();
    let tag = key.tag(&digest);
    let mut g = c.benchmark_group("hmac_sign");
    g.bench_function("signcore", |b| b.iter(|| key.tag(black_box(&digest))));
    g.bench_function("raw", |b| {
        b.iter(|| {
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
            mac.update(black_box(&digest));
            <[u8; 32]>::from(mac.finalize().into_bytes())
        })
    });
    g.finish();
    let mut g = c.benchmark_group("hmac_verify");
    g.bench_function("signcore", |b| b.iter(|| key.verify(black_box(&digest), black_box(&tag)).is_ok()));
    g.bench_function("raw", |b| {
        b.iter(|| {
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
            mac.update(black_box(&digest));
            mac.verify_slice(black_box(&tag)).is_ok()
        })
    });
    g.finish();

    let seed = [9u8; 32];
    let ours = SigningKey::ed25519_from_seed(&seed);
    let raw = ed25519_dalek::SigningKey::from_bytes(&seed);
    let raw_public = raw.verifying_key();
    let ours_public = ours.verifying_key();
    let sig = ours.sign(&digest);
    let raw_sig = ed25519_dalek::Signature::from_bytes(sig.as_bytes().try_into().unwrap());
    let mut g = c.benchmark_group("ed25519_sign");
    g.bench_function("signcore", |b| b.iter(|| ours.sign(black_box(&digest))));
    g.bench_function("raw", |b| b.iter(|| raw.sign(black_box(&digest))));
    g.finish();
    let mut g = c.benchmark_group("ed25519_verify_strict");
    g.bench_function("signcore", |b| {
        b.iter(|| ours_public.verify(black_box(&digest), black_box(sig.as_bytes())).is_ok())
    });
    g.bench_function("raw", |b| b.iter(|| raw_public.verify_strict(black_box(&digest), black_box(&raw_sig)).is_ok()));
    g.bench_function("raw_verify_not_strict", |b| {
        b.iter(|| raw_public.verify(black_box(&digest), black_box(&raw_sig)).is_ok())
    });
    g.finish();
}

/// The member table (scratch) given to `canonicalize_with_table`.
const TABLE_WORDS: usize = 4096;
/// The span-cache scratch given to `canonicalize_with_scratch` (the 100 KB document needs 7,612 words).
const SCRATCH_WORDS: usize = 16384;

fn canonicalization(c: &mut Criterion) {
    let large = large_document();
    for (name, doc) in [("canonicalize_300b", PAYLOAD.to_string()), ("canonicalize_100kb", large)] {
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(doc.len() as u64));
        let mut out = vec![0u8; doc.len() * 2];
        let mut table = vec![0u32; TABLE_WORDS];
        let mut scratch = vec![0u32; SCRATCH_WORDS];
        // The signcore row measures the span cache, not its fallback.
        assert!(signcore::canonical::cache_words(doc.as_bytes()).is_some_and(|w| w <= SCRATCH_WORDS));
        g.bench_function("signcore", |b| {
            b.iter(|| {
                let mut sink = signcore::canonical::SliceSink::new(&mut out);
                let doc = black_box(doc.as_bytes());
                signcore::canonical::canonicalize_with_scratch(doc, &mut table, &mut scratch, &mut sink).unwrap();
                sink.len()
            })
        });
        g.bench_function("signcore_no_scratch", |b| {
            b.iter(|| {
                let mut sink = signcore::canonical::SliceSink::new(&mut out);
                signcore::canonical::canonicalize_with_table(black_box(doc.as_bytes()), &mut table, &mut sink).unwrap();
                sink.len()
            })
        });
        g.bench_function("signcore_digest", |b| b.iter(|| audit_digest(black_box(doc.as_bytes()), None).ok()));
        g.bench_function("serde_json+serde_json_canonicalizer", |b| {
            b.iter(|| {
                let value: serde_json::Value = serde_json::from_slice(black_box(doc.as_bytes())).unwrap();
                serde_json_canonicalizer::to_string(&value).unwrap().len()
            })
        });
        g.finish();
        // Same output, checked once.
        let value: serde_json::Value = serde_json::from_str(&doc).unwrap();
        let theirs = serde_json_canonicalizer::to_string(&value).unwrap();
        let mut ours = Vec::new();
        canonicalize(doc.as_bytes(), &mut ours).unwrap();
        assert_eq!(String::from_utf8(ours).unwrap(), theirs, "{name}: same canonical form");
    }
    let _ = canonicalize_to_slice(PAYLOAD.as_bytes(), &mut [0u8; 512]);
    let _ = signcore::canonical::canonicalize(PAYLOAD.as_bytes(), &mut NullSink);
}

/// A chain of `n` events in DESIGN.md format, signed by `key` as `kid`.
fn chain(n: usize, key: &SigningKey, kid: &str) -> String {
    let mut out = String::with_capacity(n * 420);
    out.push('[');
    let mut prev: Option<Hash> = None;
    for i in 0..n {
        let payload = PAYLOAD.replace("\"seq\":41", &format!("\"seq\":{i}"));
        let hash = audit_digest(payload.as_bytes(), prev.as_ref()).unwrap();
        let prev_json = prev.map_or("null".to_string(), |p| format!("\"{}\"", HashHex::new(&p)));
        if i > 0 {
            out.push(',');
        }
        out += &format!(
            r#"{{"id":"evt-{i}","payload":{payload},"hash":"{}","prev_hash":{prev_json},"kid":"{kid}","alg":"{}","signature":"{}"}}"#,
            HashHex::new(&hash),
            key.alg(),
            key.sign(&hash).hex()
        );
        prev = Some(hash);
    }
    out.push(']');
    out
}

fn chains(c: &mut Criterion) {
    const EVENTS: usize = 100_000;
    let hmac = SigningKey::hmac(b"0050f702daf9e11cf99ab73c90e5a643").unwrap();
    let ed = SigningKey::ed25519_from_seed(&[3; 32]);
    let mut ring: KeyRing = KeyRing::new();
    ring.insert("h", hmac.verifying_key()).unwrap();
    ring.insert("e", ed.verifying_key()).unwrap();
    for (name, key, kid) in [("chain_100k_hmac", &hmac, "h"), ("chain_100k_ed25519", &ed, "e")] {
        // Made on first use: a run filtered to other groups does not sign 100,000 events.
        let events = std::cell::OnceCell::new();
        let events = || events.get_or_init(|| chain(EVENTS, key, kid)).as_bytes();
        let mut g = c.benchmark_group(name);
        g.sample_size(10);
        g.throughput(Throughput::Elements(EVENTS as u64));
        g.bench_function("signcore_1_thread", |b| {
            let events = events();
            b.iter(|| verify_chain(black_box(events), &ring, None, |f| panic!("{f}")).unwrap())
        });
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        g.bench_function(BenchmarkId::new("signcore_parallel", threads), |b| {
            let events = events();
            b.iter(|| verify_chain_parallel(black_box(events), &ring, None, 0, |f| panic!("{f}")).unwrap())
        });
        g.finish();
    }
}

/// `SIGNCORE_CANON_COUNT=<doc>:<what>:<n>` (doc `300b` or `100kb`, what `signcore` or `serde`): canonicalize
/// the document n times and exit, for instruction counts under valgrind (run with n = 0 and n = N; the
/// difference over N is the count per document).
fn count(spec: &str) {
    if let Some(rounds) = spec.strip_prefix("cpu:") {
        return cpu_rounds(rounds.parse().unwrap_or(30));
    }
    let mut parts = spec.split(':');
    let doc = match parts.next() {
        Some("300b") => PAYLOAD.to_string(),
        _ => large_document(),
    };
    let what = parts.next().unwrap_or("signcore").to_string();
    let n: usize = parts.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let mut out = vec![0u8; doc.len() * 2];
    let mut table = vec![0u32; TABLE_WORDS];
    let mut scratch = vec![0u32; SCRATCH_WORDS];
    let mut total = 0;
    for _ in 0..n {
        total += if what == "serde" {
            let value: serde_json::Value = serde_json::from_slice(black_box(doc.as_bytes())).unwrap();
            serde_json_canonicalizer::to_string(&value).unwrap().len()
        } else {
            let mut sink = signcore::canonical::SliceSink::new(&mut out);
            if what == "signcore_plain" {
                signcore::canonical::canonicalize_with_table(black_box(doc.as_bytes()), &mut table, &mut sink).unwrap();
            } else {
                let doc = black_box(doc.as_bytes());
                signcore::canonical::canonicalize_with_scratch(doc, &mut table, &mut scratch, &mut sink).unwrap();
            }
            sink.len()
        };
    }
    let words = signcore::canonical::cache_words(doc.as_bytes());
    println!("{spec}: {total} bytes, span cache {words:?} words");
}

/// `SIGNCORE_CANON_COUNT=cpu:<rounds>`: for each document, rounds of short batches (about a millisecond) of
/// each way to canonicalize it, alternated; prints the median and the best batch's time per document for each
/// and the ratios to the anchor. On a shared machine the best batches are the ones no other process interrupted.
fn cpu_rounds(rounds: usize) {
    for (name, doc, batch) in [("300b", PAYLOAD.to_string(), 200), ("100kb", large_document(), 2)] {
        let mut out = vec![0u8; doc.len() * 2];
        let mut table = vec![0u32; TABLE_WORDS];
        let mut scratch = vec![0u32; SCRATCH_WORDS];
        let mut times: [Vec<f64>; 4] = Default::default();
        for _ in 0..rounds {
            for (way, t) in times.iter_mut().enumerate() {
                let start = std::time::Instant::now();
                for _ in 0..batch {
                    let doc = black_box(doc.as_bytes());
                    let mut sink = signcore::canonical::SliceSink::new(&mut out);
                    match way {
                        0 => signcore::canonical::canonicalize_with_scratch(doc, &mut table, &mut scratch, &mut sink)
                            .unwrap(),
                        1 => signcore::canonical::canonicalize_with_table(doc, &mut table, &mut sink).unwrap(),
                        2 => drop(black_box(audit_digest(doc, None).unwrap())),
                        _ => {
                            let value: serde_json::Value = serde_json::from_slice(doc).unwrap();
                            black_box(serde_json_canonicalizer::to_string(&value).unwrap());
                        }
                    }
                    black_box(sink.len());
                }
                t.push(start.elapsed().as_nanos() as f64 / batch as f64);
            }
        }
        let stats: Vec<(f64, f64)> = times
            .iter_mut()
            .map(|t| {
                t.sort_by(f64::total_cmp);
                (t[t.len() / 2], t[0])
            })
            .collect();
        let anchor = stats[3];
        for (way, (median, best)) in
            ["with_scratch", "with_table (no scratch)", "audit_digest", "serde"].iter().zip(&stats)
        {
            println!(
                "{name} {way}: median {:.0} ns, best {:.0} ns; anchor/this median {:.2}x, best {:.2}x",
                median,
                best,
                anchor.0 / median,
                anchor.1 / best
            );
        }
    }
}

criterion_group!(benches, primitives, canonicalization, chains);

fn main() {
    if let Ok(spec) = std::env::var("SIGNCORE_CANON_COUNT") {
        return count(&spec);
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
