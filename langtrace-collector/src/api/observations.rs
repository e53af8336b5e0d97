//! Observations: `GET /api/public/observations` (page-based, Langfuse's v1),
//! `GET /api/public/observations/{id}`, and `GET /api/public/v2/observations` (cursor
//! pagination and `fields` groups: the read path of Langfuse's 5.x SDK).

use axum::extract::{Path, RawQuery, State};
use axum::Json;
use rusqlite::types::Value as Sql;
use serde_json::{json, Map, Value};

use super::{decode_cursor, encode_cursor, one, page_of, paging, read, ApiError, AppState, Authed, Params};
use crate::store::query::{self, Filter, OBSERVATION_COLUMNS, OBSERVATION_COLUMN_COUNT, OBSERVATION_V2_EXTRA_COLUMNS};

/// The observation filters shared by both list versions.
fn observation_filter(project_id: &str, params: &Params) -> Result<Filter, ApiError> {
    let mut filter = Filter::project("o", project_id);
    filter
        .and_some("o.trace_id = ?", params.get("traceId").map(str::to_owned))
        .and_some("o.name = ?", params.get("name").map(str::to_owned))
        .and_some("o.parent_id = ?", params.get("parentObservationId").map(str::to_owned))
        .and_some("o.is_root = ?", params.get("isRootObservation").map(|v| v == "true"))
        .and_some(
            "o.trace_id IN (SELECT t.id FROM traces t WHERE t.project_id = o.project_id AND t.session_id = ?)",
            params.get("sessionId").map(str::to_owned),
        )
        .and_some("o.version = ?", params.get("version").map(str::to_owned))
        .and_some("o.model = ?", params.get("model").map(str::to_owned))
        .and_some("o.start_time >= ?", params.time("fromStartTime")?)
        .and_some("o.start_time < ?", params.time("toStartTime")?)
        .and_some(
            "o.trace_id IN (SELECT t.id FROM traces t WHERE t.project_id = o.project_id AND t.user_id = ?)",
            params.get("userId").map(str::to_owned),
        );
    if let Some(ty) = params.get("type") {
        filter.and("o.type = ?", [Sql::Text(ty.to_ascii_uppercase())]);
    }
    if let Some(level) = params.get("level") {
        filter.and("o.level = ?", [Sql::Text(level.to_ascii_uppercase())]);
    }
    filter.and_in("o.environment", params.all("environment"));
    Ok(filter)
}

/// `GET /api/public/observations`.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(raw);
    let (page, limit) = paging(params.number("page")?, params.number("limit")?)?;
    let filter = observation_filter(&project.id, &params)?;
    let page_sql = format!(
        "SELECT {OBSERVATION_COLUMNS} FROM observations o WHERE {{where}} ORDER BY o.start_time DESC, o.id DESC"
    );
    let count_sql = "SELECT COUNT(*) FROM observations o WHERE {where}";
    page_of(&state, (page, limit), filter, count_sql, &page_sql, query::observation).await
}

/// `GET /api/public/observations/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    Authed(project): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    read(&state, move |connection| {
        one(
            connection,
            &format!("SELECT {OBSERVATION_COLUMNS} FROM observations o WHERE o.project_id = ? AND o.id = ?"),
            vec![Sql::Text(project.id), Sql::Text(id.clone())],
            query::observation,
            &format!("observation {id}"),
        )
        .map(Json)
    })
    .await
}

/// Field groups of the v2 endpoint (Langfuse's names) and the keys each adds.
const FIELD_GROUPS: &[(&str, &[&str])] = &[
    ("core", &["id", "traceId", "startTime", "endTime", "projectId", "parentObservationId", "type"]),
    (
        "basic",
        &[
            "name",
            "level",
            "statusMessage",
            "version",
            "environment",
            "bookmarked",
            "public",
            "userId",
            "sessionId",
            "isRootObservation",
        ],
    ),
    ("time", &["completionStartTime", "createdAt", "updatedAt"]),
    ("io", &["input", "output"]),
    ("metadata", &["metadata"]),
    ("model", &["model", "modelId", "modelParameters"]),
    ("usage", &["usageDetails", "costDetails", "totalCost"]),
    ("prompt", &["promptId", "promptName", "promptVersion"]),
    ("metrics", &["latency", "timeToFirstToken"]),
    ("trace_context", &["tags", "release", "traceName"]),
];

/// Keeps the keys of `core` and the requested groups (default `basic`).
fn select_fields(observation: Value, groups: &[String]) -> Result<Value, ApiError> {
    let default = ["basic".to_owned()];
    let groups = if groups.is_empty() { &default[..] } else { groups };
    let mut keep: Vec<&str> = FIELD_GROUPS[0].1.to_vec();
    for group in groups {
        let (_, keys) = FIELD_GROUPS
            .iter()
            .find(|(name, _)| name == group)
            .ok_or_else(|| ApiError::BadRequest(format!("unknown fields group {group:?}")))?;
        keep.extend_from_slice(keys);
    }
    let Value::Object(all) = observation else { return Ok(observation) };
    Ok(Value::Object(all.into_iter().filter(|(k, _)| keep.contains(&k.as_str())).collect::<Map<_, _>>()))
}

/// `GET /api/public/v2/observations`: newest first, `limit` (default 50, at most 1000)
/// per page, `meta.cursor` to continue (absent on the last page).
pub async fn list_v2(
    State(state): State<AppState>,
    Authed(project): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(raw);
    let limit: u32 = params.number("limit")?.unwrap_or(50);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 1000".into()));
    }
    let groups = params.all("fields");
    let mut filter = observation_filter(&project.id, &params)?;
    if let Some(cursor) = params.get("cursor") {
        // Position: start time, then id, then trace id (ids are unique per trace only).
        let (start, key) = decode_cursor(cursor)?;
        let (id, trace) = key.split_once('/').ok_or_else(|| ApiError::BadRequest("invalid cursor".into()))?;
        filter.and(
            "(o.start_time < ? OR (o.start_time = ? AND (o.id < ? OR (o.id = ? AND o.trace_id < ?))))",
            [start.into(), start.into(), Sql::Text(id.into()), Sql::Text(id.into()), Sql::Text(trace.into())],
        );
    }
    read(&state, move |connection| {
        let rows = query::all(
            connection,
            &format!(
                "SELECT {OBSERVATION_COLUMNS}, {OBSERVATION_V2_EXTRA_COLUMNS}, o.start_time FROM observations o
                 LEFT JOIN traces t ON t.project_id = o.project_id AND t.id = o.trace_id
                 WHERE {} ORDER BY o.start_time DESC, o.id DESC, o.trace_id DESC LIMIT ?",
                filter.sql()
            ),
            filter.params([Sql::Integer(i64::from(limit) + 1)]),
            |row| Ok((query::observation_v2(row)?, row.get::<_, i64>(OBSERVATION_COLUMN_COUNT + 9)?)),
        )?;
        let more = rows.len() > limit as usize;
        let page: Vec<(Value, i64)> = rows.into_iter().take(limit as usize).collect();
        let cursor = match page.last() {
            Some((last, start)) if more => {
                let key = format!(
                    "{}/{}",
                    last["id"].as_str().unwrap_or_default(),
                    last["traceId"].as_str().unwrap_or_default()
                );
                Some(encode_cursor(*start, &key))
            }
            _ => None,
        };
        let data = page.into_iter().map(|(o, _)| select_fields(o, &groups)).collect::<Result<Vec<_>, _>>()?;
        let meta = match cursor {
            Some(cursor) => json!({"cursor": cursor}),
            None => json!({}),
        };
        Ok(Json(json!({"data": data, "meta": meta})))
    })
    .await
}
