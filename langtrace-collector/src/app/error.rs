//! The one error type of every route: each variant maps to a status code and a JSON body
//! `{"message": ...}`. An internal error is logged with its cause and a fresh id when it
//! is made; the answer names only the id, never the cause (no SQLite or I/O text leaves
//! the server).

use std::fmt::Display;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::auth::AuthError;
use crate::store::db;
use crate::writer::WriteError;

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
    /// 404 answering exactly this message (where clients read it, as Langfuse's prompt
    /// API words it).
    #[error("{0}")]
    Missing(String),
    /// 409: the request contradicts the stored state (the message says how).
    #[error("{0}")]
    Conflict(String),
    /// 413.
    #[error("request body larger than the limit of {0} bytes")]
    TooLarge(usize),
    /// 413: a media upload longer than its announced `contentLength`.
    #[error("the upload is longer than its announced contentLength of {0} bytes")]
    LongerThanAnnounced(u64),
    /// 413: an OTLP export past one of the decode limits (named in the message).
    #[error(transparent)]
    LimitExceeded(#[from] crate::receive::limits::LimitExceeded),
    /// 408: the body did not arrive in time.
    #[error("the request body did not arrive within {0:?}")]
    BodyTimeout(Duration),
    /// 415.
    #[error("unsupported content type {0:?}: send application/x-protobuf or application/json")]
    UnsupportedMediaType(String),
    /// 503 + `Retry-After`.
    #[error("overloaded: retry later")]
    Overloaded,
    /// 503 + `Retry-After`: every read slot stayed busy for the queue timeout.
    #[error(
        "too many reads at once: all {slots} read slots (--max-reads / LANGTRACE_MAX_READS) stayed busy for {waited:?} (--read-queue-timeout); retry later"
    )]
    ReadsBusy {
        /// The number of slots.
        slots: u32,
        /// How long the read waited.
        waited: Duration,
    },
    /// 504: the query ran past the read time budget.
    #[error("the query ran past the read time budget of {0:?} (--read-timeout / LANGTRACE_READ_TIMEOUT): narrow the filters or the time range")]
    ReadTimeout(Duration),
    /// 503: a read was stopped (its client left, or its budget ran out; see
    /// [`crate::app::reads`]).
    #[error("the query was stopped")]
    Interrupted,
    /// 500; the cause was logged under this id (see [`ApiError::internal`]).
    #[error("internal error {0}: the server's log has the details")]
    Internal(String),
}

impl ApiError {
    /// An internal error: logs `cause` with a new error id and keeps only the id.
    pub fn internal(cause: impl Display) -> Self {
        let id = crate::auth::random_hex(8);
        tracing::error!(error_id = %id, %cause, "request failed");
        ApiError::Internal(id)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(AuthError::Throttled(_)) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) | ApiError::Missing(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) | ApiError::LongerThanAnnounced(_) | ApiError::LimitExceeded(_) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Overloaded | ApiError::ReadsBusy { .. } | ApiError::Interrupted => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::ReadTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<WriteError> for ApiError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Overloaded | WriteError::Stopped => ApiError::Overloaded,
            other => ApiError::internal(other),
        }
    }
}

impl From<db::Error> for ApiError {
    fn from(error: db::Error) -> Self {
        if error.is_interrupted() {
            return ApiError::Interrupted;
        }
        ApiError::internal(format!("database error: {error}"))
    }
}

/// The body of every error answer.
#[derive(Serialize)]
struct ErrorBody {
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(ErrorBody { message: self.to_string() })).into_response();
        match self {
            ApiError::Overloaded | ApiError::ReadsBusy { .. } => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            // No `WWW-Authenticate` on a 401: a challenge makes browsers prompt for and then
            // keep ambient credentials, which every later request would carry.
            ApiError::Unauthorized(AuthError::Throttled(wait)) => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
            }
            _ => {}
        }
        response
    }
}
