//! Query latency over a large store: fills a data directory with observations (1 M in
//! full mode, 100 k with `LANGTRACE_BENCH_QUICK=1`: it says which), in traces of 20 over
//! 7 days, then starts a `langtrace serve` process on it and times, over HTTP, the traces list's
//! first page, the detail of random traces, and a dashboard metrics query (last 24 h:
//! count, p95 latency and cost per model, hourly). Medians of 25 runs each. Then it
//! downloads the export of every observation and prints its rate and the server's peak
//! memory before and after it (an `export:` line).
//!
//! `cargo bench -p langtrace-collector --bench query`. Last line:
//! `query: list_ms=<x> detail_ms=<x> metrics_ms=<x>`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Instant;

use langtrace_core::record::{Level, ObservationRecord, ObservationType, Payload, Timestamp, TraceAttributes};
use langtrace_core::{ObservationId, TraceId};
use serde_json::json;
use support::collector::DataDir;
use support::direct::{DirectStore, BENCH_KEYS};
use support::http::form_encode;
use support::measure::{median, peak_rss_mib, quick};
use support::Collector;

const PER_TRACE: u64 = 20;
const DAY_NS: u64 = 86_400_000_000_000;
const MODELS: [&str; 3] = ["gpt-4o", "gpt-4o-mini", "claude-3-haiku"];

fn record(trace: u64, index: u64, now: u64, traces: u64) -> ObservationRecord {
    let trace_id = TraceId::from_seed(&format!("bench-{trace}"));
    let root = ObservationId::from_bytes((trace * PER_TRACE + 1).to_be_bytes()).unwrap();
    let id = ObservationId::from_bytes((trace * PER_TRACE + index + 1).to_be_bytes()).unwrap();
    let start = now - 7 * DAY_NS + trace * (7 * DAY_NS / traces) + index * 1_000_000;
    let generation = index % 4 == 1;
    let trace_attributes = TraceAttributes {
        name: Some(format!("workflow-{}", trace % 10)),
        user_id: Some(format!("user-{}", trace % 100)),
        session_id: Some(format!("session-{}", trace % 1000)),
        ..Default::default()
    };
    ObservationRecord {
        id,
        trace_id,
        parent_id: (index > 0).then_some(root),
        is_root: index == 0,
        observation_type: if generation { ObservationType::Generation } else { ObservationType::Span },
        name: if generation { "llm".into() } else { "step".into() },
        start_time: Timestamp(start),
        end_time: Timestamp(start + 1_000_000 * (1 + (trace * 7 + index) % 500)),
        completion_start_time: None,
        level: if (trace + index).is_multiple_of(97) { Level::Error } else { Level::Default },
        status_message: None,
        input: Some(Payload::from(json!({"question": "what is the meaning of this benchmark?", "n": index}))),
        output: Some(Payload::from(json!(
            "an answer of moderate length, about a hundred bytes, for the list previews"
        ))),
        metadata: Default::default(),
        version: None,
        environment: "production".into(),
        model: generation.then(|| MODELS[(trace % 3) as usize].to_owned()),
        model_parameters: Default::default(),
        usage_details: if generation {
            [("input".to_owned(), 200), ("output".to_owned(), 50)].into()
        } else {
            Default::default()
        },
        cost_details: Default::default(),
        prompt: None,
        trace: Arc::new(trace_attributes),
        media: Vec::new(),
    }
}

/// Writes `observations` observations into a new store in `dir`; returns the project id.
fn fill(dir: &std::path::Path, observations: u64) -> String {
    let store = DirectStore::open(dir);
    let traces = observations / PER_TRACE;
    let now = Timestamp::now().0;
    let started = Instant::now();
    for chunk in (0..traces).collect::<Vec<_>>().chunks(250) {
        let records: Vec<ObservationRecord> =
            chunk.iter().flat_map(|&t| (0..PER_TRACE).map(move |i| record(t, i, now, traces))).collect();
        store.write(records);
    }
    println!("filled {observations} observations in {traces} traces in {:.1} s", started.elapsed().as_secs_f64());
    store.project().to_owned()
}

/// Downloads the export of every observation (JSON Lines, streamed), line by line; what
/// it took and the server's peak resident memory before and after.
fn export_all(server: &Collector, observations: u64) -> String {
    use std::io::BufRead;
    let before = peak_rss_mib(server.pid());
    let started = Instant::now();
    let client = reqwest::blocking::Client::builder().timeout(None).build().unwrap();
    let response = client
        .get(server.url("/api/public/observations/export"))
        .header("authorization", server.authorization())
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let (mut rows, mut bytes) = (0u64, 0usize);
    for line in std::io::BufReader::new(response).lines() {
        bytes += line.unwrap().len() + 1;
        rows += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(rows, observations, "every observation exported once");
    let after = peak_rss_mib(server.pid());
    format!(
        "export: {rows} observations, {} MiB of JSON Lines in {seconds:.1} s ({:.0} rows/s); server peak RSS {before} MiB before, {after} MiB after",
        bytes >> 20,
        rows as f64 / seconds
    )
}

fn main() {
    let quick = quick();
    let observations: u64 = if quick { 100_000 } else { 1_000_000 };
    if quick {
        println!("quick mode: {observations} observations (the full run uses 1,000,000)");
    }
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path(), observations);

    // A process: the timings are the collector's alone. `fill` made the project and keys.
    let server = Collector::setup().keys(BENCH_KEYS.0, BENCH_KEYS.1).data_dir(DataDir::Temp(dir)).process();
    let time = |path: &str| {
        let started = Instant::now();
        let (status, _, body) = server.get_raw(path);
        assert_eq!(status, 200, "{path}");
        (started.elapsed().as_secs_f64() * 1000.0, body.len())
    };
    let traces = observations / PER_TRACE;
    let now_iso = |offset_ns: u64| langtrace_core::record::Timestamp(Timestamp::now().0 - offset_ns).to_rfc3339();
    let metrics = json!({
        "view": "observations",
        "dimensions": [{"field": "providedModelName"}],
        "metrics": [{"measure": "count", "aggregation": "count"}, {"measure": "latency", "aggregation": "p95"},
                    {"measure": "totalCost", "aggregation": "sum"}],
        "timeDimension": {"granularity": "hour"},
        "fromTimestamp": now_iso(DAY_NS), "toTimestamp": now_iso(0),
    })
    .to_string();
    let metrics_path = format!("/api/public/v2/metrics?query={}", form_encode(&metrics));
    // Warm-up, then 25 timed runs each.
    time("/api/public/traces?limit=50");
    time(&metrics_path);
    let list = median((0..25).map(|_| time("/api/public/traces?limit=50").0).collect());
    let details: Vec<f64> = (0..25u64)
        .map(|i| {
            time(&format!("/api/public/traces/{}", TraceId::from_seed(&format!("bench-{}", (i * 7919) % traces)))).0
        })
        .collect();
    let detail = median(details);
    // No index on observation ids alone (random keys halve ingest): this scans one.
    let by_id = median(
        (0..9u64)
            .map(|i| {
                let id = ObservationId::from_bytes((((i * 7919) % traces) * PER_TRACE + 3).to_be_bytes()).unwrap();
                time(&format!("/api/public/observations/{id}")).0
            })
            .collect(),
    );
    let (_, metrics_bytes) = time(&metrics_path);
    let metrics_ms = median((0..25).map(|_| time(&metrics_path).0).collect());
    let export = export_all(&server, observations);
    drop(server);
    println!("list: first page of 50 of {traces} traces; detail: {PER_TRACE} observations; metrics: last 24 h ({metrics_bytes} bytes)");
    println!("observation by id alone: {by_id:.1} ms");
    println!("{export}");
    println!("query: list_ms={list:.1} detail_ms={detail:.1} metrics_ms={metrics_ms:.1}");
}
