//! Anthropic's Messages API (`POST {base}/messages`, `x-api-key`, always streamed): an
//! OpenAI-shaped request mapped to it (system messages to `system`, tool calls and tool
//! results to content blocks, `stop` to `stop_sequences`, `max_tokens` 1024 unless set),
//! and its events mapped to the same [`Delta`]s (stop reasons in OpenAI's words).

use eventsource_stream::{Event, EventStreamError};
use futures_util::Stream;
use serde_json::{json, Map, Value};

use super::{ChatRequest, Delta, DeltaStream, Endpoint, ProviderError};

/// The API version sent.
const VERSION: &str = "2023-06-01";
/// `max_tokens` when the request sets none (Anthropic requires it).
const DEFAULT_MAX_TOKENS: u64 = 1024;

/// The HTTP request of `request` to `endpoint`.
pub fn request(http: &reqwest::Client, endpoint: &Endpoint, request: &ChatRequest) -> reqwest::RequestBuilder {
    http.post(format!("{}/messages", endpoint.base_url))
        .header("x-api-key", &endpoint.secret)
        .header("anthropic-version", VERSION)
        .json(&body(request))
}

/// The Messages API body of `request`.
fn body(request: &ChatRequest) -> Value {
    let system: Vec<String> =
        request.messages.iter().filter(|m| m["role"] == "system").map(|m| text_of(&m["content"])).collect();
    let messages: Vec<Value> = request.messages.iter().filter(|m| m["role"] != "system").map(message).collect();
    let mut body = Map::new();
    body.insert("model".into(), json!(request.model));
    body.insert("messages".into(), Value::from(messages));
    body.insert("stream".into(), json!(true));
    if !system.is_empty() {
        body.insert("system".into(), json!(system.join("\n\n")));
    }
    let max_tokens = request.params.get("max_tokens").cloned().unwrap_or(json!(DEFAULT_MAX_TOKENS));
    body.insert("max_tokens".into(), max_tokens);
    for key in ["temperature", "top_p", "top_k"] {
        if let Some(value) = request.params.get(key) {
            body.insert(key.into(), value.clone());
        }
    }
    if let Some(stop) = request.params.get("stop") {
        body.insert("stop_sequences".into(), if stop.is_string() { json!([stop]) } else { stop.clone() });
    }
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|tool| {
                let function = &tool["function"];
                json!({"name": function["name"], "description": function["description"], "input_schema": function["parameters"]})
            })
            .collect();
        body.insert("tools".into(), Value::from(tools));
    }
    Value::Object(body)
}

/// The text of an OpenAI message content (a string, or its text parts joined).
fn text_of(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts.iter().filter_map(|p| p["text"].as_str()).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

/// One non-system OpenAI message as an Anthropic message.
fn message(message: &Value) -> Value {
    match message["role"].as_str() {
        Some("tool") => json!({"role": "user", "content": [{
            "type": "tool_result", "tool_use_id": message["tool_call_id"], "content": text_of(&message["content"])}]}),
        Some("assistant") if message["tool_calls"].is_array() => {
            let text = text_of(&message["content"]);
            let mut blocks: Vec<Value> = Vec::new();
            if !text.is_empty() {
                blocks.push(json!({"type": "text", "text": text}));
            }
            for call in message["tool_calls"].as_array().into_iter().flatten() {
                let arguments = call["function"]["arguments"].as_str().unwrap_or("{}");
                let input: Value = serde_json::from_str(arguments).unwrap_or_else(|_| json!({}));
                blocks.push(
                    json!({"type": "tool_use", "id": call["id"], "name": call["function"]["name"], "input": input}),
                );
            }
            json!({"role": "assistant", "content": blocks})
        }
        Some("assistant") => json!({"role": "assistant", "content": text_of(&message["content"])}),
        _ => json!({"role": "user", "content": text_of(&message["content"])}),
    }
}

/// The deltas of a Messages API event stream.
pub fn deltas(
    events: impl Stream<Item = Result<Event, EventStreamError<reqwest::Error>>> + Send + 'static,
) -> DeltaStream {
    super::events::deltas(events, |event| {
        let data: Value = serde_json::from_str(&event.data)
            .map_err(|e| ProviderError::gateway(502, format!("the provider sent an event that is not JSON: {e}")))?;
        event_deltas(&data)
    })
}

/// The deltas of one event, by its `type`.
fn event_deltas(data: &Value) -> super::events::Parsed {
    let deltas = match data["type"].as_str().unwrap_or_default() {
        "message_start" => {
            let usage = &data["message"]["usage"];
            vec![Delta::Usage { input: usage["input_tokens"].as_u64(), output: usage["output_tokens"].as_u64() }]
        }
        "content_block_start" if data["content_block"]["type"] == "tool_use" => vec![Delta::ToolCall {
            index: data["index"].as_u64().unwrap_or(0),
            id: data["content_block"]["id"].as_str().map(str::to_owned),
            name: data["content_block"]["name"].as_str().map(str::to_owned),
            arguments: String::new(),
        }],
        "content_block_delta" => match data["delta"]["type"].as_str() {
            Some("text_delta") => vec![Delta::Text(data["delta"]["text"].as_str().unwrap_or_default().to_owned())],
            Some("input_json_delta") => vec![Delta::ToolCall {
                index: data["index"].as_u64().unwrap_or(0),
                id: None,
                name: None,
                arguments: data["delta"]["partial_json"].as_str().unwrap_or_default().to_owned(),
            }],
            _ => Vec::new(),
        },
        "message_delta" => {
            let mut deltas = vec![Delta::Usage { input: None, output: data["usage"]["output_tokens"].as_u64() }];
            if let Some(reason) = data["delta"]["stop_reason"].as_str() {
                deltas.push(Delta::Finish(finish_reason(reason).to_owned()));
            }
            deltas
        }
        "message_stop" => return Ok(None),
        "error" => return Err(ProviderError::in_stream(data)),
        _ => Vec::new(),
    };
    Ok(Some(deltas))
}

/// An Anthropic stop reason in OpenAI's words.
fn finish_reason(reason: &str) -> &str {
    match reason {
        "end_turn" | "stop_sequence" => "stop",
        "max_tokens" => "length",
        "tool_use" => "tool_calls",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_map_to_the_messages_api() {
        let request = ChatRequest {
            model: "claude".into(),
            messages: vec![
                json!({"role": "system", "content": "be brief"}),
                json!({"role": "user", "content": "weather?"}),
                json!({"role": "assistant", "content": null, "tool_calls": [
                    {"id": "t1", "type": "function", "function": {"name": "w", "arguments": "{\"c\":1}"}}]}),
                json!({"role": "tool", "tool_call_id": "t1", "content": "sunny"}),
            ],
            params: json!({"temperature": 0.5, "stop": "END"}).as_object().unwrap().clone(),
            tools: vec![
                json!({"type": "function", "function": {"name": "w", "description": "d", "parameters": {"type": "object"}}}),
            ],
            ..ChatRequest::default()
        };
        let body = body(&request);
        assert_eq!(body["system"], "be brief");
        assert_eq!(body["max_tokens"], 1024);
        assert_eq!(body["stop_sequences"], json!(["END"]));
        assert_eq!(body["messages"][1]["content"][0]["input"], json!({"c": 1}));
        assert_eq!(body["messages"][2]["content"][0]["tool_use_id"], "t1");
        assert_eq!(body["tools"][0]["input_schema"], json!({"type": "object"}));
    }

    #[test]
    fn events_map_to_deltas() {
        let start = json!({"type": "message_start", "message": {"usage": {"input_tokens": 5, "output_tokens": 1}}});
        assert_eq!(event_deltas(&start).unwrap().unwrap(), vec![Delta::Usage { input: Some(5), output: Some(1) }]);
        let text = json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}});
        assert_eq!(event_deltas(&text).unwrap().unwrap(), vec![Delta::Text("Hi".into())]);
        let end = json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 9}});
        assert_eq!(
            event_deltas(&end).unwrap().unwrap(),
            vec![Delta::Usage { input: None, output: Some(9) }, Delta::Finish("tool_calls".into())]
        );
        assert_eq!(event_deltas(&json!({"type": "message_stop"})).unwrap(), None);
        let error = json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}});
        assert_eq!(event_deltas(&error).unwrap_err().message, "Overloaded");
    }
}
