//! Clients nobody here wrote, reporting to a real collector (served in this process):
//! the Python `opentelemetry-sdk` exporters (HTTP protobuf, HTTP JSON, gRPC) with
//! OpenInference and GenAI attributes, and the official `langfuse` SDK 5.x (nested
//! `@observe`, a generation with usage, user/session/tags, an error, scores), whose own
//! API client reads the data back; and the same SDK's prompt management (create, get by
//! default, label and version, compile, label moves, composition, its cache serving a
//! prompt after the server stopped, fallbacks, generations linked to a prompt version);
//! and its datasets and experiments (items upserted and archived, `get_dataset` over two
//! pages, `run_experiment` with item and run evaluators, read back under the stable id).
//! The packages come from PyPI
//! (`tests/compat/requirements.txt`), installed once into a virtualenv under the target
//! directory, or taken from the interpreter `LANGTRACE_COMPAT_PYTHON` names.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::{json, Value};
use support::{Collector, PUBLIC_KEY, SECRET_KEY};

/// A Python with the client packages installed.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let requirements = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat/requirements.txt");
        support::installs::python_venv("compat-venv", &requirements, "LANGTRACE_COMPAT_PYTHON")
    })
}

/// Runs a compat script and parses the JSON line it prints.
fn script(name: &str, args: &[&str]) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat").join(name);
    let output = Command::new(python()).arg(path).args(args).output().expect("run the compat script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{name} failed:\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.lines().last().expect("a JSON line")).expect("JSON output")
}

fn otel_client(protocol: &str) {
    let collector = Collector::start();
    let run_id = format!("{protocol}-run");
    let out = script(
        "otel_sdk_client.py",
        &[
            "--endpoint",
            &collector.base_url,
            "--public-key",
            PUBLIC_KEY,
            "--secret-key",
            SECRET_KEY,
            "--protocol",
            protocol,
            "--grpc-endpoint",
            &collector.grpc_addr,
            "--run-id",
            &run_id,
        ],
    );
    let trace = collector.ok(&format!("/api/public/traces/{}", out["trace_id"].as_str().unwrap()));
    assert_eq!(trace["name"], format!("otel-{protocol}-{run_id}"));
    assert_eq!(trace["userId"], out["user_id"]);
    assert_eq!(trace["sessionId"], out["session_id"]);
    let observations = trace["observations"].as_array().unwrap();
    assert_eq!(observations.len(), 3);
    let find =
        |name: &str| observations.iter().find(|o| o["name"] == name).unwrap_or_else(|| panic!("{name}: {trace}"));
    // OpenInference: CHAIN root with JSON input, LLM child with model and token counts.
    let root = find(&format!("otel-{protocol}-{run_id}"));
    assert_eq!(root["type"], "CHAIN");
    assert!(root["input"].is_object(), "{}", root["input"]);
    let llm = find("openinference-llm");
    assert_eq!((llm["type"].as_str(), llm["model"].as_str()), (Some("GENERATION"), Some("gpt-4o-mini")));
    assert_eq!(llm["usageDetails"], json!({"input": 10, "output": 5, "total": 15}));
    assert_eq!(llm["parentObservationId"], root["id"]);
    // GenAI: chat operation, model, usage; cost from the price table.
    let chat = find("chat claude-3-haiku");
    assert_eq!((chat["type"].as_str(), chat["model"].as_str()), (Some("GENERATION"), Some("claude-3-haiku")));
    assert_eq!(chat["usageDetails"], json!({"input": 7, "output": 3}));
    assert!(chat["costDetails"]["total"].as_f64().unwrap() > 0.0);
    assert_eq!(trace["usage"]["total"], 25);
}

#[test]
fn opentelemetry_sdk_over_http_protobuf() {
    otel_client("http-protobuf");
}

#[test]
fn opentelemetry_sdk_over_http_json() {
    otel_client("http-json");
}

#[test]
fn opentelemetry_sdk_over_grpc() {
    otel_client("grpc");
}

#[test]
fn langfuse_python_sdk_reports_and_reads_back() {
    let collector = Collector::start();
    let out = script(
        "langfuse_sdk_client.py",
        &["--host", &collector.base_url, "--public-key", PUBLIC_KEY, "--secret-key", SECRET_KEY, "--run-id", "lf1"],
    );
    // Read back by the SDK's own API client (v2 observations, v3 scores), validated by it.
    assert_eq!(out["observation_count"], 3);
    let by_name =
        |name: &str| out["observations"].as_array().unwrap().iter().find(|o| o["name"] == name).unwrap().clone();
    assert_eq!(by_name("inner-generation")["model"], "gpt-4o");
    assert_eq!(by_name("inner-generation")["usageDetails"], json!({"input": 11, "output": 7}));
    assert_eq!(
        (by_name("failing-step")["level"].as_str(), by_name("failing-step")["statusMessage"].as_str()),
        (Some("ERROR"), Some("boom-lf1"))
    );
    let mut score_types: Vec<&str> =
        out["scores"].as_array().unwrap().iter().map(|s| s["dataType"].as_str().unwrap()).collect();
    score_types.sort_unstable();
    assert_eq!(score_types, ["BOOLEAN", "CATEGORICAL", "NUMERIC"]);

    // And over HTTP.
    let trace = collector.ok(&format!("/api/public/traces/{}", out["trace_id"].as_str().unwrap()));
    assert_eq!(trace["name"], "langfuse-sdk-lf1");
    assert_eq!((trace["userId"].as_str(), trace["sessionId"].as_str()), (Some("user-lf1"), Some("session-lf1")));
    assert_eq!(trace["tags"], json!(["compat", "lf1"]));
    assert_eq!(trace["level"], "ERROR");
    let scores = trace["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 3, "{trace}");
    let quality = scores.iter().find(|s| s["name"] == "quality").unwrap();
    assert_eq!((quality["dataType"].as_str(), quality["value"].as_f64()), (Some("NUMERIC"), Some(0.9)));
    let listed = collector.ok(&format!("/api/public/v3/scores?traceId={}", out["trace_id"].as_str().unwrap()));
    assert_eq!(listed["data"].as_array().unwrap().len(), 3);
    assert_eq!(listed["meta"]["limit"], 50);
}

#[test]
fn langfuse_python_sdk_manages_prompts() {
    let collector = Collector::start();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat/langfuse_prompts_client.py");
    let base_url = collector.base_url.clone();
    let args = ["--host", &base_url, "--public-key", PUBLIC_KEY, "--secret-key", SECRET_KEY, "--run-id", "pr1"];
    let mut child = Command::new(python())
        .arg(path)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run the prompts compat script");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next_json = || -> Value {
        let line = lines.next().expect("a JSON line (the script failed: see its stderr)").unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    let first = next_json();
    assert_eq!(first["created"], json!([1, 2, 1]));
    assert_eq!(first["created_labels"], json!([["latest", "production"], ["latest", "staging"]]));
    let default = &first["default"];
    assert_eq!(
        (default["version"].as_i64(), default["text"].as_str()),
        (Some(1), Some("Hello {{name}}, welcome to {{place}}."))
    );
    assert_eq!(
        (default["tags"].clone(), default["config"].clone()),
        (json!(["compat", "pr1"]), json!({"temperature": 0.1}))
    );
    assert_eq!(default["commit_message"], "first greeting");
    assert_eq!(
        (first["staging"]["version"].as_i64(), first["staging"]["text"].as_str()),
        (Some(2), Some("Hi {{name}}! Be brief."))
    );
    assert_eq!(first["by_version"], 1);
    assert_eq!(first["compiled"], "Hello Ada, welcome to Paris.");
    assert_eq!(first["compiled_partial"], "Hello Ada, welcome to {{place}}.");
    assert_eq!(first["chat_variables"], json!(["persona", "question"]));
    let chat = first["compiled_chat"].as_array().unwrap();
    let roles_and_texts: Vec<(&str, &str)> =
        chat.iter().map(|m| (m["role"].as_str().unwrap(), m["content"].as_str().unwrap())).collect();
    assert_eq!(
        roles_and_texts,
        [("system", "You are a pirate."), ("user", "Ahoy"), ("assistant", "Arr"), ("user", "Where is the treasure?")]
    );
    assert_eq!(first["promoted"]["version"], 2);
    assert_eq!(first["promoted"]["labels"], json!(["latest", "production", "staging"]));
    assert_eq!(
        first["listed"],
        json!([{"name": "compat/pr1/greet", "versions": [1, 2], "labels": ["latest", "production", "staging"], "tags": ["compat", "pr1"]}])
    );
    assert_eq!(first["fallback"], json!({"is_fallback": true, "text": "Fallback {{x}}"}));

    // Over HTTP: resolve=false keeps the reference; the generation links to version 2
    // (and the one made with the fallback does not link).
    let raw = collector.ok("/api/public/v2/prompts/compat%2Fpr1%2Fgreet?version=2&resolve=false");
    assert_eq!(raw["prompt"], "Hi {{name}}! @@@langfusePrompt:name=compat-pr1-tone|label=production@@@");
    assert_eq!(raw["resolutionGraph"], Value::Null);
    let observation = |which: &str| -> Value {
        let trace_id = first[which]["trace_id"].as_str().unwrap();
        let list = collector.ok(&format!("/api/public/v2/observations?traceId={trace_id}&fields=core,prompt"));
        list["data"].as_array().unwrap().iter().find(|o| o["id"] == first[which]["id"]).unwrap().clone()
    };
    let linked = observation("linked");
    assert_eq!((linked["promptName"].as_str(), linked["promptVersion"].as_i64()), (Some("compat/pr1/greet"), Some(2)));
    assert_eq!(linked["promptId"], raw["id"]);
    assert_eq!(observation("unlinked")["promptName"], Value::Null, "a fallback never links");

    // The server stops; the SDK serves its cached prompt, and falls back where it has none.
    drop(collector.stop());
    child.stdin.as_mut().unwrap().write_all(b"stopped\n").unwrap();
    let second = next_json();
    assert_eq!(second["cached"], json!({"version": 2, "is_fallback": false, "text": "Hi {{name}}! Be brief."}));
    assert_eq!(second["fallback"], json!({"is_fallback": true, "compiled": "Offline mode"}));
    assert!(second["raised_without_fallback"].is_string(), "{second}");
    assert!(child.wait().unwrap().success());
}

#[test]
fn langfuse_python_sdk_runs_a_dataset_experiment() {
    let collector = Collector::start();
    let run_name = "compat run – Prüfung 实验";
    let out = script(
        "langfuse_datasets_client.py",
        &[
            "--host",
            &collector.base_url,
            "--public-key",
            PUBLIC_KEY,
            "--secret-key",
            SECRET_KEY,
            "--run-id",
            "ds1",
            "--run-name",
            run_name,
        ],
    );
    // The SDK read every ACTIVE item over two pages, the upserted one updated and kept.
    assert_eq!(out["item_count"], 54, "{out}");
    assert_eq!(out["archived_listed"], false);
    assert_eq!((out["item_zero_expected"].as_str(), &out["item_zero_input"]), (Some("zero"), &json!({"a": 0, "b": 0})));
    assert_eq!(out["fetched_dataset_id"], out["dataset_id"]);

    // One experiment under the stable id, its run score, one item per dataset item.
    let dataset_id = out["dataset_id"].as_str().unwrap();
    let project_id = collector.ok("/api/public/projects")["data"][0]["id"].as_str().unwrap().to_owned();
    let experiment_id = out["experiment_id"].as_str().unwrap();
    assert_eq!(experiment_id, datasets_stable_id(&project_id, dataset_id, run_name));
    let from = "fromStartTime=2000-01-01T00:00:00Z";
    let experiments = collector.ok(&format!("/api/public/experiments?{from}&fields=core,metadata,scores"));
    assert_eq!(experiments["data"].as_array().unwrap().len(), 1, "{experiments}");
    let experiment = &experiments["data"][0];
    assert_eq!((experiment["id"].as_str(), experiment["name"].as_str()), (Some(experiment_id), Some(run_name)));
    assert_eq!((experiment["itemCount"].as_i64(), experiment["datasetId"].as_str()), (Some(54), Some(dataset_id)));
    assert_eq!(experiment["description"], "the compat run");
    assert_eq!(experiment["metadata"], json!({"variant": "sum"}));
    let run_scores = experiment["scores"].as_array().unwrap();
    assert_eq!(run_scores.len(), 1, "{experiment}");
    // Every item but item 0 (expected output "zero") matches exactly.
    assert_eq!(run_scores[0]["name"], "accuracy");
    assert!((run_scores[0]["value"].as_f64().unwrap() - 53.0 / 54.0).abs() < 1e-9, "{experiment}");

    // Each item linked to its trace, its scores on the task observation.
    let traces = out["traces"].as_object().unwrap();
    let mut seen = 0;
    let mut path =
        format!("/api/public/experiment-items?{from}&experimentId={experiment_id}&limit=100&fields=core,io,scores");
    loop {
        let page = collector.ok(&path);
        for found in page["data"].as_array().unwrap() {
            seen += 1;
            let item_id = found["experimentItemId"].as_str().unwrap();
            assert_eq!(found["traceId"].as_str(), traces[item_id].as_str(), "{found}");
            assert_eq!(found["environment"], "sdk-experiment");
            let task = found["observationId"].as_str().unwrap();
            let observation = collector.ok(&format!("/api/public/observations/{task}"));
            assert_eq!(observation["name"], "experiment-item-task");
            let mut names: Vec<&str> =
                found["scores"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
            names.sort_unstable();
            assert_eq!(names, ["exact", "length"], "{found}");
            assert!(found["scores"].as_array().unwrap().iter().all(|s| s["observationId"] == task));
            assert!(found["input"]["a"].is_i64() && !found["output"].is_null(), "io: {found}");
        }
        match page["meta"]["cursor"].as_str() {
            Some(cursor) => path = format!("{path}&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, 54);
    let runs = collector.ok("/api/public/datasets/compat-ds1-dataset/runs");
    assert_eq!(runs["data"][0]["id"], experiment_id);

    // The 4.x wire path (raw HTTP) reaches the same experiment.
    let body = json!({"runName": run_name, "datasetItemId": "ds1-item-1", "traceId": traces["ds1-item-1"]});
    let (status, run_item) = collector.post_json("/api/public/dataset-run-items", &body);
    assert_eq!((status, run_item["datasetRunId"].as_str()), (200, Some(experiment_id)), "{run_item}");
    let again = collector.ok(&format!("/api/public/experiments?{from}"));
    assert_eq!(again["data"][0]["itemCount"], 54, "the same trace: the same item");
}

/// The stable experiment id computed by this test's Python (stdlib `hashlib` and `json`,
/// the formula of Langfuse's SDKs), outside the code under test.
fn datasets_stable_id(project_id: &str, dataset_id: &str, run_name: &str) -> String {
    let script = "import hashlib, json, sys; print(hashlib.sha256(json.dumps(['langfuse-experiment-v1', \
                  sys.argv[1], sys.argv[2], sys.argv[3]], separators=(',', ':'), ensure_ascii=False)\
                  .encode()).hexdigest()[:16])";
    let output = Command::new(python()).args(["-c", script, project_id, dataset_id, run_name]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}
