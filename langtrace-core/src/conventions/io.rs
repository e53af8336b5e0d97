//! Input, output, tool definitions and finish reasons (see `docs/wire-format.md`,
//! "Foreign conventions" and "Normal form of messages"). Each is taken from the first
//! convention that sends it; messages of any convention are stored in the normal form,
//! with a reshaped JSON original kept once in metadata under its own key.

use serde_json::{Map, Value};

use super::messages::{indexed, input_value, output_value, read, Content, Message, Role};
use super::values::{as_json, as_payload};
use super::{MappedAttributes, Mapper};
use crate::record::Payload;
use crate::vocab::{gen_ai, langfuse, metadata, openinference, openllmetry, vercel};

impl<'a> Mapper<'_, 'a> {
    pub(super) fn io(&mut self, out: &mut MappedAttributes) {
        let mut finish_reasons = self.first(&[gen_ai::RESPONSE_FINISH_REASONS]).map(|v| string_list(&as_json(v)));
        out.input = self.input(&mut out.metadata);
        out.output = self.output(&mut out.metadata, &mut finish_reasons);
        let vercel_reason = self.first_string(&[vercel::RESPONSE_FINISH_REASON]);
        if let Some(reasons) = finish_reasons.or(vercel_reason.map(|r| vec![r])).filter(|r| !r.is_empty()) {
            out.metadata.insert(metadata::FINISH_REASONS.to_owned(), reasons.into());
        }
        if let Some(tools) = self.tools() {
            out.metadata.insert(metadata::TOOLS.to_owned(), tools);
        }
    }

    /// Input, first source winning; every source is read, so the losers stay out of
    /// metadata (except OpenInference's `input.value` beside indexed messages: the
    /// request as sent, kept as the original).
    fn input(&mut self, metadata: &mut Map<String, Value>) -> Option<Payload> {
        let langfuse = self.first(&[langfuse::OBSERVATION_INPUT]).map(as_payload);
        let system = self.first(&[gen_ai::SYSTEM_INSTRUCTIONS]);
        let gen_ai = self.first(&[gen_ai::INPUT_MESSAGES]);
        let tool_arguments = self.first(&[gen_ai::TOOL_CALL_ARGUMENTS, vercel::TOOL_CALL_ARGS]).map(as_payload);
        let openinference = self.indexed(openinference::INPUT_MESSAGES_PREFIX, Role::User);
        let value = match openinference {
            Some(_) => None,
            None => self.mime_value(openinference::INPUT_VALUE, openinference::INPUT_MIME_TYPE),
        };
        let openllmetry = self.indexed(gen_ai::PROMPT_PREFIX, Role::User);
        let prompt = self.first(&[gen_ai::PROMPT]);
        let vercel_messages = self.first(&[vercel::PROMPT_MESSAGES]);
        let vercel_prompt = self.first(&[vercel::PROMPT]);
        let entity = self.first(&[openllmetry::ENTITY_INPUT]).map(as_payload);
        let system = system.map(|value| (value, system_message(value)));

        // Whether the input holds the system instructions (else they go to metadata).
        let built_with_system = std::cell::Cell::new(false);
        let input = langfuse
            .or_else(|| {
                let system = system.as_ref().and_then(|(_, message)| message.clone());
                let from_messages = |json: &Value| {
                    let input = input_value(system.clone(), read::messages(json, Role::User)?);
                    built_with_system.set(system.is_some());
                    Some(input)
                };
                match gen_ai {
                    Some(messages) => Some(reshaped(gen_ai::INPUT_MESSAGES, messages, metadata, from_messages)),
                    None => {
                        built_with_system.set(system.is_some());
                        Some(Payload::from(input_value(Some(system?), Vec::new())))
                    }
                }
            })
            .or(tool_arguments)
            .or_else(|| openinference.map(|messages| Payload::from(input_value(None, messages))))
            .or(value)
            .or_else(|| openllmetry.map(|messages| Payload::from(input_value(None, messages))))
            .or_else(|| {
                let from_messages = |json: &Value| Some(input_value(None, read::messages(json, Role::User)?));
                prompt.map(|prompt| reshaped(gen_ai::PROMPT, prompt, metadata, from_messages))
            })
            .or_else(|| {
                let from_messages = |json: &Value| Some(input_value(None, read::messages(json, Role::User)?));
                vercel_messages.map(|messages| reshaped(vercel::PROMPT_MESSAGES, messages, metadata, from_messages))
            })
            .or_else(|| vercel_prompt.map(|prompt| reshaped(vercel::PROMPT, prompt, metadata, vercel_prompt_messages)))
            .or(entity);
        if let (Some((value, _)), false) = (system, built_with_system.get()) {
            metadata.insert(gen_ai::SYSTEM_INSTRUCTIONS.to_owned(), as_json(value));
        }
        input
    }

    /// Output, first source winning, as for [`Self::input`]; finish reasons found in
    /// output messages fill `finish_reasons` unless a key gave them.
    fn output(&mut self, metadata: &mut Map<String, Value>, reasons: &mut Option<Vec<String>>) -> Option<Payload> {
        let langfuse = self.first(&[langfuse::OBSERVATION_OUTPUT]).map(as_payload);
        let gen_ai = self.first(&[gen_ai::OUTPUT_MESSAGES]);
        let tool_result = self.first(&[gen_ai::TOOL_CALL_RESULT, vercel::TOOL_CALL_RESULT]).map(as_payload);
        let openinference = self.indexed_tree(openinference::OUTPUT_MESSAGES_PREFIX);
        let value = match openinference {
            Some(_) => None,
            None => self.mime_value(openinference::OUTPUT_VALUE, openinference::OUTPUT_MIME_TYPE),
        };
        let openllmetry = self.indexed_tree(gen_ai::COMPLETION_PREFIX);
        let completion = self.first(&[gen_ai::COMPLETION]);
        let vercel = self.vercel_response();
        let entity = self.first(&[openllmetry::ENTITY_OUTPUT]).map(as_payload);

        let mut from_messages = |json: &Value| {
            let messages = read::messages(json, Role::Assistant)?;
            reasons.get_or_insert_with(|| read::finish_reasons(json));
            Some(output_value(messages))
        };
        if let Some(output) = langfuse {
            return Some(output);
        }
        if let Some(messages) = gen_ai {
            return Some(reshaped(gen_ai::OUTPUT_MESSAGES, messages, metadata, from_messages));
        }
        if tool_result.is_some() {
            return tool_result;
        }
        if let Some(output) = openinference.as_ref().and_then(&mut from_messages) {
            return Some(Payload::from(output));
        }
        if value.is_some() {
            return value;
        }
        if let Some(output) = openllmetry.as_ref().and_then(&mut from_messages) {
            return Some(Payload::from(output));
        }
        if let Some(completion) = completion {
            return Some(reshaped(gen_ai::COMPLETION, completion, metadata, from_messages));
        }
        vercel.or(entity)
    }

    /// Messages of the indexed attributes under `prefix`, read (and so out of metadata).
    fn indexed(&mut self, prefix: &str, role: Role) -> Option<Vec<Message>> {
        self.indexed_tree(prefix).and_then(|tree| read::messages(&tree, role))
    }

    fn indexed_tree(&mut self, prefix: &str) -> Option<Value> {
        indexed::gather(self.prefixed(prefix))
    }

    /// `key`'s value as a payload: text when its MIME type (`mime_key`) says `text/plain`,
    /// else as any value.
    fn mime_value(&mut self, key: &'a str, mime_key: &'a str) -> Option<Payload> {
        let value = self.first(&[key])?;
        let is_text = self.first_string(&[mime_key]).is_some_and(|mime| mime.starts_with("text/plain"));
        Some(if is_text { Payload::from(value.clone()) } else { as_payload(value) })
    }

    /// The AI SDK's answer: text and tool calls as one assistant message, else the
    /// structured object of `generateObject`.
    fn vercel_response(&mut self) -> Option<Payload> {
        let text = self.first(&[vercel::RESPONSE_TEXT]);
        let calls = self.first(&[vercel::RESPONSE_TOOL_CALLS]).map(as_json);
        let object = self.first(&[vercel::RESPONSE_OBJECT]).map(as_payload);
        let text = text.filter(|text| text.as_str() != Some(""));
        let mut message = Message::new(Role::Assistant, text.map_or(Content::Null, Content::from_value));
        let calls = calls.as_ref().and_then(Value::as_array).into_iter().flatten();
        message.tool_calls = calls.filter_map(|call| read::tool_call(call.as_object()?)).collect();
        match message.is_empty() {
            true => object,
            false => Some(Payload::from(output_value(vec![message]))),
        }
    }

    /// Tool definitions: GenAI's array, OpenInference's indexed JSON schemas, OpenLLMetry's
    /// indexed functions, the AI SDK's array of JSON texts; the first present.
    fn tools(&mut self) -> Option<Value> {
        let gen_ai = self.first(&[gen_ai::TOOL_DEFINITIONS]).map(as_json);
        let openinference = self.indexed_tree(openinference::TOOLS_PREFIX).map(|tree| parsed_items(&tree));
        let openllmetry = self.indexed_tree(openllmetry::REQUEST_FUNCTIONS_PREFIX).map(|tree| parsed_items(&tree));
        let vercel = self.first(&[vercel::PROMPT_TOOLS]).map(|tools| parsed_items(&as_json(tools)));
        gen_ai.or(openinference).or(openllmetry).or(vercel)
    }
}

/// A leading system message from `gen_ai.system_instructions` (parts, or text).
fn system_message(value: &Value) -> Option<Message> {
    let json = as_json(value);
    let parts = match json {
        Value::String(_) => Value::Array(vec![json]),
        Value::Array(_) => json,
        _ => return None,
    };
    let mut object = Map::new();
    object.insert("parts".into(), parts);
    let mut messages = read::messages(&Value::Object(object), Role::System)?;
    (messages.len() == 1).then(|| messages.pop()).flatten()
}

/// `value` read by `normal` from its JSON: the normal form, with the JSON kept in
/// `metadata` under `key` when it had another shape; as sent when `normal` does not
/// understand it (plain text, an unknown shape).
fn reshaped(
    key: &str,
    value: &Value,
    metadata: &mut Map<String, Value>,
    normal: impl FnOnce(&Value) -> Option<Value>,
) -> Payload {
    let json = as_json(value);
    match normal(&json) {
        Some(normal) if normal == json => as_payload(value),
        Some(normal) => {
            metadata.insert(key.to_owned(), json);
            Payload::from(normal)
        }
        None => as_payload(value),
    }
}

/// The AI SDK's `ai.prompt`: `{"system"?, "prompt"?, "messages"?}`, `prompt` being text
/// or messages.
fn vercel_prompt_messages(json: &Value) -> Option<Value> {
    let object = json.as_object()?;
    let system =
        object.get("system").and_then(Value::as_str).map(|s| Message::new(Role::System, Content::Text(s.into())));
    let mut messages = Vec::new();
    for key in ["prompt", "messages"] {
        match object.get(key) {
            Some(Value::String(text)) => messages.push(Message::new(Role::User, Content::Text(text.clone()))),
            Some(list @ Value::Array(_)) => messages.extend(read::messages(list, Role::User)?),
            _ => {}
        }
    }
    (system.is_some() || !messages.is_empty()).then(|| input_value(system, messages))
}

/// Items of an array, JSON texts parsed: an object of one field (an indexed
/// `json_schema`) is unwrapped, the fields of others parsed (OpenLLMetry's `parameters`).
fn parsed_items(value: &Value) -> Value {
    let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
    let item = |item: &Value| match json_text(item) {
        Value::Object(object) if object.len() == 1 => json_text(object.values().next().unwrap_or(&Value::Null)),
        Value::Object(object) => Value::Object(object.iter().map(|(k, v)| (k.clone(), json_text(v))).collect()),
        other => other,
    };
    Value::Array(items.iter().map(item).collect())
}

/// A string holding a JSON object or array, parsed; anything else as it is.
fn json_text(value: &Value) -> Value {
    match value {
        Value::String(text) if text.trim_start().starts_with(['{', '[']) => as_json(value),
        other => other.clone(),
    }
}

/// Strings of an array (or one string).
fn string_list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect(),
        Value::String(text) => vec![text.clone()],
        _ => Vec::new(),
    }
}
