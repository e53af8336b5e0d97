//! `GET /api/public/datasets/{name}/runs` and `GET/DELETE
//! /api/public/datasets/{name}/runs/{run}`: the runs (experiments) of a dataset, from
//! spans and run items alike, newest first; one run with its items; a run deleted with
//! its items.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::run_wire::{DatasetRun, DatasetRunWithItems};
use crate::api::paging::{ListPage, PageQuery};
use crate::api::path::PathParams;
use crate::api::query::Query;
use crate::app::{ApiError, AppState, Authed};
use crate::store::datasets::experiments::{self, ExperimentFilter, ExperimentRow, ItemFilter};
use crate::store::datasets::{self as store};
use crate::store::db;
use crate::store::filter::Page;
use crate::store::write::datasets::delete_experiment;

/// `GET /api/public/datasets/{name}/runs`.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(name): PathParams<String>,
    Query(query): Query<PageQuery>,
) -> Result<Json<ListPage<DatasetRun>>, ApiError> {
    let page = query.page()?;
    let paged = state
        .read(move |c| {
            let dataset = store::by_name(c, &project.id, &name)?.ok_or_else(super::dataset_not_found)?;
            Ok(experiments::runs_page(c, &project.id, &dataset.id, page)?)
        })
        .await?;
    Ok(Json(ListPage::of(page, paged, DatasetRun::from)))
}

/// The run `run` of dataset `name`.
fn find_run(c: &db::Connection, project_id: &str, name: &str, run: String) -> Result<ExperimentRow, ApiError> {
    let dataset = store::by_name(c, project_id, name)?.ok_or_else(super::dataset_not_found)?;
    let filter = ExperimentFilter { dataset_id: Some(dataset.id), name: Some(run), ..ExperimentFilter::default() };
    experiments::find(c, project_id, &filter)?.ok_or_else(super::run_not_found)
}

/// `GET /api/public/datasets/{name}/runs/{run}`: the run with its newest items (at most
/// [`super::INLINE_ITEMS`]).
pub async fn get(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams((name, run)): PathParams<(String, String)>,
) -> Result<Json<DatasetRunWithItems>, ApiError> {
    let (run, items) = state
        .read(move |c| {
            let run = find_run(c, &project.id, &name, run)?;
            let filter = ItemFilter { experiment_id: Some(run.id.clone()), ..ItemFilter::default() };
            let items = experiments::items_page(c, &project.id, &filter, Page { page: 1, limit: super::INLINE_ITEMS })?;
            Ok((run, items.rows))
        })
        .await?;
    Ok(Json(DatasetRunWithItems::new(run, items)))
}

/// The answer of a deletion.
#[derive(Debug, Serialize)]
pub struct Deleted {
    message: &'static str,
}

/// `DELETE /api/public/datasets/{name}/runs/{run}`: the run and its items (the traces
/// and scores stay).
pub async fn delete(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams((name, run)): PathParams<(String, String)>,
) -> Result<Json<Deleted>, ApiError> {
    let project_id = project.id.clone();
    let found = state.read(move |c| find_run(c, &project_id, &name, run)).await?;
    state.writer.write(move |tx| delete_experiment(tx, &project.id, &found.id)).await?;
    Ok(Json(Deleted { message: "Dataset run successfully deleted" }))
}
