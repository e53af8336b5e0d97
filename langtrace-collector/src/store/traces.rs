//! Trace rows: the rollup of each trace's observations, listed with filters and ordering,
//! read one by one, or by session and user.

use langtrace_core::record::{Level, ObservationType};

use super::filter::{self, contains_pattern, Filter, Io, IoText, Page, Paged};
use super::last_message;
use crate::store::db::{self, Connection, OptionalExtension, Row, Value as Sql};

/// Columns of `traces t` that [`TraceRow::read`] reads, besides input and output.
const COLUMNS: &str = "t.id AS id, t.name AS name, t.user_id AS user_id, t.session_id AS session_id, t.tags AS tags,
    t.metadata AS metadata, t.release AS release, t.version AS version, t.environment AS environment,
    t.public AS public, t.start_time AS start_time, t.end_time AS end_time,
    t.input_tokens AS input_tokens, t.output_tokens AS output_tokens, t.total_tokens AS total_tokens,
    t.total_cost AS total_cost, t.observation_count AS observation_count, t.debug_count AS debug_count,
    t.default_count AS default_count, t.warning_count AS warning_count, t.error_count AS error_count,
    t.created_at AS created_at, t.updated_at AS updated_at, t.project_id AS project_id,
    t.root_observation_id AS root_observation_id, t.bookmarked AS bookmarked";

/// A stored trace. Times in nanoseconds since the epoch; JSON columns as their text.
#[derive(Debug, Clone)]
pub struct TraceRow {
    /// Trace id (hex).
    pub id: String,
    /// Name (explicit, else the root observation's).
    pub name: Option<String>,
    /// User.
    pub user_id: Option<String>,
    /// Session.
    pub session_id: Option<String>,
    /// Tags, JSON array text.
    pub tags: String,
    /// Metadata, JSON object text.
    pub metadata: String,
    /// Release.
    pub release: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Environment.
    pub environment: String,
    /// Shareable by public link.
    pub public: bool,
    /// Input JSON text (explicit, else the root's).
    pub input: IoText,
    /// Output JSON text (explicit, else the root's).
    pub output: IoText,
    /// Earliest observation start.
    pub start_time: i64,
    /// Latest observation end.
    pub end_time: i64,
    /// Input tokens of all observations.
    pub input_tokens: i64,
    /// Output tokens of all observations.
    pub output_tokens: i64,
    /// Total tokens of all observations.
    pub total_tokens: i64,
    /// Cost of all observations, USD.
    pub total_cost: f64,
    /// Observations stored.
    pub observation_count: i64,
    /// Observations per level: DEBUG, DEFAULT, WARNING, ERROR.
    pub level_counts: [i64; 4],
    /// First stored.
    pub created_at: i64,
    /// Last rolled up.
    pub updated_at: i64,
    /// Owning project.
    pub project_id: String,
    /// The root observation, once seen.
    pub root_observation_id: Option<String>,
    /// Starred in the UI.
    pub bookmarked: bool,
}

/// The select list of [`TraceRow::read`], input and output as `io` says.
pub(super) fn columns(io: Io) -> String {
    format!("{COLUMNS}, {}", io.columns("t"))
}

impl TraceRow {
    /// Reads a row selected with this module's columns.
    pub fn read(row: &Row<'_>) -> db::Result<Self> {
        Ok(Self {
            id: row.get("id")?,
            name: row.get("name")?,
            user_id: row.get("user_id")?,
            session_id: row.get("session_id")?,
            tags: row.get("tags")?,
            metadata: row.get("metadata")?,
            release: row.get("release")?,
            version: row.get("version")?,
            environment: row.get("environment")?,
            public: row.get("public")?,
            input: IoText::read(row, "input")?,
            output: IoText::read(row, "output")?,
            start_time: row.get("start_time")?,
            end_time: row.get("end_time")?,
            input_tokens: row.get("input_tokens")?,
            output_tokens: row.get("output_tokens")?,
            total_tokens: row.get("total_tokens")?,
            total_cost: row.get("total_cost")?,
            observation_count: row.get("observation_count")?,
            level_counts: [
                row.get("debug_count")?,
                row.get("default_count")?,
                row.get("warning_count")?,
                row.get("error_count")?,
            ],
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
            project_id: row.get("project_id")?,
            root_observation_id: row.get("root_observation_id")?,
            bookmarked: row.get("bookmarked")?,
        })
    }

    /// The worst level among the trace's observations (DEFAULT when it has none).
    pub fn level(&self) -> Level {
        let [debug, default, warning, error] = self.level_counts;
        [(error, Level::Error), (warning, Level::Warning), (default, Level::Default), (debug, Level::Debug)]
            .into_iter()
            .find_map(|(count, level)| (count > 0).then_some(level))
            .unwrap_or(Level::Default)
    }
}

/// Which traces a list shows; unset fields do not filter.
#[derive(Debug, Default, Clone)]
pub struct TraceFilter {
    /// User.
    pub user_id: Option<String>,
    /// Session.
    pub session_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Release.
    pub release: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Started at or after (ns).
    pub from: Option<i64>,
    /// Started before (ns).
    pub to: Option<i64>,
    /// Cost at least (USD).
    pub min_cost: Option<f64>,
    /// Latency at least (ns).
    pub min_latency: Option<i64>,
    /// Any of these environments.
    pub environments: Vec<String>,
    /// Every one of these tags.
    pub tags: Vec<String>,
    /// This worst level.
    pub level: Option<Level>,
    /// Text in the id, name, input or output.
    pub search: Option<String>,
    /// Has an observation matching this (e.g. a GUARDRAIL observation at WARNING or worse).
    pub observation: Option<ObservationMatch>,
    /// Bookmarked (true) or not (false).
    pub bookmarked: Option<bool>,
}

/// Which observation a trace must have: both conditions on the same observation, an
/// unset one matching any.
#[derive(Debug, Default, Clone, Copy)]
pub struct ObservationMatch {
    /// Of this type.
    pub observation_type: Option<ObservationType>,
    /// At this level or worse.
    pub min_level: Option<Level>,
}

impl ObservationMatch {
    /// The `EXISTS` clause over the observations of `traces t`, with its parameters.
    fn clause(self) -> (String, Vec<Sql>) {
        let mut clause =
            "EXISTS (SELECT 1 FROM observations o WHERE o.project_id = t.project_id AND o.trace_id = t.id".to_owned();
        let mut params = Vec::new();
        if let Some(observation_type) = self.observation_type {
            clause.push_str(" AND o.type = ?");
            params.push(Sql::Text(observation_type.as_upper().to_owned()));
        }
        if let Some(min_level) = self.min_level {
            let levels: Vec<&Level> = Level::ALL.iter().skip_while(|level| **level != min_level).collect();
            clause.push_str(&format!(" AND o.level IN ({})", vec!["?"; levels.len()].join(", ")));
            params.extend(levels.into_iter().map(|level| Sql::Text(level.as_upper().to_owned())));
        }
        clause.push(')');
        (clause, params)
    }
}

impl TraceFilter {
    /// The `WHERE` clause over `traces t` of `project_id`.
    pub fn clause(&self, project_id: &str) -> Filter {
        let mut filter = Filter::project("t", project_id);
        filter
            .and_some("t.user_id = ?", &self.user_id)
            .and_some("t.session_id = ?", &self.session_id)
            .and_some("t.name = ?", &self.name)
            .and_some("t.release = ?", &self.release)
            .and_some("t.version = ?", &self.version)
            .and_some("t.start_time >= ?", &self.from)
            .and_some("t.start_time < ?", &self.to)
            .and_some("t.total_cost >= ?", &self.min_cost)
            .and_some("(t.end_time - t.start_time) >= ?", &self.min_latency)
            .and_in("t.environment", &self.environments)
            .and_some("t.bookmarked = ?", &self.bookmarked);
        for tag in &self.tags {
            filter.and("EXISTS (SELECT 1 FROM json_each(t.tags) WHERE json_each.value = ?)", [Sql::Text(tag.clone())]);
        }
        if let Some(level) = self.level {
            filter.and(worst_level_clause(level), []);
        }
        if let Some(observation) = self.observation {
            let (clause, params) = observation.clause();
            filter.and(&clause, params);
        }
        if let Some(text) = &self.search {
            filter.and(
                "(t.id LIKE ? ESCAPE '\\' OR t.name LIKE ? ESCAPE '\\' OR t.input LIKE ? ESCAPE '\\' OR t.output LIKE ? ESCAPE '\\')",
                std::iter::repeat_n(Sql::Text(contains_pattern(text)), 4),
            );
        }
        filter
    }
}

/// Traces whose worst level is `level`.
fn worst_level_clause(level: Level) -> &'static str {
    match level {
        Level::Error => "t.error_count > 0",
        Level::Warning => "t.warning_count > 0 AND t.error_count = 0",
        Level::Default => "t.default_count > 0 AND t.warning_count = 0 AND t.error_count = 0",
        Level::Debug => "t.debug_count > 0 AND t.default_count = 0 AND t.warning_count = 0 AND t.error_count = 0",
    }
}

/// What a trace list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceOrderField {
    /// Start time.
    Timestamp,
    /// Name.
    Name,
    /// User.
    UserId,
    /// Session.
    SessionId,
    /// Release.
    Release,
    /// Version.
    Version,
    /// End minus start.
    Latency,
    /// Cost.
    TotalCost,
    /// Tokens.
    TotalTokens,
}

/// A trace list's order: a field, then the id, in one direction.
#[derive(Debug, Clone, Copy)]
pub struct TraceOrder {
    /// The field.
    pub field: TraceOrderField,
    /// Largest first.
    pub descending: bool,
}

impl TraceOrder {
    fn sql(self) -> String {
        let column = match self.field {
            TraceOrderField::Timestamp => "t.start_time",
            TraceOrderField::Name => "t.name",
            TraceOrderField::UserId => "t.user_id",
            TraceOrderField::SessionId => "t.session_id",
            TraceOrderField::Release => "t.release",
            TraceOrderField::Version => "t.version",
            TraceOrderField::Latency => "(t.end_time - t.start_time)",
            TraceOrderField::TotalCost => "t.total_cost",
            TraceOrderField::TotalTokens => "t.total_tokens",
        };
        let direction = if self.descending { "DESC" } else { "ASC" };
        format!("{column} {direction}, t.id {direction}")
    }
}

/// One page of the traces `filter` selects, in `order`, input and output as `io` says.
pub fn page(
    connection: &Connection,
    project_id: &str,
    filter: &TraceFilter,
    order: TraceOrder,
    page: Page,
    io: Io,
) -> db::Result<Paged<TraceRow>> {
    let page_sql = format!("SELECT {} FROM traces t WHERE {{where}} ORDER BY {}", columns(io), order.sql());
    let sqls = ("SELECT COUNT(*) FROM traces t WHERE {where}", page_sql.as_str());
    let mut paged = filter::page(connection, &filter.clause(project_id), page, sqls, TraceRow::read)?;
    if io == Io::Preview {
        last_message::of_traces(connection, &mut paged.rows)?;
    }
    Ok(paged)
}

/// One trace, input and output whole.
pub fn get(connection: &Connection, project_id: &str, id: &str) -> db::Result<Option<TraceRow>> {
    let sql = format!("SELECT {} FROM traces t WHERE t.project_id = ?1 AND t.id = ?2", columns(Io::Full));
    connection.prepare_cached(&sql)?.query_row([project_id, id], TraceRow::read).optional()
}

/// The project of the public trace `id`, if one is public: the oldest such trace when
/// several projects hold a public trace of that id, so a trace made public later under
/// the same id never replaces the one a share link was made for.
pub fn public_owner(connection: &Connection, id: &str) -> db::Result<Option<String>> {
    connection
        .prepare_cached(
            "SELECT project_id FROM traces INDEXED BY traces_public WHERE id = ?1 AND public = 1
             ORDER BY created_at, project_id LIMIT 1",
        )?
        .query_row([id], |row| row.get(0))
        .optional()
}

/// Which end of a session's or user's traces a list starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oldest {
    /// Oldest first.
    First,
    /// Newest first.
    Last,
}

/// One page of the traces whose `column` (`session_id` or `user_id`) is `value`, input
/// and output previewed.
pub fn with(
    connection: &Connection,
    project_id: &str,
    column: GroupColumn,
    value: &str,
    order: Oldest,
    page: Page,
) -> db::Result<Vec<TraceRow>> {
    let direction = match order {
        Oldest::First => "ASC",
        Oldest::Last => "DESC",
    };
    let sql = format!(
        "SELECT {} FROM traces t WHERE t.project_id = ? AND t.{} = ?
         ORDER BY t.start_time {direction}, t.id {direction} LIMIT ? OFFSET ?",
        columns(Io::Preview),
        column.name()
    );
    let params = [Sql::Text(project_id.to_owned()), Sql::Text(value.to_owned())].into_iter().chain(page.bounds());
    let params = params.collect();
    let mut rows = filter::all(connection, &sql, params, TraceRow::read)?;
    last_message::of_traces(connection, &mut rows)?;
    Ok(rows)
}

/// A trace column traces are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupColumn {
    /// Sessions.
    Session,
    /// Users.
    User,
}

impl GroupColumn {
    /// The column's name.
    pub fn name(self) -> &'static str {
        match self {
            GroupColumn::Session => "session_id",
            GroupColumn::User => "user_id",
        }
    }
}
