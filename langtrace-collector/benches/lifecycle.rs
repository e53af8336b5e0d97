//! What the data's lifecycle costs a `langtrace serve` process:
//!
//! - a store is filled with backdated observations (November 2023: 1,000,000, or 50,000
//!   in quick mode; ten spans per trace, ~200 bytes of input each) and a tenth as many of
//!   today;
//! - `ingest_p99_ms_normal`: one client sending small exports of today (10 spans) back to
//!   back for a while, the 99th percentile of their latency;
//! - `prune_1m_obs_s`: a retention of 30 days set through the API (which answers once the
//!   project is pruned and the space reclaimed), in seconds per million observations;
//! - `backup_ms`: `langtrace backup` of the full store, idle, before the prune;
//! - `ingest_p99_ms_while_pruning`: the same client's p99 during that prune;
//! - `file_shrink_pct_of_deleted`: how much the database file shrank, in percent of what
//!   it would shrink were every deleted observation's share of the file given back (the
//!   observations ingested meanwhile counted in; 100: all of it).
//!
//! `cargo bench -p langtrace-collector --bench lifecycle` (`LANGTRACE_BENCH_QUICK=1`: 50,000
//! observations). Last line: `lifecycle: pruned_obs=<n> prune_1m_obs_s=<x>
//! ingest_p99_ms_normal=<x> ingest_p99_ms_while_pruning=<x> file_shrink_pct_of_deleted=<x>
//! backup_ms=<x>`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use opentelemetry_proto::tonic::trace::v1::Span;
use support::measure::{percentile, quick};
use support::otlp::{self, span, T0, TRACES_PATH};
use support::{cli, Collector};

/// Spans per trace of the fill.
const SPANS_PER_TRACE: u32 = 10;
/// Traces per export of the fill.
const TRACES_PER_EXPORT: u32 = 50;

/// Trace `n`'s spans, starting at `start` (ns), each with ~200 bytes of input.
fn trace(n: u32, start: u64) -> Vec<Span> {
    let mut id = vec![0xee; 12];
    id.extend_from_slice(&n.to_be_bytes());
    let input = format!("{{\"question\":\"{}\"}}", "how much is enough? ".repeat(9));
    (1..=SPANS_PER_TRACE as u8)
        .map(|s| {
            let step = span(0, s).trace_id(id.clone()).input(&input);
            let mut built = if s == 1 { step } else { step.parent(1) }.build();
            built.start_time_unix_nano = start + u64::from(s) * 1_000;
            built.end_time_unix_nano = built.start_time_unix_nano + 1_000_000;
            built
        })
        .collect()
}

fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64
}

/// Sends traces `range` starting at `start` (`None`: now), an export per
/// [`TRACES_PER_EXPORT`], from two clients.
fn fill(collector: &Collector, range: std::ops::Range<u32>, start: Option<u64>) {
    let exports: Vec<std::ops::Range<u32>> = range
        .clone()
        .step_by(TRACES_PER_EXPORT as usize)
        .map(|first| first..(first + TRACES_PER_EXPORT).min(range.end))
        .collect();
    std::thread::scope(|scope| {
        for half in exports.chunks(exports.len().div_ceil(2)) {
            scope.spawn(move || {
                for export in half {
                    let spans = export.clone().flat_map(|n| trace(n, start.unwrap_or_else(now_ns)));
                    otlp::send(collector, &collector.authorization(), &otlp::request(spans));
                }
            });
        }
    });
}

/// Latencies (ms) of small exports of today sent back to back until `stop`.
fn ingest_until(collector: &Collector, first: u32, stop: &AtomicBool) -> Vec<f64> {
    let mut latencies = Vec::new();
    for n in first.. {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let body = otlp::protobuf(&otlp::request(trace(n, now_ns())));
        let headers = [("content-type", otlp::PROTOBUF), ("authorization", &collector.authorization())];
        let started = Instant::now();
        let (status, _, answer) = collector.post_raw(TRACES_PATH, &headers, body);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    latencies
}

/// The observations the project holds, as the API counts them.
fn stored_observations(collector: &Collector) -> f64 {
    collector.ok("/api/public/projects?usage=true")["data"][0]["usage"]["observations"].as_f64().unwrap()
}

/// The database file's size once its log is checkpointed.
fn database_bytes(data_dir: &Path) -> u64 {
    let path = data_dir.join("langtrace.db");
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE)").unwrap();
    drop(connection);
    std::fs::metadata(&path).unwrap().len()
}

fn main() {
    let observations: u32 = if quick() { 50_000 } else { 1_000_000 };
    let old_traces = observations / SPANS_PER_TRACE;
    let new_traces = old_traces / 10;
    let collector = Collector::setup().keys("pk-bench", "sk-bench-0123456789abcdef").process();
    let started = Instant::now();
    fill(&collector, 0..old_traces, Some(T0));
    fill(&collector, old_traces..old_traces + new_traces, None);
    println!(
        "filled {} observations ({observations} from 2023) in {:.1} s",
        (old_traces + new_traces) * SPANS_PER_TRACE,
        started.elapsed().as_secs_f64()
    );
    let stop = AtomicBool::new(false);
    let normal = std::thread::scope(|scope| {
        let load = scope.spawn(|| ingest_until(&collector, 10_000_000, &stop));
        std::thread::sleep(Duration::from_secs(if quick() { 5 } else { 20 }));
        stop.store(true, Ordering::SeqCst);
        load.join().unwrap()
    });

    let observations_before = stored_observations(&collector);
    let before = database_bytes(collector.data_dir());

    let backups = tempfile::tempdir().unwrap();
    let target = backups.path().join("backup");
    let started = Instant::now();
    cli::run(collector.data_dir(), &["backup", "--to", target.to_str().unwrap()]);
    let backup_ms = started.elapsed().as_secs_f64() * 1000.0;

    let project = collector.ok("/api/public/projects")["data"][0]["id"].as_str().unwrap().to_owned();
    let client = reqwest::blocking::Client::builder().timeout(None).build().unwrap();
    stop.store(false, Ordering::SeqCst);
    let (pruning, prune_s) = std::thread::scope(|scope| {
        let load = scope.spawn(|| ingest_until(&collector, 20_000_000, &stop));
        let started = Instant::now();
        let answer = client
            .put(collector.url(&format!("/api/public/projects/{project}/retention")))
            .header("authorization", collector.authorization())
            .json(&serde_json::json!({"retentionDays": 30}))
            .send()
            .unwrap();
        let prune_s = started.elapsed().as_secs_f64();
        assert!(answer.status().is_success(), "{}", answer.text().unwrap_or_default());
        stop.store(true, Ordering::SeqCst);
        (load.join().unwrap(), prune_s)
    });
    let after = database_bytes(collector.data_dir());

    // The file's size were every remaining observation as large as those before the prune.
    let ideal_after = before as f64 * stored_observations(&collector) / observations_before;
    let shrink_pct = (before as f64 - after as f64) / (before as f64 - ideal_after) * 100.0;
    let (p99_normal, p99_pruning) = (percentile(&normal, 99.0), percentile(&pruning, 99.0));
    println!("database file: {before} bytes before pruning, {after} after; backup of the full store {backup_ms:.0} ms");
    println!(
        "ingest: {} exports normally (p99 {p99_normal:.1} ms), {} while pruning for {prune_s:.1} s (p99 {p99_pruning:.1} ms)",
        normal.len(),
        pruning.len()
    );
    println!(
        "lifecycle: pruned_obs={observations} prune_1m_obs_s={:.1} ingest_p99_ms_normal={p99_normal:.1} \
         ingest_p99_ms_while_pruning={p99_pruning:.1} file_shrink_pct_of_deleted={shrink_pct:.0} backup_ms={backup_ms:.0}",
        prune_s * 1_000_000.0 / f64::from(observations)
    );
}
