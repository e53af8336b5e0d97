//! Langfuse's trace deletion: `DELETE /api/public/traces/{traceId}` and
//! `DELETE /api/public/traces` with `{"traceIds": [...]}` (at most [`MAX_TRACE_IDS`]).
//! Every id must name a trace of the key's project (404 naming the others, nothing
//! deleted); the answer (`{"message": ...}`, as Langfuse words it) comes once the
//! deletion is committed and synced (see [`crate::lifecycle::delete`]).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::body::JsonBody;
use crate::api::path::PathParams;
use crate::app::{ApiError, AppState, Authed};
use crate::store::write::delete::missing;

/// Most trace ids one batch deletion takes.
pub const MAX_TRACE_IDS: usize = 1_000;

/// The answer of a deletion.
#[derive(Debug, Serialize)]
pub struct Deleted {
    message: &'static str,
}

/// Body of `DELETE /api/public/traces`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceIds {
    trace_ids: Vec<String>,
}

/// `DELETE /api/public/traces/{traceId}`.
pub async fn one(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(trace_id): PathParams<String>,
) -> Result<Json<Deleted>, ApiError> {
    delete(&state, project.id, vec![trace_id]).await?;
    Ok(Json(Deleted { message: "Trace deleted successfully" }))
}

/// `DELETE /api/public/traces`.
pub async fn many(
    State(state): State<AppState>,
    Authed(project): Authed,
    JsonBody(body): JsonBody<TraceIds>,
) -> Result<Json<Deleted>, ApiError> {
    let mut trace_ids = body.trace_ids;
    if trace_ids.is_empty() {
        return Err(ApiError::BadRequest("traceIds must name at least one trace".into()));
    }
    if trace_ids.len() > MAX_TRACE_IDS {
        return Err(ApiError::BadRequest(format!(
            "traceIds names {} traces, more than the limit of {MAX_TRACE_IDS} per request: delete in batches",
            trace_ids.len()
        )));
    }
    trace_ids.sort();
    trace_ids.dedup();
    delete(&state, project.id, trace_ids).await?;
    Ok(Json(Deleted { message: "Traces deleted successfully" }))
}

/// Deletes `trace_ids` of `project_id` if every one exists there.
async fn delete(state: &AppState, project_id: String, trace_ids: Vec<String>) -> Result<(), ApiError> {
    let (project, ids) = (project_id.clone(), trace_ids.clone());
    let missing = state.read(move |connection| Ok(missing(connection, &project, &ids)?)).await?;
    if !missing.is_empty() {
        return Err(ApiError::NotFound(format!("trace {}", missing.join(", "))));
    }
    crate::lifecycle::delete::traces(&state.writer, &state.limits.media_dir, &project_id, trace_ids).await?;
    Ok(())
}
