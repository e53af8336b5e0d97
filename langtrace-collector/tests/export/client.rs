//! What the export tests share: sending spans, reading an export, golden files.

use serde_json::Value;

use crate::support::http::{Api, Raw};
use crate::support::otlp::{self, text, SpanBuilder};
use crate::support::Collector;

/// Sends `spans` with the initial project's keys, asserting 200.
pub fn send(collector: &Collector, spans: Vec<SpanBuilder>) {
    otlp::send(collector, &collector.authorization(), &otlp::request_from("export-test", spans));
}

/// Generation `id` of trace `trace`, `start` ms after T0, with this input and output
/// (JSON text).
pub fn generation(trace: u8, id: u8, start: u64, input: &str, output: &str) -> SpanBuilder {
    otlp::span(trace, id).at(start, 10).attributes(vec![
        text("langfuse.observation.type", "generation"),
        text("langfuse.observation.model.name", "gpt-4o"),
        text("langfuse.observation.input", input),
        text("langfuse.observation.output", output),
    ])
}

/// GETs `path` with the keys of `api`, asserting 200; the answer.
pub fn export(api: &Api, path: &str) -> Raw {
    let raw = api.get_raw(path);
    assert_eq!(raw.0, 200, "GET {path}: {}", String::from_utf8_lossy(&raw.2));
    raw
}

/// Each line of a JSON Lines body, parsed.
pub fn lines(body: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(body).expect("UTF-8");
    assert!(text.is_empty() || text.ends_with('\n'), "every line ends with a newline");
    text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
}

/// The lines of golden file `name` (under `tests/export/golden/`), parsed.
pub fn golden(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/export/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    lines(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}
