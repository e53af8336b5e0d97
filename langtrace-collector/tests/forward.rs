//! Durable forwarding over a real collector and a real OTLP/HTTP receiver on loopback:
//! an upstream that is down (503 + Retry-After, or refusing connections) while spans are
//! acknowledged gets every one exactly once when it comes back, with attributes, resource
//! and project; a
//! collector killed mid-backlog and restarted on its data directory loses nothing and
//! sends nothing twice; the status route and `/metrics` show the backlog, the lag and
//! then zero; a 400 drops only its batch; Langfuse keys give Langfuse's path and Basic
//! credentials; bad settings stop `serve` naming the setting; without forwarding no
//! outbox row is written.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use langtrace_collector::store::db;
use serde_json::Value;
use support::otlp::{self, span, text};
use support::otlp_receiver::{wait_until, Mode, Receiver};
use support::{cli, Collector, Keys};

/// Longest wait for forwarding to catch up (the upstream's `Retry-After` is 1 s).
const PATIENCE: Duration = Duration::from_secs(60);

/// Span `n` of trace `trace` (distinct span ids for any `n`), with an attribute naming it.
fn numbered(trace: u8, n: u32) -> opentelemetry_proto::tonic::trace::v1::Span {
    let mut id = [0xF0, 0, 0, 0, 0, 0, 0, trace];
    id[1..5].copy_from_slice(&n.to_be_bytes());
    span(trace, 1).span_id(id.to_vec()).attributes(vec![text("test.n", n.to_string())]).build()
}

/// The hex ids of [`numbered`] spans `range` of `trace`.
fn ids(trace: u8, range: std::ops::Range<u32>) -> Vec<String> {
    range.map(|n| hex::encode(numbered(trace, n).span_id)).collect()
}

/// Sends spans `range` of `trace` over OTLP/HTTP as `keys`, `per_request` at a time.
fn ingest(collector: &Collector, keys: &Keys, trace: u8, range: std::ops::Range<u32>, per_request: usize) {
    let spans: Vec<_> = range.map(|n| numbered(trace, n)).collect();
    for chunk in spans.chunks(per_request) {
        otlp::send(collector, &keys.basic(), &otlp::request_from("checkout", chunk.to_vec()));
    }
}

/// How often the receiver accepted each span id.
fn arrivals(receiver: &Receiver) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for span in receiver.spans() {
        *counts.entry(span.span_id).or_insert(0) += 1;
    }
    counts
}

/// Waits until the receiver holds every span of `expected`, then asserts each arrived
/// exactly once and nothing else arrived.
fn assert_exactly_once(receiver: &Receiver, expected: &[String]) {
    wait_until("every span upstream", PATIENCE, || {
        let counts = arrivals(receiver);
        expected.iter().all(|id| counts.contains_key(id)).then_some(())
    });
    let counts = arrivals(receiver);
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(counts.len(), expected.len(), "only the acknowledged spans arrive");
}

/// The collector's forwarding status for its client's project.
fn status(collector: &Collector) -> Value {
    collector.ok("/api/public/forwarding")
}

/// Waits until the status has nothing pending.
fn wait_drained(collector: &Collector) -> Value {
    wait_until("an empty backlog", PATIENCE, || {
        let status = status(collector);
        (status["pendingSpans"] == 0).then_some(status)
    })
}

fn forwarding_to(receiver: &Receiver) -> Vec<String> {
    vec!["--forward-otlp".into(), receiver.traces_url()]
}

fn args(owned: &[String]) -> Vec<&str> {
    owned.iter().map(String::as_str).collect()
}

#[test]
fn an_upstream_down_then_up_gets_every_acknowledged_span_once_with_its_attributes() {
    let receiver = Receiver::start(Mode::Unavailable { retry_after: 1 });
    let collector = Collector::start_with(&args(&forwarding_to(&receiver)));
    let other = cli::create_project(collector.data_dir(), "second");
    ingest(&collector, &Keys::test(), 1, 0..300, 50);
    // The second project sends over gRPC.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut client = otlp::grpc_client(&collector.grpc_addr).await;
        let spans: Vec<_> = (0..40).map(|n| numbered(2, n)).collect();
        let request = otlp::request_from("billing", spans);
        client.export(otlp::grpc_request(request, &other.basic())).await.expect("a gRPC export");
    });
    wait_until("a refused delivery", PATIENCE, || (!receiver.requests().is_empty()).then_some(()));
    assert!(receiver.spans().is_empty());

    receiver.set(Mode::Accept);
    let mut expected = ids(1, 0..300);
    expected.extend(ids(2, 0..40));
    assert_exactly_once(&receiver, &expected);

    let spans = receiver.spans();
    let first = spans.iter().find(|s| s.span_id == expected[7]).unwrap();
    assert_eq!(first.name, "step-1");
    assert!(first.attributes.contains(&("test.n".into(), "7".into())), "{:?}", first.attributes);
    assert!(first.resource.contains(&("service.name".into(), "checkout".into())), "{:?}", first.resource);
    let projects: HashMap<&str, &str> = spans
        .iter()
        .map(|s| {
            let service = s.resource.iter().find(|(k, _)| k == "service.name").unwrap().1.as_str();
            let project = s.resource.iter().find(|(k, _)| k == "langtrace.project.id").unwrap().1.as_str();
            (service, project)
        })
        .collect();
    assert_eq!(projects.len(), 2, "{projects:?}");
    assert_ne!(projects["checkout"], projects["billing"], "each project's spans carry its id");
    let own = wait_drained(&collector);
    assert_eq!((own["deliveredSpans"].as_i64(), own["droppedSpans"].as_i64()), (Some(300), Some(0)));
    let (code, theirs) = collector.get_as("/api/public/forwarding", &other.basic());
    assert_eq!((code, theirs["deliveredSpans"].as_i64()), (200, Some(40)), "{theirs}");
}

#[test]
fn an_upstream_refusing_connections_gets_the_backlog_once_it_listens_again() {
    let stopped = Receiver::start(Mode::Accept);
    let (addr, url) = (stopped.addr, stopped.traces_url());
    drop(stopped);
    let collector = Collector::start_with(&["--forward-otlp", &url]);
    ingest(&collector, &Keys::test(), 1, 0..50, 10);
    let down = wait_until("the connection error in the status", PATIENCE, || {
        let status = status(&collector);
        status["lastError"].as_str().is_some_and(|e| e.contains("cannot connect")).then_some(status)
    });
    assert_eq!(down["pendingSpans"], 50);

    let receiver = Receiver::start_at(addr, Mode::Accept);
    assert_exactly_once(&receiver, &ids(1, 0..50));
    assert_eq!(wait_drained(&collector)["deliveredSpans"], 50);
}

#[test]
fn a_collector_killed_mid_backlog_resumes_without_loss_or_repeats() {
    let receiver = Receiver::start(Mode::Accept);
    let forward = forwarding_to(&receiver);
    let collector = Collector::setup().args(&args(&forward)).process();
    ingest(&collector, &Keys::test(), 1, 0..100, 25);
    assert_exactly_once(&receiver, &ids(1, 0..100));
    wait_drained(&collector);

    receiver.set(Mode::Unavailable { retry_after: 1 });
    ingest(&collector, &Keys::test(), 1, 100..400, 25);
    wait_until("a refused delivery", PATIENCE, || {
        receiver.requests().iter().any(|r| r.answered != Mode::Accept).then_some(())
    });
    assert_eq!(status(&collector)["pendingSpans"], 300);
    let data_dir = collector.stop();

    receiver.set(Mode::Accept);
    let collector = Collector::setup().args(&args(&forward)).data_dir(data_dir).process();
    assert_exactly_once(&receiver, &ids(1, 0..400));
    let status = wait_drained(&collector);
    assert_eq!(status["deliveredSpans"], 400, "{status}");
}

#[test]
fn status_and_metrics_show_the_backlog_its_lag_then_zero() {
    let receiver = Receiver::start(Mode::Unavailable { retry_after: 1 });
    let collector = Collector::start_with(&args(&forwarding_to(&receiver)));
    let idle = status(&collector);
    assert_eq!(idle["enabled"], true);
    assert_eq!(idle["endpoint"], receiver.traces_url());
    assert_eq!(idle["protocol"], "http/protobuf");
    assert_eq!((idle["pendingSpans"].as_i64(), idle["lagSeconds"].as_f64()), (Some(0), Some(0.0)));

    ingest(&collector, &Keys::test(), 1, 0..20, 20);
    let waiting = wait_until("the upstream's error in the status", PATIENCE, || {
        let status = status(&collector);
        status["lastError"].as_str().is_some_and(|e| e.contains("503")).then_some(status)
    });
    assert_eq!(waiting["pendingSpans"], 20);
    assert!(waiting["lagSeconds"].as_f64().unwrap() > 0.0, "{waiting}");
    assert_eq!(waiting["lastSuccessAt"], Value::Null);
    let text = exposition(&collector);
    assert!(text.contains("\nlangtrace_forward_pending_spans 20\n"), "{text}");
    let lag = metric(&text, "langtrace_forward_lag_seconds");
    assert!(lag > 0.0, "{text}");

    receiver.set(Mode::Accept);
    let done = wait_drained(&collector);
    assert_eq!((done["deliveredSpans"].as_i64(), done["lagSeconds"].as_f64()), (Some(20), Some(0.0)), "{done}");
    assert!(done["lastSuccessAt"].as_str().is_some_and(|at| at.ends_with('Z')), "{done}");
    assert_eq!(done["lastError"], Value::Null);
    let text = exposition(&collector);
    for line in [
        "# TYPE langtrace_forward_delivered_spans_total counter",
        "\nlangtrace_forward_pending_spans 0\n",
        "\nlangtrace_forward_delivered_spans_total 20\n",
        "\nlangtrace_forward_dropped_spans_total 0\n",
        "\nlangtrace_forward_lag_seconds 0\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    let (code, _, _) = collector.post_raw("/metrics", &[], Vec::new());
    assert_eq!(code, 405);
    for path in ["/metrics", "/api/public/forwarding"] {
        let (code, _) = collector.get_as(path, "Basic bm90OmFrZXk=");
        assert_eq!(code, 401, "{path} needs a key");
    }
}

/// `/metrics` with the test keys.
fn exposition(collector: &Collector) -> String {
    let (code, headers, body) = collector.get_raw("/metrics");
    assert_eq!(code, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    String::from_utf8(body).unwrap()
}

/// The value of metric `name` in `text`.
fn metric(text: &str, name: &str) -> f64 {
    let line = text.lines().find(|line| line.starts_with(&format!("{name} "))).expect(name);
    line[name.len() + 1..].parse().unwrap()
}

#[test]
fn a_refused_batch_is_dropped_and_forwarding_goes_on() {
    let receiver = Receiver::start(Mode::Reject);
    let collector = Collector::start_with(&args(&forwarding_to(&receiver)));
    ingest(&collector, &Keys::test(), 1, 0..30, 30);
    let dropped = wait_until("the batch dropped", PATIENCE, || {
        let status = status(&collector);
        (status["droppedSpans"] == 30).then_some(status)
    });
    assert_eq!(dropped["pendingSpans"], 0);
    assert!(dropped["lastError"].as_str().unwrap().contains("400"), "{dropped}");

    receiver.set(Mode::Accept);
    ingest(&collector, &Keys::test(), 1, 30..50, 20);
    assert_exactly_once(&receiver, &ids(1, 30..50));
    let status = wait_drained(&collector);
    assert_eq!((status["deliveredSpans"].as_i64(), status["droppedSpans"].as_i64()), (Some(20), Some(30)));
}

#[test]
fn langfuse_keys_reach_langfuses_otlp_path_with_basic_credentials_gzipped() {
    let receiver = Receiver::start(Mode::Accept);
    let base = format!("http://{}", receiver.addr);
    let collector = Collector::start_with(&[
        "--forward-otlp",
        &base,
        "--forward-langfuse-public-key",
        "pk-lf-upstream",
        "--forward-langfuse-secret-key",
        "sk-lf-upstream-secret",
        "--forward-otlp-header",
        "x-tenant=blue",
        "--forward-otlp-compression",
        "gzip",
    ]);
    ingest(&collector, &Keys::test(), 1, 0..5, 5);
    assert_exactly_once(&receiver, &ids(1, 0..5));
    let request = &receiver.requests()[0];
    assert_eq!(request.path, "/api/public/otel/v1/traces");
    assert_eq!(
        request.authorization.as_deref(),
        Some(support::basic("pk-lf-upstream", "sk-lf-upstream-secret").as_str())
    );
    assert_eq!(request.content_encoding.as_deref(), Some("gzip"));
    assert_eq!(status(&collector)["endpoint"], format!("{base}/api/public/otel/v1/traces"));
}

#[test]
fn bad_forwarding_settings_stop_serve_naming_the_setting() {
    let data_dir = tempfile::tempdir().unwrap();
    let listen = ["--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0"];
    let cases: [(&[&str], &str); 6] = [
        (&["--forward-otlp", "ftp://example"], "--forward-otlp / LANGTRACE_FORWARD_OTLP"),
        (
            &["--forward-otlp", "http://127.0.0.1:9/v1/traces", "--forward-otlp-protocol", "grpc"],
            "--forward-otlp-protocol",
        ),
        (
            &["--forward-otlp", "http://127.0.0.1:9/v1/traces", "--forward-otlp-header", "x-key:hunter2"],
            "--forward-otlp-header",
        ),
        (
            &["--forward-otlp", "http://127.0.0.1:9", "--forward-langfuse-secret-key", "hunter2"],
            "--forward-langfuse-public-key",
        ),
        (&["--forward-otlp", "http://127.0.0.1:9/v1/traces", "--forward-timeout", "soon"], "--forward-timeout"),
        (&["--forward-langfuse-public-key", "pk", "--forward-langfuse-secret-key", "hunter2"], "--forward-otlp"),
    ];
    for (flags, setting) in cases {
        let output = cli::output(data_dir.path(), &[&["serve"][..], &listen, flags].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{flags:?} started");
        assert!(stderr.contains(setting), "{flags:?}: {stderr}");
        assert!(!stderr.contains("hunter2"), "{flags:?} shows a secret: {stderr}");
    }
}

#[test]
fn without_forwarding_no_outbox_row_is_written() {
    let collector = Collector::start();
    ingest(&collector, &Keys::test(), 1, 0..10, 10);
    let status = status(&collector);
    assert_eq!(status["enabled"], false);
    assert_eq!((status["endpoint"].clone(), status["pendingSpans"].as_i64()), (Value::Null, Some(0)));
    // The collector's database, whichever store it runs on.
    let database = match support::postgres::existing_store(collector.data_dir()) {
        Some(url) => db::Connection::from(db::PgConnection::connect(&url).unwrap()),
        None => db::Connection::from(
            rusqlite::Connection::open_with_flags(
                collector.data_dir().join("langtrace.db"),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .unwrap(),
        ),
    };
    let observations: i64 = database.query_row("SELECT COUNT(*) FROM observations", (), |r| r.get(0)).unwrap();
    let outbox: i64 = database.query_row("SELECT COUNT(*) FROM forward_outbox", (), |r| r.get(0)).unwrap();
    assert_eq!((observations, outbox), (10, 0));
}

#[test]
fn past_the_backlog_cap_the_oldest_exports_are_dropped_and_counted() {
    let receiver = Receiver::start(Mode::Unavailable { retry_after: 1 });
    let mut flags = forwarding_to(&receiver);
    flags.extend(["--forward-max-backlog".to_owned(), (1 << 20).to_string()]);
    let collector = Collector::start_with(&args(&flags));
    // Four exports of one span with ~300 KB of attribute each: the fourth takes the
    // backlog past 1 MiB, so the first goes.
    let blob = "x".repeat(300_000);
    for n in 0..4 {
        let mut heavy = numbered(1, n);
        heavy.attributes.push(text("test.blob", blob.clone()));
        otlp::send(&collector, &Keys::test().basic(), &otlp::request_from("checkout", [heavy]));
    }
    let full = status(&collector);
    assert_eq!((full["pendingSpans"].as_i64(), full["droppedSpans"].as_i64()), (Some(3), Some(1)), "{full}");
    assert_eq!(collector.ok("/api/public/observations")["meta"]["totalItems"], 4, "the store keeps every span");

    receiver.set(Mode::Accept);
    assert_exactly_once(&receiver, &ids(1, 1..4));
    let done = wait_drained(&collector);
    assert_eq!((done["deliveredSpans"].as_i64(), done["droppedSpans"].as_i64()), (Some(3), Some(1)), "{done}");
}
