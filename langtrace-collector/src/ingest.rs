//! The single writer: a bounded queue of write jobs and one thread that owns the write
//! connection. The thread takes every job waiting (up to a batch), runs each in its own
//! savepoint inside one transaction, commits once, and only then answers each job: a
//! request is acknowledged after its data is durable, and many requests share one
//! fsync. A full queue refuses new jobs at once ([`WriteError::Overloaded`]), which the
//! receivers turn into HTTP 503 + `Retry-After` or gRPC UNAVAILABLE.

use std::thread::JoinHandle;

use rusqlite::{Connection, Transaction};
use tokio::sync::{mpsc, oneshot};

use crate::store::write::WriterState;

/// Jobs run per transaction at most.
const MAX_JOBS_PER_COMMIT: usize = 256;

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
    Database(#[from] rusqlite::Error),
    /// The transaction holding the job could not be committed (nothing was written).
    #[error("commit failed: {0}")]
    Commit(String),
}

type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&Transaction<'_>, &mut WriterState) -> Completion + Send>;

/// Handle to submit writes; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on `connection` with a queue of `capacity` jobs, and a
    /// checkpointer thread on `checkpoints` that copies committed pages from the WAL into
    /// the database file after commits, so the writer does not.
    pub fn start(connection: Connection, checkpoints: Connection, capacity: usize) -> (Self, JoinHandle<()>) {
        let (jobs, receiver) = mpsc::channel(capacity.max(1));
        let (committed, commits) = std::sync::mpsc::sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("langtrace-checkpoint".into())
            .spawn(move || {
                // One checkpoint per wake-up; commits during it coalesce into the next.
                while commits.recv().is_ok() {
                    if let Err(error) = checkpoints.execute_batch("PRAGMA wal_checkpoint(PASSIVE)") {
                        tracing::warn!(%error, "checkpoint failed");
                    }
                }
            })
            .expect("spawn the checkpoint thread");
        let thread = std::thread::Builder::new()
            .name("langtrace-writer".into())
            .spawn(move || run(connection, receiver, committed))
            .expect("spawn the writer thread");
        (Self { jobs }, thread)
    }

    /// Runs `work` in the next transaction and resolves once it is committed.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Transaction<'_>, &mut WriterState) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, WriteError> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move |tx, state| {
            let outcome = in_savepoint(tx, state, work);
            Box::new(move |committed: Result<(), String>| {
                let result = match (committed, outcome) {
                    (Ok(()), outcome) => outcome.map_err(WriteError::from),
                    (Err(error), _) => Err(WriteError::Commit(error)),
                };
                let _ = done.send(result);
            })
        });
        self.jobs.try_send(job).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => WriteError::Overloaded,
            mpsc::error::TrySendError::Closed(_) => WriteError::Stopped,
        })?;
        result.await.map_err(|_| WriteError::Stopped)?
    }
}

/// Runs `work` so that its failure undoes only its own statements.
fn in_savepoint<T>(
    tx: &Transaction<'_>,
    state: &mut WriterState,
    work: impl FnOnce(&Transaction<'_>, &mut WriterState) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    tx.execute_batch("SAVEPOINT job")?;
    match work(tx, state) {
        Ok(value) => {
            tx.execute_batch("RELEASE job")?;
            Ok(value)
        }
        Err(error) => {
            tx.execute_batch("ROLLBACK TO job; RELEASE job")?;
            Err(error)
        }
    }
}

/// WAL size past which the writer restarts the log itself (a checkpointer that cannot
/// keep up under sustained load must not let it grow without bound).
const MAX_WAL_BYTES: u64 = 512 << 20;

fn run(mut connection: Connection, mut receiver: mpsc::Receiver<Job>, committed: std::sync::mpsc::SyncSender<()>) {
    let wal = connection.path().map(|path| std::path::PathBuf::from(format!("{path}-wal")));
    let mut state = WriterState { prices: crate::pricing::PriceTable::new() };
    while let Some(first) = receiver.blocking_recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_JOBS_PER_COMMIT {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let tx = match connection.transaction() {
            Ok(tx) => tx,
            Err(error) => {
                // The jobs are dropped unrun: their callers see `Stopped`, nothing is acknowledged.
                tracing::error!(%error, "cannot start a write transaction");
                continue;
            }
        };
        let completions: Vec<Completion> = jobs.drain(..).map(|job| job(&tx, &mut state)).collect();
        let committed_result = tx.commit().map_err(|error| error.to_string());
        if let Err(error) = &committed_result {
            tracing::error!(%error, "commit failed; its requests are not acknowledged");
        }
        for complete in completions {
            complete(committed_result.clone());
        }
        let _ = committed.try_send(());
        if wal.as_ref().and_then(|path| std::fs::metadata(path).ok()).is_some_and(|m| m.len() > MAX_WAL_BYTES) {
            if let Err(error) = connection.execute_batch("PRAGMA wal_checkpoint(RESTART)") {
                tracing::warn!(%error, "WAL restart failed");
            }
        }
    }
}
