//! A queued write: the caller's work, run in the writer's transaction (possibly twice,
//! see [`super::batch::commit_batch`]), then answered once its commit is durable. A job
//! that panics fails alone: the panic is caught and answered as [`WriteError::Panicked`].

use std::panic::{catch_unwind, AssertUnwindSafe};

use tokio::sync::oneshot;

use super::locks::LockKey;
use super::WriteError;
use crate::store::db::{self, Transaction};

/// A write waiting in the queue, type-erased.
pub(super) trait Job: Send {
    /// Runs the work in `tx`, in a savepoint of its own when `isolated`; false if it failed.
    fn run(&mut self, tx: &Transaction<'_>, isolated: bool) -> bool;
    /// What the work reads and rewrites, locked for it before it runs.
    fn locks(&self) -> &[LockKey];
    /// Whether its last run failed only because another transaction won a race.
    fn failed_transiently(&self) -> bool;
    /// Answers the caller once the transaction is committed and synced, or known not to be.
    fn complete(self: Box<Self>, committed: Result<(), String>);
}

/// Where a job's answer goes: its result, and the work itself (see [`Pending::complete`]).
pub(super) type Answer<T, F> = oneshot::Sender<(Result<T, WriteError>, F)>;

/// A caller's work, its latest outcome, and where the answer goes.
pub(super) struct Pending<T, F> {
    work: F,
    locks: Vec<LockKey>,
    outcome: Option<Result<T, WriteError>>,
    done: Answer<T, F>,
}

impl<T, F> Pending<T, F> {
    /// A job running `work` holding `locks`, answered on `done`.
    pub(super) fn new(work: F, locks: Vec<LockKey>, done: Answer<T, F>) -> Self {
        Self { work, locks, outcome: None, done }
    }
}

impl<T, F> Job for Pending<T, F>
where
    T: Send,
    F: FnMut(&Transaction<'_>) -> db::Result<T> + Send,
{
    fn run(&mut self, tx: &Transaction<'_>, isolated: bool) -> bool {
        let work = &mut self.work;
        let outcome = if isolated { in_savepoint(tx, || guarded(|| work(tx))) } else { guarded(|| work(tx)) };
        let succeeded = outcome.is_ok();
        self.outcome = Some(outcome);
        succeeded
    }

    fn locks(&self) -> &[LockKey] {
        &self.locks
    }

    fn failed_transiently(&self) -> bool {
        matches!(&self.outcome, Some(Err(WriteError::Database(error))) if error.is_transient())
    }

    fn complete(self: Box<Self>, committed: Result<(), String>) {
        let result = match (committed, self.outcome) {
            (Ok(()), Some(outcome)) => outcome,
            (Ok(()), None) => Err(WriteError::Stopped),
            (Err(error), _) => Err(WriteError::Commit(error)),
        };
        // The work goes back with the answer: what it owns (a whole batch of rows) is freed
        // by the caller, not by the writer, which would wait on the allocator's lock of the
        // thread that allocated it.
        let _ = self.done.send((result, self.work));
    }
}

/// Runs `work`, turning a panic into [`WriteError::Panicked`]: the writer thread lives on
/// and the other jobs of the transaction are committed.
fn guarded<T>(work: impl FnOnce() -> db::Result<T>) -> Result<T, WriteError> {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(outcome) => outcome.map_err(WriteError::from),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(%message, "a write job panicked; it alone fails");
            Err(WriteError::Panicked(message))
        }
    }
}

/// Runs `work` so that its failure undoes only its own statements.
fn in_savepoint<T>(tx: &Transaction<'_>, work: impl FnOnce() -> Result<T, WriteError>) -> Result<T, WriteError> {
    tx.execute_batch("SAVEPOINT job")?;
    match work() {
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
