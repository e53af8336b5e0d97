//! The bounded, asynchronous delivery between the layer and the sinks: a queue with a
//! fixed capacity (records beyond it are dropped and counted), one worker thread that
//! processes records and hands them to sinks in batches, and a guard whose `flush` and
//! `shutdown` return within their timeout whatever the sinks do.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Sink, SinkError};
use crate::process::{Pending, Processor};

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
}

#[derive(Default)]
struct QueueState {
    records: VecDeque<Pending>,
    flush_requested: u64,
    flushed: u64,
    shutdown: bool,
    stopped: bool,
}

/// The queue shared by the layer (producer) and the worker (consumer).
pub(crate) struct Pipeline {
    state: Mutex<QueueState>,
    work: Condvar,
    progress: Condvar,
    capacity: usize,
    flush_at: usize,
    flush_interval: Duration,
    dropped: AtomicU64,
    /// Set when a record was dropped for a full queue, cleared when the worker empties
    /// it: new traces are shed meanwhile.
    saturated: AtomicBool,
    exported: AtomicU64,
    failed: AtomicU64,
}

impl Pipeline {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Enqueues a record without blocking; when the queue is full the record is counted
    /// as dropped and handed back (so its memory can be reused).
    pub(crate) fn push(&self, record: Pending) -> Option<Pending> {
        let mut state = self.lock();
        if state.records.len() >= self.capacity || state.stopped {
            drop(state);
            self.dropped.fetch_add(1, Ordering::Relaxed);
            self.saturated.store(true, Ordering::Relaxed);
            return Some(record);
        }
        state.records.push_back(record);
        let full_batch = state.records.len() == self.flush_at;
        drop(state);
        if full_batch {
            self.work.notify_one();
        }
        None
    }

    /// Whether the queue overflowed since the worker last emptied it.
    pub(crate) fn is_saturated(&self) -> bool {
        self.saturated.load(Ordering::Relaxed)
    }

    /// Counts records that were never queued (their trace was shed).
    pub(crate) fn count_dropped(&self, records: u64) {
        self.dropped.fetch_add(records, Ordering::Relaxed);
    }

    fn stats(&self) -> PipelineStats {
        PipelineStats {
            dropped: self.dropped.load(Ordering::Relaxed),
            exported: self.exported.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            queued: self.lock().records.len() as u64,
        }
    }

    /// Requests a flush (or shutdown) and waits for the worker to reach it.
    fn wait_for_worker(&self, timeout: Duration, shutdown: bool) -> Result<(), FlushError> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        if state.stopped {
            return Err(FlushError::Stopped);
        }
        state.flush_requested += 1;
        let target = state.flush_requested;
        state.shutdown |= shutdown;
        self.work.notify_one();
        loop {
            let done = if shutdown { state.stopped } else { state.flushed >= target || state.stopped };
            if done {
                return Ok(());
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(FlushError::Timeout(timeout));
            }
            state = self.progress.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }
}

/// Owns the worker thread. Flushes and shuts the pipeline down when dropped (within the
/// configured timeout), so keep it alive for as long as the application traces.
#[must_use = "dropping the guard shuts the pipeline down"]
pub struct LangtraceGuard {
    pipeline: Arc<Pipeline>,
    worker: Option<JoinHandle<()>>,
    shutdown_timeout: Duration,
}

impl LangtraceGuard {
    /// Waits until every record queued before this call has reached the sinks and the
    /// sinks have flushed, or the timeout passes.
    pub fn flush(&self, timeout: Duration) -> Result<(), FlushError> {
        self.pipeline.wait_for_worker(timeout, false)
    }

    /// Flushes, shuts the sinks down and stops the worker, waiting at most `timeout`.
    /// Records that arrive afterwards are dropped and counted.
    pub fn shutdown(&mut self, timeout: Duration) -> Result<(), FlushError> {
        let result = self.pipeline.wait_for_worker(timeout, true);
        if result.is_ok() {
            if let Some(worker) = self.worker.take() {
                let _ = worker.join();
            }
        }
        result
    }

    /// Counters: dropped, exported, failed and queued records.
    pub fn stats(&self) -> PipelineStats {
        self.pipeline.stats()
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

/// Settings of the pipeline.
pub(crate) struct PipelineOptions {
    pub capacity: usize,
    pub flush_at: usize,
    pub flush_interval: Duration,
    pub shutdown_timeout: Duration,
}

/// Starts the worker thread.
pub(crate) fn start(
    options: PipelineOptions,
    processor: Processor,
    sinks: Vec<Box<dyn Sink>>,
) -> (Arc<Pipeline>, LangtraceGuard) {
    let pipeline = Arc::new(Pipeline {
        state: Mutex::new(QueueState::default()),
        work: Condvar::new(),
        progress: Condvar::new(),
        capacity: options.capacity,
        flush_at: options.flush_at,
        flush_interval: options.flush_interval,
        dropped: AtomicU64::new(0),
        saturated: AtomicBool::new(false),
        exported: AtomicU64::new(0),
        failed: AtomicU64::new(0),
    });
    let worker_pipeline = Arc::clone(&pipeline);
    let worker = std::thread::Builder::new()
        .name("langtrace-pipeline".into())
        .spawn(move || Worker { pipeline: worker_pipeline, processor, sinks, spare: VecDeque::new() }.run())
        .ok();
    if worker.is_none() {
        // Without a worker nothing can be delivered: refuse records (counted as dropped).
        pipeline.lock().stopped = true;
    }
    let guard = LangtraceGuard { pipeline: Arc::clone(&pipeline), worker, shutdown_timeout: options.shutdown_timeout };
    (pipeline, guard)
}

struct Worker {
    pipeline: Arc<Pipeline>,
    processor: Processor,
    sinks: Vec<Box<dyn Sink>>,
    /// Swapped with the queue's buffer, so producers push into allocated capacity.
    spare: VecDeque<Pending>,
}

impl Worker {
    fn run(mut self) {
        loop {
            let (flush_target, shutdown) = self.next_batch();
            let batch = self.processor.process_batch(self.spare.drain(..));
            for chunk in batch.chunks(self.pipeline.flush_at) {
                self.deliver(chunk.len() as u64, |sink| sink.export(chunk));
            }
            let state = self.pipeline.lock();
            let flush = flush_target > state.flushed;
            let finishing = shutdown && state.records.is_empty();
            drop(state);
            if finishing {
                self.deliver(0, |sink| sink.shutdown());
            } else if flush {
                self.deliver(0, |sink| sink.flush());
            }
            let mut state = self.pipeline.lock();
            state.flushed = state.flushed.max(flush_target);
            if finishing {
                state.stopped = true;
                // Records that slipped in after the last batch can no longer be delivered.
                let late = std::mem::take(&mut state.records).len() as u64;
                self.pipeline.dropped.fetch_add(late, Ordering::Relaxed);
            }
            let stopped = state.stopped;
            drop(state);
            self.pipeline.progress.notify_all();
            if stopped {
                return;
            }
        }
    }

    /// Waits for a full batch, a flush request, shutdown, or the flush interval, and
    /// moves the queued records into `self.spare`.
    fn next_batch(&mut self) -> (u64, bool) {
        let pipeline = &self.pipeline;
        let deadline = Instant::now() + pipeline.flush_interval;
        let mut state = pipeline.lock();
        while state.records.len() < pipeline.flush_at && state.flush_requested == state.flushed && !state.shutdown {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = pipeline.work.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
        std::mem::swap(&mut state.records, &mut self.spare);
        pipeline.saturated.store(false, Ordering::Relaxed);
        (state.flush_requested, state.shutdown)
    }

    /// Calls every sink, counting `records` as exported or failed; a panicking sink fails.
    fn deliver(&mut self, records: u64, mut call: impl FnMut(&mut dyn Sink) -> Result<(), SinkError>) {
        let mut ok = true;
        for sink in &mut self.sinks {
            let result = catch_unwind(AssertUnwindSafe(|| call(sink.as_mut())));
            ok &= matches!(result, Ok(Ok(())));
        }
        let counter = if ok { &self.pipeline.exported } else { &self.pipeline.failed };
        counter.fetch_add(records, Ordering::Relaxed);
    }
}
