//! Aggregation scans for the metrics API: the query model (what to group by, what to
//! measure, which rows), the SQL it generates, and the scan collecting each group's
//! values. The API validates its wire form into a [`MetricsPlan`] and aggregates the
//! groups this module returns.

use std::collections::{BTreeMap, HashMap};

use super::filter::Filter;
use crate::store::db::{self, Connection, Value as Sql};

/// Result rows (groups of dimension values and time bucket) a query returns at most; a
/// query with more is refused.
pub const MAX_GROUPS: usize = 10_000;

/// Values a query's percentiles may rank at most (8 bytes each in memory); a query with
/// more is refused.
pub const MAX_RANKED_VALUES: usize = 10_000_000;

/// What rows a query scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Observations, joined to their trace.
    Observations,
    /// Traces.
    Traces,
}

/// A column rows are grouped or filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Observation name (observations) or trace name (traces).
    Name,
    /// Observation type.
    Type,
    /// Model.
    Model,
    /// Environment.
    Environment,
    /// Version.
    Version,
    /// Level.
    Level,
    /// The trace's name.
    TraceName,
    /// The trace's user.
    UserId,
    /// The trace's session.
    SessionId,
    /// The trace's release.
    Release,
    /// The linked prompt's name (generations).
    PromptName,
    /// The linked prompt's version (generations).
    PromptVersion,
}

/// A value measured per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// 1 per row.
    Count,
    /// End minus start, ms.
    Latency,
    /// First token minus start, ms.
    TimeToFirstToken,
    /// Input tokens.
    InputTokens,
    /// Output tokens.
    OutputTokens,
    /// Total tokens.
    TotalTokens,
    /// Cost, USD.
    TotalCost,
    /// Observations of a trace.
    ObservationCount,
    /// 1 for an error (an ERROR observation, or a trace holding one).
    ErrorCount,
}

/// A comparison of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `=`.
    Eq,
    /// `!=`.
    Ne,
    /// `>`.
    Gt,
    /// `<`.
    Lt,
    /// `>=`.
    Ge,
    /// `<=`.
    Le,
}

/// One filter: `column operator value`.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The column.
    pub column: Column,
    /// The comparison.
    pub operator: Operator,
    /// The value (text, number or 0/1).
    pub value: Sql,
}

/// A validated query.
#[derive(Debug, Clone)]
pub struct MetricsPlan {
    /// Rows scanned.
    pub view: View,
    /// Group-by columns, in order.
    pub dimensions: Vec<Column>,
    /// What each result column aggregates, in order.
    pub metrics: Vec<(Measure, Aggregation)>,
    /// Filters.
    pub conditions: Vec<Condition>,
    /// Time bucket width (ns), when bucketed.
    pub bucket: Option<i64>,
    /// Rows started at or after (ns).
    pub from: i64,
    /// Rows started before (ns).
    pub to: i64,
}

/// How a group's values of one measure become one number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Aggregation {
    /// Values counted.
    Count,
    /// Their sum (0 when there is none).
    Sum,
    /// Their mean.
    Avg,
    /// The smallest.
    Min,
    /// The largest.
    Max,
    /// The nearest-rank percentile, 0-100.
    Percentile(f64),
}

/// A group: its dimension values and time bucket.
pub type GroupKey = (Vec<Option<String>>, i64);

/// Every group's aggregates, one per metric of the plan (`None` when the group has no
/// value of that measure).
pub type Groups = BTreeMap<GroupKey, Vec<Option<f64>>>;

/// Why a scan did not complete.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// More groups than [`MAX_GROUPS`].
    #[error(
        "more than {MAX_GROUPS} result rows: narrow the time range, use fewer dimensions or a coarser granularity"
    )]
    TooManyGroups,
    /// More values to rank than [`MAX_RANKED_VALUES`].
    #[error("more than {MAX_RANKED_VALUES} values for a percentile: narrow the time range or filter the rows")]
    TooManyValues,
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] db::Error),
}

impl View {
    fn source(self) -> (&'static str, &'static str, &'static str) {
        match self {
            View::Observations => (
                "observations o LEFT JOIN traces t ON t.project_id = o.project_id AND t.id = o.trace_id",
                "o",
                "o.start_time",
            ),
            View::Traces => ("traces t", "t", "t.start_time"),
        }
    }
}

/// The SQL of `column` in `view`, `None` when the view has no such column.
pub fn column_sql(view: View, column: Column) -> Option<&'static str> {
    Some(match (view, column) {
        (View::Observations, Column::Name) => "o.name",
        (View::Observations, Column::Type) => "o.type",
        (View::Observations, Column::Model) => "o.model",
        (View::Observations, Column::Environment) => "o.environment",
        (View::Observations, Column::Version) => "o.version",
        (View::Observations, Column::Level) => "o.level",
        (View::Observations, Column::PromptName) => "o.prompt_name",
        (View::Observations, Column::PromptVersion) => "o.prompt_version",
        (View::Observations, Column::TraceName) | (View::Traces, Column::Name) => "t.name",
        (_, Column::UserId) => "t.user_id",
        (_, Column::SessionId) => "t.session_id",
        (_, Column::Release) => "t.release",
        (View::Traces, Column::Environment) => "t.environment",
        (View::Traces, Column::Version) => "t.version",
        _ => return None,
    })
}

/// The SQL of `measure` in `view`, `None` when the view cannot measure it.
pub fn measure_sql(view: View, measure: Measure) -> Option<&'static str> {
    Some(match (view, measure) {
        (_, Measure::Count) => "1",
        (View::Observations, Measure::Latency) => "(o.end_time - o.start_time) / 1e6",
        (View::Observations, Measure::TimeToFirstToken) => "(o.completion_start_time - o.start_time) / 1e6",
        (View::Observations, Measure::InputTokens) => "o.input_tokens",
        (View::Observations, Measure::OutputTokens) => "o.output_tokens",
        (View::Observations, Measure::TotalTokens) => "o.total_tokens",
        (View::Observations, Measure::TotalCost) => "o.total_cost",
        (View::Observations, Measure::ErrorCount) => "(o.level = 'ERROR')",
        (View::Traces, Measure::Latency) => "(t.end_time - t.start_time) / 1e6",
        (View::Traces, Measure::TotalTokens) => "t.total_tokens",
        (View::Traces, Measure::TotalCost) => "t.total_cost",
        (View::Traces, Measure::ObservationCount) => "t.observation_count",
        (View::Traces, Measure::ErrorCount) => "(t.error_count > 0)",
        _ => return None,
    })
}

fn operator_sql(operator: Operator) -> &'static str {
    match operator {
        Operator::Eq => "=",
        Operator::Ne => "!=",
        Operator::Gt => ">",
        Operator::Lt => "<",
        Operator::Ge => ">=",
        Operator::Le => "<=",
    }
}

/// The rows of a plan as a derived table: `k0..kn` (the dimensions as text), `b` (the
/// time bucket) and `v0..vm` (the measures as numbers). The plan's columns and measures
/// must exist in its view (the API checks with [`column_sql`] and [`measure_sql`]).
fn source_sql(plan: &MetricsPlan, project_id: &str) -> (String, Vec<Sql>) {
    let (table, alias, time_column) = plan.view.source();
    let sql_of = |column| column_sql(plan.view, column).unwrap_or("NULL");
    let mut filter = Filter::project(alias, project_id);
    filter.and(&format!("{time_column} >= ? AND {time_column} < ?"), [plan.from.into(), plan.to.into()]);
    for condition in &plan.conditions {
        let clause = format!("{} {} ?", sql_of(condition.column), operator_sql(condition.operator));
        filter.and(&clause, [condition.value.clone()]);
    }
    let mut select: Vec<String> =
        plan.dimensions.iter().enumerate().map(|(i, &c)| format!("CAST({} AS TEXT) AS k{i}", sql_of(c))).collect();
    select.push(match plan.bucket {
        Some(width) => format!("({time_column} / {width}) * {width} AS b"),
        None => "0 AS b".into(),
    });
    select.extend(plan.metrics.iter().enumerate().map(|(i, &(measure, _))| {
        format!("CAST({} AS DOUBLE PRECISION) AS v{i}", measure_sql(plan.view, measure).unwrap_or("NULL"))
    }));
    (format!("SELECT {} FROM {table} WHERE {}", select.join(", "), filter.sql()), filter.params([]))
}

/// The nearest rank (1-based) of percentile `rank` among `n` values: `ceil(rank / 100 * n)`,
/// at least 1.
fn nearest_rank(rank: f64, n: usize) -> usize {
    ((rank / 100.0) * n as f64).ceil().max(1.0) as usize
}

/// What a group keeps of one metric while the rows stream by: a running aggregate, or
/// the values a percentile ranks.
#[derive(Debug, Clone)]
enum Accumulator {
    /// Values seen.
    Count(u64),
    /// Their sum.
    Sum(f64),
    /// Their sum and count.
    Avg(f64, u64),
    /// The smallest so far.
    Min(Option<f64>),
    /// The largest so far.
    Max(Option<f64>),
    /// The values, and the percentile to pick.
    Percentile(Vec<f64>, f64),
}

impl Accumulator {
    fn new(aggregation: Aggregation) -> Self {
        match aggregation {
            Aggregation::Count => Self::Count(0),
            Aggregation::Sum => Self::Sum(0.0),
            Aggregation::Avg => Self::Avg(0.0, 0),
            Aggregation::Min => Self::Min(None),
            Aggregation::Max => Self::Max(None),
            Aggregation::Percentile(rank) => Self::Percentile(Vec::new(), rank),
        }
    }

    /// Takes in one row's value; whether it was kept (a percentile's).
    fn add(&mut self, value: f64) -> bool {
        match self {
            Self::Count(n) => *n += 1,
            Self::Sum(sum) => *sum += value,
            Self::Avg(sum, n) => (*sum, *n) = (*sum + value, *n + 1),
            Self::Min(min) => *min = Some(min.map_or(value, |m| m.min(value))),
            Self::Max(max) => *max = Some(max.map_or(value, |m| m.max(value))),
            Self::Percentile(values, _) => {
                values.push(value);
                return true;
            }
        }
        false
    }

    /// The aggregate (`None` for a mean, extreme or percentile of no value).
    fn finish(self) -> Option<f64> {
        match self {
            Self::Count(n) => Some(n as f64),
            Self::Sum(sum) => Some(sum),
            Self::Avg(sum, n) => (n > 0).then(|| sum / n as f64),
            Self::Min(value) | Self::Max(value) => value,
            Self::Percentile(mut values, rank) => {
                values.sort_unstable_by(f64::total_cmp);
                let position = nearest_rank(rank, values.len());
                values.get(position - 1).copied()
            }
        }
    }
}

/// Aggregates the rows of `plan` per group in one streamed scan: each group keeps a
/// running aggregate per metric, and the values of its percentile metrics. Memory: at
/// most [`MAX_GROUPS`] groups and [`MAX_RANKED_VALUES`] values, else the query is refused.
pub fn scan(connection: &Connection, project_id: &str, plan: &MetricsPlan) -> Result<Groups, ScanError> {
    let (source, params) = source_sql(plan, project_id);
    let dimensions = plan.dimensions.len();
    let fresh: Vec<Accumulator> = plan.metrics.iter().map(|&(_, aggregation)| Accumulator::new(aggregation)).collect();
    let mut groups: HashMap<GroupKey, Vec<Accumulator>> = HashMap::new();
    let mut ranked = 0;
    let mut statement = connection.prepare(&source)?;
    let mut rows = statement.query(&params)?;
    while let Some(row) = rows.next()? {
        let key = (0..dimensions).map(|i| row.get(i)).collect::<db::Result<_>>()?;
        let key: GroupKey = (key, row.get(dimensions)?);
        if !groups.contains_key(&key) && groups.len() == MAX_GROUPS {
            return Err(ScanError::TooManyGroups);
        }
        let accumulators = groups.entry(key).or_insert_with(|| fresh.clone());
        for (i, accumulator) in accumulators.iter_mut().enumerate() {
            let Some(value) = row.get::<_, Option<f64>>(dimensions + 1 + i)? else { continue };
            if accumulator.add(value) {
                ranked += 1;
                if ranked > MAX_RANKED_VALUES {
                    return Err(ScanError::TooManyValues);
                }
            }
        }
    }
    Ok(groups
        .into_iter()
        .map(|(key, accumulators)| (key, accumulators.into_iter().map(Accumulator::finish).collect()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan over observations measuring latency with `aggregations`, grouped by name.
    fn plan(aggregations: &[Aggregation]) -> MetricsPlan {
        MetricsPlan {
            view: View::Observations,
            dimensions: vec![Column::Name],
            metrics: aggregations.iter().map(|&a| (Measure::Latency, a)).collect(),
            conditions: Vec::new(),
            bucket: None,
            from: 0,
            to: i64::MAX,
        }
    }

    /// A store whose project `p` has observations named `a` with latencies 1..=100 ms
    /// and one named `b` without an end.
    fn store() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let (_store, connection) = super::super::Store::open(dir.path(), super::super::Durability::EachCommit).unwrap();
        let connection = db::Connection::from(connection);
        connection.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let columns = "project_id, id, trace_id, type, name, start_time, end_time, environment, is_root, level, \
                       metadata, usage_details, cost_details, created_at";
        let constants = "0, 'DEFAULT', '{}', '{}', '{}', 0";
        for i in 1..=100i64 {
            let sql = format!(
                "INSERT INTO observations ({columns}) VALUES ('p', ?, 't', 'SPAN', 'a', 0, ?, 'default', {constants})"
            );
            connection.execute(&sql, db::params![format!("a{i}"), i * 1_000_000]).unwrap();
        }
        let sql = format!(
            "INSERT INTO observations ({columns}) VALUES ('p', 'b', 't', 'SPAN', 'b', 0, NULL, 'default', {constants})"
        );
        connection.execute(&sql, ()).unwrap();
        (dir, connection)
    }

    #[test]
    fn aggregates_and_nearest_rank_percentiles_in_one_scan() {
        let (_dir, connection) = store();
        let aggregations = [
            Aggregation::Count,
            Aggregation::Sum,
            Aggregation::Avg,
            Aggregation::Min,
            Aggregation::Max,
            Aggregation::Percentile(50.0),
            Aggregation::Percentile(99.0),
            Aggregation::Percentile(95.5),
        ];
        let groups = scan(&connection, "p", &plan(&aggregations)).unwrap();
        let a = &groups[&(vec![Some("a".to_owned())], 0)];
        let expected = [100.0, 5050.0, 50.5, 1.0, 100.0, 50.0, 99.0, 96.0];
        assert_eq!(a, &expected.map(Some).to_vec());
        let b = &groups[&(vec![Some("b".to_owned())], 0)];
        assert_eq!(b, &vec![Some(0.0), Some(0.0), None, None, None, None, None, None], "no values: no mean, no rank");
    }

    #[test]
    fn more_groups_than_the_cap_are_refused() {
        let (_dir, connection) = store();
        let by_id = |dimension| MetricsPlan { dimensions: vec![dimension], ..plan(&[Aggregation::Count]) };
        // Group by the version, one per observation: set it to the observation's id.
        connection.execute("UPDATE observations SET version = id", ()).unwrap();
        assert_eq!(scan(&connection, "p", &by_id(Column::Version)).unwrap().len(), 101);
        let extra = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MAX_GROUPS})
             INSERT INTO observations (project_id, id, trace_id, type, name, start_time, environment, is_root, level,
                 metadata, usage_details, cost_details, created_at, version)
             SELECT 'p', 'x' || i, 't', 'SPAN', 'x', 0, 'default', 0, 'DEFAULT', '{{}}', '{{}}', '{{}}', 0, 'x' || i FROM n"
        );
        connection.execute(&extra, ()).unwrap();
        assert!(matches!(scan(&connection, "p", &by_id(Column::Version)), Err(ScanError::TooManyGroups)));
    }
}
