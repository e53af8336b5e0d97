//! One item's run, traced as Langfuse's SDK traces it: a trace per item with the root
//! `experiment-item-run`, its child `experiment-item-task` (the task's own observations
//! nest under it), then `experiment-item-evaluation` with one `evaluator` observation
//! per evaluator; the item's evaluations become scores on the task observation.

use std::sync::Arc;

use langtrace_core::vocab::fields::OBSERVE_TARGET;
use langtrace_core::{current_trace, ExperimentAttributes, Level, ObservationHandle};
use serde_json::{json, Map, Value};
use tracing::{Instrument, Span};

use super::evaluation::{Evaluation, EvaluatorInput};
use super::id::input_item_id;
use super::result::ItemResult;
use super::{EvaluatorFn, ExperimentItem, TaskFn};

/// What every item of a run shares.
pub(crate) struct Plan {
    pub name: String,
    pub run_name: String,
    pub description: Option<String>,
    pub metadata: Option<Value>,
    pub experiment_id: String,
    pub dataset_version: Option<String>,
    pub task: TaskFn,
    pub evaluators: Vec<(String, EvaluatorFn)>,
}

impl Plan {
    /// Observation metadata of the run and task spans: the item's and the run's
    /// metadata objects, then the experiment and dataset keys.
    fn observation_metadata(&self, item: &ExperimentItem) -> Map<String, Value> {
        let mut metadata = Map::new();
        for object in [&item.metadata, &self.metadata].into_iter().flatten().filter_map(Value::as_object) {
            metadata.extend(object.clone());
        }
        metadata.insert("experiment_name".into(), json!(self.name));
        metadata.insert("experiment_run_name".into(), json!(self.run_name));
        if let Some(dataset_item) = &item.dataset_item {
            metadata.insert("dataset_id".into(), json!(dataset_item.dataset_id));
            metadata.insert("dataset_item_id".into(), json!(dataset_item.id));
        }
        metadata
    }

    fn attributes(&self, item: &ExperimentItem, task: &ObservationHandle) -> ExperimentAttributes {
        ExperimentAttributes {
            id: self.experiment_id.clone(),
            name: self.run_name.clone(),
            description: self.description.clone(),
            metadata: self.metadata.clone(),
            dataset_id: item.dataset_item.as_ref().map(|d| d.dataset_id.clone()),
            item_id: item.dataset_item.as_ref().map_or_else(|| input_item_id(&item.input), |d| d.id.clone()),
            item_version: self.dataset_version.clone(),
            item_expected_output: item.expected_output.clone(),
            item_metadata: item.metadata.clone(),
            root_observation_id: task.id(),
        }
    }
}

fn set_metadata(observation: &ObservationHandle, metadata: &Map<String, Value>) {
    for (key, value) in metadata {
        observation.set_metadata(key.clone(), value);
    }
}

/// Marks an observation failed the way Langfuse's SDK does.
fn set_failed(observation: &ObservationHandle, output: &impl serde::Serialize, message: &str) {
    observation.set_output(output).set_level(Level::Error).set_status_message(message);
}

/// Runs the task and the evaluators on one item.
pub(crate) async fn run_item(plan: &Plan, item: ExperimentItem) -> ItemResult {
    let run_span = tracing::span!(target: OBSERVE_TARGET, parent: None, tracing::Level::INFO, "experiment-item-run");
    let run = ObservationHandle::for_span(&run_span);
    let metadata = plan.observation_metadata(&item);
    run.set_input(&item.input);
    set_metadata(&run, &metadata);

    let task_span =
        tracing::span!(target: OBSERVE_TARGET, parent: &run_span, tracing::Level::INFO, "experiment-item-task");
    let task = ObservationHandle::for_span(&task_span);
    task.set_input(&item.input);
    set_metadata(&task, &metadata);
    let task_id = task.id();
    run_span.in_scope(|| {
        current_trace().set_experiment(plan.attributes(&item, &task));
    });

    let future = task_span.in_scope(|| (plan.task)(item.clone()));
    let outcome = future.instrument(task_span.clone()).await;
    match &outcome {
        Ok(output) => {
            task.set_output(output);
            run.set_output(output);
        }
        Err(message) => {
            let output = format!("Error: {message}");
            set_failed(&task, &output, message);
            set_failed(&run, &output, message);
        }
    }
    // The task observation ends here, before the evaluators run.
    drop((task, task_span));

    let mut result = ItemResult {
        trace_id: run.trace_id(),
        observation_id: task_id,
        output: outcome.as_ref().ok().cloned(),
        error: outcome.err(),
        evaluations: Vec::new(),
        evaluator_errors: Vec::new(),
        item,
    };
    if let (Some(output), false) = (&result.output, plan.evaluators.is_empty()) {
        let input = Arc::new(EvaluatorInput {
            input: result.item.input.clone(),
            output: output.clone(),
            expected_output: result.item.expected_output.clone(),
            metadata: result.item.metadata.clone(),
        });
        evaluate(plan, &run_span, input, &mut result).await;
    }
    if let Some(task_id) = task_id {
        run_span.in_scope(|| {
            for evaluation in &result.evaluations {
                current_trace().record_observation_score(task_id, evaluation.score());
            }
        });
    }
    result
}

/// The `experiment-item-evaluation` span and one `evaluator` observation per evaluator.
async fn evaluate(plan: &Plan, run_span: &Span, input: Arc<EvaluatorInput>, result: &mut ItemResult) {
    let evaluation_span =
        tracing::span!(target: OBSERVE_TARGET, parent: run_span, tracing::Level::INFO, "experiment-item-evaluation");
    for (index, (name, evaluator)) in plan.evaluators.iter().enumerate() {
        let span = tracing::span!(
            target: OBSERVE_TARGET,
            parent: &evaluation_span,
            tracing::Level::INFO,
            "evaluator",
            langtrace.as_type = "evaluator"
        );
        let observation = ObservationHandle::for_span(&span);
        observation.set_name(name.clone()).set_input(&*input);
        observation.set_metadata("evaluator_kind", "item").set_metadata("evaluator_index", index);
        let future = span.in_scope(|| evaluator((*input).clone()));
        match future.instrument(span.clone()).await {
            Ok(evaluations) => {
                observation.set_output(evaluations.iter().map(Evaluation::to_json).collect::<Vec<_>>());
                result.evaluations.extend(evaluations);
            }
            Err(message) => {
                set_failed(&observation, &json!({ "error": message }), &message);
                result.evaluator_errors.push((name.clone(), message));
            }
        }
    }
}
