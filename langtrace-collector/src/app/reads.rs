//! Read admission and budget. Every API read takes one of `--max-reads` slots (waiting at
//! most `--read-queue-timeout` for one, else 503 + `Retry-After`), then runs on a blocking
//! thread under a deadline of `--read-timeout`: SQLite's progress handler stops the query
//! once the deadline has passed (504 naming the setting) or once the request's future has
//! been dropped because its client went away. The slot belongs to the blocking work, not
//! to the request, so a client that leaves frees it only when its query has stopped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::app::ApiError;
use crate::store::db;
use crate::store::Store;

/// Settings of the read side, flattened into `serve`'s.
#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    /// API reads (lists, details, metrics) running at once; more wait for a slot.
    #[arg(long, env = "LANGTRACE_MAX_READS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_reads: u32,
    /// Longest wait for a read slot (e.g. `2s`, `0s`) before the read gets 503 with
    /// `Retry-After`.
    #[arg(long, env = "LANGTRACE_READ_QUEUE_TIMEOUT", default_value = "2s", value_parser = humantime::parse_duration)]
    pub read_queue_timeout: Duration,
    /// Time budget of one read's queries (e.g. `10s`, `500ms`); past it the read is
    /// stopped and answered 504.
    #[arg(long, env = "LANGTRACE_READ_TIMEOUT", default_value = "10s", value_parser = crate::duration::positive)]
    pub read_timeout: Duration,
}

impl Default for ReadArgs {
    fn default() -> Self {
        Self { max_reads: 8, read_queue_timeout: Duration::from_secs(2), read_timeout: Duration::from_secs(10) }
    }
}

/// The read slots and the budget; cheap to clone.
#[derive(Clone)]
pub struct Reads {
    slots: Arc<Semaphore>,
    settings: Arc<ReadArgs>,
}

/// Stops a running query when dropped (the request's future was dropped): the flag the
/// query's progress handler polls.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl Reads {
    /// Slots and budget as `settings` say.
    pub fn new(settings: ReadArgs) -> Self {
        Self { slots: Arc::new(Semaphore::new(settings.max_reads as usize)), settings: Arc::new(settings) }
    }

    /// A slot, waiting at most the queue timeout.
    async fn admit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        let wait = self.settings.read_queue_timeout;
        match tokio::time::timeout(wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(ApiError::internal(closed)),
            Err(_elapsed) => Err(ApiError::ReadsBusy { slots: self.settings.max_reads, waited: wait }),
        }
    }

    /// Runs `query` on a blocking thread with a pooled read-only connection, once a slot
    /// is free, within the time budget; stops it when this future is dropped.
    pub async fn run<T: Send + 'static>(
        &self,
        store: &Store,
        query: impl FnOnce(&db::Connection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = self.admit().await?;
        let budget = self.settings.read_timeout;
        let deadline = Instant::now() + budget;
        let cancelled = CancelOnDrop(Arc::default());
        let flag = cancelled.0.clone();
        let stop = move || flag.load(Ordering::Relaxed) || Instant::now() >= deadline;
        let store = store.clone();
        let result = tokio::task::spawn_blocking(move || {
            let _slot = permit;
            store.read_until(stop, query)
        })
        .await
        .map_err(ApiError::internal)?;
        drop(cancelled);
        match result {
            Err(ApiError::Interrupted) if Instant::now() >= deadline => Err(ApiError::ReadTimeout(budget)),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(max_reads: u32, read_timeout: Duration) -> (Reads, Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _writer) = Store::open(dir.path(), crate::store::Durability::EachCommit).unwrap();
        let settings = ReadArgs { max_reads, read_queue_timeout: Duration::ZERO, read_timeout };
        (Reads::new(settings), store, dir)
    }

    /// A query that runs until something stops it.
    fn endless(connection: &db::Connection) -> Result<i64, ApiError> {
        let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n";
        Ok(connection.query_row(sql, (), |row| row.get(0))?)
    }

    #[tokio::test]
    async fn a_query_past_its_budget_is_stopped_and_named() {
        let (reads, store, _dir) = reads(1, Duration::from_millis(50));
        let error = reads.run(&store, endless).await.unwrap_err();
        assert!(matches!(error, ApiError::ReadTimeout(budget) if budget == Duration::from_millis(50)), "{error:?}");
        assert!(error.to_string().contains("--read-timeout"), "{error}");
        // The slot and the connection are usable again.
        assert_eq!(reads.run(&store, |c| Ok(c.query_row("SELECT 7", (), |r| r.get::<_, i64>(0))?)).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_dropped_read_stops_its_query_and_frees_its_slot() {
        let (reads, store, _dir) = reads(1, Duration::from_secs(3600));
        let running = tokio::spawn({
            let (reads, store) = (reads.clone(), store.clone());
            async move { reads.run(&store, endless).await }
        });
        // Wait until the endless query holds the only slot.
        while reads.slots.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let busy = reads.run(&store, |_| Ok(())).await.unwrap_err();
        assert!(matches!(busy, ApiError::ReadsBusy { slots: 1, .. }), "{busy:?}");
        assert!(busy.to_string().contains("--max-reads"), "{busy}");
        running.abort();
        // Only a stopped query gives the slot back: waiting for it proves the cancel.
        let slot = reads.slots.clone().acquire_owned().await.unwrap();
        drop(slot);
        assert!(reads.run(&store, |_| Ok(())).await.is_ok());
    }
}
