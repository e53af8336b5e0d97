//! Core of langtrace: the record model, the `tracing` layer that produces records, the
//! context API used from instrumented code, and the pipeline and sinks that deliver
//! records. Most users depend on the `langtrace` facade instead, which re-exports this.
//!
//! Data flow: `#[observe]` / any `tracing` span → [`LangtraceLayer`] (per-span state in
//! extensions) → [`record::Record`] → bounded [`pipeline`] (worker thread: defaults,
//! masking, media extraction, truncation) → [`sink::Sink`]s.
//!
//! Modules are nouns: [`record`] (the data), [`layer`] (spans to records), [`context`]
//! (the API instrumented code calls), [`pipeline`] (delivery), [`sink`] (destinations),
//! [`conventions`] (attributes to records), [`config`] (settings), and the small
//! [`ids`], [`environment`], [`sampling`] and [`vocab`].

#![warn(missing_docs)]

mod attachment;
pub mod config;
pub mod context;
pub mod conventions;
mod draft;
pub mod environment;
pub mod ids;
pub mod layer;
pub mod pipeline;
pub mod record;
pub mod sampling;
pub mod sink;
pub mod vocab;

pub use pipeline::{mask, media};

#[doc(hidden)]
pub mod __private {
    //! Runtime support for `#[observe]`; not a public API.
    pub use crate::private::*;
    /// Target of observation spans.
    pub const OBSERVE_TARGET: &str = crate::vocab::fields::OBSERVE_TARGET;
}
mod private;

pub use attachment::{Media, MediaError, MAX_MEDIA_FILE_BYTES};
pub use config::{Config, ConfigError};
pub use context::{
    current_observation, current_observation_id, current_trace, current_trace_id, event, spawn_thread, Cost, Details,
    EventBuilder, ObservationContext, ObservationHandle, Scope, Score, ScoreValue, TraceHandle, Usage,
};
pub use ids::{IdError, ObservationId, TraceId};
pub use layer::{LangtraceBuilder, LangtraceLayer, SpanFilter};
pub use pipeline::{truncation_marker, FlushError, LangtraceGuard, PipelineStats};
pub use record::{
    ExperimentAttributes, Level, MediaField, MediaRecord, MediaSource, ObservationRecord, ObservationType, Payload,
    PromptLink, PromptRef, Record, ScoreRecord, Timestamp, TraceAttributes, TraceRecord,
};
pub use sink::console::ConsoleSink;
pub use sink::memory::MemorySink;
pub use sink::{Sink, SinkError};
