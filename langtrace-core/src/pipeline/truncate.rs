//! Truncation of payloads larger than `max_payload_bytes`, with a visible marker.

use std::io::{self, Write};

use serde_json::Value;

/// The visible marker appended to truncated payloads.
pub fn truncation_marker(original_bytes: usize) -> String {
    format!("...[truncated by langtrace: {original_bytes} bytes]")
}

/// Replaces a value whose JSON exceeds `max` bytes by a string of its first `max` bytes
/// (cut at a character boundary) followed by [`truncation_marker`].
pub(crate) fn truncate(value: &mut Value, max: usize) {
    if json_len_bound(value) <= max {
        return;
    }
    let size = json_len(value);
    if size <= max {
        return;
    }
    let text = match &mut *value {
        Value::String(text) => std::mem::take(text),
        other => other.to_string(),
    };
    let mut cut = max.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    *value = Value::String(format!("{}{}", &text[..cut], truncation_marker(size)));
}

/// An upper bound of the JSON size, computed without serializing (every string byte
/// counted as the six of a `\u00XX` escape).
fn json_len_bound(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 24,
        Value::String(text) => 6 * text.len() + 2,
        Value::Array(items) => 2 + items.iter().map(|item| json_len_bound(item) + 1).sum::<usize>(),
        Value::Object(map) => 2 + map.iter().map(|(k, v)| 6 * k.len() + 4 + json_len_bound(v)).sum::<usize>(),
    }
}

fn json_len(value: &Value) -> usize {
    struct Count(usize);
    impl Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn truncation_keeps_small_values_and_marks_big_ones() {
        let mut small = json!({"a": 1});
        truncate(&mut small, 100);
        assert_eq!(small, json!({"a": 1}));
        let mut big = json!("é".repeat(100));
        truncate(&mut big, 11);
        let text = big.as_str().unwrap();
        assert!(text.starts_with("ééééé"), "{text}");
        assert!(text.ends_with(&truncation_marker(202)), "{text}");
        let mut object = json!({"k": "x".repeat(50)});
        truncate(&mut object, 10);
        assert!(object.as_str().unwrap().starts_with("{\"k\":\"xxxx"));
    }
}
