//! Conversations rendered from list previews: the Traces page previews a long chat by its
//! last message like a short one, and a session's page shows each trace as a chat turn
//! (the input's last message, the output) whatever convention carried the messages.

use serde_json::{json, Value};

use super::SERIAL;
use crate::support::browser::Browser;
use crate::support::Collector;

/// A system prompt of about 10 KB: what a cut preview used to show of a chat.
fn long_system_prompt() -> String {
    "You are a careful assistant. ".repeat(350)
}

/// An OTLP/JSON request of one root span of `trace_id` (started `offset_ms` after now)
/// in session `turns`, with string attributes `attributes`.
fn turn(trace_id: &str, offset_ms: u64, attributes: &[(&str, String)]) -> Value {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let start = now + u128::from(offset_ms) * 1_000_000;
    let mut all: Vec<Value> = vec![json!({"key": "session.id", "value": {"stringValue": "turns"}})];
    all.extend(attributes.iter().map(|(key, value)| json!({"key": key, "value": {"stringValue": value}})));
    json!({"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": trace_id, "spanId": "00000000000000c1", "name": "chat",
        "startTimeUnixNano": start.to_string(), "endTimeUnixNano": (start + 1_000_000).to_string(),
        "attributes": all,
    }]}]}]})
}

/// Langfuse's input and output keys, the values stored as sent.
fn langfuse_io(input: &Value, output: &Value) -> Vec<(&'static str, String)> {
    vec![("langfuse.observation.input", input.to_string()), ("langfuse.observation.output", output.to_string())]
}

/// Posts each request to the collector's OTLP endpoint, asserting 200.
async fn send(collector: &Collector, requests: &[Value]) {
    let client = reqwest::Client::new();
    for request in requests {
        let response = client
            .post(format!("{}/v1/traces", collector.base_url))
            .header("authorization", collector.authorization())
            .json(request)
            .send()
            .await;
        assert_eq!(response.unwrap().status().as_u16(), 200, "{request}");
    }
}

const OPENAI: &str = "0000000000000000000000000000c001";
const PARTS: &str = "0000000000000000000000000000c002";
const OPENINFERENCE: &str = "0000000000000000000000000000c003";
const LONG: &str = "0000000000000000000000000000c004";
const ODD: &str = "0000000000000000000000000000c005";

/// One session, a turn per convention: OpenAI messages and GenAI `parts` as sent, the
/// OpenInference indexed attributes the collector reads into the normal form, a 10 KB
/// chat (previewed by its last message), and an input of no known shape.
fn session_turns() -> Vec<Value> {
    let system = long_system_prompt();
    let openai = json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "openai-question"}]);
    let parts = json!([
        {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
        {"role": "user", "parts": [{"type": "text", "content": "parts-question"}]},
    ]);
    let parts_out = json!([{"role": "assistant", "parts": [
        {"type": "text", "content": "parts-answer"},
        {"type": "tool_call", "id": "w1", "name": "weather", "arguments": {"city": "Oslo"}},
    ]}]);
    let openinference = vec![
        ("openinference.span.kind", "LLM".to_owned()),
        ("llm.input_messages.0.message.role", "system".to_owned()),
        ("llm.input_messages.0.message.content", "Be brief.".to_owned()),
        ("llm.input_messages.1.message.role", "user".to_owned()),
        ("llm.input_messages.1.message.content", "openinference-question".to_owned()),
        ("llm.output_messages.0.message.role", "assistant".to_owned()),
        ("llm.output_messages.0.message.content", "openinference-answer".to_owned()),
    ];
    let long = json!([
        {"role": "system", "content": system},
        {"role": "assistant", "content": "How can I help?"},
        {"role": "user", "content": "long-chat-question <b>not markup</b>"},
    ]);
    let odd = json!([{"role": {"nested": true}, "content": 5}, "odd-shape-marker"]);
    vec![
        turn(OPENAI, 0, &langfuse_io(&openai, &json!({"role": "assistant", "content": "openai-answer"}))),
        turn(PARTS, 1, &langfuse_io(&parts, &parts_out)),
        turn(OPENINFERENCE, 2, &openinference),
        turn(LONG, 3, &langfuse_io(&long, &json!("long-chat-answer"))),
        turn(ODD, 4, &langfuse_io(&odd, &json!({"answer": 42}))),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_shows_each_turn_as_chat_whatever_the_convention() {
    let _serial = SERIAL.lock().await;
    let collector = tokio::task::block_in_place(Collector::start);
    send(&collector, &session_turns()).await;

    let browser = Browser::start().await;
    browser.sign_in(&collector.base_url, &collector.keys.public_key, &collector.keys.secret_key).await;
    browser.watch_errors().await;
    browser.go("#/sessions/turns", "session").await;
    browser.screenshot("session-turns").await;
    let side = |trace: &str, side: &str, role: &str| {
        format!("[data-testid=session-traces] article[data-trace-id='{trace}'] [data-testid=turn-{side}] .bubble.role-{role}")
    };
    for (trace, question, answer) in [
        (OPENAI, "openai-question", "openai-answer"),
        (PARTS, "parts-question", "parts-answer"),
        (OPENINFERENCE, "openinference-question", "openinference-answer"),
        (LONG, "long-chat-question <b>not markup</b>", "long-chat-answer"),
    ] {
        assert_eq!(
            browser.count(&side(trace, "input", "user")).await,
            1,
            "{question}: one user bubble, the last message"
        );
        assert_eq!(browser.text(&side(trace, "input", "user")).await.trim(), format!("USER\n{question}").trim());
        assert_eq!(
            browser.count(&side(trace, "input", "system")).await,
            0,
            "{question}: the system prompt is not a turn"
        );
        assert!(browser.text(&side(trace, "output", "assistant")).await.contains(answer), "{answer}");
    }
    let parts_answer = browser.text(&side(PARTS, "output", "assistant")).await;
    assert!(parts_answer.contains("tool call weather") && parts_answer.contains("Oslo"), "{parts_answer:?}");
    // The long chat came as a cut preview: its last message, and how much there is.
    let long = format!("article[data-trace-id='{LONG}'] [data-testid=cut-note]");
    assert!(browser.text(&long).await.contains("last of 3 messages"), "{}", browser.text(&long).await);
    assert_eq!(browser.count(&format!("article[data-trace-id='{LONG}'] b")).await, 0, "text, never markup");
    // The odd input falls back to the JSON tree; its turn and the page stay up.
    let odd = browser.text(&format!("article[data-trace-id='{ODD}'] [data-testid=turn-input]")).await;
    assert!(odd.contains("odd-shape-marker"), "{odd:?}");
    assert!(browser.count(&format!("article[data-trace-id='{ODD}'] [data-testid=turn-input] details.json")).await >= 1);
    assert_eq!(browser.count("[data-testid=unrenderable]").await, 0, "every turn renders");
    assert_eq!(browser.errors().await, Vec::<String>::new(), "no page error");
    drop(browser);
    tokio::task::block_in_place(|| drop(collector));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_traces_list_previews_a_long_chat_by_its_last_message() {
    let _serial = SERIAL.lock().await;
    let collector = tokio::task::block_in_place(Collector::start);
    send(&collector, &session_turns()).await;

    let browser = Browser::start().await;
    browser.sign_in(&collector.base_url, &collector.keys.public_key, &collector.keys.secret_key).await;
    browser.watch_errors().await;
    browser.go("#/traces?limit=50", "traces").await;
    browser.screenshot("traces-long-chat").await;
    // The first preview cell of a row is its input's.
    let input = |trace: &str| format!("tr[data-trace-id='{trace}'] td.preview");
    let long_input = browser.text(&input(LONG)).await;
    assert_eq!(long_input, "long-chat-question <b>not markup</b>…", "the last message, not the system prompt");
    assert_eq!(browser.text(&input(OPENAI)).await, "openai-question", "a short chat previews alike");
    assert_eq!(browser.text(&input(PARTS)).await, "parts-question");
    assert_eq!(browser.errors().await, Vec::<String>::new(), "no page error");
    drop(browser);
    tokio::task::block_in_place(|| drop(collector));
}
