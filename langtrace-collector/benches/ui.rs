//! How fast a big trace opens in the browser: one trace of 10,000 observations (a root,
//! 100 agents, each with 33 tools, generations and events under it) is sent to a
//! `langtrace serve` on loopback, then headless Chromium (Debian's, through its
//! chromedriver) loads the trace's deep link from scratch, several times. Measured in the
//! page: from navigation start to the moment the trace page shows its tree, timeline and
//! graph (the UI's `ready:trace` performance mark). Also the traces list.
//!
//! `cargo bench -p langtrace-collector --bench ui` (`LANGTRACE_BENCH_QUICK=1`: fewer
//! runs). Last line: `ui: trace_10k_ms=<median> traces_list_ms=<median>`.

#[path = "../tests/support/mod.rs"]
mod support;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use support::browser::Browser;
use support::measure::{median, quick};
use support::otlp::{request, text};
use support::{otlp, Collector};

const OBSERVATIONS: u64 = 10_000;
const AGENTS: u64 = 100;
const TRACE_ID: [u8; 16] = [0x10, 0x4b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

/// The 10,000 spans of one trace: span 1 the root, spans 2..=101 agents under it, the
/// rest spread over the agents, each a tool, a generation or an event.
fn big_trace() -> ExportTraceServiceRequest {
    let start = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let spans = (1..=OBSERVATIONS)
        .map(|n| {
            let (parent, kind) = match n {
                1 => (0, "agent"),
                2..=101 => (1, "agent"),
                _ => (2 + n % AGENTS, ["tool", "generation", "event"][(n % 3) as usize]),
            };
            let mut attributes = vec![
                text("langfuse.observation.type", kind),
                text("langfuse.observation.input", format!("{{\"step\":{n},\"query\":\"look up item {n}\"}}")),
                text("langfuse.observation.output", format!("\"result of step {n}\"")),
            ];
            if kind == "generation" {
                attributes.push(text("langfuse.observation.model.name", "gpt-4o-mini"));
                attributes.push(text("langfuse.observation.usage_details", "{\"input\":50,\"output\":10}"));
            }
            let begin = start + n * 100_000;
            Span {
                trace_id: TRACE_ID.to_vec(),
                span_id: n.to_be_bytes().to_vec(),
                parent_span_id: if parent == 0 { Vec::new() } else { parent.to_be_bytes().to_vec() },
                name: format!("{kind}-{}", n % 50),
                start_time_unix_nano: begin,
                end_time_unix_nano: begin + if n <= 101 { 2_000_000_000 } else { 50_000_000 },
                attributes,
                ..Default::default()
            }
        })
        .collect::<Vec<Span>>();
    request(spans)
}

fn main() {
    let runs = if quick() { 3 } else { 11 };
    let (public_key, secret_key) = ("pk-bench", "sk-bench-0123456789abcdef");
    let server = Collector::setup().keys(public_key, secret_key).process();
    let base = server.base_url.clone();
    otlp::send(&server, &server.authorization(), &big_trace());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (trace_ms, list_ms, rendered) = runtime.block_on(measure(&base, public_key, secret_key, runs));
    drop(server);

    println!("trace of {OBSERVATIONS} observations, {runs} loads each, rows rendered at first: {rendered}");
    println!("trace page runs (ms): {trace_ms:.0?}");
    println!("ui: trace_10k_ms={:.0} traces_list_ms={:.0}", median(trace_ms), median(list_ms));
}

/// Loads the big trace and the traces list `runs` times each in a fresh document; the
/// times to their ready marks (ms) and the tree rows the trace page rendered at first.
async fn measure(base: &str, public_key: &str, secret_key: &str, runs: usize) -> (Vec<f64>, Vec<f64>, usize) {
    let browser = Browser::start().await;
    browser.sign_in(base, public_key, secret_key).await;
    let trace_id = hex::encode(TRACE_ID);
    let time = |route: String, ready: &'static str| {
        let browser = &browser;
        async move {
            // A fresh document each time (a full reload, not a hash change).
            browser.client().goto("about:blank").await.unwrap();
            browser.open(&route, ready).await;
            let mark = format!("return performance.getEntriesByName('ready:{ready}')[0].startTime");
            browser.client().execute(&mark, vec![]).await.unwrap().as_f64().expect("a ready mark")
        }
    };
    let mut trace_ms = Vec::new();
    let mut list_ms = Vec::new();
    for _ in 0..runs {
        trace_ms.push(time(format!("{base}/#/traces/{trace_id}"), "trace").await);
        list_ms.push(time(format!("{base}/#/traces"), "traces").await);
    }
    browser.open(&format!("{base}/#/traces/{trace_id}"), "trace").await;
    let rendered = browser.count("[data-testid=tree] [data-observation-id]").await;
    browser.screenshot("trace-10k").await;
    (trace_ms, list_ms, rendered)
}
