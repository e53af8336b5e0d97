//! OTLP export of langtrace records: each observation becomes one OTLP span carrying
//! Langfuse's attribute vocabulary (and the OTel GenAI keys), sent with
//! `opentelemetry-otlp` over HTTP protobuf, HTTP JSON or gRPC to Langfuse, any
//! OpenTelemetry backend, or the langtrace collector.
//!
//! ```no_run
//! use langtrace_core::LangtraceLayer;
//! use langtrace_otel_bridge::OtlpSink;
//!
//! // OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318, or LANGFUSE_PUBLIC_KEY /
//! // LANGFUSE_SECRET_KEY / LANGFUSE_BASE_URL.
//! let sink = OtlpSink::builder().build().expect("valid exporter settings");
//! let (layer, guard) = LangtraceLayer::builder().sink(sink).build().expect("valid settings");
//! ```
//!
//! Data flow: records (from the pipeline's worker) → [`OtlpSink`] → [`encode`] (record →
//! span) → the transport (retry, backoff) and media uploads → the endpoint. Scores go
//! to the Langfuse scores API (`POST /api/public/scores`) when Langfuse keys are set, and
//! are counted as dropped otherwise (OTLP has no signal for them).

#![warn(missing_docs)]

mod builder;
pub mod config;
mod counters;
pub mod encode;
mod media_upload;
mod score_upload;
mod sink;
mod transport;

pub use builder::{BuildError, OtlpSinkBuilder};
pub use config::{ExportConfig, LangfuseCredentials, Protocol};
pub use counters::ExportCounters;
/// Backoff settings for [`OtlpSinkBuilder::retry_policy`].
pub use opentelemetry_otlp::RetryPolicy;
pub use sink::OtlpSink;
