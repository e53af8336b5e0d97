//! Observation rows: listed with filters (page by page, or after a cursor with the trace
//! context joined), read one by one, or all of one trace.

use super::filter::{self, Filter, Io, IoText, Page, Paged};
use super::last_message;
use super::score_threshold::ScoreThreshold;
use crate::store::db::{self, Connection, Row, Value as Sql};

/// Columns of `observations o` that [`ObservationRow::read`] reads, besides input and
/// output.
const COLUMNS: &str = "o.id AS id, o.trace_id AS trace_id, o.parent_id AS parent_id, o.is_root AS is_root,
    o.type AS type, o.name AS name, o.start_time AS start_time, o.end_time AS end_time,
    o.completion_start_time AS completion_start_time, o.level AS level, o.status_message AS status_message,
    o.metadata AS metadata, o.version AS version,
    o.environment AS environment, o.model AS model, o.model_parameters AS model_parameters,
    o.usage_details AS usage_details, o.cost_details AS cost_details, o.input_tokens AS input_tokens,
    o.output_tokens AS output_tokens, o.total_tokens AS total_tokens, o.total_cost AS total_cost,
    o.prompt_name AS prompt_name, o.prompt_version AS prompt_version,
    (SELECT p.id FROM prompts p WHERE p.project_id = o.project_id AND p.name = o.prompt_name
     AND p.version = o.prompt_version) AS prompt_id, o.created_at AS created_at,
    o.project_id AS project_id";

/// Columns of the trace joined as `t` that [`TraceContext::read`] reads.
const TRACE_CONTEXT_COLUMNS: &str = "t.user_id AS trace_user_id, t.session_id AS trace_session_id,
    t.tags AS trace_tags, t.release AS trace_release, t.name AS trace_name, t.public AS trace_public";

/// A stored observation. Times in nanoseconds since the epoch; JSON columns as text.
#[derive(Debug, Clone)]
pub struct ObservationRow {
    /// Observation id (hex).
    pub id: String,
    /// Trace id (hex).
    pub trace_id: String,
    /// Parent observation.
    pub parent_id: Option<String>,
    /// First observation of its trace in its process.
    pub is_root: bool,
    /// Type, upper case.
    pub observation_type: String,
    /// Name.
    pub name: String,
    /// Start.
    pub start_time: i64,
    /// End.
    pub end_time: Option<i64>,
    /// First token.
    pub completion_start_time: Option<i64>,
    /// Level, upper case.
    pub level: String,
    /// Status message.
    pub status_message: Option<String>,
    /// Input JSON text.
    pub input: IoText,
    /// Output JSON text.
    pub output: IoText,
    /// Metadata, JSON object text.
    pub metadata: String,
    /// Version.
    pub version: Option<String>,
    /// Environment.
    pub environment: String,
    /// Model.
    pub model: Option<String>,
    /// Model parameters, JSON object text.
    pub model_parameters: Option<String>,
    /// Usage details, JSON object text.
    pub usage_details: String,
    /// Cost details (given or computed), JSON object text.
    pub cost_details: String,
    /// Input tokens.
    pub input_tokens: Option<i64>,
    /// Output tokens.
    pub output_tokens: Option<i64>,
    /// Total tokens.
    pub total_tokens: Option<i64>,
    /// Total cost, USD.
    pub total_cost: Option<f64>,
    /// Prompt name.
    pub prompt_name: Option<String>,
    /// Prompt version.
    pub prompt_version: Option<i64>,
    /// Id of the prompt version named by `prompt_name` and `prompt_version`, while it exists.
    pub prompt_id: Option<String>,
    /// Stored at.
    pub created_at: i64,
    /// Owning project.
    pub project_id: String,
}

/// The select list of [`ObservationRow::read`], input and output as `io` says.
fn columns(io: Io) -> String {
    format!("{COLUMNS}, {}", io.columns("o"))
}

impl ObservationRow {
    /// Reads a row selected with this module's columns.
    pub fn read(row: &Row<'_>) -> db::Result<Self> {
        Ok(Self {
            id: row.get("id")?,
            trace_id: row.get("trace_id")?,
            parent_id: row.get("parent_id")?,
            is_root: row.get("is_root")?,
            observation_type: row.get("type")?,
            name: row.get("name")?,
            start_time: row.get("start_time")?,
            end_time: row.get("end_time")?,
            completion_start_time: row.get("completion_start_time")?,
            level: row.get("level")?,
            status_message: row.get("status_message")?,
            input: IoText::read(row, "input")?,
            output: IoText::read(row, "output")?,
            metadata: row.get("metadata")?,
            version: row.get("version")?,
            environment: row.get("environment")?,
            model: row.get("model")?,
            model_parameters: row.get("model_parameters")?,
            usage_details: row.get("usage_details")?,
            cost_details: row.get("cost_details")?,
            input_tokens: row.get("input_tokens")?,
            output_tokens: row.get("output_tokens")?,
            total_tokens: row.get("total_tokens")?,
            total_cost: row.get("total_cost")?,
            prompt_name: row.get("prompt_name")?,
            prompt_version: row.get("prompt_version")?,
            prompt_id: row.get("prompt_id")?,
            created_at: row.get("created_at")?,
            project_id: row.get("project_id")?,
        })
    }
}

/// The trace attributes an observation list can carry along (none when the trace has not
/// been rolled up).
#[derive(Debug, Clone, Default)]
pub struct TraceContext {
    /// User.
    pub user_id: Option<String>,
    /// Session.
    pub session_id: Option<String>,
    /// Tags, JSON array text.
    pub tags: Option<String>,
    /// Release.
    pub release: Option<String>,
    /// Trace name.
    pub name: Option<String>,
    /// Shareable by public link.
    pub public: Option<bool>,
}

impl TraceContext {
    fn read(row: &Row<'_>) -> db::Result<Self> {
        Ok(Self {
            user_id: row.get("trace_user_id")?,
            session_id: row.get("trace_session_id")?,
            tags: row.get("trace_tags")?,
            release: row.get("trace_release")?,
            name: row.get("trace_name")?,
            public: row.get("trace_public")?,
        })
    }
}

/// Which observations a list shows; unset fields do not filter.
#[derive(Debug, Default, Clone)]
pub struct ObservationFilter {
    /// Trace.
    pub trace_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Parent observation.
    pub parent_id: Option<String>,
    /// Roots only (or non-roots only).
    pub is_root: Option<bool>,
    /// Traces of this session.
    pub session_id: Option<String>,
    /// Traces of this user.
    pub user_id: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Started at or after (ns).
    pub from: Option<i64>,
    /// Started before (ns).
    pub to: Option<i64>,
    /// Type, upper case.
    pub observation_type: Option<String>,
    /// Level, upper case.
    pub level: Option<String>,
    /// Any of these environments.
    pub environments: Vec<String>,
    /// Generations linked to this prompt name.
    pub prompt_name: Option<String>,
    /// Generations linked to this prompt version.
    pub prompt_version: Option<i64>,
    /// Every one of these score conditions.
    pub scores: Vec<ScoreThreshold>,
}

impl ObservationFilter {
    fn clause(&self, project_id: &str) -> Filter {
        let mut filter = Filter::project("o", project_id);
        filter
            .and_some("o.trace_id = ?", &self.trace_id)
            .and_some("o.name = ?", &self.name)
            .and_some("o.parent_id = ?", &self.parent_id)
            .and_some("o.is_root = ?", &self.is_root)
            .and_some(
                "o.trace_id IN (SELECT t.id FROM traces t WHERE t.project_id = o.project_id AND t.session_id = ?)",
                &self.session_id,
            )
            .and_some("o.version = ?", &self.version)
            .and_some("o.model = ?", &self.model)
            .and_some("o.start_time >= ?", &self.from)
            .and_some("o.start_time < ?", &self.to)
            .and_some(
                "o.trace_id IN (SELECT t.id FROM traces t WHERE t.project_id = o.project_id AND t.user_id = ?)",
                &self.user_id,
            )
            .and_some("o.type = ?", &self.observation_type)
            .and_some("o.level = ?", &self.level)
            .and_in("o.environment", &self.environments)
            .and_some("o.prompt_name = ?", &self.prompt_name)
            .and_some("o.prompt_version = ?", &self.prompt_version);
        for score in &self.scores {
            let (clause, params) = score.clause();
            filter.and(&clause, params);
        }
        filter
    }
}

/// One page of the observations `filter` selects, newest first, input and output as
/// `io` says.
pub fn page(
    connection: &Connection,
    project_id: &str,
    filter: &ObservationFilter,
    page: Page,
    io: Io,
) -> db::Result<Paged<ObservationRow>> {
    let page_sql =
        format!("SELECT {} FROM observations o WHERE {{where}} ORDER BY o.start_time DESC, o.id DESC", columns(io));
    let sqls = ("SELECT COUNT(*) FROM observations o WHERE {where}", page_sql.as_str());
    let mut paged = filter::page(connection, &filter.clause(project_id), page, sqls, ObservationRow::read)?;
    if io == Io::Preview {
        last_message::of_observations(connection, &mut paged.rows)?;
    }
    Ok(paged)
}

/// Where a cursor-paged list continues: after this start time, id and trace id (ids are
/// unique per trace only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservationCursor {
    /// Start time of the last row seen.
    pub start_time: i64,
    /// Its id.
    pub id: String,
    /// Its trace id.
    pub trace_id: String,
}

/// Up to `limit` observations `filter` selects after `cursor`, newest first, each with
/// its trace's context, input and output as `io` says.
pub fn after(
    connection: &Connection,
    project_id: &str,
    filter: &ObservationFilter,
    cursor: Option<&ObservationCursor>,
    limit: u32,
    io: Io,
) -> db::Result<Vec<(ObservationRow, TraceContext)>> {
    let mut clause = filter.clause(project_id);
    if let Some(cursor) = cursor {
        let (start, id, trace) = (cursor.start_time, &cursor.id, &cursor.trace_id);
        clause.and(
            "(o.start_time < ? OR (o.start_time = ? AND (o.id < ? OR (o.id = ? AND o.trace_id < ?))))",
            [start.into(), start.into(), Sql::Text(id.clone()), Sql::Text(id.clone()), Sql::Text(trace.clone())],
        );
    }
    let sql = format!(
        "SELECT {}, {TRACE_CONTEXT_COLUMNS} FROM observations o
         LEFT JOIN traces t ON t.project_id = o.project_id AND t.id = o.trace_id
         WHERE {} ORDER BY o.start_time DESC, o.id DESC, o.trace_id DESC LIMIT ?",
        columns(io),
        clause.sql()
    );
    let mut rows = filter::all(connection, &sql, clause.params([Sql::Integer(i64::from(limit))]), |row| {
        Ok((ObservationRow::read(row)?, TraceContext::read(row)?))
    })?;
    if io == Io::Preview {
        last_message::of_observations(connection, rows.iter_mut().map(|(row, _)| row))?;
    }
    Ok(rows)
}

/// One observation by id alone (no index: scans the project's (trace, id) index), input
/// and output whole.
pub fn get(connection: &Connection, project_id: &str, id: &str) -> db::Result<Option<ObservationRow>> {
    let sql = format!("SELECT {} FROM observations o WHERE o.project_id = ? AND o.id = ?", columns(Io::Full));
    let params = vec![Sql::Text(project_id.to_owned()), Sql::Text(id.to_owned())];
    Ok(filter::all(connection, &sql, params, ObservationRow::read)?.pop())
}

/// The first `limit` observations of a trace by start time (all with `None`), input and
/// output as `io` says.
pub fn of_trace(
    connection: &Connection,
    project_id: &str,
    trace_id: &str,
    limit: Option<u32>,
    io: Io,
) -> db::Result<Vec<ObservationRow>> {
    // `+`: look the trace up by its index, then sort.
    let sql = format!(
        "SELECT {} FROM observations o WHERE o.project_id = ? AND o.trace_id = ?
         ORDER BY +o.start_time, o.id LIMIT ?",
        columns(io)
    );
    let params = vec![
        Sql::Text(project_id.to_owned()),
        Sql::Text(trace_id.to_owned()),
        Sql::Integer(limit.map_or(i64::MAX, i64::from)),
    ];
    // Previews keep the value's start here: a trace holds up to thousands of observations,
    // and the trace page loads the selected one whole.
    filter::all(connection, &sql, params, ObservationRow::read)
}
