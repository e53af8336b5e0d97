//! A create request parsed into a typed draft and validated with Langfuse's rules: the
//! name (folders through `/`, no `|`, not a reserved word), the type and its prompt (text,
//! or chat messages and placeholders), labels, the commit message, and placeholder names
//! that must not clash with `{{variables}}`.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::ApiError;

/// Longest name (Langfuse's limit in its MCP tools; langtrace applies it everywhere).
pub const MAX_NAME_CHARS: usize = 255;
/// Longest label.
pub const MAX_LABEL_CHARS: usize = 36;
/// Longest commit message.
pub const MAX_COMMIT_MESSAGE_CHARS: usize = 500;
/// Names the UI's routes use, refused as prompt names.
const RESERVED_NAMES: [&str; 3] = ["new", "metrics", "prompt-detail"];

/// `POST /api/public/v2/prompts` as clients send it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePrompt {
    name: String,
    #[serde(rename = "type")]
    prompt_type: Option<String>,
    prompt: Value,
    config: Option<Value>,
    labels: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    commit_message: Option<String>,
}

/// One entry of a chat prompt.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatEntry {
    /// A message.
    Message {
        /// Its role.
        role: String,
        /// Its text.
        content: String,
    },
    /// A slot the caller fills with a list of messages at compile time.
    Placeholder {
        /// Its name.
        name: String,
    },
}

/// The prompt of a version.
#[derive(Debug, Clone, PartialEq)]
pub enum PromptBody {
    /// A text prompt.
    Text(String),
    /// A chat prompt.
    Chat(Vec<ChatEntry>),
}

impl PromptBody {
    /// `text` or `chat`.
    pub fn type_name(&self) -> &'static str {
        match self {
            PromptBody::Text(_) => "text",
            PromptBody::Chat(_) => "chat",
        }
    }

    /// The JSON text stored (a string, or an array of messages and placeholders).
    pub fn json_text(&self) -> String {
        let value = match self {
            PromptBody::Text(text) => json!(text),
            PromptBody::Chat(entries) => Value::Array(
                entries
                    .iter()
                    .map(|entry| match entry {
                        ChatEntry::Message { role, content } => json!({"role": role, "content": content}),
                        ChatEntry::Placeholder { name } => json!({"type": "placeholder", "name": name}),
                    })
                    .collect(),
            ),
        };
        value.to_string()
    }

    /// The texts variables can appear in.
    fn texts(&self) -> Vec<&str> {
        match self {
            PromptBody::Text(text) => vec![text],
            PromptBody::Chat(entries) => entries
                .iter()
                .filter_map(|entry| match entry {
                    ChatEntry::Message { content, .. } => Some(content.as_str()),
                    ChatEntry::Placeholder { .. } => None,
                })
                .collect(),
        }
    }
}

/// A validated create request.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Name.
    pub name: String,
    /// The prompt.
    pub body: PromptBody,
    /// Config, JSON text (`{}` when not given).
    pub config: String,
    /// Labels asked for, de-duplicated.
    pub labels: Vec<String>,
    /// Tags, when given.
    pub tags: Option<Vec<String>>,
    /// Commit message.
    pub commit_message: Option<String>,
}

impl CreatePrompt {
    /// The draft, or 400 naming what is wrong.
    pub fn validate(self) -> Result<Draft, ApiError> {
        let name = valid_name(&self.name)?;
        let body = match self.prompt_type.as_deref().unwrap_or("text") {
            "text" => match self.prompt {
                Value::String(text) if !text.is_empty() => PromptBody::Text(text),
                _ => return Err(bad("a text prompt's prompt must be a non-empty string")),
            },
            "chat" => match self.prompt {
                Value::Array(entries) => {
                    PromptBody::Chat(entries.iter().enumerate().map(chat_entry).collect::<Result<_, _>>()?)
                }
                _ => return Err(bad("a chat prompt's prompt must be an array of messages")),
            },
            other => return Err(bad(format!("type must be \"text\" or \"chat\", got {other:?}"))),
        };
        placeholders_apart_from_variables(&body)?;
        let labels = valid_labels(self.labels.unwrap_or_default())?;
        if let Some(message) = &self.commit_message {
            if message.chars().count() > MAX_COMMIT_MESSAGE_CHARS {
                return Err(bad(format!("commitMessage is longer than {MAX_COMMIT_MESSAGE_CHARS} characters")));
            }
        }
        let config = match self.config {
            None | Some(Value::Null) => "{}".to_owned(),
            Some(config) => config.to_string(),
        };
        Ok(Draft { name, body, config, labels, tags: self.tags, commit_message: self.commit_message })
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

/// The name, trimmed, if it is a valid prompt name.
pub fn valid_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(bad("name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(bad(format!("name is longer than {MAX_NAME_CHARS} characters")));
    }
    if name.contains('|') {
        return Err(bad("name must not contain '|' (it separates the parts of a prompt reference)"));
    }
    if name.contains(['<', '>']) || name.chars().any(char::is_control) {
        return Err(bad("name must not contain HTML ('<', '>') or control characters"));
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(bad(format!("name {name:?} is reserved (reserved: {})", RESERVED_NAMES.join(", "))));
    }
    if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return Err(bad("name must not start or end with '/' or contain '//' (folders are separated by one '/')"));
    }
    Ok(name.to_owned())
}

/// The labels de-duplicated, each checked against the label rule.
pub fn valid_labels(labels: Vec<String>) -> Result<Vec<String>, ApiError> {
    let mut unique: Vec<String> = Vec::with_capacity(labels.len());
    for label in labels {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.');
        if label.is_empty() || !label.chars().all(allowed) {
            return Err(bad(format!("label {label:?}: labels are lowercase letters, digits, '_', '-' and '.' only")));
        }
        if label.len() > MAX_LABEL_CHARS {
            return Err(bad(format!("label {label:?} is longer than {MAX_LABEL_CHARS} characters")));
        }
        if !unique.contains(&label) {
            unique.push(label);
        }
    }
    Ok(unique)
}

/// Entry `index` of a chat prompt: a placeholder or a `{role, content}` message.
fn chat_entry((index, entry): (usize, &Value)) -> Result<ChatEntry, ApiError> {
    let field = |key: &str| entry.get(key).and_then(Value::as_str);
    if field("type") == Some("placeholder") {
        let name = field("name").unwrap_or_default();
        let mut chars = name.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(bad(format!(
                "prompt[{index}]: a placeholder's name starts with a letter and has letters, digits and '_' only"
            )));
        }
        return Ok(ChatEntry::Placeholder { name: name.to_owned() });
    }
    match (field("role"), field("content")) {
        (Some(role), Some(content)) => Ok(ChatEntry::Message { role: role.to_owned(), content: content.to_owned() }),
        _ => Err(bad(format!("prompt[{index}]: a message needs a string role and a string content"))),
    }
}

/// The `{{variable}}` names of `text` (Langfuse's rule: the text between `{{` and `}}`,
/// trimmed, kept when it is a letter followed by letters, digits or `_`).
pub fn variables(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let inner = &after[..end];
        let name = inner.trim();
        let mut chars = name.chars();
        let valid = !inner.contains(['{', '}'])
            && chars.next().is_some_and(char::is_alphabetic)
            && chars.all(|c| c.is_alphanumeric() || c == '_');
        if valid && !names.contains(&name) {
            names.push(name);
        }
        rest = &after[end + 2..];
    }
    names
}

/// 400 when a placeholder has the name of a variable.
fn placeholders_apart_from_variables(body: &PromptBody) -> Result<(), ApiError> {
    let PromptBody::Chat(entries) = body else { return Ok(()) };
    let variables: Vec<&str> = body.texts().into_iter().flat_map(variables).collect();
    for entry in entries {
        if let ChatEntry::Placeholder { name } = entry {
            if variables.contains(&name.as_str()) {
                return Err(bad(format!(
                    "placeholder {name:?} has the name of a {{{{{name}}}}} variable: rename one of them"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_follow_langfuse_extraction() {
        assert_eq!(variables("Hi {{ name }}, {{name}} and {{topic_2}}"), ["name", "topic_2"]);
        assert!(variables("{{1x}} {{a.b}} {{}} {{ a b }}").is_empty());
        assert_eq!(variables("{{ünïcode}} {{unclosed"), ["ünïcode"]);
    }

    #[test]
    fn names_and_labels_follow_the_rules() {
        assert_eq!(valid_name(" a/b/c ").unwrap(), "a/b/c");
        for name in ["", "a|b", "new", "/a", "a/", "a//b", "<b>x</b>"] {
            assert!(valid_name(name).is_err(), "{name:?}");
        }
        assert_eq!(valid_labels(vec!["prod".into(), "prod".into(), "v1.2_x-y".into()]).unwrap(), ["prod", "v1.2_x-y"]);
        for label in ["Prod", "a b", "", &"x".repeat(37)] {
            assert!(valid_labels(vec![label.to_owned()]).is_err(), "{label:?}");
        }
    }
}
