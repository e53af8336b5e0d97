//! Sustained ingest: a load generator sends OTLP/HTTP protobuf batches of 512 spans with
//! about 1 KiB of input/output each (traces of 64 spans, trace and span ids random as
//! real ones are), from several concurrent clients, to a `langtrace serve` process on
//! loopback for a fixed time. Reports spans acknowledged per second (an
//! acknowledgement means committed to SQLite and its log synced), request latency
//! p50/p99, 503s. Then an overload phase: 128 clients at once (four times what the
//! default ingest queue admits) for 15 s, counting 503s; `rss_mib` is the collector's peak RSS
//! over both phases.
//!
//! `cargo bench -p langtrace-collector --bench ingest` (`LANGTRACE_BENCH_QUICK=1`: 20 s +
//! 5 s). Last line: `ingest: spans_per_s=<n> p50_ms=<x> p99_ms=<x> rss_mib=<n>`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use support::measure::{peak_rss_mib, percentile, quick};
use support::otlp::{self, text};
use support::Collector;

const SPANS_PER_REQUEST: usize = 512;
const CLIENTS: u64 = 8;
/// Clients of the overload phase: four times as many requests at once as the default
/// ingest queue admits.
const OVERLOAD_CLIENTS: u64 = 128;

/// One request: 8 traces of 64 spans (a root and 63 children), ids from `seed`.
fn request(seed: u64) -> ExportTraceServiceRequest {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let spans = (0..SPANS_PER_REQUEST as u64)
        .map(|i| {
            let trace = seed * 8 + i / 64;
            let mut trace_id = [0u8; 16];
            trace_id[..8].copy_from_slice(&trace.to_be_bytes());
            trace_id[15] = 1;
            let span_id = (i % 64 + 1).to_be_bytes().to_vec();
            let parent = if i % 64 == 0 { Vec::new() } else { 1u64.to_be_bytes().to_vec() };
            let generation = i % 4 == 1;
            let mut attributes = vec![
                text("langfuse.observation.input", format!("{{\"question\":\"{}\",\"n\":{i}}}", "q".repeat(480))),
                text("langfuse.observation.output", format!("\"{}\"", "a".repeat(500))),
                text("user.id", format!("user-{}", trace % 100)),
                text("session.id", format!("session-{}", trace % 1000)),
            ];
            if generation {
                attributes.push(text("langfuse.observation.type", "generation"));
                attributes.push(text("langfuse.observation.model.name", "gpt-4o-mini"));
                attributes.push(text("langfuse.observation.usage_details", "{\"input\":120,\"output\":40}"));
            }
            Span {
                trace_id: trace_id.to_vec(),
                span_id,
                parent_span_id: parent,
                name: if generation { "llm".into() } else { "step".into() },
                start_time_unix_nano: now + i * 1000,
                end_time_unix_nano: now + i * 1000 + 500_000,
                attributes,
                ..Default::default()
            }
        })
        .collect::<Vec<Span>>();
    otlp::request(spans)
}

/// `template` with the trace ids and times of request `seed` (cheaper than building
/// it anew, so the load generator leaves the CPU to the collector).
fn next_request(template: &mut ExportTraceServiceRequest, seed: u64) -> Vec<u8> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    for (i, span) in template.resource_spans[0].scope_spans[0].spans.iter_mut().enumerate() {
        let trace = seed * 8 + i as u64 / 64;
        span.trace_id[..8].copy_from_slice(&mix(trace).to_be_bytes());
        span.trace_id[8..].copy_from_slice(&mix(!trace).to_be_bytes());
        span.span_id = mix(trace * 64 + i as u64 % 64).to_be_bytes().to_vec();
        if i % 64 != 0 {
            span.parent_span_id = mix(trace * 64).to_be_bytes().to_vec();
        }
        span.start_time_unix_nano = now + i as u64 * 1000;
        span.end_time_unix_nano = span.start_time_unix_nano + 500_000;
    }
    otlp::protobuf(template)
}

/// SplitMix64: ids as random as real ones (W3C trace context asks for random ids).
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What one phase of load got.
struct Load {
    elapsed: f64,
    acked: u64,
    refused: u64,
    latencies: Vec<f64>,
}

/// `clients` threads (ids from `first_client`) each send one request at a time for
/// `duration`, backing off as a 503's `Retry-After` asks, as OTLP clients do.
fn load(url: &str, auth: &str, clients: std::ops::Range<u64>, duration: Duration) -> Load {
    let started = Instant::now();
    let results: Vec<(u64, u64, Vec<f64>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = clients
            .map(|client_id| {
                scope.spawn(move || {
                    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
                    let (mut acked, mut refused, mut latencies) = (0u64, 0u64, Vec::new());
                    let mut seed = client_id << 40;
                    let mut template = request(seed);
                    while started.elapsed() < duration {
                        let body = next_request(&mut template, seed);
                        seed += 1;
                        let sent = Instant::now();
                        let response = client
                            .post(url)
                            .header("content-type", otlp::PROTOBUF)
                            .header("authorization", auth)
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
    }
}

fn main() {
    let quick = quick();
    let duration = Duration::from_secs(if quick { 20 } else { 60 });
    let overload_duration = Duration::from_secs(if quick { 5 } else { 15 });
    // A process: its peak RSS is the collector's alone.
    let server = Collector::setup().keys("pk-bench", "sk-bench-0123456789abcdef").process();
    let url = server.url(otlp::TRACES_PATH);
    let auth = server.authorization();

    let sustained = load(&url, &auth, 0..CLIENTS, duration);
    let sustained_rss = peak_rss_mib(server.pid());
    let overload = load(&url, &auth, CLIENTS..CLIENTS + OVERLOAD_CLIENTS, overload_duration);
    let rss = peak_rss_mib(server.pid());
    drop(server);

    let spans_per_s = sustained.acked as f64 / sustained.elapsed;
    println!("{CLIENTS} clients x {:.1} s, {SPANS_PER_REQUEST} spans (~1 KiB I/O each) per request", sustained.elapsed);
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
    println!(
        "ingest: spans_per_s={spans_per_s:.0} p50_ms={:.1} p99_ms={:.1} rss_mib={rss}",
        percentile(&sustained.latencies, 50.0),
        percentile(&sustained.latencies, 99.0)
    );
}
