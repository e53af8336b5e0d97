//! The data's lifecycle over a real collector: deleting traces (their observations,
//! scores, comments, experiment links and media rows, and media bytes no project
//! references any more) without
//! touching another project's identical ids; the bad-input table of deletion and
//! retention; the retention pruner on backdated traces, with the database file shrinking;
//! a backup taken under ingest load restored into a fresh directory that answers the same;
//! the UI's selection and deletion on the Traces page and its settings page, in Chromium.

mod support;

#[path = "lifecycle/backup.rs"]
mod backup;
#[path = "lifecycle/retention.rs"]
mod retention;
#[path = "lifecycle/ui.rs"]
mod ui;

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::http::{message, Api};
use support::otlp::{self, span, trace_id};
use support::{cli, Collector, Keys};

/// Announces and uploads `bytes` as media of trace `trace` with `api`'s keys; its id.
pub fn upload_media(api: &Api, trace: &str, bytes: &[u8]) -> String {
    let announced = json!({
        "traceId": trace,
        "contentType": "image/png",
        "contentLength": bytes.len(),
        "sha256Hash": base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes)),
    });
    let (status, ticket) = api.post_json("/api/public/media", &announced);
    assert_eq!(status, 200, "{ticket}");
    if let Some(url) = ticket["uploadUrl"].as_str() {
        let (status, _, body) = api.send_raw(reqwest::Method::PUT, url, &[], bytes.to_vec());
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }
    ticket["mediaId"].as_str().expect("a media id").to_owned()
}

/// The file holding `bytes` in `collector`'s media directory.
pub fn media_file(collector: &Collector, bytes: &[u8]) -> std::path::PathBuf {
    collector.data_dir().join("media").join(hex::encode(Sha256::digest(bytes)))
}

/// A DELETE of `path` with `api`'s keys and a JSON `body`; the status and JSON answer.
pub fn delete(api: &Api, path: &str, body: Option<&Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let headers = [("authorization", api.authorization()), ("content-type", "application/json".to_owned())];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, answer) = api.send_raw(reqwest::Method::DELETE, path, &headers, body);
    (status, serde_json::from_slice(&answer).unwrap_or(Value::Null))
}

/// The API of `collector` with another project's keys.
fn as_project(collector: &Collector, keys: Keys) -> Api {
    Api::new(collector.base_url.clone(), keys)
}

/// Trace `trace` in `api`'s project: two spans and a score.
pub fn trace_with_score(api: &Api, trace: u8) {
    otlp::send(
        api,
        &api.authorization(),
        &otlp::request([span(trace, 1).at(0, 10), span(trace, 2).parent(1).at(1, 5)]),
    );
    let score = json!({"traceId": trace_id(trace), "name": "quality", "value": 0.5});
    let (status, body) = api.post_json("/api/public/scores", &score);
    assert!(status < 300, "{status} {body}");
}

fn observations_of(api: &Api, trace: &str) -> usize {
    api.ok(&format!("/api/public/observations?traceId={trace}"))["data"].as_array().unwrap().len()
}

fn scores_of(api: &Api, trace: &str) -> usize {
    api.ok(&format!("/api/public/v2/scores?traceId={trace}"))["data"].as_array().unwrap().len()
}

#[test]
fn deleting_a_trace_removes_its_rows_and_unreferenced_bytes_while_another_projects_identical_ids_remain() {
    let collector = Collector::start();
    let other = as_project(&collector, cli::create_project(collector.data_dir(), "other"));
    let trace = trace_id(7);
    for api in [&*collector, &other] {
        trace_with_score(api, 7);
    }
    let (shared, own) = (b"\x89PNG bytes both projects hold".as_slice(), b"\x89PNG bytes only A holds".as_slice());
    let media_a = upload_media(&collector, &trace, shared);
    upload_media(&collector, &trace, own);
    let media_b = upload_media(&other, &trace, shared);

    let (status, answer) = delete(&collector, &format!("/api/public/traces/{trace}"), None);
    assert_eq!((status, answer), (200, json!({"message": "Trace deleted successfully"})));
    assert_eq!(collector.get(&format!("/api/public/traces/{trace}")).0, 404);
    assert_eq!(observations_of(&collector, &trace), 0, "its observations are gone");
    assert_eq!(scores_of(&collector, &trace), 0, "its scores are gone");
    assert_eq!(collector.get(&format!("/api/public/media/{media_a}")).0, 404, "its media rows are gone");
    assert!(!media_file(&collector, own).exists(), "bytes nobody references are removed from disk");
    assert!(media_file(&collector, shared).exists(), "bytes another project references stay");

    let kept = other.ok(&format!("/api/public/traces/{trace}"));
    assert_eq!(kept["observations"].as_array().unwrap().len(), 2, "the other project's identical ids stay");
    assert_eq!(scores_of(&other, &trace), 1);
    assert_eq!(other.get(&format!("/api/public/media/{media_b}")).0, 200);

    // The batch route, in the other project: the last reference to the shared bytes goes.
    let (status, answer) = delete(&other, "/api/public/traces", Some(&json!({"traceIds": [trace]})));
    assert_eq!((status, answer), (200, json!({"message": "Traces deleted successfully"})));
    assert_eq!(other.get(&format!("/api/public/traces/{trace}")).0, 404);
    assert!(!media_file(&collector, shared).exists(), "the last reference gone, the bytes go");
}

#[test]
fn deleting_a_trace_removes_its_comments_and_experiment_links_but_not_the_run() {
    let collector = Collector::start();
    let trace = trace_id(9);
    trace_with_score(&collector, 9);
    let observation = "02".repeat(8);
    let comment = |object_type: &str, object_id: &str| {
        let body = json!({"objectType": object_type, "objectId": object_id, "content": "checked by hand"});
        let (status, answer) = collector.post_json("/api/public/comments", &body);
        assert_eq!(status, 200, "{answer}");
        answer["id"].as_str().unwrap().to_owned()
    };
    let comments = [comment("TRACE", &trace), comment("OBSERVATION", &observation)];
    let (status, dataset) = collector.post_json("/api/public/v2/datasets", &json!({"name": "regressions"}));
    assert_eq!(status, 200, "{dataset}");
    let item = json!({"datasetName": "regressions", "id": "case-1", "input": "hi", "sourceTraceId": trace});
    assert_eq!(collector.post_json("/api/public/dataset-items", &item).0, 200);
    let link = json!({"runName": "nightly", "datasetItemId": "case-1", "traceId": trace, "observationId": observation});
    let (status, run_item) = collector.post_json("/api/public/dataset-run-items", &link);
    assert_eq!(status, 200, "{run_item}");
    let run_items =
        || collector.ok("/api/public/datasets/regressions/runs/nightly")["datasetRunItems"].as_array().unwrap().len();
    assert_eq!(run_items(), 1);

    assert_eq!(delete(&collector, &format!("/api/public/traces/{trace}"), None).0, 200);
    for id in &comments {
        assert_eq!(collector.get(&format!("/api/public/comments/{id}")).0, 404, "comment {id} went with its trace");
    }
    assert_eq!(run_items(), 0, "the experiment's link to the trace went with it");
    assert_eq!(
        collector.ok("/api/public/datasets/regressions/runs")["data"].as_array().unwrap().len(),
        1,
        "the run stays"
    );
    assert_eq!(collector.get("/api/public/dataset-items/case-1").0, 200, "the dataset item stays");
}

#[test]
fn a_batch_deletion_removes_every_trace_it_names() {
    let collector = Collector::start();
    for trace in 1..=5 {
        trace_with_score(&collector, trace);
    }
    let usage = |api: &Api| api.ok("/api/public/projects?usage=true")["data"][0]["usage"].clone();
    let before = usage(&collector);
    assert_eq!(
        (before["traces"].clone(), before["observations"].clone(), before["scores"].clone()),
        (json!(5), json!(10), json!(5))
    );
    assert!(before["databaseBytes"].as_u64().unwrap() > 0, "{before}");
    let ids: Vec<String> = (1..=3).map(trace_id).collect();
    let (status, answer) = delete(&collector, "/api/public/traces", Some(&json!({ "traceIds": ids })));
    assert_eq!(status, 200, "{answer}");
    let listed = collector.ok("/api/public/traces");
    let left: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(left.len(), 2);
    assert!(left.contains(&trace_id(4).as_str()) && left.contains(&trace_id(5).as_str()), "{left:?}");
    let after = usage(&collector);
    assert_eq!(
        (after["traces"].clone(), after["observations"].clone(), after["scores"].clone()),
        (json!(2), json!(4), json!(2))
    );
}

#[test]
fn bad_deletions_are_refused_precisely_and_delete_nothing() {
    let collector = Collector::start();
    let other = as_project(&collector, cli::create_project(collector.data_dir(), "other"));
    trace_with_score(&collector, 1);
    trace_with_score(&other, 2);

    let unknown = "0123456789abcdef0123456789abcdef";
    let (status, answer) = delete(&collector, &format!("/api/public/traces/{unknown}"), None);
    assert_eq!(status, 404);
    assert!(message(answer.to_string().as_bytes()).contains(unknown), "the id is named: {answer}");

    // Another project's trace is unknown here, and stays there.
    let (status, _) = delete(&collector, &format!("/api/public/traces/{}", trace_id(2)), None);
    assert_eq!(status, 404);
    assert_eq!(observations_of(&other, &trace_id(2)), 2, "nothing of the other project is deleted");

    // A batch naming one unknown id deletes nothing.
    let (status, answer) = delete(&collector, "/api/public/traces", Some(&json!({"traceIds": [trace_id(1), unknown]})));
    assert_eq!(status, 404);
    assert!(answer["message"].as_str().unwrap().contains(unknown), "{answer}");
    assert_eq!(observations_of(&collector, &trace_id(1)), 2, "nothing is deleted");

    let too_many: Vec<String> = (0..1001).map(|n| format!("{n:032x}")).collect();
    let (status, answer) = delete(&collector, "/api/public/traces", Some(&json!({ "traceIds": too_many })));
    assert_eq!(status, 400);
    assert!(answer["message"].as_str().unwrap().contains("limit of 1000"), "the limit is named: {answer}");
    let (status, answer) = delete(&collector, "/api/public/traces", Some(&json!({"traceIds": []})));
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = delete(&collector, "/api/public/traces", Some(&json!({"ids": ["x"]})));
    assert_eq!(status, 400, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("traceIds"), "{answer}");
}
