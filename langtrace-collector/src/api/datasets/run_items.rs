//! `POST/GET /api/public/dataset-run-items` (the 4.x SDKs' path): a run item links a
//! dataset item to the trace (and task observation) that ran it, under the run named
//! `runName`, whose id is the stable experiment id of (project, dataset, run name), so
//! it is the same experiment the spans of that run describe.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

use super::run_wire::DatasetRunItem;
use super::stable_id::stable_experiment_id;
use crate::api::body::JsonBody;
use crate::api::paging::{ListPage, PageQuery};
use crate::api::query::Query;
use crate::app::{ApiError, AppState, Authed};
use crate::auth::random_hex;
use crate::store::datasets::experiments::{self, ExperimentFilter, ExperimentItemRow, ItemFilter};
use crate::store::datasets::items;
use crate::store::db::{self, params, OptionalExtension, Transaction};
use crate::store::now_ns;
use crate::store::write::datasets::{
    upsert_experiment, upsert_experiment_item, ExperimentFields, ExperimentItemFields,
};
use crate::time::parse_time;

/// The body of `POST /api/public/dataset-run-items`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRunItem {
    run_name: String,
    run_description: Option<String>,
    metadata: Option<Value>,
    dataset_item_id: String,
    trace_id: Option<String>,
    observation_id: Option<String>,
    dataset_version: Option<String>,
    created_at: Option<String>,
}

/// The trace of observation `id`, if stored.
fn trace_of(tx: &Transaction<'_>, project_id: &str, id: &str) -> db::Result<Option<String>> {
    tx.prepare_cached("SELECT trace_id FROM observations WHERE project_id = ?1 AND id = ?2 LIMIT 1")?
        .query_row(params![project_id, id], |row| row.get(0))
        .optional()
}

/// Stores the run and its item in the writer's transaction; a refusal as its API error.
fn create_in(
    tx: &Transaction<'_>,
    project_id: &str,
    body: &CreateRunItem,
    item_version: Option<i64>,
    created_at: Option<i64>,
) -> db::Result<Result<ExperimentItemRow, ApiError>> {
    let Some(item) = items::current(tx, project_id, &body.dataset_item_id)? else {
        return Ok(Err(ApiError::Missing("Dataset item not found".into())));
    };
    let trace_id = match (&body.trace_id, &body.observation_id) {
        (Some(trace_id), _) => trace_id.clone(),
        (None, Some(observation_id)) => match trace_of(tx, project_id, observation_id)? {
            Some(trace_id) => trace_id,
            None => return Ok(Err(ApiError::Missing("Observation not found".into()))),
        },
        (None, None) => return Ok(Err(ApiError::BadRequest("traceId or observationId is required".into()))),
    };
    let now = now_ns();
    let experiment = ExperimentFields {
        id: stable_experiment_id(project_id, &item.dataset_id, &body.run_name),
        name: body.run_name.clone(),
        description: body.run_description.clone(),
        metadata: body.metadata.as_ref().map(Value::to_string),
        dataset_id: Some(item.dataset_id.clone()),
    };
    upsert_experiment(tx, project_id, &experiment, now)?;
    let fields = ExperimentItemFields {
        id: random_hex(16),
        experiment_id: experiment.id.clone(),
        trace_id: trace_id.clone(),
        observation_id: body.observation_id.clone(),
        dataset_item_id: Some(item.id),
        item_version,
        expected_output: item.expected_output,
        item_metadata: item.metadata,
        start_time: created_at,
        ..ExperimentItemFields::default()
    };
    upsert_experiment_item(tx, project_id, &fields, now)?;
    let filter = ItemFilter { experiment_id: Some(experiment.id), trace_id: Some(trace_id), ..ItemFilter::default() };
    let page = crate::store::filter::Page { page: 1, limit: 1 };
    let stored = experiments::items_page(tx, project_id, &filter, page)?.rows.pop();
    Ok(stored.ok_or(ApiError::internal("a stored run item was not found")))
}

/// An ISO time of the body, or 400 naming it.
fn time_of(name: &str, text: Option<&str>) -> Result<Option<i64>, ApiError> {
    text.map(|text| {
        parse_time(text).ok_or_else(|| ApiError::BadRequest(format!("{name} must be an ISO-8601 time, got {text:?}")))
    })
    .transpose()
}

/// `POST /api/public/dataset-run-items`.
pub async fn create(
    State(state): State<AppState>,
    Authed(project): Authed,
    JsonBody(body): JsonBody<CreateRunItem>,
) -> Result<Json<DatasetRunItem>, ApiError> {
    if body.trace_id.is_none() && body.observation_id.is_none() {
        return Err(ApiError::BadRequest("traceId or observationId is required".into()));
    }
    if body.run_name.trim().is_empty() {
        return Err(ApiError::BadRequest("runName must not be empty".into()));
    }
    let item_version = time_of("datasetVersion", body.dataset_version.as_deref())?;
    let created_at = time_of("createdAt", body.created_at.as_deref())?;
    let row = state.writer.write(move |tx| create_in(tx, &project.id, &body, item_version, created_at)).await??;
    Ok(Json(row.into()))
}

/// The query of `GET /api/public/dataset-run-items`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    dataset_id: String,
    run_name: String,
    page: Option<u32>,
    limit: Option<u32>,
}

/// `GET /api/public/dataset-run-items`: the items of one run.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(query): Query<ListQuery>,
) -> Result<Json<ListPage<DatasetRunItem>>, ApiError> {
    let page = PageQuery { page: query.page, limit: query.limit }.page()?;
    let paged = state
        .read(move |c| {
            let filter = ExperimentFilter {
                dataset_id: Some(query.dataset_id),
                name: Some(query.run_name),
                ..ExperimentFilter::default()
            };
            let run = experiments::find(c, &project.id, &filter)?.ok_or_else(super::run_not_found)?;
            let items = ItemFilter { experiment_id: Some(run.id), ..ItemFilter::default() };
            Ok(experiments::items_page(c, &project.id, &items, page)?)
        })
        .await?;
    Ok(Json(ListPage::of(page, paged, DatasetRunItem::from)))
}
