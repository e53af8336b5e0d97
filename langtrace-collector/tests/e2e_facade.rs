//! End to end on the Rust side: `#[observe]` → `LangtraceLayer` → OTLP bridge (Langfuse
//! mode) → a real collector (served in this process) → the query API, one check per seed
//! feature.

mod support;

use std::time::Duration;

use base64::Engine;
use langtrace::otlp::OtlpSink;
use langtrace::tracing_subscriber::layer::SubscriberExt;
use langtrace::{current_observation, current_trace, observe, LangtraceGuard, Level, Scope, TraceId, Usage};
use serde_json::{json, Value};
use support::{Collector, PUBLIC_KEY, SECRET_KEY};

const IMAGE: &[u8] = b"\x89PNG\r\n\x1a\nnot really a png, but bytes";

#[observe(as_type = agent)]
fn answer(question: &str) -> Result<String, String> {
    current_trace()
        .set_name("support-chat")
        .set_user_id("user-42")
        .set_session_id("session-9")
        .add_tags(["beta"])
        .set_metadata("tenant", "acme");
    current_observation().set_metadata("attempt", 1);
    let image = format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(IMAGE));
    let reply = generate(question, &image);
    let _ = lookup("order 7");
    Ok(reply)
}

#[observe(as_type = generation, model = "gpt-4o-mini")]
fn generate(prompt: &str, image: &str) -> String {
    // Usage without cost: the collector prices it from its model table.
    current_observation().set_usage(Usage::tokens(1000, 500)).mark_first_token();
    let _ = image;
    format!("reply to {prompt}")
}

#[observe(as_type = tool)]
fn lookup(order: &str) -> Result<u32, String> {
    Err(format!("{order}: not found"))
}

#[observe(level = "WARNING")]
fn sampled_step(i: u32) -> u32 {
    i
}

fn redact(value: Value) -> Value {
    match value {
        Value::String(text) => Value::String(text.replace("hunter2", "***")),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, redact(v))).collect()),
        other => other,
    }
}

/// A subscriber exporting to `collector` in Langfuse mode.
fn subscriber(
    collector: &Collector,
    configure: impl FnOnce(langtrace::LangtraceBuilder) -> langtrace::LangtraceBuilder,
) -> (langtrace::tracing::Dispatch, LangtraceGuard) {
    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .langfuse(PUBLIC_KEY, SECRET_KEY, collector.base_url.clone())
        .build()
        .expect("exporter");
    let builder = configure(langtrace::LangtraceLayer::builder().ignore_env().sink(sink));
    let (layer, guard) = builder.build().expect("settings");
    (langtrace::tracing::Dispatch::new(langtrace::tracing_subscriber::registry().with(layer)), guard)
}

#[test]
fn every_seed_feature_reaches_the_api() {
    let collector = Collector::start();
    let (dispatch, guard) =
        subscriber(&collector, |b| b.environment("staging").release("2024.11.1").version("v7").mask(redact));
    let trace_id = TraceId::from_seed("e2e-conversation");
    langtrace::tracing::dispatcher::with_default(&dispatch, || {
        Scope::new().trace_id(trace_id).in_scope(|| answer("my password is hunter2"))
    })
    .unwrap();
    guard.flush(Duration::from_secs(30)).expect("flush");
    assert_eq!(guard.stats().failed, 0);

    // Trace id, name, user, session, tags, metadata, environment, release, version.
    let trace = collector.ok(&format!("/api/public/traces/{trace_id}"));
    assert_eq!(trace["id"], trace_id.to_string());
    assert_eq!(trace["name"], "support-chat");
    assert_eq!(trace["userId"], "user-42");
    assert_eq!(trace["sessionId"], "session-9");
    assert_eq!(trace["tags"], json!(["beta"]));
    assert_eq!(trace["metadata"]["tenant"], "acme");
    assert_eq!(trace["environment"], "staging");
    assert_eq!(trace["release"], "2024.11.1");
    assert_eq!(trace["version"], "v7");
    // Level and status message: the failing tool makes the trace's worst level ERROR.
    assert_eq!(trace["level"], "ERROR");
    assert_eq!(trace["levelCounts"]["ERROR"], 1);
    // Masking: the secret never reached the collector.
    assert!(!trace.to_string().contains("hunter2"), "{trace}");
    assert_eq!(trace["input"], json!({"question": "my password is ***"}));

    let observations = trace["observations"].as_array().unwrap();
    assert_eq!(observations.len(), 3);
    let by_name = |name: &str| observations.iter().find(|o| o["name"] == name).unwrap();
    let tool = by_name("lookup");
    assert_eq!((tool["level"].as_str(), tool["statusMessage"].as_str()), (Some("ERROR"), Some("order 7: not found")));
    assert_eq!(tool["type"], "TOOL");
    let agent = by_name("answer");
    assert_eq!(agent["type"], "AGENT");
    assert_eq!(agent["metadata"]["attempt"], 1);
    assert_eq!(by_name("generate")["parentObservationId"], agent["id"]);

    // Usage and cost: gpt-4o-mini at $0.15 / $0.60 per million tokens.
    let generation = by_name("generate");
    assert_eq!(generation["type"], "GENERATION");
    assert_eq!(generation["model"], "gpt-4o-mini");
    assert_eq!(generation["usageDetails"], json!({"input": 1000, "output": 500}));
    let cost = generation["costDetails"]["total"].as_f64().unwrap();
    assert!((cost - 0.00045).abs() < 1e-12, "{cost}");
    assert!((trace["totalCost"].as_f64().unwrap() - 0.00045).abs() < 1e-12);
    assert_eq!(trace["usage"]["total"], 1500);
    assert!(generation["completionStartTime"].is_string());

    // Media: the data URI became a reference, and the bytes are served back.
    let reference = generation["input"]["image"].as_str().unwrap();
    let media_id = reference.split("id=").nth(1).unwrap().split('|').next().unwrap();
    let media = collector.ok(&format!("/api/public/media/{media_id}"));
    assert_eq!(
        (media["contentType"].as_str(), media["contentLength"].as_u64()),
        (Some("image/png"), Some(IMAGE.len() as u64))
    );
    let (status, headers, bytes) = collector.get_raw(&format!("/api/public/media/{media_id}/content"));
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(bytes, IMAGE);

    // Sessions and users see the trace.
    let session = collector.ok("/api/public/sessions/session-9");
    assert_eq!(session["traceCount"], 1);
    let user = collector.ok("/api/public/users/user-42");
    assert_eq!(user["sessionIds"], json!(["session-9"]));
    assert!((user["totalCost"].as_f64().unwrap() - 0.00045).abs() < 1e-12);
}

#[test]
fn sampling_keeps_whole_traces_end_to_end() {
    let collector = Collector::start();
    let (dispatch, guard) = subscriber(&collector, |b| b.sample_rate(0.5));
    langtrace::tracing::dispatcher::with_default(&dispatch, || {
        for i in 0..40 {
            Scope::new().trace_id(TraceId::from_seed(&format!("s{i}"))).in_scope(|| sampled_step(i));
        }
    });
    guard.flush(Duration::from_secs(30)).unwrap();
    let expected: Vec<String> = (0..40)
        .map(|i| TraceId::from_seed(&format!("s{i}")))
        .filter(|id| langtrace::sampling::should_sample(*id, 0.5))
        .map(|id| id.to_string())
        .collect();
    let listed = collector.ok("/api/public/traces?limit=100");
    let mut ids: Vec<String> =
        listed["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(ids, expected_sorted);
    assert!(listed["data"].as_array().unwrap().iter().all(|t| t["level"] == Level::Warning.as_upper()));
}

#[test]
fn explicit_media_from_a_file_are_uploaded_like_data_uris() {
    #[observe(as_type = generation)]
    fn transcribe(recording: &langtrace::Media) -> &'static str {
        let _ = recording;
        "hello"
    }
    let recording_bytes = b"RIFF\x24\x00\x00\x00WAVEfmt not really a wav";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("take-1.wav");
    std::fs::write(&path, recording_bytes).unwrap();
    let recording = langtrace::Media::from_file(&path).unwrap();

    let collector = Collector::start();
    let (dispatch, guard) = subscriber(&collector, |b| b);
    let trace_id = TraceId::from_seed("e2e-explicit-media");
    langtrace::tracing::dispatcher::with_default(&dispatch, || {
        Scope::new().trace_id(trace_id).in_scope(|| transcribe(&recording))
    });
    guard.flush(Duration::from_secs(30)).expect("flush");
    assert_eq!((guard.stats().failed, guard.stats().media_refused), (0, 0));

    let trace = collector.ok(&format!("/api/public/traces/{trace_id}"));
    let reference = trace["observations"][0]["input"]["recording"].as_str().unwrap_or_else(|| panic!("{trace}"));
    assert!(reference.starts_with("@@@langfuseMedia:type=audio/wav|id="), "{reference}");
    assert!(reference.ends_with("|source=file@@@"), "{reference}");
    let media_id = reference.split("id=").nth(1).unwrap().split('|').next().unwrap();
    let (status, headers, bytes) = collector.get_raw(&format!("/api/public/media/{media_id}/content"));
    assert_eq!((status, headers["content-type"].to_str().unwrap()), (200, "audio/wav"));
    assert_eq!(bytes, recording_bytes);
}
