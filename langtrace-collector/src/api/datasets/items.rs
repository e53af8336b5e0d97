//! `POST/GET /api/public/dataset-items` and `GET/DELETE /api/public/dataset-items/{id}`:
//! items upserted by id (unique per project; fields left out keep their stored values),
//! checked against their dataset's schemas; listed ACTIVE only, current or as of a
//! `version` time.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::media;
use super::schema::validate;
use super::wire::{DatasetItem, ItemValues};
use crate::api::body::JsonBody;
use crate::api::paging::{ListPage, PageQuery};
use crate::api::path::PathParams;
use crate::api::query::{iso_time, Query};
use crate::app::{ApiError, AppState, Authed};
use crate::auth::random_hex;
use crate::store::datasets::items::{self, ItemFilter, ItemRow};
use crate::store::datasets::{self, DatasetRow};
use crate::store::db::{self, Connection, Transaction};
use crate::store::now_ns;
use crate::store::write::datasets::{close_item, write_item, ItemVersion};
use crate::writer::LockKey;

/// Longest item id Langfuse takes.
const MAX_ID_CHARS: usize = 255;

/// An item's status.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Listed and used by experiments.
    Active,
    /// Kept, but hidden from lists.
    Archived,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Active => "ACTIVE",
            Status::Archived => "ARCHIVED",
        }
    }
}

/// The body of `POST /api/public/dataset-items`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateItem {
    dataset_name: String,
    id: Option<String>,
    input: Option<Value>,
    expected_output: Option<Value>,
    metadata: Option<Value>,
    source_trace_id: Option<String>,
    source_observation_id: Option<String>,
    status: Option<Status>,
}

/// The item version `request` makes of `current` (the stored version, if any) in
/// `dataset`, checked against its schemas.
fn next_version(
    dataset: &DatasetRow,
    id: String,
    request: CreateItem,
    current: Option<ItemRow>,
) -> Result<ItemVersion, ApiError> {
    let stored = current.as_ref().map(ItemValues::of);
    let keep = |given: Option<Value>, old: Option<&Value>| given.or_else(|| old.filter(|v| !v.is_null()).cloned());
    let input = keep(request.input, stored.as_ref().map(|s| &s.input));
    let expected_output = keep(request.expected_output, stored.as_ref().map(|s| &s.expected_output));
    let metadata = keep(request.metadata, stored.as_ref().map(|s| &s.metadata));
    validate("input", dataset.input_schema.as_deref(), input.as_ref()).map_err(ApiError::BadRequest)?;
    validate("expectedOutput", dataset.expected_output_schema.as_deref(), expected_output.as_ref())
        .map_err(ApiError::BadRequest)?;
    let status = match (request.status, &current) {
        (Some(status), _) => status.as_str().to_owned(),
        (None, Some(current)) => current.status.clone(),
        (None, None) => Status::Active.as_str().to_owned(),
    };
    let (source_trace_id, source_observation_id) = match current {
        Some(current) => (
            request.source_trace_id.or(current.source_trace_id),
            request.source_observation_id.or(current.source_observation_id),
        ),
        None => (request.source_trace_id, request.source_observation_id),
    };
    Ok(ItemVersion {
        id,
        dataset_id: dataset.id.clone(),
        status,
        input: input.map(|v| v.to_string()),
        expected_output: expected_output.map(|v| v.to_string()),
        metadata: metadata.map(|v| v.to_string()),
        source_trace_id,
        source_observation_id,
    })
}

/// Stores `request` as the next version of its item, in the writer's transaction; a
/// refusal as its API error.
fn upsert_in(tx: &Transaction<'_>, project_id: &str, request: CreateItem) -> db::Result<Result<ItemRow, ApiError>> {
    let Some(dataset) = datasets::by_name(tx, project_id, &request.dataset_name)? else {
        return Ok(Err(super::dataset_not_found()));
    };
    let id = request.id.clone().unwrap_or_else(|| random_hex(16));
    if let Some(owner) = items::dataset_of(tx, project_id, &id)? {
        if owner != dataset.id {
            return Ok(Err(ApiError::Conflict(format!(
                "Dataset item {id} belongs to another dataset: item ids are unique per project"
            ))));
        }
    }
    let current = items::current(tx, project_id, &id)?;
    match next_version(&dataset, id, request, current) {
        Ok(version) => Ok(Ok(write_item(tx, project_id, &version, now_ns())?)),
        Err(refused) => Ok(Err(refused)),
    }
}

/// The wire shape of `row`, its media references resolved.
pub fn shaped(connection: &Connection, project_id: &str, public_url: &str, row: ItemRow) -> db::Result<DatasetItem> {
    let values = ItemValues::of(&row);
    let references = media::resolve(connection, project_id, public_url, values.named())?;
    Ok(DatasetItem::stored(row, values, references))
}

/// `POST /api/public/dataset-items`.
pub async fn create(
    State(state): State<AppState>,
    Authed(project): Authed,
    JsonBody(body): JsonBody<CreateItem>,
) -> Result<Json<DatasetItem>, ApiError> {
    if body.id.as_ref().is_some_and(|id| id.is_empty() || id.chars().count() > MAX_ID_CHARS) {
        return Err(ApiError::BadRequest(format!("id must have 1 to {MAX_ID_CHARS} characters")));
    }
    let project_id = project.id.clone();
    // An item without an id gets a new random one: nobody else writes it.
    let locks = body.id.iter().map(|id| LockKey::dataset_item(&project_id, id)).collect();
    let row = state.writer.write_locked(locks, move |tx| upsert_in(tx, &project_id, body.clone())).await??;
    let public_url = state.limits.public_url.clone();
    let item = state.read(move |c| Ok(shaped(c, &project.id, &public_url, row)?)).await?;
    Ok(Json(item))
}

/// The query of `GET /api/public/dataset-items`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    dataset_name: Option<String>,
    source_trace_id: Option<String>,
    source_observation_id: Option<String>,
    #[serde(default, deserialize_with = "iso_time")]
    version: Option<i64>,
    page: Option<u32>,
    limit: Option<u32>,
}

/// `GET /api/public/dataset-items`.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(query): Query<ListQuery>,
) -> Result<Json<ListPage<DatasetItem>>, ApiError> {
    let page = PageQuery { page: query.page, limit: query.limit }.page()?;
    if query.version.is_some() && query.dataset_name.is_none() {
        return Err(ApiError::BadRequest("version requires datasetName".into()));
    }
    let public_url = state.limits.public_url.clone();
    let page = state
        .read(move |c| {
            let dataset_id = match &query.dataset_name {
                Some(name) => Some(datasets::by_name(c, &project.id, name)?.ok_or_else(super::dataset_not_found)?.id),
                None => None,
            };
            let filter = ItemFilter {
                dataset_id,
                source_trace_id: query.source_trace_id,
                source_observation_id: query.source_observation_id,
                as_of: query.version,
            };
            let paged = items::page(c, &project.id, &filter, page)?;
            let rows = paged.rows.into_iter().map(|row| shaped(c, &project.id, &public_url, row));
            let shaped =
                crate::store::filter::Paged { rows: rows.collect::<db::Result<Vec<_>>>()?, total: paged.total };
            Ok(ListPage::of(page, shaped, |item| item))
        })
        .await?;
    Ok(Json(page))
}

/// `GET /api/public/dataset-items/{id}`: the current version, whatever its status.
pub async fn get(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<DatasetItem>, ApiError> {
    let public_url = state.limits.public_url.clone();
    let item = state
        .read(move |c| {
            let row = items::current(c, &project.id, &id)?
                .ok_or_else(|| ApiError::Missing("Dataset item not found".into()))?;
            Ok(shaped(c, &project.id, &public_url, row)?)
        })
        .await?;
    Ok(Json(item))
}

/// The answer of a deletion.
#[derive(Debug, Serialize)]
pub struct Deleted {
    message: &'static str,
}

/// `DELETE /api/public/dataset-items/{id}`: the item leaves every list from now on (its
/// earlier versions stay readable as of their times).
pub async fn delete(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<Deleted>, ApiError> {
    let deleted = state.writer.write(move |tx| close_item(tx, &project.id, &id, now_ns())).await?;
    if !deleted {
        return Err(ApiError::Missing("Dataset item not found".into()));
    }
    Ok(Json(Deleted { message: "Dataset item successfully deleted" }))
}
