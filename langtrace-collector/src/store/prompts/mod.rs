//! Prompt versions: one row per version of a name (its text or chat messages, config and
//! tags as JSON text), the labels of a name (each on one version at a time), the
//! composition references a version makes, and the label history. Reads here; the writes
//! are in [`crate::store::write::prompts`].
//!
//! - `list`: the names of a project with their matching versions, page by page;
//! - `history`: the label moves of a name;
//! - `metrics`: per-version figures of the generations linked to a name.

pub mod history;
pub mod list;
pub mod metrics;

use crate::store::db::{self, params, Connection, OptionalExtension, Row};

/// Which version of a name a read asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The version with this number.
    Version(i64),
    /// The version carrying this label.
    Label(String),
}

/// A stored prompt version. Times in nanoseconds since the epoch; JSON columns as text.
#[derive(Debug, Clone)]
pub struct PromptRow {
    /// Id of this version.
    pub id: String,
    /// Name (shared by the versions).
    pub name: String,
    /// Version number, from 1.
    pub version: i64,
    /// `text` or `chat`.
    pub prompt_type: String,
    /// The text (a JSON string) or the messages (a JSON array), as JSON text.
    pub prompt: String,
    /// Config, JSON text.
    pub config: String,
    /// Labels on this version, in the order they were set.
    pub labels: Vec<String>,
    /// Tags, a JSON array of strings (the same on every version of the name).
    pub tags: String,
    /// Commit message.
    pub commit_message: Option<String>,
    /// Who created it (`API`).
    pub created_by: String,
    /// Creation time.
    pub created_at: i64,
    /// Last change (created, labels or tags changed).
    pub updated_at: i64,
}

/// Columns [`read_row`] reads (without labels).
const COLUMNS: &str =
    "id, name, version, type, prompt, config, tags, commit_message, created_by, created_at, updated_at";

fn read_row(row: &Row<'_>) -> db::Result<PromptRow> {
    Ok(PromptRow {
        id: row.get("id")?,
        name: row.get("name")?,
        version: row.get("version")?,
        prompt_type: row.get("type")?,
        prompt: row.get("prompt")?,
        config: row.get("config")?,
        labels: Vec::new(),
        tags: row.get("tags")?,
        commit_message: row.get("commit_message")?,
        created_by: row.get("created_by")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

/// The labels on version `version` of `name`, in the order they were set.
pub fn labels_of(connection: &Connection, project_id: &str, name: &str, version: i64) -> db::Result<Vec<String>> {
    let mut statement = connection.prepare_cached(
        "SELECT label FROM prompt_labels WHERE project_id = ?1 AND name = ?2 AND version = ?3 ORDER BY seq",
    )?;
    let labels = statement.query_map(params![project_id, name, version], |row| row.get(0))?;
    labels.collect()
}

/// `row` with its labels read.
fn with_labels(connection: &Connection, project_id: &str, mut row: PromptRow) -> db::Result<PromptRow> {
    row.labels = labels_of(connection, project_id, &row.name, row.version)?;
    Ok(row)
}

/// The version of `name` that `selector` picks, if any.
pub fn find(
    connection: &Connection,
    project_id: &str,
    name: &str,
    selector: &Selector,
) -> db::Result<Option<PromptRow>> {
    let version = match selector {
        Selector::Version(version) => Some(*version),
        Selector::Label(label) => label_version(connection, project_id, name, label)?,
    };
    let Some(version) = version else { return Ok(None) };
    let row = connection
        .prepare_cached(&format!("SELECT {COLUMNS} FROM prompts WHERE project_id = ?1 AND name = ?2 AND version = ?3"))?
        .query_row(params![project_id, name, version], read_row)
        .optional()?;
    row.map(|row| with_labels(connection, project_id, row)).transpose()
}

/// The version `label` is on, if any.
pub fn label_version(connection: &Connection, project_id: &str, name: &str, label: &str) -> db::Result<Option<i64>> {
    connection
        .prepare_cached("SELECT version FROM prompt_labels WHERE project_id = ?1 AND name = ?2 AND label = ?3")?
        .query_row(params![project_id, name, label], |row| row.get(0))
        .optional()
}

/// Every version of `name`, oldest first.
pub fn versions(connection: &Connection, project_id: &str, name: &str) -> db::Result<Vec<PromptRow>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM prompts WHERE project_id = ?1 AND name = ?2 ORDER BY version"
    ))?;
    let rows = statement.query_map(params![project_id, name], read_row)?.collect::<db::Result<Vec<_>>>()?;
    rows.into_iter().map(|row| with_labels(connection, project_id, row)).collect()
}

/// The newest version of `name`, if it has any.
pub fn newest(connection: &Connection, project_id: &str, name: &str) -> db::Result<Option<PromptRow>> {
    let row = connection
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM prompts WHERE project_id = ?1 AND name = ?2 ORDER BY version DESC LIMIT 1"
        ))?
        .query_row(params![project_id, name], read_row)
        .optional()?;
    row.map(|row| with_labels(connection, project_id, row)).transpose()
}

/// A composition reference a stored version makes: the child by name, and by label or
/// version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyRow {
    /// Name of the prompt that holds the reference.
    pub parent_name: String,
    /// Version of the prompt that holds the reference.
    pub parent_version: i64,
    /// The child's name.
    pub child_name: String,
    /// Which of the child's versions.
    pub child: Selector,
}

/// The references other names make to `name` (references from `name`'s own versions are
/// left out).
pub fn dependents(connection: &Connection, project_id: &str, name: &str) -> db::Result<Vec<DependencyRow>> {
    let mut statement = connection.prepare_cached(
        "SELECT p.name, p.version, d.child_name, d.child_label, d.child_version
         FROM prompt_dependencies d JOIN prompts p ON p.project_id = d.project_id AND p.id = d.parent_id
         WHERE d.project_id = ?1 AND d.child_name = ?2 AND p.name <> ?2",
    )?;
    let rows = statement.query_map(params![project_id, name], |row| {
        let label: Option<String> = row.get(3)?;
        let version: Option<i64> = row.get(4)?;
        Ok(DependencyRow {
            parent_name: row.get(0)?,
            parent_version: row.get(1)?,
            child_name: row.get(2)?,
            child: label.map_or(Selector::Version(version.unwrap_or_default()), Selector::Label),
        })
    })?;
    rows.collect()
}
