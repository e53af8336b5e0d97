//! The span tree and attributes of an experiment as the langtrace layer records them and
//! the OTLP bridge writes them, without a server: items of your own (no dataset, so no
//! project id is needed) and a client pointed at a closed port (run scores fail there,
//! which the result must say).

use std::collections::HashMap;
use std::time::Duration;

use langtrace_core::vocab::fields::OBSERVE_TARGET;
use langtrace_core::{LangtraceLayer, Level, MemorySink, ObservationRecord, ObservationType, ScoreValue};
use langtrace_datasets::{DatasetItem, Datasets, Evaluation, ExperimentItem, ItemStatus};
use serde_json::json;
use tracing::Instrument;
use tracing_subscriber::layer::SubscriberExt;

/// The attributes the bridge writes for `record`, as text.
fn wire(record: &ObservationRecord) -> HashMap<String, String> {
    langtrace_otel_bridge::encode::attributes(record)
        .into_iter()
        .map(|kv| (kv.key.as_str().to_owned(), kv.value.as_str().into_owned()))
        .collect()
}

#[test]
fn an_experiment_records_langfuse_s_span_tree_attributes_and_scores() {
    let sink = MemorySink::new();
    let (layer, guard) = LangtraceLayer::builder().sink(sink.clone()).build().unwrap();
    let _default = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let datasets =
        Datasets::builder().public_key("pk").secret_key("sk").base_url("http://127.0.0.1:1").build().unwrap();

    let result = runtime
        .block_on(
            datasets
                .run_experiment("capitals")
                .run_name("run ü 1")
                .description("first try")
                .data([
                    ExperimentItem::new(json!({"country": "France"}))
                        .expected_output(json!("Paris"))
                        .metadata(json!({"topic": "geo"})),
                    ExperimentItem::new(json!({"country": "Atlantis"})),
                ])
                .task(|item| {
                    let inner = tracing::span!(target: OBSERVE_TARGET, tracing::Level::INFO, "lookup");
                    async move {
                        match item.input["country"].as_str() {
                            Some("France") => Ok("Paris".to_owned()),
                            other => Err(format!("unknown country {other:?}")),
                        }
                    }
                    .instrument(inner)
                })
                .evaluator("exact_match", |e| async move {
                    Ok::<_, String>(Evaluation::new("exact_match", Some(&e.output) == e.expected_output.as_ref()))
                })
                .evaluator("broken", |_| async move { Err::<Evaluation, _>("judge unavailable") })
                .run_evaluator("accuracy", |items| async move {
                    let right = items.iter().filter(|i| i.output.is_some()).count();
                    Ok::<_, String>(Evaluation::new("accuracy", right as f64 / items.len() as f64))
                })
                .progress(false)
                .run(),
        )
        .unwrap();
    guard.flush(Duration::from_secs(5)).unwrap();

    // The result: items in order, the failure on its item, evaluator failures, the run
    // evaluation and the run score that could not be stored.
    assert_eq!(result.items.len(), 2);
    let (paris, atlantis) = (&result.items[0], &result.items[1]);
    assert_eq!(paris.output, Some(json!("Paris")));
    assert_eq!(paris.evaluations, vec![Evaluation::new("exact_match", true)]);
    assert_eq!(paris.evaluator_errors, vec![("broken".to_owned(), "judge unavailable".to_owned())]);
    assert_eq!(atlantis.error.as_deref(), Some("unknown country Some(\"Atlantis\")"));
    assert!(atlantis.evaluations.is_empty() && atlantis.evaluator_errors.is_empty());
    assert_eq!(result.run_evaluations, vec![Evaluation::new("accuracy", 0.5)]);
    assert!(
        result.run_errors.iter().any(|e| e.starts_with("run score accuracy not stored")),
        "{:?}",
        result.run_errors
    );
    let summary = result.to_string();
    assert!(summary.contains("items: 2 (1 failed), evaluator failures: 1"), "{summary}");
    assert!(summary.contains("avg exact_match: 1.000"), "{summary}");

    // The span tree of the first item.
    let observations = sink.observations();
    let trace_id = paris.trace_id.expect("recorded");
    let of_trace: Vec<_> = observations.iter().filter(|o| o.trace_id == trace_id).collect();
    let named = |name: &str| *of_trace.iter().find(|o| o.name == name).unwrap_or_else(|| panic!("no {name}"));
    let (run, task, lookup) = (named("experiment-item-run"), named("experiment-item-task"), named("lookup"));
    let (evaluation, exact, broken) = (named("experiment-item-evaluation"), named("exact_match"), named("broken"));
    assert_eq!(of_trace.len(), 6);
    assert_eq!(run.parent_id, None);
    assert_eq!(task.parent_id, Some(run.id));
    assert_eq!(lookup.parent_id, Some(task.id));
    assert_eq!(evaluation.parent_id, Some(run.id));
    assert_eq!((exact.parent_id, exact.observation_type), (Some(evaluation.id), ObservationType::Evaluator));
    assert_eq!(exact.metadata["evaluator_kind"], json!("item"));
    assert_eq!((&exact.metadata["evaluator_index"], &broken.metadata["evaluator_index"]), (&json!(0), &json!(1)));
    assert_eq!(
        exact.output_value(),
        Some(json!([{"name": "exact_match", "value": true, "dataType": "BOOLEAN", "comment": null}]))
    );
    assert_eq!((broken.level, broken.output_value()), (Level::Error, Some(json!({"error": "judge unavailable"}))));
    assert!(task.end_time <= evaluation.start_time, "the task ends before the evaluators run");
    assert_eq!(paris.observation_id, Some(task.id));
    for observed in [run, task] {
        assert_eq!(observed.input_value(), Some(json!({"country": "France"})));
        assert_eq!(observed.output_value(), Some(json!("Paris")));
        assert_eq!(observed.metadata["experiment_name"], json!("capitals"));
        assert_eq!(observed.metadata["experiment_run_name"], json!("run ü 1"));
        assert_eq!(observed.metadata["topic"], json!("geo"));
    }

    // Every span of the trace carries the experiment keys, in environment sdk-experiment.
    for observed in &of_trace {
        let attributes = wire(observed);
        let key = |k: &str| attributes.get(k).map(String::as_str);
        assert_eq!(observed.environment, "sdk-experiment", "{}", observed.name);
        assert_eq!(key("langfuse.environment"), Some("sdk-experiment"));
        assert_eq!(key("langfuse.experiment.id"), Some(result.experiment_id.as_str()));
        assert_eq!(key("langfuse.experiment.name"), Some("run ü 1"));
        assert_eq!(key("langfuse.experiment.description"), Some("first try"));
        // sha256('{"country":"France"}')[:16]
        assert_eq!(key("langfuse.experiment.item.id"), Some("c49827a28217f616"));
        assert_eq!(key("langfuse.experiment.item.expected_output"), Some("\"Paris\""));
        assert_eq!(key("langfuse.experiment.item.metadata"), Some(r#"{"topic":"geo"}"#));
        assert_eq!(key("langfuse.experiment.item.root_observation_id"), Some(task.id.to_string().as_str()));
        assert_eq!(key("langfuse.experiment.dataset.id"), None);
    }
    assert_eq!(result.experiment_id.len(), 16);

    // The failed item: ERROR on its run and task, no evaluation span.
    let failed_trace = atlantis.trace_id.expect("recorded");
    let failed: Vec<_> = observations.iter().filter(|o| o.trace_id == failed_trace).collect();
    let names: Vec<&str> = failed.iter().map(|o| o.name.as_ref()).collect();
    assert_eq!(failed.len(), 3, "{names:?}");
    for observed in failed.iter().filter(|o| o.name.starts_with("experiment-item")) {
        assert_eq!(observed.level, Level::Error);
        assert_eq!(observed.status_message.as_deref(), Some("unknown country Some(\"Atlantis\")"));
        assert_eq!(observed.output_value(), Some(json!("Error: unknown country Some(\"Atlantis\")")));
    }

    // The one item score is on the task observation of the first item.
    let scores = sink.scores();
    assert_eq!(scores.len(), 1);
    assert_eq!((scores[0].trace_id, scores[0].observation_id), (trace_id, Some(task.id)));
    assert_eq!((scores[0].name.as_str(), &scores[0].value), ("exact_match", &ScoreValue::Boolean(true)));
}

#[test]
fn a_run_without_a_task_is_refused() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let datasets =
        Datasets::builder().public_key("pk").secret_key("sk").base_url("http://127.0.0.1:1").build().unwrap();
    let error = runtime.block_on(datasets.run_experiment("x").run()).unwrap_err();
    assert!(error.to_string().contains(".task("), "{error}");
}

#[test]
fn expected_outputs_and_metadata_are_masked_like_payloads() {
    let sink = MemorySink::new();
    let redact =
        |value: serde_json::Value| serde_json::from_str(&value.to_string().replace("secret", "[REDACTED]")).unwrap();
    let (layer, guard) = LangtraceLayer::builder().sink(sink.clone()).mask(redact).build().unwrap();
    let _default = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let datasets =
        Datasets::builder().public_key("pk").secret_key("sk").base_url("http://127.0.0.1:1").build().unwrap();
    let item = ExperimentItem::new(json!("q")).expected_output(json!("the secret")).metadata(json!({"note": "secret"}));
    let result = runtime
        .block_on(
            datasets
                .run_experiment("masked")
                .metadata(json!({"run": "secret run"}))
                .data([item])
                .task(|_| async move { Ok::<_, String>("answer") })
                .progress(false)
                .run(),
        )
        .unwrap();
    guard.flush(Duration::from_secs(5)).unwrap();
    assert!(result.items[0].error.is_none());
    let observations = sink.observations();
    assert_eq!(observations.len(), 2);
    for observed in &observations {
        let attributes = wire(observed);
        assert_eq!(attributes["langfuse.experiment.item.expected_output"], "\"the [REDACTED]\"");
        assert_eq!(attributes["langfuse.experiment.item.metadata"], r#"{"note":"[REDACTED]"}"#);
        assert_eq!(attributes["langfuse.experiment.metadata"], r#"{"run":"[REDACTED] run"}"#);
        assert!(attributes.values().all(|value| !value.contains("secret")), "{attributes:?}");
    }
}

#[test]
fn dataset_items_carry_their_ids_and_an_unknown_project_gives_a_random_id() {
    let sink = MemorySink::new();
    let (layer, guard) = LangtraceLayer::builder().sink(sink.clone()).build().unwrap();
    let _default = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let datasets =
        Datasets::builder().public_key("pk").secret_key("sk").base_url("http://127.0.0.1:1").build().unwrap();
    let item = DatasetItem {
        id: "item-7".into(),
        status: ItemStatus::Active,
        input: Some(json!("q")),
        expected_output: None,
        metadata: None,
        source_trace_id: None,
        source_observation_id: None,
        dataset_id: "ds-9".into(),
        dataset_name: "set".into(),
        created_at: String::new(),
        updated_at: String::new(),
    };
    let result = runtime
        .block_on(
            datasets
                .run_experiment("offline")
                .data([&item])
                .dataset_version("2026-01-01T00:00:00Z")
                .task(|_| async move { Ok::<_, String>("answer") })
                .progress(false)
                .run(),
        )
        .unwrap();
    guard.flush(Duration::from_secs(5)).unwrap();
    assert!(result.run_errors[0].starts_with("no project id (request failed"), "{:?}", result.run_errors);
    assert_eq!((result.experiment_id.len(), result.dataset_id.as_deref()), (16, Some("ds-9")));
    let task = sink.observation("experiment-item-task").unwrap();
    assert_eq!((&task.metadata["dataset_id"], &task.metadata["dataset_item_id"]), (&json!("ds-9"), &json!("item-7")));
    let attributes = wire(&task);
    assert_eq!(attributes["langfuse.experiment.dataset.id"], "ds-9");
    assert_eq!(attributes["langfuse.experiment.item.id"], "item-7");
    assert_eq!(attributes["langfuse.experiment.item.version"], "2026-01-01T00:00:00Z");
    assert_eq!(attributes["langfuse.experiment.id"], result.experiment_id);
}
