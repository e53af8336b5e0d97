//! Score rows: stored (an existing id is replaced: clients may resend), listed with
//! filters page by page or after a cursor, and read per trace.

use super::filter::{self, Filter, Page, Paged};
use super::now_ns;
use crate::store::db::{self, params, Connection, Row, Transaction, Value as Sql};

/// Columns of `scores s` that [`ScoreRow::read`] reads.
const COLUMNS: &str = "s.id AS id, s.trace_id AS trace_id, s.observation_id AS observation_id,
    s.session_id AS session_id, s.name AS name, s.value AS value, s.string_value AS string_value,
    s.data_type AS data_type, s.source AS source, s.comment AS comment, s.metadata AS metadata,
    s.environment AS environment, s.timestamp AS timestamp, s.created_at AS created_at, s.project_id AS project_id,
    s.dataset_run_id AS dataset_run_id";

/// A score's own fields: what a client gives (validated), and what is stored.
#[derive(Debug, Clone)]
pub struct ScoreFields {
    /// Id (given by the client or generated).
    pub id: String,
    /// Scored trace.
    pub trace_id: Option<String>,
    /// Scored observation.
    pub observation_id: Option<String>,
    /// Scored session.
    pub session_id: Option<String>,
    /// Scored dataset run (experiment).
    pub dataset_run_id: Option<String>,
    /// Name.
    pub name: String,
    /// Numeric value (booleans as 0/1).
    pub value: Option<f64>,
    /// Text value (categories, text, booleans as `true`/`false`).
    pub string_value: Option<String>,
    /// NUMERIC, BOOLEAN, CATEGORICAL or TEXT.
    pub data_type: String,
    /// Upper-case source (API, ANNOTATION, EVAL).
    pub source: String,
    /// Comment.
    pub comment: Option<String>,
    /// Metadata, JSON text.
    pub metadata: String,
    /// Environment (normalised).
    pub environment: String,
    /// When it was given (ns since the epoch).
    pub timestamp: i64,
}

/// A stored score.
#[derive(Debug, Clone)]
pub struct ScoreRow {
    /// The score's own fields.
    pub score: ScoreFields,
    /// Stored at (ns since the epoch).
    pub created_at: i64,
    /// Owning project.
    pub project_id: String,
}

impl ScoreRow {
    /// Reads a row selected with this module's columns.
    pub fn read(row: &Row<'_>) -> db::Result<Self> {
        let score = ScoreFields {
            id: row.get("id")?,
            trace_id: row.get("trace_id")?,
            observation_id: row.get("observation_id")?,
            session_id: row.get("session_id")?,
            dataset_run_id: row.get("dataset_run_id")?,
            name: row.get("name")?,
            value: row.get("value")?,
            string_value: row.get("string_value")?,
            data_type: row.get("data_type")?,
            source: row.get("source")?,
            comment: row.get("comment")?,
            metadata: row.get("metadata")?,
            environment: row.get("environment")?,
            timestamp: row.get("timestamp")?,
        };
        Ok(Self { score, created_at: row.get("created_at")?, project_id: row.get("project_id")? })
    }
}

/// Stores scores of `project_id`.
pub fn insert(tx: &Transaction<'_>, project_id: &str, scores: &[ScoreFields]) -> db::Result<()> {
    let mut statement = tx.prepare_cached(
        "INSERT INTO scores (project_id, id, trace_id, observation_id, session_id, name, value,
            string_value, data_type, source, comment, metadata, environment, timestamp, created_at, dataset_run_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (project_id, id) DO UPDATE SET trace_id = excluded.trace_id,
            observation_id = excluded.observation_id, session_id = excluded.session_id, name = excluded.name,
            value = excluded.value, string_value = excluded.string_value, data_type = excluded.data_type,
            source = excluded.source, comment = excluded.comment, metadata = excluded.metadata,
            environment = excluded.environment, timestamp = excluded.timestamp, created_at = excluded.created_at,
            dataset_run_id = excluded.dataset_run_id",
    )?;
    let created = now_ns();
    for score in scores {
        statement.execute(params![
            project_id,
            score.id,
            score.trace_id,
            score.observation_id,
            score.session_id,
            score.name,
            score.value,
            score.string_value,
            score.data_type,
            score.source,
            score.comment,
            score.metadata,
            score.environment,
            score.timestamp,
            created,
            score.dataset_run_id,
        ])?;
    }
    Ok(())
}

/// Which scores a list shows; unset fields do not filter.
#[derive(Debug, Default, Clone)]
pub struct ScoreFilter {
    /// Trace.
    pub trace_id: Option<String>,
    /// Observation.
    pub observation_id: Option<String>,
    /// Session.
    pub session_id: Option<String>,
    /// Dataset run (experiment).
    pub dataset_run_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Source, upper case.
    pub source: Option<String>,
    /// Data type, upper case.
    pub data_type: Option<String>,
    /// Environment.
    pub environment: Option<String>,
    /// Given at or after (ns).
    pub from: Option<i64>,
    /// Given before (ns).
    pub to: Option<i64>,
    /// On traces of this user.
    pub user_id: Option<String>,
    /// Any of these ids.
    pub ids: Vec<String>,
}

impl ScoreFilter {
    fn clause(&self, project_id: &str) -> Filter {
        let mut filter = Filter::project("s", project_id);
        filter
            .and_some("s.trace_id = ?", &self.trace_id)
            .and_some("s.observation_id = ?", &self.observation_id)
            .and_some("s.session_id = ?", &self.session_id)
            .and_some("s.dataset_run_id = ?", &self.dataset_run_id)
            .and_some("s.name = ?", &self.name)
            .and_some("s.source = ?", &self.source)
            .and_some("s.data_type = ?", &self.data_type)
            .and_some("s.environment = ?", &self.environment)
            .and_some("s.timestamp >= ?", &self.from)
            .and_some("s.timestamp < ?", &self.to)
            .and_some(
                "s.trace_id IN (SELECT t.id FROM traces t WHERE t.project_id = s.project_id AND t.user_id = ?)",
                &self.user_id,
            )
            .and_in("s.id", &self.ids);
        filter
    }
}

/// One page of the scores `filter` selects, newest first.
pub fn page(
    connection: &Connection,
    project_id: &str,
    filter: &ScoreFilter,
    page: Page,
) -> db::Result<Paged<ScoreRow>> {
    let page_sql = format!("SELECT {COLUMNS} FROM scores s WHERE {{where}} ORDER BY s.timestamp DESC, s.id DESC");
    let sqls = ("SELECT COUNT(*) FROM scores s WHERE {where}", page_sql.as_str());
    filter::page(connection, &filter.clause(project_id), page, sqls, ScoreRow::read)
}

/// Where a cursor-paged score list continues: after this time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreCursor {
    /// Time of the last score seen.
    pub timestamp: i64,
    /// Its id.
    pub id: String,
}

/// Up to `limit` scores `filter` selects after `cursor`, newest first.
pub fn after(
    connection: &Connection,
    project_id: &str,
    filter: &ScoreFilter,
    cursor: Option<&ScoreCursor>,
    limit: u32,
) -> db::Result<Vec<ScoreRow>> {
    let mut clause = filter.clause(project_id);
    if let Some(ScoreCursor { timestamp, id }) = cursor {
        let time = *timestamp;
        clause.and(
            "(s.timestamp < ? OR (s.timestamp = ? AND s.id < ?))",
            [time.into(), time.into(), Sql::Text(id.clone())],
        );
    }
    let sql =
        format!("SELECT {COLUMNS} FROM scores s WHERE {} ORDER BY s.timestamp DESC, s.id DESC LIMIT ?", clause.sql());
    filter::all(connection, &sql, clause.params([Sql::Integer(i64::from(limit))]), ScoreRow::read)
}

/// The scores of one dataset run (experiment), oldest first.
pub fn of_dataset_run(connection: &Connection, project_id: &str, run_id: &str) -> db::Result<Vec<ScoreRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM scores s WHERE s.project_id = ? AND s.dataset_run_id = ? ORDER BY s.timestamp");
    let params = vec![Sql::Text(project_id.to_owned()), Sql::Text(run_id.to_owned())];
    filter::all(connection, &sql, params, ScoreRow::read)
}

/// The scores of one trace, oldest first.
pub fn of_trace(connection: &Connection, project_id: &str, trace_id: &str) -> db::Result<Vec<ScoreRow>> {
    let sql = format!("SELECT {COLUMNS} FROM scores s WHERE s.project_id = ? AND s.trace_id = ? ORDER BY +s.timestamp");
    let params = vec![Sql::Text(project_id.to_owned()), Sql::Text(trace_id.to_owned())];
    filter::all(connection, &sql, params, ScoreRow::read)
}
