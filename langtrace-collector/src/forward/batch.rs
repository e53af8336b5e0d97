//! The bytes forwarded. At ingest, an export is encoded once as it will travel
//! ([`encode_export`]): as received (the resource's `service.name` and the rest), each
//! resource carrying the `langtrace.project.id` of the project whose key sent it, so an
//! upstream serving several collector projects can tell them apart. At delivery, the
//! stored encodings of a batch are concatenated ([`join`]): `ExportTraceServiceRequest`
//! has one field, repeated, and protobuf reads concatenated messages as one whose
//! repeated fields hold every part's, so a batch costs no decoding. Gzip-compressed if
//! asked.

use std::io::Write;

use langtrace_core::vocab;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use prost::Message;

use super::outbox::PendingExport;

/// Spans per upstream request at most (one export larger than this goes alone).
pub const MAX_SPANS: i64 = 512;

/// Encoded bytes per upstream request at most, before compression (one export larger
/// than this goes alone).
pub const MAX_BYTES: usize = 4 << 20;

/// `request` encoded with `project_id` as the `langtrace.project.id` of each resource
/// (replacing any the client sent, so no key can speak for another project). `request`
/// is left as it was: it goes on to be stored.
pub fn encode_export(request: &mut ExportTraceServiceRequest, project_id: &str) -> Vec<u8> {
    let project = AnyValue { value: Some(any_value::Value::StringValue(project_id.to_owned())) };
    // Per resource: whether it had a resource, and the value of its own attribute if any.
    let mut restore = Vec::with_capacity(request.resource_spans.len());
    for spans in &mut request.resource_spans {
        let had_resource = spans.resource.is_some();
        let attributes = &mut spans.resource.get_or_insert_with(Default::default).attributes;
        let previous = match attributes.iter_mut().find(|a| a.key == vocab::forward::PROJECT_ID) {
            Some(own) => Some(own.value.replace(project.clone())),
            None => {
                let key = vocab::forward::PROJECT_ID.to_owned();
                attributes.push(KeyValue { key, value: Some(project.clone()), ..Default::default() });
                None
            }
        };
        restore.push((had_resource, previous));
    }
    let body = request.encode_to_vec();
    for (spans, (had_resource, previous)) in request.resource_spans.iter_mut().zip(restore) {
        match (had_resource, previous) {
            (false, _) => spans.resource = None,
            (true, Some(value)) => {
                if let Some(own) = spans
                    .resource
                    .iter_mut()
                    .flat_map(|r| &mut r.attributes)
                    .find(|a| a.key == vocab::forward::PROJECT_ID)
                {
                    own.value = value;
                }
            }
            (true, None) => {
                if let Some(resource) = &mut spans.resource {
                    resource.attributes.pop();
                }
            }
        }
    }
    body
}

/// The body of one upstream request for `exports` (their stored encodings, in order).
pub fn join(exports: &[PendingExport], gzip: bool) -> Vec<u8> {
    let length = exports.iter().map(|export| export.body.len()).sum();
    if !gzip {
        let mut body = Vec::with_capacity(length);
        exports.iter().for_each(|export| body.extend_from_slice(&export.body));
        return body;
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(length / 4), flate2::Compression::fast());
    for export in exports {
        // Writing to a vector cannot fail.
        let _ = encoder.write_all(&export.body);
    }
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use opentelemetry_proto::tonic::resource::v1::Resource;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

    use super::*;

    fn string(key: &str, value: &str) -> KeyValue {
        let value = Some(AnyValue { value: Some(any_value::Value::StringValue(value.into())) });
        KeyValue { key: key.into(), value, ..Default::default() }
    }

    fn request(id: u8, resource: Option<Vec<KeyValue>>) -> ExportTraceServiceRequest {
        let span = Span { span_id: vec![id; 8], ..Default::default() };
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: resource.map(|attributes| Resource { attributes, ..Default::default() }),
                scope_spans: vec![ScopeSpans { spans: vec![span], ..Default::default() }],
                ..Default::default()
            }],
        }
    }

    /// The string attributes of each resource of `body`.
    fn resources(body: &[u8]) -> Vec<Vec<(String, String)>> {
        let request = ExportTraceServiceRequest::decode(body).unwrap();
        let text = |a: &KeyValue| match &a.value.as_ref().unwrap().value {
            Some(any_value::Value::StringValue(text)) => (a.key.clone(), text.clone()),
            other => panic!("{other:?}"),
        };
        request
            .resource_spans
            .iter()
            .map(|s| s.resource.as_ref().unwrap().attributes.iter().map(text).collect())
            .collect()
    }

    #[test]
    fn exports_travel_as_received_with_their_project_and_are_left_unchanged() {
        let mut named = request(1, Some(vec![string("service.name", "checkout")]));
        let mut spoofing = request(2, Some(vec![string(vocab::forward::PROJECT_ID, "someone-else")]));
        let mut bare = request(3, None);
        let (named_before, spoofing_before, bare_before) = (named.clone(), spoofing.clone(), bare.clone());
        let exports: Vec<PendingExport> = [(&mut named, "p1"), (&mut spoofing, "p2"), (&mut bare, "p3")]
            .into_iter()
            .enumerate()
            .map(|(seq, (request, project))| PendingExport {
                seq: seq as i64,
                project_id: project.into(),
                body: encode_export(request, project),
                spans: 1,
            })
            .collect();
        assert_eq!((named, spoofing, bare), (named_before, spoofing_before, bare_before));

        let plain = join(&exports, false);
        let mut gunzipped = Vec::new();
        flate2::read::GzDecoder::new(&join(&exports, true)[..]).read_to_end(&mut gunzipped).unwrap();
        assert_eq!(gunzipped, plain);
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let project = vocab::forward::PROJECT_ID;
        assert_eq!(
            resources(&plain),
            [
                vec![pair("service.name", "checkout"), pair(project, "p1")],
                vec![pair(project, "p2")],
                vec![pair(project, "p3")]
            ]
        );
        let joined = ExportTraceServiceRequest::decode(plain.as_slice()).unwrap();
        let ids: Vec<_> = joined.resource_spans.iter().map(|s| s.scope_spans[0].spans[0].span_id[0]).collect();
        assert_eq!(ids, [1, 2, 3]);
    }
}
