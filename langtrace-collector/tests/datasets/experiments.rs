//! Experiments arriving as spans (`langfuse.experiment.*`, the 5.x SDKs) and as run
//! items (`POST /dataset-run-items`, the 4.x SDKs) land in the same rows under the
//! stable id; runs, run items, v4 experiments and experiment items read them back with
//! their run and item scores; deleting a run removes it everywhere.

use std::process::Command;

use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::{json, Value};

use crate::client::{create_dataset, delete, encoded, item};
use crate::support::otlp::{self, span, text, trace_id};
use crate::support::Collector;

/// Since before every test span (`otlp::T0` is in November 2023).
pub const FROM: &str = "fromStartTime=2023-01-01T00:00:00Z";

/// The stable experiment id as Python computes it (`hashlib`, `json.dumps` with
/// `separators=(",", ":")` and `ensure_ascii=False`): the formula of Langfuse's SDKs,
/// computed outside the code under test.
pub fn python_stable_id(project_id: &str, dataset_id: &str, run_name: &str) -> String {
    let script = "import hashlib, json, sys; print(hashlib.sha256(json.dumps(['langfuse-experiment-v1', \
                  sys.argv[1], sys.argv[2], sys.argv[3]], separators=(',', ':'), ensure_ascii=False)\
                  .encode()).hexdigest()[:16])";
    let output = Command::new("python3").args(["-c", script, project_id, dataset_id, run_name]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// The hex id of span `byte` of [`span`].
pub fn span_id(byte: u8) -> String {
    format!("{byte:02x}").repeat(8)
}

/// The attributes the 5.x SDK puts on an experiment item's run and task spans.
fn experiment_attributes(id: &str, run: &str, dataset_id: &str, item_id: &str, task: u8) -> Vec<KeyValue> {
    vec![
        text("langfuse.environment", "sdk-experiment"),
        text("langfuse.experiment.id", id),
        text("langfuse.experiment.name", run),
        text("langfuse.experiment.description", "spans"),
        text("langfuse.experiment.metadata", r#"{"model":"m-2"}"#),
        text("langfuse.experiment.dataset.id", dataset_id),
        text("langfuse.experiment.item.id", item_id),
        text("langfuse.experiment.item.expected_output", r#""4""#),
        text("langfuse.experiment.item.metadata", r#"{"difficulty":"easy"}"#),
        text("langfuse.experiment.item.root_observation_id", span_id(task)),
    ]
}

/// The trace of one experiment item as the 5.x SDK sends it: run span `trace`*16+1 (the
/// root) and task span `trace`*16+2 under it, both carrying the experiment attributes.
fn item_trace(trace: u8, attributes: Vec<KeyValue>) -> Vec<Span> {
    let (run, task) = (trace * 16 + 1, trace * 16 + 2);
    let mut root = attributes.clone();
    root.push(text("langfuse.observation.input", r#"{"q":"2+2"}"#));
    root.push(text("langfuse.observation.output", r#""4""#));
    vec![
        span(trace, task).parent(run).at(1, 5).attributes(attributes).build(),
        span(trace, run).at(0, 10).attributes(root).build(),
    ]
}

/// The project's id, as `GET /api/public/projects` gives it.
pub fn project_id(collector: &Collector) -> String {
    collector.ok("/api/public/projects")["data"][0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn spans_and_run_items_make_one_experiment_under_the_stable_id() {
    let collector = Collector::start();
    let dataset = create_dataset(&collector, &json!({"name": "qa"}));
    let dataset_id = dataset["id"].as_str().unwrap();
    for id in ["i1", "i2"] {
        item(&collector, &json!({"datasetName": "qa", "id": id, "input": {"q": "2+2"}, "expectedOutput": "4"}));
    }
    let run = "Lauf für Tests – 实验 🚀";
    let expected_id = python_stable_id(&project_id(&collector), dataset_id, run);

    // The 4.x path: a run item for i1, answered with the stable id.
    let (status, run_item) = collector.post_json(
        "/api/public/dataset-run-items",
        &json!({"runName": run, "runDescription": "run items", "metadata": {"model": "m-1"}, "datasetItemId": "i1",
                "traceId": trace_id(1), "observationId": span_id(18)}),
    );
    assert_eq!(status, 200, "{run_item}");
    assert_eq!(run_item["datasetRunId"], expected_id.as_str());
    assert_eq!((run_item["datasetRunName"].as_str(), run_item["datasetItemId"].as_str()), (Some(run), Some("i1")));
    assert_eq!(
        (run_item["traceId"].as_str(), run_item["observationId"].as_str()),
        (Some(trace_id(1).as_str()), Some(span_id(18).as_str()))
    );

    // The 5.x path: spans for i1 (the same trace: the same row) and i2, plus a span
    // without experiment attributes, which makes nothing.
    let mut spans = item_trace(1, experiment_attributes(&expected_id, run, dataset_id, "i1", 18));
    spans.extend(item_trace(2, experiment_attributes(&expected_id, run, dataset_id, "i2", 34)));
    spans.push(span(3, 3).build());
    otlp::send(&collector, &collector.authorization(), &otlp::request(spans));

    // Scores: one on the run, one on i2's task observation.
    let run_score = json!({"datasetRunId": expected_id, "name": "accuracy", "value": 0.5});
    assert_eq!(collector.post_json("/api/public/scores", &run_score).0, 200);
    let item_score = json!({"traceId": trace_id(2), "observationId": span_id(34), "name": "exact", "value": 1});
    assert_eq!(collector.post_json("/api/public/scores", &item_score).0, 200);

    // Runs of the dataset: one, described by the latest writer (the spans).
    let runs = collector.ok("/api/public/datasets/qa/runs");
    assert_eq!(runs["meta"]["totalItems"], 1, "{runs}");
    let listed = &runs["data"][0];
    assert_eq!((listed["id"].as_str(), listed["name"].as_str()), (Some(expected_id.as_str()), Some(run)));
    assert_eq!((listed["datasetId"].as_str(), listed["datasetName"].as_str()), (Some(dataset_id), Some("qa")));
    assert_eq!((&listed["description"], &listed["metadata"]), (&json!("spans"), &json!({"model": "m-2"})));
    let one = collector.ok(&format!("/api/public/datasets/qa/runs/{}", encoded(run)));
    let mut traces: Vec<&str> =
        one["datasetRunItems"].as_array().unwrap().iter().map(|i| i["traceId"].as_str().unwrap()).collect();
    traces.sort();
    assert_eq!(traces, [trace_id(1), trace_id(2)]);
    let run_items =
        collector.ok(&format!("/api/public/dataset-run-items?datasetId={dataset_id}&runName={}", encoded(run)));
    assert_eq!(run_items["meta"], json!({"page": 1, "limit": 50, "totalItems": 2, "totalPages": 1}));
    assert_eq!(collector.ok("/api/public/datasets/qa")["runs"], json!([run]), "the v1 dataset names its runs");

    // v4: the experiment with its run score, its items with io, dataset and item scores.
    let experiments = collector.ok(&format!("/api/public/experiments?{FROM}&fields=core,metadata,scores"));
    let experiment = &experiments["data"][0];
    assert_eq!(experiments["data"].as_array().unwrap().len(), 1, "{experiments}");
    assert_eq!((experiment["id"].as_str(), experiment["itemCount"].as_i64()), (Some(expected_id.as_str()), Some(2)));
    assert_eq!(
        (experiment["datasetId"].as_str(), &experiment["metadata"]),
        (Some(dataset_id), &json!({"model": "m-2"}))
    );
    assert_eq!(experiment["startTime"], "2023-11-14T22:13:20.000Z");
    let scores: Vec<&str> =
        experiment["scores"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(scores, ["accuracy"]);
    assert_eq!(experiment["scores"][0]["datasetRunId"], expected_id.as_str());
    let core = collector.ok(&format!("/api/public/experiments?{FROM}"));
    assert!(core["data"][0].get("scores").is_none() && core["data"][0].get("metadata").is_none(), "core only: {core}");

    let items = collector.ok(&format!(
        "/api/public/experiment-items?{FROM}&experimentId={expected_id}&fields=core,io,dataset,itemMetadata,scores&traceId={}",
        trace_id(2)
    ));
    let found = &items["data"][0];
    assert_eq!(items["data"].as_array().unwrap().len(), 1, "{items}");
    assert_eq!(
        (found["id"].as_str(), found["observationId"].as_str()),
        (Some(span_id(33).as_str()), Some(span_id(34).as_str()))
    );
    assert_eq!((found["experimentItemId"].as_str(), found["experimentName"].as_str()), (Some("i2"), Some(run)));
    assert_eq!((found["environment"].as_str(), found["level"].as_str()), (Some("sdk-experiment"), Some("DEFAULT")));
    assert_eq!(
        (&found["input"], &found["output"], &found["expectedOutput"]),
        (&json!({"q": "2+2"}), &json!("4"), &json!("4"))
    );
    assert_eq!(
        (&found["experimentDatasetId"], &found["experimentItemMetadata"]),
        (&json!(dataset_id), &json!({"difficulty": "easy"}))
    );
    assert_eq!(found["scores"][0]["name"], "exact");
    assert_eq!(found["scores"][0]["observationId"], span_id(34).as_str());
    let all = collector.ok(&format!("/api/public/experiment-items?{FROM}"));
    assert_eq!(all["data"].as_array().unwrap().len(), 2, "one item per trace, none for the plain span: {all}");

    // Run scores are listed with their run.
    let by_run = collector.ok(&format!("/api/public/scores?datasetRunId={expected_id}"));
    assert_eq!(by_run["data"].as_array().unwrap().len(), 1);

    // Deleting the run removes it from every list; the traces stay.
    assert_eq!(
        delete(&collector, &format!("/api/public/datasets/qa/runs/{}", encoded(run))),
        (200, json!({"message": "Dataset run successfully deleted"}))
    );
    assert_eq!(collector.ok("/api/public/datasets/qa/runs")["data"], json!([]));
    assert_eq!(collector.ok(&format!("/api/public/experiments?{FROM}"))["data"], json!([]));
    assert_eq!(collector.ok(&format!("/api/public/experiment-items?{FROM}"))["data"], json!([]));
    assert_eq!(collector.get(&format!("/api/public/traces/{}", trace_id(2))).0, 200);
}

#[test]
fn experiments_page_by_cursor() {
    let collector = Collector::start();
    create_dataset(&collector, &json!({"name": "qa"}));
    item(&collector, &json!({"datasetName": "qa", "id": "i1", "input": 1}));
    for run in ["run a", "run b", "run c"] {
        let body = json!({"runName": run, "datasetItemId": "i1", "traceId": trace_id(1)});
        assert_eq!(collector.post_json("/api/public/dataset-run-items", &body).0, 200);
    }
    let mut seen = Vec::new();
    let mut path = format!("/api/public/experiments?{FROM}&limit=2");
    loop {
        let page = collector.ok(&path);
        seen.extend(page["data"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_owned()));
        match page["meta"]["cursor"].as_str() {
            Some(cursor) => path = format!("/api/public/experiments?{FROM}&limit=2&cursor={cursor}"),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, ["run a", "run b", "run c"], "each once over the pages");
    let runs: Value = collector.ok("/api/public/datasets/qa/runs?limit=2");
    assert_eq!(runs["meta"], json!({"page": 1, "limit": 2, "totalItems": 3, "totalPages": 2}));
}
