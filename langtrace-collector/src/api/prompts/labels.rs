//! `PATCH /api/public/v2/prompts/{name}/versions/{version}`: labels added to a version
//! (`newLabels`), each taken off the version it was on. Additive, as Langfuse's: the
//! version keeps its other labels. langtrace checks the label rule here too (Langfuse
//! checks it only at create).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::rules::valid_labels;
use super::wire::Prompt;
use super::Author;
use crate::api::body::JsonBody;
use crate::api::path::PathParams;
use crate::app::{ApiError, AppState};
use crate::store::prompts::{self, Selector};
use crate::store::write::prompts::{move_labels, Change, LATEST};
use crate::writer::LockKey;

/// The body of the PATCH.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewLabels {
    new_labels: Vec<String>,
}

/// `PATCH /api/public/v2/prompts/{name}/versions/{version}`.
pub async fn update(
    State(state): State<AppState>,
    author: Author,
    PathParams((name, version)): PathParams<(String, i64)>,
    JsonBody(body): JsonBody<NewLabels>,
) -> Result<Json<Prompt>, ApiError> {
    if body.new_labels.iter().any(|label| label == LATEST) {
        return Err(ApiError::BadRequest("Label 'latest' is always assigned to the latest prompt version".into()));
    }
    let labels = valid_labels(body.new_labels)?;
    let (project_id, public_key) = (author.project.id.clone(), author.public_key.clone());
    let selector = Selector::Version(version);
    let updated = state
        .writer
        .write_locked(vec![LockKey::prompt(&project_id, &name)], {
            let (name, selector) = (name.clone(), selector.clone());
            move |tx| {
                if prompts::find(tx, &project_id, &name, &selector)?.is_none() {
                    return Ok(None);
                }
                move_labels(tx, &project_id, &name, version, &labels, &Change::now(&public_key))?;
                prompts::find(tx, &project_id, &name, &selector)
            }
        })
        .await?
        .ok_or_else(|| super::not_found(&name, &selector))?;
    Ok(Json(Prompt::stored(&author.project.id, updated)))
}
