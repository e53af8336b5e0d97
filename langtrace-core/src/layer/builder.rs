//! [`LangtraceBuilder`]: settings, sinks, mask and span filter of a [`LangtraceLayer`].

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use tracing_core::Metadata;

use super::context::{with_span_noop, LayerContext, SpanFilter};
use super::LangtraceLayer;
use crate::config::{ConfigError, EnvLookup, Settings};
use crate::pipeline::guard::LangtraceGuard;
use crate::pipeline::mask::MaskFn;
use crate::pipeline::processor::Processor;
use crate::pipeline::worker::{self, PipelineOptions};
use crate::sink::Sink;

impl LangtraceLayer {
    /// Starts configuring a layer.
    pub fn builder() -> LangtraceBuilder {
        LangtraceBuilder::default()
    }
}

/// Configures a [`LangtraceLayer`]. Every setting not given here is read from its
/// environment variable (see [`crate::config::env`]), then defaulted.
#[derive(Default)]
pub struct LangtraceBuilder {
    settings: Settings,
    sinks: Vec<Box<dyn Sink>>,
    mask: Option<MaskFn>,
    span_filter: Option<SpanFilter>,
    env_lookup: Option<Arc<EnvLookup>>,
    shutdown_timeout: Option<Duration>,
}

impl LangtraceBuilder {
    /// Adds a sink; records go to every sink added. Without any, records are discarded
    /// after processing (useful for benchmarks).
    pub fn sink(mut self, sink: impl Sink) -> Self {
        self.sinks.push(Box::new(sink));
        self
    }

    /// Turns recording on or off (`LANGTRACE_TRACING_ENABLED`).
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.settings.enabled = Some(enabled);
        self
    }

    /// Deployment environment (`LANGTRACE_TRACING_ENVIRONMENT`), validated as Langfuse does.
    pub fn environment(mut self, environment: impl Into<String>) -> Self {
        self.settings.environment = Some(environment.into());
        self
    }

    /// Release (`LANGTRACE_RELEASE`, else a CI commit variable).
    pub fn release(mut self, release: impl Into<String>) -> Self {
        self.settings.release = Some(release.into());
        self
    }

    /// Version stamped on observations and traces without their own (`LANGTRACE_VERSION`).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.settings.version = Some(version.into());
        self
    }

    /// Fraction of traces recorded, in [0, 1] (`LANGTRACE_SAMPLE_RATE`).
    pub fn sample_rate(mut self, rate: f64) -> Self {
        self.settings.sample_rate = Some(rate);
        self
    }

    /// Whether `#[observe]` captures inputs and outputs (`LANGTRACE_CAPTURE_IO`).
    pub fn capture_io(mut self, capture: bool) -> Self {
        self.settings.capture_io = Some(capture);
        self
    }

    /// Metadata added to every observation (`LANGTRACE_DEFAULT_METADATA`, a JSON object).
    pub fn default_metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.settings.default_metadata.get_or_insert_with(Map::new).insert(key.into(), value.into());
        self
    }

    /// Largest JSON size of one input, output or metadata value; larger ones are cut and
    /// marked (`LANGTRACE_MAX_PAYLOAD_BYTES`, default 1 MiB).
    pub fn max_payload_bytes(mut self, bytes: usize) -> Self {
        self.settings.max_payload_bytes = Some(bytes);
        self
    }

    /// Records held before new ones are dropped and counted (`LANGTRACE_MAX_QUEUE_SIZE`).
    pub fn max_queue_size(mut self, records: usize) -> Self {
        self.settings.max_queue_size = Some(records);
        self
    }

    /// Records per batch handed to sinks (`LANGTRACE_FLUSH_AT`).
    pub fn flush_at(mut self, records: usize) -> Self {
        self.settings.flush_at = Some(records);
        self
    }

    /// Longest time before a partial batch goes out (`LANGTRACE_FLUSH_INTERVAL`, seconds).
    pub fn flush_interval(mut self, interval: Duration) -> Self {
        self.settings.flush_interval = Some(interval);
        self
    }

    /// How long dropping the guard waits for the final flush (default 5 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = Some(timeout);
        self
    }

    /// A function applied to every input, output and metadata value (of all observations,
    /// foreign spans included) before records reach any sink. If it panics, the value is
    /// replaced by [`crate::mask::MASK_FAILED`].
    pub fn mask(mut self, mask: impl Fn(Value) -> Value + Send + Sync + 'static) -> Self {
        self.mask = Some(Arc::new(mask));
        self
    }

    /// Chooses which foreign spans (not opened by `#[observe]`) become observations; the
    /// others are transparent: their children attach to the nearest recorded ancestor.
    /// Default: every span.
    pub fn span_filter(mut self, filter: impl Fn(&Metadata<'_>) -> bool + Send + Sync + 'static) -> Self {
        self.span_filter = Some(Arc::new(filter));
        self
    }

    /// Reads settings from `lookup` instead of the process environment.
    pub fn env_lookup(mut self, lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env_lookup = Some(Arc::new(lookup));
        self
    }

    /// Ignores environment variables: only builder values and defaults count.
    pub fn ignore_env(self) -> Self {
        self.env_lookup(|_| None)
    }

    /// Validates the settings and starts the pipeline's worker thread.
    pub fn build(self) -> Result<(LangtraceLayer, LangtraceGuard), ConfigError> {
        let config = match &self.env_lookup {
            Some(lookup) => self.settings.resolve(lookup.as_ref())?,
            None => self.settings.resolve(&|name: &str| std::env::var(name).ok())?,
        };
        let config = Arc::new(config);
        let mut sinks = self.sinks;
        for sink in &mut sinks {
            sink.configure(&config);
        }
        let options = PipelineOptions {
            capacity: config.max_queue_size,
            flush_at: config.flush_at,
            flush_interval: config.flush_interval,
            shutdown_timeout: self.shutdown_timeout.unwrap_or(Duration::from_secs(5)),
        };
        let processor = Processor::new(Arc::clone(&config), self.mask);
        let (pipeline, guard) = worker::start(options, processor, sinks);
        let context = LayerContext { with_span: with_span_noop, config, pipeline, span_filter: self.span_filter };
        Ok((LangtraceLayer { context }, guard))
    }
}
