//! Internal strict JSON scanner shared by the canonicalizer, the chain
//! reader, the ring/keystore splitter and the manifest reader.
//!
//! It validates RFC 8259 syntax plus the I-JSON rules that can be checked
//! locally (UTF-8, no lone surrogates, no control characters in strings).
//! Duplicate member names are checked by whoever sorts or reads members.
//! Every loop is bounded by the input length and nesting is tracked with a
//! bit stack, so no input can overflow the call stack.

use core::cmp::Ordering;

use crate::error::{JsonError, JsonErrorKind};

/// Deepest nesting of arrays and objects accepted anywhere in the crate.
pub const MAX_DEPTH: usize = 64;

/// A byte range `[start, end)` of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn of<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        bytes.get(self.start..self.end).unwrap_or(&[])
    }
}

pub(crate) fn err(kind: JsonErrorKind, offset: usize) -> JsonError {
    JsonError { kind, offset }
}

#[inline]
pub(crate) fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(pos) {
        pos += 1;
    }
    pos
}

/// Expects `byte` at `pos` (after white space); returns the position after it.
pub(crate) fn expect(bytes: &[u8], pos: usize, byte: u8) -> Result<usize, JsonError> {
    let pos = skip_ws(bytes, pos);
    match bytes.get(pos) {
        Some(&b) if b == byte => Ok(pos + 1),
        Some(_) => Err(err(JsonErrorKind::UnexpectedByte, pos)),
        None => Err(err(JsonErrorKind::UnexpectedEnd, pos)),
    }
}

/// Scans the string whose opening quote is at `pos`. Returns the span of its
/// raw (still escaped) content and the position after the closing quote.
pub(crate) fn scan_string(bytes: &[u8], pos: usize) -> Result<(Span, usize), JsonError> {
    if bytes.get(pos) != Some(&b'"') {
        return Err(err(JsonErrorKind::UnexpectedByte, pos));
    }
    let start = pos + 1;
    let mut i = start;
    loop {
        i = skip_plain(bytes, i);
        while let Some(&b) = bytes.get(i) {
            if b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b) {
                break;
            }
            i += 1;
        }
        let Some(&b) = bytes.get(i) else {
            return Err(err(JsonErrorKind::UnexpectedEnd, i));
        };
        match b {
            b'"' => return Ok((Span { start, end: i }, i + 1)),
            b'\\' => i = scan_escape(bytes, i)?,
            0x00..=0x1f => return Err(err(JsonErrorKind::ControlCharacter, i)),
            _ => i = scan_utf8(bytes, i)?,
        }
    }
}

/// Every byte 0x01 (SWAR byte tests, here and in `stringified`).
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// Every byte's high bit.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// Non-zero when some byte of `v` is zero (SWAR; exact as a yes/no test,
/// and for the lowest such byte).
#[inline]
pub(crate) fn zero_byte(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGH
}

/// Skips bytes that need no attention inside a string (printable ASCII
/// other than `"` and `\\`), eight at a time.
#[inline]
pub(crate) fn skip_plain(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let special = zero_byte(word ^ (ONES * u64::from(b'"')))
            | zero_byte(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGH)
            | (word & HIGH);
        if special != 0 {
            // The lowest flagged byte is exact (borrows only run upwards),
            // so this is the first byte that needs attention.
            return i + (special.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

/// Finds the end of the value at `pos` (no white space before it) without
/// validating it: strings by their closing quote, containers by bracket
/// matching, scalars up to the next delimiter. For callers that validate
/// the value itself later and check that it ends where this says. It keeps
/// a counter, not a stack, so it needs no depth limit: with `depth: None`
/// whoever validates the value applies [`MAX_DEPTH`] to it (an event's
/// payload has its own budget, whatever the archive around it); with
/// `Some(depth)` (the nesting around the value) deeper content is
/// [`JsonErrorKind::NestingTooDeep`] at once.
pub(crate) fn find_value_end(bytes: &[u8], pos: usize, depth: Option<usize>) -> Result<usize, JsonError> {
    if !matches!(bytes.get(pos), Some(b'[' | b'{')) {
        return delimit_scalar(bytes, pos);
    }
    // A container: match brackets, stepping over strings whole.
    let mut level = 0usize;
    let mut i = pos;
    loop {
        // Inside a container only quotes and brackets matter.
        while let Some(&b) = bytes.get(i) {
            if STRUCTURAL[usize::from(b)] >= 2 {
                break;
            }
            i += 1;
        }
        match bytes.get(i) {
            None => return Err(err(JsonErrorKind::UnexpectedEnd, i)),
            Some(b'"') => i = string_end(bytes, i)?,
            Some(b'[' | b'{') => {
                if depth.is_some_and(|d| d + level >= MAX_DEPTH) {
                    return Err(err(JsonErrorKind::NestingTooDeep, i));
                }
                level += 1;
                i += 1;
            }
            Some(_) => {
                level = level.saturating_sub(1);
                i += 1;
                if level == 0 {
                    return Ok(i);
                }
            }
        }
    }
}

/// [`find_value_end`] of a value that is not an array or object.
#[inline(always)]
fn delimit_scalar(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    match bytes.get(pos) {
        Some(b'"') => string_end(bytes, pos),
        Some(_) => {
            // A scalar: up to the next structural byte or white space.
            let len = bytes.get(pos..).unwrap_or(&[]).iter().position(|&b| STRUCTURAL[usize::from(b)] != 0);
            match len {
                Some(0) => Err(err(JsonErrorKind::UnexpectedByte, pos)),
                Some(n) => Ok(pos + n),
                None => Ok(bytes.len()),
            }
        }
        None => Err(err(JsonErrorKind::UnexpectedEnd, pos)),
    }
}

/// The position after the closing quote of the string at `pos`, found
/// without validating its content.
fn string_end(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    closing_quote(bytes, pos + 1).map(|q| q + 1).ok_or(err(JsonErrorKind::UnexpectedEnd, bytes.len()))
}

/// The position of the first quote at or after `from` that no backslash
/// escapes: the end of a string whose content is not validated here.
pub(crate) fn closing_quote(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        i = skip_plain(bytes, i);
        match bytes.get(i)? {
            b'"' => return Some(i),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// Byte classes for [`find_value_end`]: 0 = part of a scalar, 1 = white
/// space or `,` `:` (ends a scalar), 2 = `"`, 3 = a bracket.
static STRUCTURAL: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = 1;
    t[b'\t' as usize] = 1;
    t[b'\n' as usize] = 1;
    t[b'\r' as usize] = 1;
    t[b',' as usize] = 1;
    t[b':' as usize] = 1;
    t[b'"' as usize] = 2;
    t[b'[' as usize] = 3;
    t[b']' as usize] = 3;
    t[b'{' as usize] = 3;
    t[b'}' as usize] = 3;
    t
};

/// Validates one multi-byte UTF-8 sequence at `i` (RFC 3629: no overlongs, no
/// surrogates, nothing above U+10FFFF); returns the position after it.
fn scan_utf8(bytes: &[u8], i: usize) -> Result<usize, JsonError> {
    let bad = || err(JsonErrorKind::InvalidUtf8, i);
    let lead = bytes[i];
    let (len, lo, hi) = match lead {
        0xc2..=0xdf => (2, 0x80, 0xbf),
        0xe0 => (3, 0xa0, 0xbf),
        0xe1..=0xec | 0xee..=0xef => (3, 0x80, 0xbf),
        0xed => (3, 0x80, 0x9f),
        0xf0 => (4, 0x90, 0xbf),
        0xf1..=0xf3 => (4, 0x80, 0xbf),
        0xf4 => (4, 0x80, 0x8f),
        _ => return Err(bad()),
    };
    let second = *bytes.get(i + 1).ok_or_else(bad)?;
    if !(lo..=hi).contains(&second) {
        return Err(bad());
    }
    for k in 2..len {
        let b = *bytes.get(i + k).ok_or_else(bad)?;
        if !(0x80..=0xbf).contains(&b) {
            return Err(bad());
        }
    }
    Ok(i + len)
}

fn hex4(bytes: &[u8], pos: usize) -> Option<u16> {
    let mut v: u16 = 0;
    for k in 0..4 {
        let d = match *bytes.get(pos + k)? {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'a'..=b'f' => c - b'a' + 10,
            c @ b'A'..=b'F' => c - b'A' + 10,
            _ => return None,
        };
        v = (v << 4) | u16::from(d);
    }
    Some(v)
}

/// Validates the escape at `i` (a backslash); returns the position after it.
fn scan_escape(bytes: &[u8], i: usize) -> Result<usize, JsonError> {
    match bytes.get(i + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 2),
        Some(b'u') => {
            let unit = hex4(bytes, i + 2).ok_or(err(JsonErrorKind::InvalidEscape, i))?;
            match unit {
                0xd800..=0xdbff => {
                    let low = if bytes.get(i + 6) == Some(&b'\\') && bytes.get(i + 7) == Some(&b'u') {
                        hex4(bytes, i + 8)
                    } else {
                        None
                    };
                    match low {
                        Some(0xdc00..=0xdfff) => Ok(i + 12),
                        _ => Err(err(JsonErrorKind::LoneSurrogate, i)),
                    }
                }
                0xdc00..=0xdfff => Err(err(JsonErrorKind::LoneSurrogate, i)),
                _ => Ok(i + 6),
            }
        }
        Some(_) => Err(err(JsonErrorKind::InvalidEscape, i)),
        None => Err(err(JsonErrorKind::UnexpectedEnd, i + 1)),
    }
}

/// Iterates the decoded characters of a raw string span already validated by
/// [`scan_string`]. On malformed input (not reachable after validation) it
/// stops instead of panicking.
pub(crate) struct Chars<'a> {
    raw: &'a [u8],
    pos: usize,
}

impl<'a> Chars<'a> {
    pub fn new(raw: &'a [u8]) -> Self {
        Chars { raw, pos: 0 }
    }
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let b = *self.raw.get(self.pos)?;
        if b == b'"' {
            // An unescaped quote ends the string (see `cmp_utf16`).
            return None;
        }
        if b == b'\\' {
            let (c, len) = decode_escape(self.raw, self.pos)?;
            self.pos += len;
            return Some(c);
        }
        let len = match b {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        };
        let s = core::str::from_utf8(self.raw.get(self.pos..self.pos + len)?).ok()?;
        self.pos += len;
        s.chars().next()
    }
}

/// Decodes the validated escape at `i`; returns the character and its length.
pub(crate) fn decode_escape(raw: &[u8], i: usize) -> Option<(char, usize)> {
    let c = match *raw.get(i + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let unit = hex4(raw, i + 2)?;
            if (0xd800..=0xdbff).contains(&unit) {
                let low = hex4(raw, i + 8)?;
                let cp = 0x10000 + ((u32::from(unit) - 0xd800) << 10) + (u32::from(low) - 0xdc00);
                return Some((char::from_u32(cp)?, 12));
            }
            return Some((char::from_u32(u32::from(unit))?, 6));
        }
        _ => return None,
    };
    Some((c, 2))
}

/// The byte at `i` of a raw string that ends at the end of `s` or at its
/// first unescaped `"` (so a member name can be compared in place, without
/// finding its end first); `None` past the end.
#[inline]
fn raw_byte(s: &[u8], i: usize) -> Option<u8> {
    match s.get(i) {
        None | Some(b'"') => None,
        Some(&c) => Some(c),
    }
}

/// Compares two validated raw strings by the UTF-16 code units of their
/// decoded values, as RFC 8785 §3.2.3 orders member names. Each string ends
/// at the end of its slice or at its first unescaped `"`, whichever comes
/// first: the one comparison for keystore ids (exact spans) and member names
/// (compared in place in the input).
pub(crate) fn cmp_utf16(a: &[u8], b: &[u8]) -> Ordering {
    // Fast path: walk the common prefix byte by byte. Without an escape in
    // the prefix, both strings decode to the same characters so far, and the
    // first differing bytes decide: UTF-8 byte order is code point order,
    // which is UTF-16 order except when a supplementary character (lead byte
    // F0..F4) meets one of U+E000..U+FFFF (lead byte EE or EF).
    let mut i = 0;
    loop {
        match (raw_byte(a, i), raw_byte(b, i)) {
            (Some(x), Some(y)) if x == y && x != b'\\' => i += 1,
            (Some(x), Some(y)) if x != b'\\' && y != b'\\' => {
                let supplementary_vs_high_bmp = |p: u8, q: u8| p >= 0xf0 && (0xee..=0xef).contains(&q);
                if supplementary_vs_high_bmp(x, y) {
                    return Ordering::Less;
                }
                if supplementary_vs_high_bmp(y, x) {
                    return Ordering::Greater;
                }
                return x.cmp(&y);
            }
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            _ => break,
        }
    }
    cmp_utf16_decoded(a, b)
}

/// The general case of [`cmp_utf16`]: decode escapes, compare characters by
/// [`utf16_order`].
fn cmp_utf16_decoded(a: &[u8], b: &[u8]) -> Ordering {
    Chars::new(a).map(utf16_order).cmp(Chars::new(b).map(utf16_order))
}

/// A key that orders characters as their UTF-16 code units do: U+0000..U+D7FF
/// first, then the supplementary planes (high surrogates D800..DBFF), then
/// U+E000..U+FFFF. (Two supplementary characters compare as their code points.)
fn utf16_order(c: char) -> u32 {
    match c as u32 {
        cp @ 0..=0xd7ff => cp,
        cp @ 0x10000.. => 0xd800 + (cp - 0x10000),
        cp => cp + 0x10_0000,
    }
}

/// True when the validated raw string decodes to exactly `name`.
pub(crate) fn str_eq(raw: &[u8], name: &str) -> bool {
    if !raw.contains(&b'\\') {
        return raw == name.as_bytes();
    }
    Chars::new(raw).eq(name.chars())
}

/// True when the validated raw string decodes to at most `max` UTF-8 bytes.
pub(crate) fn decoded_fits(raw: &[u8], max: usize) -> bool {
    Chars::new(raw).map(char::len_utf8).sum::<usize>() <= max
}

/// Decodes a validated raw string into a bounded string; `None` when it
/// does not fit.
pub(crate) fn decode_string<const N: usize>(raw: &[u8]) -> Option<heapless::String<N>> {
    let mut out = heapless::String::new();
    for c in Chars::new(raw) {
        out.push(c).ok()?;
    }
    Some(out)
}

/// Scans a number at `pos` per the RFC 8259 grammar; returns its span end.
pub(crate) fn scan_number(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    let digits = |mut i: usize| {
        while let Some(b'0'..=b'9') = bytes.get(i) {
            i += 1;
        }
        i
    };
    let mut i = pos;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i + 1),
        _ => return Err(err(JsonErrorKind::InvalidNumber, pos)),
    }
    if bytes.get(i) == Some(&b'.') {
        let j = digits(i + 1);
        if j == i + 1 {
            return Err(err(JsonErrorKind::InvalidNumber, pos));
        }
        i = j;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = bytes.get(i) {
            i += 1;
        }
        let j = digits(i);
        if j == i {
            return Err(err(JsonErrorKind::InvalidNumber, pos));
        }
        i = j;
    }
    Ok(i)
}

fn scan_literal(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    for lit in [&b"true"[..], b"false", b"null"] {
        if bytes.get(pos..pos + lit.len()) == Some(lit) {
            return Ok(pos + lit.len());
        }
    }
    Err(err(JsonErrorKind::UnexpectedByte, pos))
}

/// Scans one scalar (string, number, literal) at `pos` (no white space).
pub(crate) fn scan_scalar(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    match bytes.get(pos) {
        Some(b'"') => scan_string(bytes, pos).map(|(_, end)| end),
        Some(b'-' | b'0'..=b'9') => scan_number(bytes, pos),
        Some(_) => scan_literal(bytes, pos),
        None => Err(err(JsonErrorKind::UnexpectedEnd, pos)),
    }
}

/// What a walk of one value ([`walk_value`]) reports besides its end: the
/// canonicalizer's span cache records objects through it. A method that
/// returns `false` stops the walk with an error. `()` reports nothing.
pub(crate) trait Visit {
    /// Scalars are only delimited (as [`find_value_end`] does; strings by
    /// their closing quote), not validated: the caller validates them.
    const DELIMIT_SCALARS: bool = false;
    /// An object opens at `pos` (its `{`).
    fn object(&mut self, _pos: usize) -> bool {
        true
    }
    /// A member name of the innermost open object opens at `quote`.
    fn name(&mut self, _quote: usize) -> bool {
        true
    }
    /// The innermost open object ends at `end` (after its `}`).
    fn object_end(&mut self, _end: usize) -> bool {
        true
    }
}

impl Visit for () {}

/// Skips the value starting at `pos` (after white space), validating its
/// syntax; `depth` is the nesting already open around it. Returns its end.
pub(crate) fn skip_value(bytes: &[u8], pos: usize, depth: usize) -> Result<usize, JsonError> {
    walk_value(bytes, pos, depth, &mut ())
}

/// [`skip_value`], reporting objects and member names to `visit`: the one
/// walk of the grammar with a stack (a 128-bit kind stack, no frames).
pub(crate) fn walk_value<V: Visit>(bytes: &[u8], pos: usize, depth: usize, visit: &mut V) -> Result<usize, JsonError> {
    let stop = |pos| err(JsonErrorKind::TooManyMembers, pos);
    let mut pos = skip_ws(bytes, pos);
    // Bit i set: level i is an object. Depth is capped by MAX_DEPTH < 128.
    let mut kinds: u128 = 0;
    let mut level: usize = 0;
    loop {
        // At a value position.
        match bytes.get(pos) {
            Some(&open @ (b'[' | b'{')) => {
                if depth + level >= MAX_DEPTH {
                    return Err(err(JsonErrorKind::NestingTooDeep, pos));
                }
                let is_obj = open == b'{';
                if is_obj && !visit.object(pos) {
                    return Err(stop(pos));
                }
                kinds = (kinds & !(1u128 << level)) | (u128::from(is_obj) << level);
                level += 1;
                pos = skip_ws(bytes, pos + 1);
                let close = if is_obj { b'}' } else { b']' };
                if bytes.get(pos) == Some(&close) {
                    pos += 1;
                    level -= 1;
                    if is_obj && !visit.object_end(pos) {
                        return Err(stop(pos));
                    }
                } else {
                    if is_obj {
                        if !visit.name(pos) {
                            return Err(stop(pos));
                        }
                        pos = member_key(bytes, pos)?;
                    }
                    continue;
                }
            }
            _ if V::DELIMIT_SCALARS => pos = delimit_scalar(bytes, pos)?,
            _ => pos = scan_scalar(bytes, pos)?,
        }
        // After a value: close containers or move to the next element.
        loop {
            if level == 0 {
                return Ok(pos);
            }
            let is_obj = kinds & (1u128 << (level - 1)) != 0;
            pos = skip_ws(bytes, pos);
            match (bytes.get(pos), is_obj) {
                (Some(b','), _) => {
                    pos = skip_ws(bytes, pos + 1);
                    if is_obj {
                        if !visit.name(pos) {
                            return Err(stop(pos));
                        }
                        pos = member_key(bytes, pos)?;
                    }
                    break;
                }
                (Some(b']'), false) | (Some(b'}'), true) => {
                    pos += 1;
                    level -= 1;
                    if is_obj && !visit.object_end(pos) {
                        return Err(stop(pos));
                    }
                }
                (Some(_), _) => return Err(err(JsonErrorKind::UnexpectedByte, pos)),
                (None, _) => return Err(err(JsonErrorKind::UnexpectedEnd, pos)),
            }
        }
        pos = skip_ws(bytes, pos);
    }
}

/// Scans `"name" :` at `pos`; returns the position of the value (after ws).
fn member_key(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    let (_, after) = scan_string(bytes, pos)?;
    Ok(skip_ws(bytes, expect(bytes, after, b':')?))
}

/// One member of an object: its raw name and the span of its value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Member {
    pub name: Span,
    pub value: Span,
}

/// The walk shared by [`Members`] and [`Elements`]: separators, the closing
/// bracket, value delimiting (validating or not) and the stop after an error.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    close: u8,
    validate: bool,
    /// When only delimiting: still apply [`MAX_DEPTH`] to what is inside.
    limit_depth: bool,
    state: u8, // 0 = before the first item, 1 = after an item, 2 = done
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8], pos: usize, depth: usize, open: u8, close: u8) -> Result<Self, JsonError> {
        let pos = expect(bytes, pos, open)?;
        if depth >= MAX_DEPTH {
            return Err(err(JsonErrorKind::NestingTooDeep, pos - 1));
        }
        Ok(Cursor { bytes, pos, depth: depth + 1, close, validate: true, limit_depth: false, state: 0 })
    }

    /// The start of the next item, or `None` after the closing bracket.
    fn next_start(&mut self) -> Option<Result<usize, JsonError>> {
        if self.state == 2 {
            return None;
        }
        let mut pos = skip_ws(self.bytes, self.pos);
        match self.bytes.get(pos) {
            Some(&b) if b == self.close => {
                self.state = 2;
                self.pos = pos + 1;
                return None;
            }
            Some(b',') if self.state == 1 => pos = skip_ws(self.bytes, pos + 1),
            Some(_) if self.state == 1 => return self.fail(err(JsonErrorKind::UnexpectedByte, pos)),
            None => return self.fail(err(JsonErrorKind::UnexpectedEnd, pos)),
            _ => {}
        }
        Some(Ok(pos))
    }

    fn value_end(&self, start: usize) -> Result<usize, JsonError> {
        if self.validate {
            skip_value(self.bytes, start, self.depth)
        } else {
            find_value_end(self.bytes, start, self.limit_depth.then_some(self.depth))
        }
    }

    fn finish<T>(&mut self, item: Result<(T, usize), JsonError>) -> Option<Result<T, JsonError>> {
        match item {
            Ok((item, end)) => {
                self.pos = end;
                self.state = 1;
                Some(Ok(item))
            }
            Err(e) => self.fail(e),
        }
    }

    fn fail<T>(&mut self, e: JsonError) -> Option<Result<T, JsonError>> {
        self.state = 2;
        Some(Err(e))
    }
}

/// Iterates the members of the object at `pos` (its `{`), validating syntax
/// of every value. `depth` is the nesting around the object.
pub(crate) struct Members<'a>(Cursor<'a>);

impl<'a> Members<'a> {
    pub fn new(bytes: &'a [u8], pos: usize, depth: usize) -> Result<Self, JsonError> {
        Cursor::new(bytes, pos, depth, b'{', b'}').map(Members)
    }

    /// Only delimits member values instead of validating them, for input
    /// that has been validated already (or that the caller validates).
    pub fn delimit_only(mut self) -> Self {
        self.0.validate = false;
        self
    }

    /// Like [`Members::delimit_only`], but content nested deeper than
    /// [`MAX_DEPTH`] (counting the nesting around the object) is an error at
    /// once: the canonicalizer's reading of an object.
    pub fn delimit_within_depth(mut self) -> Self {
        self.0.validate = false;
        self.0.limit_depth = true;
        self
    }

    /// Position after the closing brace, once iteration has finished.
    pub fn end(&self) -> usize {
        self.0.pos
    }
}

impl Iterator for Members<'_> {
    type Item = Result<Member, JsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = match self.0.next_start()? {
            Ok(start) => start,
            Err(e) => return Some(Err(e)),
        };
        let bytes = self.0.bytes;
        let member = scan_string(bytes, start).and_then(|(name, after)| {
            let value = skip_ws(bytes, expect(bytes, after, b':')?);
            let end = self.0.value_end(value)?;
            Ok((Member { name, value: Span { start: value, end } }, end))
        });
        self.0.finish(member)
    }
}

/// Iterates the elements of the array at `pos` (its `[`).
pub(crate) struct Elements<'a>(Cursor<'a>);

impl<'a> Elements<'a> {
    pub fn new(bytes: &'a [u8], pos: usize, depth: usize) -> Result<Self, JsonError> {
        Cursor::new(bytes, pos, depth, b'[', b']').map(Elements)
    }

    /// Only delimits elements instead of validating them, for callers that
    /// validate each element themselves.
    pub fn delimit_only(mut self) -> Self {
        self.0.validate = false;
        self
    }

    /// Position after the closing bracket, once iteration has finished.
    pub fn end(&self) -> usize {
        self.0.pos
    }
}

impl Iterator for Elements<'_> {
    type Item = Result<Span, JsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = match self.0.next_start()? {
            Ok(start) => start,
            Err(e) => return Some(Err(e)),
        };
        let element = self.0.value_end(start).map(|end| (Span { start, end }, end));
        self.0.finish(element)
    }
}

/// The raw content of a string value, `None` for any other value.
pub(crate) fn string_content(bytes: &[u8], value: Span) -> Option<&[u8]> {
    if bytes.get(value.start) != Some(&b'"') {
        return None;
    }
    bytes.get(value.start + 1..value.end.checked_sub(1)?)
}

/// Why [`pick_members`] failed.
pub(crate) enum PickError {
    /// The object cannot be read.
    Unreadable,
    /// One of the picked names appears twice.
    Duplicate,
}

/// Reads the members named `names` from the object at `pos` (input already
/// validated): slot `i` of the result holds the value span of `names[i]`.
/// Other members are skipped.
pub(crate) fn pick_members<const K: usize>(
    bytes: &[u8],
    pos: usize,
    depth: usize,
    names: [&str; K],
) -> Result<[Option<Span>; K], PickError> {
    let mut slots = [None; K];
    for member in Members::new(bytes, pos, depth).map_err(|_| PickError::Unreadable)?.delimit_only() {
        let member = member.map_err(|_| PickError::Unreadable)?;
        let name = member.name.of(bytes);
        if let Some(i) = names.iter().position(|n| str_eq(name, n)) {
            let slot = slots.get_mut(i).ok_or(PickError::Duplicate)?;
            if slot.is_some() {
                return Err(PickError::Duplicate);
            }
            *slot = Some(member.value);
        }
    }
    Ok(slots)
}

/// The position of the `[` that must open the document (after white space):
/// the top level of keystores, rings and event archives is an array.
pub(crate) fn array_start(bytes: &[u8]) -> Result<usize, JsonError> {
    let start = skip_ws(bytes, 0);
    match bytes.get(start) {
        Some(b'[') => Ok(start),
        Some(_) => Err(err(JsonErrorKind::WrongShape, start)),
        None => Err(err(JsonErrorKind::UnexpectedEnd, start)),
    }
}

/// Checks that nothing but white space follows `pos`.
pub(crate) fn expect_end(bytes: &[u8], pos: usize) -> Result<(), JsonError> {
    let pos = skip_ws(bytes, pos);
    if pos == bytes.len() { Ok(()) } else { Err(err(JsonErrorKind::TrailingData, pos)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_rejects_deep_nesting_without_recursion() {
        let mut deep = [b'['; 100_000];
        deep[99_999] = b'1';
        let e = skip_value(&deep, 0, 0).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::NestingTooDeep);
        assert_eq!(e.offset, MAX_DEPTH);
    }

    #[test]
    fn utf16_order_differs_from_code_point_order() {
        // U+1F600 (surrogates D83D..) sorts before U+FB01 in UTF-16.
        let emoji = "\u{1F600}".as_bytes();
        let ligature = "\u{FB01}".as_bytes();
        assert_eq!(cmp_utf16(emoji, ligature), Ordering::Less);
        assert_eq!(cmp_utf16(br"\u00e9", "\u{e9}".as_bytes()), Ordering::Equal);
        assert_eq!(cmp_utf16(br"a\u0062", b"ab"), Ordering::Equal);
        assert_eq!(cmp_utf16(br"a\u0062", b"ac"), Ordering::Less);
        assert_eq!(cmp_utf16(b"ab", br"a\u0061"), Ordering::Greater);
        assert_eq!(cmp_utf16(b"a", b"ab"), Ordering::Less);
        // Continuation bytes differ after a shared lead byte.
        assert_eq!(cmp_utf16("\u{1F600}".as_bytes(), "\u{1F601}".as_bytes()), Ordering::Less);
        assert_eq!(cmp_utf16("\u{E000}x".as_bytes(), "\u{10000}".as_bytes()), Ordering::Greater);
        // In place: an unescaped quote ends a name, an escaped one does not.
        assert_eq!(cmp_utf16(br#"ab":1,"#, b"ab"), Ordering::Equal);
        assert_eq!(cmp_utf16(br#"a":1"#, br#"a\"b":2"#), Ordering::Less);
        assert_eq!(cmp_utf16(br#"a\"":1"#, br#"a\u0022":2"#), Ordering::Equal);
        assert_eq!(cmp_utf16(br#"\u00e9":1"#, "\u{e9}\":2".as_bytes()), Ordering::Equal);
    }

    #[test]
    fn fast_comparison_agrees_with_decoding() {
        let pieces: [&[u8]; 10] = [
            b"a",
            b"b",
            br"\u0061",
            "\u{e9}".as_bytes(),
            br"\u00e9",
            "\u{E000}".as_bytes(),
            "\u{10000}".as_bytes(),
            br"\ud800\udc00",
            br"\n",
            "\u{FFFF}".as_bytes(),
        ];
        let mut state: u32 = 0x9e37_79b9;
        let mut next = |n: usize| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 16) as usize % n
        };
        for _ in 0..20_000 {
            let mut a = heapless::Vec::<u8, 64>::new();
            let mut b = heapless::Vec::<u8, 64>::new();
            for s in [&mut a, &mut b] {
                for _ in 0..next(5) {
                    let _ = s.extend_from_slice(pieces[next(pieces.len())]);
                }
            }
            assert_eq!(cmp_utf16(&a, &b), cmp_utf16_decoded(&a, &b), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn members_and_elements_iterate() {
        let doc = br#"{"a": [1, 2], "b" : {"c": null}}"#;
        let names: heapless::Vec<Span, 4> = Members::new(doc, 0, 0).unwrap().map(|m| m.unwrap().name).collect();
        assert_eq!(names.len(), 2);
        let arr = br#"[1, "x", {}]"#;
        assert_eq!(Elements::new(arr, 0, 0).unwrap().count(), 3);
        assert!(Elements::new(b"[1 2]", 0, 0).unwrap().any(|e| e.is_err()));
        assert!(Members::new(br#"{"a":1,}"#, 0, 0).unwrap().any(|e| e.is_err()));
    }
}
