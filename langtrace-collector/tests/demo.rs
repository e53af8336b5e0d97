//! `langtrace demo`: one command starts the collector, fills it through the facade and the
//! OTLP bridge, and prints a ready line with the URL and keys; the API then shows every
//! feature the demo agent exercises.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::Collector;

/// The values of `field` in `items`, as strings, without nulls.
fn distinct(items: &[Value], field: &str) -> BTreeSet<String> {
    items.iter().filter_map(|item| item[field].as_str().map(str::to_owned)).collect()
}

#[test]
fn demo_fills_the_collector_and_prints_url_and_keys() {
    let (demo, ready) = Collector::start_demo();

    // `langtrace demo ready: http://ADDR/ public_key=PK secret_key=SK`
    let words: Vec<&str> = ready.split_whitespace().collect();
    assert_eq!(words.len(), 6, "{ready}");
    assert_eq!(words[3], format!("{}/", demo.base_url), "{ready}");
    let public_key = words[4].strip_prefix("public_key=").expect("public key in the ready line");
    let secret_key = words[5].strip_prefix("secret_key=").expect("secret key in the ready line");
    let auth = Collector::basic(public_key, secret_key);
    let get = |path: &str| {
        let (status, body) = demo.get_as(path, &auth);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    };

    // Several traces over two environments and two releases.
    let traces = get("/api/public/traces?limit=100");
    let traces = traces["data"].as_array().expect("trace list");
    assert!(traces.len() >= 20, "{} traces", traces.len());
    let environments = distinct(traces, "environment");
    assert!(environments.len() >= 2 && environments.contains("production"), "{environments:?}");
    // The UI's selector lists the same environments, in order.
    let listed = get("/api/public/environments");
    let listed: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(listed, environments.iter().map(String::as_str).collect::<Vec<_>>());
    let releases = distinct(traces, "release");
    assert!(releases.contains("1.0.0") && releases.contains("1.1.0"), "{releases:?}");
    for (environment, release) in [("production", "1.0.0"), ("production", "1.1.0"), ("staging", "1.1.0")] {
        let filtered = get(&format!("/api/public/traces?environment={environment}&release={release}"));
        assert!(!filtered["data"].as_array().unwrap().is_empty(), "no trace in {environment} {release}");
    }

    // Sessions of several turns, several users.
    let sessions = get("/api/public/sessions?limit=100");
    let sessions = sessions["data"].as_array().expect("session list");
    assert!(sessions.len() >= 3, "{sessions:?}");
    let multi_turn = sessions.iter().filter(|s| s["traceCount"].as_u64().unwrap_or(0) >= 2).count();
    assert!(multi_turn >= 3, "{sessions:?}");
    let users = get("/api/public/users?limit=100");
    assert!(users["data"].as_array().expect("user list").len() >= 3, "{users}");

    // Every observation of every trace.
    let observations: Vec<Value> = traces
        .iter()
        .flat_map(|trace| {
            let detail = get(&format!("/api/public/traces/{}", trace["id"].as_str().unwrap()));
            detail["observations"].as_array().cloned().unwrap_or_default()
        })
        .collect();
    let types = distinct(&observations, "type");
    for kind in ["AGENT", "TOOL", "RETRIEVER", "GENERATION", "CHAIN"] {
        assert!(types.contains(kind), "no {kind} observation: {types:?}");
    }

    // A failing tool: level ERROR with its status message.
    assert!(
        observations.iter().any(|o| o["level"] == "ERROR"
            && o["type"] == "TOOL"
            && o["statusMessage"].as_str().is_some_and(|m| !m.is_empty())),
        "no failed tool"
    );

    // Generations with model, usage and cost; a streamed one with its first-token time.
    let generations: Vec<&Value> = observations.iter().filter(|o| o["type"] == "GENERATION").collect();
    assert!(
        generations.iter().any(|g| g["model"] == "gpt-4o-mini"
            && g["usageDetails"]["input"].as_u64().is_some_and(|n| n > 0)
            && g["usageDetails"]["output"].as_u64().is_some_and(|n| n > 0)
            && g["costDetails"]["input"].as_f64().is_some_and(|c| c > 0.0)
            && g["calculatedTotalCost"].as_f64().is_some_and(|c| c > 0.0)),
        "no generation with usage and cost"
    );
    assert!(generations.iter().any(|g| g["completionStartTime"].is_string()), "no streamed generation");

    // An image, replaced by a media reference whose bytes are served back as a PNG.
    let reference = observations
        .iter()
        .flat_map(|o| [o["input"].to_string(), o["output"].to_string()])
        .find_map(|text| {
            let start = text.find("@@@langfuseMedia:")?;
            Some(text[start..].split("@@@").nth(1)?.to_owned())
        })
        .expect("a media reference in some input or output");
    let media_id = reference.split("id=").nth(1).and_then(|rest| rest.split('|').next()).expect("media id");
    let media = get(&format!("/api/public/media/{media_id}"));
    assert_eq!(media["contentType"], "image/png", "{media}");
    let content = demo
        .client()
        .get(format!("{}/api/public/media/{media_id}/content", demo.base_url))
        .header("authorization", &auth)
        .send()
        .unwrap();
    assert_eq!(content.status().as_u16(), 200);
    assert!(content.bytes().unwrap().starts_with(b"\x89PNG\r\n\x1a\n"), "the media is a PNG");

    demo.stop();
}
