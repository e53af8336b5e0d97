//! Prompt management on Langfuse's routes and shapes (`/api/public/v2/prompts`): list,
//! create, get (resolving composition), move labels, delete; and langtrace's own label
//! history and per-version metrics. Every write (version numbering, label moves,
//! reference checks) runs in one transaction of the single writer.
//!
//! - `rules`: the create request and its validation;
//! - `compose`: references between prompts, checked and resolved;
//! - `wire`: the JSON shapes;
//! - `list`, `create`, `get`, `labels`, `delete`, `history`, `metrics`: one route each
//!   (`history` and `metrics` are langtrace's own).

pub mod compose;
pub mod create;
pub mod delete;
pub mod get;
pub mod history;
pub mod labels;
pub mod list;
pub mod metrics;
pub mod rules;
pub mod wire;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::app::{ApiError, AppState, Authed};
use crate::auth::Project;

/// The authenticated project of a request that changes prompts, and the public key that
/// made it (for the label history).
pub struct Author {
    /// The project.
    pub project: Project,
    /// The request's public key.
    pub public_key: String,
}

impl FromRequestParts<AppState> for Author {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Authed(project) = Authed::from_request_parts(parts, state).await?;
        let public_key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(crate::auth::public_key_of)
            .unwrap_or_default();
        Ok(Author { project, public_key })
    }
}

/// Langfuse's 404 for a name and a label or version.
pub fn not_found(name: &str, selector: &crate::store::prompts::Selector) -> ApiError {
    ApiError::Missing(format!("Prompt not found: {}", compose::describe(name, selector)))
}
