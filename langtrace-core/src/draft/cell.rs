//! Observation cells: the observation under construction ([`ObservationState`]), shared
//! by a span's extensions and the instrumented code, its common fields moved out on
//! close ([`ObservationCore`]), and the pool that recycles cells so opening an
//! observation allocates nothing.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{Map, Value};

use super::slot::{CapturedPayload, PayloadSlot};
use super::trace::TraceCell;
use crate::conventions::{self, MappedAttributes};
use crate::ids::{ObservationId, TraceId};
use crate::record::{
    Level, ObservationRecord, ObservationType, PromptRef, Tick, Timestamp, TraceAttributes, TraceRecord,
};

/// An observation under construction, shared by the span's extensions and the
/// instrumented code. Cells are reused: by the thread that closed them (most), or
/// through a shared pool after the pipeline has read their details.
pub(crate) type ObservationCell = Arc<Mutex<ObservationState>>;

/// Locks an observation cell; a poisoned lock is still usable (the state is plain data).
#[inline]
pub(crate) fn lock(cell: &ObservationCell) -> MutexGuard<'_, ObservationState> {
    cell.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Cells kept at most for reuse.
const MAX_POOLED_CELLS: usize = 4096;
/// Cells a thread takes from the shared pool at once.
const LOCAL_REFILL: usize = 32;

/// Blank observation cells handed back by the pipeline's worker, so opening an
/// observation allocates nothing and no memory crosses threads. Cells are blank between
/// uses, so one pool serves every layer.
static FREE_CELLS: Mutex<Vec<ObservationCell>> = Mutex::new(Vec::new());

thread_local! {
    /// This thread's share of the pool, refilled in bulk to keep the shared lock cold.
    static LOCAL_CELLS: RefCell<Vec<ObservationCell>> = const { RefCell::new(Vec::new()) };
    /// Blank cells this thread closed, reusable once their span's extensions let go.
    static RETURNING: RefCell<Vec<ObservationCell>> = const { RefCell::new(Vec::new()) };
}

/// A blank cell set up for a new observation; `init` finishes the set-up under the same
/// lock.
pub(crate) fn take_cell(
    id: ObservationId,
    parent_id: Option<ObservationId>,
    is_root: bool,
    name: &'static str,
    init: impl FnOnce(&mut ObservationState),
) -> ObservationCell {
    let reused = LOCAL_CELLS.with(|local| {
        let mut local = local.borrow_mut();
        if local.is_empty() {
            RETURNING.with(|returning| {
                local.extend(returning.borrow_mut().extract_if(.., |cell| Arc::strong_count(cell) == 1));
            });
        }
        if local.is_empty() {
            let mut free = FREE_CELLS.lock().unwrap_or_else(PoisonError::into_inner);
            let keep = free.len().saturating_sub(LOCAL_REFILL);
            local.extend(free.drain(keep..));
        }
        local.pop()
    });
    let cell = reused.unwrap_or_default();
    {
        let mut state = lock(&cell);
        state.is_root = is_root;
        state.start = Some(Tick::now());
        state.id = Some(id);
        state.parent_id = parent_id;
        state.name = Cow::Borrowed(name);
        init(&mut state);
    }
    cell
}

/// Keeps a blank cell for this thread's next observations, once nobody else holds it
/// (the span's extensions still do until the registry clears them).
pub(crate) fn recycle_local(cell: ObservationCell) {
    RETURNING.with(|returning| {
        let mut returning = returning.borrow_mut();
        if returning.len() < LOCAL_REFILL {
            returning.push(cell);
        }
    });
}

/// Keeps cells nobody else holds (their state already blank) for reuse.
pub(crate) fn recycle_cells(cells: &mut Vec<ObservationCell>) {
    let mut free = FREE_CELLS.lock().unwrap_or_else(PoisonError::into_inner);
    for cell in cells.drain(..) {
        if free.len() < MAX_POOLED_CELLS && Arc::strong_count(&cell) == 1 {
            free.push(cell);
        }
    }
}

/// An observation under construction. Blank (the `Default`) between uses of its cell.
///
/// `repr(C)` with the fields every `#[observe]` call writes first: a recycled cell was
/// last touched by the pipeline's thread, and each cache line written here moves across
/// cores, so the hot fields share as few lines as possible.
#[derive(Default)]
#[repr(C)]
pub(crate) struct ObservationState {
    /// True for the first observation of the trace in this process.
    pub is_root: bool,
    /// Set when code chose the output explicitly, so the captured return value does not
    /// overwrite it.
    pub output_explicit: bool,
    pub observation_type: ObservationType,
    pub level: Level,
    pub start: Option<Tick>,
    pub id: Option<ObservationId>,
    pub parent_id: Option<ObservationId>,
    pub end: Option<Tick>,
    pub name: Cow<'static, str>,
    pub input: PayloadSlot,
    pub output: PayloadSlot,
    // Written only when used.
    pub completion_start_time: Option<Timestamp>,
    pub status_message: Option<String>,
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
    /// Fills what the fields of a foreign span say and code did not set explicitly.
    fn apply_mapped(&mut self, mapped: MappedAttributes, trace: &TraceCell) {
        let completion_start_time = mapped.completion_start(self.start_time());
        self.observation_type = mapped.observation_type.unwrap_or(self.observation_type);
        if let Some(name) = mapped.name_for(&self.name) {
            self.name = Cow::Owned(name);
        }
        if self.level == Level::Default {
            self.level = mapped.level.unwrap_or(self.level);
        }
        fill(&mut self.status_message, mapped.status_message.or(mapped.error_type));
        for (slot, value) in [(&mut self.input, mapped.input), (&mut self.output, mapped.output)] {
            if let Some(payload) = value.filter(|_| !slot.is_set()) {
                match payload.text_bytes() {
                    Some(text) => slot.set_text(text),
                    None => slot.set(payload.into_value()),
                }
            }
        }
        fill(&mut self.model, mapped.model);
        fill(&mut self.version, mapped.version);
        fill(&mut self.completion_start_time, completion_start_time);
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

    /// When the observation started.
    pub fn start_time(&self) -> Timestamp {
        self.start.map_or_else(Timestamp::now, Tick::to_timestamp)
    }

    /// Blanks the state for reuse, keeping the payload buffers.
    pub fn clear(&mut self) {
        let (mut input, mut output) = (std::mem::take(&mut self.input), std::mem::take(&mut self.output));
        input.discard();
        output.discard();
        *self = ObservationState { input, output, ..ObservationState::default() };
    }

    /// Ends the observation on the application's thread: maps a foreign span's fields
    /// (they may change the trace), fixes the end time, and builds the trace record when
    /// this is the root. The rest happens on the pipeline's thread ([`Self::take_record`]).
    pub fn close(&mut self, trace: &TraceCell) -> Option<Box<TraceRecord>> {
        if let Some(fields) = self.foreign_fields.take() {
            let mapped = conventions::map_attributes(fields.iter().map(|(k, v)| (*k, v)));
            self.apply_mapped(mapped, trace);
        }
        let end = *self.end.get_or_insert_with(Tick::now);
        self.is_root.then(|| {
            let mut attributes = (*trace.snapshot()).clone();
            attributes.name.get_or_insert_with(|| self.name.to_string());
            Box::new(TraceRecord {
                id: trace.id,
                root_observation_id: self.id.unwrap_or_else(ObservationId::random),
                start_time: self.start_time(),
                end_time: end.to_timestamp(),
                environment: String::new(),
                attributes,
            })
        })
    }

    /// Moves out what every observation has, leaving those fields blank for reuse.
    pub fn take_core(&mut self) -> ObservationCore {
        self.output_explicit = false;
        self.is_root = false;
        ObservationCore {
            id: self.id.take(),
            parent_id: self.parent_id.take(),
            observation_type: std::mem::take(&mut self.observation_type),
            level: std::mem::take(&mut self.level),
            name: std::mem::take(&mut self.name),
            start: self.start.take(),
            end: self.end.take(),
            input: self.input.take_captured(),
            output: self.output.take_captured(),
        }
    }

    /// Whether fields beyond the core are set (then the pipeline needs the cell itself).
    pub fn has_details(&self) -> bool {
        self.completion_start_time.is_some()
            || self.status_message.is_some()
            || !self.metadata.is_empty()
            || self.version.is_some()
            || self.model.is_some()
            || !self.model_parameters.is_empty()
            || !self.usage_details.is_empty()
            || !self.cost_details.is_empty()
            || self.prompt.is_some()
    }

    /// Moves the fields beyond the core into `record`, leaving them blank.
    pub fn take_details(&mut self, record: &mut ObservationRecord) {
        record.completion_start_time = self.completion_start_time.take();
        record.status_message = self.status_message.take();
        record.metadata = std::mem::take(&mut self.metadata);
        record.version = self.version.take();
        record.model = self.model.take();
        record.model_parameters = std::mem::take(&mut self.model_parameters);
        record.usage_details = std::mem::take(&mut self.usage_details);
        record.cost_details = std::mem::take(&mut self.cost_details);
        record.prompt = self.prompt.take();
    }
}

/// What every observation has, copied out of its cell when it closes so the pipeline's
/// thread need not touch the cell (which stays with the application's thread).
#[derive(Debug)]
pub(crate) struct ObservationCore {
    id: Option<ObservationId>,
    parent_id: Option<ObservationId>,
    observation_type: ObservationType,
    level: Level,
    name: Cow<'static, str>,
    start: Option<Tick>,
    end: Option<Tick>,
    input: CapturedPayload,
    output: CapturedPayload,
}

impl ObservationCore {
    /// The record, without the fields beyond the core (see `take_details`).
    pub fn into_record(self, trace_id: TraceId, trace: Arc<TraceAttributes>, is_root: bool) -> ObservationRecord {
        let start_time = self.start.map_or_else(Timestamp::now, Tick::to_timestamp);
        ObservationRecord {
            id: self.id.unwrap_or_else(ObservationId::random),
            trace_id,
            parent_id: self.parent_id,
            is_root,
            observation_type: self.observation_type,
            name: self.name,
            start_time,
            end_time: self.end.map_or(start_time, Tick::to_timestamp),
            completion_start_time: None,
            level: self.level,
            status_message: None,
            input: self.input.into_payload(),
            output: self.output.into_payload(),
            metadata: Map::new(),
            version: None,
            environment: String::new(),
            model: None,
            model_parameters: Map::new(),
            usage_details: BTreeMap::new(),
            cost_details: BTreeMap::new(),
            prompt: None,
            trace,
            media: Vec::new(),
        }
    }
}

fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}
