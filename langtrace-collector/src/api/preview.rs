//! Inputs and outputs in lists: previews unless asked for. A list answers each input and
//! output whole when it fits in [`PREVIEW_CHARS`] characters of stored JSON text; a
//! longer one comes as a JSON string ending in [`CUT_MARKER`], the whole length and how
//! to get the whole value. What precedes the marker is, for a conversation (a message
//! list in any convention the mapper reads, `{"messages": [...]}`, or one message), the
//! last message's text, its role and the message count named in the marker (see
//! [`crate::store::last_message`]); for any other value, the first [`PREVIEW_CHARS`]
//! characters of its JSON text. `fields=io` (or the detail route) answers the whole value.
//!
//! [`PREVIEW_CHARS`]: crate::store::filter::PREVIEW_CHARS

use serde::Deserialize;
use serde_json::Value;

use super::wire::json_column;
use crate::app::ApiError;
use crate::store::filter::{Io, IoText};
use langtrace_core::conventions::messages::Role;

/// What follows a cut preview: `…[truncated: <n> characters in all; ...]`.
pub const CUT_MARKER: &str = "…[truncated: ";

/// The `fields` parameter of a list, `fields=a,b` or repeated.
#[derive(Debug, Default, Deserialize)]
pub struct FieldsQuery {
    /// Field groups.
    #[serde(default, deserialize_with = "super::query::comma_list")]
    pub fields: Vec<String>,
}

impl FieldsQuery {
    /// How the list reads input and output: previews without `fields`, whole with `io`
    /// among them, not at all otherwise. Names outside `known` get 400.
    pub fn io(&self, known: &[&str]) -> Result<Io, ApiError> {
        if let Some(unknown) = self.fields.iter().find(|name| !known.contains(&name.as_str())) {
            return Err(ApiError::BadRequest(format!(
                "unknown fields group {unknown:?}: expected any of {}",
                known.join(", ")
            )));
        }
        Ok(if self.fields.is_empty() {
            Io::Preview
        } else if self.fields.iter().any(|name| name == "io") {
            Io::Full
        } else {
            Io::Omitted
        })
    }
}

/// An input or output as a list answers it: the stored JSON, or the string preview of a
/// cut one.
pub fn io_value(io: &IoText) -> Value {
    const WHOLE: &str = "fields=io or the detail route has the whole value]";
    match (io.cut_from, &io.last_message, io.text.as_deref()) {
        (Some(chars), Some(last), _) => Value::String(format!(
            "{}{CUT_MARKER}{chars} characters in all; the last of {} message{}, role {}; {WHOLE}",
            last.text,
            last.messages,
            if last.messages == 1 { "" } else { "s" },
            role_name(last.role)
        )),
        (Some(chars), None, Some(start)) => {
            Value::String(format!("{start}{CUT_MARKER}{chars} characters in all; {WHOLE}"))
        }
        (_, _, text) => json_column(text),
    }
}

/// A role as the normal form spells it.
fn role_name(role: Role) -> &'static str {
    match role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::filter::PREVIEW_CHARS;
    use crate::store::last_message::LastMessage;

    #[test]
    fn whole_values_stay_json_and_cut_ones_become_marked_strings() {
        let whole = IoText { text: Some(r#"{"a":[1,2]}"#.into()), ..IoText::default() };
        assert_eq!(io_value(&whole), serde_json::json!({"a": [1, 2]}));
        let start: String = "é".repeat(PREVIEW_CHARS as usize);
        let cut = IoText { text: Some(start.clone()), cut_from: Some(PREVIEW_CHARS + 5), last_message: None };
        let Value::String(preview) = io_value(&cut) else { panic!("a string") };
        assert!(preview.starts_with(&start) && preview.contains(CUT_MARKER), "{preview}");
        assert!(preview.contains(&format!("{} characters in all", PREVIEW_CHARS + 5)));
        assert_eq!(io_value(&IoText::default()), Value::Null);
    }

    #[test]
    fn a_cut_conversation_previews_its_last_message_and_names_its_role() {
        let last = LastMessage { role: Role::User, text: "And now?".into(), messages: 7 };
        let cut = IoText { text: Some("[{\"role\":\"system\"".into()), cut_from: Some(9000), last_message: Some(last) };
        let Value::String(preview) = io_value(&cut) else { panic!("a string") };
        assert_eq!(
            preview,
            format!("And now?{CUT_MARKER}9000 characters in all; the last of 7 messages, role user; fields=io or the detail route has the whole value]")
        );
    }

    #[test]
    fn fields_choose_previews_whole_values_or_none() {
        let fields = |names: &[&str]| FieldsQuery { fields: names.iter().map(|n| n.to_string()).collect() };
        let known = ["core", "io", "metrics"];
        assert_eq!(fields(&[]).io(&known).unwrap(), Io::Preview);
        assert_eq!(fields(&["core", "io"]).io(&known).unwrap(), Io::Full);
        assert_eq!(fields(&["core", "metrics"]).io(&known).unwrap(), Io::Omitted);
        assert!(fields(&["everything"]).io(&known).unwrap_err().to_string().contains("core, io, metrics"));
    }
}
