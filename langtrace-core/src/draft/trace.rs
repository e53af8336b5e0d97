//! The trace a draft observation belongs to: its id, whether it is recorded, and its
//! attributes, shared by every span of the trace; and the attributes of a propagation
//! `Scope`, which a trace merges in.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::ids::{ObservationId, TraceId};
use crate::record::TraceAttributes;

/// Attributes of a `Scope`, merged with the enclosing scope's.
#[derive(Debug, Default)]
pub(crate) struct ScopeData {
    pub attributes: TraceAttributes,
    /// Trace id for traces started inside the scope.
    pub trace_id: Option<TraceId>,
    /// Remote parent (from `traceparent`) of root observations started inside the scope.
    pub parent_id: Option<ObservationId>,
}

/// State shared by every span of one trace.
pub(crate) struct TraceCell {
    pub id: TraceId,
    /// Whether the trace is recorded: sampled in, and not shed.
    pub sampled: bool,
    /// Not recorded because it started while the pipeline's queue was full: each of its
    /// observations counts as dropped.
    pub shed: bool,
    /// Whether the attributes changed since they were last handed to the pipeline (whose
    /// worker keeps the latest attributes per trace, so they cross threads only when
    /// changed). Read without the lock first: most observations find nothing to send.
    unsent: AtomicBool,
    attributes: Mutex<TraceAttributesCell>,
}

struct TraceAttributesCell {
    current: Arc<TraceAttributes>,
    /// Address of the scope most recently merged in, to skip merging it again for every
    /// child (only compared, never dereferenced).
    applied_scope: usize,
}

impl TraceCell {
    /// A trace's state; `shed` traces are not recorded (see [`Self::shed`]).
    pub fn new(id: TraceId, sampled: bool, shed: bool) -> Self {
        Self {
            id,
            sampled: sampled && !shed,
            shed,
            unsent: AtomicBool::new(true),
            attributes: Mutex::new(TraceAttributesCell { current: Arc::default(), applied_scope: 0 }),
        }
    }

    /// The attributes as they are now (cheap: an `Arc` clone).
    pub fn snapshot(&self) -> Arc<TraceAttributes> {
        Arc::clone(&self.attributes.lock().unwrap_or_else(PoisonError::into_inner).current)
    }

    /// The attributes if they changed since last taken here.
    pub fn take_unsent(&self) -> Option<Arc<TraceAttributes>> {
        if !self.unsent.load(Ordering::Acquire) {
            return None;
        }
        let cell = self.attributes.lock().unwrap_or_else(PoisonError::into_inner);
        self.unsent.swap(false, Ordering::AcqRel).then(|| Arc::clone(&cell.current))
    }

    /// Makes the next [`Self::take_unsent`] return the attributes again (they did not
    /// reach the pipeline, or the pipeline forgot them when the trace ended).
    pub fn mark_unsent(&self) {
        self.unsent.store(true, Ordering::Release);
    }

    /// Changes the attributes; later snapshots see the change.
    pub fn update(&self, change: impl FnOnce(&mut TraceAttributes)) {
        let mut cell = self.attributes.lock().unwrap_or_else(PoisonError::into_inner);
        change(Arc::make_mut(&mut cell.current));
        self.unsent.store(true, Ordering::Release);
    }

    /// Merges a scope's attributes, once per scope.
    pub fn apply_scope(&self, scope: &Arc<ScopeData>) {
        let mut cell = self.attributes.lock().unwrap_or_else(PoisonError::into_inner);
        let address = Arc::as_ptr(scope) as usize;
        if cell.applied_scope == address {
            return;
        }
        cell.applied_scope = address;
        Arc::make_mut(&mut cell.current).merge(&scope.attributes);
        self.unsent.store(true, Ordering::Release);
    }
}
