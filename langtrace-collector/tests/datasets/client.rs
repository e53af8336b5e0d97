//! The dataset requests the tests send, over the support module's client.

use reqwest::Method;
use serde_json::Value;

use crate::support::http::{form_encode, Api};

/// POST a dataset, asserting 200; the stored dataset.
pub fn create_dataset(api: &Api, body: &Value) -> Value {
    let (status, answer) = api.post_json("/api/public/v2/datasets", body);
    assert_eq!(status, 200, "create {body}: {answer}");
    answer
}

/// POST an item; the status and the answer.
pub fn try_item(api: &Api, body: &Value) -> (u16, Value) {
    api.post_json("/api/public/dataset-items", body)
}

/// POST an item, asserting 200; the stored item.
pub fn item(api: &Api, body: &Value) -> Value {
    let (status, answer) = try_item(api, body);
    assert_eq!(status, 200, "item {body}: {answer}");
    answer
}

/// The ids of a list's `data`, in order.
pub fn ids(list: &Value) -> Vec<String> {
    list["data"].as_array().unwrap().iter().map(|item| item["id"].as_str().unwrap().to_owned()).collect()
}

/// `/api/public/v2/datasets/<name, percent-encoded>`.
pub fn dataset_path(name: &str) -> String {
    format!("/api/public/v2/datasets/{}", form_encode(name))
}

/// `text` percent-encoded for a path or query value.
pub fn encoded(text: &str) -> String {
    form_encode(text)
}

/// DELETE `path` with the keys; the status and the JSON answer.
pub fn delete(api: &Api, path: &str) -> (u16, Value) {
    let authorization = api.authorization();
    let (status, _, answer) =
        api.send_raw(Method::DELETE, path, &[("authorization", authorization.as_str())], Vec::new());
    (status, serde_json::from_slice(&answer).unwrap_or(Value::Null))
}
