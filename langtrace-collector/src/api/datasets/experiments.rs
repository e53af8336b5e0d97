//! `GET /api/public/experiments` and `GET /api/public/experiment-items` (Langfuse v4):
//! cursor-paged, latest start first, from a required `fromStartTime`; `fields=` adds
//! groups to `core` (experiments: `metadata`, `scores` — the run scores; items:
//! `dataset`, `io`, `itemMetadata`, `experimentMetadata`, `scores` — the scores of the
//! item's trace, on its observations too).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::run_wire::{Experiment, ExperimentItem, Fields};
use crate::api::paging::CursorQuery;
use crate::api::query::{iso_time, Query};
use crate::api::scores::Score;
use crate::api::wire::{decode_cursor, encode_cursor};
use crate::app::{ApiError, AppState, Authed};
use crate::store::datasets::experiments::{self, ExperimentFilter, ItemFilter, TimeCursor};
use crate::store::db::{self, Connection};
use crate::store::scores;

/// Most rows a page holds.
const MAX_LIMIT: u32 = 100;

/// A cursor page.
#[derive(Debug, Serialize)]
pub struct CursorPage<T> {
    data: Vec<T>,
    meta: CursorMeta,
}

/// Where the next page starts, if there is one.
#[derive(Debug, Serialize)]
pub struct CursorMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

/// The time window and paging every v4 list takes.
#[derive(Debug)]
struct Window {
    from: i64,
    to: Option<i64>,
    cursor: Option<TimeCursor>,
    limit: u32,
    fields: Fields,
}

impl Window {
    fn parse(from: Option<i64>, to: Option<i64>, paging: &CursorQuery, known: &[&str]) -> Result<Self, ApiError> {
        let from = from.ok_or_else(|| ApiError::BadRequest("fromStartTime is required".into()))?;
        let cursor = paging.cursor.as_deref().map(decode_cursor).transpose()?.map(|(time, id)| TimeCursor { time, id });
        Ok(Self {
            from,
            to,
            cursor,
            limit: paging.limit(MAX_LIMIT)?,
            fields: Fields::parse(&paging.fields, known).map_err(ApiError::BadRequest)?,
        })
    }

    /// The page of `rows` (one more than the limit was read to know if another follows).
    fn page<R, T>(
        &self,
        mut rows: Vec<R>,
        key: impl Fn(&R) -> (i64, String),
        shape: impl FnMut(R) -> T,
    ) -> CursorPage<T> {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let cursor = rows.last().filter(|_| more).map(|last| {
            let (time, id) = key(last);
            encode_cursor(time, &id)
        });
        CursorPage { data: rows.into_iter().map(shape).collect(), meta: CursorMeta { cursor } }
    }
}

/// The query of `GET /api/public/experiments`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentsQuery {
    #[serde(default, deserialize_with = "iso_time")]
    from_start_time: Option<i64>,
    #[serde(default, deserialize_with = "iso_time")]
    to_start_time: Option<i64>,
    id: Option<String>,
    name: Option<String>,
    dataset_id: Option<String>,
}

/// Scores rendered for an answer, when asked for.
fn scores_of(rows: db::Result<Vec<scores::ScoreRow>>) -> db::Result<Option<Vec<Score>>> {
    Ok(Some(rows?.into_iter().map(Score::from).collect()))
}

/// `GET /api/public/experiments`.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(paging): Query<CursorQuery>,
    Query(query): Query<ExperimentsQuery>,
) -> Result<Json<CursorPage<Experiment>>, ApiError> {
    let window = Window::parse(query.from_start_time, query.to_start_time, &paging, &["core", "metadata", "scores"])?;
    let filter = ExperimentFilter {
        id: query.id,
        name: query.name,
        dataset_id: query.dataset_id,
        from: Some(window.from),
        to: window.to,
    };
    let page = state
        .read(move |c: &Connection| {
            let rows =
                experiments::experiments_after(c, &project.id, &filter, window.cursor.as_ref(), window.limit + 1)?;
            let page = window.page(rows, |row| (row.start_time, row.id.clone()), |row| row);
            let mut shaped = Vec::with_capacity(page.data.len());
            for row in page.data {
                let run_scores = if window.fields.scores {
                    scores_of(scores::of_dataset_run(c, &project.id, &row.id))?
                } else {
                    None
                };
                shaped.push(Experiment::shaped(row, window.fields, run_scores));
            }
            Ok(CursorPage { data: shaped, meta: page.meta })
        })
        .await?;
    Ok(Json(page))
}

/// The query of `GET /api/public/experiment-items`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemsQuery {
    #[serde(default, deserialize_with = "iso_time")]
    from_start_time: Option<i64>,
    #[serde(default, deserialize_with = "iso_time")]
    to_start_time: Option<i64>,
    experiment_id: Option<String>,
    trace_id: Option<String>,
}

/// `GET /api/public/experiment-items`.
pub async fn items(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(paging): Query<CursorQuery>,
    Query(query): Query<ItemsQuery>,
) -> Result<Json<CursorPage<ExperimentItem>>, ApiError> {
    let known = ["core", "dataset", "io", "itemMetadata", "experimentMetadata", "scores"];
    let window = Window::parse(query.from_start_time, query.to_start_time, &paging, &known)?;
    let filter = ItemFilter {
        experiment_id: query.experiment_id,
        trace_id: query.trace_id,
        from: Some(window.from),
        to: window.to,
    };
    let page = state
        .read(move |c: &Connection| {
            let rows = experiments::items_after(c, &project.id, &filter, window.cursor.as_ref(), window.limit + 1)?;
            let page = window.page(rows, |row| (row.start_time, row.id.clone()), |row| row);
            let mut shaped = Vec::with_capacity(page.data.len());
            for row in page.data {
                let trace_scores = if window.fields.scores {
                    scores_of(scores::of_trace(c, &project.id, &row.trace_id))?
                } else {
                    None
                };
                shaped.push(ExperimentItem::shaped(row, window.fields, trace_scores));
            }
            Ok(CursorPage { data: shaped, meta: page.meta })
        })
        .await?;
    Ok(Json(page))
}
