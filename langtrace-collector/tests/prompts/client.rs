//! The prompt requests the tests send, over the support module's client.

use reqwest::Method;
use serde_json::Value;

use crate::support::http::{form_encode, Api};

/// `/api/public/v2/prompts/<name, percent-encoded>` followed by `rest`.
pub fn prompt_path(name: &str, rest: &str) -> String {
    format!("/api/public/v2/prompts/{}{rest}", form_encode(name))
}

/// POST a prompt; the status and the answer.
pub fn try_create(api: &Api, body: &Value) -> (u16, Value) {
    api.post_json("/api/public/v2/prompts", body)
}

/// POST a prompt, asserting 201; the stored version.
pub fn create(api: &Api, body: &Value) -> Value {
    let (status, answer) = try_create(api, body);
    assert_eq!(status, 201, "create {body}: {answer}");
    answer
}

/// Any method with a JSON body (or none) and the keys; the status and the JSON answer.
pub fn send(api: &Api, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
    let authorization = api.authorization();
    let mut headers = vec![("authorization", authorization.as_str())];
    if body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let (status, _, answer) = api.send_raw(method, path, &headers, bytes);
    (status, serde_json::from_slice(&answer).unwrap_or(Value::Null))
}

/// PATCH `newLabels` onto a version; the status and the answer.
pub fn set_labels(api: &Api, name: &str, version: i64, labels: &[&str]) -> (u16, Value) {
    let body = serde_json::json!({ "newLabels": labels });
    send(api, Method::PATCH, &prompt_path(name, &format!("/versions/{version}")), Some(&body))
}

/// DELETE with a query (`""` for all versions); the status and the answer.
pub fn delete(api: &Api, name: &str, query: &str) -> (u16, Value) {
    send(api, Method::DELETE, &prompt_path(name, query), None)
}

/// The labels of an answer, sorted.
pub fn labels(prompt: &Value) -> Vec<String> {
    let mut labels: Vec<String> =
        prompt["labels"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_owned()).collect();
    labels.sort();
    labels
}
