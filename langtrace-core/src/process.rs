//! Processing applied to every record on the pipeline's worker thread, off the
//! application's hot path and before any sink sees it: defaults from the configuration,
//! masking, media extraction, then payload truncation.

use std::io::{self, Write};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::config::Config;
use crate::mask::{self, MaskFn};
use crate::media;
use crate::record::{MediaField, MediaRecord, ObservationRecord, Record, TraceAttributes, TraceRecord};

/// Applies configuration defaults, the mask, media extraction and truncation.
pub(crate) struct Processor {
    pub config: Arc<Config>,
    pub mask: Option<MaskFn>,
}

impl Processor {
    /// Processes one record in place.
    pub fn process(&self, record: &mut Record) {
        match record {
            Record::Observation(observation) => self.observation(observation),
            Record::Trace(trace) => self.trace(trace),
        }
    }

    fn observation(&self, record: &mut ObservationRecord) {
        let config = &self.config;
        if record.environment.is_empty() {
            record.environment.clone_from(&config.environment);
        }
        if record.version.is_none() {
            record.version.clone_from(&config.version);
        }
        for (key, value) in &config.default_metadata {
            record.metadata.entry(key.clone()).or_insert_with(|| value.clone());
        }
        let mut media = std::mem::take(&mut record.media);
        self.payload(&mut record.input, MediaField::Input, &mut media);
        self.payload(&mut record.output, MediaField::Output, &mut media);
        self.metadata(&mut record.metadata, &mut media);
        let trace = Arc::make_mut(&mut record.trace);
        self.trace_attributes(trace, &mut media);
        record.media = media;
    }

    fn trace(&self, record: &mut TraceRecord) {
        if record.environment.is_empty() {
            record.environment.clone_from(&self.config.environment);
        }
        // Media bytes travel with observation records; here only the references matter.
        self.trace_attributes(&mut record.attributes, &mut Vec::new());
    }

    fn trace_attributes(&self, trace: &mut TraceAttributes, media: &mut Vec<MediaRecord>) {
        if trace.release.is_none() {
            trace.release.clone_from(&self.config.release);
        }
        if trace.version.is_none() {
            trace.version.clone_from(&self.config.version);
        }
        self.payload(&mut trace.input, MediaField::Input, media);
        self.payload(&mut trace.output, MediaField::Output, media);
        self.metadata(&mut trace.metadata, media);
    }

    fn payload(&self, slot: &mut Option<Value>, field: MediaField, media: &mut Vec<MediaRecord>) {
        if let Some(value) = slot.take() {
            let mut value = match &self.mask {
                Some(mask) => mask::apply(mask, value),
                None => value,
            };
            media::extract(&mut value, field, media);
            truncate(&mut value, self.config.max_payload_bytes);
            *slot = Some(value);
        }
    }

    fn metadata(&self, metadata: &mut Map<String, Value>, media: &mut Vec<MediaRecord>) {
        if metadata.is_empty() {
            return;
        }
        let mut whole = Some(Value::Object(std::mem::take(metadata)));
        if let Some(mask) = &self.mask {
            whole = whole.map(|value| mask::apply(mask, value));
        }
        let mut map = match whole {
            Some(Value::Object(map)) => map,
            Some(other) => Map::from_iter([("masked".to_owned(), other)]),
            None => Map::new(),
        };
        for value in map.values_mut() {
            media::extract(value, MediaField::Metadata, media);
            truncate(value, self.config.max_payload_bytes);
        }
        *metadata = map;
    }
}

/// The visible marker appended to truncated payloads.
pub fn truncation_marker(original_bytes: usize) -> String {
    format!("...[truncated by langtrace: {original_bytes} bytes]")
}

/// Replaces a value whose JSON exceeds `max` bytes by a string of its first `max` bytes
/// (cut at a character boundary) followed by [`truncation_marker`].
pub(crate) fn truncate(value: &mut Value, max: usize) {
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
