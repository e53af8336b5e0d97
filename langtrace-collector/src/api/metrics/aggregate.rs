//! Each group's aggregates shaped into one result row.

use serde_json::{json, Map, Value};

use super::spec::Validated;
use crate::api::wire::iso;
use crate::store::metrics::{Aggregation, Groups};

/// One aggregate as JSON: counts as integers, others as numbers, null when none.
fn number(aggregation: Aggregation, value: Option<f64>) -> Value {
    match (aggregation, value) {
        (Aggregation::Count, value) => json!(value.unwrap_or(0.0) as i64),
        (_, Some(value)) => json!(value),
        (_, None) => Value::Null,
    }
}

/// The result rows: per group its dimensions by name, its bucket, and its aggregates.
pub fn rows(query: &Validated, groups: Groups) -> Vec<Map<String, Value>> {
    let mut data = Vec::with_capacity(groups.len());
    for ((key, time), values) in groups {
        let mut row = Map::new();
        for (name, value) in query.dimension_names.iter().zip(key) {
            row.insert(name.clone(), json!(value));
        }
        if query.plan.bucket.is_some() {
            row.insert("time_dimension".into(), json!(iso(time)));
        }
        for ((name, &(_, aggregation)), value) in query.metric_names.iter().zip(&query.plan.metrics).zip(values) {
            row.insert(name.clone(), number(aggregation, value));
        }
        data.push(row);
    }
    data
}
