//! Filling a prompt's variables: `compile` as Langfuse's SDKs do (a variable not given
//! stays as `{{name}}`, a placeholder not given stays a placeholder) and
//! `compile_strict`, which refuses variables missing or unused.
//!
//! Variables are anything that serializes to a JSON object: a `HashMap`, a struct,
//! `json!({..})`. For a chat prompt, a placeholder's variable is a list of messages
//! (`{"role": .., "content": .., ..}`, every key kept, `role` defaulting to
//! `NOT_GIVEN`, `content` compiled); any other value becomes one `NOT_GIVEN` message.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::{ChatMessage, ChatPrompt, Message, Prompt, TextPrompt};
use crate::template;

/// Why [`compile_strict`](TextPrompt::compile_strict) refused the variables.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// Variables the prompt uses that were not given, or given that it does not use.
    #[error("{}", describe(.missing, .unused))]
    Variables {
        /// Used by the prompt (variables and placeholders), not given.
        missing: Vec<String>,
        /// Given, not used by the prompt.
        unused: Vec<String>,
    },
    /// The variables did not serialize to a JSON object.
    #[error("variables must serialize to a JSON object")]
    NotAnObject,
}

fn describe(missing: &[String], unused: &[String]) -> String {
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing variables: {}", missing.join(", ")));
    }
    if !unused.is_empty() {
        parts.push(format!("unused variables: {}", unused.join(", ")));
    }
    parts.join("; ")
}

/// A compiled prompt of either kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Compiled {
    /// The text of a text prompt.
    Text(String),
    /// The messages of a chat prompt.
    Chat(Vec<ChatMessage>),
}

/// The variables as a JSON object, if they are one.
fn to_object(vars: &impl Serialize) -> Option<Map<String, Value>> {
    match serde_json::to_value(vars) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    }
}

/// Refuses variables the template uses that are not given, and given ones it does not use.
fn check(used: &[String], vars: &Map<String, Value>) -> Result<(), CompileError> {
    let used_set: BTreeSet<&str> = used.iter().map(String::as_str).collect();
    let missing: Vec<String> = used.iter().filter(|name| !vars.contains_key(name.as_str())).cloned().collect();
    let unused: Vec<String> = vars.keys().filter(|name| !used_set.contains(name.as_str())).cloned().collect();
    if missing.is_empty() && unused.is_empty() {
        Ok(())
    } else {
        Err(CompileError::Variables { missing, unused })
    }
}

impl TextPrompt {
    /// The variable names the text uses.
    pub fn variables(&self) -> Vec<String> {
        template::variables(&self.prompt)
    }

    /// The text with the given variables filled; the others stay as `{{name}}`.
    pub fn compile(&self, vars: &impl Serialize) -> String {
        template::compile(&self.prompt, &to_object(vars).unwrap_or_default())
    }

    /// The text with every variable filled, or an error naming the variables missing and
    /// the ones given but unused.
    pub fn compile_strict(&self, vars: &impl Serialize) -> Result<String, CompileError> {
        let vars = to_object(vars).ok_or(CompileError::NotAnObject)?;
        check(&self.variables(), &vars)?;
        Ok(template::compile(&self.prompt, &vars))
    }
}

impl ChatPrompt {
    /// The variable names the messages use (placeholders not included).
    pub fn variables(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.messages()
            .flat_map(|message| template::variables(&message.content))
            .filter(|name| seen.insert(name.clone()))
            .collect()
    }

    /// The placeholder names, in order.
    pub fn placeholders(&self) -> Vec<String> {
        self.prompt
            .iter()
            .filter_map(|entry| match entry {
                ChatMessage::Placeholder { name } => Some(name.clone()),
                ChatMessage::Message(_) => None,
            })
            .collect()
    }

    fn messages(&self) -> impl Iterator<Item = &Message> {
        self.prompt.iter().filter_map(|entry| match entry {
            ChatMessage::Message(message) => Some(message),
            ChatMessage::Placeholder { .. } => None,
        })
    }

    /// The messages with the given variables filled and the given placeholders expanded;
    /// the others stay as they are.
    pub fn compile(&self, vars: &impl Serialize) -> Vec<ChatMessage> {
        compile_messages(&self.prompt, &to_object(vars).unwrap_or_default())
    }

    /// The messages with every variable and placeholder filled, or an error naming the
    /// ones missing and the ones given but unused.
    pub fn compile_strict(&self, vars: &impl Serialize) -> Result<Vec<ChatMessage>, CompileError> {
        let vars = to_object(vars).ok_or(CompileError::NotAnObject)?;
        let mut used = self.variables();
        for placeholder in self.placeholders() {
            if !used.contains(&placeholder) {
                used.push(placeholder);
            }
        }
        check(&used, &vars)?;
        Ok(compile_messages(&self.prompt, &vars))
    }
}

fn compile_messages(entries: &[ChatMessage], vars: &Map<String, Value>) -> Vec<ChatMessage> {
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        match entry {
            ChatMessage::Message(message) => out.push(ChatMessage::Message(Message {
                content: template::compile(&message.content, vars),
                ..message.clone()
            })),
            ChatMessage::Placeholder { name } => match vars.get(name) {
                Some(Value::Array(items)) => out.extend(items.iter().map(|item| placeholder_message(item, vars))),
                Some(other) => out.push(placeholder_message(other, vars)),
                None => out.push(entry.clone()),
            },
        }
    }
    out
}

const ROLE_NOT_GIVEN: &str = "NOT_GIVEN";

/// One message given for a placeholder.
fn placeholder_message(item: &Value, vars: &Map<String, Value>) -> ChatMessage {
    let message = match item {
        Value::Object(object) => {
            let mut extra = object.clone();
            let role = match extra.remove("role") {
                Some(Value::String(role)) => role,
                _ => ROLE_NOT_GIVEN.to_owned(),
            };
            let content = extra.remove("content").map(|c| template::value_text(&c).into_owned()).unwrap_or_default();
            Message { role, content: template::compile(&content, vars), extra }
        }
        other => Message {
            role: ROLE_NOT_GIVEN.to_owned(),
            content: template::value_text(other).into_owned(),
            extra: Map::new(),
        },
    };
    ChatMessage::Message(message)
}

impl Prompt {
    /// The variable names the prompt uses (placeholders not included).
    pub fn variables(&self) -> Vec<String> {
        match self {
            Prompt::Text(p) => p.variables(),
            Prompt::Chat(p) => p.variables(),
        }
    }

    /// [`TextPrompt::compile`] or [`ChatPrompt::compile`].
    pub fn compile(&self, vars: &impl Serialize) -> Compiled {
        match self {
            Prompt::Text(p) => Compiled::Text(p.compile(vars)),
            Prompt::Chat(p) => Compiled::Chat(p.compile(vars)),
        }
    }

    /// [`TextPrompt::compile_strict`] or [`ChatPrompt::compile_strict`].
    pub fn compile_strict(&self, vars: &impl Serialize) -> Result<Compiled, CompileError> {
        match self {
            Prompt::Text(p) => p.compile_strict(vars).map(Compiled::Text),
            Prompt::Chat(p) => p.compile_strict(vars).map(Compiled::Chat),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::json;

    use super::*;

    fn text(template: &str) -> TextPrompt {
        TextPrompt::fallback("t", None, None, template.to_owned())
    }

    fn chat() -> ChatPrompt {
        ChatPrompt::fallback(
            "c",
            None,
            None,
            vec![
                ChatMessage::message("system", "You are {{persona}}."),
                ChatMessage::placeholder("history"),
                ChatMessage::message("user", "{{question}}"),
            ],
        )
    }

    #[test]
    fn text_compile_accepts_maps_and_json() {
        let prompt = text("Hello {{name}} from {{place}}");
        let map = HashMap::from([("name", "Ada")]);
        assert_eq!(prompt.compile(&map), "Hello Ada from {{place}}");
        assert_eq!(prompt.compile(&json!({"name": "Ada", "place": "London"})), "Hello Ada from London");
        assert_eq!(prompt.compile(&"not an object"), "Hello {{name}} from {{place}}");
    }

    #[test]
    fn strict_compile_names_missing_and_unused_variables() {
        let prompt = text("Hello {{name}} from {{place}}");
        let error = prompt.compile_strict(&json!({"name": "Ada", "age": 36})).unwrap_err();
        assert_eq!(error, CompileError::Variables { missing: vec!["place".into()], unused: vec!["age".into()] });
        assert_eq!(error.to_string(), "missing variables: place; unused variables: age");
        assert_eq!(prompt.compile_strict(&json!({"name": "A", "place": "B"})).unwrap(), "Hello A from B");
        assert_eq!(prompt.compile_strict(&[1, 2]), Err(CompileError::NotAnObject));
    }

    #[test]
    fn chat_placeholders_expand_to_message_lists() {
        let vars = json!({
            "persona": "a pirate",
            "question": "where?",
            "history": [{"role": "user", "content": "hi {{persona}}"},
                        {"content": "no role", "tool_calls": [{"id": "1"}]}],
        });
        let mut kept = Message { role: "NOT_GIVEN".into(), content: "no role".into(), extra: Map::new() };
        kept.extra.insert("tool_calls".into(), json!([{"id": "1"}]));
        assert_eq!(
            chat().compile(&vars),
            vec![
                ChatMessage::message("system", "You are a pirate."),
                ChatMessage::message("user", "hi a pirate"),
                ChatMessage::Message(kept),
                ChatMessage::message("user", "where?"),
            ]
        );
    }

    #[test]
    fn chat_placeholders_not_given_stay_and_non_lists_become_one_message() {
        let compiled = chat().compile(&json!({"persona": "p"}));
        assert_eq!(compiled[1], ChatMessage::placeholder("history"));
        assert_eq!(compiled[2], ChatMessage::message("user", "{{question}}"));
        let compiled = chat().compile(&json!({"history": "just text"}));
        assert_eq!(compiled[1], ChatMessage::message("NOT_GIVEN", "just text"));
    }

    #[test]
    fn chat_strict_compile_counts_placeholders() {
        let error = chat().compile_strict(&json!({"persona": "p", "extra": 1})).unwrap_err();
        assert_eq!(
            error,
            CompileError::Variables {
                missing: vec!["question".into(), "history".into()],
                unused: vec!["extra".into()]
            }
        );
        let ok = chat().compile_strict(&json!({"persona": "p", "question": "q", "history": []})).unwrap();
        assert_eq!(ok.len(), 2);
    }

    #[test]
    fn variables_lists() {
        assert_eq!(chat().variables(), vec!["persona", "question"]);
        assert_eq!(chat().placeholders(), vec!["history"]);
        assert_eq!(Prompt::Text(text("{{a}}{{b}}{{a}}").into()).variables(), vec!["a", "b"]);
    }
}
