//! A mock Ollama server on loopback: `/api/chat` answers one JSON message, or NDJSON
//! lines when the request says `"stream": true`; a request whose last message says
//! `weather` gets a tool call, one with `"think": true` the model's thinking too; model
//! `missing-model` gets Ollama's 404 error body on every route, and a stream of model
//! `broken-model` breaks off after its first line; `/api/generate` answers one
//! completion and `/api/embed` one vector. Answers are fixed so tests can compare.

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

/// The model name every answer reports.
pub const ANSWER_MODEL: &str = "llama3.2:3b";

/// Serves the mock on an ephemeral loopback port of the current tokio runtime; returns
/// the base URL (`http://127.0.0.1:PORT`) to give the client.
pub async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let address = listener.local_addr().expect("local address");
    let app = Router::new()
        .route("/api/chat", post(chat))
        .route("/api/generate", post(generate))
        .route("/api/embed", post(embed));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("mock server") });
    format!("http://{address}")
}

/// Ollama's answer to a model it does not have.
fn missing_model(request: &Value) -> Option<Response> {
    let error = json!({"error": format!("model \"{}\" not found, try pulling it first", request["model"].as_str()?)});
    (request["model"] == "missing-model").then(|| (StatusCode::NOT_FOUND, Json(error)).into_response())
}

/// The counts and timings (nanoseconds) of a finished answer.
fn totals() -> Value {
    json!({"done_reason": "stop", "total_duration": 5_000_000, "load_duration": 1_000_000,
           "prompt_eval_count": 26, "prompt_eval_duration": 2_000_000, "eval_count": 3, "eval_duration": 1_500_000})
}

/// One line of an answer: `message` and, on the last one, the totals.
fn line(message: Value, done: bool) -> Value {
    let mut line =
        json!({"model": ANSWER_MODEL, "created_at": "2026-12-02T07:00:00Z", "message": message, "done": done});
    if done {
        line.as_object_mut().expect("an object").extend(totals().as_object().expect("an object").clone());
    }
    line
}

async fn chat(Json(request): Json<Value>) -> Response {
    if let Some(error) = missing_model(&request) {
        return error;
    }
    let asks_weather = request["messages"]
        .as_array()
        .and_then(|messages| messages.last())
        .is_some_and(|message| message["content"].as_str().unwrap_or_default().contains("weather"));
    let lines = if request["model"] == "broken-model" {
        let first = line(json!({"role": "assistant", "content": "Par"}), false);
        // The first line goes out (the body yields once, so the server flushes it) before
        // the body fails and the server drops the connection mid-answer.
        let line = futures::stream::once(async move { Ok(format!("{first}\n")) });
        let break_off = futures::stream::once(async {
            tokio::task::yield_now().await;
            Err(std::io::Error::other("connection lost"))
        });
        return Body::from_stream(futures::StreamExt::chain(line, break_off)).into_response();
    } else if asks_weather {
        let call = json!([{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]);
        vec![line(json!({"role": "assistant", "content": "", "tool_calls": call}), true)]
    } else if request["stream"] == true {
        let piece = |text: &str| json!({"role": "assistant", "content": text});
        vec![line(piece("Par"), false), line(piece("is."), false), line(piece(""), true)]
    } else if request["think"] == true {
        vec![line(json!({"role": "assistant", "content": "Paris.", "thinking": "France's capital is Paris."}), true)]
    } else {
        vec![line(json!({"role": "assistant", "content": "Paris."}), true)]
    };
    if request["stream"] == true {
        let body: String = lines.iter().map(|line| format!("{line}\n")).collect();
        return ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response();
    }
    Json(lines.into_iter().next().expect("one line")).into_response()
}

async fn generate(Json(request): Json<Value>) -> Response {
    if let Some(error) = missing_model(&request) {
        return error;
    }
    let mut answer =
        json!({"model": ANSWER_MODEL, "created_at": "2026-12-02T07:00:00Z", "response": "Paris.", "done": true});
    answer.as_object_mut().expect("an object").extend(totals().as_object().expect("an object").clone());
    Json(answer).into_response()
}

async fn embed(Json(request): Json<Value>) -> Response {
    if let Some(error) = missing_model(&request) {
        return error;
    }
    Json(json!({"model": request["model"], "embeddings": [[0.1, 0.2, 0.3]], "prompt_eval_count": 2})).into_response()
}
