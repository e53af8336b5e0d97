//! Raw HTTP/1.1 over a plain TCP socket, for what a well-behaved client never does (a
//! request head sent halfway, a body announced and not sent) and for a request that must
//! be answered whatever else holds the server: the slow-header clients of the hostile
//! tests and of `benches/hostile.rs`.
//!
//! Every read has a guard of [`GUARD`]: a server that never answers or never closes fails
//! the caller with a message instead of hanging it. The guard is not a synchronisation.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The longest any read waits before the caller fails.
pub const GUARD: Duration = Duration::from_secs(60);

/// Half of a request line: what a slow-header client sends before going quiet.
pub const HALF_A_REQUEST_LINE: &[u8] = b"GET /api/public/hea";

/// One TCP connection speaking raw HTTP/1.1.
pub struct RawConnection {
    reader: BufReader<TcpStream>,
}

impl RawConnection {
    /// A connection to the server at `base_url` (`http://host:port`).
    pub fn open(base_url: &str) -> Self {
        let address = base_url.strip_prefix("http://").unwrap_or(base_url);
        let stream = TcpStream::connect(address).unwrap_or_else(|e| panic!("connect to {address}: {e}"));
        stream.set_read_timeout(Some(GUARD)).expect("a read timeout");
        Self { reader: BufReader::new(stream) }
    }

    /// Sends `bytes` as they are.
    pub fn send(&mut self, bytes: &[u8]) -> &mut Self {
        self.reader.get_mut().write_all(bytes).expect("send on a raw connection");
        self
    }

    /// Reads one answer (its body framed by `Content-Length`): the status and the body.
    pub fn answer(&mut self) -> (u16, Vec<u8>) {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap_or_else(|e| panic!("no answer within {GUARD:?}: {e}"));
        let status = line.split(' ').nth(1).and_then(|s| s.parse().ok());
        let status = status.unwrap_or_else(|| panic!("not an HTTP status line: {line:?}"));
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("a header line");
            if line.trim_end().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().expect("a Content-Length");
                }
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("the body of the answer");
        (status, body)
    }

    /// Blocks until the server closes the connection (end of stream or reset); the bytes
    /// it sent before. Fails the caller if the connection is still open after [`GUARD`].
    pub fn wait_closed(&mut self) -> Vec<u8> {
        let mut received = Vec::new();
        match self.reader.read_to_end(&mut received) {
            Ok(_) => received,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => received,
            Err(e) => panic!("the server did not close the connection within {GUARD:?} ({e}); got {received:?}"),
        }
    }
}

/// `count` connections to `base_url`, each having sent [`HALF_A_REQUEST_LINE`] and
/// nothing more.
pub fn slow_headers(base_url: &str, count: usize) -> Vec<RawConnection> {
    (0..count)
        .map(|_| {
            let mut connection = RawConnection::open(base_url);
            connection.send(HALF_A_REQUEST_LINE);
            connection
        })
        .collect()
}

/// A request head (`Host` added) followed by `body`.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: langtrace\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    [head.as_bytes(), body].concat()
}

/// `GET /api/public/health` over a fresh connection: its status, once answered.
pub fn health_check(base_url: &str) -> u16 {
    let request = request("GET", "/api/public/health", &[("Connection", "close")], b"");
    RawConnection::open(base_url).send(&request).answer().0
}
