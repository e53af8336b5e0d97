//! Langfuse's media flow, with the upload URL served here: `POST /api/public/media`
//! announces bytes by SHA-256 and answers `{mediaId, uploadUrl}` (`uploadUrl` null when
//! already stored), `PUT /media-upload/{id}/{token}` takes the bytes (the one-time token
//! stands in for a presigned URL, checked before the body is read; the bytes stream to a
//! temporary file, and the hash and length must match the announcement),
//! `PATCH /api/public/media/{id}` records the client's report. Bytes are stored by hash
//! in the data directory; `GET /api/public/media/{id}` describes them and
//! `GET /api/public/media/{id}/content` returns them to the project's keys.

use axum::body::{Body, HttpBody};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use futures_util::StreamExt;
use langtrace_core::media::media_id;
use serde::{Deserialize, Serialize};

use super::wire::iso;
use crate::api::body::JsonBody;
use crate::api::path::PathParams;
use crate::app::{ApiError, AppState, Authed};
use crate::auth::random_hex;
use crate::store::incoming_media::IncomingMedia;
use crate::store::media::{self, Announced, MediaRow, Upload};

/// Body of `POST /api/public/media`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Announce {
    trace_id: Option<String>,
    observation_id: Option<String>,
    content_type: String,
    content_length: u64,
    sha256_hash: String,
    field: Option<String>,
}

/// Answer of `POST /api/public/media`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadTicket {
    media_id: String,
    upload_url: Option<String>,
}

/// `POST /api/public/media`.
pub async fn create(
    State(state): State<AppState>,
    Authed(project): Authed,
    JsonBody(body): JsonBody<Announce>,
) -> Result<Json<UploadTicket>, ApiError> {
    let digest = base64::engine::general_purpose::STANDARD.decode(&body.sha256_hash).ok().filter(|h| h.len() == 32);
    let Some(digest) = digest else {
        return Err(ApiError::BadRequest("sha256Hash must be the standard base64 of a SHA-256 digest".into()));
    };
    if body.content_length > state.limits.max_body_bytes as u64 {
        return Err(ApiError::TooLarge(state.limits.max_body_bytes));
    }
    if body.content_type.is_empty() || body.content_type.len() > 255 {
        return Err(ApiError::BadRequest("contentType is required".into()));
    }
    // The id the client's SDK computed for its reference string.
    let announced = Announced {
        id: media_id(&digest),
        sha256_hash: body.sha256_hash,
        content_type: body.content_type,
        content_length: body.content_length as i64,
        trace_id: body.trace_id,
        observation_id: body.observation_id,
        field: body.field,
    };
    let media_id = announced.id.clone();
    let token = random_hex(16);
    let token = state.writer.write(move |tx| media::announce(tx, &project.id, &announced, &token)).await?;
    let upload_url = token.map(|token| format!("{}/media-upload/{media_id}/{token}", state.limits.public_url));
    Ok(Json(UploadTicket { media_id, upload_url }))
}

/// `PUT /media-upload/{id}/{token}`: the bytes announced for `id`. The token is looked up
/// before any byte of the body is read (an unknown one gets 404, its body unread); the
/// body then streams to a temporary file within the body timeout (408), at most the
/// announced `contentLength` (413 past it, 400 short of it), and is kept only when its
/// SHA-256 is the announced one (400 otherwise).
pub async fn upload(
    State(state): State<AppState>,
    PathParams((id, token)): PathParams<(String, String)>,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let lookup = (id.clone(), token);
    let announced = state.read(move |c| Ok(media::upload(c, &lookup.0, &lookup.1)?)).await?;
    let announced = announced.ok_or_else(|| ApiError::NotFound(format!("upload {id}")))?;
    let expected = announced.content_length as u64;
    // A Content-Length other than the announced one is refused before the body is read.
    match body.size_hint().exact() {
        Some(length) if length > expected => return Err(ApiError::LongerThanAnnounced(expected)),
        Some(length) if length < expected => return Err(shorter_than_announced(length, expected)),
        _ => {}
    }
    let timeout = state.limits.body_timeout;
    let incoming = tokio::time::timeout(timeout, receive(&state, &announced, body))
        .await
        .map_err(|_| ApiError::BodyTimeout(timeout))??;
    incoming.keep().await.map_err(|e| ApiError::internal(format!("media {id}: {e}")))?;
    let project_id = announced.project_id;
    state.writer.write(move |tx| media::mark_uploaded(tx, &project_id, &id)).await?;
    Ok(StatusCode::OK)
}

/// Streams `body` into a temporary file for `announced`, refusing bytes past its length;
/// the file once the body is complete, its length and SHA-256 the announced ones.
async fn receive(state: &AppState, announced: &Upload, body: Body) -> Result<IncomingMedia, ApiError> {
    let expected = announced.content_length as u64;
    let mut incoming = IncomingMedia::create(&state.limits.media_dir, &announced.sha256_hash, &random_hex(4))
        .await
        .map_err(|e| ApiError::internal(format!("media upload: {e}")))?;
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("cannot read the body: {e}")))?;
        if incoming.bytes_written() + chunk.len() as u64 > expected {
            return Err(ApiError::LongerThanAnnounced(expected));
        }
        incoming.write(&chunk).await.map_err(|e| ApiError::internal(format!("media upload: {e}")))?;
    }
    if incoming.bytes_written() < expected {
        return Err(shorter_than_announced(incoming.bytes_written(), expected));
    }
    if incoming.sha256_base64() != announced.sha256_hash {
        return Err(ApiError::BadRequest("the bytes do not match the announced sha256Hash".into()));
    }
    Ok(incoming)
}

fn shorter_than_announced(length: u64, expected: u64) -> ApiError {
    ApiError::BadRequest(format!("the upload has {length} bytes, fewer than its announced contentLength of {expected}"))
}

/// Body of `PATCH /api/public/media/{id}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    upload_http_status: Option<i64>,
}

/// `PATCH /api/public/media/{id}`: the client's upload report (a stored upload stays
/// stored whatever the report says).
pub async fn report(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<Report>,
) -> Result<StatusCode, ApiError> {
    let status = body.upload_http_status;
    let updated = state.writer.write(move |tx| media::report(tx, &project.id, &id, status)).await?;
    if updated == 0 {
        return Err(ApiError::NotFound("media".into()));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn stored(state: &AppState, project_id: String, id: String) -> Result<MediaRow, ApiError> {
    state
        .read(move |connection| {
            media::get(connection, &project_id, &id)?.ok_or_else(|| ApiError::NotFound(format!("media {id}")))
        })
        .await
}

/// When a content URL expires: never (it takes the project's keys).
pub const CONTENT_URL_EXPIRY: &str = "9999-12-31T23:59:59.000Z";

/// The URL of media `id`'s bytes under `public_url`.
pub fn content_url(public_url: &str, id: &str) -> String {
    format!("{public_url}/api/public/media/{id}/content")
}

/// Answer of `GET /api/public/media/{id}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaDescription {
    media_id: String,
    content_type: String,
    content_length: i64,
    uploaded_at: Option<String>,
    url: String,
    url_expiry: &'static str,
}

/// `GET /api/public/media/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<MediaDescription>, ApiError> {
    let media = stored(&state, project.id, id.clone()).await?;
    Ok(Json(MediaDescription {
        url: content_url(&state.limits.public_url, &id),
        media_id: id,
        content_type: media.content_type,
        content_length: media.content_length,
        uploaded_at: media.uploaded_at.map(iso),
        url_expiry: CONTENT_URL_EXPIRY,
    }))
}

/// `GET /api/public/media/{id}/content`: the bytes, with their content type. Traced
/// content is untrusted: never sniffed, sandboxed, and only allowlisted types inline
/// (see [`super::media_type`]).
pub async fn content(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let media = stored(&state, project.id, id.clone()).await?;
    if media.uploaded_at.is_none() {
        return Err(ApiError::NotFound(format!("media {id} (not uploaded)")));
    }
    let bytes = tokio::fs::read(media::file_of(&state.limits.media_dir, &media.sha256_hash))
        .await
        .map_err(|e| ApiError::internal(format!("media {id}: {e}")))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    super::media_type::label(headers, &media.content_type);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    Ok(response)
}
