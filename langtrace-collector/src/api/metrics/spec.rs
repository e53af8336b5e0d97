//! The wire form of a metrics query and its validation into the store's plan.

use serde::Deserialize;
use serde_json::Value;

use crate::app::ApiError;
use crate::store::db::Value as Sql;
use crate::store::metrics::{
    column_sql, measure_sql, Aggregation, Column, Condition, Measure, MetricsPlan, Operator, View,
};
use crate::time::parse_time;

/// A metrics query as clients send it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsQuery {
    #[serde(default = "default_view")]
    view: String,
    #[serde(default)]
    dimensions: Vec<Dimension>,
    metrics: Vec<Metric>,
    #[serde(default)]
    filters: Vec<Filter>,
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
struct Filter {
    column: String,
    operator: String,
    value: Value,
}

#[derive(Deserialize)]
struct TimeDimension {
    granularity: String,
}

/// Metrics one query may ask for at most.
pub const MAX_METRICS: usize = 10;
/// Dimensions one query may group by at most (besides the time dimension).
pub const MAX_DIMENSIONS: usize = 5;
/// Filters one query may have at most.
pub const MAX_FILTERS: usize = 20;

/// A validated query: the store's plan, plus the names each result column carries.
#[derive(Debug, Clone)]
pub struct Validated {
    /// What the store scans.
    pub plan: MetricsPlan,
    /// The dimensions' names, as the client wrote them.
    pub dimension_names: Vec<String>,
    /// Per metric of the plan: its result key `<aggregation>_<measure>`.
    pub metric_names: Vec<String>,
}

/// 400 unless `items` has at most `max` entries.
fn at_most<T>(items: &[T], max: usize, what: &str) -> Result<(), ApiError> {
    if items.len() > max {
        return Err(ApiError::BadRequest(format!("{} {what} asked for: at most {max} per query", items.len())));
    }
    Ok(())
}

/// The column a wire field names in `view`.
fn column(view: View, field: &str) -> Result<Column, ApiError> {
    let column = match field {
        "name" => Column::Name,
        "type" => Column::Type,
        "providedModelName" | "model" => Column::Model,
        "environment" => Column::Environment,
        "version" => Column::Version,
        "level" => Column::Level,
        "traceName" => Column::TraceName,
        "userId" => Column::UserId,
        "sessionId" => Column::SessionId,
        "release" => Column::Release,
        "promptName" => Column::PromptName,
        "promptVersion" => Column::PromptVersion,
        _ => return Err(unknown("field", field, view)),
    };
    column_sql(view, column).map(|_| column).ok_or_else(|| unknown("field", field, view))
}

/// The measure a wire name names in `view`.
fn measure(view: View, name: &str) -> Result<Measure, ApiError> {
    let measure = match name {
        "count" => Measure::Count,
        "latency" => Measure::Latency,
        "timeToFirstToken" => Measure::TimeToFirstToken,
        "inputTokens" => Measure::InputTokens,
        "outputTokens" => Measure::OutputTokens,
        "totalTokens" => Measure::TotalTokens,
        "totalCost" => Measure::TotalCost,
        "observationCount" => Measure::ObservationCount,
        "errorCount" => Measure::ErrorCount,
        _ => return Err(unknown("measure", name, view)),
    };
    measure_sql(view, measure).map(|_| measure).ok_or_else(|| unknown("measure", name, view))
}

fn unknown(what: &str, name: &str, view: View) -> ApiError {
    let view = match view {
        View::Observations => "observations",
        View::Traces => "traces",
    };
    ApiError::BadRequest(format!("unknown {what} {name:?} for view {view:?}"))
}

fn aggregation(name: &str) -> Result<Aggregation, ApiError> {
    Ok(match name {
        "count" => Aggregation::Count,
        "sum" => Aggregation::Sum,
        "avg" => Aggregation::Avg,
        "min" => Aggregation::Min,
        "max" => Aggregation::Max,
        p if p.starts_with('p') => match p[1..].parse::<f64>() {
            Ok(rank) if (0.0..=100.0).contains(&rank) => Aggregation::Percentile(rank),
            _ => return Err(ApiError::BadRequest(format!("unknown aggregation {p:?}"))),
        },
        other => return Err(ApiError::BadRequest(format!("unknown aggregation {other:?}"))),
    })
}

fn operator(text: &str) -> Result<Operator, ApiError> {
    Ok(match text {
        "=" => Operator::Eq,
        "!=" => Operator::Ne,
        ">" => Operator::Gt,
        "<" => Operator::Lt,
        ">=" => Operator::Ge,
        "<=" => Operator::Le,
        other => return Err(ApiError::BadRequest(format!("unsupported filter operator {other:?}"))),
    })
}

fn filter_value(value: &Value) -> Result<Sql, ApiError> {
    Ok(match value {
        Value::String(s) => Sql::Text(s.clone()),
        Value::Number(n) => n.as_f64().map_or(Sql::Null, Sql::Real),
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        _ => return Err(ApiError::BadRequest("filter values must be strings, numbers or booleans".into())),
    })
}

/// Bucket width in ns.
fn granularity(name: &str, from: i64, to: i64) -> Result<i64, ApiError> {
    const MINUTE: i64 = 60_000_000_000;
    const WIDTHS: [i64; 5] = [MINUTE, 5 * MINUTE, 60 * MINUTE, 24 * 60 * MINUTE, 7 * 24 * 60 * MINUTE];
    Ok(match name {
        "minute" => MINUTE,
        "hour" => 60 * MINUTE,
        "day" => 24 * 60 * MINUTE,
        "week" => 7 * 24 * 60 * MINUTE,
        "auto" => {
            let span = (to - from).max(1);
            WIDTHS.into_iter().find(|width| span / width <= 200).unwrap_or(WIDTHS[4])
        }
        other => {
            return Err(ApiError::BadRequest(format!(
                "granularity must be minute, hour, day, week or auto, got {other:?}"
            )))
        }
    })
}

impl MetricsQuery {
    /// Checks every name and value against its view and builds the plan.
    pub fn validate(self) -> Result<Validated, ApiError> {
        let view = match self.view.as_str() {
            "observations" => View::Observations,
            "traces" => View::Traces,
            other => return Err(ApiError::BadRequest(format!("view must be observations or traces, got {other:?}"))),
        };
        if self.metrics.is_empty() {
            return Err(ApiError::BadRequest("at least one metric is required".into()));
        }
        at_most(&self.metrics, MAX_METRICS, "metrics")?;
        at_most(&self.dimensions, MAX_DIMENSIONS, "dimensions")?;
        at_most(&self.filters, MAX_FILTERS, "filters")?;
        let from = parse_time(&self.from_timestamp)
            .ok_or_else(|| ApiError::BadRequest("fromTimestamp must be ISO-8601".into()))?;
        let to = parse_time(&self.to_timestamp)
            .ok_or_else(|| ApiError::BadRequest("toTimestamp must be ISO-8601".into()))?;
        let dimensions = self.dimensions.iter().map(|d| column(view, &d.field)).collect::<Result<_, _>>()?;
        let bucket = self.time_dimension.as_ref().map(|t| granularity(&t.granularity, from, to)).transpose()?;
        let conditions = self
            .filters
            .iter()
            .map(|f| {
                Ok(Condition {
                    column: column(view, &f.column)?,
                    operator: operator(&f.operator)?,
                    value: filter_value(&f.value)?,
                })
            })
            .collect::<Result<_, ApiError>>()?;
        let metrics = self
            .metrics
            .iter()
            .map(|m| Ok((measure(view, &m.measure)?, aggregation(&m.aggregation)?)))
            .collect::<Result<_, ApiError>>()?;
        Ok(Validated {
            plan: MetricsPlan { view, dimensions, metrics, conditions, bucket, from, to },
            dimension_names: self.dimensions.into_iter().map(|d| d.field).collect(),
            metric_names: self.metrics.iter().map(|m| format!("{}_{}", m.aggregation, m.measure)).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_against_their_view() {
        assert_eq!(aggregation("p99").unwrap(), Aggregation::Percentile(99.0));
        assert!(aggregation("p101").is_err() && aggregation("median").is_err());
        assert_eq!(column(View::Observations, "providedModelName").unwrap(), Column::Model);
        assert!(column(View::Traces, "providedModelName").is_err(), "traces have no model");
        assert!(measure(View::Traces, "timeToFirstToken").is_err());
        assert_eq!(measure(View::Traces, "observationCount").unwrap(), Measure::ObservationCount);
    }
}
