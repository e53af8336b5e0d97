//! `POST /v1/chat/completions`: OpenAI's wire format, both auth forms, errors in OpenAI's
//! shape, and the official Python `openai` package against it.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use super::support::mock_openai::{self, MockOpenAi};
use super::support::{Collector, PUBLIC_KEY, SECRET_KEY};
use super::{connect, PROVIDER, SECRET};

#[test]
fn the_proxy_speaks_openai_with_bearer_keys_and_traces_each_call() {
    let collector = Collector::start();
    let mock = MockOpenAi::start();
    connect(&collector, &mock, PROVIDER, SECRET);
    let bearer = format!("Bearer {PUBLIC_KEY}:{SECRET_KEY}");
    let request = |body: &Value, authorization: &str| {
        collector
            .client()
            .post(collector.url("/v1/chat/completions"))
            .header("authorization", authorization)
            .json(body)
            .send()
            .unwrap()
    };
    let body = json!({"model": "mock:mock-gpt", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.1});
    let answer: Value = request(&body, &bearer).json().unwrap();
    assert_eq!(answer["object"], "chat.completion");
    assert_eq!(answer["choices"][0]["message"]["content"], mock_openai::answer("hi"));
    assert_eq!(answer["usage"]["prompt_tokens"], mock_openai::PROMPT_TOKENS);
    assert_eq!(request(&body, &collector.authorization()).status(), 200, "Basic works too");

    let mut streamed = body.clone();
    streamed["stream"] = json!(true);
    streamed["stream_options"] = json!({"include_usage": true});
    let text = request(&streamed, &bearer).text().unwrap();
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    let chunks: Vec<Value> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let content: String = chunks.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
    assert_eq!(content, mock_openai::answer("hi"));
    assert!(chunks.iter().all(|c| c["object"] == "chat.completion.chunk"));
    assert_eq!(
        chunks.last().unwrap()["usage"]["total_tokens"],
        mock_openai::PROMPT_TOKENS + mock_openai::COMPLETION_TOKENS
    );

    let wrong = request(&body, &format!("Bearer {PUBLIC_KEY}:wrong"));
    assert_eq!(wrong.status(), 401);
    assert!(wrong.json::<Value>().unwrap()["error"]["message"].is_string(), "OpenAI's error shape");
    let unknown = request(&json!({"model": "nobody:m", "messages": [{"role": "user", "content": "x"}]}), &bearer);
    assert_eq!(unknown.status(), 404);
    let no_provider = request(&json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}), &bearer);
    assert_eq!(no_provider.status(), 400);
    assert!(no_provider.json::<Value>().unwrap()["error"]["message"].as_str().unwrap().contains("<provider>:<model>"));

    let runs = collector.ok("/api/public/observations?environment=langtrace-playground");
    assert_eq!(runs["meta"]["totalItems"], 3, "each call is a generation: {runs}");
}

#[test]
fn the_official_python_openai_package_uses_the_proxy() {
    let collector = Collector::start();
    let mock = MockOpenAi::start();
    connect(&collector, &mock, PROVIDER, SECRET);
    let clients = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    let python = super::support::installs::python_venv(
        "clients-venv",
        &clients.join("requirements-clients.txt"),
        "LANGTRACE_CLIENTS_PYTHON",
    );
    let output = Command::new(python)
        .arg(clients.join("playground_proxy.py"))
        .args([&collector.base_url, &format!("{PUBLIC_KEY}:{SECRET_KEY}"), PROVIDER])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    let total = mock_openai::PROMPT_TOKENS + mock_openai::COMPLETION_TOKENS;
    assert_eq!(result["plain"], json!({"content": mock_openai::answer("plain question"), "total_tokens": total}));
    assert_eq!(result["streamed"]["content"], mock_openai::answer("streamed question"));
    assert!(result["streamed"]["chunks"].as_u64().unwrap() > 1);
    assert_eq!(result["streamed"]["total_tokens"], total);
    assert_eq!(result["tool_call"], json!({"name": mock_openai::TOOL_NAME, "arguments": mock_openai::TOOL_ARGUMENTS}));
    assert_eq!(
        result["error"],
        json!({"status": 429, "message": mock_openai::ERROR_MESSAGE, "class": "RateLimitError"})
    );
}
