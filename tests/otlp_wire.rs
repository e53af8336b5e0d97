//! The OTLP bridge on the wire: records exported by the real pipeline to a real OTLP
//! receiver on loopback (HTTP protobuf, HTTP JSON, gRPC), decoded with
//! `opentelemetry-proto`, checked key by key against `docs/wire-format.md`, "Langfuse
//! attribute vocabulary". One file slightly over 400 lines: the key-by-key table of every
//! observation type is one concept and reads best whole.

mod common;
mod receiver;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use base64::Engine;
use common::{redact, Harness};
use langtrace::otlp::{OtlpSink, Protocol};
use langtrace::{current_observation, current_trace, event, observe, Cost, Level, Scope, TraceId, Usage};
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use receiver::{ReceivedSpan, Receiver, Reply};
use serde_json::{json, Value};

const IMAGE: &[u8] = b"\x89PNG\r\n\x1a\nnot really a png";

fn image_uri() -> String {
    format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(IMAGE))
}

#[observe(as_type = agent)]
fn support_agent(question: &str) -> String {
    current_trace()
        .set_name("support")
        .set_user_id("user-7")
        .set_session_id("session-1")
        .add_tags(["beta", "rust"])
        .set_metadata("tenant", "acme")
        .set_metadata("limits", json!({"rpm": 60}))
        .set_public(true)
        .set_input(json!({"question": question}))
        .set_output("final answer");
    current_observation().set_metadata("attempt", 2).set_metadata("plan", json!(["a", "b"]));
    let documents = retrieve(question);
    let plan = plan_steps(&documents);
    let _ = lookup("order 42");
    let answer = generate(&plan);
    embed(&answer);
    check_answer(&answer);
    guard_output(&answer);
    event("cache miss").level(Level::Warning).status_message("cold cache").metadata("key", "q1").emit();
    plain_step();
    answer
}

#[observe(as_type = retriever)]
fn retrieve(query: &str) -> Vec<String> {
    vec![format!("doc about {query}")]
}

#[observe(as_type = chain)]
fn plan_steps(documents: &[String]) -> String {
    format!("plan from {} docs", documents.len())
}

#[observe(as_type = tool)]
fn lookup(order: &str) -> Result<String, String> {
    Err(format!("{order} not found"))
}

#[observe(as_type = generation, model = "gpt-4o")]
fn generate(prompt: &str) -> String {
    current_observation()
        .set_model_parameters(json!({"temperature": 0.2, "max_tokens": 256}))
        .set_usage(Usage::tokens(120, 30).with("cache_read_input_tokens", 100))
        .set_cost(Cost::usd(0.0003, 0.0006))
        .set_prompt(("support-answer", 3))
        .set_metadata("image", image_uri())
        .mark_first_token();
    format!("answer to {prompt}")
}

#[observe(as_type = embedding, model = "text-embedding-3-small")]
fn embed(text: &str) -> usize {
    current_observation().set_usage(Usage::tokens(8, 0));
    text.len()
}

#[observe(as_type = evaluator)]
fn check_answer(answer: &str) -> bool {
    !answer.is_empty()
}

#[observe(as_type = guardrail, level = "DEBUG")]
fn guard_output(answer: &str) -> bool {
    !answer.contains("hunter2")
}

#[observe]
fn plain_step() {}

/// Runs the scenario with every seed feature, exporting with `protocol`, and returns the
/// spans the receiver decoded.
fn export_scenario(protocol: Protocol, gzip: bool) -> (Vec<ReceivedSpan>, Receiver) {
    let receiver = Receiver::start();
    let endpoint = match protocol {
        Protocol::Grpc => receiver.grpc_url(),
        _ => receiver.traces_url(),
    };
    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .endpoint(endpoint)
        .protocol(protocol)
        .gzip(gzip)
        .service_name("support-bot")
        .build()
        .expect("valid exporter");
    let harness =
        Harness::with(|b| b.sink(sink).environment("staging").release("2024.06.1").version("v3").mask(redact));
    harness.run(|| {
        Scope::new().trace_id(TraceId::from_seed("conversation-1")).in_scope(|| support_agent("my password is hunter2"))
    });
    harness.guard.flush(Duration::from_secs(20)).expect("flush");
    let stats = harness.guard.stats();
    assert_eq!((stats.failed, stats.dropped), (0, 0), "{stats:?}");
    (receiver.spans(), receiver)
}

fn by_name<'a>(spans: &'a [ReceivedSpan], name: &str) -> &'a ReceivedSpan {
    spans.iter().find(|s| s.span.name == name).unwrap_or_else(|| panic!("no span {name}"))
}

fn json_attr(span: &ReceivedSpan, key: &str) -> Value {
    serde_json::from_str(span.str(key)).unwrap_or_else(|e| panic!("{key} is not JSON text: {e}"))
}

/// Every key and value format of `docs/wire-format.md`, "Langfuse attribute vocabulary", for
/// every observation type.
fn check_scenario(spans: &[ReceivedSpan]) {
    assert_eq!(
        spans.len(),
        10,
        "one span per observation: {:?}",
        spans.iter().map(|s| &s.span.name).collect::<Vec<_>>()
    );
    let trace_id = TraceId::from_seed("conversation-1").to_bytes().to_vec();
    let types: HashMap<&str, &str> = [
        ("support_agent", "agent"),
        ("retrieve", "retriever"),
        ("plan_steps", "chain"),
        ("lookup", "tool"),
        ("generate", "generation"),
        ("embed", "embedding"),
        ("check_answer", "evaluator"),
        ("guard_output", "guardrail"),
        ("cache miss", "event"),
        ("plain_step", "span"),
    ]
    .into();
    let root = by_name(spans, "support_agent");
    for span in spans {
        let name = span.span.name.as_str();
        // Ids, parent and times.
        assert_eq!(span.span.trace_id, trace_id, "{name}");
        assert_eq!(span.span.span_id.len(), 8);
        if name != "support_agent" {
            assert_eq!(span.span.parent_span_id, root.span.span_id, "{name} nests under the agent");
        }
        assert!(span.span.end_time_unix_nano >= span.span.start_time_unix_nano);
        assert!(span.span.start_time_unix_nano > 1_600_000_000_000_000_000);
        // Observation type, environment, release, version on every span.
        if let Some(ty) = types.get(name) {
            assert_eq!(span.str("langfuse.observation.type"), *ty, "{name}");
        }
        assert_eq!(span.str("langfuse.environment"), "staging");
        assert_eq!(span.str("langfuse.release"), "2024.06.1");
        assert_eq!(span.str("langfuse.version"), "v3");
        // Trace-level keys on every span.
        assert_eq!(span.str("langfuse.trace.name"), "support", "{name}");
        assert_eq!(span.str("user.id"), "user-7");
        assert_eq!(span.str("session.id"), "session-1");
        match span.attr("langfuse.trace.tags") {
            Some(Any::ArrayValue(tags)) => {
                let tags: Vec<_> = tags.values.iter().filter_map(|v| v.value.clone()).collect();
                assert_eq!(tags, [Any::StringValue("beta".into()), Any::StringValue("rust".into())]);
            }
            other => panic!("tags: {other:?}"),
        }
        assert_eq!(span.attr("langfuse.trace.public"), Some(&Any::BoolValue(true)));
        assert_eq!(span.str("langfuse.trace.metadata.tenant"), "acme", "plain strings unquoted");
        assert_eq!(json_attr(span, "langfuse.trace.metadata.limits"), json!({"rpm": 60}));
        // Never the bare keys Langfuse gives special meaning.
        for bare in ["model", "input", "output", "prompt", "events"] {
            assert!(span.attr(bare).is_none(), "{name} has bare key {bare}");
        }
        // Resource and scope.
        assert_eq!(span.resource_str("service.name"), Some("support-bot"));
        assert_eq!(span.resource_str("service.version"), Some("v3"));
        assert_eq!(span.resource_str("langfuse.environment"), Some("staging"));
        assert_eq!(span.resource_str("deployment.environment.name"), Some("staging"));
        assert_eq!(span.resource_str("langfuse.release"), Some("2024.06.1"));
        assert_eq!(span.scope, ("langtrace".to_owned(), env!("CARGO_PKG_VERSION").to_owned()));
    }

    // The root: trace input/output (masked), observation input/output, metadata.
    assert_eq!(json_attr(root, "langfuse.trace.input"), json!({"question": "my password is [REDACTED]"}));
    assert_eq!(root.str("langfuse.trace.output"), "final answer", "a plain string is sent as is");
    assert_eq!(json_attr(root, "langfuse.observation.input"), json!({"question": "my password is [REDACTED]"}));
    assert_eq!(root.attr("langfuse.observation.metadata.attempt"), Some(&Any::IntValue(2)));
    assert_eq!(json_attr(root, "langfuse.observation.metadata.plan"), json!(["a", "b"]));
    assert_eq!(root.str("gen_ai.operation.name"), "invoke_agent");
    assert_eq!(root.str("gen_ai.agent.name"), "support_agent");
    assert!(spans.iter().all(|s| !format!("{:?}", s.span.attributes).contains("hunter2")), "masked everywhere");
    for child in spans.iter().filter(|s| s.span.name != "support_agent") {
        assert!(child.attr("langfuse.trace.input").is_none(), "trace input only on the root");
    }

    // Generation: model, parameters, usage, cost, prompt, completion start, GenAI keys.
    let generation = by_name(spans, "generate");
    assert_eq!(generation.str("langfuse.observation.model.name"), "gpt-4o");
    assert_eq!(
        json_attr(generation, "langfuse.observation.model.parameters"),
        json!({"temperature": 0.2, "max_tokens": 256})
    );
    assert_eq!(
        json_attr(generation, "langfuse.observation.usage_details"),
        json!({"input": 120, "output": 30, "cache_read_input_tokens": 100})
    );
    let cost = json_attr(generation, "langfuse.observation.cost_details");
    assert_eq!((cost["input"].as_f64(), cost["output"].as_f64()), (Some(0.0003), Some(0.0006)), "{cost}");
    assert_eq!(generation.str("langfuse.observation.prompt.name"), "support-answer");
    assert_eq!(generation.attr("langfuse.observation.prompt.version"), Some(&Any::IntValue(3)));
    let first_token = json_attr(generation, "langfuse.observation.completion_start_time");
    let first_token = first_token.as_str().expect("JSON text of an ISO-8601 string");
    assert!(first_token.ends_with('Z') && first_token.contains('T'), "{first_token}");
    assert_eq!(generation.str("gen_ai.operation.name"), "chat");
    assert_eq!(generation.str("gen_ai.request.model"), "gpt-4o");
    assert_eq!(generation.str("gen_ai.response.model"), "gpt-4o");
    assert_eq!(generation.attr("gen_ai.usage.input_tokens"), Some(&Any::IntValue(120)));
    assert_eq!(generation.attr("gen_ai.usage.output_tokens"), Some(&Any::IntValue(30)));
    assert_eq!(generation.attr("gen_ai.usage.cache_read.input_tokens"), Some(&Any::IntValue(100)));
    assert_eq!(generation.attr("gen_ai.request.temperature"), Some(&Any::DoubleValue(0.2)));
    assert_eq!(generation.attr("gen_ai.request.max_tokens"), Some(&Any::IntValue(256)));
    // Media reference in place of the data URI.
    let reference = generation.str("langfuse.observation.metadata.image");
    assert!(
        reference.starts_with("@@@langfuseMedia:type=image/png|id=")
            && reference.ends_with("|source=base64_data_uri@@@")
    );

    let embedding = by_name(spans, "embed");
    assert_eq!(embedding.str("gen_ai.operation.name"), "embeddings");
    assert_eq!(embedding.str("langfuse.observation.model.name"), "text-embedding-3-small");

    // Levels and status: the failing tool is ERROR with OTel status ERROR.
    let tool = by_name(spans, "lookup");
    assert_eq!(tool.str("langfuse.observation.level"), "ERROR");
    assert_eq!(tool.str("langfuse.observation.status_message"), "order 42 not found");
    let status = tool.span.status.as_ref().expect("status");
    assert_eq!((status.code, status.message.as_str()), (StatusCode::Error as i32, "order 42 not found"));
    assert_eq!(tool.str("gen_ai.tool.name"), "lookup");
    assert_eq!(by_name(spans, "guard_output").str("langfuse.observation.level"), "DEBUG");
    let event = by_name(spans, "cache miss");
    assert_eq!(event.str("langfuse.observation.level"), "WARNING");
    assert_eq!(event.str("langfuse.observation.status_message"), "cold cache");
    assert_eq!(event.span.start_time_unix_nano, event.span.end_time_unix_nano);
    let plain = by_name(spans, "plain_step");
    assert!(plain.attr("langfuse.observation.level").is_none(), "DEFAULT is not written");
    assert!(plain.span.status.as_ref().is_none_or(|s| s.code != StatusCode::Error as i32));
    assert!(plain.attr("langfuse.observation.model.name").is_none());
}

#[test]
fn every_key_over_http_protobuf_with_gzip() {
    let (spans, receiver) = export_scenario(Protocol::HttpProtobuf, true);
    check_scenario(&spans);
    let request = &receiver.requests()[0];
    assert_eq!(request.path, "/v1/traces");
    assert_eq!(request.headers["content-type"], "application/x-protobuf");
    assert_eq!(request.headers["content-encoding"], "gzip");
}

#[test]
fn every_key_over_http_json() {
    let (spans, receiver) = export_scenario(Protocol::HttpJson, false);
    check_scenario(&spans);
    let request = &receiver.requests()[0];
    assert_eq!(request.headers["content-type"], "application/json");
    assert!(!request.headers.contains_key("content-encoding"));
}

#[test]
fn every_key_over_grpc() {
    let (spans, receiver) = export_scenario(Protocol::Grpc, false);
    check_scenario(&spans);
    assert_eq!(receiver.requests()[0].transport, "grpc");
}

#[observe]
fn short_trace(i: usize) -> usize {
    step(i)
}

#[observe]
fn step(i: usize) -> usize {
    i * 2
}

#[test]
fn sampling_keeps_or_drops_whole_traces_on_the_wire() {
    for (rate, expect_all, expect_none) in [(0.0, false, true), (1.0, true, false), (0.5, false, false)] {
        let receiver = Receiver::start();
        let sink = OtlpSink::builder().env_lookup(|_| None).endpoint(receiver.traces_url()).build().unwrap();
        let harness = Harness::with(|b| b.sink(sink).sample_rate(rate));
        harness.run(|| {
            for i in 0..200 {
                Scope::new().trace_id(TraceId::from_seed(&format!("t{i}"))).in_scope(|| short_trace(i));
            }
        });
        harness.guard.flush(Duration::from_secs(20)).unwrap();
        let spans = receiver.spans();
        if expect_none {
            assert!(receiver.requests().is_empty(), "rate 0 sends nothing");
            continue;
        }
        let mut per_trace: HashMap<Vec<u8>, usize> = HashMap::new();
        for span in &spans {
            *per_trace.entry(span.span.trace_id.clone()).or_default() += 1;
        }
        assert!(per_trace.values().all(|&n| n == 2), "whole traces only");
        let expected: HashSet<Vec<u8>> = (0..200)
            .map(|i| TraceId::from_seed(&format!("t{i}")))
            .filter(|id| langtrace::sampling::should_sample(*id, rate))
            .map(|id| id.to_bytes().to_vec())
            .collect();
        assert_eq!(per_trace.keys().cloned().collect::<HashSet<_>>(), expected, "rate {rate}");
        assert_eq!(expect_all, expected.len() == 200);
    }
}

#[test]
fn langfuse_mode_sends_the_exact_path_auth_and_headers_and_uploads_media_once() {
    let receiver = Receiver::start();
    receiver.always(Reply::JsonOk);
    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .langfuse("pk-lf-test", "sk-lf-test", receiver.base_url() + "/")
        .build()
        .expect("valid exporter");
    let counters = sink.counters();
    let harness = Harness::with(|b| b.sink(sink));
    harness.run(|| {
        support_agent("first");
        support_agent("second: same image, already stored");
    });
    harness.guard.flush(Duration::from_secs(20)).unwrap();
    assert_eq!(harness.guard.stats().failed, 0, "a JSON 200 answer to protobuf is success");

    let request = &receiver.requests()[0];
    assert_eq!(request.path, "/api/public/otel/v1/traces");
    let expected_auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("pk-lf-test:sk-lf-test"));
    assert_eq!(request.headers["authorization"], expected_auth);
    assert_eq!(request.headers["x-langfuse-public-key"], "pk-lf-test");
    assert_eq!(request.headers["x-langfuse-ingestion-version"], "4");
    assert_eq!(request.headers["x-langfuse-sdk-name"], "langtrace");
    assert_eq!(request.headers["x-langfuse-sdk-version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(request.headers["content-type"], "application/x-protobuf");
    assert_eq!(receiver.spans().len(), 20);

    // Media: create, upload, report; the second identical image is not uploaded again.
    let calls = receiver.media_calls();
    let steps: Vec<(&str, &str)> =
        calls.iter().map(|c| (c.method.as_str(), c.path.split('/').nth(3).unwrap_or(""))).collect();
    assert_eq!(steps, [("POST", "media"), ("PUT", ""), ("PATCH", "media")], "{calls:?}");
    let announce: Value = serde_json::from_slice(&calls[0].body).unwrap();
    assert_eq!(calls[0].headers["authorization"], expected_auth);
    assert_eq!(announce["contentType"], "image/png");
    assert_eq!(announce["contentLength"], IMAGE.len());
    assert_eq!(announce["field"], "metadata");
    let generation = receiver.spans().into_iter().find(|s| s.span.name == "generate").unwrap();
    assert_eq!(announce["traceId"], hex::encode(&generation.span.trace_id));
    assert_eq!(announce["observationId"], hex::encode(&generation.span.span_id));
    assert_eq!(calls[1].body, IMAGE);
    assert_eq!(calls[1].headers["content-type"], "image/png");
    assert_eq!(calls[1].headers["x-amz-checksum-sha256"], announce["sha256Hash"].as_str().unwrap());
    let report: Value = serde_json::from_slice(&calls[2].body).unwrap();
    assert_eq!(report["uploadHttpStatus"], 200);
    assert!(calls[2]
        .path
        .ends_with(announce["sha256Hash"].as_str().unwrap().replace('+', "-").replace('/', "_").get(..22).unwrap()));
    let get = |c: &std::sync::atomic::AtomicU64| langtrace::otlp::ExportCounters::get(c);
    assert_eq!((get(&counters.media_uploaded), get(&counters.media_already_stored)), (1, 1));
    assert_eq!(get(&counters.spans_exported), 20);
}

#[test]
fn an_incoming_traceparent_parents_the_exported_trace() {
    let receiver = Receiver::start();
    let sink = OtlpSink::builder().env_lookup(|_| None).endpoint(receiver.traces_url()).build().unwrap();
    let harness = Harness::with(|b| b.sink(sink));
    let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    harness.run(|| Scope::new().traceparent(header).unwrap().in_scope(|| short_trace(1)));
    harness.guard.flush(Duration::from_secs(20)).unwrap();
    let spans = receiver.spans();
    let root = spans.iter().find(|s| s.span.name == "short_trace").unwrap();
    assert_eq!(hex::encode(&root.span.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(hex::encode(&root.span.parent_span_id), "00f067aa0ba902b7");
    // SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK | SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK
    assert_eq!(root.span.flags & 0x300, 0x300, "parent marked remote");
    let child = spans.iter().find(|s| s.span.name == "step").unwrap();
    assert_eq!(child.span.parent_span_id, root.span.span_id);
    assert_eq!(child.span.flags & 0x200, 0, "local parent");
}
