//! async-openai calls against a mock OpenAI-compatible server on loopback, under the real
//! `LangtraceLayer` and pipeline: each call becomes one generation (or embedding) whose
//! messages, parameters, tools, usage, streamed output and time to first token are read
//! back from a `MemorySink` in the normal form.

#![cfg(feature = "async-openai")]

mod support;

use async_openai::config::OpenAIConfig;
use async_openai::types::chat::CreateChatCompletionRequest;
use async_openai::types::embeddings::CreateEmbeddingRequest;
use async_openai::Client;
use futures::StreamExt;
use langtrace_core::{Level, ObservationRecord, ObservationType};
use langtrace_integrations::openai;
use serde_json::{json, Value};
use support::mock_openai::{self, ANSWER_MODEL};
use support::Harness;

fn client(base: String) -> Client<OpenAIConfig> {
    Client::with_config(OpenAIConfig::new().with_api_base(base).with_api_key("sk-test"))
}

fn chat_request(model: &str, question: &str) -> CreateChatCompletionRequest {
    serde_json::from_value(json!({
        "model": model,
        "temperature": 0.2,
        "max_completion_tokens": 64,
        "messages": [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": question}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
    }))
    .expect("a valid chat request")
}

fn expected_input(question: &str) -> Value {
    json!([{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": question}])
}

fn weather_call() -> Value {
    json!({"role": "assistant", "content": null, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
    ]})
}

fn only_generation(harness: &Harness) -> ObservationRecord {
    let observations = harness.observations();
    assert_eq!(observations.len(), 1, "{observations:#?}");
    observations.into_iter().next().unwrap()
}

#[test]
fn a_chat_call_is_a_generation_with_messages_parameters_tools_and_usage() {
    let harness = Harness::new();
    let answer = harness.block_on(async {
        let request = chat_request("gpt-4o-mini", "Capital of France?");
        let client = client(mock_openai::serve().await);
        openai::observe_chat(&request, client.chat().create(request.clone())).await.expect("answer")
    });
    assert_eq!(answer.choices[0].message.content.as_deref(), Some("Paris."));

    let generation = only_generation(&harness);
    assert_eq!(generation.name, "chat gpt-4o-mini");
    assert_eq!(generation.observation_type, ObservationType::Generation);
    assert_eq!(generation.model.as_deref(), Some(ANSWER_MODEL));
    assert_eq!(generation.input_value(), Some(expected_input("Capital of France?")));
    assert_eq!(generation.output_value(), Some(json!({"role": "assistant", "content": "Paris."})));
    assert_eq!(generation.model_parameters["temperature"], json!(0.2));
    assert_eq!(generation.model_parameters["max_completion_tokens"], json!(64));
    assert_eq!(generation.usage_details["input"], 21);
    assert_eq!(generation.usage_details["output"], 2);
    assert_eq!(generation.usage_details["cache_read_input_tokens"], 5);
    assert_eq!(generation.metadata["tools"][0]["function"]["name"], "get_weather");
    assert_eq!(generation.metadata["finish_reasons"], json!(["stop"]));
    assert_eq!(generation.level, Level::Default);
    assert_eq!(generation.completion_start_time, None, "no first token on a plain answer");
}

#[test]
fn a_tool_call_answer_is_an_assistant_message_with_its_call() {
    let harness = Harness::new();
    harness.block_on(async {
        let request = chat_request("gpt-4o-mini", "What is the weather in Paris?");
        let client = client(mock_openai::serve().await);
        openai::observe_chat(&request, client.chat().create(request.clone())).await.expect("answer")
    });
    let generation = only_generation(&harness);
    assert_eq!(generation.output_value(), Some(weather_call()));
    assert_eq!(generation.metadata["finish_reasons"], json!(["tool_calls"]));
}

#[test]
fn a_streamed_chat_gathers_its_chunks_with_usage_and_time_to_first_token() {
    let harness = Harness::new();
    let text = harness.block_on(async {
        let request = chat_request("gpt-4o-mini", "Capital of France?");
        let client = client(mock_openai::serve().await);
        let mut stream =
            openai::observe_chat_stream(&request, client.chat().create_stream(request.clone())).await.expect("stream");
        let mut text = String::new();
        while let Some(chunk) = stream.next().await {
            text.extend(chunk.expect("chunk").choices.iter().filter_map(|c| c.delta.content.clone()));
        }
        text
    });
    assert_eq!(text, "Paris.", "the caller reads the stream unchanged");

    let generation = only_generation(&harness);
    assert_eq!(generation.model.as_deref(), Some(ANSWER_MODEL));
    assert_eq!(generation.input_value(), Some(expected_input("Capital of France?")));
    assert_eq!(generation.output_value(), Some(json!({"role": "assistant", "content": "Paris."})));
    assert_eq!(generation.usage_details["input"], 21);
    assert_eq!(generation.usage_details["output"], 2);
    let first_token = generation.completion_start_time.expect("time to first token");
    assert!(generation.start_time <= first_token && first_token <= generation.end_time, "{generation:#?}");
}

#[test]
fn a_streamed_tool_call_is_assembled_from_its_pieces() {
    let harness = Harness::new();
    harness.block_on(async {
        let request = chat_request("gpt-4o-mini", "What is the weather in Paris?");
        let client = client(mock_openai::serve().await);
        let stream =
            openai::observe_chat_stream(&request, client.chat().create_stream(request.clone())).await.expect("stream");
        stream.for_each(|_| async {}).await;
    });
    let generation = only_generation(&harness);
    assert_eq!(generation.output_value(), Some(weather_call()));
    assert_eq!(generation.metadata["finish_reasons"], json!(["tool_calls"]));
}

#[test]
fn a_stream_dropped_early_still_ends_its_generation_with_what_arrived() {
    let harness = Harness::new();
    harness.block_on(async {
        let request = chat_request("gpt-4o-mini", "Capital of France?");
        let client = client(mock_openai::serve().await);
        let mut stream =
            openai::observe_chat_stream(&request, client.chat().create_stream(request.clone())).await.expect("stream");
        for _ in 0..2 {
            stream.next().await.expect("chunk").expect("chunk");
        }
    });
    let generation = only_generation(&harness);
    assert_eq!(generation.output_value(), Some(json!({"role": "assistant", "content": "Par"})));
    assert!(generation.completion_start_time.is_some());
}

#[test]
fn a_failed_call_is_an_error_with_the_providers_message() {
    let harness = Harness::new();
    let (plain, streamed) = harness.block_on(async {
        let client = client(mock_openai::serve().await);
        let request = chat_request("missing-model", "Capital of France?");
        let plain = openai::observe_chat(&request, client.chat().create(request.clone())).await;
        let streamed = openai::observe_chat_stream(&request, client.chat().create_stream(request.clone())).await;
        (plain.map(|_| ()), streamed.map(|_| ()))
    });
    assert!(plain.is_err() && streamed.is_err(), "the caller still gets the error");

    let observations = harness.observations();
    assert_eq!(observations.len(), 2);
    for generation in observations {
        assert_eq!(generation.level, Level::Error, "{generation:#?}");
        let message = generation.status_message.as_deref().unwrap_or_default();
        assert!(message.contains("does not exist"), "{message}");
        assert_eq!(generation.input_value(), Some(expected_input("Capital of France?")));
        assert_eq!(generation.output_value(), None);
    }
}

#[test]
fn an_embeddings_call_is_an_embedding_with_input_and_usage() {
    let harness = Harness::new();
    harness.block_on(async {
        let request: CreateEmbeddingRequest =
            serde_json::from_value(json!({"model": "text-embedding-3-small", "input": "hello world", "dimensions": 3}))
                .expect("a valid embeddings request");
        let client = client(mock_openai::serve().await);
        openai::observe_embeddings(&request, client.embeddings().create(request.clone())).await.expect("embedding")
    });
    let embedding = only_generation(&harness);
    assert_eq!(embedding.name, "embeddings text-embedding-3-small");
    assert_eq!(embedding.observation_type, ObservationType::Embedding);
    assert_eq!(embedding.input_value(), Some(json!("hello world")));
    assert_eq!(embedding.model_parameters["dimensions"], json!(3));
    assert_eq!(embedding.usage_details["input"], 4);
}

#[test]
fn calls_nest_under_the_callers_span() {
    let harness = Harness::new();
    harness.block_on(async {
        let request = chat_request("gpt-4o-mini", "Capital of France?");
        let client = client(mock_openai::serve().await);
        let agent = tracing::info_span!("agent");
        let _ = tracing::Instrument::instrument(
            openai::observe_chat(&request, client.chat().create(request.clone())),
            agent,
        )
        .await;
    });
    let observations = harness.observations();
    let agent = observations.iter().find(|o| o.name == "agent").expect("agent");
    let generation = observations.iter().find(|o| o.name == "chat gpt-4o-mini").expect("generation");
    assert_eq!(generation.parent_id, Some(agent.id));
    assert_eq!(generation.trace_id, agent.trace_id);
}
