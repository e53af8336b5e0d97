//! Processing applied to every record on the pipeline's worker thread, off the
//! application's hot path and before any sink sees it: records built from what the
//! layer handed over, defaults from the configuration, masking, media extraction, then
//! payload truncation.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use super::mask;
use super::media::{self, Found};
use super::truncate::truncate;
use crate::config::Config;
use crate::draft::cell::{lock, recycle_cells, ObservationCell, ObservationCore};
use crate::ids::TraceId;
use crate::mask::MaskFn;
use crate::record::{MediaField, ObservationRecord, Payload, Record, ScoreRecord, TraceAttributes, TraceRecord};

/// A finished record as the layer hands it over. An observation arrives as its common
/// fields by value, plus its cell when it carries more (metadata, model, usage, ...); the
/// record is built here, on the pipeline's thread, and such cells go back to the pool.
// Not boxed: a box per observation would be allocated on the application's thread and
// freed on the pipeline's, the pattern that makes allocators slow.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Pending {
    /// A closed observation, with the trace attributes as they were when it closed.
    /// `trace` carries the trace attributes only when they changed since the trace's
    /// previous record; the processor remembers the latest per trace.
    Observation {
        core: ObservationCore,
        /// The cell, when the observation has fields beyond the core.
        details: Option<ObservationCell>,
        trace_id: TraceId,
        trace: Option<Arc<TraceAttributes>>,
        is_root: bool,
    },
    /// A trace, whose input and output default to its root observation's.
    Trace(Box<TraceRecord>),
    /// A score, complete but for the environment.
    Score(ScoreRecord),
}

/// Traces whose attributes the processor remembers at most; beyond, it starts over (and
/// records of traces it forgot carry no trace attributes).
const MAX_OPEN_TRACES: usize = 65_536;

/// Root observations' payloads kept until their trace record arrives (it follows the
/// root's observation record); bounded in case the trace record was dropped.
const MAX_PENDING_ROOTS: usize = 4096;

/// Applies configuration defaults, the mask, media extraction and truncation.
pub(crate) struct Processor {
    config: Arc<Config>,
    mask: Option<MaskFn>,
    /// Latest trace attributes of traces whose trace record has not arrived.
    latest_trace_attributes: FxHashMap<TraceId, Arc<TraceAttributes>>,
    /// Input and output of root observations, by trace.
    root_payloads: FxHashMap<TraceId, (Option<Payload>, Option<Payload>)>,
    /// Explicit media refused (over the payload limit) since the worker last took the count.
    media_refused: u64,
}

impl Processor {
    /// A processor applying `config` and `mask`.
    pub fn new(config: Arc<Config>, mask: Option<MaskFn>) -> Self {
        Self {
            config,
            mask,
            latest_trace_attributes: FxHashMap::default(),
            root_payloads: FxHashMap::default(),
            media_refused: 0,
        }
    }

    /// Explicit media refused since the last call.
    pub fn take_media_refused(&mut self) -> u64 {
        std::mem::take(&mut self.media_refused)
    }

    /// Turns what the layer handed over into records (recycling observation cells).
    fn records(&mut self, pending: impl Iterator<Item = Pending>) -> Vec<Record> {
        let mut cells = Vec::new();
        let records = pending
            .map(|pending| match pending {
                Pending::Observation { core, details, trace_id, trace, is_root } => {
                    let mut found = Found::new(self.config.max_payload_bytes);
                    let trace = self.trace_attributes_of(trace_id, trace, &mut found);
                    let mut record = core.into_record(trace_id, trace, is_root);
                    record.media = found.media;
                    self.media_refused += found.refused;
                    if let Some(cell) = details {
                        lock(&cell).take_details(&mut record);
                        cells.push(cell);
                    }
                    if is_root {
                        self.remember_root(&record);
                    }
                    Record::Observation(record)
                }
                Pending::Trace(mut record) => {
                    self.latest_trace_attributes.remove(&record.id);
                    if let Some((input, output)) = self.root_payloads.remove(&record.id) {
                        let attributes = &mut record.attributes;
                        attributes.input = attributes.input.take().or(input);
                        attributes.output = attributes.output.take().or(output);
                    }
                    Record::Trace(record)
                }
                Pending::Score(record) => Record::Score(record),
            })
            .collect();
        recycle_cells(&mut cells);
        records
    }

    /// The trace attributes for a record: those it carries, processed here once and
    /// remembered for the trace's next records, else the latest remembered. Media found
    /// in them goes to `found` (the record that carried them).
    fn trace_attributes_of(
        &mut self,
        trace_id: TraceId,
        sent: Option<Arc<TraceAttributes>>,
        found: &mut Found,
    ) -> Arc<TraceAttributes> {
        match sent {
            Some(mut attributes) => {
                self.trace_attributes(Arc::make_mut(&mut attributes), found);
                if self.latest_trace_attributes.len() >= MAX_OPEN_TRACES {
                    self.latest_trace_attributes.clear();
                }
                self.latest_trace_attributes.insert(trace_id, Arc::clone(&attributes));
                attributes
            }
            None => self.latest_trace_attributes.get(&trace_id).cloned().unwrap_or_else(|| {
                // Forgotten (see `MAX_OPEN_TRACES`) or lost with a dropped record.
                let mut attributes = TraceAttributes::default();
                self.trace_attributes(&mut attributes, found);
                Arc::new(attributes)
            }),
        }
    }

    fn remember_root(&mut self, record: &ObservationRecord) {
        if self.root_payloads.len() >= MAX_PENDING_ROOTS {
            self.root_payloads.clear();
        }
        self.root_payloads.insert(record.trace_id, (record.input.clone(), record.output.clone()));
    }

    /// Builds and processes a batch.
    pub fn process_batch(&mut self, pending: impl Iterator<Item = Pending>) -> Vec<Record> {
        let mut batch = self.records(pending);
        for record in &mut batch {
            match record {
                Record::Observation(observation) => self.observation(observation),
                Record::Trace(trace) => self.trace(trace),
                Record::Score(score) => self.score(score),
            }
        }
        batch
    }

    fn observation(&mut self, record: &mut ObservationRecord) {
        let config = &self.config;
        if record.environment.is_empty() {
            record.environment = default_environment(config, &record.trace);
        }
        if record.version.is_none() {
            record.version.clone_from(&config.version);
        }
        for (key, value) in &config.default_metadata {
            record.metadata.entry(key.clone()).or_insert_with(|| value.clone());
        }
        let mut found = Found::new(config.max_payload_bytes);
        found.media = std::mem::take(&mut record.media);
        self.payload(&mut record.input, MediaField::Input, &mut found);
        self.payload(&mut record.output, MediaField::Output, &mut found);
        self.metadata(&mut record.metadata, &mut found);
        self.media_refused += found.refused;
        record.media = found.media;
    }

    fn trace(&self, record: &mut TraceRecord) {
        if record.environment.is_empty() {
            record.environment = default_environment(&self.config, &record.attributes);
        }
        // Media bytes (and refusals) travel with observation records; here only the
        // references matter.
        self.trace_attributes(&mut record.attributes, &mut Found::new(self.config.max_payload_bytes));
    }

    /// Fills in the environment and masks the comment (free text, like a payload).
    fn score(&self, record: &mut ScoreRecord) {
        if record.environment.is_empty() {
            record.environment.clone_from(&self.config.environment);
        }
        let (Some(mask), Some(comment)) = (&self.mask, record.comment.as_mut()) else { return };
        *comment = match mask::apply(mask, Value::String(std::mem::take(comment))) {
            Value::String(masked) => masked,
            other => other.to_string(),
        };
    }

    fn trace_attributes(&self, trace: &mut TraceAttributes, found: &mut Found) {
        if trace.release.is_none() {
            trace.release.clone_from(&self.config.release);
        }
        if trace.version.is_none() {
            trace.version.clone_from(&self.config.version);
        }
        self.payload(&mut trace.input, MediaField::Input, found);
        self.payload(&mut trace.output, MediaField::Output, found);
        self.metadata(&mut trace.metadata, found);
        if let (Some(mask), Some(experiment)) = (&self.mask, trace.experiment.as_mut()) {
            // An experiment's expected output and metadata are data like any payload.
            let experiment = Arc::make_mut(experiment);
            for value in [&mut experiment.item_expected_output, &mut experiment.item_metadata, &mut experiment.metadata]
                .into_iter()
                .flatten()
            {
                *value = mask::apply(mask, std::mem::take(value));
            }
        }
    }

    /// Masks, extracts media from and truncates one payload. Text payloads are parsed
    /// only when a mask is set or they may hold a data URI.
    fn payload(&self, slot: &mut Option<Payload>, field: MediaField, found: &mut Found) {
        let Some(payload) = slot.take() else { return };
        let needs_value =
            self.mask.is_some() || payload.text_bytes().is_none_or(|text| text.windows(5).any(|w| w == b"data:"));
        let payload = if needs_value {
            let mut value = payload.into_value();
            if let Some(mask) = &self.mask {
                value = mask::apply(mask, value);
            }
            media::extract(&mut value, field, found);
            Payload::from(value)
        } else {
            payload
        };
        let oversized = match payload.text_bytes() {
            Some(text) => text.len() > self.config.max_payload_bytes,
            None => true,
        };
        *slot = Some(if oversized {
            let mut value = payload.into_value();
            truncate(&mut value, self.config.max_payload_bytes);
            Payload::from(value)
        } else {
            payload
        });
    }

    fn metadata(&self, metadata: &mut Map<String, Value>, found: &mut Found) {
        if metadata.is_empty() {
            return;
        }
        let mut whole = Some(Value::Object(std::mem::take(metadata)));
        if let Some(mask) = &self.mask {
            whole = whole.map(|value| mask::apply(mask, value));
        }
        let mut map = match whole {
            Some(Value::Object(map)) => map,
            Some(other) => Map::from_iter([("masked".to_owned(), other)]),
            None => Map::new(),
        };
        for value in map.values_mut() {
            media::extract(value, MediaField::Metadata, found);
            truncate(value, self.config.max_payload_bytes);
        }
        *metadata = map;
    }
}

/// The environment of a record that set none: `sdk-experiment` for an experiment's
/// trace (as Langfuse's SDKs export experiments), else the configuration's.
fn default_environment(config: &Config, trace: &TraceAttributes) -> String {
    if trace.experiment.is_some() {
        crate::vocab::experiment::ENVIRONMENT.to_owned()
    } else {
        config.environment.clone()
    }
}
