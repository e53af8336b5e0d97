//! The checkpointer: copies committed pages from the write-ahead log into the database
//! file after commits, on a thread of its own, so the writer does not.

use std::sync::mpsc::Receiver;

use rusqlite::Connection;

use crate::store::db;

/// WAL file size past which the writer restarts the log itself. Passive checkpoints copy
/// pages without stopping the writer, but under sustained writes they never catch up
/// with the last commit, and only a caught-up log starts again from its beginning. The
/// restart copies what the checkpointer has not yet; the next commit then truncates the
/// file to the store's `journal_size_limit`.
pub(super) const WAL_RESTART_BYTES: u64 = 256 << 20;

/// One passive checkpoint per wake-up; commits during one coalesce into the next.
pub(super) fn run(connection: &Connection, commits: &Receiver<()>) {
    while commits.recv().is_ok() {
        if let Err(error) = connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE)") {
            tracing::warn!(%error, "checkpoint failed");
        }
    }
}

/// Restarts the log when it has grown past [`WAL_RESTART_BYTES`] (see there).
pub(super) fn restart_if_large(connection: &db::Connection, wal: Option<&std::path::Path>) {
    if wal.and_then(|path| std::fs::metadata(path).ok()).is_some_and(|m| m.len() > WAL_RESTART_BYTES) {
        if let Err(error) = connection.execute_batch("PRAGMA wal_checkpoint(RESTART)") {
            tracing::warn!(%error, "WAL restart failed");
        }
    }
}
