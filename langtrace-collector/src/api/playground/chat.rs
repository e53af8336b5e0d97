//! `POST /api/playground/chat`, the UI's route. Streaming (the default): `200
//! text/event-stream` with `delta` events as text arrives, a `tool_call` event per complete
//! call once the answer ended, then `done` (ids, model, usage, cost, latency, time to
//! first token, finish reason) or `error` (`{status, message}`). Not streaming: the answer
//! as one JSON object, or the provider's status with `{"message"}`. The run goes on (and
//! is traced) when the browser leaves mid-stream.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use langtrace_core::record::PromptRef;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::failure::Failure;
use super::request::ChatBody;
use super::run::{self, Outcome, RunSpec};
use crate::api::body::JsonBody;
use crate::app::{ApiError, AppState, Authed};
use crate::providers::Delta;

/// Events buffered for a slow browser before the run waits for it.
const EVENT_BUFFER: usize = 64;

/// `POST /api/playground/chat`.
pub async fn chat(
    State(state): State<AppState>,
    Authed(project): Authed,
    JsonBody(body): JsonBody<ChatBody>,
) -> Result<Response, ApiError> {
    let streaming = body.streaming.unwrap_or(true);
    let prompt = body.prompt.as_ref().map(|p| PromptRef { name: p.name.clone(), version: p.version });
    let provider = body.provider().to_owned();
    let spec = RunSpec { project_id: project.id, provider, request: body.into_request()?, prompt };
    let mut run = run::start(&state, spec).await?;
    if !streaming {
        let outcome = run.finish(&state).await;
        return Ok(match outcome.failure {
            Some(failure) => Failure::Message(failure).into_response(),
            None => Json(whole_answer(&outcome)).into_response(),
        });
    }
    let (events, receiver) = mpsc::channel::<Bytes>(EVENT_BUFFER);
    tokio::spawn(async move {
        while let Some(delta) = run.next().await {
            if let Delta::Text(text) = delta {
                // A browser that left does not stop the run: it is still traced.
                let _ = events.send(event("delta", &json!({"text": text}))).await;
            }
        }
        let outcome = run.finish(&state).await;
        match &outcome.failure {
            Some(failure) => {
                let _ =
                    events.send(event("error", &json!({"status": failure.status, "message": failure.message}))).await;
            }
            None => {
                for call in outcome.completion.tool_calls() {
                    let call = json!({"id": call.id, "name": call.name, "arguments": call.arguments});
                    let _ = events.send(event("tool_call", &call)).await;
                }
                let _ = events.send(event("done", &summary(&outcome))).await;
            }
        }
    });
    Ok(sse_response(receiver))
}

/// A `text/event-stream` answer of what `receiver` gets.
pub fn sse_response(mut receiver: mpsc::Receiver<Bytes>) -> Response {
    let stream = futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx).map(|item| item.map(Ok::<_, std::convert::Infallible>))
    });
    ([(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")], Body::from_stream(stream))
        .into_response()
}

/// One server-sent event: its name and one line of JSON.
fn event(name: &str, data: &Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// What `done` says, and the non-streamed answer too.
fn summary(outcome: &Outcome) -> Value {
    let completion = &outcome.completion;
    let usage = json!({
        "input": completion.input_tokens,
        "output": completion.output_tokens,
        "total": completion.usage().get("total"),
    });
    json!({
        "traceId": outcome.trace_id,
        "observationId": outcome.observation_id,
        "model": outcome.model,
        "usage": usage,
        "costUsd": outcome.cost_usd,
        "latencyMs": outcome.latency_ms,
        "timeToFirstTokenMs": outcome.time_to_first_token_ms,
        "finishReason": completion.finish_reason,
    })
}

/// The non-streamed answer: the text, the tool calls, and the summary.
fn whole_answer(outcome: &Outcome) -> Value {
    let mut answer = summary(outcome);
    answer["content"] = json!(outcome.completion.text);
    answer["toolCalls"] = outcome
        .completion
        .tool_calls()
        .into_iter()
        .map(|c| json!({"id": c.id, "name": c.name, "arguments": c.arguments}))
        .collect();
    answer
}
