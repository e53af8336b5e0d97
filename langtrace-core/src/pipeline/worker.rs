//! The worker thread: waits for a full batch, a flush request or the flush interval,
//! processes the batch, and hands it to every sink, counting what they accept.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::guard::LangtraceGuard;
use super::processor::{Pending, Processor};
use super::queue::{Pipeline, QueueState};
use crate::sink::{Sink, SinkError};

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
        media_refused: AtomicU64::new(0),
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

/// The worker thread: takes batches off the queue, processes them, hands them to sinks.
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
            self.pipeline.media_refused.fetch_add(self.processor.take_media_refused(), Ordering::Relaxed);
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
