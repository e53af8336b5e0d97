//! Composition: references resolved at read time (following a moving label), the
//! resolution graph, `resolve=false`, and the create-time checks (missing child, chat
//! child, cycle, depth), and a delete refused while another prompt includes the version.

use serde_json::{json, Value};

use crate::client::{create, delete, prompt_path, set_labels, try_create};
use crate::support::Collector;

#[test]
fn references_resolve_at_read_time_and_follow_labels() {
    let collector = Collector::start();
    let tone_v1 = create(&collector, &json!({"name": "tone", "prompt": "Be \"brief\".", "labels": ["production"]}));
    let tone_v2 = create(&collector, &json!({"name": "tone", "prompt": "Be warm."}));
    let parent = create(
        &collector,
        &json!({"name": "answer", "labels": ["production"],
                "prompt": "Answer {{q}}. @@@langfusePrompt:name=tone|label=production@@@ / @@@langfusePrompt:name=tone|version=2@@@"}),
    );
    let read = collector.ok(&prompt_path("answer", ""));
    assert_eq!(read["prompt"], "Answer {{q}}. Be \"brief\". / Be warm.", "quotes survive the splice");
    assert_eq!(read["resolutionGraph"]["root"], json!({"id": parent["id"], "name": "answer", "version": 1}));
    let children = read["resolutionGraph"]["dependencies"][parent["id"].as_str().unwrap()].clone();
    assert_eq!(
        children,
        json!([{"id": tone_v1["id"], "name": "tone", "version": 1}, {"id": tone_v2["id"], "name": "tone", "version": 2}])
    );
    let raw = collector.ok(&prompt_path("answer", "?resolve=false"));
    assert!(raw["prompt"].as_str().unwrap().contains("@@@langfusePrompt:name=tone|label=production@@@"));
    assert_eq!(raw["resolutionGraph"], Value::Null);

    // The label moves: the parent follows it.
    assert_eq!(set_labels(&collector, "tone", 2, &["production"]).0, 200);
    assert_eq!(collector.ok(&prompt_path("answer", ""))["prompt"], "Answer {{q}}. Be warm. / Be warm.");

    // A chat prompt's message content resolves too, through two levels.
    create(&collector, &json!({"name": "persona", "prompt": "a helper. @@@langfusePrompt:name=tone|version=1@@@"}));
    create(
        &collector,
        &json!({"name": "chat", "type": "chat", "labels": ["production"],
                "prompt": [{"role": "system", "content": "You are @@@langfusePrompt:name=persona|label=latest@@@"}]}),
    );
    assert_eq!(collector.ok(&prompt_path("chat", ""))["prompt"][0]["content"], "You are a helper. Be \"brief\".");

    // Deleting what a prompt of another name includes is refused, by version or by label.
    let (status, body) = delete(&collector, "tone", "?version=1");
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("depending on"), "{body}");
    assert_eq!(delete(&collector, "tone", "?label=production").0, 400);
    assert_eq!(delete(&collector, "tone", "").0, 400);
    assert_eq!(collector.ok(&prompt_path("tone", "?version=1"))["version"], 1, "nothing was deleted");
}

#[test]
fn broken_references_are_refused_at_create() {
    let collector = Collector::start();
    let refused = |body: Value, expected: &str| {
        let (status, answer) = try_create(&collector, &body);
        assert_eq!(status, 400, "{body}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message:?} should say {expected:?}");
    };
    refused(
        json!({"name": "a", "prompt": "@@@langfusePrompt:name=ghost|label=production@@@"}),
        "Prompt dependency not found",
    );
    refused(json!({"name": "a", "prompt": "@@@langfusePrompt:name=a|version=1@@@"}), "Circular dependency detected");
    create(&collector, &json!({"name": "chatty", "type": "chat", "prompt": [{"role": "user", "content": "x"}]}));
    refused(json!({"name": "a", "prompt": "@@@langfusePrompt:name=chatty|version=1@@@"}), "only text prompts");

    // A cycle through a label: b includes a's production, then a's new version includes b.
    create(&collector, &json!({"name": "a", "prompt": "plain", "labels": ["production"]}));
    create(&collector, &json!({"name": "b", "prompt": "@@@langfusePrompt:name=a|label=production@@@"}));
    refused(json!({"name": "a", "prompt": "@@@langfusePrompt:name=b|version=1@@@"}), "Circular dependency detected");

    // Depth: a chain of five references below a prompt is accepted, six are refused.
    create(&collector, &json!({"name": "level-0", "prompt": "leaf"}));
    for level in 1..=5 {
        let prompt = format!("@@@langfusePrompt:name=level-{}|version=1@@@", level - 1);
        create(&collector, &json!({"name": format!("level-{level}"), "prompt": prompt}));
    }
    assert_eq!(collector.ok(&prompt_path("level-5", "?version=1"))["prompt"], "leaf");
    refused(
        json!({"name": "level-6", "prompt": "@@@langfusePrompt:name=level-5|version=1@@@"}),
        "Maximum nesting depth",
    );
    assert_eq!(collector.get(&prompt_path("level-6", "?label=latest")).0, 404, "nothing was stored");
}
