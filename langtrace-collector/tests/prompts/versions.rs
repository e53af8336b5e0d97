//! Versions and labels: create, get by default, label and version, the list with its
//! filters and legacy `pagination`, shared tags, folders, label moves and their history,
//! delete, concurrent creates, and projects kept apart.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::client::{create, delete, labels, prompt_path, set_labels};
use crate::support::{cli, Collector, PUBLIC_KEY};

#[test]
fn versions_labels_tags_and_the_list_follow_langfuse() {
    let collector = Collector::start();
    let v1 = create(
        &collector,
        &json!({"name": "support/answer", "prompt": "Answer {{question}}", "labels": ["production"],
                "tags": ["support"], "config": {"temperature": 0.2}, "commitMessage": "first"}),
    );
    assert_eq!((v1["version"].as_i64(), v1["type"].as_str()), (Some(1), Some("text")));
    assert_eq!(labels(&v1), ["latest", "production"]);
    assert_eq!((v1["createdBy"].as_str(), v1["commitMessage"].as_str()), (Some("API"), Some("first")));
    assert!(v1.get("resolutionGraph").is_none(), "a create answers without the graph: {v1}");
    let v2 = create(
        &collector,
        &json!({"name": "support/answer", "prompt": "Answer briefly: {{question}}", "labels": ["staging"]}),
    );
    assert_eq!(v2["version"], 2);
    assert_eq!(labels(&v2), ["latest", "staging"]);
    assert_eq!(v2["tags"], json!(["support"]), "tags omitted: copied from the latest version");
    assert_eq!(v2["config"], json!({}), "config defaults to {{}}");

    // Reads: production by default, a label, a version; the folder name travels as %2F.
    let path = prompt_path("support/answer", "");
    assert!(path.contains("support%2Fanswer"));
    let default = collector.ok(&path);
    assert_eq!((default["version"].as_i64(), default["isActive"].as_bool()), (Some(1), Some(true)));
    assert_eq!(default["prompt"], "Answer {{question}}");
    assert_eq!(default["resolutionGraph"], Value::Null);
    assert_eq!(default["config"], json!({"temperature": 0.2}));
    assert_eq!(collector.ok(&format!("{path}?label=latest"))["version"], 2);
    assert_eq!(collector.ok(&format!("{path}?version=2"))["isActive"], false);

    // Promote v2: production leaves v1, v2 keeps its labels (PATCH is additive).
    let (status, promoted) = set_labels(&collector, "support/answer", 2, &["production"]);
    assert_eq!(status, 200, "{promoted}");
    assert_eq!(labels(&promoted), ["latest", "production", "staging"]);
    assert_eq!(labels(&collector.ok(&format!("{path}?version=1"))), Vec::<String>::new());
    assert_eq!(collector.ok(&path)["version"], 2);
    // Roll back: production to v1 again.
    assert_eq!(set_labels(&collector, "support/answer", 1, &["production"]).0, 200);
    assert_eq!(collector.ok(&path)["version"], 1);

    // A create with tags rewrites every version's tags; chat prompts with placeholders.
    create(&collector, &json!({"name": "support/answer", "prompt": "v3", "tags": ["support", "v3"]}));
    assert_eq!(collector.ok(&format!("{path}?version=1"))["tags"], json!(["support", "v3"]));
    let messages = json!([{"role": "system", "content": "You are {{persona}}"},
                          {"type": "placeholder", "name": "history"},
                          {"type": "chatmessage", "role": "user", "content": "{{question}}"}]);
    let chat =
        create(&collector, &json!({"name": "chat", "type": "chat", "prompt": messages, "labels": ["production"]}));
    assert_eq!(
        collector.ok(&prompt_path("chat", ""))["prompt"],
        json!([{"role": "system", "content": "You are {{persona}}"}, {"type": "placeholder", "name": "history"},
               {"role": "user", "content": "{{question}}"}]),
        "only role and content of a message are kept"
    );
    assert_eq!(chat["type"], "chat");

    // The list: sorted by name, filters, matching versions only, meta and its legacy copy.
    let list = collector.ok("/api/public/v2/prompts");
    let names: Vec<&str> = list["data"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["chat", "support/answer"]);
    assert_eq!(list["meta"], json!({"page": 1, "limit": 10, "totalItems": 2, "totalPages": 1}));
    assert_eq!(list["pagination"], list["meta"]);
    let answer = &list["data"][1];
    assert_eq!(answer["versions"], json!([1, 2, 3]));
    assert_eq!(answer["type"], "text");
    assert_eq!(answer["tags"], json!(["support", "v3"]));
    let staged = collector.ok("/api/public/v2/prompts?label=staging");
    assert_eq!((staged["data"][0]["versions"].clone(), staged["data"].as_array().unwrap().len()), (json!([2]), 1));
    assert_eq!(collector.ok("/api/public/v2/prompts?tag=v3")["meta"]["totalItems"], 1);
    assert_eq!(collector.ok("/api/public/v2/prompts?name=chat")["data"][0]["name"], "chat");
    let paged = collector.ok("/api/public/v2/prompts?limit=1&page=2");
    assert_eq!(
        (paged["data"][0]["name"].as_str(), paged["meta"]["totalPages"].as_u64()),
        (Some("support/answer"), Some(2))
    );
    assert_eq!(collector.ok("/api/public/v2/prompts?fromUpdatedAt=2200-01-01T00:00:00Z")["data"], json!([]));
    assert_eq!(collector.get("/api/public/v2/prompts?limit=101").0, 400);

    // The label history: every move of production and staging, with the key, newest first.
    let history = collector.ok(&prompt_path("support/answer", "/labels/history"))["data"].clone();
    let moves: Vec<(String, Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["label"].as_str().unwrap().to_owned(), m["fromVersion"].clone(), m["toVersion"].clone()))
        .collect();
    assert_eq!(
        moves,
        [
            ("production".into(), json!(2), json!(1)),
            ("production".into(), json!(1), json!(2)),
            ("staging".into(), Value::Null, json!(2)),
            ("production".into(), Value::Null, json!(1)),
        ]
    );
    assert!(history.as_array().unwrap().iter().all(|m| m["publicKey"] == PUBLIC_KEY && m["timestamp"].is_string()));

    // Delete by label, by version, then the rest; each answered 204, then 404.
    assert_eq!(delete(&collector, "support/answer", "?label=staging").0, 204);
    assert_eq!(collector.get(&format!("{path}?version=2")).0, 404);
    assert_eq!(delete(&collector, "support/answer", "?version=3").0, 204);
    assert_eq!(collector.ok(&format!("{path}?label=latest"))["version"], 1, "latest moves to the newest left");
    let removed = collector.ok(&prompt_path("support/answer", "/labels/history"))["data"][0].clone();
    assert_eq!((removed["label"].as_str(), removed["toVersion"].clone()), (Some("staging"), Value::Null));
    assert_eq!(delete(&collector, "support/answer", "").0, 204);
    assert_eq!(collector.get(&path).0, 404);
    assert_eq!(delete(&collector, "support/answer", "").0, 404);
}

#[test]
fn concurrent_creates_get_consecutive_versions_and_one_latest() {
    let collector = Arc::new(Collector::start());
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let collector = Arc::clone(&collector);
            std::thread::spawn(move || {
                create(&collector, &json!({"name": "race", "prompt": format!("text {i}")}))["version"].as_i64().unwrap()
            })
        })
        .collect();
    let mut versions: Vec<i64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    versions.sort_unstable();
    assert_eq!(versions, (1..=8).collect::<Vec<_>>());
    let with_latest: Vec<i64> = (1..=8)
        .filter(|v| {
            labels(&collector.ok(&prompt_path("race", &format!("?version={v}")))).contains(&"latest".to_owned())
        })
        .collect();
    assert_eq!(with_latest, [8]);

    // Eight label moves at once: production ends on exactly one version, and the history
    // holds one move per request.
    let threads: Vec<_> = (1..=8)
        .map(|version| {
            let collector = Arc::clone(&collector);
            std::thread::spawn(move || set_labels(&collector, "race", version, &["production"]).0)
        })
        .collect();
    assert!(threads.into_iter().all(|t| t.join().unwrap() == 200));
    let with_production: Vec<i64> = (1..=8)
        .filter(|v| {
            labels(&collector.ok(&prompt_path("race", &format!("?version={v}")))).contains(&"production".to_owned())
        })
        .collect();
    assert_eq!(with_production.len(), 1, "{with_production:?}");
    let history = collector.ok(&prompt_path("race", "/labels/history"))["data"].clone();
    assert_eq!(history.as_array().unwrap().len(), 8);
    assert_eq!(history[0]["toVersion"].as_i64(), Some(with_production[0]), "the last move is where it is");
}

#[test]
fn another_projects_keys_see_no_prompts() {
    let collector = Collector::start();
    create(&collector, &json!({"name": "secret-sauce", "prompt": "p", "labels": ["production"]}));
    let data_dir = collector.stop();
    let other = cli::create_project(data_dir.path(), "team-b");
    let collector = Collector::setup().data_dir(data_dir).process();
    let team_b = crate::support::http::Api::new(collector.base_url.clone(), other);
    assert_eq!(team_b.ok("/api/public/v2/prompts")["data"], json!([]));
    assert_eq!(team_b.get(&prompt_path("secret-sauce", "")).0, 404);
    assert_eq!(set_labels(&team_b, "secret-sauce", 1, &["staging"]).0, 404);
    assert_eq!(delete(&team_b, "secret-sauce", "").0, 404);
    assert_eq!(team_b.get(&prompt_path("secret-sauce", "/labels/history")).0, 404);
    // The same name in the other project is a version 1 of its own.
    assert_eq!(create(&team_b, &json!({"name": "secret-sauce", "prompt": "mine"}))["version"], 1);
    assert_eq!(collector.ok(&prompt_path("secret-sauce", ""))["prompt"], "p", "the first project's is untouched");
}
