//! What OpenInference, OpenLLMetry, the Vercel AI SDK and Langfuse's JS SDK send.

use std::time::Duration;

use serde_json::{json, Value};

use super::*;

/// openinference-instrumentation-openai's LLM span: indexed messages with an image and a
/// tool call, the request as `input.value`, detailed token counts, a tool schema.
#[test]
fn openinference_llm_span() {
    let request = json!({"model": "gpt-4o-mini", "messages": []}).to_string();
    let mapped = map(&[
        ("openinference.span.kind", json!("LLM")),
        ("llm.model_name", json!("gpt-4o-mini-2024-07-18")),
        ("llm.provider", json!("openai")),
        ("llm.invocation_parameters", json!("{\"temperature\":0.1}")),
        ("input.value", json!(request)),
        ("input.mime_type", json!("application/json")),
        ("output.value", json!("{\"id\":\"chatcmpl-1\"}")),
        ("output.mime_type", json!("application/json")),
        ("llm.input_messages.0.message.role", json!("system")),
        ("llm.input_messages.0.message.content", json!("Be brief.")),
        ("llm.input_messages.1.message.role", json!("user")),
        ("llm.input_messages.1.message.contents.0.message_content.type", json!("text")),
        ("llm.input_messages.1.message.contents.0.message_content.text", json!("What is this?")),
        ("llm.input_messages.1.message.contents.1.message_content.type", json!("image")),
        (
            "llm.input_messages.1.message.contents.1.message_content.image.image.url",
            json!("data:image/png;base64,AAAA"),
        ),
        ("llm.output_messages.0.message.role", json!("assistant")),
        ("llm.output_messages.0.message.tool_calls.0.tool_call.id", json!("call_1")),
        ("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", json!("weather")),
        ("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", json!("{\"city\":\"Paris\"}")),
        ("llm.token_count.prompt", json!(30)),
        ("llm.token_count.completion", json!(10)),
        ("llm.token_count.total", json!(40)),
        ("llm.token_count.prompt_details.cache_read", json!(8)),
        ("llm.token_count.prompt_details.cache_write", json!(6)),
        ("llm.token_count.prompt_details.audio", json!(0)),
        ("llm.token_count.completion_details.reasoning", json!(3)),
        ("llm.token_count.completion_details.audio", json!(0)),
        ("llm.tools.0.tool.json_schema", json!("{\"type\":\"function\",\"function\":{\"name\":\"weather\"}}")),
        ("llm.cost.total", json!(0.002)),
    ]);
    assert_eq!(mapped.observation_type, Some(ObservationType::Generation));
    assert_eq!(mapped.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(mapped.model_parameters["temperature"], json!(0.1));
    assert_eq!(
        mapped.usage_details,
        usage(&[
            ("input", 30),
            ("output", 10),
            ("total", 40),
            ("cache_read_input_tokens", 8),
            ("cache_creation_input_tokens", 6),
            ("input_audio_tokens", 0),
            ("reasoning_output_tokens", 3),
            ("output_audio_tokens", 0)
        ])
    );
    assert_eq!(mapped.cost_details["total"], 0.002);
    assert_eq!(
        input(&mapped),
        json!([
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
            ]}
        ])
    );
    assert_eq!(
        output(&mapped),
        json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}}
        ]})
    );
    assert_eq!(mapped.metadata["tools"], json!([{"type": "function", "function": {"name": "weather"}}]));
    assert_eq!(mapped.metadata["input.value"], json!(request), "the request as sent is kept");
    assert_eq!(
        keys(&mapped),
        ["input.mime_type", "input.value", "output.mime_type", "output.value", "provider", "tools"]
    );
}

/// OpenInference spans without indexed messages: `input.value` is the input, as text
/// when its MIME type says so; every span kind maps.
#[test]
fn openinference_values_and_kinds() {
    let mapped = map(&[
        ("openinference.span.kind", json!("CHAIN")),
        ("input.value", json!("{\"not\": \"parsed\"}")),
        ("input.mime_type", json!("text/plain")),
        ("output.value", json!("{\"answer\":42}")),
        ("output.mime_type", json!("application/json")),
    ]);
    assert_eq!(input(&mapped), json!("{\"not\": \"parsed\"}"));
    assert_eq!(output(&mapped), json!({"answer": 42}));
    assert!(mapped.metadata.is_empty(), "{:?}", mapped.metadata);
    use ObservationType as T;
    let kinds = [
        ("LLM", T::Generation),
        ("CHAIN", T::Chain),
        ("TOOL", T::Tool),
        ("AGENT", T::Agent),
        ("RETRIEVER", T::Retriever),
        ("EMBEDDING", T::Embedding),
        ("RERANKER", T::Retriever),
        ("GUARDRAIL", T::Guardrail),
        ("EVALUATOR", T::Evaluator),
    ];
    for (kind, expected) in kinds {
        assert_eq!(map(&[("openinference.span.kind", json!(kind))]).observation_type, Some(expected), "{kind}");
    }
}

/// opentelemetry-instrumentation-openai (OpenLLMetry)'s `openai.chat` span: indexed
/// prompt and completion with a tool call, the request type, functions offered.
#[test]
fn openllmetry_chat_span() {
    let mapped = map(&[
        ("llm.request.type", json!("chat")),
        ("gen_ai.system", json!("OpenAI")),
        ("gen_ai.request.model", json!("gpt-4o-mini")),
        ("gen_ai.response.model", json!("gpt-4o-mini-2024-07-18")),
        ("gen_ai.prompt.0.role", json!("system")),
        ("gen_ai.prompt.0.content", json!("Be brief.")),
        ("gen_ai.prompt.1.role", json!("user")),
        ("gen_ai.prompt.1.content", json!("Weather in Paris?")),
        ("gen_ai.completion.0.role", json!("assistant")),
        ("gen_ai.completion.0.finish_reason", json!("tool_calls")),
        ("gen_ai.completion.0.tool_calls.0.id", json!("call_1")),
        ("gen_ai.completion.0.tool_calls.0.name", json!("weather")),
        ("gen_ai.completion.0.tool_calls.0.arguments", json!("{\"city\":\"Paris\"}")),
        ("gen_ai.usage.prompt_tokens", json!(30)),
        ("gen_ai.usage.completion_tokens", json!(10)),
        ("llm.usage.total_tokens", json!(40)),
        ("gen_ai.usage.cache_read_input_tokens", json!(0)),
        ("llm.request.functions.0.name", json!("weather")),
        ("llm.request.functions.0.parameters", json!("{\"type\":\"object\"}")),
    ]);
    assert_eq!(mapped.observation_type, Some(ObservationType::Generation));
    assert_eq!(mapped.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(
        mapped.usage_details,
        usage(&[("input", 30), ("output", 10), ("total", 40), ("cache_read_input_tokens", 0)])
    );
    assert_eq!(
        input(&mapped),
        json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Paris?"}])
    );
    assert_eq!(
        output(&mapped),
        json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}}
        ]})
    );
    assert_eq!(mapped.metadata["finish_reasons"], json!(["tool_calls"]));
    assert_eq!(mapped.metadata["tools"], json!([{"name": "weather", "parameters": {"type": "object"}}]));
    assert_eq!(keys(&mapped), ["finish_reasons", "provider", "tools"]);
}

/// OpenLLMetry's workflow and task spans: entity input and output as sent; the request
/// types of completions and embeddings.
#[test]
fn openllmetry_entities_and_request_types() {
    let mapped = map(&[
        ("traceloop.span.kind", json!("task")),
        ("traceloop.entity.input", json!("{\"args\":[1],\"kwargs\":{\"x\":2}}")),
        ("traceloop.entity.output", json!("3")),
    ]);
    assert_eq!(mapped.observation_type, Some(ObservationType::Span));
    assert_eq!((input(&mapped), output(&mapped)), (json!({"args": [1], "kwargs": {"x": 2}}), json!(3)));
    let kind = |request: &str| map(&[("llm.request.type", json!(request))]).observation_type;
    assert_eq!(kind("completion"), Some(ObservationType::Generation));
    assert_eq!(kind("embedding"), Some(ObservationType::Embedding));
}

/// The Vercel AI SDK's `ai.generateText` wrapper, its `doGenerate` provider call and its
/// `ai.toolCall`, with Langfuse's keys passed as telemetry metadata.
#[test]
fn vercel_ai_sdk_spans() {
    let outer = map(&[
        ("ai.operationId", json!("ai.generateText")),
        ("operation.name", json!("ai.generateText my-fn")),
        ("ai.model.id", json!("gpt-4o-mini")),
        ("ai.model.provider", json!("openai.chat")),
        ("ai.prompt", json!("{\"system\":\"Be brief.\",\"prompt\":\"Hi\"}")),
        ("ai.response.text", json!("Hello")),
        ("ai.usage.promptTokens", json!(10)),
        ("ai.usage.completionTokens", json!(2)),
        ("ai.settings.maxRetries", json!(2)),
        ("ai.telemetry.functionId", json!("my-fn")),
        ("ai.telemetry.metadata.userId", json!("u1")),
        ("ai.telemetry.metadata.sessionId", json!("s1")),
        ("ai.telemetry.metadata.tags", json!(["a", "b"])),
        ("ai.telemetry.metadata.langfusePrompt", json!("{\"name\":\"greet\",\"version\":2}")),
        ("ai.telemetry.metadata.plan", json!("pro")),
    ]);
    assert_eq!(outer.observation_type, Some(ObservationType::Span), "the wrapper is no generation");
    assert_eq!(outer.model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(outer.usage_details, usage(&[("input", 10), ("output", 2)]));
    assert_eq!(outer.model_parameters["maxRetries"], json!(2));
    assert_eq!(input(&outer), json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]));
    assert_eq!(output(&outer), json!({"role": "assistant", "content": "Hello"}));
    assert_eq!(
        (outer.trace.user_id.as_deref(), outer.trace.session_id.as_deref(), outer.trace.tags.clone()),
        (Some("u1"), Some("s1"), vec!["a".to_owned(), "b".to_owned()])
    );
    assert_eq!(outer.prompt, Some(PromptRef { name: "greet".into(), version: 2 }));
    assert_eq!(outer.metadata["plan"], json!("pro"));
    assert_eq!(outer.metadata["ai.prompt"], json!({"system": "Be brief.", "prompt": "Hi"}));

    let messages = json!([
        {"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image", "image": "AAAA", "mimeType": "image/png"}
        ]}
    ]);
    let call = map(&[
        ("ai.operationId", json!("ai.generateText.doGenerate")),
        ("ai.model.id", json!("gpt-4o-mini")),
        ("ai.prompt.messages", text(messages.clone())),
        ("ai.prompt.tools", json!(["{\"type\":\"function\",\"name\":\"weather\"}"])),
        ("ai.response.text", json!("")),
        (
            "ai.response.toolCalls",
            text(
                json!([{"toolCallType": "function", "toolCallId": "call_1", "toolName": "weather", "args": "{\"city\":\"Paris\"}"}]),
            ),
        ),
        ("ai.response.finishReason", json!("tool-calls")),
        ("ai.response.msToFirstChunk", json!(120)),
        ("ai.usage.inputTokens", json!(12)),
        ("ai.usage.outputTokens", json!(4)),
        ("gen_ai.request.model", json!("gpt-4o-mini")),
        ("gen_ai.usage.input_tokens", json!(12)),
    ]);
    assert_eq!(call.observation_type, Some(ObservationType::Generation));
    assert_eq!(call.usage_details, usage(&[("input", 12), ("output", 4)]));
    assert_eq!(
        input(&call),
        json!([{"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
        ]}])
    );
    assert_eq!(
        output(&call),
        json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}}
        ]})
    );
    assert_eq!(call.metadata["finish_reasons"], json!(["tool-calls"]));
    assert_eq!(call.metadata["tools"], json!([{"type": "function", "name": "weather"}]));
    assert_eq!(call.metadata["ai.prompt.messages"], messages);
    assert_eq!(call.first_token_after, Some(Duration::from_millis(120)));

    let tool = map(&[
        ("ai.operationId", json!("ai.toolCall")),
        ("ai.toolCall.name", json!("weather")),
        ("ai.toolCall.id", json!("call_1")),
        ("ai.toolCall.args", json!("{\"city\":\"Paris\"}")),
        ("ai.toolCall.result", json!("\"sunny\"")),
    ]);
    assert_eq!(tool.observation_type, Some(ObservationType::Tool));
    assert_eq!((input(&tool), output(&tool)), (json!({"city": "Paris"}), json!("sunny")));
}

/// `@langfuse/tracing` (JS) may send observation and trace metadata as one JSON object.
#[test]
fn langfuse_js_whole_metadata_objects() {
    let mapped = map(&[
        ("langfuse.observation.metadata", json!("{\"step\":1,\"tool\":\"search\"}")),
        ("langfuse.observation.metadata.step", json!("2")),
        ("langfuse.trace.metadata", json!("{\"team\":\"core\"}")),
    ]);
    assert_eq!(Value::Object(mapped.metadata), json!({"step": 2, "tool": "search"}));
    assert_eq!(mapped.trace.metadata["team"], json!("core"));
}
