//! What evaluators are given and what they answer.

use langtrace_core::{Score, ScoreValue};
use serde::Serialize;
use serde_json::{json, Value};

/// One evaluation: a score name, its value (numeric, boolean or categorical) and an
/// optional comment.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Score name, e.g. `exact_match`.
    pub name: String,
    /// The value; its variant is the score's data type.
    pub value: ScoreValue,
    /// Why the value is what it is.
    pub comment: Option<String>,
}

impl Evaluation {
    /// An evaluation named `name`: numeric for numbers, boolean for `bool`, categorical
    /// for text.
    pub fn new(name: impl Into<String>, value: impl Into<ScoreValue>) -> Self {
        Self { name: name.into(), value: value.into(), comment: None }
    }

    /// Explains the value.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// The value as a number (booleans as 1 or 0), for averages.
    pub fn number(&self) -> Option<f64> {
        match &self.value {
            ScoreValue::Numeric(value) => Some(*value),
            ScoreValue::Boolean(value) => Some(f64::from(u8::from(*value))),
            ScoreValue::Categorical(_) => None,
        }
    }

    /// As a score record of core.
    pub(crate) fn score(&self) -> Score {
        let score = Score::new(self.name.clone(), self.value.clone());
        match &self.comment {
            Some(comment) => score.comment(comment.clone()),
            None => score,
        }
    }

    /// As the evaluator observation's output and the scores API show it.
    pub(crate) fn to_json(&self) -> Value {
        let value = match &self.value {
            ScoreValue::Numeric(value) => json!(value),
            ScoreValue::Boolean(value) => json!(value),
            ScoreValue::Categorical(value) => json!(value),
        };
        json!({"name": self.name, "value": value, "dataType": self.value.data_type(), "comment": self.comment})
    }
}

/// What an evaluator may answer: one evaluation, several, or none.
pub trait IntoEvaluations {
    /// The evaluations.
    fn into_evaluations(self) -> Vec<Evaluation>;
}

impl IntoEvaluations for Evaluation {
    fn into_evaluations(self) -> Vec<Evaluation> {
        vec![self]
    }
}

impl IntoEvaluations for Vec<Evaluation> {
    fn into_evaluations(self) -> Vec<Evaluation> {
        self
    }
}

impl IntoEvaluations for Option<Evaluation> {
    fn into_evaluations(self) -> Vec<Evaluation> {
        self.into_iter().collect()
    }
}

/// What an item evaluator is given: the item's input, the task's output, and the item's
/// expected output and metadata.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvaluatorInput {
    /// The item's input.
    pub input: Value,
    /// The task's output.
    pub output: Value,
    /// The item's expected output.
    pub expected_output: Option<Value>,
    /// The item's metadata.
    pub metadata: Option<Value>,
}
