//! OTLP request -> observation records, shared by the HTTP and gRPC receivers. Each
//! span's resource and span attributes go through the one convention mapper of
//! `langtrace-core` (Langfuse keys, then OpenInference, GenAI, OpenLLMetry); spans with
//! invalid ids are rejected one by one (reported in `partial_success`), the rest kept.

use std::sync::Arc;

use base64::Engine;
use langtrace_core::conventions::{as_string, map_attributes};
use langtrace_core::record::{Level, ObservationRecord, ObservationType, Timestamp};
use langtrace_core::vocab::{langfuse, otel};
use langtrace_core::{ObservationId, TraceId};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::{Map, Value};

/// `SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK | SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK`.
const REMOTE_PARENT: u32 = 0x300;

/// The spans of one request, mapped.
#[derive(Debug, Default)]
pub struct Decoded {
    /// Accepted spans as records (trace-level attributes in `record.trace`).
    pub observations: Vec<ObservationRecord>,
    /// Spans refused.
    pub rejected: i64,
    /// Why the first refused spans were refused.
    pub errors: Vec<String>,
}

/// Maps every span of `request`.
pub fn decode(request: ExportTraceServiceRequest) -> Decoded {
    let spans = request.resource_spans.iter().flat_map(|r| &r.scope_spans).map(|s| s.spans.len()).sum();
    let mut decoded = Decoded { observations: Vec::with_capacity(spans), ..Decoded::default() };
    for resource_spans in request.resource_spans {
        let resource: Vec<(String, Value)> = resource_spans
            .resource
            .map(|r| r.attributes.into_iter().filter_map(json_attribute).collect())
            .unwrap_or_default();
        for scope_spans in resource_spans.scope_spans {
            for span in scope_spans.spans {
                match observation(&resource, span) {
                    Ok(record) => decoded.observations.push(record),
                    Err(error) => {
                        decoded.rejected += 1;
                        if decoded.errors.len() < 5 {
                            decoded.errors.push(error);
                        }
                    }
                }
            }
        }
    }
    decoded
}

/// An OTLP attribute as a JSON key/value.
fn json_attribute(attribute: KeyValue) -> Option<(String, Value)> {
    Some((attribute.key, json_value(attribute.value?)))
}

fn json_value(value: AnyValue) -> Value {
    match value.value {
        None => Value::Null,
        Some(any_value::Value::StringValue(text)) => Value::String(text),
        Some(any_value::Value::BoolValue(flag)) => Value::Bool(flag),
        Some(any_value::Value::IntValue(int)) => Value::from(int),
        Some(any_value::Value::DoubleValue(double)) => {
            serde_json::Number::from_f64(double).map_or(Value::Null, Value::Number)
        }
        Some(any_value::Value::ArrayValue(array)) => Value::Array(array.values.into_iter().map(json_value).collect()),
        Some(any_value::Value::KvlistValue(list)) => {
            Value::Object(list.values.into_iter().filter_map(json_attribute).collect::<Map<_, _>>())
        }
        Some(any_value::Value::BytesValue(bytes)) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        // A reference into a profiles string table: meaningless in a trace.
        Some(any_value::Value::StringValueStrindex(_)) => Value::Null,
    }
}

fn id<const N: usize, T>(bytes: &[u8], what: &str, parse: impl Fn([u8; N]) -> Option<T>) -> Result<T, String> {
    let array: [u8; N] =
        bytes.try_into().map_err(|_| format!("invalid {what}: {} bytes, expected {N}", bytes.len()))?;
    parse(array).ok_or_else(|| format!("invalid {what}: all zero"))
}

/// Normalises an environment name to Langfuse's rule (`^(?!langfuse)[a-z0-9-_]+$`, at
/// most 40 characters): lower-cased, other characters as `-`; `default` if nothing is left.
pub fn normalise_environment(text: &str) -> String {
    let cleaned: String = text
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .take(40)
        .collect();
    if cleaned.is_empty() || cleaned.starts_with("langfuse") {
        "default".to_owned()
    } else {
        cleaned
    }
}

fn observation(resource: &[(String, Value)], span: Span) -> Result<ObservationRecord, String> {
    let trace_id = id::<16, _>(&span.trace_id, "trace id", |b| TraceId::from_bytes(b).ok())?;
    let span_id = id::<8, _>(&span.span_id, "span id", |b| ObservationId::from_bytes(b).ok())?;
    let parent_id = match span.parent_span_id.len() {
        0 => None,
        _ => Some(id::<8, _>(&span.parent_span_id, "parent span id", |b| ObservationId::from_bytes(b).ok())?),
    };
    let attributes: Vec<(String, Value)> = span.attributes.into_iter().filter_map(json_attribute).collect();
    let resource_value = |key: &str| resource.iter().find(|(k, _)| k == key).and_then(|(_, v)| as_string(v));
    // Resource first: a span's own attribute of the same key wins.
    let mapped = map_attributes(resource.iter().chain(attributes.iter()).map(|(k, v)| (k.as_str(), v)));

    let status_error = span.status.as_ref().filter(|s| s.code == StatusCode::Error as i32);
    let level = mapped.level.unwrap_or(if status_error.is_some() { Level::Error } else { Level::Default });
    let status_message =
        mapped.status_message.or_else(|| status_error.map(|s| s.message.clone()).filter(|m| !m.is_empty()));
    let environment = mapped
        .environment
        .or_else(|| resource_value(otel::DEPLOYMENT_ENVIRONMENT_NAME))
        .or_else(|| resource_value(otel::DEPLOYMENT_ENVIRONMENT))
        .map_or_else(|| "default".to_owned(), |e| normalise_environment(&e));
    let version = mapped.version.or_else(|| resource_value(otel::SERVICE_VERSION));
    let mut trace = mapped.trace;
    trace.release = trace.release.or_else(|| resource_value(langfuse::RELEASE));
    trace.version = version.clone();
    let start = Timestamp(span.start_time_unix_nano);
    let end = Timestamp(span.end_time_unix_nano.max(span.start_time_unix_nano));
    let mut metadata = mapped.metadata;
    // Resource attributes are the process's, not this observation's.
    for (key, _) in resource {
        if !attributes.iter().any(|(k, _)| k == key) {
            metadata.remove(key);
        }
    }
    let is_root = parent_id.is_none() || mapped.as_root || span.flags & REMOTE_PARENT == REMOTE_PARENT;
    Ok(ObservationRecord {
        id: span_id,
        trace_id,
        parent_id: if mapped.as_root { None } else { parent_id },
        is_root,
        observation_type: mapped.observation_type.unwrap_or(ObservationType::Span),
        name: mapped.name.unwrap_or(span.name).into(),
        start_time: start,
        end_time: end,
        completion_start_time: mapped.completion_start_time,
        level,
        status_message,
        input: mapped.input,
        output: mapped.output,
        metadata,
        version,
        environment,
        model: mapped.model,
        model_parameters: mapped.model_parameters,
        usage_details: mapped.usage_details,
        cost_details: mapped.cost_details,
        prompt: mapped.prompt,
        trace: Arc::new(trace),
        media: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use opentelemetry_proto::tonic::resource::v1::Resource;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Status};

    use super::*;

    fn string(key: &str, value: &str) -> KeyValue {
        let value = Some(AnyValue { value: Some(any_value::Value::StringValue(value.into())) });
        KeyValue { key: key.into(), value, ..Default::default() }
    }

    fn span(trace_id: Vec<u8>, span_id: Vec<u8>, attributes: Vec<KeyValue>) -> Span {
        Span {
            trace_id,
            span_id,
            name: "op".into(),
            start_time_unix_nano: 10,
            end_time_unix_nano: 20,
            attributes,
            ..Default::default()
        }
    }

    fn request(resource: Vec<KeyValue>, spans: Vec<Span>) -> ExportTraceServiceRequest {
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(Resource { attributes: resource, ..Default::default() }),
                scope_spans: vec![ScopeSpans { spans, ..Default::default() }],
                ..Default::default()
            }],
        }
    }

    #[test]
    fn invalid_ids_reject_only_their_span() {
        let good = span(vec![1; 16], vec![2; 8], vec![]);
        let short = span(vec![1; 15], vec![3; 8], vec![]);
        let zero = span(vec![1; 16], vec![0; 8], vec![]);
        let decoded = decode(request(vec![], vec![good, short, zero]));
        assert_eq!((decoded.observations.len(), decoded.rejected), (1, 2));
        assert!(decoded.errors[0].contains("trace id"), "{:?}", decoded.errors);
    }

    #[test]
    fn resource_environment_version_and_error_status() {
        let mut failing = span(vec![1; 16], vec![2; 8], vec![string("gen_ai.operation.name", "chat")]);
        failing.status = Some(Status { code: StatusCode::Error as i32, message: "boom".into() });
        let resource = vec![
            string("deployment.environment.name", "Prod EU"),
            string("service.version", "1.2.3"),
            string("service.name", "api"),
        ];
        let record = decode(request(resource, vec![failing])).observations.remove(0);
        assert_eq!(record.environment, "prod-eu");
        assert_eq!(record.version.as_deref(), Some("1.2.3"));
        assert_eq!((record.level, record.status_message.as_deref()), (Level::Error, Some("boom")));
        assert_eq!(record.observation_type, ObservationType::Generation);
        assert!(record.metadata.get("service.name").is_none(), "resource keys are not observation metadata");
    }

    #[test]
    fn environments_are_normalised() {
        assert_eq!(normalise_environment("Staging"), "staging");
        assert_eq!(normalise_environment("langfuse-x"), "default");
        assert_eq!(normalise_environment(""), "default");
    }
}
