//! A generation span in the OpenTelemetry GenAI convention: opened before the call,
//! recorded as the answer arrives, closed when the last handle drops. The integrations
//! only translate their client's types into these calls.

use std::fmt::Display;
use std::time::Instant;

use langtrace_core::vocab::{gen_ai, langfuse, otel};
use serde::Serialize;
use serde_json::Value;
use tracing::field::Empty;
use tracing::Span;

/// Token counts of one call, as the provider reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tokens {
    /// Prompt tokens, cached ones included.
    pub input: u64,
    /// Completion tokens, reasoning ones included.
    pub output: u64,
    /// Prompt tokens served from the provider's cache.
    pub cache_read: Option<u64>,
    /// Completion tokens spent on reasoning.
    pub reasoning: Option<u64>,
}

/// One traced model call.
pub(crate) struct GenerationSpan {
    span: Span,
    started: Instant,
    first_chunk_seen: bool,
}

impl GenerationSpan {
    /// Opens the span of an `operation` (`chat`, `embeddings`) on `model` of `provider`,
    /// named `"{operation} {model}"` as the convention asks.
    pub fn open(operation: &'static str, provider: &'static str, model: &str) -> Self {
        let span = tracing::info_span!(
            "gen_ai",
            otel.name = format!("{operation} {model}"),
            gen_ai.operation.name = operation,
            gen_ai.provider.name = provider,
            gen_ai.request.model = model,
            gen_ai.input.messages = Empty,
            gen_ai.tool.definitions = Empty,
            langfuse.observation.model.parameters = Empty,
            gen_ai.output.messages = Empty,
            gen_ai.response.id = Empty,
            gen_ai.response.model = Empty,
            gen_ai.response.finish_reasons = Empty,
            gen_ai.response.time_to_first_chunk = Empty,
            gen_ai.usage.input_tokens = Empty,
            gen_ai.usage.output_tokens = Empty,
            gen_ai.usage.cache_read.input_tokens = Empty,
            gen_ai.usage.reasoning.output_tokens = Empty,
            otel.status_code = Empty,
            otel.status_message = Empty,
            langfuse.observation.metadata = Empty,
        );
        Self { span, started: Instant::now(), first_chunk_seen: false }
    }

    /// The span, to instrument the call with.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// The request's messages (any shape the mapper reads; OpenAI's here).
    pub fn input(&self, messages: &impl Serialize) {
        self.record_json(gen_ai::INPUT_MESSAGES, messages);
    }

    /// The tools offered to the model.
    pub fn tools(&self, tools: &impl Serialize) {
        self.record_json(gen_ai::TOOL_DEFINITIONS, tools);
    }

    /// Sampling parameters (temperature, max tokens, ...) as one JSON object; nothing
    /// when `parameters` is empty.
    pub fn parameters(&self, parameters: &serde_json::Map<String, Value>) {
        if !parameters.is_empty() {
            self.record_json(langfuse::MODEL_PARAMETERS, parameters);
        }
    }

    /// The answer's messages and why each choice stopped.
    pub fn output(&self, messages: &impl Serialize, finish_reasons: &[String]) {
        self.record_json(gen_ai::OUTPUT_MESSAGES, messages);
        if !finish_reasons.is_empty() {
            self.record_json(gen_ai::RESPONSE_FINISH_REASONS, &finish_reasons);
        }
    }

    /// The model that answered and the provider's id of the answer.
    pub fn response(&self, model: &str, id: &str) {
        if !model.is_empty() {
            self.span.record(gen_ai::RESPONSE_MODEL, model);
        }
        if !id.is_empty() {
            self.span.record(gen_ai::RESPONSE_ID, id);
        }
    }

    /// The call's token counts.
    pub fn usage(&self, tokens: Tokens) {
        self.span.record(gen_ai::USAGE_INPUT_TOKENS, tokens.input);
        self.span.record(gen_ai::USAGE_OUTPUT_TOKENS, tokens.output);
        if let Some(cached) = tokens.cache_read {
            self.span.record(gen_ai::USAGE_CACHE_READ_INPUT_TOKENS, cached);
        }
        if let Some(reasoning) = tokens.reasoning {
            self.span.record(gen_ai::USAGE_REASONING_OUTPUT_TOKENS, reasoning);
        }
    }

    /// Marks the first streamed chunk (once): the time to first token.
    pub fn first_chunk(&mut self) {
        if !self.first_chunk_seen {
            self.first_chunk_seen = true;
            self.span.record(gen_ai::RESPONSE_TIME_TO_FIRST_CHUNK, self.started.elapsed().as_secs_f64());
        }
    }

    /// Provider details with no GenAI field (timings, say), as the observation's metadata;
    /// nothing when `metadata` is empty.
    #[cfg(feature = "ollama")]
    pub fn metadata(&self, metadata: &serde_json::Map<String, Value>) {
        if !metadata.is_empty() {
            self.record_json(langfuse::OBSERVATION_METADATA, metadata);
        }
    }

    /// The call failed: level ERROR, the error's text as status message.
    pub fn fail(&self, error: &dyn Display) {
        self.span.record(otel::STATUS_CODE_FIELD, "ERROR");
        self.span.record(otel::STATUS_MESSAGE_FIELD, error.to_string().as_str());
    }

    fn record_json(&self, key: &str, value: &impl Serialize) {
        // Serialising a client's own request or response types cannot fail in practice;
        // if one ever does, the field stays empty rather than breaking the call.
        if let Ok(text) = serde_json::to_string(value) {
            self.span.record(key, text.as_str());
        }
    }
}
