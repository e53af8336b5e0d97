//! `LangtraceLayer`: the `tracing_subscriber::Layer` that turns spans into observation
//! and trace records, and its builder.

use std::any::TypeId;
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use tracing::Span;
use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id, Record as FieldValues};
use tracing_core::{Dispatch, Metadata, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::{LookupSpan, SpanRef};
use tracing_subscriber::Layer;

use crate::config::{Config, ConfigError, EnvLookup, Settings};
use crate::ids::{ObservationId, TraceId};
use crate::mask::MaskFn;
use crate::process::{Pending, Processor};
use crate::record::{Level, ObservationType, TraceRecord};
use crate::sampling::should_sample;
use crate::sink::pipeline::{self, LangtraceGuard, Pipeline, PipelineOptions};
use crate::sink::Sink;
use crate::span_state::{lock, recycle_local, take_cell, ObservationCell, ObservationState, SpanState, TraceCell};
use crate::vocab::fields;

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

type WithSpanFn = fn(&Dispatch, &Id, Find, &mut dyn FnMut(&mut SpanState));

/// Layer-wide state reachable from a `Dispatch` by downcasting (how the context API and
/// `#[observe]` find the layer without a type parameter, like `tracing-opentelemetry`).
pub(crate) struct LayerContext {
    with_span: WithSpanFn,
    pub(crate) config: Arc<Config>,
    pipeline: Arc<Pipeline>,
    span_filter: Option<SpanFilter>,
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
    fn address(&self) -> usize {
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
    /// Address of the layer's context (see [`JustOpened`]).
    context: usize,
}

/// An observation `#[observe]` has just ended, handed to `on_close` while its span handle
/// is dropped, so closing needs no span lookup.
struct Finishing {
    id: Id,
    recorded: Recorded,
    trace_record: Option<Box<TraceRecord>>,
}

thread_local! {
    static FINISHING: RefCell<Option<Finishing>> = const { RefCell::new(None) };
}

/// Drops `span` (closing it when it was the last handle), letting the layer hand the
/// observation over from `recorded` (already closed, see `ObservationState::close`)
/// instead of looking the span up.
pub(crate) fn close_with(span: &mut Span, recorded: Recorded, trace_record: Option<Box<TraceRecord>>) {
    let handoff = span.id().map(|id| Finishing { id, recorded, trace_record });
    FINISHING.with(|slot| *slot.borrow_mut() = handoff);
    *span = Span::none();
    // Not taken when the span lives on (another handle): it closes later, by lookup.
    FINISHING.with(|slot| slot.borrow_mut().take());
}

/// The `#[observe]` span the layer opened last on this thread: `Observation::new`, which
/// runs right after the span is created, takes it instead of looking the span up.
pub(crate) struct JustOpened {
    id: Id,
    /// Address of the layer's context, to tell dispatchers apart (ids are per registry).
    context: usize,
    recorded: Option<Recorded>,
}

thread_local! {
    static JUST_OPENED: RefCell<Option<JustOpened>> = const { RefCell::new(None) };
}

/// The observation just opened for `id` by the layer whose context is at `context`,
/// if the hand-off is for that span; `None` when it is not (then look it up).
pub(crate) fn take_just_opened(id: &Id, context: &LayerContext) -> Option<Option<Recorded>> {
    let opened = JUST_OPENED.with(|slot| slot.borrow_mut().take())?;
    (opened.id == *id && opened.context == context.address()).then_some(opened.recorded)
}

fn with_span_noop(_: &Dispatch, _: &Id, _: Find, _: &mut dyn FnMut(&mut SpanState)) {}

fn with_span<S>(dispatch: &Dispatch, id: &Id, find: Find, f: &mut dyn FnMut(&mut SpanState))
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
    /// Starts configuring a layer.
    pub fn builder() -> LangtraceBuilder {
        LangtraceBuilder::default()
    }

    /// The resolved configuration.
    pub fn config(&self) -> &Config {
        &self.context.config
    }
}

/// Configures a [`LangtraceLayer`]. Every setting not given here is read from its
/// environment variable (see [`crate::config::env`]), then defaulted.
#[derive(Default)]
pub struct LangtraceBuilder {
    settings: Settings,
    sinks: Vec<Box<dyn Sink>>,
    mask: Option<MaskFn>,
    span_filter: Option<SpanFilter>,
    env_lookup: Option<Arc<EnvLookup>>,
    shutdown_timeout: Option<Duration>,
}

impl LangtraceBuilder {
    /// Adds a sink; records go to every sink added. Without any, records are discarded
    /// after processing (useful for benchmarks).
    pub fn sink(mut self, sink: impl Sink) -> Self {
        self.sinks.push(Box::new(sink));
        self
    }

    /// Turns recording on or off (`LANGTRACE_TRACING_ENABLED`).
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.settings.enabled = Some(enabled);
        self
    }

    /// Deployment environment (`LANGTRACE_TRACING_ENVIRONMENT`), validated as Langfuse does.
    pub fn environment(mut self, environment: impl Into<String>) -> Self {
        self.settings.environment = Some(environment.into());
        self
    }

    /// Release (`LANGTRACE_RELEASE`, else a CI commit variable).
    pub fn release(mut self, release: impl Into<String>) -> Self {
        self.settings.release = Some(release.into());
        self
    }

    /// Version stamped on observations and traces without their own (`LANGTRACE_VERSION`).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.settings.version = Some(version.into());
        self
    }

    /// Fraction of traces recorded, in [0, 1] (`LANGTRACE_SAMPLE_RATE`).
    pub fn sample_rate(mut self, rate: f64) -> Self {
        self.settings.sample_rate = Some(rate);
        self
    }

    /// Whether `#[observe]` captures inputs and outputs (`LANGTRACE_CAPTURE_IO`).
    pub fn capture_io(mut self, capture: bool) -> Self {
        self.settings.capture_io = Some(capture);
        self
    }

    /// Metadata added to every observation (`LANGTRACE_DEFAULT_METADATA`, a JSON object).
    pub fn default_metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.settings.default_metadata.get_or_insert_with(Map::new).insert(key.into(), value.into());
        self
    }

    /// Largest JSON size of one input, output or metadata value; larger ones are cut and
    /// marked (`LANGTRACE_MAX_PAYLOAD_BYTES`, default 1 MiB).
    pub fn max_payload_bytes(mut self, bytes: usize) -> Self {
        self.settings.max_payload_bytes = Some(bytes);
        self
    }

    /// Records held before new ones are dropped and counted (`LANGTRACE_MAX_QUEUE_SIZE`).
    pub fn max_queue_size(mut self, records: usize) -> Self {
        self.settings.max_queue_size = Some(records);
        self
    }

    /// Records per batch handed to sinks (`LANGTRACE_FLUSH_AT`).
    pub fn flush_at(mut self, records: usize) -> Self {
        self.settings.flush_at = Some(records);
        self
    }

    /// Longest time before a partial batch goes out (`LANGTRACE_FLUSH_INTERVAL`, seconds).
    pub fn flush_interval(mut self, interval: Duration) -> Self {
        self.settings.flush_interval = Some(interval);
        self
    }

    /// How long dropping the guard waits for the final flush (default 5 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = Some(timeout);
        self
    }

    /// A function applied to every input, output and metadata value (of all observations,
    /// foreign spans included) before records reach any sink. If it panics, the value is
    /// replaced by [`crate::mask::MASK_FAILED`].
    pub fn mask(mut self, mask: impl Fn(Value) -> Value + Send + Sync + 'static) -> Self {
        self.mask = Some(Arc::new(mask));
        self
    }

    /// Chooses which foreign spans (not opened by `#[observe]`) become observations; the
    /// others are transparent: their children attach to the nearest recorded ancestor.
    /// Default: every span.
    pub fn span_filter(mut self, filter: impl Fn(&Metadata<'_>) -> bool + Send + Sync + 'static) -> Self {
        self.span_filter = Some(Arc::new(filter));
        self
    }

    /// Reads settings from `lookup` instead of the process environment.
    pub fn env_lookup(mut self, lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env_lookup = Some(Arc::new(lookup));
        self
    }

    /// Ignores environment variables: only builder values and defaults count.
    pub fn ignore_env(self) -> Self {
        self.env_lookup(|_| None)
    }

    /// Validates the settings and starts the pipeline's worker thread.
    pub fn build(self) -> Result<(LangtraceLayer, LangtraceGuard), ConfigError> {
        let config = match &self.env_lookup {
            Some(lookup) => self.settings.resolve(lookup.as_ref())?,
            None => self.settings.resolve(&|name: &str| std::env::var(name).ok())?,
        };
        let config = Arc::new(config);
        let mut sinks = self.sinks;
        for sink in &mut sinks {
            sink.configure(&config);
        }
        let options = PipelineOptions {
            capacity: config.max_queue_size,
            flush_at: config.flush_at,
            flush_interval: config.flush_interval,
            shutdown_timeout: self.shutdown_timeout.unwrap_or(Duration::from_secs(5)),
        };
        let processor = Processor::new(Arc::clone(&config), self.mask);
        let (pipeline, guard) = pipeline::start(options, processor, sinks);
        let context = LayerContext { with_span: with_span_noop, config, pipeline, span_filter: self.span_filter };
        Ok((LangtraceLayer { context }, guard))
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

thread_local! {
    /// Spans entered on this thread, innermost last, with the address of the layer's
    /// context (several subscribers can share a thread): a new span's contextual parent
    /// without a registry lookup.
    static ENTERED: RefCell<Vec<(usize, Id)>> = const { RefCell::new(Vec::new()) };
    /// The state the children of the parent looked up last on this thread start from.
    /// Span ids carry a generation, so an id never names another span, and a span's
    /// inheritable state no longer changes once it can have children.
    static LAST_PARENT: RefCell<Option<(usize, Id, SpanState)>> = const { RefCell::new(None) };
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
            ENTERED.with(|entered| entered.borrow().iter().rev().find(|(a, _)| *a == address).map(|(_, id)| id.clone()))
        } else {
            None
        };
        let Some(parent) = parent else { return SpanState::empty() };
        let cached = LAST_PARENT.with(|last| match &*last.borrow() {
            Some((a, id, state)) if *a == address && *id == parent => Some(state.inherit()),
            _ => None,
        });
        cached.unwrap_or_else(|| {
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
            let entry = (address, parent, state.inherit());
            LAST_PARENT.with(|last| *last.borrow_mut() = Some(entry));
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
                });
                let opened = JustOpened {
                    id: id.clone(),
                    context: self.context.address(),
                    recorded: self.context.recorded(&state),
                };
                JUST_OPENED.with(|slot| *slot.borrow_mut() = Some(opened));
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
            let entry = (self.context.address(), id.clone());
            ENTERED.with(|entered| entered.borrow_mut().push(entry));
        }
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        if self.context.config.enabled {
            let address = self.context.address();
            ENTERED.with(|entered| {
                let mut entered = entered.borrow_mut();
                if let Some(at) = entered.iter().rposition(|(a, entered)| *a == address && entered == id) {
                    entered.remove(at);
                }
            });
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
        let address = self.context.address();
        let finishing =
            FINISHING.with(|slot| slot.borrow_mut().take_if(|f| f.id == id && f.recorded.context == address));
        if let Some(Finishing { recorded, trace_record, .. }) = finishing {
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

/// Reads the fields `#[observe]` puts on its spans.
struct ObserveFields<'a>(&'a mut ObservationState);

impl Visit for ObserveFields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            fields::AS_TYPE => {
                if let Some(ty) = ObservationType::parse(value) {
                    self.0.observation_type = ty;
                }
            }
            fields::MODEL => self.0.model = Some(value.to_owned()),
            fields::LEVEL => {
                if let Some(level) = Level::parse_alias(value) {
                    self.0.level = level;
                }
            }
            _ => {}
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn fmt::Debug) {}
}

/// Collects the fields of a foreign span as JSON values for the convention mapper.
struct ForeignFields<'a>(&'a mut Vec<(&'static str, Value)>);

impl ForeignFields<'_> {
    fn put(&mut self, field: &Field, value: Value) {
        self.0.push((field.name(), value));
    }
}

impl Visit for ForeignFields<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, value.to_string().into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
}
