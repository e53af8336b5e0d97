//! [`LangtraceLayer`]: the `tracing_subscriber::Layer` that turns spans into observation
//! and trace records. Around it: its builder, the context it shares with observed code,
//! the per-span state it keeps in span extensions, the observation cells `#[observe]`
//! writes into, and the thread-local hand-offs that spare lookups on the hot path.

use std::any::TypeId;
use std::fmt;

use tracing_core::span::{Attributes, Id, Record as FieldValues};
use tracing_core::{Metadata, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::{LookupSpan, SpanRef};
use tracing_subscriber::Layer;

use crate::config::Config;
use crate::ids::ObservationId;
use crate::pipeline::processor::Pending;
use crate::record::TraceRecord;
use crate::vocab::fields;

mod builder;
mod context;
pub(crate) mod handoff;
pub(crate) mod span_state;
mod visitors;

use crate::draft::cell::{lock, recycle_local, take_cell, ObservationCell, ObservationState};
use crate::draft::TraceCell;
pub use builder::LangtraceBuilder;
use context::with_span;
pub use context::SpanFilter;
pub(crate) use context::{Find, LayerContext, Recorded};
use handoff::JustOpened;
use span_state::SpanState;
use visitors::{ForeignFields, ObserveFields};

/// Turns `#[observe]` spans, and foreign `tracing` spans chosen by a filter, into
/// observation and trace records and sends them through a bounded pipeline to sinks.
///
/// ```no_run
/// use langtrace_core::{LangtraceLayer, sink::console::ConsoleSink};
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let (layer, guard) = LangtraceLayer::builder().sink(ConsoleSink::new()).build().unwrap();
/// let subscriber = tracing_subscriber::registry().with(layer);
/// tracing::subscriber::set_global_default(subscriber).unwrap();
/// // ... traced work ...
/// drop(guard); // flushes
/// ```
pub struct LangtraceLayer {
    context: LayerContext,
}

impl fmt::Debug for LangtraceLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LangtraceLayer").field("config", &self.context.config).finish_non_exhaustive()
    }
}

impl LangtraceLayer {
    /// The resolved configuration.
    pub fn config(&self) -> &Config {
        &self.context.config
    }
}

/// How the layer treats a span.
enum SpanKind {
    /// Opened by `#[observe]` or `event()`.
    Observe,
    /// A `Scope`: carries attributes, is not an observation.
    Scope,
    /// Any other span, recorded when the filter accepts it.
    Foreign { recorded: bool },
}

impl LangtraceLayer {
    fn kind(&self, metadata: &Metadata<'_>) -> SpanKind {
        match metadata.target() {
            fields::OBSERVE_TARGET => SpanKind::Observe,
            fields::SCOPE_TARGET => SpanKind::Scope,
            _ => {
                SpanKind::Foreign { recorded: self.context.span_filter.as_ref().is_none_or(|filter| filter(metadata)) }
            }
        }
    }

    /// Opens an observation below `parent`, starting a trace if there is none.
    /// Hands a closed observation (and its trace's record, for a root) to the pipeline.
    fn hand_over(&self, cell: ObservationCell, trace: &TraceCell, trace_record: Option<Box<TraceRecord>>) {
        let is_root = trace_record.is_some();
        let attributes = trace.take_unsent();
        let carried_attributes = attributes.is_some();
        // The common fields travel by value; the cell goes along only when it holds
        // more, else it stays with this thread for its next observation.
        let (core, details) = {
            let mut state = lock(&cell);
            (state.take_core(), state.has_details())
        };
        let details = if details {
            Some(cell)
        } else {
            recycle_local(cell);
            None
        };
        let pending = Pending::Observation { core, details, trace_id: trace.id, trace: attributes, is_root };
        if let Some(Pending::Observation { details, .. }) = self.context.push(pending) {
            // Dropped (queue full): reuse the cell here rather than free it.
            if carried_attributes {
                trace.mark_unsent();
            }
            if let Some(cell) = details {
                lock(&cell).clear();
                recycle_local(cell);
            }
        }
        if let Some(record) = trace_record {
            let _ = self.context.push(Pending::Trace(record));
            // The processor forgets the trace's attributes with its trace record; a
            // detached child finishing later sends them again.
            trace.mark_unsent();
        }
    }

    /// `init` finishes setting up the observation's state.
    fn open_observation(
        &self,
        mut state: SpanState,
        metadata: &Metadata<'static>,
        init: impl FnOnce(&mut ObservationState),
    ) -> SpanState {
        let is_root = state.trace.is_none();
        let trace = match &state.trace {
            Some(trace) => trace,
            None => {
                let trace_id = state.scope.as_ref().and_then(|s| s.trace_id);
                state.trace.insert(self.context.new_trace(trace_id))
            }
        };
        if !trace.sampled {
            if trace.shed {
                // The observation's record, and the root's trace record.
                self.context.pipeline.count_dropped(if is_root { 2 } else { 1 });
            }
            state.nearest = None;
            return state;
        }
        if let Some(scope) = &state.scope {
            trace.apply_scope(scope);
        }
        let parent_id = if is_root { state.scope.as_ref().and_then(|s| s.parent_id) } else { state.nearest };
        let id = ObservationId::random();
        state.nearest = Some(id);
        state.observation = Some(take_cell(id, parent_id, is_root, metadata.name(), init));
        state
    }
}

impl LangtraceLayer {
    /// The state a new span starts from: its parent's, from the one-entry cache when the
    /// parent is the one looked up last on this thread (siblings share a parent).
    fn inherited<S>(&self, attrs: &Attributes<'_>, span: &SpanRef<'_, S>, ctx: &Context<'_, S>) -> SpanState
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let address = self.context.address();
        let parent = if let Some(parent) = attrs.parent() {
            Some(parent.clone())
        } else if attrs.is_contextual() {
            handoff::innermost_entered(address)
        } else {
            None
        };
        let Some(parent) = parent else { return SpanState::empty() };
        handoff::cached_parent(address, &parent).unwrap_or_else(|| {
            let state =
                ctx.span(&parent).and_then(|parent| parent.extensions().get::<SpanState>().map(SpanState::inherit));
            let Some(state) = state else {
                // A parent this layer never saw (a per-layer filter disabled it): the
                // registry knows the nearest ancestor it did see.
                return span
                    .parent()
                    .and_then(|parent| parent.extensions().get::<SpanState>().map(SpanState::inherit))
                    .unwrap_or_else(SpanState::empty);
            };
            handoff::remember_parent(address, parent, state.inherit());
            state
        })
    }
}

impl<S> Layer<S> for LangtraceLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_layer(&mut self, _subscriber: &mut S) {
        self.context.with_span = with_span::<S>;
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if !self.context.config.enabled {
            // Nothing is recorded (and `#[observe]` does not look for anything).
            return;
        }
        let Some(span) = ctx.span(id) else { return };
        let inherited = self.inherited(attrs, &span, &ctx);
        let metadata = attrs.metadata();
        let state = match self.kind(metadata) {
            SpanKind::Scope | SpanKind::Foreign { recorded: false } => inherited,
            SpanKind::Observe => {
                let state = self.open_observation(inherited, metadata, |observation| {
                    attrs.record(&mut ObserveFields(observation));
                    // Fields declared for another crate to record into (`#[observe(rig)]`)
                    // are mapped like a foreign span's when the observation ends.
                    if metadata.fields().iter().any(|field| !field.name().starts_with("langtrace.")) {
                        observation.foreign_fields = Some(Vec::new());
                    }
                });
                let opened = JustOpened {
                    id: id.clone(),
                    context: self.context.address(),
                    recorded: self.context.recorded(&state),
                };
                handoff::opened(opened);
                state
            }
            SpanKind::Foreign { recorded: true } => self.open_observation(inherited, metadata, |observation| {
                let mut fields = Vec::new();
                attrs.record(&mut ForeignFields(&mut fields));
                observation.foreign_fields = Some(fields);
            }),
        };
        span.extensions_mut().insert(state);
    }

    fn on_enter(&self, id: &Id, _ctx: Context<'_, S>) {
        if self.context.config.enabled {
            handoff::entered(self.context.address(), id);
        }
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        if self.context.config.enabled {
            handoff::exited(self.context.address(), id);
        }
    }

    fn on_record(&self, id: &Id, values: &FieldValues<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let extensions = span.extensions();
        let Some(cell) = extensions.get::<SpanState>().and_then(|state| state.observation.as_ref()) else { return };
        let mut observation = lock(cell);
        if let Some(fields) = observation.foreign_fields.as_mut() {
            values.record(&mut ForeignFields(fields));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if !self.context.config.enabled {
            return;
        }
        if let Some((recorded, trace_record)) = handoff::take_finishing(&id, self.context.address()) {
            // The span's state in the extensions goes when the registry clears them.
            return self.hand_over(recorded.cell, &recorded.trace, trace_record);
        }
        let Some(span) = ctx.span(&id) else { return };
        let Some(state) = span.extensions_mut().remove::<SpanState>() else { return };
        if let (Some(trace), Some(cell)) = (state.trace, state.observation) {
            let trace_record = lock(&cell).close(&trace);
            self.hand_over(cell, &trace, trace_record);
        }
    }

    unsafe fn downcast_raw(&self, id: TypeId) -> Option<*const ()> {
        if id == TypeId::of::<Self>() {
            Some(self as *const Self as *const ())
        } else if id == TypeId::of::<LayerContext>() {
            Some(&self.context as *const LayerContext as *const ())
        } else {
            None
        }
    }
}
