//! `PATCH /api/public/traces/{id}` (langtrace's own; Langfuse's public API has no trace
//! update): `{"public": bool, "bookmarked": bool}`, either or both, sets the flags the UI's
//! share toggle and star change; answers the trace as `GET /api/public/traces/{id}` lists
//! it (without observations), 404 for a trace the project does not have.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::body::JsonBody;
use super::path::PathParams;
use super::traces::Trace;
use crate::app::{ApiError, AppState, Authed};
use crate::store::traces;
use crate::store::write::trace_flags::{self, TraceFlags};

/// The body of the PATCH.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateTrace {
    public: Option<bool>,
    bookmarked: Option<bool>,
}

/// `PATCH /api/public/traces/{id}`.
pub async fn update(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<UpdateTrace>,
) -> Result<Json<Trace>, ApiError> {
    if body.public.is_none() && body.bookmarked.is_none() {
        return Err(ApiError::BadRequest("give public or bookmarked (or both)".into()));
    }
    let flags = TraceFlags { public: body.public, bookmarked: body.bookmarked };
    let (project_id, trace_id) = (project.id.clone(), id.clone());
    let found = state.writer.write(move |tx| trace_flags::set(tx, &project_id, &trace_id, flags)).await?;
    if !found {
        return Err(ApiError::NotFound(format!("trace {id}")));
    }
    let row = state
        .read(move |c| traces::get(c, &project.id, &id)?.ok_or_else(|| ApiError::NotFound(format!("trace {id}"))))
        .await?;
    Ok(Json(row.into()))
}
