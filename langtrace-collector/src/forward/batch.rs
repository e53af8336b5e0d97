//! One upstream request from pending exports: their resource spans concatenated, each
//! resource (its attributes as received: `service.name` and the rest) given the
//! `langtrace.project.id` of the project that received it, so an upstream serving several
//! collector projects can tell them apart; encoded as protobuf, gzip-compressed if asked.

use std::io::Write;

use langtrace_core::vocab;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;

use super::outbox::PendingExport;

/// Spans per upstream request at most (one export larger than this goes alone).
pub const MAX_SPANS: i64 = 512;

/// Encoded bytes per upstream request at most, before compression (one export larger
/// than this goes alone).
pub const MAX_BYTES: usize = 4 << 20;

/// The body of one upstream request for `exports`. An export the collector stored
/// cannot fail to decode; if one did (a damaged file), it is left out and logged.
pub fn encode(exports: &[PendingExport], gzip: bool) -> Vec<u8> {
    let mut request = ExportTraceServiceRequest::default();
    for export in exports {
        match ExportTraceServiceRequest::decode(export.body.as_slice()) {
            Ok(decoded) => request.resource_spans.extend(decoded.resource_spans.into_iter().map(|mut spans| {
                let resource = spans.resource.get_or_insert_with(Resource::default);
                resource.attributes.retain(|attribute| attribute.key != vocab::forward::PROJECT_ID);
                resource.attributes.push(project_attribute(&export.project_id));
                spans
            })),
            Err(error) => tracing::error!(seq = export.seq, %error, "a stored export does not decode; not forwarded"),
        }
    }
    let body = request.encode_to_vec();
    if !gzip {
        return body;
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::fast());
    // Writing to a vector cannot fail.
    let _ = encoder.write_all(&body);
    encoder.finish().unwrap_or_default()
}

fn project_attribute(project_id: &str) -> KeyValue {
    KeyValue {
        key: vocab::forward::PROJECT_ID.to_owned(),
        value: Some(AnyValue { value: Some(any_value::Value::StringValue(project_id.to_owned())) }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

    use super::*;

    fn export(seq: i64, project: &str, service: Option<&str>) -> PendingExport {
        let resource = service.map(|name| Resource {
            attributes: vec![KeyValue {
                key: "service.name".into(),
                value: Some(AnyValue { value: Some(any_value::Value::StringValue(name.into())) }),
                ..Default::default()
            }],
            ..Default::default()
        });
        let span = Span { span_id: vec![seq as u8; 8], ..Default::default() };
        let request = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource,
                scope_spans: vec![ScopeSpans { spans: vec![span], ..Default::default() }],
                ..Default::default()
            }],
        };
        PendingExport { seq, project_id: project.into(), body: request.encode_to_vec(), spans: 1 }
    }

    #[test]
    fn resources_keep_their_attributes_and_gain_the_project() {
        let exports = [export(1, "p1", Some("checkout")), export(2, "p2", None)];
        let mut gzipped = Vec::new();
        flate2::read::GzDecoder::new(&encode(&exports, true)[..]).read_to_end(&mut gzipped).unwrap();
        assert_eq!(gzipped, encode(&exports, false));
        let request = ExportTraceServiceRequest::decode(gzipped.as_slice()).unwrap();
        let keys: Vec<Vec<(String, String)>> = request
            .resource_spans
            .iter()
            .map(|spans| {
                let resource = spans.resource.as_ref().unwrap();
                resource
                    .attributes
                    .iter()
                    .map(|a| match &a.value.as_ref().unwrap().value {
                        Some(any_value::Value::StringValue(text)) => (a.key.clone(), text.clone()),
                        other => panic!("{other:?}"),
                    })
                    .collect()
            })
            .collect();
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert_eq!(
            keys,
            [
                vec![pair("service.name", "checkout"), pair(vocab::forward::PROJECT_ID, "p1")],
                vec![pair(vocab::forward::PROJECT_ID, "p2")]
            ]
        );
        assert_eq!(request.resource_spans[1].scope_spans[0].spans[0].span_id, vec![2; 8]);
    }
}
