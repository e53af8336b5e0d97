//! What list previews of long conversations cost: the traces list's first page of 50 over
//! traces whose inputs are chat conversations (previewed by their last message, read from
//! the whole stored value) against the same page over plain strings of the same length
//! (previewed by their first characters, as every cut value was before), at about 10 KB
//! and about 900 KB an input. Medians of 25 runs against a `langtrace serve` process.
//!
//! `cargo bench -p langtrace-collector --bench previews`. Last line:
//! `previews: chat10k_ms=<x> plain10k_ms=<x> chat900k_ms=<x> plain900k_ms=<x>`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Instant;

use langtrace_core::record::{Level, ObservationRecord, ObservationType, Payload, Timestamp, TraceAttributes};
use langtrace_core::{ObservationId, TraceId};
use serde_json::{json, Value};
use support::collector::DataDir;
use support::direct::{DirectStore, BENCH_KEYS};
use support::measure::median;
use support::Collector;

/// Traces per group: a full page and more.
const TRACES: u64 = 60;

/// A conversation of about `bytes` bytes: a long system prompt, then a user question.
fn chat(bytes: usize) -> Value {
    json!([
        {"role": "system", "content": "You are a careful assistant. ".repeat(bytes / 29)},
        {"role": "assistant", "content": "How can I help?"},
        {"role": "user", "content": "What is the last question?"},
    ])
}

/// A plain string as long as [`chat`]'s JSON.
fn plain(bytes: usize) -> Value {
    Value::String("plain text ".repeat(bytes / 11))
}

/// The root observation of trace `index` of group `environment`, with `input`.
fn record(environment: &str, index: u64, input: &Value) -> ObservationRecord {
    let trace_id = TraceId::from_seed(&format!("{environment}-{index}"));
    let start = Timestamp::now().0 - index * 1_000_000_000;
    ObservationRecord {
        id: ObservationId::from_bytes((index + 1).to_be_bytes()).unwrap(),
        trace_id,
        parent_id: None,
        is_root: true,
        observation_type: ObservationType::Span,
        name: "chat".into(),
        start_time: Timestamp(start),
        end_time: Timestamp(start + 1_000_000),
        completion_start_time: None,
        level: Level::Default,
        status_message: None,
        input: Some(Payload::from(input.clone())),
        output: Some(Payload::from(json!("a short answer"))),
        metadata: Default::default(),
        version: None,
        environment: environment.into(),
        model: None,
        model_parameters: Default::default(),
        usage_details: Default::default(),
        cost_details: Default::default(),
        prompt: None,
        trace: Arc::new(TraceAttributes::default()),
        media: Vec::new(),
    }
}

/// Writes each group's traces into a new store in `dir`.
fn fill(dir: &std::path::Path, groups: &[(&str, Value)]) {
    let store = DirectStore::open(dir);
    for (environment, input) in groups {
        for chunk in (0..TRACES).collect::<Vec<_>>().chunks(10) {
            store.write(chunk.iter().map(|&index| record(environment, index, input)).collect());
        }
    }
}

fn main() {
    let groups = [
        ("chat10k", chat(10_000)),
        ("plain10k", plain(10_000)),
        ("chat900k", chat(900_000)),
        ("plain900k", plain(900_000)),
    ];
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path(), &groups);
    let server = Collector::setup().keys(BENCH_KEYS.0, BENCH_KEYS.1).data_dir(DataDir::Temp(dir)).process();
    let mut figures = Vec::new();
    for (environment, input) in &groups {
        let path = format!("/api/public/traces?limit=50&environment={environment}");
        let time = || {
            let started = Instant::now();
            let (status, _, body) = server.get_raw(&path);
            assert_eq!(status, 200, "{path}");
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            let page: Value = serde_json::from_slice(&body).unwrap();
            let preview = page["data"][0]["input"].as_str().unwrap_or_default().to_owned();
            (elapsed, preview)
        };
        let (_, preview) = time();
        let expected = if input.is_array() { "What is the last question?" } else { "\"plain text" };
        assert!(preview.starts_with(expected), "{environment}: {preview:.80}");
        let ms = median((0..25).map(|_| time().0).collect());
        println!("{environment}: first page of 50, inputs of {} bytes: {ms:.1} ms", input.to_string().len());
        figures.push(format!("{environment}_ms={ms:.1}"));
    }
    drop(server);
    println!("previews: {}", figures.join(" "));
}
