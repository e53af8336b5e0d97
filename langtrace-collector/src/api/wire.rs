//! Langfuse's spellings of values the store keeps in its own form: times (ISO-8601 with
//! milliseconds), JSON columns (kept as text, answered as JSON), cursors.

use base64::Engine;
use langtrace_core::record::Timestamp;
use serde_json::Value;

use crate::app::ApiError;

/// ISO-8601 (milliseconds, `Z`) of nanoseconds since the epoch, as Langfuse writes times.
pub fn iso(ns: i64) -> String {
    Timestamp(ns.max(0) as u64).to_rfc3339_millis()
}

/// Text holding JSON as that JSON (plain text stays a string, none is null).
pub fn json_column(text: Option<&str>) -> Value {
    match text {
        None => Value::Null,
        Some(text) => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())),
    }
}

/// Seconds between two times in nanoseconds.
pub fn seconds(from: i64, to: i64) -> f64 {
    (to - from) as f64 / 1e9
}

/// An opaque cursor: a time and a key.
pub fn encode_cursor(time: i64, key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{time}:{key}"))
}

/// The time and key of a cursor.
pub fn decode_cursor(cursor: &str) -> Result<(i64, String), ApiError> {
    let invalid = || ApiError::BadRequest("invalid cursor".into());
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (time, key) = text.split_once(':').ok_or_else(invalid)?;
    Ok((time.parse().map_err(|_| invalid())?, key.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_cursors_and_json_columns() {
        assert_eq!(iso(1_700_000_000_123_456_789), "2023-11-14T22:13:20.123Z");
        assert_eq!(decode_cursor(&encode_cursor(5, "a/b")).unwrap(), (5, "a/b".to_owned()));
        assert!(decode_cursor("not-a-cursor").is_err());
        assert_eq!(json_column(Some("{\"a\":1}")), serde_json::json!({"a": 1}));
        assert_eq!(json_column(Some("plain")), serde_json::json!("plain"));
    }
}
