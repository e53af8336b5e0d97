//! Trace deletion, run by the single writer in bounded steps: each step removes at most
//! [`OBSERVATIONS_PER_STEP`] observations of the traces asked for; the step that finds
//! none left removes, in the same transaction, every other row of those traces (one
//! statement per table in [`TRACE_ROWS`]) and returns the media hashes they referenced.
//! Bytes no row of any project references any more are then removed from disk by
//! [`release_media`], also inside the writer, so no announcement of the same bytes can
//! slip in between the check and the removal.

use std::path::Path;

use crate::store::db::{self, params, Connection, Transaction};
use crate::store::media;

/// Observations removed per writer job at most: a step costs the writer about as much as
/// a large ingest batch, so deletions interleave with ingest instead of stalling it.
pub const OBSERVATIONS_PER_STEP: i64 = 10_000;

/// The rows of one trace in every table but `observations`, each a statement keyed by
/// (project `?1`, trace id `?2`): scores, media, comments on the trace and its
/// observations, experiment links. A table holding rows of traces adds its line here;
/// `traces` stays last.
const TRACE_ROWS: &[&str] = &[
    "DELETE FROM scores WHERE project_id = ?1 AND trace_id = ?2",
    "DELETE FROM media WHERE project_id = ?1 AND trace_id = ?2",
    super::comments::DELETE_OF_TRACE,
    "DELETE FROM experiment_items WHERE project_id = ?1 AND trace_id = ?2",
    "DELETE FROM traces WHERE project_id = ?1 AND id = ?2",
];

/// Where a deletion stands after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Observations remain: run another step.
    More,
    /// Every row is gone: the traces removed, and the media hashes their rows referenced.
    Done {
        /// Trace rows removed.
        traces: usize,
        /// SHA-256 (standard base64) of the media the removed rows referenced.
        media_hashes: Vec<String>,
    },
}

/// The ids among `trace_ids` with no trace in `project_id` (checked before a deletion).
pub fn missing(connection: &Connection, project_id: &str, trace_ids: &[String]) -> db::Result<Vec<String>> {
    let mut exists =
        connection.prepare_cached("SELECT EXISTS (SELECT 1 FROM traces WHERE project_id = ?1 AND id = ?2)")?;
    let mut missing = Vec::new();
    for trace_id in trace_ids {
        if !exists.query_row(params![project_id, trace_id], |row| row.get::<_, bool>(0))? {
            missing.push(trace_id.clone());
        }
    }
    Ok(missing)
}

/// One step of deleting `trace_ids` of `project_id` (see the module's documentation).
pub fn step(tx: &Transaction<'_>, project_id: &str, trace_ids: &[String]) -> db::Result<Step> {
    let mut budget = OBSERVATIONS_PER_STEP;
    let mut observations = tx.prepare_cached(
        "DELETE FROM observations WHERE project_id = ?1 AND trace_id = ?2 AND id IN
            (SELECT id FROM observations WHERE project_id = ?1 AND trace_id = ?2 LIMIT ?3)",
    )?;
    for trace_id in trace_ids {
        budget -= observations.execute(params![project_id, trace_id, budget])? as i64;
        if budget == 0 {
            return Ok(Step::More);
        }
    }
    let mut media_hashes = Vec::new();
    let mut hashes =
        tx.prepare_cached("SELECT DISTINCT sha256_hash FROM media WHERE project_id = ?1 AND trace_id = ?2")?;
    for trace_id in trace_ids {
        for hash in hashes.query_map(params![project_id, trace_id], |row| row.get::<_, String>(0))? {
            media_hashes.push(hash?);
        }
    }
    let mut traces = 0;
    for (index, sql) in TRACE_ROWS.iter().enumerate() {
        let mut statement = tx.prepare_cached(sql)?;
        for trace_id in trace_ids {
            let removed = statement.execute(params![project_id, trace_id])?;
            if index == TRACE_ROWS.len() - 1 {
                traces += removed;
            }
        }
    }
    media_hashes.sort();
    media_hashes.dedup();
    Ok(Step::Done { traces, media_hashes })
}

/// Removes from `media_dir` the bytes of each of `hashes` that no media row of any project
/// references; the files removed. Run inside the writer (see the module's documentation);
/// running it twice is harmless.
pub fn release_media(tx: &Transaction<'_>, media_dir: &Path, hashes: &[String]) -> db::Result<usize> {
    let mut referenced = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM media WHERE sha256_hash = ?1)")?;
    let mut removed = 0;
    for hash in hashes {
        if referenced.query_row([hash], |row| row.get::<_, bool>(0))? {
            continue;
        }
        match std::fs::remove_file(media::file_of(media_dir, hash)) {
            Ok(()) => removed += 1,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => tracing::warn!(%error, "cannot remove the bytes of deleted media"),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Connection {
        crate::store::migrated_in_memory()
    }

    fn insert_trace(connection: &Connection, project: &str, trace: &str, observations: i64) {
        connection
            .execute(
                "INSERT INTO traces (project_id, id, start_time, end_time, created_at, updated_at)
                 VALUES (?1, ?2, 0, 0, 0, 0)",
                params![project, trace],
            )
            .unwrap();
        for id in 0..observations {
            connection
                .execute(
                    "INSERT INTO observations (project_id, id, trace_id, is_root, type, name, start_time, level,
                        metadata, environment, usage_details, cost_details, created_at)
                     VALUES (?1, ?2, ?3, 0, 'SPAN', 'n', 0, 'DEFAULT', '{}', 'default', '{}', '{}', 0)",
                    params![project, id.to_string(), trace],
                )
                .unwrap();
        }
    }

    fn count(connection: &Connection, sql: &str) -> i64 {
        connection.query_row(sql, (), |row| row.get(0)).unwrap()
    }

    #[test]
    fn a_large_trace_goes_in_bounded_steps_and_only_in_its_project() {
        let mut connection = store();
        insert_trace(&connection, "a", "t", OBSERVATIONS_PER_STEP + 5);
        insert_trace(&connection, "b", "t", 3);
        let ids = vec!["t".to_owned()];
        let tx = connection.transaction().unwrap();
        assert_eq!(step(&tx, "a", &ids).unwrap(), Step::More);
        let left: i64 =
            tx.query_row("SELECT COUNT(*) FROM observations WHERE project_id = 'a'", (), |r| r.get(0)).unwrap();
        assert_eq!(left, 5, "one step removes at most its budget");
        assert_eq!(step(&tx, "a", &ids).unwrap(), Step::Done { traces: 1, media_hashes: vec![] });
        tx.commit().unwrap();
        assert_eq!(count(&connection, "SELECT COUNT(*) FROM observations WHERE project_id = 'a'"), 0);
        assert_eq!(count(&connection, "SELECT COUNT(*) FROM traces WHERE project_id = 'a'"), 0);
        assert_eq!(count(&connection, "SELECT COUNT(*) FROM observations WHERE project_id = 'b'"), 3);
        assert_eq!(count(&connection, "SELECT COUNT(*) FROM traces WHERE project_id = 'b'"), 1);
    }
}
