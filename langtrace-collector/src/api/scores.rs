//! Scores (numeric, boolean, categorical, text) on a trace, an observation or a session:
//! `POST /api/public/scores` (one object, or an array answered 202/207 as Langfuse does),
//! `POST /api/public/ingestion` (`score-create` events, always 207), and the list at
//! `GET /api/public/v3/scores` (also `/v2/scores`, `/scores`).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::types::Value as Sql;
use rusqlite::{named_params, Transaction};
use serde_json::{json, Value};

use super::{decode_cursor, encode_cursor, page_of, paging, read, ApiError, AppState, Authed, Params};
use crate::auth::random_hex;
use crate::receive::decode::normalise_environment;
use crate::store::now_ns;
use crate::store::query::{self, Filter, SCORE_COLUMNS};

/// A validated score.
#[derive(Debug, Clone)]
pub struct Score {
    id: String,
    trace_id: Option<String>,
    observation_id: Option<String>,
    session_id: Option<String>,
    name: String,
    value: Option<f64>,
    string_value: Option<String>,
    data_type: &'static str,
    source: String,
    comment: Option<String>,
    metadata: Value,
    environment: String,
    timestamp: i64,
}

fn text(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Validates one score object as Langfuse's API takes it.
pub fn parse_score(body: &Value) -> Result<Score, String> {
    if !body.is_object() {
        return Err("a score must be a JSON object".into());
    }
    let name = text(body, "name").ok_or("name is required")?;
    let (trace_id, observation_id, session_id) =
        (text(body, "traceId"), text(body, "observationId"), text(body, "sessionId"));
    if trace_id.is_none() && session_id.is_none() && text(body, "datasetRunId").is_none() {
        return Err("one of traceId, sessionId or datasetRunId is required".into());
    }
    let value = body.get("value").ok_or("value is required")?;
    let declared = text(body, "dataType").map(|t| t.to_ascii_uppercase());
    let data_type = match (declared.as_deref(), value) {
        (Some("NUMERIC") | None, Value::Number(_)) => "NUMERIC",
        (Some("BOOLEAN"), Value::Number(_) | Value::Bool(_)) => "BOOLEAN",
        (Some("CATEGORICAL") | None, Value::String(_)) => "CATEGORICAL",
        (Some("CATEGORICAL"), Value::Number(_)) => "CATEGORICAL",
        (Some("TEXT"), Value::String(_)) => "TEXT",
        (Some(other), _) if !["NUMERIC", "BOOLEAN", "CATEGORICAL", "TEXT"].contains(&other) => {
            return Err(format!("dataType must be NUMERIC, BOOLEAN, CATEGORICAL or TEXT, got {other:?}"));
        }
        (declared, value) => {
            return Err(format!("value {value} does not fit dataType {}", declared.unwrap_or("NUMERIC")))
        }
    };
    let (value, string_value) = match (data_type, value) {
        ("NUMERIC", Value::Number(n)) => (n.as_f64(), None),
        ("BOOLEAN", Value::Bool(b)) => (Some(f64::from(u8::from(*b))), Some(b.to_string())),
        ("BOOLEAN", Value::Number(n)) => match n.as_f64() {
            Some(v) if v == 0.0 || v == 1.0 => (Some(v), Some((v == 1.0).to_string())),
            _ => return Err("a BOOLEAN score's value must be 0 or 1".into()),
        },
        ("CATEGORICAL", Value::Number(n)) => (n.as_f64(), Some(n.to_string())),
        (_, Value::String(s)) => (None, Some(s.clone())),
        _ => return Err("invalid value".into()),
    };
    let timestamp = match text(body, "timestamp") {
        Some(time) => query::parse_time(&time).ok_or_else(|| format!("timestamp {time:?} is not ISO-8601"))?,
        None => now_ns(),
    };
    Ok(Score {
        id: text(body, "id").unwrap_or_else(|| random_hex(16)),
        trace_id,
        observation_id,
        session_id,
        name,
        value,
        string_value,
        data_type,
        source: text(body, "source").unwrap_or_else(|| "API".into()).to_ascii_uppercase(),
        comment: text(body, "comment"),
        metadata: body.get("metadata").cloned().filter(|m| !m.is_null()).unwrap_or_else(|| json!({})),
        environment: text(body, "environment").map_or_else(|| "default".into(), |e| normalise_environment(&e)),
        timestamp,
    })
}

/// Stores scores (an existing id is replaced: clients may resend).
pub fn insert(tx: &Transaction<'_>, project_id: &str, scores: &[Score]) -> rusqlite::Result<()> {
    let mut statement = tx.prepare_cached(
        "INSERT OR REPLACE INTO scores (project_id, id, trace_id, observation_id, session_id, name, value,
            string_value, data_type, source, comment, metadata, environment, timestamp, created_at)
         VALUES (:project, :id, :trace, :observation, :session, :name, :value, :string_value, :data_type, :source,
            :comment, :metadata, :environment, :timestamp, :created)",
    )?;
    let created = now_ns();
    for score in scores {
        statement.execute(named_params! {
            ":project": project_id, ":id": score.id, ":trace": score.trace_id, ":observation": score.observation_id,
            ":session": score.session_id, ":name": score.name, ":value": score.value,
            ":string_value": score.string_value, ":data_type": score.data_type, ":source": score.source,
            ":comment": score.comment, ":metadata": score.metadata.to_string(), ":environment": score.environment,
            ":timestamp": score.timestamp, ":created": created,
        })?;
    }
    Ok(())
}

async fn store(state: &AppState, project_id: String, scores: Vec<Score>) -> Result<(), ApiError> {
    if scores.is_empty() {
        return Ok(());
    }
    state.writer.write(move |tx, _| insert(tx, &project_id, &scores)).await.map_err(ApiError::from)
}

/// `POST /api/public/scores`: an object answers 200 `{id}`; an array answers 202
/// `{"message":"Accepted"}` when every score is valid, else 207 with the accepted ids
/// and the errors (valid ones are stored either way).
pub async fn create(
    State(state): State<AppState>,
    Authed(project): Authed,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    match body {
        Value::Array(items) => {
            let (mut accepted, mut scores, mut errors) = (Vec::new(), Vec::new(), Vec::new());
            for (index, item) in items.iter().enumerate() {
                match parse_score(item) {
                    Ok(score) => {
                        accepted.push(score.id.clone());
                        scores.push(score);
                    }
                    Err(message) => errors.push(json!({"index": index, "id": item.get("id"), "message": message})),
                }
            }
            store(&state, project.id, scores).await?;
            if errors.is_empty() {
                Ok((StatusCode::ACCEPTED, Json(json!({"message": "Accepted"}))).into_response())
            } else {
                let body = json!({"accepted": accepted, "rejected": errors.len(), "errors": errors});
                Ok((StatusCode::MULTI_STATUS, Json(body)).into_response())
            }
        }
        single => {
            let score = parse_score(&single).map_err(ApiError::BadRequest)?;
            let id = score.id.clone();
            store(&state, project.id, vec![score]).await?;
            Ok(Json(json!({"id": id})).into_response())
        }
    }
}

/// `POST /api/public/ingestion`: Langfuse's batch endpoint; `score-create` events are
/// stored, other event types are refused per event (send traces over OTLP). Always 207.
pub async fn ingestion(
    State(state): State<AppState>,
    Authed(project): Authed,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    let batch = body
        .get("batch")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::BadRequest("batch must be an array".into()))?;
    let (mut successes, mut errors, mut scores) = (Vec::new(), Vec::new(), Vec::new());
    for event in batch {
        let id = event.get("id").cloned().unwrap_or(Value::Null);
        match event.get("type").and_then(Value::as_str) {
            Some("score-create") => match parse_score(event.get("body").unwrap_or(&Value::Null)) {
                Ok(score) => {
                    scores.push(score);
                    successes.push(json!({"id": id, "status": 201}));
                }
                Err(message) => errors.push(json!({"id": id, "status": 400, "message": message})),
            },
            other => errors.push(json!({
                "id": id, "status": 400,
                "message": format!("event type {other:?} is not supported here: send traces over OTLP"),
            })),
        }
    }
    store(&state, project.id, scores).await?;
    Ok((StatusCode::MULTI_STATUS, Json(json!({"successes": successes, "errors": errors}))).into_response())
}

/// The score filters shared by both list versions.
fn score_filter(project_id: &str, params: &Params) -> Result<Filter, ApiError> {
    let mut filter = Filter::project("s", project_id);
    filter
        .and_some("s.trace_id = ?", params.get("traceId").map(str::to_owned))
        .and_some("s.observation_id = ?", params.get("observationId").map(str::to_owned))
        .and_some("s.session_id = ?", params.get("sessionId").map(str::to_owned))
        .and_some("s.name = ?", params.get("name").map(str::to_owned))
        .and_some("s.source = ?", params.get("source").map(str::to_ascii_uppercase))
        .and_some("s.data_type = ?", params.get("dataType").map(str::to_ascii_uppercase))
        .and_some("s.environment = ?", params.get("environment").map(str::to_owned))
        .and_some("s.timestamp >= ?", params.time("fromTimestamp")?)
        .and_some("s.timestamp < ?", params.time("toTimestamp")?)
        .and_some(
            "s.trace_id IN (SELECT t.id FROM traces t WHERE t.project_id = s.project_id AND t.user_id = ?)",
            params.get("userId").map(str::to_owned),
        );
    filter.and_in("s.id", params.all("scoreIds").into_iter().chain(params.all("id")).collect());
    Ok(filter)
}

/// `GET /api/public/scores` and `/v2/scores`: page-based, Langfuse's v1 score shape.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(raw);
    let (page, limit) = paging(params.number("page")?, params.number("limit")?)?;
    let filter = score_filter(&project.id, &params)?;
    let page_sql = format!("SELECT {SCORE_COLUMNS} FROM scores s WHERE {{where}} ORDER BY s.timestamp DESC, s.id DESC");
    page_of(&state, (page, limit), filter, "SELECT COUNT(*) FROM scores s WHERE {where}", &page_sql, query::score).await
}

/// `GET /api/public/v3/scores`: newest first, cursor pagination (`meta.cursor` absent on
/// the last page), the v3 score shape (typed `value`, `subject`).
pub async fn list_v3(
    State(state): State<AppState>,
    Authed(project): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(raw);
    let limit: u32 = params.number("limit")?.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 100".into()));
    }
    for group in params.all("fields") {
        if !["details", "subject", "annotation"].contains(&group.as_str()) {
            return Err(ApiError::BadRequest(format!("unknown fields group {group:?}")));
        }
    }
    let mut filter = score_filter(&project.id, &params)?;
    if let Some(cursor) = params.get("cursor") {
        let (time, id) = decode_cursor(cursor)?;
        filter.and("(s.timestamp < ? OR (s.timestamp = ? AND s.id < ?))", [time.into(), time.into(), Sql::Text(id)]);
    }
    read(&state, move |connection| {
        let rows = query::all(
            connection,
            &format!(
                "SELECT {SCORE_COLUMNS}, s.timestamp FROM scores s WHERE {} ORDER BY s.timestamp DESC, s.id DESC LIMIT ?",
                filter.sql()
            ),
            filter.params([Sql::Integer(i64::from(limit) + 1)]),
            |row| Ok((query::score_v3(row)?, row.get::<_, i64>(15)?)),
        )?;
        let more = rows.len() > limit as usize;
        let page: Vec<(Value, i64)> = rows.into_iter().take(limit as usize).collect();
        let mut meta = json!({"limit": limit});
        if let (true, Some((last, time))) = (more, page.last()) {
            meta["cursor"] = json!(encode_cursor(*time, last["id"].as_str().unwrap_or_default()));
        }
        Ok(Json(json!({"data": page.into_iter().map(|(score, _)| score).collect::<Vec<_>>(), "meta": meta})))
    })
    .await
}
