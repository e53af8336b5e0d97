//! The bridge and the collector agree: every observation record the real layer and
//! pipeline produce, encoded as the OTLP span the bridge sends (with the resource its
//! sink sends) and converted to protobuf as its exporter does, maps back to an equal
//! record through the collector's own decoding (`receive::decode`, which hands each span
//! to `langtrace-core`'s one mapper). Where the wire cannot carry a field, the expected
//! record is normalised explicitly, each with the reason.

use std::time::Duration;

use base64::Engine;
use langtrace::otlp::encode;
use langtrace::tracing_subscriber::layer::SubscriberExt;
use langtrace::{
    current_observation, current_trace, event, observe, Config, Cost, LangtraceBuilder, Level, MemorySink,
    ObservationRecord, ObservationType, Scope, Timestamp, Usage,
};
use langtrace_collector::receive::decode::decode;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use serde_json::{json, Map};

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

#[observe(as_type = generation, model = "gpt-4o", level = WARNING)]
fn generate(prompt: &str) -> String {
    current_observation()
        .set_usage(Usage::tokens(12, 3).with("cache_read_input_tokens", 2))
        .set_cost(Cost::usd(0.0015, 0.25).with("total", 0.2515))
        .set_model_parameters(json!({"temperature": 0.2, "max_tokens": 64, "stop": ["\n"]}))
        .set_prompt(("qa", 2))
        .mark_first_token()
        .set_metadata("attempt", 2)
        .set_metadata("ratio", 0.5)
        .set_metadata("nested", json!({"a": [1, 2]}));
    format!("answer to {prompt}")
}

#[observe(as_type = embedding, model = "text-embedding-3-small")]
fn embed(text: &str) -> Vec<f64> {
    current_observation().set_usage(Usage { input: Some(4), ..Usage::default() });
    vec![text.len() as f64, 0.25]
}

#[observe(as_type = tool)]
fn search(query: &str) -> Result<Vec<String>, String> {
    Err(format!("no index for {query}"))
}

#[observe(as_type = retriever)]
fn retrieve(image: &str) -> usize {
    current_observation().set_level(Level::Debug).set_status_message("cache miss");
    image.len()
}

#[observe(as_type = evaluator)]
fn evaluate(expected: bool) -> bool {
    expected
}

#[observe(as_type = guardrail)]
fn guard(text: &str) -> bool {
    current_observation().set_version("guard-7");
    !text.is_empty()
}

#[observe(as_type = chain)]
fn chain(question: &str) -> String {
    let answer = generate(question);
    embed(&answer);
    let _ = search(question);
    let png = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG round trip");
    retrieve(&format!("data:image/png;base64,{png}"));
    evaluate(true);
    guard(&answer);
    event("checkpoint").input(json!({"step": 3})).level(Level::Warning).metadata("kind", "note").emit();
    answer
}

#[observe(as_type = agent)]
fn agent(question: &str) -> String {
    chain(question)
}

#[observe]
fn root(question: &str) -> String {
    current_trace()
        .set_name("round-trip")
        .set_user_id("user-1")
        .set_session_id("session-1")
        .add_tags(["a", "b"])
        .set_metadata("team", "core")
        .set_metadata("depth", 2)
        .set_release("rel-9")
        .set_version("trace-2")
        .set_public(true)
        .set_input(json!({"question": question}))
        .set_output("done");
    agent(question)
}

/// Runs `work` under a layer configured by `configure` with a memory sink; the records
/// and the layer's settings.
fn record(
    configure: impl FnOnce(LangtraceBuilder) -> LangtraceBuilder,
    work: impl FnOnce(),
) -> (Vec<ObservationRecord>, Config) {
    let sink = MemorySink::new();
    let (layer, guard) =
        configure(langtrace::LangtraceLayer::builder().ignore_env().sink(sink.clone())).build().unwrap();
    let config = layer.config().clone();
    let dispatch = langtrace::tracing::Dispatch::new(langtrace::tracing_subscriber::registry().with(layer));
    langtrace::tracing::dispatcher::with_default(&dispatch, work);
    guard.flush(Duration::from_secs(10)).unwrap();
    (sink.observations(), config)
}

/// The record as the collector stores it: encoded by the bridge with its sink's resource,
/// converted to protobuf, decoded by the collector.
fn through_the_wire(record: &ObservationRecord, config: &Config) -> ObservationRecord {
    let resource = encode::resource(config, Some("round-trip"));
    let attributes = ResourceAttributesWithSchema::from(&resource).attributes.0;
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource { attributes, ..Default::default() }),
            scope_spans: vec![ScopeSpans {
                spans: vec![Span::from(encode::span(record, &encode::scope()))],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    let mut decoded = decode(request, 1);
    assert_eq!((decoded.rejected, decoded.observations.len()), (0, 1), "{:?}", decoded.errors);
    decoded.observations.remove(0)
}

/// What of `record` the wire carries.
fn expected(record: &ObservationRecord) -> ObservationRecord {
    let mut expected = record.clone();
    // Media bytes travel to Langfuse's media API, not in span attributes; the reference
    // string that replaced them in the payload does travel.
    expected.media.clear();
    // The completion start time is written with microseconds, the precision JavaScript
    // and Python readers parse.
    expected.completion_start_time = record.completion_start_time.map(|time| Timestamp(time.0 / 1_000 * 1_000));
    // One version key on the wire: the observation's, else the trace's; the mapper gives
    // the trace that version too.
    expected.version = record.version.clone().or_else(|| record.trace.version.clone());
    let trace = std::sync::Arc::make_mut(&mut expected.trace);
    trace.version.clone_from(&expected.version);
    // The trace's input and output go on the process's root span only.
    if !record.is_root {
        trace.input = None;
        trace.output = None;
    }
    expected
}

#[test]
fn every_record_the_bridge_encodes_maps_back_to_itself() {
    let configure = |builder: LangtraceBuilder| {
        builder.environment("staging").release("rel-1").version("1.0").default_metadata("region", "eu")
    };
    let (records, config) = record(configure, || {
        Scope::new().traceparent(TRACEPARENT).unwrap().in_scope(|| root("what is rust?"));
    });
    let types: Vec<ObservationType> = records.iter().map(|r| r.observation_type).collect();
    for ty in ObservationType::ALL {
        assert!(types.contains(ty), "no {ty} record among {types:?}");
    }
    let root = records.iter().find(|r| r.name == "root").unwrap();
    assert!(root.is_root && root.parent_id.is_some(), "the root continues a remote parent: {root:?}");
    let generation = records.iter().find(|r| r.observation_type == ObservationType::Generation).unwrap();
    assert!(generation.completion_start_time.is_some() && !generation.cost_details.is_empty());
    assert!(records.iter().any(|r| !r.media.is_empty()), "a data URI became media");
    assert!(records.iter().any(|r| r.level == Level::Error && r.status_message.is_some()));
    assert!(root.trace.input.is_some() && root.trace.public == Some(true) && !root.trace.tags.is_empty());

    for record in &records {
        assert_eq!(through_the_wire(record, &config), expected(record), "{}", record.name);
    }
}

#[test]
fn a_record_without_versions_or_release_maps_back_to_itself() {
    let (records, config) = record(
        |builder| builder,
        || {
            evaluate(false);
        },
    );
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!((record.version.as_deref(), record.trace.release.as_deref()), (None, None));
    assert_eq!(record.metadata, Map::new());
    assert_eq!(through_the_wire(record, &config), expected(record));
}
