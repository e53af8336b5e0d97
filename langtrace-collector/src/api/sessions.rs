//! Sessions (traces sharing a `sessionId`): `GET /api/public/sessions` with totals, and
//! `GET /api/public/sessions/{id}` with its traces in order.

use axum::extract::{Path, RawQuery, State};
use axum::Json;
use rusqlite::types::Value as Sql;
use rusqlite::Row;
use serde_json::{json, Value};

use super::{one, page_of, paging, read, ApiError, AppState, Authed, Params};
use crate::store::query::{self, Filter, TRACE_COLUMNS};

const SESSION_COLUMNS: &str = "t.session_id, MIN(t.start_time), MAX(t.end_time), COUNT(*), SUM(t.total_tokens),
    SUM(t.total_cost), json_group_array(DISTINCT t.user_id), MIN(t.environment), t.project_id, SUM(t.error_count)";

fn session(row: &Row<'_>) -> rusqlite::Result<Value> {
    let start: i64 = row.get(1)?;
    let end: i64 = row.get(2)?;
    let users: Vec<Option<String>> = serde_json::from_str(&row.get::<_, String>(6)?).unwrap_or_default();
    Ok(json!({
        "id": row.get::<_, String>(0)?,
        "createdAt": query::iso(start),
        "lastTraceAt": query::iso(end),
        "duration": (end - start) as f64 / 1e9,
        "traceCount": row.get::<_, i64>(3)?,
        "totalTokens": row.get::<_, i64>(4)?,
        "totalCost": row.get::<_, f64>(5)?,
        "userIds": users.into_iter().flatten().collect::<Vec<_>>(),
        "environment": row.get::<_, String>(7)?,
        "projectId": row.get::<_, String>(8)?,
        "errorCount": row.get::<_, i64>(9)?,
    }))
}

/// `GET /api/public/sessions`: newest activity first.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(raw);
    let (page, limit) = paging(params.number("page")?, params.number("limit")?)?;
    let mut filter = Filter::project("t", &project.id);
    filter
        .and("t.session_id IS NOT NULL", [])
        .and_some("t.start_time >= ?", params.time("fromTimestamp")?)
        .and_some("t.start_time < ?", params.time("toTimestamp")?)
        .and_some("t.user_id = ?", params.get("userId").map(str::to_owned));
    filter.and_in("t.environment", params.all("environment"));
    let page_sql = format!(
        "SELECT {SESSION_COLUMNS} FROM traces t WHERE {{where}} GROUP BY t.session_id
         ORDER BY MAX(t.start_time) DESC, t.session_id"
    );
    let count_sql = "SELECT COUNT(DISTINCT t.session_id) FROM traces t WHERE {where}";
    page_of(&state, (page, limit), filter, count_sql, &page_sql, session).await
}

/// Traces of one session or user, oldest first, at most this many.
pub const MAX_TRACES: u32 = 1000;

/// `GET /api/public/sessions/{id}`: totals plus its traces (oldest first, at most
/// [`MAX_TRACES`]; `tracesTruncated` says when there are more).
pub async fn detail(
    State(state): State<AppState>,
    Authed(project): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    read(&state, move |connection| {
        let params = || vec![Sql::Text(project.id.clone()), Sql::Text(id.clone())];
        let mut summary = one(
            connection,
            &format!("SELECT {SESSION_COLUMNS} FROM traces t WHERE t.project_id = ? AND t.session_id = ? GROUP BY t.session_id"),
            params(),
            session,
            &format!("session {id}"),
        )?;
        let traces = query::all(
            connection,
            &format!(
                "SELECT {TRACE_COLUMNS} FROM traces t WHERE t.project_id = ? AND t.session_id = ?
                 ORDER BY t.start_time, t.id LIMIT {}",
                MAX_TRACES + 1
            ),
            params(),
            query::trace,
        )?;
        let fields = summary.as_object_mut().expect("object");
        fields.insert("tracesTruncated".into(), json!(traces.len() > MAX_TRACES as usize));
        fields.insert("traces".into(), Value::Array(traces.into_iter().take(MAX_TRACES as usize).collect()));
        Ok(Json(summary))
    })
    .await
}
