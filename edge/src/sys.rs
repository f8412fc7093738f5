//! The process entry point and the two Linux system calls the harness needs,
//! for the two targets it is built for:
//! - ARM EABI (thumbv7em under qemu-arm): `svc 0`, number in r7
//!   (write = 4, exit_group = 248), arguments in r0..r2. r7 is the frame
//!   pointer in Thumb code, so LLVM will not give it to an asm operand: it is
//!   saved in a scratch register, set, and restored by hand.
//! - x86_64: `syscall`, number in rax (write = 1, exit_group = 231).

use core::arch::{asm, naked_asm};

/// Entry point (`-e _start`). The kernel enters with the stack pointer at
/// argc; align it for the C ABI and call [`crate::main`], which never returns.
#[cfg(target_arch = "arm")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    naked_asm!(
        "mov r0, sp",
        "bic r0, r0, #7",
        "mov sp, r0",
        "bl {main}",
        "udf #0",
        main = sym crate::main,
    )
}

#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    naked_asm!(
        "xor ebp, ebp",
        "and rsp, -16",
        "call {main}",
        "ud2",
        main = sym crate::main,
    )
}

/// write(2) to a file descriptor; returns the kernel's result (bytes or -errno).
#[cfg(target_arch = "arm")]
pub fn write(fd: u32, buf: &[u8]) -> isize {
    let ret: isize;
    // SAFETY: write(2) reads `buf.len()` bytes from `buf`, which is a valid slice.
    unsafe {
        asm!(
            "mov {save}, r7",
            "mov r7, {nr}",
            "svc 0",
            "mov r7, {save}",
            save = out(reg) _,
            nr = in(reg) 4u32,
            inlateout("r0") fd as isize => ret,
            in("r1") buf.as_ptr(),
            in("r2") buf.len(),
            options(nostack, readonly),
        );
    }
    ret
}

#[cfg(target_arch = "x86_64")]
pub fn write(fd: u32, buf: &[u8]) -> isize {
    let ret: isize;
    // SAFETY: write(2) reads `buf.len()` bytes from `buf`, which is a valid slice.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") 1isize => ret,
            in("rdi") fd as usize,
            in("rsi") buf.as_ptr(),
            in("rdx") buf.len(),
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack, readonly),
        );
    }
    ret
}

/// exit_group(2): ends the process with `code`.
#[cfg(target_arch = "arm")]
pub fn exit(code: u32) -> ! {
    // SAFETY: exit_group does not return.
    unsafe { asm!("mov r7, {nr}", "svc 0", nr = in(reg) 248u32, in("r0") code, options(noreturn, nostack)) }
}

#[cfg(target_arch = "x86_64")]
pub fn exit(code: u32) -> ! {
    // SAFETY: exit_group does not return.
    unsafe { asm!("syscall", in("rax") 231usize, in("rdi") code as usize, options(noreturn, nostack)) }
}

/// The current stack pointer.
#[inline(always)]
pub fn sp() -> usize {
    let sp: usize;
    // SAFETY: reads the stack pointer only.
    #[cfg(target_arch = "arm")]
    unsafe {
        asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    #[cfg(target_arch = "x86_64")]
    unsafe {
        asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    sp
}

/// Writes all of `buf` to stdout (retrying short writes; gives up on an error).
pub fn write_all(mut buf: &[u8]) {
    while !buf.is_empty() {
        let n = write(1, buf);
        if n <= 0 {
            return;
        }
        buf = &buf[n as usize..];
    }
}
