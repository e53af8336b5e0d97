//! [`OtlpSinkBuilder`]: the settings of an [`OtlpSink`], resolved and validated when
//! it is built.

use std::time::Duration;

use langtrace_core::ConfigError;
use opentelemetry_otlp::RetryPolicy;

use crate::config::{ExportConfig, ExportSettings, Lookup, Protocol};
use crate::media_upload::MediaUploader;
use crate::score_upload::ScoreUploader;
use crate::sink::OtlpSink;
use crate::transport::{http_client, span_exporter, Runtime};

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

/// Builds an [`OtlpSink`]; every option overrides its environment variable
/// (see [`crate::config`]).
#[derive(Default)]
#[must_use = "call `build()`"]
pub struct OtlpSinkBuilder {
    settings: ExportSettings,
    service_name: Option<String>,
    retry: Option<RetryPolicy>,
    env_lookup: Option<Box<Lookup<'static>>>,
}

impl OtlpSinkBuilder {
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
        let runtime = Runtime::new().map_err(BuildError::Transport)?;
        let client = http_client(&config).map_err(BuildError::Transport)?;
        let exporter = {
            let _entered = runtime.handle().enter();
            span_exporter(&config, client.clone(), retry).map_err(BuildError::Transport)?
        };
        let media = config.langfuse.clone().map(|credentials| MediaUploader::new(client.clone(), credentials));
        let scores = config.langfuse.clone().map(|credentials| ScoreUploader::new(client, credentials));
        Ok(OtlpSink::new(exporter, media, scores, runtime, self.service_name, config))
    }
}

impl OtlpSink {
    /// Options, each overriding its environment variable.
    pub fn builder() -> OtlpSinkBuilder {
        OtlpSinkBuilder::default()
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
}
