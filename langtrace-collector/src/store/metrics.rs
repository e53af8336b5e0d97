//! Aggregation scans for the metrics API: the query model (what to group by, what to
//! measure, which rows), the SQL it generates, and the scan collecting each group's
//! values. The API validates its wire form into a [`MetricsPlan`] and aggregates the
//! groups this module returns.

use std::collections::BTreeMap;

use rusqlite::types::Value as Sql;
use rusqlite::Connection;

use super::filter::Filter;

/// Rows scanned at most; a query beyond is refused (narrow the time range).
pub const MAX_ROWS: usize = 2_000_000;

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
    /// Values collected per group, in order.
    pub measures: Vec<Measure>,
    /// Filters.
    pub conditions: Vec<Condition>,
    /// Time bucket width (ns), when bucketed.
    pub bucket: Option<i64>,
    /// Rows started at or after (ns).
    pub from: i64,
    /// Rows started before (ns).
    pub to: i64,
}

/// A group: its dimension values and time bucket.
pub type GroupKey = (Vec<Option<String>>, i64);

/// Every group's values, per measure.
pub type Groups = BTreeMap<GroupKey, Vec<Vec<f64>>>;

/// Why a scan did not complete.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// More rows than [`MAX_ROWS`].
    #[error("more than {MAX_ROWS} rows: narrow the time range")]
    TooManyRows,
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
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

/// The scan's SQL and parameters. The plan's columns and measures must exist in its view
/// (the API checks with [`column_sql`] and [`measure_sql`]).
fn generate(plan: &MetricsPlan, project_id: &str) -> (String, Vec<Sql>) {
    let (table, alias, time_column) = plan.view.source();
    let sql_of = |column| column_sql(plan.view, column).unwrap_or("NULL");
    let mut filter = Filter::project(alias, project_id);
    filter.and(&format!("{time_column} >= ? AND {time_column} < ?"), [plan.from.into(), plan.to.into()]);
    for condition in &plan.conditions {
        let clause = format!("{} {} ?", sql_of(condition.column), operator_sql(condition.operator));
        filter.and(&clause, [condition.value.clone()]);
    }
    let mut select: Vec<String> = plan.dimensions.iter().map(|&c| format!("CAST({} AS TEXT)", sql_of(c))).collect();
    select.push(match plan.bucket {
        Some(width) => format!("({time_column} / {width}) * {width}"),
        None => "0".into(),
    });
    select.extend(
        plan.measures.iter().map(|&m| format!("CAST({} AS REAL)", measure_sql(plan.view, m).unwrap_or("NULL"))),
    );
    let sql = format!("SELECT {} FROM {table} WHERE {} LIMIT {}", select.join(", "), filter.sql(), MAX_ROWS + 1);
    (sql, filter.params([]))
}

/// Scans the rows of `plan` and collects each group's values.
pub fn scan(connection: &Connection, project_id: &str, plan: &MetricsPlan) -> Result<Groups, ScanError> {
    let (sql, params) = generate(plan, project_id);
    let dimensions = plan.dimensions.len();
    let mut groups = Groups::new();
    let mut statement = connection.prepare(&sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(params))?;
    let mut scanned = 0usize;
    while let Some(row) = rows.next()? {
        scanned += 1;
        if scanned > MAX_ROWS {
            return Err(ScanError::TooManyRows);
        }
        let key: Vec<Option<String>> = (0..dimensions).map(|i| row.get(i)).collect::<rusqlite::Result<_>>()?;
        let time: i64 = row.get(dimensions)?;
        let values = groups.entry((key, time)).or_insert_with(|| vec![Vec::new(); plan.measures.len()]);
        for (index, values) in values.iter_mut().enumerate() {
            if let Some(value) = row.get::<_, Option<f64>>(dimensions + 1 + index)? {
                values.push(value);
            }
        }
    }
    Ok(groups)
}
