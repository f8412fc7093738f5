//! Corrupted `signcore_key` storage (issue 8, item 13): a valid HMAC or
//! Ed25519 key is filled, then altered by the input (byte XORs at chosen
//! offsets, or the tag followed by the input's bytes), and every function
//! that reads a key is called on it. Never a crash; unless the edits left
//! every byte as it was, every call refuses it (`SIGNCORE_KEY_NOT_INITIALIZED`
//! when the tag changed, `SIGNCORE_KEY_CORRUPTED` otherwise) with no output
//! written: the keyed checksum covers every stored byte, the secret
//! included, so no corruption signs.
#![no_main]

use std::mem::MaybeUninit;

use libfuzzer_sys::fuzz_target;
use signcore_ffi::signcore_status::*;
use signcore_ffi::*;

const STORAGE: usize = SIGNCORE_KEY_STORAGE_BYTES;

fn bytes_of(key: &mut signcore_key) -> &mut [u8; STORAGE] {
    // SAFETY: `signcore_key` is `[u64; STORAGE / 8]`: same size, stricter
    // alignment, and every byte is initialised.
    unsafe { &mut *(key as *mut signcore_key).cast::<[u8; STORAGE]>() }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    // SAFETY: all-zero is the documented "not initialised" storage.
    let mut key: signcore_key = unsafe { MaybeUninit::zeroed().assume_init() };
    let secret = b"fuzz-hmac-secret";
    let seed = [7u8; 32];
    // SAFETY: valid storage, NUL-terminated id, readable secret / seed.
    let filled = unsafe {
        if mode & 1 == 0 {
            signcore_key_from_hmac_secret(&mut key, c"fuzz-hmac".as_ptr(), secret.as_ptr(), secret.len())
        } else {
            signcore_key_from_ed25519_seed(&mut key, c"fuzz-ed".as_ptr(), seed.as_ptr())
        }
    };
    assert_eq!(filled, SIGNCORE_OK);
    let original = *bytes_of(&mut key);
    {
        let bytes = bytes_of(&mut key);
        if mode & 2 == 0 {
            for edit in rest.chunks_exact(3) {
                let offset = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % STORAGE;
                bytes[offset] ^= edit[2];
            }
        } else {
            for (dst, src) in bytes[8..].iter_mut().zip(rest) {
                *dst = *src;
            }
        }
    }
    let now = *bytes_of(&mut key);
    let expected = if now[..8] != original[..8] { SIGNCORE_KEY_NOT_INITIALIZED } else { SIGNCORE_KEY_CORRUPTED };

    let msg = [3u8; 32];
    let mut sig = [0xAAu8; SIGNCORE_MAX_SIGNATURE_BYTES];
    let mut sig_len = usize::MAX;
    let mut hash = [0xAAu8; 32];
    let mut public = [0xAAu8; 32];
    // SAFETY: zeroed plain-data record.
    let mut info: signcore_key_info = unsafe { MaybeUninit::zeroed().assume_init() };
    info.key_id_len = usize::MAX;
    // SAFETY: `key` is readable storage (corrupted on purpose); every
    // pointer points to a buffer of the stated size.
    let statuses = unsafe {
        [
            signcore_key_sign(&key, msg.as_ptr(), msg.len(), sig.as_mut_ptr(), sig.len(), &mut sig_len),
            signcore_key_verify(&key, msg.as_ptr(), msg.len(), sig.as_ptr(), 64),
            signcore_key_hash(&key, hash.as_mut_ptr()),
            signcore_key_public_key(&key, public.as_mut_ptr()),
            signcore_key_metadata(&key, &mut info),
        ]
    };
    if now == original {
        // The edits cancelled out: the intact key.
        assert_eq!([statuses[0], statuses[2], statuses[4]], [SIGNCORE_OK; 3], "{statuses:?}");
    } else {
        assert!(statuses.iter().all(|s| *s == expected), "not refused: {statuses:?}");
        assert!(sig.iter().all(|&b| b == 0xAA) && sig_len == usize::MAX, "signature written");
        assert!(hash.iter().all(|&b| b == 0xAA) && public.iter().all(|&b| b == 0xAA));
        assert_eq!(info.key_id_len, usize::MAX, "metadata written");
    }
    // SAFETY: exclusive storage; wiping corrupted storage is allowed.
    assert_eq!(unsafe { signcore_key_wipe(&mut key) }, SIGNCORE_OK);
    assert!(bytes_of(&mut key).iter().all(|&b| b == 0));
});
