//! What a run answers: per item its output, evaluations and errors, the run's own
//! evaluations, and a printable summary.

use std::collections::BTreeMap;
use std::fmt;

use langtrace_core::{ObservationId, TraceId};
use serde_json::Value;

use super::{Evaluation, ExperimentItem};

/// The outcome of one item.
#[derive(Clone, Debug)]
pub struct ItemResult {
    /// The item.
    pub item: ExperimentItem,
    /// The task's output; `None` when the task failed.
    pub output: Option<Value>,
    /// The evaluations of the evaluators that succeeded.
    pub evaluations: Vec<Evaluation>,
    /// Why the task failed.
    pub error: Option<String>,
    /// The evaluators that failed, with why.
    pub evaluator_errors: Vec<(String, String)>,
    /// The item's trace, when recorded.
    pub trace_id: Option<TraceId>,
    /// The task observation (the one the evaluations score), when recorded.
    pub observation_id: Option<ObservationId>,
}

/// The outcome of a run.
#[derive(Clone, Debug)]
pub struct ExperimentResult {
    /// Experiment name.
    pub name: String,
    /// Run name.
    pub run_name: String,
    /// Experiment (dataset run) id: stable for dataset items, random otherwise.
    pub experiment_id: String,
    /// The dataset the items came from.
    pub dataset_id: Option<String>,
    /// One result per item, in the order the items were given.
    pub items: Vec<ItemResult>,
    /// The run evaluators' evaluations (stored as run scores).
    pub run_evaluations: Vec<Evaluation>,
    /// What went wrong outside items: failed run evaluators, scores not stored, no
    /// project id (the experiment id is then random).
    pub run_errors: Vec<String>,
}

impl ExperimentResult {
    /// Items whose task failed.
    pub fn failed_items(&self) -> usize {
        self.items.iter().filter(|item| item.error.is_some()).count()
    }

    /// The mean of each numeric (or boolean) item evaluation, by name.
    pub fn averages(&self) -> BTreeMap<String, f64> {
        let mut sums: BTreeMap<String, (f64, u32)> = BTreeMap::new();
        for evaluation in self.items.iter().flat_map(|item| &item.evaluations) {
            if let Some(number) = evaluation.number() {
                let entry = sums.entry(evaluation.name.clone()).or_default();
                entry.0 += number;
                entry.1 += 1;
            }
        }
        sums.into_iter().map(|(name, (sum, count))| (name, sum / f64::from(count))).collect()
    }
}

impl fmt::Display for ExperimentResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Experiment {:?}, run {:?} (id {})", self.name, self.run_name, self.experiment_id)?;
        let failed_evaluators: usize = self.items.iter().map(|item| item.evaluator_errors.len()).sum();
        writeln!(
            f,
            "  items: {} ({} failed), evaluator failures: {failed_evaluators}",
            self.items.len(),
            self.failed_items()
        )?;
        for (name, average) in self.averages() {
            writeln!(f, "  avg {name}: {average:.3}")?;
        }
        for evaluation in &self.run_evaluations {
            let value = evaluation.to_json();
            writeln!(f, "  run {}: {}", evaluation.name, value["value"])?;
        }
        for error in &self.run_errors {
            writeln!(f, "  error: {error}")?;
        }
        Ok(())
    }
}
