//! The floor of the per-event signing benchmark (`bench/run.mjs`, issue 14
//! goal 1): the core's own work for one event, timed in a native loop so
//! that no N-API crossing is counted. Not part of the public API (`index.js`
//! does not export it).

use std::hint::black_box;
use std::time::Instant;

use napi_derive::napi;
use signcore::digest::audit_digest;
use signcore::stringified::audit_digest_stringified;

use crate::keys::NativeKey;
use napi::{Env, JsString};

use crate::text::{Text, stringified_js_string_v8, with_scratch};
use crate::{Fail, fail, parse_prev_hash};

/// Nanoseconds for `iterations` rounds of: the audit digest of `text` (a
/// `JSON.stringify` result) after `prevHash` — the core's full canonicalizer
/// straight into SHA-256, or with `fast` its `JSON.stringify` fast path —
/// then `key`'s signature over the digest.
#[napi]
pub fn bench_event_floor(
    key: &NativeKey,
    text: String,
    prev_hash: Option<String>,
    iterations: u32,
    fast: bool,
) -> Result<f64, Fail> {
    let prev = parse_prev_hash(prev_hash.as_deref(), "prevHash")?;
    key.with_key(|key| {
        let started = Instant::now();
        for _ in 0..iterations {
            let text = black_box(text.as_str());
            let hash = if fast {
                with_scratch(|scratch| audit_digest_stringified(text, prev.as_ref(), scratch))
            } else {
                audit_digest(text.as_bytes(), prev.as_ref())
            }
            .map_err(fail)?;
            black_box(key.sign(&hash));
        }
        Ok(started.elapsed().as_nanos() as f64)
    })
}

/// Nanoseconds for `iterations` verifications, on this thread, of `key`'s
/// signature over a 32-byte digest (`verify_strict` for Ed25519): the
/// single-thread throughput a chain check cannot beat per core.
#[napi]
pub fn bench_verify(key: &NativeKey, iterations: u32) -> Result<f64, Fail> {
    key.with_key(|key| {
        let digest = [0x5a; 32];
        let signature = key.sign(&digest);
        // As a ring holds it.
        let verifier = key.verifying_key();
        let started = Instant::now();
        for _ in 0..iterations {
            black_box(verifier.verify(black_box(&digest), signature.as_bytes()).is_ok());
        }
        Ok(started.elapsed().as_nanos() as f64)
    })
}

/// `canonicalizeStringified` with its output string made by V8 from UTF-8
/// (for `bench/diagnose.mjs`: the copy this binding avoids, measured).
#[napi(ts_args_type = "text: string", ts_return_type = "string")]
pub fn bench_canonicalize_stringified_v8<'env>(env: &'env Env, text: Text<'_>) -> Result<JsString<'env>, Fail> {
    stringified_js_string_v8(env, text.as_str()?)
}

/// Nanoseconds of wall time for `iterations` verifications of `key`'s
/// signature over a 32-byte digest split over `threads` threads (each its
/// share in a loop, as [`bench_verify`]): cores × single-thread
/// `verify_strict` throughput as the machine offers it at that moment, the
/// floor of a chain check (`bench/run.mjs` measures it in the same rounds).
#[napi]
pub fn bench_verify_parallel(key: &NativeKey, iterations: u32, threads: u32) -> Result<f64, Fail> {
    key.with_key(|key| {
        let digest = [0x5a; 32];
        let signature = key.sign(&digest);
        let verifier = key.verifying_key();
        let threads = threads.max(1);
        let started = Instant::now();
        std::thread::scope(|scope| {
            for t in 0..threads {
                let share = iterations / threads + u32::from(t < iterations % threads);
                let (verifier, signature) = (&verifier, &signature);
                scope.spawn(move || {
                    for _ in 0..share {
                        black_box(verifier.verify(black_box(&digest), signature.as_bytes()).is_ok());
                    }
                });
            }
        });
        Ok(started.elapsed().as_nanos() as f64)
    })
}
