//! Langfuse's media flow, with the upload URL served here: `POST /api/public/media`
//! announces bytes by SHA-256 and answers `{mediaId, uploadUrl}` (`uploadUrl` null when
//! already stored), `PUT /media-upload/{id}/{token}` takes the bytes (the one-time token
//! stands in for a presigned URL; the hash and length must match the announcement),
//! `PATCH /api/public/media/{id}` records the client's report. Bytes are stored by hash
//! in the data directory; `GET /api/public/media/{id}` describes them and
//! `GET /api/public/media/{id}/content` returns them to the project's keys.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use langtrace_core::media::media_id;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::wire::iso;
use crate::app::{ApiError, AppState, Authed};
use crate::auth::random_hex;
use crate::store::media::{self, Announced, MediaRow};

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
    Json(body): Json<Announce>,
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
    let token = state.writer.write(move |tx, _| media::announce(tx, &project.id, &announced, &token)).await?;
    let upload_url = token.map(|token| format!("{}/media-upload/{media_id}/{token}", state.limits.public_url));
    Ok(Json(UploadTicket { media_id, upload_url }))
}

/// `PUT /media-upload/{id}/{token}`: the bytes announced for `id`.
pub async fn upload(
    State(state): State<AppState>,
    Path((id, token)): Path<(String, String)>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let lookup = (id.clone(), token);
    let announced = state.read(move |c| Ok(media::upload(c, &lookup.0, &lookup.1)?)).await?;
    let announced = announced.ok_or_else(|| ApiError::NotFound(format!("upload {id}")))?;
    let actual = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&body));
    if actual != announced.sha256_hash || body.len() as i64 != announced.content_length {
        return Err(ApiError::BadRequest("the bytes do not match the announced sha256Hash and contentLength".into()));
    }
    let (media_dir, hash) = (state.limits.media_dir.clone(), announced.sha256_hash.clone());
    tokio::task::spawn_blocking(move || media::write_bytes(&media_dir, &hash, &body, &random_hex(4)))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let project_id = announced.project_id;
    state.writer.write(move |tx, _| media::mark_uploaded(tx, &project_id, &id)).await?;
    Ok(StatusCode::OK)
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
    Path(id): Path<String>,
    Json(body): Json<Report>,
) -> Result<StatusCode, ApiError> {
    let status = body.upload_http_status;
    let updated = state.writer.write(move |tx, _| media::report(tx, &project.id, &id, status)).await?;
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
    Path(id): Path<String>,
) -> Result<Json<MediaDescription>, ApiError> {
    let media = stored(&state, project.id, id.clone()).await?;
    Ok(Json(MediaDescription {
        url: format!("{}/api/public/media/{id}/content", state.limits.public_url),
        media_id: id,
        content_type: media.content_type,
        content_length: media.content_length,
        uploaded_at: media.uploaded_at.map(iso),
        // The content URL takes the project's keys and does not expire.
        url_expiry: "9999-12-31T23:59:59.000Z",
    }))
}

/// `GET /api/public/media/{id}/content`: the bytes, with their content type. Traced
/// content is untrusted: never sniffed, sandboxed, and only allowlisted types inline
/// (see [`super::media_type`]).
pub async fn content(
    State(state): State<AppState>,
    Authed(project): Authed,
    Path(id): Path<String>,
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
