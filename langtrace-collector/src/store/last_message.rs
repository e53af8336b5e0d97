//! The last chat message of a cut input or output, so that a list's preview of a long
//! conversation says what was asked or answered last rather than showing the start of
//! its JSON (the system prompt, mostly).
//!
//! Computed at read time, for the rows a list returns only: one point query per row
//! whose cut preview starts like JSON (`[` or `{`) reads the whole stored value, which is
//! parsed once; its last element (of the value itself, or of its `messages` array; a
//! single object is its own last message) is read by core's message reader
//! ([`read::messages`]), so every convention the mapper knows (OpenAI messages, GenAI
//! `parts`, event bodies, ...) previews alike. A page costs at most its rows' stored
//! inputs and outputs, each within the stored I/O cap.

use langtrace_core::conventions::messages::read;
use langtrace_core::conventions::messages::{Content, Message, Part, Role};
use serde_json::Value;

use super::filter::{IoText, PREVIEW_CHARS};
use super::observations::ObservationRow;
use super::traces::TraceRow;
use crate::store::db::{self, Connection, OptionalExtension, Row};

/// The last message of a chat input or output, for its list preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastMessage {
    /// Who speaks.
    pub role: Role,
    /// Its text (text parts joined by newlines, else its tool calls as `name(arguments)`),
    /// at most [`PREVIEW_CHARS`] characters.
    pub text: String,
    /// Messages in the whole value.
    pub messages: i64,
}

/// Fills in the last message of each cut input and output of `rows`, traces listed.
pub(super) fn of_traces<'r>(
    connection: &Connection,
    rows: impl IntoIterator<Item = &'r mut TraceRow>,
) -> db::Result<()> {
    let sql = format!("SELECT {} FROM traces WHERE project_id = ?1 AND id = ?2", selected());
    for row in rows {
        if wanted(&row.input) || wanted(&row.output) {
            let key = [row.project_id.as_str(), row.id.as_str()];
            fill(connection, &sql, &key, &mut row.input, &mut row.output)?;
        }
    }
    Ok(())
}

/// Fills in the last message of each cut input and output of `rows`, observations listed.
pub(super) fn of_observations<'r>(
    connection: &Connection,
    rows: impl IntoIterator<Item = &'r mut ObservationRow>,
) -> db::Result<()> {
    let sql = format!("SELECT {} FROM observations WHERE project_id = ?1 AND trace_id = ?2 AND id = ?3", selected());
    for row in rows {
        if wanted(&row.input) || wanted(&row.output) {
            let key = [row.project_id.as_str(), row.trace_id.as_str(), row.id.as_str()];
            fill(connection, &sql, &key, &mut row.input, &mut row.output)?;
        }
    }
    Ok(())
}

/// Whether a listed value may be a cut conversation: cut, and JSON's array or object.
fn wanted(io: &IoText) -> bool {
    io.cut_from.is_some() && io.text.as_deref().is_some_and(|text| text.trim_start().starts_with(['[', '{']))
}

/// Reads the last messages of one row with `sql` (a [`selected`] list) and `key`.
fn fill(connection: &Connection, sql: &str, key: &[&str], input: &mut IoText, output: &mut IoText) -> db::Result<()> {
    let found = connection
        .prepare_cached(sql)?
        .query_row(key, |row| Ok((read_last(row, "input", Role::User)?, read_last(row, "output", Role::Assistant)?)))
        .optional()?;
    // A row deleted since the page was read keeps its plain preview.
    if let Some((last_input, last_output)) = found {
        input.last_message = last_input.filter(|_| input.cut_from.is_some());
        output.last_message = last_output.filter(|_| output.cut_from.is_some());
    }
    Ok(())
}

/// The select list of [`fill`]: `input` and `output`, NULL when within the preview.
fn selected() -> String {
    let column = |c: &str| format!("CASE WHEN length({c}) > {PREVIEW_CHARS} THEN {c} END AS {c}");
    format!("{}, {}", column("input"), column("output"))
}

/// The last message of column `name` as [`selected`] reads it; `default_role` for a
/// message that names none.
fn read_last(row: &Row<'_>, name: &str, default_role: Role) -> db::Result<Option<LastMessage>> {
    let whole: Option<String> = row.get(name)?;
    Ok(whole.and_then(|whole| last_message(&whole, default_role)))
}

/// The last message of the JSON text `whole`: of the array it is, of its `messages`
/// array, or the one message object it is; `None` when that is no message.
fn last_message(whole: &str, default_role: Role) -> Option<LastMessage> {
    let value: Value = serde_json::from_str(whole).ok()?;
    let (last, messages) = match &value {
        Value::Array(items) => (items.last()?, items.len()),
        Value::Object(object) => match object.get("messages") {
            Some(Value::Array(items)) => (items.last()?, items.len()),
            _ => (&value, 1),
        },
        _ => return None,
    };
    let message = read::messages(last, default_role)?.pop()?;
    Some(LastMessage { role: message.role, text: preview_text(&message), messages: messages as i64 })
}

/// A message's text for a preview: its text, else its tool calls as `name(arguments)` and
/// its media parts as `[image]`, `[audio]`, `[file]`; cut to [`PREVIEW_CHARS`].
fn preview_text(message: &Message) -> String {
    let text = message.content.text().unwrap_or_else(|| {
        let calls =
            message.tool_calls.iter().map(|call| format!("{}({})", call.function.name, call.function.arguments));
        let parts = match &message.content {
            Content::Parts(parts) => parts.as_slice(),
            _ => &[],
        };
        calls.chain(parts.iter().filter_map(media_label).map(str::to_owned)).collect::<Vec<_>>().join(" ")
    });
    text.chars().take(PREVIEW_CHARS as usize).collect()
}

/// How a preview names a part that is not text.
fn media_label(part: &Part) -> Option<&'static str> {
    match part {
        Part::Text { .. } => None,
        Part::ImageUrl { .. } => Some("[image]"),
        Part::InputAudio { .. } => Some("[audio]"),
        Part::File { .. } => Some("[file]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_message_of_any_convention_gives_its_role_and_text() {
        let openai = r#"[{"role":"system","content":"Be brief."},{"role":"user","content":"What now?"}]"#;
        let parts = r#"[{"role":"user","parts":[{"type":"text","content":"And parts?"}]}]"#;
        let wrapped = r#"{"model":"m","messages":[{"role":"system","content":"x"},{"content":"No role?"},{"role":"user","content":"Wrapped?"}]}"#;
        let calls = r#"{"role":"assistant","content":null,"tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{}"}}]}"#;
        let image =
            r#"[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]"#;
        let read = |json: &str| last_message(json, Role::User).map(|m| (m.role, m.text, m.messages));
        assert_eq!(read(openai), Some((Role::User, "What now?".into(), 2)));
        assert_eq!(read(parts), Some((Role::User, "And parts?".into(), 1)));
        assert_eq!(read(wrapped), Some((Role::User, "Wrapped?".into(), 3)));
        assert_eq!(read(calls), Some((Role::Assistant, "f({})".into(), 1)));
        assert_eq!(read(image), Some((Role::User, "[image]".into(), 1)));
        assert_eq!(read("[1, 2]"), None, "not a message");
        assert_eq!(read(r#"[{"id": 1}, {"answer": 42}]"#), None, "records without a message's fields");
        assert_eq!(read(r#"{"answer": 42}"#), None);
        assert_eq!(read("[]"), None);
        assert_eq!(read(r#""[{\"role\":\"user\"""#), None, "a JSON string");
        assert_eq!(read("[{\"role\":\"user\""), None, "not JSON");
    }

    #[test]
    fn a_long_last_message_is_cut_to_the_preview_length() {
        let long = serde_json::json!([{"role": "user", "content": "é".repeat(3 * PREVIEW_CHARS as usize)}]);
        let message = last_message(&long.to_string(), Role::User).unwrap();
        assert_eq!(message.text.chars().count(), PREVIEW_CHARS as usize);
    }

    #[test]
    fn only_cut_json_values_are_looked_up() {
        let io = |text: &str, cut: Option<i64>| IoText { text: Some(text.into()), cut_from: cut, last_message: None };
        assert!(wanted(&io(" [{\"role\"", Some(5000))));
        assert!(wanted(&io("{\"messages\"", Some(5000))));
        assert!(!wanted(&io("\"plain text", Some(5000))), "a string");
        assert!(!wanted(&io("[1,2]", None)), "whole");
    }
}
