//! OTLP/HTTP body formats and replies: a request is answered in its own format
//! (protobuf or JSON), as the OTLP specification requires.

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message;

use crate::app::ApiError;

/// Body formats of OTLP/HTTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `application/x-protobuf`.
    Protobuf,
    /// `application/json`.
    Json,
}

impl Format {
    /// The format a request's `Content-Type` names; 415 for anything else.
    pub fn of(headers: &HeaderMap) -> Result<Self, ApiError> {
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/x-protobuf" | "application/protobuf" => Ok(Format::Protobuf),
            "application/json" => Ok(Format::Json),
            _ => Err(ApiError::UnsupportedMediaType(content_type.to_owned())),
        }
    }

    /// `response` encoded in this format.
    pub fn reply(self, response: ExportTraceServiceResponse) -> Response {
        match self {
            Format::Protobuf => {
                ([(header::CONTENT_TYPE, "application/x-protobuf")], response.encode_to_vec()).into_response()
            }
            Format::Json => axum::Json(response).into_response(),
        }
    }
}
