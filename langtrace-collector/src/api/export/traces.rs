//! `GET /api/public/traces/export`: the traces the list's filters select (the parameters
//! of `GET /api/public/traces`), newest first, input and output whole, as `format=jsonl`
//! (each line the list's trace object) or `format=csv` ([`CSV_COLUMNS`]).

use axum::extract::State;
use axum::response::Response;

use super::csv::Csv;
use super::format::{Format, FormatQuery};
use super::jsonl::Jsonl;
use super::stream::{self, Batches, BATCH_ROWS};
use super::Item;
use crate::api::query::Query;
use crate::api::traces::{Trace, TraceQuery};
use crate::app::{ApiError, AppState, Authed};
use crate::store::db;
use crate::store::export::{self, TraceCursor};
use crate::store::traces::TraceFilter;

/// The columns of a trace CSV, fields of the API's trace object.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "timestamp",
    "name",
    "userId",
    "sessionId",
    "environment",
    "release",
    "version",
    "tags",
    "metadata",
    "input",
    "output",
    "level",
    "latency",
    "totalCost",
    "usage",
    "observationCount",
    "public",
];

/// The formats of a trace export, the default first.
const FORMATS: [Format; 2] = [Format::Jsonl, Format::Csv];

/// The traces of one project that a filter selects, batch after batch.
struct TraceBatches {
    project_id: String,
    filter: TraceFilter,
    cursor: Option<TraceCursor>,
}

impl Batches for TraceBatches {
    fn next(&mut self, connection: &db::Connection) -> Result<Vec<Item>, ApiError> {
        let rows = export::traces_after(connection, &self.project_id, &self.filter, self.cursor.as_ref(), BATCH_ROWS)?;
        if let Some(last) = rows.last() {
            self.cursor = Some(last.into());
        }
        rows.into_iter()
            .map(|row| {
                let id = row.id.clone();
                Ok(Item { id, value: serde_json::to_value(Trace::from(row)).map_err(ApiError::internal)? })
            })
            .collect()
    }
}

/// `GET /api/public/traces/export`.
pub async fn export(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(query): Query<TraceQuery>,
    Query(format): Query<FormatQuery>,
) -> Result<Response, ApiError> {
    let format = Format::parse(format.format.as_deref(), &FORMATS)?;
    let batches = TraceBatches { project_id: project.id, filter: query.filter()?, cursor: None };
    match format {
        Format::Csv => stream::respond(state, "traces", format, batches, Csv::new(CSV_COLUMNS)).await,
        _ => stream::respond(state, "traces", format, batches, Jsonl).await,
    }
}
