//! Dataset items as versioned rows: every change closes the item's current row
//! (`valid_to`) and adds a new one (`valid_from`); a deleted item has no current row. A
//! read as of a time takes the rows valid then. Ids are unique per project.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::store::filter::{self, Filter, Page, Paged};

/// One version of a dataset item. Times in nanoseconds since the epoch; JSON as text.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    /// Id, unique per project.
    pub id: String,
    /// Its dataset.
    pub dataset_id: String,
    /// Its dataset's name.
    pub dataset_name: String,
    /// `ACTIVE` or `ARCHIVED`.
    pub status: String,
    /// Input, JSON text.
    pub input: Option<String>,
    /// Expected output, JSON text.
    pub expected_output: Option<String>,
    /// Metadata, JSON text.
    pub metadata: Option<String>,
    /// The trace it was taken from.
    pub source_trace_id: Option<String>,
    /// The observation it was taken from.
    pub source_observation_id: Option<String>,
    /// When the item was first created.
    pub created_at: i64,
    /// When this version was written (the item's `updatedAt` and `version`).
    pub valid_from: i64,
}

/// Columns of `dataset_items i` joined with `datasets d` that [`read_row`] reads.
pub(crate) const COLUMNS: &str = "i.id AS id, i.dataset_id AS dataset_id, d.name AS dataset_name, i.status AS status,
    i.input AS input, i.expected_output AS expected_output, i.metadata AS metadata,
    i.source_trace_id AS source_trace_id, i.source_observation_id AS source_observation_id,
    i.created_at AS created_at, i.valid_from AS valid_from";

/// The join every read starts from.
pub(crate) const FROM: &str = "dataset_items i JOIN datasets d ON d.project_id = i.project_id AND d.id = i.dataset_id";

/// Reads a row selected with [`COLUMNS`].
pub(crate) fn read_row(row: &Row<'_>) -> rusqlite::Result<ItemRow> {
    Ok(ItemRow {
        id: row.get("id")?,
        dataset_id: row.get("dataset_id")?,
        dataset_name: row.get("dataset_name")?,
        status: row.get("status")?,
        input: row.get("input")?,
        expected_output: row.get("expected_output")?,
        metadata: row.get("metadata")?,
        source_trace_id: row.get("source_trace_id")?,
        source_observation_id: row.get("source_observation_id")?,
        created_at: row.get("created_at")?,
        valid_from: row.get("valid_from")?,
    })
}

/// Which items a list shows: ACTIVE ones, current or as of a time; unset fields do not
/// filter.
#[derive(Debug, Default, Clone)]
pub struct ItemFilter {
    /// Items of this dataset.
    pub dataset_id: Option<String>,
    /// Items taken from this trace.
    pub source_trace_id: Option<String>,
    /// Items taken from this observation.
    pub source_observation_id: Option<String>,
    /// The versions valid at this time (ns) instead of the current ones.
    pub as_of: Option<i64>,
}

impl ItemFilter {
    /// The `WHERE` clause over [`FROM`] of `project_id`.
    pub(crate) fn clause(&self, project_id: &str) -> Filter {
        let mut filter = Filter::project("i", project_id);
        match self.as_of {
            Some(time) => {
                filter.and("i.valid_from <= ? AND (i.valid_to IS NULL OR i.valid_to > ?)", [time.into(), time.into()])
            }
            None => filter.and("i.valid_to IS NULL", []),
        };
        filter
            .and("i.status = 'ACTIVE'", [])
            .and_some("i.dataset_id = ?", &self.dataset_id)
            .and_some("i.source_trace_id = ?", &self.source_trace_id)
            .and_some("i.source_observation_id = ?", &self.source_observation_id);
        filter
    }
}

/// The order of every item list: newest first.
const ORDER: &str = "ORDER BY i.created_at DESC, i.id";

/// One page of the ACTIVE items `filter` picks.
pub fn page(
    connection: &Connection,
    project_id: &str,
    filter: &ItemFilter,
    page: Page,
) -> rusqlite::Result<Paged<ItemRow>> {
    let clause = filter.clause(project_id);
    let count = format!("SELECT COUNT(*) FROM {FROM} WHERE {{where}}");
    let select = format!("SELECT {COLUMNS} FROM {FROM} WHERE {{where}} {ORDER}");
    filter::page(connection, &clause, page, (&count, &select), read_row)
}

/// Every ACTIVE item of dataset `dataset_id`, current or as of `as_of` (ns), newest first:
/// what an export of the dataset writes.
pub fn active_items_as_of(
    connection: &Connection,
    project_id: &str,
    dataset_id: &str,
    as_of: Option<i64>,
) -> rusqlite::Result<Vec<ItemRow>> {
    let filter = ItemFilter { dataset_id: Some(dataset_id.to_owned()), as_of, ..ItemFilter::default() };
    let clause = filter.clause(project_id);
    let select = format!("SELECT {COLUMNS} FROM {FROM} WHERE {} {ORDER}", clause.sql());
    filter::all(connection, &select, clause.params([]), read_row)
}

/// The current version of item `id` (any status), if it exists.
pub fn current(connection: &Connection, project_id: &str, id: &str) -> rusqlite::Result<Option<ItemRow>> {
    connection
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE i.project_id = ?1 AND i.id = ?2 AND i.valid_to IS NULL"
        ))?
        .query_row(params![project_id, id], read_row)
        .optional()
}

/// The dataset any version of item `id` belongs to (deleted ones included): an id is
/// never reused in another dataset.
pub fn dataset_of(connection: &Connection, project_id: &str, id: &str) -> rusqlite::Result<Option<String>> {
    connection
        .prepare_cached("SELECT dataset_id FROM dataset_items WHERE project_id = ?1 AND id = ?2 LIMIT 1")?
        .query_row(params![project_id, id], |row| row.get(0))
        .optional()
}
