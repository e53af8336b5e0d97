//! Hostile cases: the playground (`POST /api/playground/chat`) and the OpenAI-compatible
//! proxy (`POST /v1/chat/completions`). Bodies over the limit get 413, deeply nested ones
//! and ones of the wrong types 400 naming the field, an unknown provider 404; a provider
//! that is down, answers garbage or no event stream at all, or sends a line without end
//! (cut at the bound of what may wait for an event's end) gets 502 with a message, and
//! the run is traced as an error. Generated bodies (proptest, a bounded number of cases)
//! never get a 500 or a dropped connection, and every refusal carries a message.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};

use crate::support::mock_openai::{self, MockOpenAi};
use crate::support::Collector;

const CHAT: &str = "/api/playground/chat";
const PROXY: &str = "/v1/chat/completions";
/// The body limit of these collectors.
const BODY_LIMIT: usize = 64 << 10;
/// The provider name of the mock's connection.
const PROVIDER: &str = "mock";

/// A collector with a 64 KiB body limit and the mock connected as [`PROVIDER`].
fn setup() -> (Collector, MockOpenAi) {
    let limit = BODY_LIMIT.to_string();
    let collector = Collector::start_with(&["--max-body-bytes", &limit, "--provider-idle-timeout", "5s"]);
    let mock = MockOpenAi::start();
    connect(&collector, PROVIDER, &mock.base_url);
    (collector, mock)
}

/// PUTs an OpenAI connection named `provider` at `base_url`.
fn connect(collector: &Collector, provider: &str, base_url: &str) {
    let body =
        json!({"provider": provider, "adapter": "openai", "secretKey": "sk-hostile-0123456789", "baseURL": base_url});
    let put = collector.client().put(collector.url("/api/public/llm-connections"));
    let response = put.header("authorization", collector.authorization()).json(&body).send().unwrap();
    assert_eq!(response.status(), 200);
}

/// The UI's body: one user message, the model parameters merged with `params`.
fn ui_body(provider: &str, text: &str, params: Value) -> Value {
    let mut model_params = json!({"provider": provider, "model": "mock-gpt"});
    model_params.as_object_mut().unwrap().extend(params.as_object().cloned().unwrap_or_default());
    json!({"messages": [{"role": "user", "content": text}], "modelParams": model_params})
}

/// The proxy's body: one user message to `provider`'s `mock-gpt`, merged with `extra`.
fn proxy_body(provider: &str, text: &str, extra: Value) -> Value {
    let mut body = json!({"model": format!("{provider}:mock-gpt"), "messages": [{"role": "user", "content": text}]});
    body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    body
}

/// POSTs raw `body` to `path` with the keys: the status, the error message (the UI's
/// `message` or OpenAI's `error.message`; empty if none) and the whole text.
fn post(collector: &Collector, path: &str, body: Vec<u8>) -> (u16, String, String) {
    let headers = [("authorization", collector.authorization()), ("content-type", "application/json".to_owned())];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let (status, _, answer) = collector.post_raw(path, &headers, body);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let message = json["message"].as_str().or_else(|| json["error"]["message"].as_str()).unwrap_or_default();
    (status, message.to_owned(), text)
}

/// [`post`] of a JSON value.
fn post_json(collector: &Collector, path: &str, body: &Value) -> (u16, String, String) {
    post(collector, path, serde_json::to_vec(body).unwrap())
}

/// The `error` event of a streamed playground answer.
fn error_event(text: &str) -> Value {
    let data = text
        .split("\n\n")
        .find_map(|block| block.strip_prefix("event: error\ndata: "))
        .unwrap_or_else(|| panic!("no error event in {text}"));
    serde_json::from_str(data).unwrap()
}

#[test]
fn bodies_over_the_limit_get_413_on_both_routes() {
    let (collector, _mock) = setup();
    let huge = "x".repeat(BODY_LIMIT + 1);
    let expected = format!("request body larger than the limit of {BODY_LIMIT} bytes");
    for (path, body) in [(CHAT, ui_body(PROVIDER, &huge, json!({}))), (PROXY, proxy_body(PROVIDER, &huge, json!({})))] {
        let (status, message, _) = post_json(&collector, path, &body);
        assert_eq!((status, message.as_str()), (413, expected.as_str()), "{path}");
    }
}

#[test]
fn deeply_nested_bodies_get_400_on_both_routes() {
    let (collector, _mock) = setup();
    let depth = 20_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let ui = format!(
        r#"{{"messages":[{{"role":"user","content":{nested}}}],"modelParams":{{"provider":"{PROVIDER}","model":"m"}}}}"#
    );
    let proxy = format!(r#"{{"model":"{PROVIDER}:m","messages":[{{"role":"user","content":{nested}}}]}}"#);
    for (path, body) in [(CHAT, ui), (PROXY, proxy)] {
        let (status, message, _) = post(&collector, path, body.into_bytes());
        assert_eq!(status, 400, "{path}: {message}");
        assert!(message.contains("recursion limit exceeded"), "{path}: {message}");
    }
    let runs = collector.ok("/api/public/observations?environment=langtrace-playground");
    assert_eq!(runs["meta"]["totalItems"], 0, "nothing ran: {runs}");
}

#[test]
fn wrong_types_get_400_naming_the_field_on_both_routes() {
    let (collector, _mock) = setup();
    let user = json!([{"role": "user", "content": "x"}]);
    let schema = |parameters: Value| json!([{"name": "get_weather", "description": "d", "parameters": parameters}]);
    let mut cases: Vec<(&str, Value, &str)> = vec![
        (CHAT, json!({"messages": "hello", "modelParams": {"provider": PROVIDER, "model": "m"}}), "at messages"),
        (
            CHAT,
            json!({"messages": [{"role": "wizard", "content": "x"}], "modelParams": {"provider": PROVIDER, "model": "m"}}),
            "messages[0].role",
        ),
        (
            CHAT,
            ui_body(PROVIDER, "x", json!({"temperature": "hot"})),
            "modelParams.temperature must be a number from 0 to 2",
        ),
        (
            CHAT,
            ui_body(PROVIDER, "x", json!({"max_tokens": -5})),
            "modelParams.max_tokens must be a whole number of at least 1",
        ),
        (
            CHAT,
            json!({"messages": user, "modelParams": {"provider": PROVIDER, "model": "m"}, "tools": schema(json!("a string"))}),
            "tools[0].parameters must be a JSON Schema object",
        ),
        (
            CHAT,
            json!({"messages": user, "modelParams": {"provider": PROVIDER, "model": "m"}, "tools": schema(json!({"type": "array"}))}),
            "tools[0].parameters.type must be \"object\"",
        ),
        (
            CHAT,
            json!({"messages": user, "modelParams": {"provider": PROVIDER, "model": "m"}, "tools": "all of them"}),
            "at tools",
        ),
        (
            CHAT,
            json!({"messages": user, "modelParams": {"provider": PROVIDER, "model": "m"}, "streaming": "yes"}),
            "at streaming",
        ),
        (PROXY, json!({"model": "mock:m", "messages": {"role": "user"}}), "at messages"),
        (PROXY, json!({"model": "mock:m", "messages": [{"role": "wizard", "content": "x"}]}), "messages[0].role"),
        (PROXY, proxy_body(PROVIDER, "x", json!({"temperature": "hot"})), "temperature must be a number from 0 to 2"),
        (
            PROXY,
            proxy_body(PROVIDER, "x", json!({"max_tokens": -5})),
            "max_tokens must be a whole number of at least 1",
        ),
        (PROXY, proxy_body(PROVIDER, "x", json!({"stream": "yes"})), "at stream"),
        (
            PROXY,
            proxy_body(
                PROVIDER,
                "x",
                json!({"tools": [{"type": "function", "function": {"name": "f", "parameters": 42}}]}),
            ),
            "tools[0].function.parameters must be a JSON Schema object",
        ),
        (PROXY, proxy_body(PROVIDER, "x", json!({"tools": [{"type": "retrieval"}]})), "unknown variant `retrieval`"),
        (
            PROXY,
            proxy_body(PROVIDER, "x", json!({"tools": [{"type": "function", "function": {"name": "two words"}}]})),
            "tools[0].function.name must be 1 to 64 letters",
        ),
        (PROXY, json!({"model": 42, "messages": user}), "at model"),
    ];
    cases.push((PROXY, proxy_body(PROVIDER, "x", json!({"response_format": "json"})), "at response_format"));
    for (path, body, expected) in cases {
        let (status, message, _) = post_json(&collector, path, &body);
        assert_eq!(status, 400, "{path} {body}: {message}");
        assert!(message.contains(expected), "{path} {body}: {message:?} should contain {expected:?}");
    }
    let runs = collector.ok("/api/public/observations?environment=langtrace-playground");
    assert_eq!(runs["meta"]["totalItems"], 0, "no refused body reached the provider: {runs}");
}

#[test]
fn unknown_providers_get_404_on_both_routes() {
    let (collector, _mock) = setup();
    let (status, message, _) = post_json(&collector, CHAT, &ui_body("nobody", "x", json!({})));
    assert_eq!((status, message.as_str()), (404, "LLM connection 'nobody' not found"));
    let (status, message, text) = post_json(&collector, PROXY, &proxy_body("nobody", "x", json!({})));
    assert_eq!((status, message.as_str()), (404, "LLM connection 'nobody' not found"));
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"]["type"], "not_found_error", "OpenAI's shape: {error}");
}

#[test]
fn a_provider_that_is_down_gets_502_with_a_message_and_each_run_is_traced() {
    let (collector, _mock) = setup();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    connect(&collector, "down", &base_url);
    const REACH: &str = "cannot reach the provider";

    let (status, _, text) = post_json(&collector, CHAT, &ui_body("down", "x", json!({})));
    assert_eq!(status, 200, "streamed: the failure comes as an event");
    let event = error_event(&text);
    assert_eq!(event["status"], 502, "{event}");
    assert!(event["message"].as_str().unwrap().starts_with(REACH), "{event}");
    let mut whole = ui_body("down", "x", json!({}));
    whole["streaming"] = json!(false);
    let (status, message, _) = post_json(&collector, CHAT, &whole);
    assert!(status == 502 && message.starts_with(REACH), "{status} {message}");
    for stream in [false, true] {
        let (status, message, _) = post_json(&collector, PROXY, &proxy_body("down", "x", json!({"stream": stream})));
        assert!(status == 502 && message.starts_with(REACH), "stream {stream}: {status} {message}");
    }
    let errors = collector.ok("/api/public/observations?environment=langtrace-playground&level=ERROR");
    assert_eq!(errors["meta"]["totalItems"], 4, "each run is traced as an error: {errors}");
    for run in errors["data"].as_array().unwrap() {
        assert!(run["statusMessage"].as_str().unwrap().starts_with(REACH), "{run}");
    }
}

#[test]
fn garbage_and_answers_that_are_no_event_stream_get_502_and_are_traced() {
    let (collector, _mock) = setup();
    for (trigger, expected) in [
        (mock_openai::GARBAGE_TRIGGER, "the provider sent a chunk that is not JSON"),
        (mock_openai::NOT_A_STREAM_TRIGGER, "the provider's stream ended before the answer was finished"),
    ] {
        let (status, _, text) = post_json(&collector, CHAT, &ui_body(PROVIDER, trigger, json!({})));
        assert_eq!(status, 200);
        let event = error_event(&text);
        assert_eq!(event["status"], 502, "{event}");
        assert!(event["message"].as_str().unwrap().starts_with(expected), "{event}");
        let (status, message, _) = post_json(&collector, PROXY, &proxy_body(PROVIDER, trigger, json!({})));
        assert!(status == 502 && message.starts_with(expected), "{status} {message}");
        let (status, _, text) = post_json(&collector, PROXY, &proxy_body(PROVIDER, trigger, json!({"stream": true})));
        assert_eq!(status, 200, "the proxy's stream had begun");
        let last = text.trim_end().rsplit("\n\n").next().unwrap().strip_prefix("data: ").unwrap();
        let error: Value = serde_json::from_str(last).unwrap();
        assert!(error["error"]["message"].as_str().unwrap().starts_with(expected), "{text}");
    }
    let errors = collector.ok("/api/public/observations?environment=langtrace-playground&level=ERROR");
    assert_eq!(errors["meta"]["totalItems"], 6, "each run is traced as an error: {errors}");
}

#[test]
fn a_provider_sending_a_line_without_end_is_cut_at_the_bound_with_a_502() {
    let (collector, _mock) = setup();
    let expected = "the provider sent more than 1 MiB without completing an event";
    let (status, _, text) = post_json(&collector, CHAT, &ui_body(PROVIDER, mock_openai::ENDLESS_TRIGGER, json!({})));
    assert_eq!(status, 200);
    let event = error_event(&text);
    assert_eq!((event["status"].as_u64(), event["message"].as_str()), (Some(502), Some(expected)), "{event}");
    let (status, message, _) =
        post_json(&collector, PROXY, &proxy_body(PROVIDER, mock_openai::ENDLESS_TRIGGER, json!({})));
    assert_eq!((status, message.as_str()), (502, expected));
    let errors = collector.ok("/api/public/observations?environment=langtrace-playground&level=ERROR");
    assert_eq!(errors["meta"]["totalItems"], 2, "each run is traced as an error: {errors}");
}

/// Any JSON, with the keys and words both routes read, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let word = prop_oneof![
        Just("user"),
        Just("wizard"),
        Just(PROVIDER),
        Just("mock:mock-gpt"),
        Just("nobody:m"),
        Just("function"),
        Just("object"),
        Just(""),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-10.0..10.0f64).prop_map(Value::from),
        word.prop_map(Value::from),
        "[a-z :]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// A key either route reads, or another.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "messages",
            "role",
            "content",
            "modelParams",
            "provider",
            "model",
            "temperature",
            "max_tokens",
            "top_p",
            "stop",
            "seed",
            "tools",
            "name",
            "description",
            "parameters",
            "type",
            "function",
            "properties",
            "required",
            "stream",
            "stream_options",
            "include_usage",
            "streaming",
            "structuredOutputSchema",
            "schema",
            "prompt",
            "version",
            "response_format",
            "tool_choice",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,6}",
    ]
}

/// A valid body of either route with one field replaced by any JSON, or any JSON.
fn hostile_body() -> impl Strategy<Value = (&'static str, Value)> {
    let valid = prop_oneof![
        Just((CHAT, ui_body(PROVIDER, "hi", json!({"temperature": 0.2, "streaming": false})))),
        Just((PROXY, proxy_body(PROVIDER, "hi", json!({"temperature": 0.2})))),
    ];
    let mutated = (valid, key(), any_json()).prop_map(|((path, mut body), key, value)| {
        let target: &mut Map<String, Value> = match body.get_mut("modelParams") {
            Some(Value::Object(params)) if key.len() % 2 == 0 => params,
            _ => body.as_object_mut().unwrap(),
        };
        target.insert(key, value);
        (path, body)
    });
    let arbitrary = (prop::sample::select(vec![CHAT, PROXY]), any_json());
    prop_oneof![3 => mutated, 1 => arbitrary]
}

#[test]
fn generated_bodies_get_an_answer_or_a_refusal_with_a_message_never_a_crash() {
    let (collector, _mock) = setup();
    let config = Config { cases: 96, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let statuses = std::cell::RefCell::new(std::collections::BTreeSet::new());
    runner
        .run(&hostile_body(), |(path, body)| {
            let (status, message, text) = post_json(&collector, path, &body);
            statuses.borrow_mut().insert(status);
            prop_assert!(matches!(status, 200 | 400 | 404 | 413 | 502), "{path} {body}: {status} {text}");
            if status != 200 {
                prop_assert!(!message.is_empty(), "{path} {body}: {status} without a message: {text}");
            }
            Ok(())
        })
        .unwrap();
    let statuses = statuses.into_inner();
    assert!(statuses.contains(&200) && statuses.contains(&400), "answers and refusals both generated: {statuses:?}");
    assert_eq!(collector.get("/api/public/health").0, 200, "the collector still serves");
}
