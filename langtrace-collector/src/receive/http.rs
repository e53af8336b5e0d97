//! OTLP/HTTP: protobuf or JSON bodies, optionally gzip-compressed, answered in the
//! request's format. Bad input gets a precise 4xx: 400 for undecodable bodies, 401 for
//! credentials, 413 for bodies over the limit (after decompression too), 415 for other
//! content types, 503 + `Retry-After` when the writer's queue is full.

use std::io::Read;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

use crate::api::{ApiError, AppState, Authed};

/// Body formats of OTLP/HTTP.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Protobuf,
    Json,
}

fn format_of(headers: &HeaderMap) -> Result<Format, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/x-protobuf" | "application/protobuf" => Ok(Format::Protobuf),
        "application/json" => Ok(Format::Json),
        _ => Err(ApiError::UnsupportedMediaType(content_type.to_owned())),
    }
}

/// The body, gunzipped when `Content-Encoding: gzip`, refused past `limit` bytes.
fn plain_body(headers: &HeaderMap, body: Bytes, limit: usize) -> Result<Vec<u8>, ApiError> {
    let encoding = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("identity");
    match encoding.trim().to_ascii_lowercase().as_str() {
        "identity" | "" => Ok(body.to_vec()),
        "gzip" => {
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .take(limit as u64 + 1)
                .read_to_end(&mut plain)
                .map_err(|e| ApiError::BadRequest(format!("invalid gzip body: {e}")))?;
            if plain.len() > limit {
                return Err(ApiError::TooLarge(limit));
            }
            Ok(plain)
        }
        other => Err(ApiError::BadRequest(format!("unsupported Content-Encoding {other:?}: use gzip or none"))),
    }
}

/// `POST /v1/traces` and `POST /api/public/otel/v1/traces`.
pub async fn export(
    State(state): State<AppState>,
    Authed(project): Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let format = format_of(&headers)?;
        let limit = state.limits.max_body_bytes;
        let body = plain_body(&headers, body, limit)?;
        let request = match format {
            Format::Protobuf => ExportTraceServiceRequest::decode(&body[..])
                .map_err(|e| ApiError::BadRequest(format!("invalid OTLP protobuf: {e}")))?,
            Format::Json => {
                serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(format!("invalid OTLP JSON: {e}")))?
            }
        };
        let response = super::ingest(&state, project, request).await?;
        Ok::<_, ApiError>((format, response))
    }
    .await;
    match result {
        Ok((Format::Protobuf, response)) => {
            ([(header::CONTENT_TYPE, "application/x-protobuf")], response.encode_to_vec()).into_response()
        }
        Ok((Format::Json, response)) => axum::Json(response).into_response(),
        Err(error) => error.into_response(),
    }
}
