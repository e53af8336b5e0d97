//! What `benches/ui.rs` still asks of `mod serve`, delegating to the shared support module
//! (`tests/support/`). Delete this once `benches/ui.rs` (another engineer's file) includes
//! `tests/support/mod.rs` itself.
#![allow(dead_code)]

#[path = "../../tests/support/mod.rs"]
mod support;

use std::path::Path;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
pub use support::otlp::text;
use support::{Collector, DataDir};

/// An export request holding `spans` under one resource and scope.
pub fn request(spans: Vec<Span>) -> ExportTraceServiceRequest {
    support::otlp::request(spans)
}

/// A running `langtrace serve` process; killed when dropped.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    collector: Collector,
}

impl Server {
    /// Starts `langtrace serve` on `data_dir`, with `keys` (else the test keys) for the first
    /// project.
    pub fn start(data_dir: &Path, keys: Option<(&str, &str)>) -> Self {
        let setup = Collector::setup().data_dir(DataDir::At(data_dir.to_owned()));
        let collector = match keys {
            Some((public_key, secret_key)) => setup.keys(public_key, secret_key),
            None => setup,
        }
        .process();
        Self { base: collector.base_url.clone(), collector }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.collector.pid()
    }
}
