//! ollama-rs calls as generations. Hand each helper the request and the client call to
//! make with it; the span opens before the request is sent and closes when the answer
//! (or, streamed, the last message) is in. The request is moved into the call, never
//! cloned (it may carry images):
//!
//! ```no_run
//! # async fn run(client: ollama_rs::Ollama,
//! #              request: ollama_rs::generation::chat::request::ChatMessageRequest)
//! #              -> Result<(), ollama_rs::error::OllamaError> {
//! use langtrace_integrations::ollama;
//!
//! let answer = ollama::observe_chat(request, |request| client.send_chat_messages(request)).await?;
//! # Ok(()) }
//! ```
//!
//! Each call becomes a generation named `chat {model}` (`text_completion {model}` for
//! generate, an embedding named `embeddings {model}` for embeddings) with the request's
//! messages (images as media), options as model parameters, and tools, the answer's
//! message with its tool calls, the model that answered, usage from `prompt_eval_count`
//! and `eval_count`, Ollama's timings as metadata, time to first token when streamed,
//! and level ERROR with the error's text on failure.

mod messages;
mod stream;

use std::error::Error;
use std::future::Future;

use ollama_rs::generation::chat::request::ChatMessageRequest;
use ollama_rs::generation::chat::ChatMessageResponse;
use ollama_rs::generation::completion::request::GenerationRequest;
use ollama_rs::generation::completion::GenerationResponse;
use ollama_rs::generation::embeddings::request::GenerateEmbeddingsRequest;
use ollama_rs::generation::embeddings::GenerateEmbeddingsResponse;
use serde_json::Value;
use tracing::Instrument;

pub use stream::ObservedChatStream;

use crate::generation::GenerationSpan;
use crate::json::to_object;
use messages::{chat_message, parameters, shaped_message, Totals, ANSWER_PARAMETERS, EMBEDDING_PARAMETERS};

/// Provider name recorded on every span of this module.
const PROVIDER: &str = "ollama";

/// Makes `call` (say `|request| client.send_chat_messages(request)`) with `request`
/// inside a generation describing both and the answer.
pub async fn observe_chat<C, F, E>(request: ChatMessageRequest, call: C) -> Result<ChatMessageResponse, E>
where
    C: FnOnce(ChatMessageRequest) -> F,
    F: Future<Output = Result<ChatMessageResponse, E>>,
    E: Error,
{
    let generation = open_chat(&request);
    let result = call(request).instrument(generation.span().clone()).await;
    match &result {
        Ok(response) => {
            generation.output(&chat_message(&response.message), &[]);
            generation.response(&response.model, "");
            record_totals(
                &generation,
                Totals::of_chat(response.final_data.as_ref(), response.message.thinking.as_deref()),
            );
        }
        Err(error) => generation.fail(&error_message(error)),
    }
    result
}

/// Makes `call` (say `|request| client.send_chat_messages_stream(request)`, ollama-rs's
/// `stream` feature) with `request` inside a generation, and returns its stream wrapped
/// so that the messages complete the generation: text and tool calls gathered, time to
/// first token at the first message, usage and timings from the last one. The
/// generation ends when the stream ends or is dropped.
pub async fn observe_chat_stream<C, F, S, E>(request: ChatMessageRequest, call: C) -> Result<ObservedChatStream<S>, E>
where
    C: FnOnce(ChatMessageRequest) -> F,
    F: Future<Output = Result<S, E>>,
    E: Error,
{
    let generation = open_chat(&request);
    match call(request).instrument(generation.span().clone()).await {
        Ok(inner) => Ok(ObservedChatStream::new(inner, generation)),
        Err(error) => {
            generation.fail(&error_message(&error));
            Err(error)
        }
    }
}

/// Makes `call` (say `|request| client.generate(request)`) with `request` inside a
/// generation: the system prompt and the prompt (with its images) as input messages,
/// the response text as the assistant's answer.
pub async fn observe_generate<'a, C, F, E>(request: GenerationRequest<'a>, call: C) -> Result<GenerationResponse, E>
where
    C: FnOnce(GenerationRequest<'a>) -> F,
    F: Future<Output = Result<GenerationResponse, E>>,
    E: Error,
{
    let generation = GenerationSpan::open("text_completion", PROVIDER, &request.model_name);
    let system = request.system.as_deref().map(|system| shaped_message("system", system, &[], &[]));
    let prompt = shaped_message("user", &request.prompt, &request.images, &[]);
    generation.input(&system.into_iter().chain([prompt]).collect::<Vec<Value>>());
    generation.parameters(&parameters(&to_object(&request), ANSWER_PARAMETERS));
    let result = call(request).instrument(generation.span().clone()).await;
    match &result {
        Ok(response) => {
            generation.output(&shaped_message("assistant", &response.response, &[], &[]), &[]);
            generation.response(&response.model, "");
            record_totals(&generation, Totals::of_generate(response));
        }
        Err(error) => generation.fail(&error_message(error)),
    }
    result
}

/// Makes `call` (say `|request| client.generate_embeddings(request)`) with `request`
/// inside an embedding observation with the request's input, model and parameters
/// (Ollama's embeddings answer reports no token counts through ollama-rs).
pub async fn observe_embeddings<C, F, E>(
    request: GenerateEmbeddingsRequest,
    call: C,
) -> Result<GenerateEmbeddingsResponse, E>
where
    C: FnOnce(GenerateEmbeddingsRequest) -> F,
    F: Future<Output = Result<GenerateEmbeddingsResponse, E>>,
    E: Error,
{
    let generation = GenerationSpan::open("embeddings", PROVIDER, &request.model_name);
    let fields = to_object(&request);
    if let Some(input) = fields.get("input") {
        generation.input(input);
    }
    generation.parameters(&parameters(&fields, EMBEDDING_PARAMETERS));
    let result = call(request).instrument(generation.span().clone()).await;
    if let Err(error) = &result {
        generation.fail(&error_message(error));
    }
    result
}

/// The generation of a chat request, before it is sent.
fn open_chat(request: &ChatMessageRequest) -> GenerationSpan {
    let generation = GenerationSpan::open("chat", PROVIDER, &request.model_name);
    generation.input(&request.messages.iter().map(chat_message).collect::<Vec<Value>>());
    if !request.tools.is_empty() {
        generation.tools(&request.tools);
    }
    generation.parameters(&parameters(&to_object(request), ANSWER_PARAMETERS));
    generation
}

/// Records the usage and metadata of a finished answer.
fn record_totals(generation: &GenerationSpan, totals: Totals) {
    if let Some(tokens) = totals.tokens {
        generation.usage(tokens);
    }
    generation.metadata(&totals.metadata);
}

/// The error's text followed by its causes (ollama-rs's own text for a transport error
/// is only `Reqwest error`); Ollama's `{"error": "..."}` answer body reduced to its message.
fn error_message(error: &dyn Error) -> String {
    let text = error.to_string();
    let mut message = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(body)) => body.get("error").and_then(Value::as_str).map_or(text, str::to_owned),
        _ => text,
    };
    let mut cause = error.source();
    while let Some(source) = cause {
        message.push_str(": ");
        message.push_str(&source.to_string());
        cause = source.source();
    }
    message
}
