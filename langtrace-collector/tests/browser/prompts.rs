//! The prompt pages: the list (folders, versions, labels, tags), one prompt's version
//! timeline, its rendered version, the line diff between two versions, promoting and
//! rolling back `production` from the page, and a new version made with the page's form.
//! The prompts are made through the API; what the pages show is checked against it, and
//! what the page changes is read back from it.

use serde_json::{json, Value};

use super::{api, post, signed_in};
use crate::support::browser::Browser;
use crate::support::{Collector, Demo};

/// POSTs a prompt version with the demo's keys; the stored version (201 asserted).
async fn create_prompt(demo: &Demo, body: Value) -> Value {
    let request = reqwest::Client::new().post(demo.url("/api/public/v2/prompts"));
    let response = request.header("authorization", demo.authorization()).json(&body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 201, "create {body}");
    response.json().await.unwrap()
}

/// The version of `name` holding `label`, from the API.
async fn version_with(demo: &Demo, name: &str, label: &str) -> u64 {
    let encoded = name.replace('/', "%2F");
    let prompt = api(demo, &format!("/api/public/v2/prompts/{encoded}?label={label}&resolve=false")).await;
    prompt["version"].as_u64().expect("a version")
}

const ANSWER: &str = "support/answer";

/// The two versions of `support/answer` (a chat prompt with a placeholder) and a text
/// prompt outside any folder.
async fn make_prompts(demo: &Demo) {
    create_prompt(demo, json!({
        "name": ANSWER, "type": "chat", "labels": ["production"], "tags": ["support"],
        "commitMessage": "first answer prompt", "config": {"model": "gpt-4o-mini", "temperature": 0.2},
        "prompt": [
            {"role": "system", "content": "You are the support agent of {{product}}.\nBe friendly.\nAnswer in English."},
            {"type": "placeholder", "name": "history"},
            {"role": "user", "content": "{{question}}"},
        ],
    })).await;
    create_prompt(demo, json!({
        "name": ANSWER, "type": "chat", "labels": ["staging"], "commitMessage": "shorter answers",
        "config": {"model": "gpt-4o-mini", "temperature": 0.2},
        "prompt": [
            {"role": "system", "content": "You are the support agent of {{product}}.\nBe brief: three sentences at most.\nAnswer in English."},
            {"type": "placeholder", "name": "history"},
            {"role": "user", "content": "{{question}}"},
        ],
    })).await;
    create_prompt(demo, json!({"name": "greeting", "prompt": "Hello {{name}}!", "tags": ["onboarding"]})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prompt_pages_list_render_diff_promote_roll_back_and_make_versions() {
    let (_serial, demo, browser) = signed_in().await;
    make_prompts(&demo).await;

    // The list: a row per prompt of the API, `support/answer` under its folder.
    let listed = api(&demo, "/api/public/v2/prompts?limit=100").await;
    let prompts = listed["data"].as_array().unwrap();
    browser.click("a[data-nav=prompts]").await;
    browser.ready("prompts").await;
    assert_eq!(browser.count("table[data-testid=prompts-table] tr[data-prompt-name]").await, prompts.len());
    assert_eq!(browser.count("tr.folder-row[data-folder='support']").await, 1, "the support folder");
    let row = browser.text(&format!("tr[data-prompt-name='{ANSWER}']")).await;
    for shown in ["answer", "chat", "2", "production", "staging", "latest", "support"] {
        assert!(row.contains(shown), "the row shows {shown:?}: {row:?}");
    }
    browser.screenshot("prompts").await;

    // One prompt: the timeline of its versions, the production version shown by default.
    browser.click(&format!("tr[data-prompt-name='{ANSWER}'] a")).await;
    browser.ready("prompt").await;
    assert_eq!(browser.count("[data-testid=prompt-versions] [data-version]").await, 2);
    let timeline = browser.text("[data-testid=prompt-versions]").await;
    assert!(timeline.contains("first answer prompt") && timeline.contains("shorter answers"), "{timeline}");
    assert_eq!(browser.count("[data-testid=prompt-version][data-version='1']").await, 1, "production is v1");
    assert_eq!(browser.count("[data-testid=prompt-message]").await, 2, "two messages");
    assert_eq!(browser.count("[data-testid=prompt-placeholder]").await, 1, "and a placeholder");
    assert_eq!(
        browser.text("[data-testid=prompt-variables]").await.split_whitespace().collect::<Vec<_>>(),
        ["product", "question"]
    );
    assert_eq!(browser.text("[data-testid=prompt-placeholders]").await, "history");
    assert!(browser.text("[data-testid=prompt-config]").await.contains("gpt-4o-mini"), "the config");

    // The diff of v1 to v2: the one changed line, removed and added.
    browser.go(&format!("#/prompts/{}?version=2&compare=1", ANSWER.replace('/', "%2F")), "prompt").await;
    assert_eq!(browser.count("[data-testid=prompt-diff] tr[data-op=del]").await, 1);
    assert_eq!(browser.count("[data-testid=prompt-diff] tr[data-op=add]").await, 1);
    assert_eq!(browser.text("[data-testid=prompt-diff] tr[data-op=del] .diff-text").await, "Be friendly.");
    assert_eq!(
        browser.text("[data-testid=prompt-diff] tr[data-op=add] .diff-text").await,
        "Be brief: three sentences at most."
    );
    assert_eq!(browser.text("[data-testid=diff-summary]").await, "+1 −1 lines");
    browser.screenshot("prompt-diff").await;

    // Promote v2, then roll back to v1, from the page: the API follows, the history shows both moves.
    browser.click("[data-testid=promote]").await;
    let promoted = "[data-testid=prompt-version][data-version='2'] .panel-head .prompt-label.production";
    assert_eq!(browser.count_settles(promoted, 1).await, 1, "v2 shows production once the page reloads");
    assert_eq!(version_with(&demo, ANSWER, "production").await, 2);
    browser.go(&format!("#/prompts/{}?version=1", ANSWER.replace('/', "%2F")), "prompt").await;
    assert_eq!(browser.text("[data-testid=promote]").await, "Roll back production to v1");
    browser.click("[data-testid=promote]").await;
    let rolled_back = "[data-testid=prompt-version][data-version='1'] .panel-head .prompt-label.production";
    assert_eq!(browser.count_settles(rolled_back, 1).await, 1);
    assert_eq!(version_with(&demo, ANSWER, "production").await, 1);
    let history = browser.text("[data-testid=label-history]").await;
    let moves: Vec<&str> = history.lines().filter(|l| l.contains("production")).collect();
    assert!(moves.len() >= 2 && moves[0].contains("v2") && moves[0].contains("v1"), "{history}");
    browser.screenshot("prompt").await;

    // A new version from v1 through the form: stored with its text, labels and commit message.
    browser.click("[data-testid=new-version]").await;
    let form = browser.client().form(fantoccini::Locator::Css("[data-testid=new-version-form]")).await.unwrap();
    let content = browser
        .client()
        .find(fantoccini::Locator::Css("[data-testid=new-version-form] textarea[name=content]"))
        .await
        .unwrap();
    content.clear().await.unwrap();
    content.send_keys("You are the support agent of {{product}}. Cite one article.").await.unwrap();
    form.set_by_name("labels", "canary").await.unwrap();
    form.set_by_name("commitMessage", "cite an article").await.unwrap();
    browser.click("[data-testid=create-version]").await;
    assert_eq!(
        browser.count_settles("[data-testid=prompt-version][data-version='3']", 1).await,
        1,
        "the new version is shown"
    );
    let created =
        api(&demo, &format!("/api/public/v2/prompts/{}?version=3&resolve=false", ANSWER.replace('/', "%2F"))).await;
    assert_eq!(created["commitMessage"], "cite an article");
    assert_eq!(created["prompt"][0]["content"], "You are the support agent of {{product}}. Cite one article.");
    assert_eq!(created["prompt"][1], json!({"type": "placeholder", "name": "history"}), "the placeholder is kept");
    assert_eq!(created["config"]["model"], "gpt-4o-mini", "the config is kept");
    let labels = created["labels"].as_array().unwrap();
    assert!(labels.contains(&json!("canary")) && labels.contains(&json!("latest")), "{labels:?}");
    browser.screenshot("prompt-new-version").await;

    // The demo's planner prompt: its metrics per version as the API gives them (with a
    // score given to one of its version 1 generations), and the generations of version 1,
    // each linking to its place in its trace.
    let path = "/api/public/v2/observations?type=GENERATION&promptName=support-agent/planner&promptVersion=1&limit=1";
    let scored = api(&demo, path).await["data"][0].clone();
    let score =
        json!({"traceId": scored["traceId"], "observationId": scored["id"], "name": "helpfulness", "value": 0.8});
    assert_eq!(post(&demo, "/api/public/scores", &score).await, 200, "score {score}");
    let metrics = api(&demo, "/api/public/v2/prompts/support-agent%2Fplanner/metrics").await;
    browser.go("#/prompts/support-agent%2Fplanner", "prompt").await;
    for version in metrics["data"].as_array().unwrap() {
        let (number, count) = (version["version"].as_u64().unwrap(), version["generations"].as_u64().unwrap());
        assert!(count > 0, "the demo used version {number}");
        let row = format!("[data-testid=prompt-metrics] tr[data-version='{number}']");
        assert_eq!(
            browser
                .client()
                .find(fantoccini::Locator::Css(&row))
                .await
                .unwrap()
                .attr("data-generations")
                .await
                .unwrap(),
            Some(count.to_string())
        );
    }
    let average = browser.text("[data-testid=prompt-metrics] tr[data-version='1'] [data-score=helpfulness]").await;
    assert_eq!(average, "helpfulness 0.80 (1)", "the score's average on version 1");
    assert!(browser.text("[data-testid=prompt-content]").await.contains("{{question}}"), "the planner's text");
    assert_eq!(browser.count("[data-testid=prompt-dependency]").await, 1, "its composition tag links the guidelines");
    let resolved = browser.text("[data-testid=prompt-resolved]").await;
    assert!(resolved.contains("Be friendly and precise.") && !resolved.contains("@@@"), "resolved: {resolved}");
    browser.screenshot("prompt-metrics").await;
    browser.click("[data-testid=prompt-metrics] tr[data-version='1'] a").await;
    let v1 = metrics["data"].as_array().unwrap().iter().find(|v| v["version"] == 1).unwrap()["generations"]
        .as_u64()
        .unwrap();
    let listed =
        browser.count_settles("[data-testid=version-generations] tr[data-observation-id]", v1.min(50) as usize).await;
    assert_eq!(listed as u64, v1.min(50), "the version's generations are listed");
    browser.screenshot("prompt-generations").await;
    browser.click("[data-testid=version-generations] tr[data-observation-id] td:nth-child(2) a").await;
    browser.ready("trace").await;
    assert!(browser.text("[data-testid=panel]").await.contains("plan"), "the generation is selected in its trace");
}

/// The name of the prompt [`make_hostile_prompt`] makes, and its page's address.
pub(super) const HOSTILE_NAME: &str = "xss/\"quoted\" & 'single'";
pub(super) const HOSTILE_PAGE: &str = "#/prompts/xss%2F%22quoted%22%20%26%20'single'?version=2&compare=1";

/// A prompt with markup in every field the pages show that may hold it (the server keeps
/// `<` and `>` out of names and labels): its texts, a role, tags, commit messages, config.
pub(super) async fn make_hostile_prompt(demo: &Demo, payload: &str) {
    create_prompt(
        demo,
        json!({
            "name": HOSTILE_NAME, "type": "chat", "tags": [payload], "commitMessage": payload,
            "config": {"html": payload},
            "prompt": [{"role": payload, "content": format!("{payload} {{{{question}}}}")}],
        }),
    )
    .await;
    create_prompt(
        demo,
        json!({
            "name": HOSTILE_NAME, "type": "chat", "commitMessage": payload,
            "prompt": [{"role": "system", "content": format!("{payload}\nsecond line {payload}")}],
        }),
    )
    .await;
}

/// Runs the UI's line diff (`components/diff.js`, imported in the signed-in page) on
/// each pair of texts; per pair, its lines as `<sign><text>` (` `, `-`, `+`), or null
/// when the diff refuses the pair.
async fn diff_in_page(browser: &Browser, pairs: &[(String, String)]) -> Vec<Option<Vec<String>>> {
    let script = "const [pairs, done] = arguments;
        const href = document.querySelector('link[rel=modulepreload][href$=\"/components/diff.js\"]').href;
        import(href).then((m) => done(pairs.map(([a, b]) => {
            const lines = m.diffLines(a, b);
            return lines && lines.map((l) => ({same: ' ', del: '-', add: '+'})[l.op] + l.text);
        })), (e) => done(String(e)));";
    let answer = browser.client().execute_async(script, vec![json!(pairs)]).await.unwrap();
    serde_json::from_value(answer.clone()).unwrap_or_else(|_| panic!("the diff ran: {answer}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_line_diff_keeps_the_common_lines_and_refuses_inputs_over_its_caps() {
    let _serial = super::SERIAL.lock().await;
    let collector = tokio::task::block_in_place(Collector::start);
    let browser = Browser::start().await;
    browser.sign_in(&collector.base_url, &collector.keys.public_key, &collector.keys.secret_key).await;

    let numbered = |count: usize, tag: &str| (0..count).map(|i| format!("{tag}{i}")).collect::<Vec<_>>().join("\n");
    let pairs: Vec<(String, String)> = [
        ("a\nb\nc", "a\nx\nc"),
        ("a\nb", "a\nb"),
        ("", "x"),
        ("x\ny\nz", "y\nz\nw"),
        ("a\nb\nc\nd\ne", "a\nc\nd\nb\ne"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .chain([
        // 2,000 changed lines a side: 4,000,000 pairs, the most the diff takes.
        (numbered(2000, "a"), numbered(2000, "b")),
        // One more line a side: refused.
        (numbered(2001, "a"), numbered(2001, "b")),
        // More than 5,000 lines a side, even if equal: refused.
        (numbered(5001, "a"), numbered(5001, "a")),
    ])
    .collect();
    let diffs = diff_in_page(&browser, &pairs).await;
    let expected: [&[&str]; 5] = [
        &[" a", "-b", "+x", " c"],
        &[" a", " b"],
        &["-", "+x"],
        &["-x", " y", " z", "+w"],
        &[" a", "-b", " c", " d", "+b", " e"],
    ];
    for (index, lines) in expected.iter().enumerate() {
        assert_eq!(
            diffs[index].as_deref(),
            Some(&lines.iter().map(|l| l.to_string()).collect::<Vec<_>>()[..]),
            "{:?}",
            pairs[index]
        );
    }
    let largest = diffs[5].as_ref().expect("4,000,000 pairs are diffed");
    assert_eq!(largest.iter().filter(|l| l.starts_with('-')).count(), 2000);
    assert_eq!(largest.iter().filter(|l| l.starts_with('+')).count(), 2000);
    assert_eq!(diffs[6], None, "over 4,000,000 pairs of changed lines");
    assert_eq!(diffs[7], None, "over 5,000 lines a side");
    drop(browser);
    tokio::task::block_in_place(|| drop(collector));
}
