//! `POST/GET /api/public/v2/datasets` and `GET /api/public/v2/datasets/{name}`: datasets
//! upserted by name (fields left out keep their stored values), listed newest first.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

use super::schema::ItemSchema;
use super::wire::{Dataset, DatasetWithItems};
use crate::api::body::JsonBody;
use crate::api::paging::{ListPage, PageQuery};
use crate::api::path::PathParams;
use crate::api::query::Query;
use crate::app::{ApiError, AppState, Authed};
use crate::auth::random_hex;
use crate::store::datasets::items::{self, ItemFilter};
use crate::store::datasets::{self, experiments};
use crate::store::db;
use crate::store::filter::Page;
use crate::store::now_ns;
use crate::store::write::datasets::{upsert_dataset, DatasetFields};

/// The body of `POST /api/public/v2/datasets`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDataset {
    name: String,
    description: Option<String>,
    metadata: Option<Value>,
    input_schema: Option<Value>,
    expected_output_schema: Option<Value>,
}

impl CreateDataset {
    /// The fields to store: a name, schemas that compile.
    fn validate(self) -> Result<DatasetFields, ApiError> {
        if self.name.trim().is_empty() {
            return Err(ApiError::BadRequest("name must not be empty".into()));
        }
        let schema = |field: &str, value: Option<Value>| -> Result<Option<String>, ApiError> {
            let Some(value) = value else { return Ok(None) };
            ItemSchema::compile(&value)
                .map_err(|problem| ApiError::BadRequest(format!("{field} is not a valid JSON Schema: {problem}")))?;
            Ok(Some(value.to_string()))
        };
        Ok(DatasetFields {
            id: random_hex(16),
            input_schema: schema("inputSchema", self.input_schema)?,
            expected_output_schema: schema("expectedOutputSchema", self.expected_output_schema)?,
            name: self.name,
            description: self.description,
            metadata: self.metadata.map(|metadata| metadata.to_string()),
        })
    }
}

/// `POST /api/public/v2/datasets`.
pub async fn create(
    State(state): State<AppState>,
    Authed(project): Authed,
    JsonBody(body): JsonBody<CreateDataset>,
) -> Result<Json<Dataset>, ApiError> {
    let fields = body.validate()?;
    let project_id = project.id.clone();
    let row = state.writer.write(move |tx| upsert_dataset(tx, &project_id, &fields, now_ns())).await?;
    Ok(Json(Dataset::stored(&project.id, row)))
}

/// `GET /api/public/v2/datasets`.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(query): Query<PageQuery>,
) -> Result<Json<ListPage<Dataset>>, ApiError> {
    let page = query.page()?;
    let project_id = project.id.clone();
    let paged = state.read(move |c| Ok(datasets::page(c, &project_id, page)?)).await?;
    Ok(Json(ListPage::of(page, paged, |row| Dataset::stored(&project.id, row))))
}

/// `GET /api/public/v2/datasets/{name}`.
pub async fn get(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(name): PathParams<String>,
) -> Result<Json<Dataset>, ApiError> {
    let project_id = project.id.clone();
    let row =
        state.read(move |c| datasets::by_name(c, &project_id, &name)?.ok_or_else(super::dataset_not_found)).await?;
    Ok(Json(Dataset::stored(&project.id, row)))
}

/// `GET /api/public/datasets/{name}` (legacy v1): the dataset with its newest ACTIVE
/// items (at most [`super::INLINE_ITEMS`]) and the names of its runs.
pub async fn get_v1(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(name): PathParams<String>,
) -> Result<Json<DatasetWithItems>, ApiError> {
    let public_url = state.limits.public_url.clone();
    let answer = state
        .read(move |c| {
            let dataset = datasets::by_name(c, &project.id, &name)?.ok_or_else(super::dataset_not_found)?;
            let filter = ItemFilter { dataset_id: Some(dataset.id.clone()), ..ItemFilter::default() };
            let rows = items::page(c, &project.id, &filter, Page { page: 1, limit: super::INLINE_ITEMS })?.rows;
            let shaped = rows
                .into_iter()
                .map(|row| super::items::shaped(c, &project.id, &public_url, row))
                .collect::<db::Result<Vec<_>>>()?;
            let runs = experiments::run_names(c, &project.id, &dataset.id)?;
            Ok(DatasetWithItems::new(Dataset::stored(&project.id, dataset), shaped, runs))
        })
        .await?;
    Ok(Json(answer))
}
