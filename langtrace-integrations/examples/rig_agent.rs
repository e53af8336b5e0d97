//! rig inside observed functions. First a small hand-written agent whose two model calls
//! are each one generation, thanks to `#[observe(as_type = generation, rig)]` (rig adopts
//! the observe span and records model, usage and response id into it). Then a rig agent
//! (the `rig-agent` runtime) with a tool inside `#[observe(as_type = agent)]`: rig adopts
//! the observe span as its agent span and opens a generation per model turn and a tool
//! observation for the call between them. An OpenAI-compatible mock server runs in-process
//! on loopback, so the example needs no key and no network; the console prints the trace
//! trees.
//!
//! Run it with `cargo run -p langtrace-integrations --features test-rig --example rig_agent`.

#[path = "../tests/support/mock_openai.rs"]
mod mock_openai;
#[path = "../tests/support/weather.rs"]
mod weather;

use langtrace::observe;
use rig_agent::completion::PromptError;
use rig_core::completion::{AssistantContent, CompletionRequest};
use rig_core::driver::Model;
use rig_core::error::ProviderError;
use rig_core::providers::openai::wire::Chat;
use rig_core::providers::openai::OpenAIConfig;

/// One completion: the function's observation is the generation rig records into. (The
/// error is boxed: `ProviderError` is large.)
#[observe(as_type = generation, rig, skip(model))]
async fn complete(model: &Model<Chat>, question: &str) -> Result<String, Box<ProviderError>> {
    let request = CompletionRequest::new(question).preamble("Answer briefly.").record_content_telemetry(true);
    let response = model.call(request).await?;
    Ok(response
        .choice
        .iter()
        .filter_map(|content| match content {
            AssistantContent::Text(text) => Some(text.text.as_str()),
            _ => None,
        })
        .collect())
}

/// Two model calls under one agent observation.
#[observe(as_type = agent, skip(model))]
async fn travel_agent(model: &Model<Chat>) -> Result<String, Box<ProviderError>> {
    let capital = complete(model, "Capital of France?").await?;
    complete(model, &format!("What should I visit in {capital}")).await
}

/// A rig agent with the weather tool, run to its final answer.
#[observe(as_type = agent, skip(model))]
async fn weather_agent(model: Model<Chat>, question: &str) -> Result<String, Box<PromptError>> {
    Ok(weather::ask(model, question).await?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _guard = langtrace::init().expect("valid langtrace settings");
    let base = mock_openai::serve().await;
    let model = OpenAIConfig::new("sk-mock").with_base_url(base).client().chat("gpt-4o-mini");
    let answer = travel_agent(&model).await?;
    println!("travel agent answered {answer:?} (mock model {})", mock_openai::ANSWER_MODEL);
    let answer = weather_agent(model, "What is the weather in Paris?").await?;
    println!("weather agent answered {answer:?}");
    Ok(())
}
