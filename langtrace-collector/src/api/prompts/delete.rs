//! `DELETE /api/public/v2/prompts/{name}`: every version, the one `version`, or the one
//! carrying `label`; 204, 404 when nothing matches, 400 when a prompt of another name
//! includes a version that would go (by version, or by a label only deleted versions
//! carry).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::Author;
use crate::api::path::PathParams;
use crate::api::query::Query;
use crate::app::{ApiError, AppState};
use crate::store::db::{self, Transaction};
use crate::store::prompts::{self, Selector};
use crate::store::write::prompts::{delete_versions, Change};
use crate::writer::LockKey;

/// The query of the DELETE.
#[derive(Debug, Deserialize)]
pub struct DeleteQuery {
    version: Option<i64>,
    label: Option<String>,
}

/// `DELETE /api/public/v2/prompts/{name}`.
pub async fn delete(
    State(state): State<AppState>,
    author: Author,
    PathParams(name): PathParams<String>,
    Query(query): Query<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    let selector = match (query.version, query.label) {
        (Some(_), Some(_)) => return Err(ApiError::BadRequest("Cannot specify both version and label".into())),
        (Some(version), None) => Some(Selector::Version(version)),
        (None, Some(label)) => Some(Selector::Label(label)),
        (None, None) => None,
    };
    let (project_id, public_key) = (author.project.id.clone(), author.public_key);
    let outcome = state
        .writer
        .write_locked(vec![LockKey::prompt(&project_id, &name)], {
            let (name, selector) = (name.clone(), selector.clone());
            move |tx| delete_in(tx, &project_id, &name, selector.as_ref(), &Change::now(&public_key))
        })
        .await??;
    if outcome == 0 {
        return Err(match selector {
            Some(selector) => super::not_found(&name, &selector),
            None => ApiError::Missing(format!("Prompt not found: '{name}'")),
        });
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes the versions `selector` picks (all without one) unless another name depends
/// on them; the versions deleted.
fn delete_in(
    tx: &Transaction<'_>,
    project_id: &str,
    name: &str,
    selector: Option<&Selector>,
    change: &Change,
) -> db::Result<Result<usize, ApiError>> {
    let versions: Vec<i64> = match selector {
        Some(selector) => prompts::find(tx, project_id, name, selector)?.map(|row| row.version).into_iter().collect(),
        None => prompts::versions(tx, project_id, name)?.into_iter().map(|row| row.version).collect(),
    };
    for dependent in prompts::dependents(tx, project_id, name)? {
        let needed = match &dependent.child {
            Selector::Version(version) => Some(*version),
            Selector::Label(label) => prompts::label_version(tx, project_id, name, label)?,
        };
        if needed.is_some_and(|version| versions.contains(&version)) {
            return Ok(Err(ApiError::BadRequest(format!(
                "Other prompts are depending on the prompt version you are trying to delete: \
                 '{}' version {} includes it. Delete or change the dependent prompts first",
                dependent.parent_name, dependent.parent_version
            ))));
        }
    }
    Ok(Ok(delete_versions(tx, project_id, name, &versions, change)?))
}
