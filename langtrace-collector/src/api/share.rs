//! The share path: a trace marked public (by its spans, `langfuse.trace.public`, or by
//! `PATCH /api/public/traces/{id}`) is readable without keys at
//! `GET /api/public/share/traces/{id}` (the trace as `GET /api/public/traces/{id}` answers
//! it, same query) and its observations one by one at
//! `GET /api/public/share/traces/{id}/observations/{observationId}` (for the whole
//! input and output of a preview), and the bytes of the media it holds at
//! `GET /api/public/share/traces/{id}/media/{mediaId}`. Nothing else is: a private or
//! unknown trace, an observation or media of another trace, answer the same 404, so the
//! path tells nothing about what is not public.

use axum::extract::State;
use axum::response::Response;
use axum::Json;

use super::observations::Observation;
use super::path::PathParams;
use super::query::Query;
use super::traces::{read_detail, DetailQuery, TraceDetail};
use crate::app::{ApiError, AppState};
use crate::store::db;
use crate::store::{media, observations, traces};

/// The project of public trace `id`, else the 404 of the share path.
fn owner(connection: &db::Connection, id: &str) -> Result<String, ApiError> {
    traces::public_owner(connection, id)?.ok_or_else(|| ApiError::NotFound(format!("public trace {id}")))
}

/// `GET /api/public/share/traces/{id}`.
pub async fn trace(
    State(state): State<AppState>,
    PathParams(id): PathParams<String>,
    Query(query): Query<DetailQuery>,
) -> Result<Json<TraceDetail>, ApiError> {
    query.validate()?;
    state
        .read(move |connection| {
            let project_id = owner(connection, &id)?;
            Ok(Json(read_detail(connection, &project_id, &id, &query)?))
        })
        .await
}

/// `GET /api/public/share/traces/{id}/observations/{observationId}`.
pub async fn observation(
    State(state): State<AppState>,
    PathParams((id, observation_id)): PathParams<(String, String)>,
) -> Result<Json<Observation>, ApiError> {
    state
        .read(move |connection| {
            let project_id = owner(connection, &id)?;
            let row = observations::get(connection, &project_id, &observation_id)?
                .filter(|row| row.trace_id == id)
                .ok_or_else(|| ApiError::NotFound(format!("observation {observation_id} of public trace {id}")))?;
            Ok(Json(row.into()))
        })
        .await
}

/// `GET /api/public/share/traces/{id}/media/{mediaId}`: the bytes as
/// `GET /api/public/media/{id}/content` serves them, for media the public trace holds.
pub async fn media(
    State(state): State<AppState>,
    PathParams((id, media_id)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    let not_found = |id: &str, media_id: &str| ApiError::NotFound(format!("media {media_id} of public trace {id}"));
    let (row, media_id) = state
        .read(move |connection| {
            let project_id = owner(connection, &id)?;
            if !media::of_trace(connection, &project_id, &id, &media_id)? {
                return Err(not_found(&id, &media_id));
            }
            let row = media::get(connection, &project_id, &media_id)?.ok_or_else(|| not_found(&id, &media_id))?;
            Ok((row, media_id))
        })
        .await?;
    super::media::bytes_of(&state, row, &media_id).await
}
