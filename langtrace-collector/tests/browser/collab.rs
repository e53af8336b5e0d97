//! Sharing, comments and bookmarks in the browser: the share toggle opens a trace to its
//! link, whose read-only page shows the trace without keys and reaches nothing else;
//! comments are added on the trace, an observation and a session and shown as text (the
//! markup-as-text check covers them); the star bookmarks a trace and the Traces page
//! filters on it. The shared page shows the trace's media through the share path.

use fantoccini::Locator;
use serde_json::{json, Value};

use super::SERIAL;
use crate::support::browser::{Browser, PAGE_TIMEOUT};
use crate::support::Collector;

const SHARED: &str = "5ace0000000000000000000000000001";
const PRIVATE: &str = "5ace0000000000000000000000000002";
const CHILD: &str = "00000000000000c2";
const MARKUP: &str = r#"<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">"#;

/// An export of trace `trace_id` in session `sess-1`: a root and, for the shared trace,
/// a child whose input is `child_input`.
fn trace(trace_id: &str, root: &str, child_input: &str) -> Value {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let text = |key: &str, value: &str| json!({"key": key, "value": {"stringValue": value}});
    let span = |id: &str, parent: Option<&str>, name: &str, input: &str| {
        let mut span = json!({"traceId": trace_id, "spanId": id, "name": name,
            "startTimeUnixNano": now.to_string(), "endTimeUnixNano": (now + 1_000_000).to_string(),
            "attributes": [text("session.id", "sess-1"), text("user.id", "ann"),
                text("langfuse.observation.input", input), text("langfuse.observation.output", "\"answer\"")]});
        if let Some(parent) = parent {
            span["parentSpanId"] = json!(parent);
        }
        span
    };
    let mut spans = vec![span(root, None, "shared-root", "\"question\"")];
    if trace_id == SHARED {
        spans.push(span(CHILD, Some(root), "shared-child", child_input));
    }
    json!({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]})
}

/// Any request to the collector with its keys; the status and JSON answer.
async fn call(collector: &Collector, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", collector.base_url))
        .header("authorization", collector.authorization());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// Uploads a PNG announced for trace `trace_id` through Langfuse's media flow; its id.
async fn upload_png(collector: &Collector, trace_id: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let bytes = b"\x89PNG\r\n\x1a\nshared picture".to_vec();
    let announced = json!({
        "traceId": trace_id, "contentType": "image/png", "contentLength": bytes.len(), "field": "input",
        "sha256Hash": base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&bytes)),
    });
    let (status, ticket) = call(collector, reqwest::Method::POST, "/api/public/media", Some(announced)).await;
    assert_eq!(status, 200, "{ticket}");
    let upload_url = ticket["uploadUrl"].as_str().expect("an upload URL");
    let uploaded = reqwest::Client::new().put(upload_url).header("content-type", "image/png").body(bytes).send().await;
    assert_eq!(uploaded.unwrap().status().as_u16(), 200);
    ticket["mediaId"].as_str().unwrap().to_owned()
}

/// Waits for the element `css`.
async fn wait_for(browser: &Browser, css: &str) {
    let found = browser.client().wait().at_most(PAGE_TIMEOUT).for_element(Locator::Css(css)).await;
    if let Err(error) = found {
        browser.screenshot("collab-missing").await;
        panic!("{css} never appeared: {error}");
    }
}

/// Adds a comment through the comments form `testid` and waits until it is listed.
async fn comment(browser: &Browser, testid: &str, content: &str, count: usize) {
    let textarea = browser.client().find(Locator::Css(&format!("[data-testid={testid}-form] textarea"))).await.unwrap();
    textarea.send_keys(content).await.unwrap();
    browser.click(&format!("[data-testid={testid}-form] button[type=submit]")).await;
    wait_for(browser, &format!("[data-testid={testid}-list][data-count='{count}']")).await;
}

/// No traced or commented script ran in the page.
async fn assert_nothing_ran(browser: &Browser, page: &str) {
    let pwned = browser.client().execute("return window.__pwned === undefined", vec![]).await.unwrap();
    assert_eq!(pwned, json!(true), "no script ran on {page}");
    assert_eq!(browser.count("main script, main img[src=x]").await, 0, "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_comment_and_bookmark_from_the_ui() {
    let _serial = SERIAL.lock().await;
    let collector = tokio::task::block_in_place(Collector::start);
    let image = upload_png(&collector, SHARED).await;
    let child_input = json!(format!("look: @@@langfuseMedia:type=image/png|id={image}|source=bytes@@@")).to_string();
    for (trace_id, root) in [(PRIVATE, "00000000000000b1"), (SHARED, "00000000000000c1")] {
        let export = trace(trace_id, root, &child_input);
        assert_eq!(call(&collector, reqwest::Method::POST, "/v1/traces", Some(export)).await.0, 200);
    }
    let browser = Browser::start().await;
    browser.sign_in(&collector.base_url, &collector.keys.public_key, &collector.keys.secret_key).await;
    browser.watch_errors().await;

    // The trace page: share it, star it, comment on it and on its child, all as stored.
    browser.go(&format!("#/traces/{SHARED}"), "trace").await;
    browser.click("[data-testid=share-toggle]").await;
    wait_for(&browser, "[data-testid=share-toggle][aria-pressed=true]").await;
    let link = browser.text("[data-testid=share-link]").await;
    assert_eq!(link, format!("{}/share/traces/{SHARED}", collector.base_url));
    browser.click("[data-testid=trace-detail] [data-testid=bookmark]").await;
    wait_for(&browser, "[data-testid=trace-detail] [data-testid=bookmark][aria-pressed=true]").await;
    let stored = call(&collector, reqwest::Method::GET, &format!("/api/public/traces/{SHARED}"), None).await.1;
    assert_eq!((stored["public"].as_bool(), stored["bookmarked"].as_bool()), (Some(true), Some(true)));
    comment(&browser, "trace-comments", MARKUP, 1).await;
    let shown = browser.text("[data-testid=trace-comments-list]").await;
    assert!(shown.contains(MARKUP), "the comment is shown as text: {shown:?}");
    browser.click(&format!("[data-testid=tree] [data-observation-id='{CHILD}']")).await;
    comment(&browser, "observation-comments", "child note", 1).await;
    assert_nothing_ran(&browser, "the trace page").await;
    browser.screenshot("collab-trace").await;
    let on_child = call(
        &collector,
        reqwest::Method::GET,
        &format!("/api/public/comments?objectType=OBSERVATION&objectId={CHILD}"),
        None,
    )
    .await
    .1;
    assert_eq!(on_child["data"][0]["content"], "child note");

    // The session page: comments there, markup posted through the API shown as text.
    let body = json!({"objectType": "SESSION", "objectId": "sess-1", "content": MARKUP});
    assert_eq!(call(&collector, reqwest::Method::POST, "/api/public/comments", Some(body)).await.0, 200);
    browser.go("#/sessions/sess-1", "session").await;
    wait_for(&browser, "[data-testid=session-comments-list][data-count='1']").await;
    comment(&browser, "session-comments", "session note", 2).await;
    let shown = browser.text("[data-testid=session-comments-list]").await;
    assert!(shown.contains(MARKUP) && shown.contains("session note"), "{shown:?}");
    assert_nothing_ran(&browser, "the session page").await;

    // The Traces page: a star per row, the bookmarked filter keeps the starred trace only.
    browser.go("#/traces", "traces").await;
    assert_eq!(browser.count("tr[data-trace-id] [data-testid=bookmark]").await, 2);
    assert_eq!(
        browser.count(&format!("tr[data-trace-id='{SHARED}'] [data-testid=bookmark][aria-pressed=true]")).await,
        1
    );
    browser.click("button[data-filter=bookmarked]").await;
    browser.ready("traces").await;
    assert_eq!(browser.count("tr[data-trace-id]").await, 1);
    assert_eq!(browser.count(&format!("tr[data-trace-id='{SHARED}']")).await, 1);
    browser.screenshot("collab-bookmarked").await;
    assert!(browser.errors().await.is_empty(), "{:?}", browser.errors().await);

    // The share link, in this very tab (whose storage holds the keys): the trace, read-only,
    // loaded from the share path only, with no form, toggle or link to another page.
    browser.open(&link, "trace").await;
    assert_eq!(browser.count("[data-testid=trace-detail]").await, 1);
    assert!(browser.text("[data-testid=trace-detail] h1").await.contains("shared-root"));
    for absent in ["form", "textarea", "[data-testid=share-toggle]", "[data-testid=bookmark]", "main a[href^='#/']"] {
        assert_eq!(browser.count(absent).await, 0, "{absent} on the shared page");
    }
    browser.click(&format!("[data-testid=tree] [data-observation-id='{CHILD}']")).await;
    wait_for(&browser, &format!("[data-testid=panel][data-selected='{CHILD}']")).await;
    wait_for(&browser, "[data-testid=panel] [data-testid=input] img[src^='blob:']").await;
    let fetched = browser
        .client()
        .execute("return performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.startsWith('/api/'))", vec![])
        .await
        .unwrap();
    let fetched: Vec<String> = serde_json::from_value(fetched).unwrap();
    assert!(!fetched.is_empty() && fetched.iter().all(|p| p.starts_with("/api/public/share/traces/")), "{fetched:?}");
    browser.screenshot("collab-shared-page").await;

    // A private trace's link shows that it is not shared.
    browser.open(&format!("{}/share/traces/{PRIVATE}", collector.base_url), "error").await;
    assert!(browser.text("[data-testid=share-error]").await.contains("not shared"));
}
