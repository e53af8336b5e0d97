//! The writer's group commit, its retry of a failing batch, its acknowledgement after the
//! sync, and its refusal to start on a yielded thread.

use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;

use rusqlite::{Connection, Transaction};
use tokio::sync::oneshot;

use super::batch::commit_batch;
use super::job::{Job, Pending};
use super::sync::{self, Committed};
use super::{priority, StartError, WriteError, Writer};
use crate::store::write::WriterState;

type Answer<T, F> = oneshot::Receiver<(Result<T, WriteError>, F)>;

fn job<T, F>(work: F) -> (Box<dyn Job>, Answer<T, F>)
where
    T: Send + 'static,
    F: FnMut(&Transaction<'_>, &mut WriterState) -> rusqlite::Result<T> + Send + 'static,
{
    let (done, answer) = oneshot::channel();
    (Box::new(Pending::new(work, done)), answer)
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

    let committed = commit_batch(&mut connection, &mut jobs, &mut WriterState::new());
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

/// Runs a job in a committed transaction, hands it to the syncer with `wal` as the log,
/// and returns what its caller is answered.
fn acknowledged_with(wal: PathBuf) -> Result<i32, WriteError> {
    let (job, answer) = job(|_, _| Ok(7));
    let mut connection = Connection::open_in_memory().unwrap();
    let mut jobs = vec![job];
    let outcome = commit_batch(&mut connection, &mut jobs, &mut WriterState::new());
    assert_eq!(outcome, Ok(()));
    let (to_syncer, commits) = std_mpsc::sync_channel(1);
    let (wake_checkpointer, wake_ups) = std_mpsc::sync_channel(1);
    to_syncer.send(Committed { jobs, outcome }).unwrap();
    drop(to_syncer);
    sync::run(Some(wal), commits, wake_checkpointer);
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

#[cfg(target_os = "linux")]
#[test]
fn the_writer_refuses_to_start_on_a_thread_that_yielded() {
    let refused = std::thread::spawn(|| {
        priority::yield_to_writer();
        let connections = (Connection::open_in_memory().unwrap(), Connection::open_in_memory().unwrap());
        Writer::start(connections.0, connections.1, 1).err()
    })
    .join()
    .unwrap();
    assert!(matches!(refused, Some(StartError::YieldedThread)), "{refused:?}");
    let started = Writer::start(Connection::open_in_memory().unwrap(), Connection::open_in_memory().unwrap(), 1);
    assert!(started.is_ok(), "starts on a thread at normal priority");
}
