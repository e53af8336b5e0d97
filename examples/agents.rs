//! Agents: a planner AGENT loops over the steps of its plan, calling TOOLs
//! and delegating to a research sub-AGENT that has its own GENERATION. The last step
//! runs two tool calls concurrently on tokio with `langtrace::spawn`, which keeps the
//! planner as their parent (plain `tokio::spawn` would start new traces).
//!
//! Tools implement an `#[async_trait]` trait; `#[observe]` goes on the method inside the
//! `#[async_trait]` impl.
//!
//! Run it with `cargo run --example agents`.

use langtrace::{current_observation, observe, Usage};
use serde::Serialize;

#[async_trait::async_trait]
trait Tool: Send + Sync {
    async fn call(&self, input: &str) -> Result<String, String>;
}

struct Calculator;
struct Weather;

#[async_trait::async_trait]
impl Tool for Calculator {
    #[observe(as_type = tool, name = "calculator")]
    async fn call(&self, input: &str) -> Result<String, String> {
        let (a, b) = input.split_once('*').ok_or("expected `a * b`")?;
        let parse = |n: &str| n.trim().parse::<i64>().map_err(|e| e.to_string());
        Ok((parse(a)? * parse(b)?).to_string())
    }
}

#[async_trait::async_trait]
impl Tool for Weather {
    #[observe(as_type = tool, name = "weather")]
    async fn call(&self, city: &str) -> Result<String, String> {
        Ok(format!("{city}: {}°C, sunny", 15 + city.len()))
    }
}

/// A mock model call: deterministic, no network.
#[observe(as_type = generation, model = "mock-llm")]
async fn llm(prompt: &str) -> String {
    current_observation().set_usage(Usage::tokens(prompt.len() as u64 / 4, 12));
    format!("summary of {} characters", prompt.len())
}

/// A step of the plan (recorded as JSON in the planner's metadata).
#[derive(Debug, Serialize)]
enum Step {
    Calculate(&'static str),
    Research,
    WeatherIn(&'static str, &'static str),
}

/// A sub-agent: looks something up and summarizes it with its own generation.
#[observe(as_type = agent)]
async fn researcher(question: &str) -> Result<String, String> {
    let notes = Weather.call("Paris").await?;
    Ok(llm(&format!("Question: {question}\nNotes: {notes}")).await)
}

#[observe(as_type = agent)]
async fn planner(task: &str) -> Result<Vec<String>, String> {
    // A real agent would ask a model to plan `task`; this plan is fixed.
    let plan = [Step::Calculate("17 * 23"), Step::Research, Step::WeatherIn("Paris", "Lyon")];
    current_observation().set_metadata("plan", &plan);

    let mut results = Vec::new();
    for step in plan {
        match step {
            Step::Calculate(expression) => results.push(Calculator.call(expression).await?),
            Step::Research => results.push(researcher(task).await?),
            Step::WeatherIn(first, second) => {
                // Two concurrent tool calls; both nest under this planner observation.
                let a = langtrace::spawn(async move { Weather.call(first).await });
                let b = langtrace::spawn(async move { Weather.call(second).await });
                let (a, b) = tokio::join!(a, b);
                results.push(a.map_err(|e| e.to_string())??);
                results.push(b.map_err(|e| e.to_string())??);
            }
        }
    }
    Ok(results)
}

#[tokio::main]
async fn main() {
    let _guard = langtrace::init().expect("valid langtrace settings");

    match planner("Plan a weekend in France on a budget of 17 * 23 euros").await {
        Ok(results) => println!("planner finished: {results:?}"),
        Err(error) => println!("planner failed: {error}"),
    }
}
