//! The bounded queue between the layer (producer) and the worker (consumer): records
//! beyond its capacity are dropped and counted, and new traces are shed while it is full.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::processor::Pending;

/// The queue and the flush/shutdown handshake between the guard and the worker.
#[derive(Default)]
pub(super) struct QueueState {
    pub(super) records: VecDeque<Pending>,
    pub(super) flush_requested: u64,
    pub(super) flushed: u64,
    pub(super) shutdown: bool,
    pub(super) stopped: bool,
}

/// The queue shared by the layer (producer) and the worker (consumer).
pub(crate) struct Pipeline {
    pub(super) state: Mutex<QueueState>,
    pub(super) work: Condvar,
    pub(super) progress: Condvar,
    pub(super) capacity: usize,
    pub(super) flush_at: usize,
    pub(super) flush_interval: Duration,
    pub(super) dropped: AtomicU64,
    /// Set when a record was dropped for a full queue, cleared when the worker empties
    /// it: new traces are shed meanwhile.
    pub(super) saturated: AtomicBool,
    pub(super) exported: AtomicU64,
    pub(super) failed: AtomicU64,
    /// Explicit media refused for being larger than the payload limit.
    pub(super) media_refused: AtomicU64,
}

impl Pipeline {
    /// Locks the queue; a poisoned lock is still usable (the state is plain data).
    pub(super) fn lock(&self) -> MutexGuard<'_, QueueState> {
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
}
