//! Reading attribute values: what a key's value means as text, JSON, payload, count,
//! number, bool, time or tags, whichever way a writer sent it.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::Value;

use crate::record::{Payload, Timestamp};

/// Text of a string, number or bool; `None` for null, arrays and objects.
pub fn as_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Like [`as_json`], as a payload: a string holding JSON keeps its text (validated, not
/// parsed into a tree), any other value is kept as a value.
pub fn as_payload(value: &Value) -> Payload {
    match value {
        // Validated before copying: a plain text is copied once, as a value.
        Value::String(text) if serde_json::from_str::<&RawValue>(text).is_ok() => Payload::from_valid_json(text),
        other => Payload::from(other.clone()),
    }
}

/// A string holding JSON becomes that JSON; any other string stays as it is.
pub fn as_json(value: &Value) -> Value {
    match value {
        Value::String(text) => serde_json::from_str(text).unwrap_or_else(|_| value.clone()),
        other => other.clone(),
    }
}

/// A count: a non-negative number (fractions cut) or text of an integer.
pub(crate) fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A number, or text of one.
pub(crate) fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A bool, or text of one.
pub(crate) fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An RFC 3339 time, given as JSON text of a string or as a plain string.
pub(crate) fn as_timestamp(value: &Value) -> Option<Timestamp> {
    let text = match as_json(value) {
        Value::String(text) => text,
        _ => return None,
    };
    humantime::parse_rfc3339_weak(text.trim_end_matches('Z')).ok().map(Timestamp::from)
}

/// Tags: an array of strings, comma-separated text, or one scalar.
pub(crate) fn as_tags(value: &Value) -> Vec<String> {
    match as_json(value) {
        Value::Array(items) => items.iter().filter_map(as_string).collect(),
        Value::String(text) => text.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect(),
        other => as_string(&other).into_iter().collect(),
    }
}

/// An object of numbers (given as JSON text or an object); other entries skipped.
pub(crate) fn number_object(value: &Value) -> BTreeMap<String, f64> {
    as_json(value)
        .as_object()
        .map(|object| object.iter().filter_map(|(k, v)| Some((k.clone(), as_f64(v)?))).collect())
        .unwrap_or_default()
}
