//! The network side of the OTLP sink: `opentelemetry-otlp`'s span exporter over HTTP
//! protobuf, HTTP JSON or gRPC (optional gzip), which retries 429/502/503/504 and
//! connection errors with exponential backoff and jitter, honours `Retry-After` / gRPC
//! `RetryInfo`, never retries other errors, and accepts any 2xx body (Langfuse answers
//! JSON to protobuf requests); the HTTP client it shares with media uploads; and the
//! single-threaded Tokio runtime the sink drives them on (see `docs/wire-format.md`,
//! "OTLP transport").

use std::collections::HashMap;
use std::time::Duration;

use opentelemetry_otlp::{Compression, RetryPolicy, WithExportConfig, WithHttpConfig, WithTonicConfig};

use crate::config::{ExportConfig, Protocol};

/// The HTTP client shared by OTLP/HTTP and media uploads.
pub(crate) fn http_client(config: &ExportConfig) -> Result<reqwest::Client, String> {
    let builder =
        reqwest::Client::builder().timeout(config.timeout).connect_timeout(config.timeout.min(Duration::from_secs(5)));
    builder.build().map_err(|e| e.to_string())
}

/// The `opentelemetry-otlp` exporter for the configured protocol; HTTP goes through
/// `client`.
pub(crate) fn span_exporter(
    config: &ExportConfig,
    client: reqwest::Client,
    retry: RetryPolicy,
) -> Result<opentelemetry_otlp::SpanExporter, String> {
    let built = match config.protocol {
        Protocol::Grpc => {
            let mut headers = http::HeaderMap::new();
            for (name, value) in &config.headers {
                // Validated when the settings were resolved.
                if let (Ok(name), Ok(value)) =
                    (http::HeaderName::try_from(name.as_str()), http::HeaderValue::try_from(value.as_str()))
                {
                    headers.insert(name, value);
                }
            }
            let metadata = opentelemetry_otlp::tonic_types::metadata::MetadataMap::from_headers(headers);
            let mut builder = opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(&config.endpoint)
                .with_timeout(config.timeout)
                .with_metadata(metadata)
                .with_retry_policy(retry);
            if config.gzip {
                builder = builder.with_compression(Compression::Gzip);
            }
            builder.build()
        }
        Protocol::HttpProtobuf | Protocol::HttpJson => {
            let protocol = match config.protocol {
                #[cfg(feature = "http-json")]
                Protocol::HttpJson => opentelemetry_otlp::Protocol::HttpJson,
                _ => opentelemetry_otlp::Protocol::HttpBinary,
            };
            let headers: HashMap<String, String> = config.headers.iter().cloned().collect();
            let mut builder = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_http_client(client)
                .with_endpoint(&config.endpoint)
                .with_protocol(protocol)
                .with_timeout(config.timeout)
                .with_headers(headers)
                .with_retry_policy(retry);
            if config.gzip {
                builder = builder.with_compression(Compression::Gzip);
            }
            builder.build()
        }
    };
    built.map_err(|e| e.to_string())
}

/// Shuts the runtime down without blocking, so dropping the sink is safe anywhere
/// (even inside another runtime).
pub(crate) struct Runtime(Option<tokio::runtime::Runtime>);

impl Runtime {
    /// A single-threaded runtime for the sink's network calls.
    pub(crate) fn new() -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("langtrace-otlp")
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self(Some(runtime)))
    }

    /// The runtime's handle.
    pub(crate) fn handle(&self) -> &tokio::runtime::Handle {
        self.0.as_ref().expect("runtime lives until drop").handle()
    }

    /// Runs `future` to completion on this thread.
    pub(crate) fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.0.as_ref().expect("runtime lives until drop").block_on(future)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}
