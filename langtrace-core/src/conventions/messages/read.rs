//! One reader for every JSON message shape the conventions send, parsed into the normal
//! form: OTel GenAI (`{"role", "parts": [...]}`), OpenAI chat (`{"role", "content",
//! "tool_calls"}`), the Vercel AI SDK (`content` parts `tool-call`, `tool-result`,
//! `image`, `file`), GenAI event bodies (`{"message": {...}}` of `gen_ai.choice`), and
//! indexed attributes once gathered into a tree ([`super::indexed`]).

use serde_json::{Map, Value};

use super::{Content, Message, Part, Role, ToolCall};

/// Messages of a JSON array (or one message object), in order; `None` when `value` is no
/// message list (so the caller keeps it as sent). One source message may give several:
/// each tool result becomes a `tool` message of its own.
pub fn messages(value: &Value, default_role: Role) -> Option<Vec<Message>> {
    let items = match value {
        Value::Array(items) => items.as_slice(),
        Value::Object(_) => std::slice::from_ref(value),
        _ => return None,
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.extend(message(item.as_object()?, default_role)?);
    }
    Some(out)
}

/// Finish reasons of messages that carry one (`finish_reason`, `finishReason`).
pub fn finish_reasons(value: &Value) -> Vec<String> {
    let items = match value {
        Value::Array(items) => items.as_slice(),
        Value::Object(_) => std::slice::from_ref(value),
        _ => return Vec::new(),
    };
    items.iter().filter_map(|item| text(item.get("finish_reason").or_else(|| item.get("finishReason"))?)).collect()
}

/// The message(s) of one object; `None` when it has neither a role nor anything a message
/// holds.
fn message(object: &Map<String, Value>, default_role: Role) -> Option<Vec<Message>> {
    if let Some(Value::Object(inner)) = object.get("message") {
        return message(inner, default_role);
    }
    let role = match object.get("role").and_then(Value::as_str) {
        Some(role) => Role::parse(role).unwrap_or(default_role),
        None if ["parts", "content", "contents", "tool_calls"].iter().any(|k| object.contains_key(*k)) => default_role,
        None => return None,
    };
    let mut head = Message::new(role, Content::Null);
    head.name = object.get("name").and_then(text);
    if role == Role::Tool {
        head.tool_call_id = ["tool_call_id", "toolCallId", "id"].iter().find_map(|key| object.get(*key).and_then(text));
    }
    let mut results = Vec::new();
    let mut parts = Vec::new();
    let sources = ["parts", "content", "contents"];
    for source in sources.iter().filter_map(|key| object.get(*key)) {
        match source {
            Value::Array(items) => {
                for item in items {
                    read_part(item, &mut parts, &mut head.tool_calls, &mut results);
                }
            }
            Value::Null => {}
            Value::String(text) => match parts_text(text) {
                Some(items) => {
                    items.iter().for_each(|item| read_part(item, &mut parts, &mut head.tool_calls, &mut results))
                }
                None => parts.push(Part::Text { text: text.clone() }),
            },
            other => parts.push(Part::Text { text: other.to_string() }),
        }
    }
    for call in object.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
        if let Some(call) = call.as_object().and_then(tool_call) {
            head.tool_calls.push(call);
        }
    }
    head.content = Content::from_parts(parts);
    let mut out = Vec::with_capacity(1 + results.len());
    if !head.is_empty() || results.is_empty() {
        out.push(head);
    }
    out.extend(results);
    Some(out)
}

/// Content sent as JSON text of an array of typed parts (OpenLLMetry's multimodal
/// `gen_ai.prompt.N.content`); `None` for any other text.
fn parts_text(text: &str) -> Option<Vec<Value>> {
    if !text.starts_with("[{") {
        return None;
    }
    let items: Vec<Value> = serde_json::from_str(text).ok()?;
    items.iter().all(|item| item.get("type").is_some_and(Value::is_string)).then_some(items)
}

/// One content part of any convention, sorted into parts, tool calls or tool results.
fn read_part(item: &Value, parts: &mut Vec<Part>, calls: &mut Vec<ToolCall>, results: &mut Vec<Message>) {
    let object = match item {
        Value::Object(object) => object,
        Value::String(text) => return parts.push(Part::Text { text: text.clone() }),
        _ => return,
    };
    let get = |key: &str| object.get(key);
    let string = |keys: &[&str]| keys.iter().find_map(|key| get(key).and_then(text));
    let mime = string(&["mime_type", "mimeType", "mediaType", "media_type"]);
    let filename = string(&["filename", "name"]);
    match get("type").and_then(Value::as_str).unwrap_or("text") {
        "text" | "reasoning" | "input_text" | "output_text" => {
            if let Some(text) = string(&["text", "content", "value"]) {
                parts.push(Part::Text { text });
            }
        }
        "tool_call" | "tool-call" | "function_call" | "tool_use" => {
            if let Some(call) = tool_call(object) {
                calls.push(call);
            }
        }
        "tool_call_response" | "tool-result" | "tool_result" => {
            let response = ["response", "result", "output", "content"].iter().find_map(|key| get(key));
            let mut result = Message::new(Role::Tool, response.map_or(Content::Null, tool_result_content));
            result.tool_call_id = string(&["id", "toolCallId", "tool_call_id", "tool_use_id"]);
            result.name = string(&["toolName", "name"]);
            results.push(result);
        }
        "image_url" => {
            let url = get("image_url").and_then(|image| image.get("url").or(Some(image))).and_then(text);
            parts.extend(url.map(|url| Part::media(Some("image/*"), url, None)));
        }
        "input_audio" => {
            let audio = get("input_audio");
            let data = audio.and_then(|a| a.get("data")).and_then(text);
            let format = audio.and_then(|a| a.get("format")).and_then(text).unwrap_or_default();
            parts.extend(data.map(|data| match data.starts_with("data:") || data.starts_with("@@@") {
                true => Part::media(Some(&format!("audio/{format}")), data, None),
                false => Part::blob(&format!("audio/{format}"), &data, None),
            }));
        }
        "blob" => {
            let mime = mime.unwrap_or_else(|| modality_mime(get("modality")));
            if let Some(content) = string(&["content", "data"]) {
                parts.push(Part::blob(&mime, &content, filename));
            }
        }
        "uri" | "image" | "file" => {
            // GenAI `uri`; AI SDK `image` / `file` (a URL, data URI or bare base64);
            // OpenAI `file`; OpenInference `image` (`image.image.url` gathered).
            let nested = get("file").or_else(|| get("image")).and_then(Value::as_object);
            let location = string(&["uri", "url", "data", "file_data", "image"]).or_else(|| {
                nested.and_then(|n| ["url", "file_data", "image"].iter().find_map(|k| n.get(*k))).and_then(nested_url)
            });
            let mime = mime.or_else(|| {
                [get("type"), get("modality")].contains(&Some(&Value::from("image"))).then(|| "image/*".into())
            });
            let filename = filename.or_else(|| nested.and_then(|n| n.get("filename")).and_then(text));
            parts.extend(location.map(|location| media_part(mime, location, filename)));
        }
        _ => parts.push(Part::Text { text: item.to_string() }),
    }
}

/// A URL in `{"url": ...}` or a string.
fn nested_url(value: &Value) -> Option<String> {
    text(value).or_else(|| value.get("url").and_then(text))
}

/// A media part at `location`: bare base64 (no scheme, no reference) is made a data URI.
fn media_part(mime: Option<String>, location: String, filename: Option<String>) -> Part {
    let is_located = location.starts_with("data:") || location.starts_with("@@@") || location.contains("://");
    match (is_located, mime) {
        (false, Some(mime)) if !mime.ends_with("/*") => Part::blob(&mime, &location, filename),
        (_, mime) => Part::media(mime.as_deref(), location, filename),
    }
}

/// MIME type of a GenAI `modality` when a blob gave none.
fn modality_mime(modality: Option<&Value>) -> String {
    match modality.and_then(Value::as_str) {
        Some("image") => "image/png",
        Some("audio") => "audio/wav",
        Some("video") => "video/mp4",
        _ => "application/octet-stream",
    }
    .to_owned()
}

/// A tool call of any convention: OpenAI `{"id", "function": {"name", "arguments"}}`,
/// GenAI / OpenLLMetry `{"id", "name", "arguments"}`, AI SDK `{"toolCallId", "toolName",
/// "args" | "input"}`.
pub fn tool_call(object: &Map<String, Value>) -> Option<ToolCall> {
    let function = object.get("function").and_then(Value::as_object).unwrap_or(object);
    let name = ["name", "toolName"].iter().find_map(|key| function.get(*key).and_then(text))?;
    let arguments = ["arguments", "args", "input"].iter().find_map(|key| function.get(*key));
    let id = ["id", "toolCallId", "tool_call_id"].iter().find_map(|key| object.get(*key).and_then(text));
    Some(ToolCall::new(id, name, arguments))
}

/// A tool's result as content: AI SDK v5 wraps it as `{"type": "json"|"text", "value"}`.
fn tool_result_content(value: &Value) -> Content {
    match value {
        Value::Object(object) if object.contains_key("value") && object.contains_key("type") => {
            Content::from_value(&object["value"])
        }
        other => Content::from_value(other),
    }
}

/// Text of a string or number.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}
