//! LLM connections: routes, masking, validation, isolation, secrets at rest.

use serde_json::json;

use super::support::mock_openai::{self, MockOpenAi};
use super::support::{cli, Collector};
use super::{connect, PROVIDER, SECRET};

#[test]
fn connections_upsert_on_the_provider_and_never_show_the_secret() {
    let collector = Collector::start();
    let mock = MockOpenAi::start();
    let first = connect(&collector, &mock, PROVIDER, SECRET);
    assert_eq!(first["displaySecretKey"], "sk-moc...4242");
    assert_eq!(first["extraHeaderKeys"], json!(["x-team"]));
    assert_eq!(first["baseURL"], mock.base_url.as_str());
    let again = connect(&collector, &mock, PROVIDER, "sk-mock-another-secret-0000");
    assert_eq!(again["id"], first["id"], "upserted on the provider name");
    assert_eq!(again["displaySecretKey"], "sk-moc...0000");
    let listed = collector.ok("/api/public/llm-connections?page=1&limit=10");
    assert_eq!(listed["meta"]["totalItems"], 1);
    assert_eq!(listed["data"][0]["id"], first["id"]);
    assert!(!listed.to_string().contains("sk-mock-another"), "{listed}");
    let (status, checked) =
        collector.post_json(&format!("/api/public/llm-connections/{}/test", first["id"].as_str().unwrap()), &json!({}));
    assert_eq!((status, &checked["ok"], &checked["model"]), (200, &json!(true), &json!("mock-gpt")), "{checked}");

    let path = format!("/api/public/llm-connections/{}", first["id"].as_str().unwrap());
    let (status, _, body) = collector.send_raw(
        reqwest::Method::DELETE,
        &path,
        &[("authorization", &collector.authorization())],
        Vec::new(),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let (status, _, _) = collector.send_raw(
        reqwest::Method::DELETE,
        &path,
        &[("authorization", &collector.authorization())],
        Vec::new(),
    );
    assert_eq!(status, 404);
}

#[test]
fn bad_connections_answer_400_naming_the_field() {
    let collector = Collector::start();
    for (body, field) in [
        (json!({"provider": "x", "adapter": "azure", "secretKey": "k"}), "adapter"),
        (json!({"provider": "a:b", "adapter": "openai", "secretKey": "k"}), "provider"),
        (json!({"provider": "x", "adapter": "openai", "secretKey": ""}), "secretKey"),
        (json!({"provider": "x", "adapter": "openai", "secretKey": "k", "baseURL": "ftp://h"}), "baseURL"),
        (json!({"provider": "x", "adapter": "openai"}), "secretKey"),
    ] {
        let response = collector
            .client()
            .put(collector.url("/api/public/llm-connections"))
            .header("authorization", collector.authorization())
            .json(&body)
            .send()
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let message = response.json::<serde_json::Value>().unwrap()["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains(field), "{field}: {message}");
    }
}

#[test]
fn another_project_can_neither_see_nor_use_a_connection() {
    let collector = Collector::start();
    let mock = MockOpenAi::start();
    let connection = connect(&collector, &mock, PROVIDER, SECRET);
    assert_eq!(collector.get_as("/api/public/llm-connections", "").0, 401, "keys on every route");
    let anonymous = collector.client().post(collector.url("/api/playground/chat")).json(&super::ask(PROVIDER, "hi"));
    assert_eq!(anonymous.send().unwrap().status(), 401);
    let other = cli::create_project(collector.data_dir(), "other");
    let as_other = other.basic();
    let (status, listed) = collector.get_as("/api/public/llm-connections", &as_other);
    assert_eq!((status, &listed["meta"]["totalItems"]), (200, &json!(0)));
    let response = collector
        .client()
        .post(collector.url("/api/playground/chat"))
        .header("authorization", &as_other)
        .json(&super::ask(PROVIDER, "hello"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.json::<serde_json::Value>().unwrap()["message"], "LLM connection 'mock' not found");
    let path = format!("/api/public/llm-connections/{}", connection["id"].as_str().unwrap());
    let (status, _, _) =
        collector.send_raw(reqwest::Method::DELETE, &path, &[("authorization", &as_other)], Vec::new());
    assert_eq!(status, 404, "another project's id is unknown");
}

#[test]
fn the_secret_is_never_in_the_database_its_log_or_the_server_log() {
    let collector = Collector::setup().capture_log().process();
    let mock = MockOpenAi::start();
    connect(&collector, &mock, PROVIDER, SECRET);
    let (status, events) = super::events(&collector, "/api/playground/chat", &super::ask(PROVIDER, "hello"));
    assert_eq!((status, events.last().map(|e| e.0.as_str())), (200, Some("done")), "{events:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key_file = collector.data_dir().join("encryption.key");
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let mut searched = 0;
    for entry in std::fs::read_dir(collector.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("langtrace.db") {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
                "{} holds the secret",
                path.display()
            );
            searched += 1;
        }
    }
    assert!(searched >= 2, "the database and its WAL");
    let log = collector.log().lines().join("\n");
    assert!(!log.is_empty());
    assert!(!log.contains(SECRET), "the log holds the secret");
}

#[test]
fn a_malformed_encryption_key_is_a_start_up_error_naming_the_setting() {
    let output =
        cli::output(&std::env::temp_dir(), &["serve", "--encryption-key", "not-hex", "--http-addr", "127.0.0.1:0"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("--encryption-key") && stderr.contains("64 hex characters"), "{stderr}");
}

#[test]
fn a_configured_key_replaces_the_key_file_and_only_it_opens_the_secrets() {
    let (first_key, other_key) = ("ab".repeat(32), "cd".repeat(32));
    let mock = MockOpenAi::start();
    let collector = Collector::setup().args(&["--encryption-key", &first_key]).in_process();
    connect(&collector, &mock, PROVIDER, SECRET);
    assert!(!collector.data_dir().join("encryption.key").exists(), "no key file with a configured key");
    let data_dir = collector.stop();

    let collector = Collector::setup().args(&["--encryption-key", &other_key]).data_dir(data_dir).in_process();
    let (status, body) = collector.post_json("/api/playground/chat", &super::ask(PROVIDER, "hello"));
    assert_eq!(status, 409, "{body}");
    assert!(body["message"].as_str().unwrap().contains("LANGTRACE_ENCRYPTION_KEY"), "{body}");
    let data_dir = collector.stop();

    let collector = Collector::setup().args(&["--encryption-key", &first_key]).data_dir(data_dir).in_process();
    let (status, events) = super::events(&collector, "/api/playground/chat", &super::ask(PROVIDER, "hello"));
    assert_eq!((status, events.last().map(|e| e.0.as_str())), (200, Some("done")), "{events:?}");
}

#[test]
fn the_connection_test_is_traced_as_a_playground_run() {
    let collector = Collector::start();
    let mock = MockOpenAi::start();
    let good = connect(&collector, &mock, PROVIDER, SECRET);
    let bad = connect(&collector, &mock, "bad-key", "sk-bad-0123456789abcdef");
    let test = |connection: &serde_json::Value| {
        let path = format!("/api/public/llm-connections/{}/test", connection["id"].as_str().unwrap());
        collector.post_json(&path, &json!({}))
    };

    let (status, checked) = test(&good);
    assert_eq!((status, &checked["ok"]), (200, &json!(true)), "{checked}");
    let trace_id = checked["traceId"].as_str().expect("the run's trace");
    let trace = collector.ok(&format!("/api/public/traces/{trace_id}"));
    assert_eq!(trace["environment"], "langtrace-playground", "{trace}");
    let generation = &trace["observations"][0];
    assert_eq!(generation["type"], "GENERATION");
    assert_eq!(generation["model"], "mock-gpt");
    assert_eq!(generation["modelParameters"]["max_tokens"], 1);
    assert_eq!(generation["input"][0]["content"], "Say OK.");
    assert_eq!(generation["metadata"]["provider"], PROVIDER);
    assert_eq!(generation["level"], "DEFAULT");

    let (status, refused) = test(&bad);
    assert_eq!((status, refused["message"].as_str()), (401, Some(mock_openai::BAD_KEY_MESSAGE)));
    let errors = collector.ok("/api/public/observations?environment=langtrace-playground&level=ERROR");
    assert_eq!(errors["meta"]["totalItems"], 1, "the failed test is traced as an error: {errors}");
    assert_eq!(errors["data"][0]["statusMessage"], mock_openai::BAD_KEY_MESSAGE);
    assert_eq!(errors["data"][0]["metadata"]["provider"], "bad-key");
}
