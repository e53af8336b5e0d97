//! A provider's failure as an answer: its status (502/504 for the collector's side) and
//! `Retry-After`, with the body the route's clients read: `{"message"}` for the UI and the
//! connection test, OpenAI's `{"error": {message, type, param, code}}` for the proxy.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::providers::ProviderError;

/// A provider failure, in the shape of the route that answers it.
pub enum Failure {
    /// `{"message": ...}`.
    Message(ProviderError),
    /// `{"error": {"message", "type", "param", "code"}}`.
    OpenAi(ProviderError),
}

/// OpenAI's error object for `error`.
pub fn openai_error(error: &ProviderError) -> Value {
    let kind = match error.status {
        401 | 403 => "authentication_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        400..=499 => "invalid_request_error",
        _ => "api_error",
    };
    json!({"error": {"message": error.message, "type": kind, "param": null, "code": null}})
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (error, body) = match self {
            Failure::Message(error) => {
                let body = json!({"message": error.message});
                (error, body)
            }
            Failure::OpenAi(error) => {
                let body = openai_error(&error);
                (error, body)
            }
        };
        let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_GATEWAY);
        let mut response = (status, Json(body)).into_response();
        if let Some(value) = error.retry_after.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
