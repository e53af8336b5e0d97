//! Headers every API response carries (OTLP, `/api/public`, media upload; not the UI's
//! assets, which set their own caching): `X-Content-Type-Options: nosniff` (a body is
//! never read as another type than the one declared), `Cache-Control: no-store` (traced
//! data stays out of browser and proxy caches) and `Cross-Origin-Resource-Policy:
//! same-origin` (no other site can embed an answer, media included).

use axum::http::{header, HeaderName, HeaderValue};
use axum::response::Response;

/// `Cross-Origin-Resource-Policy` (no constant in `http`).
const CROSS_ORIGIN_RESOURCE_POLICY: HeaderName = HeaderName::from_static("cross-origin-resource-policy");

/// Adds the API's headers to `response` (an `axum::middleware::map_response` function).
pub async fn api_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(CROSS_ORIGIN_RESOURCE_POLICY, HeaderValue::from_static("same-origin"));
    response
}
