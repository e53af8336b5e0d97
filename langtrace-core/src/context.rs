//! The context API: update the current observation or trace from inside instrumented
//! code, propagate trace attributes to everything opened in a scope, start traces with
//! chosen ids, read ids, record events, and carry the current observation across
//! threads and tasks.
//!
//! Every call is a no-op (and does no serialization work) when the code is not inside
//! a recorded observation: no layer, sampled out, or tracing disabled.

use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use tracing::instrument::{Instrument, Instrumented};
use tracing::Span;

use crate::ids::{IdError, ObservationId, TraceId};
use crate::layer::{Find, LayerContext};
use crate::record::{Level, ObservationType, PromptRef, Timestamp, TraceAttributes};
use crate::span_state::{lock, ObservationState, ScopeData, SpanState, TraceCell};
use crate::vocab::fields;

/// Runs `f` on the state `find` selects from `span`, if the langtrace layer is present.
pub(crate) fn with_state<R>(span: &Span, find: Find, f: impl FnOnce(&mut SpanState, &LayerContext) -> R) -> Option<R> {
    span.with_subscriber(|(id, dispatch)| {
        let context = dispatch.downcast_ref::<LayerContext>()?;
        let mut f = Some(f);
        let mut out = None;
        context.with_span(dispatch, id, find, &mut |state| {
            if let Some(f) = f.take() {
                out = Some(f(state, context));
            }
        });
        out
    })
    .flatten()
}

/// Serializes a value for the record; values that fail to serialize (or panic doing
/// so) become a string saying why, so instrumentation never fails the application.
pub(crate) fn to_json(value: impl Serialize) -> Value {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| serde_json::to_value(value))) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => Value::String(format!("<unserializable: {error}>")),
        Err(_) => Value::String("<unserializable: it panicked>".to_owned()),
    }
}

/// Amounts of a generation under Langfuse's keys `input`, `output` and `total`, plus any
/// other key in `details`: token counts ([`Usage`]) or costs in USD ([`Cost`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Details<T> {
    /// Amount for the input (prompt).
    pub input: Option<T>,
    /// Amount for the output (completion).
    pub output: Option<T>,
    /// Total (Langfuse infers input + output when absent).
    pub total: Option<T>,
    /// Other amounts by key, e.g. `cache_read_input_tokens`.
    pub details: Vec<(String, T)>,
}

/// Token counts of a generation.
pub type Usage = Details<u64>;

/// Costs of a generation in USD.
pub type Cost = Details<f64>;

impl<T> Details<T> {
    /// Input and output amounts.
    pub fn of(input: T, output: T) -> Self {
        Self { input: Some(input), output: Some(output), total: None, details: Vec::new() }
    }

    /// Adds another amount.
    pub fn with(mut self, key: impl Into<String>, amount: T) -> Self {
        self.details.push((key.into(), amount));
        self
    }

    fn entries(self) -> impl Iterator<Item = (String, T)> {
        [("input", self.input), ("output", self.output), ("total", self.total)]
            .into_iter()
            .filter_map(|(key, amount)| Some((key.to_owned(), amount?)))
            .chain(self.details)
    }
}

impl Usage {
    /// Input and output tokens.
    pub fn tokens(input: u64, output: u64) -> Self {
        Self::of(input, output)
    }
}

impl Cost {
    /// Input and output cost in USD.
    pub fn usd(input: f64, output: f64) -> Self {
        Self::of(input, output)
    }
}

/// The innermost observation around the code that got it. Setters return `&Self` so
/// updates chain; each is a no-op when nothing is recorded.
#[derive(Clone, Debug)]
pub struct ObservationHandle {
    span: Span,
}

/// The observation the calling code runs in.
pub fn current_observation() -> ObservationHandle {
    ObservationHandle { span: Span::current() }
}

/// Id of the current observation, for deep links and scoring.
pub fn current_observation_id() -> Option<ObservationId> {
    current_observation().id()
}

/// Id of the current trace, for deep links and scoring.
pub fn current_trace_id() -> Option<TraceId> {
    current_trace().id()
}

impl ObservationHandle {
    /// The innermost observation at or above `span`.
    pub fn for_span(span: &Span) -> Self {
        Self { span: span.clone() }
    }

    fn update(&self, change: impl FnOnce(&mut ObservationState)) -> &Self {
        with_state(&self.span, Find::Observation, |state, _| {
            state.observation.as_ref().map(|cell| change(&mut lock(cell)))
        });
        self
    }

    /// Computes the value only when the observation is recorded.
    fn update_with<T>(&self, make: impl FnOnce() -> T, change: impl FnOnce(&mut ObservationState, T)) -> &Self {
        if self.is_recorded() {
            let value = make();
            self.update(|observation| change(observation, value));
        }
        self
    }

    /// Whether the observation is recorded (a layer is present and the trace sampled).
    pub fn is_recorded(&self) -> bool {
        with_state(&self.span, Find::Observation, |state, _| state.observation.is_some()).unwrap_or(false)
    }

    /// The observation's id.
    pub fn id(&self) -> Option<ObservationId> {
        with_state(&self.span, Find::Observation, |state, _| state.observation.as_ref().and(state.nearest)).flatten()
    }

    /// The id of the observation's trace (also for sampled-out traces).
    pub fn trace_id(&self) -> Option<TraceId> {
        with_state(&self.span, Find::Observation, |state, _| state.trace.as_ref().map(|t| t.id)).flatten()
    }

    /// Renames the observation.
    pub fn set_name(&self, name: impl Into<String>) -> &Self {
        let name = name.into();
        self.update(|o| o.name = name.into())
    }

    /// Sets the level.
    pub fn set_level(&self, level: Level) -> &Self {
        self.update(|o| o.level = level)
    }

    /// Sets the status message (explains the level).
    pub fn set_status_message(&self, message: impl Into<String>) -> &Self {
        let message = message.into();
        self.update(|o| o.status_message = Some(message))
    }

    /// Replaces the input.
    pub fn set_input(&self, input: impl Serialize) -> &Self {
        self.update_with(|| to_json(input), |o, value| o.input.set(value))
    }

    /// Replaces the output; `#[observe]` will not overwrite it with the return value.
    pub fn set_output(&self, output: impl Serialize) -> &Self {
        self.update_with(
            || to_json(output),
            |o, value| {
                o.output.set(value);
                o.output_explicit = true;
            },
        )
    }

    /// Sets one metadata key.
    pub fn set_metadata(&self, key: impl Into<String>, value: impl Serialize) -> &Self {
        let key = key.into();
        self.update_with(
            || to_json(value),
            |o, value| {
                o.metadata.insert(key, value);
            },
        )
    }

    /// Sets the version of the code producing this observation.
    pub fn set_version(&self, version: impl Into<String>) -> &Self {
        let version = version.into();
        self.update(|o| o.version = Some(version))
    }

    /// Sets the model (generation-like observations).
    pub fn set_model(&self, model: impl Into<String>) -> &Self {
        let model = model.into();
        self.update(|o| o.model = Some(model))
    }

    /// Merges model parameters (a struct or map serializing to a JSON object).
    pub fn set_model_parameters(&self, parameters: impl Serialize) -> &Self {
        self.update_with(
            || to_json(parameters),
            |o, value| {
                if let Value::Object(map) = value {
                    o.model_parameters.extend(map);
                }
            },
        )
    }

    /// Sets token counts (merged key by key).
    pub fn set_usage(&self, usage: Usage) -> &Self {
        self.update(|o| o.usage_details.extend(usage.entries()))
    }

    /// Sets costs in USD (merged key by key).
    pub fn set_cost(&self, cost: Cost) -> &Self {
        self.update(|o| o.cost_details.extend(cost.entries()))
    }

    /// Sets when the first token arrived.
    pub fn set_completion_start_time(&self, time: Timestamp) -> &Self {
        self.update(|o| o.completion_start_time = Some(time))
    }

    /// Marks now as the time of the first token, unless one is already set.
    pub fn mark_first_token(&self) -> &Self {
        let now = Timestamp::now();
        self.update(|o| {
            o.completion_start_time.get_or_insert(now);
        })
    }

    /// Links the prompt (from prompt management) the generation used.
    pub fn set_prompt(&self, name: impl Into<String>, version: u32) -> &Self {
        let prompt = PromptRef { name: name.into(), version };
        self.update(|o| o.prompt = Some(prompt))
    }
}

/// The trace the calling code runs in.
#[derive(Clone, Debug)]
pub struct TraceHandle {
    span: Span,
}

/// The trace of the current observation.
pub fn current_trace() -> TraceHandle {
    TraceHandle { span: Span::current() }
}

impl TraceHandle {
    fn cell(&self) -> Option<Arc<TraceCell>> {
        with_state(&self.span, Find::Trace, |state, _| state.trace.clone()).flatten()
    }

    fn update(&self, change: impl FnOnce(&mut TraceAttributes)) -> &Self {
        if let Some(trace) = self.cell().filter(|t| t.sampled) {
            trace.update(change);
        }
        self
    }

    fn update_with<T>(&self, make: impl FnOnce() -> T, change: impl FnOnce(&mut TraceAttributes, T)) -> &Self {
        if let Some(trace) = self.cell().filter(|t| t.sampled) {
            let value = make();
            trace.update(|attributes| change(attributes, value));
        }
        self
    }

    /// The trace id (also for sampled-out traces).
    pub fn id(&self) -> Option<TraceId> {
        self.cell().map(|t| t.id)
    }

    /// Whether the trace is recorded.
    pub fn is_sampled(&self) -> bool {
        self.cell().is_some_and(|t| t.sampled)
    }

    /// Names the trace (default: the root observation's name).
    pub fn set_name(&self, name: impl Into<String>) -> &Self {
        let name = name.into();
        self.update(|t| t.name = Some(name))
    }

    /// Sets the user.
    pub fn set_user_id(&self, user_id: impl Into<String>) -> &Self {
        let user_id = user_id.into();
        self.update(|t| t.user_id = Some(user_id))
    }

    /// Sets the session.
    pub fn set_session_id(&self, session_id: impl Into<String>) -> &Self {
        let session_id = session_id.into();
        self.update(|t| t.session_id = Some(session_id))
    }

    /// Adds tags (duplicates ignored).
    pub fn add_tags<I: IntoIterator<Item = S>, S: Into<String>>(&self, tags: I) -> &Self {
        let tags: Vec<String> = tags.into_iter().map(Into::into).collect();
        self.update(|t| t.add_tags(tags))
    }

    /// Sets one metadata key.
    pub fn set_metadata(&self, key: impl Into<String>, value: impl Serialize) -> &Self {
        let key = key.into();
        self.update_with(
            || to_json(value),
            |t, value| {
                t.metadata.insert(key, value);
            },
        )
    }

    /// Sets the version.
    pub fn set_version(&self, version: impl Into<String>) -> &Self {
        let version = version.into();
        self.update(|t| t.version = Some(version))
    }

    /// Sets the release.
    pub fn set_release(&self, release: impl Into<String>) -> &Self {
        let release = release.into();
        self.update(|t| t.release = Some(release))
    }

    /// Makes the trace shareable by public link (or not).
    pub fn set_public(&self, public: bool) -> &Self {
        self.update(|t| t.public = Some(public))
    }

    /// Sets the trace input (default: the root observation's input).
    pub fn set_input(&self, input: impl Serialize) -> &Self {
        self.update_with(|| to_json(input), |t, value| t.input = Some(value.into()))
    }

    /// Sets the trace output (default: the root observation's output).
    pub fn set_output(&self, output: impl Serialize) -> &Self {
        self.update_with(|| to_json(output), |t, value| t.output = Some(value.into()))
    }
}

/// Propagates trace attributes (user, session, tags, metadata, version, name) to every
/// observation opened inside it, and optionally chooses the id or remote parent of the
/// traces started inside it. Scopes nest; inner values win, tags and metadata add up.
///
/// ```
/// use langtrace_core::context::Scope;
/// let answer = Scope::new().user_id("user-1").session_id("chat-7").tags(["beta"]).in_scope(|| {
///     // every observation opened here carries user-1 / chat-7 / beta
///     42
/// });
/// # assert_eq!(answer, 42);
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a scope does nothing until `in_scope` or `instrument`"]
pub struct Scope {
    attributes: TraceAttributes,
    trace_id: Option<TraceId>,
    parent_id: Option<ObservationId>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// User of the traces.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.attributes.user_id = Some(user_id.into());
        self
    }

    /// Session of the traces.
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.attributes.session_id = Some(session_id.into());
        self
    }

    /// Tags of the traces.
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.attributes.add_tags(tags);
        self
    }

    /// One metadata key of the traces.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Serialize) -> Self {
        self.attributes.metadata.insert(key.into(), to_json(value));
        self
    }

    /// Version of the traces.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.attributes.version = Some(version.into());
        self
    }

    /// Name of the traces started inside.
    pub fn trace_name(mut self, name: impl Into<String>) -> Self {
        self.attributes.name = Some(name.into());
        self
    }

    /// The id of the trace started inside (ignored when the scope is already inside a
    /// trace: a trace's id cannot change).
    pub fn trace_id(mut self, trace_id: TraceId) -> Self {
        self.trace_id = Some(trace_id);
        self
    }

    /// Continues a trace from a W3C `traceparent` header (`00-<trace id>-<parent id>-<flags>`):
    /// observations started inside join that trace under that remote parent.
    pub fn traceparent(mut self, header: &str) -> Result<Self, IdError> {
        let malformed = || IdError::Malformed { expected: 55, got: header.to_owned() };
        let mut parts = header.trim().split('-');
        let (Some(version), Some(trace), Some(parent), Some(flags), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        if version.len() != 2 || version == "ff" || flags.len() != 2 || u8::from_str_radix(flags, 16).is_err() {
            return Err(malformed());
        }
        self.trace_id = Some(TraceId::from_hex(trace)?);
        self.parent_id = Some(ObservationId::from_hex(parent)?);
        Ok(self)
    }

    /// Opens the scope as a (non-observation) span; enter it or instrument with it.
    pub fn into_span(self) -> Span {
        let span = tracing::span!(target: fields::SCOPE_TARGET, tracing::Level::INFO, "langtrace.scope");
        with_state(&span, Find::This, |state, _| {
            let mut data = ScopeData {
                attributes: TraceAttributes::default(),
                trace_id: self.trace_id,
                parent_id: self.parent_id,
            };
            if let Some(outer) = &state.scope {
                data.attributes = outer.attributes.clone();
                data.trace_id = data.trace_id.or(outer.trace_id);
                data.parent_id = data.parent_id.or(outer.parent_id);
            }
            data.attributes.merge(&self.attributes);
            let data = Arc::new(data);
            if let Some(trace) = state.trace.as_ref().filter(|t| t.sampled) {
                trace.apply_scope(&data);
            }
            state.scope = Some(data);
        });
        span
    }

    /// Runs `f` inside the scope.
    pub fn in_scope<R>(self, f: impl FnOnce() -> R) -> R {
        self.into_span().in_scope(f)
    }

    /// Runs a future inside the scope (every poll).
    pub fn instrument<F: Future>(self, future: F) -> Instrumented<F> {
        future.instrument(self.into_span())
    }
}

/// A handle on the current observation to carry into another thread or task, so
/// observations opened there nest under it instead of starting new traces.
#[derive(Clone, Debug)]
pub struct ObservationContext {
    span: Span,
}

impl ObservationContext {
    /// Captures the calling code's context.
    pub fn current() -> Self {
        Self { span: Span::current() }
    }

    /// Runs `f` in the captured context (e.g. inside a thread pool job).
    pub fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        self.span.in_scope(f)
    }

    /// Runs a future in the captured context (e.g. before `tokio::spawn`).
    pub fn wrap<F: Future>(&self, future: F) -> Instrumented<F> {
        future.instrument(self.span.clone())
    }
}

/// `std::thread::spawn` that keeps the current observation as the parent of the
/// observations opened in the new thread.
pub fn spawn_thread<F, T>(f: F) -> std::thread::JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let context = ObservationContext::current();
    std::thread::spawn(move || context.in_scope(f))
}

/// Builds a point-in-time event observation in the current context.
#[derive(Debug)]
#[must_use = "call `emit()` to record the event"]
pub struct EventBuilder {
    name: String,
    input: Option<Value>,
    output: Option<Value>,
    level: Level,
    status_message: Option<String>,
    metadata: serde_json::Map<String, Value>,
}

/// Starts an event observation named `name`; `emit()` records it.
pub fn event(name: impl Into<String>) -> EventBuilder {
    EventBuilder {
        name: name.into(),
        input: None,
        output: None,
        level: Level::Default,
        status_message: None,
        metadata: serde_json::Map::new(),
    }
}

impl EventBuilder {
    /// Input of the event.
    pub fn input(mut self, input: impl Serialize) -> Self {
        self.input = Some(to_json(input));
        self
    }

    /// Output of the event.
    pub fn output(mut self, output: impl Serialize) -> Self {
        self.output = Some(to_json(output));
        self
    }

    /// Level of the event.
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Status message of the event.
    pub fn status_message(mut self, message: impl Into<String>) -> Self {
        self.status_message = Some(message.into());
        self
    }

    /// One metadata key.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Serialize) -> Self {
        self.metadata.insert(key.into(), to_json(value));
        self
    }

    /// Records the event under the current observation; returns its id when recorded.
    pub fn emit(self) -> Option<ObservationId> {
        let span = tracing::span!(target: fields::OBSERVE_TARGET, tracing::Level::INFO, "event");
        with_state(&span, Find::This, move |state, _| {
            let cell = state.observation.as_ref()?;
            let mut observation = lock(cell);
            observation.observation_type = ObservationType::Event;
            observation.name = self.name.into();
            if let Some(input) = self.input {
                observation.input.set(input);
            }
            if let Some(output) = self.output {
                observation.output.set(output);
            }
            observation.level = self.level;
            observation.status_message = self.status_message;
            observation.metadata = self.metadata;
            observation.end = observation.start;
            observation.id
        })
        .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_parsing() {
        let scope = Scope::new().traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
        assert_eq!(scope.trace_id.unwrap().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(scope.parent_id.unwrap().to_string(), "00f067aa0ba902b7");
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ] {
            assert!(Scope::new().traceparent(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn usage_and_cost_entries() {
        let usage: Vec<_> = Usage::tokens(3, 4).with("cache_read_input_tokens", 1).entries().collect();
        assert_eq!(usage, vec![("input".into(), 3), ("output".into(), 4), ("cache_read_input_tokens".into(), 1)]);
        let cost: Vec<_> = Cost { total: Some(0.5), ..Cost::default() }.entries().collect();
        assert_eq!(cost, vec![("total".into(), 0.5)]);
    }
}
