//! C ABI for signcore: the same core behind `include/signcore.h`.
//!
//! This crate is thin by design: parsing, cryptography and policy all live
//! in the `signcore` core crate; the functions here check pointers, convert
//! types and map the core's errors to one `signcore_status` enum.
//!
//! Conventions (see `ffi-c/README.md`):
//! - every fallible function returns a `signcore_status` (`SIGNCORE_OK` = 0);
//! - outputs go to caller buffers with explicit capacities and a
//!   written-length out-parameter; a too-small buffer gives
//!   `SIGNCORE_BUFFER_TOO_SMALL`, reports the size needed and writes nothing
//!   else; outputs are written only on success;
//! - every pointer argument is checked for NULL (optional ones say so);
//! - a `signcore_key` lives in caller-owned storage of
//!   `SIGNCORE_KEY_STORAGE_BYTES`; `signcore_key_wipe` zeroizes it;
//! - heap: none in the no_std build (fixed limits: `SIGNCORE_MAX_KEYS`,
//!   `SIGNCORE_MAX_OPEN_MEMBERS`); the std build (the default) uses the heap
//!   where the core does (large objects, rings), so it has those limits only
//!   as stack-table sizes, and for the findings it holds back in
//!   `signcore_verify_chain`;
//! - entry points that handle secret material run their work in a frame of
//!   their own and then overwrite the stack it used (`util::scrubbed`);
//! - with `std`, panics are caught at the boundary (`SIGNCORE_PANIC`);
//!   without it the crate is `#![no_std]`, built with panic = abort.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![allow(non_camel_case_types)]

pub mod archive;
pub mod checkpoint;
pub mod consts;
#[cfg(feature = "std")]
pub mod env;
pub mod host;
pub mod key;
pub mod rsa;
pub mod status;
pub mod text;
mod util;
pub mod verify;

pub use archive::*;
pub use consts::*;
#[cfg(feature = "std")]
pub use env::*;
pub use host::*;
pub use key::*;
pub use rsa::*;
pub use status::*;
pub use text::*;
pub use verify::*;

/// Without `std` there is no unwinding: the crate is built with
/// panic = abort for firmware. The core never panics on any input; should a
/// bug panic anyway, stop here: on Arm a permanently undefined instruction
/// raises a fault the firmware's fault handler sees, elsewhere spin.
#[cfg(all(not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    #[cfg(target_arch = "arm")]
    // SAFETY: `udf` only raises an undefined-instruction exception; it touches
    // no memory and never returns, as `noreturn` says.
    unsafe {
        core::arch::asm!("udf #0", options(noreturn, nomem, nostack))
    }
    #[cfg(not(target_arch = "arm"))]
    loop {
        core::hint::spin_loop();
    }
}

#[cfg(test)]
mod tests;
