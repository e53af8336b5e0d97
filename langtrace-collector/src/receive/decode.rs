//! OTLP request -> observation records, shared by the HTTP and gRPC receivers: each
//! resource's attributes are converted once, each span's ids, times, status and
//! attributes handed to `langtrace-core`'s one mapper ([`map_span`]), which applies every
//! convention (Langfuse keys, then GenAI, OpenInference, OpenLLMetry, Vercel) and the resource
//! fallbacks. Spans with invalid ids are refused one by one (reported in
//! `partial_success`), the rest kept.

use base64::Engine;
use langtrace_core::conventions::otlp::{map_span, OtlpEvent, OtlpSpan, SpanResource, SpanStatus};
use langtrace_core::record::ObservationRecord;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::{Map, Value};

/// Refusals reported in `partial_success` at most (the count covers all of them).
const MAX_REPORTED_ERRORS: usize = 5;

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

/// Maps every span of `request`, which holds `spans` spans as counted and accepted
/// ([`super::count`]): the only number capacity is reserved for.
pub fn decode(request: ExportTraceServiceRequest, spans: usize) -> Decoded {
    let mut decoded = Decoded { observations: Vec::with_capacity(spans), ..Decoded::default() };
    for resource_spans in request.resource_spans {
        let attributes = resource_spans.resource.map(|r| attributes(r.attributes)).unwrap_or_default();
        let resource = SpanResource::new(attributes);
        for span in resource_spans.scope_spans.into_iter().flat_map(|scope| scope.spans) {
            match map_span(&resource, otlp_span(span)) {
                Ok(record) => decoded.observations.push(record),
                Err(error) => {
                    decoded.rejected += 1;
                    if decoded.errors.len() < MAX_REPORTED_ERRORS {
                        decoded.errors.push(error.to_string());
                    }
                }
            }
        }
    }
    decoded
}

/// A protobuf span in the mapper's neutral form.
fn otlp_span(span: Span) -> OtlpSpan {
    let status = match span.status {
        Some(status) if status.code == StatusCode::Error as i32 => SpanStatus::Error { message: status.message },
        Some(status) if status.code == StatusCode::Ok as i32 => SpanStatus::Ok,
        _ => SpanStatus::Unset,
    };
    OtlpSpan {
        trace_id: span.trace_id,
        span_id: span.span_id,
        parent_span_id: span.parent_span_id,
        name: span.name,
        start_time_unix_nano: span.start_time_unix_nano,
        end_time_unix_nano: span.end_time_unix_nano,
        flags: span.flags,
        status,
        attributes: attributes(span.attributes),
        events: span
            .events
            .into_iter()
            .map(|e| OtlpEvent { name: e.name, attributes: attributes(e.attributes) })
            .collect(),
    }
}

/// OTLP attributes as JSON key/values (attributes without a value are dropped).
fn attributes(attributes: Vec<KeyValue>) -> Vec<(String, Value)> {
    attributes.into_iter().filter_map(|attribute| Some((attribute.key, json_value(attribute.value?)))).collect()
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
            Value::Object(attributes(list.values).into_iter().collect::<Map<_, _>>())
        }
        Some(any_value::Value::BytesValue(bytes)) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        // A reference into a profiles string table: meaningless in a trace.
        Some(any_value::Value::StringValueStrindex(_)) => Value::Null,
    }
}

#[cfg(test)]
pub(super) mod tests {
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

    /// A request of `spans` under one resource of `resource` attributes and one scope.
    pub(in crate::receive) fn request(resource: Vec<KeyValue>, spans: Vec<Span>) -> ExportTraceServiceRequest {
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(Resource { attributes: resource, ..Default::default() }),
                scope_spans: vec![ScopeSpans { spans, ..Default::default() }],
                ..Default::default()
            }],
        }
    }

    fn decode_all(request: ExportTraceServiceRequest) -> Decoded {
        let spans = request.resource_spans.iter().flat_map(|r| &r.scope_spans).map(|s| s.spans.len()).sum();
        decode(request, spans)
    }

    #[test]
    fn invalid_ids_reject_only_their_span() {
        let good = span(vec![1; 16], vec![2; 8], vec![]);
        let short = span(vec![1; 15], vec![3; 8], vec![]);
        let zero = span(vec![1; 16], vec![0; 8], vec![]);
        let decoded = decode_all(request(vec![], vec![good, short, zero]));
        assert_eq!((decoded.observations.len(), decoded.rejected), (1, 2));
        assert!(decoded.errors[0].contains("trace id"), "{:?}", decoded.errors);
    }

    #[test]
    fn protobuf_values_status_and_resource_reach_the_mapper() {
        let mut failing = span(vec![1; 16], vec![2; 8], vec![string("gen_ai.operation.name", "chat")]);
        failing.status = Some(Status { code: StatusCode::Error as i32, message: "boom".into() });
        let nested = KeyValue {
            key: "nested".into(),
            value: Some(AnyValue {
                value: Some(any_value::Value::KvlistValue(opentelemetry_proto::tonic::common::v1::KeyValueList {
                    values: vec![string("k", "v")],
                })),
            }),
            ..Default::default()
        };
        failing.attributes.push(nested);
        let resource = vec![string("deployment.environment.name", "Prod EU"), string("service.version", "1.2.3")];
        let record = decode_all(request(resource, vec![failing])).observations.remove(0);
        assert_eq!(record.environment, "prod-eu");
        assert_eq!(record.version.as_deref(), Some("1.2.3"));
        assert_eq!(record.status_message.as_deref(), Some("boom"));
        assert_eq!(record.metadata["nested"], serde_json::json!({"k": "v"}));
    }
}
