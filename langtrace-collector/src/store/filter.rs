//! `WHERE` clauses built from typed filters: a clause list with its parameters, always
//! starting with the project, so every query is scoped to one project.

use super::last_message::LastMessage;
use crate::store::db::{self, Value as Sql};

/// A `WHERE` clause under construction, always starting with the project.
pub struct Filter {
    clauses: Vec<String>,
    params: Vec<Sql>,
}

impl Filter {
    /// Rows of `project_id` (column `project_id` of `alias`).
    pub fn project(alias: &str, project_id: &str) -> Self {
        Self { clauses: vec![format!("{alias}.project_id = ?")], params: vec![Sql::Text(project_id.to_owned())] }
    }

    /// Adds `clause` (with `?` placeholders) and its parameters.
    pub fn and(&mut self, clause: &str, params: impl IntoIterator<Item = Sql>) -> &mut Self {
        self.clauses.push(clause.to_owned());
        self.params.extend(params);
        self
    }

    /// Adds `clause` with one parameter when `value` is set.
    pub fn and_some<T: Into<Sql> + Clone>(&mut self, clause: &str, value: &Option<T>) -> &mut Self {
        if let Some(value) = value {
            self.and(clause, [value.clone().into()]);
        }
        self
    }

    /// Adds `column IN (...)` when `values` is not empty.
    pub fn and_in(&mut self, column: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            let placeholders = vec!["?"; values.len()].join(", ");
            self.and(&format!("{column} IN ({placeholders})"), values.iter().cloned().map(Sql::Text));
        }
        self
    }

    /// The clause text.
    pub fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }

    /// The parameters, in order, followed by `extra`.
    pub fn params(&self, extra: impl IntoIterator<Item = Sql>) -> Vec<Sql> {
        self.params.iter().cloned().chain(extra).collect()
    }
}

/// Rows `sql` selects with `params`, each read by `read`.
pub fn all<T>(
    connection: &db::Connection,
    sql: &str,
    params: Vec<Sql>,
    read: impl FnMut(&db::Row<'_>) -> db::Result<T>,
) -> db::Result<Vec<T>> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(params, read)?;
    rows.collect()
}

/// The count `sql` returns.
pub fn count(connection: &db::Connection, sql: &str, params: Vec<Sql>) -> db::Result<u64> {
    connection.query_row(sql, params, |row| row.get::<_, i64>(0)).map(|n| n as u64)
}

/// One page of a list: 1-based `page` of `limit` rows.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    /// 1-based page number.
    pub page: u32,
    /// Rows per page.
    pub limit: u32,
}

impl Page {
    /// The `LIMIT ? OFFSET ?` parameters.
    pub fn bounds(self) -> [Sql; 2] {
        [
            Sql::Integer(i64::from(self.limit)),
            Sql::Integer(i64::from(self.page.saturating_sub(1)) * i64::from(self.limit)),
        ]
    }
}

/// The rows of one page and how many match in all.
pub struct Paged<T> {
    /// The page's rows.
    pub rows: Vec<T>,
    /// Rows matching the filter.
    pub total: u64,
}

/// One page: `count_sql` counts and `page_sql` selects (both with `{where}` where the
/// filter goes; `page_sql` without its `LIMIT`), each row read by `read`.
pub fn page<T>(
    connection: &db::Connection,
    filter: &Filter,
    page: Page,
    (count_sql, page_sql): (&str, &str),
    read: impl FnMut(&db::Row<'_>) -> db::Result<T>,
) -> db::Result<Paged<T>> {
    let where_sql = filter.sql();
    let total = count(connection, &count_sql.replace("{where}", &where_sql), filter.params([]))?;
    let page_sql = format!("{} LIMIT ? OFFSET ?", page_sql.replace("{where}", &where_sql));
    let rows = all(connection, &page_sql, filter.params(page.bounds()), read)?;
    Ok(Paged { rows, total })
}

/// How a read selects the input and output columns of `traces` or `observations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Io {
    /// The whole stored text.
    Full,
    /// The first [`PREVIEW_CHARS`] characters, with the whole text's length.
    Preview,
    /// Neither.
    Omitted,
}

/// Characters of input or output a preview holds at most.
pub const PREVIEW_CHARS: i64 = 2048;

impl Io {
    /// The select list `input, output, input_chars, output_chars` over `alias`, as
    /// [`IoText::read`] reads it.
    pub fn columns(self, alias: &str) -> String {
        let column = |name: &str| match self {
            Io::Full => format!("{alias}.{name} AS {name}, NULL AS {name}_chars"),
            Io::Preview => {
                format!("substr({alias}.{name}, 1, {PREVIEW_CHARS}) AS {name}, length({alias}.{name}) AS {name}_chars")
            }
            Io::Omitted => format!("NULL AS {name}, NULL AS {name}_chars"),
        };
        format!("{}, {}", column("input"), column("output"))
    }
}

/// An input or output column as read: its JSON text, or the first [`PREVIEW_CHARS`]
/// characters of it and, for a cut conversation, its last message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IoText {
    /// The text, whole or cut.
    pub text: Option<String>,
    /// The whole text's length in characters when `text` holds only its start.
    pub cut_from: Option<i64>,
    /// The last chat message of a cut value that holds messages (lists fill it in).
    pub last_message: Option<LastMessage>,
}

impl IoText {
    /// Reads column `name` (`input` or `output`) selected by [`Io::columns`].
    pub fn read(row: &db::Row<'_>, name: &str) -> db::Result<Self> {
        let chars: Option<i64> = row.get(format!("{name}_chars").as_str())?;
        Ok(Self { text: row.get(name)?, cut_from: chars.filter(|&chars| chars > PREVIEW_CHARS), last_message: None })
    }
}

/// `%text%` for `LIKE ... ESCAPE '\'`, the wildcards in `text` escaped.
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}
