//! The boundary: status conversion, the panic guard, pointer checks and
//! fixed-size text fields. Nothing here parses or computes.

use core::ffi::{CStr, c_char};
use core::fmt::{self, Write as _};

use signcore::Error;

use crate::consts::SIGNCORE_ERROR_MESSAGE_BYTES;
use crate::status::signcore_status::{self, *};
use crate::status::{signcore_error, status_of};

/// Why a call did not succeed: a boundary status or a core error (kept for
/// its message).
pub(crate) enum Fail {
    Status(signcore_status),
    /// A status with a more specific static message than its description.
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    Detail(signcore_status, &'static str),
    /// `SIGNCORE_BUFFER_TOO_SMALL` for an output array counted in `unit`s
    /// (the core's message counts bytes).
    TooSmall {
        needed: usize,
        unit: &'static str,
    },
    Core(Error),
    /// An error of the host API (files, directories): its code's status and
    /// its message (paths and OS error kinds, never secrets).
    #[cfg(feature = "std")]
    Host(signcore::host::HostError),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Core(e)
    }
}

impl From<signcore_status> for Fail {
    fn from(s: signcore_status) -> Self {
        Fail::Status(s)
    }
}

pub(crate) type Outcome = Result<(), Fail>;

/// Runs `body` behind the panic boundary (with `std`), converts its outcome
/// to a status and, when `error` is not NULL, writes the details there.
pub(crate) fn guard(error: *mut signcore_error, body: impl FnOnce() -> Outcome) -> signcore_status {
    let outcome = catch(body);
    let status = match &outcome {
        Ok(()) => SIGNCORE_OK,
        Err(Fail::Status(s) | Fail::Detail(s, _)) => *s,
        Err(Fail::TooSmall { .. }) => SIGNCORE_BUFFER_TOO_SMALL,
        Err(Fail::Core(e)) => status_of(e),
        #[cfg(feature = "std")]
        Err(Fail::Host(e)) => crate::status::status_for_code(e.code()),
    };
    if !error.is_null() && error.is_aligned() {
        let details = details(status, outcome.err());
        // SAFETY: `error` is non-NULL and aligned; the caller promises it points
        // to writable storage for one `signcore_error` (documented on every
        // function that takes one). `write` does not read the old contents.
        unsafe { error.write(details) };
    }
    status
}

#[cfg(feature = "std")]
fn catch(body: impl FnOnce() -> Outcome) -> Outcome {
    // The closures only touch caller memory through raw pointers and locals;
    // after a panic nothing of theirs is observed again, so unwind safety holds.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or(Err(Fail::Status(SIGNCORE_PANIC)))
}

#[cfg(not(feature = "std"))]
fn catch(body: impl FnOnce() -> Outcome) -> Outcome {
    // panic = abort: a panic never returns here (see the panic handler).
    body()
}

fn details(status: signcore_status, fail: Option<Fail>) -> signcore_error {
    let mut message = Text::<SIGNCORE_ERROR_MESSAGE_BYTES>::new();
    let (mut offset, mut record_index) = (usize::MAX, usize::MAX);
    match &fail {
        None => {}
        Some(Fail::Core(e)) => {
            // The core's messages never contain secret material.
            let _ = write!(message, "{e}");
            match e {
                Error::Json(j) => offset = j.offset,
                Error::Record(r) => record_index = r.index,
                _ => {}
            }
        }
        Some(Fail::Status(s)) => {
            let _ = message.write_str(s.describe().to_str().unwrap_or(""));
        }
        Some(Fail::Detail(_, text)) => {
            let _ = message.write_str(text);
        }
        #[cfg(feature = "std")]
        Some(Fail::Host(e)) => {
            // Paths, actions and OS error kinds; the host API never puts
            // secret material in its messages.
            let _ = write!(message, "{e}");
        }
        Some(Fail::TooSmall { needed, unit }) => {
            let _ = write!(message, "output array too small: {needed} {unit} needed");
        }
    }
    signcore_error { status, offset, record_index, message: message.into_c_chars() }
}

/// Fixed-capacity, NUL-terminated UTF-8 text: writes past the capacity are
/// cut at a character boundary, so the text stays valid UTF-8.
pub(crate) struct Text<const N: usize> {
    buf: [u8; N],
    len: usize,
    full: bool,
}

impl<const N: usize> Text<N> {
    pub(crate) fn new() -> Self {
        Text { buf: [0; N], len: 0, full: false }
    }

    /// Copies `s` (which may contain NUL bytes) and returns how many bytes
    /// were kept.
    pub(crate) fn from_str(s: &str) -> (Self, usize) {
        let mut text = Self::new();
        let _ = text.write_str(s);
        let len = text.len;
        (text, len)
    }

    pub(crate) fn into_c_chars(self) -> [c_char; N] {
        // `c_char` is `i8` or `u8` depending on the target: same bits either way.
        self.buf.map(|b| b as c_char)
    }
}

impl<const N: usize> fmt::Write for Text<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.full {
            return Ok(());
        }
        // Keep one byte for the NUL terminator.
        let room = N.saturating_sub(1).saturating_sub(self.len);
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        if take < s.len() {
            self.full = true;
        }
        if let (Some(dst), Some(src)) = (self.buf.get_mut(self.len..self.len + take), s.as_bytes().get(..take)) {
            dst.copy_from_slice(src);
            self.len += take;
        }
        Ok(())
    }
}

/// A required input buffer: NULL is an error even when `len` is 0.
///
/// # Safety
/// When `ptr` is not NULL it must point to `len` readable bytes that stay
/// unchanged for `'a`.
pub(crate) unsafe fn input<'a>(ptr: *const c_char, len: usize) -> Result<&'a [u8], Fail> {
    if ptr.is_null() {
        return Err(SIGNCORE_NULL_POINTER.into());
    }
    if len > isize::MAX as usize {
        return Err(SIGNCORE_INVALID_ARGUMENT.into());
    }
    // SAFETY: non-NULL, `len` <= isize::MAX, and the caller promises `len`
    // readable bytes; u8 has alignment 1 and every bit pattern is valid.
    Ok(unsafe { core::slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

/// Same as [`input`] for `uint8_t` buffers.
///
/// # Safety
/// As [`input`].
pub(crate) unsafe fn input_bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Fail> {
    // SAFETY: forwarded caller contract.
    unsafe { input(ptr.cast(), len) }
}

/// A required NUL-terminated UTF-8 string.
///
/// # Safety
/// When `ptr` is not NULL it must point to a NUL-terminated string that
/// stays unchanged for `'a`.
pub(crate) unsafe fn c_str<'a>(ptr: *const c_char) -> Result<&'a str, Fail> {
    if ptr.is_null() {
        return Err(SIGNCORE_NULL_POINTER.into());
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let s = unsafe { CStr::from_ptr(ptr) };
    s.to_str().map_err(|_| SIGNCORE_INVALID_UTF8.into())
}

/// Checks a required pointer.
pub(crate) fn required<T>(ptr: *const T) -> Result<(), Fail> {
    if ptr.is_null() { Err(SIGNCORE_NULL_POINTER.into()) } else { Ok(()) }
}

/// Checks a required output pointer: non-NULL and aligned for `T`.
pub(crate) fn out_ptr<T>(ptr: *mut T) -> Result<(), Fail> {
    if ptr.is_null() {
        Err(SIGNCORE_NULL_POINTER.into())
    } else if !ptr.is_aligned() {
        Err(SIGNCORE_INVALID_ARGUMENT.into())
    } else {
        Ok(())
    }
}

/// An output buffer with a capacity: NULL is allowed only with capacity 0
/// (a size query).
pub(crate) fn out_buffer<T>(ptr: *mut T, cap: usize) -> Result<(), Fail> {
    if ptr.is_null() && cap != 0 {
        Err(SIGNCORE_NULL_POINTER.into())
    } else if !ptr.is_aligned() || cap > isize::MAX as usize / core::mem::size_of::<T>().max(1) {
        Err(SIGNCORE_INVALID_ARGUMENT.into())
    } else {
        Ok(())
    }
}

/// Refuses an output range that overlaps an input range.
pub(crate) fn disjoint(input: &[u8], out: *const u8, out_len: usize) -> Result<(), Fail> {
    let (a, a_end) = (input.as_ptr() as usize, input.as_ptr() as usize + input.len());
    let (b, b_end) = (out as usize, (out as usize).saturating_add(out_len));
    if a < b_end && b < a_end { Err(SIGNCORE_INVALID_ARGUMENT.into()) } else { Ok(()) }
}

/// Copies `bytes` to `out`, which the caller checked holds `bytes.len()`.
///
/// # Safety
/// `out` must be valid for `bytes.len()` writes and not overlap `bytes`.
pub(crate) unsafe fn copy_out(bytes: &[u8], out: *mut u8) {
    // SAFETY: forwarded caller contract.
    unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), out, bytes.len()) }
}

/// Writes `value` through a pointer checked with [`out_ptr`].
///
/// # Safety
/// `ptr` must be non-NULL, aligned and valid for one write of `T`.
pub(crate) unsafe fn put<T>(ptr: *mut T, value: T) {
    // SAFETY: forwarded caller contract; `write` does not drop the old value.
    unsafe { ptr.write(value) }
}

/// Bytes of stack [`scrubbed`] overwrites: the core's
/// `secret::SCRUB_STACK_BYTES` (16 KiB) on hosts; 8 KiB without `std`
/// (firmware stacks are small; the deepest secret-handling call of the
/// core, chain verification with an HMAC ring, uses about 8.5 KiB there).
#[cfg(feature = "std")]
pub(crate) const SCRUB_BYTES: usize = signcore::secret::SCRUB_STACK_BYTES;
/// Bytes of stack [`scrubbed`] overwrites (no `std`: firmware stacks).
#[cfg(not(feature = "std"))]
pub(crate) const SCRUB_BYTES: usize = 8 * 1024;

/// Bytes of stack sign and verify overwrite ([`scrubbed_words`]): they are
/// called per event, so they scrub what they use (measured by
/// `tests/c/stack_scan.c`: HMAC sign 1.5 KiB, Ed25519 sign 2.8 KiB, HMAC
/// verify 1.1 KiB on x86_64; Ed25519 signing 3.5 KiB on Cortex-M) rather
/// than the full [`SCRUB_BYTES`].
pub(crate) const SIGN_SCRUB_BYTES: usize = 4 * 1024;
/// [`SIGN_SCRUB_BYTES`] in 64-bit words.
pub(crate) const SIGN_SCRUB_WORDS: usize = SIGN_SCRUB_BYTES / 8;

/// Runs `work` (an entry point's body that handles secret material) in a
/// frame of its own below the caller's, then overwrites the stack it used
/// ([`SCRUB_BYTES`] below the entry point's frame): Rust moves are copies,
/// and the core's upstream crates (hmac, sha2, ed25519-dalek) leave key
/// bytes in frames that have returned. Inlined into the entry point, so the
/// entry point's own frame holds nothing but the status.
#[inline(always)]
pub(crate) fn scrubbed(work: impl FnOnce() -> signcore_status) -> signcore_status {
    scrubbed_words::<{ SCRUB_BYTES / 8 }>(work)
}

/// [`scrubbed`] overwriting `W` 64-bit words (`8 * W` bytes).
#[inline(always)]
pub(crate) fn scrubbed_words<const W: usize>(work: impl FnOnce() -> signcore_status) -> signcore_status {
    let status = in_own_frame(work);
    signcore::secret::scrub_stack_words::<W>();
    status
}

#[inline(never)]
fn in_own_frame<F: FnOnce() -> signcore_status>(work: F) -> signcore_status {
    work()
}
