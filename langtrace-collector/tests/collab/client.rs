//! The requests the collaboration tests send, over the support module's client.

use opentelemetry_proto::tonic::common::v1::any_value;
use reqwest::Method;
use serde_json::Value;

use crate::support::http::Api;
use crate::support::otlp::{self, attribute, span, text, SpanBuilder};

/// Sends `spans` with the `authorization` of a project, asserting 200.
pub fn send(api: &Api, authorization: &str, spans: Vec<SpanBuilder>) {
    otlp::send(api, authorization, &otlp::request_from("collab", spans));
}

/// The root span of trace `trace`, in `session`, public as `public` says.
pub fn root(trace: u8, session: &str, public: bool) -> SpanBuilder {
    span(trace, 1).at(0, 5).attributes(vec![
        text("session.id", session),
        attribute("langfuse.trace.public", any_value::Value::BoolValue(public)),
    ])
}

/// Any method with a JSON body (or none) and `authorization` (or none); the status and
/// the JSON answer (`Null` if not JSON).
pub fn send_as(
    api: &Api,
    method: Method,
    path: &str,
    authorization: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut headers = Vec::new();
    if let Some(authorization) = authorization {
        headers.push(("authorization", authorization));
    }
    if body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let (status, _, answer) = api.send_raw(method, path, &headers, bytes);
    (status, serde_json::from_slice(&answer).unwrap_or(Value::Null))
}

/// GET without any key.
pub fn get_anonymous(api: &Api, path: &str) -> (u16, Value) {
    send_as(api, Method::GET, path, None, None)
}

/// PATCH trace `id` with `body` as `authorization`.
pub fn patch_trace(api: &Api, authorization: &str, id: &str, body: &Value) -> (u16, Value) {
    send_as(api, Method::PATCH, &format!("/api/public/traces/{id}"), Some(authorization), Some(body))
}

/// POST a comment as `authorization`.
pub fn post_comment(api: &Api, authorization: &str, body: &Value) -> (u16, Value) {
    send_as(api, Method::POST, "/api/public/comments", Some(authorization), Some(body))
}
