//! What genai and rig-core record on their spans (OTel GenAI, current and older).

use serde_json::{json, Value};

use super::*;

/// The fields genai 0.7 (feature `otel`) records on its `genai.chat` span, content
/// capture on, a tool offered.
#[test]
fn genai_chat_span() {
    let tools = json!([{"type": "function", "name": "weather", "parameters": {"type": "object"}}]);
    let gen_ai_output =
        json!([{"role": "assistant", "parts": [{"type": "text", "content": "Hello"}], "finish_reason": "stop"}]);
    let mapped = map(&[
        ("otel.name", json!("chat gpt-4o-mini")),
        ("otel.kind", json!("client")),
        ("gen_ai.operation.name", json!("chat")),
        ("gen_ai.provider.name", json!("openai")),
        ("gen_ai.request.model", json!("gpt-4o-mini")),
        ("gen_ai.request.stream", json!(true)),
        ("gen_ai.request.temperature", json!(0.2)),
        ("gen_ai.request.max_tokens", json!(256)),
        ("gen_ai.request.top_p", json!(0.9)),
        ("gen_ai.request.seed", json!(7)),
        ("gen_ai.output.type", json!("text")),
        ("server.address", json!("api.openai.com")),
        ("server.port", json!(443)),
        ("gen_ai.response.id", json!("chatcmpl-1")),
        ("gen_ai.response.model", json!("gpt-4o-mini-2024-07-18")),
        ("gen_ai.response.finish_reasons", json!(["stop"])),
        ("gen_ai.response.time_to_first_chunk", json!(0.25)),
        ("gen_ai.usage.input_tokens", json!(20)),
        ("gen_ai.usage.output_tokens", json!(5)),
        ("gen_ai.usage.cache_read.input_tokens", json!(4)),
        ("gen_ai.usage.cache_creation.input_tokens", json!(2)),
        ("gen_ai.usage.reasoning.output_tokens", json!(1)),
        ("gen_ai.system_instructions", text(json!([{"type": "text", "content": "Be brief."}]))),
        ("gen_ai.input.messages", text(json!([{"role": "user", "parts": [{"type": "text", "content": "Hi"}]}]))),
        ("gen_ai.output.messages", text(gen_ai_output.clone())),
        ("gen_ai.tool.definitions", text(tools.clone())),
    ]);
    assert_eq!(mapped.observation_type, Some(ObservationType::Generation));
    assert_eq!(mapped.name.as_deref(), Some("chat gpt-4o-mini"));
    assert_eq!(mapped.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(
        Value::Object(mapped.model_parameters.clone()),
        json!({"stream": true, "temperature": 0.2, "max_tokens": 256, "top_p": 0.9, "seed": 7})
    );
    assert_eq!(
        mapped.usage_details,
        usage(&[
            ("input", 20),
            ("output", 5),
            ("cache_read_input_tokens", 4),
            ("cache_creation_input_tokens", 2),
            ("reasoning_output_tokens", 1)
        ])
    );
    assert_eq!(input(&mapped), json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]));
    assert_eq!(output(&mapped), json!({"role": "assistant", "content": "Hello"}));
    assert_eq!(mapped.completion_start(Timestamp(1_000_000_000)), Some(Timestamp(1_250_000_000)));
    assert_eq!(mapped.metadata["finish_reasons"], json!(["stop"]));
    assert_eq!(mapped.metadata["tools"], tools);
    assert_eq!(mapped.metadata["provider"], json!("openai"));
    assert_eq!(mapped.metadata["gen_ai.output.messages"], gen_ai_output, "the reshaped original is kept");
    assert_eq!(
        keys(&mapped),
        [
            "finish_reasons",
            "gen_ai.input.messages",
            "gen_ai.output.messages",
            "gen_ai.output.type",
            "gen_ai.response.id",
            "provider",
            "server.address",
            "server.port",
            "tools"
        ]
    );
}

/// genai's failed call: `otel.status_code` and `error.type`.
#[test]
fn genai_error_span() {
    let mapped = map(&[
        ("gen_ai.operation.name", json!("chat")),
        ("otel.status_code", json!("ERROR")),
        ("error.type", json!("HttpError")),
    ]);
    assert_eq!(mapped.level, Some(Level::Error));
    assert_eq!(mapped.error_type.as_deref(), Some("HttpError"));
    assert_eq!(mapped.status_message, None, "error.type only fills a status message nothing else gave");
    let mapped = map(&[("error.type", json!("timeout"))]);
    assert_eq!(mapped.level, Some(Level::Error));
}

/// rig-core's provider `chat` span, its `invoke_agent` span and its `execute_tool` span.
#[test]
fn rig_spans() {
    let rig_input = json!([
        {"role": "user", "parts": [{"type": "text", "content": "2+2?"}]},
        {"role": "assistant", "parts": [{"type": "tool_call", "id": "t1", "name": "add", "arguments": {"a": 2, "b": 2}}]},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "t1", "response": 4}]}
    ]);
    let chat = map(&[
        ("gen_ai.operation.name", json!("chat")),
        ("gen_ai.provider.name", json!("anthropic")),
        ("gen_ai.request.model", json!("claude-3-5-haiku")),
        ("gen_ai.system_instructions", json!("You add numbers.")),
        ("gen_ai.agent.name", json!("calculator")),
        ("gen_ai.response.id", json!("msg_1")),
        ("gen_ai.response.model", json!("claude-3-5-haiku-20241022")),
        ("gen_ai.usage.input_tokens", json!(40)),
        ("gen_ai.usage.output_tokens", json!(3)),
        ("gen_ai.usage.cache_read.input_tokens", json!(10)),
        ("gen_ai.usage.cache_creation.input_tokens", json!(5)),
        ("gen_ai.usage.tool_use_prompt_tokens", json!(7)),
        ("gen_ai.usage.reasoning_tokens", json!(2)),
        ("gen_ai.input.messages", text(rig_input)),
        ("gen_ai.output.messages", text(json!([{"role": "assistant", "parts": [{"type": "text", "content": "4"}]}]))),
    ]);
    assert_eq!(chat.observation_type, Some(ObservationType::Generation));
    assert_eq!(chat.model.as_deref(), Some("claude-3-5-haiku-20241022"));
    assert_eq!(
        chat.usage_details,
        usage(&[
            ("input", 40),
            ("output", 3),
            ("cache_read_input_tokens", 10),
            ("cache_creation_input_tokens", 5),
            ("tool_use_prompt_tokens", 7),
            ("reasoning_output_tokens", 2)
        ])
    );
    assert_eq!(
        input(&chat),
        json!([
            {"role": "system", "content": "You add numbers."},
            {"role": "user", "content": "2+2?"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "t1", "type": "function", "function": {"name": "add", "arguments": "{\"a\":2,\"b\":2}"}}
            ]},
            {"role": "tool", "content": "4", "tool_call_id": "t1"}
        ])
    );
    assert_eq!(output(&chat), json!({"role": "assistant", "content": "4"}));
    // rig-agent's turns name their agent: kept (only tool and agent spans are named by it).
    assert_eq!(
        keys(&chat),
        ["gen_ai.agent.name", "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.response.id", "provider"]
    );
    assert_eq!(chat.name_for("chat"), None);

    let agent = map(&[
        ("gen_ai.operation.name", json!("invoke_agent")),
        ("gen_ai.agent.name", json!("calculator")),
        ("gen_ai.prompt", json!("2+2?")),
        ("gen_ai.completion", json!("4")),
    ]);
    assert_eq!(agent.observation_type, Some(ObservationType::Agent));
    assert_eq!(agent.name_for("invoke_agent").as_deref(), Some("invoke_agent calculator"));
    assert_eq!((input(&agent), output(&agent)), (json!("2+2?"), json!(4)));
    assert!(agent.metadata.is_empty(), "{:?}", agent.metadata);

    let tool = map(&[
        ("gen_ai.operation.name", json!("execute_tool")),
        ("gen_ai.tool.type", json!("function")),
        ("gen_ai.tool.name", json!("add")),
        ("gen_ai.tool.call.id", json!("t1")),
        ("gen_ai.tool.call.arguments", json!("{\"a\":2,\"b\":2}")),
        ("gen_ai.tool.call.result", json!("4")),
    ]);
    assert_eq!(tool.observation_type, Some(ObservationType::Tool));
    // rig-agent names the span by the operation alone: the tool's name completes it, as
    // GenAI's span names have it; a span named otherwise keeps its name.
    assert_eq!(tool.name_for("execute_tool").as_deref(), Some("execute_tool add"));
    assert_eq!(tool.name_for("execute_tool add"), None);
    assert_eq!((input(&tool), output(&tool)), (json!({"a": 2, "b": 2}), json!(4)));
    assert_eq!(keys(&tool), ["gen_ai.tool.call.id", "gen_ai.tool.type"]);
}

/// System instructions the input does not hold stay in metadata.
#[test]
fn system_instructions_not_in_the_input_stay_in_metadata() {
    let instructions = json!([{"type": "text", "content": "Be brief."}]);
    let mapped = map(&[
        ("langfuse.observation.input", json!("\"explicit\"")),
        ("gen_ai.system_instructions", text(instructions.clone())),
    ]);
    assert_eq!(input(&mapped), json!("explicit"));
    assert_eq!(mapped.metadata["gen_ai.system_instructions"], instructions);
    let mapped = map(&[("gen_ai.system_instructions", text(instructions.clone()))]);
    assert_eq!(input(&mapped), json!([{"role": "system", "content": "Be brief."}]));
    assert!(mapped.metadata.is_empty(), "{:?}", mapped.metadata);
    // rig-agent sends its preamble both as the instructions and as the first message.
    let messages = json!([
        {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Hi"}]}
    ]);
    let mapped =
        map(&[("gen_ai.system_instructions", text(instructions.clone())), ("gen_ai.input.messages", text(messages))]);
    assert_eq!(input(&mapped), json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]));
    let mapped = map(&[("gen_ai.system_instructions", json!("{\"odd\": true}"))]);
    assert_eq!(mapped.input, None);
    assert_eq!(mapped.metadata["gen_ai.system_instructions"], json!({"odd": true}));
}
