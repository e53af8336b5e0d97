//! Chat messages as OpenAI's fine-tuning files hold them, read from the shapes traced
//! and dataset values take: the conversation a row starts with (`{messages, tools?}`, a
//! message list, or a plain string as one user message) and the answer it ends with (a
//! string, a message, a message list or `{messages}`). Only the keys the formats know
//! are kept (`role`, `content`, `name`, `tool_calls`, `tool_call_id`, `weight`).

use serde::Serialize;
use serde_json::{Map, Value};

/// Why a row does not fit a fine-tuning format (named in the export's report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unfit(pub &'static str);

/// A message's author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions.
    System,
    /// Instructions (OpenAI's newer name for system).
    Developer,
    /// The user.
    User,
    /// The model.
    Assistant,
    /// A tool's result.
    Tool,
}

impl Role {
    fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "system" => Role::System,
            "developer" => Role::Developer,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            "tool" => Role::Tool,
            _ => return None,
        })
    }
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// Its author.
    pub role: Role,
    /// Text, or a list of content parts; null only for an assistant's tool calls.
    pub content: Value,
    /// The author's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The assistant's tool calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<Value>>,
    /// The call a tool message answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// Whether an assistant message is trained on (0 or 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u8>,
}

impl Message {
    /// An assistant message of `text`.
    fn assistant(text: &str) -> Self {
        Self::text(Role::Assistant, text)
    }

    /// A message of `text` from `role`.
    fn text(role: Role, text: &str) -> Self {
        Message {
            role,
            content: Value::String(text.to_owned()),
            name: None,
            tool_calls: None,
            tool_call_id: None,
            weight: None,
        }
    }

    /// Reads one message object.
    pub fn parse(value: &Value) -> Result<Self, Unfit> {
        let object = value.as_object().ok_or(Unfit("a message is not an object"))?;
        let role = object
            .get("role")
            .and_then(Value::as_str)
            .and_then(Role::parse)
            .ok_or(Unfit("a message has no role among system, developer, user, assistant, tool"))?;
        let tool_calls = optional(object, "tool_calls", Value::as_array)?.cloned();
        let content = object.get("content").cloned().unwrap_or(Value::Null);
        match (&content, &tool_calls) {
            (Value::String(_) | Value::Array(_), _) => {}
            (Value::Null, Some(_)) if role == Role::Assistant => {}
            _ => return Err(Unfit("a message's content is not text or content parts")),
        }
        if tool_calls.is_some() && role != Role::Assistant {
            return Err(Unfit("only assistant messages have tool_calls"));
        }
        let tool_call_id = optional(object, "tool_call_id", Value::as_str)?.map(str::to_owned);
        if role == Role::Tool && tool_call_id.is_none() {
            return Err(Unfit("a tool message has no tool_call_id"));
        }
        let weight = optional(object, "weight", Value::as_u64)?
            .map(|weight| u8::try_from(weight).ok().filter(|weight| *weight <= 1).ok_or(Unfit("weight is not 0 or 1")))
            .transpose()?;
        Ok(Message {
            role,
            content,
            name: optional(object, "name", Value::as_str)?.map(str::to_owned),
            tool_calls,
            tool_call_id,
            weight,
        })
    }
}

/// Key `key` of `object` read by `read` (absent or null is `None`; another type does
/// not fit).
fn optional<'a, T>(
    object: &'a Map<String, Value>,
    key: &'static str,
    read: impl FnOnce(&'a Value) -> Option<T>,
) -> Result<Option<T>, Unfit> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => read(value).map(Some).ok_or(Unfit("a message field has the wrong type")),
    }
}

/// The messages of a list (at least one).
fn list(values: &[Value]) -> Result<Vec<Message>, Unfit> {
    if values.is_empty() {
        return Err(Unfit("an empty message list"));
    }
    values.iter().map(Message::parse).collect()
}

/// A conversation a row starts with, and the tools it offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// The messages.
    pub messages: Vec<Message>,
    /// The tool definitions, as given.
    pub tools: Option<Vec<Value>>,
}

impl Prompt {
    /// Reads an input: `{messages, tools?}`, a message list, or a string (one user
    /// message).
    pub fn parse(value: &Value) -> Result<Self, Unfit> {
        match value {
            Value::String(text) => Ok(Prompt { messages: vec![Message::text(Role::User, text)], tools: None }),
            Value::Array(values) => Ok(Prompt { messages: list(values)?, tools: None }),
            Value::Object(object) if object.contains_key("messages") => {
                let messages = object
                    .get("messages")
                    .and_then(Value::as_array)
                    .ok_or(Unfit("the input's messages are not a list"))?;
                let tools = match object.get("tools") {
                    None | Some(Value::Null) => None,
                    Some(Value::Array(tools)) => Some(tools.clone()),
                    Some(_) => return Err(Unfit("the input's tools are not a list")),
                };
                Ok(Prompt { messages: list(messages)?, tools })
            }
            Value::Null => Err(Unfit("no input")),
            _ => Err(Unfit("the input is not a string, a message list or {messages, tools}")),
        }
    }
}

/// Reads an answer: a string (one assistant message), a message, a message list or
/// `{messages}`; the last message must be the assistant's, and two assistant messages in
/// a row are alternatives (an observation's several choices), not one answer.
pub fn answer(value: &Value) -> Result<Vec<Message>, Unfit> {
    let messages = match value {
        Value::String(text) => vec![Message::assistant(text)],
        Value::Array(values) => list(values)?,
        Value::Object(object) => match object.get("messages") {
            Some(Value::Array(values)) => list(values)?,
            Some(_) => return Err(Unfit("the output's messages are not a list")),
            None => vec![Message::parse(value)?],
        },
        Value::Null => return Err(Unfit("no output")),
        _ => return Err(Unfit("the output is not a string, a message, a message list or {messages}")),
    };
    if messages.windows(2).any(|pair| pair.iter().all(|message| message.role == Role::Assistant)) {
        return Err(Unfit("the output holds alternative assistant messages (several choices)"));
    }
    match messages.last() {
        Some(last) if last.role == Role::Assistant => Ok(messages),
        _ => Err(Unfit("the output does not end with an assistant message")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn inputs_in_each_accepted_shape() {
        let user = json!({"role": "user", "content": "hi"});
        let text = Prompt::parse(&json!("hi")).unwrap();
        assert_eq!(serde_json::to_value(&text.messages).unwrap(), json!([user]));
        let listed = Prompt::parse(&json!([{"role": "user", "content": "hi", "extra": 1}])).unwrap();
        assert_eq!(serde_json::to_value(&listed.messages).unwrap(), json!([user]), "unknown keys dropped");
        let tools = json!([{"type": "function", "function": {"name": "f"}}]);
        let wrapped = Prompt::parse(&json!({"messages": [user], "tools": tools})).unwrap();
        assert_eq!(wrapped.tools, Some(tools.as_array().unwrap().clone()));
        assert_eq!(
            Prompt::parse(&json!(42)).unwrap_err().0,
            "the input is not a string, a message list or {messages, tools}"
        );
        assert_eq!(Prompt::parse(&json!([])).unwrap_err().0, "an empty message list");
        assert!(Prompt::parse(&json!([{"role": "robot", "content": "x"}])).unwrap_err().0.contains("role"));
        assert_eq!(Prompt::parse(&Value::Null).unwrap_err().0, "no input");
    }

    #[test]
    fn answers_end_with_the_assistant() {
        let assistant = json!({"role": "assistant", "content": "ok"});
        for value in [json!("ok"), assistant.clone(), json!([assistant]), json!({"messages": [assistant]})] {
            assert_eq!(serde_json::to_value(answer(&value).unwrap()).unwrap(), json!([assistant]), "{value}");
        }
        let calls = json!({"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function"}]});
        assert_eq!(answer(&calls).unwrap()[0].tool_calls.as_ref().unwrap().len(), 1);
        assert!(answer(&json!({"role": "user", "content": "x"})).is_err());
        assert!(answer(&json!([assistant, assistant])).unwrap_err().0.contains("several choices"));
        let tool = json!({"role": "tool", "content": "42", "tool_call_id": "c1"});
        assert_eq!(answer(&json!([calls, tool, assistant])).unwrap().len(), 3, "a tool round trip, then the answer");
        assert!(answer(&json!({"role": "tool", "content": "x"})).unwrap_err().0.contains("tool_call_id"));
        assert!(answer(&json!({"role": "assistant", "content": "x", "weight": 2})).is_err());
        assert!(answer(&json!({"role": "user", "content": null})).is_err());
    }
}
