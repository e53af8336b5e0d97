//! The retention pruner: every project with a retention loses the traces that started
//! more than its days ago, [`TRACES_PER_ROUND`] at a time through [`super::delete`]; then
//! the freed pages go back to the file system, [`PAGES_PER_STEP`] per writer job
//! (`PRAGMA incremental_vacuum`), and a checkpoint copies the shrunk database into its
//! file, which SQLite truncates. Runs at start and every `--prune-interval`; setting a
//! retention through the API runs it for that project at once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::store::db;
use crate::store::{self, retention, Store};
use crate::writer::{WriteError, Writer};

/// Traces deleted per round of a project (each deletion in bounded writer steps).
pub const TRACES_PER_ROUND: i64 = 1_000;

/// Pages returned to the file system per writer job (4 KiB each).
pub const PAGES_PER_STEP: i64 = 1_000;

/// Why a prune stopped.
#[derive(Debug, thiserror::Error)]
pub enum PruneError {
    /// A write failed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A read failed.
    #[error("database error: {0}")]
    Read(#[from] db::Error),
    /// The checkpoint's connection could not be opened.
    #[error(transparent)]
    Open(#[from] store::OpenError),
    /// A blocking read could not run.
    #[error("the read task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Runs the pruner over every project until the runtime stops: at once, then every
/// `interval`.
pub async fn run(store: Store, writer: Writer, media_dir: PathBuf, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = all_projects(&store, &writer, &media_dir).await {
            tracing::warn!(%error, "the retention pruner stopped early; it runs again at its next interval");
        }
    }
}

/// One round over every project with a retention, then space reclaimed; the traces deleted.
pub async fn all_projects(store: &Store, writer: &Writer, media_dir: &Path) -> Result<usize, PruneError> {
    let projects = read(store, retention::projects).await?;
    let mut deleted = 0;
    for (project_id, days) in projects {
        deleted += project(store, writer, media_dir, &project_id, days).await?;
    }
    if deleted > 0 {
        reclaim(store, writer).await?;
    }
    Ok(deleted)
}

/// Deletes every trace of `project_id` older than `days`, in rounds; the traces deleted.
/// Call [`reclaim`] after to shrink the file.
pub async fn project(
    store: &Store,
    writer: &Writer,
    media_dir: &Path,
    project_id: &str,
    days: i64,
) -> Result<usize, PruneError> {
    let mut deleted = 0;
    loop {
        let project = project_id.to_owned();
        let now = store::now_ns();
        let expired = read(store, move |c| retention::expired(c, &project, days, now, TRACES_PER_ROUND)).await?;
        if expired.is_empty() {
            return Ok(deleted);
        }
        deleted += super::delete::traces(writer, media_dir, project_id, expired).await?;
    }
}

/// Returns the database's free pages to the file system in bounded writer jobs, then
/// checkpoints so the file itself shrinks; the free pages left (0 unless the file predates
/// incremental vacuum, see [`store::reclaims_space`]).
pub async fn reclaim(store: &Store, writer: &Writer) -> Result<i64, PruneError> {
    if !store.is_embedded() {
        // PostgreSQL's autovacuum makes dead rows' space reusable on the server.
        return Ok(0);
    }
    let mut left = i64::MAX;
    loop {
        let now_left = writer
            .write(|tx| {
                tx.execute_batch(&format!("PRAGMA incremental_vacuum({PAGES_PER_STEP})"))?;
                tx.query_row("PRAGMA freelist_count", (), |row| row.get::<_, i64>(0))
            })
            .await?;
        // A file without incremental vacuum keeps its free pages: stop once nothing moves.
        if now_left == 0 || now_left >= left {
            left = now_left;
            break;
        }
        left = now_left;
    }
    let store = store.clone();
    tokio::task::spawn_blocking(move || -> Result<(), PruneError> {
        if let Some(connection) = store.checkpoint_connection()? {
            connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE)").map_err(db::Error::from)?;
        }
        Ok(())
    })
    .await??;
    Ok(left)
}

/// Runs `query` on a pooled reader on a blocking thread.
async fn read<T: Send + 'static>(
    store: &Store,
    query: impl FnOnce(&db::Connection) -> db::Result<T> + Send + 'static,
) -> Result<T, PruneError> {
    let store = store.clone();
    Ok(tokio::task::spawn_blocking(move || store.read(query)).await??)
}

/// Switches the database in `data_dir` to incremental vacuum and rebuilds it without its
/// free pages (a full `VACUUM`, which needs free disk space about the file's size); for a
/// file created before langtrace set incremental vacuum, while no `serve` uses it. The
/// file's size before and after.
pub fn compact(data_dir: &Path) -> Result<(u64, u64), store::OpenError> {
    let (_, connection) = Store::open(data_dir, store::Durability::EachCommit)?;
    let path = data_dir.join(store::DATABASE_FILE);
    let size = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let before = size();
    let sqlite = |source| store::OpenError::Sqlite { path: path.clone(), source };
    connection.pragma_update(None, "auto_vacuum", "INCREMENTAL").map_err(sqlite)?;
    connection.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);").map_err(sqlite)?;
    Ok((before, size()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_switches_a_file_made_before_incremental_vacuum() {
        let dir = tempfile::tempdir().unwrap();
        let legacy = rusqlite::Connection::open(dir.path().join(store::DATABASE_FILE)).unwrap();
        legacy.execute_batch("PRAGMA auto_vacuum = NONE; CREATE TABLE legacy (x);").unwrap();
        drop(legacy);
        let (_, connection) = Store::open(dir.path(), store::Durability::EachCommit).unwrap();
        assert!(!store::reclaims_space(&connection).unwrap(), "opening alone cannot switch a file with tables");
        drop(connection);
        compact(dir.path()).unwrap();
        let (_, connection) = Store::open(dir.path(), store::Durability::EachCommit).unwrap();
        assert!(store::reclaims_space(&connection).unwrap());
    }

    #[test]
    fn a_new_store_reclaims_space() {
        let dir = tempfile::tempdir().unwrap();
        let (_, connection) = Store::open(dir.path(), store::Durability::EachCommit).unwrap();
        assert!(store::reclaims_space(&connection).unwrap());
    }
}
