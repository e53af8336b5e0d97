//! The writer thread: takes every job waiting (up to a batch), runs them in one
//! transaction and commits once, then hands the commit to the syncer.

use std::sync::mpsc as std_mpsc;

use tokio::sync::mpsc;

use super::job::Job;
use super::locks::{self, LockKey};
use super::{checkpoint, sync};
use crate::store::db::{self, Connection};

/// Jobs run per transaction at most.
const MAX_JOBS_PER_COMMIT: usize = 256;

/// Runs `jobs` in one transaction and commits it. Jobs run first without savepoints
/// (a savepoint per job journals every page it touches: 15% of ingest throughput). If one
/// fails (or panics), that transaction is rolled back; the failed job keeps its answer
/// and is not run again, and every other job runs once more, each in a savepoint of its
/// own, so a second failure undoes only its job. A job runs at most twice, a failing one
/// once, whatever the batch holds, unless the database aborts the transaction for a race
/// with another collector's (a deadlock or serialization failure, PostgreSQL only): then
/// the whole batch runs again, up to [`ATTEMPTS`] times. Every job's [`LockKey`]s are
/// taken first, sorted.
pub(super) fn commit_batch(connection: &mut Connection, jobs: &mut [Box<dyn Job>]) -> Result<(), String> {
    let mut keys: Vec<LockKey> = jobs.iter().flat_map(|job| job.locks().iter().copied()).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut attempt = 1;
    loop {
        match attempt_batch(connection, jobs, &keys) {
            Err(Failure::Raced(_)) if attempt < ATTEMPTS => attempt += 1,
            Err(Failure::Raced(error) | Failure::Database(error)) => return Err(error),
            Ok(()) => return Ok(()),
        }
    }
}

/// Runs of a batch that lost races with other transactions before it gives up.
const ATTEMPTS: usize = 5;

/// Why a batch's attempt did not commit.
enum Failure {
    /// Another transaction won a race: the batch may run again.
    Raced(String),
    /// The database failed otherwise.
    Database(String),
}

impl From<db::Error> for Failure {
    fn from(error: db::Error) -> Self {
        if error.is_transient() {
            Failure::Raced(error.to_string())
        } else {
            Failure::Database(error.to_string())
        }
    }
}

/// One attempt of [`commit_batch`].
fn attempt_batch(connection: &mut Connection, jobs: &mut [Box<dyn Job>], keys: &[LockKey]) -> Result<(), Failure> {
    let tx = connection.transaction()?;
    locks::acquire(&tx, keys)?;
    let Some(failed) = jobs.iter_mut().position(|job| !job.run(&tx, false)) else {
        return Ok(tx.commit()?);
    };
    tx.rollback()?;
    if jobs[failed].failed_transiently() {
        return Err(Failure::Raced("a write lost a race with another collector's".into()));
    }
    let tx = connection.transaction()?;
    locks::acquire(&tx, keys)?;
    for (index, job) in jobs.iter_mut().enumerate() {
        if index != failed {
            job.run(&tx, true);
        }
    }
    Ok(tx.commit()?)
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
