//! The normal form's JSON, as the UI and API readers rely on it.

use serde_json::json;

use super::*;

#[test]
fn messages_serialise_in_the_openai_chat_shape() {
    let system = Message::new(Role::System, Content::Text("be brief".into()));
    let user = Message::new(
        Role::User,
        Content::from_parts(vec![
            Part::Text { text: "what is this?".into() },
            Part::blob("image/png", "iVBORw0KGgo=", None),
            Part::blob("audio/x-wav", "UklGRg==", None),
            Part::media(Some("application/pdf"), "https://example.com/a.pdf".into(), Some("a.pdf".into())),
        ]),
    );
    let mut call = Message::new(Role::Assistant, Content::Null);
    call.tool_calls.push(ToolCall::new(Some("c1".into()), "look".into(), Some(&json!({"q": 1}))));
    let mut result = Message::new(Role::Tool, Content::from_value(&json!({"found": true})));
    result.tool_call_id = Some("c1".into());
    assert_eq!(
        input_value(Some(system), vec![user, call, result]),
        json!([
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [
                {"type": "text", "text": "what is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                {"type": "input_audio", "input_audio": {"data": "data:audio/x-wav;base64,UklGRg==", "format": "wav"}},
                {"type": "file", "file": {"url": "https://example.com/a.pdf", "filename": "a.pdf"}}
            ]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "look", "arguments": "{\"q\":1}"}}
            ]},
            {"role": "tool", "content": "{\"found\":true}", "tool_call_id": "c1"}
        ])
    );
}

#[test]
fn one_output_is_an_object_several_are_an_array() {
    let answer = |text: &str| Message::new(Role::Assistant, Content::Text(text.into()));
    assert_eq!(output_value(vec![answer("a")]), json!({"role": "assistant", "content": "a"}));
    assert_eq!(
        output_value(vec![answer("a"), answer("b")]),
        json!([{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}])
    );
}

#[test]
fn content_collapses_a_single_text_part_and_roles_take_aliases() {
    assert_eq!(Content::from_parts(vec![]), Content::Null);
    assert_eq!(Content::from_parts(vec![Part::Text { text: "hi".into() }]), Content::Text("hi".into()));
    assert_eq!(Role::parse("Developer"), Some(Role::System));
    assert_eq!(Role::parse("model"), Some(Role::Assistant));
    assert_eq!(Role::parse("narrator"), None);
}

#[test]
fn inline_bytes_in_the_normal_form_go_through_media_extraction() {
    let blob = json!([{"role": "user", "parts": [
        {"type": "blob", "modality": "image", "mime_type": "image/png", "content": "iVBORw0KGgo="},
        {"type": "uri", "modality": "image", "uri": "https://example.com/cat.png"}
    ]}]);
    let messages = read::messages(&blob, Role::User).unwrap();
    let mut value = input_value(None, messages);
    let mut found = Vec::new();
    crate::pipeline::media::extract(&mut value, crate::record::MediaField::Input, &mut found);
    assert_eq!(found.len(), 1);
    assert_eq!(value[0]["content"][0]["image_url"]["url"], json!(found[0].reference));
    assert!(found[0].reference.starts_with("@@@langfuseMedia:type=image/png|id="), "{}", found[0].reference);
    assert_eq!(value[0]["content"][1]["image_url"]["url"], json!("https://example.com/cat.png"));
}

#[test]
fn indexed_attributes_gather_into_messages_however_sparse() {
    let pairs = [
        ("7.role", json!("assistant")),
        ("7.content", json!("late")),
        ("0.role", json!("user")),
        ("0.content", json!("[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]")),
        ("4000000000.role", json!("user")),
        ("4000000000.content", json!("far")),
    ];
    let tree = indexed::gather(pairs.iter().map(|(k, v)| (*k, v))).unwrap();
    let messages = read::messages(&tree, Role::User).unwrap();
    assert_eq!(
        input_value(None, messages),
        json!([
            {"role": "user", "content": [
                {"type": "text", "text": "a"},
                {"type": "image_url", "image_url": {"url": "https://x/y.png"}}
            ]},
            {"role": "assistant", "content": "late"},
            {"role": "user", "content": "far"}
        ])
    );
}

#[test]
fn shapes_that_are_no_messages_are_refused() {
    assert_eq!(read::messages(&json!("plain text"), Role::User), None);
    assert_eq!(read::messages(&json!([{"args": [1]}]), Role::User), None);
    assert_eq!(read::messages(&json!({"query": "x"}), Role::User), None);
}
