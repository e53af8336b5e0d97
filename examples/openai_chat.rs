//! async-openai calls as generations (feature `async-openai`): a plain chat answer, a
//! streamed one (with time to first token) and a tool call, inside one observed agent
//! function. An OpenAI-compatible mock server runs in-process on loopback, so the
//! example needs no key and no network; the console prints the trace tree.
//!
//! Run it with `cargo run --example openai_chat --features async-openai`.

#[path = "../langtrace-integrations/tests/support/mock_openai.rs"]
mod mock_openai;

use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::CreateChatCompletionRequest;
use async_openai::Client;
use futures::StreamExt;
use langtrace::integrations::openai;
use langtrace::observe;
use serde_json::json;

fn request(question: &str) -> CreateChatCompletionRequest {
    serde_json::from_value(json!({
        "model": "gpt-4o-mini",
        "temperature": 0.2,
        "stream_options": {"include_usage": true},
        "messages": [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": question}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    }))
    .expect("a valid chat request")
}

/// Three model calls under one trace: each wrapper opens a generation for its call.
#[observe]
async fn travel_agent(client: &Client<OpenAIConfig>) -> Result<String, OpenAIError> {
    let capital = request("Capital of France?");
    let answer = openai::observe_chat(&capital, client.chat().create(capital.clone())).await?;

    let streamed = request("Capital of France, streamed?");
    let mut stream = openai::observe_chat_stream(&streamed, client.chat().create_stream(streamed.clone())).await?;
    while let Some(chunk) = stream.next().await {
        chunk?;
    }

    let weather = request("What is the weather in Paris?");
    openai::observe_chat(&weather, client.chat().create(weather.clone())).await?;
    Ok(answer.choices[0].message.content.clone().unwrap_or_default())
}

#[tokio::main]
async fn main() -> Result<(), OpenAIError> {
    let _guard = langtrace::init().expect("valid langtrace settings");
    let base = mock_openai::serve().await;
    let client = Client::with_config(OpenAIConfig::new().with_api_base(base).with_api_key("sk-mock"));
    let answer = travel_agent(&client).await?;
    println!("agent answered {answer:?} (mock model {})", mock_openai::ANSWER_MODEL);
    Ok(())
}
