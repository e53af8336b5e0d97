//! The Export menus: on the traces page (with its filters), a session's page and the
//! generations page, each downloads the export route with the page's filters through the
//! authenticated fetch, and what it downloaded is what the API exports.

use fantoccini::Locator;
use serde_json::Value;

use super::{api, signed_in};
use crate::support::browser::{Browser, PAGE_TIMEOUT};
use crate::support::Demo;

/// Opens the Export menu, picks `format`, waits for the download; the URL it fetched and
/// the bytes the same URL answers the test's own client, after checking the page got
/// exactly as many.
async fn export(browser: &Browser, demo: &Demo, format: &str) -> (String, Vec<u8>) {
    browser.click("[data-testid=export] summary").await;
    browser.click(&format!("[data-testid=export] button[data-export-format={format}]")).await;
    let menu = browser
        .client()
        .wait()
        .at_most(PAGE_TIMEOUT)
        .for_element(Locator::Css("[data-testid=export][data-export-state=done]"))
        .await
        .expect("the export is downloaded");
    let url = menu.attr("data-export-url").await.unwrap().expect("the URL fetched");
    let downloaded: usize = menu.attr("data-export-bytes").await.unwrap().expect("a size").parse().unwrap();
    let response =
        reqwest::Client::new().get(demo.url(&url)).header("authorization", demo.authorization()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "GET {url}");
    let body = response.bytes().await.unwrap().to_vec();
    assert_eq!(downloaded, body.len(), "the page downloaded what {url} exports");
    (url, body)
}

/// The lines of a JSON Lines body, parsed.
fn lines(body: &[u8]) -> Vec<Value> {
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

    // Generations: the page lists them, and exports them as OpenAI SFT lines with the report.
    let generations = api(&demo, "/api/public/observations?type=GENERATION&limit=50").await;
    browser.click("a[data-nav=generations]").await;
    browser.ready("generations").await;
    let shown = browser.count("table[data-testid=generations-table] tbody tr[data-observation-id]").await;
    assert_eq!(shown, generations["data"].as_array().unwrap().len());
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
