//! Property tests of the decode path on stable (`proptest`; `PROPTEST_CASES`, default
//! 256, bounds the cases): generated OTLP exports, in protobuf and JSON, are counted the
//! same way in both formats and refused exactly when they pass a (small, generated) limit;
//! mutated and arbitrary bodies never panic the walkers or the decoder and get either a
//! decoded request or a precise 400 / 413.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{
    any_value, AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use proptest::collection::vec;
use proptest::prelude::*;
use prost::Message;

use super::count::{count, CountError};
use super::limits::{DecodeLimits, Limit};
use super::reply::Format;
use crate::app::ApiError;

fn any_value() -> impl Strategy<Value = AnyValue> {
    let leaf = prop_oneof![
        "[a-z ]{0,6}".prop_map(any_value::Value::StringValue),
        any::<bool>().prop_map(any_value::Value::BoolValue),
        any::<i64>().prop_map(any_value::Value::IntValue),
        (-1e9..1e9f64).prop_map(any_value::Value::DoubleValue),
        vec(any::<u8>(), 0..4).prop_map(any_value::Value::BytesValue),
    ]
    .prop_map(|value| AnyValue { value: Some(value) });
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(|values| any_value::Value::ArrayValue(ArrayValue { values })),
            vec(("[a-z]{1,3}", inner), 0..3).prop_map(|entries| {
                let values = entries.into_iter().map(|(key, value)| key_value(key, value)).collect();
                any_value::Value::KvlistValue(KeyValueList { values })
            }),
        ]
        .prop_map(|value| AnyValue { value: Some(value) })
    })
}

fn key_value(key: String, value: AnyValue) -> KeyValue {
    KeyValue { key, value: Some(value), ..Default::default() }
}

fn attributes(most: usize) -> impl Strategy<Value = Vec<KeyValue>> {
    vec(("[a-z.]{1,8}", any_value()).prop_map(|(key, value)| key_value(key, value)), 0..most)
}

fn id(bytes: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![vec(any::<u8>(), bytes), vec(any::<u8>(), 0..bytes + 2)]
}

fn span() -> impl Strategy<Value = Span> {
    let events = vec(attributes(4).prop_map(|attributes| Event { attributes, ..Default::default() }), 0..4);
    let links = vec(attributes(3).prop_map(|attributes| Link { attributes, ..Default::default() }), 0..4);
    (id(16), id(8), "[a-z]{0,5}", any::<u64>(), attributes(6), events, links).prop_map(
        |(trace_id, span_id, name, start, attributes, events, links)| Span {
            trace_id,
            span_id,
            name,
            start_time_unix_nano: start,
            end_time_unix_nano: start.saturating_add(7),
            attributes,
            events,
            links,
            ..Default::default()
        },
    )
}

fn request() -> impl Strategy<Value = ExportTraceServiceRequest> {
    let scope_spans = (attributes(3), vec(span(), 0..5)).prop_map(|(attributes, spans)| ScopeSpans {
        scope: Some(InstrumentationScope { attributes, ..Default::default() }),
        spans,
        ..Default::default()
    });
    let resource_spans = (attributes(6), vec(scope_spans, 0..3)).prop_map(|(attributes, scope_spans)| ResourceSpans {
        resource: Some(Resource { attributes, ..Default::default() }),
        scope_spans,
        ..Default::default()
    });
    vec(resource_spans, 0..3).prop_map(|resource_spans| ExportTraceServiceRequest { resource_spans })
}

fn limits() -> impl Strategy<Value = DecodeLimits> {
    (1..30u32, 1..8u32, 1..8u32, 0..5u32, 0..5u32, 1..400u32).prop_map(
        |(spans, span_attributes, resource_attributes, events, links, elements)| DecodeLimits {
            max_spans_per_request: spans,
            max_attributes_per_span: span_attributes,
            max_attributes_per_resource: resource_attributes,
            max_events_per_span: events,
            max_links_per_span: links,
            max_decode_elements: elements,
        },
    )
}

/// Values nested in `value` (the elements of its arrays and lists, all the way down).
fn nested(value: &AnyValue) -> usize {
    match &value.value {
        Some(any_value::Value::ArrayValue(array)) => array.values.iter().map(|v| 1 + nested(v)).sum(),
        Some(any_value::Value::KvlistValue(list)) => list.values.iter().map(|kv| 1 + attribute_values(kv)).sum(),
        _ => 0,
    }
}

fn attribute_values(attribute: &KeyValue) -> usize {
    attribute.value.as_ref().map_or(0, nested)
}

/// Elements of a list of attributes: one each, and their nested values.
fn elements(attributes: &[KeyValue]) -> usize {
    attributes.iter().map(|a| 1 + attribute_values(a)).sum()
}

fn resource_attributes(resource_spans: &ResourceSpans) -> &[KeyValue] {
    resource_spans.resource.as_ref().map_or(&[], |r| &r.attributes)
}

fn scope_attributes(scope_spans: &ScopeSpans) -> &[KeyValue] {
    scope_spans.scope.as_ref().map_or(&[], |s| &s.attributes)
}

/// The first limit `request` passes, worked out on the built message.
fn expected_refusal(request: &ExportTraceServiceRequest, limits: &DecodeLimits) -> Option<Limit> {
    let over = |count: usize, limit: Limit| count > limits.get(limit) as usize;
    let resources = request.resource_spans.iter();
    let scopes = || resources.clone().flat_map(|r| &r.scope_spans);
    let spans = || scopes().flat_map(|s| &s.spans);
    let total = resources.clone().map(|r| 1 + elements(resource_attributes(r))).sum::<usize>()
        + scopes().map(|s| 1 + elements(scope_attributes(s))).sum::<usize>()
        + spans()
            .map(|s| {
                1 + elements(&s.attributes)
                    + s.events.iter().map(|e| 1 + elements(&e.attributes)).sum::<usize>()
                    + s.links.iter().map(|l| 1 + elements(&l.attributes)).sum::<usize>()
            })
            .sum::<usize>();
    let refusals = [
        (spans().count(), Limit::SpansPerRequest),
        (resources.clone().map(|r| resource_attributes(r).len()).max().unwrap_or(0), Limit::AttributesPerResource),
        (scopes().map(|s| scope_attributes(s).len()).max().unwrap_or(0), Limit::AttributesPerResource),
        (spans().map(|s| s.attributes.len()).max().unwrap_or(0), Limit::AttributesPerSpan),
        (spans().flat_map(|s| &s.events).map(|e| e.attributes.len()).max().unwrap_or(0), Limit::AttributesPerSpan),
        (spans().flat_map(|s| &s.links).map(|l| l.attributes.len()).max().unwrap_or(0), Limit::AttributesPerSpan),
        (spans().map(|s| s.events.len()).max().unwrap_or(0), Limit::EventsPerSpan),
        (spans().map(|s| s.links.len()).max().unwrap_or(0), Limit::LinksPerSpan),
        (total, Limit::DecodeElements),
    ];
    refusals.into_iter().find(|(count, limit)| over(*count, *limit)).map(|(_, limit)| limit)
}

/// Counts, decodes and maps `body`: never a panic; a request or a precise 400 / 413.
fn through_the_decoder(format: Format, body: &[u8], limits: &DecodeLimits) {
    match super::parse(format, body, limits) {
        Ok((request, counts)) => {
            let decoded = super::decode::decode(request, counts.spans);
            assert_eq!(decoded.observations.len() + decoded.rejected as usize, counts.spans);
        }
        Err(ApiError::BadRequest(message)) => assert!(!message.is_empty()),
        Err(ApiError::LimitExceeded(exceeded)) => assert!(exceeded.to_string().contains("LANGTRACE_MAX_")),
        Err(other) => panic!("neither 400 nor 413: {other:?}"),
    }
}

/// `body` with each `(position, byte, kind)` applied: overwrite, insert or remove a byte.
fn mutated(mut body: Vec<u8>, mutations: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(position, byte, kind) in mutations {
        let at = position % (body.len() + 1);
        match kind % 3 {
            0 if at < body.len() => body[at] = byte,
            1 => body.insert(at, byte),
            _ if at < body.len() => drop(body.remove(at)),
            _ => body.push(byte),
        }
    }
    body
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn both_formats_count_alike_and_refuse_exactly_past_a_limit(request in request(), limits in limits()) {
        let protobuf = count(Format::Protobuf, &request.encode_to_vec(), &limits);
        let json = count(Format::Json, &serde_json::to_vec(&request).unwrap(), &limits);
        prop_assert_eq!(&protobuf, &json);
        match (protobuf, expected_refusal(&request, &limits)) {
            (Ok(counts), None) => {
                let spans = request.resource_spans.iter().flat_map(|r| &r.scope_spans).map(|s| s.spans.len()).sum::<usize>();
                prop_assert_eq!(counts.spans, spans);
            }
            (Err(CountError::Limit(_)), Some(_)) => {}
            (outcome, expected) => prop_assert!(false, "{:?} where {:?} was expected", outcome, expected),
        }
    }

    #[test]
    fn generated_exports_decode_in_both_formats(request in request(), limits in limits()) {
        through_the_decoder(Format::Protobuf, &request.encode_to_vec(), &limits);
        through_the_decoder(Format::Json, &serde_json::to_vec(&request).unwrap(), &limits);
    }

    #[test]
    fn mutated_exports_never_panic(
        request in request(),
        mutations in vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8),
    ) {
        let limits = DecodeLimits::default();
        through_the_decoder(Format::Protobuf, &mutated(request.encode_to_vec(), &mutations), &limits);
        through_the_decoder(Format::Json, &mutated(serde_json::to_vec(&request).unwrap(), &mutations), &limits);
    }

    #[test]
    fn arbitrary_bytes_never_panic(body in vec(any::<u8>(), 0..256)) {
        let limits = DecodeLimits::default();
        through_the_decoder(Format::Protobuf, &body, &limits);
        through_the_decoder(Format::Json, &body, &limits);
    }
}
