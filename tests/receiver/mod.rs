//! A real OTLP receiver on loopback for the bridge's tests: OTLP/HTTP (protobuf and
//! JSON, gzip) at `/v1/traces` and `/api/public/otel/v1/traces`, OTLP/gRPC, and
//! Langfuse's media endpoints, decoding with `opentelemetry-proto`. Replies can be
//! scripted (status codes, `Retry-After`, a JSON body, or never answering).
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;

/// How the receiver answers one export request.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// 200 with an `ExportTraceServiceResponse` in the request's format.
    Ok,
    /// 200 with a JSON body whatever the request's format (as Langfuse does).
    JsonOk,
    /// This status, with `Retry-After` seconds when given (gRPC: UNAVAILABLE for 503).
    Status(u16, Option<u64>),
    /// Accept the request and never answer.
    Hang,
}

/// One export request as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub transport: &'static str,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub request: ExportTraceServiceRequest,
    pub at: Instant,
}

/// One call to the media endpoints.
#[derive(Clone, Debug)]
pub struct MediaCall {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

#[derive(Default)]
struct Inner {
    requests: Vec<Received>,
    media: Vec<MediaCall>,
    stored_media: Vec<String>,
    script: VecDeque<Reply>,
    default_reply: Option<Reply>,
}

#[derive(Default)]
struct Shared {
    inner: Mutex<Inner>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn next_reply(&self) -> Reply {
        let mut inner = self.lock();
        inner.script.pop_front().or_else(|| inner.default_reply.clone()).unwrap_or(Reply::Ok)
    }

    fn record(&self, received: Received) {
        self.lock().requests.push(received);
        self.changed.notify_all();
    }
}

/// The running receiver; stops when dropped.
pub struct Receiver {
    pub http_addr: SocketAddr,
    pub grpc_addr: SocketAddr,
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Receiver {
    /// Starts HTTP and gRPC listeners on free loopback ports.
    pub fn start() -> Self {
        Self::start_on(free_port(), free_port())
    }

    /// Starts on the given ports (to bring an endpoint up after clients tried it).
    pub fn start_on(http_port: u16, grpc_port: u16) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let shared = Arc::new(Shared::default());
        let (http_addr, grpc_addr) = runtime.block_on(async {
            let http = tokio::net::TcpListener::bind(("127.0.0.1", http_port)).await.expect("bind http");
            let grpc = tokio::net::TcpListener::bind(("127.0.0.1", grpc_port)).await.expect("bind grpc");
            let addrs = (http.local_addr().unwrap(), grpc.local_addr().unwrap());
            let app = axum::Router::new().fallback(handle_http).with_state(Arc::clone(&shared));
            tokio::spawn(async move { axum::serve(http, app).await });
            let service = TraceServiceServer::new(Grpc(Arc::clone(&shared)))
                .accept_compressed(tonic::codec::CompressionEncoding::Gzip);
            let incoming = tonic::transport::server::TcpIncoming::from(grpc);
            tokio::spawn(tonic::transport::Server::builder().add_service(service).serve_with_incoming(incoming));
            addrs
        });
        Self { http_addr, grpc_addr, shared, runtime: Some(runtime) }
    }

    /// Base URL of the HTTP listener.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// Full OTLP/HTTP traces URL.
    pub fn traces_url(&self) -> String {
        format!("http://{}/v1/traces", self.http_addr)
    }

    /// The gRPC endpoint.
    pub fn grpc_url(&self) -> String {
        format!("http://{}", self.grpc_addr)
    }

    /// Answers the next requests with `replies`, then with the default.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared.lock().script.extend(replies);
    }

    /// Answers every request not scripted with `reply`.
    pub fn always(&self, reply: Reply) {
        self.shared.lock().default_reply = Some(reply);
    }

    /// The export requests received so far.
    pub fn requests(&self) -> Vec<Received> {
        self.shared.lock().requests.clone()
    }

    /// Calls to the media endpoints so far.
    pub fn media_calls(&self) -> Vec<MediaCall> {
        self.shared.lock().media.clone()
    }

    /// Every span received, with its request's resource attributes and scope name.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        let mut spans = Vec::new();
        for received in self.requests() {
            for resource_spans in received.request.resource_spans {
                let resource = resource_spans.resource.map(|r| r.attributes).unwrap_or_default();
                for scope_spans in resource_spans.scope_spans {
                    let scope = scope_spans.scope.map(|s| (s.name, s.version)).unwrap_or_default();
                    for span in scope_spans.spans {
                        spans.push(ReceivedSpan { span, resource: resource.clone(), scope: scope.clone() });
                    }
                }
            }
        }
        spans
    }

    /// Waits until at least `count` export requests arrived, or `timeout` passes.
    pub fn wait_for_requests(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        let mut inner = self.shared.lock();
        while inner.requests.len() < count {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            inner = self.shared.changed.wait_timeout(inner, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
        inner.requests.clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A free loopback port (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A received span with its resource and scope.
#[derive(Clone, Debug)]
pub struct ReceivedSpan {
    pub span: Span,
    pub resource: Vec<KeyValue>,
    pub scope: (String, String),
}

impl ReceivedSpan {
    /// The attribute `key`, if present.
    pub fn attr(&self, key: &str) -> Option<&any_value::Value> {
        find(&self.span.attributes, key)
    }

    /// The string attribute `key`; panics when it is missing or not a string.
    pub fn str(&self, key: &str) -> &str {
        match self.attr(key) {
            Some(any_value::Value::StringValue(text)) => text,
            other => panic!("{}: attribute {key} is {other:?}, not a string", self.span.name),
        }
    }

    /// The resource attribute `key` as a string.
    pub fn resource_str(&self, key: &str) -> Option<&str> {
        match find(&self.resource, key) {
            Some(any_value::Value::StringValue(text)) => Some(text),
            _ => None,
        }
    }

    /// The attribute keys, sorted.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.span.attributes.iter().map(|kv| kv.key.as_str()).collect();
        keys.sort_unstable();
        keys
    }
}

fn find<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a any_value::Value> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v: &AnyValue| v.value.as_ref())
}

fn header_map(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
        .collect()
}

async fn handle_http(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    if path.starts_with("/api/public/media") || path.starts_with("/upload/") {
        return handle_media(&shared, method, path, headers, body.to_vec());
    }
    if method != Method::POST || !(path == "/v1/traces" || path == "/api/public/otel/v1/traces") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut bytes = body.to_vec();
    if headers.get("content-encoding").is_some_and(|v| v == "gzip") {
        let mut plain = Vec::new();
        if flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut plain).is_err() {
            return (StatusCode::BAD_REQUEST, "bad gzip").into_response();
        }
        bytes = plain;
    }
    let json =
        headers.get("content-type").is_some_and(|v| v.to_str().unwrap_or_default().starts_with("application/json"));
    let request = if json {
        serde_json::from_slice::<ExportTraceServiceRequest>(&bytes).map_err(|e| e.to_string())
    } else {
        ExportTraceServiceRequest::decode(&bytes[..]).map_err(|e| e.to_string())
    };
    let request = match request {
        Ok(request) => request,
        Err(error) => return (StatusCode::BAD_REQUEST, error).into_response(),
    };
    let reply = shared.next_reply();
    shared.record(Received { transport: "http", path, headers: header_map(&headers), request, at: Instant::now() });
    match reply {
        Reply::Ok if json => ([("content-type", "application/json")], "{}").into_response(),
        Reply::Ok => {
            let body = ExportTraceServiceResponse::default().encode_to_vec();
            ([("content-type", "application/x-protobuf")], body).into_response()
        }
        Reply::JsonOk => ([("content-type", "application/json")], r#"{"message":"ok"}"#).into_response(),
        Reply::Status(code, retry_after) => {
            let status = StatusCode::from_u16(code).unwrap();
            match retry_after {
                Some(seconds) => (status, [("retry-after", seconds.to_string())], "").into_response(),
                None => status.into_response(),
            }
        }
        Reply::Hang => std::future::pending().await,
    }
}

/// Langfuse's media flow, with uploads stored under `/upload/{id}` on this server.
fn handle_media(shared: &Shared, method: Method, path: String, headers: HeaderMap, body: Vec<u8>) -> Response {
    let mut inner = shared.lock();
    inner.media.push(MediaCall {
        method: method.to_string(),
        path: path.clone(),
        headers: header_map(&headers),
        body: body.clone(),
    });
    shared.changed.notify_all();
    if method == Method::POST && path == "/api/public/media" {
        let announce: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let hash = announce["sha256Hash"].as_str().unwrap_or_default();
        let media_id: String = hash.replace('+', "-").replace('/', "_").chars().take(22).collect();
        let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or_default();
        let upload_url = if inner.stored_media.contains(&media_id) {
            serde_json::Value::Null
        } else {
            format!("http://{host}/upload/{media_id}").into()
        };
        return axum::Json(serde_json::json!({"mediaId": media_id, "uploadUrl": upload_url})).into_response();
    }
    if method == Method::PUT {
        let id = path.trim_start_matches("/upload/").to_owned();
        inner.stored_media.push(id);
    }
    StatusCode::OK.into_response()
}

struct Grpc(Arc<Shared>);

#[tonic::async_trait]
impl TraceService for Grpc {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let headers = request.metadata().clone().into_headers();
        let reply = self.0.next_reply();
        let received = Received {
            transport: "grpc",
            path: "opentelemetry.proto.collector.trace.v1.TraceService/Export".into(),
            headers: header_map(&headers),
            request: request.into_inner(),
            at: Instant::now(),
        };
        self.0.record(received);
        match reply {
            Reply::Ok | Reply::JsonOk => Ok(tonic::Response::new(ExportTraceServiceResponse::default())),
            Reply::Status(503, _) => Err(tonic::Status::unavailable("try later")),
            Reply::Status(_, _) => Err(tonic::Status::invalid_argument("bad data")),
            Reply::Hang => std::future::pending().await,
        }
    }
}
