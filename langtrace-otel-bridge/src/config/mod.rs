//! Where and how to export: builder values win over environment variables, which win
//! over defaults. Two ways to name the destination:
//!
//! - the standard OpenTelemetry variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
//!   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`,
//!   `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_COMPRESSION`,
//!   `OTEL_EXPORTER_OTLP_TIMEOUT`, and their `_TRACES_` twins);
//! - Langfuse's (`LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY`, `LANGFUSE_BASE_URL` or
//!   `LANGFUSE_HOST`): the endpoint becomes `{base}/api/public/otel/v1/traces` with Basic
//!   auth and the `x-langfuse-*` headers, and media is uploaded to the same server.
//!
//! Langfuse credentials win over an OTLP endpoint. Every invalid value is an error at
//! build time naming the setting.

use std::time::Duration;

use base64::Engine;

mod headers;
mod settings;
#[cfg(test)]
mod tests;

use settings::resolve_langfuse;
pub(crate) use settings::{ExportSettings, Lookup};

/// Environment variables read.
pub mod env {
    /// Base URL of an OTLP receiver; `/v1/traces` is appended for HTTP.
    pub const ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
    /// Full URL of the traces endpoint, used as is.
    pub const TRACES_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    /// Extra headers, `key=value` pairs separated by commas, values percent-encoded.
    pub const HEADERS: [&str; 2] = ["OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"];
    /// `http/protobuf` (default), `http/json` or `grpc`.
    pub const PROTOCOL: [&str; 2] = ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"];
    /// `gzip` or `none` (default).
    pub const COMPRESSION: [&str; 2] = ["OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"];
    /// Milliseconds one export may take, retries included (default 10000).
    pub const TIMEOUT: [&str; 2] = ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"];
    /// Langfuse public key (`pk-lf-...`).
    pub const LANGFUSE_PUBLIC_KEY: &str = "LANGFUSE_PUBLIC_KEY";
    /// Langfuse secret key (`sk-lf-...`).
    pub const LANGFUSE_SECRET_KEY: &str = "LANGFUSE_SECRET_KEY";
    /// Langfuse server (default `https://cloud.langfuse.com`).
    pub const LANGFUSE_BASE_URL: [&str; 2] = ["LANGFUSE_BASE_URL", "LANGFUSE_HOST"];
}

/// Langfuse Cloud, used when keys are given without a base URL.
pub const LANGFUSE_CLOUD: &str = "https://cloud.langfuse.com";
/// Path of Langfuse's OTLP endpoint below its base URL.
pub const LANGFUSE_OTLP_PATH: &str = "/api/public/otel/v1/traces";
/// Path appended to `OTEL_EXPORTER_OTLP_ENDPOINT` for HTTP.
pub const OTLP_HTTP_PATH: &str = "/v1/traces";
/// The Langfuse ingestion version sent in `x-langfuse-ingestion-version`.
pub const LANGFUSE_INGESTION_VERSION: &str = "4";

/// Wire format and transport.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Protocol {
    /// OTLP/HTTP with protobuf bodies (the default, and what Langfuse's SDKs use).
    #[default]
    HttpProtobuf,
    /// OTLP/HTTP with JSON bodies (needs the `http-json` cargo feature).
    HttpJson,
    /// OTLP/gRPC.
    Grpc,
}

impl Protocol {
    /// Parses the `OTEL_EXPORTER_OTLP_PROTOCOL` spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "http/protobuf" => Some(Self::HttpProtobuf),
            "http/json" => Some(Self::HttpJson),
            "grpc" => Some(Self::Grpc),
            _ => None,
        }
    }
}

/// Langfuse project credentials and server.
#[derive(Clone, PartialEq, Eq)]
pub struct LangfuseCredentials {
    /// Public key.
    pub public_key: String,
    /// Secret key.
    pub secret_key: String,
    /// Server base URL without a trailing slash.
    pub base_url: String,
}

impl LangfuseCredentials {
    /// The credentials given (each `None` falls back to its environment variable:
    /// `LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY`, `LANGFUSE_BASE_URL` or
    /// `LANGFUSE_HOST`, default Langfuse Cloud), as the exporter resolves them. `None`
    /// when no key is set; an error naming the setting for half a key pair or a bad URL.
    pub fn resolve(
        public_key: Option<&str>,
        secret_key: Option<&str>,
        base_url: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, langtrace_core::ConfigError> {
        resolve_langfuse(langtrace_core::config::Resolver::new(env), public_key, secret_key, base_url)
    }

    /// The `Authorization` header value: Basic with `public:secret`.
    pub fn authorization(&self) -> String {
        let pair = format!("{}:{}", self.public_key, self.secret_key);
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
    }
}

impl std::fmt::Debug for LangfuseCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LangfuseCredentials")
            .field("public_key", &self.public_key)
            .field("secret_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// The resolved destination. Its `Debug` shows header names only: their values carry
/// credentials (Langfuse's Basic authorization, API keys in `OTEL_EXPORTER_OTLP_HEADERS`).
#[derive(Clone, PartialEq, Eq)]
pub struct ExportConfig {
    /// Full URL of the traces endpoint (HTTP) or the gRPC server.
    pub endpoint: String,
    /// Wire format and transport.
    pub protocol: Protocol,
    /// Headers (or gRPC metadata) sent with every request, authorization included.
    pub headers: Vec<(String, String)>,
    /// Gzip request bodies.
    pub gzip: bool,
    /// Longest time one export may take, retries included.
    pub timeout: Duration,
    /// Set in Langfuse mode: used for media uploads.
    pub langfuse: Option<LangfuseCredentials>,
}

impl std::fmt::Debug for ExportConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<String> = self.headers.iter().map(|(name, _)| format!("{name}: <redacted>")).collect();
        f.debug_struct("ExportConfig")
            .field("endpoint", &self.endpoint)
            .field("protocol", &self.protocol)
            .field("headers", &headers)
            .field("gzip", &self.gzip)
            .field("timeout", &self.timeout)
            .field("langfuse", &self.langfuse)
            .finish()
    }
}
