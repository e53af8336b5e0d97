//! Scores out: the page-based v1 list and the cursor-based v3 list.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::paging::{CursorQuery, ListPage, PageQuery};
use crate::api::query::{comma_list, iso_time, Query};
use crate::api::wire::{decode_cursor, encode_cursor, iso, json_column};
use crate::app::{ApiError, AppState, Authed};
use crate::store::scores::{self, ScoreCursor, ScoreFilter, ScoreRow};

/// The score filters both list versions take.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreQuery {
    trace_id: Option<String>,
    observation_id: Option<String>,
    session_id: Option<String>,
    dataset_run_id: Option<String>,
    name: Option<String>,
    source: Option<String>,
    data_type: Option<String>,
    environment: Option<String>,
    #[serde(default, deserialize_with = "iso_time")]
    from_timestamp: Option<i64>,
    #[serde(default, deserialize_with = "iso_time")]
    to_timestamp: Option<i64>,
    user_id: Option<String>,
    #[serde(default, deserialize_with = "comma_list")]
    score_ids: Vec<String>,
    #[serde(default, deserialize_with = "comma_list")]
    id: Vec<String>,
}

impl From<ScoreQuery> for ScoreFilter {
    fn from(query: ScoreQuery) -> Self {
        ScoreFilter {
            trace_id: query.trace_id,
            observation_id: query.observation_id,
            session_id: query.session_id,
            dataset_run_id: query.dataset_run_id,
            name: query.name,
            source: query.source.map(|s| s.to_ascii_uppercase()),
            data_type: query.data_type.map(|t| t.to_ascii_uppercase()),
            environment: query.environment,
            from: query.from_timestamp,
            to: query.to_timestamp,
            user_id: query.user_id,
            ids: query.score_ids.into_iter().chain(query.id).collect(),
        }
    }
}

/// A score as Langfuse's v1 API returns it: `stringValue` for every type but NUMERIC.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    id: String,
    trace_id: Option<String>,
    observation_id: Option<String>,
    session_id: Option<String>,
    dataset_run_id: Option<String>,
    name: String,
    data_type: String,
    source: String,
    comment: Option<String>,
    metadata: Value,
    environment: String,
    timestamp: String,
    created_at: String,
    updated_at: String,
    project_id: String,
    author_user_id: Option<String>,
    config_id: Option<String>,
    queue_id: Option<String>,
    value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    string_value: Option<Option<String>>,
}

impl From<ScoreRow> for Score {
    fn from(row: ScoreRow) -> Self {
        let ScoreRow { score, created_at, project_id } = row;
        let created = iso(created_at);
        Score {
            metadata: json_column(Some(&score.metadata)),
            timestamp: iso(score.timestamp),
            updated_at: created.clone(),
            created_at: created,
            dataset_run_id: score.dataset_run_id,
            author_user_id: None,
            config_id: None,
            queue_id: None,
            string_value: (score.data_type != "NUMERIC").then_some(score.string_value),
            id: score.id,
            trace_id: score.trace_id,
            observation_id: score.observation_id,
            session_id: score.session_id,
            name: score.name,
            data_type: score.data_type,
            source: score.source,
            comment: score.comment,
            environment: score.environment,
            project_id,
            value: score.value,
        }
    }
}

/// `GET /api/public/scores` and `/v2/scores`: newest first, page by page.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(paging): Query<PageQuery>,
    Query(query): Query<ScoreQuery>,
) -> Result<Json<ListPage<Score>>, ApiError> {
    let page = paging.page()?;
    let filter = ScoreFilter::from(query);
    let paged = state.read(move |c| Ok(scores::page(c, &project.id, &filter, page)?)).await?;
    Ok(Json(ListPage::of(page, paged, Score::from)))
}

/// What a v3 score is about.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Subject {
    Observation {
        id: String,
        #[serde(rename = "traceId")]
        trace_id: Option<String>,
    },
    Trace {
        id: String,
    },
    Session {
        id: String,
    },
}

/// A score as Langfuse's v3 API returns it: `value` typed by `dataType` (number, JSON
/// boolean, or string), and what it is about as `subject`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreV3 {
    id: String,
    project_id: String,
    name: String,
    value: Value,
    data_type: String,
    source: String,
    comment: Option<String>,
    metadata: Value,
    environment: String,
    timestamp: String,
    created_at: String,
    updated_at: String,
    config_id: Option<String>,
    subject: Option<Subject>,
    trace_id: Option<String>,
    observation_id: Option<String>,
    session_id: Option<String>,
}

impl From<ScoreRow> for ScoreV3 {
    fn from(row: ScoreRow) -> Self {
        let ScoreRow { score, created_at, project_id } = row;
        let value = match score.data_type.as_str() {
            "NUMERIC" => score.value.map_or(Value::Null, Value::from),
            "BOOLEAN" => Value::Bool(score.value.is_some_and(|v| v != 0.0)),
            _ => Value::String(score.string_value.or_else(|| score.value.map(|n| n.to_string())).unwrap_or_default()),
        };
        let subject = match (&score.observation_id, &score.trace_id, &score.session_id) {
            (Some(id), trace_id, _) => Some(Subject::Observation { id: id.clone(), trace_id: trace_id.clone() }),
            (None, Some(id), _) => Some(Subject::Trace { id: id.clone() }),
            (None, None, Some(id)) => Some(Subject::Session { id: id.clone() }),
            _ => None,
        };
        let created = iso(created_at);
        ScoreV3 {
            metadata: json_column(Some(&score.metadata)),
            timestamp: iso(score.timestamp),
            updated_at: created.clone(),
            created_at: created,
            config_id: None,
            subject,
            value,
            id: score.id,
            project_id,
            name: score.name,
            data_type: score.data_type,
            source: score.source,
            comment: score.comment,
            environment: score.environment,
            trace_id: score.trace_id,
            observation_id: score.observation_id,
            session_id: score.session_id,
        }
    }
}

/// The v3 list's paging block.
#[derive(Debug, Serialize)]
pub struct CursorMeta {
    limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

/// One page of the v3 list.
#[derive(Debug, Serialize)]
pub struct ScorePage {
    data: Vec<ScoreV3>,
    meta: CursorMeta,
}

/// `GET /api/public/v3/scores`: newest first, cursor pagination (`meta.cursor` absent on
/// the last page), the v3 score shape.
pub async fn list_v3(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(paging): Query<CursorQuery>,
    Query(query): Query<ScoreQuery>,
) -> Result<Json<ScorePage>, ApiError> {
    let limit = paging.limit(100)?;
    if let Some(group) = paging.fields.iter().find(|g| !["details", "subject", "annotation"].contains(&g.as_str())) {
        return Err(ApiError::BadRequest(format!("unknown fields group {group:?}")));
    }
    let cursor =
        paging.cursor.as_deref().map(decode_cursor).transpose()?.map(|(timestamp, id)| ScoreCursor { timestamp, id });
    let filter = ScoreFilter::from(query);
    let mut rows = state.read(move |c| Ok(scores::after(c, &project.id, &filter, cursor.as_ref(), limit + 1)?)).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = rows.last().filter(|_| more).map(|last| encode_cursor(last.score.timestamp, &last.score.id));
    Ok(Json(ScorePage {
        data: rows.into_iter().map(ScoreV3::from).collect(),
        meta: CursorMeta { limit, cursor: next },
    }))
}
