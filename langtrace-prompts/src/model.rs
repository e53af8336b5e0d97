//! The prompt model: a version of a text or chat prompt as Langfuse's API returns it
//! (`GET /api/public/v2/prompts/{name}`), and chat messages with placeholders.

use std::sync::Arc;

use langtrace_core::{PromptLink, PromptRef};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// One version of a prompt; [`TextPrompt`] and [`ChatPrompt`] are its two kinds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptVersion<T> {
    /// Name, with `/` separating folders.
    pub name: String,
    /// Version number (1, 2, ...); for a fallback, the version asked for or 0.
    pub version: u32,
    /// The template: text, or chat messages.
    pub prompt: T,
    /// Free JSON stored with the version (model, temperature, ... by convention).
    #[serde(default)]
    pub config: Value,
    /// Labels on this version (`production`, `latest`, ...).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Tags, shared by all versions of the name.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Commit message of this version.
    #[serde(default)]
    pub commit_message: Option<String>,
    #[serde(skip)]
    fallback: bool,
}

/// A text prompt: the template is one string.
pub type TextPrompt = PromptVersion<String>;
/// A chat prompt: the template is a list of messages and placeholders.
pub type ChatPrompt = PromptVersion<Vec<ChatMessage>>;

impl<T> PromptVersion<T> {
    /// A fallback: the prompt used when none could be fetched. It links no generation.
    pub(crate) fn fallback(name: &str, version: Option<u32>, label: Option<&str>, prompt: T) -> Self {
        Self {
            name: name.to_owned(),
            version: version.unwrap_or(0),
            prompt,
            config: Value::Object(Map::new()),
            labels: label.map(str::to_owned).into_iter().collect(),
            tags: Vec::new(),
            commit_message: None,
            fallback: true,
        }
    }

    /// Whether this is the fallback given to the request rather than a stored version.
    pub fn is_fallback(&self) -> bool {
        self.fallback
    }
}

impl<T> PromptLink for PromptVersion<T> {
    fn prompt_ref(&self) -> Option<PromptRef> {
        (!self.fallback).then(|| PromptRef { name: self.name.clone(), version: self.version })
    }
}

/// A fetched prompt of either kind. Cloning is cheap (the version is shared).
#[derive(Clone, Debug, PartialEq)]
pub enum Prompt {
    /// A text prompt.
    Text(Arc<TextPrompt>),
    /// A chat prompt.
    Chat(Arc<ChatPrompt>),
}

impl Prompt {
    /// Name, with `/` separating folders.
    pub fn name(&self) -> &str {
        match self {
            Prompt::Text(p) => &p.name,
            Prompt::Chat(p) => &p.name,
        }
    }

    /// Version number (0 for a fallback without one).
    pub fn version(&self) -> u32 {
        match self {
            Prompt::Text(p) => p.version,
            Prompt::Chat(p) => p.version,
        }
    }

    /// The version's config JSON.
    pub fn config(&self) -> &Value {
        match self {
            Prompt::Text(p) => &p.config,
            Prompt::Chat(p) => &p.config,
        }
    }

    /// Labels on this version.
    pub fn labels(&self) -> &[String] {
        match self {
            Prompt::Text(p) => &p.labels,
            Prompt::Chat(p) => &p.labels,
        }
    }

    /// Tags of the prompt.
    pub fn tags(&self) -> &[String] {
        match self {
            Prompt::Text(p) => &p.tags,
            Prompt::Chat(p) => &p.tags,
        }
    }

    /// Whether this is the request's fallback rather than a stored version.
    pub fn is_fallback(&self) -> bool {
        match self {
            Prompt::Text(p) => p.is_fallback(),
            Prompt::Chat(p) => p.is_fallback(),
        }
    }

    /// The text prompt, if it is one.
    pub fn as_text(&self) -> Option<&TextPrompt> {
        match self {
            Prompt::Text(p) => Some(p),
            Prompt::Chat(_) => None,
        }
    }

    /// The chat prompt, if it is one.
    pub fn as_chat(&self) -> Option<&ChatPrompt> {
        match self {
            Prompt::Chat(p) => Some(p),
            Prompt::Text(_) => None,
        }
    }
}

impl PromptLink for Prompt {
    fn prompt_ref(&self) -> Option<PromptRef> {
        match self {
            Prompt::Text(p) => p.prompt_ref(),
            Prompt::Chat(p) => p.prompt_ref(),
        }
    }
}

/// A prompt version as the API sends it, told apart by its `type`.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(crate) enum WirePrompt {
    Text(TextPrompt),
    Chat(ChatPrompt),
}

impl From<WirePrompt> for Prompt {
    fn from(wire: WirePrompt) -> Self {
        match wire {
            WirePrompt::Text(p) => Prompt::Text(Arc::new(p)),
            WirePrompt::Chat(p) => Prompt::Chat(Arc::new(p)),
        }
    }
}

/// One entry of a chat prompt.
#[derive(Clone, Debug, PartialEq)]
pub enum ChatMessage {
    /// A message: `{"role": .., "content": .., ..}`.
    Message(Message),
    /// A slot filled at compile time with a list of messages: `{"type": "placeholder",
    /// "name": ..}`.
    Placeholder {
        /// The variable whose messages replace it.
        name: String,
    },
}

/// A chat message. Keys besides `role` and `content` (tool calls, names) are kept in
/// `extra` and written back beside them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// `system`, `user`, `assistant`, ... (`NOT_GIVEN` for a compiled placeholder message
    /// without one, as in Langfuse's SDK).
    pub role: String,
    /// The text (a template before compiling).
    pub content: String,
    /// Other keys of the message.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ChatMessage {
    /// A message with a role and a content template.
    pub fn message(role: impl Into<String>, content: impl Into<String>) -> Self {
        ChatMessage::Message(Message { role: role.into(), content: content.into(), extra: Map::new() })
    }

    /// A placeholder for the message list passed as variable `name`.
    pub fn placeholder(name: impl Into<String>) -> Self {
        ChatMessage::Placeholder { name: name.into() }
    }
}

const PLACEHOLDER: &str = "placeholder";

impl Serialize for ChatMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ChatMessage::Message(message) => message.serialize(serializer),
            ChatMessage::Placeholder { name } => {
                serde_json::json!({"type": PLACEHOLDER, "name": name}).serialize(serializer)
            }
        }
    }
}

impl<'de> Deserialize<'de> for ChatMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut object = Map::<String, Value>::deserialize(deserializer)?;
        match object.remove("type") {
            Some(Value::String(kind)) if kind == PLACEHOLDER => match object.remove("name") {
                Some(Value::String(name)) => Ok(ChatMessage::Placeholder { name }),
                _ => Err(D::Error::custom("a placeholder needs a string `name`")),
            },
            _ => serde_json::from_value(Value::Object(object)).map(ChatMessage::Message).map_err(D::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_chat_version_reads_from_the_api_shape() {
        let body = json!({"id": "x", "name": "support/answer", "version": 3, "type": "chat",
            "prompt": [{"role": "system", "content": "You are {{persona}}."},
                       {"type": "placeholder", "name": "history"},
                       {"type": "chatmessage", "role": "user", "content": "{{question}}"}],
            "config": {"model": "m"}, "labels": ["staging", "latest"], "tags": ["support"],
            "commitMessage": "shorter", "isActive": false, "resolutionGraph": null});
        let Prompt::Chat(chat) = Prompt::from(serde_json::from_value::<WirePrompt>(body).unwrap()) else {
            panic!("expected a chat prompt")
        };
        assert_eq!(chat.name, "support/answer");
        assert_eq!(chat.version, 3);
        assert_eq!(chat.commit_message.as_deref(), Some("shorter"));
        assert_eq!(
            chat.prompt,
            vec![
                ChatMessage::message("system", "You are {{persona}}."),
                ChatMessage::placeholder("history"),
                ChatMessage::message("user", "{{question}}"),
            ]
        );
        assert!(!chat.is_fallback());
        assert_eq!(chat.prompt_ref(), Some(PromptRef { name: "support/answer".into(), version: 3 }));
    }

    #[test]
    fn a_text_version_without_optional_fields() {
        let body = json!({"name": "a", "version": 1, "type": "text", "prompt": "hi"});
        let prompt = Prompt::from(serde_json::from_value::<WirePrompt>(body).unwrap());
        assert_eq!(prompt.as_text().map(|p| p.prompt.as_str()), Some("hi"));
        assert!(prompt.labels().is_empty());
    }

    #[test]
    fn messages_write_back_in_the_api_shape() {
        let mut message = Message { role: "assistant".into(), content: "".into(), extra: Map::new() };
        message.extra.insert("tool_calls".into(), json!([{"id": "t"}]));
        let written = serde_json::to_value([ChatMessage::Message(message), ChatMessage::placeholder("h")]).unwrap();
        assert_eq!(
            written,
            json!([{"role": "assistant", "content": "", "tool_calls": [{"id": "t"}]}, {"type": "placeholder", "name": "h"}])
        );
    }

    #[test]
    fn a_fallback_links_nothing() {
        let fallback = TextPrompt::fallback("a", None, Some("staging"), "text".to_owned());
        assert!(fallback.is_fallback());
        assert_eq!(fallback.version, 0);
        assert_eq!(fallback.labels, vec!["staging"]);
        assert_eq!(Prompt::Text(Arc::new(fallback)).prompt_ref(), None);
    }
}
