//! The clients' request and response types as JSON, for picking their fields.

use serde::Serialize;
use serde_json::{Map, Value};

/// `value` as JSON (`null` if it does not serialise, which the clients' types always do).
/// Through text, so that `f32` parameters keep their short spelling (`0.2`, not
/// `0.20000000298023224`).
pub(crate) fn to_value(value: &impl Serialize) -> Value {
    serde_json::to_string(value).and_then(|text| serde_json::from_str(&text)).unwrap_or(Value::Null)
}

/// `value` as a JSON object (empty if it is not one).
pub(crate) fn to_object(value: &impl Serialize) -> Map<String, Value> {
    match to_value(value) {
        Value::Object(fields) => fields,
        _ => Map::new(),
    }
}

/// The entries of `fields` named in `keys`, nulls left out.
pub(crate) fn pick(fields: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    keys.iter()
        .filter_map(|key| {
            fields.get(*key).filter(|value| !value.is_null()).map(|value| ((*key).to_owned(), value.clone()))
        })
        .collect()
}
