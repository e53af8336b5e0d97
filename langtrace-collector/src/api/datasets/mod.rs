//! Datasets and experiments on Langfuse's routes and shapes: datasets (`/v2/datasets`,
//! the legacy `/datasets/{name}`), their items (`/dataset-items`, versioned), dataset runs
//! (`/dataset-run-items`, `/datasets/{name}/runs`) and the v4 experiments
//! (`/experiments`, `/experiment-items`). Runs and experiments are one thing here, stored
//! once whether they came from spans or from run items. Every write runs in one
//! transaction of the single writer.
//!
//! - `wire`: the JSON shapes;
//! - `schema`: the JSON Schemas a dataset puts on its items;
//! - `media`: the media references in an item's fields;
//! - `sets` (datasets), `items`: one file per resource, its routes.

pub mod items;
pub mod media;
pub mod schema;
pub mod sets;
pub mod wire;

use crate::app::ApiError;

/// Langfuse's 404 for a dataset name or id.
pub fn dataset_not_found() -> ApiError {
    ApiError::Missing("Dataset not found".into())
}
