//! `POST /api/public/llm-connections/{id}/test` (langtrace's own): a one-token completion
//! through the connection; `{"ok": true, "model", "latencyMs"}`, or the provider's status
//! and message.

use std::time::Instant;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::api::path::PathParams;
use crate::api::playground::failure::Failure;
use crate::app::{ApiError, AppState, Authed};
use crate::providers::{assemble, ChatRequest};
use crate::store::connections;

/// `POST /api/public/llm-connections/{id}/test`.
pub async fn test(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let row = state
        .read({
            let id = id.clone();
            move |c| Ok(connections::by_id(c, &project.id, &id)?)
        })
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("LLM connection '{id}'")))?;
    let endpoint = super::endpoint(&state, &row)?;
    let custom: Vec<String> = serde_json::from_str(&row.custom_models).unwrap_or_default();
    let model = custom.into_iter().next().unwrap_or_else(|| endpoint.adapter.default_model().to_owned());
    let request = ChatRequest {
        model: model.clone(),
        messages: vec![json!({"role": "user", "content": "Say OK."})],
        params: json!({"max_tokens": 1}).as_object().cloned().unwrap_or_default(),
        ..ChatRequest::default()
    };
    let started = Instant::now();
    let outcome = match state.providers.stream(&endpoint, &request).await {
        Ok(stream) => assemble::collect(stream).await,
        Err(error) => Err(error),
    };
    Ok(match outcome {
        Ok(_) => {
            Json(json!({"ok": true, "model": model, "latencyMs": started.elapsed().as_millis() as u64})).into_response()
        }
        Err(error) => Failure::Message(error).into_response(),
    })
}
