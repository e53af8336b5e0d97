//! The one convention mapper: turns a bag of attributes (fields of a foreign `tracing`
//! span, or attributes of an incoming OTLP span) into observation fields. Priority per
//! concept: Langfuse keys first, then OTel GenAI (current, then older), then OpenInference,
//! then OpenLLMetry, then the Vercel AI SDK (see `docs/wire-format.md`, "Foreign
//! conventions"). Messages of any of them are stored in one normal form ([`messages`]).
//! Keys not recognised end up in the observation's metadata.
//!
//! The concepts are read in files of their own: the type ([`kind`]), input, output and
//! tools ([`io`]), usage, cost and parameters ([`usage`]); the trace-level and the
//! remaining fields here.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

mod bag;
mod io;
mod kind;
pub mod messages;
pub mod otlp;
mod usage;
mod values;

use bag::Bag;
use values::{as_bool, as_f64, as_tags, as_timestamp, as_u64};
pub use values::{as_json, as_payload, as_string};

use crate::record::{Level, ObservationType, Payload, PromptRef, Timestamp, TraceAttributes};
use crate::vocab::{gen_ai, langfuse, metadata, openinference, openllmetry, otel, vercel};

/// Observation and trace fields recognised in a bag of attributes. `None` / empty means
/// the attributes said nothing about that field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MappedAttributes {
    /// Observation type (explicit, or generation when model/usage keys are present).
    pub observation_type: Option<ObservationType>,
    /// Name override (`otel.name`).
    pub name: Option<String>,
    /// GenAI's operation and what it acts on (`execute_tool` and `gen_ai.tool.name`,
    /// `invoke_agent` and `gen_ai.agent.name`), which complete a span named by its
    /// operation alone (see [`Self::name_for`]).
    pub operation_subject: Option<(String, String)>,
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
    /// Time from the start to the first token, when a convention gave it relative to the
    /// start (see [`Self::completion_start`]).
    pub first_token_after: Option<Duration>,
    /// Class of the error that ended the operation (`error.type`): level ERROR, and the
    /// status message when nothing else gives one.
    pub error_type: Option<String>,
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

impl MappedAttributes {
    /// Time of the first token: the explicit one, else `start` plus the time to it.
    pub fn completion_start(&self, start: Timestamp) -> Option<Timestamp> {
        let after =
            |after: Duration| Timestamp(start.0.saturating_add(after.as_nanos().try_into().unwrap_or(u64::MAX)));
        self.completion_start_time.or_else(|| self.first_token_after.map(after))
    }

    /// The name of the observation of a span called `span_name`, if not `span_name`
    /// itself: the override, else GenAI's `{operation} {subject}` when the span is named
    /// by its operation alone (rig-agent calls every tool span `execute_tool`; GenAI's
    /// span names add the tool's or the agent's name).
    pub fn name_for(&self, span_name: &str) -> Option<String> {
        match (&self.name, &self.operation_subject) {
            (Some(name), _) => Some(name.clone()),
            (None, Some((operation, subject))) if operation == span_name => Some(format!("{operation} {subject}")),
            _ => None,
        }
    }
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
            operation_subject: self.operation_subject(),
            level: self.first(&[langfuse::OBSERVATION_LEVEL]).and_then(as_string).and_then(|l| Level::parse_alias(&l)),
            status_message: self.first_string(&[langfuse::OBSERVATION_STATUS_MESSAGE, otel::STATUS_MESSAGE_FIELD]),
            error_type: self.first_string(&[otel::ERROR_TYPE]),
            model: self.first_string(&[
                langfuse::MODEL_NAME,
                gen_ai::RESPONSE_MODEL,
                gen_ai::REQUEST_MODEL,
                openinference::MODEL_NAME,
                vercel::RESPONSE_MODEL,
                vercel::MODEL_ID,
            ]),
            model_parameters: self.model_parameters(),
            usage_details: self.usage_details(),
            cost_details: self.cost_details(),
            completion_start_time: self.first(&[langfuse::COMPLETION_START_TIME]).and_then(as_timestamp),
            first_token_after: self.first_token_after(),
            prompt: self.prompt(),
            version: self.first_string(&[langfuse::VERSION]),
            environment: self.first_string(&[langfuse::ENVIRONMENT]),
            as_root: self.first(&[langfuse::AS_ROOT]).and_then(as_bool).unwrap_or(false),
            trace: self.trace(),
            ..MappedAttributes::default()
        };
        self.io(&mut out);
        // Last: the parameters' `model` (OpenInference sends a refused call's model only
        // among its invocation parameters).
        if out.model.is_none() {
            out.model = out.model_parameters.get("model").and_then(Value::as_str).map(str::to_owned);
        }
        if out.level.is_none()
            && (out.error_type.is_some()
                || self.first_string(&[otel::STATUS_CODE_FIELD]).is_some_and(|c| c.eq_ignore_ascii_case("error")))
        {
            out.level = Some(Level::Error);
        }
        if out.observation_type.is_none() && (out.model.is_some() || !out.usage_details.is_empty()) {
            out.observation_type = Some(ObservationType::Generation);
        }
        if let Some(provider) =
            self.first_string(&[gen_ai::PROVIDER_NAME, gen_ai::SYSTEM, openinference::PROVIDER, vercel::MODEL_PROVIDER])
        {
            out.metadata.insert(metadata::PROVIDER.to_owned(), Value::String(provider));
        }
        if let Some(Value::Object(object)) = self.first(&[langfuse::OBSERVATION_METADATA]).map(as_json) {
            out.metadata.extend(object);
        }
        for (key, value) in self.prefixed(langfuse::OBSERVATION_METADATA_PREFIX) {
            out.metadata.insert(key.to_owned(), as_json(value));
        }
        self.telemetry_metadata(&mut out);
        // Said by the observation's type and name already.
        self.first(&[otel::KIND_FIELD, vercel::OPERATION_ID]);
        for (&(key, value), used) in self.bag.own.iter().zip(&self.used) {
            if !used {
                out.metadata.entry(key.to_owned()).or_insert_with(|| value.clone());
            }
        }
        out.metadata.retain(|key, _| !self.bag.only_in_base(key));
        out
    }

    /// GenAI's tool or agent operation with the tool's or the agent's name. (Elsewhere
    /// these names stay in metadata: rig-agent's `chat` spans name their agent.)
    /// The operation is compared in place: only tool and agent spans allocate here.
    fn operation_subject(&mut self) -> Option<(String, String)> {
        let operation = self.first(&[gen_ai::OPERATION_NAME]).and_then(Value::as_str)?;
        let subject = match operation {
            "execute_tool" => self.first_string(&[gen_ai::TOOL_NAME]),
            "invoke_agent" | "create_agent" => self.first_string(&[gen_ai::AGENT_NAME]),
            _ => None,
        }?;
        Some((operation.to_owned(), subject))
    }

    /// Time to the first token: GenAI's seconds, else the AI SDK's milliseconds.
    fn first_token_after(&mut self) -> Option<Duration> {
        let seconds = self.first(&[gen_ai::RESPONSE_TIME_TO_FIRST_CHUNK]).and_then(as_f64);
        let millis = self.first(&[vercel::RESPONSE_MS_TO_FIRST_CHUNK]).and_then(as_f64).map(|ms| ms / 1000.0);
        seconds.or(millis).filter(|s| s.is_finite() && *s >= 0.0).map(Duration::from_secs_f64)
    }

    /// The AI SDK's `ai.telemetry.metadata.<key>`: Langfuse's keys (user, session, tags,
    /// prompt link) go to the trace and prompt; the others to metadata under `<key>`.
    fn telemetry_metadata(&mut self, out: &mut MappedAttributes) {
        for (key, value) in self.prefixed(vercel::METADATA_PREFIX) {
            match key {
                vercel::METADATA_USER_ID => fill(&mut out.trace.user_id, as_string(value)),
                vercel::METADATA_SESSION_ID => fill(&mut out.trace.session_id, as_string(value)),
                vercel::METADATA_TAGS => out.trace.add_tags(as_tags(value)),
                vercel::METADATA_LANGFUSE_PROMPT => {
                    let link = as_json(value);
                    let name = link.get("name").and_then(as_string);
                    let version = link.get("version").and_then(as_u64).and_then(|v| u32::try_from(v).ok());
                    if let (None, Some(name), Some(version)) = (&out.prompt, name, version) {
                        out.prompt = Some(PromptRef { name, version });
                    }
                }
                _ => {
                    out.metadata.insert(key.to_owned(), as_json(value));
                }
            }
        }
    }

    fn prompt(&mut self) -> Option<PromptRef> {
        let name = self.first_string(&[langfuse::PROMPT_NAME, langfuse::PROMPT_NAME_ALT]);
        let version = self.first(&[langfuse::PROMPT_VERSION, langfuse::PROMPT_VERSION_ALT]).and_then(as_u64);
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
            input: self.first(&[langfuse::TRACE_INPUT]).map(as_payload),
            output: self.first(&[langfuse::TRACE_OUTPUT]).map(as_payload),
            release: self.first_string(&[langfuse::RELEASE]),
            ..TraceAttributes::default()
        };
        if let Some(tags) = self.first(&[langfuse::TRACE_TAGS, openinference::TAGS]) {
            trace.add_tags(as_tags(tags));
        }
        if let Some(Value::Object(object)) = self.first(&[langfuse::TRACE_METADATA]).map(as_json) {
            trace.metadata.extend(object);
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

/// Sets `slot` to `value` unless already set.
fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_clients;
