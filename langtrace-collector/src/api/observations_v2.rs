//! `GET /api/public/v2/observations`: the read path of Langfuse's 5.x SDK. Newest first,
//! `limit` (default 50, at most 1000) per page, `meta.cursor` to continue (absent on the
//! last page), and `fields` groups choosing what each observation carries (`core` always;
//! default `basic`). Input and output are the stored JSON text, as Langfuse sends them,
//! read only when `io` is asked for (then at most [`MAX_IO_LIMIT`] per page).

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use serde_json::Value;

use super::observations::ObservationQuery;
use super::paging::CursorQuery;
use super::query::Query;
use super::wire::{decode_cursor, encode_cursor, iso, json_column, seconds};
use crate::app::{ApiError, AppState, Authed};
use crate::store::filter::Io;
use crate::store::observations::{self, ObservationCursor, ObservationFilter, ObservationRow, TraceContext};

/// Observations per page at most.
const MAX_LIMIT: u32 = 1000;
/// Observations per page at most when `io` is asked for (each input and output may be as
/// large as the ingest cap).
pub const MAX_IO_LIMIT: u32 = 100;

/// The field groups of Langfuse's v2 observations, `fields=basic,io,...`.
#[derive(Debug, Default, Clone, Copy)]
struct Groups {
    basic: bool,
    time: bool,
    io: bool,
    metadata: bool,
    model: bool,
    usage: bool,
    prompt: bool,
    metrics: bool,
    trace_context: bool,
}

impl Groups {
    /// The groups named (`basic` when none is).
    fn parse(names: &[String]) -> Result<Self, ApiError> {
        let mut groups = Groups::default();
        if names.is_empty() {
            groups.basic = true;
        }
        for name in names {
            let group = match name.as_str() {
                "core" => continue,
                "basic" => &mut groups.basic,
                "time" => &mut groups.time,
                "io" => &mut groups.io,
                "metadata" => &mut groups.metadata,
                "model" => &mut groups.model,
                "usage" => &mut groups.usage,
                "prompt" => &mut groups.prompt,
                "metrics" => &mut groups.metrics,
                "trace_context" => &mut groups.trace_context,
                _ => return Err(ApiError::BadRequest(format!("unknown fields group {name:?}"))),
            };
            *group = true;
        }
        Ok(groups)
    }
}

/// `core`: always present.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Core {
    id: String,
    trace_id: String,
    start_time: String,
    end_time: Option<String>,
    project_id: String,
    parent_observation_id: Option<String>,
    #[serde(rename = "type")]
    observation_type: String,
}

/// `basic`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Basic {
    name: String,
    level: String,
    status_message: Option<String>,
    version: Option<String>,
    environment: String,
    bookmarked: bool,
    public: bool,
    user_id: Option<String>,
    session_id: Option<String>,
    is_root_observation: bool,
}

/// `time`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Time {
    completion_start_time: Option<String>,
    created_at: String,
    updated_at: String,
}

/// `io`: the JSON text as stored.
#[derive(Debug, Serialize)]
struct IoFields {
    input: Option<String>,
    output: Option<String>,
}

/// `metadata`.
#[derive(Debug, Serialize)]
struct Metadata {
    metadata: Value,
}

/// `model`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Model {
    model: Option<String>,
    model_id: Option<String>,
    model_parameters: Value,
}

/// `usage`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Usage {
    usage_details: Value,
    cost_details: Value,
    total_cost: Option<f64>,
}

/// `prompt`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Prompt {
    prompt_id: Option<String>,
    prompt_name: Option<String>,
    prompt_version: Option<i64>,
}

/// `metrics`, in seconds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metrics {
    latency: Option<f64>,
    time_to_first_token: Option<f64>,
}

/// `trace_context`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TraceFields {
    tags: Value,
    release: Option<String>,
    trace_name: Option<String>,
}

/// One observation of the v2 list: `core` and the groups asked for.
#[derive(Debug, Serialize)]
pub struct ObservationV2 {
    #[serde(flatten)]
    core: Core,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    basic: Option<Basic>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    time: Option<Time>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    io: Option<IoFields>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    metadata: Option<Metadata>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    model: Option<Model>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    usage: Option<Usage>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    prompt: Option<Prompt>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    metrics: Option<Metrics>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    trace: Option<TraceFields>,
}

impl ObservationV2 {
    /// The groups of `row` that `groups` asks for.
    fn new(row: ObservationRow, trace: TraceContext, groups: Groups) -> Self {
        let start = row.start_time;
        ObservationV2 {
            basic: groups.basic.then(|| Basic {
                name: row.name.clone(),
                level: row.level.clone(),
                status_message: row.status_message.clone(),
                version: row.version.clone(),
                environment: row.environment.clone(),
                bookmarked: false,
                public: trace.public.unwrap_or(false),
                user_id: trace.user_id.clone(),
                session_id: trace.session_id.clone(),
                is_root_observation: row.is_root,
            }),
            time: groups.time.then(|| Time {
                completion_start_time: row.completion_start_time.map(iso),
                created_at: iso(row.created_at),
                updated_at: iso(row.created_at),
            }),
            io: groups.io.then(|| IoFields { input: row.input.text.clone(), output: row.output.text.clone() }),
            metadata: groups.metadata.then(|| Metadata { metadata: json_column(Some(&row.metadata)) }),
            model: groups.model.then(|| Model {
                model: row.model.clone(),
                model_id: None,
                model_parameters: json_column(row.model_parameters.as_deref()),
            }),
            usage: groups.usage.then(|| Usage {
                usage_details: json_column(Some(&row.usage_details)),
                cost_details: json_column(Some(&row.cost_details)),
                total_cost: row.total_cost,
            }),
            prompt: groups.prompt.then(|| Prompt {
                prompt_id: row.prompt_id.clone(),
                prompt_name: row.prompt_name.clone(),
                prompt_version: row.prompt_version,
            }),
            metrics: groups.metrics.then(|| Metrics {
                latency: row.end_time.map(|end| seconds(start, end)),
                time_to_first_token: row.completion_start_time.map(|first| seconds(start, first)),
            }),
            trace: groups.trace_context.then(|| TraceFields {
                tags: json_column(Some(trace.tags.as_deref().unwrap_or("[]"))),
                release: trace.release.clone(),
                trace_name: trace.name.clone(),
            }),
            core: Core {
                id: row.id,
                trace_id: row.trace_id,
                start_time: iso(start),
                end_time: row.end_time.map(iso),
                project_id: row.project_id,
                parent_observation_id: row.parent_id,
                observation_type: row.observation_type,
            },
        }
    }
}

/// Where the next page starts.
#[derive(Debug, Default, Serialize)]
pub struct CursorMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

/// One page of the v2 list.
#[derive(Debug, Serialize)]
pub struct ObservationPage {
    data: Vec<ObservationV2>,
    meta: CursorMeta,
}

/// The position a cursor names: start time, then id and trace id.
fn cursor_of(text: &str) -> Result<ObservationCursor, ApiError> {
    let (start_time, key) = decode_cursor(text)?;
    let (id, trace_id) = key.split_once('/').ok_or_else(|| ApiError::BadRequest("invalid cursor".into()))?;
    Ok(ObservationCursor { start_time, id: id.to_owned(), trace_id: trace_id.to_owned() })
}

/// `GET /api/public/v2/observations`.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(paging): Query<CursorQuery>,
    Query(query): Query<ObservationQuery>,
) -> Result<Json<ObservationPage>, ApiError> {
    let groups = Groups::parse(&paging.fields)?;
    let limit = paging.limit(if groups.io { MAX_IO_LIMIT } else { MAX_LIMIT })?;
    let io = if groups.io { Io::Full } else { Io::Omitted };
    let cursor = paging.cursor.as_deref().map(cursor_of).transpose()?;
    let filter = ObservationFilter::from(query);
    let mut rows =
        state.read(move |c| Ok(observations::after(c, &project.id, &filter, cursor.as_ref(), limit + 1, io)?)).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = match rows.last() {
        Some((last, _)) if more => Some(encode_cursor(last.start_time, &format!("{}/{}", last.id, last.trace_id))),
        _ => None,
    };
    let data = rows.into_iter().map(|(row, trace)| ObservationV2::new(row, trace, groups)).collect();
    Ok(Json(ObservationPage { data, meta: CursorMeta { cursor: next } }))
}
