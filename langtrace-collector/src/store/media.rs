//! Media announced and uploaded through Langfuse's three-step flow: announced by
//! SHA-256, given a one-time upload token, marked uploaded once the bytes are stored.
//! The bytes live in files named by their hash in the media directory, written durably
//! before the upload is acknowledged ([`super::incoming_media`]), readable by the
//! collector's user only.

use std::path::{Path, PathBuf};

use base64::Engine;

use super::now_ns;
use crate::store::db::{self, params, Connection, OptionalExtension, Transaction};

/// Media announced by a client, before its bytes arrive.
#[derive(Debug, Clone)]
pub struct Announced {
    /// Media id (derived from the hash).
    pub id: String,
    /// SHA-256 of the bytes, standard base64.
    pub sha256_hash: String,
    /// MIME type.
    pub content_type: String,
    /// Length in bytes.
    pub content_length: i64,
    /// Trace it was found in.
    pub trace_id: Option<String>,
    /// Observation it was found in.
    pub observation_id: Option<String>,
    /// input, output or metadata.
    pub field: Option<String>,
}

/// Records an announcement and returns its upload token, or `None` when the bytes are
/// stored already.
pub fn announce(tx: &Transaction<'_>, project_id: &str, media: &Announced, token: &str) -> db::Result<Option<String>> {
    let uploaded: Option<Option<i64>> = tx
        .query_row(
            "SELECT uploaded_at FROM media WHERE project_id = ?1 AND id = ?2 AND upload_status BETWEEN 200 AND 299",
            params![project_id, media.id],
            |row| row.get(0),
        )
        .optional()?;
    if uploaded.is_some() {
        return Ok(None);
    }
    tx.execute(
        "INSERT INTO media (project_id, id, sha256_hash, content_type, content_length, trace_id, observation_id,
            field, upload_token, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (project_id, id) DO UPDATE SET upload_token = excluded.upload_token,
            content_type = excluded.content_type, content_length = excluded.content_length",
        params![
            project_id,
            media.id,
            media.sha256_hash,
            media.content_type,
            media.content_length,
            media.trace_id,
            media.observation_id,
            media.field,
            token,
            now_ns()
        ],
    )?;
    Ok(Some(token.to_owned()))
}

/// What an upload token was issued for.
#[derive(Debug, Clone)]
pub struct Upload {
    /// SHA-256 of the announced bytes, standard base64.
    pub sha256_hash: String,
    /// Announced length.
    pub content_length: i64,
    /// Owning project.
    pub project_id: String,
}

/// Finds an announcement by its upload token, through the `media_upload_token` index.
const UPLOAD_BY_TOKEN: &str =
    "SELECT sha256_hash, content_length, project_id FROM media WHERE id = ?1 AND upload_token = ?2";

/// The announcement an upload token belongs to.
pub fn upload(connection: &Connection, id: &str, token: &str) -> db::Result<Option<Upload>> {
    connection
        .query_row(UPLOAD_BY_TOKEN, params![id, token], |row| {
            Ok(Upload { sha256_hash: row.get(0)?, content_length: row.get(1)?, project_id: row.get(2)? })
        })
        .optional()
}

/// Marks the bytes of `id` stored (the token is spent).
pub fn mark_uploaded(tx: &Transaction<'_>, project_id: &str, id: &str) -> db::Result<usize> {
    tx.execute(
        "UPDATE media SET uploaded_at = ?1, upload_status = 200, upload_token = NULL WHERE project_id = ?2 AND id = ?3",
        params![now_ns(), project_id, id],
    )
}

/// Records a client's upload report (a stored upload stays stored); the rows updated.
pub fn report(tx: &Transaction<'_>, project_id: &str, id: &str, status: Option<i64>) -> db::Result<usize> {
    tx.execute(
        "UPDATE media SET upload_status = COALESCE(upload_status, ?1) WHERE project_id = ?2 AND id = ?3",
        params![status, project_id, id],
    )
}

/// A stored media description.
#[derive(Debug, Clone)]
pub struct MediaRow {
    /// SHA-256, standard base64.
    pub sha256_hash: String,
    /// MIME type.
    pub content_type: String,
    /// Length in bytes.
    pub content_length: i64,
    /// When the bytes were stored.
    pub uploaded_at: Option<i64>,
}

/// One media description.
pub fn get(connection: &Connection, project_id: &str, id: &str) -> db::Result<Option<MediaRow>> {
    connection
        .query_row(
            "SELECT sha256_hash, content_type, content_length, uploaded_at FROM media WHERE project_id = ?1 AND id = ?2",
            params![project_id, id],
            |row| {
                Ok(MediaRow {
                    sha256_hash: row.get("sha256_hash")?,
                    content_type: row.get("content_type")?,
                    content_length: row.get("content_length")?,
                    uploaded_at: row.get("uploaded_at")?,
                })
            },
        )
        .optional()
}

/// Whether trace `trace_id` of `project_id` holds media `media_id`: announced for it, or
/// referenced (`...|id=<media_id>|...`, the reference a client leaves in place of the
/// bytes) in the input, output or metadata of one of its observations.
pub fn of_trace(connection: &Connection, project_id: &str, trace_id: &str, media_id: &str) -> db::Result<bool> {
    let reference = super::filter::contains_pattern(&format!("|id={media_id}|"));
    connection
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM media WHERE project_id = ?1 AND id = ?3 AND trace_id = ?2)
             OR EXISTS (SELECT 1 FROM observations WHERE project_id = ?1 AND trace_id = ?2 AND (input LIKE ?4 ESCAPE '\\'
                 OR output LIKE ?4 ESCAPE '\\' OR metadata LIKE ?4 ESCAPE '\\'))",
        )?
        .query_row(params![project_id, trace_id, media_id, reference], |row| row.get(0))
}

/// The file holding the bytes whose SHA-256 is `sha256_base64` (standard base64).
pub fn file_of(media_dir: &Path, sha256_base64: &str) -> PathBuf {
    let digest = base64::engine::general_purpose::STANDARD.decode(sha256_base64).unwrap_or_default();
    media_dir.join(hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_token_is_found_through_its_index() {
        let connection = crate::store::migrated_in_memory();
        let plan: Vec<String> = connection
            .prepare(&format!("EXPLAIN QUERY PLAN {UPLOAD_BY_TOKEN}"))
            .unwrap()
            .query_map(params!["id", "token"], |row| row.get::<_, String>("detail"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(plan.iter().any(|step| step.contains("media_upload_token")), "{plan:?}");
    }
}
