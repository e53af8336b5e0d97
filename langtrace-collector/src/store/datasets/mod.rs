//! Datasets: one row per dataset of a project (its name unique there, JSON columns as
//! text), their items as versioned rows ([`items`]), and the experiments run over them
//! with their items ([`experiments`]). Reads here; the writes are in
//! [`crate::store::write::datasets`].

pub mod experiments;
pub mod items;

use super::filter::{self, Filter, Page, Paged};
use crate::store::db::{self, params, Connection, OptionalExtension, Row};

/// A stored dataset. Times in nanoseconds since the epoch; JSON columns as text.
#[derive(Debug, Clone)]
pub struct DatasetRow {
    /// Id.
    pub id: String,
    /// Name, unique in its project.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Metadata, JSON text.
    pub metadata: Option<String>,
    /// JSON Schema every item's input must match, JSON text.
    pub input_schema: Option<String>,
    /// JSON Schema every item's expected output must match, JSON text.
    pub expected_output_schema: Option<String>,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
}

/// Columns [`read_row`] reads.
const COLUMNS: &str = "id, name, description, metadata, input_schema, expected_output_schema, created_at, updated_at";

fn read_row(row: &Row<'_>) -> db::Result<DatasetRow> {
    Ok(DatasetRow {
        id: row.get("id")?,
        name: row.get("name")?,
        description: row.get("description")?,
        metadata: row.get("metadata")?,
        input_schema: row.get("input_schema")?,
        expected_output_schema: row.get("expected_output_schema")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

/// The dataset named `name`, if any.
pub fn by_name(connection: &Connection, project_id: &str, name: &str) -> db::Result<Option<DatasetRow>> {
    connection
        .prepare_cached(&format!("SELECT {COLUMNS} FROM datasets WHERE project_id = ?1 AND name = ?2"))?
        .query_row(params![project_id, name], read_row)
        .optional()
}

/// The dataset with id `id`, if any.
pub fn by_id(connection: &Connection, project_id: &str, id: &str) -> db::Result<Option<DatasetRow>> {
    connection
        .prepare_cached(&format!("SELECT {COLUMNS} FROM datasets WHERE project_id = ?1 AND id = ?2"))?
        .query_row(params![project_id, id], read_row)
        .optional()
}

/// One page of the project's datasets, newest first.
pub fn page(connection: &Connection, project_id: &str, page: Page) -> db::Result<Paged<DatasetRow>> {
    let filter = Filter::project("d", project_id);
    let count = "SELECT COUNT(*) FROM datasets d WHERE {where}";
    let select = format!("SELECT {COLUMNS} FROM datasets d WHERE {{where}} ORDER BY d.created_at DESC, d.id");
    filter::page(connection, &filter, page, (count, &select), read_row)
}
