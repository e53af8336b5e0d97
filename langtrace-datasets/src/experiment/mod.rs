//! Experiments: run a task over items, score each output with evaluators and the whole
//! run with run evaluators, traced so the run shows up as an experiment in Langfuse or
//! `langtrace serve` (see `docs/datasets.md`, "Rust API").

use std::fmt::Display;
use std::future::Future;
use std::io::IsTerminal;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::{FutureExt, StreamExt};
use indicatif::ProgressBar;
use langtrace_core::{ObservationId, Timestamp};
use serde::Serialize;
use serde_json::{json, Value};

use crate::client::Datasets;
use crate::error::Error;

mod evaluation;
mod id;
mod item;
mod result;
mod runner;

pub use evaluation::{Evaluation, EvaluatorInput, IntoEvaluations};
pub use item::{DatasetItemRef, ExperimentItem};
pub use result::{ExperimentResult, ItemResult};

/// Items run at once unless told otherwise (Langfuse's SDK default).
pub const DEFAULT_MAX_CONCURRENCY: usize = 50;

type TaskFn = Box<dyn Fn(ExperimentItem) -> BoxFuture<'static, Result<Value, String>> + Send + Sync>;
type EvaluatorFn = Box<dyn Fn(EvaluatorInput) -> BoxFuture<'static, Result<Vec<Evaluation>, String>> + Send + Sync>;
type RunEvaluatorFn =
    Box<dyn Fn(Arc<[ItemResult]>) -> BoxFuture<'static, Result<Vec<Evaluation>, String>> + Send + Sync>;

/// Awaits `future`, turning its error or panic into a message.
async fn settle<T, E: Display>(future: impl Future<Output = Result<T, E>>) -> Result<T, String> {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(panic) => Err(match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
            (Some(message), _) => format!("panicked: {message}"),
            (_, Some(message)) => format!("panicked: {message}"),
            _ => "panicked".to_owned(),
        }),
    }
}

/// An experiment being set up; [`run`](Experiment::run) runs it. Made by
/// [`Datasets::run_experiment`].
#[must_use = "an experiment does nothing until run"]
pub struct Experiment {
    datasets: Datasets,
    name: String,
    run_name: Option<String>,
    description: Option<String>,
    metadata: Option<Value>,
    dataset_version: Option<String>,
    data: Vec<ExperimentItem>,
    task: Option<TaskFn>,
    evaluators: Vec<(String, EvaluatorFn)>,
    run_evaluators: Vec<(String, RunEvaluatorFn)>,
    max_concurrency: usize,
    progress: bool,
}

impl std::fmt::Debug for Experiment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Experiment")
            .field("name", &self.name)
            .field("run_name", &self.run_name)
            .field("items", &self.data.len())
            .field("evaluators", &self.evaluators.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("max_concurrency", &self.max_concurrency)
            .finish_non_exhaustive()
    }
}

impl Experiment {
    pub(crate) fn new(datasets: Datasets, name: String) -> Self {
        Self {
            datasets,
            name,
            run_name: None,
            description: None,
            metadata: None,
            dataset_version: None,
            data: Vec::new(),
            task: None,
            evaluators: Vec::new(),
            run_evaluators: Vec::new(),
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            progress: true,
        }
    }

    /// The items to run on: dataset items (`&dataset.items`) or your own
    /// [`ExperimentItem`]s. Adds to items given before.
    pub fn data<I: Into<ExperimentItem>>(mut self, items: impl IntoIterator<Item = I>) -> Self {
        self.data.extend(items.into_iter().map(Into::into));
        self
    }

    /// The task: called once per item, its output recorded and evaluated. An error (or
    /// a panic) is recorded on the item, which is then not evaluated.
    pub fn task<F, Fut, O, E>(mut self, task: F) -> Self
    where
        F: Fn(ExperimentItem) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, E>> + Send + 'static,
        O: Serialize,
        E: Display,
    {
        self.task = Some(Box::new(move |item| {
            let future = task(item);
            async move {
                let output = settle(future).await?;
                serde_json::to_value(output).map_err(|e| format!("the task's output is not JSON: {e}"))
            }
            .boxed()
        }));
        self
    }

    /// Adds an item evaluator named `name`: given input, output, expected output and
    /// metadata, it answers evaluations, stored as scores on the item's task
    /// observation. An error (or a panic) is recorded on the item; the run goes on.
    pub fn evaluator<F, Fut, R, E>(mut self, name: impl Into<String>, evaluator: F) -> Self
    where
        F: Fn(EvaluatorInput) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + Send + 'static,
        R: IntoEvaluations,
        E: Display,
    {
        self.evaluators.push((
            name.into(),
            Box::new(move |input| {
                let future = evaluator(input);
                async move { settle(future).await.map(IntoEvaluations::into_evaluations) }.boxed()
            }),
        ));
        self
    }

    /// Adds a run evaluator named `name`: given every item's result, it answers
    /// evaluations, stored as scores of the run (`datasetRunId`).
    pub fn run_evaluator<F, Fut, R, E>(mut self, name: impl Into<String>, evaluator: F) -> Self
    where
        F: Fn(Arc<[ItemResult]>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + Send + 'static,
        R: IntoEvaluations,
        E: Display,
    {
        self.run_evaluators.push((
            name.into(),
            Box::new(move |items| {
                let future = evaluator(items);
                async move { settle(future).await.map(IntoEvaluations::into_evaluations) }.boxed()
            }),
        ));
        self
    }

    /// Items run at once (default 50; 0 counts as 1).
    pub fn max_concurrency(mut self, items: usize) -> Self {
        self.max_concurrency = items.max(1);
        self
    }

    /// The run's name (default `"{name} - {start time}"`); a rerun under the same name
    /// over the same dataset is the same experiment.
    pub fn run_name(mut self, run_name: impl Into<String>) -> Self {
        self.run_name = Some(run_name.into());
        self
    }

    /// The run's description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The run's metadata (a JSON object is also merged into each item's observation
    /// metadata).
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// The dataset version (ISO time) the items were read at, recorded on each item.
    pub fn dataset_version(mut self, version: impl Into<String>) -> Self {
        self.dataset_version = Some(version.into());
        self
    }

    /// Whether to draw a progress bar (default yes, and only when stderr is a
    /// terminal).
    pub fn progress(mut self, show: bool) -> Self {
        self.progress = show;
        self
    }

    /// Runs the task on every item, then the evaluators; answers every outcome. Fails
    /// only when no task was given. Spans go through the application's langtrace
    /// layer (flush its guard before exiting); run scores are sent at once.
    pub async fn run(self) -> Result<ExperimentResult, Error> {
        let task = self.task.ok_or(Error::MissingTask)?;
        let run_name =
            self.run_name.unwrap_or_else(|| format!("{} - {}", self.name, Timestamp::now().to_rfc3339_micros()));
        let dataset_id = self.data.iter().find_map(|item| item.dataset_item.as_ref().map(|d| d.dataset_id.clone()));
        let mut run_errors = Vec::new();
        let experiment_id = match &dataset_id {
            Some(dataset_id) => match self.datasets.project_id().await {
                Ok(project_id) => id::stable_experiment_id(&project_id, dataset_id, &run_name),
                Err(error) => {
                    run_errors.push(format!("no project id ({error}): the experiment id is random"));
                    ObservationId::random().to_string()
                }
            },
            None => ObservationId::random().to_string(),
        };
        let plan = runner::Plan {
            name: self.name.clone(),
            run_name: run_name.clone(),
            description: self.description,
            metadata: self.metadata,
            experiment_id: experiment_id.clone(),
            dataset_version: self.dataset_version,
            task,
            evaluators: self.evaluators,
        };
        let progress = if self.progress && std::io::stderr().is_terminal() {
            ProgressBar::new(self.data.len() as u64)
        } else {
            ProgressBar::hidden()
        };
        let mut outcomes: Vec<(usize, ItemResult)> = futures_util::stream::iter(self.data.into_iter().enumerate())
            .map(|(index, item)| {
                let (plan, progress) = (&plan, &progress);
                async move {
                    let result = runner::run_item(plan, item).await;
                    progress.inc(1);
                    (index, result)
                }
            })
            .buffer_unordered(self.max_concurrency)
            .collect()
            .await;
        progress.finish_and_clear();
        outcomes.sort_by_key(|(index, _)| *index);
        let items: Arc<[ItemResult]> = outcomes.into_iter().map(|(_, result)| result).collect();

        let mut run_evaluations = Vec::new();
        for (name, evaluator) in &self.run_evaluators {
            match evaluator(Arc::clone(&items)).await {
                Ok(evaluations) => run_evaluations.extend(evaluations),
                Err(message) => run_errors.push(format!("run evaluator {name} failed: {message}")),
            }
        }
        for evaluation in &run_evaluations {
            if let Err(error) = self.datasets.post_run_score(&experiment_id, evaluation).await {
                run_errors.push(format!("run score {} not stored: {error}", evaluation.name));
            }
        }
        Ok(ExperimentResult {
            name: self.name,
            run_name,
            experiment_id,
            dataset_id,
            items: items.to_vec(),
            run_evaluations,
            run_errors,
        })
    }
}

impl Datasets {
    /// Stores a run evaluation as a score of the run (`datasetRunId`, no trace).
    async fn post_run_score(&self, experiment_id: &str, evaluation: &Evaluation) -> Result<(), Error> {
        let value = match evaluation.number() {
            Some(number) if !matches!(evaluation.value, langtrace_core::ScoreValue::Categorical(_)) => json!(number),
            _ => evaluation.to_json()["value"].clone(),
        };
        let mut body = json!({
            "id": ObservationId::random().to_string(),
            "datasetRunId": experiment_id,
            "name": evaluation.name,
            "value": value,
            "dataType": evaluation.value.data_type(),
        });
        if let Some(comment) = &evaluation.comment {
            body["comment"] = json!(comment);
        }
        self.api.post::<Value>("/scores", &body).await.map(drop)
    }
}
