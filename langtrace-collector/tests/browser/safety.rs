//! Traced text is data: markup in traced values and in conversations shows as text and
//! never runs, and only web URLs become links.

use serde_json::json;

use super::shapes::span_with_io;
use super::{post, signed_in, SERIAL};
use crate::support::browser::Browser;
use crate::support::Collector;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traced_markup_is_shown_as_text_and_never_runs() {
    let (_serial, demo, browser) = signed_in().await;
    let payload = r#"<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">"#;
    let trace_id = "7a1ce0000000000000000000000000aa";
    let text = |key: &str, value: &str| json!({"key": key, "value": {"stringValue": value}});
    let request = json!({"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": trace_id, "spanId": "00000000000000a1", "name": payload,
        "startTimeUnixNano": "1760000000000000000", "endTimeUnixNano": "1760000001000000000",
        "attributes": [
            text("langfuse.observation.input", &json!(payload).to_string()),
            text("langfuse.observation.output", &json!({"html": payload}).to_string()),
            text("user.id", payload),
        ],
    }]}]}]});
    assert_eq!(post(&demo, "/v1/traces", &request).await, 200);
    browser.open(&format!("{}/#/traces/{trace_id}", demo.base_url), "trace").await;
    browser.click("[data-testid=tree] [data-observation-id='00000000000000a1']").await;
    let input = browser.text("[data-testid=panel] [data-testid=input]").await;
    assert!(input.contains("<script>window.__pwned = 1</script>"), "the markup is shown as text: {input:?}");
    assert!(browser.text("[data-testid=panel] [data-testid=output]").await.contains("onerror="));
    assert_eq!(browser.count("[data-testid=panel] script, [data-testid=panel] img[src=x]").await, 0);
    let pwned = browser.client().execute("return window.__pwned === undefined", vec![]).await.unwrap();
    assert_eq!(pwned, json!(true), "no traced script ran");
    browser.screenshot("trace-markup-as-text").await;

    // The traces table shows it as text too.
    browser.open(&format!("{}/#/traces", demo.base_url), "traces").await;
    assert!(browser.text(&format!("tr[data-trace-id='{trace_id}']")).await.contains("<script>"));
    let pwned = browser.client().execute("return window.__pwned === undefined", vec![]).await.unwrap();
    assert_eq!(pwned, json!(true), "no traced script ran on the traces page");

    // Prompts: the name, texts, a role, tags, commit messages and config, on the list,
    // the version page and the diff.
    super::prompts::make_hostile_prompt(&demo, payload).await;
    browser.go("#/prompts", "prompts").await;
    let list = browser.text("[data-testid=prompts-table]").await;
    assert!(list.contains("\"quoted\" & 'single'") && list.contains("<script>"), "{list}");
    browser.go(super::prompts::HOSTILE_PAGE, "prompt").await;
    assert_eq!(browser.text("[data-testid=prompt-name]").await, super::prompts::HOSTILE_NAME);
    let content = browser.text("[data-testid=prompt-content]").await;
    assert!(content.contains("<script>window.__pwned = 1</script>"), "the prompt text is text: {content:?}");
    assert!(browser.text("[data-testid=prompt-versions]").await.contains("onerror="), "commit messages are text");
    let diff = browser.text("[data-testid=prompt-diff]").await;
    assert!(diff.contains("second line <script>"), "the diff is text: {diff:?}");
    browser.go(&super::prompts::HOSTILE_PAGE.replace("version=2&compare=1", "version=1"), "prompt").await;
    assert!(browser.text("[data-testid=prompt-content]").await.contains("<img src=x"), "the role is text");
    assert!(browser.text("[data-testid=prompt-config]").await.contains("<script>"), "the config is text");
    assert_eq!(browser.count("main script, main img[src=x]").await, 0);
    let pwned = browser.client().execute("return window.__pwned === undefined", vec![]).await.unwrap();
    assert_eq!(pwned, json!(true), "no prompt script ran");
    browser.screenshot("prompt-markup-as-text").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_shows_markup_as_text_and_links_only_web_urls() {
    let _serial = SERIAL.lock().await;
    let collector = tokio::task::block_in_place(Collector::start);
    let markup = r#"<img src=x onerror="window.__pwned = 1">"#;
    let input = json!([
        {"role": "user", "content": [
            {"type": "text", "text": markup},
            {"type": "image_url", "image_url": {"url": "javascript:window.__pwned = 2"}},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
            {"type": "input_audio", "input_audio": {"data": "data:audio/wav;base64,UklGRg==", "format": "wav"}},
        ]},
        {"role": "system", "content": "system-marker"},
        {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call-1", "type": "function", "function": {"name": "render", "arguments": json!({"html": markup}).to_string()}},
        ]},
        {"role": "tool", "tool_call_id": "call-1", "content": "<script>window.__pwned = 3</script>"},
    ]);
    let output = json!({"role": "assistant", "content": "answer-marker"});
    let request = span_with_io(
        "0000000000000000000000000000c001",
        "00000000000000c1",
        "conversation",
        &input.to_string(),
        &output.to_string(),
    );
    let url = format!("{}/v1/traces", collector.base_url);
    let response =
        reqwest::Client::new().post(url).header("authorization", collector.authorization()).json(&request).send().await;
    assert_eq!(response.unwrap().status().as_u16(), 200);

    let browser = Browser::start().await;
    browser.sign_in(&collector.base_url, &collector.keys.public_key, &collector.keys.secret_key).await;
    browser.watch_errors().await;
    browser.go("#/traces/0000000000000000000000000000c001?observation=00000000000000c1", "trace").await;
    let roles = browser
        .client()
        .execute("return [...document.querySelectorAll('[data-testid=input] [data-testid=message]')].map((m) => m.dataset.role)", vec![])
        .await
        .unwrap();
    assert_eq!(roles, json!(["system", "user", "assistant", "tool"]), "system instructions first");
    let shown = browser.text("[data-testid=panel] [data-testid=input]").await;
    for text in [markup, "<script>window.__pwned = 3</script>", "[image]", "https://example.com/cat.png", "[audio wav"]
    {
        assert!(shown.contains(text), "the conversation shows {text:?} as text: {shown:?}");
    }
    assert!(shown.contains("\"html\": \"<img src=x"), "tool arguments as pretty JSON: {shown:?}");
    assert_eq!(browser.count("[data-testid=panel] a[href^='javascript']").await, 0, "no javascript: link");
    assert_eq!(browser.count("[data-testid=panel] a[href='https://example.com/cat.png']").await, 1);
    assert_eq!(browser.count("[data-testid=panel] script, [data-testid=panel] img[src=x]").await, 0);
    assert!(browser.text("[data-testid=panel] [data-testid=output]").await.contains("answer-marker"));
    let pwned = browser.client().execute("return window.__pwned === undefined", vec![]).await.unwrap();
    assert_eq!(pwned, json!(true), "no traced script ran");

    // The traces list previews the last message's text: the tool result, the answer.
    browser.go("#/traces", "traces").await;
    let previews = browser
        .client()
        .execute(
            "return [...document.querySelectorAll('tr[data-trace-id] td.preview')].map((td) => td.textContent)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(previews, json!(["<script>window.__pwned = 3</script>", "answer-marker"]));
    assert_eq!(browser.errors().await, Vec::<String>::new(), "no page error");
    drop(browser);
    tokio::task::block_in_place(|| drop(collector));
}
