//! Langfuse's comments API: on a trace, an observation, a session and a prompt version;
//! listed newest first with Langfuse's filters and paging; read by id; 404 for an object
//! the project does not have, 400 for content past 3000 characters and other bad input;
//! another project sees none of them.

use serde_json::{json, Value};

use super::client::{post_comment, root, send};
use crate::support::otlp::{span, trace_id};
use crate::support::{cli, Collector};

/// A comment body on `object_type` `object_id`.
fn on(object_type: &str, object_id: &str, content: &str) -> Value {
    json!({"objectType": object_type, "objectId": object_id, "content": content})
}

/// The contents of a comment list, in order.
fn contents(list: &Value) -> Vec<&str> {
    list["data"].as_array().unwrap().iter().map(|c| c["content"].as_str().unwrap()).collect()
}

#[test]
fn comments_attach_to_each_kind_of_object_and_list_newest_first() {
    let collector = Collector::start();
    let keys = collector.authorization();
    send(&collector, &keys, vec![root(1, "s1", false), span(1, 2).parent(1).at(1, 2)]);
    let prompt = collector.post_json("/api/public/v2/prompts", &json!({"name": "p", "prompt": "hi", "type": "text"}));
    assert_eq!(prompt.0, 201, "{}", prompt.1);
    let prompt_id = prompt.1["id"].as_str().unwrap().to_owned();
    let trace = trace_id(1);

    let mut ids = Vec::new();
    for (object_type, object_id, content) in [
        ("TRACE", trace.as_str(), "on the trace"),
        ("OBSERVATION", "0202020202020202", "on the observation"),
        ("SESSION", "s1", "on the session"),
        ("PROMPT", prompt_id.as_str(), "on the prompt"),
    ] {
        let mut body = on(object_type, object_id, content);
        body["authorUserId"] = json!("ann");
        body["projectId"] = json!("ignored: the keys name the project");
        let (status, answer) = post_comment(&collector, &keys, &body);
        assert_eq!(status, 200, "{object_type}: {answer}");
        assert_eq!(answer.as_object().unwrap().len(), 1, "Langfuse answers only the id: {answer}");
        ids.push(answer["id"].as_str().unwrap().to_owned());
    }
    let (status, answer) = post_comment(&collector, &keys, &on("TRACE", &trace, "second, by nobody"));
    assert_eq!(status, 200, "{answer}");

    let comment = collector.ok(&format!("/api/public/comments/{}", ids[1]));
    assert_eq!(comment["objectType"], "OBSERVATION");
    assert_eq!(comment["objectId"], "0202020202020202");
    assert_eq!(comment["content"], "on the observation");
    assert_eq!(comment["authorUserId"], "ann");
    let project_id = collector.ok("/api/public/projects")["data"][0]["id"].clone();
    assert_eq!(comment["projectId"], project_id);
    for field in ["createdAt", "updatedAt"] {
        assert!(comment[field].as_str().unwrap().ends_with('Z'), "{field}: {comment}");
    }

    let on_trace = collector.ok(&format!("/api/public/comments?objectType=TRACE&objectId={trace}"));
    assert_eq!(contents(&on_trace), ["second, by nobody", "on the trace"], "newest first");
    let by_ann = collector.ok("/api/public/comments?authorUserId=ann&limit=3&page=2");
    assert_eq!(by_ann["meta"], json!({"page": 2, "limit": 3, "totalItems": 4, "totalPages": 2}));
    assert_eq!(contents(&by_ann), ["on the trace"]);
    let sessions = collector.ok("/api/public/comments?objectType=SESSION");
    assert_eq!(contents(&sessions), ["on the session"]);
    assert_eq!(collector.ok("/api/public/comments")["meta"]["totalItems"], 5);
}

#[test]
fn comments_on_missing_objects_bad_content_and_other_projects_are_refused() {
    let collector = Collector::start();
    let keys = collector.authorization();
    let other = cli::create_project(collector.data_dir(), "other").basic();
    send(&collector, &keys, vec![root(1, "s1", false)]);
    send(&collector, &other, vec![root(2, "s2", false)]);
    let trace = trace_id(1);

    // A comment on an object the project does not have: 404 naming it, nothing stored.
    for (object_type, object_id) in [
        ("TRACE", trace_id(9)),
        ("TRACE", trace_id(2)), // the other project's
        ("OBSERVATION", "0909090909090909".to_owned()),
        ("SESSION", "s2".to_owned()),
        ("PROMPT", "no-such-prompt".to_owned()),
    ] {
        let (status, answer) = post_comment(&collector, &keys, &on(object_type, &object_id, "lost"));
        assert_eq!(status, 404, "{object_type} {object_id}: {answer}");
        assert!(answer["message"].as_str().unwrap().contains(&object_id), "{answer}");
    }
    assert_eq!(collector.ok("/api/public/comments")["meta"]["totalItems"], 0, "nothing stored");

    // Content: 3000 characters (not bytes) are taken, 3001 refused naming the limit.
    let longest = "é".repeat(3000);
    assert_eq!(post_comment(&collector, &keys, &on("TRACE", &trace, &longest)).0, 200);
    let (status, answer) = post_comment(&collector, &keys, &on("TRACE", &trace, &"é".repeat(3001)));
    assert_eq!(status, 400, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("3000"), "{answer}");
    for (body, says) in [
        (on("TRACE", &trace, ""), "content"),
        (on("TRACE", &trace, "  "), "content"),
        (on("trace", &trace, "lower case"), "objectType"),
        (on("DATASET", &trace, "unknown type"), "objectType"),
        (on("TRACE", "", "no id"), "objectId"),
        (json!({"objectType": "TRACE", "content": "no id"}), "objectId"),
        (json!({"objectType": "TRACE", "objectId": trace, "content": "x", "color": "red"}), "color"),
    ] {
        let (status, answer) = post_comment(&collector, &keys, &body);
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["message"].as_str().unwrap().contains(says), "{body}: {answer}");
    }
    let (status, answer) = collector.get(&format!("/api/public/comments?objectId={trace}"));
    assert_eq!(status, 400, "an id without its type: {answer}");
    assert_eq!(collector.get("/api/public/comments?objectType=NOTE").0, 400);
    assert_eq!(collector.get("/api/public/comments?limit=0").0, 400);

    // The other project sees none of this project's comments, even by id.
    let id = collector.ok("/api/public/comments")["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(collector.get_as(&format!("/api/public/comments/{id}"), &other).0, 404);
    assert_eq!(collector.get_as("/api/public/comments", &other).1["meta"]["totalItems"], 0);
    assert_eq!(collector.get("/api/public/comments/unknown").0, 404);
}
