//! Wiping what secret-handling calls leave on the stack.
//!
//! Rust moves are copies: building a key (hex decoding, the Ed25519 key
//! expansion inside ed25519-dalek, HMAC's padded key blocks inside `hmac`)
//! leaves bytes of the secret in stack frames that have already returned.
//! The core keeps its own intermediates in [`Zeroizing`] storage, but
//! frames of upstream crates cannot be reached from here. A host boundary
//! (the C ABI, the Node binding) therefore does its secret work in a callee
//! that is not inlined and then calls [`scrub_stack`], which overwrites the
//! stack region those callees used.
//!
//! [`Zeroizing`]: zeroize::Zeroizing

use zeroize::Zeroize;

/// Bytes of stack [`scrub_stack`] overwrites on hosts: more than the
/// deepest secret-handling call of the core uses (Ed25519 signing with key
/// expansion is about 4 KiB on x86-64 ×2, keystore parsing about 2 KiB).
pub const SCRUB_STACK_BYTES: usize = 16 * 1024;

/// Overwrites [`SCRUB_STACK_BYTES`] of stack below the caller's frame with
/// zeros (volatile writes, not optimised away). Call it after the function
/// that handled secret material has returned.
#[inline(never)]
pub fn scrub_stack() {
    scrub_stack_words::<{ SCRUB_STACK_BYTES / 8 }>();
}

/// [`scrub_stack`] over `W` 64-bit words (`8 * W` bytes), for a chosen size
/// (a per-call path that needs less, a small edge stack): `8 * W` bytes must
/// fit in the stack that is left.
#[inline(never)]
pub fn scrub_stack_words<const W: usize>() {
    let mut region = [0u64; W];
    region.zeroize();
    core::hint::black_box(&mut region);
}

/// [`scrub_stack`] over `N` bytes, one volatile store per byte: prefer
/// [`scrub_stack_words`], 8 times fewer stores.
#[inline(never)]
pub fn scrub_stack_bytes<const N: usize>() {
    let mut region = [0u8; N];
    region.zeroize();
    core::hint::black_box(&mut region);
}
