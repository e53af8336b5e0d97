//! ollama-rs calls as generations (feature `ollama`): a plain chat answer, a streamed
//! one (with time to first token), a tool call and a generate call, inside one observed
//! agent function. A mock Ollama server runs in-process on loopback, so the example
//! needs no model and no network; the console prints the trace tree.
//!
//! Run it with `cargo run -p langtrace-integrations --features test-ollama --example ollama_chat`
//! (`test-ollama` adds ollama-rs's `stream` feature, which the streamed call needs).

#[path = "../tests/support/mock_ollama.rs"]
mod mock_ollama;

use futures::StreamExt;
use langtrace::observe;
use langtrace_integrations::ollama;
use ollama_rs::error::OllamaError;
use ollama_rs::generation::chat::request::ChatMessageRequest;
use ollama_rs::generation::chat::ChatMessage;
use ollama_rs::generation::completion::request::GenerationRequest;
use ollama_rs::generation::tools::ToolInfo;
use ollama_rs::models::ModelOptions;
use ollama_rs::Ollama;
use serde_json::json;

fn request(question: &str) -> ChatMessageRequest {
    let messages = vec![ChatMessage::system("Answer briefly.".to_owned()), ChatMessage::user(question.to_owned())];
    let weather: ToolInfo = serde_json::from_value(json!({"type": "function", "function": {
        "name": "get_weather", "description": "Weather of a city", "parameters": {"type": "object"}}}))
    .expect("a valid tool");
    ChatMessageRequest::new("llama3.2".to_owned(), messages)
        .options(ModelOptions::default().temperature(0.2).num_predict(64))
        .tools(vec![weather])
}

/// Four model calls under one trace: each helper opens a generation for its call.
#[observe]
async fn travel_agent(client: &Ollama) -> Result<String, OllamaError> {
    let answer = ollama::observe_chat(request("Capital of France?"), |r| client.send_chat_messages(r)).await?;

    let mut stream =
        ollama::observe_chat_stream(request("Capital of France, streamed?"), |r| client.send_chat_messages_stream(r))
            .await?;
    while stream.next().await.is_some() {}

    ollama::observe_chat(request("What is the weather in Paris?"), |r| client.send_chat_messages(r)).await?;

    let visit = GenerationRequest::new("llama3.2".to_owned(), "One sight to visit in Paris?");
    ollama::observe_generate(visit, |r| client.generate(r)).await?;
    Ok(answer.message.content)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), OllamaError> {
    let _guard = langtrace::init().expect("valid langtrace settings");
    let base = mock_ollama::serve().await;
    let client = Ollama::try_new(base).expect("a valid base URL");
    let answer = travel_agent(&client).await?;
    println!("agent answered {answer:?} (mock model {})", mock_ollama::ANSWER_MODEL);
    Ok(())
}
