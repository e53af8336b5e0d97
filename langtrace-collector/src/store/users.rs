//! Users: traces sharing a user id, summed up.

use super::filter::{self, Filter, Page, Paged};
use crate::store::db::{self, Connection, OptionalExtension, Row};

/// The aggregate columns over `traces t` grouped by user that [`UserRow::read`] reads.
const COLUMNS: &str = "t.user_id AS id, MIN(t.start_time) AS first_seen, MAX(t.start_time) AS last_seen,
    COUNT(*) AS trace_count, SUM(t.total_tokens) AS total_tokens, SUM(t.total_cost) AS total_cost,
    COUNT(DISTINCT t.session_id) AS session_count, SUM(t.error_count) AS error_count";

/// One user's totals. Times in nanoseconds since the epoch.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// User id.
    pub id: String,
    /// Start of the first trace.
    pub first_seen: i64,
    /// Start of the last trace.
    pub last_seen: i64,
    /// Traces.
    pub trace_count: i64,
    /// Tokens of all their traces.
    pub total_tokens: i64,
    /// Cost of all their traces, USD.
    pub total_cost: f64,
    /// Distinct sessions.
    pub session_count: i64,
    /// Error observations in all their traces.
    pub error_count: i64,
}

impl UserRow {
    fn read(row: &Row<'_>) -> db::Result<Self> {
        Ok(Self {
            id: row.get("id")?,
            first_seen: row.get("first_seen")?,
            last_seen: row.get("last_seen")?,
            trace_count: row.get("trace_count")?,
            total_tokens: row.get("total_tokens")?,
            total_cost: row.get("total_cost")?,
            session_count: row.get("session_count")?,
            error_count: row.get("error_count")?,
        })
    }
}

/// Which users a list shows; unset fields do not filter.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Traces started at or after (ns).
    pub from: Option<i64>,
    /// Traces started before (ns).
    pub to: Option<i64>,
    /// Traces in any of these environments.
    pub environments: Vec<String>,
}

/// One page of users, most recently seen first.
pub fn page(connection: &Connection, project_id: &str, filter: &UserFilter, page: Page) -> db::Result<Paged<UserRow>> {
    let mut clause = Filter::project("t", project_id);
    clause
        .and("t.user_id IS NOT NULL", [])
        .and_some("t.start_time >= ?", &filter.from)
        .and_some("t.start_time < ?", &filter.to)
        .and_in("t.environment", &filter.environments);
    let page_sql = format!(
        "SELECT {COLUMNS} FROM traces t WHERE {{where}} GROUP BY t.user_id ORDER BY MAX(t.start_time) DESC, t.user_id"
    );
    let sqls = ("SELECT COUNT(DISTINCT t.user_id) FROM traces t WHERE {where}", page_sql.as_str());
    filter::page(connection, &clause, page, sqls, UserRow::read)
}

/// One user's totals.
pub fn get(connection: &Connection, project_id: &str, id: &str) -> db::Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM traces t WHERE t.project_id = ?1 AND t.user_id = ?2 GROUP BY t.user_id");
    connection.prepare_cached(&sql)?.query_row([project_id, id], UserRow::read).optional()
}

/// Sessions of one user, by id, at most `limit`.
pub fn sessions(connection: &Connection, project_id: &str, id: &str, limit: u32) -> db::Result<Vec<String>> {
    let mut statement = connection.prepare_cached(
        "SELECT DISTINCT session_id FROM traces WHERE project_id = ?1 AND user_id = ?2 AND session_id IS NOT NULL
         ORDER BY session_id LIMIT ?3",
    )?;
    let rows = statement.query_map(db::params![project_id, id, limit], |row| row.get(0))?;
    rows.collect()
}
