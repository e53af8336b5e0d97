//! The OTLP-span entry point of the mapper: a span as any OpenTelemetry client sends it,
//! with its resource, becomes an observation record. Neutral about the wire: the caller
//! turns protobuf or JSON `AnyValue`s into `serde_json::Value`s (see
//! `docs/wire-format.md`, "Foreign conventions").
//!
//! On top of [`map_attributes_over`] (which reads the span's attributes over the
//! resource's, the span's winning), this applies the rules only a span has:
//!
//! - environment from `langfuse.environment`, else the resource's
//!   `deployment.environment.name`, else `deployment.environment`, normalised
//!   ([`environment::normalise`]); version from `langfuse.version`, else the resource's
//!   `service.version`; release from `langfuse.release` on the span, else on the resource;
//! - OTel status ERROR makes level ERROR (unless a level attribute says otherwise) and
//!   its message the status message;
//! - a remote parent (`flags & 0x300 == 0x300`) or `langfuse.internal.as_root` makes
//!   the observation a root of its trace in this process; `as_root` also drops the parent;
//! - resource attributes are the process's, not the observation's metadata (unless the
//!   span itself has the key);
//! - ids are checked per span ([`InvalidSpan`]); the end is never before the start.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::messages::{input_value, output_value};
use super::{as_string, map_attributes_over};
use crate::environment;
use crate::ids::{ObservationId, TraceId};
use crate::record::{Level, ObservationRecord, ObservationType, Payload, Timestamp};
use crate::vocab::{langfuse, metadata, otel};

pub mod events;

/// `SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK | SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK`: the
/// span's parent is in another process.
pub const REMOTE_PARENT: u32 = 0x300;

/// The resource of a batch of spans: its attributes (by key, the last of duplicates
/// winning) and the fallbacks they give every span, computed once; each span is mapped as
/// an overlay on them ([`map_attributes_over`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpanResource {
    attributes: BTreeMap<String, Value>,
    environment: Option<String>,
    version: Option<String>,
    release: Option<String>,
}

impl SpanResource {
    /// The resource with these attributes (for the fallbacks, the first of duplicate
    /// keys counts).
    pub fn new(attributes: Vec<(String, Value)>) -> Self {
        let value = |key: &str| attributes.iter().find(|(k, _)| k == key).and_then(|(_, v)| as_string(v));
        let environment = value(otel::DEPLOYMENT_ENVIRONMENT_NAME).or_else(|| value(otel::DEPLOYMENT_ENVIRONMENT));
        let version = value(otel::SERVICE_VERSION);
        let release = value(langfuse::RELEASE);
        Self { environment, version, release, attributes: attributes.into_iter().collect() }
    }
}

/// OTLP status of a span.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SpanStatus {
    /// No status set.
    #[default]
    Unset,
    /// Explicitly successful.
    Ok,
    /// Failed, with a message (possibly empty).
    Error {
        /// The status message.
        message: String,
    },
}

/// One OTLP span, with its attribute values as JSON.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OtlpSpan {
    /// Trace id bytes (16 expected).
    pub trace_id: Vec<u8>,
    /// Span id bytes (8 expected).
    pub span_id: Vec<u8>,
    /// Parent span id bytes (8, or none for a root).
    pub parent_span_id: Vec<u8>,
    /// Span name.
    pub name: String,
    /// Start, nanoseconds since the Unix epoch.
    pub start_time_unix_nano: u64,
    /// End, nanoseconds since the Unix epoch.
    pub end_time_unix_nano: u64,
    /// OTLP span flags (see [`REMOTE_PARENT`]).
    pub flags: u32,
    /// Status.
    pub status: SpanStatus,
    /// Attributes, in the order sent (later duplicates of a key win).
    pub attributes: Vec<(String, Value)>,
    /// Events (GenAI message events, exceptions; see [`events`]).
    pub events: Vec<OtlpEvent>,
}

/// One event of an OTLP span, with its attribute values as JSON.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OtlpEvent {
    /// Event name (`gen_ai.user.message`, `exception`, ...).
    pub name: String,
    /// Attributes, in the order sent.
    pub attributes: Vec<(String, Value)>,
}

/// Why a span was refused; the other spans of its request are unaffected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSpan {
    /// An id of the wrong length.
    #[error("invalid {id}: {got} bytes, expected {expected}")]
    Length {
        /// `trace id`, `span id` or `parent span id`.
        id: &'static str,
        /// Bytes received.
        got: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// An all-zero id.
    #[error("invalid {id}: all zero")]
    Zero {
        /// `trace id`, `span id` or `parent span id`.
        id: &'static str,
    },
}

fn id<const N: usize, T>(
    bytes: &[u8],
    name: &'static str,
    parse: impl Fn([u8; N]) -> Option<T>,
) -> Result<T, InvalidSpan> {
    let array: [u8; N] =
        bytes.try_into().map_err(|_| InvalidSpan::Length { id: name, got: bytes.len(), expected: N })?;
    parse(array).ok_or(InvalidSpan::Zero { id: name })
}

/// Maps one span of `resource` to an observation record (trace-level attributes in
/// `record.trace`).
pub fn map_span(resource: &SpanResource, span: OtlpSpan) -> Result<ObservationRecord, InvalidSpan> {
    let trace_id = id::<16, _>(&span.trace_id, "trace id", |b| TraceId::from_bytes(b).ok())?;
    let span_id = id::<8, _>(&span.span_id, "span id", |b| ObservationId::from_bytes(b).ok())?;
    let parent_id = match span.parent_span_id.len() {
        0 => None,
        _ => Some(id::<8, _>(&span.parent_span_id, "parent span id", |b| ObservationId::from_bytes(b).ok())?),
    };
    // Over the resource's: a span's own attribute of the same key wins, and resource
    // attributes are the process's, not this observation's metadata.
    let mut mapped = map_attributes_over(&resource.attributes, span.attributes.iter().map(|(k, v)| (k.as_str(), v)));
    let name = mapped.name_for(&span.name).unwrap_or(span.name);
    let start_time = Timestamp(span.start_time_unix_nano);
    let completion_start_time = mapped.completion_start(start_time);
    let facts = events::read_events(&span.events);
    if mapped.input.is_none() && !facts.input.is_empty() {
        mapped.input = Some(Payload::from(input_value(None, facts.input)));
    }
    if mapped.output.is_none() && !facts.output.is_empty() {
        mapped.output = Some(Payload::from(output_value(facts.output)));
    }
    if !facts.finish_reasons.is_empty() {
        mapped.metadata.entry(metadata::FINISH_REASONS.to_owned()).or_insert_with(|| facts.finish_reasons.into());
    }

    let status_error = match span.status {
        SpanStatus::Error { message } => Some(message),
        SpanStatus::Unset | SpanStatus::Ok => None,
    };
    let level = mapped.level.unwrap_or(if status_error.is_some() { Level::Error } else { Level::Default });
    let status_message =
        mapped.status_message.or(status_error.filter(|m| !m.is_empty())).or(facts.exception).or(mapped.error_type);
    let environment = mapped
        .environment
        .or_else(|| resource.environment.clone())
        .map_or_else(|| environment::DEFAULT.to_owned(), |e| environment::normalise(&e));
    let version = mapped.version.or_else(|| resource.version.clone());
    let mut trace = mapped.trace;
    trace.release = trace.release.or_else(|| resource.release.clone());
    trace.version = version.clone();
    let metadata = mapped.metadata;
    let is_root = parent_id.is_none() || mapped.as_root || span.flags & REMOTE_PARENT == REMOTE_PARENT;
    Ok(ObservationRecord {
        id: span_id,
        trace_id,
        parent_id: if mapped.as_root { None } else { parent_id },
        is_root,
        observation_type: mapped.observation_type.unwrap_or(ObservationType::Span),
        name: name.into(),
        start_time,
        end_time: Timestamp(span.end_time_unix_nano.max(span.start_time_unix_nano)),
        completion_start_time,
        level,
        status_message,
        input: mapped.input,
        output: mapped.output,
        metadata,
        version,
        environment,
        model: mapped.model,
        model_parameters: mapped.model_parameters,
        usage_details: mapped.usage_details,
        cost_details: mapped.cost_details,
        prompt: mapped.prompt,
        trace: Arc::new(trace),
        media: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
