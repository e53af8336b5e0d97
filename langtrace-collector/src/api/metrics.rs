//! `GET /api/public/metrics?query=<json>` (also `/v2/metrics`): aggregates over
//! observations or traces, grouped by dimensions and time buckets, in the shape of
//! Langfuse's metrics API:
//!
//! ```json
//! {"view": "observations", "dimensions": [{"field": "providedModelName"}],
//!  "metrics": [{"measure": "latency", "aggregation": "p95"}, {"measure": "count", "aggregation": "count"}],
//!  "filters": [{"column": "environment", "operator": "=", "value": "production"}],
//!  "timeDimension": {"granularity": "hour"},
//!  "fromTimestamp": "2024-05-01T00:00:00Z", "toTimestamp": "2024-05-02T00:00:00Z"}
//! ```
//!
//! Each result row holds the dimensions, `time_dimension` when bucketed, and one
//! `<aggregation>_<measure>` per metric. Latencies and time to first token are in ms.

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::Json;
use rusqlite::types::Value as Sql;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{read, ApiError, AppState, Authed, Params};
use crate::store::query::{self, Filter};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetricsQuery {
    #[serde(default = "default_view")]
    view: String,
    #[serde(default)]
    dimensions: Vec<Dimension>,
    metrics: Vec<Metric>,
    #[serde(default)]
    filters: Vec<Condition>,
    time_dimension: Option<TimeDimension>,
    from_timestamp: String,
    to_timestamp: String,
}

fn default_view() -> String {
    "observations".into()
}

#[derive(Deserialize)]
struct Dimension {
    field: String,
}

#[derive(Deserialize)]
struct Metric {
    measure: String,
    aggregation: String,
}

#[derive(Deserialize)]
struct Condition {
    column: String,
    operator: String,
    value: Value,
}

#[derive(Deserialize)]
struct TimeDimension {
    granularity: String,
}

/// A result row's dimension values and time bucket.
type GroupKey = (Vec<Option<String>>, i64);

/// Rows scanned at most; a query beyond is refused (narrow the time range).
const MAX_ROWS: usize = 2_000_000;

/// SQL expression of a dimension or filter column in a view.
fn column(view: &str, field: &str) -> Result<&'static str, ApiError> {
    let found = match (view, field) {
        ("observations", "name") => "o.name",
        ("observations", "type") => "o.type",
        ("observations", "providedModelName" | "model") => "o.model",
        ("observations", "environment") => "o.environment",
        ("observations", "version") => "o.version",
        ("observations", "level") => "o.level",
        ("observations", "traceName") => "t.name",
        ("observations", "userId") => "t.user_id",
        ("observations", "sessionId") => "t.session_id",
        ("observations", "release") => "t.release",
        ("traces", "name") => "t.name",
        ("traces", "userId") => "t.user_id",
        ("traces", "sessionId") => "t.session_id",
        ("traces", "environment") => "t.environment",
        ("traces", "release") => "t.release",
        ("traces", "version") => "t.version",
        _ => return Err(ApiError::BadRequest(format!("unknown field {field:?} for view {view:?}"))),
    };
    Ok(found)
}

/// SQL expression of a measure's value per row.
fn measure(view: &str, name: &str) -> Result<&'static str, ApiError> {
    let found = match (view, name) {
        (_, "count") => "1",
        ("observations", "latency") => "(o.end_time - o.start_time) / 1e6",
        ("observations", "timeToFirstToken") => "(o.completion_start_time - o.start_time) / 1e6",
        ("observations", "inputTokens") => "o.input_tokens",
        ("observations", "outputTokens") => "o.output_tokens",
        ("observations", "totalTokens") => "o.total_tokens",
        ("observations", "totalCost") => "o.total_cost",
        ("observations", "errorCount") => "(o.level = 'ERROR')",
        ("traces", "latency") => "(t.end_time - t.start_time) / 1e6",
        ("traces", "totalTokens") => "t.total_tokens",
        ("traces", "totalCost") => "t.total_cost",
        ("traces", "observationCount") => "t.observation_count",
        ("traces", "errorCount") => "(t.error_count > 0)",
        _ => return Err(ApiError::BadRequest(format!("unknown measure {name:?} for view {view:?}"))),
    };
    Ok(found)
}

/// Bucket width in ns.
fn granularity(name: &str, from: i64, to: i64) -> Result<i64, ApiError> {
    const MINUTE: i64 = 60_000_000_000;
    Ok(match name {
        "minute" => MINUTE,
        "hour" => 60 * MINUTE,
        "day" => 24 * 60 * MINUTE,
        "week" => 7 * 24 * 60 * MINUTE,
        "auto" => {
            let span = (to - from).max(1);
            [MINUTE, 5 * MINUTE, 60 * MINUTE, 24 * 60 * MINUTE, 7 * 24 * 60 * MINUTE]
                .into_iter()
                .find(|width| span / width <= 200)
                .unwrap_or(7 * 24 * 60 * MINUTE)
        }
        other => {
            return Err(ApiError::BadRequest(format!(
                "granularity must be minute, hour, day, week or auto, got {other:?}"
            )))
        }
    })
}

fn aggregate(aggregation: &str, values: &mut [f64]) -> Result<Value, ApiError> {
    let count = values.len();
    let sum: f64 = values.iter().sum();
    Ok(match aggregation {
        "count" => json!(count),
        "sum" => json!(sum),
        "avg" => {
            if count == 0 {
                Value::Null
            } else {
                json!(sum / count as f64)
            }
        }
        "min" => values.iter().copied().reduce(f64::min).map_or(Value::Null, |v| json!(v)),
        "max" => values.iter().copied().reduce(f64::max).map_or(Value::Null, |v| json!(v)),
        p if p.starts_with('p') => {
            let rank: f64 = p[1..].parse().map_err(|_| ApiError::BadRequest(format!("unknown aggregation {p:?}")))?;
            if !(0.0..=100.0).contains(&rank) {
                return Err(ApiError::BadRequest(format!("unknown aggregation {p:?}")));
            }
            if count == 0 {
                return Ok(Value::Null);
            }
            values.sort_by(f64::total_cmp);
            // Nearest rank.
            let index = ((rank / 100.0) * count as f64).ceil().max(1.0) as usize - 1;
            json!(values[index.min(count - 1)])
        }
        other => return Err(ApiError::BadRequest(format!("unknown aggregation {other:?}"))),
    })
}

/// `GET /api/public/metrics`.
pub async fn query(
    State(state): State<AppState>,
    Authed(project): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(raw);
    let text = params.get("query").ok_or_else(|| ApiError::BadRequest("query parameter is required".into()))?;
    let spec: MetricsQuery =
        serde_json::from_str(text).map_err(|e| ApiError::BadRequest(format!("invalid query: {e}")))?;
    let view = spec.view.as_str();
    let (table, alias, time_column) = match view {
        "observations" => (
            "observations o LEFT JOIN traces t ON t.project_id = o.project_id AND t.id = o.trace_id",
            "o",
            "o.start_time",
        ),
        "traces" => ("traces t", "t", "t.start_time"),
        other => return Err(ApiError::BadRequest(format!("view must be observations or traces, got {other:?}"))),
    };
    if spec.metrics.is_empty() {
        return Err(ApiError::BadRequest("at least one metric is required".into()));
    }
    let from = query::parse_time(&spec.from_timestamp)
        .ok_or_else(|| ApiError::BadRequest("fromTimestamp must be ISO-8601".into()))?;
    let to = query::parse_time(&spec.to_timestamp)
        .ok_or_else(|| ApiError::BadRequest("toTimestamp must be ISO-8601".into()))?;
    let dimensions: Vec<(&str, &'static str)> = spec
        .dimensions
        .iter()
        .map(|d| Ok((d.field.as_str(), column(view, &d.field)?)))
        .collect::<Result<_, ApiError>>()?;
    let measures: Vec<&'static str> =
        spec.metrics.iter().map(|m| measure(view, &m.measure)).collect::<Result<_, _>>()?;
    let bucket = spec.time_dimension.as_ref().map(|t| granularity(&t.granularity, from, to)).transpose()?;

    let mut filter = Filter::project(alias, &project.id);
    filter.and(&format!("{time_column} >= ? AND {time_column} < ?"), [from.into(), to.into()]);
    for condition in &spec.filters {
        let operator = match condition.operator.as_str() {
            "=" | "!=" | ">" | "<" | ">=" | "<=" => condition.operator.as_str(),
            other => return Err(ApiError::BadRequest(format!("unsupported filter operator {other:?}"))),
        };
        let value = match &condition.value {
            Value::String(s) => Sql::Text(s.clone()),
            Value::Number(n) => n.as_f64().map_or(Sql::Null, Sql::Real),
            Value::Bool(b) => Sql::Integer(i64::from(*b)),
            _ => return Err(ApiError::BadRequest("filter values must be strings, numbers or booleans".into())),
        };
        filter.and(&format!("{} {operator} ?", column(view, &condition.column)?), [value]);
    }
    let mut select: Vec<String> = dimensions.iter().map(|(_, sql)| format!("CAST({sql} AS TEXT)")).collect();
    select.push(match bucket {
        Some(width) => format!("({time_column} / {width}) * {width}"),
        None => "0".into(),
    });
    select.extend(measures.iter().map(|m| format!("CAST({m} AS REAL)")));
    let sql = format!("SELECT {} FROM {table} WHERE {} LIMIT {}", select.join(", "), filter.sql(), MAX_ROWS + 1);
    let metric_names: Vec<(String, String)> =
        spec.metrics.iter().map(|m| (m.aggregation.clone(), m.measure.clone())).collect();
    let field_names: Vec<String> = dimensions.iter().map(|(name, _)| (*name).to_owned()).collect();
    let bucketed = bucket.is_some();

    read(&state, move |connection| {
        let dimension_count = field_names.len();
        let mut groups: BTreeMap<GroupKey, Vec<Vec<f64>>> = BTreeMap::new();
        let mut statement = connection.prepare(&sql)?;
        let mut rows = statement.query(rusqlite::params_from_iter(filter.params([])))?;
        let mut scanned = 0usize;
        while let Some(row) = rows.next()? {
            scanned += 1;
            if scanned > MAX_ROWS {
                return Err(ApiError::BadRequest(format!("more than {MAX_ROWS} rows: narrow the time range")));
            }
            let key: Vec<Option<String>> = (0..dimension_count).map(|i| row.get(i)).collect::<rusqlite::Result<_>>()?;
            let time: i64 = row.get(dimension_count)?;
            let values = groups.entry((key, time)).or_insert_with(|| vec![Vec::new(); metric_names.len()]);
            for (index, values) in values.iter_mut().enumerate() {
                if let Some(value) = row.get::<_, Option<f64>>(dimension_count + 1 + index)? {
                    values.push(value);
                }
            }
        }
        let mut data = Vec::with_capacity(groups.len());
        for ((key, time), mut values) in groups {
            let mut object = Map::new();
            for (name, value) in field_names.iter().zip(key) {
                object.insert(name.clone(), json!(value));
            }
            if bucketed {
                object.insert("time_dimension".into(), json!(query::iso(time)));
            }
            for ((aggregation, measure), values) in metric_names.iter().zip(values.iter_mut()) {
                object.insert(format!("{aggregation}_{measure}"), aggregate(aggregation, values)?);
            }
            data.push(Value::Object(object));
        }
        Ok(Json(json!({"data": data})))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(aggregate("p50", &mut values).unwrap(), json!(50.0));
        assert_eq!(aggregate("p99", &mut values).unwrap(), json!(99.0));
        assert_eq!(aggregate("avg", &mut values).unwrap(), json!(50.5));
        assert!(aggregate("p101", &mut values).is_err());
        assert_eq!(aggregate("p95", &mut []).unwrap(), Value::Null);
    }
}
