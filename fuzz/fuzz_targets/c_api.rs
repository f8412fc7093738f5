//! The C entry points with arbitrary inputs, lengths and capacities. Output
//! buffers are heap slices of exactly the stated capacity, so AddressSanitizer
//! (on by default in cargo-fuzz) catches any write past them. Results must
//! agree with the Rust API and honour the buffer contract (too small: the
//! needed size is reported and nothing else is written).
#![no_main]

use std::mem::MaybeUninit;

use libfuzzer_sys::fuzz_target;
use signcore_ffi::*;

const RING: &[u8] = br#"[{"kid":"audit-hmac-1","alg":"hmac-sha256","secret_hex":"0050f702daf9e11cf99ab73c90e5a643c860c5f8f07e396cd43b4b9e86b3d14f"},
 {"kid":"audit-ed25519-1","alg":"ed25519","public_key":"6e9860b9fd33cd52fe2ac51f912f4f7549d061d3de9ea52df10480252ec23558"}]"#;

fn zeroed<T>() -> T {
    // SAFETY: only used for the C ABI's plain-data structs (integers, bools,
    // arrays, C enums whose zero value exists), for which all-zero is valid.
    unsafe { MaybeUninit::zeroed().assume_init() }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Some((&cap_byte, input)) = rest.split_first() else { return };
    let cap = usize::from(cap_byte) * (1 + input.len() / 64);
    let ptr = input.as_ptr().cast();
    let mut error: signcore_error = zeroed();
    match selector % 6 {
        0 => {
            let mut out = vec![0x55u8; cap];
            let mut len = usize::MAX;
            // SAFETY: input pointer/length from a slice; `out` has `cap` bytes.
            let status = unsafe { signcore_canonicalize(ptr, input.len(), out.as_mut_ptr().cast(), cap, &mut len, &mut error) };
            let expected = signcore::canonical::canonicalize_to_string(input);
            match (status, &expected) {
                (signcore_status::SIGNCORE_OK, Ok(text)) => {
                    assert_eq!(&out[..len], text.as_bytes());
                }
                (signcore_status::SIGNCORE_BUFFER_TOO_SMALL, Ok(text)) => {
                    assert_eq!(len, text.len());
                    assert!(out.iter().all(|&b| b == 0x55), "nothing written when too small");
                }
                (signcore_status::SIGNCORE_LIMIT_EXCEEDED, _) => {} // the C path keeps the stack-table limit
                (s, Err(e)) => assert_ne!(s, signcore_status::SIGNCORE_OK, "{e}"),
                (s, Ok(_)) => panic!("status {s:?} for input the core accepts"),
            }
        }
        1 => {
            let mut key: signcore_key = zeroed();
            // SAFETY: zeroed key storage, NUL-terminated id, input slice.
            let status = unsafe { signcore_key_from_keystore(&mut key, ptr, input.len(), c"a".as_ptr(), &mut error) };
            let expected = signcore::keystore::load_key(input, "a");
            assert_eq!(status == signcore_status::SIGNCORE_OK, expected.is_ok());
            // SAFETY: the same storage, wiped twice (allowed).
            unsafe {
                signcore_key_wipe(&mut key);
                signcore_key_wipe(&mut key);
            }
        }
        2 => {
            let cap = cap % 8;
            let mut out: Vec<signcore_key_info> = (0..cap).map(|_| zeroed()).collect();
            let mut count = usize::MAX;
            // SAFETY: `out` holds `cap` records.
            let status = unsafe { signcore_keystore_metadata(ptr, input.len(), out.as_mut_ptr(), cap, &mut count, &mut error) };
            if status == signcore_status::SIGNCORE_OK {
                assert!(count <= cap);
            }
        }
        3 => {
            let cap = cap % 16;
            let mut findings: Vec<signcore_finding> = (0..cap).map(|_| zeroed()).collect();
            let mut report: signcore_chain_report = zeroed();
            // SAFETY: input slices, `findings` holds `cap` entries, NULL anchor.
            let status = unsafe {
                signcore_verify_chain(
                    ptr,
                    input.len(),
                    RING.as_ptr().cast(),
                    RING.len(),
                    std::ptr::null(),
                    findings.as_mut_ptr(),
                    cap,
                    &mut report,
                    &mut error,
                )
            };
            if matches!(status, signcore_status::SIGNCORE_OK | signcore_status::SIGNCORE_CHAIN_INVALID) {
                assert_eq!(report.findings_written as u64, report.findings_total.min(cap as u64));
                assert_eq!(report.ok, report.findings_total == 0);
            }
        }
        4 => {
            let cap = cap % 8;
            let mut signers: Vec<signcore_signer_check> = (0..cap).map(|_| zeroed()).collect();
            let mut report: signcore_manifest_report = zeroed();
            let threshold = usize::from(cap_byte % 4);
            // SAFETY: input slices; `signers` holds `cap` entries.
            let _ = unsafe {
                signcore_verify_manifest(
                    ptr,
                    input.len(),
                    RING.as_ptr().cast(),
                    RING.len(),
                    threshold,
                    signers.as_mut_ptr(),
                    cap,
                    &mut report,
                    &mut error,
                )
            };
        }
        _ => {
            let mut out = vec![0x55u8; cap];
            let mut len = usize::MAX;
            // SAFETY: input slice; `out` has `cap` bytes.
            let status = unsafe { signcore_hex_decode(ptr, input.len(), out.as_mut_ptr(), cap, &mut len) };
            if status == signcore_status::SIGNCORE_OK {
                assert_eq!(len * 2, input.len());
            } else if status == signcore_status::SIGNCORE_BUFFER_TOO_SMALL {
                assert!(out.iter().all(|&b| b == 0x55));
            }
        }
    }
    // Every status has a description.
    // SAFETY: any int is accepted; the result is a static NUL-terminated string.
    let text = unsafe { std::ffi::CStr::from_ptr(signcore_status_str(error.status as i32)) };
    assert!(!text.to_bytes().is_empty());
});
