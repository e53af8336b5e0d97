//! The normal form of chat messages (see `docs/wire-format.md`, "Normal form of
//! messages"): OpenAI's chat-completions message shape, whatever convention sent them.
//! The readers parse each convention's message shapes into [`Message`]s; [`input_value`]
//! and [`output_value`] generate the stored JSON last.

use serde::Serialize;
use serde_json::Value;

pub mod indexed;
pub mod read;

/// One chat message in the normal form.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Message {
    /// Who speaks.
    pub role: Role,
    /// Text, parts, or `null` (an assistant message made only of tool calls).
    pub content: Content,
    /// Tool calls the assistant asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// On a tool message: the call it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// Name of the speaker (a tool's name on a tool message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Message {
    /// A message of `role` with `content` and nothing else.
    pub fn new(role: Role, content: Content) -> Self {
        Self { role, content, tool_calls: Vec::new(), tool_call_id: None, name: None }
    }

    /// Whether the message says nothing at all (no content, no tool call).
    pub fn is_empty(&self) -> bool {
        matches!(self.content, Content::Null) && self.tool_calls.is_empty() && self.tool_call_id.is_none()
    }
}

/// The four roles of the normal form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// System instructions (also `developer`).
    System,
    /// The user (also `human`).
    User,
    /// The model (also `model`, `ai`, `bot`).
    Assistant,
    /// A tool's result (also `function`, `ipython`).
    Tool,
}

impl Role {
    /// The role a convention's spelling means, any case; `None` for unknown ones.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.to_ascii_lowercase().as_str() {
            "system" | "developer" => Self::System,
            "user" | "human" => Self::User,
            "assistant" | "model" | "ai" | "bot" => Self::Assistant,
            "tool" | "function" | "ipython" => Self::Tool,
            _ => return None,
        })
    }
}

/// A message's content.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Content {
    /// No content (`null`).
    Null,
    /// Plain text.
    Text(String),
    /// Several parts, or any part that is not text.
    Parts(Vec<Part>),
}

impl Content {
    /// Parts as content: none is `null`, one text part is its text, else the parts.
    pub fn from_parts(mut parts: Vec<Part>) -> Self {
        match parts.as_slice() {
            [] => Self::Null,
            [Part::Text { .. }] => match parts.pop() {
                Some(Part::Text { text }) => Self::Text(text),
                _ => unreachable!("matched a single text part"),
            },
            _ => Self::Parts(parts),
        }
    }

    /// Text of a JSON value: a string as is, `null` as no content, anything else as
    /// JSON text (a tool's structured result, say).
    pub fn from_value(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::String(text) => Self::Text(text.clone()),
            other => Self::Text(other.to_string()),
        }
    }

    /// The text of the content, parts' texts joined by newlines; `None` without text.
    pub fn text(&self) -> Option<String> {
        match self {
            Self::Null => None,
            Self::Text(text) => Some(text.clone()),
            Self::Parts(parts) => {
                let texts: Vec<&str> = parts
                    .iter()
                    .filter_map(|part| match part {
                        Part::Text { text } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                (!texts.is_empty()).then(|| texts.join("\n"))
            }
        }
    }
}

/// One content part.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Part {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image: a data URI, an http(s) URL or a media reference.
    ImageUrl {
        /// Where the image is.
        image_url: ImageUrl,
    },
    /// Audio, its data a data URI (or a media reference once extracted).
    InputAudio {
        /// The audio.
        input_audio: InputAudio,
    },
    /// Any other file.
    File {
        /// The file.
        file: File,
    },
}

impl Part {
    /// Media of `mime_type` at `location` (a URL, data URI or media reference): an image
    /// part for images, an audio part for audio, a file part otherwise.
    pub fn media(mime_type: Option<&str>, location: String, filename: Option<String>) -> Self {
        let mime = mime_type.unwrap_or_default();
        if mime.starts_with("image/") || (mime.is_empty() && location.starts_with("data:image/")) {
            Self::ImageUrl { image_url: ImageUrl { url: location } }
        } else if let Some(format) = mime.strip_prefix("audio/") {
            let format = format.trim_start_matches("x-").to_owned();
            Self::InputAudio { input_audio: InputAudio { data: location, format } }
        } else if location.starts_with("data:") || location.starts_with("@@@langfuseMedia:") {
            Self::File { file: File { file_data: Some(location), url: None, filename } }
        } else {
            Self::File { file: File { file_data: None, url: Some(location), filename } }
        }
    }

    /// Inline base64 bytes of `mime_type` as a data URI part, so media extraction finds them.
    pub fn blob(mime_type: &str, base64: &str, filename: Option<String>) -> Self {
        Self::media(Some(mime_type), format!("data:{mime_type};base64,{base64}"), filename)
    }
}

/// Location of an image part.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImageUrl {
    /// Data URI, http(s) URL or media reference.
    pub url: String,
}

/// Audio data of an audio part.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputAudio {
    /// Data URI or media reference.
    pub data: String,
    /// Format, the MIME subtype (`wav`, `mpeg`, ...).
    pub format: String,
}

/// A file part.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct File {
    /// Data URI or media reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_data: Option<String>,
    /// URL of the file, when not inline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// File name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

/// A tool call the assistant asked for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolCall {
    /// Call id (empty when the convention sent none).
    pub id: String,
    /// Always `function`.
    #[serde(rename = "type")]
    pub kind: ToolCallKind,
    /// The function called.
    pub function: FunctionCall,
}

impl ToolCall {
    /// A call of `name` with `arguments`: a string is kept as the arguments' text, any
    /// other JSON value becomes its JSON text.
    pub fn new(id: Option<String>, name: String, arguments: Option<&Value>) -> Self {
        let arguments = match arguments {
            None | Some(Value::Null) => "{}".to_owned(),
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
        };
        Self { id: id.unwrap_or_default(), kind: ToolCallKind::Function, function: FunctionCall { name, arguments } }
    }
}

/// The kind of a tool call: only functions exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolCallKind {
    /// A function call.
    Function,
}

/// Function name and arguments of a tool call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionCall {
    /// Function name.
    pub name: String,
    /// Arguments, JSON text.
    pub arguments: String,
}

/// Input in the normal form: `system` instructions as a leading system message (unless
/// the messages begin with the same one: rig-agent sends its preamble both ways), then
/// the messages, as a JSON array.
pub fn input_value(system: Option<Message>, messages: Vec<Message>) -> Value {
    let system = system.filter(|system| messages.first() != Some(system));
    let all: Vec<Message> = system.into_iter().chain(messages).collect();
    serde_json::to_value(all).unwrap_or(Value::Null)
}

/// Output in the normal form: one message as an object, several (choices) as an array.
pub fn output_value(mut messages: Vec<Message>) -> Value {
    let value = match messages.len() {
        1 => serde_json::to_value(messages.pop()),
        _ => serde_json::to_value(messages),
    };
    value.unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests;
