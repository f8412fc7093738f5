//! Wiping what secret-handling calls leave on the stack.
//!
//! Rust moves are copies: building a key (hex decoding, the Ed25519 key
//! expansion inside ed25519-dalek, HMAC's padded key blocks inside `hmac`)
//! leaves bytes of the secret in stack frames that have already returned.
//! The core keeps its own intermediates in [`zeroize::Zeroizing`] storage,
//! but frames of upstream crates cannot be reached from here. A host
//! boundary (the C ABI, the Node binding) therefore does its secret work
//! in a callee that is not inlined and then calls [`scrub_stack`], which
//! overwrites the stack region those callees used.

use zeroize::Zeroize;

/// Bytes of stack [`scrub_stack`] overwrites on hosts: more than the
/// deepest secret-handling call of the core uses (Ed25519 signing with key
/// expansion is about 4 KiB, keystore parsing about 2 KiB).
pub const SCRUB_STACK_BYTES: usize = 16 * 1024;

/// Overwrites [`SCRUB_STACK_BYTES`] of stack below the caller's frame with
/// zeros (volatile writes, not optimised away). Call it after the function
/// that handled secret material has returned.
#[inline(never)]
pub fn scrub_stack() {
    scrub_stack_bytes::<SCRUB_STACK_BYTES>();
}

/// [`scrub_stack`] with a chosen size, for small stacks (edge devices):
/// `N` must fit in the stack that is left.
#[inline(never)]
pub fn scrub_stack_bytes<const N: usize>() {
    let mut region = [0u8; N];
    region.zeroize();
    core::hint::black_box(&mut region);
}
