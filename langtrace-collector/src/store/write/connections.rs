//! LLM connection writes, each one job of the single writer: an upsert on the provider
//! name (the id and creation time of an existing connection are kept) and a deletion.
//! The secret arrives sealed; the writer never sees it in the clear.

use crate::store::connections::{self, ConnectionRow};
use crate::store::db::{self, params, Transaction};

/// A connection to store, validated and sealed.
#[derive(Debug, Clone)]
pub struct NewConnection {
    /// Id, used when the provider name is new.
    pub id: String,
    /// Provider name.
    pub provider: String,
    /// Adapter.
    pub adapter: String,
    /// The secret, sealed.
    pub sealed_secret: String,
    /// Its masked form.
    pub display_secret: String,
    /// Base URL.
    pub base_url: Option<String>,
    /// Custom models, a JSON array.
    pub custom_models: String,
    /// Whether default models are offered.
    pub with_default_models: bool,
    /// Extra headers, sealed.
    pub sealed_extra_headers: Option<String>,
    /// Their names, a JSON array.
    pub extra_header_keys: String,
    /// Configuration, JSON text.
    pub config: Option<String>,
}

/// Creates the connection, or replaces the one of the same provider name; the stored row.
pub fn upsert(tx: &Transaction<'_>, project_id: &str, new: &NewConnection) -> db::Result<ConnectionRow> {
    let now = crate::store::now_ns();
    tx.prepare_cached(
        "INSERT INTO llm_connections (project_id, id, provider, adapter, sealed_secret, display_secret, base_url,
         custom_models, with_default_models, sealed_extra_headers, extra_header_keys, config, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
         ON CONFLICT (project_id, provider) DO UPDATE SET adapter = excluded.adapter,
         sealed_secret = excluded.sealed_secret, display_secret = excluded.display_secret,
         base_url = excluded.base_url, custom_models = excluded.custom_models,
         with_default_models = excluded.with_default_models, sealed_extra_headers = excluded.sealed_extra_headers,
         extra_header_keys = excluded.extra_header_keys, config = excluded.config, updated_at = excluded.updated_at",
    )?
    .execute(params![
        project_id,
        new.id,
        new.provider,
        new.adapter,
        new.sealed_secret,
        new.display_secret,
        new.base_url,
        new.custom_models,
        new.with_default_models,
        new.sealed_extra_headers,
        new.extra_header_keys,
        new.config,
        now
    ])?;
    connections::by_provider(tx, project_id, &new.provider)?.ok_or(db::Error::NoRows)
}

/// Deletes the project's connection `id`; whether there was one.
pub fn delete(tx: &Transaction<'_>, project_id: &str, id: &str) -> db::Result<bool> {
    let deleted = tx
        .prepare_cached("DELETE FROM llm_connections WHERE project_id = ?1 AND id = ?2")?
        .execute(params![project_id, id])?;
    Ok(deleted > 0)
}
