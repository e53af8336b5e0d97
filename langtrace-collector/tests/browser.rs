//! The web UI in a real browser: headless Chromium (Debian's `chromium`, driven through
//! its `chromedriver` with fantoccini) against a real `langtrace demo` (collector, store,
//! UI, and the demo app's traces ingested through the facade and the OTLP bridge).
//! Expected rows and figures come from the collector's own API. Each test saves
//! screenshots under `target/tmp/ui-screenshots/`.

#[path = "browser/prompts.rs"]
mod prompts;
mod support;

use fantoccini::Locator;
use serde_json::{json, Value};
use support::browser::{Browser, PAGE_TIMEOUT};
use support::{cli, Collector, Demo};

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
    // Its figures are the store's: the demo's traces span the last seven days.
    let total = traces["meta"]["totalItems"].as_u64().expect("a total");
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
    prompts::make_hostile_prompt(&demo, payload).await;
    browser.go("#/prompts", "prompts").await;
    let list = browser.text("[data-testid=prompts-table]").await;
    assert!(list.contains("\"quoted\" & 'single'") && list.contains("<script>"), "{list}");
    browser.go(prompts::HOSTILE_PAGE, "prompt").await;
    assert_eq!(browser.text("[data-testid=prompt-name]").await, prompts::HOSTILE_NAME);
    let content = browser.text("[data-testid=prompt-content]").await;
    assert!(content.contains("<script>window.__pwned = 1</script>"), "the prompt text is text: {content:?}");
    assert!(browser.text("[data-testid=prompt-versions]").await.contains("onerror="), "commit messages are text");
    let diff = browser.text("[data-testid=prompt-diff]").await;
    assert!(diff.contains("second line <script>"), "the diff is text: {diff:?}");
    browser.go(&prompts::HOSTILE_PAGE.replace("version=2&compare=1", "version=1"), "prompt").await;
    assert!(browser.text("[data-testid=prompt-content]").await.contains("<img src=x"), "the role is text");
    assert!(browser.text("[data-testid=prompt-config]").await.contains("<script>"), "the config is text");
    assert_eq!(browser.count("main script, main img[src=x]").await, 0);
    let pwned = browser.client().execute("return window.__pwned === undefined", vec![]).await.unwrap();
    assert_eq!(pwned, json!(true), "no prompt script ran");
    browser.screenshot("prompt-markup-as-text").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_project_selector_switches_projects_and_keeps_them_apart() {
    let (_serial, demo, browser) = signed_in().await;
    let other = cli::create_project(demo.data_dir(), "other");
    let (other_public, other_secret) = (other.public_key, other.secret_key);

    let demo_rows = browser.count("tbody tr[data-trace-id]").await;
    assert!(demo_rows > 0);

    // Add the other project: it has no traces, and sees none of the demo's.
    let selector = || browser.client().find(Locator::Css("select[data-testid=project]"));
    add_project(&browser, &other_public, &other_secret).await;
    assert_eq!(browser.count("tbody tr[data-trace-id]").await, 0, "the other project sees no demo trace");
    assert_eq!(selector().await.unwrap().prop("value").await.unwrap().as_deref(), Some("1"));

    // And back to the demo project, without signing in again.
    selector().await.unwrap().select_by_label("demo").await.unwrap();
    browser.ready("traces").await;
    assert_eq!(browser.count_settles("tbody tr[data-trace-id]", demo_rows).await, demo_rows);
    browser.screenshot("project-selector").await;
}

/// Adds a project to the tab: the project selector's "add a project", then the sign-in
/// form with its keys; lands on its traces.
async fn add_project(browser: &Browser, public_key: &str, secret_key: &str) {
    let selector = browser.client().find(Locator::Css("select[data-testid=project]")).await.unwrap();
    selector.select_by_value("add").await.unwrap();
    browser.ready("signin").await;
    let form = browser.client().form(Locator::Css("form#signin")).await.unwrap();
    form.set_by_name("publicKey", public_key).await.unwrap();
    form.set_by_name("secretKey", secret_key).await.unwrap();
    form.submit().await.unwrap();
    browser.ready("traces").await;
}

/// Opens the demo's vision generation (its input holds an image uploaded as media) and
/// waits for the image; its `blob:` URL.
async fn open_media(demo: &Demo, browser: &Browser) -> String {
    let found = api(demo, "/api/public/observations?name=describe_image&limit=1").await;
    let observation = &found["data"][0];
    let (trace_id, id) = (observation["traceId"].as_str().unwrap(), observation["id"].as_str().unwrap());
    browser.open(&format!("{}/#/traces/{trace_id}?observation={id}", demo.base_url), "trace").await;
    let image = browser
        .client()
        .wait()
        .at_most(PAGE_TIMEOUT)
        .for_element(Locator::Css("[data-testid=panel] [data-testid=input] img[src^='blob:']"))
        .await
        .expect("the media image is shown");
    image.attr("src").await.unwrap().expect("a src")
}

/// Fetches the blob URL `url` from a second tab of the same origin, the UI's tab (whose
/// document owns the URL) staying open: `ok <bytes>`, or `failed: <error>` once revoked.
/// Not from the UI's own page: its `connect-src 'self'` refuses every `blob:` fetch.
async fn fetch_blob(browser: &Browser, base_url: &str, url: &str) -> String {
    let client = browser.client();
    let ui = client.window().await.unwrap();
    let probe = client.new_window(true).await.unwrap();
    client.switch_to_window(probe.handle).await.unwrap();
    client.goto(&format!("{base_url}/api/public/health")).await.unwrap();
    let script = "const [url, done] = arguments; \
        fetch(url).then((r) => r.blob()).then((b) => done(`ok ${b.size}`), (e) => done(`failed: ${e}`));";
    let answer = client.execute_async(script, vec![json!(url)]).await.unwrap();
    client.close_window().await.unwrap();
    client.switch_to_window(ui).await.unwrap();
    answer.as_str().expect("a string").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_blob_urls_are_revoked_when_the_project_is_left() {
    let (_serial, demo, browser) = signed_in().await;
    let other = cli::create_project(demo.data_dir(), "other");
    let (other_public, other_secret) = (other.public_key, other.secret_key);
    let selector = || browser.client().find(Locator::Css("select[data-testid=project]"));

    // Signing in to another project ("add a project") leaves the demo's media.
    let first = open_media(&demo, &browser).await;
    let answer = fetch_blob(&browser, &demo.base_url, &first).await;
    assert!(answer.starts_with("ok "), "the shown image's blob URL loads: {answer}");
    browser.screenshot("trace-media").await;
    add_project(&browser, &other_public, &other_secret).await;
    let answer = fetch_blob(&browser, &demo.base_url, &first).await;
    assert!(answer.starts_with("failed"), "signing in to another project revokes {first}: {answer}");

    // Switching projects with the selector: the same.
    selector().await.unwrap().select_by_label("demo").await.unwrap();
    browser.ready("traces").await;
    let second = open_media(&demo, &browser).await;
    assert_ne!(second, first, "the image is fetched again");
    let answer = fetch_blob(&browser, &demo.base_url, &second).await;
    assert!(answer.starts_with("ok "), "{second} loads: {answer}");
    selector().await.unwrap().select_by_label("other").await.unwrap();
    browser.ready("traces").await;
    let answer = fetch_blob(&browser, &demo.base_url, &second).await;
    assert!(answer.starts_with("failed"), "switching projects revokes {second}: {answer}");

    // Signing out: the same.
    selector().await.unwrap().select_by_label("demo").await.unwrap();
    browser.ready("traces").await;
    let third = open_media(&demo, &browser).await;
    let answer = fetch_blob(&browser, &demo.base_url, &third).await;
    assert!(answer.starts_with("ok "), "{third} loads: {answer}");
    browser.click("#signout").await;
    browser.ready("signin").await;
    let answer = fetch_blob(&browser, &demo.base_url, &third).await;
    assert!(answer.starts_with("failed"), "signing out revokes {third}: {answer}");
}

/// An OTLP/JSON request of one root span `span_id` of `trace_id`, started now, whose input
/// and output are `input` and `output` (JSON texts).
fn span_with_io(trace_id: &str, span_id: &str, name: &str, input: &str, output: &str) -> Value {
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
