//! signcore on a real embedded target: a `#![no_std]` `#![no_main]` binary for
//! `thumbv7em-none-eabihf` (Cortex-M4F), built with `-Z build-std=core` so that
//! neither `std` nor `alloc` exist: if anything in signcore's dependency graph
//! needed them, this crate would not build.
//!
//! `_start` runs known-answer checks (constants from the RFCs or computed by
//! `kat.py` with Python's hashlib/hmac and a pure-Python RFC 8032 Ed25519),
//! measures the stack each operation uses by painting, enforces the stack
//! budgets and exits through ARM Linux EABI syscalls, so the binary runs under
//! `qemu-arm` in user mode. See README.md.

#![no_std]
#![no_main]

mod checks;
mod kat;
#[cfg(feature = "checkpoint")]
mod kat_checkpoint;
mod out;
mod stack;
mod sys;

use core::panic::PanicInfo;

/// Called by `sys::_start` (the ELF entry point). Nothing of the C runtime
/// exists, nor is any needed: the kernel's ELF loader (or qemu-arm's) maps
/// .data and zeroes .bss.
extern "C" fn main() -> ! {
    let mut r = out::Report::new();
    checks::run(&mut r);
    let failed = r.finish();
    sys::exit(if failed == 0 { 0 } else { 1 })
}

#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    // No formatting machinery on purpose: it would dominate .text.
    out::line(&["FAIL panic"]);
    sys::exit(101)
}
