//! Record -> OTLP span: one span per observation, same ids, parent and times, and the
//! attribute vocabulary of Langfuse (see `docs/wire-format.md`, "Langfuse attribute
//! vocabulary") plus the OTel GenAI keys for
//! generation-like, agent and tool observations so GenAI-aware backends read them too.
//!
//! Value formats: plain strings unquoted, structured values as JSON text, metadata
//! flattened per top-level key (strings raw, numbers and booleans typed, the rest JSON).

use langtrace_core::record::{
    ExperimentAttributes, Level, ObservationRecord, ObservationType, Payload, TraceAttributes,
};
use langtrace_core::vocab::{experiment, gen_ai, langfuse, otel, usage};
use langtrace_core::Config;
use opentelemetry::trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState};
use opentelemetry::{Array, InstrumentationScope, Key, KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
use opentelemetry_sdk::Resource;
use serde_json::{Map, Value as Json};

/// The instrumentation scope of every exported span: this crate and its version.
pub fn scope() -> InstrumentationScope {
    InstrumentationScope::builder("langtrace").with_version(env!("CARGO_PKG_VERSION")).build()
}

/// The resource of every span a sink exports for a layer with `config`: environment,
/// release and version of the process (and `service.name` when given).
pub fn resource(config: &Config, service_name: Option<&str>) -> Resource {
    let mut builder = Resource::builder();
    if let Some(name) = service_name {
        builder = builder.with_service_name(name.to_owned());
    }
    let mut attributes = vec![
        KeyValue::new(langfuse::ENVIRONMENT, config.environment.clone()),
        KeyValue::new(otel::DEPLOYMENT_ENVIRONMENT_NAME, config.environment.clone()),
    ];
    if let Some(release) = &config.release {
        attributes.push(KeyValue::new(langfuse::RELEASE, release.clone()));
    }
    if let Some(version) = &config.version {
        attributes.push(KeyValue::new(otel::SERVICE_VERSION, version.clone()));
    }
    builder.with_attributes(attributes).build()
}

/// Converts one observation record into the span the OTLP exporter sends.
pub fn span(record: &ObservationRecord, scope: &InstrumentationScope) -> SpanData {
    let trace_id = TraceId::from_bytes(record.trace_id.to_bytes());
    let span_id = SpanId::from_bytes(record.id.to_bytes());
    let status = match record.level {
        Level::Error => Status::error(record.status_message.clone().unwrap_or_default()),
        _ => Status::Unset,
    };
    SpanData {
        span_context: SpanContext::new(trace_id, span_id, TraceFlags::SAMPLED, false, TraceState::default()),
        parent_span_id: record.parent_id.map_or(SpanId::INVALID, |p| SpanId::from_bytes(p.to_bytes())),
        parent_span_is_remote: record.is_root && record.parent_id.is_some(),
        span_kind: SpanKind::Internal,
        name: record.name.clone(),
        start_time: record.start_time.to_system_time(),
        end_time: record.end_time.max(record.start_time).to_system_time(),
        attributes: attributes(record),
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status,
        instrumentation_scope: scope.clone(),
    }
}

/// All attributes of the span for `record`.
pub fn attributes(record: &ObservationRecord) -> Vec<KeyValue> {
    let mut out = Vec::with_capacity(16 + record.metadata.len() + record.trace.metadata.len());
    let ty = record.observation_type;
    out.push(KeyValue::new(langfuse::OBSERVATION_TYPE, ty.as_lower()));
    if record.level != Level::Default {
        out.push(KeyValue::new(langfuse::OBSERVATION_LEVEL, record.level.as_upper()));
    }
    if let Some(message) = &record.status_message {
        out.push(KeyValue::new(langfuse::OBSERVATION_STATUS_MESSAGE, message.clone()));
    }
    push_payload(&mut out, langfuse::OBSERVATION_INPUT, record.input.as_ref());
    push_payload(&mut out, langfuse::OBSERVATION_OUTPUT, record.output.as_ref());
    push_metadata(&mut out, langfuse::OBSERVATION_METADATA_PREFIX, &record.metadata);
    out.push(KeyValue::new(langfuse::ENVIRONMENT, record.environment.clone()));
    if let Some(version) = record.version.as_ref().or(record.trace.version.as_ref()) {
        out.push(KeyValue::new(langfuse::VERSION, version.clone()));
    }
    if let Some(time) = record.completion_start_time {
        out.push(KeyValue::new(langfuse::COMPLETION_START_TIME, Json::String(time.to_rfc3339_micros()).to_string()));
    }
    if !record.usage_details.is_empty() {
        out.push(KeyValue::new(langfuse::USAGE_DETAILS, json_text(&record.usage_details)));
    }
    if !record.cost_details.is_empty() {
        out.push(KeyValue::new(langfuse::COST_DETAILS, json_text(&record.cost_details)));
    }
    if ty.is_generation_like() {
        generation(&mut out, record);
    }
    match ty {
        ObservationType::Agent => {
            out.push(KeyValue::new(gen_ai::OPERATION_NAME, "invoke_agent"));
            out.push(KeyValue::new(gen_ai::AGENT_NAME, record.name.clone()));
        }
        ObservationType::Tool => {
            out.push(KeyValue::new(gen_ai::OPERATION_NAME, "execute_tool"));
            out.push(KeyValue::new(gen_ai::TOOL_NAME, record.name.clone()));
        }
        _ => {}
    }
    trace_attributes(&mut out, &record.trace, record.is_root);
    out
}

/// Model, parameters and prompt in Langfuse's keys, and the GenAI request/usage keys.
fn generation(out: &mut Vec<KeyValue>, record: &ObservationRecord) {
    let operation = if record.observation_type == ObservationType::Embedding { "embeddings" } else { "chat" };
    out.push(KeyValue::new(gen_ai::OPERATION_NAME, operation));
    if let Some(model) = &record.model {
        out.push(KeyValue::new(langfuse::MODEL_NAME, model.clone()));
        out.push(KeyValue::new(gen_ai::REQUEST_MODEL, model.clone()));
        out.push(KeyValue::new(gen_ai::RESPONSE_MODEL, model.clone()));
    }
    if !record.model_parameters.is_empty() {
        out.push(KeyValue::new(langfuse::MODEL_PARAMETERS, json_text(&record.model_parameters)));
        for (name, value) in &record.model_parameters {
            // Scalars only, and never a second spelling of the model key.
            if name == "model" || matches!(value, Json::Array(_) | Json::Object(_) | Json::Null) {
                continue;
            }
            out.push(KeyValue::new(format!("{}{name}", gen_ai::REQUEST_PREFIX), typed(value)));
        }
    }
    for (key, otel_key) in [
        (usage::INPUT, gen_ai::USAGE_INPUT_TOKENS),
        (usage::OUTPUT, gen_ai::USAGE_OUTPUT_TOKENS),
        (usage::CACHE_READ_INPUT_TOKENS, gen_ai::USAGE_CACHE_READ_INPUT_TOKENS),
        (usage::REASONING_OUTPUT_TOKENS, gen_ai::USAGE_REASONING_OUTPUT_TOKENS),
    ] {
        if let Some(&count) = record.usage_details.get(key) {
            out.push(KeyValue::new(otel_key, i64::try_from(count).unwrap_or(i64::MAX)));
        }
    }
    if let Some(prompt) = &record.prompt {
        out.push(KeyValue::new(langfuse::PROMPT_NAME, prompt.name.clone()));
        out.push(KeyValue::new(langfuse::PROMPT_VERSION, i64::from(prompt.version)));
    }
}

/// Trace-level keys, on every span so a backend that reads per span sees them. The
/// trace's own input and output go on the process's root span only.
fn trace_attributes(out: &mut Vec<KeyValue>, trace: &TraceAttributes, is_root: bool) {
    if let Some(name) = &trace.name {
        out.push(KeyValue::new(langfuse::TRACE_NAME, name.clone()));
    }
    if let Some(user) = &trace.user_id {
        out.push(KeyValue::new(langfuse::USER_ID, user.clone()));
    }
    if let Some(session) = &trace.session_id {
        out.push(KeyValue::new(langfuse::SESSION_ID, session.clone()));
    }
    if !trace.tags.is_empty() {
        let tags: Vec<StringValue> = trace.tags.iter().map(|t| StringValue::from(t.clone())).collect();
        out.push(KeyValue::new(langfuse::TRACE_TAGS, Value::Array(Array::String(tags))));
    }
    if let Some(public) = trace.public {
        out.push(KeyValue::new(langfuse::TRACE_PUBLIC, public));
    }
    if let Some(release) = &trace.release {
        out.push(KeyValue::new(langfuse::RELEASE, release.clone()));
    }
    push_metadata(out, langfuse::TRACE_METADATA_PREFIX, &trace.metadata);
    if let Some(run) = &trace.experiment {
        experiment_attributes(out, run);
    }
    if is_root {
        push_payload(out, langfuse::TRACE_INPUT, trace.input.as_ref());
        push_payload(out, langfuse::TRACE_OUTPUT, trace.output.as_ref());
    }
}

/// The `langfuse.experiment.*` keys of an experiment item's spans: strings as they are,
/// expected output and metadata as JSON text.
fn experiment_attributes(out: &mut Vec<KeyValue>, run: &ExperimentAttributes) {
    out.push(KeyValue::new(experiment::ID, run.id.clone()));
    out.push(KeyValue::new(experiment::NAME, run.name.clone()));
    out.push(KeyValue::new(experiment::ITEM_ID, run.item_id.clone()));
    let texts = [
        (experiment::DESCRIPTION, run.description.clone()),
        (experiment::DATASET_ID, run.dataset_id.clone()),
        (experiment::ITEM_VERSION, run.item_version.clone()),
        (experiment::ITEM_ROOT_OBSERVATION_ID, run.root_observation_id.map(|id| id.to_string())),
        (experiment::METADATA, run.metadata.as_ref().map(Json::to_string)),
        (experiment::ITEM_EXPECTED_OUTPUT, run.item_expected_output.as_ref().map(Json::to_string)),
        (experiment::ITEM_METADATA, run.item_metadata.as_ref().map(Json::to_string)),
    ];
    for (key, text) in texts {
        if let Some(text) = text {
            out.push(KeyValue::new(key, text));
        }
    }
}

/// A payload as Langfuse writes it: a plain string as is, anything else as JSON text.
fn push_payload(out: &mut Vec<KeyValue>, key: &'static str, payload: Option<&Payload>) {
    if let Some(payload) = payload {
        let text = payload.as_plain_string().unwrap_or_else(|| payload.json());
        out.push(KeyValue::new(key, text.into_owned()));
    }
}

/// One attribute per top-level metadata key.
fn push_metadata(out: &mut Vec<KeyValue>, prefix: &str, metadata: &Map<String, Json>) {
    for (key, value) in metadata {
        out.push(KeyValue::new(Key::from(format!("{prefix}{key}")), typed(value)));
    }
}

/// Strings raw, numbers and booleans typed, anything else as JSON text.
fn typed(value: &Json) -> Value {
    match value {
        Json::String(text) => Value::from(text.clone()),
        Json::Bool(flag) => Value::Bool(*flag),
        Json::Number(number) => match number.as_i64() {
            Some(int) => Value::I64(int),
            None => number.as_f64().map_or_else(|| Value::from(number.to_string()), Value::F64),
        },
        other => Value::from(other.to_string()),
    }
}

fn json_text(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use langtrace_core::record::{PromptRef, Timestamp};
    use langtrace_core::{ObservationId, TraceId as LtTraceId};
    use serde_json::json;

    use super::*;

    fn record(ty: ObservationType) -> ObservationRecord {
        ObservationRecord {
            id: ObservationId::random(),
            trace_id: LtTraceId::from_seed("t"),
            parent_id: None,
            is_root: true,
            observation_type: ty,
            name: "step".into(),
            start_time: Timestamp(1_700_000_000_000_000_000),
            end_time: Timestamp(1_700_000_000_500_000_000),
            completion_start_time: None,
            level: Level::Default,
            status_message: None,
            input: None,
            output: None,
            metadata: Map::new(),
            version: None,
            environment: "default".into(),
            model: None,
            model_parameters: Map::new(),
            usage_details: Default::default(),
            cost_details: Default::default(),
            prompt: None,
            trace: Arc::new(TraceAttributes::default()),
            media: Vec::new(),
        }
    }

    fn get<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a Value> {
        attributes.iter().find(|kv| kv.key.as_str() == key).map(|kv| &kv.value)
    }

    #[test]
    fn generation_carries_langfuse_and_gen_ai_keys() {
        let mut r = record(ObservationType::Generation);
        r.model = Some("gpt-4o".into());
        r.model_parameters = json!({"temperature": 0.2, "max_tokens": 64, "stop": ["x"]}).as_object().unwrap().clone();
        r.usage_details = [("input".to_owned(), 12), ("output".to_owned(), 3)].into();
        r.prompt = Some(PromptRef { name: "qa".into(), version: 2 });
        let a = attributes(&r);
        assert_eq!(get(&a, "gen_ai.operation.name"), Some(&Value::from("chat")));
        assert_eq!(get(&a, "gen_ai.request.model"), Some(&Value::from("gpt-4o")));
        assert_eq!(get(&a, "gen_ai.usage.input_tokens"), Some(&Value::I64(12)));
        assert_eq!(get(&a, "gen_ai.request.temperature"), Some(&Value::F64(0.2)));
        assert_eq!(get(&a, "gen_ai.request.stop"), None);
        assert_eq!(get(&a, "langfuse.observation.prompt.version"), Some(&Value::I64(2)));
        assert_eq!(get(&a, "langfuse.observation.usage_details"), Some(&Value::from(r#"{"input":12,"output":3}"#)));
    }

    #[test]
    fn span_like_types_have_no_model_keys_and_no_bare_keys() {
        let mut r = record(ObservationType::Span);
        r.model = Some("gpt-4o".into());
        let a = attributes(&r);
        assert_eq!(get(&a, "langfuse.observation.model.name"), None);
        for bare in ["model", "input", "output", "prompt", "events"] {
            assert_eq!(get(&a, bare), None, "bare key {bare}");
        }
    }

    #[test]
    fn experiment_keys_are_written_on_every_span_of_the_trace() {
        let mut r = record(ObservationType::Evaluator);
        r.is_root = false;
        let task = ObservationId::random();
        r.trace = Arc::new(TraceAttributes {
            experiment: Some(Arc::new(ExperimentAttributes {
                id: "0123456789abcdef".into(),
                name: "run 1".into(),
                dataset_id: Some("ds-1".into()),
                item_id: "item-1".into(),
                item_expected_output: Some(json!("Paris")),
                item_metadata: Some(json!({"topic": "geo"})),
                root_observation_id: Some(task),
                ..Default::default()
            })),
            ..Default::default()
        });
        let a = attributes(&r);
        assert_eq!(get(&a, "langfuse.experiment.id"), Some(&Value::from("0123456789abcdef")));
        assert_eq!(get(&a, "langfuse.experiment.name"), Some(&Value::from("run 1")));
        assert_eq!(get(&a, "langfuse.experiment.dataset.id"), Some(&Value::from("ds-1")));
        assert_eq!(get(&a, "langfuse.experiment.item.id"), Some(&Value::from("item-1")));
        assert_eq!(get(&a, "langfuse.experiment.item.expected_output"), Some(&Value::from(r#""Paris""#)));
        assert_eq!(get(&a, "langfuse.experiment.item.metadata"), Some(&Value::from(r#"{"topic":"geo"}"#)));
        assert_eq!(get(&a, "langfuse.experiment.item.root_observation_id"), Some(&Value::from(task.to_string())));
        assert_eq!(get(&a, "langfuse.experiment.description"), None);
        assert_eq!(get(&a, "langfuse.experiment.item.version"), None);
    }

    #[test]
    fn error_level_sets_status_and_remote_parent_flag() {
        let mut r = record(ObservationType::Tool);
        r.level = Level::Error;
        r.status_message = Some("boom".into());
        r.parent_id = Some(ObservationId::random());
        let span = span(&r, &scope());
        assert_eq!(span.status, Status::error("boom"));
        assert!(span.parent_span_is_remote);
        assert_eq!(get(&span.attributes, "langfuse.observation.level"), Some(&Value::from("ERROR")));
        assert_eq!(get(&span.attributes, "gen_ai.tool.name"), Some(&Value::from("step")));
    }
}
