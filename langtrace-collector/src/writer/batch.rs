//! The writer thread: takes every job waiting (up to a batch), runs them in one
//! transaction and commits once, then hands the commit to the syncer.

use std::sync::mpsc as std_mpsc;

use tokio::sync::mpsc;

use super::job::Job;
use super::{checkpoint, sync};
use crate::store::db::Connection;

/// Jobs run per transaction at most.
const MAX_JOBS_PER_COMMIT: usize = 256;

/// Runs `jobs` in one transaction and commits it. Jobs run first without savepoints
/// (a savepoint per job journals every page it touches: 15% of ingest throughput). If one
/// fails (or panics), that transaction is rolled back; the failed job keeps its answer
/// and is not run again, and every other job runs once more, each in a savepoint of its
/// own, so a second failure undoes only its job. A job runs at most twice, a failing one
/// once, whatever the batch holds.
pub(super) fn commit_batch(connection: &mut Connection, jobs: &mut [Box<dyn Job>]) -> Result<(), String> {
    let tx = connection.transaction().map_err(|error| error.to_string())?;
    let Some(failed) = jobs.iter_mut().position(|job| !job.run(&tx, false)) else {
        return tx.commit().map_err(|error| error.to_string());
    };
    tx.rollback().map_err(|error| error.to_string())?;
    let tx = connection.transaction().map_err(|error| error.to_string())?;
    for (index, job) in jobs.iter_mut().enumerate() {
        if index != failed {
            job.run(&tx, true);
        }
    }
    tx.commit().map_err(|error| error.to_string())
}

/// The writer's loop, until every [`super::Writer`] handle is dropped; then it waits for
/// the syncer to answer every commit.
pub(super) fn run(
    mut connection: Connection,
    mut receiver: mpsc::Receiver<Box<dyn Job>>,
    wake_checkpointer: std_mpsc::SyncSender<()>,
) {
    let wal = sync::wal_path(&connection);
    let (to_syncer, commits) = std_mpsc::sync_channel(sync::COMMITS_AWAITING_SYNC);
    let syncer = {
        let wal = wal.clone();
        std::thread::Builder::new()
            .name("langtrace-sync".into())
            .spawn(move || sync::run(wal, commits, wake_checkpointer))
    };
    let Ok(syncer) = syncer else {
        tracing::error!("cannot start the sync thread; nothing is written");
        return;
    };
    while let Some(first) = receiver.blocking_recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_JOBS_PER_COMMIT {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let outcome = commit_batch(&mut connection, &mut jobs);
        if let Err(error) = &outcome {
            tracing::error!(%error, "commit failed; its requests are not acknowledged");
        }
        if to_syncer.send(sync::Committed { jobs, outcome }).is_err() {
            tracing::error!("the sync thread has stopped");
            break;
        }
        checkpoint::restart_if_large(&connection, wal.as_deref());
    }
    // Every commit answered before the writer reports itself stopped.
    drop(to_syncer);
    let _ = syncer.join();
}
