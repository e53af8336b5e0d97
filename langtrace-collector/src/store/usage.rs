//! What a project holds: its traces, observations (from the trace rollups), scores and
//! media bytes, and the size of the database files every project shares.

use std::path::Path;

use crate::store::db::{self, Connection};

/// Counts and sizes of one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Traces.
    pub traces: i64,
    /// Observations.
    pub observations: i64,
    /// Scores.
    pub scores: i64,
    /// Uploaded media files.
    pub media_files: i64,
    /// Bytes of the uploaded media.
    pub media_bytes: i64,
}

/// The usage of `project_id`.
pub fn of_project(connection: &Connection, project_id: &str) -> db::Result<Usage> {
    let (traces, observations) = connection.query_row(
        "SELECT COUNT(*), COALESCE(SUM(observation_count), 0) FROM traces WHERE project_id = ?1",
        [project_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let scores =
        connection.query_row("SELECT COUNT(*) FROM scores WHERE project_id = ?1", [project_id], |row| row.get(0))?;
    let (media_files, media_bytes) = connection.query_row(
        "SELECT COUNT(*), COALESCE(SUM(content_length), 0) FROM media WHERE project_id = ?1 AND uploaded_at IS NOT NULL",
        [project_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(Usage { traces, observations, scores, media_files, media_bytes })
}

/// Bytes of the SQLite file at `path` and its write-ahead log (shared by every project).
pub fn file_bytes(path: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
        .map(|metadata| metadata.len())
        .sum()
}
