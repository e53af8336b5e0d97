//! The walkers against requests built with the OTLP types and encoded both ways: the
//! same counts from protobuf and JSON, and each limit refused at one past it.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, ArrayValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;

use super::*;
use crate::receive::decode::tests::request;

fn attribute(index: usize) -> KeyValue {
    let value = AnyValue { value: Some(any_value::Value::IntValue(index as i64)) };
    KeyValue { key: format!("k{index}"), value: Some(value), ..Default::default() }
}

fn attributes(count: usize) -> Vec<KeyValue> {
    (0..count).map(attribute).collect()
}

/// The counts of `request` in both formats, which must agree.
fn counted(request: &ExportTraceServiceRequest, limits: &DecodeLimits) -> Result<Counts, CountError> {
    let protobuf = count(Format::Protobuf, &request.encode_to_vec(), limits);
    let json = count(Format::Json, &serde_json::to_vec(request).unwrap(), limits);
    assert_eq!(protobuf, json, "protobuf and JSON disagree");
    protobuf
}

fn refused(request: &ExportTraceServiceRequest, limits: &DecodeLimits) -> Limit {
    match counted(request, limits) {
        Err(CountError::Limit(exceeded)) => exceeded.limit,
        other => panic!("expected a limit, got {other:?}"),
    }
}

fn limits(flags: &[&str]) -> DecodeLimits {
    DecodeLimits::parse(flags).unwrap()
}

#[test]
fn empty_spans_are_counted_up_to_the_limit() {
    let limits = limits(&["--max-spans-per-request", "1000"]);
    let at = request(vec![], vec![Span::default(); 1000]);
    // 1 resource group + 1 scope group + 1000 spans.
    assert_eq!(counted(&at, &limits), Ok(Counts { spans: 1000, elements: 1002 }));
    let past = request(vec![], vec![Span::default(); 1001]);
    assert_eq!(refused(&past, &limits), Limit::SpansPerRequest);
}

#[test]
fn resource_and_scope_attributes_are_bounded() {
    let limits = DecodeLimits::default();
    assert!(counted(&request(attributes(256), vec![]), &limits).is_ok());
    assert_eq!(refused(&request(attributes(257), vec![]), &limits), Limit::AttributesPerResource);
    let mut scoped = request(vec![], vec![]);
    let scope = InstrumentationScope { attributes: attributes(257), ..Default::default() };
    scoped.resource_spans[0].scope_spans[0].scope = Some(scope);
    assert_eq!(refused(&scoped, &limits), Limit::AttributesPerResource);
}

#[test]
fn a_resource_sent_twice_is_counted_as_the_one_it_merges_into() {
    let limits = DecodeLimits::default();
    let half = Resource { attributes: attributes(200), ..Default::default() }.encode_to_vec();
    // ResourceSpans { resource (field 1) twice }: protobuf merges them into 400 attributes.
    let mut resource_spans = Vec::new();
    for _ in 0..2 {
        prost::encoding::message::encode(1, &Resource::decode(&half[..]).unwrap(), &mut resource_spans);
    }
    let mut body = Vec::new();
    prost::encoding::bytes::encode(1, &resource_spans, &mut body);
    let exceeded = count(Format::Protobuf, &body, &limits).unwrap_err();
    assert_eq!(exceeded, CountError::Limit(LimitExceeded { limit: Limit::AttributesPerResource, value: 256 }));
    assert_eq!(
        ExportTraceServiceRequest::decode(&body[..]).unwrap().resource_spans[0]
            .resource
            .as_ref()
            .unwrap()
            .attributes
            .len(),
        400
    );
}

#[test]
fn span_attributes_events_and_links_are_bounded() {
    let limits = DecodeLimits::default();
    let span = |attributes_: usize, events: usize, links: usize, event_attributes: usize| Span {
        attributes: attributes(attributes_),
        events: vec![Event { attributes: attributes(event_attributes), ..Default::default() }; events],
        links: vec![Link::default(); links],
        ..Default::default()
    };
    assert!(counted(&request(vec![], vec![span(256, 128, 128, 256)]), &limits).is_ok());
    assert_eq!(refused(&request(vec![], vec![span(257, 0, 0, 0)]), &limits), Limit::AttributesPerSpan);
    assert_eq!(refused(&request(vec![], vec![span(0, 129, 0, 0)]), &limits), Limit::EventsPerSpan);
    assert_eq!(refused(&request(vec![], vec![span(0, 0, 129, 0)]), &limits), Limit::LinksPerSpan);
    assert_eq!(refused(&request(vec![], vec![span(0, 1, 0, 257)]), &limits), Limit::AttributesPerSpan);
}

#[test]
fn the_budget_counts_every_element() {
    let span = Span { attributes: attributes(10), ..Default::default() };
    let request = request(attributes(10), vec![span.clone(), span]);
    // 2 groups + 10 resource attributes + 2 spans with 10 attributes each.
    let exact = counted(&request, &DecodeLimits::default()).unwrap();
    assert_eq!(exact, Counts { spans: 2, elements: 34 });
    assert!(counted(&request, &limits(&["--max-decode-elements", "34"])).is_ok());
    assert_eq!(refused(&request, &limits(&["--max-decode-elements", "33"])), Limit::DecodeElements);
}

fn nested(depth: usize) -> AnyValue {
    (0..depth).fold(AnyValue { value: Some(any_value::Value::BoolValue(true)) }, |inner, _| AnyValue {
        value: Some(any_value::Value::ArrayValue(ArrayValue { values: vec![inner] })),
    })
}

#[test]
fn nested_values_count_and_nest_only_so_deep() {
    let with_value = |value| {
        let attribute = KeyValue { key: "deep".into(), value: Some(value), ..Default::default() };
        request(vec![], vec![Span { attributes: vec![attribute], ..Default::default() }])
    };
    let counts = counted(&with_value(nested(MAX_VALUE_DEPTH)), &DecodeLimits::default()).unwrap();
    // 2 groups + 1 span + 1 attribute + one value per level of nesting.
    assert_eq!(counts.elements, 4 + MAX_VALUE_DEPTH);
    let too_deep = counted(&with_value(nested(MAX_VALUE_DEPTH + 1)), &DecodeLimits::default());
    assert!(matches!(too_deep, Err(CountError::Malformed(ref m)) if m.contains("nested deeper")), "{too_deep:?}");
}

#[test]
fn malformed_bodies_are_malformed_not_limits() {
    let limits = DecodeLimits::default();
    for body in [&b"\x0a\xff\xff"[..], b"\x0a\x05\x12"] {
        assert!(matches!(count(Format::Protobuf, body, &limits), Err(CountError::Malformed(_))), "{body:?}");
    }
    for body in [&b"{\"resourceSpans\": [{]}"[..], b"{} trailing"] {
        assert!(matches!(count(Format::Json, body, &limits), Err(CountError::Malformed(_))), "{body:?}");
    }
}
