//! Properties of canonicalization over generated JSON values: idempotence,
//! value preservation, and independence from member order and white space.

use proptest::prelude::*;
use serde_json::{Map, Value};
use signcore::canonical::canonicalize_to_string;
use signcore::digest::audit_digest;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::from(n as f64)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        (-1000i32..1000).prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((".{0,6}", inner), 0..8)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// Numbers compared as doubles, the only thing JCS keeps of them.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Number(n) => Value::from(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), normalize(v))).collect()),
        other => other.clone(),
    }
}

/// The same value with members in reverse order and white space added.
fn reordered(v: &Value) -> String {
    match v {
        Value::Array(a) => format!("[ {} ]", a.iter().map(reordered).collect::<Vec<_>>().join(" ,\n")),
        Value::Object(o) => format!(
            "{{\t{} }}",
            o.iter()
                .rev()
                .map(|(k, v)| format!("{} :  {}", serde_json::to_string(k).unwrap(), reordered(v)))
                .collect::<Vec<_>>()
                .join(",\r\n")
        ),
        other => serde_json::to_string(other).unwrap(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn canonicalize_is_idempotent(v in json_value()) {
        let text = serde_json::to_string(&v).unwrap();
        let once = canonicalize_to_string(text.as_bytes()).unwrap();
        let twice = canonicalize_to_string(once.as_bytes()).unwrap();
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn canonical_output_parses_back_to_the_same_value(v in json_value()) {
        let text = serde_json::to_string(&v).unwrap();
        let canonical = canonicalize_to_string(text.as_bytes()).unwrap();
        let back: Value = serde_json::from_str(&canonical).unwrap();
        prop_assert_eq!(normalize(&back), normalize(&v));
    }

    #[test]
    fn member_order_and_white_space_do_not_change_the_digest(v in json_value()) {
        let text = serde_json::to_string(&v).unwrap();
        let shuffled = reordered(&v);
        prop_assert_eq!(audit_digest(text.as_bytes(), None).unwrap(), audit_digest(shuffled.as_bytes(), None).unwrap());
    }
}
