//! Users (traces sharing a `userId`): `GET /api/public/users` (first/last seen, traces,
//! tokens, cost) and `GET /api/public/users/{id}` (totals, traces and sessions).

use axum::extract::{Path, RawQuery, State};
use axum::Json;
use rusqlite::types::Value as Sql;
use rusqlite::Row;
use serde_json::{json, Value};

use super::sessions::MAX_TRACES;
use super::{one, page_of, paging, read, ApiError, AppState, Authed, Params};
use crate::store::query::{self, Filter, TRACE_COLUMNS};

const USER_COLUMNS: &str = "t.user_id, MIN(t.start_time), MAX(t.start_time), COUNT(*), SUM(t.total_tokens),
    SUM(t.total_cost), COUNT(DISTINCT t.session_id), SUM(t.error_count)";

fn user(row: &Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "id": row.get::<_, String>(0)?,
        "firstSeen": query::iso(row.get(1)?),
        "lastSeen": query::iso(row.get(2)?),
        "traceCount": row.get::<_, i64>(3)?,
        "totalTokens": row.get::<_, i64>(4)?,
        "totalCost": row.get::<_, f64>(5)?,
        "sessionCount": row.get::<_, i64>(6)?,
        "errorCount": row.get::<_, i64>(7)?,
    }))
}

/// `GET /api/public/users`: most recently seen first.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(raw);
    let (page, limit) = paging(params.number("page")?, params.number("limit")?)?;
    let mut filter = Filter::project("t", &project.id);
    filter
        .and("t.user_id IS NOT NULL", [])
        .and_some("t.start_time >= ?", params.time("fromTimestamp")?)
        .and_some("t.start_time < ?", params.time("toTimestamp")?);
    filter.and_in("t.environment", params.all("environment"));
    let page_sql = format!(
        "SELECT {USER_COLUMNS} FROM traces t WHERE {{where}} GROUP BY t.user_id ORDER BY MAX(t.start_time) DESC, t.user_id"
    );
    let count_sql = "SELECT COUNT(DISTINCT t.user_id) FROM traces t WHERE {where}";
    page_of(&state, (page, limit), filter, count_sql, &page_sql, user).await
}

/// `GET /api/public/users/{id}`: totals, the session ids, and the newest traces (at most
/// [`MAX_TRACES`]).
pub async fn detail(
    State(state): State<AppState>,
    Authed(project): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    read(&state, move |connection| {
        let params = || vec![Sql::Text(project.id.clone()), Sql::Text(id.clone())];
        let mut summary = one(
            connection,
            &format!("SELECT {USER_COLUMNS} FROM traces t WHERE t.project_id = ? AND t.user_id = ? GROUP BY t.user_id"),
            params(),
            user,
            &format!("user {id}"),
        )?;
        let traces = query::all(
            connection,
            &format!(
                "SELECT {TRACE_COLUMNS} FROM traces t WHERE t.project_id = ? AND t.user_id = ?
                 ORDER BY t.start_time DESC, t.id DESC LIMIT {MAX_TRACES}"
            ),
            params(),
            query::trace,
        )?;
        let mut statement = connection.prepare_cached(
            "SELECT DISTINCT session_id FROM traces WHERE project_id = ?1 AND user_id = ?2 AND session_id IS NOT NULL
             ORDER BY session_id LIMIT 1000",
        )?;
        let sessions: Vec<String> =
            statement.query_map([&project.id, &id], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
        let fields = summary.as_object_mut().expect("object");
        fields.insert("sessionIds".into(), json!(sessions));
        fields.insert("traces".into(), Value::Array(traces));
        Ok(Json(summary))
    })
    .await
}
