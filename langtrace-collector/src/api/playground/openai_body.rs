//! The proxy's body: OpenAI's chat-completions request, parsed into the connection's
//! provider name, the run's [`ChatRequest`] and how to answer (streamed, with a usage
//! chunk). Checked like the UI's body: messages with a known role, sampling parameters
//! and tools ([`super::validate`]); every other field is passed on as a parameter.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::request::Message;
use super::validate;
use crate::app::ApiError;
use crate::providers::ChatRequest;

/// `POST /v1/chat/completions`'s body as sent.
#[derive(Debug, Deserialize)]
pub struct OpenAiBody {
    model: String,
    messages: Vec<Message>,
    #[serde(default)]
    stream: Option<bool>,
    #[serde(default)]
    stream_options: Option<StreamOptions>,
    #[serde(default)]
    tools: Option<Vec<OpenAiTool>>,
    #[serde(default)]
    tool_choice: Option<Value>,
    #[serde(default)]
    response_format: Option<Map<String, Value>>,
    #[serde(flatten)]
    params: Map<String, Value>,
}

/// `stream_options`.
#[derive(Debug, Deserialize)]
struct StreamOptions {
    #[serde(default)]
    include_usage: Option<bool>,
}

/// A tool: `{"type": "function", "function": {...}}`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum OpenAiTool {
    Function { function: Function },
}

/// A tool's function: its name and parameters checked, the rest passed on.
#[derive(Debug, Deserialize)]
struct Function {
    name: String,
    #[serde(default)]
    parameters: Option<Value>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// The checked request.
#[derive(Debug)]
pub struct ProxyRequest {
    /// `model` as asked (`<provider>:<model>`), repeated in the answer.
    pub asked_model: String,
    /// The connection's provider name.
    pub provider: String,
    /// What the provider is asked.
    pub request: ChatRequest,
    /// Whether to answer with chunks.
    pub streaming: bool,
    /// Whether the chunks end with a usage chunk.
    pub include_usage: bool,
}

impl OpenAiBody {
    /// The checked request; 400 naming the field at fault.
    pub fn into_request(self) -> Result<ProxyRequest, ApiError> {
        let bad = |message: &str| Err(ApiError::BadRequest(message.to_owned()));
        let Some((provider, model)) = self
            .model
            .split_once(':')
            .filter(|(p, m)| !p.is_empty() && !m.is_empty())
            .map(|(p, m)| (p.to_owned(), m.to_owned()))
        else {
            return bad("model must be '<provider>:<model>', the provider naming one of the project's LLM connections");
        };
        if self.messages.is_empty() {
            return bad("messages must be a non-empty array");
        }
        let params: Map<String, Value> = self.params.into_iter().filter(|(_, value)| !value.is_null()).collect();
        validate::params(&params, "")?;
        let mut tools = Vec::new();
        for (index, OpenAiTool::Function { function }) in self.tools.into_iter().flatten().enumerate() {
            validate::tool(&function.name, function.parameters.as_ref(), &format!("tools[{index}].function"))?;
            let mut definition = function.rest;
            definition.insert("name".into(), json!(function.name));
            if let Some(parameters) = function.parameters {
                definition.insert("parameters".into(), parameters);
            }
            tools.push(json!({"type": "function", "function": definition}));
        }
        let request = ChatRequest {
            model,
            messages: self.messages.into_iter().map(Message::into_value).collect(),
            params,
            tools,
            tool_choice: self.tool_choice.filter(|v| !v.is_null()),
            response_format: self.response_format.map(Value::Object),
        };
        Ok(ProxyRequest {
            provider,
            asked_model: self.model,
            request,
            streaming: self.stream.unwrap_or(false),
            include_usage: self.stream_options.and_then(|o| o.include_usage).unwrap_or(false),
        })
    }
}
