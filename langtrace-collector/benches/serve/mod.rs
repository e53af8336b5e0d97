//! Shared by the collector's benchmarks: a `langtrace serve` process on loopback, and
//! the OTLP pieces their load is made of.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

/// A running `langtrace serve`; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Server {
    /// Starts `langtrace serve` on `data_dir`, ports chosen by the OS, creating the first
    /// project with `keys` when given.
    pub fn start(data_dir: &Path, keys: Option<(&str, &str)>) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_langtrace"));
        command
            .args(["serve", "--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::piped());
        if let Some((public_key, secret_key)) = keys {
            command.env("LANGTRACE_INIT_PUBLIC_KEY", public_key).env("LANGTRACE_INIT_SECRET_KEY", secret_key);
        }
        let mut child = command.spawn().expect("start langtrace serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let listening =
            lines.find_map(|l| l.ok().filter(|l| l.starts_with("langtrace listening:"))).expect("listening");
        std::thread::spawn(move || for _ in lines {});
        let base = listening.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_owned();
        Self { child, base }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A string attribute.
pub fn text(key: &str, value: impl Into<String>) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(any_value::Value::StringValue(value.into())) }),
        ..Default::default()
    }
}

/// An export request holding `spans` under one resource and scope.
pub fn request(spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans { spans, ..Default::default() }],
            ..Default::default()
        }],
    }
}
