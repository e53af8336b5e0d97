//! The OTLP-span rules of the mapper, rule by rule and as a table.

use serde_json::json;

use super::*;

/// Changes a span.
type Change = fn(&mut OtlpSpan);
/// Attributes as written in a test.
type Pairs = Vec<(&'static str, Value)>;

fn attributes(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

fn span(pairs: &[(&str, Value)]) -> OtlpSpan {
    OtlpSpan {
        trace_id: vec![1; 16],
        span_id: vec![2; 8],
        name: "op".into(),
        start_time_unix_nano: 10,
        end_time_unix_nano: 20,
        attributes: attributes(pairs),
        ..OtlpSpan::default()
    }
}

fn map(resource: &[(&str, Value)], span: OtlpSpan) -> ObservationRecord {
    map_span(&SpanResource::new(attributes(resource)), span).unwrap()
}

#[test]
fn invalid_ids_are_refused_with_their_reason() {
    let cases: [(Change, &str); 6] = [
        (|s| s.trace_id = vec![1; 15], "invalid trace id: 15 bytes, expected 16"),
        (|s| s.trace_id = vec![0; 16], "invalid trace id: all zero"),
        (|s| s.span_id = vec![], "invalid span id: 0 bytes, expected 8"),
        (|s| s.span_id = vec![0; 8], "invalid span id: all zero"),
        (|s| s.parent_span_id = vec![3; 9], "invalid parent span id: 9 bytes, expected 8"),
        (|s| s.parent_span_id = vec![0; 8], "invalid parent span id: all zero"),
    ];
    let resource = SpanResource::default();
    for (spoil, message) in cases {
        let mut bad = span(&[]);
        spoil(&mut bad);
        assert_eq!(map_span(&resource, bad).unwrap_err().to_string(), message);
    }
    assert!(map_span(&resource, span(&[])).is_ok());
}

#[test]
fn resource_environment_version_and_error_status() {
    let mut failing = span(&[("gen_ai.operation.name", json!("chat"))]);
    failing.status = SpanStatus::Error { message: "boom".into() };
    let resource = [
        ("deployment.environment.name", json!("Prod EU")),
        ("service.version", json!("1.2.3")),
        ("service.name", json!("api")),
    ];
    let record = map(&resource, failing);
    assert_eq!(record.environment, "prod-eu");
    assert_eq!(record.version.as_deref(), Some("1.2.3"));
    assert_eq!((record.level, record.status_message.as_deref()), (Level::Error, Some("boom")));
    assert_eq!(record.observation_type, ObservationType::Generation);
    assert!(record.metadata.get("service.name").is_none(), "resource keys are not observation metadata");
}

/// One row per rule: resource, span attributes, what to change on the span, and
/// what the record must say.
#[test]
fn each_span_rule() {
    type Check = fn(&ObservationRecord) -> bool;
    let none: Change = |_| {};
    let rows: Vec<(&str, Pairs, Pairs, Change, Check)> = vec![
        ("no environment anywhere is default", vec![], vec![], none, |r| r.environment == "default"),
        (
            "langfuse.environment wins over the resource's",
            vec![("deployment.environment.name", json!("res"))],
            vec![("langfuse.environment", json!("Span Env"))],
            none,
            |r| r.environment == "span-env",
        ),
        (
            "langfuse.environment on the resource",
            vec![("langfuse.environment", json!("staging")), ("deployment.environment.name", json!("x"))],
            vec![],
            none,
            |r| r.environment == "staging",
        ),
        (
            "deployment.environment.name before deployment.environment",
            vec![("deployment.environment", json!("old")), ("deployment.environment.name", json!("new"))],
            vec![],
            none,
            |r| r.environment == "new",
        ),
        ("deployment.environment alone", vec![("deployment.environment", json!("Old"))], vec![], none, |r| {
            r.environment == "old"
        }),
        (
            "a reserved environment becomes default",
            vec![],
            vec![("langfuse.environment", json!("langfuse-internal"))],
            none,
            |r| r.environment == "default",
        ),
        (
            "langfuse.version wins over service.version, on the trace too",
            vec![("service.version", json!("1.0"))],
            vec![("langfuse.version", json!("2.0"))],
            none,
            |r| r.version.as_deref() == Some("2.0") && r.trace.version.as_deref() == Some("2.0"),
        ),
        ("service.version as fallback, on the trace too", vec![("service.version", json!("1.0"))], vec![], none, |r| {
            r.version.as_deref() == Some("1.0") && r.trace.version.as_deref() == Some("1.0")
        }),
        (
            "release on the span wins",
            vec![("langfuse.release", json!("r-res"))],
            vec![("langfuse.release", json!("r-span"))],
            none,
            |r| r.trace.release.as_deref() == Some("r-span"),
        ),
        ("release on the resource", vec![("langfuse.release", json!("r-res"))], vec![], none, |r| {
            r.trace.release.as_deref() == Some("r-res")
        }),
        (
            "a release the span gives as an array falls back to the resource's",
            vec![("langfuse.release", json!("r-res"))],
            vec![("langfuse.release", json!(["x"]))],
            none,
            |r| r.trace.release.as_deref() == Some("r-res"),
        ),
        (
            "status ERROR sets level and message",
            vec![],
            vec![],
            |s| s.status = SpanStatus::Error { message: "boom".into() },
            |r| r.level == Level::Error && r.status_message.as_deref() == Some("boom"),
        ),
        (
            "status ERROR without a message",
            vec![],
            vec![],
            |s| s.status = SpanStatus::Error { message: String::new() },
            |r| r.level == Level::Error && r.status_message.is_none(),
        ),
        (
            "a level attribute wins over status ERROR, a status message attribute too",
            vec![],
            vec![
                ("langfuse.observation.level", json!("WARNING")),
                ("langfuse.observation.status_message", json!("why")),
            ],
            |s| s.status = SpanStatus::Error { message: "boom".into() },
            |r| r.level == Level::Warning && r.status_message.as_deref() == Some("why"),
        ),
        (
            "status OK says nothing",
            vec![],
            vec![],
            |s| s.status = SpanStatus::Ok,
            |r| r.level == Level::Default && r.status_message.is_none(),
        ),
        ("no parent is a root", vec![], vec![], none, |r| r.is_root && r.parent_id.is_none()),
        (
            "a local parent is not a root",
            vec![],
            vec![],
            |s| s.parent_span_id = vec![3; 8],
            |r| !r.is_root && r.parent_id.is_some(),
        ),
        (
            "a remote parent is a root that keeps its parent",
            vec![],
            vec![],
            |s| {
                s.parent_span_id = vec![3; 8];
                s.flags = 0x301;
            },
            |r| r.is_root && r.parent_id.is_some(),
        ),
        (
            "only half the remote mask is not remote",
            vec![],
            vec![],
            |s| {
                s.parent_span_id = vec![3; 8];
                s.flags = 0x100;
            },
            |r| !r.is_root,
        ),
        (
            "as_root makes a root and drops the parent",
            vec![],
            vec![("langfuse.internal.as_root", json!(true))],
            |s| s.parent_span_id = vec![3; 8],
            |r| r.is_root && r.parent_id.is_none() && !r.metadata.contains_key("langfuse.internal.as_root"),
        ),
        (
            "resource keys stay out of metadata unless the span has them",
            vec![("service.name", json!("api")), ("host.name", json!("h1"))],
            vec![("host.name", json!("h2")), ("custom", json!(1))],
            none,
            |r| {
                !r.metadata.contains_key("service.name")
                    && r.metadata.get("host.name") == Some(&json!("h2"))
                    && r.metadata.get("custom") == Some(&json!(1))
            },
        ),
        (
            "an end before the start is the start",
            vec![],
            vec![],
            |s| s.end_time_unix_nano = 5,
            |r| r.start_time == Timestamp(10) && r.end_time == Timestamp(10),
        ),
        ("otel.name renames, else the span name", vec![], vec![("otel.name", json!("renamed"))], none, |r| {
            r.name == "renamed"
        }),
        ("the span name", vec![], vec![], none, |r| r.name == "op" && r.observation_type == ObservationType::Span),
    ];
    for (rule, resource, attributes, change, check) in rows {
        let mut otlp = span(&attributes);
        change(&mut otlp);
        let record = map(&resource, otlp);
        assert!(check(&record), "{rule}: {record:#?}");
    }
}

fn event(name: &str, pairs: &[(&str, Value)]) -> OtlpEvent {
    OtlpEvent { name: name.into(), attributes: attributes(pairs) }
}

#[test]
fn gen_ai_message_events_give_input_output_and_the_exception_the_status_message() {
    let mut chat = span(&[("gen_ai.operation.name", json!("chat")), ("gen_ai.request.model", json!("m"))]);
    chat.status = SpanStatus::Error { message: String::new() };
    let call = json!([{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}]);
    chat.events = vec![
        event("gen_ai.system.message", &[("gen_ai.system", json!("openai")), ("content", json!("Be brief."))]),
        event("gen_ai.user.message", &[("content", json!("Weather?"))]),
        event("gen_ai.assistant.message", &[("tool_calls", json!(call.to_string()))]),
        event("gen_ai.tool.message", &[("content", json!("sunny")), ("id", json!("c1"))]),
        event(
            "gen_ai.choice",
            &[
                ("index", json!(0)),
                ("finish_reason", json!("stop")),
                ("message", json!("{\"role\":\"assistant\",\"content\":\"Sunny.\"}")),
            ],
        ),
        event("exception", &[("exception.type", json!("RateLimitError")), ("exception.message", json!("slow down"))]),
    ];
    let record = map(&[], chat);
    assert_eq!(
        record.input.unwrap(),
        json!([
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": null, "tool_calls": call},
            {"role": "tool", "content": "sunny", "tool_call_id": "c1"}
        ])
    );
    assert_eq!(record.output.unwrap(), json!({"role": "assistant", "content": "Sunny."}));
    assert_eq!(record.metadata["finish_reasons"], json!(["stop"]));
    assert_eq!((record.level, record.status_message.as_deref()), (Level::Error, Some("slow down")));
}

#[test]
fn events_yield_to_attributes_and_older_content_events_are_read() {
    let mut older = span(&[("gen_ai.completion", json!("from the attribute"))]);
    older.events = vec![
        event("gen_ai.content.prompt", &[("gen_ai.prompt", json!("Hi"))]),
        event("gen_ai.content.completion", &[("gen_ai.completion", json!("from the event"))]),
    ];
    let record = map(&[], older);
    assert_eq!(record.input.unwrap(), json!([{"role": "user", "content": "Hi"}]));
    assert_eq!(record.output.unwrap(), json!("from the attribute"));
}

#[test]
fn time_to_first_chunk_and_error_type_use_the_span() {
    let mut failed = span(&[("gen_ai.response.time_to_first_chunk", json!(0.5)), ("error.type", json!("timeout"))]);
    failed.start_time_unix_nano = 1_000_000_000;
    failed.end_time_unix_nano = 3_000_000_000;
    let record = map(&[], failed.clone());
    assert_eq!(record.completion_start_time, Some(Timestamp(1_500_000_000)));
    assert_eq!((record.level, record.status_message.as_deref()), (Level::Error, Some("timeout")));
    failed.status = SpanStatus::Error { message: "deadline exceeded".into() };
    assert_eq!(map(&[], failed).status_message.as_deref(), Some("deadline exceeded"));
}
