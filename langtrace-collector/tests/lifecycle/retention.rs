//! Retention and disk: the pruner deletes backdated traces past a project's retention and the
//! database file shrinks; bad retentions are refused, in the API and on the command line;
//! bad settings stop the start naming the flag; the log warns when free disk space is low.

use std::path::Path;

use serde_json::{json, Value};

use crate::support::otlp::{self, int, span, text, T0};
use crate::support::{cli, Collector};

/// The database file's size once its log is checkpointed.
fn database_bytes(data_dir: &Path) -> u64 {
    let path = data_dir.join("langtrace.db");
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE)").unwrap();
    drop(connection);
    std::fs::metadata(&path).unwrap().len()
}

/// Trace `n`'s id bytes.
fn trace_bytes(n: u32) -> Vec<u8> {
    let mut id = vec![0xab; 12];
    id.extend_from_slice(&n.to_be_bytes());
    id
}

/// A PUT of the project's retention; the status and answer.
fn put_retention(collector: &Collector, project_id: &str, body: &Value) -> (u16, Value) {
    let path = format!("/api/public/projects/{project_id}/retention");
    let headers = [("authorization", collector.authorization()), ("content-type", "application/json".to_owned())];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, answer) = collector.send_raw(reqwest::Method::PUT, &path, &headers, body.to_string().into_bytes());
    (status, serde_json::from_slice(&answer).unwrap_or(Value::Null))
}

fn project_id(collector: &Collector) -> String {
    collector.ok("/api/public/projects")["data"][0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn the_pruner_deletes_traces_past_the_retention_and_the_file_shrinks() {
    let collector = Collector::start();
    let input = "x".repeat(4096);
    // 150 traces of four spans from November 2023 (the fixtures' T0), ten per export.
    for batch in 0..15u32 {
        let spans = (0..10u32).flat_map(|t| {
            let trace = trace_bytes(batch * 10 + t);
            let input = input.clone();
            (1..=4u8).map(move |s| {
                let step = span(0, s).trace_id(trace.clone()).input(&input);
                if s == 1 {
                    step
                } else {
                    step.parent(1)
                }
            })
        });
        otlp::send(&collector, &collector.authorization(), &otlp::request(spans));
    }
    // Three traces of today.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let recent: Vec<_> = (1000..1003u32)
        .map(|n| {
            let mut recent = span(0, 1)
                .trace_id(trace_bytes(n))
                .attributes(vec![text("langfuse.observation.type", "generation"), int("gen_ai.usage.input_tokens", 5)])
                .build();
            (recent.start_time_unix_nano, recent.end_time_unix_nano) = (now, now + 1_000_000);
            recent
        })
        .collect();
    assert!(T0 < now);
    otlp::send(&collector, &collector.authorization(), &otlp::request(recent));
    assert_eq!(collector.ok("/api/public/traces")["meta"]["totalItems"], 153);
    let before = database_bytes(collector.data_dir());

    let project = project_id(&collector);
    let (status, answer) = put_retention(&collector, &project, &json!({"retentionDays": 30}));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, json!({"projectId": project, "retentionDays": 30, "prunedTraces": 150}));
    let listed = collector.ok("/api/public/traces");
    assert_eq!(listed["meta"]["totalItems"], 3, "only today's traces stay: {listed}");
    assert_eq!(collector.ok(&format!("/api/public/projects/{project}/retention"))["retentionDays"], 30);

    let after = database_bytes(collector.data_dir());
    println!("database file: {before} bytes before pruning, {after} after");
    assert!(after * 2 < before, "the file shrinks: {before} bytes before, {after} after");
}

#[test]
fn bad_retentions_are_refused_naming_the_setting() {
    let collector = Collector::start();
    let project = project_id(&collector);
    for bad in [json!(0), json!(-3), json!(1.5), json!("30")] {
        let (status, answer) = put_retention(&collector, &project, &json!({ "retentionDays": bad }));
        assert_eq!(status, 400, "{bad}: {answer}");
        assert!(answer["message"].as_str().unwrap().contains("retentionDays"), "{answer}");
    }
    let (status, _) = put_retention(&collector, "p-someone-else", &json!({"retentionDays": 3}));
    assert_eq!(status, 404, "another project's retention is out of reach");
    let retention = format!("/api/public/projects/{project}/retention");
    assert_eq!(collector.ok(&retention)["retentionDays"], Value::Null, "nothing was set");
    let (status, answer) = collector.get("/api/public/projects?usage=maybe");
    assert_eq!(status, 400, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("usage"), "the parameter is named: {answer}");

    let refused = cli::output(collector.data_dir(), &["project", "retention", "default", "--days", "0"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--days"), "the flag is named");
    cli::run(collector.data_dir(), &["project", "retention", "default", "--days", "7"]);
    assert_eq!(collector.ok(&retention)["retentionDays"], 7, "the command line's setting is the API's");
    cli::run(collector.data_dir(), &["project", "retention", "default", "--keep-forever"]);
    assert_eq!(collector.ok(&retention)["retentionDays"], Value::Null);
}

#[test]
fn bad_lifecycle_settings_stop_the_start_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, value) in
        [("--min-free-disk-percent", "0"), ("--min-free-disk-percent", "100"), ("--prune-interval", "0s")]
    {
        let refused = cli::output(dir.path(), &["serve", flag, value]);
        assert!(!refused.status.success(), "{flag} {value}");
        assert!(String::from_utf8_lossy(&refused.stderr).contains(flag), "{flag} is named");
    }
}

#[test]
fn the_log_warns_while_free_disk_space_is_under_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let (free, total) = langtrace_collector::lifecycle::disk::space(dir.path()).unwrap();
    assert!(free * 100 < total * 99, "this test needs a file system less than 99% free");
    let collector = Collector::setup().args(&["--min-free-disk-percent", "99"]).capture_log().process();
    let warned =
        collector.log().wait_for(|line| line.contains("low on free space"), std::time::Duration::from_secs(20));
    let warned = warned.unwrap_or_else(|| panic!("no warning in {:?}", collector.log().lines()));
    assert!(warned.contains("--min-free-disk-percent"), "the setting is named: {warned}");
}
