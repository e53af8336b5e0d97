//! Per-span data the layer keeps in `tracing` span extensions: the trace a span belongs
//! to (shared by all its spans), the propagation scope in force, and, for spans that are
//! observations, the observation being built.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};

use crate::conventions::{self, MappedAttributes};
use crate::ids::{ObservationId, TraceId};
use crate::record::{
    Level, ObservationRecord, ObservationType, PromptRef, Timestamp, TraceAttributes, TraceRecord,
};

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
    pub sampled: bool,
    attributes: Mutex<TraceAttributesCell>,
}

struct TraceAttributesCell {
    current: Arc<TraceAttributes>,
    /// Address of the scope most recently merged in, to skip merging it again for every
    /// child (only compared, never dereferenced).
    applied_scope: usize,
}

impl TraceCell {
    pub fn new(id: TraceId, sampled: bool) -> Self {
        Self {
            id,
            sampled,
            attributes: Mutex::new(TraceAttributesCell { current: Arc::default(), applied_scope: 0 }),
        }
    }

    /// The attributes as they are now (cheap: an `Arc` clone).
    pub fn snapshot(&self) -> Arc<TraceAttributes> {
        Arc::clone(&self.attributes.lock().unwrap_or_else(PoisonError::into_inner).current)
    }

    /// Changes the attributes; later snapshots see the change.
    pub fn update(&self, change: impl FnOnce(&mut TraceAttributes)) {
        let mut cell = self.attributes.lock().unwrap_or_else(PoisonError::into_inner);
        change(Arc::make_mut(&mut cell.current));
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
    }
}

/// What the layer stores in each span's extensions.
pub(crate) struct SpanState {
    /// The trace, once an observation exists in this span or above it.
    pub trace: Option<Arc<TraceCell>>,
    /// The innermost propagation scope in force.
    pub scope: Option<Arc<ScopeData>>,
    /// The innermost observation: this span's own, or the one above it.
    pub nearest: Option<ObservationId>,
    /// Present when this span is a recorded observation.
    pub observation: Option<Box<ObservationState>>,
}

impl SpanState {
    /// The state a child span starts from.
    pub fn inherit(&self) -> SpanState {
        SpanState {
            trace: self.trace.clone(),
            scope: self.scope.clone(),
            nearest: self.nearest,
            observation: None,
        }
    }

    pub fn empty() -> SpanState {
        SpanState { trace: None, scope: None, nearest: None, observation: None }
    }
}

/// An observation under construction.
pub(crate) struct ObservationState {
    pub id: ObservationId,
    pub parent_id: Option<ObservationId>,
    /// True for the first observation of the trace in this process.
    pub is_root: bool,
    pub observation_type: ObservationType,
    pub name: Cow<'static, str>,
    pub start_time: Timestamp,
    pub end_time: Option<Timestamp>,
    pub completion_start_time: Option<Timestamp>,
    pub level: Level,
    pub status_message: Option<String>,
    pub input: Option<Value>,
    pub output: Option<Value>,
    /// Set when code chose the output explicitly, so the captured return value does not
    /// overwrite it.
    pub output_explicit: bool,
    pub metadata: Map<String, Value>,
    pub version: Option<String>,
    pub model: Option<String>,
    pub model_parameters: Map<String, Value>,
    pub usage_details: BTreeMap<String, u64>,
    pub cost_details: BTreeMap<String, f64>,
    pub prompt: Option<PromptRef>,
    /// Fields of a foreign `tracing` span, mapped by the convention mapper at the end.
    pub foreign_fields: Option<Vec<(&'static str, Value)>>,
}

impl ObservationState {
    pub fn new(
        id: ObservationId,
        parent_id: Option<ObservationId>,
        is_root: bool,
        name: &'static str,
    ) -> Self {
        Self {
            id,
            parent_id,
            is_root,
            observation_type: ObservationType::Span,
            name: Cow::Borrowed(name),
            start_time: Timestamp::now(),
            end_time: None,
            completion_start_time: None,
            level: Level::Default,
            status_message: None,
            input: None,
            output: None,
            output_explicit: false,
            metadata: Map::new(),
            version: None,
            model: None,
            model_parameters: Map::new(),
            usage_details: BTreeMap::new(),
            cost_details: BTreeMap::new(),
            prompt: None,
            foreign_fields: None,
        }
    }

    /// Fills what the fields of a foreign span say and code did not set explicitly.
    fn apply_mapped(&mut self, mapped: MappedAttributes, trace: &TraceCell) {
        self.observation_type = mapped.observation_type.unwrap_or(self.observation_type);
        if let Some(name) = mapped.name {
            self.name = Cow::Owned(name);
        }
        if self.level == Level::Default {
            self.level = mapped.level.unwrap_or(self.level);
        }
        fill(&mut self.status_message, mapped.status_message);
        fill(&mut self.input, mapped.input);
        fill(&mut self.output, mapped.output);
        fill(&mut self.model, mapped.model);
        fill(&mut self.version, mapped.version);
        fill(&mut self.completion_start_time, mapped.completion_start_time);
        fill(&mut self.prompt, mapped.prompt);
        for (key, value) in mapped.metadata {
            self.metadata.entry(key).or_insert(value);
        }
        for (key, value) in mapped.model_parameters {
            self.model_parameters.entry(key).or_insert(value);
        }
        for (key, value) in mapped.usage_details {
            self.usage_details.entry(key).or_insert(value);
        }
        for (key, value) in mapped.cost_details {
            self.cost_details.entry(key).or_insert(value);
        }
        if mapped.trace != TraceAttributes::default() {
            trace.update(|attributes| attributes.merge(&mapped.trace));
        }
    }

    /// Ends the observation: the record, and the trace record when it is the root.
    pub fn finish(mut self: Box<Self>, trace: &TraceCell) -> (ObservationRecord, Option<TraceRecord>) {
        if let Some(fields) = self.foreign_fields.take() {
            let mapped = conventions::map_attributes(fields.iter().map(|(k, v)| (*k, v)));
            self.apply_mapped(mapped, trace);
        }
        let end_time = self.end_time.unwrap_or_else(Timestamp::now);
        let snapshot = trace.snapshot();
        let trace_record = self.is_root.then(|| {
            let mut attributes = (*snapshot).clone();
            attributes.name.get_or_insert_with(|| self.name.to_string());
            fill(&mut attributes.input, self.input.clone());
            fill(&mut attributes.output, self.output.clone());
            TraceRecord {
                id: trace.id,
                root_observation_id: self.id,
                start_time: self.start_time,
                end_time,
                environment: String::new(),
                attributes,
            }
        });
        let state = *self;
        let record = ObservationRecord {
            id: state.id,
            trace_id: trace.id,
            parent_id: state.parent_id,
            observation_type: state.observation_type,
            name: state.name,
            start_time: state.start_time,
            end_time,
            completion_start_time: state.completion_start_time,
            level: state.level,
            status_message: state.status_message,
            input: state.input,
            output: state.output,
            metadata: state.metadata,
            version: state.version,
            environment: String::new(),
            model: state.model,
            model_parameters: state.model_parameters,
            usage_details: state.usage_details,
            cost_details: state.cost_details,
            prompt: state.prompt,
            trace: snapshot,
            media: Vec::new(),
        };
        (record, trace_record)
    }
}

fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}
