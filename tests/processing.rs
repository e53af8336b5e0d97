//! Settings and processing: environment, release, version, sampling, the enabled and
//! capture switches, default metadata, masking, media extraction and truncation.

mod common;

use std::collections::{HashMap, HashSet};

use base64::Engine;
use common::{redact, Harness};
use langtrace::config::Source;
use langtrace::mask::MASK_FAILED;
use langtrace::{observe, LangtraceLayer, MediaField, Scope, TraceId};
use serde_json::json;

#[observe]
fn answer(question: &str) -> String {
    inner(question.len())
}

#[observe(as_type = tool)]
fn inner(length: usize) -> String {
    format!("{length} chars")
}

#[test]
fn environment_release_and_version_are_stamped() {
    let harness = Harness::with(|b| b.environment("staging").release("2024.06.1").version("prompt-v3"));
    harness.run(|| answer("hi"));
    for observation in harness.observations() {
        assert_eq!(observation.environment, "staging");
        assert_eq!(observation.version.as_deref(), Some("prompt-v3"));
        assert_eq!(observation.trace.release.as_deref(), Some("2024.06.1"));
    }
    let trace = &harness.traces()[0];
    assert_eq!(trace.environment, "staging");
    assert_eq!(trace.attributes.release.as_deref(), Some("2024.06.1"));
}

#[test]
fn settings_come_from_env_with_builder_winning_and_errors_naming_the_variable() {
    let vars: HashMap<&str, &str> = [
        ("LANGFUSE_TRACING_ENVIRONMENT", "production"),
        ("LANGFUSE_RELEASE", "from-langfuse-var"),
        ("CI_COMMIT_SHA", "deadbeef"),
        ("LANGTRACE_VERSION", "env-version"),
    ]
    .into();
    let lookup = move |name: &str| vars.get(name).map(|v| v.to_string());
    let harness = Harness::with(|b| b.env_lookup(lookup.clone()).version("builder-version"));
    harness.run(|| answer("x"));
    let observation = harness.observation("answer");
    assert_eq!(observation.environment, "production");
    assert_eq!(observation.trace.release.as_deref(), Some("from-langfuse-var"));
    assert_eq!(observation.version.as_deref(), Some("builder-version"));

    let bad = LangtraceLayer::builder()
        .env_lookup(|name| (name == "LANGTRACE_TRACING_ENVIRONMENT").then(|| "Langfuse-Prod".into()))
        .build();
    let error = bad.err().expect("invalid environment rejected");
    assert_eq!(error.setting, Source::Env("LANGTRACE_TRACING_ENVIRONMENT"));
    assert!(error.to_string().contains("LANGTRACE_TRACING_ENVIRONMENT"), "{error}");
    let error = LangtraceLayer::builder().ignore_env().environment("langfuse-internal").build().err().unwrap();
    assert!(error.to_string().contains("environment"), "{error}");
}

fn run_traces(harness: &Harness, count: usize) {
    harness.run(|| {
        for i in 0..count {
            Scope::new().trace_id(TraceId::from_seed(&format!("trace-{i}"))).in_scope(|| answer("q"));
        }
    });
}

#[test]
fn sample_rate_zero_sends_nothing_and_one_everything() {
    let none = Harness::with(|b| b.sample_rate(0.0));
    run_traces(&none, 50);
    assert!(none.sink.records().is_empty() && none.observations().is_empty());
    let all = Harness::with(|b| b.sample_rate(1.0));
    run_traces(&all, 50);
    assert_eq!(all.traces().len(), 50);
    assert_eq!(all.observations().len(), 100);
}

#[test]
fn sample_rate_half_keeps_whole_traces_deterministically() {
    let harness = Harness::with(|b| b.sample_rate(0.5));
    run_traces(&harness, 400);
    let observations = harness.observations();
    let mut per_trace: HashMap<TraceId, usize> = HashMap::new();
    for observation in &observations {
        *per_trace.entry(observation.trace_id).or_default() += 1;
    }
    assert!((150..250).contains(&per_trace.len()), "kept {} of 400", per_trace.len());
    assert!(per_trace.values().all(|n| *n == 2), "a trace is kept or dropped whole");
    let expected: HashSet<TraceId> = (0..400)
        .map(|i| TraceId::from_seed(&format!("trace-{i}")))
        .filter(|id| langtrace::sampling::should_sample(*id, 0.5))
        .collect();
    assert_eq!(per_trace.keys().copied().collect::<HashSet<_>>(), expected);
}

#[test]
fn disabled_tracing_records_nothing() {
    let harness = Harness::with(|b| b.enabled(false));
    harness.run(|| answer("q"));
    assert!(harness.observations().is_empty());
}

#[test]
fn capture_switch_off_keeps_structure_without_payloads() {
    let harness = Harness::with(|b| b.capture_io(false));
    harness.run(|| answer("secret question"));
    let observation = harness.observation("answer");
    assert_eq!((observation.input, observation.output), (None, None));
    assert_eq!(harness.observation("inner").parent_id, Some(observation.id));
}

#[test]
fn default_metadata_is_added_without_overriding() {
    #[observe]
    fn tagged() {
        langtrace::current_observation().set_metadata("team", "explicit");
    }
    let harness = Harness::with(|b| b.default_metadata("team", "default").default_metadata("region", "eu"));
    harness.run(tagged);
    let observation = harness.observation("tagged");
    assert_eq!(observation.metadata["team"], "explicit");
    assert_eq!(observation.metadata["region"], "eu");
}

#[test]
fn masking_applies_to_inputs_outputs_metadata_and_foreign_spans() {
    #[observe]
    fn login(password: &str) -> String {
        langtrace::current_observation().set_metadata("attempt", format!("pw={password}"));
        langtrace::current_trace().set_metadata("last", password);
        tracing::info_span!("db query", statement = "select * where pw='hunter2'").in_scope(|| {});
        format!("welcome {password}")
    }
    let harness = Harness::with(|b| b.mask(redact));
    harness.run(|| login("hunter2"));
    let observations = harness.observations();
    let text = serde_json::to_string(&observations).unwrap() + &serde_json::to_string(&harness.traces()).unwrap();
    assert!(!text.contains("hunter2"), "{text}");
    let login = harness.observation("login");
    assert_eq!(login.input_value(), Some(json!({"password": "[REDACTED]"})));
    assert_eq!(login.output_value(), Some(json!("welcome [REDACTED]")));
    assert_eq!(harness.observation("db query").metadata["statement"], "select * where pw='[REDACTED]'");
}

#[test]
fn a_panicking_mask_replaces_values_with_the_marker() {
    let harness = Harness::with(|b| b.mask(|_| panic!("mask bug")));
    harness.run(|| answer("private"));
    let observation = harness.observation("answer");
    assert_eq!(observation.input_value(), Some(json!(MASK_FAILED)));
    assert_eq!(observation.output_value(), Some(json!(MASK_FAILED)));
    assert!(!serde_json::to_string(&harness.sink.records()).unwrap().contains("private"));
}

#[test]
fn data_uris_are_replaced_by_media_references() {
    #[observe(as_type = generation)]
    fn describe(image: &str) -> String {
        langtrace::current_observation().set_metadata("thumbnail", image);
        "a cat".into()
    }
    let bytes = b"\x89PNG\r\n\x1a\nnot really a png";
    let uri = format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes));
    let harness = Harness::new();
    harness.run(|| describe(&uri));
    let observation = harness.observation("describe");
    assert_eq!(observation.media.len(), 1, "identical bytes are one media item");
    let media = &observation.media[0];
    assert_eq!(media.bytes, bytes);
    assert_eq!(media.content_type, "image/png");
    assert_eq!(media.field, MediaField::Input);
    let reference = format!("@@@langfuseMedia:type=image/png|id={}|source=base64_data_uri@@@", media.media_id);
    assert_eq!(observation.input_value(), Some(json!({"image": reference})));
    assert_eq!(observation.metadata["thumbnail"], json!(reference));
    assert!(!serde_json::to_string(&observation.input).unwrap().contains("base64,"));
}

#[test]
fn oversized_payloads_are_truncated_with_a_marker() {
    let harness = Harness::with(|b| b.max_payload_bytes(64));
    let long = "x".repeat(1000);
    harness.run(|| answer(&long));
    let observation = harness.observation("answer");
    let input = observation.input_value().unwrap();
    let text = input.as_str().expect("truncated values become text");
    assert!(text.starts_with("{\"question\":\"xxxx"), "{text}");
    assert!(text.ends_with("...[truncated by langtrace: 1015 bytes]"), "{text}");
    assert!(text.len() < 120);
    assert_eq!(observation.output_value(), Some(json!("1000 chars")), "small values are untouched");
}
