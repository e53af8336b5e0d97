//! `POST /v1/chat/completions`: an OpenAI-compatible gateway. The request is OpenAI's,
//! with `model` = `<provider>:<model>` naming the project's connection; the answer is
//! OpenAI's (a `chat.completion`, or `chat.completion.chunk` events ending in
//! `data: [DONE]`, the usage chunk when `stream_options.include_usage` asks for it), and
//! every error is OpenAI's `{"error": {message, type, param, code}}` with the provider's
//! status. Authenticated by the project's keys as Basic credentials or as
//! `Authorization: Bearer <publicKey>:<secretKey>` (what an OpenAI SDK's `api_key` sends).
//! Each call is traced like a playground run.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::failure::{openai_error, Failure};
use super::openai_body::{OpenAiBody, ProxyRequest};
use super::run::{self, Outcome, RunSpec};
use crate::api::body::JsonBody;
use crate::app::{ApiError, AppState};
use crate::auth::Project;
use crate::providers::{Delta, ProviderError};

/// The project of Basic credentials or of `Bearer <publicKey>:<secretKey>`.
pub struct ProxyAuthed(pub Project);

impl FromRequestParts<AppState> for ProxyAuthed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let basic = header
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
            .filter(|pair| pair.contains(':'))
            .map(|pair| format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair.trim())));
        let client = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        Ok(ProxyAuthed(state.auth.authenticate(basic.as_deref().or(header), client)?))
    }
}

/// `POST /v1/chat/completions`.
pub async fn completions(
    State(state): State<AppState>,
    authed: Result<ProxyAuthed, ApiError>,
    body: Result<JsonBody<OpenAiBody>, ApiError>,
) -> Response {
    let outcome = async {
        let ProxyAuthed(project) = authed?;
        let JsonBody(body) = body?;
        proxy(state, project, body).await
    };
    outcome.await.unwrap_or_else(|error| {
        let failure = ProviderError { status: error.status().as_u16(), message: error.to_string(), retry_after: None };
        let mut response = Failure::OpenAi(failure).into_response();
        // Keep the collector's own `Retry-After` (throttled keys, overload).
        if let Some(retry) = error.into_response().headers().get(header::RETRY_AFTER).cloned() {
            response.headers_mut().insert(header::RETRY_AFTER, retry);
        }
        response
    })
}

/// The request's run, answered in OpenAI's shapes.
async fn proxy(state: AppState, project: Project, body: OpenAiBody) -> Result<Response, ApiError> {
    let ProxyRequest { asked_model, provider, request, streaming, include_usage } = body.into_request()?;
    let spec = RunSpec { project_id: project.id, provider, request, prompt: None };
    let mut run = run::start(&state, spec).await?;
    if !streaming || run.failure().is_some() {
        let outcome = run.finish(&state).await;
        return Ok(match outcome.failure {
            Some(failure) => Failure::OpenAi(failure).into_response(),
            None => Json(completion(&outcome, &asked_model)).into_response(),
        });
    }
    let chunks = Chunks { id: format!("chatcmpl-{}", run.observation_id), model: asked_model, created: unix_now() };
    let (events, receiver) = mpsc::channel::<Bytes>(64);
    tokio::spawn(async move {
        let _ = events.send(chunks.data(&chunks.chunk(json!({"role": "assistant", "content": ""}), Value::Null))).await;
        while let Some(delta) = run.next().await {
            if let Some(delta) = chunk_delta(&delta) {
                // A client that left does not stop the run: it is still traced.
                let _ = events.send(chunks.data(&chunks.chunk(delta, Value::Null))).await;
            }
        }
        let outcome = run.finish(&state).await;
        if let Some(failure) = &outcome.failure {
            let _ = events.send(chunks.data(&openai_error(failure))).await;
            return;
        }
        let finish = json!(outcome.completion.finish_reason);
        let _ = events.send(chunks.data(&chunks.chunk(json!({}), finish))).await;
        if include_usage {
            let mut usage = chunks.chunk(Value::Null, Value::Null);
            usage["choices"] = json!([]);
            usage["usage"] = usage_of(&outcome);
            let _ = events.send(chunks.data(&usage)).await;
        }
        let _ = events.send(Bytes::from_static(b"data: [DONE]\n\n")).await;
    });
    Ok(super::chat::sse_response(receiver))
}

/// Seconds since the epoch.
fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// What every chunk of one answer shares.
struct Chunks {
    id: String,
    model: String,
    created: u64,
}

impl Chunks {
    /// A chunk of `delta` (and a finish reason).
    fn chunk(&self, delta: Value, finish_reason: Value) -> Value {
        json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        })
    }

    /// `value` as one `data:` event.
    fn data(&self, value: &Value) -> Bytes {
        Bytes::from(format!("data: {value}\n\n"))
    }
}

/// A provider delta as a chunk's `delta`; `None` for what a chunk's delta does not carry.
fn chunk_delta(delta: &Delta) -> Option<Value> {
    match delta {
        Delta::Text(text) => Some(json!({"content": text})),
        Delta::ToolCall { index, id, name, arguments } => {
            let mut call = json!({"index": index, "function": {"arguments": arguments}});
            if let Some(id) = id {
                call["id"] = json!(id);
                call["type"] = json!("function");
            }
            if let Some(name) = name {
                call["function"]["name"] = json!(name);
            }
            Some(json!({"tool_calls": [call]}))
        }
        Delta::Usage { .. } | Delta::Finish(_) => None,
    }
}

/// OpenAI's `usage`.
fn usage_of(outcome: &Outcome) -> Value {
    let completion = &outcome.completion;
    let (input, output) = (completion.input_tokens.unwrap_or(0), completion.output_tokens.unwrap_or(0));
    json!({"prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output})
}

/// The whole answer as a `chat.completion`.
fn completion(outcome: &Outcome, model: &str) -> Value {
    json!({
        "id": format!("chatcmpl-{}", outcome.observation_id),
        "object": "chat.completion",
        "created": unix_now(),
        "model": model,
        "choices": [{
            "index": 0,
            "message": outcome.completion.message(),
            "finish_reason": outcome.completion.finish_reason,
            "logprobs": null,
        }],
        "usage": usage_of(outcome),
    })
}
