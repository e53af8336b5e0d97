//! The JSON shapes of dataset runs and their items (Langfuse's v1/v2 names) and of the v4
//! experiments and experiment items, with the field groups `fields=` picks.

use serde::Serialize;
use serde_json::Value;

use crate::api::scores::Score;
use crate::api::wire::{iso, json_column};
use crate::store::datasets::experiments::{ExperimentItemRow, ExperimentRow};

/// A dataset run.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetRun {
    id: String,
    name: String,
    description: Option<String>,
    metadata: Value,
    dataset_id: Option<String>,
    dataset_name: Option<String>,
    created_at: String,
    updated_at: String,
}

impl From<ExperimentRow> for DatasetRun {
    fn from(row: ExperimentRow) -> Self {
        Self {
            metadata: json_column(row.metadata.as_deref()),
            created_at: iso(row.created_at),
            updated_at: iso(row.updated_at),
            id: row.id,
            name: row.name,
            description: row.description,
            dataset_id: row.dataset_id,
            dataset_name: row.dataset_name,
        }
    }
}

/// A dataset run with its items.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetRunWithItems {
    #[serde(flatten)]
    run: DatasetRun,
    dataset_run_items: Vec<DatasetRunItem>,
}

impl DatasetRunWithItems {
    /// `run` with `items`.
    pub fn new(run: ExperimentRow, items: Vec<ExperimentItemRow>) -> Self {
        Self { run: run.into(), dataset_run_items: items.into_iter().map(DatasetRunItem::from).collect() }
    }
}

/// A dataset run item.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetRunItem {
    id: String,
    dataset_run_id: String,
    dataset_run_name: String,
    dataset_item_id: Option<String>,
    trace_id: String,
    observation_id: Option<String>,
    created_at: String,
    updated_at: String,
}

impl From<ExperimentItemRow> for DatasetRunItem {
    fn from(row: ExperimentItemRow) -> Self {
        Self {
            created_at: iso(row.created_at),
            updated_at: iso(row.updated_at),
            id: row.id,
            dataset_run_id: row.experiment_id,
            dataset_run_name: row.experiment_name,
            dataset_item_id: row.dataset_item_id,
            trace_id: row.trace_id,
            observation_id: row.observation_id,
        }
    }
}

/// The field groups a v4 list answers with (`fields=`; `core` always).
#[derive(Debug, Default, Clone, Copy)]
pub struct Fields {
    /// `metadata`.
    pub metadata: bool,
    /// `scores`.
    pub scores: bool,
    /// `dataset`.
    pub dataset: bool,
    /// `io`.
    pub io: bool,
    /// `itemMetadata`.
    pub item_metadata: bool,
    /// `experimentMetadata`.
    pub experiment_metadata: bool,
}

impl Fields {
    /// The groups named in `fields`; a name outside `known` is refused.
    pub fn parse(fields: &[String], known: &[&str]) -> Result<Self, String> {
        let mut picked = Fields::default();
        for field in fields {
            if !known.contains(&field.as_str()) {
                return Err(format!("unknown field group {field:?}: use {}", known.join(", ")));
            }
            match field.as_str() {
                "metadata" => picked.metadata = true,
                "scores" => picked.scores = true,
                "dataset" => picked.dataset = true,
                "io" => picked.io = true,
                "itemMetadata" => picked.item_metadata = true,
                "experimentMetadata" => picked.experiment_metadata = true,
                _ => {}
            }
        }
        Ok(picked)
    }
}

/// A v4 experiment.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Experiment {
    id: String,
    name: String,
    description: Option<String>,
    start_time: String,
    end_time: Option<String>,
    item_count: i64,
    dataset_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scores: Option<Vec<Score>>,
}

impl Experiment {
    /// The groups `fields` picks of `row`, with its run scores when asked for.
    pub fn shaped(row: ExperimentRow, fields: Fields, scores: Option<Vec<Score>>) -> Self {
        Self {
            metadata: fields.metadata.then(|| json_column(row.metadata.as_deref())),
            start_time: iso(row.start_time),
            end_time: row.end_time.map(iso),
            id: row.id,
            name: row.name,
            description: row.description,
            item_count: row.item_count,
            dataset_id: row.dataset_id,
            scores,
        }
    }
}

/// A v4 experiment item.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentItem {
    id: String,
    trace_id: String,
    start_time: String,
    end_time: Option<String>,
    level: String,
    environment: String,
    experiment_id: String,
    experiment_name: String,
    experiment_item_id: Option<String>,
    observation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    experiment_dataset_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    experiment_item_version: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_output: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    experiment_item_metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    experiment_metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scores: Option<Vec<Score>>,
}

impl ExperimentItem {
    /// The groups `fields` picks of `row`, with its trace's scores when asked for.
    pub fn shaped(row: ExperimentItemRow, fields: Fields, scores: Option<Vec<Score>>) -> Self {
        Self {
            start_time: iso(row.start_time),
            end_time: row.end_time.map(iso),
            level: row.level.unwrap_or_else(|| "DEFAULT".to_owned()),
            environment: row.environment.unwrap_or_else(|| langtrace_core::environment::DEFAULT.to_owned()),
            experiment_dataset_id: fields.dataset.then(|| row.dataset_id.clone()),
            experiment_item_version: fields.dataset.then(|| row.item_version.map(iso)),
            input: fields.io.then(|| json_column(row.input.as_deref())),
            output: fields.io.then(|| json_column(row.output.as_deref())),
            expected_output: fields.io.then(|| json_column(row.expected_output.as_deref())),
            experiment_item_metadata: fields.item_metadata.then(|| json_column(row.item_metadata.as_deref())),
            experiment_metadata: fields.experiment_metadata.then(|| json_column(row.experiment_metadata.as_deref())),
            id: row.id,
            trace_id: row.trace_id,
            experiment_id: row.experiment_id,
            experiment_name: row.experiment_name,
            experiment_item_id: row.dataset_item_id,
            observation_id: row.observation_id,
            scores,
        }
    }
}
