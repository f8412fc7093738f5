//! Size probe: the `.text` the core itself costs an application, without the
//! known-answer harness. `_start` calls each public entry point once on
//! `black_box`ed inputs (so nothing is constant-folded away) and discards the
//! results through `black_box` (so nothing is dead-code eliminated), then exits.
//!
//! Built with no features it is the baseline: the same `_start`, `exit` and
//! panic handler, no core call. Core `.text` = probe - baseline. Each cargo
//! feature adds one part (run.sh builds them cumulatively: hash, ed25519,
//! canonical, keystore, chain, manifest); `fast` turns on dalek's precomputed
//! basepoint tables. Each part sits in its own `#[inline(never)]` function, so
//! `nm` attributes what LTO inlines to the part that called it.
//!
//! Inputs are small valid documents, so the probe also runs under qemu-arm
//! (run.sh checks it exits 0), but what it computes is not checked here:
//! the known answers are the KAT binary's job.

#![no_std]
#![no_main]
#![allow(unused_imports)]

#[path = "../sys.rs"]
#[allow(dead_code)] // write, sp: the KAT binary's
mod sys;

use core::hint::black_box;
use core::panic::PanicInfo;

/// Called by `sys::_start`.
extern "C" fn main() -> ! {
    #[cfg(feature = "hash")]
    hash();
    #[cfg(feature = "ed25519")]
    ed25519();
    #[cfg(feature = "canonical")]
    canonical();
    #[cfg(feature = "keystore")]
    keystore();
    #[cfg(feature = "chain")]
    chain();
    #[cfg(feature = "manifest")]
    manifest();
    #[cfg(feature = "checkpoint")]
    checkpoint();
    sys::exit(0)
}

#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    sys::exit(101)
}

/// An opaque byte string: the optimizer cannot see its contents or length.
#[allow(dead_code)]
fn opaque(bytes: &'static [u8]) -> &'static [u8] {
    black_box(bytes)
}

/// SHA-256 and HMAC-SHA256 (`HmacKey`: no Ed25519 code behind it).
#[cfg(feature = "hash")]
#[inline(never)]
fn hash() {
    use signcore::digest::sha256;
    use signcore::key::HmacKey;
    black_box(sha256(opaque(b"abc")));
    if let Ok(k) = HmacKey::new(opaque(b"key")) {
        let tag = k.tag(opaque(b"message"));
        let _ = black_box(k.verify(opaque(b"message"), black_box(&tag)));
    }
}

/// The algorithm-generic keys: `SigningKey` (both algorithms, the variant
/// unknown to the optimizer) sign + verify, `VerifyingKey::ed25519` verify.
#[cfg(feature = "ed25519")]
#[inline(never)]
fn ed25519() {
    use signcore::key::{SigningKey, VerifyingKey};
    let seed: &[u8; 32] = black_box(&[7; 32]);
    let keys = [Some(SigningKey::ed25519_from_seed(seed)), SigningKey::hmac(opaque(b"key")).ok()];
    for key in black_box(&keys).iter().flatten() {
        let sig = key.sign(opaque(b"message"));
        let _ = black_box(key.verify(opaque(b"message"), black_box(sig.as_bytes())));
        if let Some(public) = key.public_key() {
            if let Ok(vk) = VerifyingKey::ed25519(black_box(&public)) {
                let _ = black_box(vk.verify(opaque(b"message"), black_box(sig.as_bytes())));
            }
        }
    }
}

/// RFC 8785 into a slice and into a SHA-256 hasher (`content_digest`), and
/// the audit digest (canonicalize + chain hash).
#[cfg(feature = "canonical")]
#[inline(never)]
fn canonical() {
    use signcore::canonical::canonicalize_to_slice;
    use signcore::digest::{audit_digest, content_digest};
    let doc = opaque(br#"{"b":[1.5e3,"x\u00e9",true,null],"a":{}}"#);
    let mut out = [0u8; 128];
    let _ = black_box(canonicalize_to_slice(doc, &mut out));
    black_box(&out);
    let _ = black_box(content_digest(doc));
    let prev: &[u8; 32] = black_box(&[1; 32]);
    let _ = black_box(audit_digest(doc, Some(prev)));
}

/// Keystore: one key by id (`load_key`), and a verification ring
/// (`KeyRing::from_json`, which derives Ed25519 public keys from seeds).
#[cfg(feature = "keystore")]
#[inline(never)]
fn keystore() {
    use signcore::keystore::{KeyRing, load_key};
    let ks = opaque(
        br#"[{"key_id":"k","alg":"hmac-sha256","secret_hex":"0b0b0b0b","created":"2026-01-01T00:00:00Z","label":"x"}]"#,
    );
    let _ = black_box(load_key(ks, black_box("k")));
    let _ = black_box(KeyRing::from_json(ks));
}

/// Chain verification against a ring.
#[cfg(feature = "chain")]
#[inline(never)]
fn chain() {
    use signcore::chain::verify_chain;
    use signcore::keystore::KeyRing;
    let ring = KeyRing::new();
    let _ = black_box(verify_chain(opaque(b"[]"), black_box(&ring), black_box(None), |f| {
        black_box(f);
    }));
}

/// N-of-M manifest verification against a ring.
#[cfg(feature = "manifest")]
#[inline(never)]
fn manifest() {
    use signcore::keystore::KeyRing;
    use signcore::manifest::verify_manifest;
    let ring = KeyRing::new();
    let doc =
        opaque(br#"{"digest":"0000000000000000000000000000000000000000000000000000000000000000","signatures":[]}"#);
    let _ = black_box(verify_manifest(doc, black_box(&ring), black_box(1), |s| {
        black_box(s);
    }));
}

/// The checkpoint verifier (DESIGN.md §12): a verifier key parsed, a signed
/// checkpoint opened (note syntax, Ed25519 signature, checkpoint body),
/// inclusion and consistency proofs verified, a streaming root.
#[cfg(feature = "checkpoint")]
#[inline(never)]
fn checkpoint() {
    use signcore::merkle::{RootBuilder, verify_consistency, verify_inclusion};
    use signcore::note::NoteVerifier;
    let vkey = black_box("example.com/log+702f3c70+AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs");
    if let Ok(v) = NoteVerifier::parse(vkey) {
        let note = opaque(b"example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 example.com/log cC88cA==\n");
        let _ = black_box(signcore::checkpoint::open(note, black_box("example.com/log"), &[v], black_box(1)));
    }
    let h: &[[u8; 32]; 2] = black_box(&[[1; 32], [2; 32]]);
    let _ = black_box(verify_inclusion(&h[0], black_box(1), black_box(3), &h[..], &h[1]));
    let _ = black_box(verify_consistency(black_box(1), black_box(3), &h[0], &h[1], &h[..]));
    let mut b = RootBuilder::new();
    let _ = b.push_event_hash(&h[0]);
    black_box(b.root());
}
