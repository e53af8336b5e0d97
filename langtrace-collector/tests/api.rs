//! The query API over a real collector: projects stay apart, rollups are right whatever
//! order spans arrive in, data survives a restart, the list, score, metrics and price
//! endpoints answer in Langfuse's shapes, query strings take repeated keys and name a
//! malformed parameter, and an internal error answers 500 with an error id whose cause
//! only the server's log has.

mod support;

use std::time::Duration;

use base64::Engine;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::http::{form_encode, message};
use support::otlp::{self, int, span, text, texts, trace_id};
use support::{basic, cli, Collector, PUBLIC_KEY, SECRET_KEY};

/// Sends `spans` of service `service` with the initial project's keys, asserting 200.
fn send(collector: &Collector, service: &str, spans: Vec<otlp::SpanBuilder>) {
    otlp::send(collector, &collector.authorization(), &otlp::request_from(service, spans));
}

#[test]
fn rollups_are_right_for_out_of_order_batches_from_several_services() {
    let collector = Collector::start();
    // Children first, from two services, root last; trace attributes spread over spans.
    let retriever = span(7, 2).parent(1).at(10, 30).attributes(vec![
        text("langfuse.observation.type", "retriever"),
        text("user.id", "u-1"),
        text("langfuse.observation.level", "WARNING"),
    ]);
    send(&collector, "retriever-svc", vec![retriever]);
    // The LLM call, sent twice: with a tag, then with a trace name.
    let llm = |also: KeyValue| {
        span(7, 3).parent(1).at(50, 100).attributes(vec![
            text("gen_ai.operation.name", "chat"),
            text("gen_ai.request.model", "gpt-4o"),
            int("gen_ai.usage.input_tokens", 1000),
            int("gen_ai.usage.output_tokens", 100),
            text("langfuse.observation.level", "ERROR"),
            also,
        ])
    };
    send(&collector, "llm-svc", vec![llm(texts("langfuse.trace.tags", &["b"]))]);
    let partial = collector.ok(&format!("/api/public/traces/{}", trace_id(7)));
    assert_eq!(partial["observationCount"], 2);
    assert_eq!(partial["name"], Value::Null, "no root yet");
    let root = span(7, 1).at(0, 200).attributes(vec![
        text("langfuse.observation.input", "{\"q\":\"hi\"}"),
        text("langfuse.observation.output", "done"),
        text("session.id", "s-1"),
        texts("langfuse.trace.tags", &["a"]),
        text("langfuse.environment", "Production"),
        text("langfuse.release", "r9"),
    ]);
    send(&collector, "api-gateway", vec![root]);
    let trace = collector.ok(&format!("/api/public/traces/{}", trace_id(7)));
    assert_eq!(trace["name"], "step-1", "the root's name");
    assert_eq!(trace["input"], json!({"q": "hi"}));
    assert_eq!(trace["output"], "done");
    assert_eq!((trace["userId"].as_str(), trace["sessionId"].as_str()), (Some("u-1"), Some("s-1")));
    assert_eq!(trace["tags"], json!(["b", "a"]));
    assert_eq!(trace["environment"], "production");
    assert_eq!(trace["release"], "r9");
    assert_eq!(trace["observationCount"], 3);
    assert_eq!(trace["levelCounts"], json!({"DEBUG": 0, "DEFAULT": 1, "WARNING": 1, "ERROR": 1}));
    assert_eq!(trace["level"], "ERROR");
    assert_eq!(trace["latency"], 0.2);
    assert_eq!(trace["usage"], json!({"input": 1000, "output": 100, "total": 1100}));
    assert!((trace["totalCost"].as_f64().unwrap() - 0.0035).abs() < 1e-12, "gpt-4o: 1000 x 2.5e-6 + 100 x 1e-5");

    // An explicit trace name arriving later wins over the root's; resending is idempotent.
    send(&collector, "llm-svc", vec![llm(text("langfuse.trace.name", "checkout"))]);
    let trace = collector.ok(&format!("/api/public/traces/{}", trace_id(7)));
    assert_eq!(trace["name"], "checkout");
    assert_eq!(trace["observationCount"], 3);
    assert_eq!(trace["usage"]["total"], 1100);

    // A bounded read: the earliest observations, and whether some were left out.
    let path = format!("/api/public/traces/{}", trace_id(7));
    let bounded = collector.ok(&format!("{path}?observationLimit=2"));
    let starts: Vec<&str> =
        bounded["observations"].as_array().unwrap().iter().map(|o| o["startTime"].as_str().unwrap()).collect();
    let all = trace["observations"].as_array().unwrap();
    assert_eq!(starts, [all[0]["startTime"].as_str().unwrap(), all[1]["startTime"].as_str().unwrap()]);
    assert_eq!(bounded["observationsTruncated"], true);
    assert_eq!(collector.ok(&format!("{path}?observationLimit=3"))["observationsTruncated"], false);
    assert_eq!(collector.get(&format!("{path}?observationLimit=0")).0, 400);
    assert!(trace.get("observationsTruncated").is_none(), "Langfuse's shape unless asked");
}

#[test]
fn projects_are_kept_apart_and_data_survives_a_restart() {
    // A process: stopped, then restarted over the same data directory.
    let collector = Collector::setup().process();
    send(&collector, "a", vec![span(1, 1).at(0, 5).attributes(vec![text("user.id", "alice")])]);
    let data_dir = collector.stop();

    let team_b = cli::create_project(data_dir.path(), "team-b");
    let (public_b, secret_b) = (team_b.public_key, team_b.secret_key);
    let more = cli::keys_printed(&cli::run(data_dir.path(), &["keys", "create", "--project", "team-b"]));
    let public_b2 = more.public_key;
    assert_ne!(public_b, public_b2);
    let missing = cli::output(data_dir.path(), &["keys", "create", "--project", "nope"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no project named \"nope\""));

    let collector = Collector::setup().data_dir(data_dir).process();
    assert_eq!(collector.ok("/api/public/traces")["meta"]["totalItems"], 1, "acknowledged data survives a restart");
    let as_b = basic(&public_b, &secret_b);
    let bob = span(2, 1).at(0, 5).attributes(vec![text("user.id", "bob")]);
    otlp::send(&collector, &as_b, &otlp::request_from("b", [bob]));
    // The same trace id in two projects stays two traces.
    otlp::send(&collector, &as_b, &otlp::request_from("b", [span(1, 9).at(0, 5)]));

    let (_, listed_b) = collector.get_as("/api/public/traces", &as_b);
    let ids_b: Vec<&str> = listed_b["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids_b.len(), 2);
    let listed_a = collector.ok("/api/public/traces");
    assert_eq!(listed_a["meta"]["totalItems"], 1);
    let (_, trace_a_seen_by_b) = collector.get_as(&format!("/api/public/traces/{}", trace_id(1)), &as_b);
    assert_eq!(trace_a_seen_by_b["observations"].as_array().unwrap().len(), 1);
    assert_eq!(trace_a_seen_by_b["observations"][0]["id"], "0909090909090909", "only project B's span");
    assert_eq!(collector.get_as(&format!("/api/public/traces/{}", trace_id(2)), &basic(PUBLIC_KEY, SECRET_KEY)).0, 404);
    let (_, users_b) = collector.get_as("/api/public/users", &as_b);
    assert_eq!(users_b["data"].as_array().unwrap().iter().map(|u| u["id"].clone()).collect::<Vec<_>>(), [json!("bob")]);
    let (_, project) = collector.get_as("/api/public/projects", &as_b);
    assert_eq!(project["data"][0]["name"], "team-b");
    assert_eq!(project["data"].as_array().unwrap().len(), 1);
}

#[test]
fn lists_filter_order_and_paginate() {
    let collector = Collector::start();
    for i in 0..12u8 {
        let mut attributes =
            vec![text("user.id", if i % 2 == 0 { "even" } else { "odd" }), text("session.id", format!("s{}", i % 3))];
        if i % 4 == 0 {
            attributes.push(text("langfuse.observation.level", "ERROR"));
        }
        attributes.push(text("langfuse.environment", if i < 6 { "dev" } else { "prod" }));
        send(
            &collector,
            "svc",
            vec![span(100 + i, 1).at(u64::from(i) * 1000, u64::from(i) * 10).attributes(attributes)],
        );
    }
    let page = collector.ok("/api/public/traces?limit=5&page=2");
    assert_eq!(page["meta"], json!({"page": 2, "limit": 5, "totalItems": 12, "totalPages": 3}));
    assert_eq!(page["data"][0]["id"], trace_id(106), "newest first");
    let odd = collector.ok("/api/public/traces?userId=odd&environment=prod&limit=50");
    assert_eq!(odd["meta"]["totalItems"], 3);
    let errors = collector.ok("/api/public/traces?level=ERROR");
    assert_eq!(errors["meta"]["totalItems"], 3);
    let slow = collector.ok("/api/public/traces?minLatency=0.1&orderBy=latency.asc");
    assert_eq!(slow["data"][0]["id"], trace_id(110));
    let window = collector.ok("/api/public/traces?fromTimestamp=2023-11-14T22:13:23Z&toTimestamp=2023-11-14T22:13:25Z");
    assert_eq!(window["meta"]["totalItems"], 2);
    assert_eq!(collector.get("/api/public/traces?orderBy=secret.asc").0, 400);
    assert_eq!(collector.get("/api/public/traces?limit=1000").0, 400);

    let sessions = collector.ok("/api/public/sessions");
    assert_eq!(sessions["meta"]["totalItems"], 3);
    let session = collector.ok("/api/public/sessions/s1");
    assert_eq!(session["traceCount"], 4);
    assert_eq!(session["userIds"], json!(["even", "odd"]), "sorted");
    let times: Vec<&str> =
        session["traces"].as_array().unwrap().iter().map(|t| t["timestamp"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "in order");

    // v2 observations: cursor pagination over all 12, newest first, fields groups.
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/public/v2/observations?limit=5&fields=core,basic,io&cursor={c}"),
            None => "/api/public/v2/observations?limit=5&fields=core,basic,io".into(),
        };
        let page = collector.ok(&path);
        for observation in page["data"].as_array().unwrap() {
            assert!(observation.get("usageDetails").is_none(), "usage group not asked for");
            assert!(observation["projectId"].is_string() && observation["startTime"].is_string());
            seen.push(observation["traceId"].as_str().unwrap().to_owned());
        }
        match page["meta"]["cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..12u8).rev().map(|i| trace_id(100 + i)).collect();
    assert_eq!(seen, expected);
    assert_eq!(collector.get("/api/public/v2/observations?fields=everything").0, 400);
}

#[test]
fn scores_are_accepted_as_langfuse_answers_them() {
    let collector = Collector::start();
    let trace = trace_id(50);
    let all_valid = json!([
        {"id": "s1", "traceId": trace, "name": "quality", "value": 0.8, "dataType": "NUMERIC"},
        {"id": "s2", "traceId": trace, "observationId": "0101010101010101", "name": "correct", "value": 1, "dataType": "BOOLEAN"},
        {"id": "s3", "sessionId": "sess", "name": "mood", "value": "happy", "dataType": "CATEGORICAL", "comment": "from UI"},
    ]);
    let (status, body) = collector.post_json("/api/public/scores", &all_valid);
    assert_eq!((status, body), (202, json!({"message": "Accepted"})));
    let some_invalid = json!([
        {"id": "s4", "traceId": trace, "name": "ok", "value": 2},
        {"id": "s5", "traceId": trace, "name": "bad", "value": 0.5, "dataType": "BOOLEAN"},
        {"id": "s6", "name": "nowhere", "value": 1},
    ]);
    let (status, body) = collector.post_json("/api/public/scores", &some_invalid);
    assert_eq!(status, 207);
    assert_eq!(body["accepted"], json!(["s4"]));
    assert_eq!(body["rejected"], 2);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("0 or 1"));
    let (status, body) = collector.post_json(
        "/api/public/ingestion",
        &json!({"batch": [
            {"id": "e1", "type": "score-create", "timestamp": "2024-01-01T00:00:00Z", "body": {"id": "s7", "traceId": trace, "name": "legacy", "value": 3}},
            {"id": "e2", "type": "trace-create", "body": {"id": "x"}},
        ]}),
    );
    assert_eq!(status, 207);
    assert_eq!(body["successes"], json!([{"id": "e1", "status": 201}]));
    assert_eq!(body["errors"][0]["id"], "e2");

    let v3 = collector.ok(&format!("/api/public/v3/scores?traceId={trace}&limit=2"));
    assert_eq!(v3["data"].as_array().unwrap().len(), 2);
    let cursor = v3["meta"]["cursor"].as_str().expect("more pages");
    let rest = collector.ok(&format!("/api/public/v3/scores?traceId={trace}&limit=2&cursor={cursor}"));
    assert_eq!(rest["data"].as_array().unwrap().len(), 2);
    assert!(rest["meta"].get("cursor").is_none());
    let all = collector.ok("/api/public/v3/scores?limit=100");
    let value = |id: &str| all["data"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap().clone();
    assert_eq!(value("s2")["value"], true, "v3 BOOLEAN is a JSON boolean");
    assert_eq!(value("s2")["subject"], json!({"kind": "observation", "id": "0101010101010101", "traceId": trace}));
    assert_eq!(value("s3")["value"], "happy");
    assert_eq!(value("s3")["subject"], json!({"kind": "session", "id": "sess"}));
    for score in all["data"].as_array().unwrap() {
        for field in [
            "id",
            "projectId",
            "name",
            "value",
            "dataType",
            "source",
            "timestamp",
            "environment",
            "createdAt",
            "updatedAt",
        ] {
            assert!(!score[field].is_null(), "{field} missing in {score}");
        }
    }
}

#[test]
fn metrics_group_by_model_over_time_and_prices_are_editable() {
    let collector = Collector::start();
    let generation = |trace: u8, id: u8, start: u64, latency: u64, model: &str, tokens: i64| {
        span(trace, id).at(start, latency).attributes(vec![
            text("gen_ai.operation.name", "chat"),
            text("gen_ai.request.model", model),
            int("gen_ai.usage.input_tokens", tokens),
            int("gen_ai.usage.output_tokens", 0),
        ])
    };
    // A custom price first, so the local model gets a cost.
    let (status, created) = collector.post_json(
        "/api/public/models",
        &json!({"modelName": "local", "matchPattern": "my-llama(-.*)?", "inputPrice": 0.001, "outputPrice": 0.002}),
    );
    assert_eq!(status, 201, "{created}");
    let (status, _) = collector.post_json(
        "/api/public/models",
        &json!({"modelName": "x", "matchPattern": "(", "inputPrice": 1, "outputPrice": 1}),
    );
    assert_eq!(status, 400, "an invalid pattern is refused");
    let mut spans = Vec::new();
    for i in 0..10u8 {
        spans.push(generation(60 + i, 1, u64::from(i) * 60_000, u64::from(i + 1) * 100, "gpt-4o", 100));
        spans.push(generation(60 + i, 2, u64::from(i) * 60_000, 50, "my-llama-8b", 10));
    }
    send(&collector, "svc", spans);
    let query = json!({
        "view": "observations",
        "dimensions": [{"field": "providedModelName"}],
        "metrics": [{"measure": "count", "aggregation": "count"}, {"measure": "latency", "aggregation": "p50"},
                    {"measure": "latency", "aggregation": "p99"}, {"measure": "totalCost", "aggregation": "sum"},
                    {"measure": "inputTokens", "aggregation": "sum"}],
        "fromTimestamp": "2023-11-14T00:00:00Z", "toTimestamp": "2023-11-15T00:00:00Z",
    });
    let encoded: String = form_encode(&query.to_string());
    let result = collector.ok(&format!("/api/public/v2/metrics?query={encoded}"));
    let rows = result["data"].as_array().unwrap();
    let row = |model: &str| rows.iter().find(|r| r["providedModelName"] == model).unwrap().clone();
    assert_eq!(row("gpt-4o")["count_count"], 10);
    assert_eq!(row("gpt-4o")["p50_latency"], 500.0);
    assert_eq!(row("gpt-4o")["p99_latency"], 1000.0);
    assert_eq!(row("gpt-4o")["sum_inputTokens"], 1000.0);
    assert!((row("my-llama-8b")["sum_totalCost"].as_f64().unwrap() - 0.1).abs() < 1e-9, "10 x 10 tokens x $0.001");

    let hourly = json!({
        "view": "observations", "metrics": [{"measure": "count", "aggregation": "count"}],
        "timeDimension": {"granularity": "minute"},
        "fromTimestamp": "2023-11-14T00:00:00Z", "toTimestamp": "2023-11-15T00:00:00Z",
    });
    let buckets = collector.ok(&format!("/api/public/v2/metrics?query={}", form_encode(&hourly.to_string())));
    let buckets = buckets["data"].as_array().unwrap();
    assert_eq!(buckets.len(), 10, "one bucket per minute with data");
    assert!(buckets.iter().all(|b| b["count_count"] == 2 && b["time_dimension"].is_string()));
    let bad = json!({"view": "observations", "metrics": [{"measure": "secrets", "aggregation": "sum"}], "fromTimestamp": "2023-11-14T00:00:00Z", "toTimestamp": "2023-11-15T00:00:00Z"});
    assert_eq!(collector.get(&format!("/api/public/v2/metrics?query={}", form_encode(&bad.to_string()))).0, 400);

    let models = collector.ok("/api/public/models");
    assert_eq!(models["data"][0]["modelName"], "local");
    assert!(models["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["modelName"] == "gpt-4o" && m["isLangfuseManaged"] == true));
    let id = created["id"].as_str().unwrap();
    let authorization = collector.authorization();
    let (status, _, _) = collector.send_raw(
        reqwest::Method::DELETE,
        &format!("/api/public/models/{id}"),
        &[("authorization", &authorization)],
        Vec::new(),
    );
    assert_eq!(status, 204);
}

#[test]
fn query_strings_take_repeated_keys_and_name_a_malformed_parameter() {
    let collector = Collector::start();
    // Trace 81 tagged a in alpha, 82 tagged b in beta, 83 tagged a and b in gamma.
    for (trace, tags, environment) in [(81, &["a"][..], "alpha"), (82, &["b"], "beta"), (83, &["a", "b"], "gamma")] {
        let attributes = vec![texts("langfuse.trace.tags", tags), text("langfuse.environment", environment)];
        send(&collector, "svc", vec![span(trace, 1).attributes(attributes)]);
    }
    let ids = |query: &str| -> Vec<String> {
        let listed = collector.ok(&format!("/api/public/traces?{query}"));
        let mut ids: Vec<String> =
            listed["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids("tags=a"), [trace_id(81), trace_id(83)]);
    assert_eq!(ids("tags=a&tags=b"), [trace_id(83)], "every repeated tag must be there");
    assert_eq!(ids("environment=alpha,beta"), [trace_id(81), trace_id(82)], "comma-separated");
    assert_eq!(ids("environment=alpha&environment=beta"), [trace_id(81), trace_id(82)], "repeated");

    for (query, parameter) in
        [("page=two", "page"), ("limit=-1", "limit"), ("fromTimestamp=yesterday", "fromTimestamp")]
    {
        let (status, body) = collector.get(&format!("/api/public/traces?{query}"));
        assert_eq!(status, 400, "{query}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(parameter), "{query}: the message names {parameter}: {body}");
    }
}

#[test]
fn an_internal_error_answers_500_naming_an_id_that_the_log_has_with_its_cause() {
    // A process, to read its log.
    let collector = Collector::setup().capture_log().process();
    let bytes = b"\x89PNG\r\n\x1a\nbytes the server cannot write";
    let announced = json!({
        "traceId": trace_id(90),
        "contentType": "image/png",
        "contentLength": bytes.len(),
        "sha256Hash": base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes)),
    });
    let (status, ticket) = collector.post_json("/api/public/media", &announced);
    assert_eq!(status, 200, "{ticket}");
    let upload_url = ticket["uploadUrl"].as_str().expect("an upload URL for new bytes");
    // Writing the bytes fails: their directory is gone.
    std::fs::remove_dir_all(collector.data_dir().join("media")).unwrap();
    let (status, _, body) = collector.send_raw(reqwest::Method::PUT, upload_url, &[], bytes.to_vec());
    assert_eq!(status, 500, "{}", String::from_utf8_lossy(&body));

    let message = message(&body);
    let id = message
        .strip_prefix("internal error ")
        .and_then(|rest| rest.strip_suffix(": the server's log has the details"))
        .unwrap_or_else(|| panic!("a generic message naming an error id: {message:?}"));
    assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit()), "{message:?}");
    let body = String::from_utf8_lossy(&body);
    assert!(!body.contains("No such file") && !body.contains("os error"), "the cause stays in the server: {body}");

    let logged = collector.log().wait_for(|line| line.contains(id), Duration::from_secs(10));
    let logged = logged.unwrap_or_else(|| panic!("no log line names {id}: {:?}", collector.log().lines()));
    assert!(logged.contains("No such file"), "the log line has the cause: {logged}");
}
