//! langtrace next to an existing `tracing` + `tracing-opentelemetry` setup in one
//! subscriber: both layers see every span and both export to the same OTLP receiver.

mod receiver;

use std::time::Duration;

use langtrace::observe;
use langtrace::otlp::OtlpSink;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::trace::SdkTracerProvider;
use receiver::{ReceivedSpan, Receiver};
use tracing_subscriber::layer::SubscriberExt;

#[observe(as_type = agent)]
fn handle_request(question: &str) -> usize {
    query_database(question)
}

#[tracing::instrument]
fn query_database(statement: &str) -> usize {
    statement.len()
}

fn of_scope<'a>(spans: &'a [ReceivedSpan], scope: &str) -> Vec<&'a ReceivedSpan> {
    spans.iter().filter(|s| s.scope.0 == scope).collect()
}

#[test]
fn langtrace_and_tracing_opentelemetry_share_one_subscriber() {
    let receiver = Receiver::start();
    let otel_exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(receiver.traces_url())
        .build()
        .expect("otel exporter");
    let provider = SdkTracerProvider::builder().with_simple_exporter(otel_exporter).build();
    let (layer, guard) = langtrace::LangtraceLayer::builder()
        .ignore_env()
        .sink(OtlpSink::builder().env_lookup(|_| None).endpoint(receiver.traces_url()).build().unwrap())
        .build()
        .unwrap();
    let subscriber = tracing_subscriber::registry()
        .with(layer)
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("existing-app")));
    tracing::subscriber::with_default(subscriber, || handle_request("select 1"));
    guard.flush(Duration::from_secs(20)).unwrap();
    provider.force_flush().unwrap();

    let spans = receiver.spans();
    let ours = of_scope(&spans, "langtrace");
    let theirs = of_scope(&spans, "existing-app");
    for set in [&ours, &theirs] {
        let names: Vec<&str> = set.iter().map(|s| s.span.name.as_str()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        let parent = set.iter().find(|s| s.span.name == "handle_request").expect("outer span");
        let child = set.iter().find(|s| s.span.name == "query_database").expect("inner span");
        assert_eq!(child.span.parent_span_id, parent.span.span_id);
        assert_eq!(child.span.trace_id, parent.span.trace_id);
    }
    // langtrace maps the foreign span too: a span observation with its fields as input.
    let agent = ours.iter().find(|s| s.span.name == "handle_request").unwrap();
    assert_eq!(agent.str("langfuse.observation.type"), "agent");
    let query = ours.iter().find(|s| s.span.name == "query_database").unwrap();
    assert_eq!(query.str("langfuse.observation.type"), "span");
}
