//! ollama-rs's request and response types in the shapes a generation records: messages
//! in OpenAI's chat shape (the convention mapper's normal form), images as data-URI
//! parts, options as model parameters, timings as metadata.

use ollama_rs::generation::chat::ChatMessage;
use ollama_rs::generation::chat::ChatMessageFinalResponseData;
use ollama_rs::generation::completion::GenerationResponse;
use ollama_rs::generation::images::Image;
use ollama_rs::generation::tools::ToolCall;
use serde_json::{json, Map, Value};

use crate::generation::Tokens;
use crate::json::{pick, to_value};

/// Keys of a chat or generate request, besides `options`, recorded as model parameters.
pub(super) const ANSWER_PARAMETERS: &[&str] = &["format", "think", "logprobs", "top_logprobs"];

/// Keys of an embeddings request, besides `options`, recorded as model parameters.
pub(super) const EMBEDDING_PARAMETERS: &[&str] = &["dimensions", "truncate"];

/// A chat message as an OpenAI-shaped object.
pub(super) fn chat_message(message: &ChatMessage) -> Value {
    let role = to_value(&message.role);
    let images = message.images.as_deref().unwrap_or_default();
    shaped_message(role.as_str().unwrap_or("user"), &message.content, images, &message.tool_calls)
}

/// An OpenAI-shaped message: `content` is the text, or parts (text, then images) when
/// there are images, or `null` when tool calls are all the message says.
pub(super) fn shaped_message(role: &str, text: &str, images: &[Image], tool_calls: &[ToolCall]) -> Value {
    let content = match (images.is_empty(), text.is_empty()) {
        (true, true) if !tool_calls.is_empty() => Value::Null,
        (true, _) => Value::from(text),
        (false, _) => {
            let text_part = (!text.is_empty()).then(|| json!({"type": "text", "text": text}));
            text_part.into_iter().chain(images.iter().map(image_part)).collect()
        }
    };
    let mut message = json!({"role": role, "content": content});
    if !tool_calls.is_empty() {
        message["tool_calls"] = tool_calls.iter().map(tool_call).collect();
    }
    message
}

/// A tool call as OpenAI spells it (Ollama's calls carry no id; the arguments, a JSON
/// object in Ollama, become its text).
fn tool_call(call: &ToolCall) -> Value {
    json!({"type": "function", "function": {"name": call.function.name, "arguments": call.function.arguments.to_string()}})
}

/// An image (Ollama takes bare base64) as an image part with a data URI, so that media
/// extraction stores it as a media object; one given as a data URI already is kept.
fn image_part(image: &Image) -> Value {
    let base64 = image.to_base64();
    let url = match base64.starts_with("data:") {
        true => base64.to_owned(),
        false => format!("data:{};base64,{base64}", image_type(base64)),
    };
    json!({"type": "image_url", "image_url": {"url": url}})
}

/// The MIME type of base64 image data, from the encoded magic bytes of the formats
/// Ollama's vision models take; `application/octet-stream` for any other.
fn image_type(base64: &str) -> &'static str {
    const SIGNATURES: &[(&str, &str)] =
        &[("iVBORw0KGgo", "image/png"), ("/9j/", "image/jpeg"), ("R0lGOD", "image/gif"), ("UklGR", "image/webp")];
    SIGNATURES
        .iter()
        .find(|(prefix, _)| base64.starts_with(prefix))
        .map_or("application/octet-stream", |(_, mime)| mime)
}

/// The model parameters of a request given as JSON: every entry of its `options` (with
/// `num_predict` spelt `max_tokens`, as the other integrations record the limit) and the
/// request's entries named in `keys`.
pub(super) fn parameters(request: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    let mut parameters = pick(request, keys);
    let options = request.get("options").and_then(Value::as_object).into_iter().flatten();
    for (key, value) in options.filter(|(_, value)| !value.is_null()) {
        let key = if key == "num_predict" { "max_tokens" } else { key.as_str() };
        parameters.insert(key.to_owned(), value.clone());
    }
    parameters
}

/// Token counts and timings of a finished answer.
pub(super) struct Totals {
    /// `prompt_eval_count` and `eval_count`.
    pub tokens: Option<Tokens>,
    /// Ollama's timings (`total_duration`, `load_duration`, `prompt_eval_duration`,
    /// `eval_duration`, in nanoseconds) and the model's thinking text, when present.
    pub metadata: Map<String, Value>,
}

impl Totals {
    /// The totals of a chat answer's last (or only) message.
    pub fn of_chat(data: Option<&ChatMessageFinalResponseData>, thinking: Option<&str>) -> Self {
        let counts = data.map(|data| (Some(data.prompt_eval_count), Some(data.eval_count)));
        let durations = data.map(|data| {
            [data.total_duration, data.load_duration, data.prompt_eval_duration, data.eval_duration].map(Some)
        });
        Self::new(counts.unwrap_or_default(), durations.unwrap_or_default(), thinking)
    }

    /// The totals of a generate answer.
    pub fn of_generate(response: &GenerationResponse) -> Self {
        let durations =
            [response.total_duration, response.load_duration, response.prompt_eval_duration, response.eval_duration];
        Self::new((response.prompt_eval_count, response.eval_count), durations, response.thinking.as_deref())
    }

    /// Totals from Ollama's fields: token counts (prompt, answer), durations (total,
    /// load, prompt evaluation, answer evaluation) and thinking text.
    fn new(counts: (Option<u64>, Option<u64>), durations: [Option<u64>; 4], thinking: Option<&str>) -> Self {
        let tokens = match counts {
            (None, None) => None,
            (input, output) => Some(Tokens {
                input: input.unwrap_or_default(),
                output: output.unwrap_or_default(),
                cache_read: None,
                reasoning: None,
            }),
        };
        let names = ["total_duration", "load_duration", "prompt_eval_duration", "eval_duration"];
        let mut metadata: Map<String, Value> = names
            .iter()
            .zip(durations)
            .filter_map(|(name, duration)| Some(((*name).to_owned(), Value::from(duration?))))
            .collect();
        if let Some(thinking) = thinking.filter(|text| !text.is_empty()) {
            metadata.insert("thinking".to_owned(), Value::from(thinking));
        }
        Self { tokens, metadata }
    }
}
