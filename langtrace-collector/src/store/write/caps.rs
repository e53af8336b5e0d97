//! Caps on what a trace and its observations store: tags, metadata, inputs and outputs.
//! They are applied ahead of the writer (in [`super::prepare`], on a blocking thread) and
//! kept by the rollup's merge, so no request makes the single writer handle more than
//! the caps allow. A value cut to its cap stays valid JSON and says so with
//! [`TRUNCATION_MARKER`], the placeholder the Langfuse SDKs use for oversized values.

use clap::Args;
use langtrace_core::record::{json_len, Payload};
use serde_json::{Map, Value};

/// Appended to a value cut to its cap (the Langfuse SDKs' placeholder for values they
/// drop as too large).
pub const TRUNCATION_MARKER: &str = "<truncated due to size exceeding limit>";

/// The key a metadata object gets when keys were dropped to keep it under its caps.
pub const TRUNCATED_KEYS: &str = "langtrace.truncated";

/// Caps on stored trace and observation data (`langtrace serve` settings).
#[derive(Debug, Clone, Copy, Args)]
pub struct StoredCaps {
    /// Tags a trace keeps; tags past it are dropped (first seen are kept).
    #[arg(long, env = "LANGTRACE_MAX_TAGS_PER_TRACE", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_tags_per_trace: u32,
    /// Characters a tag keeps; a longer tag is cut to it.
    #[arg(long, env = "LANGTRACE_MAX_TAG_CHARS", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_tag_chars: u32,
    /// Keys a metadata object (of a trace or an observation) keeps; keys past it are
    /// dropped and `langtrace.truncated` says so.
    #[arg(long, env = "LANGTRACE_MAX_METADATA_KEYS", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_metadata_keys: u32,
    /// JSON bytes of one metadata value; a larger value is stored as a string of its
    /// first bytes followed by the truncation marker.
    #[arg(long, env = "LANGTRACE_MAX_METADATA_VALUE_BYTES", default_value_t = 64 << 10, value_parser = clap::value_parser!(u64).range(64..))]
    pub max_metadata_value_bytes: u64,
    /// JSON bytes of a stored input, output or metadata object; a larger input or output
    /// is stored as a string of its first bytes followed by the truncation marker, a
    /// larger metadata object drops its last keys.
    #[arg(long, env = "LANGTRACE_MAX_IO_BYTES", default_value_t = 1 << 20, value_parser = clap::value_parser!(u64).range(64..))]
    pub max_io_bytes: u64,
}

impl Default for StoredCaps {
    fn default() -> Self {
        Self {
            max_tags_per_trace: 1000,
            max_tag_chars: 200,
            max_metadata_keys: 256,
            max_metadata_value_bytes: 64 << 10,
            max_io_bytes: 1 << 20,
        }
    }
}

impl StoredCaps {
    /// Cuts tags to their length cap, then keeps the first distinct ones up to the count
    /// cap.
    pub fn tags(&self, tags: &mut Vec<String>) {
        let chars = self.max_tag_chars as usize;
        for tag in tags.iter_mut() {
            if let Some((cut, _)) = tag.char_indices().nth(chars) {
                tag.truncate(cut);
            }
        }
        let mut seen = std::collections::HashSet::with_capacity(tags.len().min(self.max_tags_per_trace as usize));
        tags.retain(|tag| seen.len() < self.max_tags_per_trace as usize && seen.insert(tag.clone()));
    }

    /// Adds `more` to `tags` (set-based, first seen kept) up to the count cap.
    pub fn unite_tags(&self, tags: &mut Vec<String>, more: &[String]) {
        let limit = self.max_tags_per_trace as usize;
        if tags.len() >= limit || more.is_empty() {
            return;
        }
        let mut seen: std::collections::HashSet<&str> = tags.iter().map(String::as_str).collect();
        let added: Vec<String> =
            more.iter().filter(|tag| seen.insert(tag.as_str())).take(limit - tags.len()).cloned().collect();
        tags.extend(added);
    }

    /// Caps a metadata object: each value to its byte cap, then its keys to the count
    /// cap and the whole to the I/O cap (keys past either dropped, in key order, and
    /// [`TRUNCATED_KEYS`] set).
    pub fn metadata(&self, metadata: &mut Map<String, Value>) {
        let value_cap = self.max_metadata_value_bytes as usize;
        let mut budget = self.max_io_bytes as usize;
        let mut kept = 0;
        let mut dropped = false;
        metadata.retain(|key, value| {
            if key == TRUNCATED_KEYS {
                dropped = true;
                return false;
            }
            let len = json_len(value);
            if len > value_cap {
                *value = Value::String(truncated(&serde_json::to_string(value).unwrap_or_default(), value_cap));
            }
            // `"key":value,` as stored.
            let size = key.len() + 4 + if len > value_cap { value_cap + 2 } else { len };
            let keep = kept < self.max_metadata_keys as usize && size <= budget;
            if keep {
                kept += 1;
                budget -= size;
            } else {
                dropped = true;
            }
            keep
        });
        if dropped {
            metadata.insert(TRUNCATED_KEYS.to_owned(), Value::String(TRUNCATION_MARKER.to_owned()));
        }
    }

    /// An input or output within the I/O cap: itself, or a JSON string of its first bytes
    /// followed by the truncation marker.
    pub fn payload(&self, payload: Payload) -> Payload {
        let cap = self.max_io_bytes as usize;
        if payload.json_len() <= cap {
            return payload;
        }
        Payload::from(Value::String(truncated(&payload.json(), cap)))
    }

    /// Cuts a plain text (a status message) to the I/O cap, marker included.
    pub fn text(&self, text: &mut String) {
        if text.len() > self.max_io_bytes as usize {
            *text = truncated(text, self.max_io_bytes as usize);
        }
    }
}

/// The first characters of `text` and the truncation marker, so that the result written
/// as a JSON string (quotes and escapes included) takes at most `cap` bytes.
pub fn truncated(text: &str, cap: usize) -> String {
    let mut budget = cap.saturating_sub(TRUNCATION_MARKER.len() + 2);
    let mut end = 0;
    for (at, c) in text.char_indices() {
        let escaped = match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        };
        if escaped > budget {
            break;
        }
        budget -= escaped;
        end = at + c.len_utf8();
    }
    let mut cut = String::with_capacity(end + TRUNCATION_MARKER.len());
    cut.push_str(&text[..end]);
    cut.push_str(TRUNCATION_MARKER);
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn caps() -> StoredCaps {
        StoredCaps {
            max_tags_per_trace: 3,
            max_tag_chars: 4,
            max_metadata_keys: 2,
            max_metadata_value_bytes: 64,
            max_io_bytes: 100,
        }
    }

    #[test]
    fn tags_are_cut_deduplicated_and_counted_in_first_seen_order() {
        let mut tags: Vec<String> = ["b", "abcdef", "abcdxyz", "b", "c", "d"].map(String::from).to_vec();
        caps().tags(&mut tags);
        assert_eq!(tags, ["b", "abcd", "c"]);
        let mut united = vec!["x".to_owned()];
        caps().unite_tags(&mut united, &["x".into(), "y".into(), "z".into(), "w".into()]);
        assert_eq!(united, ["x", "y", "z"]);
    }

    #[test]
    fn an_oversized_payload_becomes_a_valid_json_string_with_the_marker() {
        let long = Payload::from(json!({"text": "é\"".repeat(200)}));
        let capped = caps().payload(long);
        let text = capped.json().into_owned();
        assert!(text.len() <= 100, "{} bytes", text.len());
        let value: Value = serde_json::from_str(&text).unwrap();
        let string = value.as_str().unwrap();
        assert!(string.starts_with("{\"text\":\"é"), "{string}");
        assert!(string.ends_with(TRUNCATION_MARKER));
        let small = Payload::from(json!([1, 2]));
        assert_eq!(caps().payload(small.clone()), small);
        let mut message = "m".repeat(500);
        caps().text(&mut message);
        assert!(message.len() <= 100 && message.starts_with("mmm") && message.ends_with(TRUNCATION_MARKER));
    }

    #[test]
    fn metadata_keeps_its_first_keys_and_cuts_large_values() {
        let mut metadata = json!({"a": "x".repeat(100), "b": 1, "c": 2}).as_object().unwrap().clone();
        caps().metadata(&mut metadata);
        assert_eq!(metadata.len(), 3, "{metadata:?}");
        assert!(metadata["a"].as_str().unwrap().ends_with(TRUNCATION_MARKER));
        assert_eq!(metadata["b"], 1);
        assert_eq!(metadata[TRUNCATED_KEYS], TRUNCATION_MARKER);
        let mut small = json!({"k": true}).as_object().unwrap().clone();
        caps().metadata(&mut small);
        assert_eq!(small, *json!({"k": true}).as_object().unwrap());
    }
}
