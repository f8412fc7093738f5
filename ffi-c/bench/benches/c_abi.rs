//! The C ABI's per-call cost against the Rust API it wraps, measured in the
//! same process: `libsigncore.so` (built by `cargo build --release -p
//! signcore-ffi`) is loaded with libloading and called through the C
//! signatures of `include/signcore.h`.

use std::ffi::{c_char, c_int};
use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use signcore::digest::audit_digest;
use signcore::hex::HashHex;
use signcore::key::SigningKey;

#[repr(C, align(8))]
struct KeyStorage([u64; 80]);

type FromHmac = unsafe extern "C" fn(*mut KeyStorage, *const c_char, *const u8, usize) -> c_int;
type FromSeed = unsafe extern "C" fn(*mut KeyStorage, *const c_char, *const u8) -> c_int;
type Sign = unsafe extern "C" fn(*const KeyStorage, *const u8, usize, *mut u8, usize, *mut usize) -> c_int;
type Verify = unsafe extern "C" fn(*const KeyStorage, *const u8, usize, *const u8, usize) -> c_int;
type DigestHex = unsafe extern "C" fn(*const c_char, usize, *const c_char, *mut c_char, *mut u8) -> c_int;
type Wipe = unsafe extern "C" fn(*mut KeyStorage) -> c_int;

const PAYLOAD: &str = r#"{"actor":"svc-ingest","action":"update","seq":41,"amount":4439.83,"tags":["x","y"],"meta":{"ip":"10.0.0.41","note":"n","ratio":0.5625193425276974},"createdAt":1700000000041}"#;

fn library() -> libloading::Library {
    let path = std::env::var_os("SIGNCORE_LIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/release/libsigncore.so"));
    // SAFETY: loading our own library, whose initialisers do nothing.
    unsafe { libloading::Library::new(&path) }
        .unwrap_or_else(|e| panic!("{}: {e} (run: cargo build --release -p signcore-ffi)", path.display()))
}

fn c_abi(c: &mut Criterion) {
    let lib = library();
    // SAFETY: each symbol has the C signature declared in include/signcore.h.
    let (from_hmac, from_seed, sign, verify, digest_hex, wipe) = unsafe {
        (
            *lib.get::<FromHmac>(b"signcore_key_from_hmac_secret").unwrap(),
            *lib.get::<FromSeed>(b"signcore_key_from_ed25519_seed").unwrap(),
            *lib.get::<Sign>(b"signcore_key_sign").unwrap(),
            *lib.get::<Verify>(b"signcore_key_verify").unwrap(),
            *lib.get::<DigestHex>(b"signcore_audit_digest_hex").unwrap(),
            *lib.get::<Wipe>(b"signcore_key_wipe").unwrap(),
        )
    };
    let digest = [7u8; 32];
    let secret = b"0050f702daf9e11cf99ab73c90e5a643";
    let seed = [9u8; 32];
    let mut hmac_slot = KeyStorage([0; 80]);
    let mut ed_slot = KeyStorage([0; 80]);
    // SAFETY: storage of the documented size and alignment, NUL-terminated ids.
    unsafe {
        assert_eq!(from_hmac(&mut hmac_slot, c"bench-hmac".as_ptr(), secret.as_ptr(), secret.len()), 0);
        assert_eq!(from_seed(&mut ed_slot, c"bench-ed".as_ptr(), seed.as_ptr()), 0);
    }
    let rust_hmac = SigningKey::hmac(secret).unwrap();
    let rust_ed = SigningKey::ed25519_from_seed(&seed);

    for (name, slot, key) in [("c_key_sign_hmac", &hmac_slot, &rust_hmac), ("c_key_sign_ed25519", &ed_slot, &rust_ed)] {
        let mut g = c.benchmark_group(name);
        g.bench_function("c_abi", |b| {
            let mut sig = [0u8; 64];
            let mut len = 0usize;
            // SAFETY: initialised key, buffers of the stated capacities.
            b.iter(|| unsafe { sign(slot, black_box(digest.as_ptr()), 32, sig.as_mut_ptr(), sig.len(), &mut len) })
        });
        g.bench_function("rust_api", |b| b.iter(|| key.sign(black_box(&digest))));
        g.finish();
    }
    // Verify with a signing key: the C call checks the storage, then verifies
    // (Ed25519 from the stored public key); the Rust anchor verifies with a
    // `VerifyingKey` made once.
    for (name, slot, key) in
        [("c_key_verify_hmac", &hmac_slot, &rust_hmac), ("c_key_verify_ed25519", &ed_slot, &rust_ed)]
    {
        let sig = key.sign(&digest);
        let verifier = key.verifying_key();
        let mut g = c.benchmark_group(name);
        g.bench_function("c_abi", |b| {
            // SAFETY: initialised key, message and signature of the stated lengths.
            b.iter(|| unsafe {
                verify(slot, black_box(digest.as_ptr()), 32, sig.as_bytes().as_ptr(), sig.as_bytes().len())
            })
        });
        g.bench_function("rust_api", |b| b.iter(|| verifier.verify(black_box(&digest), sig.as_bytes())));
        g.finish();
    }

    let prev = HashHex::new(&[1u8; 32]);
    let prev_c = std::ffi::CString::new(prev.as_str()).unwrap();
    let mut g = c.benchmark_group("c_audit_digest_hex");
    g.bench_function("c_abi", |b| {
        let mut out = [0 as c_char; 65];
        // SAFETY: payload pointer/length, NUL-terminated prev hash, 65-byte output, NULL error.
        b.iter(|| unsafe {
            digest_hex(
                black_box(PAYLOAD.as_ptr().cast()),
                PAYLOAD.len(),
                prev_c.as_ptr(),
                out.as_mut_ptr(),
                std::ptr::null_mut(),
            )
        })
    });
    g.bench_function("rust_api", |b| {
        b.iter(|| {
            let prev = signcore::digest::parse_hash(black_box(prev.as_str())).unwrap();
            HashHex::new(&audit_digest(black_box(PAYLOAD.as_bytes()), Some(&prev)).unwrap())
        })
    });
    g.finish();
    // SAFETY: initialised storage, wiped once.
    unsafe {
        wipe(&mut hmac_slot);
        wipe(&mut ed_slot);
    }
}

criterion_group!(benches, c_abi);
criterion_main!(benches);
