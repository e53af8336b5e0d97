//! What hostile or merely heavy requests cost a `langtrace serve` process with default
//! settings (each case against a fresh one, so peak memory is the case's alone):
//!
//! - `bomb_peak_rss_mib`: the collector's peak RSS through a 16 MB (inflated) gzip body of
//!   8 million empty spans, sent as protobuf and as JSON (each answered 413);
//! - `budget32_peak_rss_mib`: the collector's peak RSS through 32 exports at once (the
//!   default `--ingest-queue`), each as large as the body limit lets such spans be
//!   (2,430 spans of 256 attributes: 622,000 elements, 12 MB), all answered 200;
//! - `tags50k_ms`: one span carrying 50,000 distinct trace tags, end to end (answered
//!   once committed and synced), median of a few runs;
//! - `overflow_status`: the answer to the second of two spans of one trace reporting
//!   `gen_ai.usage.input_tokens = i64::MAX`;
//! - `slow_headers_health_ms`: a health check on a fresh connection while as many
//!   connections as `--max-connections` allows hold half-sent request heads;
//! - `other_project_ms`: a small export of another project while 50,000-tag exports and
//!   decode-heavy ones (200 spans x 256 attributes under 256 resource attributes) keep
//!   arriving from two other clients (median, and the slowest as `other_project_max_ms`).
//!
//! `cargo bench -p langtrace-collector --bench hostile` (`LANGTRACE_BENCH_QUICK=1`: fewer
//! runs). Last line: `hostile: bomb_peak_rss_mib=<n> budget32_peak_rss_mib=<n> tags50k_ms=<x> overflow_status=<code>
//! slow_headers_health_ms=<x> other_project_ms=<x> other_project_max_ms=<x>`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use support::bombs::{empty_spans_json, empty_spans_protobuf, spans_with_attributes, with_resource_attributes};
use support::heavy::{overflow_span, tags_request};
use support::measure::{median, peak_rss_mib, quick};
use support::otlp::{self, gzip, span, TRACES_PATH};
use support::slow::{health_check, slow_headers};
use support::{cli, Collector};

/// Empty spans in the bomb: 16 MB inflated, under the default 16 MiB body limit.
const BOMB_SPANS: usize = 8_000_000;
/// `--max-connections`' default.
const MAX_CONNECTIONS: usize = 512;

/// A fresh collector process with the benchmark's keys.
fn collector() -> Collector {
    Collector::setup().keys("pk-bench", "sk-bench-0123456789abcdef").process()
}

/// Milliseconds `f` takes.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed().as_secs_f64() * 1000.0)
}

/// Peak RSS of a collector that received the gzip bomb as protobuf and as JSON.
fn bomb_peak_rss_mib() -> u64 {
    let server = collector();
    let authorization = server.authorization();
    for (content_type, body) in
        [(otlp::PROTOBUF, empty_spans_protobuf(BOMB_SPANS)), (otlp::JSON, empty_spans_json(BOMB_SPANS))]
    {
        let headers = [("content-type", content_type), ("content-encoding", "gzip"), ("authorization", &authorization)];
        let (status, _, body) = server.post_raw(TRACES_PATH, &headers, gzip(&body));
        assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    }
    peak_rss_mib(server.pid())
}

/// Peak RSS of a collector that received 32 large exports at once.
fn budget32_peak_rss_mib() -> u64 {
    let server = collector();
    let authorization = server.authorization();
    let spans = (1..=10).flat_map(|trace| spans_with_attributes(trace, 243, 256)).collect();
    let body = otlp::protobuf(&with_resource_attributes(0, spans));
    std::thread::scope(|scope| {
        for _ in 0..32 {
            let (server, authorization, body) = (&server, &authorization, &body);
            scope.spawn(move || {
                let headers = [("content-type", otlp::PROTOBUF), ("authorization", authorization.as_str())];
                let (status, _, answer) = server.post_raw(TRACES_PATH, &headers, body.clone());
                assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
            });
        }
    });
    peak_rss_mib(server.pid())
}

/// Median time of a 50,000-tag export, each on a trace of its own.
fn tags50k_ms(runs: u8) -> f64 {
    let server = collector();
    let authorization = server.authorization();
    let times = (1..=runs)
        .map(|trace| {
            let request = tags_request(trace, 50_000);
            timed(|| otlp::send(&server, &authorization, &request)).1
        })
        .collect();
    median(times)
}

/// The status of the second overflowing span's export.
fn overflow_status() -> u16 {
    let server = collector();
    let authorization = server.authorization();
    otlp::send(&server, &authorization, &otlp::request([overflow_span(9, 1)]));
    otlp::post(&server, &authorization, &otlp::request([overflow_span(9, 2)])).0
}

/// A health check's time while the connection cap is held by slow-header clients.
fn slow_headers_health_ms() -> f64 {
    let server = collector();
    let _slow = slow_headers(&server.base_url, MAX_CONNECTIONS);
    let (status, ms) = timed(|| health_check(&server.base_url));
    assert_eq!(status, 200);
    ms
}

/// Median and slowest time of another project's small export while heavy exports of the
/// first are in flight.
fn other_project_ms(runs: u8) -> (f64, f64) {
    let server = collector();
    let heavy_authorization = server.authorization();
    let other = cli::create_project(server.data_dir(), "other");
    let heavy = [
        otlp::protobuf(&tags_request(1, 50_000)),
        otlp::protobuf(&with_resource_attributes(256, spans_with_attributes(2, 200, 256))),
    ];
    let mut times = Vec::new();
    std::thread::scope(|scope| {
        for body in &heavy {
            let (server, authorization) = (&server, &heavy_authorization);
            scope.spawn(move || {
                for _ in 0..runs {
                    let headers = [("content-type", otlp::PROTOBUF), ("authorization", authorization.as_str())];
                    assert_eq!(server.post_raw(TRACES_PATH, &headers, body.clone()).0, 200);
                }
            });
        }
        for id in 1..=runs.saturating_mul(4) {
            let request = otlp::request([span(100, id)]);
            times.push(timed(|| otlp::send(&server, &other.basic(), &request)).1);
        }
    });
    let slowest = times.iter().copied().fold(0.0, f64::max);
    (median(times), slowest)
}

fn main() {
    let runs = if quick() { 3 } else { 9 };
    let bomb = bomb_peak_rss_mib();
    let budget32 = budget32_peak_rss_mib();
    let tags = tags50k_ms(runs);
    let overflow = overflow_status();
    let slow = slow_headers_health_ms();
    let (other, other_max) = other_project_ms(runs);
    println!(
        "hostile: bomb_peak_rss_mib={bomb} budget32_peak_rss_mib={budget32} tags50k_ms={tags:.1} overflow_status={overflow} \
         slow_headers_health_ms={slow:.1} other_project_ms={other:.1} other_project_max_ms={other_max:.1}"
    );
}
