//! List previews of long inputs and outputs over a real collector: a cut conversation
//! (OpenAI messages, GenAI `parts`, `{"messages": [...]}`, one long output message)
//! previews its last message's text and role in the traces, observations and session
//! lists; a long plain value still previews its start; `fields=io` and the detail route
//! keep answering the whole value.

mod support;

use serde_json::{json, Value};
use support::otlp::{self, span, text, trace_id};
use support::Collector;

/// The marker a cut preview carries (`api::preview::CUT_MARKER`).
const CUT_MARKER: &str = "…[truncated: ";

/// About 10 KB of conversation before the last message: a long system prompt and turns.
fn filler() -> String {
    "You are a careful assistant. ".repeat(330)
}

/// Sends a root span of trace `trace` (that byte) in session `session` whose input and
/// output are the JSON texts `input` and `output`, stored as sent.
fn send(collector: &Collector, trace: u8, input: &Value, output: &Value) {
    let root = span(trace, 1).attributes(vec![
        text("langfuse.observation.input", input.to_string()),
        text("langfuse.observation.output", output.to_string()),
        text("session.id", "previews"),
    ]);
    otlp::send(collector, &collector.authorization(), &otlp::request_from("previews", vec![root]));
}

/// The `field` of the item of `list` whose `key` is `id`.
fn field<'a>(list: &'a Value, key: &str, id: &str, field: &str) -> &'a Value {
    let items = list.as_array().expect("a list");
    &items.iter().find(|item| item[key] == id).unwrap_or_else(|| panic!("{id} listed in {list:#}"))[field]
}

/// Asserts `preview` is a cut preview starting with `text`, naming `role` and the count.
fn assert_last_message(preview: &Value, text: &str, role: &str, messages: usize, what: &str) {
    let preview = preview.as_str().unwrap_or_else(|| panic!("{what}: a string preview, got {preview:#}"));
    let (start, marker) = preview.split_once(CUT_MARKER).unwrap_or_else(|| panic!("{what}: no marker in {preview:?}"));
    assert_eq!(start, text, "{what}: the last message's text leads the preview");
    let count = if messages == 1 { "1 message".to_owned() } else { format!("{messages} messages") };
    assert!(marker.contains(&format!("the last of {count}, role {role};")), "{what}: {marker:?}");
}

#[test]
fn long_conversations_preview_their_last_message_in_every_list() {
    let collector = Collector::start();
    let system = filler();
    let openai = json!([
        {"role": "system", "content": system},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "openai last question"},
    ]);
    let parts = json!([
        {"role": "system", "parts": [{"type": "text", "content": system}]},
        {"role": "user", "parts": [{"type": "text", "content": "parts last question"},
                                   {"type": "uri", "modality": "image", "uri": "https://example.com/a.png"}]},
    ]);
    let wrapped = json!({"model": "gpt-4o", "messages": [
        {"role": "system", "content": system},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "42"},
        {"role": "user", "content": [{"type": "text", "text": "wrapped last question"}]},
    ]});
    let long_answer = format!("long answer {}", "word ".repeat(2000));
    let answer = json!({"role": "assistant", "content": long_answer});
    let plain = json!(format!("plain start {}", "plain text ".repeat(1000)));
    send(&collector, 1, &openai, &json!("short answer"));
    send(&collector, 2, &parts, &answer);
    send(&collector, 3, &wrapped, &json!({"role": "assistant", "content": "ok"}));
    send(&collector, 4, &plain, &json!(null));

    let traces = collector.ok("/api/public/traces?limit=10");
    let input = |trace: u8| field(&traces["data"], "id", &trace_id(trace), "input");
    assert_last_message(input(1), "openai last question", "user", 4, "OpenAI messages");
    assert_last_message(input(2), "parts last question", "user", 2, "GenAI parts");
    assert_last_message(input(3), "wrapped last question", "user", 4, "{messages: [...]}");
    let output = field(&traces["data"], "id", &trace_id(2), "output");
    let cut_answer: String = long_answer.chars().take(2048).collect();
    assert_last_message(output, &cut_answer, "assistant", 1, "one long output message, cut to 2,048 characters");
    assert_eq!(field(&traces["data"], "id", &trace_id(1), "output"), "short answer", "a short value stays whole");
    assert_eq!(field(&traces["data"], "id", &trace_id(3), "output"), &json!({"role": "assistant", "content": "ok"}));

    // A long value that is no conversation previews its start, as before.
    let plain_preview = input(4).as_str().expect("a string");
    let (start, marker) = plain_preview.split_once(CUT_MARKER).expect("a marker");
    assert_eq!(
        start,
        plain.to_string().chars().take(2048).collect::<String>(),
        "the first 2,048 characters of its JSON"
    );
    assert!(!marker.contains("messages"), "{marker:?}");

    // The observations list and the session's turns preview alike.
    let observations = collector.ok("/api/public/observations?limit=10");
    let observation = |trace: u8| field(&observations["data"], "traceId", &trace_id(trace), "input");
    assert_last_message(observation(2), "parts last question", "user", 2, "observations: GenAI parts");
    let session = collector.ok("/api/public/sessions/previews");
    let turn = |trace: u8| field(&session["traces"], "id", &trace_id(trace), "input");
    assert_last_message(turn(3), "wrapped last question", "user", 4, "session turns: {messages: [...]}");

    // The whole values are still there.
    let whole = collector.ok("/api/public/traces?limit=10&fields=core,io");
    assert_eq!(field(&whole["data"], "id", &trace_id(2), "input"), &parts);
    assert_eq!(collector.ok(&format!("/api/public/traces/{}", trace_id(3)))["input"], wrapped);
}

#[test]
fn a_cut_list_of_things_that_are_not_messages_previews_its_start() {
    let collector = Collector::start();
    let numbers: Vec<u32> = (0..3000).collect();
    let records = json!([{"id": 1, "body": filler()}, {"id": 2, "body": "the last record"}]);
    send(&collector, 5, &json!(numbers), &records);
    let traces = collector.ok("/api/public/traces");
    for (name, value) in [("input", json!(numbers)), ("output", records)] {
        let preview = field(&traces["data"], "id", &trace_id(5), name).as_str().expect("a string").to_owned();
        let start: String = value.to_string().chars().take(2048).collect();
        assert!(preview.starts_with(&start) && preview.contains(CUT_MARKER), "{name}: {preview:.100}");
    }
}
