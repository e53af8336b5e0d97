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
