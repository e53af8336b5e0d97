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
    /// Observation metadata as one JSON object (the JS SDK's spelling).
    pub const OBSERVATION_METADATA: &str = "langfuse.observation.metadata";
    /// Trace metadata as one JSON object (the JS SDK's spelling).
    pub const TRACE_METADATA: &str = "langfuse.trace.metadata";
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
    /// Provider (current spelling).
    pub const PROVIDER_NAME: &str = "gen_ai.provider.name";
    /// Provider (older spelling).
    pub const SYSTEM: &str = "gen_ai.system";
    /// Finish reasons, an array of strings.
    pub const RESPONSE_FINISH_REASONS: &str = "gen_ai.response.finish_reasons";
    /// Seconds from the request to the first streamed chunk.
    pub const RESPONSE_TIME_TO_FIRST_CHUNK: &str = "gen_ai.response.time_to_first_chunk";
    /// Tool definitions, JSON text of an array.
    pub const TOOL_DEFINITIONS: &str = "gen_ai.tool.definitions";
    /// Older prompt: text, JSON text of messages (rig's agent input), or the prefix of
    /// indexed messages ([`PROMPT_PREFIX`]).
    pub const PROMPT: &str = "gen_ai.prompt";
    /// Older completion: text or JSON text of messages.
    pub const COMPLETION: &str = "gen_ai.completion";
    /// Prefix of indexed prompt messages (`gen_ai.prompt.0.role`, OpenLLMetry).
    pub const PROMPT_PREFIX: &str = "gen_ai.prompt.";
    /// Prefix of indexed completion messages (`gen_ai.completion.0.content`, OpenLLMetry).
    pub const COMPLETION_PREFIX: &str = "gen_ai.completion.";
    /// Total tokens.
    pub const USAGE_TOTAL_TOKENS: &str = "gen_ai.usage.total_tokens";
    /// Cached input tokens written.
    pub const USAGE_CACHE_CREATION_INPUT_TOKENS: &str = "gen_ai.usage.cache_creation.input_tokens";
    /// OpenLLMetry's spelling of cached input tokens read.
    pub const USAGE_CACHE_READ_INPUT_TOKENS_FLAT: &str = "gen_ai.usage.cache_read_input_tokens";
    /// OpenLLMetry's spelling of cached input tokens written.
    pub const USAGE_CACHE_CREATION_INPUT_TOKENS_FLAT: &str = "gen_ai.usage.cache_creation_input_tokens";
    /// rig's spelling of reasoning tokens.
    pub const USAGE_REASONING_TOKENS: &str = "gen_ai.usage.reasoning_tokens";
    /// Prompt tokens of tool use (rig).
    pub const USAGE_TOOL_USE_PROMPT_TOKENS: &str = "gen_ai.usage.tool_use_prompt_tokens";
    /// Message event of a system message.
    pub const EVENT_SYSTEM_MESSAGE: &str = "gen_ai.system.message";
    /// Message event of a user message.
    pub const EVENT_USER_MESSAGE: &str = "gen_ai.user.message";
    /// Message event of an assistant message.
    pub const EVENT_ASSISTANT_MESSAGE: &str = "gen_ai.assistant.message";
    /// Message event of a tool result.
    pub const EVENT_TOOL_MESSAGE: &str = "gen_ai.tool.message";
    /// Event of one output choice.
    pub const EVENT_CHOICE: &str = "gen_ai.choice";
    /// Older event carrying the prompt in [`PROMPT`].
    pub const EVENT_CONTENT_PROMPT: &str = "gen_ai.content.prompt";
    /// Older event carrying the completion in [`COMPLETION`].
    pub const EVENT_CONTENT_COMPLETION: &str = "gen_ai.content.completion";
    /// An event's body as one JSON text attribute.
    pub const EVENT_CONTENT: &str = "gen_ai.event.content";
    /// The provider's id of a response (kept in metadata).
    pub const RESPONSE_ID: &str = "gen_ai.response.id";
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
    /// Prefix of indexed input messages.
    pub const INPUT_MESSAGES_PREFIX: &str = "llm.input_messages.";
    /// Prefix of indexed output messages.
    pub const OUTPUT_MESSAGES_PREFIX: &str = "llm.output_messages.";
    /// MIME type of `input.value`.
    pub const INPUT_MIME_TYPE: &str = "input.mime_type";
    /// MIME type of `output.value`.
    pub const OUTPUT_MIME_TYPE: &str = "output.mime_type";
    /// Cached prompt tokens read.
    pub const TOKEN_COUNT_CACHE_READ: &str = "llm.token_count.prompt_details.cache_read";
    /// Cached prompt tokens written.
    pub const TOKEN_COUNT_CACHE_WRITE: &str = "llm.token_count.prompt_details.cache_write";
    /// Audio prompt tokens.
    pub const TOKEN_COUNT_PROMPT_AUDIO: &str = "llm.token_count.prompt_details.audio";
    /// Reasoning completion tokens.
    pub const TOKEN_COUNT_REASONING: &str = "llm.token_count.completion_details.reasoning";
    /// Audio completion tokens.
    pub const TOKEN_COUNT_COMPLETION_AUDIO: &str = "llm.token_count.completion_details.audio";
    /// Prefix of indexed tool definitions (`llm.tools.0.tool.json_schema`).
    pub const TOOLS_PREFIX: &str = "llm.tools.";
    /// Cost of the prompt, USD.
    pub const COST_PROMPT: &str = "llm.cost.prompt";
    /// Cost of the completion, USD.
    pub const COST_COMPLETION: &str = "llm.cost.completion";
    /// Total cost, USD.
    pub const COST_TOTAL: &str = "llm.cost.total";
    /// Provider.
    pub const PROVIDER: &str = "llm.provider";
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
    /// Request type: chat, completion, embedding, rerank.
    pub const REQUEST_TYPE: &str = "llm.request.type";
    /// Prefix of indexed function (tool) definitions.
    pub const REQUEST_FUNCTIONS_PREFIX: &str = "llm.request.functions.";
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
    /// Class of the error that ended the operation (sets level ERROR).
    pub const ERROR_TYPE: &str = "error.type";
    /// Name of the span event recording an exception.
    pub const EXCEPTION_EVENT: &str = "exception";
    /// Message of an exception event.
    pub const EXCEPTION_MESSAGE: &str = "exception.message";
    /// Type of an exception event.
    pub const EXCEPTION_TYPE: &str = "exception.type";
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
    /// Cached input tokens written.
    pub const CACHE_CREATION_INPUT_TOKENS: &str = "cache_creation_input_tokens";
    /// Audio input tokens.
    pub const INPUT_AUDIO_TOKENS: &str = "input_audio_tokens";
    /// Audio output tokens.
    pub const OUTPUT_AUDIO_TOKENS: &str = "output_audio_tokens";
    /// Prompt tokens of tool use.
    pub const TOOL_USE_PROMPT_TOKENS: &str = "tool_use_prompt_tokens";
}

/// Vercel AI SDK telemetry (see `docs/wire-format.md`, "Foreign conventions").
pub mod vercel {
    /// Operation: `ai.generateText`, `ai.generateText.doGenerate`, `ai.toolCall`, ...
    pub const OPERATION_ID: &str = "ai.operationId";
    /// Prompt, JSON text of `{system?, prompt?, messages?}`.
    pub const PROMPT: &str = "ai.prompt";
    /// Messages sent to the provider, JSON text.
    pub const PROMPT_MESSAGES: &str = "ai.prompt.messages";
    /// Tool definitions, an array of JSON texts.
    pub const PROMPT_TOOLS: &str = "ai.prompt.tools";
    /// Answer text.
    pub const RESPONSE_TEXT: &str = "ai.response.text";
    /// Tool calls of the answer, JSON text.
    pub const RESPONSE_TOOL_CALLS: &str = "ai.response.toolCalls";
    /// Structured answer of `generateObject`, JSON text.
    pub const RESPONSE_OBJECT: &str = "ai.response.object";
    /// Finish reason.
    pub const RESPONSE_FINISH_REASON: &str = "ai.response.finishReason";
    /// Milliseconds from the start to the first streamed chunk.
    pub const RESPONSE_MS_TO_FIRST_CHUNK: &str = "ai.response.msToFirstChunk";
    /// Model that answered.
    pub const RESPONSE_MODEL: &str = "ai.response.model";
    /// Model requested.
    pub const MODEL_ID: &str = "ai.model.id";
    /// Provider.
    pub const MODEL_PROVIDER: &str = "ai.model.provider";
    /// Input tokens (v4 spelling).
    pub const USAGE_PROMPT_TOKENS: &str = "ai.usage.promptTokens";
    /// Output tokens (v4 spelling).
    pub const USAGE_COMPLETION_TOKENS: &str = "ai.usage.completionTokens";
    /// Input tokens (v5 spelling).
    pub const USAGE_INPUT_TOKENS: &str = "ai.usage.inputTokens";
    /// Output tokens (v5 spelling).
    pub const USAGE_OUTPUT_TOKENS: &str = "ai.usage.outputTokens";
    /// Total tokens.
    pub const USAGE_TOTAL_TOKENS: &str = "ai.usage.totalTokens";
    /// Reasoning tokens.
    pub const USAGE_REASONING_TOKENS: &str = "ai.usage.reasoningTokens";
    /// Cached input tokens.
    pub const USAGE_CACHED_INPUT_TOKENS: &str = "ai.usage.cachedInputTokens";
    /// Prefix of call settings (`ai.settings.temperature`, ...).
    pub const SETTINGS_PREFIX: &str = "ai.settings.";
    /// Prefix of the telemetry metadata a user passes (`experimental_telemetry.metadata`).
    pub const METADATA_PREFIX: &str = "ai.telemetry.metadata.";
    /// Name of a tool call (on `ai.toolCall` spans).
    pub const TOOL_CALL_NAME: &str = "ai.toolCall.name";
    /// Id of a tool call.
    pub const TOOL_CALL_ID: &str = "ai.toolCall.id";
    /// Arguments of a tool call, JSON text.
    pub const TOOL_CALL_ARGS: &str = "ai.toolCall.args";
    /// Result of a tool call, JSON text.
    pub const TOOL_CALL_RESULT: &str = "ai.toolCall.result";
    /// Telemetry metadata key of the user id, as Langfuse's Vercel exporter reads it.
    pub const METADATA_USER_ID: &str = "userId";
    /// Telemetry metadata key of the session id.
    pub const METADATA_SESSION_ID: &str = "sessionId";
    /// Telemetry metadata key of the trace tags.
    pub const METADATA_TAGS: &str = "tags";
    /// Telemetry metadata key of the prompt link, JSON `{name, version}`.
    pub const METADATA_LANGFUSE_PROMPT: &str = "langfusePrompt";
}

/// Metadata keys the mapper writes.
pub mod metadata {
    /// Tool definitions, an array.
    pub const TOOLS: &str = "tools";
    /// Finish reasons, an array of strings.
    pub const FINISH_REASONS: &str = "finish_reasons";
    /// The provider (`openai`, `anthropic`, ...).
    pub const PROVIDER: &str = "provider";
}

/// Langfuse's experiment attributes: set on the spans of an experiment item's trace (the
/// 5.x SDKs send them), kept in the observation's metadata, and read by the collector to
/// store the experiment and its items.
pub mod experiment {
    /// The experiment (dataset run) id.
    pub const ID: &str = "langfuse.experiment.id";
    /// The run name.
    pub const NAME: &str = "langfuse.experiment.name";
    /// Description.
    pub const DESCRIPTION: &str = "langfuse.experiment.description";
    /// Metadata, JSON object text.
    pub const METADATA: &str = "langfuse.experiment.metadata";
    /// The dataset's id (items of a dataset only).
    pub const DATASET_ID: &str = "langfuse.experiment.dataset.id";
    /// The item's id: the dataset item's, else a hash of its input.
    pub const ITEM_ID: &str = "langfuse.experiment.item.id";
    /// The dataset version the item was read at, ISO-8601.
    pub const ITEM_VERSION: &str = "langfuse.experiment.item.version";
    /// The item's expected output, JSON text.
    pub const ITEM_EXPECTED_OUTPUT: &str = "langfuse.experiment.item.expected_output";
    /// The item's metadata, JSON text.
    pub const ITEM_METADATA: &str = "langfuse.experiment.item.metadata";
    /// The id of the task's span.
    pub const ITEM_ROOT_OBSERVATION_ID: &str = "langfuse.experiment.item.root_observation_id";
    /// The environment of every span of an experiment.
    pub const ENVIRONMENT: &str = "sdk-experiment";
}

/// Keys the collector writes when it forwards spans upstream.
pub mod forward {
    /// Resource attribute: the id of the collector project that received the spans.
    pub const PROJECT_ID: &str = "langtrace.project.id";
}
