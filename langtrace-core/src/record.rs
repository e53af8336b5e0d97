//! The record model: what the layer produces and every sink, the OTLP bridge and the
//! collector consume. One set of serde types, spelled the way Langfuse's API spells them.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::ids::{ObservationId, TraceId};

/// A point in time as nanoseconds since the Unix epoch (the OTLP representation).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

/// How long a thread reuses one TSC-to-wall-clock anchor; renewing it bounds the drift
/// of the TSC against the (NTP-disciplined) system clock.
const ANCHOR_LIFETIME: Duration = Duration::from_secs(1);

thread_local! {
    /// This thread's anchor and the wall-clock nanoseconds it was made at.
    static ANCHOR: Cell<Option<(minstant::Anchor, u64)>> = const { Cell::new(None) };
}

/// A raw reading of the TSC: what the hot path stores (a few ns to take), turned into a
/// [`Timestamp`] later, off the application's thread.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tick(minstant::Instant);

impl Tick {
    /// Reads the clock.
    #[inline]
    pub fn now() -> Self {
        Self(minstant::Instant::now())
    }

    /// The wall-clock time of this reading, through this thread's anchor (renewed every
    /// [`ANCHOR_LIFETIME`], which bounds the drift of the TSC against the system clock).
    pub fn to_timestamp(self) -> Timestamp {
        ANCHOR.with(|cell| {
            if let Some((anchor, made)) = cell.get() {
                let nanos = self.0.as_unix_nanos(&anchor);
                if nanos.abs_diff(made) < ANCHOR_LIFETIME.as_nanos() as u64 {
                    return Timestamp(nanos);
                }
            }
            let anchor = minstant::Anchor::new();
            let made = minstant::Instant::now().as_unix_nanos(&anchor);
            cell.set(Some((anchor, made)));
            Timestamp(self.0.as_unix_nanos(&anchor))
        })
    }
}

impl Timestamp {
    /// The current wall-clock time, read from the TSC (falls back to the system clock
    /// where the TSC is unusable).
    pub fn now() -> Self {
        Tick::now().to_timestamp()
    }

    /// Time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn duration_since(self, earlier: Timestamp) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// ISO-8601 / RFC 3339 text in UTC with nanoseconds, as Langfuse's attributes carry it.
    pub fn to_rfc3339(self) -> String {
        humantime::format_rfc3339_nanos(self.to_system_time()).to_string()
    }

    /// RFC 3339 with microseconds (`2024-05-01T12:00:00.123456Z`), the precision
    /// JavaScript and Python readers parse.
    pub fn to_rfc3339_micros(self) -> String {
        humantime::format_rfc3339_micros(self.to_system_time()).to_string()
    }

    /// RFC 3339 with milliseconds (`2024-05-01T12:00:00.123Z`), as Langfuse's API writes
    /// times.
    pub fn to_rfc3339_millis(self) -> String {
        humantime::format_rfc3339_millis(self.to_system_time()).to_string()
    }

    /// As a `SystemTime`.
    pub fn to_system_time(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(self.0)
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
        Self(since_epoch.as_secs().saturating_mul(1_000_000_000).saturating_add(u64::from(since_epoch.subsec_nanos())))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $upper:literal / $lower:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $upper)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The upper-case spelling of Langfuse's API (`GENERATION`, `ERROR`).
            pub fn as_upper(self) -> &'static str {
                match self { $($name::$variant => $upper,)+ }
            }

            /// The lower-case spelling of Langfuse's OTLP attributes (`generation`).
            pub fn as_lower(self) -> &'static str {
                match self { $($name::$variant => $lower,)+ }
            }

            /// Parses either spelling, case-insensitively.
            pub fn parse(text: &str) -> Option<Self> {
                $(if text.eq_ignore_ascii_case($lower) { return Some($name::$variant); })+
                None
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_upper())
            }
        }
    };
}

keyword_enum!(
    /// What an observation is; Langfuse renders each type differently.
    ObservationType {
        /// A unit of work with a duration (the default).
        #[default]
        Span = "SPAN" / "span",
        /// A call to a language model: model, usage, cost, time to first token.
        Generation = "GENERATION" / "generation",
        /// A point in time without duration.
        Event = "EVENT" / "event",
        /// An agent deciding which tools or models to call.
        Agent = "AGENT" / "agent",
        /// A tool called by an agent or chain.
        Tool = "TOOL" / "tool",
        /// A chain of steps (e.g. prompt -> model -> parser).
        Chain = "CHAIN" / "chain",
        /// A retrieval step, e.g. a vector store lookup.
        Retriever = "RETRIEVER" / "retriever",
        /// A step judging the output of another (LLM-as-judge).
        Evaluator = "EVALUATOR" / "evaluator",
        /// A call to an embedding model.
        Embedding = "EMBEDDING" / "embedding",
        /// A check guarding input or output (jailbreak, PII, ...).
        Guardrail = "GUARDRAIL" / "guardrail",
    }
);

impl ObservationType {
    /// Generation-like observations carry model, usage, cost and prompt fields.
    pub fn is_generation_like(self) -> bool {
        matches!(self, ObservationType::Generation | ObservationType::Embedding)
    }
}

keyword_enum!(
    /// Severity of an observation, in increasing order.
    Level {
        /// Verbose detail.
        Debug = "DEBUG" / "debug",
        /// Normal operation (the default).
        #[default]
        Default = "DEFAULT" / "default",
        /// Something worth a look.
        Warning = "WARNING" / "warning",
        /// A failure: set on `Err` returns and panics.
        Error = "ERROR" / "error",
    }
);

impl Level {
    /// Parses a level as the Langfuse server does: the four names plus the aliases
    /// TRACE/VERBOSE, INFO/LOG/NOTICE/OK/SUCCESS, WARN and FATAL/CRITICAL.
    pub fn parse_alias(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::parse(text).or_else(|| {
            let alias = |names: &[&str]| names.iter().any(|n| text.eq_ignore_ascii_case(n));
            if alias(&["trace", "verbose"]) {
                Some(Level::Debug)
            } else if alias(&["info", "log", "notice", "ok", "success"]) {
                Some(Level::Default)
            } else if alias(&["warn"]) {
                Some(Level::Warning)
            } else if alias(&["fatal", "critical"]) {
                Some(Level::Error)
            } else {
                None
            }
        })
    }

    fn rank(self) -> u8 {
        match self {
            Level::Debug => 0,
            Level::Default => 1,
            Level::Warning => 2,
            Level::Error => 3,
        }
    }
}

impl PartialOrd for Level {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Level {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// An input or output: JSON text as it was captured (forwarded as is, never re-parsed
/// unless masking or media extraction needs the structure), or a JSON value.
/// Serializes as the JSON it holds; compares by value.
#[derive(Clone)]
pub struct Payload(PayloadRepr);

#[derive(Clone)]
enum PayloadRepr {
    Value(Value),
    /// Always valid JSON text.
    Json(JsonText),
}

/// JSON text, kept inline when short (most captured arguments and results are): no
/// allocation per payload on the pipeline's thread.
#[derive(Clone)]
enum JsonText {
    Inline { len: u8, bytes: [u8; JsonText::INLINE] },
    Heap(Box<str>),
}

impl JsonText {
    const INLINE: usize = 46;

    fn new(text: &str) -> Self {
        if text.len() <= Self::INLINE {
            let mut bytes = [0; Self::INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            JsonText::Inline { len: text.len() as u8, bytes }
        } else {
            JsonText::Heap(text.into())
        }
    }

    fn from_string(text: String) -> Self {
        if text.len() <= Self::INLINE {
            Self::new(&text)
        } else {
            JsonText::Heap(text.into_boxed_str())
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            JsonText::Inline { len, bytes } => &bytes[..usize::from(*len)],
            JsonText::Heap(text) => text.as_bytes(),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // The bytes were copied from a `&str` at a character boundary.
            JsonText::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or(""),
            JsonText::Heap(text) => text,
        }
    }
}

impl Payload {
    /// Wraps JSON text, checking that it is valid JSON; long text is kept without a copy.
    pub fn from_json(text: String) -> Result<Self, serde_json::Error> {
        serde_json::from_str::<&RawValue>(&text)?;
        Ok(Self(PayloadRepr::Json(JsonText::from_string(text))))
    }

    /// Wraps text known to be valid JSON (written by `serde_json`).
    pub(crate) fn from_valid_json(text: &str) -> Self {
        Self(PayloadRepr::Json(JsonText::new(text)))
    }

    /// The JSON value (parsed when held as text).
    pub fn to_value(&self) -> Value {
        match &self.0 {
            PayloadRepr::Value(value) => value.clone(),
            PayloadRepr::Json(text) => serde_json::from_str(text.as_str()).unwrap_or(Value::Null),
        }
    }

    /// The JSON value, without copying when held as a value.
    pub fn into_value(self) -> Value {
        match self.0 {
            PayloadRepr::Value(value) => value,
            json => Self(json).to_value(),
        }
    }

    /// The JSON text, moved out when held as long text.
    pub fn into_json(self) -> String {
        match self.0 {
            PayloadRepr::Json(JsonText::Heap(text)) => text.into_string(),
            _ => self.json().into_owned(),
        }
    }

    /// The JSON text.
    pub fn json(&self) -> Cow<'_, str> {
        match &self.0 {
            PayloadRepr::Value(value) => Cow::Owned(value.to_string()),
            PayloadRepr::Json(text) => Cow::Borrowed(text.as_str()),
        }
    }

    /// The text of a JSON string payload (what Langfuse sends "as-is"), `None` otherwise.
    pub fn as_plain_string(&self) -> Option<Cow<'_, str>> {
        match &self.0 {
            PayloadRepr::Value(Value::String(text)) => Some(Cow::Borrowed(text)),
            PayloadRepr::Value(_) => None,
            PayloadRepr::Json(text) => serde_json::from_str::<Cow<'_, str>>(text.as_str()).ok(),
        }
    }

    /// The JSON text's bytes when the payload is text (not yet parsed).
    pub(crate) fn text_bytes(&self) -> Option<&[u8]> {
        match &self.0 {
            PayloadRepr::Json(text) => Some(text.as_bytes()),
            PayloadRepr::Value(_) => None,
        }
    }
}

impl From<Value> for Payload {
    fn from(value: Value) -> Self {
        Self(PayloadRepr::Value(value))
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (PayloadRepr::Json(a), PayloadRepr::Json(b)) if a.as_str() == b.as_str() => true,
            _ => self.to_value() == other.to_value(),
        }
    }
}

impl PartialEq<Value> for Payload {
    fn eq(&self, other: &Value) -> bool {
        match &self.0 {
            PayloadRepr::Value(value) => value == other,
            PayloadRepr::Json(_) => self.to_value() == *other,
        }
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.json())
    }
}

impl Serialize for Payload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            PayloadRepr::Value(value) => value.serialize(serializer),
            PayloadRepr::Json(text) => match serde_json::from_str::<&RawValue>(text.as_str()) {
                Ok(raw) => raw.serialize(serializer),
                Err(_) => serializer.serialize_str(text.as_str()),
            },
        }
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Payload::from)
    }
}

/// The prompt (from prompt management) a generation was made with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptRef {
    /// Prompt name.
    pub name: String,
    /// Prompt version.
    pub version: u32,
}

/// Which part of an observation a media payload was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaField {
    /// The input.
    Input,
    /// The output.
    Output,
    /// The metadata.
    Metadata,
}

/// Where a media payload came from (the `source=` part of the reference string).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaSource {
    /// A `data:<mime>;base64,...` URI in traced text.
    Base64DataUri,
    /// Bytes given explicitly.
    Bytes,
    /// A file read by the application.
    File,
}

impl MediaSource {
    /// The spelling used inside media reference strings.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaSource::Base64DataUri => "base64_data_uri",
            MediaSource::Bytes => "bytes",
            MediaSource::File => "file",
        }
    }
}

/// A media payload taken out of an observation and replaced by its reference string;
/// the bytes travel with the record so an exporter can upload them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaRecord {
    /// URL-safe content id: SHA-256 of the bytes, URL-safe base64, 22 characters.
    pub media_id: String,
    /// MIME type, e.g. `image/png`.
    pub content_type: String,
    /// SHA-256 of the bytes, standard base64 (what Langfuse's media API expects).
    pub sha256_hash: String,
    /// The field the payload was found in.
    pub field: MediaField,
    /// Where the payload came from.
    pub source: MediaSource,
    /// The `@@@langfuseMedia:...@@@` string that replaced the payload.
    pub reference: String,
    /// The decoded bytes.
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

mod base64_bytes {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// Trace-level attributes: set through `current_trace()`, a propagation `Scope`, or
/// defaults from the configuration. Every observation carries a snapshot of them, so a
/// backend reading span by span (Langfuse's OTLP endpoint) sees them on each.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceAttributes {
    /// Trace name (defaults to the root observation's name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The end user the trace belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The session (conversation, thread) the trace belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Tags, without duplicates, in insertion order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Free metadata.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
    /// Version of the traced application logic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Release (deployment) of the application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Whether the trace may be shared by public link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// Trace input (defaults to the root observation's input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<Payload>,
    /// Trace output (defaults to the root observation's output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Payload>,
}

impl TraceAttributes {
    /// The input as a JSON value.
    pub fn input_value(&self) -> Option<Value> {
        self.input.as_ref().map(Payload::to_value)
    }

    /// The output as a JSON value.
    pub fn output_value(&self) -> Option<Value> {
        self.output.as_ref().map(Payload::to_value)
    }

    /// Adds tags not already present.
    pub fn add_tags<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, tags: I) {
        for tag in tags {
            let tag = tag.into();
            if !self.tags.contains(&tag) {
                self.tags.push(tag);
            }
        }
    }

    /// Overlays `other`: its set fields win, tags are united, metadata merged key by key.
    pub fn merge(&mut self, other: &TraceAttributes) {
        macro_rules! overlay {
            ($($field:ident),*) => {$(
                if other.$field.is_some() {
                    self.$field.clone_from(&other.$field);
                }
            )*};
        }
        overlay!(name, user_id, session_id, version, release, public, input, output);
        self.add_tags(other.tags.iter().cloned());
        for (key, value) in &other.metadata {
            self.metadata.insert(key.clone(), value.clone());
        }
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

/// A finished trace: emitted when its root observation (in this process) ends, after
/// the root's own observation record. Name, input and output default to the root's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceRecord {
    /// Trace id.
    pub id: TraceId,
    /// The root observation of this process's part of the trace.
    pub root_observation_id: ObservationId,
    /// Start of the root observation.
    pub start_time: Timestamp,
    /// End of the root observation.
    pub end_time: Timestamp,
    /// Deployment environment.
    pub environment: String,
    /// Final trace-level attributes.
    pub attributes: TraceAttributes,
}

/// What the layer sends to sinks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[allow(clippy::large_enum_variant)]
pub enum Record {
    /// A finished observation (not boxed: it is the common case, and an allocation per
    /// record on the application's thread costs more than moving it).
    Observation(ObservationRecord),
    /// A finished trace (after all observations that ended before its root).
    Trace(Box<TraceRecord>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_aliases_and_order() {
        assert_eq!(Level::parse_alias("warn"), Some(Level::Warning));
        assert_eq!(Level::parse_alias("INFO"), Some(Level::Default));
        assert_eq!(Level::parse_alias("Critical"), Some(Level::Error));
        assert_eq!(Level::parse_alias("verbose"), Some(Level::Debug));
        assert_eq!(Level::parse_alias("loud"), None);
        assert!(Level::Error > Level::Warning && Level::Warning > Level::Default);
        assert_eq!(serde_json::to_value(Level::Error).unwrap(), "ERROR");
    }

    #[test]
    fn observation_types_round_trip() {
        for &ty in ObservationType::ALL {
            assert_eq!(ObservationType::parse(ty.as_lower()), Some(ty));
            assert_eq!(ObservationType::parse(ty.as_upper()), Some(ty));
        }
        assert!(ObservationType::Embedding.is_generation_like());
        assert!(!ObservationType::Tool.is_generation_like());
    }

    #[test]
    fn trace_attributes_merge() {
        let mut base = TraceAttributes { user_id: Some("a".into()), tags: vec!["x".into()], ..Default::default() };
        let overlay =
            TraceAttributes { session_id: Some("s".into()), tags: vec!["x".into(), "y".into()], ..Default::default() };
        base.merge(&overlay);
        assert_eq!(base.user_id.as_deref(), Some("a"));
        assert_eq!(base.session_id.as_deref(), Some("s"));
        assert_eq!(base.tags, vec!["x", "y"]);
    }

    #[test]
    fn json_payloads_give_their_text_back_as_it_came_in() {
        let long = format!("{{\"question\": \"{}\"}}", "q".repeat(100));
        for text in ["{\"a\": 1}".to_owned(), long] {
            let payload = Payload::from_json(text.clone()).unwrap();
            assert_eq!(payload.json(), text.as_str());
            assert_eq!(payload.into_json(), text);
        }
        assert!(Payload::from_json("{not json".to_owned()).is_err());
        assert_eq!(Payload::from(serde_json::json!({"b": [1, 2]})).into_json(), r#"{"b":[1,2]}"#);
    }

    #[test]
    fn timestamps_format_as_rfc3339() {
        assert_eq!(Timestamp(1_700_000_000_123_456_789).to_rfc3339(), "2023-11-14T22:13:20.123456789Z");
    }
}
