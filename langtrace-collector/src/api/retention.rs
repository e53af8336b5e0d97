//! The project's retention, ours (Langfuse sets it in its UI only):
//! `GET /api/public/projects/{projectId}/retention` answers
//! `{"projectId", "retentionDays"}` (`null`: traces are kept forever);
//! `PUT` with `{"retentionDays": N}` (a whole number of days, at least 1, or `null`) sets
//! it, prunes the project's traces past it at once, reclaims their space, and answers
//! with `prunedTraces` added. A key reaches only its own project (any other id is 404).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::keys::own;
use crate::api::body::JsonBody;
use crate::api::path::PathParams;
use crate::app::{ApiError, AppState, Authed};
use crate::lifecycle::prune::{self, PruneError};
use crate::store::retention;

/// A project's retention.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Retention {
    project_id: String,
    retention_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pruned_traces: Option<usize>,
}

/// Body of the `PUT`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionUpdate {
    retention_days: Value,
}

/// `GET /api/public/projects/{projectId}/retention`.
pub async fn get(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(project_id): PathParams<String>,
) -> Result<Json<Retention>, ApiError> {
    let project = own(project, &project_id)?;
    let id = project.id.clone();
    let days = state.read(move |connection| Ok(retention::get(connection, &id)?)).await?;
    Ok(Json(Retention { project_id: project.id, retention_days: days, pruned_traces: None }))
}

/// `PUT /api/public/projects/{projectId}/retention`.
pub async fn put(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(project_id): PathParams<String>,
    JsonBody(body): JsonBody<RetentionUpdate>,
) -> Result<Json<Retention>, ApiError> {
    let project = own(project, &project_id)?;
    let days = days(&body.retention_days)?;
    let id = project.id.clone();
    state.writer.write(move |tx| retention::set(tx, &id, days)).await?;
    let pruned = match days {
        Some(days) => {
            let limits = &state.limits;
            let pruned = prune::project(&state.store, &state.writer, &limits.media_dir, &project.id, days).await;
            let pruned = pruned.map_err(prune_failed)?;
            if pruned > 0 {
                prune::reclaim(&state.store, &state.writer).await.map_err(prune_failed)?;
            }
            pruned
        }
        None => 0,
    };
    Ok(Json(Retention { project_id: project.id, retention_days: days, pruned_traces: Some(pruned) }))
}

/// The days `value` asks for: a whole number of at least 1, or `null` for no retention.
fn days(value: &Value) -> Result<Option<i64>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::Number(number) => match number.as_i64() {
            Some(days) if days >= 1 => Ok(Some(days)),
            _ => Err(ApiError::BadRequest(format!(
                "retentionDays must be a whole number of days of at least 1, or null to keep every trace; got {number}"
            ))),
        },
        other => Err(ApiError::BadRequest(format!(
            "retentionDays must be a whole number of days of at least 1, or null to keep every trace; got {other}"
        ))),
    }
}

/// A prune that stopped, as the API's error.
fn prune_failed(error: PruneError) -> ApiError {
    match error {
        PruneError::Write(error) => error.into(),
        other => ApiError::internal(other),
    }
}
