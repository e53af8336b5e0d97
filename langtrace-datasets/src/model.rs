//! The dataset objects of Langfuse's public API, as the client reads and writes them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Whether an item takes part in experiments (`ACTIVE`) or is hidden (`ARCHIVED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemStatus {
    /// Listed and used by experiments.
    Active,
    /// Kept, but no longer listed.
    Archived,
}

/// A dataset with its active items, as [`Datasets::get`](crate::Datasets::get) reads it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    /// Dataset id.
    pub id: String,
    /// Dataset name (unique in the project).
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Free metadata.
    pub metadata: Option<Value>,
    /// The project it belongs to.
    pub project_id: String,
    /// When it was created (ISO time).
    pub created_at: String,
    /// When it last changed (ISO time).
    pub updated_at: String,
    /// Its active items, every page of them, newest first as the server lists them.
    #[serde(default, skip_deserializing)]
    pub items: Vec<DatasetItem>,
}

/// One dataset item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetItem {
    /// Item id (unique in the project).
    pub id: String,
    /// Active or archived.
    pub status: ItemStatus,
    /// What a task is given.
    pub input: Option<Value>,
    /// What a good answer looks like.
    pub expected_output: Option<Value>,
    /// Free metadata.
    pub metadata: Option<Value>,
    /// The trace the item was made from.
    #[serde(default)]
    pub source_trace_id: Option<String>,
    /// The observation the item was made from.
    #[serde(default)]
    pub source_observation_id: Option<String>,
    /// The dataset's id.
    pub dataset_id: String,
    /// The dataset's name.
    pub dataset_name: String,
    /// When it was created (ISO time).
    pub created_at: String,
    /// When it last changed (ISO time).
    pub updated_at: String,
}

/// A dataset to create (or update: datasets are upserted by name).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDataset {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Value>,
}

impl NewDataset {
    /// A dataset named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), description: None, metadata: None }
    }

    /// Its description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Its metadata.
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

/// Where an item's input and expected output come from when it is made from traced data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// A trace: its input and output.
    Trace(String),
    /// An observation: its input and output, and its trace.
    Observation(String),
}

/// An item to create (or update: an item given an id is upserted, and fields left unset
/// keep their stored values).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewItem {
    pub(crate) dataset_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) input: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) expected_output: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) source_trace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) source_observation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<ItemStatus>,
    #[serde(skip)]
    pub(crate) source: Option<Source>,
}

impl NewItem {
    /// An item of the dataset `dataset_name`.
    pub fn new(dataset_name: impl Into<String>) -> Self {
        Self {
            dataset_name: dataset_name.into(),
            id: None,
            input: None,
            expected_output: None,
            metadata: None,
            source_trace_id: None,
            source_observation_id: None,
            status: None,
            source: None,
        }
    }

    /// An item made from a trace: its input and output (as expected output) are read
    /// from the server when the item is created, and the item links to the trace.
    pub fn from_trace(dataset_name: impl Into<String>, trace_id: impl Into<String>) -> Self {
        let mut item = Self::new(dataset_name);
        item.source = Some(Source::Trace(trace_id.into()));
        item
    }

    /// An item made from one observation: its input and output are read from the server
    /// when the item is created, and the item links to the observation and its trace.
    pub fn from_observation(dataset_name: impl Into<String>, observation_id: impl Into<String>) -> Self {
        let mut item = Self::new(dataset_name);
        item.source = Some(Source::Observation(observation_id.into()));
        item
    }

    /// The item's id (the item is replaced if it exists).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The input (replaces one read from a trace).
    pub fn input(mut self, input: Value) -> Self {
        self.input = Some(input);
        self
    }

    /// The expected output (replaces one read from a trace).
    pub fn expected_output(mut self, expected_output: Value) -> Self {
        self.expected_output = Some(expected_output);
        self
    }

    /// The metadata.
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// The status (default active).
    pub fn status(mut self, status: ItemStatus) -> Self {
        self.status = Some(status);
        self
    }
}

/// One page of a list answer.
#[derive(Deserialize)]
pub(crate) struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

/// Where a page is in its list.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageMeta {
    pub page: u32,
    pub total_pages: u32,
}

/// What an item made from traced data takes from its source.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Traced {
    #[serde(default)]
    pub input: Option<Value>,
    #[serde(default)]
    pub output: Option<Value>,
    /// Set for an observation.
    #[serde(default)]
    pub trace_id: Option<String>,
}
