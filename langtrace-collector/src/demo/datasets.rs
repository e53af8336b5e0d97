//! The demo's dataset and its two experiments, made through `langtrace::datasets` as an
//! application would: the dataset `support-questions` gets some of the demo's own chat
//! turns ("add to dataset": an item made from a trace, its input and output read back
//! through the API, linked to the trace) and a few hand-written questions with their
//! expected answers. Then the agent runs over it twice with `run_experiment`, once with
//! each version of its prompts, and two evaluators score every answer (`exact_match`
//! against the expected answer, `brevity` from its length), a run evaluator the whole run
//! (`accuracy`), so the datasets, experiments and comparison pages open with data.

use std::sync::Arc;
use std::time::Duration;

use langtrace::datasets::{Datasets, NewDataset, NewItem};
use langtrace::experiments::{Evaluation, ExperimentItem, ItemResult};
use langtrace::otlp::OtlpSink;
use langtrace::prompts::Prompts;
use langtrace::tracing_subscriber::layer::SubscriberExt;
use langtrace::{LangtraceLayer, TraceId};
use serde_json::{json, Value};

use super::agent::chat_turn;
use super::prompts::{self, AgentPrompts};
use crate::auth::KeyPair;

/// The demo's dataset.
pub(crate) const DATASET: &str = "support-questions";
/// The experiment: one run per version of the agent's prompts.
const EXPERIMENT: &str = "support-agent prompts";
/// The prompt versions compared, each with the name of its run.
pub(crate) const RUNS: [(u32, &str); 2] = [(1, "prompts v1"), (2, "prompts v2")];
/// Questions of the demo's chat turns that become items (the first turn asking each).
const FROM_TRACES: [&str; 3] = ["Calculate 2 + 2", "Calculate 420 / 7", "OK, then the weather in Lisbon?"];
/// Hand-written items: id, question, expected answer.
const WRITTEN: [(&str, &str, &str); 3] = [
    ("written-multiply", "Calculate 6 * 7", "6 * 7 = 42."),
    ("written-weather-tokyo", "What's the weather in Tokyo?", "Tokyo: 21°C, clear."),
    ("written-divide-by-zero", "Calculate 1 / 0", "I could not help: division by zero."),
];
/// Answers this long or longer get a brevity of 0.
const LONGEST_ANSWER: f64 = 120.0;

/// What the demo stored: the dataset's items and the experiments run over it.
#[derive(Debug, Clone, Default)]
pub struct DatasetSummary {
    /// Items of the dataset (from traces and written).
    pub items: usize,
    /// Runs, by name.
    pub runs: Vec<String>,
}

/// An item's id for the turn asking `question` (stable, so a later demo run updates it).
fn trace_item_id(question: &str) -> String {
    let slug: String =
        question.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("from-trace-{}", slug.trim_matches('-'))
}

/// The question of an item's input: the text itself, as the chat turns record it.
fn question_of(input: &Value) -> Result<String, String> {
    input.as_str().map(str::to_owned).ok_or_else(|| format!("an item whose input is not a question: {input}"))
}

/// The dataset: the turns of `turns` (trace id, question) asking one of [`FROM_TRACES`]
/// added from their traces, and the [`WRITTEN`] items.
async fn fill_dataset(datasets: &Datasets, turns: &[(TraceId, &str)]) -> Result<(), String> {
    let error = |e: langtrace::datasets::Error| format!("dataset {DATASET}: {e}");
    let description = "Support questions: chat turns of the demo agent and hand-written ones, with expected answers";
    datasets.create(&NewDataset::new(DATASET).description(description)).await.map_err(error)?;
    for question in FROM_TRACES {
        let (trace_id, _) =
            turns.iter().find(|(_, asked)| *asked == question).ok_or_else(|| format!("no turn asks {question:?}"))?;
        let item = NewItem::from_trace(DATASET, trace_id.to_string()).id(trace_item_id(question));
        datasets.create_item(item.metadata(json!({"source": "production traffic"}))).await.map_err(error)?;
    }
    for (id, question, answer) in WRITTEN {
        let item = NewItem::new(DATASET).id(id).input(json!(question)).expected_output(json!(answer));
        datasets.create_item(item.metadata(json!({"source": "written"}))).await.map_err(error)?;
    }
    Ok(())
}

/// The answer's brevity: 1 for an empty one, down to 0 at [`LONGEST_ANSWER`] characters.
fn brevity(output: &Value) -> f64 {
    let length = output.as_str().map_or_else(|| output.to_string().len(), str::len) as f64;
    (1.0 - length / LONGEST_ANSWER).clamp(0.0, 1.0)
}

/// The share of items whose answer matched the expected one.
fn accuracy(items: &[ItemResult]) -> Evaluation {
    let matched =
        items.iter().filter(|item| item.evaluations.iter().any(|e| e.name == "exact_match" && e.number() == Some(1.0)));
    Evaluation::new("accuracy", matched.count() as f64 / items.len().max(1) as f64)
}

/// Runs the agent with `agent_prompts` over `items` as run `run_name`; its result's figures.
async fn run(
    datasets: &Datasets,
    run_name: &str,
    items: Vec<ExperimentItem>,
    agent_prompts: Arc<AgentPrompts>,
) -> Result<(), String> {
    let result = datasets
        .run_experiment(EXPERIMENT)
        .run_name(run_name)
        .description(format!("The support agent with its prompts at {run_name}"))
        .data(items)
        .task(move |item| {
            let agent_prompts = agent_prompts.clone();
            async move { Ok::<_, String>(chat_turn(&question_of(&item.input)?, 1, &agent_prompts).await) }
        })
        .evaluator("exact_match", |e| async move {
            Ok::<_, String>(Evaluation::new("exact_match", Some(&e.output) == e.expected_output.as_ref()))
        })
        .evaluator("brevity", |e| async move { Ok::<_, String>(Evaluation::new("brevity", brevity(&e.output))) })
        .run_evaluator("accuracy", |items| async move { Ok::<_, String>(accuracy(&items)) })
        .max_concurrency(4)
        .progress(false)
        .run()
        .await
        .map_err(|e| format!("experiment {run_name}: {e}"))?;
    match result.items.iter().find_map(|item| item.error.as_ref()).or(result.run_errors.first()) {
        Some(error) => Err(format!("experiment {run_name}: {error}")),
        None => Ok(()),
    }
}

/// Builds the dataset from `turns` (the chat turns' trace ids and questions) and runs the
/// experiments over it, traced through a layer and exporter of their own (delivered
/// before this returns).
pub(super) fn build(
    runtime: &tokio::runtime::Runtime,
    base_url: &str,
    keys: &KeyPair,
    prompts_client: &Prompts,
    turns: &[(TraceId, &str)],
) -> Result<DatasetSummary, String> {
    let datasets = Datasets::builder()
        .public_key(keys.public_key.clone())
        .secret_key(keys.secret_key.clone())
        .base_url(base_url)
        .build()
        .map_err(|e| format!("datasets client: {e}"))?;
    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .langfuse(keys.public_key.clone(), keys.secret_key.clone(), base_url)
        .service_name("support-agent-experiments")
        .build()
        .map_err(|e| e.to_string())?;
    let (layer, mut guard) = LangtraceLayer::builder().ignore_env().sink(sink).build().map_err(|e| e.to_string())?;
    let dispatch = langtrace::tracing::Dispatch::new(langtrace::tracing_subscriber::registry().with(layer));
    let summary = langtrace::tracing::dispatcher::with_default(&dispatch, || {
        runtime.block_on(async {
            fill_dataset(&datasets, turns).await?;
            let dataset = datasets.get(DATASET).await.map_err(|e| format!("reading {DATASET}: {e}"))?;
            for (version, run_name) in RUNS {
                let agent_prompts = prompts::fetch_version(prompts_client, version).await?;
                let items: Vec<ExperimentItem> = dataset.items.iter().map(Into::into).collect();
                run(&datasets, run_name, items, Arc::new(agent_prompts)).await?;
            }
            Ok::<_, String>(DatasetSummary {
                items: dataset.items.len(),
                runs: RUNS.iter().map(|(_, name)| (*name).to_owned()).collect(),
            })
        })
    })?;
    guard.shutdown(Duration::from_secs(30)).map_err(|e| format!("delivering the experiments to {base_url}: {e}"))?;
    Ok(summary)
}
