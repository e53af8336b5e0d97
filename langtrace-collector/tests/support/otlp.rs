//! OTLP fixtures: attributes, a span builder, export requests under one resource, their
//! encodings (protobuf, JSON, gzip), and sending them over HTTP or gRPC with a project's
//! keys.

use std::io::Write;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, ArrayValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;

use super::http::{Api, Raw};

/// 2023-11-14T22:13:20Z in nanoseconds: the start of a [`span`]'s clock.
pub const T0: u64 = 1_700_000_000_000_000_000;
/// A millisecond in nanoseconds.
pub const MS: u64 = 1_000_000;
/// The content type of OTLP protobuf bodies.
pub const PROTOBUF: &str = "application/x-protobuf";
/// The content type of OTLP JSON bodies.
pub const JSON: &str = "application/json";
/// The OTLP/HTTP traces path.
pub const TRACES_PATH: &str = "/v1/traces";

/// An attribute of any value.
pub fn attribute(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue { key: key.into(), value: Some(AnyValue { value: Some(value) }), ..Default::default() }
}

/// A string attribute.
pub fn text(key: &str, value: impl Into<String>) -> KeyValue {
    attribute(key, any_value::Value::StringValue(value.into()))
}

/// An integer attribute.
pub fn int(key: &str, value: i64) -> KeyValue {
    attribute(key, any_value::Value::IntValue(value))
}

/// A string-array attribute (`langfuse.trace.tags`, say).
pub fn texts(key: &str, values: &[&str]) -> KeyValue {
    let values =
        values.iter().map(|v| AnyValue { value: Some(any_value::Value::StringValue((*v).to_owned())) }).collect();
    attribute(key, any_value::Value::ArrayValue(ArrayValue { values }))
}

/// The hex id of trace `byte` of [`span`] (that byte 16 times), as the API shows it.
pub fn trace_id(byte: u8) -> String {
    format!("{byte:02x}").repeat(16)
}

/// A span being built; see [`span`].
#[derive(Debug, Clone)]
pub struct SpanBuilder(Span);

/// Span `id` (that byte 8 times) of trace `trace` (that byte 16 times), named
/// `step-<id>`, a root, from [`T0`] for 100 ms, without attributes.
pub fn span(trace: u8, id: u8) -> SpanBuilder {
    SpanBuilder(Span {
        trace_id: vec![trace; 16],
        span_id: vec![id; 8],
        name: format!("step-{id}"),
        start_time_unix_nano: T0,
        end_time_unix_nano: T0 + 100 * MS,
        ..Default::default()
    })
}

impl SpanBuilder {
    /// Under span `parent` (that byte 8 times).
    pub fn parent(mut self, parent: u8) -> Self {
        self.0.parent_span_id = vec![parent; 8];
        self
    }

    /// From `start` ms after [`T0`], for `duration` ms.
    pub fn at(mut self, start: u64, duration: u64) -> Self {
        self.0.start_time_unix_nano = T0 + start * MS;
        self.0.end_time_unix_nano = T0 + (start + duration) * MS;
        self
    }

    /// With these attributes (replacing any).
    pub fn attributes(mut self, attributes: Vec<KeyValue>) -> Self {
        self.0.attributes = attributes;
        self
    }

    /// With `langfuse.observation.input` set to `input`.
    pub fn input(mut self, input: &str) -> Self {
        self.0.attributes.push(text("langfuse.observation.input", input));
        self
    }

    /// With this trace id, as raw bytes (an invalid one, say).
    pub fn trace_id(mut self, bytes: Vec<u8>) -> Self {
        self.0.trace_id = bytes;
        self
    }

    /// With this span id, as raw bytes (an invalid one, say).
    pub fn span_id(mut self, bytes: Vec<u8>) -> Self {
        self.0.span_id = bytes;
        self
    }

    /// The span.
    pub fn build(self) -> Span {
        self.0
    }
}

impl From<SpanBuilder> for Span {
    fn from(builder: SpanBuilder) -> Self {
        builder.0
    }
}

/// An export request holding `spans` under one resource (unnamed) and scope.
pub fn request(spans: impl IntoIterator<Item = impl Into<Span>>) -> ExportTraceServiceRequest {
    under(None, spans)
}

/// An export request holding `spans` under the resource of service `service`.
pub fn request_from(service: &str, spans: impl IntoIterator<Item = impl Into<Span>>) -> ExportTraceServiceRequest {
    under(Some(Resource { attributes: vec![text("service.name", service)], ..Default::default() }), spans)
}

/// An export request holding `spans` under `resource` and one scope.
fn under(resource: Option<Resource>, spans: impl IntoIterator<Item = impl Into<Span>>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource,
            scope_spans: vec![ScopeSpans { spans: spans.into_iter().map(Into::into).collect(), ..Default::default() }],
            ..Default::default()
        }],
    }
}

/// `request` as an OTLP protobuf body.
pub fn protobuf(request: &ExportTraceServiceRequest) -> Vec<u8> {
    request.encode_to_vec()
}

/// `request` as an OTLP JSON body.
pub fn json(request: &ExportTraceServiceRequest) -> Vec<u8> {
    serde_json::to_vec(request).unwrap()
}

/// `bytes` gzip-compressed (best compression).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// POSTs `request` as protobuf to [`TRACES_PATH`] with `authorization`; the answer.
pub fn post(api: &Api, authorization: &str, request: &ExportTraceServiceRequest) -> Raw {
    api.post_raw(TRACES_PATH, &[("content-type", PROTOBUF), ("authorization", authorization)], protobuf(request))
}

/// POSTs `request` as protobuf with `authorization`, asserting 200.
pub fn send(api: &Api, authorization: &str, request: &ExportTraceServiceRequest) {
    let (status, _, body) = post(api, authorization, request);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

/// A gRPC trace client of the collector listening on `grpc_addr` (`host:port`).
pub async fn grpc_client(grpc_addr: &str) -> TraceServiceClient<tonic::transport::Channel> {
    TraceServiceClient::connect(format!("http://{grpc_addr}")).await.expect("a gRPC connection")
}

/// A gRPC export of `request` carrying `authorization`.
pub fn grpc_request(
    request: ExportTraceServiceRequest,
    authorization: &str,
) -> tonic::Request<ExportTraceServiceRequest> {
    let mut request = tonic::Request::new(request);
    request.metadata_mut().insert("authorization", authorization.parse().unwrap());
    request
}
