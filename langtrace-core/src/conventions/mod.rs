//! The one convention mapper: turns a bag of attributes (fields of a foreign `tracing`
//! span, or attributes of an incoming OTLP span) into observation fields. Priority per
//! concept: Langfuse keys first, then OpenInference, then OTel GenAI, then OpenLLMetry.
//! Keys not recognised end up in the observation's metadata.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

mod bag;
pub mod messages;
pub mod otlp;
mod values;

use bag::Bag;
use values::{as_bool, as_tags, as_timestamp, as_u64, number_object};
pub use values::{as_json, as_payload, as_string};

use crate::record::{Level, ObservationType, Payload, PromptRef, Timestamp, TraceAttributes};
use crate::vocab::{gen_ai, langfuse, openinference, openllmetry, otel, usage};

/// Observation and trace fields recognised in a bag of attributes. `None` / empty means
/// the attributes said nothing about that field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MappedAttributes {
    /// Observation type (explicit, or generation when model/usage keys are present).
    pub observation_type: Option<ObservationType>,
    /// Name override (`otel.name`).
    pub name: Option<String>,
    /// Level (Langfuse level with aliases, else ERROR from `otel.status_code`).
    pub level: Option<Level>,
    /// Status message.
    pub status_message: Option<String>,
    /// Input (JSON text kept as sent when it is valid JSON: nothing parsed or rebuilt).
    pub input: Option<Payload>,
    /// Output.
    pub output: Option<Payload>,
    /// Observation metadata, including every attribute not recognised.
    pub metadata: Map<String, Value>,
    /// Model name.
    pub model: Option<String>,
    /// Model parameters.
    pub model_parameters: Map<String, Value>,
    /// Token counts.
    pub usage_details: BTreeMap<String, u64>,
    /// Costs in USD.
    pub cost_details: BTreeMap<String, f64>,
    /// Time of the first token.
    pub completion_start_time: Option<Timestamp>,
    /// Prompt link.
    pub prompt: Option<PromptRef>,
    /// Version.
    pub version: Option<String>,
    /// Environment.
    pub environment: Option<String>,
    /// `langfuse.internal.as_root`.
    pub as_root: bool,
    /// Trace-level attributes (user, session, tags, trace metadata, ...).
    pub trace: TraceAttributes,
}

/// Maps attributes to observation fields. Later duplicates of a key win.
pub fn map_attributes<'a, I>(attributes: I) -> MappedAttributes
where
    I: IntoIterator<Item = (&'a str, &'a Value)>,
{
    static NO_BASE: BTreeMap<String, Value> = BTreeMap::new();
    map_attributes_over(&NO_BASE, attributes)
}

/// Maps `attributes` laid over `base` (the attributes of a span's resource, say) as if
/// `base` came first: a key of `attributes` wins over the same key of `base`. Keys of
/// `base` are shared context, not this bag's own, so they stay out of the metadata unless
/// `attributes` has them too. The cost grows with `attributes` and with the keys of `base`
/// the mapping reads, not with the size of `base`, so one base can serve many bags.
pub fn map_attributes_over<'a, I>(base: &'a BTreeMap<String, Value>, attributes: I) -> MappedAttributes
where
    I: IntoIterator<Item = (&'a str, &'a Value)>,
{
    let bag = Bag::new(attributes, base);
    let used = vec![false; bag.own.len()];
    Mapper { bag: &bag, used }.map()
}

struct Mapper<'b, 'a> {
    bag: &'b Bag<'a>,
    /// Per own attribute (same positions as `bag.own`): read by the mapping, so not metadata.
    used: Vec<bool>,
}

impl<'a> Mapper<'_, 'a> {
    /// The first present key of `keys`, marking every present one as used.
    fn first(&mut self, keys: &[&'a str]) -> Option<&'a Value> {
        let mut found = None;
        for key in keys {
            if let Some((index, value)) = self.bag.get(key) {
                if let Some(index) = index {
                    self.used[index] = true;
                }
                found = found.or(Some(value));
            }
        }
        found
    }

    fn first_string(&mut self, keys: &[&'a str]) -> Option<String> {
        self.first(keys).and_then(as_string)
    }

    /// Entries whose key starts with `prefix`, with the prefix removed.
    fn prefixed(&mut self, prefix: &str) -> Vec<(&'a str, &'a Value)> {
        for index in self.bag.own_prefixed(prefix) {
            self.used[index] = true;
        }
        self.bag.prefixed(prefix).into_iter().map(|(key, value)| (&key[prefix.len()..], value)).collect()
    }

    fn map(mut self) -> MappedAttributes {
        let mut out = MappedAttributes {
            observation_type: self.observation_type(),
            name: self.first_string(&[otel::NAME_FIELD]),
            level: self.first(&[langfuse::OBSERVATION_LEVEL]).and_then(as_string).and_then(|l| Level::parse_alias(&l)),
            status_message: self.first_string(&[langfuse::OBSERVATION_STATUS_MESSAGE, otel::STATUS_MESSAGE_FIELD]),
            input: self.io(&[
                langfuse::OBSERVATION_INPUT,
                openinference::INPUT_VALUE,
                gen_ai::INPUT_MESSAGES,
                gen_ai::TOOL_CALL_ARGUMENTS,
                openllmetry::ENTITY_INPUT,
            ]),
            output: self.io(&[
                langfuse::OBSERVATION_OUTPUT,
                openinference::OUTPUT_VALUE,
                gen_ai::OUTPUT_MESSAGES,
                gen_ai::TOOL_CALL_RESULT,
                openllmetry::ENTITY_OUTPUT,
            ]),
            model: self.first_string(&[
                langfuse::MODEL_NAME,
                openinference::MODEL_NAME,
                gen_ai::RESPONSE_MODEL,
                gen_ai::REQUEST_MODEL,
            ]),
            model_parameters: self.model_parameters(),
            usage_details: self.usage_details(),
            cost_details: self.first(&[langfuse::COST_DETAILS]).map(number_object).unwrap_or_default(),
            completion_start_time: self.first(&[langfuse::COMPLETION_START_TIME]).and_then(as_timestamp),
            prompt: self.prompt(),
            version: self.first_string(&[langfuse::VERSION]),
            environment: self.first_string(&[langfuse::ENVIRONMENT]),
            as_root: self.first(&[langfuse::AS_ROOT]).and_then(as_bool).unwrap_or(false),
            trace: self.trace(),
            metadata: Map::new(),
        };
        if out.level.is_none()
            && self.first_string(&[otel::STATUS_CODE_FIELD]).is_some_and(|c| c.eq_ignore_ascii_case("error"))
        {
            out.level = Some(Level::Error);
        }
        if out.observation_type.is_none() && (out.model.is_some() || !out.usage_details.is_empty()) {
            out.observation_type = Some(ObservationType::Generation);
        }
        if let Some(system) = self.first(&[gen_ai::SYSTEM_INSTRUCTIONS]) {
            out.metadata.insert(gen_ai::SYSTEM_INSTRUCTIONS.to_owned(), as_json(system));
        }
        for (key, value) in self.prefixed(langfuse::OBSERVATION_METADATA_PREFIX) {
            out.metadata.insert(key.to_owned(), as_json(value));
        }
        // Said by the observation's type and name already.
        self.first(&[otel::KIND_FIELD, gen_ai::AGENT_NAME, gen_ai::TOOL_NAME]);
        for (&(key, value), used) in self.bag.own.iter().zip(&self.used) {
            if !used {
                out.metadata.insert(key.to_owned(), value.clone());
            }
        }
        out.metadata.retain(|key, _| !self.bag.only_in_base(key));
        out
    }

    fn observation_type(&mut self) -> Option<ObservationType> {
        use ObservationType as T;
        let langfuse = self.first_string(&[langfuse::OBSERVATION_TYPE]).and_then(|t| T::parse(&t));
        let openinference = self.first_string(&[openinference::SPAN_KIND]).and_then(|kind| {
            Some(match kind.to_ascii_uppercase().as_str() {
                "LLM" => T::Generation,
                "CHAIN" => T::Chain,
                "TOOL" => T::Tool,
                "AGENT" => T::Agent,
                "RETRIEVER" | "RERANKER" => T::Retriever,
                "EMBEDDING" => T::Embedding,
                "GUARDRAIL" => T::Guardrail,
                "EVALUATOR" => T::Evaluator,
                _ => return None,
            })
        });
        let gen_ai = self.first_string(&[gen_ai::OPERATION_NAME]).and_then(|op| {
            Some(match op.as_str() {
                "chat" | "text_completion" | "generate_content" => T::Generation,
                "embeddings" => T::Embedding,
                "invoke_agent" | "create_agent" => T::Agent,
                "execute_tool" => T::Tool,
                "retrieval" => T::Retriever,
                _ => return None,
            })
        });
        let openllmetry = self.first_string(&[openllmetry::SPAN_KIND]).and_then(|kind| {
            Some(match kind.as_str() {
                "workflow" => T::Chain,
                "task" => T::Span,
                "agent" => T::Agent,
                "tool" => T::Tool,
                _ => return None,
            })
        });
        langfuse.or(openinference).or(gen_ai).or(openllmetry)
    }

    fn io(&mut self, keys: &[&'a str]) -> Option<Payload> {
        self.first(keys).map(as_payload)
    }

    fn model_parameters(&mut self) -> Map<String, Value> {
        let explicit = self.first(&[langfuse::MODEL_PARAMETERS, openinference::INVOCATION_PARAMETERS]).map(as_json);
        // Read (and so kept out of metadata) even when an explicit object wins: a writer
        // such as our bridge sends both spellings.
        let skip = [gen_ai::REQUEST_MODEL];
        let gen_ai: Map<String, Value> = self
            .prefixed(gen_ai::REQUEST_PREFIX)
            .into_iter()
            .filter(|(key, _)| !skip.iter().any(|s| s.ends_with(key)))
            .map(|(key, value)| (key.to_owned(), value.clone()))
            .collect();
        match explicit {
            Some(Value::Object(params)) => params,
            _ => gen_ai,
        }
    }

    fn usage_details(&mut self) -> BTreeMap<String, u64> {
        let explicit = self.first(&[langfuse::USAGE_DETAILS]).map(|details| {
            as_json(details)
                .as_object()
                .map(|object| object.iter().filter_map(|(k, v)| Some((k.clone(), as_u64(v)?))).collect())
                .unwrap_or_default()
        });
        let mut details = BTreeMap::new();
        let sources: [(&str, &[&'a str]); 5] = [
            (
                usage::INPUT,
                &[openinference::TOKEN_COUNT_PROMPT, gen_ai::USAGE_INPUT_TOKENS, gen_ai::USAGE_PROMPT_TOKENS],
            ),
            (
                usage::OUTPUT,
                &[openinference::TOKEN_COUNT_COMPLETION, gen_ai::USAGE_OUTPUT_TOKENS, gen_ai::USAGE_COMPLETION_TOKENS],
            ),
            (usage::TOTAL, &[openinference::TOKEN_COUNT_TOTAL, openllmetry::USAGE_TOTAL_TOKENS]),
            (usage::CACHE_READ_INPUT_TOKENS, &[gen_ai::USAGE_CACHE_READ_INPUT_TOKENS]),
            (usage::REASONING_OUTPUT_TOKENS, &[gen_ai::USAGE_REASONING_OUTPUT_TOKENS]),
        ];
        // Read even when the explicit details win, so the other spellings stay out of metadata.
        for (key, keys) in sources {
            if let Some(count) = self.first(keys).and_then(as_u64) {
                details.insert(key.to_owned(), count);
            }
        }
        explicit.unwrap_or(details)
    }

    fn prompt(&mut self) -> Option<PromptRef> {
        let name = self.first_string(&[langfuse::PROMPT_NAME]);
        let version = self.first(&[langfuse::PROMPT_VERSION]).and_then(as_u64);
        Some(PromptRef { name: name?, version: u32::try_from(version?).ok()? })
    }

    fn trace(&mut self) -> TraceAttributes {
        let association = self.prefixed(openllmetry::ASSOCIATION_PREFIX);
        let associated = |name: &str| association.iter().find(|(k, _)| *k == name).and_then(|(_, v)| as_string(v));
        let mut trace = TraceAttributes {
            name: self.first_string(&[langfuse::TRACE_NAME]),
            user_id: self.first_string(&[langfuse::USER_ID, langfuse::USER_ID_ALT]).or_else(|| associated("user_id")),
            session_id: self
                .first_string(&[langfuse::SESSION_ID, langfuse::SESSION_ID_ALT, gen_ai::CONVERSATION_ID])
                .or_else(|| associated("session_id")),
            public: self.first(&[langfuse::TRACE_PUBLIC]).and_then(as_bool),
            input: self.io(&[langfuse::TRACE_INPUT]),
            output: self.io(&[langfuse::TRACE_OUTPUT]),
            release: self.first_string(&[langfuse::RELEASE]),
            ..TraceAttributes::default()
        };
        if let Some(tags) = self.first(&[langfuse::TRACE_TAGS, openinference::TAGS]) {
            trace.add_tags(as_tags(tags));
        }
        for (key, value) in self.prefixed(langfuse::TRACE_METADATA_PREFIX) {
            trace.metadata.insert(key.to_owned(), as_json(value));
        }
        for (key, value) in association.iter().filter(|(k, _)| !matches!(*k, "user_id" | "session_id")) {
            trace.metadata.insert((*key).to_owned(), as_json(value));
        }
        trace
    }
}

#[cfg(test)]
mod tests;
