//! The OTLP sink: encodes each batch the pipeline hands over and sends it with
//! `opentelemetry-otlp`'s span exporter (HTTP protobuf, HTTP JSON or gRPC, optional
//! gzip), which retries 429/502/503/504 and connection errors with exponential backoff
//! and jitter, honours `Retry-After` / gRPC `RetryInfo`, never retries other errors,
//! and accepts any 2xx body (Langfuse answers JSON to protobuf requests).
//!
//! The sink runs on the pipeline's worker thread, never on the application's: it owns a
//! single-threaded Tokio runtime for the network. Batching, the bounded queue, drop
//! counts and flush/shutdown timeouts are the pipeline's (`LANGTRACE_FLUSH_AT`,
//! `LANGTRACE_FLUSH_INTERVAL`, `LANGTRACE_MAX_QUEUE_SIZE`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use langtrace_core::record::{ObservationRecord, Record};
use langtrace_core::vocab::{langfuse, otel};
use langtrace_core::{Config, ConfigError, Sink, SinkError};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_otlp::{Compression, RetryPolicy, WithExportConfig, WithHttpConfig, WithTonicConfig};
use opentelemetry_sdk::trace::SpanExporter as _;
use opentelemetry_sdk::Resource;

use crate::config::{ExportConfig, ExportSettings, Lookup, Protocol};
use crate::encode;
use crate::media_upload::MediaUploader;

/// Why the exporter could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A setting is invalid; the message names it.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The HTTP client, gRPC channel or runtime could not be created.
    #[error("cannot start the OTLP exporter: {0}")]
    Transport(String),
}

/// Counters of one exporter since it started, shared with [`OtlpSink::counters`].
#[derive(Debug, Default)]
pub struct ExportCounters {
    /// Spans the endpoint accepted.
    pub spans_exported: AtomicU64,
    /// Spans given up on: rejected (4xx other than 429) or still failing when the retry
    /// window closed.
    pub spans_failed: AtomicU64,
    /// Media payloads uploaded.
    pub media_uploaded: AtomicU64,
    /// Media payloads the server already had (or this process already uploaded).
    pub media_already_stored: AtomicU64,
    /// Media uploads that failed.
    pub media_failed: AtomicU64,
    /// Media payloads not uploaded because no Langfuse server is configured.
    pub media_skipped: AtomicU64,
}

impl ExportCounters {
    /// Reads one counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// Builds an [`OtlpSink`]; every option overrides its environment variable
/// (see [`crate::config`]).
#[derive(Default)]
#[must_use = "call `build()`"]
pub struct OtlpExporterBuilder {
    settings: ExportSettings,
    service_name: Option<String>,
    retry: Option<RetryPolicy>,
    env_lookup: Option<Box<Lookup<'static>>>,
}

impl OtlpExporterBuilder {
    /// Full URL of the traces endpoint (`http://host:4318/v1/traces`), or of the gRPC
    /// server (`http://host:4317`). Overrides `OTEL_EXPORTER_OTLP_*ENDPOINT`.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.settings.endpoint = Some(url.into());
        self
    }

    /// Wire format and transport. Overrides `OTEL_EXPORTER_OTLP_PROTOCOL`.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.settings.protocol = Some(protocol);
        self
    }

    /// Adds a header (gRPC: metadata entry) to every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.headers.push((name.into(), value.into()));
        self
    }

    /// Gzip request bodies. Overrides `OTEL_EXPORTER_OTLP_COMPRESSION`.
    pub fn gzip(mut self, gzip: bool) -> Self {
        self.settings.gzip = Some(gzip);
        self
    }

    /// Longest time one export may take, retries included (default 10 s). Overrides
    /// `OTEL_EXPORTER_OTLP_TIMEOUT`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = Some(timeout);
        self
    }

    /// Reports to a Langfuse server (`base_url`, e.g. `https://cloud.langfuse.com`) with
    /// a project's keys. Overrides the `LANGFUSE_*` variables.
    pub fn langfuse(
        mut self,
        public_key: impl Into<String>,
        secret_key: impl Into<String>,
        base_url: impl Into<String>,
    ) -> Self {
        self.settings.public_key = Some(public_key.into());
        self.settings.secret_key = Some(secret_key.into());
        self.settings.base_url = Some(base_url.into());
        self
    }

    /// `service.name` of the resource (default: `OTEL_SERVICE_NAME`, else the SDK's).
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// Backoff between retries (default: up to 10 retries, 200 ms doubling to 5 s, with
    /// up to 200 ms of jitter, all within the timeout).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Reads settings from `lookup` instead of the process environment.
    pub fn env_lookup(mut self, lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env_lookup = Some(Box::new(lookup));
        self
    }

    fn lookup(&self) -> &Lookup<'_> {
        static PROCESS_ENV: fn(&str) -> Option<String> = |name| std::env::var(name).ok();
        match &self.env_lookup {
            Some(lookup) => lookup.as_ref(),
            None => &PROCESS_ENV,
        }
    }

    /// Whether an endpoint or Langfuse keys are configured (by the builder or the
    /// environment); [`langtrace::init`](../langtrace/fn.init.html) uses the console
    /// sink otherwise.
    pub fn is_configured(&self) -> bool {
        self.settings.is_configured(self.lookup())
    }

    /// The destination these settings resolve to.
    pub fn resolve(&self) -> Result<ExportConfig, ConfigError> {
        self.settings.resolve(self.lookup())
    }

    /// Validates the settings and creates the exporter (no connection is made yet).
    pub fn build(self) -> Result<OtlpSink, BuildError> {
        let config = self.resolve()?;
        let retry = self.retry.unwrap_or_else(|| {
            RetryPolicy::default()
                .with_max_retries(10)
                .with_initial_delay(Duration::from_millis(200))
                .with_max_delay(Duration::from_secs(5))
                .with_max_jitter(Duration::from_millis(200))
        });
        let runtime = Runtime(Some(
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .thread_name("langtrace-otlp")
                .build()
                .map_err(|e| BuildError::Transport(e.to_string()))?,
        ));
        let client = http_client(&config)?;
        let exporter = {
            let _entered = runtime.handle().enter();
            span_exporter(&config, client.clone(), retry)?
        };
        let media = config.langfuse.clone().map(|credentials| MediaUploader::new(client, credentials));
        Ok(OtlpSink {
            exporter,
            media,
            runtime,
            scope: encode::scope(),
            service_name: self.service_name,
            counters: Arc::default(),
            config,
        })
    }
}

/// The HTTP client shared by OTLP/HTTP and media uploads.
fn http_client(config: &ExportConfig) -> Result<reqwest::Client, BuildError> {
    let builder =
        reqwest::Client::builder().timeout(config.timeout).connect_timeout(config.timeout.min(Duration::from_secs(5)));
    builder.build().map_err(|e| BuildError::Transport(e.to_string()))
}

fn span_exporter(
    config: &ExportConfig,
    client: reqwest::Client,
    retry: RetryPolicy,
) -> Result<opentelemetry_otlp::SpanExporter, BuildError> {
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
    built.map_err(|e| BuildError::Transport(e.to_string()))
}

/// Shuts the runtime down without blocking, so dropping the sink is safe anywhere
/// (even inside another runtime).
struct Runtime(Option<tokio::runtime::Runtime>);

impl Runtime {
    fn handle(&self) -> &tokio::runtime::Handle {
        self.0.as_ref().expect("runtime lives until drop").handle()
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
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

/// A [`Sink`] that exports records over OTLP. Build it with [`OtlpSink::builder`], or
/// [`OtlpSink::from_env`] for the environment's destination.
pub struct OtlpSink {
    exporter: opentelemetry_otlp::SpanExporter,
    media: Option<MediaUploader>,
    runtime: Runtime,
    scope: InstrumentationScope,
    service_name: Option<String>,
    counters: Arc<ExportCounters>,
    config: ExportConfig,
}

impl OtlpSink {
    /// Options, each overriding its environment variable.
    pub fn builder() -> OtlpExporterBuilder {
        OtlpExporterBuilder::default()
    }

    /// The exporter the environment configures, `None` when it names no destination.
    pub fn from_env() -> Result<Option<Self>, BuildError> {
        let builder = Self::builder();
        if builder.is_configured() {
            builder.build().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Where this sink sends.
    pub fn config(&self) -> &ExportConfig {
        &self.config
    }

    /// Live counters: spans exported and failed, media uploaded, skipped and failed.
    pub fn counters(&self) -> Arc<ExportCounters> {
        Arc::clone(&self.counters)
    }
}

impl Sink for OtlpSink {
    fn configure(&mut self, config: &Config) {
        let mut builder = Resource::builder();
        if let Some(name) = &self.service_name {
            builder = builder.with_service_name(name.clone());
        }
        let mut attributes = vec![
            KeyValue::new(langfuse::ENVIRONMENT, config.environment.clone()),
            KeyValue::new(otel::DEPLOYMENT_ENVIRONMENT_NAME, config.environment.clone()),
        ];
        if let Some(release) = &config.release {
            attributes.push(KeyValue::new(langfuse::RELEASE, release.clone()));
        }
        if let Some(version) = &config.version {
            attributes.push(KeyValue::new(otel::SERVICE_VERSION, version.clone()));
        }
        self.exporter.set_resource(&builder.with_attributes(attributes).build());
    }

    fn export(&mut self, batch: &[Record]) -> Result<(), SinkError> {
        let observations: Vec<&ObservationRecord> = batch
            .iter()
            .filter_map(|record| match record {
                Record::Observation(observation) => Some(observation),
                Record::Trace(_) => None,
            })
            .collect();
        if observations.is_empty() {
            return Ok(());
        }
        let spans: Vec<_> = observations.iter().map(|record| encode::span(record, &self.scope)).collect();
        let count = spans.len() as u64;
        let counters = &self.counters;
        let (media, exporter) = (&mut self.media, &self.exporter);
        let result = self.runtime.block_on(async {
            match media {
                Some(uploader) => uploader.upload_all(&observations, counters).await,
                None => {
                    let skipped: usize = observations.iter().map(|r| r.media.len()).sum();
                    counters.media_skipped.fetch_add(skipped as u64, Ordering::Relaxed);
                }
            }
            exporter.export(spans).await
        });
        match result {
            Ok(()) => {
                counters.spans_exported.fetch_add(count, Ordering::Relaxed);
                Ok(())
            }
            Err(error) => {
                counters.spans_failed.fetch_add(count, Ordering::Relaxed);
                Err(SinkError(format!("OTLP export to {} failed: {error}", self.config.endpoint)))
            }
        }
    }

    fn shutdown(&mut self) -> Result<(), SinkError> {
        self.exporter.shutdown().map_err(|e| SinkError(e.to_string()))
    }
}

impl std::fmt::Debug for OtlpSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpSink").field("config", &self.config).finish_non_exhaustive()
    }
}
