//! What the layer shares with the code it observes: the [`LayerContext`] reachable from
//! a `Dispatch` by downcasting (how the context API and `#[observe]` find the layer
//! without a type parameter, like `tracing-opentelemetry`), and span-state lookup.

use std::sync::Arc;

use tracing_core::span::Id;
use tracing_core::{Dispatch, Metadata, Subscriber};
use tracing_subscriber::registry::LookupSpan;

use super::span_state::SpanState;
use crate::config::Config;
use crate::draft::ObservationCell;
use crate::draft::TraceCell;
use crate::ids::TraceId;
use crate::pipeline::processor::Pending;
use crate::pipeline::queue::Pipeline;
use crate::sampling::should_sample;

/// Chooses which foreign (non-`#[observe]`) spans become observations.
pub type SpanFilter = Arc<dyn Fn(&Metadata<'_>) -> bool + Send + Sync>;

/// Which span's state a context operation wants.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Find {
    /// Exactly the given span.
    This,
    /// The innermost recorded observation at or above the span.
    Observation,
    /// The innermost span that knows its trace or scope.
    Trace,
}

/// How a [`LayerContext`] reaches span state without knowing the subscriber's type.
pub(super) type WithSpanFn = fn(&Dispatch, &Id, Find, &mut dyn FnMut(&mut SpanState));

/// Layer-wide state reachable from a `Dispatch` by downcasting (how the context API and
/// `#[observe]` find the layer without a type parameter, like `tracing-opentelemetry`).
pub(crate) struct LayerContext {
    pub(super) with_span: WithSpanFn,
    pub(crate) config: Arc<Config>,
    pub(super) pipeline: Arc<Pipeline>,
    pub(super) span_filter: Option<SpanFilter>,
}

impl LayerContext {
    /// Runs `f` on the state of the span `find` selects, starting at `id`.
    pub(crate) fn with_span(&self, dispatch: &Dispatch, id: &Id, find: Find, f: &mut dyn FnMut(&mut SpanState)) {
        (self.with_span)(dispatch, id, find, f)
    }

    /// Hands a finished record to the pipeline; gives it back when it was dropped.
    pub(crate) fn push(&self, record: Pending) -> Option<Pending> {
        self.pipeline.push(record)
    }

    /// Counts records that never reached the queue (their trace was shed).
    pub(crate) fn count_dropped(&self, records: u64) {
        self.pipeline.count_dropped(records);
    }

    /// A new trace cell, sampled on its id. A trace that starts while the queue is full
    /// is shed whole (its observations counted as dropped): under overload the
    /// application pays almost nothing for it, and no partial trace is sent.
    pub(crate) fn new_trace(&self, id: Option<TraceId>) -> Arc<TraceCell> {
        let id = id.unwrap_or_else(TraceId::random);
        let sampled = should_sample(id, self.config.sample_rate);
        Arc::new(TraceCell::new(id, sampled, sampled && self.pipeline.is_saturated()))
    }

    /// What `#[observe]` needs of a span's observation, if it is recorded.
    pub(crate) fn recorded(&self, state: &SpanState) -> Option<Recorded> {
        Some(Recorded {
            cell: Arc::clone(state.observation.as_ref()?),
            capture: self.config.capture_io.then_some(self.config.max_payload_bytes),
            trace: Arc::clone(state.trace.as_ref()?),
            context: self.address(),
        })
    }

    /// Identifies this layer among the subscribers a thread may use.
    pub(super) fn address(&self) -> usize {
        self as *const LayerContext as usize
    }

    /// Whether the layer records anything at all.
    pub(crate) fn enabled(&self) -> bool {
        self.config.enabled
    }
}

/// What `#[observe]` keeps of a recorded observation to update it without lookups.
pub(crate) struct Recorded {
    pub cell: ObservationCell,
    /// `Some(payload size limit)` when I/O capture is on.
    pub capture: Option<usize>,
    pub trace: Arc<TraceCell>,
    /// Address of the layer's context (see [`super::handoff`]).
    pub(super) context: usize,
}

/// What [`LayerContext::with_span`] does before the layer knows its subscriber.
pub(super) fn with_span_noop(_: &Dispatch, _: &Id, _: Find, _: &mut dyn FnMut(&mut SpanState)) {}

/// Finds the span state `find` selects, starting at `id`, in a subscriber of type `S`.
pub(super) fn with_span<S>(dispatch: &Dispatch, id: &Id, find: Find, f: &mut dyn FnMut(&mut SpanState))
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let Some(subscriber) = dispatch.downcast_ref::<S>() else { return };
    let Some(span) = subscriber.span(id) else { return };
    for span in span.scope() {
        let mut extensions = span.extensions_mut();
        if let Some(state) = extensions.get_mut::<SpanState>() {
            let found = match find {
                Find::This => true,
                Find::Observation => state.observation.is_some() || state.trace.as_ref().is_some_and(|t| !t.sampled),
                Find::Trace => state.trace.is_some() || state.scope.is_some(),
            };
            if found {
                f(state);
                return;
            }
        }
        if find == Find::This {
            return;
        }
    }
}
