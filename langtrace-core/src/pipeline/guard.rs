//! [`LangtraceGuard`]: the application's handle on the pipeline (flush, shutdown,
//! counters), whose `flush` and `shutdown` return within their timeout whatever the
//! sinks do.

use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::queue::Pipeline;

/// Why a flush or shutdown did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlushError {
    /// The sinks did not finish within the timeout; records stay queued.
    #[error("flush did not complete within {0:?}")]
    Timeout(Duration),
    /// The pipeline has shut down.
    #[error("the pipeline has shut down")]
    Stopped,
}

/// Counters of the pipeline since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PipelineStats {
    /// Records dropped because the queue was full or the pipeline had stopped.
    pub dropped: u64,
    /// Records handed to every sink successfully.
    pub exported: u64,
    /// Records a sink rejected (returned an error or panicked).
    pub failed: u64,
    /// Records waiting in the queue.
    pub queued: u64,
    /// Explicit media ([`Media`](crate::Media)) refused for being larger than the payload
    /// limit: each was replaced by a note saying so, its bytes dropped.
    pub media_refused: u64,
}

/// Owns the worker thread. Flushes and shuts the pipeline down when dropped (within the
/// configured timeout), so keep it alive for as long as the application traces.
#[must_use = "dropping the guard shuts the pipeline down"]
pub struct LangtraceGuard {
    pub(super) pipeline: Arc<Pipeline>,
    pub(super) worker: Option<JoinHandle<()>>,
    pub(super) shutdown_timeout: Duration,
}

impl LangtraceGuard {
    /// Waits until every record queued before this call has reached the sinks and the
    /// sinks have flushed, or the timeout passes.
    pub fn flush(&self, timeout: Duration) -> Result<(), FlushError> {
        wait_for_worker(&self.pipeline, timeout, false)
    }

    /// Flushes, shuts the sinks down and stops the worker, waiting at most `timeout`.
    /// Records that arrive afterwards are dropped and counted.
    pub fn shutdown(&mut self, timeout: Duration) -> Result<(), FlushError> {
        let result = wait_for_worker(&self.pipeline, timeout, true);
        if result.is_ok() {
            if let Some(worker) = self.worker.take() {
                let _ = worker.join();
            }
        }
        result
    }

    /// Counters: dropped, exported, failed and queued records.
    pub fn stats(&self) -> PipelineStats {
        let pipeline = &self.pipeline;
        PipelineStats {
            dropped: pipeline.dropped.load(Ordering::Relaxed),
            exported: pipeline.exported.load(Ordering::Relaxed),
            failed: pipeline.failed.load(Ordering::Relaxed),
            queued: pipeline.lock().records.len() as u64,
            media_refused: pipeline.media_refused.load(Ordering::Relaxed),
        }
    }

    /// Number of records dropped so far (queue full or pipeline stopped).
    pub fn dropped(&self) -> u64 {
        self.pipeline.dropped.load(Ordering::Relaxed)
    }
}

impl Drop for LangtraceGuard {
    fn drop(&mut self) {
        if self.worker.is_some() {
            let _ = self.shutdown(self.shutdown_timeout);
        }
    }
}

/// Requests a flush (or shutdown) and waits for the worker to reach it.
fn wait_for_worker(pipeline: &Pipeline, timeout: Duration, shutdown: bool) -> Result<(), FlushError> {
    let deadline = Instant::now() + timeout;
    let mut state = pipeline.lock();
    if state.stopped {
        return Err(FlushError::Stopped);
    }
    state.flush_requested += 1;
    let target = state.flush_requested;
    state.shutdown |= shutdown;
    pipeline.work.notify_one();
    loop {
        let done = if shutdown { state.stopped } else { state.flushed >= target || state.stopped };
        if done {
            return Ok(());
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(FlushError::Timeout(timeout));
        }
        state = pipeline.progress.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
    }
}
