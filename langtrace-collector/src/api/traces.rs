//! `GET /api/public/traces` (filters, ordering, pagination) and
//! `GET /api/public/traces/{id}` (with every observation and score).

use axum::extract::{Path, RawQuery, State};
use axum::Json;
use rusqlite::types::Value as Sql;
use serde_json::Value;

use super::{one, page_of, paging, read, ApiError, AppState, Authed, Params};
use crate::store::query::{self, Filter, OBSERVATION_COLUMNS, SCORE_COLUMNS, TRACE_COLUMNS};

/// The trace filters of the list endpoints.
pub fn trace_filter(project_id: &str, params: &Params) -> Result<Filter, ApiError> {
    let mut filter = Filter::project("t", project_id);
    filter
        .and_some("t.user_id = ?", params.get("userId").map(str::to_owned))
        .and_some("t.session_id = ?", params.get("sessionId").map(str::to_owned))
        .and_some("t.name = ?", params.get("name").map(str::to_owned))
        .and_some("t.release = ?", params.get("release").map(str::to_owned))
        .and_some("t.version = ?", params.get("version").map(str::to_owned))
        .and_some("t.start_time >= ?", params.time("fromTimestamp")?)
        .and_some("t.start_time < ?", params.time("toTimestamp")?)
        .and_some("t.total_cost >= ?", params.number::<f64>("minCost")?)
        .and_some("(t.end_time - t.start_time) >= ?", params.number::<f64>("minLatency")?.map(|s| (s * 1e9) as i64));
    filter.and_in("t.environment", params.all("environment"));
    for tag in params.all("tags") {
        filter.and("EXISTS (SELECT 1 FROM json_each(t.tags) WHERE json_each.value = ?)", [Sql::Text(tag)]);
    }
    if let Some(level) = params.get("level") {
        let clause = match level.to_ascii_uppercase().as_str() {
            "ERROR" => "t.error_count > 0",
            "WARNING" => "t.warning_count > 0 AND t.error_count = 0",
            "DEFAULT" => "t.default_count > 0 AND t.warning_count = 0 AND t.error_count = 0",
            "DEBUG" => "t.debug_count > 0 AND t.default_count = 0 AND t.warning_count = 0 AND t.error_count = 0",
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "level must be DEBUG, DEFAULT, WARNING or ERROR, got {level:?}"
                )))
            }
        };
        filter.and(clause, []);
    }
    if let Some(text) = params.get("search") {
        let pattern = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        filter.and(
            "(t.id LIKE ? ESCAPE '\\' OR t.name LIKE ? ESCAPE '\\' OR t.input LIKE ? ESCAPE '\\' OR t.output LIKE ? ESCAPE '\\')",
            std::iter::repeat_n(Sql::Text(pattern), 4),
        );
    }
    Ok(filter)
}

/// `ORDER BY` for Langfuse's `orderBy=field.asc|desc`.
fn order_by(text: Option<&str>) -> Result<String, ApiError> {
    let text = text.unwrap_or("timestamp.desc");
    let (field, direction) = text.split_once('.').unwrap_or((text, "desc"));
    let column = match field {
        "timestamp" => "t.start_time",
        "name" => "t.name",
        "userId" => "t.user_id",
        "sessionId" => "t.session_id",
        "release" => "t.release",
        "version" => "t.version",
        "latency" => "(t.end_time - t.start_time)",
        "totalCost" => "t.total_cost",
        "totalTokens" => "t.total_tokens",
        _ => return Err(ApiError::BadRequest(format!("cannot order by {field:?}"))),
    };
    let direction = match direction.to_ascii_lowercase().as_str() {
        "asc" => "ASC",
        "desc" => "DESC",
        _ => return Err(ApiError::BadRequest(format!("order must be asc or desc, got {direction:?}"))),
    };
    Ok(format!("{column} {direction}, t.id {direction}"))
}

/// `GET /api/public/traces`.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(raw);
    let (page, limit) = paging(params.number("page")?, params.number("limit")?)?;
    let filter = trace_filter(&project.id, &params)?;
    let order = order_by(params.get("orderBy"))?;
    let page_sql = format!("SELECT {TRACE_COLUMNS} FROM traces t WHERE {{where}} ORDER BY {order}");
    page_of(&state, (page, limit), filter, "SELECT COUNT(*) FROM traces t WHERE {where}", &page_sql, query::trace).await
}

/// `GET /api/public/traces/{id}`. Beyond Langfuse: `observationLimit` returns at most
/// that many observations (the earliest), with `observationsTruncated`, so a page never
/// loads a trace of unbounded size.
pub async fn detail(
    State(state): State<AppState>,
    Authed(project): Authed,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let limit: Option<u32> = Params::parse(raw).number("observationLimit")?;
    if limit == Some(0) {
        return Err(ApiError::BadRequest("observationLimit must be at least 1".into()));
    }
    read(&state, move |connection| {
        let params = || vec![Sql::Text(project.id.clone()), Sql::Text(id.clone())];
        let mut trace = one(
            connection,
            &format!("SELECT {TRACE_COLUMNS} FROM traces t WHERE t.project_id = ? AND t.id = ?"),
            params(),
            query::trace,
            &format!("trace {id}"),
        )?;
        let mut observations = query::all(
            connection,
            &format!(
                "SELECT {OBSERVATION_COLUMNS} FROM observations o WHERE o.project_id = ? AND o.trace_id = ?
                 ORDER BY +o.start_time, o.id LIMIT ?" // `+`: look the trace up by its index, then sort
            ),
            [params(), vec![Sql::Integer(limit.map_or(-1, |n| i64::from(n) + 1))]].concat(),
            query::observation,
        )?;
        let truncated = limit.is_some_and(|n| observations.len() > n as usize);
        observations.truncate(limit.map_or(usize::MAX, |n| n as usize));
        let scores = query::all(
            connection,
            &format!(
                "SELECT {SCORE_COLUMNS} FROM scores s WHERE s.project_id = ? AND s.trace_id = ? ORDER BY +s.timestamp"
            ),
            params(),
            query::score,
        )?;
        let fields = trace.as_object_mut().expect("object");
        fields.insert("observations".into(), Value::Array(observations));
        fields.insert("scores".into(), Value::Array(scores));
        if limit.is_some() {
            fields.insert("observationsTruncated".into(), Value::Bool(truncated));
        }
        Ok(Json(trace))
    })
    .await
}
