//! A real OTLP/HTTP receiver on loopback for forwarding tests: an axum server on its own
//! thread that decodes every `ExportTraceServiceRequest` it accepts (gzip too) and keeps
//! its spans, resources and request headers. Its [`Mode`] makes it answer as an upstream
//! would when it is overloaded (503 + `Retry-After`) or refuses a batch (400); stopped
//! and started again on its port, it is an upstream that refuses connections for a
//! while. [`wait_until`]
//! polls its state (or anything else) against a deadline.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::{any_value, KeyValue};
use prost::Message;

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 200, spans kept.
    Accept,
    /// 503 with `Retry-After: <seconds>`, nothing kept.
    Unavailable {
        /// The `Retry-After` seconds.
        retry_after: u64,
    },
    /// 400, nothing kept.
    Reject,
}

/// A span as received.
#[derive(Debug, Clone)]
pub struct ReceivedSpan {
    /// Hex trace id.
    pub trace_id: String,
    /// Hex span id.
    pub span_id: String,
    /// The span's name.
    pub name: String,
    /// String attributes of the span.
    pub attributes: Vec<(String, String)>,
    /// String attributes of its resource.
    pub resource: Vec<(String, String)>,
}

/// A request the receiver answered (in any mode).
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    /// Its path.
    pub path: String,
    /// Its `authorization` header, if any.
    pub authorization: Option<String>,
    /// Its `content-encoding` header, if any.
    pub content_encoding: Option<String>,
    /// The mode it was answered in.
    pub answered: Mode,
}

#[derive(Debug)]
struct Inner {
    mode: Mode,
    spans: Vec<ReceivedSpan>,
    requests: Vec<ReceivedRequest>,
}

/// The running receiver; stopped when dropped.
pub struct Receiver {
    /// Where it listens.
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    /// A receiver on a loopback port chosen by the OS, answering in `mode`.
    pub fn start(mode: Mode) -> Self {
        Self::start_at(SocketAddr::from(([127, 0, 0, 1], 0)), mode)
    }

    /// A receiver on `addr` (the port of a receiver stopped before, say), answering in
    /// `mode`.
    pub fn start_at(addr: SocketAddr, mode: Mode) -> Self {
        let inner = Arc::new(Mutex::new(Inner { mode, spans: Vec::new(), requests: Vec::new() }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (bound_tx, bound_rx) = std::sync::mpsc::channel();
        let state = inner.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
                bound_tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(receive).with_state(state);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let addr = bound_rx.recv().expect("the receiver's address");
        Self { addr, inner, stop: Some(stop), thread: Some(thread) }
    }

    /// The OTLP/HTTP traces URL.
    pub fn traces_url(&self) -> String {
        format!("http://{}/v1/traces", self.addr)
    }

    /// Answers from now on in `mode`.
    pub fn set(&self, mode: Mode) {
        self.inner.lock().unwrap().mode = mode;
    }

    /// Every span accepted so far, in order of arrival.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        self.inner.lock().unwrap().spans.clone()
    }

    /// Every request answered so far.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.inner.lock().unwrap().requests.clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn receive(State(inner): State<Arc<Mutex<Inner>>>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut inner = inner.lock().unwrap();
    let mode = inner.mode;
    inner.requests.push(ReceivedRequest {
        path: uri.path().to_owned(),
        authorization: header("authorization"),
        content_encoding: header("content-encoding"),
        answered: mode,
    });
    match mode {
        Mode::Unavailable { retry_after } => {
            return (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", retry_after.to_string())], "down")
                .into_response()
        }
        Mode::Reject => return (StatusCode::BAD_REQUEST, "refused by the test").into_response(),
        Mode::Accept => {}
    }
    let mut plain = Vec::new();
    let bytes: &[u8] = if header("content-encoding").as_deref() == Some("gzip") {
        flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut plain).expect("a gzip body");
        &plain
    } else {
        &body
    };
    let request = ExportTraceServiceRequest::decode(bytes).expect("an OTLP protobuf body");
    for resource_spans in request.resource_spans {
        let resource = resource_spans.resource.map(|r| strings(&r.attributes)).unwrap_or_default();
        for span in resource_spans.scope_spans.into_iter().flat_map(|scope| scope.spans) {
            inner.spans.push(ReceivedSpan {
                trace_id: hex::encode(&span.trace_id),
                span_id: hex::encode(&span.span_id),
                name: span.name,
                attributes: strings(&span.attributes),
                resource: resource.clone(),
            });
        }
    }
    let answer = ExportTraceServiceResponse { partial_success: None };
    ([("content-type", "application/x-protobuf")], answer.encode_to_vec()).into_response()
}

/// The string-valued attributes.
fn strings(attributes: &[KeyValue]) -> Vec<(String, String)> {
    attributes
        .iter()
        .filter_map(|attribute| match attribute.value.as_ref()?.value.as_ref()? {
            any_value::Value::StringValue(text) => Some((attribute.key.clone(), text.clone())),
            _ => None,
        })
        .collect()
}

/// Polls `check` every 20 ms until it gives a value or `timeout` passes (then panics,
/// saying `what`).
pub fn wait_until<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
