//! Stack use by painting: fill a region below the current stack pointer with
//! a pattern, run the operation, and find the lowest word that no longer holds
//! the pattern. Done twice with two patterns (an operation could write the
//! pattern's own value by chance) and the larger figure kept.
//!
//! The operation is called through a `black_box`ed `&mut dyn FnMut()`, so it
//! cannot be inlined into the measuring frame: everything it needs beyond its
//! captured inputs and outputs (which live in the caller, as they would in an
//! application) is below the measured stack pointer.

use core::hint::black_box;
use core::ptr::{read_volatile, write_volatile};

/// Bytes painted below the stack pointer. the stack is 8 MiB (qemu-arm's default, Linux's usual rlimit), so
/// this is well inside mapped memory; an operation deeper than this reports
/// `usize::MAX` ("over the region"), which fails any budget.
pub const REGION: usize = 32 * 1024;

const PATTERNS: [u32; 2] = [0xA5C3_5A3C, 0x0F1E_2D4B];

/// Stack bytes used by `f`, the larger of two painted runs.
pub fn measure(f: &mut dyn FnMut()) -> usize {
    let mut max = 0;
    for pat in PATTERNS {
        // SAFETY: the painted region is below the stack pointer, inside the
        // mapped stack, and not in use by any live frame.
        let used = unsafe { measure_once(f, pat) };
        max = max.max(used);
    }
    max
}

#[inline(never)]
unsafe fn measure_once(f: &mut dyn FnMut(), pat: u32) -> usize {
    let top = crate::sys::sp() & !3;
    let bottom = top - REGION;
    // Volatile word writes: the loop stays a register loop (never a memset
    // call whose own frame would land in the region).
    let mut p = bottom;
    while p < top {
        unsafe { write_volatile(p as *mut u32, pat) };
        p += 4;
    }
    let f = black_box(f);
    f();
    let mut p = bottom;
    while p < top && unsafe { read_volatile(p as *const u32) } == pat {
        p += 4;
    }
    if p == bottom { usize::MAX } else { top - p }
}
