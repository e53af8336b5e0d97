//! LLM connections, the playground route and the OpenAI-compatible proxy against a real
//! collector and a scripted mock provider on loopback (`support::mock_openai`):
//!
//! - `connections`: upsert on the provider name, the masked secret, bad bodies, projects
//!   isolated, and the secret never in the SQLite file, its WAL or the server's log;
//! - `chat`: streamed and whole answers, tool calls assembled from fragments, the
//!   `choices: null` usage chunk, provider errors (401, 429 with `Retry-After`, 500), a
//!   provider that never answers, a cut stream, and the generation each run stores;
//! - `proxy`: OpenAI's wire format with Basic and `Bearer public:secret` auth, and the
//!   official Python `openai` package against it.

mod support;

#[path = "playground/chat.rs"]
mod chat;
#[path = "playground/connections.rs"]
mod connections;
#[path = "playground/proxy.rs"]
mod proxy;

use serde_json::{json, Value};
use support::http::Api;
use support::mock_openai::MockOpenAi;

/// The provider name of the mock's connection.
pub const PROVIDER: &str = "mock";
/// The secret of the mock's connection (the mock takes any key but `sk-bad...`).
pub const SECRET: &str = "sk-mock-plaintext-secret-4242";

/// PUTs a connection of `provider` to the mock with `secret`; its answer.
pub fn connect(api: &Api, mock: &MockOpenAi, provider: &str, secret: &str) -> Value {
    let body = json!({"provider": provider, "adapter": "openai", "secretKey": secret, "baseURL": mock.base_url,
                      "customModels": ["mock-gpt"], "extraHeaders": {"x-team": "blue"}});
    let response =
        api.client().put(api.url("/api/public/llm-connections")).header("authorization", api.authorization());
    let response = response.json(&body).send().unwrap();
    assert_eq!(response.status(), 200);
    response.json().unwrap()
}

/// POSTs `body` to `path` with the keys; the status and the server-sent events (name,
/// JSON data) of the whole answer.
pub fn events(api: &Api, path: &str, body: &Value) -> (u16, Vec<(String, Value)>) {
    let response =
        api.client().post(api.url(path)).header("authorization", api.authorization()).json(body).send().unwrap();
    let status = response.status().as_u16();
    let text = response.text().unwrap();
    let parsed = text
        .split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let field =
                |name: &str| block.lines().find_map(|l| l.strip_prefix(name)).unwrap_or_default().trim().to_owned();
            let data = field("data:");
            (field("event:"), serde_json::from_str(&data).unwrap_or(Value::String(data)))
        })
        .collect();
    (status, parsed)
}

/// A playground chat body asking `provider` for `text`.
pub fn ask(provider: &str, text: &str) -> Value {
    json!({"messages": [{"role": "user", "content": text}],
           "modelParams": {"provider": provider, "model": "mock-gpt", "temperature": 0.2, "max_tokens": 64}})
}

/// The stored observation `id`, waited for (the run is traced before `done` is sent, so
/// one read suffices).
pub fn observation(api: &Api, id: &str) -> Value {
    api.ok(&format!("/api/public/observations/{id}"))
}
