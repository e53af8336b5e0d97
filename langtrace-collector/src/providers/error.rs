//! A provider's failure as the playground and the proxy report it: the provider's own
//! status and message (and `Retry-After`) when it answered with an error, 504 when it
//! timed out, 502 when it could not be reached or its stream was cut or unreadable.

use serde_json::Value;

/// Longest provider error text kept, in bytes.
const MAX_MESSAGE: usize = 2000;

/// Why a provider call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    /// The HTTP status to answer with.
    pub status: u16,
    /// What went wrong, in the provider's words where it gave any.
    pub message: String,
    /// The provider's `Retry-After`, passed through.
    pub retry_after: Option<String>,
}

impl ProviderError {
    /// A failure of the collector's side of the call (502, or 504 for a timeout).
    pub fn gateway(status: u16, message: impl Into<String>) -> Self {
        ProviderError { status, message: message.into(), retry_after: None }
    }

    /// A request that got no usable answer: 504 when it timed out, else 502.
    pub fn transport(error: &reqwest::Error) -> Self {
        if error.is_timeout() {
            return Self::gateway(
                504,
                "the provider did not answer in time (--provider-idle-timeout / LANGTRACE_PROVIDER_IDLE_TIMEOUT, \
                 --provider-timeout / LANGTRACE_PROVIDER_TIMEOUT)",
            );
        }
        let what = if error.is_connect() { "cannot reach the provider" } else { "the provider's answer was cut" };
        // reqwest's text names the URL but never a header.
        Self::gateway(502, format!("{what}: {}", without_url(error)))
    }

    /// An error answer: its status, `Retry-After` and the message of its body
    /// (`{"error":{"message"}}` as OpenAI and Anthropic send it, or the text itself).
    pub async fn from_response(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let retry_after =
            response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(|v| v.chars().take(64).collect());
        let body = response.bytes().await.unwrap_or_default();
        let message = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|body| message_of(&body))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).trim().to_owned());
        let message = if message.is_empty() { format!("the provider answered {status}") } else { message };
        ProviderError { status, message: truncate(message), retry_after }
    }

    /// An error the provider reported inside its stream.
    pub fn in_stream(body: &Value) -> Self {
        let message = message_of(body).unwrap_or_else(|| body.to_string());
        Self::gateway(502, truncate(message))
    }
}

/// `error.message`, or `message`, of an error body.
fn message_of(body: &Value) -> Option<String> {
    body["error"]["message"]
        .as_str()
        .or_else(|| body["error"].as_str())
        .or_else(|| body["message"].as_str())
        .map(str::to_owned)
}

fn truncate(mut message: String) -> String {
    if message.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
    }
    message
}

/// reqwest's error text without the URL (a base URL may carry a key in its query).
fn without_url(error: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    let mut text = String::new();
    while let Some(cause) = source {
        text = cause.to_string();
        source = cause.source();
    }
    if text.is_empty() {
        "connection failed".to_owned()
    } else {
        text
    }
}
