//! Sustained ingest: a load generator sends OTLP/HTTP protobuf batches of 512 spans
//! (trace and span ids random as real ones are) from several concurrent clients to a
//! `langtrace serve` process on loopback for a fixed time, and reports spans acknowledged
//! per second (an acknowledgement means committed to SQLite and its log synced), request
//! latency p50/p99, the collector's peak RSS and its CPU time per acknowledged span (all
//! its threads; a figure that depends less on the host's disk and neighbours than the
//! rate does). Two workloads (see `ingest/workload.rs`), each against a fresh collector,
//! and the decoding alone:
//!
//! - `ingest`: Langfuse-native keys, traces of 64 spans with ~1 KiB of input/output each;
//!   then an overload phase: 128 clients at once (four times what the default ingest
//!   queue admits), counting 503s; its `rss_mib` covers both phases;
//! - `ingest_realistic`: OpenInference and GenAI keys (~15 per span, indexed messages,
//!   token counts, invocation parameters), traces of 8 spans, a full resource;
//! - `ingest_pg`: the `ingest` workload with the records in PostgreSQL (`--store`; a
//!   cluster the benchmark starts under the target directory, syncing its log as a
//!   production server does), with one collector, then two on the same database (CPU:
//!   the collectors', not the database server's);
//! - `ingest_decode`: the receiving threads' work on realistic requests (counting,
//!   decoding, mapping, rendering rows) in this process on one thread, CPU time per span;
//!   run it under `valgrind --tool=callgrind` for an instruction count that does not move
//!   with the host.
//!
//! `cargo bench -p langtrace-collector --bench ingest` (`LANGTRACE_BENCH_QUICK=1`: 20 s +
//! 5 s + 20 s + 2 x 20 s). Last lines: `ingest: spans_per_s=<n> p50_ms=<x> p99_ms=<x> rss_mib=<n> cpu_us_per_span=<x>`,
//! `ingest_realistic: ...` with the same figures (after `ingest_realistic_stages:
//! decode_us_per_span=<x> store_us_per_span=<x> loadgen_us_per_span=<x>`, its CPU by
//! stage: the collector's store threads, its other threads, the load generator), and `ingest_pg: ... replicas=1` and
//! `... replicas=2`; `ingest` and `ingest_pg` end with `db_bytes_per_span=<n>`, what the
//! store grew by per span acknowledged (SQLite: the file and its log; PostgreSQL:
//! `pg_database_size`).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use langtrace_collector::store::db::{Connection, PgConnection};
use support::measure::{
    cpu_seconds, current_thread_cpu_seconds, median, peak_rss_mib, percentile, quick, thread_cpu_seconds,
};
use support::otlp;
use support::postgres::Cluster;
use support::Collector;
use workload::{Workload, SPANS_PER_REQUEST};

#[path = "ingest/workload.rs"]
mod workload;

const CLIENTS: u64 = 8;
/// Clients of the overload phase: four times as many requests at once as the default
/// ingest queue admits.
const OVERLOAD_CLIENTS: u64 = 128;

/// What one phase of load got.
struct Load {
    elapsed: f64,
    acked: u64,
    refused: u64,
    latencies: Vec<f64>,
    /// The collector's CPU seconds over the phase.
    cpu: f64,
}

/// `clients` threads each send one request at a time for `duration` to one of the
/// collectors `servers` (in turn by client id; the CPU time is theirs together), backing off as a 503's `Retry-After` asks, as
/// OTLP clients do.
fn load(servers: &[&Collector], workload: fn() -> Workload, clients: std::ops::Range<u64>, duration: Duration) -> Load {
    let targets: Vec<(String, String)> =
        servers.iter().map(|server| (server.url(otlp::TRACES_PATH), server.authorization())).collect();
    let cpu = || servers.iter().map(|server| cpu_seconds(server.pid())).sum::<f64>();
    let cpu_before = cpu();
    let started = Instant::now();
    let results: Vec<(u64, u64, Vec<f64>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = clients
            .map(|client_id| {
                let (url, auth) = &targets[client_id as usize % targets.len()];
                scope.spawn(move || {
                    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
                    let (mut acked, mut refused, mut latencies) = (0u64, 0u64, Vec::new());
                    let mut seed = client_id << 40;
                    let mut workload = workload();
                    while started.elapsed() < duration {
                        let body = workload.next_request(seed);
                        seed += 1;
                        let sent = Instant::now();
                        let response = client
                            .post(url)
                            .header("content-type", otlp::PROTOBUF)
                            .header("authorization", auth.as_str())
                            .body(body)
                            .send()
                            .expect("request");
                        let status = response.status().as_u16();
                        let retry_after =
                            response.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok());
                        let _ = response.bytes();
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                        match status {
                            200 => acked += SPANS_PER_REQUEST as u64,
                            503 => {
                                refused += 1;
                                std::thread::sleep(Duration::from_secs(retry_after.unwrap_or(1)));
                            }
                            other => panic!("unexpected status {other}"),
                        }
                    }
                    (acked, refused, latencies)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut latencies: Vec<f64> = results.iter().flat_map(|r| r.2.iter().copied()).collect();
    latencies.sort_by(f64::total_cmp);
    Load {
        elapsed: started.elapsed().as_secs_f64(),
        acked: results.iter().map(|r| r.0).sum(),
        refused: results.iter().map(|r| r.1).sum(),
        latencies,
        cpu: cpu() - cpu_before,
    }
}

/// A fresh collector process (its peak RSS and CPU time are the collector's alone).
fn collector() -> Collector {
    Collector::setup().keys("pk-bench", "sk-bench-0123456789abcdef").process()
}

/// The closing figures of a sustained phase.
fn summary(name: &str, load: &Load, rss: u64) -> String {
    format!(
        "{name}: spans_per_s={:.0} p50_ms={:.1} p99_ms={:.1} rss_mib={rss} cpu_us_per_span={:.1}",
        load.acked as f64 / load.elapsed,
        percentile(&load.latencies, 50.0),
        percentile(&load.latencies, 99.0),
        load.cpu * 1e6 / load.acked.max(1) as f64
    )
}

/// CPU microseconds per acknowledged span, by stage: the collector's store threads
/// (writer, syncer, checkpointer), its other threads (receiving, decoding, mapping,
/// rendering rows), and this process (the load generator).
struct Stages {
    decode: f64,
    store: f64,
    generator: f64,
}

/// The collector's threads that store: the writer, the syncer and the checkpointer
/// (thread names as `/proc` shows them, cut to 15 bytes).
const STORE_THREADS: [&str; 3] = ["langtrace-write", "langtrace-sync", "langtrace-check"];

impl Stages {
    /// The stages' CPU since the collector's threads had used `before` and this process
    /// `generator_before` seconds, per span of `acked`.
    fn since(
        before: &std::collections::BTreeMap<String, f64>,
        after: std::collections::BTreeMap<String, f64>,
        generator_before: f64,
        acked: u64,
    ) -> Self {
        let per_span = |seconds: f64| seconds * 1e6 / acked.max(1) as f64;
        let (mut decode, mut store) = (0.0, 0.0);
        for (name, seconds) in after {
            let used = seconds - before.get(&name).copied().unwrap_or(0.0);
            match STORE_THREADS.contains(&name.as_str()) {
                true => store += used,
                false => decode += used,
            }
        }
        let generator = cpu_seconds(std::process::id()) - generator_before;
        Self { decode: per_span(decode), store: per_span(store), generator: per_span(generator) }
    }
}

/// Whether the run covers `workload`: all of them unless the command line names some
/// (`cargo bench --bench ingest -- realistic`, say, to profile one).
fn selected(workload: &str) -> bool {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    filters.is_empty() || filters.iter().any(|f| workload.contains(f.as_str()))
}

/// The size of the PostgreSQL database at `url` (tables, indexes, their free space).
fn database_bytes(url: &str) -> u64 {
    let connection = Connection::from(PgConnection::connect(url).expect("connect to the bench database"));
    let bytes: i64 = connection
        .query_row("SELECT pg_database_size(current_database())", (), |row| row.get(0))
        .expect("the database's size");
    bytes as u64
}

/// Bytes of the SQLite store in `data_dir` (the file and its write-ahead log).
fn sqlite_bytes(data_dir: &std::path::Path) -> u64 {
    ["langtrace.db", "langtrace.db-wal"]
        .iter()
        .filter_map(|name| std::fs::metadata(data_dir.join(name)).ok())
        .map(|metadata| metadata.len())
        .sum()
}

/// The collector's work on a request before the writer, in this process on one thread:
/// counting, decoding, mapping and rendering the rows of realistic requests (what the
/// receiving threads do, without HTTP). The median over rounds of CPU microseconds per
/// span: steadier than the server's figures for comparing changes to that code.
fn decode_us_per_span(rounds: usize) -> f64 {
    use langtrace_collector::receive::{decode, limits::DecodeLimits, parse, reply::Format};
    use langtrace_collector::store::write::{prepare, StoredCaps};
    let mut workload = Workload::realistic();
    let bodies: Vec<Vec<u8>> = (0..16).map(|seed| workload.next_request(seed)).collect();
    let (limits, caps) = (DecodeLimits::default(), StoredCaps::default());
    let timings = (0..rounds)
        .map(|_| {
            let started = current_thread_cpu_seconds();
            for body in &bodies {
                let (request, counts) = parse(Format::Protobuf, body, &limits).expect("a valid request");
                let batch = prepare(decode::decode(request, counts.spans).observations, &caps, |_, _| None);
                assert_eq!(batch.len(), SPANS_PER_REQUEST);
            }
            (current_thread_cpu_seconds() - started) * 1e6 / (bodies.len() * SPANS_PER_REQUEST) as f64
        })
        .collect();
    median(timings)
}

fn main() {
    let quick = quick();
    if selected("decode") {
        println!("ingest_decode: us_per_span={:.2}", decode_us_per_span(if quick { 15 } else { 45 }));
    }
    let duration = Duration::from_secs(if quick { 20 } else { 60 });
    let overload_duration = Duration::from_secs(if quick { 5 } else { 15 });

    if selected("native") {
        let server = collector();
        let sustained = load(&[&server], Workload::native, 0..CLIENTS, duration);
        let sustained_rss = peak_rss_mib(server.pid());
        let sustained_bytes = sqlite_bytes(server.data_dir()) / sustained.acked.max(1);
        let overload = load(&[&server], Workload::native, CLIENTS..CLIENTS + OVERLOAD_CLIENTS, overload_duration);
        let rss = peak_rss_mib(server.pid());
        drop(server);
        println!(
            "{CLIENTS} clients x {:.1} s, {SPANS_PER_REQUEST} spans (~1 KiB I/O each) per request",
            sustained.elapsed
        );
        println!(
            "requests: {} ({} answered 503), peak rss_mib={sustained_rss}",
            sustained.latencies.len(),
            sustained.refused
        );
        println!(
            "overload: {OVERLOAD_CLIENTS} clients x {:.1} s against the default queue of 32: \
             {} requests, {} answered 503, spans_per_s={:.0}, peak rss_mib={rss}",
            overload.elapsed,
            overload.latencies.len(),
            overload.refused,
            overload.acked as f64 / overload.elapsed
        );
        println!("{} db_bytes_per_span={sustained_bytes}", summary("ingest", &sustained, rss));
    }
    if selected("realistic") {
        let server = collector();
        let (threads, generator) = (thread_cpu_seconds(server.pid()), cpu_seconds(std::process::id()));
        let realistic = load(&[&server], Workload::realistic, 0..CLIENTS, duration);
        let stages = Stages::since(&threads, thread_cpu_seconds(server.pid()), generator, realistic.acked);
        let rss = peak_rss_mib(server.pid());
        drop(server);
        println!(
            "realistic: {CLIENTS} clients x {:.1} s, traces of 8 OpenInference/GenAI spans: {} requests ({} answered 503)",
            realistic.elapsed,
            realistic.latencies.len(),
            realistic.refused
        );
        println!(
            "ingest_realistic_stages: decode_us_per_span={:.1} store_us_per_span={:.1} loadgen_us_per_span={:.1}",
            stages.decode, stages.store, stages.generator
        );
        println!("{}", summary("ingest_realistic", &realistic, rss));
    }
    if selected("pg") {
        // One PostgreSQL (syncing as in production) on this machine, one then two collectors
        // on it, each client sending to one of them (no trace reaches both).
        let cluster = Cluster::durable();
        for replicas in [1, 2] {
            let store = cluster.database();
            let servers: Vec<Collector> = (0..replicas)
                .map(|_| {
                    Collector::setup()
                        .keys("pk-bench", "sk-bench-0123456789abcdef")
                        .args(&["--store", &store])
                        .process()
                })
                .collect();
            let targets: Vec<&Collector> = servers.iter().collect();
            let empty = database_bytes(&store);
            let pg = load(&targets, Workload::native, 0..CLIENTS, duration);
            let rss = targets.iter().map(|server| peak_rss_mib(server.pid())).max().unwrap_or(0);
            drop(servers);
            let per_span = database_bytes(&store).saturating_sub(empty) / pg.acked.max(1);
            println!("{} replicas={replicas} db_bytes_per_span={per_span}", summary("ingest_pg", &pg, rss));
        }
    }
}
