//! `POST /api/public/v2/prompts`: a new version of a name, numbered `max + 1` in the
//! writer's transaction, where the type is checked against the earlier versions and
//! the references are resolved; answered 201 with the stored version.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::compose::{self, Node, Unresolvable};
use super::rules::CreatePrompt;
use super::wire::Prompt;
use super::Author;
use crate::api::body::JsonBody;
use crate::app::{ApiError, AppState};
use crate::auth::random_hex;
use crate::store::db::{self, Transaction};
use crate::store::prompts::{self, PromptRow};
use crate::store::write::prompts::{insert_version, next_version, Change, NewVersion};
use crate::writer::LockKey;

/// `POST /api/public/v2/prompts`.
pub async fn create(
    State(state): State<AppState>,
    author: Author,
    JsonBody(body): JsonBody<CreatePrompt>,
) -> Result<(StatusCode, Json<Prompt>), ApiError> {
    let draft = body.validate()?;
    let prompt = draft.body.json_text();
    let new = NewVersion {
        id: random_hex(16),
        dependencies: compose::references(&prompt).into_iter().map(|r| (r.name, r.selector)).collect(),
        name: draft.name,
        prompt_type: draft.body.type_name().to_owned(),
        prompt,
        config: draft.config,
        labels: draft.labels,
        tags: draft.tags.map(|tags| serde_json::Value::from(tags).to_string()),
        commit_message: draft.commit_message,
        created_by: "API".to_owned(),
    };
    let (project_id, public_key) = (author.project.id.clone(), author.public_key);
    let locks = vec![LockKey::prompt(&project_id, &new.name)];
    let row = state
        .writer
        .write_locked(locks, move |tx| create_in(tx, &project_id, &new, &Change::now(&public_key)))
        .await??;
    Ok((StatusCode::CREATED, Json(Prompt::stored(&author.project.id, row))))
}

/// Checks `new` against the stored versions and stores it; a refusal as 400.
fn create_in(
    tx: &Transaction<'_>,
    project_id: &str,
    new: &NewVersion,
    change: &Change,
) -> db::Result<Result<PromptRow, ApiError>> {
    if let Some(newest) = prompts::newest(tx, project_id, &new.name)? {
        if newest.prompt_type != new.prompt_type {
            return Ok(Err(ApiError::BadRequest(format!(
                "Previous versions have different prompt type ({}): create a new prompt with a different name",
                newest.prompt_type
            ))));
        }
    }
    let version = next_version(tx, project_id, &new.name)?;
    let node = Node { id: &new.id, name: &new.name, version, prompt: &new.prompt };
    match compose::resolve(tx, project_id, node) {
        Ok(_) => Ok(Ok(insert_version(tx, project_id, new, change)?)),
        Err(Unresolvable::Refused(message)) => Ok(Err(ApiError::BadRequest(message))),
        Err(Unresolvable::Database(error)) => Err(error),
    }
}
