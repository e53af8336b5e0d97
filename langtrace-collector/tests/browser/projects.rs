//! Projects in one browser: the selector switches between them and keeps their data
//! apart, and media fetched for one project is released when the page leaves it.

use fantoccini::Locator;
use serde_json::json;

use super::{api, signed_in};
use crate::support::browser::{Browser, PAGE_TIMEOUT};
use crate::support::{cli, Demo};

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
