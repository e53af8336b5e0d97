//! The playground page against the demo's mock LLM (the connection `demo-mock` the demo
//! registers): two variants streaming at once with "run all", each run a trace in the
//! environment `langtrace-playground`; markup in a streamed output shown as text; the
//! connection listed with its masked key and tested; "save as prompt version" from a
//! prompt version opened in the playground; and a demo generation opened in the
//! playground with its messages. What the page shows is checked against the API.

use fantoccini::elements::Element;
use fantoccini::Locator;
use serde_json::{json, Value};

use super::{api, signed_in};
use crate::support::browser::{Browser, PAGE_TIMEOUT};

/// The demo's connection.
const PROVIDER: &str = "demo-mock";

/// The element `css` finds.
async fn find(browser: &Browser, css: &str) -> Element {
    browser.client().find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
}

/// Replaces the text of the field `css` finds with `text` (typed, so the page sees input events).
async fn type_into(browser: &Browser, css: &str, text: &str) {
    let field = find(browser, css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// The current value of the field `css` finds.
async fn value_of(browser: &Browser, css: &str) -> String {
    find(browser, css).await.prop("value").await.unwrap().unwrap_or_default()
}

/// Waits until `count` variants have finished their run (done or failed); the failed ones' errors.
async fn runs_end(browser: &Browser, count: usize) {
    let ended = browser.count_settles("[data-testid=pg-variant][data-finished]", count).await;
    assert_eq!(ended, count, "the runs ended within {PAGE_TIMEOUT:?}: {}", browser.text("main").await);
}

/// The run facts of variant `n`: (state, start, end, output text).
async fn variant_run(browser: &Browser, n: usize) -> (String, f64, f64, String) {
    let variant = find(browser, &format!("[data-testid=pg-variant][data-variant='{n}']")).await;
    let number = |v: Option<String>| v.and_then(|t| t.parse::<f64>().ok()).expect("a time");
    let state = variant.attr("data-state").await.unwrap().unwrap_or_default();
    let started = number(variant.attr("data-started").await.unwrap());
    let finished = number(variant.attr("data-finished").await.unwrap());
    let output = browser.text(&format!("[data-variant='{n}'] [data-testid=pg-output]")).await;
    (state, started, finished, output)
}

/// The trace a variant's run links to, from the API.
async fn linked_trace(browser: &Browser, demo: &crate::support::Demo, n: usize) -> Value {
    let href =
        find(browser, &format!("[data-variant='{n}'] [data-testid=pg-trace-link]")).await.attr("href").await.unwrap();
    let href = href.expect("a trace link");
    let id = href.trim_start_matches("#/traces/").split('?').next().unwrap().to_owned();
    api(demo, &format!("/api/public/traces/{id}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_variants_stream_at_once_and_each_run_is_a_playground_trace() {
    let (_serial, demo, browser) = signed_in().await;
    browser.watch_errors().await;
    browser.go("#/playground", "playground").await;

    // The demo's connection, its key masked, and its test.
    let connections = api(&demo, "/api/public/llm-connections").await;
    let listed = connections["data"].as_array().unwrap();
    assert_eq!(browser.count("[data-testid=connections-table] tbody tr").await, listed.len());
    let masked =
        listed.iter().find(|c| c["provider"] == PROVIDER).expect("the demo's connection")["displaySecretKey"].clone();
    find(&browser, "[data-testid=connections] summary").await.click().await.unwrap();
    let row = format!("[data-testid=connections-table] tr[data-provider='{PROVIDER}']");
    assert_eq!(browser.text(&format!("{row} [data-testid=connection-secret]")).await, masked.as_str().unwrap());
    assert!(masked.as_str().unwrap().contains("..."), "the key is masked: {masked}");
    browser.click(&format!("{row} [data-testid=connection-test]")).await;
    let status = format!("{row} [data-testid=connection-status]");
    let deadline = std::time::Instant::now() + PAGE_TIMEOUT;
    while !browser.text(&status).await.starts_with("ok") && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(browser.text(&status).await.starts_with("ok: "), "the test answered: {}", browser.text(&status).await);

    // One variant with a variable and markup, duplicated, the copy on the other model.
    let markup = r#"<img src=x onerror="window.__pwned = 1"><b>bold</b>"#;
    type_into(
        &browser,
        "[data-variant='1'] [data-testid=pg-message]:nth-child(1) [data-testid=pg-content]",
        "Answer briefly.",
    )
    .await;
    type_into(
        &browser,
        "[data-variant='1'] [data-testid=pg-message]:nth-child(2) [data-testid=pg-content]",
        &format!("Hello {{{{name}}}} {markup}"),
    )
    .await;
    assert_eq!(browser.count("[data-variant='1'] [data-testid=pg-variable]").await, 1, "the variable is detected");
    type_into(&browser, "[data-variant='1'] [data-testid=pg-variable]", "Ada").await;
    browser.click("[data-testid=pg-add-variant]").await;
    assert_eq!(browser.count("[data-testid=pg-variant]").await, 2);
    assert_eq!(
        value_of(&browser, "[data-variant='2'] [data-testid=pg-variable]").await,
        "Ada",
        "the copy keeps the variable"
    );
    assert_eq!(value_of(&browser, "[data-variant='1'] [data-testid=pg-model]").await, "gpt-4o-mini");
    type_into(&browser, "[data-variant='2'] [data-testid=pg-model]", "gpt-4o").await;

    browser.click("[data-testid=pg-run-all]").await;
    runs_end(&browser, 2).await;
    let (state_1, start_1, end_1, output_1) = variant_run(&browser, 1).await;
    let (state_2, start_2, end_2, output_2) = variant_run(&browser, 2).await;
    assert_eq!((state_1.as_str(), state_2.as_str()), ("done", "done"), "{}", browser.text("main").await);
    assert!(start_2 < end_1 && start_1 < end_2, "the runs overlap: {start_1}..{end_1} and {start_2}..{end_2}");
    let expected = format!("You wrote: Hello Ada {markup}");
    assert!(output_1.contains("(gpt-4o-mini)") && output_1.ends_with(&expected), "{output_1:?}");
    assert!(output_2.contains("(gpt-4o)") && output_2.ends_with(&expected), "{output_2:?}");
    // Markup in a streamed output is text.
    assert_eq!(browser.count("[data-testid=pg-output] img, [data-testid=pg-output] b").await, 0);
    assert_eq!(browser.client().execute("return window.__pwned === undefined", vec![]).await.unwrap(), json!(true));
    browser.screenshot("playground-run-all").await;

    // Each run: its facts, and a trace in langtrace-playground with the generation as shown.
    for (n, model) in [(1, "gpt-4o-mini"), (2, "gpt-4o")] {
        let facts = browser.text(&format!("[data-variant='{n}'] [data-testid=pg-facts]")).await;
        for shown in ["tokens", "latency", "first token", model] {
            assert!(facts.contains(shown), "variant {n} shows {shown}: {facts:?}");
        }
        let trace = linked_trace(&browser, &demo, n).await;
        assert_eq!(trace["environment"], "langtrace-playground");
        let generations: Vec<&Value> =
            trace["observations"].as_array().unwrap().iter().filter(|o| o["type"] == "GENERATION").collect();
        assert_eq!(generations.len(), 1, "{trace}");
        assert_eq!(generations[0]["model"], model);
        let usage = &generations[0]["usage"];
        assert!(facts.contains(&format!("Σ {}", usage["total"])), "the facts show the stored usage {usage}: {facts:?}");
    }
    assert_eq!(browser.errors().await, Vec::<String>::new());

    // The dashboard leaves the playground's runs out unless their environment is chosen.
    let count = |path: &str| {
        let path = path.to_owned();
        let demo = &demo;
        async move { api(demo, &path).await["meta"]["totalItems"].as_u64().unwrap() }
    };
    let (all, runs) =
        (count("/api/public/traces").await, count("/api/public/traces?environment=langtrace-playground").await);
    assert!(runs >= 2, "the runs are traces: {runs}");
    browser.go("#/dashboard?range=7d", "dashboard").await;
    let dashboard = browser.text("[data-testid=dashboard]").await;
    assert!(
        dashboard.contains(&format!("{} traces", all - runs)),
        "{} traces without the playground's: {dashboard}",
        all - runs
    );
    browser.client().execute("delete document.body.dataset.ready", vec![]).await.unwrap();
    find(&browser, "select[data-testid=environment]").await.select_by_value("langtrace-playground").await.unwrap();
    browser.ready("dashboard").await;
    let dashboard = browser.text("[data-testid=dashboard]").await;
    assert!(dashboard.contains(&format!("{runs} traces")), "the playground's {runs} traces once chosen: {dashboard}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_version_opened_in_the_playground_saves_as_the_next_version() {
    let (_serial, demo, browser) = signed_in().await;
    let name = "support-agent/system";
    let encoded = name.replace('/', "%2F");
    let before = api(&demo, &format!("/api/public/v2/prompts?name={encoded}")).await;
    let versions = before["data"][0]["versions"].as_array().unwrap().len();
    let stored = api(&demo, &format!("/api/public/v2/prompts/{encoded}?version={versions}&resolve=false")).await;

    browser.go(&format!("#/prompts/{encoded}?version={versions}"), "prompt").await;
    browser.click("[data-testid=open-in-playground]").await;
    browser.ready("playground").await;
    let template = stored["prompt"].as_array().unwrap();
    assert_eq!(browser.count("[data-variant='1'] [data-testid=pg-message]").await, template.len());
    assert_eq!(browser.count("[data-variant='1'] [data-testid=pg-message][data-kind=placeholder]").await, 1);
    assert_eq!(
        value_of(&browser, "[data-variant='1'] [data-testid=pg-model]").await,
        stored["config"]["model"].as_str().unwrap()
    );
    let variables = browser.text("[data-variant='1'] [data-testid=pg-inputs]").await;
    for variable in ["product", "question", "findings"] {
        assert!(variables.contains(variable), "{variable} is detected: {variables:?}");
    }
    assert!(browser.text("[data-variant='1'] [data-testid=pg-prompt-link]").await.contains(&format!("v{versions}")));

    browser.click("[data-variant='1'] [data-testid=pg-save]").await;
    assert_eq!(value_of(&browser, "[data-testid=pg-save-name]").await, name, "the prompt's name is proposed");
    type_into(&browser, "[data-testid=pg-save-message]", "tried in the playground").await;
    browser.click("[data-testid=pg-save-submit]").await;
    assert_eq!(
        browser.count_settles("[data-testid=pg-saved-link]", 1).await,
        1,
        "{}",
        browser.text("[data-testid=pg-save-form]").await
    );

    let next = versions + 1;
    let created = api(&demo, &format!("/api/public/v2/prompts/{encoded}?version={next}&resolve=false")).await;
    assert_eq!(created["commitMessage"], "tried in the playground");
    assert_eq!(created["type"], "chat");
    assert_eq!(created["prompt"], stored["prompt"], "the messages and the placeholder, variables kept");
    assert_eq!(created["config"]["model"], stored["config"]["model"]);
    assert_eq!(created["config"]["temperature"], stored["config"]["temperature"]);
    let link = find(&browser, "[data-testid=pg-saved-link]").await;
    assert_eq!(link.attr("data-version").await.unwrap().as_deref(), Some(next.to_string().as_str()));
    browser.screenshot("playground-saved-version").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_generation_opens_in_the_playground_with_its_messages() {
    let (_serial, demo, browser) = signed_in().await;
    let listed = api(&demo, "/api/public/observations?type=GENERATION&name=write_answer&limit=1").await;
    let listed = &listed["data"][0];
    let id = listed["id"].as_str().expect("a demo generation");
    let generation = api(&demo, &format!("/api/public/observations/{id}")).await;
    let messages = generation["input"].as_array().expect("chat messages in its input");

    browser.go(&format!("#/traces/{}?observation={id}", listed["traceId"].as_str().unwrap()), "trace").await;
    browser.click("[data-testid=panel] [data-testid=open-in-playground]").await;
    browser.ready("playground").await;
    assert_eq!(browser.count("[data-variant='1'] [data-testid=pg-message]").await, messages.len());
    for (i, message) in messages.iter().enumerate() {
        let row = format!("[data-variant='1'] [data-testid=pg-message]:nth-child({})", i + 1);
        assert_eq!(
            value_of(&browser, &format!("{row} [data-testid=pg-role]")).await,
            message["role"].as_str().unwrap()
        );
        assert_eq!(
            value_of(&browser, &format!("{row} [data-testid=pg-content]")).await,
            message["content"].as_str().unwrap()
        );
    }
    assert_eq!(
        value_of(&browser, "[data-variant='1'] [data-testid=pg-model]").await,
        generation["model"].as_str().unwrap()
    );
    assert_eq!(value_of(&browser, "[data-variant='1'] [data-testid=pg-param-temperature]").await, "0.7");
    browser.screenshot("playground-from-generation").await;

    // It runs as opened, linked to the prompt version the generation used.
    browser.click("[data-variant='1'] [data-testid=pg-run]").await;
    runs_end(&browser, 1).await;
    let (state, _, _, output) = variant_run(&browser, 1).await;
    assert_eq!(state, "done", "{}", browser.text("main").await);
    assert!(output.contains("You wrote: "), "{output:?}");
    let trace = linked_trace(&browser, &demo, 1).await;
    let generation_run = trace["observations"].as_array().unwrap().iter().find(|o| o["type"] == "GENERATION").unwrap();
    assert_eq!(generation_run["promptName"], generation["promptName"]);
    assert_eq!(generation_run["promptVersion"], generation["promptVersion"]);
}
