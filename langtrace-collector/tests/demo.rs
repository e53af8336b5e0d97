//! `langtrace demo`: one command starts the collector, fills it through the facade and the
//! OTLP bridge, and prints a ready line with the URL and keys; the API then shows every
//! feature the demo agent exercises. Its writer runs at the process's priority, its
//! runtime threads below it. One of its traces is shared, bookmarked and commented.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::Demo;

/// The values of `field` in `items`, as strings, without nulls.
fn distinct(items: &[Value], field: &str) -> BTreeSet<String> {
    items.iter().filter_map(|item| item[field].as_str().map(str::to_owned)).collect()
}

#[test]
fn demo_fills_the_collector_and_prints_url_and_keys() {
    let demo = Demo::start();

    // `langtrace demo ready: http://ADDR/ public_key=PK secret_key=SK`, ADDR the address
    // the HTTP listener bound, the keys those the API takes (every `get` below).
    assert_eq!(demo.base_url, format!("http://{}", demo.listening.http_addr), "{}", demo.ready_line);
    let keys = demo.keys();
    assert!(!keys.public_key.is_empty() && !keys.secret_key.is_empty(), "{}", demo.ready_line);
    assert_eq!(
        demo.ready_line,
        format!(
            "langtrace demo ready: {}/ public_key={} secret_key={}",
            demo.base_url, keys.public_key, keys.secret_key
        )
    );

    // Several traces over two environments and two releases.
    let traces = demo.ok("/api/public/traces?limit=100");
    let traces = traces["data"].as_array().expect("trace list");
    assert!(traces.len() >= 20, "{} traces", traces.len());
    let environments = distinct(traces, "environment");
    assert!(environments.len() >= 2 && environments.contains("production"), "{environments:?}");
    // The UI's selector lists the same environments, in order.
    let listed = demo.ok("/api/public/environments");
    let listed: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(listed, environments.iter().map(String::as_str).collect::<Vec<_>>());
    let releases = distinct(traces, "release");
    assert!(releases.contains("1.0.0") && releases.contains("1.1.0"), "{releases:?}");
    for (environment, release) in [("production", "1.0.0"), ("production", "1.1.0"), ("staging", "1.1.0")] {
        let filtered = demo.ok(&format!("/api/public/traces?environment={environment}&release={release}"));
        assert!(!filtered["data"].as_array().unwrap().is_empty(), "no trace in {environment} {release}");
    }

    // A week of traces: every day of the past seven has some, production ran 1.0.0 until
    // 1.1.0 was rolled out mid-week, and the last turn is live (sent with the real clock).
    let now = std::time::SystemTime::now();
    let age = |trace: &Value| {
        let time = humantime::parse_rfc3339(trace["timestamp"].as_str().expect("a timestamp")).expect("RFC 3339");
        now.duration_since(time).expect("no trace in the future")
    };
    let day = std::time::Duration::from_secs(86_400);
    let days: BTreeSet<u64> = traces.iter().map(|t| age(t).as_secs() / day.as_secs()).collect();
    assert_eq!(days, (0..7).collect(), "traces on each of the past seven days");
    assert!(traces.iter().all(|t| age(t) <= 7 * day), "none older than a week");
    assert!(traces.iter().any(|t| age(t) < std::time::Duration::from_secs(300)), "a live trace");
    let production = |release: &'static str| {
        traces.iter().filter(move |t| t["environment"] == "production" && t["release"] == release)
    };
    let last_of_1_0 = production("1.0.0").map(age).min().expect("production 1.0.0 traces");
    let first_of_1_1 = production("1.1.0").map(age).max().expect("production 1.1.0 traces");
    assert!(last_of_1_0 > first_of_1_1, "1.1.0 replaced 1.0.0 in production");
    assert!(first_of_1_1 > 2 * day && last_of_1_0 < 5 * day, "the roll-out was mid-week");

    // The agent's prompts, from prompt management: two versions of the system and planner
    // prompts, `production` moved from 1 to 2 by the roll-out, the planner composed.
    let prompts = demo.ok("/api/public/v2/prompts?limit=100");
    let versions_of = |name: &str| {
        let entry = prompts["data"].as_array().unwrap().iter().find(|p| p["name"] == name);
        entry.unwrap_or_else(|| panic!("no prompt {name}: {prompts}"))["versions"].clone()
    };
    for name in ["support-agent/system", "support-agent/planner"] {
        assert_eq!(versions_of(name), serde_json::json!([1, 2]), "{name}");
        let encoded = name.replace('/', "%2F");
        assert_eq!(demo.ok(&format!("/api/public/v2/prompts/{encoded}"))["version"], 2, "production of {name}");
        let history = demo.ok(&format!("/api/public/v2/prompts/{encoded}/labels/history"));
        let moved = history["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["label"] == "production" && m["fromVersion"] == 1 && m["toVersion"] == 2);
        assert!(moved, "production moved from 1 to 2: {history}");
    }
    let planner = demo.ok("/api/public/v2/prompts/support-agent%2Fplanner?version=1");
    assert!(planner["prompt"].as_str().unwrap().starts_with("Be friendly"), "the guidelines resolved: {planner}");
    let raw = demo.ok("/api/public/v2/prompts/support-agent%2Fplanner?version=1&resolve=false");
    assert!(raw["prompt"]
        .as_str()
        .unwrap()
        .contains("@@@langfusePrompt:name=support-agent/guidelines|label=production@@@"));

    // Its generations are linked to the versions they used: 1.0.0 in production used
    // version 1, staging and the roll-out version 2.
    let generations = demo.ok("/api/public/v2/observations?type=GENERATION&fields=core,basic,prompt&limit=1000");
    let generations = generations["data"].as_array().unwrap();
    // The experiments' traces ran with the version their run names.
    let version_of_run = |run: &str| if run == "prompts v1" { 1 } else { 2 };
    let mut expected_version: std::collections::HashMap<String, u64> = traces
        .iter()
        // (The playground's runs have no release.)
        .filter(|t| t["environment"] != "sdk-experiment" && t["environment"] != "langtrace-playground")
        .map(|t| {
            let deployment = (t["environment"].as_str().unwrap(), t["release"].as_str().unwrap());
            (t["id"].as_str().unwrap().to_owned(), if deployment == ("production", "1.0.0") { 1 } else { 2 })
        })
        .collect();
    for run in ["prompts v1", "prompts v2"] {
        let detail = demo.ok(&format!("/api/public/datasets/support-questions/runs/{}", run.replace(' ', "%20")));
        for item in detail["datasetRunItems"].as_array().unwrap() {
            expected_version.insert(item["traceId"].as_str().unwrap().to_owned(), version_of_run(run));
        }
    }
    for (name, prompt) in [("plan", "support-agent/planner"), ("write_answer", "support-agent/system")] {
        let linked: Vec<&Value> = generations.iter().filter(|g| g["name"] == name).collect();
        assert!(!linked.is_empty(), "{name} generations");
        for generation in linked {
            let expected = expected_version[generation["traceId"].as_str().unwrap()];
            assert_eq!(generation["promptName"], prompt, "{generation}");
            assert_eq!(generation["promptVersion"], expected, "{generation}");
        }
    }
    assert!(
        generations.iter().filter(|g| g["name"] == "describe_image").all(|g| g["promptName"].is_null()),
        "the vision call uses no managed prompt"
    );

    // Sessions of several turns, several users.
    let sessions = demo.ok("/api/public/sessions?limit=100");
    let sessions = sessions["data"].as_array().expect("session list");
    assert!(sessions.len() >= 3, "{sessions:?}");
    let multi_turn = sessions.iter().filter(|s| s["traceCount"].as_u64().unwrap_or(0) >= 2).count();
    assert!(multi_turn >= 3, "{sessions:?}");
    let users = demo.ok("/api/public/users?limit=100");
    assert!(users["data"].as_array().expect("user list").len() >= 3, "{users}");

    // Every observation of every trace.
    let observations: Vec<Value> = traces
        .iter()
        .flat_map(|trace| {
            let detail = demo.ok(&format!("/api/public/traces/{}", trace["id"].as_str().unwrap()));
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
    let media = demo.ok(&format!("/api/public/media/{media_id}"));
    assert_eq!(media["contentType"], "image/png", "{media}");
    let (status, _, content) = demo.get_raw(&format!("/api/public/media/{media_id}/content"));
    assert_eq!(status, 200);
    assert!(content.starts_with(b"\x89PNG\r\n\x1a\n"), "the media is a PNG");

    demo_dataset_and_experiments(&demo);
}

/// The demo's dataset: items made from its chat turns (linked to their traces, their
/// input and output copied) and written ones; two runs over every item, one per prompt
/// version, each item's trace scored by both evaluators and each run by its run
/// evaluator; the version 2 run answers every item from a version 2 trace exactly.
fn demo_dataset_and_experiments(demo: &Demo) {
    let dataset = demo.ok("/api/public/v2/datasets/support-questions");
    let items = demo.ok("/api/public/dataset-items?datasetName=support-questions&limit=100");
    let items = items["data"].as_array().unwrap();
    assert_eq!(items.len(), 6, "three from traces, three written: {items:?}");
    let from_traces: Vec<&Value> = items.iter().filter(|i| i["sourceTraceId"].is_string()).collect();
    assert_eq!(from_traces.len(), 3);
    for item in &from_traces {
        let trace = demo.ok(&format!("/api/public/traces/{}", item["sourceTraceId"].as_str().unwrap()));
        assert_eq!(item["input"], trace["input"], "the trace's input: {item}");
        assert_eq!(item["expectedOutput"], trace["output"], "its output, expected: {item}");
    }
    let experiments = demo.ok(&format!(
        "/api/public/experiments?fromStartTime=2000-01-01T00:00:00Z&datasetId={}",
        dataset["id"].as_str().unwrap()
    ));
    let names = distinct(experiments["data"].as_array().unwrap(), "name");
    assert_eq!(names, ["prompts v1", "prompts v2"].map(str::to_owned).into(), "{experiments}");
    for run in ["prompts v1", "prompts v2"] {
        let detail = demo.ok(&format!("/api/public/datasets/support-questions/runs/{}", run.replace(' ', "%20")));
        let run_items = detail["datasetRunItems"].as_array().unwrap();
        let ran = distinct(run_items, "datasetItemId");
        assert_eq!(ran, distinct(items, "id"), "{run} ran every item once");
        let mut matched = 0;
        for run_item in run_items {
            let trace = demo.ok(&format!("/api/public/traces/{}", run_item["traceId"].as_str().unwrap()));
            assert_eq!(trace["environment"], "sdk-experiment");
            // The evaluators' scores are on the task's observation (the agent's guard scores its own).
            let scores: Vec<Value> = trace["scores"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["observationId"] == run_item["observationId"])
                .cloned()
                .collect();
            assert_eq!(distinct(&scores, "name"), ["brevity", "exact_match"].map(str::to_owned).into(), "{trace}");
            matched += scores.iter().filter(|s| s["name"] == "exact_match" && s["value"] == 1.0).count();
        }
        if run == "prompts v2" {
            assert!(matched >= from_traces.len(), "v2 answers its own traces' questions exactly: {matched}");
        } else {
            assert_eq!(matched, 0, "v1's longer answers match no expected answer");
        }
        let run_scores = demo.ok(&format!("/api/public/v2/scores?datasetRunId={}", detail["id"].as_str().unwrap()));
        let accuracy = run_scores["data"].as_array().unwrap().iter().find(|s| s["name"] == "accuracy").cloned();
        let accuracy = accuracy.unwrap_or_else(|| panic!("the run score of {run}: {run_scores}"));
        assert_eq!(accuracy["value"].as_f64(), Some(matched as f64 / items.len() as f64), "{run}");
    }
}

#[test]
fn demo_shares_bookmarks_and_comments_one_trace() {
    let demo = Demo::start();
    let starred = demo.ok("/api/public/traces?bookmarked=true");
    assert_eq!(starred["meta"]["totalItems"], 1, "{starred}");
    let trace = &starred["data"][0];
    let id = trace["id"].as_str().unwrap();
    assert_eq!(trace["public"], true, "the bookmarked trace is the shared one");
    let shared = demo.client().get(demo.url(&format!("/api/public/share/traces/{id}"))).send().unwrap();
    assert_eq!(shared.status().as_u16(), 200, "readable without keys");
    let on_trace = demo.ok(&format!("/api/public/comments?objectType=TRACE&objectId={id}"));
    assert_eq!(on_trace["meta"]["totalItems"], 1);
    let session = trace["sessionId"].as_str().expect("a trace of a session");
    assert_eq!(
        demo.ok(&format!("/api/public/comments?objectType=SESSION&objectId={session}"))["meta"]["totalItems"],
        1
    );
    assert_eq!(demo.ok("/api/public/comments?objectType=OBSERVATION")["meta"]["totalItems"], 1);
}

#[test]
fn demo_guard_keeps_pasted_secrets_and_pii_out_of_the_store() {
    let demo = Demo::start();
    let traces = demo.ok("/api/public/traces?limit=100");
    let traces = traces["data"].as_array().expect("trace list");
    let stored: String = traces
        .iter()
        .map(|trace| demo.ok(&format!("/api/public/traces/{}", trace["id"].as_str().unwrap())).to_string())
        .collect();
    // What the demo's users paste (the key is assembled by the demo: any GitHub-token
    // prefix in the store would be it).
    for raw in ["frank.miller@example.com", "555-2671", "4111 1111 1111 1111", "ghp_"] {
        assert!(!stored.contains(raw), "{raw:?} reached the store");
    }
    assert!(stored.contains("[REDACTED_EMAIL_1]") && stored.contains("[REDACTED_CREDIT_CARD_1]"));

    // Guardrail warnings: the pasted data and the jailbreak attempt, and nothing else.
    let warned = demo.ok("/api/public/traces?observationType=GUARDRAIL&observationLevel=WARNING&limit=100");
    let users = distinct(warned["data"].as_array().unwrap(), "userId");
    assert_eq!(users, BTreeSet::from(["frank".to_owned(), "mallory".to_owned()]));
    let probe = demo.ok("/api/public/traces?userId=mallory");
    let probe = demo.ok(&format!("/api/public/traces/{}", probe["data"][0]["id"].as_str().unwrap()));
    let jailbreak = probe["observations"].as_array().unwrap().iter().find(|o| o["name"] == "jailbreak_phrases");
    assert_eq!(
        jailbreak.map(|o| (o["type"].clone(), o["level"].clone())),
        Some(("GUARDRAIL".into(), "WARNING".into()))
    );
}

#[cfg(target_os = "linux")]
#[test]
fn the_demo_writer_runs_at_the_process_priority_and_its_runtime_below_it() {
    let demo = Demo::start();
    let pid = demo.pid();
    let threads = threads(pid);
    // Thread names as `comm` shows them: cut to 15 bytes.
    let nice_of = |names: &[&str]| -> Vec<i32> {
        let comm = |name: &&str| name[..name.len().min(15)].to_owned();
        let names: Vec<String> = names.iter().map(comm).collect();
        threads.iter().filter(|(_, name, _)| names.contains(name)).map(|(.., nice)| *nice).collect()
    };
    let main = threads.iter().find(|(id, ..)| *id == pid).map(|(.., nice)| *nice).expect("the main thread");
    for serial in ["langtrace-writer", "langtrace-sync"] {
        assert_eq!(nice_of(&[serial]), [main], "{serial} keeps the main thread's priority: {threads:?}");
    }
    // The runtime's threads (Tokio's default name, `tokio-rt-worker`; formerly
    // `tokio-runtime-worker`) run below the writer, its workers by 8.
    let runtime = nice_of(&["tokio-rt-worker", "tokio-runtime-worker"]);
    assert!(!runtime.is_empty(), "runtime threads: {threads:?}");
    assert!(
        runtime.iter().all(|nice| *nice == (main + 8).min(19)),
        "runtime threads run 8 below the writer: {threads:?}"
    );
}

/// Each thread of process `pid`: its id, name (`comm`) and nice value.
#[cfg(target_os = "linux")]
fn threads(pid: u32) -> Vec<(u32, String, i32)> {
    let task = std::path::PathBuf::from(format!("/proc/{pid}/task"));
    let ids: Vec<u32> = std::fs::read_dir(&task)
        .expect("the process's threads")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    ids.into_iter()
        .filter_map(|id| {
            // A thread may end between the listing and the reading: skip it.
            let comm = std::fs::read_to_string(task.join(format!("{id}/comm"))).ok()?;
            let stat = std::fs::read_to_string(task.join(format!("{id}/stat"))).ok()?;
            // `pid (comm) state ...`: the comm may hold spaces and parentheses, so the
            // fields are counted after its last `)`, from field 3 (state); nice is 19.
            let nice = stat.rsplit_once(')')?.1.split_whitespace().nth(19 - 3)?.parse().ok()?;
            Some((id, comm.trim_end().to_owned(), nice))
        })
        .collect()
}

#[test]
fn the_demo_serves_its_mock_llm_as_a_connection_with_playground_runs() {
    let demo = Demo::start();

    // The connection: the mock on loopback, its key masked.
    let connections = demo.ok("/api/public/llm-connections");
    let connections = connections["data"].as_array().expect("connection list");
    let mock = connections.iter().find(|c| c["provider"] == "demo-mock").expect("the demo's connection");
    assert_eq!(mock["adapter"], "openai");
    assert_eq!(mock["customModels"], serde_json::json!(["gpt-4o-mini", "gpt-4o"]));
    let base_url = mock["baseURL"].as_str().expect("a base URL");
    assert!(base_url.starts_with("http://127.0.0.1:") && base_url.ends_with("/v1"), "{base_url}");
    assert!(mock["displaySecretKey"].as_str().unwrap().contains("..."), "{mock}");

    // The mock wants the connection's key.
    let (status, _, body) = demo.post_raw(
        &format!("{base_url}/chat/completions"),
        &[("content-type", "application/json")],
        br#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#.to_vec(),
    );
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("invalid_api_key")), "{body}");

    // The demo's runs: three playground traces, one generation each.
    let runs = demo.ok("/api/public/traces?environment=langtrace-playground&limit=100");
    let runs = runs["data"].as_array().expect("trace list");
    assert_eq!(runs.len(), 3, "{runs:?}");
    let generations: Vec<Value> = runs
        .iter()
        .map(|t| demo.ok(&format!("/api/public/traces/{}", t["id"].as_str().unwrap())))
        .flat_map(|t| t["observations"].as_array().unwrap().clone())
        .filter(|o| o["type"] == "GENERATION")
        .collect();
    assert_eq!(generations.len(), 3);
    assert_eq!(distinct(&generations, "model"), BTreeSet::from(["gpt-4o-mini".to_owned(), "gpt-4o".to_owned()]));
    assert!(generations.iter().any(|g| g["promptName"] == "support-agent/system"), "a run is linked to the prompt");
    assert!(
        generations.iter().all(|g| g["usage"]["total"].as_u64().unwrap_or(0) > 0),
        "usage from the mock: {generations:?}"
    );
    assert!(generations.iter().any(|g| g["output"].to_string().contains("get_weather")), "the tool call run");

    // The OpenAI-compatible proxy reaches the mock through the connection.
    let request =
        serde_json::json!({"model": "demo-mock:gpt-4o-mini", "messages": [{"role": "user", "content": "ping"}]});
    let (status, answer) = demo.post_json("/v1/chat/completions", &request);
    assert_eq!(status, 200, "{answer}");
    let text = answer["choices"][0]["message"]["content"].as_str().expect("an answer");
    assert!(text.ends_with("You wrote: ping"), "{text}");
}
