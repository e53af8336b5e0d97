//! Experiments from spans: the root span of an experiment item's trace carries
//! `langfuse.experiment.*` (kept in its metadata by the mapper); read here, ahead of
//! the writer, into the experiment and experiment-item rows it upserts in the same
//! transaction as the spans. A span without `langfuse.experiment.id` costs one map
//! lookup, and only roots are looked at.

use langtrace_core::record::ObservationRecord;
use langtrace_core::vocab::experiment;
use serde_json::{Map, Value};

use super::datasets::{ExperimentFields, ExperimentItemFields};

/// The rows one experiment item's root span describes.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanExperiment {
    /// The experiment.
    pub experiment: ExperimentFields,
    /// The item, run by the span's trace.
    pub item: ExperimentItemFields,
}

/// The text of attribute `key`: a string as it is, any other value as JSON text.
fn text(metadata: &Map<String, Value>, key: &str) -> Option<String> {
    match metadata.get(key)? {
        Value::Null => None,
        Value::String(text) if text.is_empty() => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// The experiment rows `record` describes, when it is the root span of an experiment
/// item (read before the metadata is capped, so the expected output arrives whole).
pub fn experiment_of(record: &ObservationRecord) -> Option<SpanExperiment> {
    if record.parent_id.is_some() {
        return None;
    }
    let metadata = &record.metadata;
    let id = text(metadata, experiment::ID)?;
    let span_id = record.id.to_string();
    Some(SpanExperiment {
        experiment: ExperimentFields {
            name: text(metadata, experiment::NAME).unwrap_or_else(|| id.clone()),
            description: text(metadata, experiment::DESCRIPTION),
            metadata: text(metadata, experiment::METADATA),
            dataset_id: text(metadata, experiment::DATASET_ID),
            id: id.clone(),
        },
        item: ExperimentItemFields {
            experiment_id: id,
            trace_id: record.trace_id.to_string(),
            observation_id: text(metadata, experiment::ITEM_ROOT_OBSERVATION_ID).or_else(|| Some(span_id.clone())),
            dataset_item_id: text(metadata, experiment::ITEM_ID),
            item_version: text(metadata, experiment::ITEM_VERSION).and_then(|time| crate::time::parse_time(&time)),
            expected_output: text(metadata, experiment::ITEM_EXPECTED_OUTPUT),
            item_metadata: text(metadata, experiment::ITEM_METADATA),
            start_time: Some(record.start_time.0 as i64),
            end_time: Some(record.end_time.0 as i64),
            level: Some(record.level.as_upper().to_owned()),
            id: span_id,
        },
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use langtrace_core::record::{Level, ObservationType, Timestamp, TraceAttributes};
    use langtrace_core::{ObservationId, TraceId};
    use serde_json::json;

    use super::*;

    fn record(parent: Option<u64>, metadata: serde_json::Value) -> ObservationRecord {
        ObservationRecord {
            id: ObservationId::from_bytes(7u64.to_be_bytes()).unwrap(),
            trace_id: TraceId::from_seed("experiment"),
            parent_id: parent.map(|p| ObservationId::from_bytes(p.to_be_bytes()).unwrap()),
            is_root: parent.is_none(),
            observation_type: ObservationType::Span,
            name: "experiment-item-run".into(),
            start_time: Timestamp(1_000),
            end_time: Timestamp(2_000),
            completion_start_time: None,
            level: Level::Warning,
            status_message: None,
            input: None,
            output: None,
            metadata: metadata.as_object().unwrap().clone(),
            version: None,
            environment: "sdk-experiment".into(),
            model: None,
            model_parameters: Default::default(),
            usage_details: Default::default(),
            cost_details: Default::default(),
            prompt: None,
            trace: Arc::new(TraceAttributes::default()),
            media: Vec::new(),
        }
    }

    #[test]
    fn only_root_spans_with_an_experiment_id_describe_an_item() {
        let attributes = json!({
            experiment::ID: "e1", experiment::NAME: "run", experiment::DATASET_ID: "d1",
            experiment::ITEM_ID: "i1", experiment::ITEM_VERSION: "2023-11-14T22:13:20.123Z",
            experiment::ITEM_EXPECTED_OUTPUT: "\"4\"", experiment::ITEM_ROOT_OBSERVATION_ID: "task",
            experiment::METADATA: "{\"k\":1}",
        });
        let found = experiment_of(&record(None, attributes.clone())).expect("a root with an id");
        assert_eq!(found.experiment.id, "e1");
        assert_eq!((found.experiment.name.as_str(), found.experiment.dataset_id.as_deref()), ("run", Some("d1")));
        assert_eq!(found.experiment.metadata.as_deref(), Some("{\"k\":1}"));
        assert_eq!(found.item.trace_id, TraceId::from_seed("experiment").to_string());
        assert_eq!(
            (found.item.observation_id.as_deref(), found.item.dataset_item_id.as_deref()),
            (Some("task"), Some("i1"))
        );
        assert_eq!(found.item.item_version, Some(1_700_000_000_123_000_000));
        assert_eq!(
            (found.item.start_time, found.item.end_time, found.item.level.as_deref()),
            (Some(1_000), Some(2_000), Some("WARNING"))
        );
        assert_eq!(found.item.expected_output.as_deref(), Some("\"4\""));
        assert_eq!(experiment_of(&record(Some(1), attributes)), None, "a child span is not looked at");
        assert_eq!(experiment_of(&record(None, json!({"other": 1}))), None);
        assert_eq!(experiment_of(&record(None, json!({experiment::ID: ""}))), None, "an empty id is none");
    }
}
