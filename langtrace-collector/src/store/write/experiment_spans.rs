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
            item_version: text(metadata, experiment::ITEM_VERSION).and_then(|time| crate::api::wire::parse_time(&time)),
            expected_output: text(metadata, experiment::ITEM_EXPECTED_OUTPUT),
            item_metadata: text(metadata, experiment::ITEM_METADATA),
            start_time: Some(record.start_time.0 as i64),
            end_time: Some(record.end_time.0 as i64),
            level: Some(record.level.as_upper().to_owned()),
            id: span_id,
        },
    })
}
