//! The record model: what the layer produces and every sink, the OTLP bridge and the
//! collector consume. One set of serde types, spelled the way Langfuse's API spells them.

use serde::{Deserialize, Serialize};

mod experiment;
mod keyword;
mod media;
mod observation;
mod payload;
mod score;
mod time;
mod trace;
mod usage;

pub use experiment::ExperimentAttributes;
pub use keyword::{Level, ObservationType};
pub use media::{MediaField, MediaRecord, MediaSource};
pub use observation::{ObservationRecord, PromptLink, PromptRef};
pub use payload::{json_len, Payload};
pub use score::{Score, ScoreRecord, ScoreValue};
pub(crate) use time::Tick;
pub use time::Timestamp;
pub use trace::{TraceAttributes, TraceRecord};
pub use usage::{Cost, Details, Usage};

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
    /// A score on a trace or one of its observations, in the order it was recorded.
    Score(ScoreRecord),
}
