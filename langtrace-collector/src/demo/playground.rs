//! The demo's LLM for the playground: its mock model served as an OpenAI-compatible
//! provider on loopback (`POST /v1/chat/completions`, answers whole or streamed as
//! server-sent events with a usage chunk and `[DONE]`, errors in OpenAI's shape) for the
//! demo's lifetime, registered as the demo project's LLM connection [`PROVIDER`], and a
//! few playground runs through the collector, so the playground, "open in playground" and
//! the OpenAI-compatible proxy work offline and the environment `langtrace-playground`
//! has traces.
//!
//! The mock answers by the request: with tools and no tool result yet, a call of the
//! first tool (its arguments made from the tool's schema); with a JSON schema response
//! format, `{"answer": ...}`; otherwise a sentence quoting the last message. Streamed
//! answers come a word per chunk, the first after a model-like delay.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};

use super::agent::tokens;
use super::prompts;
use crate::auth::KeyPair;

/// The demo's LLM connection (its provider name).
pub const PROVIDER: &str = "demo-mock";
/// The models the mock serves, as the connection lists them.
pub const MODELS: [&str; 2] = ["gpt-4o-mini", "gpt-4o"];
/// The key the connection holds and the mock requires (the mock serves loopback only).
const MOCK_KEY: &str = "sk-demo-mock-0123456789";
/// Before the first streamed chunk, as a model takes to start answering.
const FIRST_TOKEN_DELAY: Duration = Duration::from_millis(40);
/// Between streamed chunks.
const CHUNK_DELAY: Duration = Duration::from_millis(4);

/// The mock provider, serving until dropped.
pub(super) struct MockProvider {
    /// `http://127.0.0.1:<port>/v1`: the connection's base URL.
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MockProvider {
    /// Serves the mock on a loopback port chosen by the OS.
    pub(super) async fn start() -> Result<Self, String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("cannot listen for the mock LLM: {e}"))?;
        let addr = listener.local_addr().map_err(|e| format!("the mock LLM's address: {e}"))?;
        let app = Router::new().route("/v1/chat/completions", post(chat_completions));
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!(%error, "the demo's mock LLM stopped");
            }
        });
        Ok(Self { base_url: format!("http://{addr}/v1"), task })
    }
}

/// Registers `mock` as the demo project's connection [`PROVIDER`], then runs the demo's
/// playground chats through the collector at `base_url`; how many ran.
pub(super) async fn set_up(base_url: &str, keys: &KeyPair, mock: &MockProvider) -> Result<usize, String> {
    let client = reqwest::Client::new();
    let connection = json!({
        "provider": PROVIDER, "adapter": "openai", "secretKey": MOCK_KEY, "baseURL": mock.base_url,
        "customModels": MODELS, "withDefaultModels": false,
    });
    let put = client.put(format!("{base_url}/api/public/llm-connections")).json(&connection);
    answer(put.basic_auth(&keys.public_key, Some(&keys.secret_key)), "register the mock LLM connection").await?;
    let runs = runs();
    for run in &runs {
        let post = client.post(format!("{base_url}/api/playground/chat")).json(run);
        let body = answer(post.basic_auth(&keys.public_key, Some(&keys.secret_key)), "a playground run").await?;
        if run["streaming"] == true && !body.contains("event: done") {
            return Err(format!("a playground run did not finish: {body}"));
        }
    }
    Ok(runs.len())
}

/// The body of a 2xx answer to `request`, else an error saying what `doing` failed with.
async fn answer(request: reqwest::RequestBuilder, doing: &str) -> Result<String, String> {
    let response = request.send().await.map_err(|e| format!("{doing}: {e}"))?;
    let status = response.status();
    let body = response.text().await.map_err(|e| format!("{doing}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{doing}: {status}: {body}"));
    }
    Ok(body)
}

/// The demo's playground runs: a streamed answer linked to the agent's system prompt, a
/// whole answer from the other model, and a streamed tool call.
fn runs() -> Vec<Value> {
    let system = json!({"role": "system", "content": "You are the support assistant of langtrace. Answer from the findings only."});
    vec![
        json!({
            "messages": [system, {"role": "user", "content": "How do I invite my team?"}],
            "modelParams": {"provider": PROVIDER, "model": MODELS[0], "temperature": 0.7},
            "prompt": {"name": prompts::SYSTEM, "version": 2},
        }),
        json!({
            "messages": [system, {"role": "user", "content": "How do I export my invoices?"}],
            "modelParams": {"provider": PROVIDER, "model": MODELS[1], "temperature": 0.2, "max_tokens": 200},
            "streaming": false,
        }),
        json!({
            "messages": [{"role": "user", "content": "What's the weather in Oslo?"}],
            "modelParams": {"provider": PROVIDER, "model": MODELS[0]},
            "tools": [{"name": "get_weather", "description": "The weather in a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
        }),
    ]
}

/// What the mock answers, before it is encoded whole or as a stream.
enum Reply {
    Text(String),
    ToolCall { name: String, arguments: String },
}

/// An error in OpenAI's shape.
fn error(status: StatusCode, message: &str, kind: &str, code: &str) -> Response {
    let body = json!({"error": {"message": message, "type": kind, "param": null, "code": code}});
    (status, Json(body)).into_response()
}

async fn chat_completions(headers: HeaderMap, body: Bytes) -> Response {
    let expected = format!("Bearer {MOCK_KEY}");
    if headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return error(
            StatusCode::UNAUTHORIZED,
            "Incorrect API key provided",
            "invalid_request_error",
            "invalid_api_key",
        );
    }
    let request: Value = match serde_json::from_slice(&body) {
        Ok(value @ Value::Object(_)) => value,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "the body is not a JSON object",
                "invalid_request_error",
                "invalid_body",
            )
        }
    };
    let Some(messages) = request["messages"].as_array().filter(|m| !m.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "messages: a non-empty list is required",
            "invalid_request_error",
            "invalid_messages",
        );
    };
    let model = request["model"].as_str().unwrap_or(MODELS[0]).to_owned();
    let prompt_tokens: u64 = messages.iter().map(|m| tokens(&message_text(m))).sum();
    let reply = reply(&request, messages, &model);
    let completion_tokens = match &reply {
        Reply::Text(text) => tokens(text),
        Reply::ToolCall { arguments, .. } => tokens(arguments),
    };
    let usage = json!({"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens});
    if request["stream"] == true {
        let with_usage = request["stream_options"]["include_usage"] == true;
        let chunks = stream_chunks(&model, &reply, with_usage.then_some(usage));
        let body = stream::iter(chunks.into_iter().enumerate()).then(|(i, chunk)| async move {
            tokio::time::sleep(if i == 0 { FIRST_TOKEN_DELAY } else { CHUNK_DELAY }).await;
            Ok::<_, Infallible>(chunk)
        });
        let headers = [(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")];
        return (headers, Body::from_stream(body)).into_response();
    }
    let (message, finish) = match &reply {
        Reply::Text(text) => (json!({"role": "assistant", "content": text}), "stop"),
        Reply::ToolCall { name, arguments } => (
            json!({"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_demo_1", "type": "function", "function": {"name": name, "arguments": arguments}}]}),
            "tool_calls",
        ),
    };
    Json(json!({
        "id": "chatcmpl-demo", "object": "chat.completion", "created": created(), "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage,
    }))
    .into_response()
}

/// The mock's answer to `request`: a tool call, a JSON object, or text.
fn reply(request: &Value, messages: &[Value], model: &str) -> Reply {
    let tool = request["tools"].as_array().and_then(|tools| tools.first());
    let answered = messages.iter().any(|m| m["role"] == "tool");
    if let (Some(tool), false) = (tool, answered) {
        let function = &tool["function"];
        let name = function["name"].as_str().unwrap_or("tool").to_owned();
        return Reply::ToolCall { name, arguments: example_arguments(&function["parameters"]).to_string() };
    }
    let last = messages.last().map(message_text).unwrap_or_default();
    let text = format!("This is the demo's mock model ({model}). You wrote: {last}");
    if request["response_format"]["type"] == "json_schema" {
        return Reply::Text(json!({ "answer": text }).to_string());
    }
    Reply::Text(text)
}

/// Arguments for a tool with JSON Schema `parameters`: an example value per property.
fn example_arguments(parameters: &Value) -> Value {
    let properties = parameters["properties"].as_object().into_iter().flatten();
    let values = properties.map(|(name, schema)| {
        let value = match schema["type"].as_str() {
            Some("string") => json!("Oslo"),
            Some("integer" | "number") => json!(1),
            Some("boolean") => json!(true),
            Some("array") => json!([]),
            Some("object") => json!({}),
            _ => Value::Null,
        };
        (name.clone(), value)
    });
    Value::Object(values.collect())
}

/// The text of a message: its string content, or its text parts joined.
fn message_text(message: &Value) -> String {
    match &message["content"] {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts.iter().filter_map(|p| p["text"].as_str()).collect::<Vec<_>>().join(" "),
        _ => String::new(),
    }
}

/// The SSE lines of a streamed reply: a word per chunk (a tool call's name first, then
/// its arguments in two fragments), the finish reason, the usage chunk when asked, `[DONE]`.
fn stream_chunks(model: &str, reply: &Reply, usage: Option<Value>) -> Vec<String> {
    let chunk = |choices: Value, usage: Option<&Value>| {
        let mut body = json!({"id": "chatcmpl-demo", "object": "chat.completion.chunk", "created": created(),
            "model": model, "choices": choices});
        if let Some(usage) = usage {
            body["usage"] = usage.clone();
        }
        format!("data: {body}\n\n")
    };
    let delta = |delta: Value| chunk(json!([{"index": 0, "delta": delta, "finish_reason": null}]), None);
    let (mut lines, finish) = match reply {
        Reply::Text(text) => {
            let words = text.split_inclusive(' ').enumerate();
            let lines = words.map(|(i, word)| match i {
                0 => delta(json!({"role": "assistant", "content": word})),
                _ => delta(json!({"content": word})),
            });
            (lines.collect::<Vec<_>>(), "stop")
        }
        Reply::ToolCall { name, arguments } => {
            let (head, tail) = arguments.split_at(arguments.len() / 2);
            let call = |fields: Value| delta(json!({"tool_calls": [fields]}));
            let lines = vec![
                delta(json!({"role": "assistant", "content": null})),
                call(
                    json!({"index": 0, "id": "call_demo_1", "type": "function", "function": {"name": name, "arguments": ""}}),
                ),
                call(json!({"index": 0, "function": {"arguments": head}})),
                call(json!({"index": 0, "function": {"arguments": tail}})),
            ];
            (lines, "tool_calls")
        }
    };
    lines.push(chunk(json!([{"index": 0, "delta": {}, "finish_reason": finish}]), None));
    if let Some(usage) = usage {
        lines.push(chunk(json!([]), Some(&usage)));
    }
    lines.push("data: [DONE]\n\n".to_owned());
    lines
}

/// Now, in seconds since the epoch (the `created` of OpenAI's answers).
fn created() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(line: &str) -> Value {
        serde_json::from_str(line.strip_prefix("data: ").unwrap().trim_end()).unwrap()
    }

    #[test]
    fn a_streamed_text_is_its_words_then_the_finish_usage_and_done() {
        let usage = json!({"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5});
        let lines = stream_chunks("m", &Reply::Text("two words".to_owned()), Some(usage.clone()));
        assert_eq!(lines.len(), 5, "{lines:?}");
        let text: String =
            lines[..2].iter().map(|l| data(l)["choices"][0]["delta"]["content"].as_str().unwrap().to_owned()).collect();
        assert_eq!(text, "two words");
        assert_eq!(data(&lines[2])["choices"][0]["finish_reason"], "stop");
        assert_eq!(data(&lines[3])["usage"], usage);
        assert_eq!(lines[4], "data: [DONE]\n\n");
    }

    #[test]
    fn a_streamed_tool_call_comes_in_fragments_that_join_to_its_arguments() {
        let reply = Reply::ToolCall { name: "get_weather".to_owned(), arguments: r#"{"city":"Oslo"}"#.to_owned() };
        let lines = stream_chunks("m", &reply, None);
        let calls: Vec<Value> = lines.iter().filter(|l| l.contains("tool_calls\":[")).map(|l| data(l)).collect();
        assert_eq!(calls[0]["choices"][0]["delta"]["tool_calls"][0]["function"]["name"], "get_weather");
        let arguments: String = calls
            .iter()
            .map(|c| c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"].as_str().unwrap())
            .collect();
        assert_eq!(arguments, r#"{"city":"Oslo"}"#);
        assert!(calls.len() >= 3, "the arguments are split: {lines:?}");
        assert!(!lines.iter().any(|l| l.contains("usage")), "no usage unless asked");
    }

    #[test]
    fn tools_get_a_call_until_a_tool_answered_and_a_schema_gets_json() {
        let tool = json!([{"type": "function", "function": {"name": "lookup",
            "parameters": {"type": "object", "properties": {"id": {"type": "integer"}, "q": {"type": "string"}}}}}]);
        let ask = vec![json!({"role": "user", "content": "hi"})];
        let Reply::ToolCall { name, arguments } = reply(&json!({"tools": tool}), &ask, "m") else {
            panic!("a tool call")
        };
        assert_eq!(
            (name.as_str(), serde_json::from_str::<Value>(&arguments).unwrap()),
            ("lookup", json!({"id": 1, "q": "Oslo"}))
        );
        let answered = vec![ask[0].clone(), json!({"role": "tool", "content": "42", "tool_call_id": "c"})];
        assert!(matches!(reply(&json!({"tools": tool}), &answered, "m"), Reply::Text(_)));
        let Reply::Text(text) = reply(&json!({"response_format": {"type": "json_schema"}}), &ask, "m") else {
            panic!("text")
        };
        assert!(serde_json::from_str::<Value>(&text).unwrap()["answer"].as_str().unwrap().ends_with("You wrote: hi"));
    }
}
