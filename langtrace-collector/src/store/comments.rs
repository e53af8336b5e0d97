//! Comment rows: notes left on a trace, an observation, a session or a prompt version,
//! listed newest first with filters, read one by one, and the check that the object a
//! comment names exists in the project.

use super::filter::{self, Filter, Page, Paged};
use crate::store::db::{self, Connection, OptionalExtension, Row, Value as Sql};

/// Columns of `comments c` that [`CommentRow::read`] reads.
const COLUMNS: &str = "c.id AS id, c.project_id AS project_id, c.object_type AS object_type,
    c.object_id AS object_id, c.content AS content, c.author_user_id AS author_user_id,
    c.created_at AS created_at, c.updated_at AS updated_at";

/// What a comment is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentObject {
    /// A trace, by trace id.
    Trace,
    /// An observation, by observation id.
    Observation,
    /// A session, by session id (any trace of the project in it).
    Session,
    /// A prompt version, by its id.
    Prompt,
}

impl CommentObject {
    /// The keyword stored in `comments.object_type`.
    pub fn keyword(self) -> &'static str {
        match self {
            CommentObject::Trace => "TRACE",
            CommentObject::Observation => "OBSERVATION",
            CommentObject::Session => "SESSION",
            CommentObject::Prompt => "PROMPT",
        }
    }

    /// The object a stored keyword names.
    pub fn from_keyword(keyword: &str) -> Option<Self> {
        [CommentObject::Trace, CommentObject::Observation, CommentObject::Session, CommentObject::Prompt]
            .into_iter()
            .find(|object| object.keyword() == keyword)
    }

    /// The query that answers a row, with the trace the object belongs to (NULL for a
    /// session or a prompt), when object `?2` of this kind exists in project `?1`.
    fn lookup_sql(self) -> &'static str {
        match self {
            CommentObject::Trace => "SELECT id FROM traces WHERE project_id = ?1 AND id = ?2",
            CommentObject::Observation => "SELECT trace_id FROM observations WHERE project_id = ?1 AND id = ?2 LIMIT 1",
            CommentObject::Session => "SELECT NULL FROM traces WHERE project_id = ?1 AND session_id = ?2 LIMIT 1",
            CommentObject::Prompt => "SELECT NULL FROM prompts WHERE project_id = ?1 AND id = ?2",
        }
    }
}

/// Where `object` `id` of `project_id` is: `None` when it does not exist, else the trace
/// it belongs to (`None` inside for a session or a prompt).
pub fn find_object(
    connection: &Connection,
    project_id: &str,
    object: CommentObject,
    id: &str,
) -> db::Result<Option<Option<String>>> {
    connection.prepare_cached(object.lookup_sql())?.query_row([project_id, id], |row| row.get(0)).optional()
}

/// A stored comment. Times in nanoseconds since the epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentRow {
    /// Comment id.
    pub id: String,
    /// Owning project.
    pub project_id: String,
    /// What it is on.
    pub object: CommentObject,
    /// The id of what it is on.
    pub object_id: String,
    /// The text (plain text, never markup).
    pub content: String,
    /// Who wrote it, as the client said.
    pub author_user_id: Option<String>,
    /// Stored.
    pub created_at: i64,
    /// Last changed.
    pub updated_at: i64,
}

impl CommentRow {
    /// Reads a row selected with this module's columns.
    fn read(row: &Row<'_>) -> db::Result<Self> {
        let keyword: String = row.get("object_type")?;
        let object = CommentObject::from_keyword(&keyword).ok_or_else(|| db::Error::Column {
            column: "object_type".into(),
            message: format!("unknown comment object {keyword}"),
        })?;
        Ok(Self {
            id: row.get("id")?,
            project_id: row.get("project_id")?,
            object,
            object_id: row.get("object_id")?,
            content: row.get("content")?,
            author_user_id: row.get("author_user_id")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
        })
    }
}

/// Which comments a list shows; unset fields do not filter.
#[derive(Debug, Default, Clone)]
pub struct CommentFilter {
    /// On this kind of object.
    pub object: Option<CommentObject>,
    /// On the object with this id.
    pub object_id: Option<String>,
    /// By this author.
    pub author_user_id: Option<String>,
}

impl CommentFilter {
    /// The `WHERE` clause over `comments c` of `project_id`.
    fn clause(&self, project_id: &str) -> Filter {
        let mut filter = Filter::project("c", project_id);
        filter
            .and_some("c.object_type = ?", &self.object.map(|object| object.keyword().to_owned()))
            .and_some("c.object_id = ?", &self.object_id)
            .and_some("c.author_user_id = ?", &self.author_user_id);
        filter
    }
}

/// One page of the comments `filter` selects, newest first.
pub fn page(
    connection: &Connection,
    project_id: &str,
    filter: &CommentFilter,
    page: Page,
) -> db::Result<Paged<CommentRow>> {
    let page_sql = format!("SELECT {COLUMNS} FROM comments c WHERE {{where}} ORDER BY c.created_at DESC, c.id DESC");
    let sqls = ("SELECT COUNT(*) FROM comments c WHERE {where}", page_sql.as_str());
    filter::page(connection, &filter.clause(project_id), page, sqls, CommentRow::read)
}

/// One comment of `project_id`.
pub fn get(connection: &Connection, project_id: &str, id: &str) -> db::Result<Option<CommentRow>> {
    let sql = format!("SELECT {COLUMNS} FROM comments c WHERE c.project_id = ? AND c.id = ?");
    let params = vec![Sql::Text(project_id.to_owned()), Sql::Text(id.to_owned())];
    Ok(filter::all(connection, &sql, params, CommentRow::read)?.pop())
}
