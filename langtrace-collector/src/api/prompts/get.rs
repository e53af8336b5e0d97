//! `GET /api/public/v2/prompts/{name}`: one version, by `version`, by `label`, or the
//! `production` one; its references resolved unless `resolve=false`.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Deserializer};

use super::compose::{self, Node, Unresolvable};
use super::wire::Prompt;
use crate::api::path::PathParams;
use crate::api::query::Query;
use crate::app::{ApiError, AppState, Authed};
use crate::store::prompts::{self, Selector};

/// The query of `GET /api/public/v2/prompts/{name}`.
#[derive(Debug, Deserialize)]
pub struct GetQuery {
    version: Option<i64>,
    label: Option<String>,
    #[serde(default, deserialize_with = "boolean")]
    resolve: Option<bool>,
}

/// `true` or `false`, in any case; anything else is refused (a misspelt `resolve` must
/// not silently skip or force resolution).
fn boolean<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|text| match text.to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(serde::de::Error::custom(format!("must be true or false, got {text:?}"))),
        })
        .transpose()
}

impl GetQuery {
    /// The version asked for: `version`, else `label`, else `production`.
    fn selector(&self) -> Result<Selector, ApiError> {
        match (self.version, &self.label) {
            (Some(_), Some(_)) => Err(ApiError::BadRequest("Cannot specify both version and label".into())),
            (Some(version), None) => Ok(Selector::Version(version)),
            (None, Some(label)) => Ok(Selector::Label(label.clone())),
            (None, None) => Ok(Selector::Label("production".into())),
        }
    }
}

/// `GET /api/public/v2/prompts/{name}`.
pub async fn get(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(name): PathParams<String>,
    Query(query): Query<GetQuery>,
) -> Result<Json<Prompt>, ApiError> {
    let selector = query.selector()?;
    let resolve = query.resolve.unwrap_or(true);
    let project_id = project.id.clone();
    let found = state
        .read(move |c| {
            let Some(row) = prompts::find(c, &project_id, &name, &selector)? else {
                return Err(super::not_found(&name, &selector));
            };
            if !resolve {
                return Ok((row, None));
            }
            let node = Node { id: &row.id, name: &row.name, version: row.version, prompt: &row.prompt };
            let resolution = compose::resolve(c, &project_id, node).map_err(|error| match error {
                Unresolvable::Refused(message) => ApiError::BadRequest(message),
                Unresolvable::Database(error) => error.into(),
            })?;
            Ok((row, Some(resolution)))
        })
        .await?;
    let (row, resolution) = found;
    let (resolved, graph) = resolution.map_or((None, None), |r| (Some(r.prompt), r.graph));
    Ok(Json(Prompt::stored(&project.id, row).read(resolved.as_deref(), graph)))
}
