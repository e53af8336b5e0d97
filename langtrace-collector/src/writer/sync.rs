//! The syncer: acknowledges commits once they are durable. It takes every commit waiting,
//! `fdatasync`s the write-ahead log once for all of them, answers their jobs, then wakes
//! the checkpointer. A failed sync fails its requests: committed, but not known durable,
//! so not acknowledged.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};

use super::job::Job;
use crate::store::db::Connection;

/// Commits waiting for their sync at most; past it the writer waits for the syncer.
pub(super) const COMMITS_AWAITING_SYNC: usize = 8;

/// A committed transaction's jobs, waiting for the sync that makes them durable.
pub(super) struct Committed {
    /// The jobs the transaction ran.
    pub jobs: Vec<Box<dyn Job>>,
    /// Whether the transaction committed.
    pub outcome: Result<(), String>,
}

/// The write-ahead log of `connection`'s database, `None` in memory.
pub(super) fn wal_path(connection: &Connection) -> Option<PathBuf> {
    connection.sqlite()?.path().filter(|path| !path.is_empty()).map(|path| PathBuf::from(format!("{path}-wal")))
}

/// Makes the WAL durable: `fdatasync` through a descriptor opened now (so a log SQLite
/// deleted and created again is still the one synced); the first time also the data
/// directory, where the log's name lives.
fn sync_wal(wal: &Path, directory_synced: &mut bool) -> std::io::Result<()> {
    File::open(wal)?.sync_data()?;
    if !*directory_synced {
        if let Some(directory) = wal.parent() {
            File::open(directory)?.sync_all()?;
        }
        *directory_synced = true;
    }
    Ok(())
}

/// Answers commits as they become durable, until the writer hangs up.
pub(super) fn run(wal: Option<PathBuf>, commits: Receiver<Committed>, wake_checkpointer: SyncSender<()>) {
    let mut directory_synced = false;
    while let Ok(first) = commits.recv() {
        let waiting: Vec<Committed> = std::iter::once(first).chain(commits.try_iter()).collect();
        let synced = match &wal {
            Some(path) if waiting.iter().any(|commit| commit.outcome.is_ok()) => {
                sync_wal(path, &mut directory_synced).map_err(|error| format!("sync of {}: {error}", path.display()))
            }
            _ => Ok(()),
        };
        if let Err(error) = &synced {
            tracing::error!(%error, "WAL sync failed; its requests are not acknowledged");
        }
        for Committed { jobs, outcome } in waiting {
            let outcome = outcome.and_then(|()| synced.clone());
            for job in jobs {
                job.complete(outcome.clone());
            }
        }
        let _ = wake_checkpointer.try_send(());
    }
}
