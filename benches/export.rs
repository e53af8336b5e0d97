//! The full export pipeline against the usual OpenTelemetry one, same process, same
//! loopback OTLP/HTTP receiver.
//!
//! `cargo bench --bench export` (set `LANGTRACE_BENCH_QUICK=1` for a run under 60 s).
//!
//! - `observe_otlp`: `#[observe]` + `LangtraceLayer` + pipeline + `OtlpSink`
//!   (HTTP protobuf) to the receiver;
//! - `instrument_otlp`: `#[tracing::instrument]` + `tracing-opentelemetry` +
//!   `opentelemetry_sdk` batch span processor + `opentelemetry-otlp` (HTTP protobuf,
//!   its default blocking reqwest client) to the same receiver.
//!
//! Both use their defaults: queue 2048, batches of 512, 5 s interval. Each round runs one
//! case's instrumented loop for a fixed time (batches of `BATCH` calls under one parent),
//! then flushes it; the cases alternate. Reported per case, as medians over rounds:
//! ns per call on the instrumented thread, and spans delivered per second (spans the
//! receiver decoded / (loop time + flush time)). Spans beyond what a pipeline can carry
//! are dropped by its bounded queue, so "delivered" is the sustained throughput.
//!
//! The last line printed is `export: observe_otlp=<ns> instrument_otlp=<ns> delivered_ratio=<x>`
//! with `delivered_ratio` = ours / theirs.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use langtrace::otlp::OtlpSink;
use langtrace::tracing::Dispatch;
use langtrace::tracing_subscriber::layer::SubscriberExt;
use langtrace::LangtraceLayer;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_sdk::trace::SdkTracerProvider;
use prost::Message;

mod workload;

use workload::{instrumented_batch, observed_batch, BATCH};

/// Spans decoded per path (`ours`, `theirs`).
#[derive(Default)]
struct Counts {
    ours: AtomicU64,
    theirs: AtomicU64,
}

async fn receive(State(counts): State<Arc<Counts>>, Path(who): Path<String>, body: Bytes) -> Vec<u8> {
    let request = ExportTraceServiceRequest::decode(body).expect("valid OTLP protobuf");
    let spans: usize = request.resource_spans.iter().flat_map(|r| &r.scope_spans).map(|s| s.spans.len()).sum();
    let counter = if who == "ours" { &counts.ours } else { &counts.theirs };
    counter.fetch_add(spans as u64, Ordering::Relaxed);
    ExportTraceServiceResponse::default().encode_to_vec()
}

/// A loopback OTLP/HTTP receiver on its own runtime thread.
fn start_receiver(counts: Arc<Counts>) -> (SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let addr = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .route("/{who}/v1/traces", axum::routing::post(receive))
            .with_state(counts)
            .layer(axum::extract::DefaultBodyLimit::max(64 << 20));
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    });
    (addr, runtime)
}

struct Round {
    ns_per_call: f64,
    delivered_per_s: f64,
}

/// Runs `batch` for `duration` under `dispatch`, flushes, and measures.
fn round(dispatch: &Dispatch, batch: fn(), duration: Duration, flush: &dyn Fn(), counter: &AtomicU64) -> Round {
    let before = counter.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut batches = 0u64;
    langtrace::tracing::dispatcher::with_default(dispatch, || {
        while started.elapsed() < duration {
            batch();
            batches += 1;
        }
    });
    let loop_time = started.elapsed();
    flush();
    let total = started.elapsed();
    let delivered = counter.load(Ordering::Relaxed) - before;
    Round {
        ns_per_call: loop_time.as_nanos() as f64 / (batches * BATCH) as f64,
        delivered_per_s: delivered as f64 / total.as_secs_f64(),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let quick = std::env::var("LANGTRACE_BENCH_QUICK").is_ok_and(|v| v == "1");
    let (rounds, duration) = if quick { (5, Duration::from_secs(2)) } else { (9, Duration::from_secs(5)) };
    let started = Instant::now();
    let counts = Arc::new(Counts::default());
    let (addr, _receiver) = start_receiver(Arc::clone(&counts));

    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .endpoint(format!("http://{addr}/ours/v1/traces"))
        .build()
        .expect("exporter");
    let exporter_counters = sink.counters();
    let (layer, guard) = LangtraceLayer::builder().ignore_env().sink(sink).build().expect("settings");
    let ours = Dispatch::new(langtrace::tracing_subscriber::registry().with(layer));

    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("http://{addr}/theirs/v1/traces"))
        // Explicit: the workspace's test features make JSON opentelemetry-otlp's default.
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .build()
        .expect("otel exporter");
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).build();
    let theirs = Dispatch::new(
        langtrace::tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench"))),
    );

    let flush_ours = || guard.flush(Duration::from_secs(60)).expect("flush");
    let flush_theirs = || provider.force_flush().expect("flush");
    let (mut our_rounds, mut their_rounds) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        our_rounds.push(round(&ours, observed_batch, duration, &flush_ours, &counts.ours));
        their_rounds.push(round(&theirs, instrumented_batch, duration, &flush_theirs, &counts.theirs));
    }
    let stats = guard.stats();
    let _ = provider.shutdown();

    let observe_otlp = median(our_rounds.iter().map(|r| r.ns_per_call).collect());
    let instrument_otlp = median(their_rounds.iter().map(|r| r.ns_per_call).collect());
    let ours_delivered = median(our_rounds.iter().map(|r| r.delivered_per_s).collect());
    let theirs_delivered = median(their_rounds.iter().map(|r| r.delivered_per_s).collect());
    println!("rounds: {rounds} x {duration:?} per case, alternating; batches of {BATCH} calls under one parent");
    println!(
        "langtrace: pipeline exported={} dropped={}; spans received={} (exporter counted {} sent, {} failed)",
        stats.exported,
        stats.dropped,
        counts.ours.load(Ordering::Relaxed),
        langtrace::otlp::ExportCounters::get(&exporter_counters.spans_exported),
        langtrace::otlp::ExportCounters::get(&exporter_counters.spans_failed),
    );
    println!("opentelemetry: spans received={}", counts.theirs.load(Ordering::Relaxed));
    println!("delivered spans/s: observe_otlp={ours_delivered:.0} instrument_otlp={theirs_delivered:.0}");
    println!(
        "per call on the instrumented thread: observe_otlp / instrument_otlp = {:.3}",
        observe_otlp / instrument_otlp
    );
    println!("wall time {:.1} s", started.elapsed().as_secs_f64());
    println!(
        "export: observe_otlp={observe_otlp:.1} instrument_otlp={instrument_otlp:.1} delivered_ratio={:.2}",
        ours_delivered / theirs_delivered
    );
}
