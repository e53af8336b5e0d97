//! Every attribute key langtrace reads or writes, in one place: the keys of Langfuse's
//! OTLP vocabulary, the foreign conventions the mapper understands, and the `tracing`
//! field names `#[observe]` emits. No other module spells a key as a string literal.

/// `tracing` field names and targets emitted by `#[observe]` and the context API.
pub mod fields {
    /// Target of the spans `#[observe]` and `event()` open.
    pub const OBSERVE_TARGET: &str = "langtrace::observe";
    /// Target of the transparent spans opened by `Scope` (attribute propagation).
    pub const SCOPE_TARGET: &str = "langtrace::scope";
    /// Observation type, lower-case.
    pub const AS_TYPE: &str = "langtrace.as_type";
    /// Model name given to `#[observe(model = ...)]`.
    pub const MODEL: &str = "langtrace.model";
    /// Initial level given to `#[observe(level = ...)]`.
    pub const LEVEL: &str = "langtrace.level";
}

/// Langfuse's OTLP attribute keys (see `docs/wire-format.md`, "Langfuse attribute vocabulary").
pub mod langfuse {
    /// Trace name.
    pub const TRACE_NAME: &str = "langfuse.trace.name";
    /// User id (also read: [`USER_ID_ALT`]).
    pub const USER_ID: &str = "user.id";
    /// Alternative user id key the server reads.
    pub const USER_ID_ALT: &str = "langfuse.user.id";
    /// Session id (also read: [`SESSION_ID_ALT`]).
    pub const SESSION_ID: &str = "session.id";
    /// Alternative session id key the server reads.
    pub const SESSION_ID_ALT: &str = "langfuse.session.id";
    /// Trace tags, an array of strings.
    pub const TRACE_TAGS: &str = "langfuse.trace.tags";
    /// Whether the trace is public.
    pub const TRACE_PUBLIC: &str = "langfuse.trace.public";
    /// Prefix of flattened trace metadata keys.
    pub const TRACE_METADATA_PREFIX: &str = "langfuse.trace.metadata.";
    /// Trace input.
    pub const TRACE_INPUT: &str = "langfuse.trace.input";
    /// Trace output.
    pub const TRACE_OUTPUT: &str = "langfuse.trace.output";
    /// Observation type.
    pub const OBSERVATION_TYPE: &str = "langfuse.observation.type";
    /// Observation level.
    pub const OBSERVATION_LEVEL: &str = "langfuse.observation.level";
    /// Observation status message.
    pub const OBSERVATION_STATUS_MESSAGE: &str = "langfuse.observation.status_message";
    /// Observation input.
    pub const OBSERVATION_INPUT: &str = "langfuse.observation.input";
    /// Observation output.
    pub const OBSERVATION_OUTPUT: &str = "langfuse.observation.output";
    /// Prefix of flattened observation metadata keys.
    pub const OBSERVATION_METADATA_PREFIX: &str = "langfuse.observation.metadata.";
    /// Model name.
    pub const MODEL_NAME: &str = "langfuse.observation.model.name";
    /// Model parameters, JSON object text.
    pub const MODEL_PARAMETERS: &str = "langfuse.observation.model.parameters";
    /// Usage details, JSON object text of integers.
    pub const USAGE_DETAILS: &str = "langfuse.observation.usage_details";
    /// Cost details, JSON object text of floats.
    pub const COST_DETAILS: &str = "langfuse.observation.cost_details";
    /// Completion start time, JSON text of an ISO-8601 timestamp.
    pub const COMPLETION_START_TIME: &str = "langfuse.observation.completion_start_time";
    /// Prompt name.
    pub const PROMPT_NAME: &str = "langfuse.observation.prompt.name";
    /// Prompt version.
    pub const PROMPT_VERSION: &str = "langfuse.observation.prompt.version";
    /// Environment (resource and spans).
    pub const ENVIRONMENT: &str = "langfuse.environment";
    /// Release.
    pub const RELEASE: &str = "langfuse.release";
    /// Version.
    pub const VERSION: &str = "langfuse.version";
    /// Treat the span as trace root even with a parent.
    pub const AS_ROOT: &str = "langfuse.internal.as_root";
    /// Prompt name, the older spelling Langfuse's server also reads after [`PROMPT_NAME`].
    pub const PROMPT_NAME_ALT: &str = "langfuse.prompt.name";
    /// Prompt version, the older spelling read after [`PROMPT_VERSION`].
    pub const PROMPT_VERSION_ALT: &str = "langfuse.prompt.version";
}

/// OpenTelemetry GenAI semantic conventions (see `docs/wire-format.md`, "Foreign conventions").
pub mod gen_ai {
    /// Operation name: chat, embeddings, execute_tool, ...
    pub const OPERATION_NAME: &str = "gen_ai.operation.name";
    /// Requested model.
    pub const REQUEST_MODEL: &str = "gen_ai.request.model";
    /// Model that answered.
    pub const RESPONSE_MODEL: &str = "gen_ai.response.model";
    /// Prefix of request parameters (`gen_ai.request.temperature`, ...).
    pub const REQUEST_PREFIX: &str = "gen_ai.request.";
    /// Input tokens.
    pub const USAGE_INPUT_TOKENS: &str = "gen_ai.usage.input_tokens";
    /// Output tokens.
    pub const USAGE_OUTPUT_TOKENS: &str = "gen_ai.usage.output_tokens";
    /// Cached input tokens read.
    pub const USAGE_CACHE_READ_INPUT_TOKENS: &str = "gen_ai.usage.cache_read.input_tokens";
    /// Reasoning output tokens.
    pub const USAGE_REASONING_OUTPUT_TOKENS: &str = "gen_ai.usage.reasoning.output_tokens";
    /// Older OpenLLMetry spelling of input tokens.
    pub const USAGE_PROMPT_TOKENS: &str = "gen_ai.usage.prompt_tokens";
    /// Older OpenLLMetry spelling of output tokens.
    pub const USAGE_COMPLETION_TOKENS: &str = "gen_ai.usage.completion_tokens";
    /// Input messages, JSON text.
    pub const INPUT_MESSAGES: &str = "gen_ai.input.messages";
    /// Output messages, JSON text.
    pub const OUTPUT_MESSAGES: &str = "gen_ai.output.messages";
    /// System instructions, JSON text.
    pub const SYSTEM_INSTRUCTIONS: &str = "gen_ai.system_instructions";
    /// Tool call arguments.
    pub const TOOL_CALL_ARGUMENTS: &str = "gen_ai.tool.call.arguments";
    /// Tool call result.
    pub const TOOL_CALL_RESULT: &str = "gen_ai.tool.call.result";
    /// Conversation (session) id.
    pub const CONVERSATION_ID: &str = "gen_ai.conversation.id";
    /// Agent name.
    pub const AGENT_NAME: &str = "gen_ai.agent.name";
    /// Tool name.
    pub const TOOL_NAME: &str = "gen_ai.tool.name";
    /// Tool call id.
    pub const TOOL_CALL_ID: &str = "gen_ai.tool.call.id";
}

/// OpenInference conventions (see `docs/wire-format.md`, "Foreign conventions").
pub mod openinference {
    /// Span kind: LLM, CHAIN, TOOL, ...
    pub const SPAN_KIND: &str = "openinference.span.kind";
    /// Input value.
    pub const INPUT_VALUE: &str = "input.value";
    /// Output value.
    pub const OUTPUT_VALUE: &str = "output.value";
    /// Model name.
    pub const MODEL_NAME: &str = "llm.model_name";
    /// Invocation parameters, JSON text.
    pub const INVOCATION_PARAMETERS: &str = "llm.invocation_parameters";
    /// Prompt tokens.
    pub const TOKEN_COUNT_PROMPT: &str = "llm.token_count.prompt";
    /// Completion tokens.
    pub const TOKEN_COUNT_COMPLETION: &str = "llm.token_count.completion";
    /// Total tokens.
    pub const TOKEN_COUNT_TOTAL: &str = "llm.token_count.total";
    /// Tags.
    pub const TAGS: &str = "tag.tags";
}

/// OpenLLMetry (Traceloop) conventions (see `docs/wire-format.md`, "Foreign conventions").
pub mod openllmetry {
    /// Span kind: workflow, task, agent, tool.
    pub const SPAN_KIND: &str = "traceloop.span.kind";
    /// Entity input.
    pub const ENTITY_INPUT: &str = "traceloop.entity.input";
    /// Entity output.
    pub const ENTITY_OUTPUT: &str = "traceloop.entity.output";
    /// Prefix of association properties (user_id, session_id, free keys).
    pub const ASSOCIATION_PREFIX: &str = "traceloop.association.properties.";
    /// Old total-token key.
    pub const USAGE_TOTAL_TOKENS: &str = "llm.usage.total_tokens";
}

/// OpenTelemetry resource attributes (see `docs/wire-format.md`, "Foreign conventions") and
/// `tracing-opentelemetry` fields.
pub mod otel {
    /// Service name.
    pub const SERVICE_NAME: &str = "service.name";
    /// Service version (fallback for version).
    pub const SERVICE_VERSION: &str = "service.version";
    /// Deployment environment (fallback for environment).
    pub const DEPLOYMENT_ENVIRONMENT_NAME: &str = "deployment.environment.name";
    /// Older deployment environment key.
    pub const DEPLOYMENT_ENVIRONMENT: &str = "deployment.environment";
    /// `tracing-opentelemetry`'s span name override field.
    pub const NAME_FIELD: &str = "otel.name";
    /// `tracing-opentelemetry`'s span kind field (not mapped; kept out of metadata).
    pub const KIND_FIELD: &str = "otel.kind";
    /// `tracing-opentelemetry`'s status code field (`ERROR` sets level ERROR).
    pub const STATUS_CODE_FIELD: &str = "otel.status_code";
    /// `tracing-opentelemetry`'s status message field.
    pub const STATUS_MESSAGE_FIELD: &str = "otel.status_message";
}

/// Usage-detail keys Langfuse uses.
pub mod usage {
    /// Input tokens.
    pub const INPUT: &str = "input";
    /// Output tokens.
    pub const OUTPUT: &str = "output";
    /// Total tokens.
    pub const TOTAL: &str = "total";
    /// Cached input tokens read.
    pub const CACHE_READ_INPUT_TOKENS: &str = "cache_read_input_tokens";
    /// Reasoning output tokens.
    pub const REASONING_OUTPUT_TOKENS: &str = "reasoning_output_tokens";
}
