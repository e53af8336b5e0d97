//! A real `langtrace serve` process for the collector's tests: its own data directory,
//! ports chosen by the OS, known keys, and a small blocking HTTP client for the API.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::Value;

/// The initial project's keys.
pub const PUBLIC_KEY: &str = "pk-lt-test";
/// The initial project's secret.
pub const SECRET_KEY: &str = "sk-lt-test";

/// A running collector; killed when dropped.
pub struct Collector {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// `127.0.0.1:<port>` of the gRPC listener.
    pub grpc_addr: String,
    /// Its data directory (removed when dropped).
    pub data_dir: tempfile::TempDir,
    client: reqwest::blocking::Client,
}

impl Collector {
    /// Starts `langtrace serve` with default settings.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts `langtrace serve` with extra arguments.
    pub fn start_with(args: &[&str]) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(data_dir, args)
    }

    /// Starts on an existing data directory (to restart over the same store).
    pub fn start_in(data_dir: tempfile::TempDir, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_langtrace"))
            .arg("serve")
            .args(["--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(data_dir.path())
            .args(args)
            .env("LANGTRACE_INIT_PUBLIC_KEY", PUBLIC_KEY)
            .env("LANGTRACE_INIT_SECRET_KEY", SECRET_KEY)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start langtrace serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let listening = loop {
            let line = lines.next().expect("langtrace serve exited before listening").expect("stdout line");
            if line.starts_with("langtrace listening:") {
                break line;
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let address = |scheme: &str| {
            let start = listening.find(scheme).expect("address in the listening line") + scheme.len();
            listening[start..].split_whitespace().next().unwrap().to_owned()
        };
        let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        Self {
            base_url: format!("http://{}", address("http://")),
            grpc_addr: address("grpc://"),
            child,
            data_dir,
            client,
        }
    }

    /// Starts `langtrace demo` on loopback ports chosen by the OS in a new data directory
    /// and waits for its ready line (`langtrace demo ready: http://ADDR/ public_key=PK
    /// secret_key=SK`); returns the collector and the ready line. The demo's keys are not
    /// [`PUBLIC_KEY`]/[`SECRET_KEY`]: read them from the line.
    pub fn start_demo() -> (Self, String) {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_langtrace"))
            .arg("demo")
            .args(["--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(data_dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start langtrace demo");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut listening = String::new();
        let ready = loop {
            let line = lines.next().expect("langtrace demo exited before it was ready").expect("stdout line");
            if line.starts_with("langtrace listening:") {
                listening = line.clone();
            }
            if line.starts_with("langtrace demo ready:") {
                break line;
            }
        };
        std::thread::spawn(move || for _ in lines {});
        let url = ready.split_whitespace().nth(3).expect("URL in the ready line").trim_end_matches('/').to_owned();
        let grpc_addr =
            listening.split_whitespace().find_map(|word| word.strip_prefix("grpc://")).unwrap_or_default().to_owned();
        let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        (Self { base_url: url, grpc_addr, child, data_dir, client }, ready)
    }

    /// Stops the server and hands back its data directory.
    pub fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::replace(&mut self.data_dir, tempfile::tempdir().unwrap())
    }

    /// `Authorization` header value for a key pair.
    pub fn basic(public_key: &str, secret_key: &str) -> String {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{public_key}:{secret_key}")))
    }

    /// GET `path` with the initial keys; the status and the JSON body.
    pub fn get(&self, path: &str) -> (u16, Value) {
        self.get_as(path, &Self::basic(PUBLIC_KEY, SECRET_KEY))
    }

    /// GET `path` with an `Authorization` header value.
    pub fn get_as(&self, path: &str, authorization: &str) -> (u16, Value) {
        let response =
            self.client.get(format!("{}{path}", self.base_url)).header("authorization", authorization).send().unwrap();
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// GET `path`, asserting 200, returning the body.
    pub fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// POST a JSON body with the initial keys.
    pub fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header("authorization", Self::basic(PUBLIC_KEY, SECRET_KEY))
            .json(body)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// POST raw bytes with headers; status, headers and body text.
    pub fn post_raw(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let mut request = self.client.post(format!("{}{path}", self.base_url)).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.bytes().unwrap().to_vec())
    }

    /// The blocking client.
    pub fn client(&self) -> &reqwest::blocking::Client {
        &self.client
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
