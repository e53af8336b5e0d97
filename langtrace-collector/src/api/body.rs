//! Typed JSON bodies: [`JsonBody<T>`] reads the body (within the server's body limit)
//! and deserializes it into `T`; a body that is not JSON, or not the shape `T` wants,
//! answers 400 naming the field at fault, a body over the limit 413, both as the API's
//! JSON error (axum's own `Json` answers 415/422 in plain text).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::app::{ApiError, AppState};

/// The request's JSON body as `T`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(state.limits.max_body_bytes)
            } else {
                ApiError::BadRequest(format!("cannot read the body: {}", rejection.body_text()))
            }
        })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            match path.as_str() {
                "." => ApiError::BadRequest(format!("invalid JSON body: {}", error.inner())),
                _ => ApiError::BadRequest(format!("invalid JSON body at {path}: {}", error.inner())),
            }
        })?;
        deserializer.end().map_err(|error| ApiError::BadRequest(format!("invalid JSON body: {error}")))?;
        Ok(JsonBody(value))
    }
}
