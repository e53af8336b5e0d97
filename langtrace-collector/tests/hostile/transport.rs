//! Hostile cases: transport. Connections that send half a request, or stop sending a
//! body, cannot hold the listener OTLP, the API and the UI share; a media upload is
//! checked against its announcement before and while its body is read, never buffered.

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::support::http::message;
use crate::support::otlp::trace_id;
use crate::support::slow::{health_check, request, slow_headers, RawConnection, HALF_A_REQUEST_LINE};
use crate::support::Collector;

#[test]
fn slow_header_connections_do_not_stop_a_fresh_health_check() {
    // The header timeout is long: the health check gets through only because the cap
    // makes room, not because the slow connections time out.
    let collector = Collector::start_with(&["--max-connections", "4", "--header-read-timeout", "60s"]);
    let mut slow = slow_headers(&collector.base_url, 4);

    assert_eq!(health_check(&collector.base_url), 200);
    // The connection that waited longest for its head was closed to make room...
    assert_eq!(slow[0].wait_closed(), b"", "closed without an answer");
    // ... and only that one: the others still finish their request.
    let rest_of_the_request = b"lth HTTP/1.1\r\nHost: langtrace\r\nConnection: close\r\n\r\n";
    for connection in &mut slow[1..] {
        assert_eq!(connection.send(rest_of_the_request).answer().0, 200);
    }
}

#[test]
fn a_slow_header_or_idle_kept_alive_connection_is_closed_after_the_header_timeout() {
    let collector = Collector::start_with(&["--header-read-timeout", "1s"]);
    let mut slow = RawConnection::open(&collector.base_url);
    slow.send(HALF_A_REQUEST_LINE);
    assert_eq!(slow.wait_closed(), b"", "a slow header gets no answer");

    // Kept alive between requests, then closed once idle for the header timeout.
    let mut kept = RawConnection::open(&collector.base_url);
    let health = request("GET", "/api/public/health", &[], b"");
    assert_eq!(kept.send(&health).answer().0, 200);
    assert_eq!(kept.send(&health).answer().0, 200, "the connection is kept alive");
    assert_eq!(kept.wait_closed(), b"");
}

#[test]
fn a_request_head_with_too_many_headers_gets_431() {
    let collector = Collector::start();
    let many: Vec<(String, String)> = (0..101).map(|i| (format!("x-header-{i}"), "v".to_owned())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    let head = request("GET", "/api/public/health", &many, b"");
    assert_eq!(RawConnection::open(&collector.base_url).send(&head).answer().0, 431);
    assert_eq!(health_check(&collector.base_url), 200);
}

#[test]
fn a_body_that_stops_arriving_is_cut_by_the_idle_timeout() {
    let collector = Collector::start_with(&["--idle-timeout", "1s"]);
    let authorization = collector.authorization();
    let head = request(
        "POST",
        "/api/public/scores",
        &[("Authorization", &authorization), ("Content-Type", "application/json"), ("Content-Length", "100")],
        b"{\"name\":",
    );
    let mut stalled = RawConnection::open(&collector.base_url);
    let received = stalled.send(&head).wait_closed();
    assert!(!received.starts_with(b"HTTP/1.1 2"), "never accepted: {}", String::from_utf8_lossy(&received));
    assert_eq!(health_check(&collector.base_url), 200, "the server goes on");
}

#[test]
fn a_grpc_connection_that_never_speaks_is_closed_by_the_idle_timeout() {
    let collector = Collector::start_with(&["--idle-timeout", "1s"]);
    let mut silent = RawConnection::open(&collector.grpc_addr);
    let received = silent.wait_closed();
    // The server's HTTP/2 preface (a SETTINGS frame) may come first; nothing else does.
    assert!(received.len() < 100, "{received:?}");
}

/// Bytes announced through `POST /api/public/media`: the upload URL's path.
fn announce(collector: &Collector, bytes: &[u8]) -> String {
    let announced = json!({
        "traceId": trace_id(7),
        "contentType": "image/png",
        "contentLength": bytes.len(),
        "sha256Hash": base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes)),
    });
    let (status, ticket) = collector.post_json("/api/public/media", &announced);
    assert_eq!(status, 200, "{ticket}");
    let url = ticket["uploadUrl"].as_str().expect("an upload URL for new bytes");
    url.strip_prefix(&collector.base_url).expect("an upload URL on this server").to_owned()
}

/// A PUT of `body` to `path` announcing `length` bytes: the status and message answered.
fn put(collector: &Collector, path: &str, length: usize, body: &[u8]) -> (u16, String) {
    let length = length.to_string();
    let put = request("PUT", path, &[("Content-Length", &length), ("Connection", "close")], body);
    let (status, body) = RawConnection::open(&collector.base_url).send(&put).answer();
    (status, message(&body))
}

/// A chunked PUT of `body` to `path`: the status and message answered.
fn put_chunked(collector: &Collector, path: &str, body: &[u8]) -> (u16, String) {
    let chunked = [format!("{:x}\r\n", body.len()).as_bytes(), body, b"\r\n0\r\n\r\n"].concat();
    let put = request("PUT", path, &[("Transfer-Encoding", "chunked"), ("Connection", "close")], &chunked);
    let (status, body) = RawConnection::open(&collector.base_url).send(&put).answer();
    (status, message(&body))
}

/// The files in the collector's media directory.
fn media_files(collector: &Collector) -> Vec<String> {
    let entries = std::fs::read_dir(collector.data_dir().join("media")).unwrap();
    entries.map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

#[test]
fn an_upload_with_an_unknown_token_is_refused_before_its_body_is_read() {
    let collector = Collector::start_with(&["--body-timeout", "2s"]);
    let bytes = b"\x89PNG\r\n\x1a\nsome image";
    let path = announce(&collector, bytes);
    let (id_path, _token) = path.rsplit_once('/').unwrap();

    // Only the head is sent: an answer waiting for the body would be 408.
    for wrong in [format!("{id_path}/{}", "0".repeat(32)), "/media-upload/no-such-id/token".to_owned()] {
        let head = request("PUT", &wrong, &[("Content-Length", "1000000")], b"");
        let (status, body) = RawConnection::open(&collector.base_url).send(&head).answer();
        assert_eq!(status, 404, "{wrong}: {}", String::from_utf8_lossy(&body));
    }
    assert_eq!(put(&collector, &path, bytes.len(), bytes).0, 200, "the real token still works");
}

#[test]
fn an_upload_is_held_to_its_announced_length_and_hash_and_only_kept_whole() {
    let collector = Collector::start();
    let bytes = b"\x89PNG\r\n\x1a\nthe announced bytes";
    let path = announce(&collector, bytes);
    let longer = [&bytes[..], b"and more"].concat();
    let mut altered = bytes.to_vec();
    altered[12] ^= 1;

    let (status, message) = put(&collector, &path, longer.len(), &longer);
    assert_eq!(status, 413, "{message}");
    assert!(message.contains("contentLength") && message.contains(&bytes.len().to_string()), "{message}");
    let (status, message) = put_chunked(&collector, &path, &longer);
    assert_eq!(status, 413, "streamed past the length: {message}");
    let (status, message) = put(&collector, &path, bytes.len() - 1, &bytes[1..]);
    assert_eq!((status, message.contains("fewer than its announced contentLength")), (400, true), "{message}");
    let (status, message) = put_chunked(&collector, &path, &bytes[1..]);
    assert_eq!((status, message.contains("fewer than its announced contentLength")), (400, true), "{message}");
    let (status, message) = put(&collector, &path, altered.len(), &altered);
    assert_eq!((status, message.contains("sha256Hash")), (400, true), "{message}");
    assert_eq!(media_files(&collector), Vec::<String>::new(), "a refused upload leaves no file");

    assert_eq!(put(&collector, &path, bytes.len(), bytes).0, 200);
    let media_id = path.split('/').nth(2).unwrap();
    let (status, _, content) = collector.get_raw(&format!("/api/public/media/{media_id}/content"));
    assert_eq!((status, content.as_slice()), (200, &bytes[..]));
    assert_eq!(media_files(&collector).len(), 1, "the file alone, no temporary left: {:?}", media_files(&collector));
    assert_eq!(put(&collector, &path, bytes.len(), bytes).0, 404, "the token is spent");
}

#[test]
fn a_slow_upload_gets_408_and_leaves_no_file() {
    let collector = Collector::start_with(&["--body-timeout", "1s"]);
    let bytes = b"\x89PNG\r\n\x1a\nbytes sent too slowly";
    let path = announce(&collector, bytes);
    let length = bytes.len().to_string();
    let half = request("PUT", &path, &[("Content-Length", &length)], &bytes[..10]);
    let (status, body) = RawConnection::open(&collector.base_url).send(&half).answer();
    assert_eq!(status, 408, "{}", String::from_utf8_lossy(&body));
    assert_eq!(media_files(&collector), Vec::<String>::new());
    assert_eq!(put(&collector, &path, bytes.len(), bytes).0, 200, "the token was not spent");
}
