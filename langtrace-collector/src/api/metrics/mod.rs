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
//!
//! Staged as `thiserror` stages a derive: the wire query is parsed into a model
//! ([`spec`]), validated into the store's plan ([`spec::Validated`]; at most
//! [`spec::MAX_METRICS`] metrics, [`spec::MAX_DIMENSIONS`] dimensions and
//! [`spec::MAX_FILTERS`] filters), aggregated per group by the store in SQL (at most
//! [`crate::store::metrics::MAX_GROUPS`] groups), and shaped into rows ([`aggregate`]).

mod aggregate;
mod spec;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::query::Query;
use crate::app::{ApiError, AppState, Authed};
use crate::store::metrics::{self, ScanError};

/// The query string of the metrics route.
#[derive(Debug, Deserialize)]
pub struct MetricsParams {
    query: Option<String>,
}

/// The result rows.
#[derive(Debug, Serialize)]
pub struct MetricsAnswer {
    data: Vec<Map<String, Value>>,
}

/// `GET /api/public/metrics`.
pub async fn query(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(params): Query<MetricsParams>,
) -> Result<Json<MetricsAnswer>, ApiError> {
    let text = params.query.ok_or_else(|| ApiError::BadRequest("query parameter is required".into()))?;
    let spec: spec::MetricsQuery =
        serde_json::from_str(&text).map_err(|e| ApiError::BadRequest(format!("invalid query: {e}")))?;
    let validated = spec.validate()?;
    let plan = validated.plan.clone();
    let groups = state
        .read(move |connection| {
            metrics::scan(connection, &project.id, &plan).map_err(|error| match error {
                ScanError::TooManyGroups | ScanError::TooManyValues => ApiError::BadRequest(error.to_string()),
                ScanError::Sqlite(error) => error.into(),
            })
        })
        .await?;
    Ok(Json(MetricsAnswer { data: aggregate::rows(&validated, groups) }))
}
