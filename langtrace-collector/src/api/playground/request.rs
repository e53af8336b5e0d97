//! The UI's body of `POST /api/playground/chat`: messages, `modelParams` (the connection's
//! provider name, the model, sampling parameters), tools as `{name, description,
//! parameters}`, a structured-output schema, the streaming flag and the linked prompt;
//! parsed into a provider request in OpenAI's terms.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::validate;
use crate::app::ApiError;
use crate::providers::ChatRequest;

/// Sampling parameters passed on, under OpenAI's names.
const PARAMS: [&str; 7] =
    ["temperature", "max_tokens", "top_p", "stop", "seed", "presence_penalty", "frequency_penalty"];

/// The body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatBody {
    messages: Vec<Message>,
    model_params: ModelParams,
    #[serde(default)]
    tools: Vec<Tool>,
    structured_output_schema: Option<Schema>,
    /// Whether to stream (default true).
    pub streaming: Option<bool>,
    /// The prompt version the run is made with.
    pub prompt: Option<PromptLink>,
}

/// An OpenAI chat message (checked for its role; kept as sent).
#[derive(Debug, Deserialize)]
pub struct Message {
    role: Role,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Role {
    System,
    Developer,
    User,
    Assistant,
    Tool,
    /// OpenAI's deprecated function-result role, still accepted by its API.
    Function,
}

impl Message {
    /// The message as sent, its role spelled as OpenAI spells it.
    pub fn into_value(self) -> Value {
        let mut message = self.rest;
        message.insert("role".into(), json!(self.role.as_str()));
        Value::Object(message)
    }
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::Developer => "developer",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
            Role::Function => "function",
        }
    }
}

/// `modelParams`.
#[derive(Debug, Deserialize)]
struct ModelParams {
    provider: String,
    model: String,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// A tool: `{name, description, parameters}`.
#[derive(Debug, Deserialize)]
struct Tool {
    name: String,
    #[serde(default)]
    description: String,
    parameters: Value,
}

/// `structuredOutputSchema`.
#[derive(Debug, Deserialize)]
struct Schema {
    name: String,
    description: Option<String>,
    schema: Map<String, Value>,
}

/// `prompt`: a prompt version by name and number.
#[derive(Debug, Deserialize)]
pub struct PromptLink {
    /// Name.
    pub name: String,
    /// Version.
    pub version: u32,
}

impl ChatBody {
    /// The connection's provider name.
    pub fn provider(&self) -> &str {
        &self.model_params.provider
    }

    /// The provider request; 400 naming the field for what the provider cannot take.
    pub fn into_request(self) -> Result<ChatRequest, ApiError> {
        if self.messages.is_empty() {
            return Err(ApiError::BadRequest("messages must not be empty".into()));
        }
        if self.model_params.model.trim().is_empty() {
            return Err(ApiError::BadRequest("modelParams.model must not be empty".into()));
        }
        let mut params = Map::new();
        for (key, value) in self.model_params.rest {
            if PARAMS.contains(&key.as_str()) && !value.is_null() {
                params.insert(key, value);
            }
        }
        validate::params(&params, "modelParams.")?;
        for (index, tool) in self.tools.iter().enumerate() {
            validate::tool(&tool.name, Some(&tool.parameters), &format!("tools[{index}]"))?;
        }
        let tools = self
            .tools
            .into_iter()
            .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}))
            .collect();
        let response_format = self.structured_output_schema.map(|s| {
            let mut schema = json!({"name": s.name, "schema": Value::Object(s.schema), "strict": true});
            if let Some(description) = s.description {
                schema["description"] = json!(description);
            }
            json!({"type": "json_schema", "json_schema": schema})
        });
        let messages = self.messages.into_iter().map(Message::into_value).collect();
        Ok(ChatRequest { model: self.model_params.model, messages, params, tools, tool_choice: None, response_format })
    }
}
