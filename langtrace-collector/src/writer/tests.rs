//! The writer's group commit, its retry of a failing batch (the failing or panicking job
//! alone fails, and runs once), its acknowledgement after the sync, and its refusal to
//! start on a yielded thread.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::batch::commit_batch;
use super::job::{Job, Pending};
use super::sync::{self, Committed};
use super::{priority, StartError, WriteError, Writer};
use crate::store::db::{self, Connection, Transaction};

type Answer<T, F> = oneshot::Receiver<(Result<T, WriteError>, F)>;

fn job<T, F>(work: F) -> (Box<dyn Job>, Answer<T, F>)
where
    T: Send + 'static,
    F: FnMut(&Transaction<'_>) -> db::Result<T> + Send + 'static,
{
    let (done, answer) = oneshot::channel();
    (Box::new(Pending::new(work, Vec::new(), done)), answer)
}

fn stored(connection: &Connection) -> Vec<i64> {
    connection
        .prepare("SELECT v FROM t ORDER BY v")
        .unwrap()
        .query_map((), |row| row.get(0))
        .unwrap()
        .collect::<db::Result<_>>()
        .unwrap()
}

/// A job inserting `value`, counting its runs in `runs`.
fn counted_insert(value: i64, runs: &Arc<AtomicUsize>) -> (Box<dyn Job>, Answer<usize, impl Sized>) {
    let runs = runs.clone();
    job(move |tx| {
        runs.fetch_add(1, Ordering::SeqCst);
        tx.execute("INSERT INTO t VALUES (?1)", [value])
    })
}

#[test]
fn a_failing_job_undoes_only_itself_runs_once_and_the_others_are_committed_once() {
    let mut connection = Connection::open_in_memory().unwrap();
    connection.execute_batch("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)").unwrap();
    let (runs_first, runs_failing, runs_last) = Default::default();
    let (first, first_answer) = counted_insert(1, &runs_first);
    // Inserts a row, then fails: its row must not survive.
    let (failing, failing_answer) = {
        let runs: Arc<AtomicUsize> = Arc::clone(&runs_failing);
        job(move |tx| {
            runs.fetch_add(1, Ordering::SeqCst);
            tx.execute("INSERT INTO t VALUES (2)", ())?;
            tx.execute("INSERT INTO t VALUES (NULL)", ())
        })
    };
    let (last, last_answer) = counted_insert(3, &runs_last);
    let mut jobs = vec![first, failing, last];

    let committed = commit_batch(&mut connection, &mut jobs);
    assert_eq!(committed, Ok(()));
    for job in jobs {
        job.complete(committed.clone());
    }
    assert!(first_answer.blocking_recv().unwrap().0.is_ok());
    assert!(matches!(failing_answer.blocking_recv().unwrap().0, Err(WriteError::Database(_))));
    assert!(last_answer.blocking_recv().unwrap().0.is_ok());
    assert_eq!(stored(&connection), [1, 3], "the retry must not write the others twice, nor keep the failed one's row");
    let runs = |r: &Arc<AtomicUsize>| r.load(Ordering::SeqCst);
    assert_eq!(runs(&runs_failing), 1, "the failing job is not run again");
    assert_eq!((runs(&runs_first), runs(&runs_last)), (2, 1), "the rest run once more, those after it once");
}

#[test]
fn a_panicking_job_fails_alone_and_the_writer_goes_on() {
    let mut connection = Connection::open_in_memory().unwrap();
    connection.execute_batch("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)").unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let (first, first_answer) = counted_insert(1, &runs);
    let (panicking, panicking_answer) = job(|tx| -> db::Result<usize> {
        tx.execute("INSERT INTO t VALUES (2)", ())?;
        let overflowing = [i64::MAX, 1];
        // An unchecked sum, as the poisoned trace once hit: panics in a debug build.
        let sum = overflowing.iter().fold(0i64, |sum, v| sum.checked_add(*v).expect("integer overflow"));
        tx.execute("INSERT INTO t VALUES (?1)", [sum])
    });
    let (second_panic, second_answer) = job(|_| -> db::Result<usize> { panic!("a second job panics") });
    let (last, last_answer) = counted_insert(3, &runs);
    let mut jobs = vec![first, panicking, second_panic, last];

    let committed = commit_batch(&mut connection, &mut jobs);
    assert_eq!(committed, Ok(()));
    for job in jobs {
        job.complete(committed.clone());
    }
    assert!(first_answer.blocking_recv().unwrap().0.is_ok());
    assert!(last_answer.blocking_recv().unwrap().0.is_ok());
    assert!(
        matches!(panicking_answer.blocking_recv().unwrap().0, Err(WriteError::Panicked(m)) if m == "integer overflow")
    );
    assert!(matches!(second_answer.blocking_recv().unwrap().0, Err(WriteError::Panicked(m)) if m.contains("second")));
    assert_eq!(stored(&connection), [1, 3], "neither panicking job keeps a row");
}

/// Runs a job in a committed transaction, hands it to the syncer with `wal` as the log,
/// and returns what its caller is answered.
fn acknowledged_with(wal: PathBuf) -> Result<i32, WriteError> {
    let (job, answer) = job(|_| Ok(7));
    let mut connection = Connection::open_in_memory().unwrap();
    let mut jobs = vec![job];
    let outcome = commit_batch(&mut connection, &mut jobs);
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
        let connections = (Connection::open_in_memory().unwrap(), rusqlite::Connection::open_in_memory().unwrap());
        Writer::start(connections.0, Some(connections.1), 1).err()
    })
    .join()
    .unwrap();
    assert!(matches!(refused, Some(StartError::YieldedThread)), "{refused:?}");
    let started =
        Writer::start(Connection::open_in_memory().unwrap(), Some(rusqlite::Connection::open_in_memory().unwrap()), 1);
    assert!(started.is_ok(), "starts on a thread at normal priority");
}
