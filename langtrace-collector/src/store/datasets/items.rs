//! Dataset items as versioned rows: every change closes the item's current row
//! (`valid_to`) and adds a new one (`valid_from`); a deleted item has no current row. A
//! read as of a time takes the rows valid then. Ids are unique per project.

use crate::store::db::{self, params, Connection, OptionalExtension, Row};
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
pub(crate) fn read_row(row: &Row<'_>) -> db::Result<ItemRow> {
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
pub fn page(connection: &Connection, project_id: &str, filter: &ItemFilter, page: Page) -> db::Result<Paged<ItemRow>> {
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
) -> db::Result<Vec<ItemRow>> {
    let filter = ItemFilter { dataset_id: Some(dataset_id.to_owned()), as_of, ..ItemFilter::default() };
    let clause = filter.clause(project_id);
    let select = format!("SELECT {COLUMNS} FROM {FROM} WHERE {} {ORDER}", clause.sql());
    filter::all(connection, &select, clause.params([]), read_row)
}

/// The current version of item `id` (any status), if it exists.
pub fn current(connection: &Connection, project_id: &str, id: &str) -> db::Result<Option<ItemRow>> {
    connection
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE i.project_id = ?1 AND i.id = ?2 AND i.valid_to IS NULL"
        ))?
        .query_row(params![project_id, id], read_row)
        .optional()
}

/// The dataset any version of item `id` belongs to (deleted ones included): an id is
/// never reused in another dataset.
pub fn dataset_of(connection: &Connection, project_id: &str, id: &str) -> db::Result<Option<String>> {
    connection
        .prepare_cached("SELECT dataset_id FROM dataset_items WHERE project_id = ?1 AND id = ?2 LIMIT 1")?
        .query_row(params![project_id, id], |row| row.get(0))
        .optional()
}

#[cfg(test)]
mod tests {
    use crate::store::db::Connection;

    use super::*;
    use crate::store::write::datasets::{close_item, upsert_dataset, write_item, DatasetFields, ItemVersion};

    const MS: i64 = 1_000_000;

    fn version(id: &str, status: &str, input: &str) -> ItemVersion {
        ItemVersion {
            id: id.to_owned(),
            dataset_id: "d1".to_owned(),
            status: status.to_owned(),
            input: Some(input.to_owned()),
            expected_output: None,
            metadata: None,
            source_trace_id: None,
            source_observation_id: None,
        }
    }

    fn inputs(connection: &Connection, as_of: Option<i64>) -> Vec<String> {
        let rows = active_items_as_of(connection, "p", "d1", as_of).unwrap();
        rows.into_iter().map(|row| row.input.unwrap()).collect()
    }

    #[test]
    fn reads_as_of_a_time_see_the_versions_valid_then() {
        let mut connection = crate::store::migrated_in_memory();
        let tx = connection.transaction().unwrap();
        let fields = DatasetFields {
            id: "d1".into(),
            name: "qa".into(),
            description: None,
            metadata: None,
            input_schema: None,
            expected_output_schema: None,
        };
        upsert_dataset(&tx, "p", &fields, 0).unwrap();
        let first = write_item(&tx, "p", &version("a", "ACTIVE", "1"), 10 * MS + 5).unwrap();
        assert_eq!(first.valid_from, 10 * MS, "whole milliseconds");
        write_item(&tx, "p", &version("b", "ACTIVE", "2"), 20 * MS).unwrap();
        let changed = write_item(&tx, "p", &version("a", "ACTIVE", "1b"), 20 * MS).unwrap();
        assert_eq!((changed.valid_from, changed.created_at), (20 * MS, 10 * MS));
        let again = write_item(&tx, "p", &version("a", "ARCHIVED", "1c"), 20 * MS).unwrap();
        assert_eq!(again.valid_from, 21 * MS, "a later version of the same millisecond is one later");
        assert!(close_item(&tx, "p", "b", 30 * MS).unwrap());
        tx.commit().unwrap();

        assert_eq!(inputs(&connection, Some(5 * MS)), Vec::<String>::new());
        assert_eq!(inputs(&connection, Some(10 * MS)), ["1"]);
        assert_eq!(inputs(&connection, Some(20 * MS)), ["2", "1b"], "newest created first");
        assert_eq!(inputs(&connection, Some(21 * MS)), ["2"], "archived then");
        assert_eq!(inputs(&connection, Some(30 * MS)), Vec::<String>::new(), "deleted then");
        assert_eq!(inputs(&connection, None), Vec::<String>::new());
        assert_eq!(current(&connection, "p", "a").unwrap().unwrap().status, "ARCHIVED");
        assert_eq!(current(&connection, "p", "b").unwrap(), None);
        assert_eq!(dataset_of(&connection, "p", "b").unwrap().as_deref(), Some("d1"), "a deleted id keeps its dataset");
    }
}
