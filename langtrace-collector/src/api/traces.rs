//! `GET /api/public/traces` (filters, ordering, pagination) and
//! `GET /api/public/traces/{id}` (with every observation and score).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use langtrace_core::record::{Level, ObservationType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::observations::Observation;
use super::paging::{ListPage, PageQuery};
use super::preview::{io_value, FieldsQuery};
use super::query::{comma_list, iso_time, Query};
use super::scores::Score;
use super::wire::{iso, json_column, seconds};
use crate::api::path::PathParams;
use crate::app::{ApiError, AppState, Authed};
use crate::store::db;
use crate::store::filter::Io;
use crate::store::traces::{self, ObservationMatch, TraceFilter, TraceOrder, TraceOrderField, TraceRow};
use crate::store::{observations, scores};

/// The query of `GET /api/public/traces`: Langfuse's parameters, plus `level` (worst
/// level), `minLatency` (seconds), `minCost` (USD), `search` (id, name, input, output),
/// `observationType` / `observationLevel` (traces with an observation of that type,
/// at that level or worse: `GUARDRAIL` + `WARNING` lists guardrail warnings), and
/// `bookmarked` (starred traces only with `true`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceQuery {
    user_id: Option<String>,
    session_id: Option<String>,
    name: Option<String>,
    release: Option<String>,
    version: Option<String>,
    #[serde(default, deserialize_with = "iso_time")]
    from_timestamp: Option<i64>,
    #[serde(default, deserialize_with = "iso_time")]
    to_timestamp: Option<i64>,
    min_cost: Option<f64>,
    min_latency: Option<f64>,
    #[serde(default, deserialize_with = "comma_list")]
    environment: Vec<String>,
    #[serde(default, deserialize_with = "comma_list")]
    tags: Vec<String>,
    level: Option<String>,
    search: Option<String>,
    order_by: Option<String>,
    observation_type: Option<String>,
    observation_level: Option<String>,
    bookmarked: Option<bool>,
}

impl TraceQuery {
    /// The store's filter for these parameters.
    pub fn filter(self) -> Result<TraceFilter, ApiError> {
        let level = parse_level("level", self.level)?;
        let observation_type = self
            .observation_type
            .map(|text| {
                ObservationType::parse(&text).ok_or_else(|| {
                    let known: Vec<&str> = ObservationType::ALL.iter().map(|t| t.as_upper()).collect();
                    ApiError::BadRequest(format!("observationType must be one of {}, got {text:?}", known.join(", ")))
                })
            })
            .transpose()?;
        let min_level = parse_level("observationLevel", self.observation_level)?;
        Ok(TraceFilter {
            user_id: self.user_id,
            session_id: self.session_id,
            name: self.name,
            release: self.release,
            version: self.version,
            from: self.from_timestamp,
            to: self.to_timestamp,
            min_cost: self.min_cost,
            min_latency: self.min_latency.map(|s| (s * 1e9) as i64),
            environments: self.environment,
            tags: self.tags,
            level,
            search: self.search,
            observation: (observation_type.is_some() || min_level.is_some())
                .then_some(ObservationMatch { observation_type, min_level }),
            bookmarked: self.bookmarked,
        })
    }
}

/// The level named by parameter `name`, if given.
fn parse_level(name: &str, text: Option<String>) -> Result<Option<Level>, ApiError> {
    text.map(|text| {
        Level::parse(&text).ok_or_else(|| {
            ApiError::BadRequest(format!("{name} must be DEBUG, DEFAULT, WARNING or ERROR, got {text:?}"))
        })
    })
    .transpose()
}

/// Langfuse's `orderBy=field.asc|desc` (default `timestamp.desc`).
fn order_by(text: Option<&str>) -> Result<TraceOrder, ApiError> {
    let text = text.unwrap_or("timestamp.desc");
    let (field, direction) = text.split_once('.').unwrap_or((text, "desc"));
    let field = match field {
        "timestamp" => TraceOrderField::Timestamp,
        "name" => TraceOrderField::Name,
        "userId" => TraceOrderField::UserId,
        "sessionId" => TraceOrderField::SessionId,
        "release" => TraceOrderField::Release,
        "version" => TraceOrderField::Version,
        "latency" => TraceOrderField::Latency,
        "totalCost" => TraceOrderField::TotalCost,
        "totalTokens" => TraceOrderField::TotalTokens,
        _ => return Err(ApiError::BadRequest(format!("cannot order by {field:?}"))),
    };
    let descending = match direction.to_ascii_lowercase().as_str() {
        "asc" => false,
        "desc" => true,
        _ => return Err(ApiError::BadRequest(format!("order must be asc or desc, got {direction:?}"))),
    };
    Ok(TraceOrder { field, descending })
}

/// Token totals of a trace.
#[derive(Debug, Serialize)]
pub struct TraceUsage {
    input: i64,
    output: i64,
    total: i64,
}

/// A trace as Langfuse's API returns it, plus rollups (`level`, `levelCounts`, `usage`,
/// `observationCount`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    id: String,
    timestamp: String,
    name: Option<String>,
    user_id: Option<String>,
    session_id: Option<String>,
    tags: Value,
    metadata: Value,
    release: Option<String>,
    version: Option<String>,
    environment: String,
    public: bool,
    input: Value,
    output: Value,
    latency: f64,
    total_cost: f64,
    usage: TraceUsage,
    observation_count: i64,
    level_counts: BTreeMap<&'static str, i64>,
    level: &'static str,
    root_observation_id: Option<String>,
    created_at: String,
    updated_at: String,
    project_id: String,
    html_path: String,
    bookmarked: bool,
    external_id: Option<String>,
}

impl From<TraceRow> for Trace {
    fn from(row: TraceRow) -> Self {
        let level = row.level().as_upper();
        let level_counts = Level::ALL.iter().map(|l| l.as_upper()).zip(row.level_counts).collect();
        Trace {
            timestamp: iso(row.start_time),
            tags: json_column(Some(&row.tags)),
            metadata: json_column(Some(&row.metadata)),
            input: io_value(&row.input),
            output: io_value(&row.output),
            latency: seconds(row.start_time, row.end_time),
            usage: TraceUsage { input: row.input_tokens, output: row.output_tokens, total: row.total_tokens },
            level_counts,
            level,
            created_at: iso(row.created_at),
            updated_at: iso(row.updated_at),
            html_path: format!("/project/{}/traces/{}", row.project_id, row.id),
            bookmarked: row.bookmarked,
            external_id: None,
            id: row.id,
            name: row.name,
            user_id: row.user_id,
            session_id: row.session_id,
            release: row.release,
            version: row.version,
            environment: row.environment,
            public: row.public,
            total_cost: row.total_cost,
            observation_count: row.observation_count,
            root_observation_id: row.root_observation_id,
            project_id: row.project_id,
        }
    }
}

/// Langfuse's field groups of a trace list.
const FIELD_GROUPS: [&str; 5] = ["core", "io", "scores", "observations", "metrics"];

/// `GET /api/public/traces`: input and output as previews (see [`super::preview`]) unless
/// `fields` asks for `io`.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(paging): Query<PageQuery>,
    Query(query): Query<TraceQuery>,
    Query(fields): Query<FieldsQuery>,
) -> Result<Json<ListPage<Trace>>, ApiError> {
    let page = paging.page()?;
    let order = order_by(query.order_by.as_deref())?;
    let io = fields.io(&FIELD_GROUPS)?;
    let filter = query.filter()?;
    let paged = state.read(move |c| Ok(traces::page(c, &project.id, &filter, order, page, io)?)).await?;
    Ok(Json(ListPage::of(page, paged, Trace::from)))
}

/// The query of `GET /api/public/traces/{id}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailQuery {
    observation_limit: Option<u32>,
    observation_io: Option<String>,
}

impl DetailQuery {
    /// How the observations' input and output are read: whole (`full`, the default, as
    /// Langfuse answers) or as list previews (`preview`).
    fn observation_io(&self) -> Result<Io, ApiError> {
        match self.observation_io.as_deref() {
            None | Some("full") => Ok(Io::Full),
            Some("preview") => Ok(Io::Preview),
            Some(other) => Err(ApiError::BadRequest(format!("observationIo must be full or preview, got {other:?}"))),
        }
    }
}

/// A trace with its observations (the earliest `observationLimit` when given) and scores.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceDetail {
    #[serde(flatten)]
    trace: Trace,
    observations: Vec<Observation>,
    scores: Vec<Score>,
    #[serde(skip_serializing_if = "Option::is_none")]
    observations_truncated: Option<bool>,
}

/// `GET /api/public/traces/{id}`. Beyond Langfuse: `observationLimit` returns at most
/// that many observations (the earliest), with `observationsTruncated`, and
/// `observationIo=preview` their input and output as previews (see [`super::preview`]),
/// so a page never loads a trace of unbounded size.
pub async fn detail(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
    Query(query): Query<DetailQuery>,
) -> Result<Json<TraceDetail>, ApiError> {
    query.validate()?;
    state.read(move |connection| Ok(Json(read_detail(connection, &project.id, &id, &query)?))).await
}

impl DetailQuery {
    /// Refuses an `observationLimit` of 0 and an unknown `observationIo`.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.observation_limit == Some(0) {
            return Err(ApiError::BadRequest("observationLimit must be at least 1".into()));
        }
        self.observation_io().map(drop)
    }
}

/// Trace `id` of `project_id` with its observations and scores as `query` asks (validated);
/// 404 when the project has no such trace.
pub fn read_detail(
    connection: &db::Connection,
    project_id: &str,
    id: &str,
    query: &DetailQuery,
) -> Result<TraceDetail, ApiError> {
    let (limit, io) = (query.observation_limit, query.observation_io()?);
    let trace = traces::get(connection, project_id, id)?.ok_or_else(|| ApiError::NotFound(format!("trace {id}")))?;
    let mut rows = observations::of_trace(connection, project_id, id, limit.map(|n| n + 1), io)?;
    let truncated = limit.map(|n| rows.len() > n as usize);
    rows.truncate(limit.map_or(usize::MAX, |n| n as usize));
    let scores = scores::of_trace(connection, project_id, id)?;
    Ok(TraceDetail {
        trace: trace.into(),
        observations: rows.into_iter().map(Observation::from).collect(),
        scores: scores.into_iter().map(Score::from).collect(),
        observations_truncated: truncated,
    })
}
