//! Line output without `core::fmt` (which would dominate `.text`) and the
//! pass/fail tally.

use crate::sys;

/// Writes the parts, separated by nothing, then a newline, in one write(2).
pub fn line(parts: &[&str]) {
    let mut buf = [0u8; 160];
    let mut n = 0;
    for p in parts.iter().chain(core::iter::once(&"\n")) {
        for &b in p.as_bytes() {
            if n < buf.len() {
                buf[n] = b;
                n += 1;
            }
        }
    }
    sys::write_all(&buf[..n]);
}

/// Decimal text of `v` in `buf`.
pub fn dec(mut v: usize, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // SAFETY: only ASCII digits were written to buf[i..].
    unsafe { core::str::from_utf8_unchecked(&buf[i..]) }
}

/// The stack budgets are the embedded target's (thumbv7em); other builds
/// (the x86_64 host proof) print their figures without enforcing them.
#[allow(dead_code)]
pub fn budget(bytes: usize) -> Option<usize> {
    if cfg!(target_arch = "arm") { Some(bytes) } else { None }
}

pub struct Report {
    passed: usize,
    failed: usize,
}

impl Report {
    pub fn new() -> Self {
        Report { passed: 0, failed: 0 }
    }

    /// One known-answer check: prints `ok <name>` or `FAIL <name>`.
    pub fn check(&mut self, name: &str, ok: bool) {
        self.check_parts(&[name], ok)
    }

    /// [`Report::check`] with a name made of parts.
    pub fn check_parts(&mut self, name: &[&str], ok: bool) {
        let verdict = if ok { "ok " } else { "FAIL " };
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        let mut parts = [""; 4];
        parts[0] = verdict;
        for (slot, p) in parts[1..].iter_mut().zip(name) {
            *slot = p;
        }
        line(&parts);
    }

    /// One stack figure: prints `stack <name> <bytes>`, with the budget and
    /// verdict when there is one; a figure over budget is a failure.
    pub fn stack(&mut self, name: &str, bytes: usize, budget: Option<usize>) {
        let mut a = [0u8; 20];
        let mut b = [0u8; 20];
        let shown = if bytes == usize::MAX { ">region" } else { dec(bytes, &mut a) };
        match budget {
            None => line(&["stack ", name, " ", shown]),
            Some(max) => {
                let ok = bytes <= max;
                if ok {
                    self.passed += 1;
                } else {
                    self.failed += 1;
                }
                line(&[
                    "stack ",
                    name,
                    " ",
                    shown,
                    " budget ",
                    dec(max, &mut b),
                    if ok { " ok" } else { " FAIL" },
                ]);
            }
        }
    }

    /// Prints the closing tally and returns the number of failures.
    pub fn finish(&self) -> usize {
        let mut a = [0u8; 20];
        let mut b = [0u8; 20];
        line(&["edge: ", dec(self.passed, &mut a), " passed, ", dec(self.failed, &mut b), " failed"]);
        self.failed
    }
}
