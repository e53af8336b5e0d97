//! Hostile OTLP exports, sized by the caller (for the hostile tests and the hostile
//! benchmark): bodies of millions of empty spans that compress to a few kilobytes, requests
//! with too many attributes, and a raw gRPC export that sends any bytes as the message.

use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::bytes::{Buf, BufMut};
use prost::Message;
use tonic::codec::{Codec, CompressionEncoding, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;

use super::otlp::{self, text};

/// The gRPC path of the trace export.
pub const EXPORT_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/// `bytes` as a length-delimited protobuf field `tag`.
fn field(tag: u8, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 11);
    out.push(tag << 3 | 2);
    prost::encoding::encode_varint(bytes.len() as u64, &mut out);
    out.extend_from_slice(bytes);
    out
}

/// An export request of `spans` empty spans under one resource and scope, as protobuf:
/// two bytes per span on the wire (written directly: building the messages would cost the
/// sender what the bomb costs a receiver that decodes it).
pub fn empty_spans_protobuf(spans: usize) -> Vec<u8> {
    // ScopeSpans.spans (2) of zero length, `spans` times.
    let scope_spans = [0x12u8, 0x00].repeat(spans);
    // ExportTraceServiceRequest.resource_spans (1) { ResourceSpans.scope_spans (2) }.
    field(1, &field(2, &scope_spans))
}

/// An export request of `spans` empty spans (`{}`) as OTLP JSON: three bytes per span.
pub fn empty_spans_json(spans: usize) -> Vec<u8> {
    let mut body = br#"{"resourceSpans":[{"scopeSpans":[{"spans":["#.to_vec();
    body.extend_from_slice(&b"{},".repeat(spans));
    if spans > 0 {
        body.pop();
    }
    body.extend_from_slice(b"]}]}]}");
    body
}

/// `count` string attributes `key.<n>`.
pub fn attributes(count: usize) -> Vec<KeyValue> {
    (0..count).map(|n| text(&format!("key.{n}"), "value")).collect()
}

/// An export request of `spans` (see [`otlp::span`]) under a resource of `resource_attributes`
/// attributes.
pub fn with_resource_attributes(resource_attributes: usize, spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource { attributes: attributes(resource_attributes), ..Default::default() }),
            scope_spans: vec![ScopeSpans { spans, ..Default::default() }],
            ..Default::default()
        }],
    }
}

/// `spans` spans of one trace (`trace`), each with `attributes` attributes.
pub fn spans_with_attributes(trace: u8, spans: u8, attributes_per_span: usize) -> Vec<Span> {
    (1..=spans).map(|id| otlp::span(trace, id).attributes(attributes(attributes_per_span)).build()).collect()
}

/// Exports `message` (any bytes) over gRPC to `grpc_addr` with `authorization`,
/// gzip-compressed; the answer or the status.
pub async fn grpc_export_raw(
    grpc_addr: &str,
    authorization: &str,
    message: Vec<u8>,
) -> Result<ExportTraceServiceResponse, tonic::Status> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{grpc_addr}"))
        .expect("a gRPC endpoint")
        .connect()
        .await
        .expect("a gRPC connection");
    let mut grpc = tonic::client::Grpc::new(channel).send_compressed(CompressionEncoding::Gzip);
    grpc.ready().await.expect("a ready channel");
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("authorization", authorization.parse().unwrap());
    grpc.unary(request, PathAndQuery::from_static(EXPORT_PATH), RawClientCodec).await.map(tonic::Response::into_inner)
}

/// Sends bytes as they are, decodes the export's answer.
struct RawClientCodec;

impl Codec for RawClientCodec {
    type Encode = Vec<u8>;
    type Decode = ExportTraceServiceResponse;
    type Encoder = RawClientCodec;
    type Decoder = RawClientCodec;

    fn encoder(&mut self) -> Self::Encoder {
        RawClientCodec
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawClientCodec
    }
}

impl Encoder for RawClientCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawClientCodec {
    type Item = ExportTraceServiceResponse;
    type Error = tonic::Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, tonic::Status> {
        let answer = ExportTraceServiceResponse::decode(src.copy_to_bytes(src.remaining()))
            .map_err(|e| tonic::Status::internal(e.to_string()))?;
        Ok(Some(answer))
    }
}
