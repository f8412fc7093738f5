//! RFC 3339 date-times for evidence packages: a strict syntax check (no
//! allocation) and UTC formatting from Unix seconds.
//!
//! Hand-written (some 40 lines) so that the `no_std` verifier can check
//! `created_at` without a date library.
//!
//! ```
//! use signcore::host::rfc3339;
//! let text = rfc3339::format_utc(1_764_547_200);
//! assert_eq!(text.as_str(), "2025-12-01T00:00:00Z");
//! assert!(rfc3339::is_valid("2025-12-01T10:20:30.5+01:00"));
//! assert!(!rfc3339::is_valid("2025-02-30T00:00:00Z"));
//! ```

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub type UtcText = heapless::String<20>;

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn number(bytes: &[u8], at: usize, len: usize) -> Option<u32> {
    let digits = bytes.get(at..at + len)?;
    digits.iter().try_fold(0u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
}

/// True for an RFC 3339 §5.6 `date-time` (`T`/`t`, `Z`/`z` or `±HH:MM`,
/// optional fraction, leap second 60 allowed) with a real calendar date.
pub fn is_valid(text: &str) -> bool {
    let b = text.as_bytes();
    let sep = |at: usize, set: &[u8]| b.get(at).is_some_and(|c| set.contains(c));
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
        (number(b, 0, 4), number(b, 5, 2), number(b, 8, 2), number(b, 11, 2), number(b, 14, 2), number(b, 17, 2))
    else {
        return false;
    };
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt") && sep(13, b":") && sep(16, b":")) {
        return false;
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return false;
    }
    let mut i = 19;
    if sep(i, b".") {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            matches!((number(b, i + 1, 2), sep(i + 3, b":"), number(b, i + 4, 2)), (Some(h), true, Some(m)) if h < 24 && m < 60)
                && i + 6 == b.len()
        }
        _ => false,
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for `unix_seconds` (years 1970..=9999; later
/// times are clamped to 9999-12-31T23:59:59Z).
pub fn format_utc(unix_seconds: u64) -> UtcText {
    let secs = unix_seconds.min(253_402_300_799);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let mut out = UtcText::new();
    let _ = core::fmt::write(
        &mut out,
        format_args!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(format_utc(0).as_str(), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400).as_str(), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(u64::MAX).as_str(), "9999-12-31T23:59:59Z");
        for t in [0, 951_782_400, 1_764_547_200, 4_102_444_799] {
            assert!(is_valid(format_utc(t).as_str()));
        }
    }

    #[test]
    fn syntax() {
        for good in ["2024-02-29T23:59:60Z", "2024-01-01t00:00:00.123456z", "2024-01-01T00:00:00-23:59"] {
            assert!(is_valid(good), "{good}");
        }
        for bad in [
            "",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00+24:00",
            "2024-01-01T00:00:00Zx",
            "2024-1-01T00:00:00Z",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }
}
