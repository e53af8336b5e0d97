//! `GET /api/public/v2/prompts/{name}/labels/history` (langtrace's own, not Langfuse's):
//! every move of the name's labels, newest first: which label, from which version to
//! which, by which public key, when. `latest` is left out (it moves with every create).

use axum::extract::State;
use axum::Json;

use super::wire::{LabelHistory, LabelHistoryEntry};
use crate::api::path::PathParams;
use crate::app::{ApiError, AppState, Authed};
use crate::store::prompts::{self, history};

/// `GET /api/public/v2/prompts/{name}/labels/history`; 404 for a name without versions
/// and without history.
pub async fn history(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(name): PathParams<String>,
) -> Result<Json<LabelHistory>, ApiError> {
    let moves = state
        .read(move |c| {
            let moves = history::of_name(c, &project.id, &name)?;
            if moves.is_empty() && prompts::newest(c, &project.id, &name)?.is_none() {
                return Err(ApiError::Missing(format!("Prompt not found: '{name}'")));
            }
            Ok(moves)
        })
        .await?;
    Ok(Json(LabelHistory { data: moves.into_iter().map(LabelHistoryEntry::from).collect() }))
}
