//! The single writer: a bounded queue of write jobs and one thread that owns the write
//! connection. The thread takes every job waiting (up to a batch), runs them in one
//! transaction (a failing or panicking job undoes only itself, see [`batch`]) and commits once; the
//! syncer thread then makes the write-ahead log durable (one `fdatasync` for every commit
//! made meanwhile) and only then answers each job: a request is acknowledged after its
//! data is durable, many requests share one sync, and the writer runs the next
//! transaction while the last one syncs. A full queue refuses new jobs at once
//! ([`WriteError::Overloaded`]), which the receivers turn into HTTP 503 + `Retry-After`
//! or gRPC UNAVAILABLE.
//!
//! - `job`: a queued write and how it is answered;
//! - `batch`: the writer thread and its group commit;
//! - `sync`: the syncer, which acknowledges durable commits;
//! - `checkpoint`: the checkpointer and the log's restart;
//! - `locks`: what a job reads and rewrites, locked across collectors sharing PostgreSQL;
//! - `priority`: every other thread yields to the writer.

mod batch;
mod checkpoint;
mod job;
mod locks;
pub mod priority;
mod sync;

use std::sync::mpsc as std_mpsc;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};

use self::job::{Job, Pending};
pub use self::locks::LockKey;

use crate::store::db::{self, Connection, Transaction};

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The queue is full: retry later.
    #[error("the ingest queue is full")]
    Overloaded,
    /// The writer has stopped.
    #[error("the writer has stopped")]
    Stopped,
    /// SQLite refused the job's statements (nothing of the job was written).
    #[error("database error: {0}")]
    Database(#[from] db::Error),
    /// The job panicked (nothing of the job was written; the other jobs were).
    #[error("the write panicked: {0}")]
    Panicked(String),
    /// The transaction holding the job could not be committed (nothing was written), or
    /// its log could not be synced (not known durable).
    #[error("commit failed: {0}")]
    Commit(String),
}

/// Why the writer could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The calling thread has yielded its priority (see [`priority`]): the writer's threads
    /// would inherit it and the one serial stage would run below the threads feeding it.
    #[error("the writer must be started from a thread at normal priority (not a runtime thread that yielded)")]
    YieldedThread,
    /// A thread could not be created.
    #[error("cannot start the {0} thread: {1}")]
    Spawn(&'static str, std::io::Error),
}

/// Handle to submit writes; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
    admissions: Arc<Semaphore>,
}

/// One ingest request's place among those in flight, given back when dropped.
pub struct Admission {
    _permit: OwnedSemaphorePermit,
}

impl Writer {
    /// Starts the writer thread on `connection` (opened with
    /// [`crate::store::Durability::SyncedByWriter`]) with a queue of `capacity` jobs (and
    /// as many ingest requests admitted at a time, see [`Writer::admit`]), the syncer thread
    /// that acknowledges its commits once durable, and a checkpointer thread on
    /// `checkpoints`. The writer stops once every handle is dropped and its last commit is
    /// answered. Refused on a thread that has yielded its priority: start the writer before
    /// the (yielding) runtime, from the main thread.
    pub fn start(
        connection: impl Into<Connection>,
        checkpoints: Option<rusqlite::Connection>,
        capacity: usize,
    ) -> Result<Self, StartError> {
        let connection = connection.into();
        if priority::has_yielded() {
            return Err(StartError::YieldedThread);
        }
        let (jobs, receiver) = mpsc::channel(capacity.max(1));
        let (wake_checkpointer, wake_ups) = std_mpsc::sync_channel::<()>(1);
        if let Some(checkpoints) = checkpoints {
            std::thread::Builder::new()
                .name("langtrace-checkpoint".into())
                .spawn(move || {
                    priority::yield_to_writer();
                    checkpoint::run(&checkpoints, &wake_ups)
                })
                .map_err(|error| StartError::Spawn("checkpoint", error))?;
        }
        std::thread::Builder::new()
            .name("langtrace-writer".into())
            .spawn(move || batch::run(connection, receiver, wake_checkpointer))
            .map_err(|error| StartError::Spawn("writer", error))?;
        Ok(Self { jobs, admissions: Arc::new(Semaphore::new(capacity.max(1))) })
    }

    /// Admits one more ingest request, from reading its body to its answer, if fewer than
    /// the queue's capacity are in flight ([`WriteError::Overloaded`] otherwise). Refusing
    /// before the body is read keeps memory bounded however many clients send at once.
    pub fn admit(&self) -> Result<Admission, WriteError> {
        self.admissions
            .clone()
            .try_acquire_owned()
            .map(|_permit| Admission { _permit })
            .map_err(|_| WriteError::Overloaded)
    }

    /// Runs `work` in the next transaction and resolves once it is committed and synced.
    /// `work` may run more than once (the earlier runs rolled back), so it must not consume
    /// what it writes.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnMut(&Transaction<'_>) -> db::Result<T> + Send + 'static,
    ) -> Result<T, WriteError> {
        self.write_locked(Vec::new(), work).await
    }

    /// [`Writer::write`] for work that reads what it rewrites: `locks` name those things,
    /// and no other collector sharing the database writes them between its reads and its
    /// commit.
    pub async fn write_locked<T: Send + 'static>(
        &self,
        locks: Vec<LockKey>,
        work: impl FnMut(&Transaction<'_>) -> db::Result<T> + Send + 'static,
    ) -> Result<T, WriteError> {
        let (done, result) = oneshot::channel();
        self.jobs.try_send(Box::new(Pending::new(work, locks, done))).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => WriteError::Overloaded,
            mpsc::error::TrySendError::Closed(_) => WriteError::Stopped,
        })?;
        let (result, work) = result.await.map_err(|_| WriteError::Stopped)?;
        drop(work);
        result
    }
}

#[cfg(test)]
mod tests;
