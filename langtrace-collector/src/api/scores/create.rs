//! Scores in: validated as Langfuse's API validates them, stored through the writer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use langtrace_core::environment;
use serde::Serialize;
use serde_json::Value;

use crate::api::body::JsonBody;
use crate::app::{ApiError, AppState, Authed};
use crate::auth::random_hex;
use crate::store::now_ns;
use crate::store::scores::{self, ScoreFields};
use crate::time::parse_time;

fn text(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The data type a score's `value` fits, given the declared `dataType` (if any).
fn data_type(declared: Option<&str>, value: &Value) -> Result<&'static str, String> {
    Ok(match (declared, value) {
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
    })
}

/// The numeric and text columns of a value of `data_type`.
fn columns(data_type: &str, value: &Value) -> Result<(Option<f64>, Option<String>), String> {
    Ok(match (data_type, value) {
        ("NUMERIC", Value::Number(n)) => (n.as_f64(), None),
        ("BOOLEAN", Value::Bool(b)) => (Some(f64::from(u8::from(*b))), Some(b.to_string())),
        ("BOOLEAN", Value::Number(n)) => match n.as_f64() {
            Some(v) if v == 0.0 || v == 1.0 => (Some(v), Some((v == 1.0).to_string())),
            _ => return Err("a BOOLEAN score's value must be 0 or 1".into()),
        },
        ("CATEGORICAL", Value::Number(n)) => (n.as_f64(), Some(n.to_string())),
        (_, Value::String(s)) => (None, Some(s.clone())),
        _ => return Err("invalid value".into()),
    })
}

/// Validates one score object as Langfuse's API takes it.
pub fn parse_score(body: &Value) -> Result<ScoreFields, String> {
    if !body.is_object() {
        return Err("a score must be a JSON object".into());
    }
    let name = text(body, "name").ok_or("name is required")?;
    let (trace_id, observation_id, session_id) =
        (text(body, "traceId"), text(body, "observationId"), text(body, "sessionId"));
    let dataset_run_id = text(body, "datasetRunId");
    if trace_id.is_none() && session_id.is_none() && dataset_run_id.is_none() {
        return Err("one of traceId, sessionId or datasetRunId is required".into());
    }
    let value = body.get("value").ok_or("value is required")?;
    let declared = text(body, "dataType").map(|t| t.to_ascii_uppercase());
    let data_type = data_type(declared.as_deref(), value)?;
    let (value, string_value) = columns(data_type, value)?;
    let timestamp = match text(body, "timestamp") {
        Some(time) => parse_time(&time).ok_or_else(|| format!("timestamp {time:?} is not ISO-8601"))?,
        None => now_ns(),
    };
    let metadata = body.get("metadata").filter(|m| !m.is_null()).map_or_else(|| "{}".to_owned(), Value::to_string);
    Ok(ScoreFields {
        id: text(body, "id").unwrap_or_else(|| random_hex(16)),
        trace_id,
        observation_id,
        session_id,
        dataset_run_id,
        name,
        value,
        string_value,
        data_type: data_type.to_owned(),
        source: text(body, "source").unwrap_or_else(|| "API".into()).to_ascii_uppercase(),
        comment: text(body, "comment"),
        metadata,
        environment: text(body, "environment")
            .map_or_else(|| environment::DEFAULT.into(), |e| environment::normalise(&e)),
        timestamp,
    })
}

async fn store(state: &AppState, project_id: String, scores: Vec<ScoreFields>) -> Result<(), ApiError> {
    if scores.is_empty() {
        return Ok(());
    }
    state.writer.write(move |tx| scores::insert(tx, &project_id, &scores)).await.map_err(ApiError::from)
}

/// One refused score of an array.
#[derive(Debug, Serialize)]
struct Refused {
    index: usize,
    id: Option<Value>,
    message: String,
}

/// The answer to an array with refused scores.
#[derive(Debug, Serialize)]
struct Partial {
    accepted: Vec<String>,
    rejected: usize,
    errors: Vec<Refused>,
}

/// A bare message answer.
#[derive(Debug, Serialize)]
struct Message {
    message: &'static str,
}

/// The id of a stored score.
#[derive(Debug, Serialize)]
struct Created {
    id: String,
}

/// `POST /api/public/scores`: an object answers 200 `{id}`; an array answers 202
/// `{"message":"Accepted"}` when every score is valid, else 207 with the accepted ids
/// and the errors (valid ones are stored either way).
pub async fn create(
    State(state): State<AppState>,
    Authed(project): Authed,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let Value::Array(items) = body else {
        let score = parse_score(&body).map_err(ApiError::BadRequest)?;
        let id = score.id.clone();
        store(&state, project.id, vec![score]).await?;
        return Ok(Json(Created { id }).into_response());
    };
    let (mut accepted, mut scores, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for (index, item) in items.iter().enumerate() {
        match parse_score(item) {
            Ok(score) => {
                accepted.push(score.id.clone());
                scores.push(score);
            }
            Err(message) => errors.push(Refused { index, id: item.get("id").cloned(), message }),
        }
    }
    store(&state, project.id, scores).await?;
    if errors.is_empty() {
        Ok((StatusCode::ACCEPTED, Json(Message { message: "Accepted" })).into_response())
    } else {
        let partial = Partial { accepted, rejected: errors.len(), errors };
        Ok((StatusCode::MULTI_STATUS, Json(partial)).into_response())
    }
}

/// One event's outcome in the ingestion answer.
#[derive(Debug, Serialize)]
struct EventOutcome {
    id: Value,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// The ingestion endpoint's 207 body.
#[derive(Debug, Serialize)]
struct IngestionAnswer {
    successes: Vec<EventOutcome>,
    errors: Vec<EventOutcome>,
}

/// `POST /api/public/ingestion`: Langfuse's batch endpoint; `score-create` events are
/// stored, other event types are refused per event (send traces over OTLP). Always 207.
pub async fn ingestion(
    State(state): State<AppState>,
    Authed(project): Authed,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let batch = body
        .get("batch")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::BadRequest("batch must be an array".into()))?;
    let mut answer = IngestionAnswer { successes: Vec::new(), errors: Vec::new() };
    let mut scores = Vec::new();
    for event in batch {
        let id = event.get("id").cloned().unwrap_or(Value::Null);
        let refused = |message| EventOutcome { id: id.clone(), status: 400, message: Some(message) };
        match event.get("type").and_then(Value::as_str) {
            Some("score-create") => match parse_score(event.get("body").unwrap_or(&Value::Null)) {
                Ok(score) => {
                    scores.push(score);
                    answer.successes.push(EventOutcome { id, status: 201, message: None });
                }
                Err(message) => answer.errors.push(refused(message)),
            },
            other => answer
                .errors
                .push(refused(format!("event type {other:?} is not supported here: send traces over OTLP"))),
        }
    }
    store(&state, project.id, scores).await?;
    Ok((StatusCode::MULTI_STATUS, Json(answer)).into_response())
}
