//! `POST /api/playground/chat`: streamed and whole answers, failures, the stored runs.

use serde_json::{json, Value};

use super::support::mock_openai::{self, MockOpenAi};
use super::support::Collector;
use super::{ask, connect, observation, PROVIDER, SECRET};

/// A collector whose provider calls give up after 1 s of silence, with the mock connected.
fn setup() -> (Collector, MockOpenAi) {
    let collector = Collector::start_with(&["--provider-idle-timeout", "1s"]);
    let mock = MockOpenAi::start();
    connect(&collector, &mock, PROVIDER, SECRET);
    (collector, mock)
}

/// The `done` event's data, asserting the stream ended with it.
fn done(events: &[(String, Value)]) -> &Value {
    let (name, data) = events.last().expect("events");
    assert_eq!(name, "done", "{events:?}");
    data
}

/// The `error` event's data, asserting the stream ended with it.
fn error(events: &[(String, Value)]) -> &Value {
    let (name, data) = events.last().expect("events");
    assert_eq!(name, "error", "{events:?}");
    data
}

#[test]
fn streamed_text_arrives_in_deltas_and_the_run_is_a_generation() {
    let (collector, _mock) = setup();
    let mut body = ask(PROVIDER, "hello there");
    body["prompt"] = json!({"name": "greeter", "version": 3});
    let (status, events) = super::events(&collector, "/api/playground/chat", &body);
    assert_eq!(status, 200);
    let deltas: Vec<&str> = events.iter().filter(|e| e.0 == "delta").map(|e| e.1["text"].as_str().unwrap()).collect();
    assert!(deltas.len() > 1, "several deltas: {deltas:?}");
    assert_eq!(deltas.concat(), mock_openai::answer("hello there"));
    let done = done(&events);
    let (input, output) = (mock_openai::PROMPT_TOKENS, mock_openai::COMPLETION_TOKENS);
    assert_eq!(done["usage"], json!({"input": input, "output": output, "total": input + output}));
    assert_eq!((done["model"].as_str(), done["finishReason"].as_str()), (Some("mock-gpt"), Some("stop")));
    assert!(done["timeToFirstTokenMs"].as_u64().unwrap() <= done["latencyMs"].as_u64().unwrap());

    let generation = observation(&collector, done["observationId"].as_str().unwrap());
    assert_eq!(generation["traceId"], done["traceId"]);
    assert_eq!(generation["type"], "GENERATION");
    assert_eq!(generation["name"], "greeter");
    assert_eq!((generation["promptName"].as_str(), generation["promptVersion"].as_i64()), (Some("greeter"), Some(3)));
    assert_eq!(generation["environment"], "langtrace-playground");
    assert_eq!(generation["model"], "mock-gpt");
    assert_eq!(generation["modelParameters"]["temperature"], 0.2);
    assert_eq!(generation["usageDetails"], json!({"input": input, "output": output, "total": input + output}));
    assert_eq!(generation["input"][0]["content"], "hello there");
    assert_eq!(generation["output"]["content"], mock_openai::answer("hello there"));
    assert_eq!(generation["level"], "DEFAULT");
    assert!(generation["completionStartTime"].is_string(), "time to first token stored: {generation}");
}

#[test]
fn tool_call_fragments_are_assembled_and_the_usage_chunk_may_have_null_choices() {
    let (collector, _mock) = setup();
    let mut body = ask(PROVIDER, "weather in Paris? choices null");
    body["tools"] =
        json!([{"name": mock_openai::TOOL_NAME, "description": "weather", "parameters": {"type": "object"}}]);
    let (_, events) = super::events(&collector, "/api/playground/chat", &body);
    let calls: Vec<&Value> = events.iter().filter(|e| e.0 == "tool_call").map(|e| &e.1).collect();
    assert_eq!(
        calls,
        vec![
            &json!({"id": mock_openai::TOOL_CALL_ID, "name": mock_openai::TOOL_NAME, "arguments": mock_openai::TOOL_ARGUMENTS})
        ]
    );
    let done = done(&events);
    assert_eq!(done["finishReason"], "tool_calls");
    assert_eq!(
        done["usage"]["total"],
        mock_openai::PROMPT_TOKENS + mock_openai::COMPLETION_TOKENS,
        "usage from a choices:null chunk"
    );
    let generation = observation(&collector, done["observationId"].as_str().unwrap());
    assert_eq!(generation["output"]["tool_calls"][0]["function"]["arguments"], mock_openai::TOOL_ARGUMENTS);
    assert_eq!(generation["metadata"]["tools"][0]["function"]["name"], mock_openai::TOOL_NAME);
}

#[test]
fn whole_answers_come_as_one_json_object() {
    let (collector, _mock) = setup();
    let mut body = ask(PROVIDER, "no stream");
    body["streaming"] = json!(false);
    let (status, answer) = collector.post_json("/api/playground/chat", &body);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["content"], mock_openai::answer("no stream"));
    assert_eq!(answer["toolCalls"], json!([]));
    assert_eq!(answer["usage"]["input"], mock_openai::PROMPT_TOKENS);
    assert!(answer["traceId"].is_string() && answer["latencyMs"].is_u64());
}

#[test]
fn provider_errors_keep_their_status_and_message_and_are_traced_as_errors() {
    let (collector, mock) = setup();
    connect(&collector, &mock, "bad-key", "sk-bad-0123456789abcdef");
    for (provider, text, status, message) in [
        ("bad-key", "hello", 401, mock_openai::BAD_KEY_MESSAGE),
        (PROVIDER, mock_openai::FAIL_TRIGGER, 429, mock_openai::ERROR_MESSAGE),
        (PROVIDER, mock_openai::SERVER_ERROR_TRIGGER, 500, mock_openai::SERVER_ERROR_MESSAGE),
    ] {
        let (code, events) = super::events(&collector, "/api/playground/chat", &ask(provider, text));
        assert_eq!(code, 200);
        assert_eq!(error(&events), &json!({"status": status, "message": message}));

        let mut whole = ask(provider, text);
        whole["streaming"] = json!(false);
        let response = collector
            .client()
            .post(collector.url("/api/playground/chat"))
            .header("authorization", collector.authorization())
            .json(&whole)
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), status);
        if status == 429 {
            assert_eq!(response.headers()["retry-after"], mock_openai::RETRY_AFTER);
        }
        assert_eq!(response.json::<Value>().unwrap()["message"], message);
    }
    let errors = collector.ok("/api/public/observations?environment=langtrace-playground&level=ERROR&limit=50");
    let messages: Vec<&str> =
        errors["data"].as_array().unwrap().iter().filter_map(|o| o["statusMessage"].as_str()).collect();
    for message in [mock_openai::BAD_KEY_MESSAGE, mock_openai::ERROR_MESSAGE, mock_openai::SERVER_ERROR_MESSAGE] {
        assert_eq!(messages.iter().filter(|m| **m == message).count(), 2, "{message} traced per run: {messages:?}");
    }
}

#[test]
fn a_silent_provider_times_out_and_a_cut_stream_is_reported() {
    let (collector, _mock) = setup();
    let (_, events) = super::events(&collector, "/api/playground/chat", &ask(PROVIDER, mock_openai::NEVER_TRIGGER));
    assert_eq!(error(&events)["status"], 504, "{events:?}");
    assert!(error(&events)["message"].as_str().unwrap().contains("LANGTRACE_PROVIDER_IDLE_TIMEOUT"));

    let (_, events) = super::events(&collector, "/api/playground/chat", &ask(PROVIDER, mock_openai::CUT_TRIGGER));
    assert_eq!(error(&events)["status"], 502, "{events:?}");

    let mut whole = ask(PROVIDER, mock_openai::CUT_TRIGGER);
    whole["streaming"] = json!(false);
    assert_eq!(collector.post_json("/api/playground/chat", &whole).0, 502);
    let errors = collector.ok("/api/public/observations?environment=langtrace-playground&level=ERROR");
    assert_eq!(errors["meta"]["totalItems"], 3, "each failed run is traced: {errors}");
}

#[test]
fn bad_bodies_and_unknown_providers_are_refused() {
    let (collector, _mock) = setup();
    let (status, body) = collector.post_json(
        "/api/playground/chat",
        &json!({"messages": [], "modelParams": {"provider": PROVIDER, "model": "m"}}),
    );
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("messages"), "{body}");
    let (status, body) = collector.post_json(
        "/api/playground/chat",
        &json!({"messages": [{"role": "wizard", "content": "x"}], "modelParams": {"provider": PROVIDER, "model": "m"}}),
    );
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("messages[0].role"), "{body}");
    let (status, body) = collector.post_json("/api/playground/chat", &ask("nobody", "x"));
    assert_eq!((status, body["message"].as_str()), (404, Some("LLM connection 'nobody' not found")));
}
