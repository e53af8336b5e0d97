//! Reads retried against a scripted HTTP server on loopback: a 503 then a 200 succeeds
//! on the second request; a 400 is sent once; a server that keeps failing is tried once
//! plus the schedule's retries.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use langtrace_api::{retry, send, Connection, Error, Retries, Settings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server answering each request with the next status of its script (the last one
/// repeats), counting the requests.
struct Scripted {
    base_url: String,
    requests: Arc<AtomicUsize>,
}

impl Scripted {
    async fn start(statuses: &'static [u16]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                read_head(&mut socket).await;
                let index = counter.fetch_add(1, Ordering::SeqCst);
                let status = statuses[index.min(statuses.len() - 1)];
                let body = if status == 200 { r#"{"ok":true}"# } else { r#"{"message":"scripted"}"# };
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(answer.as_bytes()).await.unwrap();
            }
        });
        Self { base_url, requests }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// `GET /api/public/x` through a connection, retried by `retries`.
    async fn read(&self, retries: Retries) -> Result<serde_json::Value, Error> {
        let connection = connect(&self.base_url);
        let url = format!("{}/x", connection.base());
        retry(&retries, || send(connection.request(reqwest::Method::GET, &url))).await
    }
}

/// A connection to `base_url` with test keys.
fn connect(base_url: &str) -> Connection {
    let settings = Settings {
        public_key: Some("pk-lf-test".into()),
        secret_key: Some("sk-lf-test".into()),
        base_url: Some(base_url.to_owned()),
        timeout: None,
    };
    settings.connect("retry-test/1", Duration::from_secs(5)).unwrap()
}

/// Reads a request's head (the GET carries no body).
async fn read_head(socket: &mut tokio::net::TcpStream) {
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let read = socket.read(&mut buffer).await.unwrap();
        assert!(read > 0, "the client closed before sending its request");
        head.extend_from_slice(&buffer[..read]);
    }
}

const QUICK: Retries = Retries::doubling(2, Duration::from_millis(10));

#[tokio::test]
async fn a_503_then_a_200_succeeds_on_the_retry() {
    let server = Scripted::start(&[503, 200]).await;
    let answer = server.read(QUICK).await.unwrap();
    assert_eq!(answer, serde_json::json!({ "ok": true }));
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let server = Scripted::start(&[400, 200]).await;
    let error = server.read(QUICK).await.unwrap_err();
    assert!(matches!(&error, Error::Api { status: 400, message } if message == "scripted"), "{error:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_server_that_keeps_failing_gets_the_retries_then_the_error_is_returned() {
    let server = Scripted::start(&[503]).await;
    let error = server.read(QUICK).await.unwrap_err();
    assert!(matches!(error, Error::Api { status: 503, .. }), "{error:?}");
    assert_eq!(server.requests(), 3, "one try and two retries");
}

#[tokio::test]
async fn a_refused_connection_is_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let attempts = AtomicUsize::new(0);
    let connection = connect(&base_url);
    let url = format!("{}/x", connection.base());
    let error = retry(&QUICK, || {
        attempts.fetch_add(1, Ordering::SeqCst);
        send::<serde_json::Value>(connection.request(reqwest::Method::GET, &url))
    })
    .await
    .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
}
