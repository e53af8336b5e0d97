//! The bad-input table of the ingest endpoints, against a real collector: each bad
//! request gets a precise status, the server keeps serving, and data it acknowledged
//! is never lost.

mod support;

use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use prost::Message;
use support::http::message;
use support::otlp::{self, request, span, JSON, PROTOBUF};
use support::{basic, Collector, PUBLIC_KEY, SECRET_KEY};

fn auth() -> String {
    basic(PUBLIC_KEY, SECRET_KEY)
}

#[test]
fn malformed_unsupported_oversized_and_unauthenticated_requests() {
    let collector = Collector::start_with(&["--max-body-bytes", "65536"]);
    let auth = auth();
    let protobuf = [("content-type", PROTOBUF), ("authorization", &auth)];
    let json = [("content-type", JSON), ("authorization", &auth)];

    let (status, _, body) = collector.post_raw("/v1/traces", &protobuf, b"\xff\xff\xff garbage".to_vec());
    assert_eq!(status, 400);
    assert!(message(&body).contains("invalid OTLP protobuf"), "{}", message(&body));

    let (status, _, body) = collector.post_raw("/v1/traces", &json, b"{\"resourceSpans\": [".to_vec());
    assert_eq!(status, 400);
    assert!(message(&body).contains("invalid OTLP JSON"), "{}", message(&body));

    let text = [("content-type", "text/plain"), ("authorization", &auth)];
    let (status, _, body) = collector.post_raw("/v1/traces", &text, b"hello".to_vec());
    assert_eq!(status, 415);
    assert!(message(&body).contains("text/plain"));

    let big = otlp::protobuf(&request([span(1, 1).input(&"x".repeat(100_000))]));
    let (status, _, _) = collector.post_raw("/v1/traces", &protobuf, big);
    assert_eq!(status, 413, "body over the limit");

    // A gzip bomb: 8 MiB of zeros compress to a few KiB, under the limit until inflated.
    let bomb = otlp::gzip(&vec![0u8; 8 << 20]);
    assert!(bomb.len() < 65536);
    let gzip = [("content-type", PROTOBUF), ("content-encoding", "gzip"), ("authorization", &auth)];
    let (status, _, body) = collector.post_raw("/v1/traces", &gzip, bomb);
    assert_eq!(status, 413, "{}", message(&body));

    let valid = request([span(1, 1).input("hi")]);
    let (status, headers, _) = collector.post_raw("/v1/traces", &[("content-type", PROTOBUF)], otlp::protobuf(&valid));
    assert_eq!(status, 401);
    assert!(!headers.contains_key("www-authenticate"), "no challenge: browsers would keep ambient credentials");
    let wrong = basic(PUBLIC_KEY, "sk-wrong");
    let (status, _, _) = otlp::post(&collector, &wrong, &valid);
    assert_eq!(status, 401);
    assert_eq!(collector.get_as("/api/public/traces", &wrong).0, 401);
    assert_eq!(collector.get_as("/api/public/traces", "Bearer nothing").0, 401);

    // Nothing was stored, and the server still serves.
    assert_eq!(collector.ok("/api/public/traces")["meta"]["totalItems"], 0);
    assert_eq!(collector.ok("/api/public/health")["status"], "OK");
}

#[test]
fn invalid_ids_are_rejected_in_partial_success_and_the_rest_stored() {
    let collector = Collector::start();
    let auth = auth();
    let short_trace = span(2, 2).input("bad trace id").trace_id(vec![2; 15]);
    let zero_span = span(2, 3).input("bad span id").span_id(vec![0; 8]);
    let body = otlp::protobuf(&request([span(2, 1).input("good"), short_trace, zero_span]));
    let protobuf = [("content-type", PROTOBUF), ("authorization", &auth)];
    let (status, headers, reply) = collector.post_raw("/api/public/otel/v1/traces", &protobuf, body);
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/x-protobuf");
    let reply = ExportTraceServiceResponse::decode(&reply[..]).unwrap();
    let partial = reply.partial_success.expect("partial success");
    assert_eq!(partial.rejected_spans, 2);
    assert!(partial.error_message.contains("trace id"), "{}", partial.error_message);

    let trace = collector.ok(&format!("/api/public/traces/{}", otlp::trace_id(2)));
    assert_eq!(trace["observations"].as_array().unwrap().len(), 1);

    // JSON requests get JSON replies.
    let json_body = otlp::json(&request([span(3, 1).input("json")]));
    let json = [("content-type", JSON), ("authorization", &auth)];
    let (status, headers, _) = collector.post_raw("/v1/traces", &json, json_body);
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
}

/// 24 requests of 255 spans (~1 KiB each), request `r` being trace `r + 10`: sent at
/// once to a collector with a queue of one job, some must be refused.
fn overload_requests() -> Vec<ExportTraceServiceRequest> {
    let payload = "p".repeat(1024);
    (0..24u8)
        .map(|r| request((0..255u8).map(|i| span(r + 10, i).input(&payload).span_id(vec![r + 1, i, 1, 1, 1, 1, 1, 1]))))
        .collect()
}

/// Every acknowledged request's 255 spans are stored.
fn assert_acknowledged_are_stored(collector: &Collector, acknowledged: impl IntoIterator<Item = u8>) {
    for r in acknowledged {
        let trace = collector.ok(&format!("/api/public/traces/{}", otlp::trace_id(r + 10)));
        assert_eq!(trace["observations"].as_array().unwrap().len(), 255, "acknowledged spans are stored");
    }
}

#[test]
fn overload_answers_503_with_retry_after_and_loses_nothing_acknowledged() {
    let collector = Collector::start_with(&["--ingest-queue", "1"]);
    let collector = &collector;
    let results: Vec<(u16, Option<String>, u8)> = std::thread::scope(|scope| {
        let handles: Vec<_> = overload_requests()
            .into_iter()
            .enumerate()
            .map(|(r, request)| {
                scope.spawn(move || {
                    let (status, headers, _) = otlp::post(collector, &auth(), &request);
                    let retry = headers.get("retry-after").map(|v| v.to_str().unwrap().to_owned());
                    (status, retry, r as u8)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let refused: Vec<_> = results.iter().filter(|(status, ..)| *status == 503).collect();
    let accepted: Vec<_> = results.iter().filter(|(status, ..)| *status == 200).collect();
    assert_eq!(refused.len() + accepted.len(), results.len(), "only 200 or 503: {results:?}");
    assert!(!refused.is_empty(), "a queue of one job refuses some of 24 concurrent requests");
    assert!(refused.iter().all(|(_, retry, _)| retry.as_deref() == Some("1")));
    assert_acknowledged_are_stored(collector, accepted.iter().map(|(_, _, r)| *r));
}

#[test]
fn a_body_sent_too_slowly_gets_408_and_gives_its_place_back() {
    use std::io::{Read, Write};

    let collector = Collector::start_with(&["--ingest-queue", "1", "--body-timeout", "1s"]);
    let address = collector.base_url.trim_start_matches("http://");
    let mut slow = std::net::TcpStream::connect(address).unwrap();
    // A safety net against a hang, far above the server's 1 s: the answer ends the wait.
    slow.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    write!(
        slow,
        "POST /v1/traces HTTP/1.1\r\nHost: {address}\r\nAuthorization: {}\r\n\
         Content-Type: application/x-protobuf\r\nContent-Length: 1000\r\n\r\n0123456789",
        auth()
    )
    .unwrap();
    let mut answer = Vec::new();
    let _ = slow.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive within 1s"), "{answer}");

    // The only place in flight (`--ingest-queue 1`) is free again.
    let (status, _, _) = otlp::post(&collector, &auth(), &request([span(9, 1).input("after the slow one")]));
    assert_eq!(status, 200);
}

#[test]
fn grpc_overload_answers_unavailable_and_loses_nothing_acknowledged() {
    let collector = Collector::start_with(&["--ingest-queue", "1"]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let results: Vec<(Result<(), tonic::Code>, u8)> = runtime.block_on(async {
        let client = otlp::grpc_client(&collector.grpc_addr).await;
        let exports = overload_requests().into_iter().enumerate().map(|(r, export)| {
            let mut client = client.clone();
            tokio::spawn(async move {
                let request = otlp::grpc_request(export, &auth());
                (client.export(request).await.map(|_| ()).map_err(|status| status.code()), r as u8)
            })
        });
        let mut results = Vec::new();
        for export in exports.collect::<Vec<_>>() {
            results.push(export.await.unwrap());
        }
        results
    });
    let refused = results.iter().filter(|(outcome, _)| *outcome == Err(tonic::Code::Unavailable)).count();
    let accepted: Vec<u8> = results.iter().filter(|(outcome, _)| outcome.is_ok()).map(|(_, r)| *r).collect();
    assert_eq!(refused + accepted.len(), results.len(), "only OK or UNAVAILABLE: {results:?}");
    assert!(refused > 0, "a queue of one job refuses some of 24 concurrent exports");
    assert_acknowledged_are_stored(&collector, accepted);
}

#[test]
fn grpc_refuses_bad_credentials_and_reports_rejected_spans() {
    let collector = Collector::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut client = otlp::grpc_client(&collector.grpc_addr).await;
        let short = span(4, 2).input("bad").span_id(vec![4; 7]);
        let export =
            |authorization: &str| otlp::grpc_request(request([span(4, 1).input("good"), short.clone()]), authorization);
        let refused = client.export(export(&basic(PUBLIC_KEY, "sk-wrong"))).await.unwrap_err();
        assert_eq!(refused.code(), tonic::Code::Unauthenticated);
        let accepted = client.export(export(&auth())).await.unwrap().into_inner();
        assert_eq!(accepted.partial_success.unwrap().rejected_spans, 1);
    });
    let trace = collector.ok(&format!("/api/public/traces/{}", otlp::trace_id(4)));
    assert_eq!(trace["observations"].as_array().unwrap().len(), 1);
}
