//! Each group's values aggregated into one result row.

use serde_json::{json, Map, Value};

use super::spec::{Aggregation, Validated};
use crate::api::wire::iso;
use crate::store::metrics::Groups;

/// One number from `values` (sorted in place for percentiles); null when there is none.
pub fn aggregate(aggregation: Aggregation, values: &mut [f64]) -> Value {
    let count = values.len();
    let sum: f64 = values.iter().sum();
    match aggregation {
        Aggregation::Count => json!(count),
        Aggregation::Sum => json!(sum),
        Aggregation::Avg if count == 0 => Value::Null,
        Aggregation::Avg => json!(sum / count as f64),
        Aggregation::Min => values.iter().copied().reduce(f64::min).map_or(Value::Null, |v| json!(v)),
        Aggregation::Max => values.iter().copied().reduce(f64::max).map_or(Value::Null, |v| json!(v)),
        Aggregation::Percentile(_) if count == 0 => Value::Null,
        Aggregation::Percentile(rank) => {
            values.sort_by(f64::total_cmp);
            // Nearest rank.
            let index = ((rank / 100.0) * count as f64).ceil().max(1.0) as usize - 1;
            json!(values[index.min(count - 1)])
        }
    }
}

/// The result rows: per group its dimensions by name, its bucket, and its aggregates.
pub fn rows(query: &Validated, groups: Groups) -> Vec<Map<String, Value>> {
    let mut data = Vec::with_capacity(groups.len());
    for ((key, time), mut values) in groups {
        let mut row = Map::new();
        for (name, value) in query.dimension_names.iter().zip(key) {
            row.insert(name.clone(), json!(value));
        }
        if query.plan.bucket.is_some() {
            row.insert("time_dimension".into(), json!(iso(time)));
        }
        for ((aggregation, name), values) in query.metrics.iter().zip(values.iter_mut()) {
            row.insert(name.clone(), aggregate(*aggregation, values));
        }
        data.push(row);
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(aggregate(Aggregation::Percentile(50.0), &mut values), json!(50.0));
        assert_eq!(aggregate(Aggregation::Percentile(99.0), &mut values), json!(99.0));
        assert_eq!(aggregate(Aggregation::Avg, &mut values), json!(50.5));
        assert_eq!(aggregate(Aggregation::Percentile(95.0), &mut []), Value::Null);
    }
}
