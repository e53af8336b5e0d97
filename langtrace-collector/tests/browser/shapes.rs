//! Traces of any shape: messages as parts, content lists, and a 5 MB value render
//! without an error.

use serde_json::{json, Value};

use super::SERIAL;
use crate::support::browser::Browser;
use crate::support::Collector;

/// An OTLP/JSON request of one root span `span_id` of `trace_id`, started now, whose input
/// and output are `input` and `output` (JSON texts).
pub(super) fn span_with_io(trace_id: &str, span_id: &str, name: &str, input: &str, output: &str) -> Value {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let text = |key: &str, value: &str| json!({"key": key, "value": {"stringValue": value}});
    json!({"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": trace_id, "spanId": span_id, "name": name,
        "startTimeUnixNano": now.to_string(), "endTimeUnixNano": (now + 1_000_000).to_string(),
        "attributes": [text("langfuse.observation.input", input), text("langfuse.observation.output", output)],
    }]}]}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traces_whose_messages_use_parts_content_lists_or_5_mb_render_without_an_error() {
    let _serial = SERIAL.lock().await;
    let collector = tokio::task::block_in_place(Collector::start);
    let parts = json!([
        {"role": "system", "parts": [{"type": "text", "content": "You are terse."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"},
                                   {"type": "uri", "modality": "image", "uri": "https://example.com/p.png"},
                                   {"type": "blob", "modality": "image", "mime_type": "image/png", "content": "iVBORw0KGgo="}]},
        {"role": "assistant", "parts": [{"type": "tool_call", "id": "c1", "name": "weather", "arguments": {"city": "Paris"}}]},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "c1", "response": {"celsius": 21}}]},
        {"role": "user", "parts": [{"type": "text", "content": "parts-question-marker"}]},
    ]);
    let parts_out = json!([{"role": "assistant", "parts": [{"type": "text", "content": "parts-answer-marker"}], "finish_reason": "stop"}]);
    let content_lists = json!({"messages": [
        {"role": "assistant", "content": null, "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "user", "content": [{"type": "text", "text": "content-list-marker"},
                                     {"type": "image_url", "image_url": {"url": "https://example.com/c.png"}}]},
    ]});
    let huge = json!([{"role": "user", "content": format!("huge-input-marker {}", "x".repeat(5 << 20))}]);
    let traces = [
        (
            "0000000000000000000000000000a001",
            "parts",
            parts.to_string(),
            parts_out.to_string(),
            "parts-question-marker",
        ),
        (
            "0000000000000000000000000000a002",
            "content lists",
            content_lists.to_string(),
            "\"done\"".to_owned(),
            "content-list-marker",
        ),
        (
            "0000000000000000000000000000a003",
            "five megabytes",
            huge.to_string(),
            "{\"ok\":true}".to_owned(),
            "huge-input-marker",
        ),
    ];
    let client = reqwest::Client::new();
    for (trace_id, name, input, output, _) in &traces {
        let request = span_with_io(trace_id, "00000000000000b1", name, input, output);
        let url = format!("{}/v1/traces", collector.base_url);
        let response = client.post(url).header("authorization", collector.authorization()).json(&request).send().await;
        assert_eq!(response.unwrap().status().as_u16(), 200, "{name}");
    }

    let browser = Browser::start().await;
    browser.sign_in(&collector.base_url, &collector.keys.public_key, &collector.keys.secret_key).await;
    browser.watch_errors().await;
    browser.go("#/traces?limit=25", "traces").await;
    assert_eq!(browser.count("table[data-testid=traces-table] tbody tr[data-trace-id]").await, traces.len());
    assert_eq!(browser.count("[data-testid=unrenderable]").await, 0, "every row previews");
    for (trace_id, name, _, _, marker) in &traces {
        let row = browser.text(&format!("tr[data-trace-id='{trace_id}']")).await;
        assert!(row.contains(marker), "the {name} row previews its last message: {row:?}");
    }
    assert!(browser.text("tr[data-trace-id='0000000000000000000000000000a001']").await.contains("parts-answer-marker"));
    browser.screenshot("traces-of-any-shape").await;

    for (trace_id, name, _, _, marker) in &traces {
        browser.go(&format!("#/traces/{trace_id}?observation=00000000000000b1"), "trace").await;
        assert_eq!(browser.count("[data-testid=unrenderable]").await, 0, "{name}: every panel renders");
        let input = browser.text("[data-testid=panel] [data-testid=input]").await;
        assert!(input.contains(marker), "{name}: the panel shows the input: {:?}", &input[..input.len().min(300)]);
        browser.screenshot(&format!("trace-{}", name.replace(' ', "-"))).await;
    }
    // The panel got the whole stored input (the list's preview is 2,048 characters; the
    // store keeps the first MiB of the 5 MB), and shows its start.
    let panel = browser.text("[data-testid=panel] [data-testid=input]").await;
    let whole = panel.rsplit_once("show all ").and_then(|(_, count)| count.strip_suffix(" characters"));
    let whole: usize = whole.map_or(0, |count| count.replace(',', "").parse().unwrap_or(0));
    assert!((1_000_000..=1 << 20).contains(&whole), "{:?}", &panel[panel.len().saturating_sub(300)..]);
    assert!(panel.len() < 100_000, "a 5 MB input is shown in part ({} bytes)", panel.len());
    browser.go("#/traces/0000000000000000000000000000a001?observation=00000000000000b1", "trace").await;
    let input = browser.text("[data-testid=panel] [data-testid=input]").await;
    for shown in ["Weather in Paris?", "tool call weather", "tool response", "https://example.com/p.png", "image/png"] {
        assert!(input.contains(shown), "the parts input shows {shown:?}: {input:?}");
    }
    assert_eq!(browser.errors().await, Vec::<String>::new(), "no page error");
    drop(browser);
    tokio::task::block_in_place(|| drop(collector));
}
