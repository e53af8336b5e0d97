//! The Rust datasets client (`langtrace::datasets`, `langtrace::experiments`) against a
//! real `langtrace serve`: a dataset over more than one page of items, items made from a
//! trace and from an observation, an archived item hidden; then an experiment run
//! exported over OTLP like any application's spans, read back through the API: one
//! experiment under the stable id, one experiment item per dataset item linked to its
//! trace, item scores on the task observations, the run score on the run.

mod support;

use std::time::Duration;

use langtrace::datasets::{Datasets, Error, ItemStatus, NewDataset, NewItem};
use langtrace::experiments::{Evaluation, ExperimentResult};
use langtrace::otlp::OtlpSink;
use langtrace::tracing_subscriber::layer::SubscriberExt;
use langtrace::{current_trace, observe, LangtraceGuard};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::{Collector, PUBLIC_KEY, SECRET_KEY};

fn client(collector: &Collector) -> Datasets {
    Datasets::builder()
        .public_key(PUBLIC_KEY)
        .secret_key(SECRET_KEY)
        .base_url(collector.base_url.clone())
        .build()
        .expect("datasets client")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// A dispatch whose layer exports to the collector, and its guard.
fn exporter(collector: &Collector) -> (langtrace::tracing::Dispatch, LangtraceGuard) {
    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .langfuse(PUBLIC_KEY, SECRET_KEY, collector.base_url.clone())
        .build()
        .expect("exporter");
    let (layer, guard) = langtrace::LangtraceLayer::builder().ignore_env().sink(sink).build().expect("settings");
    (langtrace::tracing::Dispatch::new(langtrace::tracing_subscriber::registry().with(layer)), guard)
}

#[observe(as_type = generation, model = "mock")]
fn answer(question: &str) -> String {
    format!("echo: {question}")
}

#[test]
fn items_page_by_page_from_traces_and_archived() {
    let collector = Collector::start();
    let datasets = client(&collector);
    let runtime = runtime();

    // A trace and a generation to make items from.
    let (dispatch, guard) = exporter(&collector);
    let trace_id = langtrace::tracing::dispatcher::with_default(&dispatch, || {
        #[observe]
        fn handle(question: &str) -> (String, String) {
            (answer(question), current_trace().id().unwrap().to_string())
        }
        handle("why is the sky blue?").1
    });
    guard.flush(Duration::from_secs(30)).expect("flush");
    let generations = collector.ok("/api/public/observations?type=GENERATION&limit=10");
    let generation_id = generations["data"][0]["id"].as_str().expect("a generation").to_owned();

    runtime.block_on(async {
        let created = datasets.create(&NewDataset::new("qa/ü set").description("questions")).await.unwrap();
        assert_eq!((created.name.as_str(), created.description.as_deref()), ("qa/ü set", Some("questions")));
        for index in 0..57 {
            let item = NewItem::new("qa/ü set").id(format!("item-{index}")).input(json!({"n": index}));
            datasets.create_item(item).await.unwrap();
        }
        let from_trace = datasets.create_item(NewItem::from_trace("qa/ü set", trace_id.clone())).await.unwrap();
        assert_eq!(from_trace.source_trace_id.as_deref(), Some(trace_id.as_str()));
        assert_eq!(from_trace.input, Some(json!({"question": "why is the sky blue?"})));
        let from_generation =
            datasets.create_item(NewItem::from_observation("qa/ü set", generation_id.clone())).await.unwrap();
        assert_eq!(from_generation.source_observation_id.as_deref(), Some(generation_id.as_str()));
        assert_eq!(from_generation.source_trace_id.as_deref(), Some(trace_id.as_str()));
        assert_eq!(from_generation.expected_output, Some(json!("echo: why is the sky blue?")));

        let archived = datasets.archive_item(&datasets.item("item-3").await.unwrap()).await.unwrap();
        assert_eq!(archived.status, ItemStatus::Archived);
        assert_eq!(archived.input, Some(json!({"n": 3})), "archiving keeps the item's fields");

        let dataset = datasets.get("qa/ü set").await.unwrap();
        assert_eq!(dataset.items.len(), 58, "57 + 2 made from traces - 1 archived, over two pages");
        assert!(dataset.items.iter().all(|item| item.id != "item-3" && item.status == ItemStatus::Active));
        assert_eq!(datasets.item("item-3").await.unwrap().status, ItemStatus::Archived);

        match datasets.get("no such dataset").await {
            Err(Error::NotFound { message }) => assert!(!message.is_empty()),
            other => panic!("expected not found, got {other:?}"),
        }
    });
}

/// The hash Langfuse's server and SDKs give a run, computed here from its definition.
fn stable_id(project_id: &str, dataset_id: &str, run_name: &str) -> String {
    let text = serde_json::to_string(&["langfuse-experiment-v1", project_id, dataset_id, run_name]).unwrap();
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// Before any run of this test: the experiment routes require a start.
const FROM: &str = "2020-01-01T00:00:00Z";

#[test]
fn an_experiment_lands_under_the_stable_id_with_item_and_run_scores() {
    let collector = Collector::start();
    let datasets = client(&collector);
    let runtime = runtime();
    let dataset = runtime.block_on(async {
        datasets.create(&NewDataset::new("capitals")).await.unwrap();
        for (country, capital) in [("France", "Paris"), ("Japan", "Tokyo"), ("Peru", "Lima")] {
            let item = NewItem::new("capitals").id(format!("c-{country}")).input(json!(country));
            datasets.create_item(item.expected_output(json!(capital))).await.unwrap();
        }
        datasets.get("capitals").await.unwrap()
    });

    let (dispatch, guard) = exporter(&collector);
    let result: ExperimentResult = langtrace::tracing::dispatcher::with_default(&dispatch, || {
        runtime.block_on(
            datasets
                .run_experiment("capitals")
                .run_name("run ✓ 1")
                .data(&dataset.items)
                .task(|item| async move {
                    let country = item.input.as_str().unwrap_or_default().to_owned();
                    if country == "Peru" {
                        return Err("no answer for Peru".to_owned());
                    }
                    Ok(if country == "France" { "Paris".to_owned() } else { answer(&country) })
                })
                .evaluator("exact_match", |e| async move {
                    Ok::<_, String>(Evaluation::new("exact_match", Some(&e.output) == e.expected_output.as_ref()))
                })
                .evaluator("length", |e| async move {
                    Ok::<_, String>(Evaluation::new("length", e.output.as_str().map_or(0, str::len) as f64))
                })
                .run_evaluator("accuracy", |items| async move {
                    let exact = items.iter().flat_map(|i| &i.evaluations).filter(|e| e.name == "exact_match");
                    let right = exact.filter(|e| e.number() == Some(1.0)).count();
                    Ok::<_, String>(Evaluation::new("accuracy", right as f64 / items.len() as f64))
                })
                .progress(false)
                .run(),
        )
    })
    .unwrap();
    guard.flush(Duration::from_secs(30)).expect("flush");
    assert!(result.run_errors.is_empty(), "{:?}", result.run_errors);
    assert_eq!(result.failed_items(), 1);

    // One experiment, under the id computed from the project, dataset and run name.
    let project_id = collector.ok("/api/public/projects")["data"][0]["id"].as_str().unwrap().to_owned();
    let expected_id = stable_id(&project_id, &dataset.id, "run ✓ 1");
    assert_eq!(result.experiment_id, expected_id);
    let experiments = collector.ok(&format!("/api/public/experiments?fromStartTime={FROM}&fields=core,scores"));
    let listed = experiments["data"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{experiments}");
    assert_eq!((&listed[0]["id"], &listed[0]["name"]), (&json!(expected_id), &json!("run ✓ 1")));
    assert_eq!(listed[0]["datasetId"], json!(dataset.id));
    assert_eq!(listed[0]["itemCount"], json!(3));

    // One experiment item per dataset item, each linked to its trace.
    let items = collector.ok(&format!("/api/public/experiment-items?fromStartTime={FROM}&limit=100"));
    let items = items["data"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{items:?}");
    for outcome in &result.items {
        let dataset_item = outcome.item.dataset_item.as_ref().unwrap();
        let row = items.iter().find(|row| row["experimentItemId"] == json!(dataset_item.id)).expect("an item row");
        assert_eq!(row["experimentId"], json!(expected_id));
        assert_eq!(row["traceId"], json!(outcome.trace_id.unwrap().to_string()));
        assert_eq!(row["environment"], json!("sdk-experiment"));
        let level = if outcome.error.is_some() { "ERROR" } else { "DEFAULT" };
        assert_eq!(row["level"], json!(level), "{row}");
    }

    // Item scores on the task observations; the run score on the run.
    let scores = collector.ok("/api/public/scores?limit=100");
    let scores = scores["data"].as_array().unwrap();
    let item_scores: Vec<&Value> = scores.iter().filter(|s| s["name"] != "accuracy").collect();
    assert_eq!(item_scores.len(), 4, "two evaluators on the two items that succeeded: {scores:?}");
    for outcome in result.items.iter().filter(|outcome| outcome.error.is_none()) {
        let on_task: Vec<_> = item_scores
            .iter()
            .filter(|s| s["observationId"] == json!(outcome.observation_id.unwrap().to_string()))
            .collect();
        assert_eq!(on_task.len(), 2);
        assert!(on_task.iter().all(|s| s["traceId"] == json!(outcome.trace_id.unwrap().to_string())));
    }
    let run_score = scores.iter().find(|s| s["name"] == "accuracy").expect("the run score");
    assert_eq!(run_score["datasetRunId"], json!(expected_id));
    assert!((run_score["value"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9, "{run_score}");
}
