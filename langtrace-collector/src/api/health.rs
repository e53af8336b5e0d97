//! `GET /api/public/health` (unauthenticated, for probes), `GET /api/public/projects`
//! (the authenticated key's project, its retention, and with `usage=true` its counts and
//! sizes) and `GET /api/public/environments` (the project's
//! environments, for the UI's selector).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::query::Query;
use crate::app::{ApiError, AppState, Authed};
use crate::store::{environments, retention, usage};

/// Liveness and version.
#[derive(Debug, Serialize)]
pub struct Health {
    status: &'static str,
    version: &'static str,
}

/// `GET /api/public/health`.
pub async fn health() -> Json<Health> {
    Json(Health { status: "OK", version: env!("CARGO_PKG_VERSION") })
}

/// A list answered as `{data: [...]}`.
#[derive(Debug, Serialize)]
pub struct Data<T> {
    data: Vec<T>,
}

/// The organisation every project belongs to here.
#[derive(Debug, Serialize)]
pub struct Organization {
    id: &'static str,
    name: &'static str,
}

/// A project in Langfuse's shape, with its retention, and (ours) its usage when asked.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectInfo {
    id: String,
    name: String,
    organization: Organization,
    metadata: serde_json::Map<String, serde_json::Value>,
    retention_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<ProjectUsage>,
}

/// What a project holds (ours): counts, media bytes, and the database's size, which
/// every project shares.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectUsage {
    traces: i64,
    observations: i64,
    scores: i64,
    media_files: i64,
    media_bytes: i64,
    database_bytes: u64,
}

/// The query of `GET /api/public/projects`: `usage=true` adds counts and sizes (each a
/// count over the project's rows, so not on every call).
#[derive(Debug, Deserialize)]
pub struct ProjectsQuery {
    #[serde(default)]
    usage: bool,
}

/// `GET /api/public/projects`: the project of the key.
pub async fn projects(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(query): Query<ProjectsQuery>,
) -> Result<Json<Data<ProjectInfo>>, ApiError> {
    let id = project.id.clone();
    let store = state.store.clone();
    let (retention_days, usage) = state
        .read(move |c| {
            let usage = match query.usage {
                true => Some((usage::of_project(c, &id)?, store.database_bytes(c)?)),
                false => None,
            };
            Ok((retention::get(c, &id)?, usage))
        })
        .await?;
    let usage = usage.map(|(usage, database_bytes)| ProjectUsage {
        traces: usage.traces,
        observations: usage.observations,
        scores: usage.scores,
        media_files: usage.media_files,
        media_bytes: usage.media_bytes,
        database_bytes,
    });
    let organization = Organization { id: "local", name: "langtrace" };
    let info = ProjectInfo {
        id: project.id,
        name: project.name,
        organization,
        metadata: serde_json::Map::new(),
        retention_days,
        usage,
    };
    Ok(Json(Data { data: vec![info] }))
}

/// One environment.
#[derive(Debug, Serialize)]
pub struct Environment {
    name: String,
}

/// `GET /api/public/environments`: `{data: [{name}]}`, sorted by name.
pub async fn environments(
    State(state): State<AppState>,
    Authed(project): Authed,
) -> Result<Json<Data<Environment>>, ApiError> {
    let names = state.read(move |c| Ok(environments::list(c, &project.id)?)).await?;
    Ok(Json(Data { data: names.into_iter().map(|name| Environment { name }).collect() }))
}
