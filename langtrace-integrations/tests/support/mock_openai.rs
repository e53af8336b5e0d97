//! A mock OpenAI-compatible server on loopback: `/v1/chat/completions` answers plain
//! JSON, or an SSE stream when the request says `"stream": true`; a request whose last
//! message says `weather` gets a tool call; model `missing-model` gets OpenAI's 404 error
//! body; `/v1/embeddings` answers one vector. Answers are fixed so tests can compare.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

/// The model name every answer reports.
pub const ANSWER_MODEL: &str = "gpt-4o-mini-2024-07-18";

/// Serves the mock on an ephemeral loopback port of the current tokio runtime; returns
/// the base URL (`http://127.0.0.1:PORT/v1`) to give the client.
pub async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let address = listener.local_addr().expect("local address");
    let app = Router::new().route("/v1/chat/completions", post(chat)).route("/v1/embeddings", post(embeddings));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("mock server") });
    format!("http://{address}/v1")
}

async fn chat(Json(request): Json<Value>) -> Response {
    if request["model"] == "missing-model" {
        let error = json!({"error": {"message": "The model `missing-model` does not exist", "type": "invalid_request_error", "param": null, "code": "model_not_found"}});
        return (StatusCode::NOT_FOUND, Json(error)).into_response();
    }
    let asks_weather = request["messages"]
        .as_array()
        .and_then(|m| m.last())
        .is_some_and(|m| m["content"].to_string().contains("weather"));
    if request["stream"] == true {
        let chunks = if asks_weather { tool_call_chunks() } else { text_chunks() };
        let body: String =
            chunks.iter().map(|chunk| format!("data: {chunk}\n\n")).chain(["data: [DONE]\n\n".to_owned()]).collect();
        return ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response();
    }
    let message = if asks_weather {
        json!({"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]})
    } else {
        json!({"role": "assistant", "content": "Paris."})
    };
    let finish_reason = if asks_weather { "tool_calls" } else { "stop" };
    Json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": ANSWER_MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 21, "completion_tokens": 2, "total_tokens": 23,
                  "prompt_tokens_details": {"cached_tokens": 5}, "completion_tokens_details": {"reasoning_tokens": 0}}
    }))
    .into_response()
}

fn chunk(delta: Value, finish_reason: Value, usage: Value) -> Value {
    let choices =
        if delta.is_null() { json!([]) } else { json!([{"index": 0, "delta": delta, "finish_reason": finish_reason}]) };
    json!({"id": "chatcmpl-2", "object": "chat.completion.chunk", "created": 1, "model": ANSWER_MODEL, "choices": choices, "usage": usage})
}

fn text_chunks() -> Vec<Value> {
    vec![
        chunk(json!({"role": "assistant", "content": ""}), Value::Null, Value::Null),
        chunk(json!({"content": "Par"}), Value::Null, Value::Null),
        chunk(json!({"content": "is."}), Value::Null, Value::Null),
        chunk(json!({}), json!("stop"), Value::Null),
        chunk(Value::Null, Value::Null, json!({"prompt_tokens": 21, "completion_tokens": 2, "total_tokens": 23})),
    ]
}

fn tool_call_chunks() -> Vec<Value> {
    let call = |id: Value, name: Value, arguments: &str| json!({"tool_calls": [{"index": 0, "id": id, "type": "function", "function": {"name": name, "arguments": arguments}}]});
    vec![
        chunk(call(json!("call_1"), json!("get_weather"), ""), Value::Null, Value::Null),
        chunk(call(Value::Null, Value::Null, "{\"city\":"), Value::Null, Value::Null),
        chunk(call(Value::Null, Value::Null, "\"Paris\"}"), Value::Null, Value::Null),
        chunk(json!({}), json!("tool_calls"), Value::Null),
    ]
}

async fn embeddings(Json(request): Json<Value>) -> Json<Value> {
    Json(json!({
        "object": "list", "model": request["model"],
        "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2, 0.3]}],
        "usage": {"prompt_tokens": 4, "total_tokens": 4}
    }))
}
