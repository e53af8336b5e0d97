//! The single writer: a bounded queue of write jobs and one thread that owns the write
//! connection. The thread takes every job waiting (up to a batch), runs them in one
//! transaction (a failing job undoes only itself, see [`commit_batch`]) and commits once;
//! a syncer thread then makes the write-ahead log durable (one `fdatasync` for every
//! commit made meanwhile) and only then answers each job: a request is acknowledged after
//! its data is durable, many requests share one sync, and the writer runs the next
//! transaction while the last one syncs. A full queue refuses new jobs at once
//! ([`WriteError::Overloaded`]), which the receivers turn into HTTP 503 + `Retry-After`
//! or gRPC UNAVAILABLE.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;

use rusqlite::{Connection, Transaction};
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};

use crate::store::write::WriterState;

/// Jobs run per transaction at most.
const MAX_JOBS_PER_COMMIT: usize = 256;

/// Commits waiting for their sync at most; past it the writer waits for the syncer.
const COMMITS_AWAITING_SYNC: usize = 8;

/// How much lower than the writer's the scheduling priority of every other collector
/// thread is (a nice value added to the process's own).
const NICE_BELOW_WRITER: i32 = 8;

/// Lowers the calling thread's scheduling priority below the writer's. The writer is the
/// pipeline's one serial stage: on a busy machine (measured on 2 cores) it spent a quarter
/// of its time runnable but waiting for a CPU held by decoding threads, whose work only
/// feeds it. Called on every async and blocking thread of the runtime and by the
/// checkpointer. Unprivileged (a thread may always lower its own priority); a no-op off
/// Linux, where the nice value is not per thread.
pub fn yield_to_writer() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread (`who = 0`), no memory passed.
    unsafe {
        // SCHED_BATCH: a waking thread of this policy does not preempt the running writer.
        let param = libc::sched_param { sched_priority: 0 };
        libc::sched_setscheduler(0, libc::SCHED_BATCH, &param);
        *libc::__errno_location() = 0;
        let current = libc::getpriority(libc::PRIO_PROCESS, 0);
        if *libc::__errno_location() == 0 {
            libc::setpriority(libc::PRIO_PROCESS, 0, (current + NICE_BELOW_WRITER).min(19));
        }
    }
}

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

/// A queued write: run (possibly twice, see [`commit_batch`]), then answered.
trait Job: Send {
    /// Runs the work in `tx`, in a savepoint of its own when `isolated`; false if it failed.
    fn run(&mut self, tx: &Transaction<'_>, state: &mut WriterState, isolated: bool) -> bool;
    /// Answers the caller once the transaction is committed, or known not to be.
    fn complete(self: Box<Self>, committed: Result<(), String>);
}

/// A caller's work, its latest outcome, and where the answer goes.
struct Pending<T, F> {
    work: F,
    outcome: Option<rusqlite::Result<T>>,
    done: oneshot::Sender<(Result<T, WriteError>, F)>,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send,
    F: FnMut(&Transaction<'_>, &mut WriterState) -> rusqlite::Result<T> + Send,
{
    fn run(&mut self, tx: &Transaction<'_>, state: &mut WriterState, isolated: bool) -> bool {
        let outcome = if isolated { in_savepoint(tx, state, &mut self.work) } else { (self.work)(tx, state) };
        let succeeded = outcome.is_ok();
        self.outcome = Some(outcome);
        succeeded
    }

    fn complete(self: Box<Self>, committed: Result<(), String>) {
        let result = match (committed, self.outcome) {
            (Ok(()), Some(outcome)) => outcome.map_err(WriteError::from),
            (Ok(()), None) => Err(WriteError::Stopped),
            (Err(error), _) => Err(WriteError::Commit(error)),
        };
        // The work goes back with the answer: what it owns (a whole batch of rows) is freed
        // by the caller, not by the writer, which would wait on the allocator's lock of the
        // thread that allocated it.
        let _ = self.done.send((result, self.work));
    }
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
    /// Starts the writer thread on `connection` with a queue of `capacity` jobs (and as
    /// many ingest requests admitted at a time, see [`Writer::admit`]), the syncer thread
    /// that acknowledges its commits once durable, and a checkpointer thread on
    /// `checkpoints` that copies committed pages from the WAL into the database file after
    /// commits, so the writer does not. A thread inherits its creator's priority: call this
    /// from one that has not yielded (`langtrace serve` does from its main thread).
    pub fn start(connection: Connection, checkpoints: Connection, capacity: usize) -> (Self, JoinHandle<()>) {
        let (jobs, receiver) = mpsc::channel(capacity.max(1));
        let (wake_checkpointer, wake_ups) = std_mpsc::sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("langtrace-checkpoint".into())
            .spawn(move || {
                yield_to_writer();
                checkpoint(&checkpoints, &wake_ups)
            })
            .expect("spawn the checkpoint thread");
        let thread = std::thread::Builder::new()
            .name("langtrace-writer".into())
            .spawn(move || run(connection, receiver, wake_checkpointer))
            .expect("spawn the writer thread");
        (Self { jobs, admissions: Arc::new(Semaphore::new(capacity.max(1))) }, thread)
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
    /// `work` may run twice (the first run rolled back), so it must not consume what it
    /// writes.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnMut(&Transaction<'_>, &mut WriterState) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, WriteError> {
        let (done, result) = oneshot::channel();
        let job = Box::new(Pending { work, outcome: None, done });
        self.jobs.try_send(job).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => WriteError::Overloaded,
            mpsc::error::TrySendError::Closed(_) => WriteError::Stopped,
        })?;
        let (result, work) = result.await.map_err(|_| WriteError::Stopped)?;
        drop(work);
        result
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

/// Runs `jobs` in one transaction and commits it. Jobs run first without savepoints
/// (a savepoint per job journals every page it touches: 15% of ingest throughput);
/// if one fails, that transaction is rolled back and all of them run again, each in a
/// savepoint of its own, so the failure undoes only its job.
fn commit_batch(connection: &mut Connection, jobs: &mut [Box<dyn Job>], state: &mut WriterState) -> Result<(), String> {
    let tx = connection.transaction().map_err(|error| error.to_string())?;
    if jobs.iter_mut().all(|job| job.run(&tx, state, false)) {
        return tx.commit().map_err(|error| error.to_string());
    }
    tx.rollback().map_err(|error| error.to_string())?;
    let tx = connection.transaction().map_err(|error| error.to_string())?;
    for job in jobs.iter_mut() {
        job.run(&tx, state, true);
    }
    tx.commit().map_err(|error| error.to_string())
}

/// WAL file size past which the writer restarts the log itself. Passive checkpoints copy
/// pages without stopping the writer, but under sustained writes they never catch up
/// with the last commit, and only a caught-up log starts again from its beginning. The
/// restart copies what the checkpointer has not yet; the next commit then truncates the
/// file to the store's `journal_size_limit`.
const WAL_RESTART_BYTES: u64 = 256 << 20;

/// Copies committed pages from the WAL into the database after commits, so the writer
/// does not: one passive checkpoint per wake-up; commits during one coalesce into the next.
fn checkpoint(connection: &Connection, commits: &std_mpsc::Receiver<()>) {
    while commits.recv().is_ok() {
        if let Err(error) = connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE)") {
            tracing::warn!(%error, "checkpoint failed");
        }
    }
}

/// A committed transaction's jobs, waiting for the sync that makes them durable.
struct Committed {
    jobs: Vec<Box<dyn Job>>,
    outcome: Result<(), String>,
}

/// The write-ahead log of `connection`'s database, `None` in memory.
fn wal_path(connection: &Connection) -> Option<PathBuf> {
    connection.path().filter(|path| !path.is_empty()).map(|path| PathBuf::from(format!("{path}-wal")))
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

/// Acknowledges commits once durable: takes every commit waiting, syncs the WAL once for
/// all of them, answers their jobs (a failed sync fails them: committed, but not known
/// durable, so not acknowledged), then wakes the checkpointer.
fn acknowledge(
    wal: Option<PathBuf>,
    commits: std_mpsc::Receiver<Committed>,
    wake_checkpointer: std_mpsc::SyncSender<()>,
) {
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

fn run(
    mut connection: Connection,
    mut receiver: mpsc::Receiver<Box<dyn Job>>,
    wake_checkpointer: std_mpsc::SyncSender<()>,
) {
    let wal = wal_path(&connection);
    // Commits write the log without syncing it; the syncer syncs it before any answer.
    if let Err(error) = connection.pragma_update(None, "synchronous", "NORMAL") {
        tracing::warn!(%error, "cannot leave WAL syncs to the syncer; commits sync themselves");
    }
    let (to_syncer, commits) = std_mpsc::sync_channel(COMMITS_AWAITING_SYNC);
    let syncer = {
        let wal = wal.clone();
        std::thread::Builder::new()
            .name("langtrace-sync".into())
            .spawn(move || acknowledge(wal, commits, wake_checkpointer))
            .expect("spawn the sync thread")
    };
    let mut state = WriterState { prices: crate::pricing::PriceTable::new() };
    while let Some(first) = receiver.blocking_recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_JOBS_PER_COMMIT {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let outcome = commit_batch(&mut connection, &mut jobs, &mut state);
        if let Err(error) = &outcome {
            tracing::error!(%error, "commit failed; its requests are not acknowledged");
        }
        if to_syncer.send(Committed { jobs, outcome }).is_err() {
            tracing::error!("the sync thread has stopped");
            break;
        }
        if wal.as_ref().and_then(|path| std::fs::metadata(path).ok()).is_some_and(|m| m.len() > WAL_RESTART_BYTES) {
            if let Err(error) = connection.execute_batch("PRAGMA wal_checkpoint(RESTART)") {
                tracing::warn!(%error, "WAL restart failed");
            }
        }
    }
    // Every commit answered before the writer reports itself stopped.
    drop(to_syncer);
    let _ = syncer.join();
}

#[cfg(test)]
mod tests {
    use super::*;

    type Answer<T, F> = oneshot::Receiver<(Result<T, WriteError>, F)>;

    fn job<T, F>(work: F) -> (Box<dyn Job>, Answer<T, F>)
    where
        T: Send + 'static,
        F: FnMut(&Transaction<'_>, &mut WriterState) -> rusqlite::Result<T> + Send + 'static,
    {
        let (done, answer) = oneshot::channel();
        (Box::new(Pending { work, outcome: None, done }), answer)
    }

    #[test]
    fn a_failing_job_undoes_only_itself_and_the_others_are_committed_once() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection.execute_batch("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)").unwrap();
        let (first, first_answer) = job(|tx, _| tx.execute("INSERT INTO t VALUES (1)", []));
        // Inserts a row, then fails: its row must not survive.
        let (failing, failing_answer) = job(|tx, _| {
            tx.execute("INSERT INTO t VALUES (2)", [])?;
            tx.execute("INSERT INTO t VALUES (NULL)", [])
        });
        let (last, last_answer) = job(|tx, _| tx.execute("INSERT INTO t VALUES (3)", []));
        let mut jobs = vec![first, failing, last];
        let mut state = WriterState { prices: crate::pricing::PriceTable::new() };

        let committed = commit_batch(&mut connection, &mut jobs, &mut state);
        assert_eq!(committed, Ok(()));
        for job in jobs {
            job.complete(committed.clone());
        }
        assert!(first_answer.blocking_recv().unwrap().0.is_ok());
        assert!(matches!(failing_answer.blocking_recv().unwrap().0, Err(WriteError::Database(_))));
        assert!(last_answer.blocking_recv().unwrap().0.is_ok());
        let rows: Vec<i64> = connection
            .prepare("SELECT v FROM t ORDER BY v")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows, [1, 3], "the retry must not write the successful jobs twice, nor keep the failed one's row");
    }

    /// Runs `job` in a committed transaction, hands it to the syncer with `wal` as the log,
    /// and returns what its caller is answered.
    fn acknowledged_with(wal: PathBuf) -> Result<i32, WriteError> {
        let (job, answer) = job(|_, _| Ok(7));
        let mut connection = Connection::open_in_memory().unwrap();
        let mut jobs = vec![job];
        let mut state = WriterState { prices: crate::pricing::PriceTable::new() };
        let outcome = commit_batch(&mut connection, &mut jobs, &mut state);
        assert_eq!(outcome, Ok(()));
        let (to_syncer, commits) = std_mpsc::sync_channel(1);
        let (wake_checkpointer, wake_ups) = std_mpsc::sync_channel(1);
        to_syncer.send(Committed { jobs, outcome }).unwrap();
        drop(to_syncer);
        acknowledge(Some(wal), commits, wake_checkpointer);
        assert!(wake_ups.try_recv().is_ok(), "the checkpointer is woken after a sync");
        answer.blocking_recv().unwrap().0
    }

    #[test]
    fn a_commit_is_acknowledged_after_its_log_is_synced_and_not_when_the_sync_fails() {
        let directory = tempfile::tempdir().unwrap();
        let wal = directory.path().join("langtrace.db-wal");
        std::fs::write(&wal, b"frames").unwrap();
        assert_eq!(acknowledged_with(wal).unwrap(), 7);
        let missing = directory.path().join("missing").join("langtrace.db-wal");
        assert!(matches!(acknowledged_with(missing), Err(WriteError::Commit(error)) if error.contains("sync of")));
    }
}
