//! The Export menus: on the traces page (with its filters), a session's page, the
//! sessions list (the listed sessions' traces in one file) and the generations page, each
//! downloads the export route with the page's filters through the
//! authenticated fetch, and what it downloaded is what the API exports. The generations
//! page shows traced markup as text.

use fantoccini::Locator;
use serde_json::Value;

use super::{api, post, signed_in};
use crate::support::browser::{Browser, PAGE_TIMEOUT};
use crate::support::Demo;

/// Opens the Export menu, picks `format`, waits for the download; the URLs it fetched
/// (space-separated) and the bytes the same URLs answer the test's own client (joined as
/// the page joins them: CSV under the first header), after checking the page got exactly
/// as many.
pub(super) async fn export(browser: &Browser, demo: &Demo, format: &str) -> (String, Vec<u8>) {
    browser.click("[data-testid=export] summary").await;
    browser.click(&format!("[data-testid=export] button[data-export-format={format}]")).await;
    let menu = browser
        .client()
        .wait()
        .at_most(PAGE_TIMEOUT)
        .for_element(Locator::Css("[data-testid=export][data-export-state=done]"))
        .await
        .expect("the export is downloaded");
    let urls = menu.attr("data-export-url").await.unwrap().expect("the URLs fetched");
    let downloaded: usize = menu.attr("data-export-bytes").await.unwrap().expect("a size").parse().unwrap();
    let mut body = Vec::new();
    for (index, url) in urls.split(' ').enumerate() {
        let request = reqwest::Client::new().get(demo.url(url)).header("authorization", demo.authorization());
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "GET {url}");
        let answer = response.bytes().await.unwrap();
        let header_end =
            if format == "csv" && index > 0 { answer.iter().position(|b| *b == b'\n').unwrap() + 1 } else { 0 };
        body.extend_from_slice(&answer[header_end..]);
    }
    assert_eq!(downloaded, body.len(), "the page downloaded what {urls} export");
    (urls, body)
}

/// The lines of a JSON Lines body, parsed.
pub(super) fn lines(body: &[u8]) -> Vec<Value> {
    std::str::from_utf8(body).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_menus_download_what_the_page_shows() {
    let (_serial, demo, browser) = signed_in().await;

    // Traces, filtered by a user: CSV of that user's traces.
    let users = api(&demo, "/api/public/users?limit=50").await;
    let user_id = users["data"][0]["id"].as_str().unwrap().to_owned();
    let expected = api(&demo, &format!("/api/public/traces?limit=100&userId={user_id}")).await;
    browser.go(&format!("#/traces?userId={user_id}"), "traces").await;
    let (url, body) = export(&browser, &demo, "csv").await;
    assert!(url.starts_with("/api/public/traces/export?") && url.contains(&format!("userId={user_id}")), "{url}");
    assert!(url.ends_with("format=csv"), "{url}");
    let rows = csv::Reader::from_reader(&body[..]).records().count() as u64;
    assert_eq!(rows, expected["meta"]["totalItems"].as_u64().unwrap(), "one record per trace of the user");
    browser.screenshot("export-traces").await;

    // A session: its traces as JSON Lines.
    let sessions = api(&demo, "/api/public/sessions?limit=1").await;
    let session_id = sessions["data"][0]["id"].as_str().unwrap().to_owned();
    let session = api(&demo, &format!("/api/public/sessions/{session_id}")).await;
    browser.go(&format!("#/sessions/{session_id}"), "session").await;
    let (url, body) = export(&browser, &demo, "jsonl").await;
    assert!(url.contains(&format!("sessionId={session_id}")), "{url}");
    let traces = lines(&body);
    assert_eq!(traces.len(), session["traces"].as_array().unwrap().len());
    assert!(traces.iter().all(|t| t["sessionId"] == session_id.as_str()));

    // The sessions list: the traces of the listed sessions, one export per session joined
    // into one file, in both formats.
    let listed = api(&demo, "/api/public/sessions?limit=50").await;
    let listed: Vec<(String, u64)> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_owned(), s["traceCount"].as_u64().unwrap()))
        .collect();
    assert!(listed.len() > 1, "the demo has several sessions: {listed:?}");
    browser.go("#/sessions", "sessions").await;
    let (urls, body) = export(&browser, &demo, "jsonl").await;
    let expected_urls: Vec<String> =
        listed.iter().map(|(id, _)| format!("/api/public/traces/export?sessionId={id}&format=jsonl")).collect();
    assert_eq!(urls.split(' ').collect::<Vec<_>>(), expected_urls, "one export per listed session, in list order");
    let traces = lines(&body);
    let total: u64 = listed.iter().map(|(_, count)| count).sum();
    assert_eq!(traces.len() as u64, total, "every trace of every listed session");
    for (id, count) in &listed {
        assert_eq!(traces.iter().filter(|t| t["sessionId"] == id.as_str()).count() as u64, *count, "session {id}");
    }
    let (_, body) = export(&browser, &demo, "csv").await;
    let mut reader = csv::Reader::from_reader(&body[..]);
    assert_eq!(reader.headers().unwrap().get(0), Some("id"), "one header, first");
    assert_eq!(reader.records().count() as u64, total, "one record per trace under one header");
    browser.screenshot("export-sessions").await;

    // Generations: the page lists them (markup as text), and exports them as OpenAI SFT
    // lines with the report.
    let payload = r#"<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">"#;
    let text = |key: &str, value: &str| serde_json::json!({"key": key, "value": {"stringValue": value}});
    let hostile = serde_json::json!({"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": "7a1ce0000000000000000000000000bb", "spanId": "00000000000000b1", "name": payload,
        "startTimeUnixNano": "1760000000000000000", "endTimeUnixNano": "1760000001000000000",
        "attributes": [
            text("langfuse.observation.type", "generation"),
            text("langfuse.observation.input", &serde_json::json!(payload).to_string()),
            text("langfuse.observation.output", "ok"),
        ],
    }]}]}]});
    assert_eq!(post(&demo, "/v1/traces", &hostile).await, 200);
    let generations = api(&demo, "/api/public/observations?type=GENERATION&limit=50").await;
    browser.click("a[data-nav=generations]").await;
    browser.ready("generations").await;
    let shown = browser.count("table[data-testid=generations-table] tbody tr[data-observation-id]").await;
    assert_eq!(shown, generations["data"].as_array().unwrap().len());
    browser.go("#/generations?traceId=7a1ce0000000000000000000000000bb", "generations").await;
    assert!(browser.text("[data-testid=generations-table]").await.contains("<script>window.__pwned = 1</script>"));
    assert_eq!(browser.count("main script, main img[src=x]").await, 0);
    let pwned = browser.client().execute("return window.__pwned === undefined", vec![]).await.unwrap();
    assert_eq!(pwned, serde_json::json!(true), "no traced script ran");
    browser.go("#/generations", "generations").await;
    let (url, body) = export(&browser, &demo, "openai_sft").await;
    assert!(url.contains("type=GENERATION") && url.ends_with("format=openai_sft"), "{url}");
    let mut examples = lines(&body);
    let report = examples.pop().expect("the report line")["_langtrace_export"].clone();
    assert_eq!(report["exported"].as_u64().unwrap(), examples.len() as u64);
    let total = generations["meta"]["totalItems"].as_u64().unwrap();
    assert_eq!(report["exported"].as_u64().unwrap() + report["skipped"].as_u64().unwrap(), total, "every generation");
    assert!(!examples.is_empty(), "the demo's chat generations fit: {report}");
    for example in &examples {
        assert_eq!(example["messages"].as_array().unwrap().last().unwrap()["role"], "assistant");
    }
    browser.screenshot("export-generations").await;
}
