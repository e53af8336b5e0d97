//! What datasets cost over HTTP against a `langtrace serve` (served in this process):
//! an item upsert (`POST /dataset-items`, one writer job), a page of 50 items of a large
//! dataset (`GET /dataset-items?datasetName=`, with exact totals), and a run item
//! (`POST /dataset-run-items`, run and item upserted under the stable id).
//!
//! `cargo bench -p langtrace-collector --bench datasets` (`LANGTRACE_BENCH_QUICK=1`: 1,000
//! items instead of 10,000). Prints one line: `datasets: items=<n> item_upsert_ms=<x>
//! items_list_ms=<x> run_item_ms=<x>`, each the median per request.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use serde_json::json;
use support::measure::{median, quick};
use support::Collector;

fn timed(mut request: impl FnMut() -> u16) -> f64 {
    let start = Instant::now();
    assert_eq!(request(), 200);
    start.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let items = if quick() { 1_000 } else { 10_000 };
    let collector = Collector::start();
    assert_eq!(collector.post_json("/api/public/v2/datasets", &json!({"name": "bench"})).0, 200);
    let item_upsert_ms = median(
        (0..items)
            .map(|n| {
                let body = json!({"datasetName": "bench", "id": format!("item-{n}"),
                                  "input": {"question": format!("question {n}")}, "expectedOutput": format!("answer {n}")});
                timed(|| collector.post_json("/api/public/dataset-items", &body).0)
            })
            .collect(),
    );
    let pages = items / 50;
    let items_list_ms = median(
        (0..200)
            .map(|round| {
                let path = format!("/api/public/dataset-items?datasetName=bench&page={}", 1 + (round * 7) % pages);
                timed(|| collector.get(&path).0)
            })
            .collect(),
    );
    let run_item_ms = median(
        (0..items.min(1_000))
            .map(|n| {
                let body = json!({"runName": "bench run", "datasetItemId": format!("item-{n}"), "traceId": format!("{n:032x}")});
                timed(|| collector.post_json("/api/public/dataset-run-items", &body).0)
            })
            .collect(),
    );
    drop(collector);
    println!(
        "datasets: items={items} item_upsert_ms={item_upsert_ms:.2} items_list_ms={items_list_ms:.2} run_item_ms={run_item_ms:.2}"
    );
}
