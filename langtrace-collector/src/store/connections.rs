//! LLM connections (reads): a project's provider keys, one per provider name, with the
//! secret and extra headers still sealed. Writes are in `write::connections`.

use crate::store::db::{self, params, Connection, OptionalExtension, Row};
use crate::store::filter::{Page, Paged};

/// One stored connection.
#[derive(Debug, Clone)]
pub struct ConnectionRow {
    /// Id.
    pub id: String,
    /// The provider name the project gave it (unique in the project).
    pub provider: String,
    /// The wire protocol (`openai`, `anthropic`).
    pub adapter: String,
    /// The secret key, sealed.
    pub sealed_secret: String,
    /// The masked form shown instead of the secret.
    pub display_secret: String,
    /// The provider's base URL; the adapter's default when `None`.
    pub base_url: Option<String>,
    /// Model names offered besides the defaults, a JSON array.
    pub custom_models: String,
    /// Whether the adapter's default models are offered.
    pub with_default_models: bool,
    /// Extra request headers (a JSON object), sealed.
    pub sealed_extra_headers: Option<String>,
    /// The names of the extra headers, a JSON array.
    pub extra_header_keys: String,
    /// Free configuration, JSON text.
    pub config: Option<String>,
    /// Creation time (ns).
    pub created_at: i64,
    /// Last update (ns).
    pub updated_at: i64,
}

/// The columns [`read_row`] reads, in order.
const COLUMNS: &str = "id, provider, adapter, sealed_secret, display_secret, base_url, custom_models,
    with_default_models, sealed_extra_headers, extra_header_keys, config, created_at, updated_at";

fn read_row(row: &Row<'_>) -> db::Result<ConnectionRow> {
    Ok(ConnectionRow {
        id: row.get(0)?,
        provider: row.get(1)?,
        adapter: row.get(2)?,
        sealed_secret: row.get(3)?,
        display_secret: row.get(4)?,
        base_url: row.get(5)?,
        custom_models: row.get(6)?,
        with_default_models: row.get(7)?,
        sealed_extra_headers: row.get(8)?,
        extra_header_keys: row.get(9)?,
        config: row.get(10)?,
        created_at: row.get(11)?,
        updated_at: row.get(12)?,
    })
}

/// One page of a project's connections, by provider name.
pub fn list(connection: &Connection, project_id: &str, page: Page) -> db::Result<Paged<ConnectionRow>> {
    let total: i64 = connection
        .prepare_cached("SELECT COUNT(*) FROM llm_connections WHERE project_id = ?1")?
        .query_row([project_id], |row| row.get(0))?;
    let [limit, offset] = page.bounds();
    let rows = connection
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM llm_connections WHERE project_id = ?1 ORDER BY provider LIMIT ?2 OFFSET ?3"
        ))?
        .query_map(params![project_id, limit, offset], read_row)?
        .collect::<db::Result<_>>()?;
    Ok(Paged { rows, total: total as u64 })
}

/// The project's connection named `provider`.
pub fn by_provider(connection: &Connection, project_id: &str, provider: &str) -> db::Result<Option<ConnectionRow>> {
    connection
        .prepare_cached(&format!("SELECT {COLUMNS} FROM llm_connections WHERE project_id = ?1 AND provider = ?2"))?
        .query_row(params![project_id, provider], read_row)
        .optional()
}

/// The project's connection with this id.
pub fn by_id(connection: &Connection, project_id: &str, id: &str) -> db::Result<Option<ConnectionRow>> {
    connection
        .prepare_cached(&format!("SELECT {COLUMNS} FROM llm_connections WHERE project_id = ?1 AND id = ?2"))?
        .query_row(params![project_id, id], read_row)
        .optional()
}
