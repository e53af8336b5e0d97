//! Hostile cases: writer. Requests that once stalled or poisoned the single writer (tens
//! of thousands of tags, token counts overflowing a trace's sums, a regex bomb as a model
//! price, megabytes of input, megabytes of comment) are accepted within the stored caps,
//! or refused with a 400 naming the limit, and the trace keeps accepting spans.

use serde_json::json;

use crate::support::heavy::{large_input_request, overflow_span, tags_request};
use crate::support::http::message;
use crate::support::otlp::{self, post, request, span, trace_id};
use crate::support::slow::{self, RawConnection};
use crate::support::{cli, Collector};

/// The marker a value cut to its cap ends with (the Langfuse SDKs' placeholder).
const MARKER: &str = "<truncated due to size exceeding limit>";

#[test]
fn another_projects_export_is_answered_while_a_heavy_one_is_in_flight() {
    let collector = Collector::start();
    let other = cli::create_project(collector.data_dir(), "other");
    // The heavy export (50,000 tags) is admitted and held in flight: all of its body but
    // the last byte sent.
    let body = otlp::protobuf(&tags_request(1, 50_000));
    let length = body.len().to_string();
    let authorization = collector.authorization();
    let headers = [("content-type", otlp::PROTOBUF), ("authorization", &authorization), ("content-length", &length)];
    let head_and_body = slow::request("POST", otlp::TRACES_PATH, &headers, &body);
    let mut heavy = RawConnection::open(&collector.base_url);
    heavy.send(&head_and_body[..head_and_body.len() - 1]);

    // Another project's export is answered, and stored, meanwhile.
    otlp::send(&collector, &other.basic(), &request([span(2, 1)]));
    let (status, traces) = collector.get_as("/api/public/traces", &other.basic());
    assert_eq!((status, traces["data"].as_array().map(Vec::len)), (200, Some(1)));

    // The heavy one then completes and is stored within its caps.
    assert_eq!(heavy.send(&head_and_body[head_and_body.len() - 1..]).answer().0, 200);
    let trace = collector.ok(&format!("/api/public/traces/{}", trace_id(1)));
    assert_eq!(trace["tags"].as_array().map(Vec::len), Some(1000));
}

#[test]
fn fifty_thousand_tags_on_one_span_are_accepted_and_stored_capped_in_order() {
    let collector = Collector::start();
    let (status, _, body) = post(&collector, &collector.authorization(), &tags_request(1, 50_000));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let trace = collector.ok(&format!("/api/public/traces/{}", trace_id(1)));
    let tags = trace["tags"].as_array().unwrap();
    assert_eq!(tags.len(), 1000, "--max-tags-per-trace keeps the first 1,000");
    assert_eq!(tags[0], "tag-0");
    assert_eq!(tags[999], "tag-999");

    // A later span of the trace brings new tags: the trace stays at its cap.
    let (status, _, _) = post(&collector, &collector.authorization(), &tags_request(1, 1_500));
    assert_eq!(status, 200);
    let trace = collector.ok(&format!("/api/public/traces/{}", trace_id(1)));
    assert_eq!(trace["tags"].as_array().unwrap().len(), 1000);
}

#[test]
fn tag_caps_are_settings() {
    let collector = Collector::start_with(&["--max-tags-per-trace", "3", "--max-tag-chars", "5"]);
    let (status, _, _) = post(&collector, &collector.authorization(), &tags_request(2, 10));
    assert_eq!(status, 200);
    let trace = collector.ok(&format!("/api/public/traces/{}", trace_id(2)));
    assert_eq!(trace["tags"], json!(["tag-0", "tag-1", "tag-2"]));
    let long = crate::support::otlp::texts("langfuse.trace.tags", &["abcdefgh", "abcdexyz", "z"]);
    let (status, _, _) = post(&collector, &collector.authorization(), &request([span(3, 1).attributes(vec![long])]));
    assert_eq!(status, 200);
    let trace = collector.ok(&format!("/api/public/traces/{}", trace_id(3)));
    assert_eq!(trace["tags"], json!(["abcde", "z"]), "cut to --max-tag-chars, then deduplicated");
}

#[test]
fn a_trace_whose_token_counts_overflow_saturates_and_keeps_accepting_spans() {
    let collector = Collector::start();
    for id in 1..=3 {
        let (status, _, body) = post(&collector, &collector.authorization(), &request([overflow_span(4, id)]));
        assert_eq!(status, 200, "span {id}: {}", String::from_utf8_lossy(&body));
    }
    let trace = collector.ok(&format!("/api/public/traces/{}", trace_id(4)));
    assert_eq!(trace["observationCount"], 3);
    assert_eq!(trace["usage"]["input"], i64::MAX, "the sum saturates");
    assert_eq!(trace["usage"]["total"], i64::MAX);
    let cost = trace["totalCost"].as_f64().unwrap();
    assert!(cost.is_finite() && cost > 0.0, "priced and finite: {cost}");
    // Sent again, a span replaces itself: the trace still counts three.
    let (status, _, _) = post(&collector, &collector.authorization(), &request([overflow_span(4, 2)]));
    assert_eq!(status, 200);
    assert_eq!(collector.ok(&format!("/api/public/traces/{}", trace_id(4)))["observationCount"], 3);
}

#[test]
fn price_patterns_past_their_limits_are_refused_naming_the_limit() {
    let collector = Collector::start();
    let price =
        |pattern: &str| json!({"modelName": "m", "matchPattern": pattern, "inputPrice": 1e-6, "outputPrice": 0});
    let (status, body) = collector.post_json("/api/public/models", &price("(?:.*){100000}z"));
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("at most 65536 bytes"), "{body}");
    let (status, body) = collector.post_json("/api/public/models", &price(&"a".repeat(257)));
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("256 characters"), "{body}");

    for i in 0..200 {
        let (status, body) = collector.post_json("/api/public/models", &price(&format!("model-{i}")));
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = collector.post_json("/api/public/models", &price("one-too-many"));
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("at most 200 prices"), "{body}");
}

#[test]
fn a_five_megabyte_input_is_stored_truncated_with_the_marker() {
    let collector = Collector::start();
    let (status, _, body) = post(&collector, &collector.authorization(), &large_input_request(5, 5 << 20));
    assert_eq!(status, 200, "{}", message(&body));
    let observation = collector.ok(&format!("/api/public/observations/{}", "01".repeat(8)));
    let input = observation["input"].as_str().expect("a JSON string");
    assert!(input.ends_with(MARKER), "ends with the marker");
    assert!(input.starts_with("\"xxx"), "starts with the value's first bytes");
    assert!(input.len() <= 1 << 20, "--max-io-bytes: {} bytes", input.len());
    let trace = collector.ok(&format!("/api/public/traces/{}", trace_id(5)));
    assert!(trace["input"].as_str().unwrap().ends_with(MARKER), "the trace's input is the root's, capped");
}

#[test]
fn comments_of_megabytes_are_refused_naming_the_limit_and_nothing_is_stored() {
    let collector = Collector::start();
    otlp::send(&collector, &collector.authorization(), &request([span(1, 1)]));
    let trace = trace_id(1);
    let megabytes = "x".repeat(4 << 20);
    for (body, limit) in [
        (json!({"objectType": "TRACE", "objectId": trace, "content": megabytes}), "3000 characters"),
        (
            json!({"objectType": "TRACE", "objectId": trace, "content": "ok", "authorUserId": megabytes}),
            "256 characters",
        ),
    ] {
        let (status, answer) = collector.post_json("/api/public/comments", &body);
        assert_eq!(status, 400, "{answer}");
        assert!(answer["message"].as_str().unwrap().contains(limit), "{answer}");
    }
    // An object id of megabytes names nothing: 404, nothing stored.
    let body = json!({"objectType": "OBSERVATION", "objectId": megabytes, "content": "ok"});
    assert_eq!(collector.post_json("/api/public/comments", &body).0, 404);
    assert_eq!(collector.ok("/api/public/comments")["meta"]["totalItems"], 0);
}

#[test]
fn a_bad_cap_is_a_start_up_error_naming_the_setting() {
    let data_dir = tempfile::tempdir().unwrap();
    for (flag, value) in [("--max-tags-per-trace", "0"), ("--max-io-bytes", "lots")] {
        let output = crate::support::cli::output(data_dir.path(), &["serve", flag, value]);
        assert!(!output.status.success(), "{flag} {value} is refused");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(flag), "{stderr}");
    }
}
