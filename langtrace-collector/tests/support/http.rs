//! A small blocking HTTP client bound to a server's base URL and a project's keys: what
//! the tests ask of the API.

use std::sync::OnceLock;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

use super::auth::Keys;

/// An answer read whole: status, headers, body bytes.
pub type Raw = (u16, HeaderMap, Vec<u8>);

/// A blocking client for one server, sending a project's keys unless told otherwise.
/// The client is made on first use: a blocking client must not be made or dropped inside
/// an async runtime, where the browser tests hold their demo without calling it.
pub struct Api {
    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub base_url: String,
    /// The keys [`Api::get`], [`Api::ok`], [`Api::post_json`] and [`Api::get_raw`] send.
    pub keys: Keys,
    client: OnceLock<reqwest::blocking::Client>,
}

impl Api {
    /// A client for `base_url` sending `keys`, each request given 30 s.
    pub fn new(base_url: String, keys: Keys) -> Self {
        Self { base_url, keys, client: OnceLock::new() }
    }

    /// `base_url` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The `Authorization` header value of [`Api::keys`].
    pub fn authorization(&self) -> String {
        self.keys.basic()
    }

    /// GET `path` with the keys; the status and the JSON body (`Null` if not JSON).
    pub fn get(&self, path: &str) -> (u16, Value) {
        self.get_as(path, &self.authorization())
    }

    /// GET `path` with an `Authorization` header value; the status and the JSON body.
    pub fn get_as(&self, path: &str, authorization: &str) -> (u16, Value) {
        let response = self.client().get(self.url(path)).header("authorization", authorization).send().unwrap();
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// GET `path` with the keys, asserting 200; the JSON body.
    pub fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// GET `path` with the keys; the answer as bytes (media content, say).
    pub fn get_raw(&self, path: &str) -> Raw {
        self.send_raw(Method::GET, path, &[("authorization", &self.authorization())], Vec::new())
    }

    /// POST a JSON body with the keys; the status and the JSON body.
    pub fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let response =
            self.client().post(self.url(path)).header("authorization", self.authorization()).json(body).send().unwrap();
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// POST raw bytes with exactly `headers` (no keys unless among them).
    pub fn post_raw(&self, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Raw {
        self.send_raw(Method::POST, path, headers, body)
    }

    /// Any method, raw bytes, exactly `headers`. `path` may also be a whole URL (an
    /// upload URL the server handed out).
    pub fn send_raw(&self, method: Method, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Raw {
        let url = if path.starts_with("http") { path.to_owned() } else { self.url(path) };
        let mut request = self.client().request(method, url).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.bytes().unwrap().to_vec())
    }

    /// The blocking client (shares its connections; cheap to clone).
    pub fn client(&self) -> &reqwest::blocking::Client {
        self.client.get_or_init(|| {
            reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().expect("an HTTP client")
        })
    }
}

/// The `message` of a JSON error body (empty if there is none).
pub fn message(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .map(|v| v["message"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

/// `text` percent-encoded for a query string value (RFC 3986 unreserved characters kept).
pub fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
