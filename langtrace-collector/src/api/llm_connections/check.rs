//! `POST /api/public/llm-connections/{id}/test` (langtrace's own): a one-token completion
//! through the connection, run and traced as a playground run (a generation in the
//! reserved environment `langtrace-playground`); `{"ok": true, "model", "latencyMs",
//! "traceId"}`, or the provider's status and message.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::api::path::PathParams;
use crate::api::playground::failure::Failure;
use crate::api::playground::run::{self, RunSpec};
use crate::app::{ApiError, AppState, Authed};
use crate::providers::{Adapter, ChatRequest};
use crate::store::connections;

/// `POST /api/public/llm-connections/{id}/test`.
pub async fn test(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let row = state
        .read({
            let (project_id, id) = (project.id.clone(), id.clone());
            move |c| Ok(connections::by_id(c, &project_id, &id)?)
        })
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("LLM connection '{id}'")))?;
    let custom: Vec<String> = serde_json::from_str(&row.custom_models).unwrap_or_default();
    let default_model = Adapter::parse(&row.adapter).map(Adapter::default_model).unwrap_or_default();
    let model = custom.into_iter().next().unwrap_or_else(|| default_model.to_owned());
    let request = ChatRequest {
        model,
        messages: vec![json!({"role": "user", "content": "Say OK."})],
        params: json!({"max_tokens": 1}).as_object().cloned().unwrap_or_default(),
        ..ChatRequest::default()
    };
    let spec = RunSpec { project_id: project.id, provider: row.provider, request, prompt: None };
    let outcome = run::start(&state, spec).await?.finish(&state).await;
    Ok(match outcome.failure {
        None => Json(json!({
            "ok": true,
            "model": outcome.model,
            "latencyMs": outcome.latency_ms,
            "traceId": outcome.trace_id,
        }))
        .into_response(),
        Some(error) => Failure::Message(error).into_response(),
    })
}
