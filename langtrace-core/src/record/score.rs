//! Scores: evaluations (a number, a yes/no or a category) attached to a trace or to one
//! observation of it, as Langfuse's `span.score(...)` / `span.score_trace(...)` record
//! them. They travel through the pipeline like observations; sinks deliver them.

use serde::{Deserialize, Serialize};

use super::Timestamp;
use crate::ids::{ObservationId, TraceId};

/// A score's value; its variant is the score's data type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dataType", content = "value", rename_all = "UPPERCASE")]
pub enum ScoreValue {
    /// `NUMERIC`: any finite number (an accuracy, a risk, a latency).
    Numeric(f64),
    /// `BOOLEAN`: sent to Langfuse as 1 or 0.
    Boolean(bool),
    /// `CATEGORICAL`: one label out of a set (`"correct"`, `"off-topic"`).
    Categorical(String),
}

impl ScoreValue {
    /// Langfuse's name of the data type (`NUMERIC`, `BOOLEAN`, `CATEGORICAL`).
    pub fn data_type(&self) -> &'static str {
        match self {
            ScoreValue::Numeric(_) => "NUMERIC",
            ScoreValue::Boolean(_) => "BOOLEAN",
            ScoreValue::Categorical(_) => "CATEGORICAL",
        }
    }
}

impl From<f64> for ScoreValue {
    fn from(value: f64) -> Self {
        ScoreValue::Numeric(value)
    }
}

impl From<f32> for ScoreValue {
    fn from(value: f32) -> Self {
        ScoreValue::Numeric(f64::from(value))
    }
}

impl From<i32> for ScoreValue {
    fn from(value: i32) -> Self {
        ScoreValue::Numeric(f64::from(value))
    }
}

impl From<bool> for ScoreValue {
    fn from(value: bool) -> Self {
        ScoreValue::Boolean(value)
    }
}

impl From<&str> for ScoreValue {
    fn from(value: &str) -> Self {
        ScoreValue::Categorical(value.to_owned())
    }
}

impl From<String> for ScoreValue {
    fn from(value: String) -> Self {
        ScoreValue::Categorical(value)
    }
}

/// A score as the application records it, before it is attached to a trace: name,
/// value, and optionally a comment and an id of your own (a score sent again with the
/// same id replaces the earlier one in Langfuse).
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub(crate) name: String,
    pub(crate) value: ScoreValue,
    pub(crate) comment: Option<String>,
    pub(crate) id: Option<String>,
}

impl Score {
    /// A score named `name`: numeric for numbers, boolean for `bool`, categorical for
    /// text.
    pub fn new(name: impl Into<String>, value: impl Into<ScoreValue>) -> Self {
        Self { name: name.into(), value: value.into(), comment: None, id: None }
    }

    /// Explains the value (shown next to it in the UI).
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Sets the score's id (default: a random one), e.g. to update a score later.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The score on `trace_id` (and `observation_id` when given), timestamped now.
    pub(crate) fn into_record(self, trace_id: TraceId, observation_id: Option<ObservationId>) -> ScoreRecord {
        ScoreRecord {
            id: self.id.unwrap_or_else(|| TraceId::random().to_string()),
            trace_id,
            observation_id,
            name: self.name,
            value: self.value,
            comment: self.comment,
            timestamp: Timestamp::now(),
            environment: String::new(),
        }
    }
}

/// A recorded score, as sinks receive it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreRecord {
    /// Score id (random unless the application chose one).
    pub id: String,
    /// The trace scored.
    pub trace_id: TraceId,
    /// The observation scored; `None` for a score on the whole trace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation_id: Option<ObservationId>,
    /// Score name, e.g. `accuracy` or `guard.pii`.
    pub name: String,
    /// Value and data type.
    #[serde(flatten)]
    pub value: ScoreValue,
    /// Why the value is what it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When it was recorded.
    pub timestamp: Timestamp,
    /// Deployment environment (the configuration's, filled in by the pipeline).
    pub environment: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_take_the_data_type_of_their_rust_type() {
        assert_eq!(Score::new("a", 0.5).value, ScoreValue::Numeric(0.5));
        assert_eq!(Score::new("a", 2).value, ScoreValue::Numeric(2.0));
        assert_eq!(Score::new("a", true).value.data_type(), "BOOLEAN");
        assert_eq!(Score::new("a", "good").value, ScoreValue::Categorical("good".into()));
    }

    #[test]
    fn records_serialize_with_langfuse_spellings_and_round_trip() {
        let trace_id = TraceId::from_seed("t");
        let observation_id = ObservationId::random();
        let mut record =
            Score::new("quality", "good").comment("fine").id("s-1").into_record(trace_id, Some(observation_id));
        record.environment = "production".into();
        let value = serde_json::to_value(&record).unwrap();
        assert_eq!(value["dataType"], "CATEGORICAL");
        assert_eq!(value["value"], "good");
        assert_eq!(value["traceId"], json!(trace_id.to_string()));
        assert_eq!(value["observationId"], json!(observation_id.to_string()));
        assert_eq!((value["id"].as_str(), value["comment"].as_str()), (Some("s-1"), Some("fine")));
        let back: ScoreRecord = serde_json::from_value(value).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn ids_default_to_distinct_random_ones() {
        let trace_id = TraceId::from_seed("t");
        let first = Score::new("a", 1.0).into_record(trace_id, None);
        let second = Score::new("a", 1.0).into_record(trace_id, None);
        assert_ne!(first.id, second.id);
        assert!(first.observation_id.is_none());
    }
}
