//! Hostile cases: decode. OTLP exports that would inflate into millions of messages, or
//! carry more attributes than a span or resource may, are refused whole with 413 (HTTP)
//! or RESOURCE_EXHAUSTED (gRPC) naming the limit and its setting, before anything is
//! built; an export at the limits is still stored.

use opentelemetry_proto::tonic::trace::v1::span::{Event, Link};

use crate::support::bombs;
use crate::support::http::message;
use crate::support::otlp::{self, JSON, PROTOBUF, TRACES_PATH};
use crate::support::{basic, Collector, PUBLIC_KEY, SECRET_KEY};

fn auth() -> String {
    basic(PUBLIC_KEY, SECRET_KEY)
}

/// POSTs `body` gzip-compressed as `content_type`; status and error message.
fn post_gzip(collector: &Collector, content_type: &str, body: &[u8]) -> (u16, String) {
    let headers = [("content-type", content_type), ("content-encoding", "gzip"), ("authorization", &auth())];
    let (status, _, answer) = collector.post_raw(TRACES_PATH, &headers, otlp::gzip(body));
    (status, message(&answer))
}

const SPAN_LIMIT: &str =
    "more than 50000 spans in one request (--max-spans-per-request / LANGTRACE_MAX_SPANS_PER_REQUEST)";

#[test]
fn a_gzip_bomb_of_empty_protobuf_spans_gets_413_naming_the_span_limit() {
    let collector = Collector::start();
    // 8 million empty spans: 16 MB inflated, under the body limit, a few KB on the wire.
    let (status, message) = post_gzip(&collector, PROTOBUF, &bombs::empty_spans_protobuf(8_000_000));
    assert_eq!((status, message.as_str()), (413, SPAN_LIMIT));
    // The server is still there and accepts a normal export.
    otlp::send(&collector, &auth(), &otlp::request([otlp::span(1, 1).input("after the bomb")]));
}

#[test]
fn a_gzip_bomb_of_empty_json_spans_gets_413_naming_the_span_limit() {
    let collector = Collector::start();
    // 5 million `{}`: 15 MB inflated, under the body limit.
    let (status, message) = post_gzip(&collector, JSON, &bombs::empty_spans_json(5_000_000));
    assert_eq!((status, message.as_str()), (413, SPAN_LIMIT));
}

#[test]
fn too_many_resource_or_span_attributes_get_413_naming_their_limit() {
    let collector = Collector::start();
    let resource = bombs::with_resource_attributes(257, bombs::spans_with_attributes(2, 1, 1));
    let (status, answer) = post_gzip(&collector, PROTOBUF, &otlp::protobuf(&resource));
    assert_eq!(status, 413);
    assert!(
        answer.contains("more than 256 attributes on one resource or scope (--max-attributes-per-resource"),
        "{answer}"
    );
    let span = bombs::with_resource_attributes(1, bombs::spans_with_attributes(3, 1, 257));
    let (status, answer) = post_gzip(&collector, JSON, &otlp::json(&span));
    assert_eq!(status, 413);
    assert!(
        answer.contains("more than 256 attributes on one span, event or link (--max-attributes-per-span"),
        "{answer}"
    );
    for trace in [2, 3] {
        let (status, _) = collector.get(&format!("/api/public/traces/{}", otlp::trace_id(trace)));
        assert_eq!(status, 404, "nothing of a refused export is stored");
    }
}

#[test]
fn an_export_at_every_limit_is_stored_whole() {
    let collector = Collector::start_with(&["--max-spans-per-request", "4"]);
    let mut spans = bombs::spans_with_attributes(4, 4, 256);
    for span in &mut spans {
        span.events = vec![Event { attributes: bombs::attributes(256), ..Default::default() }; 128];
        span.links = vec![Link::default(); 128];
    }
    let export = bombs::with_resource_attributes(256, spans.clone());
    for (content_type, body) in [(PROTOBUF, otlp::protobuf(&export)), (JSON, otlp::json(&export))] {
        let (status, answer) = post_gzip(&collector, content_type, &body);
        assert_eq!(status, 200, "{content_type}: {answer}");
    }
    let trace = collector.ok(&format!("/api/public/traces/{}", otlp::trace_id(4)));
    assert_eq!(trace["observations"].as_array().unwrap().len(), 4);
    // One span more is one past the limit.
    spans.push(bombs::spans_with_attributes(4, 5, 0).remove(4));
    let (status, answer) = post_gzip(&collector, PROTOBUF, &otlp::protobuf(&bombs::with_resource_attributes(0, spans)));
    assert_eq!(
        (status, answer.as_str()),
        (413, "more than 4 spans in one request (--max-spans-per-request / LANGTRACE_MAX_SPANS_PER_REQUEST)")
    );
}

#[test]
fn a_grpc_bomb_gets_resource_exhausted_naming_the_span_limit() {
    let collector = Collector::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let bomb = bombs::empty_spans_protobuf(8_000_000);
        let refused = bombs::grpc_export_raw(&collector.grpc_addr, &auth(), bomb).await.unwrap_err();
        assert_eq!((refused.code(), refused.message()), (tonic::Code::ResourceExhausted, SPAN_LIMIT));
        // The place among the requests in flight was given back: a normal export follows.
        let normal = otlp::protobuf(&otlp::request([otlp::span(5, 1).input("after the gRPC bomb")]));
        let answer = bombs::grpc_export_raw(&collector.grpc_addr, &auth(), normal).await.unwrap();
        assert_eq!(answer.partial_success, None);
    });
    let trace = collector.ok(&format!("/api/public/traces/{}", otlp::trace_id(5)));
    assert_eq!(trace["observations"].as_array().unwrap().len(), 1);
}

#[test]
fn events_links_and_the_element_budget_get_413_naming_their_setting() {
    let collector = Collector::start_with(&[
        "--max-events-per-span",
        "2",
        "--max-links-per-span",
        "2",
        "--max-decode-elements",
        "40",
    ]);
    let with = |events: usize, links: usize, attributes: usize| {
        let mut spans = bombs::spans_with_attributes(6, 1, attributes);
        spans[0].events = vec![Event::default(); events];
        spans[0].links = vec![Link::default(); links];
        otlp::protobuf(&bombs::with_resource_attributes(0, spans))
    };
    let cases = [
        (with(3, 0, 0), "more than 2 events on one span (--max-events-per-span / LANGTRACE_MAX_EVENTS_PER_SPAN)"),
        (with(0, 3, 0), "more than 2 links on one span (--max-links-per-span / LANGTRACE_MAX_LINKS_PER_SPAN)"),
        (
            with(2, 2, 40),
            "more than 40 elements (spans, events, links, attributes, values) in one request (--max-decode-elements / LANGTRACE_MAX_DECODE_ELEMENTS)",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(post_gzip(&collector, PROTOBUF, &body), (413, expected.to_owned()));
    }
    // Within all three: stored.
    assert_eq!(post_gzip(&collector, PROTOBUF, &with(2, 2, 30)).0, 200);
    assert_eq!(
        collector.ok(&format!("/api/public/traces/{}", otlp::trace_id(6)))["observations"].as_array().unwrap().len(),
        1
    );
}
