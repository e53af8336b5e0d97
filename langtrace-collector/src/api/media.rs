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
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{read, ApiError, AppState, Authed};
use crate::auth::random_hex;
use crate::store::now_ns;
use crate::store::query::iso;
use langtrace_core::ids::hex;
use langtrace_core::media::media_id;

/// Where the bytes of a standard-base64 SHA-256 live: the digest in hex.
fn file_name(sha256_base64: &str) -> String {
    hex(&base64::engine::general_purpose::STANDARD.decode(sha256_base64).unwrap_or_default())
}

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

/// `POST /api/public/media`.
pub async fn create(
    State(state): State<AppState>,
    Authed(project): Authed,
    Json(body): Json<Announce>,
) -> Result<Json<Value>, ApiError> {
    let digest = base64::engine::general_purpose::STANDARD.decode(&body.sha256_hash).ok().filter(|h| h.len() == 32);
    let Some(digest) = digest else {
        return Err(ApiError::BadRequest("sha256Hash must be the standard base64 of a SHA-256 digest".into()));
    };
    if body.content_length as usize > state.limits.max_body_bytes {
        return Err(ApiError::TooLarge(state.limits.max_body_bytes));
    }
    if body.content_type.is_empty() || body.content_type.len() > 255 {
        return Err(ApiError::BadRequest("contentType is required".into()));
    }
    // The id the client's SDK computed for its reference string.
    let id = media_id(&digest);
    let stored_id = id.clone();
    let token = state
        .writer
        .write(move |tx, _| {
            let uploaded: Option<Option<i64>> = tx
                .query_row(
                    "SELECT uploaded_at FROM media WHERE project_id = ?1 AND id = ?2 AND upload_status BETWEEN 200 AND 299",
                    params![project.id, stored_id],
                    |row| row.get(0),
                )
                .optional()?;
            if uploaded.is_some() {
                return Ok(None);
            }
            let token = random_hex(16);
            tx.execute(
                "INSERT INTO media (project_id, id, sha256_hash, content_type, content_length, trace_id, observation_id,
                    field, upload_token, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (project_id, id) DO UPDATE SET upload_token = excluded.upload_token,
                    content_type = excluded.content_type, content_length = excluded.content_length",
                params![
                    project.id, stored_id, body.sha256_hash, body.content_type, body.content_length as i64,
                    body.trace_id, body.observation_id, body.field, token, now_ns()
                ],
            )?;
            Ok(Some(token))
        })
        .await?;
    let upload_url = token.map(|token| format!("{}/media-upload/{id}/{token}", state.limits.public_url));
    Ok(Json(json!({"mediaId": id, "uploadUrl": upload_url})))
}

/// `PUT /media-upload/{id}/{token}`: the bytes announced for `id`.
pub async fn upload(
    State(state): State<AppState>,
    Path((id, token)): Path<(String, String)>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let lookup = (id.clone(), token.clone());
    let announced: Option<(String, i64, String)> = read(&state, move |connection| {
        Ok(connection
            .query_row(
                "SELECT sha256_hash, content_length, project_id FROM media WHERE id = ?1 AND upload_token = ?2",
                params![lookup.0, lookup.1],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?)
    })
    .await?;
    let (hash, length, project_id) = announced.ok_or_else(|| ApiError::NotFound(format!("upload {id}")))?;
    let actual = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&body));
    if actual != hash || body.len() as i64 != length {
        return Err(ApiError::BadRequest("the bytes do not match the announced sha256Hash and contentLength".into()));
    }
    let path = state.limits.media_dir.join(file_name(&hash));
    let temporary = path.with_extension(format!("part-{}", random_hex(4)));
    tokio::fs::write(&temporary, &body).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    tokio::fs::rename(&temporary, &path).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    state
        .writer
        .write(move |tx, _| {
            tx.execute(
                "UPDATE media SET uploaded_at = ?1, upload_status = 200, upload_token = NULL
                 WHERE project_id = ?2 AND id = ?3",
                params![now_ns(), project_id, id],
            )
        })
        .await?;
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
    let updated = state
        .writer
        .write(move |tx, _| {
            tx.execute(
                "UPDATE media SET upload_status = COALESCE(upload_status, ?1) WHERE project_id = ?2 AND id = ?3",
                params![body.upload_http_status, project.id, id],
            )
        })
        .await?;
    if updated == 0 {
        return Err(ApiError::NotFound("media".into()));
    }
    Ok(StatusCode::NO_CONTENT)
}

struct Stored {
    hash: String,
    content_type: String,
    length: i64,
    uploaded_at: Option<i64>,
}

async fn stored(state: &AppState, project_id: String, id: String) -> Result<Stored, ApiError> {
    read(state, move |connection| {
        connection
            .query_row(
                "SELECT sha256_hash, content_type, content_length, uploaded_at FROM media WHERE project_id = ?1 AND id = ?2",
                params![project_id, id],
                |row| Ok(Stored { hash: row.get(0)?, content_type: row.get(1)?, length: row.get(2)?, uploaded_at: row.get(3)? }),
            )
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("media {id}")))
    })
    .await
}

/// `GET /api/public/media/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Authed(project): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let media = stored(&state, project.id, id.clone()).await?;
    Ok(Json(json!({
        "mediaId": id,
        "contentType": media.content_type,
        "contentLength": media.length,
        "uploadedAt": media.uploaded_at.map(iso),
        "url": format!("{}/api/public/media/{id}/content", state.limits.public_url),
        // The content URL takes the project's keys and does not expire.
        "urlExpiry": "9999-12-31T23:59:59.000Z",
    })))
}

/// `GET /api/public/media/{id}/content`: the bytes, with their content type. Traced
/// content is untrusted: never sniffed, sandboxed, and active types are downloads.
pub async fn content(
    State(state): State<AppState>,
    Authed(project): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let media = stored(&state, project.id, id.clone()).await?;
    if media.uploaded_at.is_none() {
        return Err(ApiError::NotFound(format!("media {id} (not uploaded)")));
    }
    let bytes = tokio::fs::read(state.limits.media_dir.join(file_name(&media.hash)))
        .await
        .map_err(|e| ApiError::Internal(format!("media {id}: {e}")))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    let content_type =
        HeaderValue::from_str(&media.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let passive = ["image/", "audio/", "video/"].iter().any(|p| media.content_type.starts_with(p))
        && !media.content_type.contains("svg");
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    if !passive {
        headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    }
    Ok(response)
}
