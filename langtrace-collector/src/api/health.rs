//! `GET /api/public/health` (unauthenticated, for probes), `GET /api/public/projects`
//! (the authenticated key's project) and `GET /api/public/environments` (the project's
//! environments, for the UI's selector).

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::app::{ApiError, AppState, Authed};
use crate::store::environments;

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

/// A project in Langfuse's shape.
#[derive(Debug, Serialize)]
pub struct ProjectInfo {
    id: String,
    name: String,
    organization: Organization,
    metadata: serde_json::Map<String, serde_json::Value>,
}

/// `GET /api/public/projects`: the project of the key.
pub async fn projects(Authed(project): Authed) -> Json<Data<ProjectInfo>> {
    let organization = Organization { id: "local", name: "langtrace" };
    let info = ProjectInfo { id: project.id, name: project.name, organization, metadata: serde_json::Map::new() };
    Json(Data { data: vec![info] })
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
