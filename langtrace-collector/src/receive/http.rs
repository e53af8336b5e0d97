//! OTLP/HTTP: protobuf or JSON bodies, optionally gzip-compressed, answered in the
//! request's format. Bad input gets a precise 4xx: 400 for undecodable bodies, 401 for
//! credentials, 413 for bodies over the limit (after decompression too) or past a decode
//! limit (see [`super::count`]), 415 for other
//! content types, 408 for a body sent too slowly, 503 + `Retry-After` when as many
//! requests as the ingest queue holds are in flight already (their body is then read and
//! dropped, never kept).

use std::io::Read;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use super::reply::Format;
use crate::app::{ApiError, AppState, Authed};

/// The request's `Content-Encoding`, trimmed and lower-case (`identity` when absent).
fn content_encoding(headers: &HeaderMap) -> String {
    let encoding = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("identity");
    encoding.trim().to_ascii_lowercase()
}

/// The body, gunzipped when `encoding` is `gzip`, refused past `limit` bytes.
fn plain_body(encoding: &str, body: Vec<u8>, limit: usize) -> Result<Vec<u8>, ApiError> {
    match encoding {
        "identity" | "" => Ok(body),
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

/// Hands each chunk of the body to `take`, refusing bodies past `limit` bytes.
async fn each_chunk(body: Body, limit: usize, mut take: impl FnMut(&[u8])) -> Result<(), ApiError> {
    let mut chunks = body.into_data_stream();
    let mut seen = 0;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("cannot read the body: {e}")))?;
        seen += chunk.len();
        if seen > limit {
            return Err(ApiError::TooLarge(limit));
        }
        take(&chunk);
    }
    Ok(())
}

/// Reads the request body, refused past `limit` bytes; allocated once when the client
/// says its length.
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    let mut bytes = Vec::with_capacity(length.unwrap_or(0).min(limit));
    each_chunk(body, limit, |chunk| bytes.extend_from_slice(chunk)).await?;
    Ok(bytes)
}

/// `POST /v1/traces` and `POST /api/public/otel/v1/traces`. Admitted
/// ([`crate::writer::Writer::admit`]) after the credentials and before the body is kept,
/// so a refused request costs no memory.
pub async fn export(
    State(state): State<AppState>,
    Authed(project): Authed,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (limit, timeout) = (state.limits.max_body_bytes, state.limits.body_timeout);
    let admission = match state.writer.admit() {
        Ok(admission) => admission,
        Err(refused) => {
            // Read and dropped chunk by chunk: an answer sent before the body is read
            // reaches the client as a reset connection instead.
            let _ = tokio::time::timeout(timeout, each_chunk(body, limit, |_| ())).await;
            return ApiError::from(refused).into_response();
        }
    };
    let result = async {
        let format = Format::of(&headers)?;
        let body = tokio::time::timeout(timeout, read_body(&headers, body, limit))
            .await
            .map_err(|_| ApiError::BodyTimeout(timeout))??;
        let encoding = content_encoding(&headers);
        // Decompressed with the rest of the decode work, off the async workers.
        let plain = move || plain_body(&encoding, body, limit);
        let response = super::ingest(&state, project, admission, format, plain).await?;
        Ok::<_, ApiError>((format, response))
    }
    .await;
    match result {
        Ok((format, response)) => format.reply(response),
        Err(error) => error.into_response(),
    }
}
