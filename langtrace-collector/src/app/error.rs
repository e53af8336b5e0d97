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
    /// 413.
    #[error("request body larger than the limit of {0} bytes")]
    TooLarge(usize),
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
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::TooLarge(_) | ApiError::LimitExceeded(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
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

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
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
