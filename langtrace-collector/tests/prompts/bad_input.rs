//! Bad input: each refused with 400 (or 404 for what does not exist) and Langfuse's
//! message where its clients read one.

use serde_json::{json, Value};

use crate::client::{create, prompt_path, set_labels, try_create};
use crate::support::http::message;
use crate::support::Collector;

/// Asserts that creating `body` answers 400 with a message containing `expected`.
fn refused(collector: &Collector, body: Value, expected: &str) {
    let (status, answer) = try_create(collector, &body);
    assert_eq!(status, 400, "{body}: {answer}");
    let text = answer["message"].as_str().unwrap_or_default();
    assert!(text.contains(expected), "{body}: {text:?} should say {expected:?}");
}

#[test]
fn bad_creates_are_refused_naming_the_rule() {
    let collector = Collector::start();
    refused(&collector, json!({"name": "p", "prompt": "x", "labels": ["Prod"]}), "lowercase");
    refused(&collector, json!({"name": "p", "prompt": "x", "labels": ["x".repeat(37)]}), "longer than 36");
    refused(&collector, json!({"name": "a|b", "prompt": "x"}), "'|'");
    refused(&collector, json!({"name": "new", "prompt": "x"}), "reserved");
    refused(&collector, json!({"name": "a//b", "prompt": "x"}), "'//'");
    refused(&collector, json!({"name": "p", "prompt": ""}), "non-empty string");
    refused(&collector, json!({"name": "p", "type": "chat", "prompt": "x"}), "array");
    refused(&collector, json!({"name": "p", "type": "image", "prompt": "x"}), "\"text\" or \"chat\"");
    refused(&collector, json!({"name": "p", "prompt": "x", "commitMessage": "m".repeat(501)}), "commitMessage");
    refused(
        &collector,
        json!({"name": "p", "type": "chat", "prompt": [{"role": "user", "content": "{{history}}"},
                                                       {"type": "placeholder", "name": "history"}]}),
        "placeholder \"history\"",
    );
    refused(
        &collector,
        json!({"name": "p", "type": "chat", "prompt": [{"type": "placeholder", "name": "1x"}]}),
        "placeholder",
    );
    refused(&collector, json!({"name": "p", "type": "chat", "prompt": [{"role": "user"}]}), "prompt[0]");
    create(&collector, &json!({"name": "p", "prompt": "text"}));
    refused(
        &collector,
        json!({"name": "p", "type": "chat", "prompt": [{"role": "user", "content": "x"}]}),
        "Previous versions have different prompt type",
    );
    let (status, body) = try_create(&collector, &json!({"prompt": "no name"}));
    assert_eq!((status, body["message"].as_str().unwrap().contains("name")), (400, true), "{body}");
}

#[test]
fn bad_reads_and_label_changes_are_refused_with_langfuses_messages() {
    let collector = Collector::start();
    create(&collector, &json!({"name": "p", "prompt": "text"}));
    let (status, _, body) = collector.get_raw(&prompt_path("p", ""));
    assert_eq!((status, message(&body)), (404, "Prompt not found: 'p' with label 'production'".to_owned()));
    let (status, _, body) = collector.get_raw(&prompt_path("p", "?version=9"));
    assert_eq!((status, message(&body)), (404, "Prompt not found: 'p' with version 9".to_owned()));
    let (status, _, body) = collector.get_raw(&prompt_path("p", "?version=1&label=latest"));
    assert_eq!((status, message(&body)), (400, "Cannot specify both version and label".to_owned()));
    assert_eq!(collector.get(&prompt_path("p", "?version=one")).0, 400);
    assert_eq!(collector.get(&prompt_path("nothing", "?label=latest")).0, 404);

    let (status, body) = set_labels(&collector, "p", 1, &["latest"]);
    assert_eq!(
        (status, body["message"].as_str()),
        (400, Some("Label 'latest' is always assigned to the latest prompt version"))
    );
    assert_eq!(set_labels(&collector, "p", 1, &["Prod"]).0, 400, "langtrace applies the label rule to PATCH too");
    let (status, body) = set_labels(&collector, "p", 7, &["staging"]);
    assert_eq!((status, body["message"].as_str()), (404, Some("Prompt not found: 'p' with version 7")));
    let (status, body) = crate::client::delete(&collector, "p", "?version=1&label=latest");
    assert_eq!(status, 400, "{body}");
    let (status, _) = collector.get_as("/api/public/v2/prompts", "Basic bm9wZTpub3Bl");
    assert_eq!(status, 401);
}
