//! `GET /api/public/observations/export`: the observations the list's filters select (the
//! parameters of `GET /api/public/observations`, `score` included), newest
//! first, input and output whole, as `format=jsonl` (each line the list's observation
//! object), `format=csv` ([`CSV_COLUMNS`]) or `format=openai_sft` (generations only
//! unless `type` says otherwise; see [`super::openai_sft`]). `format=openai_dpo` answers
//! 400: an observation has one output, a preference pair needs two (export a dataset).

use axum::extract::State;
use axum::response::Response;

use super::csv::Csv;
use super::format::{Format, FormatQuery};
use super::jsonl::Jsonl;
use super::openai_sft::OpenaiSft;
use super::stream::{self, Batches, BATCH_ROWS};
use super::Item;
use crate::api::observations::{Observation, ObservationQuery};
use crate::api::query::Query;
use crate::app::{ApiError, AppState, Authed};
use crate::store::db;
use crate::store::filter::Io;
use crate::store::observations::{self, ObservationCursor, ObservationFilter};

/// The columns of an observation CSV, fields of the API's observation object.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "traceId",
    "parentObservationId",
    "type",
    "name",
    "startTime",
    "endTime",
    "completionStartTime",
    "level",
    "statusMessage",
    "environment",
    "version",
    "model",
    "modelParameters",
    "input",
    "output",
    "metadata",
    "usageDetails",
    "costDetails",
    "calculatedTotalCost",
    "latency",
    "timeToFirstToken",
    "promptName",
    "promptVersion",
];

/// The formats of an observation export, the default first (DPO only to name it in the
/// 400 of an unknown format; it is refused on its own).
const FORMATS: [Format; 4] = [Format::Jsonl, Format::Csv, Format::OpenaiSft, Format::OpenaiDpo];

/// The observations of one project that a filter selects, batch after batch.
struct ObservationBatches {
    project_id: String,
    filter: ObservationFilter,
    cursor: Option<ObservationCursor>,
}

impl Batches for ObservationBatches {
    fn next(&mut self, connection: &db::Connection) -> Result<Vec<Item>, ApiError> {
        let rows = observations::after(
            connection,
            &self.project_id,
            &self.filter,
            self.cursor.as_ref(),
            BATCH_ROWS,
            Io::Full,
        )?;
        if let Some((last, _)) = rows.last() {
            self.cursor = Some(ObservationCursor {
                start_time: last.start_time,
                id: last.id.clone(),
                trace_id: last.trace_id.clone(),
            });
        }
        rows.into_iter()
            .map(|(row, _trace)| {
                let id = row.id.clone();
                Ok(Item { id, value: serde_json::to_value(Observation::from(row)).map_err(ApiError::internal)? })
            })
            .collect()
    }
}

/// `GET /api/public/observations/export`.
pub async fn export(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(query): Query<ObservationQuery>,
    Query(format): Query<FormatQuery>,
) -> Result<Response, ApiError> {
    let format = Format::parse(format.format.as_deref(), &FORMATS)?;
    let mut filter = ObservationFilter::from(query);
    if format == Format::OpenaiSft && filter.observation_type.is_none() {
        filter.observation_type = Some("GENERATION".into());
    }
    let batches = ObservationBatches { project_id: project.id, filter, cursor: None };
    match format {
        Format::Jsonl => stream::respond(state, "observations", format, batches, Jsonl).await,
        Format::Csv => stream::respond(state, "observations", format, batches, Csv::new(CSV_COLUMNS)).await,
        Format::OpenaiSft => stream::respond(state, "observations", format, batches, OpenaiSft::new("output")).await,
        Format::OpenaiDpo => Err(ApiError::BadRequest(
            "format openai_dpo needs a preferred and a non-preferred output per row, and an observation has one output: \
             export a dataset whose items hold metadata.non_preferred_output"
                .into(),
        )),
    }
}
