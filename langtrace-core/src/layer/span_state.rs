//! Per-span data the layer keeps in `tracing` span extensions: the trace a span belongs
//! to (shared by all its spans), the propagation scope in force, and, for spans that are
//! observations, the cell of the observation being built.

use std::sync::Arc;

use crate::draft::{ObservationCell, ScopeData, TraceCell};
use crate::ids::ObservationId;

/// What the layer stores in each span's extensions.
pub(crate) struct SpanState {
    /// The trace, once an observation exists in this span or above it.
    pub trace: Option<Arc<TraceCell>>,
    /// The innermost propagation scope in force.
    pub scope: Option<Arc<ScopeData>>,
    /// The innermost observation: this span's own, or the one above it.
    pub nearest: Option<ObservationId>,
    /// Present when this span is a recorded observation. Shared with the code that
    /// opened it (`#[observe]`), which updates it without looking the span up again.
    pub observation: Option<ObservationCell>,
}

impl SpanState {
    /// The state a child span starts from.
    pub fn inherit(&self) -> SpanState {
        SpanState { trace: self.trace.clone(), scope: self.scope.clone(), nearest: self.nearest, observation: None }
    }

    /// The state of a span with no parent.
    pub fn empty() -> SpanState {
        SpanState { trace: None, scope: None, nearest: None, observation: None }
    }
}
