//! Typed path parameters: [`PathParams<T>`] is axum's `Path<T>` whose rejection (an id
//! that is not valid UTF-8 once percent-decoded, say) answers 400 as the API's JSON
//! error instead of plain text.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::app::ApiError;

/// The route's path parameters as `T` (a `String`, or a tuple of them).
pub struct PathParams<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(params)| PathParams(params))
            .map_err(|rejection| ApiError::BadRequest(format!("invalid path: {}", rejection.body_text())))
    }
}
