//! Differential fuzzing of the canonicalizer: whatever it accepts, serde_json
//! accepts with the same value; its output is canonical (a fixed point) and
//! parses to the same value; the bounded and unbounded paths agree; the span
//! cache (`canonicalize_with_scratch`) changes neither output nor error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use signcore::canonical::{
    canonicalize_to_slice, canonicalize_to_string, canonicalize_with_scratch, canonicalize_with_table,
};

/// JCS keeps numbers only as doubles.
fn normalize(v: Value) -> Value {
    match v {
        Value::Number(n) => Value::from(n.as_f64().expect("finite")),
        Value::Array(a) => Value::Array(a.into_iter().map(normalize).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, normalize(v))).collect()),
        other => other,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut table = [0u32; 64];
    let mut plain = Vec::new();
    let plain = canonicalize_with_table(data, &mut table, &mut plain).map(|()| plain);
    // Scratch empty, about half of what most inputs need, and enough.
    for words in [0, data.len() / 8, data.len() * 2 + 8] {
        let mut scratch = vec![0u32; words];
        let mut out = Vec::new();
        let cached = canonicalize_with_scratch(data, &mut table, &mut scratch, &mut out).map(|()| out);
        assert_eq!(cached, plain, "span cache with {words} words");
    }
    let unbounded = canonicalize_to_string(data);
    let mut buf = vec![0u8; data.len() * 4 + 16];
    let bounded = canonicalize_to_slice(data, &mut buf);
    let Ok(out) = unbounded else {
        // The bounded path may only fail where the unbounded one fails too,
        // except for its member-table limit.
        if let Ok(n) = bounded {
            panic!("bounded accepted what unbounded refused: {n}");
        }
        return;
    };
    match bounded {
        Ok(n) => assert_eq!(&buf[..n], out.as_bytes()),
        Err(e) => assert_eq!(e.code(), "LIMIT_EXCEEDED", "{e}"),
    }
    assert_eq!(canonicalize_to_string(out.as_bytes()).expect("output re-canonicalizes"), out, "fixed point");
    let ours: Value = serde_json::from_str(&out).expect("output is JSON");
    // serde_json has its own recursion limit of 128; ours is 64.
    let theirs: Value = serde_json::from_slice(data).expect("serde_json accepts what we accept");
    assert_eq!(normalize(ours), normalize(theirs));
});
