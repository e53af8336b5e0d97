//! Traces and dataset items read for an export: keyset-paged batches, newest first, so
//! an export of any size holds one batch at a time and each batch's query starts where
//! the last one stopped (no `OFFSET` to skip over). Observations page the same way
//! through [`super::observations::after`].

use super::datasets::items::{self, ItemFilter, ItemRow};
use super::filter::{self, Io};
use super::traces::{self, TraceFilter, TraceRow};
use crate::store::db::{self, Connection, Value as Sql};

/// Where a trace export continues: after this start time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceCursor {
    /// Start time of the last trace read.
    pub start_time: i64,
    /// Its id.
    pub id: String,
}

impl From<&TraceRow> for TraceCursor {
    fn from(row: &TraceRow) -> Self {
        Self { start_time: row.start_time, id: row.id.clone() }
    }
}

/// Up to `limit` traces `filter` selects after `cursor`, newest first, input and output
/// whole.
pub fn traces_after(
    connection: &Connection,
    project_id: &str,
    filter: &TraceFilter,
    cursor: Option<&TraceCursor>,
    limit: u32,
) -> db::Result<Vec<TraceRow>> {
    let mut clause = filter.clause(project_id);
    if let Some(cursor) = cursor {
        let start = cursor.start_time;
        clause.and(
            "(t.start_time < ? OR (t.start_time = ? AND t.id < ?))",
            [start.into(), start.into(), Sql::Text(cursor.id.clone())],
        );
    }
    let sql = format!(
        "SELECT {} FROM traces t WHERE {} ORDER BY t.start_time DESC, t.id DESC LIMIT ?",
        traces::columns(Io::Full),
        clause.sql()
    );
    filter::all(connection, &sql, clause.params([Sql::Integer(i64::from(limit))]), TraceRow::read)
}

/// Where a dataset item export continues: after this creation time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCursor {
    /// Creation time of the last item read.
    pub created_at: i64,
    /// Its id.
    pub id: String,
}

impl From<&ItemRow> for ItemCursor {
    fn from(row: &ItemRow) -> Self {
        Self { created_at: row.created_at, id: row.id.clone() }
    }
}

/// Up to `limit` of the ACTIVE items `filter` selects (current, or as of its time) after
/// `cursor`, newest first.
pub fn items_after(
    connection: &Connection,
    project_id: &str,
    filter: &ItemFilter,
    cursor: Option<&ItemCursor>,
    limit: u32,
) -> db::Result<Vec<ItemRow>> {
    let mut clause = filter.clause(project_id);
    if let Some(cursor) = cursor {
        let created = cursor.created_at;
        clause.and(
            "(i.created_at < ? OR (i.created_at = ? AND i.id < ?))",
            [created.into(), created.into(), Sql::Text(cursor.id.clone())],
        );
    }
    let sql = format!(
        "SELECT {} FROM {} WHERE {} ORDER BY i.created_at DESC, i.id DESC LIMIT ?",
        items::COLUMNS,
        items::FROM,
        clause.sql()
    );
    filter::all(connection, &sql, clause.params([Sql::Integer(i64::from(limit))]), items::read_row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_traces(starts: &[(i64, &str)]) -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let (_store, connection) = crate::store::Store::open(dir.path(), crate::store::Durability::EachCommit).unwrap();
        let connection = Connection::from(connection);
        for (start, id) in starts {
            connection
                .execute(
                    "INSERT INTO traces (project_id, id, start_time, end_time, created_at, updated_at)
                     VALUES ('p', ?1, ?2, ?2, 0, 0)",
                    db::params![id, start],
                )
                .unwrap();
        }
        connection
            .execute(
                "INSERT INTO traces (project_id, id, start_time, end_time, created_at, updated_at)
                 VALUES ('other', 'x', 5, 5, 0, 0)",
                (),
            )
            .unwrap();
        (dir, connection)
    }

    #[test]
    fn batches_continue_after_the_cursor_through_equal_start_times_and_stay_in_the_project() {
        let (_dir, connection) = store_with_traces(&[(1, "a"), (2, "b"), (2, "c"), (2, "d"), (3, "e")]);
        let mut cursor = None;
        let mut seen = Vec::new();
        loop {
            let batch = traces_after(&connection, "p", &TraceFilter::default(), cursor.as_ref(), 2).unwrap();
            if batch.is_empty() {
                break;
            }
            assert!(batch.len() <= 2);
            cursor = batch.last().map(TraceCursor::from);
            seen.extend(batch.into_iter().map(|row| row.id));
        }
        assert_eq!(seen, ["e", "d", "c", "b", "a"]);
    }
}
