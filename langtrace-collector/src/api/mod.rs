//! The JSON API under `/api/public`, one file per resource, on Langfuse's paths and
//! shapes where Langfuse has the same thing. Handlers are thin: an authenticated
//! [`Authed`] project, typed query parameters, a store query on a blocking thread, and
//! one error type, [`ApiError`], that maps to status codes.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use rusqlite::types::Value as Sql;
use serde_json::json;

use crate::auth::{AuthError, Authenticator, Project};
use crate::ingest::{WriteError, Writer};
use crate::store::Store;

pub mod environments;
pub mod health;
pub mod media;
pub mod metrics;
pub mod models;
pub mod observations;
pub mod scores;
pub mod sessions;
pub mod traces;
pub mod users;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Read access.
    pub store: Store,
    /// The single writer.
    pub writer: Writer,
    /// Key checks.
    pub auth: Authenticator,
    /// Server settings the handlers need.
    pub limits: Arc<Limits>,
}

/// Request limits and where media live.
#[derive(Debug)]
pub struct Limits {
    /// Largest request body, after decompression too.
    pub max_body_bytes: usize,
    /// Longest wait for an ingest request's body.
    pub body_timeout: std::time::Duration,
    /// Where uploaded media bytes are stored (content-addressed).
    pub media_dir: std::path::PathBuf,
    /// The externally visible base URL, for media upload URLs.
    pub public_url: String,
}

/// One error type for every route.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401.
    #[error(transparent)]
    Unauthorized(#[from] AuthError),
    /// 400 with a message.
    #[error("{0}")]
    BadRequest(String),
    /// 404.
    #[error("{0} not found")]
    NotFound(String),
    /// 413.
    #[error("request body larger than the limit of {0} bytes")]
    TooLarge(usize),
    /// 408: the body did not arrive in time.
    #[error("the request body did not arrive within {0:?}")]
    BodyTimeout(std::time::Duration),
    /// 415.
    #[error("unsupported content type {0:?}: send application/x-protobuf or application/json")]
    UnsupportedMediaType(String),
    /// 503 + `Retry-After`.
    #[error("overloaded: retry later")]
    Overloaded,
    /// 500.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<WriteError> for ApiError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Overloaded | WriteError::Stopped => ApiError::Overloaded,
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(message) = &self {
            tracing::error!(%message, "request failed");
        }
        let mut response = (self.status(), Json(json!({"message": self.to_string()}))).into_response();
        match self {
            ApiError::Overloaded => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            ApiError::Unauthorized(_) => {
                let challenge = HeaderValue::from_static("Basic realm=\"langtrace\"");
                response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
            }
            _ => {}
        }
        response
    }
}

/// The project of the request's Basic credentials.
pub struct Authed(pub Project);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        Ok(Authed(state.auth.authenticate(header)?))
    }
}

/// Runs a read on a blocking thread.
pub async fn read<T: Send + 'static>(
    state: &AppState,
    query: impl FnOnce(&rusqlite::Connection) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let mut outcome = None;
        let result = store.read(|connection| {
            outcome = Some(query(connection));
            Ok(())
        });
        match (result, outcome) {
            (_, Some(outcome)) => outcome,
            (Err(error), None) => Err(error.into()),
            (Ok(()), None) => Err(ApiError::Internal("query did not run".into())),
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// Langfuse's pagination block.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageMeta {
    /// 1-based page.
    pub page: u32,
    /// Items per page.
    pub limit: u32,
    /// Items matching.
    pub total_items: u64,
    /// Pages.
    pub total_pages: u64,
}

impl PageMeta {
    /// The block for `page` of `limit` items out of `total_items`.
    pub fn new(page: u32, limit: u32, total_items: u64) -> Self {
        Self { page, limit, total_items, total_pages: total_items.div_ceil(u64::from(limit.max(1))) }
    }
}

/// One page of a list, answered `{data, meta}` as Langfuse pages: `count_sql` counts and
/// `page_sql` selects (both with `{where}` where the filter goes; `page_sql` without its
/// `LIMIT`), each row shaped by `map`.
pub async fn page_of(
    state: &AppState,
    (page, limit): (u32, u32),
    filter: crate::store::query::Filter,
    count_sql: &str,
    page_sql: &str,
    map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<serde_json::Value>,
) -> Result<Json<serde_json::Value>, ApiError> {
    use crate::store::query;
    let where_sql = filter.sql();
    let count_sql = count_sql.replace("{where}", &where_sql);
    let page_sql = format!("{} LIMIT ? OFFSET ?", page_sql.replace("{where}", &where_sql));
    read(state, move |connection| {
        let total = query::count(connection, &count_sql, filter.params([]))?;
        let bounds = [Sql::Integer(i64::from(limit)), Sql::Integer(i64::from((page - 1) * limit))];
        let data = query::all(connection, &page_sql, filter.params(bounds), map)?;
        Ok(Json(json!({"data": data, "meta": PageMeta::new(page, limit, total)})))
    })
    .await
}

/// The row `sql` selects, shaped by `map`; 404 naming `what` when there is none.
pub fn one(
    connection: &rusqlite::Connection,
    sql: &str,
    params: Vec<Sql>,
    map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<serde_json::Value>,
    what: &str,
) -> Result<serde_json::Value, ApiError> {
    crate::store::query::all(connection, sql, params, map)?.pop().ok_or_else(|| ApiError::NotFound(what.to_owned()))
}

/// A validated page and limit (defaults 1 and 50, limit at most 100).
pub fn paging(page: Option<u32>, limit: Option<u32>) -> Result<(u32, u32), ApiError> {
    let page = page.unwrap_or(1);
    let limit = limit.unwrap_or(50);
    if page == 0 {
        return Err(ApiError::BadRequest("page starts at 1".into()));
    }
    if !(1..=100).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 100".into()));
    }
    Ok((page, limit))
}

/// Query parameters as `(name, value)` pairs, repeated names kept (`tags=a&tags=b`).
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a raw query string.
    pub fn parse(raw: Option<String>) -> Self {
        Self(form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect())
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of `name` (comma-separated values split too).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
            .collect()
    }

    /// `name` parsed as a number.
    pub fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, ApiError> {
        self.get(name)
            .map(|text| {
                text.parse().map_err(|_| ApiError::BadRequest(format!("{name} must be a number, got {text:?}")))
            })
            .transpose()
    }

    /// `name` parsed as an ISO-8601 time, in nanoseconds.
    pub fn time(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|text| {
                crate::store::query::parse_time(text)
                    .ok_or_else(|| ApiError::BadRequest(format!("{name} must be an ISO-8601 time, got {text:?}")))
            })
            .transpose()
    }
}

/// An opaque cursor: the last row's time and id.
pub fn encode_cursor(start: i64, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{start}:{id}"))
}

/// The time and id of a cursor.
pub fn decode_cursor(cursor: &str) -> Result<(i64, String), ApiError> {
    let invalid = || ApiError::BadRequest("invalid cursor".into());
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (start, id) = text.split_once(':').ok_or_else(invalid)?;
    Ok((start.parse().map_err(|_| invalid())?, id.to_owned()))
}
