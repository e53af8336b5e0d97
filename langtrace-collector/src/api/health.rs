//! `GET /api/public/health` (unauthenticated, for probes) and `GET /api/public/projects`
//! (the authenticated key's project).

use axum::Json;
use serde_json::{json, Value};

use super::Authed;

/// Liveness and version.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "OK", "version": env!("CARGO_PKG_VERSION")}))
}

/// The project of the key, in Langfuse's shape.
pub async fn projects(Authed(project): Authed) -> Json<Value> {
    let organization = json!({"id": "local", "name": "langtrace"});
    Json(json!({"data": [{"id": project.id, "name": project.name, "organization": organization, "metadata": {}}]}))
}
