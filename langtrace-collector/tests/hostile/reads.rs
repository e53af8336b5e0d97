//! Hostile cases: reads. Metrics queries past their caps, lists of large inputs (previews,
//! the whole value only when asked for), a query past the time budget, and more reads at
//! once than there are read slots.

use std::sync::Barrier;

use serde_json::{json, Value};

use crate::support::http::{form_encode, message};
use crate::support::otlp::{self, text, trace_id};
use crate::support::{cli, Collector, DataDir};

/// Characters of stored JSON text a list's preview holds (`PREVIEW_CHARS`).
const PREVIEW_CHARS: usize = 2048;

/// Sends traces `first..first + count`, one root span each in session `s`, whose input is
/// the JSON string of `input_chars` letters, in requests of at most 50 spans.
fn fill(collector: &Collector, first: u8, count: u8, input_chars: usize) {
    let input = Value::String("a".repeat(input_chars)).to_string();
    let spans: Vec<_> = (first..first + count)
        .map(|trace| {
            otlp::span(trace, 1).attributes(vec![
                text("langfuse.observation.input", input.clone()),
                text("langfuse.observation.output", "{\"ok\":true}"),
                text("session.id", "s"),
            ])
        })
        .collect();
    for batch in spans.chunks(50) {
        otlp::send(collector, &collector.authorization(), &otlp::request(batch.to_vec()));
    }
}

/// The metrics route's answer to `query`.
fn metrics(collector: &Collector, query: &Value) -> (u16, Value) {
    collector.get(&format!("/api/public/metrics?query={}", form_encode(&query.to_string())))
}

#[test]
fn metrics_queries_past_their_caps_get_400_naming_the_limit() {
    let collector = Collector::start();
    let base =
        json!({"view": "observations", "fromTimestamp": "2020-01-01T00:00:00Z", "toTimestamp": "2030-01-01T00:00:00Z"});
    let with = |extra: Value| {
        let mut query = base.clone();
        query.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        query
    };
    let count = json!({"measure": "count", "aggregation": "count"});

    let (status, body) = metrics(&collector, &with(json!({"metrics": vec![count.clone(); 11]})));
    assert_eq!((status, body["message"].as_str().unwrap()), (400, "11 metrics asked for: at most 10 per query"));
    let dimensions = vec![json!({"field": "name"}); 6];
    let (status, body) = metrics(&collector, &with(json!({"metrics": [count], "dimensions": dimensions})));
    assert_eq!((status, body["message"].as_str().unwrap()), (400, "6 dimensions asked for: at most 5 per query"));
    let filters = vec![json!({"column": "name", "operator": "=", "value": "x"}); 21];
    let (status, body) = metrics(&collector, &with(json!({"metrics": [count], "filters": filters})));
    assert_eq!((status, body["message"].as_str().unwrap()), (400, "21 filters asked for: at most 20 per query"));

    // At the caps, the query runs.
    fill(&collector, 1, 3, 10);
    let ten = vec![json!({"measure": "latency", "aggregation": "p50"}); 10];
    let (status, body) =
        metrics(&collector, &with(json!({"metrics": ten, "dimensions": vec![json!({"field": "name"}); 5]})));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["p50_latency"], 100.0, "{body}");
}

#[test]
fn lists_answer_previews_and_the_whole_value_only_when_asked() {
    let collector = Collector::start();
    let big = 300_000;
    fill(&collector, 1, 1, big);
    fill(&collector, 2, 1, 10);
    let whole = Value::String("a".repeat(big));
    let (big_id, small_id) = (trace_id(1), trace_id(2));

    // The trace list: the big input as a marked preview, the small one whole.
    let list = collector.ok("/api/public/traces");
    let trace =
        |list: &Value, id: &str| list["data"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap().clone();
    let preview = trace(&list, &big_id)["input"].as_str().expect("a preview is a string").to_owned();
    assert!(preview.starts_with(&format!("\"{}", "a".repeat(PREVIEW_CHARS - 1))), "the stored JSON text's start");
    assert!(preview.contains(&format!("…[truncated: {} characters in all", big + 2)), "{}", &preview[PREVIEW_CHARS..]);
    assert!(preview.chars().count() < PREVIEW_CHARS + 200, "a few KB");
    assert_eq!(trace(&list, &small_id)["input"], json!("a".repeat(10)), "short values stay whole");
    assert!(list.to_string().len() < 10_000, "the page is small: {} bytes", list.to_string().len());

    // `fields=io` and the detail route: the whole value.
    assert_eq!(trace(&collector.ok("/api/public/traces?fields=core,io"), &big_id)["input"], whole);
    let detail = collector.ok(&format!("/api/public/traces/{big_id}"));
    assert_eq!((&detail["input"], &detail["observations"][0]["input"]), (&whole, &whole));
    // The UI's trace page: the trace whole, its observations previewed.
    let detail = collector.ok(&format!("/api/public/traces/{big_id}?observationIo=preview"));
    assert_eq!(detail["input"], whole);
    assert!(detail["observations"][0]["input"].as_str().unwrap().contains("…[truncated: "));
    let without_io = collector.ok("/api/public/traces?fields=core,metrics");
    assert_eq!(trace(&without_io, &big_id)["input"], Value::Null, "fields without io: no input");
    let (status, body) = collector.get("/api/public/traces?fields=everything");
    assert_eq!(status, 400, "{body}");

    // Observations, v1: previews unless `fields=io`.
    let observation = |path: &str| {
        let list = collector.ok(path);
        list["data"].as_array().unwrap().iter().find(|o| o["traceId"] == big_id).unwrap()["input"].clone()
    };
    assert!(observation("/api/public/observations").as_str().unwrap().contains("…[truncated: "));
    assert_eq!(observation("/api/public/observations?fields=io"), whole);

    // Observations, v2: I/O only with `fields=io` (the stored text), then 100 a page at most.
    let v2 = collector.ok("/api/public/v2/observations");
    assert!(v2["data"][0].get("input").is_none(), "no io group, no input: {}", v2["data"][0]);
    let v2 = collector.ok(&format!("/api/public/v2/observations?fields=core,io&traceId={big_id}"));
    assert_eq!(v2["data"][0]["input"], whole.to_string());
    let (status, body) = collector.get("/api/public/v2/observations?fields=io&limit=101");
    assert_eq!((status, body["message"].as_str().unwrap()), (400, "limit must be between 1 and 100"));

    // Session turns: previews, a page at a time.
    let session = collector.ok("/api/public/sessions/s?limit=1");
    assert_eq!(session["traces"].as_array().unwrap().len(), 1);
    assert_eq!(session["tracesMeta"], json!({"page": 1, "limit": 1, "totalItems": 2, "totalPages": 2}));
    assert_eq!(session["tracesTruncated"], true);
    assert!(session["traces"][0]["input"].as_str().unwrap().contains("…[truncated: "), "the oldest turn, previewed");
    let last = collector.ok("/api/public/sessions/s?limit=1&page=2");
    assert_eq!((last["traces"][0]["id"].as_str(), &last["tracesTruncated"]), (Some(small_id.as_str()), &json!(false)));
}

/// Traces of 100,000 characters of input each (20 MB in all): a search for text none of
/// them holds must scan every input.
fn fill_for_scans(collector: &Collector) {
    fill(collector, 1, 200, 100_000);
}

const SCAN: &str = "/api/public/traces?search=text-that-is-nowhere";

#[test]
fn a_query_past_the_time_budget_gets_504_naming_the_setting() {
    let collector = Collector::start_with(&["--read-timeout", "1ms"]);
    fill_for_scans(&collector);
    // Scanning 20 MB takes far more than 1 ms.
    let (status, body) = collector.get(SCAN);
    assert_eq!(status, 504, "{body}");
    let text = body["message"].as_str().unwrap();
    assert!(text.contains("read time budget of 1ms (--read-timeout / LANGTRACE_READ_TIMEOUT)"), "{text}");
}

#[test]
fn reads_past_the_concurrency_limit_get_503_with_retry_after() {
    let collector = Collector::start_with(&["--max-reads", "1", "--read-queue-timeout", "0s"]);
    fill_for_scans(&collector);
    // Eight scans at once for one slot that nobody waits for: the first to take the slot
    // holds it for its whole scan, and the others, sent meanwhile, are turned away.
    let start = Barrier::new(8);
    let answers: Vec<_> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    collector.get_raw(SCAN)
                })
            })
            .collect();
        threads.into_iter().map(|thread| thread.join().unwrap()).collect()
    });
    let ok = answers.iter().filter(|(status, ..)| *status == 200).count();
    let busy: Vec<_> = answers.iter().filter(|(status, ..)| *status == 503).collect();
    assert_eq!(ok + busy.len(), answers.len(), "only 200 or 503");
    assert!(ok >= 1 && !busy.is_empty(), "{ok} answered, {} turned away", busy.len());
    for (_, headers, body) in busy {
        assert_eq!(headers["retry-after"], "1");
        let text = message(body);
        assert!(text.contains("all 1 read slots (--max-reads / LANGTRACE_MAX_READS)"), "{text}");
    }
    // The slot is free again once the scans are answered.
    assert_eq!(collector.get(SCAN).0, 200);
}

#[test]
fn bad_read_settings_stop_the_start_naming_the_setting() {
    let data_dir = DataDir::temp();
    for (flag, value) in [("--read-timeout", "0s"), ("--max-reads", "0"), ("--read-queue-timeout", "soon")] {
        let output = cli::output(data_dir.path(), &["serve", flag, value]);
        let error = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && error.contains(flag), "{flag} {value}: {error}");
    }
}
