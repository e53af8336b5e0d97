//! The project's own API keys, on Langfuse's paths and shapes:
//! `GET /api/public/projects/{projectId}/apiKeys` lists them (`{"apiKeys": [...]}`, public
//! keys and creation times; secrets are never stored, so `displaySecretKey` is only a
//! placeholder), `DELETE /api/public/projects/{projectId}/apiKeys/{apiKeyId}` revokes one
//! (`{"success": true}`; the id is the public key). A key sees only its own project (any
//! other id is 404), may revoke itself, but not the project's last key (409): otherwise
//! nothing could reach the project through the API again.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::wire::iso;
use crate::api::path::PathParams;
use crate::app::{ApiError, AppState, Authed};
use crate::auth::{self, Project, Revocation};

/// What stands for a secret that is never stored.
const UNDISCLOSED_SECRET: &str = "sk-...";

/// Answer of the list.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyList {
    api_keys: Vec<ApiKeySummary>,
}

/// One key, without its secret.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeySummary {
    id: String,
    public_key: String,
    created_at: String,
    display_secret_key: &'static str,
}

/// Answer of a revocation.
#[derive(Serialize)]
pub struct ApiKeyDeletion {
    success: bool,
}

/// The authenticated project, if it is the one the path names.
pub(super) fn own(project: Project, project_id: &str) -> Result<Project, ApiError> {
    if project.id == project_id {
        Ok(project)
    } else {
        Err(ApiError::NotFound(format!("project {project_id}")))
    }
}

/// `GET /api/public/projects/{projectId}/apiKeys`.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(project_id): PathParams<String>,
) -> Result<Json<ApiKeyList>, ApiError> {
    let project = own(project, &project_id)?;
    let keys = state.read(move |connection| Ok(auth::list_keys(connection, &project.id)?)).await?;
    let api_keys = keys
        .into_iter()
        .map(|key| ApiKeySummary {
            id: key.public_key.clone(),
            public_key: key.public_key,
            created_at: iso(key.created_at),
            display_secret_key: UNDISCLOSED_SECRET,
        })
        .collect();
    Ok(Json(ApiKeyList { api_keys }))
}

/// `DELETE /api/public/projects/{projectId}/apiKeys/{apiKeyId}`: effective at once on
/// this server (its cached copy is dropped).
pub async fn revoke(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams((project_id, public_key)): PathParams<(String, String)>,
) -> Result<Json<ApiKeyDeletion>, ApiError> {
    let project = own(project, &project_id)?;
    let revoked = public_key.clone();
    let outcome = state.writer.write(move |tx| auth::revoke_key(tx, &revoked, Some(&project.id))).await?;
    match outcome {
        Revocation::Revoked => {
            state.auth.forget(&public_key);
            Ok(Json(ApiKeyDeletion { success: true }))
        }
        Revocation::NotFound => Err(ApiError::NotFound(format!("API key {public_key}"))),
        Revocation::LastKey => Err(ApiError::Conflict(format!(
            "{public_key} is the project's last key: create another first (langtrace keys create)"
        ))),
    }
}
