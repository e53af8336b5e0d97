//! [`ExperimentAttributes`]: what marks every observation of an experiment item's trace
//! (Langfuse's `langfuse.experiment.*` span attributes).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::ObservationId;

/// The experiment an item's trace belongs to: set once per item trace (see
/// [`TraceHandle::set_experiment`](crate::TraceHandle::set_experiment)); every
/// observation of the trace then carries it, and is exported in environment
/// `sdk-experiment`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentAttributes {
    /// Experiment (dataset run) id.
    pub id: String,
    /// Run name.
    pub name: String,
    /// Run description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Run metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Dataset id, for items read from a dataset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_id: Option<String>,
    /// Dataset item id (else a hash of the input).
    pub item_id: String,
    /// Dataset version the item was read at (ISO time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_version: Option<String>,
    /// The item's expected output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_expected_output: Option<Value>,
    /// The item's metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_metadata: Option<Value>,
    /// The task observation of the item (its scores are on it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_observation_id: Option<ObservationId>,
}
