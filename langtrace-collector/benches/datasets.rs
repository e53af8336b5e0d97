//! What datasets and experiments cost through the Rust client `langtrace::datasets`
//! against a loopback `langtrace serve` (served in this process): reading a dataset of
//! 1,000 items (20 pages of 50), exporting one of 10,000 items as JSONL, and an
//! experiment over 100 items with a mock task and two evaluators, its spans exported
//! over OTLP and flushed.
//!
//! `cargo bench -p langtrace-collector --bench datasets` (`LANGTRACE_BENCH_QUICK=1`:
//! fewer rounds). Prints one line: `datasets: items_list_ms=<x> export_10k_items_ms=<x>
//! experiment_100_items_s=<x>`, each the median over rounds: ms per `get` of the
//! 1,000-item dataset, ms per full export download, s per experiment run including the
//! flush of its spans and scores.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use langtrace::datasets::{Datasets, NewDataset, NewItem};
use langtrace::experiments::Evaluation;
use langtrace::otlp::OtlpSink;
use langtrace::tracing_subscriber::layer::SubscriberExt;
use serde_json::json;
use support::measure::{median, quick};
use support::{Collector, PUBLIC_KEY, SECRET_KEY};

/// Items written at once while filling a dataset.
const WRITERS: usize = 16;

/// Fills the dataset `name` with `count` items, `WRITERS` tasks writing at once.
async fn fill(datasets: &Datasets, name: &str, count: usize) {
    datasets.create(&NewDataset::new(name)).await.expect("dataset");
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (datasets, name) = (datasets.clone(), name.to_owned());
            tokio::spawn(async move {
                for index in (writer..count).step_by(WRITERS) {
                    let item = NewItem::new(&name)
                        .id(format!("{name}-{index}"))
                        .input(json!({"question": format!("What is {index} + {index}?")}))
                        .expected_output(json!((2 * index).to_string()))
                        .metadata(json!({"index": index}));
                    datasets.create_item(item).await.expect("item");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("writer");
    }
}

fn main() {
    let rounds = if quick() { 3 } else { 10 };
    let collector = Collector::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let datasets = Datasets::builder()
        .public_key(PUBLIC_KEY)
        .secret_key(SECRET_KEY)
        .base_url(collector.base_url.clone())
        .build()
        .expect("datasets client");

    runtime.block_on(fill(&datasets, "list", 1_000));
    let items_list_ms = median(
        (0..rounds)
            .map(|_| {
                let start = Instant::now();
                let dataset = runtime.block_on(datasets.get("list")).expect("dataset");
                assert_eq!(dataset.items.len(), 1_000);
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    );

    runtime.block_on(fill(&datasets, "export", 10_000));
    let export_10k_items_ms = median(
        (0..rounds)
            .map(|_| {
                let start = Instant::now();
                let (status, _, body) = collector.get_raw("/api/public/v2/datasets/export/export?format=jsonl");
                assert_eq!(status, 200, "export: {}", String::from_utf8_lossy(&body));
                let lines = body.split(|b| *b == b'\n').filter(|line| !line.is_empty()).count();
                assert!(lines >= 10_000, "{lines} lines");
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    );

    let dataset = runtime.block_on(datasets.get("list")).expect("dataset");
    let items = &dataset.items[..100];
    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .langfuse(PUBLIC_KEY, SECRET_KEY, collector.base_url.clone())
        .build()
        .expect("exporter");
    let (layer, guard) = langtrace::LangtraceLayer::builder().ignore_env().sink(sink).build().expect("settings");
    let dispatch = langtrace::tracing::Dispatch::new(langtrace::tracing_subscriber::registry().with(layer));
    let experiment_100_items_s = median(
        (0..rounds)
            .map(|round| {
                let start = Instant::now();
                let result = langtrace::tracing::dispatcher::with_default(&dispatch, || {
                    runtime.block_on(
                        datasets
                            .run_experiment("bench")
                            .run_name(format!("bench round {round}"))
                            .data(items)
                            .task(|item| async move {
                                let question = item.input["question"].as_str().unwrap_or_default().to_owned();
                                Ok::<_, String>(question.split_whitespace().nth(2).unwrap_or_default().to_owned())
                            })
                            .evaluator("exact_match", |e| async move {
                                Ok::<_, String>(Evaluation::new(
                                    "exact_match",
                                    Some(&e.output) == e.expected_output.as_ref(),
                                ))
                            })
                            .evaluator("length", |e| async move {
                                Ok::<_, String>(Evaluation::new("length", e.output.as_str().map_or(0, str::len) as f64))
                            })
                            .progress(false)
                            .run(),
                    )
                })
                .expect("experiment");
                assert_eq!(result.items.len(), 100);
                guard.flush(Duration::from_secs(60)).expect("flush");
                start.elapsed().as_secs_f64()
            })
            .collect(),
    );

    drop(guard);
    drop(collector);
    println!(
        "datasets: items_list_ms={items_list_ms:.2} export_10k_items_ms={export_10k_items_ms:.1} \
         experiment_100_items_s={experiment_100_items_s:.3}"
    );
}
