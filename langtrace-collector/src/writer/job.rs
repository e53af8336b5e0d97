//! A queued write: the caller's work, run in the writer's transaction (possibly twice,
//! see [`super::batch::commit_batch`]), then answered once its commit is durable.

use rusqlite::Transaction;
use tokio::sync::oneshot;

use super::WriteError;
use crate::store::write::WriterState;

/// A write waiting in the queue, type-erased.
pub(super) trait Job: Send {
    /// Runs the work in `tx`, in a savepoint of its own when `isolated`; false if it failed.
    fn run(&mut self, tx: &Transaction<'_>, state: &mut WriterState, isolated: bool) -> bool;
    /// Answers the caller once the transaction is committed and synced, or known not to be.
    fn complete(self: Box<Self>, committed: Result<(), String>);
}

/// Where a job's answer goes: its result, and the work itself (see [`Pending::complete`]).
pub(super) type Answer<T, F> = oneshot::Sender<(Result<T, WriteError>, F)>;

/// A caller's work, its latest outcome, and where the answer goes.
pub(super) struct Pending<T, F> {
    work: F,
    outcome: Option<rusqlite::Result<T>>,
    done: Answer<T, F>,
}

impl<T, F> Pending<T, F> {
    /// A job running `work`, answered on `done`.
    pub(super) fn new(work: F, done: Answer<T, F>) -> Self {
        Self { work, outcome: None, done }
    }
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
