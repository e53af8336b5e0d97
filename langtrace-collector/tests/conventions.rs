//! Foreign conventions over a real collector: an OpenLLMetry `openai.chat` span (indexed
//! prompt and completion) and a GenAI span whose messages come as span events, sent as
//! protobuf, read back through the public API with their conversation in the normal form,
//! usage, cost and errors.

mod support;

use opentelemetry_proto::tonic::trace::v1::span::Event;
use opentelemetry_proto::tonic::trace::v1::{status, Span, Status};
use serde_json::{json, Value};
use support::otlp::{self, int, span, text};
use support::Collector;

/// The observation `id` (that byte 8 times), as the API answers it.
fn observation(collector: &Collector, id: u8) -> Value {
    collector.ok(&format!("/api/public/observations/{}", hex::encode([id; 8])))
}

#[test]
fn an_openllmetry_chat_span_has_its_conversation_usage_and_cost() {
    let collector = Collector::start();
    let chat = span(1, 1).attributes(vec![
        text("llm.request.type", "chat"),
        text("gen_ai.system", "OpenAI"),
        text("gen_ai.request.model", "gpt-4o"),
        text("gen_ai.prompt.0.role", "user"),
        text("gen_ai.prompt.0.content", "Weather in Paris?"),
        text("gen_ai.completion.0.role", "assistant"),
        text("gen_ai.completion.0.finish_reason", "tool_calls"),
        text("gen_ai.completion.0.tool_calls.0.id", "call_1"),
        text("gen_ai.completion.0.tool_calls.0.name", "weather"),
        text("gen_ai.completion.0.tool_calls.0.arguments", "{\"city\":\"Paris\"}"),
        int("gen_ai.usage.prompt_tokens", 1000),
        int("gen_ai.usage.completion_tokens", 100),
    ]);
    otlp::send(&collector, &collector.authorization(), &otlp::request_from("app", vec![chat]));
    let generation = observation(&collector, 1);
    assert_eq!(generation["type"], "GENERATION");
    assert_eq!(generation["input"], json!([{"role": "user", "content": "Weather in Paris?"}]));
    assert_eq!(
        generation["output"],
        json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}}
        ]})
    );
    assert_eq!(generation["metadata"]["finish_reasons"], json!(["tool_calls"]));
    assert_eq!(generation["usageDetails"], json!({"input": 1000, "output": 100}));
    assert!(generation["calculatedTotalCost"].as_f64().unwrap() > 0.0, "{generation}");
}

fn event(name: &str, attributes: Vec<opentelemetry_proto::tonic::common::v1::KeyValue>) -> Event {
    Event { name: name.into(), attributes, ..Default::default() }
}

#[test]
fn gen_ai_message_events_and_an_exception_reach_the_api() {
    let collector = Collector::start();
    let mut chat: Span = span(2, 1)
        .attributes(vec![text("gen_ai.operation.name", "chat"), text("gen_ai.request.model", "gpt-4o")])
        .build();
    chat.events = vec![
        event("gen_ai.system.message", vec![text("content", "Be brief.")]),
        event("gen_ai.user.message", vec![text("content", "Hi")]),
        event(
            "gen_ai.choice",
            vec![int("index", 0), text("finish_reason", "stop"), text("message", "{\"content\":\"Hello\"}")],
        ),
        event("exception", vec![text("exception.type", "APIError"), text("exception.message", "upstream 502")]),
    ];
    chat.status = Some(Status { code: status::StatusCode::Error as i32, message: String::new() });
    otlp::send(&collector, &collector.authorization(), &otlp::request_from("app", vec![chat]));
    let generation = observation(&collector, 1);
    assert_eq!(
        generation["input"],
        json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    );
    assert_eq!(generation["output"], json!({"role": "assistant", "content": "Hello"}));
    assert_eq!(
        (generation["level"].as_str(), generation["statusMessage"].as_str()),
        (Some("ERROR"), Some("upstream 502"))
    );
}
