//! ollama-rs calls against a mock Ollama server on loopback, under the real
//! `LangtraceLayer` and pipeline: each call becomes one generation (or embedding) whose
//! messages, images, parameters, tools, usage, timings, streamed output and time to
//! first token are read back from a `MemorySink` in the normal form.

#![cfg(feature = "test-ollama")]

mod support;

use futures::StreamExt;
use langtrace_core::{Level, ObservationRecord, ObservationType};
use langtrace_integrations::ollama;
use ollama_rs::generation::chat::request::ChatMessageRequest;
use ollama_rs::generation::chat::ChatMessage;
use ollama_rs::generation::completion::request::GenerationRequest;
use ollama_rs::generation::embeddings::request::{EmbeddingsInput, GenerateEmbeddingsRequest};
use ollama_rs::generation::images::Image;
use ollama_rs::generation::tools::ToolInfo;
use ollama_rs::models::ModelOptions;
use ollama_rs::Ollama;
use serde_json::{json, Value};
use support::mock_ollama::{self, ANSWER_MODEL};
use support::Harness;

/// A 1x1 PNG, as Ollama takes images: bare base64.
const PIXEL_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

/// A 1x1 GIF, given as a data URI (kept as it is).
const PIXEL_GIF_URI: &str = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

fn client(base: String) -> Ollama {
    Ollama::try_new(base).expect("a valid base URL")
}

fn options() -> ModelOptions {
    ModelOptions::default().temperature(0.2).top_p(0.9).num_predict(64).seed(7).stop(vec!["\n\n".to_owned()])
}

fn weather_tool() -> ToolInfo {
    serde_json::from_value(
        json!({"type": "function", "function": {"name": "get_weather", "description": "Weather of a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}),
    )
    .expect("a valid tool")
}

fn chat_request(model: &str, question: &str) -> ChatMessageRequest {
    let messages = vec![ChatMessage::system("Answer briefly.".to_owned()), ChatMessage::user(question.to_owned())];
    ChatMessageRequest::new(model.to_owned(), messages).options(options()).tools(vec![weather_tool()])
}

fn expected_input(question: &str) -> Value {
    json!([{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": question}])
}

fn weather_call() -> Value {
    json!({"role": "assistant", "content": null, "tool_calls": [
        {"id": "", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
    ]})
}

fn only_observation(harness: &Harness) -> ObservationRecord {
    let observations = harness.observations();
    assert_eq!(observations.len(), 1, "{observations:#?}");
    observations.into_iter().next().unwrap()
}

/// Usage and Ollama's timings, as the mock reports them on its last line.
fn assert_totals(generation: &ObservationRecord) {
    assert_eq!(generation.usage_details["input"], 26, "prompt_eval_count");
    assert_eq!(generation.usage_details["output"], 3, "eval_count");
    assert_eq!(generation.metadata["total_duration"], 5_000_000);
    assert_eq!(generation.metadata["load_duration"], 1_000_000);
    assert_eq!(generation.metadata["prompt_eval_duration"], 2_000_000);
    assert_eq!(generation.metadata["eval_duration"], 1_500_000);
}

#[test]
fn a_chat_call_is_a_generation_with_messages_parameters_tools_usage_and_timings() {
    let harness = Harness::new();
    let answer = harness.block_on(async {
        let client = client(mock_ollama::serve().await);
        ollama::observe_chat(chat_request("llama3.2", "Capital of France?"), |request| {
            client.send_chat_messages(request)
        })
        .await
        .expect("answer")
    });
    assert_eq!(answer.message.content, "Paris.", "the caller gets the answer unchanged");

    let generation = only_observation(&harness);
    assert_eq!(generation.name, "chat llama3.2");
    assert_eq!(generation.observation_type, ObservationType::Generation);
    assert_eq!(generation.model.as_deref(), Some(ANSWER_MODEL));
    assert_eq!(generation.input_value(), Some(expected_input("Capital of France?")));
    assert_eq!(generation.output_value(), Some(json!({"role": "assistant", "content": "Paris."})));
    assert_eq!(
        Value::Object(generation.model_parameters.clone()),
        json!({"temperature": 0.2, "top_p": 0.9, "max_tokens": 64, "seed": 7, "stop": ["\n\n"]}),
        "options are the parameters, num_predict spelt max_tokens"
    );
    assert_eq!(generation.metadata["tools"][0]["function"]["name"], "get_weather");
    assert_totals(&generation);
    assert_eq!(generation.level, Level::Default);
    assert_eq!(generation.completion_start_time, None, "no first token on a plain answer");
}

#[test]
fn images_of_a_message_become_media() {
    let harness = Harness::new();
    harness.block_on(async {
        let client = client(mock_ollama::serve().await);
        let question = ChatMessage::user("What is in these pictures?".to_owned())
            .with_images(vec![Image::from_base64(PIXEL_PNG), Image::from_base64(PIXEL_GIF_URI)]);
        let request = ChatMessageRequest::new("llava".to_owned(), vec![question]);
        ollama::observe_chat(request, |request| client.send_chat_messages(request)).await.expect("answer")
    });
    let generation = only_observation(&harness);
    let types: Vec<&str> = generation.media.iter().map(|media| media.content_type.as_str()).collect();
    assert_eq!(types, ["image/png", "image/gif"], "{generation:#?}");
    assert!(generation.media[0].bytes.starts_with(b"\x89PNG"), "the decoded image");
    assert!(generation.media[1].bytes.starts_with(b"GIF89a"), "the decoded image");
    let part = |index: usize| json!({"type": "image_url", "image_url": {"url": generation.media[index].reference}});
    assert_eq!(
        generation.input_value(),
        Some(
            json!([{"role": "user", "content": [{"type": "text", "text": "What is in these pictures?"}, part(0), part(1)]}])
        )
    );
}

#[test]
fn a_tool_call_answer_is_an_assistant_message_with_its_call() {
    let harness = Harness::new();
    harness.block_on(async {
        let client = client(mock_ollama::serve().await);
        ollama::observe_chat(chat_request("llama3.2", "What is the weather in Paris?"), |request| {
            client.send_chat_messages(request)
        })
        .await
        .expect("answer")
    });
    assert_eq!(only_observation(&harness).output_value(), Some(weather_call()));
}

#[test]
fn a_streamed_chat_gathers_its_messages_with_usage_and_time_to_first_token() {
    let harness = Harness::new();
    let text = harness.block_on(async {
        let client = client(mock_ollama::serve().await);
        let mut stream = ollama::observe_chat_stream(chat_request("llama3.2", "Capital of France?"), |request| {
            client.send_chat_messages_stream(request)
        })
        .await
        .expect("stream");
        let mut text = String::new();
        while let Some(message) = stream.next().await {
            text.push_str(&message.expect("message").message.content);
        }
        text
    });
    assert_eq!(text, "Paris.", "the caller reads the stream unchanged");

    let generation = only_observation(&harness);
    assert_eq!(generation.model.as_deref(), Some(ANSWER_MODEL));
    assert_eq!(generation.input_value(), Some(expected_input("Capital of France?")));
    assert_eq!(generation.output_value(), Some(json!({"role": "assistant", "content": "Paris."})));
    assert_eq!(generation.model_parameters["max_tokens"], json!(64));
    assert_totals(&generation);
    let first_token = generation.completion_start_time.expect("time to first token");
    assert!(generation.start_time <= first_token && first_token <= generation.end_time, "{generation:#?}");
}

#[test]
fn a_streamed_tool_call_is_the_answers_output() {
    let harness = Harness::new();
    harness.block_on(async {
        let client = client(mock_ollama::serve().await);
        let stream =
            ollama::observe_chat_stream(chat_request("llama3.2", "What is the weather in Paris?"), |request| {
                client.send_chat_messages_stream(request)
            })
            .await
            .expect("stream");
        stream.for_each(|_| async {}).await;
    });
    let generation = only_observation(&harness);
    assert_eq!(generation.output_value(), Some(weather_call()));
    assert_totals(&generation);
}

#[test]
fn a_stream_dropped_early_still_ends_its_generation_with_what_arrived() {
    let harness = Harness::new();
    harness.block_on(async {
        let client = client(mock_ollama::serve().await);
        let mut stream = ollama::observe_chat_stream(chat_request("llama3.2", "Capital of France?"), |request| {
            client.send_chat_messages_stream(request)
        })
        .await
        .expect("stream");
        stream.next().await.expect("a message").expect("a message");
    });
    let generation = only_observation(&harness);
    assert_eq!(generation.output_value(), Some(json!({"role": "assistant", "content": "Par"})));
    assert!(generation.completion_start_time.is_some());
    assert!(generation.usage_details.is_empty(), "the counts come on the last line: {generation:#?}");
}

#[test]
fn a_broken_stream_is_an_error_with_what_arrived() {
    let harness = Harness::new();
    let items = harness.block_on(async {
        let client = client(mock_ollama::serve().await);
        let stream = ollama::observe_chat_stream(chat_request("broken-model", "Capital of France?"), |request| {
            client.send_chat_messages_stream(request)
        })
        .await
        .expect("stream");
        stream.map(|item| item.is_ok()).collect::<Vec<bool>>().await
    });
    assert_eq!(items, [true, false], "one message, then the break, as ollama-rs reports it");

    let generation = only_observation(&harness);
    assert_eq!(generation.level, Level::Error);
    assert_eq!(generation.status_message.as_deref(), Some("the answer stream broke off (ollama-rs reports no cause)"));
    assert_eq!(generation.output_value(), Some(json!({"role": "assistant", "content": "Par"})));
}

#[test]
fn the_models_thinking_is_metadata() {
    let harness = Harness::new();
    harness.block_on(async {
        let client = client(mock_ollama::serve().await);
        let request = chat_request("qwen3", "Capital of France?").think(true);
        ollama::observe_chat(request, |request| client.send_chat_messages(request)).await.expect("answer")
    });
    let generation = only_observation(&harness);
    assert_eq!(generation.metadata["thinking"], "France's capital is Paris.");
    assert_eq!(generation.model_parameters["think"], json!(true));
    assert_eq!(generation.output_value(), Some(json!({"role": "assistant", "content": "Paris."})));
}

#[test]
fn a_generate_call_is_a_generation_with_system_prompt_and_response() {
    let harness = Harness::new();
    let answer = harness.block_on(async {
        let client = client(mock_ollama::serve().await);
        let request = GenerationRequest::new("llama3.2".to_owned(), "Capital of France?")
            .system("Answer briefly.")
            .options(options());
        ollama::observe_generate(request, |request| client.generate(request)).await.expect("answer")
    });
    assert_eq!(answer.response, "Paris.");

    let generation = only_observation(&harness);
    assert_eq!(generation.name, "text_completion llama3.2");
    assert_eq!(generation.observation_type, ObservationType::Generation);
    assert_eq!(generation.model.as_deref(), Some(ANSWER_MODEL));
    assert_eq!(generation.input_value(), Some(expected_input("Capital of France?")));
    assert_eq!(generation.output_value(), Some(json!({"role": "assistant", "content": "Paris."})));
    assert_eq!(generation.model_parameters["temperature"], json!(0.2));
    assert_totals(&generation);
}

#[test]
fn an_embeddings_call_is_an_embedding_with_input_and_parameters() {
    let harness = Harness::new();
    let answer = harness.block_on(async {
        let client = client(mock_ollama::serve().await);
        let request =
            GenerateEmbeddingsRequest::new("all-minilm".to_owned(), EmbeddingsInput::from("hello world")).dimensions(3);
        ollama::observe_embeddings(request, |request| client.generate_embeddings(request)).await.expect("embedding")
    });
    assert_eq!(answer.embeddings, vec![vec![0.1, 0.2, 0.3]]);

    let embedding = only_observation(&harness);
    assert_eq!(embedding.name, "embeddings all-minilm");
    assert_eq!(embedding.observation_type, ObservationType::Embedding);
    assert_eq!(embedding.input_value(), Some(json!("hello world")));
    assert_eq!(embedding.model_parameters["dimensions"], json!(3));
}

#[test]
fn a_failed_call_is_an_error_with_ollamas_message() {
    let harness = Harness::new();
    let failures = harness.block_on(async {
        let client = client(mock_ollama::serve().await);
        let chat = ollama::observe_chat(chat_request("missing-model", "Capital of France?"), |request| {
            client.send_chat_messages(request)
        })
        .await
        .is_err();
        let streamed = ollama::observe_chat_stream(chat_request("missing-model", "Capital of France?"), |request| {
            client.send_chat_messages_stream(request)
        })
        .await
        .is_err();
        let generate = ollama::observe_generate(GenerationRequest::new("missing-model".to_owned(), "Hi"), |request| {
            client.generate(request)
        })
        .await
        .is_err();
        let request = GenerateEmbeddingsRequest::new("missing-model".to_owned(), "hello".into());
        let embeddings =
            ollama::observe_embeddings(request, |request| client.generate_embeddings(request)).await.is_err();
        [chat, streamed, generate, embeddings]
    });
    assert_eq!(failures, [true; 4], "the caller still gets each error");

    let observations = harness.observations();
    assert_eq!(observations.len(), 4);
    for observation in observations {
        assert_eq!(observation.level, Level::Error, "{observation:#?}");
        assert_eq!(
            observation.status_message.as_deref(),
            Some("model \"missing-model\" not found, try pulling it first"),
            "Ollama's error body, reduced to its message"
        );
        assert!(observation.input_value().is_some(), "{observation:#?}");
        assert_eq!(observation.output_value(), None);
    }
}

#[test]
fn a_transport_error_keeps_its_cause() {
    let harness = Harness::new();
    harness.block_on(async {
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let address = closed.local_addr().expect("local address");
        drop(closed);
        let client = client(format!("http://{address}"));
        ollama::observe_chat(chat_request("llama3.2", "Capital of France?"), |request| {
            client.send_chat_messages(request)
        })
        .await
        .expect_err("nothing listens");
    });
    let generation = only_observation(&harness);
    assert_eq!(generation.level, Level::Error);
    let message = generation.status_message.as_deref().unwrap_or_default();
    assert!(message.starts_with("Reqwest error: error sending request"), "{message}");
}
