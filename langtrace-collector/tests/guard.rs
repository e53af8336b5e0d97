//! The guard end to end: a guarded `#[observe]` chat turn → `LangtraceLayer` → OTLP
//! bridge → a `langtrace serve` process → the query API. The stored trace holds the
//! placeholders and none of the raw values, each scanner run is a GUARDRAIL
//! observation, at WARNING where it found something, and the guard's `guard.<scanner>`
//! scores, which the OTLP bridge sends to the scores API as Langfuse's SDKs send
//! theirs, sit on the trace and on their guardrail observations.

mod support;

use std::time::Duration;

use langtrace::guard::scanners::{BanSubstrings, Deanonymize, InvisibleText, Pii, Secrets, Vault};
use langtrace::guard::{Guard, Scanner};
use langtrace::otlp::OtlpSink;
use langtrace::tracing_subscriber::layer::SubscriberExt;
use langtrace::{current_observation, observe, Scope, TraceId};
use serde_json::{json, Value};
use support::{Collector, PUBLIC_KEY, SECRET_KEY};

const EMAIL: &str = "li.wei@example.com";
const CARD: &str = "5500 0000 0000 0004";

/// An API-key-shaped value assembled at run time (no key-like literal in the source).
fn api_key() -> String {
    let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    "ghp_".chars().chain((0..36).map(|i| alphabet[(i * 7 + 3) % alphabet.len()])).collect()
}

/// The mocked model: answers with the placeholders it was given.
#[observe(as_type = generation, model = "mock-llm")]
fn model(prompt: &str) -> String {
    format!("Receipt sent to [REDACTED_EMAIL_1]; you wrote: {prompt}")
}

/// A chat turn guarded on both sides; it records the sanitized prompt and answer as its
/// own input and output (the user still gets the restored answer).
#[observe(as_type = chain, skip(prompt))]
fn chat(prompt: &str) -> String {
    let vault = Vault::new();
    let guard = Guard::new()
        .record_scores(true)
        .input([
            InvisibleText::new().shared(),
            BanSubstrings::jailbreak_phrases().shared(),
            Secrets::new().shared(),
            Pii::new(vault.clone()).shared(),
        ])
        .output([Deanonymize::new(vault).shared()]);
    let sanitized = guard.scan_input(prompt).expect("no jailbreak phrase");
    current_observation().set_input(&sanitized.text);
    let answer = model(&sanitized.text);
    current_observation().set_output(&answer);
    guard.scan_output(&sanitized.text, &answer).expect("deanonymize never blocks").text
}

#[test]
fn the_stored_trace_holds_placeholders_and_guardrail_warnings() {
    let collector = Collector::setup().process();
    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .langfuse(PUBLIC_KEY, SECRET_KEY, collector.base_url.clone())
        .build()
        .expect("exporter");
    let counters = sink.counters();
    let (layer, guard) = langtrace::LangtraceLayer::builder().ignore_env().sink(sink).build().expect("settings");
    let dispatch = langtrace::tracing::Dispatch::new(langtrace::tracing_subscriber::registry().with(layer));
    let key = api_key();
    let prompt = format!("Mail {EMAIL} a receipt for card {CARD}; my token is {key}\u{200B}.");
    let trace_id = TraceId::from_seed("guarded-turn");
    let answer = langtrace::tracing::dispatcher::with_default(&dispatch, || {
        Scope::new().trace_id(trace_id).in_scope(|| chat(&prompt))
    });
    assert!(answer.starts_with(&format!("Receipt sent to {EMAIL};")), "{answer}");
    langtrace::tracing::dispatcher::with_default(&dispatch, || {
        Scope::new().trace_id(TraceId::from_seed("clean-turn")).in_scope(|| chat("What is the weather?"))
    });
    guard.flush(Duration::from_secs(30)).expect("flush");
    assert_eq!(guard.stats().failed, 0);
    let sent = |counter| langtrace::otlp::ExportCounters::get(counter);
    assert_eq!((sent(&counters.scores_sent), sent(&counters.scores_failed)), (10, 0), "5 scanners, 2 turns");

    let trace = collector.ok(&format!("/api/public/traces/{trace_id}"));
    let stored = trace.to_string();
    for raw in [EMAIL, CARD, key.as_str(), "\\u200b"] {
        assert!(!stored.contains(raw), "{raw:?} reached the store: {stored}");
    }
    let sanitized = "Mail [REDACTED_EMAIL_1] a receipt for card [REDACTED_CREDIT_CARD_1]; my token is ******.";
    let observations = trace["observations"].as_array().unwrap();
    let by_name = |name: &str| observations.iter().find(|o| o["name"] == name).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(by_name("model")["input"], json!({ "prompt": sanitized }));
    assert_eq!(by_name("chat")["input"], json!(sanitized));

    let guardrails: Vec<&Value> = observations.iter().filter(|o| o["type"] == "GUARDRAIL").collect();
    let mut names: Vec<&str> = guardrails.iter().map(|o| o["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["deanonymize", "invisible_text", "jailbreak_phrases", "pii", "secrets"]);
    let chat_id = &by_name("chat")["id"];
    assert!(guardrails.iter().all(|o| &o["parentObservationId"] == chat_id));
    let expected = [
        ("invisible_text", "WARNING", json!({ "zero-width": 1 })),
        ("jailbreak_phrases", "DEFAULT", json!({})),
        ("secrets", "WARNING", json!({ "github-token": 1 })),
        ("pii", "WARNING", json!({ "CREDIT_CARD": 1, "EMAIL": 1 })),
        ("deanonymize", "DEFAULT", json!({ "restored": 3 })),
    ];
    for (name, level, findings) in expected {
        let observation = by_name(name);
        assert_eq!(observation["level"], level, "{name}");
        assert_eq!(observation["metadata"]["findings"], findings, "{name}");
        assert_eq!(observation["metadata"]["valid"], json!(level == "DEFAULT"), "{name}");
    }
    assert_eq!(trace["levelCounts"]["WARNING"], 3);
    let mut scores: Vec<(String, f64)> = trace["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_owned(), s["value"].as_f64().unwrap()))
        .collect();
    scores.sort_by(|a, b| a.0.cmp(&b.0));
    let expected = [
        ("guard.deanonymize", 0.0),
        ("guard.invisible_text", 1.0),
        ("guard.jailbreak_phrases", 0.0),
        ("guard.pii", 1.0),
        ("guard.secrets", 1.0),
    ];
    assert_eq!(scores, expected.map(|(name, value)| (name.to_owned(), value)));
    // The scores API lists each with its trace and guardrail observation.
    let listed = collector.ok(&format!("/api/public/scores?traceId={trace_id}"));
    let listed = listed["data"].as_array().unwrap();
    assert_eq!(listed.len(), 5);
    for score in listed {
        let scanner = score["name"].as_str().unwrap().trim_start_matches("guard.");
        assert_eq!(score["observationId"], by_name(scanner)["id"], "{scanner}");
        assert_eq!((&score["traceId"], &score["dataType"]), (&json!(trace_id.to_string()), &json!("NUMERIC")));
    }
    let secrets = listed.iter().find(|s| s["name"] == "guard.secrets").unwrap();
    assert_eq!(secrets["comment"], "found github-token");

    // The traces list filtered to guardrail warnings finds this trace and not a clean one.
    let warnings = collector.ok("/api/public/traces?observationType=GUARDRAIL&observationLevel=WARNING");
    let ids: Vec<&str> = warnings["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [trace_id.to_string()]);
    let guarded = collector.ok("/api/public/traces?observationType=GUARDRAIL");
    assert_eq!(guarded["data"].as_array().unwrap().len(), 2);
    let (status, body) = collector.get("/api/public/traces?observationType=GUARD");
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("observationType"), "{body}");
}
