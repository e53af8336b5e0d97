//! Observations: `GET /api/public/observations` (page-based, Langfuse's v1) and
//! `GET /api/public/observations/{id}`. The v2 list is in [`super::observations_v2`].

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::paging::{ListPage, PageQuery};
use super::preview::{io_value, FieldsQuery};
use super::query::{comma_list, flag, iso_time, Query};
use super::wire::{iso, json_column, seconds};
use crate::api::path::PathParams;
use crate::app::{ApiError, AppState, Authed};
use crate::store::observations::{self, ObservationFilter, ObservationRow};
use crate::store::score_threshold::ScoreThreshold;

/// The observation filters both list versions take.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservationQuery {
    trace_id: Option<String>,
    name: Option<String>,
    parent_observation_id: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    is_root_observation: Option<bool>,
    session_id: Option<String>,
    user_id: Option<String>,
    version: Option<String>,
    model: Option<String>,
    #[serde(default, deserialize_with = "iso_time")]
    from_start_time: Option<i64>,
    #[serde(default, deserialize_with = "iso_time")]
    to_start_time: Option<i64>,
    #[serde(rename = "type")]
    observation_type: Option<String>,
    level: Option<String>,
    #[serde(default, deserialize_with = "comma_list")]
    environment: Vec<String>,
    /// Beyond Langfuse: generations linked to a prompt name (and version).
    prompt_name: Option<String>,
    prompt_version: Option<i64>,
    /// Beyond Langfuse: score conditions (see [`super::score_filter`]).
    #[serde(default, deserialize_with = "super::score_filter::thresholds")]
    score: Vec<ScoreThreshold>,
}

impl From<ObservationQuery> for ObservationFilter {
    fn from(query: ObservationQuery) -> Self {
        ObservationFilter {
            trace_id: query.trace_id,
            name: query.name,
            parent_id: query.parent_observation_id,
            is_root: query.is_root_observation,
            session_id: query.session_id,
            user_id: query.user_id,
            version: query.version,
            model: query.model,
            from: query.from_start_time,
            to: query.to_start_time,
            observation_type: query.observation_type.map(|t| t.to_ascii_uppercase()),
            level: query.level.map(|l| l.to_ascii_uppercase()),
            environments: query.environment,
            prompt_name: query.prompt_name,
            prompt_version: query.prompt_version,
            scores: query.score,
        }
    }
}

/// Token counts in Langfuse's legacy `usage` block.
#[derive(Debug, Serialize)]
pub struct LegacyUsage {
    input: i64,
    output: i64,
    total: i64,
    unit: &'static str,
}

/// An observation as Langfuse's API returns it, with every field its SDK requires.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    id: String,
    trace_id: String,
    parent_observation_id: Option<String>,
    #[serde(rename = "type")]
    observation_type: String,
    name: String,
    start_time: String,
    end_time: Option<String>,
    completion_start_time: Option<String>,
    level: String,
    status_message: Option<String>,
    input: Value,
    output: Value,
    metadata: Value,
    version: Option<String>,
    environment: String,
    model: Option<String>,
    model_parameters: Value,
    usage: LegacyUsage,
    usage_details: Value,
    cost_details: Value,
    calculated_input_cost: Option<Value>,
    calculated_output_cost: Option<Value>,
    calculated_total_cost: Option<f64>,
    prompt_name: Option<String>,
    prompt_version: Option<i64>,
    prompt_id: Option<String>,
    model_id: Option<String>,
    latency: Option<f64>,
    time_to_first_token: Option<f64>,
    created_at: String,
    updated_at: String,
    project_id: String,
    unit: &'static str,
}

impl From<ObservationRow> for Observation {
    fn from(row: ObservationRow) -> Self {
        let cost = json_column(Some(&row.cost_details));
        Observation {
            start_time: iso(row.start_time),
            end_time: row.end_time.map(iso),
            completion_start_time: row.completion_start_time.map(iso),
            input: io_value(&row.input),
            output: io_value(&row.output),
            metadata: json_column(Some(&row.metadata)),
            model_parameters: json_column(row.model_parameters.as_deref()),
            usage: LegacyUsage {
                input: row.input_tokens.unwrap_or(0),
                output: row.output_tokens.unwrap_or(0),
                total: row.total_tokens.unwrap_or(0),
                unit: "TOKENS",
            },
            usage_details: json_column(Some(&row.usage_details)),
            calculated_input_cost: cost.get("input").cloned(),
            calculated_output_cost: cost.get("output").cloned(),
            cost_details: cost,
            calculated_total_cost: row.total_cost,
            prompt_id: row.prompt_id,
            model_id: None,
            latency: row.end_time.map(|end| seconds(row.start_time, end)),
            time_to_first_token: row.completion_start_time.map(|first| seconds(row.start_time, first)),
            created_at: iso(row.created_at),
            updated_at: iso(row.created_at),
            unit: "TOKENS",
            id: row.id,
            trace_id: row.trace_id,
            parent_observation_id: row.parent_id,
            observation_type: row.observation_type,
            name: row.name,
            level: row.level,
            status_message: row.status_message,
            version: row.version,
            environment: row.environment,
            model: row.model,
            prompt_name: row.prompt_name,
            prompt_version: row.prompt_version,
            project_id: row.project_id,
        }
    }
}

/// `GET /api/public/observations`: newest first, page by page; input and output as
/// previews (see [`super::preview`]) unless `fields=io`.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(paging): Query<PageQuery>,
    Query(query): Query<ObservationQuery>,
    Query(fields): Query<FieldsQuery>,
) -> Result<Json<ListPage<Observation>>, ApiError> {
    let page = paging.page()?;
    let io = fields.io(&["core", "io"])?;
    let filter = ObservationFilter::from(query);
    let paged = state.read(move |c| Ok(observations::page(c, &project.id, &filter, page, io)?)).await?;
    Ok(Json(ListPage::of(page, paged, Observation::from)))
}

/// `GET /api/public/observations/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<Observation>, ApiError> {
    let row = state
        .read(move |c| {
            observations::get(c, &project.id, &id)?.ok_or_else(|| ApiError::NotFound(format!("observation {id}")))
        })
        .await?;
    Ok(Json(row.into()))
}
