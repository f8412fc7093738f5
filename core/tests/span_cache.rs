//! The span cache of `canonicalize_with_scratch` changes nothing but speed:
//! on every shared vector, corruptions of them and generated values, its
//! output and its error (kind and offset) are those of
//! `canonicalize_with_table` with the same member table, whether the scratch
//! is large enough, one word too small, empty or full of garbage. The same
//! for `canonicalize`, which caches in its stack table when it fits.
mod common;

use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value};
use signcore::Error;
use signcore::canonical::{cache_words, canonicalize, canonicalize_with_scratch, canonicalize_with_table};

fn plain(input: &[u8], table_len: usize) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    canonicalize_with_table(input, &mut vec![0; table_len], &mut out).map(|()| out)
}

fn cached(input: &[u8], table_len: usize, scratch: &mut [u32]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    canonicalize_with_scratch(input, &mut vec![0; table_len], scratch, &mut out).map(|()| out)
}

/// Compares both paths for `input` over several table and scratch sizes;
/// returns how many comparisons were made.
fn check(input: &[u8]) -> usize {
    let need = cache_words(input);
    // `canonicalize` with an allocator caches through its stack table and
    // spills to the heap otherwise: the plain path with a table that never fills.
    let mut out = Vec::new();
    let got = canonicalize(input, &mut out).map(|()| out);
    assert_eq!(got, plain(input, 4096), "canonicalize: {}", String::from_utf8_lossy(input));
    let mut compared = 1;
    for table_len in [256, 3] {
        let want = plain(input, table_len);
        let mut sizes = vec![(0, 0), (5, 0)];
        if let Some(need) = need {
            sizes.extend([(need.saturating_sub(1), 0), (need, u32::MAX), (need + 7, 0x5555_5555)]);
        }
        for (size, fill) in sizes {
            {
                let mut scratch = vec![fill; size];
                let got = cached(input, table_len, &mut scratch);
                assert_eq!(got, want, "table {table_len}, scratch {size}: {}", String::from_utf8_lossy(input));
                compared += 1;
            }
        }
    }
    compared
}

/// Deterministic corruptions of `input`: truncations and replaced bytes.
fn corruptions(input: &[u8], seed: u64) -> Vec<Vec<u8>> {
    const BYTES: &[u8] = b"{}[],:\"\\ x1-.e0\x01";
    let mut state = seed | 1;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    let mut out = Vec::new();
    if input.is_empty() {
        return out;
    }
    for _ in 0..3 {
        out.push(input[..next(input.len())].to_vec());
    }
    for _ in 0..6 {
        let mut bad = input.to_vec();
        let at = next(bad.len());
        bad[at] = BYTES[next(BYTES.len())];
        out.push(bad);
    }
    out
}

#[derive(Deserialize)]
struct Case {
    input: String,
    expected: String,
}

#[test]
fn shared_vectors_and_their_corruptions() {
    let mut docs: Vec<Vec<u8>> = Vec::new();
    for name in ["arrays", "french", "structures", "unicode", "values", "weird"] {
        docs.push(common::read(&format!("jcs/input/{name}.json")));
    }
    let cases: Vec<Case> = serde_json::from_slice(&common::read("generated/jcs_cases.json")).unwrap();
    for case in &cases {
        docs.push(case.input.clone().into_bytes());
        docs.push(case.expected.clone().into_bytes());
    }
    for name in ["generated/audit_chains.json", "generated/keystores.json"] {
        docs.push(common::read(name));
    }
    let documents = docs.len();
    let mut compared = 0;
    let mut corrupted = 0;
    for (i, doc) in docs.iter().enumerate() {
        compared += check(doc);
        for bad in corruptions(doc, i as u64 * 7919 + 1) {
            compared += check(&bad);
            corrupted += 1;
        }
    }
    common::report(
        &format!(
            "span cache vs plain path: {documents} shared documents and {corrupted} corruptions ({compared} comparisons)"
        ),
        documents + corrupted,
    );
}

#[test]
fn nesting_and_member_limits() {
    let mut compared = 0;
    for depth in [1, 62, 63, 64, 65, 200] {
        let mut doc = String::new();
        for i in 0..depth {
            doc += if i % 2 == 0 { r#"{"k":"# } else { "[" };
        }
        doc += "1";
        for i in (0..depth).rev() {
            doc += if i % 2 == 0 { "}" } else { "]" };
        }
        compared += check(doc.as_bytes());
    }
    // Many members open at once, and duplicates found by sorting.
    let wide: String =
        format!("{{{}}}", (0..300).map(|i| format!(r#""m{i}":{{"x":{i}}}"#)).collect::<Vec<_>>().join(","));
    compared += check(wide.as_bytes());
    compared += check(br#"{"a":{"b":1,"c":{"d":2,"d":3}},"e":[{"f":1},{"f":2,"f":3}]}"#);
    compared += check(br#"{"b":{"x":1e400},"a":{"y":"\ud800"}}"#);
    compared += check(br#"{"b":[1,2}, "a":{"c":1}}"#);
    compared += check(br#"  {"z":{}, "y":[{}], "x":{"":{"":[]}}}  x"#);
    println!("span cache: limits: {compared} comparisons");
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        (-1000i32..1000).prop_map(Value::from),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-c\u{e9}\u{1F600}]{0,2}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_values_and_corruptions(v in json_value(), seed in any::<u64>(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { serde_json::to_string(&v).unwrap() };
        check(text.as_bytes());
        for bad in corruptions(text.as_bytes(), seed) {
            check(&bad);
        }
    }
}
