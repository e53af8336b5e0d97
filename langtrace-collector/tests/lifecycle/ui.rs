//! The UI in headless Chromium against a real collector: traces selected on the Traces
//! page are deleted only once the confirmation is accepted; the settings page shows the
//! project's counts and sets its retention, which prunes at once.

use fantoccini::Locator;
use serde_json::{json, Value};

use crate::support::browser::Browser;
use crate::support::otlp::trace_id;
use crate::support::{Collector, PUBLIC_KEY, SECRET_KEY};
use crate::trace_with_score;

/// GET an API path with the collector's keys (async: the browser runs in a runtime).
async fn api(collector: &Collector, path: &str) -> Value {
    let request = reqwest::Client::new().get(collector.url(path)).header("authorization", collector.authorization());
    request.send().await.unwrap().json().await.unwrap()
}

/// Clears the page's readiness mark, so the next wait sees the page rendered again.
async fn unset_ready(browser: &Browser) {
    browser.client().execute("delete document.body.dataset.ready;", vec![]).await.unwrap();
}

#[test]
fn selected_traces_are_deleted_after_confirmation_and_settings_set_the_retention() {
    let collector = Collector::start();
    for trace in 1..=3 {
        trace_with_score(&collector, trace);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let browser = Browser::start().await;
        browser.sign_in(&collector.base_url, PUBLIC_KEY, SECRET_KEY).await;
        assert_eq!(browser.count("tr[data-trace-id]").await, 3);
        for trace in [1, 2] {
            browser.click(&format!("tr[data-trace-id='{}'] input[data-testid=select-trace]", trace_id(trace))).await;
        }
        browser.click("[data-testid=delete-selected]").await;
        let question = browser.text("[data-testid=delete-confirm]").await;
        assert!(question.contains("Delete 2 traces"), "{question}");
        browser.click("[data-testid=cancel-delete]").await;
        assert_eq!(
            api(&collector, "/api/public/traces").await["meta"]["totalItems"],
            3,
            "nothing before a confirmation"
        );

        browser.click("[data-testid=delete-selected]").await;
        browser.screenshot("traces-delete-confirm").await;
        unset_ready(&browser).await;
        browser.click("[data-testid=confirm-delete]").await;
        browser.ready("traces").await;
        assert_eq!(browser.count("tr[data-trace-id]").await, 1);
        let left = api(&collector, "/api/public/traces").await;
        assert_eq!(left["data"][0]["id"], json!(trace_id(3)), "the unselected trace stays");

        browser.go("#/settings", "settings").await;
        assert_eq!(browser.text("[data-testid=usage-traces]").await, "1");
        assert_eq!(browser.text("[data-testid=usage-scores]").await, "1");
        browser.screenshot("settings").await;
        let days = browser.client().find(Locator::Css("[data-testid=retention-days]")).await.unwrap();
        days.send_keys("30").await.unwrap();
        unset_ready(&browser).await;
        browser.click("form[data-testid=retention-form] button[type=submit]").await;
        browser.ready("settings").await;
        let message = browser.text("[data-testid=retention-message]").await;
        assert!(message.contains("kept 30 days") && message.contains("1 older traces were deleted"), "{message}");
        assert_eq!(browser.text("[data-testid=usage-traces]").await, "0", "the 2023 trace is pruned");
    });
}
