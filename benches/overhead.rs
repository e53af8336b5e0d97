//! Per-call overhead of instrumentation on the instrumented thread.
//!
//! `cargo bench --bench overhead` (set `LANGTRACE_BENCH_QUICK=1` for a run under 60 s).
//! Each case calls a small function (an int and a short string) in batches of
//! `BATCH` calls under one parent (a root observation / span / fastrace root per
//! batch), and reports the median over rounds of ns per call (and, on a line of its own,
//! ratios of the fastest rounds, steadier on a noisy machine):
//!
//! - `plain`: the function without instrumentation;
//! - `observe_off`: `#[observe]` with no subscriber installed;
//! - `observe_on`: `#[observe]` with `LangtraceLayer` delivering through the pipeline
//!   (worker thread: parsing, defaults, media scan, truncation) to a no-op sink;
//! - `instrument_otel`: `#[tracing::instrument]` with `tracing-opentelemetry` and an
//!   `opentelemetry_sdk` batch span processor with a no-op exporter;
//! - `fastrace`: `#[fastrace::trace]` with a no-op reporter.
//!
//! The last line printed is
//! `overhead: plain=<ns> observe_off=<ns> observe_on=<ns> instrument_otel=<ns> fastrace=<ns>`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use langtrace::tracing::Dispatch;
use langtrace::tracing_subscriber::layer::SubscriberExt;
use langtrace::LangtraceLayer;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter};

mod workload;

use workload::{instrumented_batch, observed_batch, BATCH};

#[inline(never)]
fn plain(n: u64, s: &str) -> usize {
    n as usize + s.len()
}

#[inline(never)]
fn plain_batch() {
    for i in 0..BATCH {
        black_box(plain(black_box(i), black_box("hello")));
    }
}

#[inline(never)]
#[fastrace::trace]
fn fastraced(n: u64, s: &str) -> usize {
    n as usize + s.len()
}

fn fastrace_batch() {
    let root = fastrace::Span::root("batch", fastrace::prelude::SpanContext::random());
    let _parent = root.set_local_parent();
    for i in 0..BATCH {
        black_box(fastraced(black_box(i), black_box("hello")));
    }
}

#[derive(Debug)]
struct NoopExporter;

impl SpanExporter for NoopExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        black_box(batch);
        Ok(())
    }
}

struct NoopSink;

impl langtrace::Sink for NoopSink {
    fn export(&mut self, batch: &[langtrace::Record]) -> Result<(), langtrace::SinkError> {
        black_box(batch);
        Ok(())
    }
}

struct NoopReporter;

impl fastrace::collector::Reporter for NoopReporter {
    fn report(&mut self, spans: Vec<fastrace::collector::SpanRecord>) {
        black_box(spans);
    }
}

struct Plan {
    rounds: usize,
    batches_per_round: u64,
}

/// ns per call of one round of `batch`.
fn round(plan: &Plan, batch: &dyn Fn()) -> f64 {
    let start = Instant::now();
    for _ in 0..plan.batches_per_round {
        batch();
    }
    start.elapsed().as_nanos() as f64 / (plan.batches_per_round * BATCH) as f64
}

/// ns per call of one case over the rounds.
#[derive(Clone, Copy)]
struct Figures {
    /// The figure reported.
    median: f64,
    /// The fastest round: less sensitive to a noisy machine, for comparing variants.
    min: f64,
}

/// ns per call for each case. Rounds of the cases alternate, so a machine that speeds
/// up or slows down during the run affects every case alike.
fn measure<const N: usize>(plan: &Plan, cases: [&dyn Fn(); N]) -> [Figures; N] {
    for batch in cases {
        for _ in 0..plan.batches_per_round / 4 {
            batch();
        }
    }
    let mut samples = [(); N].map(|_| Vec::with_capacity(plan.rounds));
    for _ in 0..plan.rounds {
        for (batch, samples) in cases.iter().zip(&mut samples) {
            samples.push(round(plan, *batch));
        }
    }
    samples.map(|mut samples| {
        samples.sort_by(f64::total_cmp);
        Figures { median: samples[samples.len() / 2], min: samples[0] }
    })
}

fn main() {
    let quick = std::env::var("LANGTRACE_BENCH_QUICK").is_ok_and(|v| v == "1");
    let plan = if quick {
        Plan { rounds: 11, batches_per_round: 1_000 }
    } else {
        Plan { rounds: 21, batches_per_round: 3_000 }
    };
    let started = Instant::now();

    // Measured before any subscriber exists, so callsites are cached as disabled. These
    // cost nanoseconds: rounds 100 times longer than the others keep noise out.
    let cheap = Plan { rounds: plan.rounds, batches_per_round: plan.batches_per_round * 100 };
    let [plain, observe_off] = measure(&cheap, [&plain_batch, &observed_batch]);

    let (layer, guard) = LangtraceLayer::builder().ignore_env().sink(NoopSink).build().expect("settings");
    let ours = Dispatch::new(langtrace::tracing_subscriber::registry().with(layer));
    let provider =
        SdkTracerProvider::builder().with_span_processor(BatchSpanProcessor::builder(NoopExporter).build()).build();
    let otel_layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("bench"));
    let otel = Dispatch::new(langtrace::tracing_subscriber::registry().with(otel_layer));
    fastrace::set_reporter(NoopReporter, fastrace::collector::Config::default());

    let with = |dispatch: &Dispatch, batch: fn()| langtrace::tracing::dispatcher::with_default(dispatch, batch);
    let [observe_on, instrument_otel, fastrace] =
        measure(&plan, [&|| with(&ours, observed_batch), &|| with(&otel, instrumented_batch), &fastrace_batch]);
    guard.flush(Duration::from_secs(30)).expect("flush");
    let stats = guard.stats();
    let _ = provider.shutdown();
    fastrace::flush();

    let calls = plan.rounds as u64 * plan.batches_per_round * BATCH;
    println!("calls per case: {calls} (+{}% warm-up), batch of {BATCH} under one parent", 25);
    println!("langtrace pipeline: exported={} dropped={} failed={}", stats.exported, stats.dropped, stats.failed);
    println!(
        "fastest rounds: observe_off - plain = {:.1} ns, observe_on / instrument_otel = {:.3}",
        observe_off.min - plain.min,
        observe_on.min / instrument_otel.min
    );
    println!("observe_off - plain = {:.1} ns", observe_off.median - plain.median);
    println!("observe_on / instrument_otel = {:.3}", observe_on.median / instrument_otel.median);
    println!("observe_on / fastrace = {:.3}", observe_on.median / fastrace.median);
    println!("wall time {:.1} s", started.elapsed().as_secs_f64());
    println!(
        "overhead: plain={:.1} observe_off={:.1} observe_on={:.1} instrument_otel={:.1} fastrace={:.1}",
        plain.median, observe_off.median, observe_on.median, instrument_otel.median, fastrace.median
    );
}
