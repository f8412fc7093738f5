//! The `JSON.stringify` fast path (`signcore::stringified`) against the full
//! canonicalizer: on canonical texts of the shared vectors (each is
//! `JSON.stringify` output of its value with sorted members), on 20,000
//! ECMAScript number spellings, and on random values written the way
//! `JSON.stringify` writes them (members unsorted, unicode and escaped
//! names, numbers of every magnitude). The Node suite (ffi-node
//! test/stringified.test.js) repeats this with V8's own `JSON.stringify`.
#![cfg(feature = "alloc")]
mod common;

use proptest::prelude::*;
use serde::Deserialize;
use signcore::canonical::canonicalize_to_string;
use signcore::digest::audit_digest;
use signcore::stringified::{Path, Scratch, audit_digest_stringified, canonicalize_stringified};

fn fast(text: &str, scratch: &mut Scratch) -> (Path, Result<String, &'static str>) {
    let mut out = Vec::new();
    match canonicalize_stringified(text, scratch, &mut out) {
        Ok(path) => (path, Ok(String::from_utf8(out).unwrap())),
        Err(e) => (Path::Full, Err(e.code())),
    }
}

fn full(text: &str) -> Result<String, &'static str> {
    canonicalize_to_string(text.as_bytes()).map_err(|e| e.code())
}

/// Canonical text is `JSON.stringify` output: the fast path takes it and
/// gives it back unchanged.
fn fixed_point(text: &str, scratch: &mut Scratch, what: &str) {
    let (path, out) = fast(text, scratch);
    assert_eq!(path, Path::Fast, "{what}: {text}");
    assert_eq!(out.as_deref(), Ok(text), "{what}");
}

#[derive(Deserialize)]
struct Case {
    input: String,
    expected: String,
}

#[test]
fn canonical_vectors_take_the_fast_path_unchanged() {
    let mut scratch = Scratch::new();
    let mut count = 0;
    for name in ["arrays", "french", "structures", "unicode", "values", "weird"] {
        let expected = String::from_utf8(common::read(&format!("jcs/output/{name}.json"))).unwrap();
        fixed_point(expected.trim_end_matches('\n'), &mut scratch, name);
        count += 1;
    }
    let cases: Vec<Case> = serde_json::from_slice(&common::read("generated/jcs_cases.json")).unwrap();
    for (i, case) in cases.iter().enumerate() {
        fixed_point(&case.expected, &mut scratch, &format!("case {i}"));
        // The input itself (white space, other spellings): whichever path,
        // the same result as the full canonicalizer.
        let (_, out) = fast(&case.input, &mut scratch);
        assert_eq!(out, full(&case.input), "case {i} input");
        count += 1;
    }
    let numbers = String::from_utf8(common::read("generated/es6_numbers.txt")).unwrap();
    for line in numbers.lines().filter(|l| !l.is_empty()) {
        let (_, expected) = line.split_once(',').unwrap();
        fixed_point(&format!("[{expected},{{\"n\":{expected}}}]"), &mut scratch, "es6 number");
        count += 1;
    }
    common::report("stringified fast path = full canonicalizer (jcs outputs, generated cases, es6 numbers)", count);
}

/// A JSON value as `JSON.stringify` would write it.
#[derive(Clone, Debug)]
enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn stringify(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(ryu_js::Buffer::new().format(*n)),
        Value::Str(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                stringify(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            let mut seen = std::collections::HashSet::new();
            let mut first = true;
            for (name, value) in members {
                // JS objects have unique names.
                if !seen.insert(name) {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                write_string(name, out);
                out.push(':');
                stringify(value, out);
            }
            out.push('}');
        }
    }
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-e]{0,3}",
        "[a-c\"\\\\\u{0}-\u{1f}]{1,3}",
        "[a\u{e9}\u{7ff}\u{800}\u{d7ff}\u{e000}\u{fffd}\u{ffff}\u{10000}\u{1f600}\u{10ffff}]{1,3}",
    ]
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        (-1e6f64..1e6).prop_map(|x| (x * 100.0).round() / 100.0),
        any::<i64>().prop_map(|x| x as f64),
        Just(-0.0),
        Just(1e21),
        Just(1e-7),
        Just(5e-324),
        Just(f64::MAX),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        "[ -~\u{0}-\u{1f}\u{e9}\u{20ac}\u{1f600}]{0,8}".prop_map(Value::Str),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((name(), inner), 0..8).prop_map(Value::Object),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn stringify_like_text_takes_the_fast_path_and_equals_the_full_path(v in value()) {
        let mut text = String::new();
        stringify(&v, &mut text);
        let (path, out) = fast(&text, &mut Scratch::new());
        prop_assert_eq!(path, Path::Fast, "{}", text);
        prop_assert_eq!(out, full(&text), "{}", text);
        let prev = [7u8; 32];
        prop_assert_eq!(
            audit_digest_stringified(&text, Some(&prev), &mut Scratch::new()).map_err(|e| e.code()),
            audit_digest(text.as_bytes(), Some(&prev)).map_err(|e| e.code())
        );
    }

    #[test]
    fn any_text_gives_the_full_path_result_or_differs_only_by_number_values(text in "[\\[\\]{}\",:0-9a-z\\\\ .e+-]{0,40}") {
        // Never a panic; outside the grammar the result is the full path's.
        let (path, out) = fast(&text, &mut Scratch::new());
        if path == Path::Full {
            prop_assert_eq!(out, full(&text));
        }
    }
}
