//! async-openai calls as generations. Wrap the client's future in one of these helpers;
//! the span opens before the request is sent and closes when the answer (or, streamed,
//! the last chunk) is in:
//!
//! ```no_run
//! # async fn run(client: async_openai::Client<async_openai::config::OpenAIConfig>,
//! #              request: async_openai::types::chat::CreateChatCompletionRequest)
//! #              -> Result<(), async_openai::error::OpenAIError> {
//! use langtrace_integrations::openai;
//!
//! let answer = openai::observe_chat(&request, client.chat().create(request.clone())).await?;
//! # Ok(()) }
//! ```
//!
//! Each call becomes a generation named `chat {model}` (or `embeddings {model}`) with the
//! request's messages, sampling parameters and tools, the answer's messages (tool calls
//! included), finish reasons, response model, usage (cached and reasoning tokens too),
//! time to first token when streamed, and level ERROR with the error's text on failure.

mod stream;

use std::fmt::Display;
use std::future::Future;

use async_openai::types::chat::{CompletionUsage, CreateChatCompletionRequest, CreateChatCompletionResponse};
use async_openai::types::embeddings::{CreateEmbeddingRequest, CreateEmbeddingResponse};
use serde_json::Value;
use tracing::Instrument;

pub use stream::ObservedChatStream;

use crate::generation::{GenerationSpan, Tokens};
use crate::json::{pick, to_object, to_value};

/// Provider name recorded on every span of this module.
const PROVIDER: &str = "openai";

/// Request keys that are sampling parameters of a chat call, recorded as the
/// generation's model parameters.
const CHAT_PARAMETERS: &[&str] = &[
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "frequency_penalty",
    "presence_penalty",
    "seed",
    "stop",
    "n",
    "reasoning_effort",
    "response_format",
    "tool_choice",
    "parallel_tool_calls",
    "logprobs",
    "top_logprobs",
];

/// Request keys of an embeddings call recorded as model parameters.
const EMBEDDING_PARAMETERS: &[&str] = &["dimensions", "encoding_format"];

/// Awaits `call` (the client's `chat().create(request)`) inside a generation describing
/// `request` and its answer.
pub async fn observe_chat<F, E>(
    request: &CreateChatCompletionRequest,
    call: F,
) -> Result<CreateChatCompletionResponse, E>
where
    F: Future<Output = Result<CreateChatCompletionResponse, E>>,
    E: Display,
{
    let generation = open_chat(request);
    let result = call.instrument(generation.span().clone()).await;
    match &result {
        Ok(response) => {
            let mut messages = Vec::with_capacity(response.choices.len());
            let mut finish_reasons = Vec::new();
            for choice in &response.choices {
                let mut message = to_object(&choice.message);
                if let Some(reason) =
                    choice.finish_reason.as_ref().and_then(|r| to_value(r).as_str().map(str::to_owned))
                {
                    message.insert("finish_reason".into(), Value::String(reason.clone()));
                    finish_reasons.push(reason);
                }
                messages.push(Value::Object(message));
            }
            generation.output(&messages, &finish_reasons);
            generation.response(&response.model, &response.id);
            if let Some(usage) = &response.usage {
                generation.usage(chat_tokens(usage));
            }
        }
        Err(error) => generation.fail(error),
    }
    result
}

/// Awaits `call` (the client's `chat().create_stream(request)`) inside a generation, and
/// returns its stream wrapped so that the chunks complete the generation: output text
/// and tool calls gathered, time to first token at the first chunk, usage from the last
/// one (ask for it with `stream_options.include_usage`). The generation ends when the
/// stream ends or is dropped.
pub async fn observe_chat_stream<F, S, E>(
    request: &CreateChatCompletionRequest,
    call: F,
) -> Result<ObservedChatStream<S>, E>
where
    F: Future<Output = Result<S, E>>,
    E: Display,
{
    let generation = open_chat(request);
    match call.instrument(generation.span().clone()).await {
        Ok(inner) => Ok(ObservedChatStream::new(inner, generation)),
        Err(error) => {
            generation.fail(&error);
            Err(error)
        }
    }
}

/// Awaits `call` (the client's `embeddings().create(request)`) inside an embedding
/// observation with the request's input, model, dimensions and usage.
pub async fn observe_embeddings<F, E>(request: &CreateEmbeddingRequest, call: F) -> Result<CreateEmbeddingResponse, E>
where
    F: Future<Output = Result<CreateEmbeddingResponse, E>>,
    E: Display,
{
    let generation = GenerationSpan::open("embeddings", PROVIDER, &request.model);
    let fields = to_object(request);
    if let Some(input) = fields.get("input") {
        generation.input(input);
    }
    generation.parameters(&pick(&fields, EMBEDDING_PARAMETERS));
    let result = call.instrument(generation.span().clone()).await;
    match &result {
        Ok(response) => {
            generation.response(&response.model, "");
            let input = u64::from(response.usage.prompt_tokens);
            generation.usage(Tokens { input, output: 0, cache_read: None, reasoning: None });
        }
        Err(error) => generation.fail(error),
    }
    result
}

/// The generation of a chat request, before it is sent.
fn open_chat(request: &CreateChatCompletionRequest) -> GenerationSpan {
    let generation = GenerationSpan::open("chat", PROVIDER, &request.model);
    generation.input(&request.messages);
    if let Some(tools) = request.tools.as_ref().filter(|tools| !tools.is_empty()) {
        generation.tools(tools);
    }
    generation.parameters(&pick(&to_object(request), CHAT_PARAMETERS));
    generation
}

/// The token counts of a chat answer.
fn chat_tokens(usage: &CompletionUsage) -> Tokens {
    Tokens {
        input: u64::from(usage.prompt_tokens),
        output: u64::from(usage.completion_tokens),
        cache_read: usage.prompt_tokens_details.as_ref().and_then(|d| d.cached_tokens).map(u64::from),
        reasoning: usage.completion_tokens_details.as_ref().and_then(|d| d.reasoning_tokens).map(u64::from),
    }
}
