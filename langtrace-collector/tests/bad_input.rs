//! The bad-input table of the ingest endpoints, against a real `langtrace serve`: each
//! bad request gets a precise status, the server keeps serving, and data it acknowledged
//! is never lost.

mod support;

use std::io::Write;

use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use serde_json::Value;
use support::{Collector, PUBLIC_KEY, SECRET_KEY};

fn span(trace: u8, id: u8, payload: &str) -> Span {
    Span {
        trace_id: vec![trace; 16],
        span_id: vec![id; 8],
        name: format!("span-{id}"),
        start_time_unix_nano: 1_700_000_000_000_000_000,
        end_time_unix_nano: 1_700_000_000_100_000_000,
        attributes: vec![KeyValue {
            key: "langfuse.observation.input".into(),
            value: Some(AnyValue { value: Some(any_value::Value::StringValue(payload.into())) }),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn request(spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans { spans, ..Default::default() }],
            ..Default::default()
        }],
    }
}

fn auth() -> String {
    Collector::basic(PUBLIC_KEY, SECRET_KEY)
}

fn message(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .map(|v| v["message"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

#[test]
fn malformed_unsupported_oversized_and_unauthenticated_requests() {
    let collector = Collector::start_with(&["--max-body-bytes", "65536"]);
    let auth = auth();
    let protobuf = [("content-type", "application/x-protobuf"), ("authorization", &auth)];
    let json = [("content-type", "application/json"), ("authorization", &auth)];

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

    let big = request(vec![span(1, 1, &"x".repeat(100_000))]).encode_to_vec();
    let (status, _, _) = collector.post_raw("/v1/traces", &protobuf, big);
    assert_eq!(status, 413, "body over the limit");

    // A gzip bomb: 8 MiB of zeros compress to a few KiB, under the limit until inflated.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0u8; 8 << 20]).unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 65536);
    let gzip = [("content-type", "application/x-protobuf"), ("content-encoding", "gzip"), ("authorization", &auth)];
    let (status, _, body) = collector.post_raw("/v1/traces", &gzip, bomb);
    assert_eq!(status, 413, "{}", message(&body));

    let valid = request(vec![span(1, 1, "hi")]).encode_to_vec();
    let (status, headers, _) =
        collector.post_raw("/v1/traces", &[("content-type", "application/x-protobuf")], valid.clone());
    assert_eq!(status, 401);
    assert!(headers.contains_key("www-authenticate"));
    let wrong = Collector::basic(PUBLIC_KEY, "sk-wrong");
    let (status, _, _) = collector.post_raw(
        "/v1/traces",
        &[("content-type", "application/x-protobuf"), ("authorization", &wrong)],
        valid,
    );
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
    let mut short_trace = span(2, 2, "bad trace id");
    short_trace.trace_id = vec![2; 15];
    let mut zero_span = span(2, 3, "bad span id");
    zero_span.span_id = vec![0; 8];
    let body = request(vec![span(2, 1, "good"), short_trace, zero_span]).encode_to_vec();
    let protobuf = [("content-type", "application/x-protobuf"), ("authorization", &auth)];
    let (status, headers, reply) = collector.post_raw("/api/public/otel/v1/traces", &protobuf, body);
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/x-protobuf");
    let reply = ExportTraceServiceResponse::decode(&reply[..]).unwrap();
    let partial = reply.partial_success.expect("partial success");
    assert_eq!(partial.rejected_spans, 2);
    assert!(partial.error_message.contains("trace id"), "{}", partial.error_message);

    let trace = collector.ok(&format!("/api/public/traces/{}", "02".repeat(16)));
    assert_eq!(trace["observations"].as_array().unwrap().len(), 1);

    // JSON requests get JSON replies.
    let json_body = serde_json::to_vec(&request(vec![span(3, 1, "json")])).unwrap();
    let json = [("content-type", "application/json"), ("authorization", &auth)];
    let (status, headers, _) = collector.post_raw("/v1/traces", &json, json_body);
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
}

/// 24 requests of 255 spans (~1 KiB each), request `r` being trace `r + 10`: sent at
/// once to a collector with a queue of one job, some must be refused.
fn overload_requests() -> Vec<ExportTraceServiceRequest> {
    let payload = "p".repeat(1024);
    (0..24u8)
        .map(|r| {
            request(
                (0..255u8)
                    .map(|i| {
                        let mut s = span(r + 10, i.max(1), &payload);
                        s.span_id = vec![r + 1, i, 1, 1, 1, 1, 1, 1];
                        s
                    })
                    .collect(),
            )
        })
        .collect()
}

/// Every acknowledged request's 255 spans are stored.
fn assert_acknowledged_are_stored(collector: &Collector, acknowledged: impl IntoIterator<Item = u8>) {
    for r in acknowledged {
        let trace = collector.ok(&format!("/api/public/traces/{}", format!("{:02x}", r + 10).repeat(16)));
        assert_eq!(trace["observations"].as_array().unwrap().len(), 255, "acknowledged spans are stored");
    }
}

#[test]
fn overload_answers_503_with_retry_after_and_loses_nothing_acknowledged() {
    let collector = Collector::start_with(&["--ingest-queue", "1"]);
    let url = format!("{}/v1/traces", collector.base_url);
    let results: Vec<(u16, Option<String>, u8)> = std::thread::scope(|scope| {
        let handles: Vec<_> = overload_requests()
            .into_iter()
            .enumerate()
            .map(|(r, request)| {
                let (client, url) = (collector.client().clone(), url.clone());
                scope.spawn(move || {
                    let response = client
                        .post(url)
                        .header("content-type", "application/x-protobuf")
                        .header("authorization", auth())
                        .body(request.encode_to_vec())
                        .send()
                        .unwrap();
                    let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
                    (response.status().as_u16(), retry, r as u8)
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
    assert_acknowledged_are_stored(&collector, accepted.iter().map(|(_, _, r)| *r));
}

#[test]
fn a_body_sent_too_slowly_gets_408_and_gives_its_place_back() {
    use std::io::Read;

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
    let body = request(vec![span(9, 1, "after the slow one")]).encode_to_vec();
    let headers = [("content-type", "application/x-protobuf"), ("authorization", &auth())];
    let (status, _, _) = collector.post_raw("/v1/traces", &headers, body);
    assert_eq!(status, 200);
}

#[test]
fn grpc_overload_answers_unavailable_and_loses_nothing_acknowledged() {
    use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;

    let collector = Collector::start_with(&["--ingest-queue", "1"]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let results: Vec<(Result<(), tonic::Code>, u8)> = runtime.block_on(async {
        let client = TraceServiceClient::connect(format!("http://{}", collector.grpc_addr)).await.unwrap();
        let exports = overload_requests().into_iter().enumerate().map(|(r, export)| {
            let mut client = client.clone();
            tokio::spawn(async move {
                let mut request = tonic::Request::new(export);
                request.metadata_mut().insert("authorization", auth().parse().unwrap());
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
    use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;

    let collector = Collector::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut client = TraceServiceClient::connect(format!("http://{}", collector.grpc_addr)).await.unwrap();
        let mut short = span(4, 2, "bad");
        short.span_id = vec![4; 7];
        let export = |authorization: &str| {
            let mut request = tonic::Request::new(request(vec![span(4, 1, "good"), short.clone()]));
            request.metadata_mut().insert("authorization", authorization.parse().unwrap());
            request
        };
        let refused = client.export(export(&Collector::basic(PUBLIC_KEY, "sk-wrong"))).await.unwrap_err();
        assert_eq!(refused.code(), tonic::Code::Unauthenticated);
        let accepted = client.export(export(&auth())).await.unwrap().into_inner();
        assert_eq!(accepted.partial_success.unwrap().rejected_spans, 1);
    });
    let trace = collector.ok(&format!("/api/public/traces/{}", "04".repeat(16)));
    assert_eq!(trace["observations"].as_array().unwrap().len(), 1);
}
