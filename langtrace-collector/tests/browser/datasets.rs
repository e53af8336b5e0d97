//! The dataset pages against the demo's dataset and its two experiments: the list, a
//! dataset's items, adding, importing and archiving items from the page, "Add to
//! dataset" from a trace, the runs with their figures and the side-by-side comparison;
//! and markup in dataset items and experiment outputs shown as text. What the pages
//! show is checked against the API, what they change is read back from it.

use std::collections::BTreeMap;

use fantoccini::Locator;
use serde_json::{json, Value};

use super::{api, signed_in, SERIAL};
use crate::support::browser::Browser;
use crate::support::Collector;

/// The demo's dataset (see `src/demo/datasets.rs`).
const DATASET: &str = "support-questions";

/// The active items of `dataset`, from the API (one page of 100).
async fn items_of(demo: &crate::support::Demo, dataset: &str) -> Vec<Value> {
    api(demo, &format!("/api/public/dataset-items?datasetName={dataset}&limit=100")).await["data"]
        .as_array()
        .unwrap()
        .clone()
}

/// Sets the textarea or input `name` of the form `form` (a CSS selector) to `value`.
async fn fill(browser: &Browser, form: &str, name: &str, value: &str) {
    let field = browser.client().find(Locator::Css(&format!("{form} [name={name}]"))).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

/// The mean of the numeric scores named `name` over the traces of a run's items, from the API.
async fn run_average(demo: &crate::support::Demo, run: &Value, name: &str) -> Option<f64> {
    let mut values = Vec::new();
    for item in run["datasetRunItems"].as_array().unwrap() {
        let trace = api(demo, &format!("/api/public/traces/{}", item["traceId"].as_str().unwrap())).await;
        for score in trace["scores"].as_array().unwrap() {
            if score["name"] == name && score["dataType"] != "CATEGORICAL" {
                values.extend(score["value"].as_f64());
            }
        }
    }
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dataset_pages_list_add_import_archive_and_compare_runs() {
    let (_serial, demo, browser) = signed_in().await;

    // The list: a row per dataset of the API, the demo's with its item and run counts.
    let datasets = api(&demo, "/api/public/v2/datasets?limit=50").await;
    browser.click("a[data-nav=datasets]").await;
    browser.ready("datasets").await;
    let rows = browser.count("table[data-testid=datasets-table] tr[data-dataset-name]").await;
    assert_eq!(rows, datasets["data"].as_array().unwrap().len());
    let items = items_of(&demo, DATASET).await;
    assert!(items.len() >= 4, "the demo's dataset has items: {}", items.len());
    let runs = api(&demo, &format!("/api/public/datasets/{DATASET}/runs")).await;
    let runs = runs["data"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 2, "the demo ran two experiments");
    let row = format!("tr[data-dataset-name='{DATASET}']");
    assert_eq!(browser.text(&format!("{row} [data-testid=item-count]")).await, items.len().to_string());
    assert_eq!(browser.text(&format!("{row} [data-testid=run-count]")).await, "2");
    browser.screenshot("datasets").await;

    // The dataset page: one row per active item, the ones made from traces linking them.
    browser.click(&format!("{row} td:first-child a")).await;
    browser.ready("dataset").await;
    assert_eq!(browser.count("[data-testid=items-table] tr[data-item-id]").await, items.len());
    let from_traces = items.iter().filter(|i| i["sourceTraceId"].is_string()).count();
    assert!(from_traces >= 2, "some items come from the demo's traces");
    assert_eq!(browser.count("[data-testid=items-table] [data-testid=source-link]").await, from_traces);
    assert_eq!(browser.count("[data-testid=runs-table] tr[data-run-name]").await, 2);
    for run in &runs {
        let detail =
            api(&demo, &format!("/api/public/datasets/{DATASET}/runs/{}", run["name"].as_str().unwrap())).await;
        let shown = browser
            .text(&format!(
                "[data-testid=runs-table] tr[data-run-id='{}'] [data-testid=run-items]",
                run["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(shown, detail["datasetRunItems"].as_array().unwrap().len().to_string(), "items of {}", run["name"]);
    }
    browser.screenshot("dataset").await;

    // The export menu downloads the dataset's export: every item either a line or named
    // in the report line that ends it.
    let (url, body) = super::export::export(&browser, &demo, "openai_sft").await;
    assert_eq!(url, format!("/api/public/v2/datasets/{DATASET}/export?format=openai_sft"));
    let mut lines = super::export::lines(&body);
    let report = lines.pop().expect("the report line")["_langtrace_export"].clone();
    assert_eq!(report["exported"].as_u64(), Some(lines.len() as u64), "{report}");
    assert_eq!(lines.len() as u64 + report["skipped"].as_u64().unwrap(), items.len() as u64, "{report}");

    // Add an item with the form: stored with JSON input and text expected output.
    browser.click("[data-testid=add-item]").await;
    fill(&browser, "[data-testid=item-form]", "input", r#"{"question": "added from the page"}"#).await;
    fill(&browser, "[data-testid=item-form]", "expectedOutput", "a plain answer").await;
    browser.click("[data-testid=save-item]").await;
    assert_eq!(
        browser.count_settles("[data-testid=items-table] tr[data-item-id]", items.len() + 1).await,
        items.len() + 1
    );
    browser.ready("dataset").await;
    let added = items_of(&demo, DATASET).await;
    let added =
        added.iter().find(|i| i["input"] == json!({"question": "added from the page"})).expect("the added item");
    assert_eq!(added["expectedOutput"], "a plain answer");
    let added_id = added["id"].as_str().unwrap().to_owned();

    // Import JSONL: two good lines stored, the bad one reported by its line number.
    browser.click("[data-testid=import-items]").await;
    let jsonl =
        "{\"input\": \"imported one\", \"expected_output\": \"1\"}\nnot json\n{\"input\": {\"q\": \"imported two\"}}";
    fill(&browser, "[data-testid=import-form]", "text", jsonl).await;
    browser.click("[data-testid=import-submit]").await;
    assert_eq!(
        browser.count_settles("[data-testid=items-table] tr[data-item-id]", items.len() + 3).await,
        items.len() + 3
    );
    browser.ready("dataset").await;
    let stored = items_of(&demo, DATASET).await;
    assert!(stored.iter().any(|i| i["input"] == "imported one" && i["expectedOutput"] == "1"), "line 1 stored");
    assert!(stored.iter().any(|i| i["input"] == json!({"q": "imported two"})), "line 3 stored");

    // Archive the added item: gone from the page and the list, ARCHIVED by id.
    browser.click(&format!("tr[data-item-id='{added_id}'] [data-testid=archive-item]")).await;
    assert_eq!(browser.count_settles(&format!("tr[data-item-id='{added_id}']"), 0).await, 0);
    browser.ready("dataset").await;
    assert_eq!(api(&demo, &format!("/api/public/dataset-items/{added_id}")).await["status"], "ARCHIVED");
    assert!(items_of(&demo, DATASET).await.iter().all(|i| i["id"] != added_id.as_str()), "archived is not listed");

    // Compare both runs: one row per dataset item of the runs, each run's output in it.
    for run in &runs {
        browser
            .click(&format!(
                "[data-testid=runs-table] tr[data-run-id='{}'] input[type=checkbox]",
                run["id"].as_str().unwrap()
            ))
            .await;
    }
    browser.click("[data-testid=compare-runs]").await;
    browser.ready("compare").await;
    let mut outputs: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for run in &runs {
        let detail =
            api(&demo, &format!("/api/public/datasets/{DATASET}/runs/{}", run["name"].as_str().unwrap())).await;
        for item in detail["datasetRunItems"].as_array().unwrap() {
            let trace = api(&demo, &format!("/api/public/traces/{}", item["traceId"].as_str().unwrap())).await;
            let task = trace["observations"].as_array().unwrap().iter().find(|o| o["id"] == item["observationId"]);
            let output = task.map_or(trace["output"].clone(), |o| o["output"].clone());
            outputs.entry(item["datasetItemId"].as_str().unwrap().to_owned()).or_default().push(output);
        }
    }
    assert_eq!(browser.count("[data-testid=compare-table] tbody tr[data-item-id]").await, outputs.len());
    for (item, produced) in &outputs {
        assert_eq!(produced.len(), 2, "both runs ran item {item}");
        let cells = browser
            .client()
            .find_all(Locator::Css(&format!("tr[data-item-id='{item}'] [data-testid=run-output]")))
            .await
            .unwrap();
        assert_eq!(cells.len(), 2);
        for cell in cells {
            let text = cell.text().await.unwrap();
            assert!(
                produced.iter().any(|o| o.as_str().is_some_and(|answer| text.contains(answer))),
                "{text:?} shows one of {produced:?}"
            );
        }
    }
    // The best average of each score is the run the API's scores make best.
    for name in ["exact_match", "brevity"] {
        let mut averages = Vec::new();
        for run in &runs {
            let detail =
                api(&demo, &format!("/api/public/datasets/{DATASET}/runs/{}", run["name"].as_str().unwrap())).await;
            averages.push(run_average(&demo, &detail, name).await);
        }
        let best = averages.iter().flatten().copied().fold(f64::MIN, f64::max);
        let selector = format!("[data-testid=compare-summary] td[data-run-name] td[data-score='{name}']");
        let cells = browser.client().find_all(Locator::Css(&selector)).await.unwrap();
        assert_eq!(cells.len(), 2, "{name} shown for both runs");
        for (cell, average) in cells.iter().zip(&averages) {
            let class = cell.attr("class").await.unwrap().unwrap_or_default();
            let marked = class.contains("best");
            let distinct = averages.iter().flatten().any(|a| (a - best).abs() > 1e-9);
            assert_eq!(
                marked,
                distinct && average.is_some_and(|a| (a - best).abs() < 1e-9),
                "{name}: {averages:?}, {class}"
            );
        }
    }
    browser.screenshot("compare").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_to_dataset_from_a_trace_stores_its_input_and_output_with_the_source() {
    let (_serial, demo, browser) = signed_in().await;
    let traces = api(&demo, "/api/public/traces?limit=50&name=support-chat").await;
    let trace =
        traces["data"].as_array().unwrap().iter().find(|t| t["output"].is_string()).expect("a chat trace").clone();
    let trace_id = trace["id"].as_str().unwrap();
    browser.open(&format!("{}/#/traces/{trace_id}", demo.base_url), "trace").await;

    // The trace: a new dataset named in the dialog, the form pre-filled with its input and output.
    browser.click("[data-testid=panel] [data-testid=add-to-dataset]").await;
    let continue_button = Locator::Css("[data-testid=add-to-dataset-dialog] [data-testid=dataset-continue]");
    browser.client().wait().for_element(continue_button).await.unwrap();
    browser.click("[data-testid=dataset-choice] option[value='']").await;
    fill(&browser, "[data-testid=add-to-dataset-dialog]", "newDataset", "from-traces").await;
    browser.click("[data-testid=add-to-dataset-dialog] [data-testid=dataset-continue]").await;
    browser
        .client()
        .wait()
        .for_element(Locator::Css("[data-testid=add-to-dataset-dialog] [data-testid=item-form]"))
        .await
        .unwrap();
    let prefilled = browser
        .client()
        .find(Locator::Css("[data-testid=add-to-dataset-dialog] textarea[name=expectedOutput]"))
        .await
        .unwrap();
    assert_eq!(prefilled.prop("value").await.unwrap().as_deref(), trace["output"].as_str(), "the output pre-filled");
    browser.click("[data-testid=add-to-dataset-dialog] [data-testid=save-item]").await;
    browser.client().wait().for_element(Locator::Css("[data-testid=added-to-dataset]")).await.unwrap();
    let items = api(&demo, "/api/public/dataset-items?datasetName=from-traces").await;
    let item = &items["data"][0];
    assert_eq!(item["sourceTraceId"], trace_id);
    assert_eq!(item["sourceObservationId"], Value::Null);
    assert_eq!(item["input"], trace["input"], "the trace's input");
    assert_eq!(item["expectedOutput"], trace["output"], "its output as the expected output");
    browser.client().find(Locator::Css("[data-testid=close-dialog]")).await.unwrap().click().await.unwrap();

    // An observation: its whole input and output, and both source ids.
    let detail = api(&demo, &format!("/api/public/traces/{trace_id}")).await;
    let generation = detail["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "write_answer")
        .expect("write_answer")
        .clone();
    let id = generation["id"].as_str().unwrap();
    browser.go(&format!("#/traces/{trace_id}?observation={id}"), "trace").await;
    browser.click("[data-testid=panel] [data-testid=add-to-dataset]").await;
    browser.client().wait().for_element(continue_button).await.unwrap();
    browser.click("[data-testid=dataset-choice] option[value='from-traces']").await;
    browser.click("[data-testid=add-to-dataset-dialog] [data-testid=dataset-continue]").await;
    browser
        .client()
        .wait()
        .for_element(Locator::Css("[data-testid=add-to-dataset-dialog] [data-testid=save-item]"))
        .await
        .unwrap();
    browser.click("[data-testid=add-to-dataset-dialog] [data-testid=save-item]").await;
    let added = browser.client().wait().for_element(Locator::Css("[data-testid=added-to-dataset]")).await.unwrap();
    let item_id = added.attr("data-item-id").await.unwrap().expect("the stored item's id");
    let item = api(&demo, &format!("/api/public/dataset-items/{item_id}")).await;
    assert_eq!((item["sourceTraceId"].as_str(), item["sourceObservationId"].as_str()), (Some(trace_id), Some(id)));
    let whole = api(&demo, &format!("/api/public/observations/{id}")).await;
    assert_eq!(item["input"], whole["input"], "the observation's input");
    assert_eq!(item["expectedOutput"], whole["output"], "its output");
    browser.screenshot("add-to-dataset").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_dataset_items_and_experiment_outputs_is_shown_as_text() {
    let _serial = SERIAL.lock().await;
    let collector = tokio::task::block_in_place(Collector::start);
    let payload = r#"<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">"#;
    let send = |path: &str, body: Value| {
        let request = reqwest::Client::new().post(format!("{}{path}", collector.base_url));
        request.header("authorization", collector.authorization()).json(&body).send()
    };
    let status = |r: reqwest::Result<reqwest::Response>| r.unwrap().status().as_u16();
    assert_eq!(status(send("/api/public/v2/datasets", json!({"name": "xss", "description": payload})).await), 200);
    let item = json!({"id": "xss-item", "datasetName": "xss", "input": payload, "expectedOutput": {"html": payload}, "metadata": {"note": payload}});
    assert_eq!(status(send("/api/public/dataset-items", item).await), 200);
    // A run over it whose output is the payload: its trace, then the run item (the 4.x SDK's path).
    let text = |key: &str, value: &str| json!({"key": key, "value": {"stringValue": value}});
    let trace_id = "7a1ce0000000000000000000000000d5";
    let span = json!({"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": trace_id, "spanId": "00000000000000d5", "name": "task",
        "startTimeUnixNano": "1760000000000000000", "endTimeUnixNano": "1760000001000000000",
        "attributes": [text("langfuse.observation.input", &json!(payload).to_string()), text("langfuse.observation.output", &json!(payload).to_string())],
    }]}]}]});
    assert_eq!(status(send("/v1/traces", span).await), 200);
    for run in ["run <b>one</b>", "run two"] {
        let body = json!({"runName": run, "datasetItemId": "xss-item", "traceId": trace_id, "observationId": "00000000000000d5"});
        assert_eq!(status(send("/api/public/dataset-run-items", body).await), 200, "{run}");
    }

    let browser = Browser::start().await;
    browser.sign_in(&collector.base_url, &collector.keys.public_key, &collector.keys.secret_key).await;
    browser.watch_errors().await;
    browser.go("#/datasets", "datasets").await;
    assert!(browser.text("[data-testid=datasets-table]").await.contains("<script>"), "the description is text");
    browser.go("#/datasets/xss", "dataset").await;
    let row = browser.text("tr[data-item-id='xss-item']").await;
    assert!(row.contains("<script>window.__pwned = 1</script>") && row.contains("onerror="), "{row}");
    assert!(browser.text("[data-testid=runs-table]").await.contains("run <b>one</b>"), "run names are text");
    browser.click("tr[data-item-id='xss-item'] [data-testid=edit-item]").await;
    let input = browser.client().find(Locator::Css("[data-testid=item-form] textarea[name=input]")).await.unwrap();
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some(payload), "the form holds the text");
    browser.go("#/compare/xss?run=run%20%3Cb%3Eone%3C%2Fb%3E&run=run%20two", "compare").await;
    let compared = browser.text("[data-testid=compare-table]").await;
    assert_eq!(
        compared.matches("<script>window.__pwned = 1</script>").count(),
        4,
        "input, expected output and two outputs: {compared}"
    );
    assert_eq!(browser.count("main script, main img[src=x], main b").await, 0);
    let pwned = browser.client().execute("return window.__pwned === undefined", vec![]).await.unwrap();
    assert_eq!(pwned, json!(true), "no dataset or experiment script ran");
    assert_eq!(browser.errors().await, Vec::<String>::new(), "no page error");
    browser.screenshot("datasets-markup-as-text").await;
    drop(browser);
    tokio::task::block_in_place(|| drop(collector));
}

/// Runs the UI's import parsers (`components/datasetimport.js`, imported in the signed-in
/// page) on `(format, text)` pairs; per pair `{items: [{line, item}], errors: [{line, message}]}`.
async fn parse_in_page(browser: &Browser, inputs: &[(&str, &str)]) -> Vec<Value> {
    let script = "const [inputs, done] = arguments;
        const href = document.querySelector('link[rel=modulepreload][href$=\"/components/datasetimport.js\"]').href;
        import(href).then((m) => done(inputs.map(([format, text]) =>
            format === 'csv' ? m.parseCsv(text) : m.parseJsonl(text))), (e) => done(String(e)));";
    let answer = browser.client().execute_async(script, vec![json!(inputs)]).await.unwrap();
    serde_json::from_value(answer.clone()).unwrap_or_else(|_| panic!("the parsers ran: {answer}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_parsers_read_jsonl_and_csv_and_name_each_bad_line() {
    let _serial = SERIAL.lock().await;
    let collector = tokio::task::block_in_place(Collector::start);
    let browser = Browser::start().await;
    browser.sign_in(&collector.base_url, &collector.keys.public_key, &collector.keys.secret_key).await;
    let jsonl = "{\"input\": \"a\", \"expected_output\": {\"x\": 1}, \"id\": \"i1\"}\n\nnot json\n[1]\n{\"foo\": 1}\n{\"expectedOutput\": 2}\r\n{\"input\": null, \"metadata\": {\"m\": true}}";
    let csv = "input,expected_output,metadata\n\"hello, world\",\"{\"\"a\"\": 1}\",\n\"two\nlines\",b,\"[1, 2]\"\nx,y\n\"say \"\"hi\"\"\",42,\n";
    let parsed = parse_in_page(
        &browser,
        &[
            ("jsonl", jsonl),
            ("csv", csv),
            ("csv", "inp,x\n1,2"),
            ("csv", "expected_output\nx"),
            ("csv", "input\n\"never closed\n"),
            ("csv", "input\r\na\r\n"),
        ],
    )
    .await;
    assert_eq!(
        parsed[0],
        json!({
            "items": [
                {"line": 1, "item": {"input": "a", "expectedOutput": {"x": 1}, "id": "i1"}},
                {"line": 7, "item": {"input": null, "metadata": {"m": true}}},
            ],
            "errors": [
                {"line": 3, "message": parsed[0]["errors"][0]["message"]},
                {"line": 4, "message": "not an object"},
                {"line": 5, "message": "unknown key \"foo\" (expected input, expectedOutput, metadata, id, sourceTraceId, sourceObservationId)"},
                {"line": 6, "message": "no input"},
            ],
        })
    );
    assert!(parsed[0]["errors"][0]["message"].as_str().unwrap().starts_with("not JSON: "), "{}", parsed[0]);
    assert_eq!(
        parsed[1],
        json!({
            "items": [
                {"line": 2, "item": {"input": "hello, world", "expectedOutput": {"a": 1}, "metadata": null}},
                {"line": 3, "item": {"input": "two\nlines", "expectedOutput": "b", "metadata": [1, 2]}},
                {"line": 6, "item": {"input": "say \"hi\"", "expectedOutput": "42", "metadata": null}},
            ],
            "errors": [{"line": 5, "message": "2 cells, the header has 3"}],
        }),
        "quoted commas, quotes and line breaks; JSON objects and arrays parsed, other cells text"
    );
    assert_eq!(parsed[2], json!({"items": [], "errors": [{"line": 1, "message": "unknown column \"inp\""}]}));
    assert_eq!(parsed[3], json!({"items": [], "errors": [{"line": 1, "message": "no input column"}]}));
    assert_eq!(
        parsed[4],
        json!({"items": [], "errors": [{"line": 0, "message": "line 2: a quoted cell is not closed"}]})
    );
    assert_eq!(parsed[5], json!({"items": [{"line": 2, "item": {"input": "a"}}], "errors": []}));
    drop(browser);
    tokio::task::block_in_place(|| drop(collector));
}
