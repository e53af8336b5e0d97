//! The JSON shapes of datasets and their items, as Langfuse's SDKs read them (strictly:
//! `input`, `expectedOutput`, `metadata` and `mediaReferences` are always there, null or
//! empty when unset).

use serde::Serialize;
use serde_json::Value;

use super::media::MediaReference;
use crate::api::wire::{iso, json_column};
use crate::store::datasets::items::ItemRow;
use crate::store::datasets::DatasetRow;

/// A dataset.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    id: String,
    name: String,
    description: Option<String>,
    metadata: Value,
    input_schema: Value,
    expected_output_schema: Value,
    project_id: String,
    created_at: String,
    updated_at: String,
}

impl Dataset {
    /// The wire shape of a stored dataset of `project_id`.
    pub fn stored(project_id: &str, row: DatasetRow) -> Self {
        Self {
            metadata: json_column(row.metadata.as_deref()),
            input_schema: json_column(row.input_schema.as_deref()),
            expected_output_schema: json_column(row.expected_output_schema.as_deref()),
            project_id: project_id.to_owned(),
            created_at: iso(row.created_at),
            updated_at: iso(row.updated_at),
            id: row.id,
            name: row.name,
            description: row.description,
        }
    }
}

/// A dataset item (one version of it).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetItem {
    id: String,
    status: String,
    input: Value,
    expected_output: Value,
    metadata: Value,
    source_trace_id: Option<String>,
    source_observation_id: Option<String>,
    dataset_id: String,
    dataset_name: String,
    created_at: String,
    updated_at: String,
    version: String,
    media_references: Vec<MediaReference>,
}

/// A stored item's JSON fields, parsed.
pub struct ItemValues {
    /// Input.
    pub input: Value,
    /// Expected output.
    pub expected_output: Value,
    /// Metadata.
    pub metadata: Value,
}

impl ItemValues {
    /// The JSON fields of `row`.
    pub fn of(row: &ItemRow) -> Self {
        Self {
            input: json_column(row.input.as_deref()),
            expected_output: json_column(row.expected_output.as_deref()),
            metadata: json_column(row.metadata.as_deref()),
        }
    }

    /// The fields with their wire names, as media references name them.
    pub fn named(&self) -> [(&'static str, &Value); 3] {
        [("input", &self.input), ("expectedOutput", &self.expected_output), ("metadata", &self.metadata)]
    }
}

impl DatasetItem {
    /// The wire shape of a stored item version, its values parsed, with its media
    /// references.
    pub fn stored(row: ItemRow, values: ItemValues, media_references: Vec<MediaReference>) -> Self {
        let version = iso(row.valid_from);
        Self {
            input: values.input,
            expected_output: values.expected_output,
            metadata: values.metadata,
            created_at: iso(row.created_at),
            updated_at: version.clone(),
            version,
            media_references,
            id: row.id,
            status: row.status,
            source_trace_id: row.source_trace_id,
            source_observation_id: row.source_observation_id,
            dataset_id: row.dataset_id,
            dataset_name: row.dataset_name,
        }
    }
}

/// A dataset as the legacy v1 route answers it: its ACTIVE items inline, its runs by name.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetWithItems {
    #[serde(flatten)]
    dataset: Dataset,
    items: Vec<DatasetItem>,
    runs: Vec<String>,
}

impl DatasetWithItems {
    /// `dataset` with its items and run names.
    pub fn new(dataset: Dataset, items: Vec<DatasetItem>, runs: Vec<String>) -> Self {
        Self { dataset, items, runs }
    }
}
