//! RFC 8785 conformance from outside data: the reference test files
//! (cyberphone/json-canonicalization testdata), 300 generated documents and
//! 20,000 ES6 number serializations (both generated independently with a
//! reference JCS, see ../shared/vectors/README.md).
mod common;

use serde::Deserialize;
use signcore::canonical::{canonicalize_to_slice, canonicalize_to_string};

fn canon(input: &[u8]) -> String {
    let mut out = vec![0u8; input.len() * 2 + 64];
    let n =
        canonicalize_to_slice(input, &mut out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(input)));
    // The alloc entry point must agree with the no-alloc one.
    assert_eq!(canonicalize_to_string(input).unwrap().as_bytes(), &out[..n]);
    String::from_utf8(out[..n].to_vec()).unwrap()
}

#[test]
fn rfc8785_reference_files() {
    let names = ["arrays", "french", "structures", "unicode", "values", "weird"];
    for name in names {
        let input = common::read(&format!("jcs/input/{name}.json"));
        let expected = common::read(&format!("jcs/output/{name}.json"));
        let expected = String::from_utf8(expected).unwrap();
        assert_eq!(canon(&input), expected.trim_end_matches('\n'), "{name}");
    }
    common::report("jcs/input -> jcs/output (RFC 8785 reference)", names.len());
}

#[derive(Deserialize)]
struct Case {
    input: String,
    expected: String,
}

#[test]
fn generated_jcs_cases() {
    let cases: Vec<Case> = serde_json::from_slice(&common::read("generated/jcs_cases.json")).unwrap();
    assert_eq!(cases.len(), 300);
    for (i, case) in cases.iter().enumerate() {
        assert_eq!(canon(case.input.as_bytes()), case.expected, "case {i}");
        // Canonical output is a fixed point.
        assert_eq!(canon(case.expected.as_bytes()), case.expected, "case {i} idempotent");
    }
    common::report("generated/jcs_cases.json", cases.len());
}

#[test]
fn es6_number_serialization() {
    let text = String::from_utf8(common::read("generated/es6_numbers.txt")).unwrap();
    let mut count = 0;
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (bits, expected) = line.split_once(',').unwrap();
        let value = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
        // Rust's `{:e}` is the shortest round-trip form: valid JSON, exact.
        let json = format!("{value:e}");
        assert_eq!(canon(json.as_bytes()), expected, "bits {bits} ({json})");
        // A long spelling of the same double canonicalizes the same way.
        let long = format!("{value:.17e}");
        assert_eq!(canon(long.as_bytes()), expected, "bits {bits} ({long})");
        count += 1;
    }
    assert_eq!(count, 20_000);
    common::report("generated/es6_numbers.txt", count);
}
