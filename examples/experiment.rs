//! Datasets and experiments: create a dataset of a few questions, run two variants of a
//! task over it (a mock model; nothing leaves the machine but the calls to the server),
//! score each answer with an exact-match and a numeric evaluator and each run with its
//! accuracy, and print the two runs side by side.
//!
//! Against a local collector (`cargo run --release -p langtrace-collector -- serve`
//! prints the keys of its first project):
//!
//! ```text
//! LANGFUSE_PUBLIC_KEY=pk-lt-... LANGFUSE_SECRET_KEY=sk-lt-... \
//! LANGFUSE_BASE_URL=http://127.0.0.1:3000 cargo run --example experiment
//! ```
//!
//! The same variables make `init()` export the item traces there, so both runs show up
//! as experiments of the dataset `capitals`. Items have fixed ids, so a rerun updates
//! them instead of adding more; each rerun adds two runs.

use std::sync::Arc;

use langtrace::datasets::{Dataset, Datasets, NewDataset, NewItem};
use langtrace::experiments::{Evaluation, EvaluatorInput, ExperimentResult, ItemResult};
use langtrace::observe;
use serde_json::json;

const ITEMS: [(&str, &str); 5] =
    [("France", "Paris"), ("Japan", "Tokyo"), ("Australia", "Canberra"), ("Canada", "Ottawa"), ("Brazil", "Brasília")];

/// Variant 1: a mock model that confuses capitals with the largest city.
#[observe(as_type = generation, model = "mock-largest-city")]
async fn largest_city(country: String) -> String {
    match country.as_str() {
        "France" => "Paris",
        "Japan" => "Tokyo",
        "Australia" => "Sydney",
        "Canada" => "Toronto",
        "Brazil" => "São Paulo",
        _ => "unknown",
    }
    .to_owned()
}

/// Variant 2: a mock model that knows its capitals.
#[observe(as_type = generation, model = "mock-capital")]
async fn capital(country: String) -> String {
    let found = ITEMS.iter().find(|(name, _)| *name == country);
    found.map_or("unknown", |(_, capital)| capital).to_owned()
}

/// Exact match of output and expected output, a boolean score.
async fn exact_match(e: EvaluatorInput) -> Result<Evaluation, String> {
    Ok(Evaluation::new("exact_match", Some(&e.output) == e.expected_output.as_ref()))
}

/// Share of the expected answer's characters found in the output, a number in [0, 1].
async fn char_overlap(e: EvaluatorInput) -> Result<Evaluation, String> {
    let (Some(output), Some(expected)) = (e.output.as_str(), e.expected_output.as_ref().and_then(|v| v.as_str()))
    else {
        return Err("output and expected output must be text".to_owned());
    };
    let found = expected.chars().filter(|c| output.contains(*c)).count();
    Ok(Evaluation::new("char_overlap", found as f64 / expected.chars().count().max(1) as f64))
}

/// Share of exact matches over the run, a run score.
async fn accuracy(items: Arc<[ItemResult]>) -> Result<Evaluation, String> {
    let exact =
        items.iter().flat_map(|i| &i.evaluations).filter(|e| e.name == "exact_match" && e.number() == Some(1.0));
    Ok(Evaluation::new("accuracy", exact.count() as f64 / items.len().max(1) as f64))
}

async fn run_variant(
    datasets: &Datasets,
    dataset: &Dataset,
    variant: &str,
) -> Result<ExperimentResult, langtrace::datasets::Error> {
    let knows_capitals = variant == "capital";
    datasets
        .run_experiment("capital lookup")
        .description(format!("variant {variant}"))
        .metadata(json!({"variant": variant}))
        .data(&dataset.items)
        .task(move |item| async move {
            let country = item.input["country"].as_str().ok_or("input without a country")?.to_owned();
            Ok::<_, &str>(if knows_capitals { capital(country).await } else { largest_city(country).await })
        })
        .evaluator("exact_match", exact_match)
        .evaluator("char_overlap", char_overlap)
        .run_evaluator("accuracy", accuracy)
        .max_concurrency(4)
        .run()
        .await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let guard = langtrace::init()?;
    let datasets = Datasets::from_env()?;

    datasets.create(&NewDataset::new("capitals").description("Capital of a country")).await?;
    for (country, capital) in ITEMS {
        let item = NewItem::new("capitals")
            .id(format!("capitals-{}", country.to_lowercase()))
            .input(json!({"country": country}))
            .expected_output(json!(capital));
        datasets.create_item(item).await?;
    }
    let dataset = datasets.get("capitals").await?;
    println!("dataset {} with {} items", dataset.name, dataset.items.len());

    let runs =
        [run_variant(&datasets, &dataset, "largest-city").await?, run_variant(&datasets, &dataset, "capital").await?];
    for run in &runs {
        println!("{run}");
    }
    println!("{:<12} {:<10} {:<12} {:<12}", "country", "expected", "largest-city", "capital");
    for (index, item) in runs[0].items.iter().enumerate() {
        let output = |run: &ExperimentResult| {
            let result = &run.items[index];
            let mark = if result.evaluations.iter().any(|e| e.name == "exact_match" && e.number() == Some(1.0)) {
                "✓"
            } else {
                "✗"
            };
            format!("{} {mark}", result.output.as_ref().and_then(|o| o.as_str()).unwrap_or("-"))
        };
        let expected = item.item.expected_output.as_ref().and_then(|o| o.as_str()).unwrap_or("-");
        println!(
            "{:<12} {:<10} {:<12} {:<12}",
            item.item.input["country"].as_str().unwrap_or("-"),
            expected,
            output(&runs[0]),
            output(&runs[1])
        );
    }

    guard.flush(std::time::Duration::from_secs(10))?;
    Ok(())
}
