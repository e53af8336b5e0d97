//! LLM providers, called on behalf of a project's LLM connection: one client
//! ([`Providers`]) for every adapter, each request streamed (server-sent events read with
//! `eventsource-stream`) into the same [`Delta`]s, which [`assemble`] puts together.
//!
//! - `openai`: the chat-completions protocol at any OpenAI-compatible base URL (OpenAI,
//!   Ollama, vLLM, LM Studio, LiteLLM, OpenRouter);
//! - `anthropic`: the Messages API, mapped to the same deltas;
//! - `events`: an event stream read into deltas, its failures as provider errors;
//! - `bounded`: the bound on what a provider may send between two events;
//! - `error`: a provider's failure as a status and a message;
//! - `settings`: the secrets' key and the provider timeouts.

pub mod anthropic;
pub mod assemble;
mod bounded;
pub mod error;
mod events;
pub mod openai;
pub mod settings;

use std::pin::Pin;

use futures_util::Stream;
use serde_json::{Map, Value};

pub use error::ProviderError;
pub use settings::ConnectionArgs;

/// The wire protocol of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    /// OpenAI's chat completions.
    OpenAi,
    /// Anthropic's Messages API.
    Anthropic,
}

impl Adapter {
    /// The adapter named `name` (`openai`, `anthropic`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "openai" => Some(Adapter::OpenAi),
            "anthropic" => Some(Adapter::Anthropic),
            _ => None,
        }
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Adapter::OpenAi => "openai",
            Adapter::Anthropic => "anthropic",
        }
    }

    /// The base URL used when a connection names none.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Adapter::OpenAi => "https://api.openai.com/v1",
            Adapter::Anthropic => "https://api.anthropic.com/v1",
        }
    }

    /// The model a connection test uses when the connection lists none.
    pub fn default_model(self) -> &'static str {
        match self {
            Adapter::OpenAi => "gpt-4o-mini",
            Adapter::Anthropic => "claude-3-5-haiku-latest",
        }
    }
}

/// A connection ready to call: its secret opened. `Debug` withholds the secret and the
/// header values.
pub struct Endpoint {
    /// The protocol.
    pub adapter: Adapter,
    /// Base URL, without a trailing slash.
    pub base_url: String,
    /// The provider's secret key.
    pub secret: String,
    /// Extra request headers.
    pub extra_headers: Vec<(String, String)>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint").field("adapter", &self.adapter).field("base_url", &self.base_url).finish()
    }
}

/// A chat request in OpenAI's terms, whatever the adapter.
#[derive(Debug, Clone, Default)]
pub struct ChatRequest {
    /// The provider's model name.
    pub model: String,
    /// OpenAI chat messages.
    pub messages: Vec<Value>,
    /// Sampling parameters under OpenAI's names (`temperature`, `max_tokens`, `top_p`,
    /// `stop`, `seed`, ...).
    pub params: Map<String, Value>,
    /// OpenAI tool objects (`{"type":"function","function":{name, description, parameters}}`).
    pub tools: Vec<Value>,
    /// OpenAI's `tool_choice`.
    pub tool_choice: Option<Value>,
    /// OpenAI's `response_format`.
    pub response_format: Option<Value>,
}

/// One piece of a provider's streamed answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Delta {
    /// Text of the answer.
    Text(String),
    /// A fragment of tool call `index`: its id and name when they first appear, then
    /// pieces of its arguments' JSON text.
    ToolCall {
        /// Which call (the provider's index).
        index: u64,
        /// Its id, once.
        id: Option<String>,
        /// Its function name, once.
        name: Option<String>,
        /// A piece of the arguments.
        arguments: String,
    },
    /// Token counts, as far as known.
    Usage {
        /// Prompt tokens.
        input: Option<u64>,
        /// Completion tokens.
        output: Option<u64>,
    },
    /// Why the answer ended (OpenAI's words: `stop`, `length`, `tool_calls`, ...).
    Finish(String),
}

/// A provider's answer, delta by delta; a failure ends it.
pub type DeltaStream = Pin<Box<dyn Stream<Item = Result<Delta, ProviderError>> + Send>>;

/// The HTTP client that calls providers; cheap to clone.
#[derive(Clone, Debug)]
pub struct Providers {
    http: reqwest::Client,
}

impl Providers {
    /// A client with the timeouts of `settings`.
    pub fn new(settings: &ConnectionArgs) -> Self {
        let http = reqwest::Client::builder()
            .timeout(settings.provider_timeout)
            .read_timeout(settings.provider_idle_timeout)
            .connect_timeout(settings.provider_idle_timeout)
            .build()
            .expect("an HTTP client with rustls");
        Providers { http }
    }

    /// Sends `request` to `endpoint`, streamed; the provider's deltas once it answers
    /// with success, else its error.
    pub async fn stream(&self, endpoint: &Endpoint, request: &ChatRequest) -> Result<DeltaStream, ProviderError> {
        let builder = match endpoint.adapter {
            Adapter::OpenAi => openai::request(&self.http, endpoint, request),
            Adapter::Anthropic => anthropic::request(&self.http, endpoint, request),
        };
        let builder = endpoint.extra_headers.iter().fold(builder, |b, (name, value)| b.header(name, value));
        let response = builder.send().await.map_err(|e| ProviderError::transport(&e))?;
        if !response.status().is_success() {
            return Err(ProviderError::from_response(response).await);
        }
        let (events, bound) = bounded::events(response);
        let deltas = match endpoint.adapter {
            Adapter::OpenAi => openai::deltas(events),
            Adapter::Anthropic => anthropic::deltas(events),
        };
        Ok(bounded::checked(deltas, bound))
    }
}
