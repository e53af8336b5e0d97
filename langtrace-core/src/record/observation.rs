//! [`ObservationRecord`]: one finished observation, and the [`PromptRef`] it may carry.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Level, MediaRecord, ObservationType, Payload, Timestamp, TraceAttributes};
use crate::ids::{ObservationId, TraceId};

/// The prompt (from prompt management) a generation was made with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptRef {
    /// Prompt name.
    pub name: String,
    /// Prompt version.
    pub version: u32,
}

/// Something a generation can be linked to with
/// [`ObservationHandle::set_prompt`](crate::ObservationHandle::set_prompt): a prompt
/// fetched from prompt management, a [`PromptRef`], or a `(name, version)` pair. `None`
/// links nothing (a fallback prompt, which no stored version backs, as in Langfuse).
pub trait PromptLink {
    /// The prompt version to link, if any.
    fn prompt_ref(&self) -> Option<PromptRef>;
}

impl PromptLink for PromptRef {
    fn prompt_ref(&self) -> Option<PromptRef> {
        Some(self.clone())
    }
}

impl<N: AsRef<str>> PromptLink for (N, u32) {
    fn prompt_ref(&self) -> Option<PromptRef> {
        Some(PromptRef { name: self.0.as_ref().to_owned(), version: self.1 })
    }
}

impl<T: PromptLink + ?Sized> PromptLink for &T {
    fn prompt_ref(&self) -> Option<PromptRef> {
        (**self).prompt_ref()
    }
}

/// One finished observation (a span, generation, event, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservationRecord {
    /// This observation's id (the OTLP span id).
    pub id: ObservationId,
    /// The trace it belongs to.
    pub trace_id: TraceId,
    /// The enclosing observation, or the remote parent span for a trace continued from
    /// an incoming `traceparent`; `None` for a root.
    #[serde(rename = "parentObservationId")]
    pub parent_id: Option<ObservationId>,
    /// The first observation of its trace in this process: the trace's root, or, when
    /// `parent_id` is set, a child of a remote parent (an incoming `traceparent`).
    #[serde(default)]
    pub is_root: bool,
    /// What kind of observation this is.
    #[serde(rename = "type")]
    pub observation_type: ObservationType,
    /// Display name.
    pub name: Cow<'static, str>,
    /// When it started.
    pub start_time: Timestamp,
    /// When it ended (equal to `start_time` for events).
    pub end_time: Timestamp,
    /// For generations: when the first token (stream item) arrived.
    pub completion_start_time: Option<Timestamp>,
    /// Severity.
    pub level: Level,
    /// Explanation of the level, e.g. the error message.
    pub status_message: Option<String>,
    /// Captured or explicitly set input.
    pub input: Option<Payload>,
    /// Captured or explicitly set output.
    pub output: Option<Payload>,
    /// Free metadata; for foreign `tracing` spans, their fields not mapped elsewhere.
    pub metadata: Map<String, Value>,
    /// Version of the code that produced it.
    pub version: Option<String>,
    /// Deployment environment (`default` unless configured).
    pub environment: String,
    /// Model name (generation-like observations).
    pub model: Option<String>,
    /// Model parameters such as temperature.
    pub model_parameters: Map<String, Value>,
    /// Token counts: `input`, `output`, `total` plus free keys.
    pub usage_details: BTreeMap<String, u64>,
    /// Costs in USD: `input`, `output`, `total` plus free keys.
    pub cost_details: BTreeMap<String, f64>,
    /// Prompt the generation was made with.
    pub prompt: Option<PromptRef>,
    /// Snapshot of the trace-level attributes when the observation ended.
    pub trace: Arc<TraceAttributes>,
    /// Media payloads replaced by reference strings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaRecord>,
}

impl ObservationRecord {
    /// The input as a JSON value.
    pub fn input_value(&self) -> Option<Value> {
        self.input.as_ref().map(Payload::to_value)
    }

    /// The output as a JSON value.
    pub fn output_value(&self) -> Option<Value> {
        self.output.as_ref().map(Payload::to_value)
    }

    /// Wall-clock duration.
    pub fn duration(&self) -> Duration {
        self.end_time.duration_since(self.start_time)
    }

    /// Total tokens: `usage_details["total"]`, else input + output.
    pub fn total_tokens(&self) -> Option<u64> {
        let usage = &self.usage_details;
        usage.get("total").copied().or_else(|| {
            let (input, output) = (usage.get("input"), usage.get("output"));
            (input.is_some() || output.is_some()).then(|| input.copied().unwrap_or(0) + output.copied().unwrap_or(0))
        })
    }

    /// Total cost: `cost_details["total"]`, else the sum of all entries.
    pub fn total_cost(&self) -> Option<f64> {
        let cost = &self.cost_details;
        cost.get("total").copied().or_else(|| (!cost.is_empty()).then(|| cost.values().sum()))
    }
}
