//! A mock OpenAI-compatible provider on loopback, for the client tests: real LLM client
//! libraries talk to it as they would to OpenAI, with scripted answers.
//!
//! `POST /v1/chat/completions` answers, by the request:
//!
//! - a last message whose text contains [`FAIL_TRIGGER`]: 429 with an OpenAI error body
//!   whose message is [`ERROR_MESSAGE`];
//! - `tools` given and no `tool` message yet: one call of [`TOOL_NAME`] with
//!   [`TOOL_ARGUMENTS`];
//! - otherwise the text [`answer`] of the last message (a tool result included).
//!
//! `"stream": true` gets the same answer as server-sent events, in several chunks, with a
//! final usage chunk. Usage is always [`PROMPT_TOKENS`] in and [`COMPLETION_TOKENS`] out.
//!
//! For the playground's failure cases, by the last message's text (checked first):
//! [`SERVER_ERROR_TRIGGER`] answers 500, [`CUT_TRIGGER`] streams two chunks then drops the
//! connection, [`NEVER_TRIGGER`] never answers (until the mock stops),
//! [`CHOICES_NULL_TRIGGER`] sends its usage chunk with `"choices": null` (as vLLM does),
//! [`GARBAGE_TRIGGER`] answers 200 with an event whose data is not JSON,
//! [`NOT_A_STREAM_TRIGGER`] answers 200 with an HTML page and no event at all,
//! [`ENDLESS_TRIGGER`] streams [`ENDLESS_BYTES`] of one `data:` line that never ends, then
//! keeps the connection open.
//! A bearer key starting with [`BAD_KEY_PREFIX`] gets 401 [`BAD_KEY_MESSAGE`]; the 429 of
//! [`FAIL_TRIGGER`] carries `Retry-After: `[`RETRY_AFTER`].
//!
//! `POST /v1/messages` answers as Anthropic's Messages API streams (the adapter always
//! streams): the same text or tool call as events, usage in `message_start` and
//! `message_delta`; an `x-api-key` starting with [`BAD_KEY_PREFIX`] gets 401.

use std::net::SocketAddr;
use std::thread::JoinHandle;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::{oneshot, watch};

/// Text that makes a chat completion fail.
pub const FAIL_TRIGGER: &str = "please fail";
/// The message of the scripted error.
pub const ERROR_MESSAGE: &str = "mock rate limit: slow down";
/// The scripted tool.
pub const TOOL_NAME: &str = "get_weather";
/// The scripted tool call's arguments (JSON text).
pub const TOOL_ARGUMENTS: &str = r#"{"city":"Paris"}"#;
/// The scripted tool call's id.
pub const TOOL_CALL_ID: &str = "call_mock_weather_1";
/// Text that makes the mock answer 500.
pub const SERVER_ERROR_TRIGGER: &str = "please crash";
/// The message of the 500.
pub const SERVER_ERROR_MESSAGE: &str = "mock internal failure";
/// Text that makes the mock cut its stream after two chunks.
pub const CUT_TRIGGER: &str = "please cut";
/// Text that makes the mock never answer.
pub const NEVER_TRIGGER: &str = "please hang";
/// Text that makes the usage chunk's `choices` null.
pub const CHOICES_NULL_TRIGGER: &str = "choices null";
/// Text that makes the mock stream an event whose data is not JSON.
pub const GARBAGE_TRIGGER: &str = "please babble";
/// Text that makes the mock answer 200 with HTML instead of an event stream.
pub const NOT_A_STREAM_TRIGGER: &str = "please html";
/// Text that makes the mock stream one line that never ends.
pub const ENDLESS_TRIGGER: &str = "please ramble";
/// How much of the never-ending line the mock sends before it falls silent.
pub const ENDLESS_BYTES: usize = 4 << 20;
/// Bearer keys starting with this get 401.
pub const BAD_KEY_PREFIX: &str = "sk-bad";
/// The message of the 401.
pub const BAD_KEY_MESSAGE: &str = "Incorrect API key provided";
/// The `Retry-After` of the 429.
pub const RETRY_AFTER: &str = "7";
/// Prompt tokens of every answer.
pub const PROMPT_TOKENS: u64 = 12;
/// Completion tokens of every answer.
pub const COMPLETION_TOKENS: u64 = 8;

/// The mock's answer to a last message of text `last`.
pub fn answer(last: &str) -> String {
    format!("Mock answer to: {last}")
}

/// A running mock provider; stopped when dropped.
pub struct MockOpenAi {
    /// `http://127.0.0.1:<port>/v1`, the base URL clients take.
    pub base_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MockOpenAi {
    /// Starts the mock on a port chosen by the OS.
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.set_nonblocking(true).unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (shutdown, stop) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("mock-openai".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    let (stopping, stopped) = watch::channel(false);
                    let app = Router::new()
                        .route("/v1/chat/completions", post(chat_completions))
                        .route("/v1/messages", post(anthropic_messages))
                        .with_state(stopped);
                    axum::serve(listener, app)
                        .with_graceful_shutdown(async move {
                            let _ = stop.await;
                            // Ends the requests that never answer, so the shutdown completes.
                            let _ = stopping.send(true);
                        })
                        .await
                        .expect("the mock serves");
                });
            })
            .expect("a thread for the mock");
        MockOpenAi { base_url: format!("http://{addr}/v1"), shutdown: Some(shutdown), thread: Some(thread) }
    }
}

impl Drop for MockOpenAi {
    fn drop(&mut self) {
        drop(self.shutdown.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the mock answers, before it is encoded as JSON or a stream.
enum Reply {
    Text(String),
    ToolCall,
}

async fn chat_completions(
    State(mut stopped): State<watch::Receiver<bool>>,
    headers: HeaderMap,
    Json(request): Json<Value>,
) -> Response {
    let model = request["model"].as_str().unwrap_or("mock").to_owned();
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    let last = messages.last().map(message_text).unwrap_or_default();
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let error = |status: StatusCode, message: &str, kind: &str| {
        (status, Json(json!({"error": {"message": message, "type": kind, "param": null, "code": null}})))
            .into_response()
    };
    if bearer.starts_with(&format!("Bearer {BAD_KEY_PREFIX}")) {
        return error(StatusCode::UNAUTHORIZED, BAD_KEY_MESSAGE, "invalid_request_error");
    }
    if last.contains(FAIL_TRIGGER) {
        let error =
            json!({"error": {"message": ERROR_MESSAGE, "type": "rate_limit_error", "code": "rate_limit_exceeded"}});
        return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, RETRY_AFTER)], Json(error)).into_response();
    }
    if last.contains(SERVER_ERROR_TRIGGER) {
        return error(StatusCode::INTERNAL_SERVER_ERROR, SERVER_ERROR_MESSAGE, "server_error");
    }
    if last.contains(NEVER_TRIGGER) {
        let _ = stopped.wait_for(|stopped| *stopped).await;
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if last.contains(CUT_TRIGGER) {
        let body = stream_body(&model, &Reply::Text(answer(&last)), false);
        let head: String = body.split_inclusive("\n\n").take(2).collect();
        let pieces: Vec<Result<String, std::io::Error>> =
            vec![Ok(head), Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut"))];
        return ([(header::CONTENT_TYPE, "text/event-stream")], Body::from_stream(futures_util::stream::iter(pieces)))
            .into_response();
    }
    if last.contains(GARBAGE_TRIGGER) {
        let body = "data: <html>upstream proxy error</html>\n\n";
        return ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response();
    }
    if last.contains(ENDLESS_TRIGGER) {
        use futures_util::StreamExt;
        const PIECE: usize = 64 << 10;
        let piece = axum::body::Bytes::from(vec![b'x'; PIECE]);
        let line = futures_util::stream::once(async { Ok(axum::body::Bytes::from_static(b"data: ")) })
            .chain(
                futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(piece.clone()))
                    .take(ENDLESS_BYTES / PIECE),
            )
            .chain(futures_util::stream::pending());
        return ([(header::CONTENT_TYPE, "text/event-stream")], Body::from_stream(line)).into_response();
    }
    if last.contains(NOT_A_STREAM_TRIGGER) {
        return ([(header::CONTENT_TYPE, "text/html")], "<html><body>maintenance</body></html>").into_response();
    }
    let has_tools = request["tools"].as_array().is_some_and(|tools| !tools.is_empty());
    let tool_answered = messages.iter().any(|m| m["role"] == "tool");
    let reply = if has_tools && !tool_answered { Reply::ToolCall } else { Reply::Text(answer(&last)) };
    if request["stream"] == true {
        let body = stream_body(&model, &reply, last.contains(CHOICES_NULL_TRIGGER));
        ([(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")], body).into_response()
    } else {
        Json(completion(&model, &reply)).into_response()
    }
}

/// The text of a message: its string content, or its text parts joined.
fn message_text(message: &Value) -> String {
    match &message["content"] {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts.iter().filter_map(|p| p["text"].as_str()).collect::<Vec<_>>().join(" "),
        _ => String::new(),
    }
}

fn usage() -> Value {
    json!({
        "prompt_tokens": PROMPT_TOKENS,
        "completion_tokens": COMPLETION_TOKENS,
        "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
    })
}

fn tool_call() -> Value {
    json!({"id": TOOL_CALL_ID, "type": "function", "function": {"name": TOOL_NAME, "arguments": TOOL_ARGUMENTS}})
}

fn completion(model: &str, reply: &Reply) -> Value {
    let (message, finish_reason) = match reply {
        Reply::Text(text) => (json!({"role": "assistant", "content": text}), "stop"),
        Reply::ToolCall => (json!({"role": "assistant", "content": null, "tool_calls": [tool_call()]}), "tool_calls"),
    };
    json!({
        "id": "chatcmpl-mock",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": null}],
        "usage": usage(),
    })
}

/// The reply as `data:` events: the role, the content in pieces (or the tool call in two
/// argument pieces), the finish reason, the usage (`choices` null if `choices_null`),
/// `[DONE]`.
fn stream_body(model: &str, reply: &Reply, choices_null: bool) -> String {
    let chunk = |delta: Value, finish: Value, usage: Value| {
        let choices = match (delta.is_null(), choices_null) {
            (true, true) => Value::Null,
            (true, false) => json!([]),
            (false, _) => json!([{"index": 0, "delta": delta, "finish_reason": finish}]),
        };
        json!({
            "id": "chatcmpl-mock",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": model,
            "choices": choices,
            "usage": usage,
        })
    };
    let mut chunks = vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null, Value::Null)];
    let finish = match reply {
        Reply::Text(text) => {
            for piece in text.split_inclusive(' ') {
                chunks.push(chunk(json!({"content": piece}), Value::Null, Value::Null));
            }
            "stop"
        }
        Reply::ToolCall => {
            let (head, tail) = TOOL_ARGUMENTS.split_at(TOOL_ARGUMENTS.len() / 2);
            let first = json!({"index": 0, "id": TOOL_CALL_ID, "type": "function", "function": {"name": TOOL_NAME, "arguments": head}});
            chunks.push(chunk(json!({"tool_calls": [first]}), Value::Null, Value::Null));
            chunks.push(chunk(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": tail}}]}),
                Value::Null,
                Value::Null,
            ));
            "tool_calls"
        }
    };
    chunks.push(chunk(json!({}), json!(finish), Value::Null));
    chunks.push(chunk(Value::Null, Value::Null, usage()));
    let mut body: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    body
}

/// Anthropic's Messages API, streamed: the answer [`chat_completions`] would give, as
/// Anthropic's events.
async fn anthropic_messages(headers: HeaderMap, Json(request): Json<Value>) -> Response {
    let key = headers.get("x-api-key").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if key.starts_with(BAD_KEY_PREFIX) {
        let error = json!({"type": "error", "error": {"type": "authentication_error", "message": BAD_KEY_MESSAGE}});
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    let last = messages.last().map(message_text).unwrap_or_default();
    let has_tools = request["tools"].as_array().is_some_and(|tools| !tools.is_empty());
    let mut events = vec![(
        "message_start",
        json!({"type": "message_start", "message": {"usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": 1}}}),
    )];
    let stop_reason = if has_tools {
        let (head, tail) = TOOL_ARGUMENTS.split_at(TOOL_ARGUMENTS.len() / 2);
        events.push((
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "tool_use", "id": TOOL_CALL_ID, "name": TOOL_NAME, "input": {}}}),
        ));
        for piece in [head, tail] {
            events.push((
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": piece}}),
            ));
        }
        "tool_use"
    } else {
        events.push((
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ));
        for piece in answer(&last).split_inclusive(' ') {
            events.push((
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": piece}}),
            ));
        }
        "end_turn"
    };
    events.push(("content_block_stop", json!({"type": "content_block_stop", "index": 0})));
    events.push((
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop_reason},
        "usage": {"output_tokens": COMPLETION_TOKENS}}),
    ));
    events.push(("message_stop", json!({"type": "message_stop"})));
    let body: String = events.iter().map(|(name, data)| format!("event: {name}\ndata: {data}\n\n")).collect();
    ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response()
}
