//! Datasets and experiments on Langfuse's routes and shapes: datasets (`/v2/datasets`,
//! the legacy `/datasets/{name}`), their items (`/dataset-items`, versioned), dataset runs
//! (`/dataset-run-items`, `/datasets/{name}/runs`) and the v4 experiments
//! (`/experiments`, `/experiment-items`). Runs and experiments are one thing here, stored
//! once whether they came from spans or from run items. Every write runs in one
//! transaction of the single writer.
//!
//! - `wire`, `run_wire`: the JSON shapes;
//! - `schema`: the JSON Schemas a dataset puts on its items;
//! - `media`: the media references in an item's fields;
//! - `stable_id`: the experiment id a run name stands for;
//! - `sets` (datasets), `items`, `run_items`, `runs`, `experiments` (v4 experiments and
//!   experiment items): one file per resource, its routes.

pub mod experiments;
pub mod items;
pub mod media;
pub mod run_items;
pub mod run_wire;
pub mod runs;
pub mod schema;
pub mod sets;
pub mod stable_id;
pub mod wire;

use crate::app::ApiError;

/// The 404 of a run name unknown in its dataset.
pub fn run_not_found() -> ApiError {
    ApiError::Missing("Dataset run not found".into())
}

/// Langfuse's 404 for a dataset name or id.
pub fn dataset_not_found() -> ApiError {
    ApiError::Missing("Dataset not found".into())
}
