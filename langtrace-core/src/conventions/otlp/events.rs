//! What a span's events say to the mapper: GenAI message events (`gen_ai.user.message`,
//! `gen_ai.choice`, ... and the older `gen_ai.content.prompt` / `.completion`) give the
//! input and output messages when no attribute did; an `exception` event gives the status
//! message of a failed span. Event bodies come as attributes: one JSON text
//! (`gen_ai.event.content`), or the body's fields one per attribute (`content`,
//! `tool_calls` as JSON text, `id`, `message`, `finish_reason`).

use serde_json::{Map, Value};

use super::OtlpEvent;
use crate::conventions::messages::{read, Content, Message, Role};
use crate::vocab::{gen_ai, otel};

/// Messages and error found in a span's events.
#[derive(Debug, Default, PartialEq)]
pub struct EventFacts {
    /// Input messages, in event order.
    pub input: Vec<Message>,
    /// Output messages (choices), in event order.
    pub output: Vec<Message>,
    /// Finish reasons of the choices.
    pub finish_reasons: Vec<String>,
    /// Message (else type) of the first exception event.
    pub exception: Option<String>,
}

/// Reads `events`.
pub fn read_events(events: &[OtlpEvent]) -> EventFacts {
    let mut facts = EventFacts::default();
    for event in events {
        let role = match event.name.as_str() {
            gen_ai::EVENT_SYSTEM_MESSAGE => Role::System,
            gen_ai::EVENT_USER_MESSAGE => Role::User,
            gen_ai::EVENT_ASSISTANT_MESSAGE => Role::Assistant,
            gen_ai::EVENT_TOOL_MESSAGE => Role::Tool,
            gen_ai::EVENT_CHOICE => {
                let body = body(event);
                facts.finish_reasons.extend(read::finish_reasons(&body));
                facts.output.extend(read::messages(&body, Role::Assistant).unwrap_or_default());
                continue;
            }
            gen_ai::EVENT_CONTENT_PROMPT => {
                facts.input.extend(content(event, gen_ai::PROMPT, Role::User));
                continue;
            }
            gen_ai::EVENT_CONTENT_COMPLETION => {
                facts.output.extend(content(event, gen_ai::COMPLETION, Role::Assistant));
                continue;
            }
            otel::EXCEPTION_EVENT => {
                let text = |key: &str| attribute(event, key).and_then(|v| v.as_str()).map(str::to_owned);
                facts.exception = facts
                    .exception
                    .take()
                    .or_else(|| text(otel::EXCEPTION_MESSAGE))
                    .or_else(|| text(otel::EXCEPTION_TYPE));
                continue;
            }
            _ => continue,
        };
        facts.input.extend(read::messages(&body(event), role).unwrap_or_default());
    }
    facts
}

fn attribute<'a>(event: &'a OtlpEvent, key: &str) -> Option<&'a Value> {
    event.attributes.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The event's body: the JSON of `gen_ai.event.content`, else its attributes as an
/// object, with fields sent as JSON text (`tool_calls`, `message`, a `content` array)
/// parsed.
fn body(event: &OtlpEvent) -> Value {
    if let Some(Value::String(text)) = attribute(event, gen_ai::EVENT_CONTENT) {
        if let Ok(body) = serde_json::from_str::<Value>(text) {
            return body;
        }
    }
    let mut object = Map::new();
    for (key, value) in &event.attributes {
        let value = match value {
            Value::String(text) if text.trim_start().starts_with(['[', '{']) => {
                serde_json::from_str(text).unwrap_or_else(|_| value.clone())
            }
            other => other.clone(),
        };
        object.insert(key.clone(), value);
    }
    Value::Object(object)
}

/// Messages of an older content event's `key` attribute: JSON messages, or text as one
/// message of `role`.
fn content(event: &OtlpEvent, key: &str, role: Role) -> Vec<Message> {
    let Some(value) = attribute(event, key) else { return Vec::new() };
    let parsed = match value {
        Value::String(text) => serde_json::from_str::<Value>(text).ok(),
        other => Some(other.clone()),
    };
    parsed
        .and_then(|json| read::messages(&json, role))
        .unwrap_or_else(|| vec![Message::new(role, Content::from_value(value))])
}
