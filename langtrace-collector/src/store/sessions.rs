//! Sessions: traces sharing a session id, summed up.

use super::filter::{self, Filter, Page, Paged};
use crate::store::db::{self, Connection, OptionalExtension, Row};

/// The aggregate columns over `traces t` grouped by session that [`SessionRow::read`] reads.
const COLUMNS: &str = "t.session_id AS id, MIN(t.start_time) AS first_start, MAX(t.end_time) AS last_end,
    COUNT(*) AS trace_count, SUM(t.total_tokens) AS total_tokens, SUM(t.total_cost) AS total_cost,
    json_group_array(DISTINCT t.user_id) AS user_ids, MIN(t.environment) AS environment,
    MIN(t.project_id) AS project_id, SUM(t.error_count) AS error_count";

/// One session's totals. Times in nanoseconds since the epoch.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// Session id.
    pub id: String,
    /// Start of its first trace.
    pub first_start: i64,
    /// End of its last trace.
    pub last_end: i64,
    /// Traces.
    pub trace_count: i64,
    /// Tokens of all its traces.
    pub total_tokens: i64,
    /// Cost of all its traces, USD.
    pub total_cost: f64,
    /// Its users, each once, in no given order (JSON array text, may hold null).
    pub user_ids: String,
    /// The first of its environments by name.
    pub environment: String,
    /// Owning project.
    pub project_id: String,
    /// Error observations in all its traces.
    pub error_count: i64,
}

impl SessionRow {
    fn read(row: &Row<'_>) -> db::Result<Self> {
        Ok(Self {
            id: row.get("id")?,
            first_start: row.get("first_start")?,
            last_end: row.get("last_end")?,
            trace_count: row.get("trace_count")?,
            total_tokens: row.get("total_tokens")?,
            total_cost: row.get("total_cost")?,
            user_ids: row.get("user_ids")?,
            environment: row.get("environment")?,
            project_id: row.get("project_id")?,
            error_count: row.get("error_count")?,
        })
    }
}

/// Which sessions a list shows; unset fields do not filter.
#[derive(Debug, Default, Clone)]
pub struct SessionFilter {
    /// Traces started at or after (ns).
    pub from: Option<i64>,
    /// Traces started before (ns).
    pub to: Option<i64>,
    /// Traces of this user.
    pub user_id: Option<String>,
    /// Traces in any of these environments.
    pub environments: Vec<String>,
}

/// One page of sessions, newest activity first.
pub fn page(
    connection: &Connection,
    project_id: &str,
    filter: &SessionFilter,
    page: Page,
) -> db::Result<Paged<SessionRow>> {
    let mut clause = Filter::project("t", project_id);
    clause
        .and("t.session_id IS NOT NULL", [])
        .and_some("t.start_time >= ?", &filter.from)
        .and_some("t.start_time < ?", &filter.to)
        .and_some("t.user_id = ?", &filter.user_id)
        .and_in("t.environment", &filter.environments);
    let page_sql = format!(
        "SELECT {COLUMNS} FROM traces t WHERE {{where}} GROUP BY t.session_id
         ORDER BY MAX(t.start_time) DESC, t.session_id"
    );
    let sqls = ("SELECT COUNT(DISTINCT t.session_id) FROM traces t WHERE {where}", page_sql.as_str());
    filter::page(connection, &clause, page, sqls, SessionRow::read)
}

/// One session's totals.
pub fn get(connection: &Connection, project_id: &str, id: &str) -> db::Result<Option<SessionRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM traces t WHERE t.project_id = ?1 AND t.session_id = ?2 GROUP BY t.session_id");
    connection.prepare_cached(&sql)?.query_row([project_id, id], SessionRow::read).optional()
}
