//! The web UI in a real browser: headless Chromium (Debian's `chromium`, driven through
//! its `chromedriver` with fantoccini) against a real `langtrace demo` (collector, store,
//! UI, and the demo app's traces ingested through the facade and the OTLP bridge).
//! Expected rows and figures come from the collector's own API. Each test saves
//! screenshots under `target/tmp/ui-screenshots/`.

#[path = "browser/collab.rs"]
mod collab;
#[path = "browser/datasets.rs"]
mod datasets;
#[path = "browser/export.rs"]
mod export;
#[path = "browser/playground.rs"]
mod playground;
#[path = "browser/projects.rs"]
mod projects;
#[path = "browser/prompts.rs"]
mod prompts;
#[path = "browser/render.rs"]
mod render;
#[path = "browser/safety.rs"]
mod safety;
#[path = "browser/shapes.rs"]
mod shapes;
mod support;

use fantoccini::Locator;
use serde_json::{json, Value};
use support::browser::{Browser, PAGE_TIMEOUT};
use support::Demo;

/// One browser and one demo at a time: the machine has two cores.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// GET an API path with the demo's keys (async: the tests drive the browser from a
/// runtime, where the support module's blocking client may not run).
async fn api(demo: &Demo, path: &str) -> Value {
    let response =
        reqwest::Client::new().get(demo.url(path)).header("authorization", demo.authorization()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// POST a JSON body with the demo's keys; the status.
async fn post(demo: &Demo, path: &str, body: &Value) -> u16 {
    let request = reqwest::Client::new().post(demo.url(path)).header("authorization", demo.authorization());
    request.json(body).send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_shows_the_demo_data() {
    let (_serial, demo, browser) = signed_in().await;

    // Traces: one row per trace of the first page, the newest first.
    let traces = api(&demo, "/api/public/traces?limit=50").await;
    let expected = traces["data"].as_array().unwrap();
    assert!(!expected.is_empty(), "the demo ingested traces");
    assert_eq!(browser.count("table[data-testid=traces-table] tbody tr[data-trace-id]").await, expected.len());
    let first = &expected[0];
    let row = browser.text(&format!("tr[data-trace-id='{}']", first["id"].as_str().unwrap())).await;
    assert!(row.contains(first["name"].as_str().unwrap()), "row {row:?} shows the trace name");
    browser.screenshot("traces").await;

    // Sessions and users: one row each, as the API lists them, and the first one's page.
    let sessions = api(&demo, "/api/public/sessions?limit=50").await;
    let session_id = list_then_first(&browser, "sessions", &sessions, "data-session-id").await;
    browser.ready("session").await;
    let session = api(&demo, &format!("/api/public/sessions/{session_id}")).await;
    assert_eq!(
        browser.count("[data-testid=session-traces] [data-trace-id]").await,
        session["traces"].as_array().unwrap().len(),
        "the session page replays each of its traces"
    );
    let count = session["traces"].as_array().unwrap().len();
    assert!(browser.text("main").await.contains(&format!("Traces {count}")), "the session's trace count");
    browser.screenshot("session").await;

    let users = api(&demo, "/api/public/users?limit=50").await;
    let user_id = list_then_first(&browser, "users", &users, "data-user-id").await;
    browser.ready("user").await;
    assert!(browser.text("[data-testid=user-detail]").await.contains(&user_id));
    browser.screenshot("user").await;

    browser.click("a[data-nav=dashboard]").await;
    browser.ready("dashboard").await;
    browser.go("#/dashboard?range=7d", "dashboard").await;
    assert!(browser.count("[data-testid=dashboard] svg[data-chart]").await >= 4, "the dashboard draws its charts");
    // Its figures are the store's: the demo's traces span the last seven days (the
    // playground's runs left out, see browser/playground.rs).
    let playground = api(&demo, "/api/public/traces?environment=langtrace-playground").await;
    let total =
        traces["meta"]["totalItems"].as_u64().expect("a total") - playground["meta"]["totalItems"].as_u64().unwrap();
    let dashboard = browser.text("[data-testid=dashboard]").await;
    assert!(dashboard.contains(&format!("{total} traces")), "the dashboard counts {total} traces: {dashboard}");
    browser.screenshot("dashboard").await;
}

/// The start of every test: the browser lock, a demo, and a browser signed in to it.
async fn signed_in() -> (tokio::sync::MutexGuard<'static, ()>, Demo, Browser) {
    let serial = SERIAL.lock().await;
    let demo = Demo::start();
    let browser = Browser::start().await;
    browser.sign_in(&demo.base_url, &demo.keys().public_key, &demo.keys().secret_key).await;
    (serial, demo, browser)
}

/// Opens the list `page` from the header, checks it shows one row (`tr[<row>]`) per item
/// of the API's `list`, saves a screenshot, then follows the first item's row link (its
/// first cell: other cells link elsewhere); the item's id.
async fn list_then_first(browser: &Browser, page: &str, list: &Value, row: &str) -> String {
    browser.click(&format!("a[data-nav={page}]")).await;
    browser.ready(page).await;
    let items = list["data"].as_array().unwrap();
    assert_eq!(browser.count(&format!("table[data-testid={page}-table] tr[{row}]")).await, items.len(), "{page}");
    browser.screenshot(page).await;
    let id = items[0]["id"].as_str().expect("an id").to_owned();
    let link = format!("tr[{row}='{id}'] td:first-child a");
    browser.click(&link).await;
    id
}

/// The demo trace with the most kinds of observation (agent, tools, generations).
async fn agent_trace(demo: &Demo) -> Value {
    let traces = api(demo, "/api/public/traces?limit=100").await;
    let mut best: Option<(usize, Value)> = None;
    for trace in traces["data"].as_array().unwrap() {
        let detail = api(demo, &format!("/api/public/traces/{}", trace["id"].as_str().unwrap())).await;
        let observations = detail["observations"].as_array().unwrap();
        let kinds = ["AGENT", "TOOL", "GENERATION"].iter().filter(|k| observations.iter().any(|o| o["type"] == **k));
        let score = kinds.count() * 1000 + observations.len();
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, detail));
        }
    }
    best.expect("a trace").1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trace_page_shows_tree_timeline_graph_and_the_selected_observation() {
    let (_serial, demo, browser) = signed_in().await;
    let trace = agent_trace(&demo).await;
    let trace_id = trace["id"].as_str().unwrap();
    let observations = trace["observations"].as_array().unwrap();
    browser.open(&format!("{}/#/traces/{trace_id}", demo.base_url), "trace").await;

    assert_eq!(browser.count("[data-testid=tree] [data-observation-id]").await, observations.len());
    assert_eq!(browser.count("[data-testid=timeline] [data-observation-id]").await, observations.len());
    assert!(browser.count("[data-testid=graph] [data-node]").await >= 2, "agent graph nodes");
    browser.screenshot("trace").await;

    // Clicking a generation shows its input and output.
    let generation = observations.iter().find(|o| o["type"] == "GENERATION").expect("a generation");
    let id = generation["id"].as_str().unwrap();
    browser.click(&format!("[data-testid=tree] [data-observation-id='{id}']")).await;
    let panel_input = browser.text("[data-testid=panel] [data-testid=input]").await;
    let input_text = generation["input"].to_string();
    let word = input_text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 5)
        .find(|w| !["content", "messages", "system", "assistant"].contains(w))
        .expect("a word of the generation's input");
    assert!(panel_input.contains(word), "panel input {panel_input:?} shows {word:?}");
    assert!(browser.client().current_url().await.unwrap().as_str().contains(id), "deep link to the observation");
    browser.screenshot("trace-observation").await;

    // The deep link opens with that observation selected.
    browser.open(&format!("{}/#/traces/{trace_id}?observation={id}", demo.base_url), "trace").await;
    assert!(browser.text("[data-testid=panel]").await.contains(generation["name"].as_str().unwrap()));

    // Expanded graph: one node per agent/tool/generation/chain observation at least.
    browser.click("[data-testid=graph-mode]").await;
    let graph_types = ["AGENT", "TOOL", "GENERATION", "CHAIN"];
    let expected_nodes = observations.iter().filter(|o| graph_types.iter().any(|t| o["type"] == *t)).count();
    assert!(browser.count("[data-testid=graph] [data-node]").await >= expected_nodes);
    let scroll = "document.querySelector('[data-testid=graph]').scrollIntoView()";
    browser.client().execute(scroll, vec![]).await.unwrap();
    browser.screenshot("trace-graph-expanded").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_narrow_the_traces_table() {
    let (_serial, demo, browser) = signed_in().await;
    let all = browser.count("tbody tr[data-trace-id]").await;
    let users = api(&demo, "/api/public/users?limit=50").await;
    let user_id = users["data"][0]["id"].as_str().unwrap().to_owned();
    let expected = api(&demo, &format!("/api/public/traces?limit=50&userId={user_id}")).await;
    let expected = expected["data"].as_array().unwrap().len();
    assert!(expected < all, "the user has fewer traces than the project");

    let filter = browser.client().find(Locator::Css("[data-filter=userId]")).await.unwrap();
    filter.send_keys(&format!("{user_id}\n")).await.unwrap();
    assert_eq!(browser.count_settles("tbody tr[data-trace-id]", expected).await, expected);
    browser.ready("traces").await;
    for row in browser.client().find_all(Locator::Css("tbody tr[data-trace-id]")).await.unwrap() {
        assert!(row.text().await.unwrap().contains(&user_id));
    }
    browser.screenshot("traces-filtered").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guardrail_warnings_have_a_quick_filter_and_a_dashboard_panel() {
    let (_serial, demo, browser) = signed_in().await;
    let warned = api(&demo, "/api/public/traces?limit=50&observationType=GUARDRAIL&observationLevel=WARNING").await;
    let expected: Vec<&str> = warned["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert!(!expected.is_empty() && expected.len() < browser.count("tbody tr[data-trace-id]").await);

    browser.click("button[data-filter=guardrails]").await;
    assert_eq!(browser.count_settles("tbody tr[data-trace-id]", expected.len()).await, expected.len());
    browser.ready("traces").await;
    for id in &expected {
        assert_eq!(browser.count(&format!("tbody tr[data-trace-id='{id}']")).await, 1, "{id} listed");
    }
    let pressed = browser.client().find(Locator::Css("button[data-filter=guardrails]")).await.unwrap();
    assert_eq!(pressed.attr("aria-pressed").await.unwrap().as_deref(), Some("true"));

    // The dashboard counts the same findings the metrics API does.
    let query = json!({
        "view": "observations",
        "metrics": [{ "measure": "count", "aggregation": "count" }],
        "filters": [
            { "column": "type", "operator": "=", "value": "GUARDRAIL" },
            { "column": "level", "operator": "!=", "value": "DEFAULT" },
            { "column": "level", "operator": "!=", "value": "DEBUG" },
        ],
        "fromTimestamp": "2000-01-01T00:00:00Z",
        "toTimestamp": "2100-01-01T00:00:00Z",
    });
    let findings =
        api(&demo, &format!("/api/public/v2/metrics?query={}", support::http::form_encode(&query.to_string()))).await;
    let findings = findings["data"][0]["count_count"].as_u64().expect("a count");
    assert!(findings > 0);
    browser.click("a[data-nav=dashboard]").await;
    browser.ready("dashboard").await;
    assert_eq!(browser.count("svg[data-chart=guardrail-findings]").await, 1);
    let dashboard = browser.text("[data-testid=dashboard]").await;
    assert!(
        dashboard.contains(&format!("{findings} findings")),
        "the dashboard counts {findings} findings: {dashboard}"
    );
    browser.screenshot("dashboard-guardrails").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_score_added_from_the_trace_page_is_stored() {
    let (_serial, demo, browser) = signed_in().await;
    let trace = agent_trace(&demo).await;
    let trace_id = trace["id"].as_str().unwrap();
    browser.open(&format!("{}/#/traces/{trace_id}", demo.base_url), "trace").await;

    let form = browser.client().form(Locator::Css("form[data-testid=score-form]")).await.unwrap();
    form.set_by_name("name", "ui-feedback").await.unwrap();
    form.set_by_name("value", "0.75").await.unwrap();
    form.set_by_name("comment", "helpful").await.unwrap();
    form.submit().await.unwrap();
    browser
        .client()
        .wait()
        .at_most(PAGE_TIMEOUT)
        .for_element(Locator::Css("[data-testid=scores] [data-score-name='ui-feedback']"))
        .await
        .expect("the new score is shown");
    browser.screenshot("trace-scored").await;

    let scores = api(&demo, &format!("/api/public/v3/scores?traceId={trace_id}&name=ui-feedback")).await;
    let stored = &scores["data"][0];
    assert_eq!(stored["value"], json!(0.75), "{scores}");
    assert_eq!(stored["comment"], "helpful");
}
