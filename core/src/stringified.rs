//! RFC 8785 canonical form of text that ECMAScript's `JSON.stringify` wrote
//! (the Node binding's fast path for JS values; needs `alloc`).
//!
//! `JSON.stringify` (no indentation) already writes what RFC 8785 asks of
//! everything but member order: ECMAScript number spelling (the spelling
//! RFC 8785 §3.2.2.3 prescribes), no duplicate member names, no white space,
//! and string escapes exactly as RFC 8785 §3.2.2.2 writes them (`\"`, `\\`,
//! `\b \t \n \f \r`, `\u00xx` for the other control characters, and — for
//! lone surrogates only — `\udxxx`). Canonicalizing such text therefore
//! needs no re-serialization: [`canonicalize_stringified`] tokenizes it once
//! (recording every object's members), sorts each object's members by the
//! UTF-16 code units of their unescaped names, and copies the input to the
//! sink in that order, in as few writes as the order allows.
//!
//! # Precondition, and what happens without it
//!
//! The input should be the UTF-8 of a `JSON.stringify` result. The fast path
//! only takes input inside the grammar `JSON.stringify` writes; on anything
//! else — white space, an escape `JSON.stringify` does not write (`\/`,
//! `\u0041`, upper-case hex, a surrogate escape, so lone surrogates too),
//! a raw control character, a number not shaped like ECMAScript's, a
//! duplicate name, nesting deeper than [`MAX_DEPTH`], malformed JSON — it
//! hands the whole input to [`canonical::canonicalize`], whose output or
//! coded error (e.g. `LONE_SURROGATE`, `DUPLICATE_MEMBER`) is then the
//! result. Either way nothing has been written to the sink before that
//! decision. What the fast path trusts without checking is the *value* of
//! each number spelling: a number shaped like ECMAScript's output but not
//! the shortest round-trip form (`1.0000000000000001`, or `1e400`) is
//! copied as written, where the full canonicalizer would re-spell or refuse
//! it. For `JSON.stringify` output the two always agree (the differential
//! tests check it); for other text use [`canonical::canonicalize`].
//!
//! No input panics; every loop is bounded by the input length, and nesting
//! is bounded by [`MAX_DEPTH`] (recursion in the writer is at most that
//! deep). Memory: 20 bytes per object and 16 bytes per member, kept in a
//! [`Scratch`] the caller may reuse across calls.

use alloc::vec::Vec;
use core::cmp::Ordering;

use crate::canonical::{self, MAX_DEPTH, MAX_INPUT_LEN, Sink};
use crate::digest::{Hash, HashSink};
use crate::error::{Error, JsonError, JsonErrorKind};
use crate::json::{HIGH, ONES, cmp_utf16, zero_byte};

/// Which path produced the canonical form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// The input was in `JSON.stringify`'s grammar: members sorted, bytes copied.
    Fast,
    /// The input was handed to [`canonical::canonicalize`].
    Full,
}

/// One object of the input, in the order objects open (pre-order).
#[derive(Clone, Copy)]
struct Object {
    /// Offset of its `{`.
    start: u32,
    /// Offset after its `}`.
    end: u32,
    /// Its members: `members[first..first + count]`, sorted.
    first: u32,
    count: u32,
    /// Index of the first object after this one's descendants.
    skip: u32,
}

/// One object member.
#[derive(Clone, Copy)]
struct Member {
    /// Offset of the name's opening quote.
    name: u32,
    /// Offset of the name's closing quote.
    name_end: u32,
    /// Offset after the value (of the `,` or `}` that follows it).
    end: u32,
    /// Index of the first object that opens at or after the value's start.
    first_object: u32,
    /// The name's first 8 raw bytes, big-endian and zero-padded, when they
    /// are plain ASCII (then their order is the names' UTF-16 order); else
    /// [`NO_KEY`].
    key: u64,
}

/// [`Member::key`] of a name that starts with an escape or non-ASCII.
const NO_KEY: u64 = u64::MAX;

/// The sort key of the raw name `raw` (see [`Member::key`]).
fn name_key(raw: &[u8]) -> u64 {
    let mut key = 0u64;
    for k in 0..8 {
        let b = raw.get(k).copied().unwrap_or(0);
        if b >= 0x80 || b == b'\\' {
            return NO_KEY;
        }
        key = key << 8 | u64::from(b);
    }
    key
}

/// A container open during the scan.
#[derive(Clone, Copy)]
enum Open {
    Array,
    /// The object's index and where its members start in `Scratch::open`.
    Object {
        index: u32,
        base: u32,
    },
}

/// Working memory of [`canonicalize_stringified`]; reuse it across calls to
/// save the allocations (it only grows).
#[derive(Default)]
pub struct Scratch {
    objects: Vec<Object>,
    members: Vec<Member>,
    open: Vec<Member>,
    stack: Vec<Open>,
}

impl Scratch {
    /// Empty working memory.
    pub const fn new() -> Self {
        Scratch { objects: Vec::new(), members: Vec::new(), open: Vec::new(), stack: Vec::new() }
    }

    /// Bytes of heap memory held (to drop a scratch a huge input grew).
    pub fn heap_bytes(&self) -> usize {
        self.objects.capacity() * size_of::<Object>()
            + (self.members.capacity() + self.open.capacity()) * size_of::<Member>()
            + self.stack.capacity() * size_of::<Open>()
    }

    fn clear(&mut self) {
        self.objects.clear();
        self.members.clear();
        self.open.clear();
        self.stack.clear();
    }
}

/// Writes the RFC 8785 form of `input`, the text of a `JSON.stringify`
/// result, into `sink`, and says which path made it (see the module
/// documentation for the precondition and the fallback). On error the sink
/// may hold a prefix of the output; discard it.
pub fn canonicalize_stringified<S: Sink + ?Sized>(
    input: &str,
    scratch: &mut Scratch,
    sink: &mut S,
) -> Result<Path, Error> {
    let bytes = input.as_bytes();
    scratch.clear();
    if bytes.len() < MAX_INPUT_LEN && scan(bytes, scratch).is_some() {
        let mut sink = SinkRef(sink);
        write_span(bytes, scratch, 0, bytes.len(), 0, &mut sink);
        return Ok(Path::Fast);
    }
    canonical::canonicalize(bytes, sink).map(|()| Path::Full)
}

/// The audit digest (DESIGN.md §2) of a payload given as `JSON.stringify`
/// text: [`canonicalize_stringified`] straight into SHA-256, then the
/// previous hash's bytes, if any. Equals [`crate::digest::audit_digest`] of
/// the same text (same precondition and fallback).
pub fn audit_digest_stringified(input: &str, prev_hash: Option<&Hash>, scratch: &mut Scratch) -> Result<Hash, Error> {
    let mut sink = HashSink::new();
    canonicalize_stringified(input, scratch, &mut sink)?;
    if let Some(prev) = prev_hash {
        sink.write(prev);
    }
    Ok(sink.finalize())
}

/// Calls `each` with the text of every element of `input`, a JSON array as
/// `JSON.stringify` writes it (no white space), in order, and returns how
/// many there were. Elements are only delimited (strings skipped, brackets
/// counted), not validated: whoever reads an element validates it (the
/// chain verifier does, event by event). Text that is not such an array is
/// an `INVALID_JSON` error, possibly after some elements were given. No
/// input panics.
pub fn for_each_element(input: &[u8], mut each: impl FnMut(&[u8])) -> Result<usize, Error> {
    let bad = |offset| Error::Json(JsonError { kind: JsonErrorKind::UnexpectedByte, offset });
    if input.first() != Some(&b'[') {
        return Err(bad(0));
    }
    let mut count = 0;
    let mut pos = 1;
    if input.get(pos) == Some(&b']') {
        pos += 1;
    } else {
        let mut start = pos;
        let mut depth = 0usize;
        loop {
            match *input.get(pos).ok_or(bad(pos))? {
                b'"' => {
                    pos = closing_quote(input, pos + 1).ok_or(bad(pos))? + 1;
                    continue;
                }
                b'[' | b'{' => depth += 1,
                b']' | b'}' if depth > 0 => depth -= 1,
                b',' if depth == 0 => {
                    each(input.get(start..pos).unwrap_or(&[]));
                    count += 1;
                    start = pos + 1;
                }
                b']' => {
                    each(input.get(start..pos).unwrap_or(&[]));
                    count += 1;
                    pos += 1;
                    break;
                }
                b'}' => return Err(bad(pos)),
                _ => {}
            }
            pos += 1;
        }
    }
    if pos != input.len() {
        return Err(bad(pos));
    }
    Ok(count)
}

/// The position of the first unescaped `"` at or after `i`.
fn closing_quote(input: &[u8], mut i: usize) -> Option<usize> {
    loop {
        i = next_special(input, i);
        match *input.get(i)? {
            b'"' => return Some(i),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// As in `canonical`: one copy of the writer for every sink type.
struct SinkRef<'s, S: ?Sized>(&'s mut S);

impl<S: Sink + ?Sized> Sink for SinkRef<'_, S> {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes)
    }
}

/// What the scanner expects next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A value (after `:`, `,` in an array, or at the start).
    Value,
    /// A value or `]` (after `[`).
    ValueOrEnd,
    /// A member name (after `,` in an object).
    Name,
    /// A member name or `}` (after `{`).
    NameOrEnd,
    /// `:` after a name.
    Colon,
    /// `,` or the end of the container (after a value).
    Next,
}

fn offset(pos: usize) -> u32 {
    // Inputs are shorter than MAX_INPUT_LEN (u32::MAX): checked by the caller.
    pos as u32
}

/// Tokenizes `input`, recording objects and their sorted members in
/// `scratch`; `None` when the input is outside `JSON.stringify`'s grammar.
fn scan(input: &[u8], s: &mut Scratch) -> Option<()> {
    let mut pos = 0;
    let mut expect = Expect::Value;
    while let Some(&b) = input.get(pos) {
        match expect {
            Expect::Value | Expect::ValueOrEnd => match b {
                b'{' => {
                    if s.stack.len() >= MAX_DEPTH {
                        return None;
                    }
                    let index = offset(s.objects.len());
                    s.objects.push(Object { start: offset(pos), end: 0, first: 0, count: 0, skip: 0 });
                    s.stack.push(Open::Object { index, base: offset(s.open.len()) });
                    pos += 1;
                    expect = Expect::NameOrEnd;
                }
                b'[' => {
                    if s.stack.len() >= MAX_DEPTH {
                        return None;
                    }
                    s.stack.push(Open::Array);
                    pos += 1;
                    expect = Expect::ValueOrEnd;
                }
                b'"' => {
                    pos = string_end(input, pos)?;
                    expect = Expect::Next;
                }
                b']' if expect == Expect::ValueOrEnd => {
                    pos = close_array(s, pos)?;
                    expect = Expect::Next;
                }
                _ => {
                    pos = scalar_end(input, pos)?;
                    expect = Expect::Next;
                }
            },
            Expect::Name | Expect::NameOrEnd => match b {
                b'"' => {
                    let end = string_end(input, pos)?;
                    let key = name_key(input.get(pos + 1..end - 1).unwrap_or(&[]));
                    s.open.push(Member { name: offset(pos), name_end: offset(end - 1), end: 0, first_object: 0, key });
                    pos = end;
                    expect = Expect::Colon;
                }
                b'}' if expect == Expect::NameOrEnd => {
                    pos = close_object(input, s, pos)?;
                    expect = Expect::Next;
                }
                _ => return None,
            },
            Expect::Colon => {
                if b != b':' {
                    return None;
                }
                let next_object = offset(s.objects.len());
                s.open.last_mut()?.first_object = next_object;
                pos += 1;
                expect = Expect::Value;
            }
            Expect::Next => match (b, s.stack.last()) {
                (b',', Some(Open::Object { .. })) => {
                    s.open.last_mut()?.end = offset(pos);
                    pos += 1;
                    expect = Expect::Name;
                }
                (b',', Some(Open::Array)) => {
                    pos += 1;
                    expect = Expect::Value;
                }
                (b'}', Some(Open::Object { .. })) => {
                    s.open.last_mut()?.end = offset(pos);
                    pos = close_object(input, s, pos)?;
                }
                (b']', Some(Open::Array)) => pos = close_array(s, pos)?,
                _ => return None,
            },
        }
    }
    (expect == Expect::Next && s.stack.is_empty()).then_some(())
}

fn close_array(s: &mut Scratch, pos: usize) -> Option<usize> {
    match s.stack.pop()? {
        Open::Array => Some(pos + 1),
        Open::Object { .. } => None,
    }
}

/// Closes the object whose `}` is at `pos`: sorts its members (a duplicate
/// name is `None`) and moves them to `members`.
fn close_object(input: &[u8], s: &mut Scratch, pos: usize) -> Option<usize> {
    let Open::Object { index, base } = s.stack.pop()? else { return None };
    let open = s.open.get_mut(base as usize..)?;
    sort_members(input, open)?;
    let first = offset(s.members.len());
    let count = offset(open.len());
    s.members.extend_from_slice(open);
    s.open.truncate(base as usize);
    let skip = offset(s.objects.len());
    let object = s.objects.get_mut(index as usize)?;
    *object = Object { start: object.start, end: offset(pos + 1), first, count, skip };
    Some(pos + 1)
}

/// The raw (escaped) name of `m`.
fn name<'a>(input: &'a [u8], m: &Member) -> &'a [u8] {
    input.get(m.name as usize + 1..m.name_end as usize).unwrap_or(&[])
}

fn cmp(input: &[u8], a: &Member, b: &Member) -> Ordering {
    // Two ASCII prefixes that differ decide; equal ones are compared in full.
    if a.key != b.key && a.key != NO_KEY && b.key != NO_KEY {
        return a.key.cmp(&b.key);
    }
    cmp_utf16(name(input, a), name(input, b))
}

/// Sorts members by name (UTF-16 order of the unescaped names); `None` on
/// a duplicate. Insertion sort for the small objects of audit payloads,
/// heapsort above 16 members; neither can panic whatever `cmp` answers.
fn sort_members(input: &[u8], m: &mut [Member]) -> Option<()> {
    let n = m.len();
    let less = |a: &Member, b: &Member| cmp(input, a, b) == Ordering::Less;
    if n <= 16 {
        for i in 1..n {
            let mut j = i;
            while j > 0 && less(&m[j], &m[j - 1]) {
                m.swap(j, j - 1);
                j -= 1;
            }
        }
    } else {
        let sift_down = |m: &mut [Member], mut root: usize, end: usize| loop {
            let mut child = 2 * root + 1;
            if child >= end {
                break;
            }
            if child + 1 < end && less(&m[child], &m[child + 1]) {
                child += 1;
            }
            if !less(&m[root], &m[child]) {
                break;
            }
            m.swap(root, child);
            root = child;
        };
        for root in (0..n / 2).rev() {
            sift_down(m, root, n);
        }
        for end in (1..n).rev() {
            m.swap(0, end);
            sift_down(m, 0, end);
        }
    }
    for pair in m.windows(2) {
        if let [a, b] = pair
            && cmp(input, a, b) != Ordering::Less
        {
            return None;
        }
    }
    Some(())
}

/// The first byte at or after `i` that is `"`, `\` or a control character
/// (eight bytes at a time; UTF-8 sequences are copied, not decoded).
#[inline]
fn next_special(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let special = zero_byte(word ^ (ONES * u64::from(b'"')))
            | zero_byte(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGH);
        if special != 0 {
            return i + (special.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// The position after the string whose quote is at `pos`, if it holds only
/// escapes `JSON.stringify` writes for characters other than surrogates.
fn string_end(input: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    loop {
        i = next_special(input, i);
        match *input.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *input.get(i + 1)? {
                b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    // Only `\u00xx` for a control character without a short
                    // escape; `\udxxx` (a lone surrogate) and anything else
                    // go to the full path.
                    let [b'0', b'0', hi, lo] = *input.get(i + 2..i + 6)? else { return None };
                    let unit = hex_digit(hi)? << 4 | hex_digit(lo)?;
                    if unit >= 0x20 || matches!(unit, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                        return None;
                    }
                    i += 6;
                }
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// The end of the literal or number at `pos`, if it is `true`, `false`,
/// `null` or shaped like ECMAScript's `Number.prototype.toString` output
/// (`-?(0|[1-9]\d*)(\.\d*[1-9])?(e[+-][1-9]\d*)?`, at most 21 integer digits
/// and 17 significant digits, not `-0`).
fn scalar_end(input: &[u8], pos: usize) -> Option<usize> {
    let literal = |text: &[u8]| input.get(pos..pos + text.len()).is_some_and(|t| t == text).then_some(pos + text.len());
    match *input.get(pos)? {
        b't' => return literal(b"true"),
        b'f' => return literal(b"false"),
        b'n' => return literal(b"null"),
        _ => {}
    }
    let digits = |mut i: usize| {
        let from = i;
        while input.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i, i - from)
    };
    let mut i = pos + usize::from(input.get(pos) == Some(&b'-'));
    let (after, int) = digits(i);
    if int == 0 || int > 21 || (int > 1 && input.get(i) == Some(&b'0')) {
        return None;
    }
    if int == 1 && input.get(i) == Some(&b'0') && i > pos && input.get(after) != Some(&b'.') {
        // `-0`: JSON.stringify writes 0.
        return None;
    }
    let mut significant = int;
    i = after;
    if input.get(i) == Some(&b'.') {
        let (after, frac) = digits(i + 1);
        if frac == 0 || !matches!(input.get(after - 1), Some(b'1'..=b'9')) {
            return None;
        }
        significant += frac;
        i = after;
    }
    if input.get(i) == Some(&b'e') {
        if !matches!(input.get(i + 1), Some(b'+' | b'-')) || !matches!(input.get(i + 2), Some(b'1'..=b'9')) {
            return None;
        }
        let (after, exp) = digits(i + 2);
        if exp > 3 {
            return None;
        }
        i = after;
    }
    // Leading zeros of `0.000…` are not significant: 17 is generous there.
    (significant <= 17 + 6).then_some(i)
}

/// Writes `input[start..end]` with every object in it in canonical order;
/// `object` is the first object that opens at or after `start`.
fn write_span(input: &[u8], s: &Scratch, start: usize, end: usize, mut object: usize, sink: &mut dyn Sink) {
    let mut pos = start;
    while let Some(o) = s.objects.get(object) {
        let (o_start, o_end) = (o.start as usize, o.end as usize);
        if o_start >= end || o_end < o_start {
            break;
        }
        sink.write(input.get(pos..o_start).unwrap_or(&[]));
        write_object(input, s, o, sink);
        pos = o_end;
        // Always moves forward: `skip` is past the object itself.
        object = (o.skip as usize).max(object + 1);
    }
    sink.write(input.get(pos..end).unwrap_or(&[]));
}

/// Writes one object: its members in sorted order, each run of members that
/// already follow each other in the input in one span, which also takes
/// the `{` or `,` before it and the `}` after it when the input has them there.
fn write_object(input: &[u8], s: &Scratch, o: &Object, sink: &mut dyn Sink) {
    let first = o.first as usize;
    let members = s.members.get(first..first + o.count as usize).unwrap_or(&[]);
    if members.is_empty() {
        sink.write(b"{}");
        return;
    }
    let mut i = 0;
    while let Some(m) = members.get(i) {
        let separator = if i == 0 { b'{' } else { b',' };
        let mut last = m;
        i += 1;
        while let Some(next) = members.get(i) {
            if next.name != last.end + 1 {
                break;
            }
            last = next;
            i += 1;
        }
        let mut start = m.name as usize;
        if start > 0 && input.get(start - 1) == Some(&separator) {
            start -= 1;
        } else {
            sink.write(&[separator]);
        }
        let mut end = last.end as usize;
        let closes = i == members.len();
        if closes && input.get(end) == Some(&b'}') {
            end += 1;
        }
        write_span(input, s, start, end, m.first_object as usize, sink);
        if closes && end == last.end as usize {
            sink.write(b"}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn fast(text: &str) -> (Path, String) {
        let mut out = Vec::new();
        let path = canonicalize_stringified(text, &mut Scratch::new(), &mut out).unwrap();
        (path, String::from_utf8(out).unwrap())
    }

    #[test]
    fn sorts_nested_objects_and_copies_the_rest() {
        let (path, out) = fast(r#"{"b":[{"z":1,"y":{"d":null,"c":"x"}},2],"a":{"q":true,"p":-1.5e-7},"c":"\u0001\n"}"#);
        assert_eq!(path, Path::Fast);
        assert_eq!(out, r#"{"a":{"p":-1.5e-7,"q":true},"b":[{"y":{"c":"x","d":null},"z":1},2],"c":"\u0001\n"}"#);
    }

    #[test]
    fn utf16_order_of_names() {
        let (path, out) = fast("{\"\u{e000}\":1,\"\u{1f600}\":2,\"a\\\"\":3,\"a\":4}");
        assert_eq!(path, Path::Fast);
        assert_eq!(out, "{\"a\":4,\"a\\\"\":3,\"\u{1f600}\":2,\"\u{e000}\":1}");
    }

    #[test]
    fn array_elements() {
        let mut seen = Vec::new();
        let text = r#"[{"a":[1,{"b":"],}"}]},"x\"y",[],null,{}]"#;
        let n = for_each_element(text.as_bytes(), |e| seen.push(String::from_utf8(e.to_vec()).unwrap())).unwrap();
        assert_eq!(n, 5);
        assert_eq!(seen, [r#"{"a":[1,{"b":"],}"}]}"#, r#""x\"y""#, "[]", "null", "{}"]);
        assert_eq!(for_each_element(b"[]", |_| panic!()).unwrap(), 0);
        for bad in [&b""[..], b"{}", b"[1", b"[1]]", b"[\"]", b"[}]", b"[1] "] {
            assert!(for_each_element(bad, |_| {}).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn outside_the_grammar_goes_to_the_full_path() {
        for (text, code) in [
            (r#"{"a":"\ud800"}"#, Some("LONE_SURROGATE")),
            (r#"{"a":1,"a":2}"#, Some("DUPLICATE_MEMBER")),
            (r#"{"a": 1}"#, None),
            (r#"[1.50]"#, None),
            (r#"[-0]"#, None),
            (r#"["\/"]"#, None),
            (r#"{"a":1"#, Some("INVALID_JSON")),
        ] {
            let mut out = Vec::new();
            match canonicalize_stringified(text, &mut Scratch::new(), &mut out) {
                Ok(path) => {
                    assert_eq!(path, Path::Full, "{text}");
                    assert_eq!(code, None, "{text}");
                }
                Err(e) => assert_eq!(Some(e.code()), code, "{text}"),
            }
        }
    }
}
