//! # langtrace
//!
//! Langfuse-grade observability for Rust LLM applications. Put `#[observe]` on the
//! functions of your agent, chain, tools and model calls, call [`init`] once, and every
//! request becomes a trace: a tree of observations with inputs, outputs, levels,
//! models, token usage, cost, users, sessions and tags.
//!
//! ```no_run
//! use langtrace::{observe, current_observation, Usage, Cost};
//!
//! #[observe(as_type = generation, model = "gpt-4o")]
//! async fn complete(prompt: &str) -> Result<String, std::io::Error> {
//!     current_observation().set_usage(Usage::tokens(12, 3)).set_cost(Cost::usd(0.00003, 0.00003));
//!     Ok(format!("echo: {prompt}"))
//! }
//!
//! #[observe]
//! async fn answer(question: &str) -> Result<String, std::io::Error> {
//!     complete(question).await
//! }
//!
//! # async fn run() {
//! let _guard = langtrace::init().expect("valid langtrace settings");
//! answer("What is Rust?").await.unwrap();
//! # }
//! ```
//!
//! Everything composes with `tracing`: observations are `tracing` spans, the
//! [`LangtraceLayer`] is a `tracing_subscriber::Layer`, and spans from other crates
//! (including `gen_ai.*` fields of LLM clients) become observations too.
//!
//! Threads and tasks: use [`spawn`] (tokio) or [`thread::spawn`] instead of the
//! originals, or carry an [`ObservationContext`], so observations opened there nest
//! under the caller instead of starting new traces.

#![warn(missing_docs)]

use std::future::Future;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

pub use langtrace_core::{
    config, context, conventions, current_observation, current_observation_id, current_trace, current_trace_id, event,
    ids, layer, media, record, sampling, sink, vocab, Config, ConfigError, ConsoleSink, Cost, Details, EventBuilder,
    FlushError, IdError, LangtraceBuilder, LangtraceGuard, LangtraceLayer, Level, MediaField, MediaRecord, MediaSource,
    MemorySink, ObservationContext, ObservationHandle, ObservationId, ObservationRecord, ObservationType, Payload,
    PipelineStats, PromptLink, PromptRef, Record, Scope, Sink, SinkError, SpanFilter, Timestamp, TraceAttributes,
    TraceHandle, TraceId, TraceRecord, Usage,
};
/// Explicit media for inputs, outputs and metadata (see `docs/observe.md`, "Media").
pub use langtrace_core::{Media, MediaError, MAX_MEDIA_FILE_BYTES};
pub use langtrace_core::{Score, ScoreRecord, ScoreValue};
pub use langtrace_macros::observe;
/// The `tracing` crate, for spans and events next to `#[observe]`.
pub use tracing;
/// The `tracing-subscriber` crate, to compose [`LangtraceLayer`] with other layers.
pub use tracing_subscriber;

#[doc(hidden)]
pub use langtrace_core::__private;

pub mod mask;

/// Input and output scanners (PII, secrets, invisible text, banned phrases, ...), traced
/// as guardrail observations: the `langtrace-guard` crate.
#[cfg(feature = "guard")]
pub use langtrace_guard as guard;

/// OTLP export: the sink `init()` installs when an endpoint or Langfuse keys are set.
#[cfg(feature = "otlp")]
pub use langtrace_otel_bridge as otlp;

/// Prompt management: fetch, cache, compile and manage Langfuse prompts.
#[cfg(feature = "prompts")]
pub use langtrace_prompts as prompts;
/// Datasets: read and write Langfuse dataset items (the `langtrace-datasets` crate).
#[cfg(feature = "datasets")]
pub mod datasets {
    pub use langtrace_datasets::{
        Dataset, DatasetItem, Datasets, DatasetsBuilder, Error, ItemStatus, NewDataset, NewItem, DEFAULT_TIMEOUT,
        ITEMS_PAGE_SIZE,
    };
}
/// Experiments: run a task over dataset items with evaluators, traced and scored as
/// Langfuse's SDKs do (start one with [`datasets::Datasets::run_experiment`]).
#[cfg(feature = "datasets")]
pub use langtrace_datasets::experiment as experiments;
/// Integrations for LLM client crates that emit no spans of their own (each behind a
/// feature of the same name, off by default).
#[cfg(any(feature = "async-openai", feature = "ollama"))]
pub mod integrations {
    #[cfg(feature = "ollama")]
    pub use langtrace_integrations::ollama;
    #[cfg(feature = "async-openai")]
    pub use langtrace_integrations::openai;
}

/// Threads that keep the current observation as parent.
pub mod thread {
    pub use langtrace_core::spawn_thread as spawn;
}

/// `tokio::spawn` that keeps the current observation as the parent of the observations
/// the task opens.
#[cfg(feature = "tokio")]
pub fn spawn<F>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(ObservationContext::current().wrap(future))
}

/// Environment variable enabling a `fmt` log layer next to langtrace, at the given
/// level (`error`, `warn`, `info`, `debug`, `trace`).
pub const LOG_ENV: &str = "LANGTRACE_LOG";

/// Why [`init`] failed.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A setting is invalid; the message names it.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `LANGTRACE_LOG` is not a level.
    #[error("invalid environment variable {LOG_ENV} = {0:?}: expected error, warn, info, debug or trace")]
    LogLevel(String),
    /// The OTLP exporter could not be set up; the message names the setting.
    #[cfg(feature = "otlp")]
    #[error(transparent)]
    Exporter(#[from] otlp::BuildError),
    /// A global subscriber was already installed.
    #[error("a global tracing subscriber is already set: compose LangtraceLayer into it instead")]
    AlreadyInitialized,
}

/// Sets up tracing in one call: installs a global subscriber with the [`LangtraceLayer`]
/// configured from environment variables (see [`config::env`]), plus a `fmt` log layer
/// when `LANGTRACE_LOG` names a level. Records go over OTLP when the environment names a
/// destination (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `LANGFUSE_PUBLIC_KEY` and
/// `LANGFUSE_SECRET_KEY`; see [`otlp::config`]), else to the console. Keep the returned
/// guard alive; dropping it flushes (within 5 s).
pub fn init() -> Result<LangtraceGuard, InitError> {
    builder().init()
}

/// The builder form of [`init`].
pub fn builder() -> InitBuilder {
    InitBuilder {
        layer: LangtraceLayer::builder(),
        sinks: 0,
        log: None,
        #[cfg(feature = "otlp")]
        otlp: None,
    }
}

/// Configures what [`init`] installs.
#[must_use = "call `init()` to install"]
pub struct InitBuilder {
    layer: LangtraceBuilder,
    sinks: usize,
    log: Option<tracing_subscriber::filter::LevelFilter>,
    #[cfg(feature = "otlp")]
    otlp: Option<otlp::OtlpSinkBuilder>,
}

impl InitBuilder {
    /// Adjusts the layer's settings (environment, release, sampling, masking, ...).
    pub fn layer(mut self, configure: impl FnOnce(LangtraceBuilder) -> LangtraceBuilder) -> Self {
        self.layer = configure(self.layer);
        self
    }

    /// Exports over OTLP with these settings (each overrides its environment variable),
    /// whether or not the environment names a destination.
    #[cfg(feature = "otlp")]
    pub fn otlp(mut self, configure: impl FnOnce(otlp::OtlpSinkBuilder) -> otlp::OtlpSinkBuilder) -> Self {
        self.otlp = Some(configure(self.otlp.take().unwrap_or_default()));
        self
    }

    /// Sends records to `sink` (as well as to OTLP when configured) instead of the console.
    pub fn sink(mut self, sink: impl Sink) -> Self {
        self.layer = self.layer.sink(sink);
        self.sinks += 1;
        self
    }

    /// Adds a `fmt` log layer at `level` (overrides `LANGTRACE_LOG`).
    pub fn log(mut self, level: tracing::Level) -> Self {
        self.log = Some(level.into());
        self
    }

    /// Validates settings, starts the pipeline and installs the global subscriber.
    pub fn init(self) -> Result<LangtraceGuard, InitError> {
        let log = match (self.log, std::env::var(LOG_ENV).ok().filter(|v| !v.trim().is_empty())) {
            (Some(level), _) => Some(level),
            (None, Some(text)) => Some(text.trim().parse().map_err(|_| InitError::LogLevel(text))?),
            (None, None) => None,
        };
        let (mut layer, mut sinks) = (self.layer, self.sinks);
        #[cfg(feature = "otlp")]
        {
            let explicit = self.otlp.is_some();
            let exporter = self.otlp.unwrap_or_default();
            if explicit || exporter.is_configured() {
                layer = layer.sink(exporter.build()?);
                sinks += 1;
            }
        }
        if sinks == 0 {
            layer = layer.sink(ConsoleSink::new());
        }
        let (layer, guard) = layer.build()?;
        let fmt = log.map(|level| tracing_subscriber::fmt::layer().with_filter(level));
        tracing_subscriber::registry().with(layer).with(fmt).try_init().map_err(|_| InitError::AlreadyInitialized)?;
        Ok(guard)
    }
}

/// The Rust snippets of the README and the reference pages compile (and run, unless marked
/// `no_run`) as doctests, so every public path they show keeps working.
#[cfg(doctest)]
mod documentation {
    #[doc = include_str!("../README.md")]
    struct Readme;
    #[doc = include_str!("../docs/observe.md")]
    struct Observe;
    #[doc = include_str!("../docs/settings.md")]
    struct Settings;
    #[doc = include_str!("../docs/otlp-export.md")]
    struct OtlpExport;
    #[cfg(feature = "guard")]
    #[doc = include_str!("../docs/guard.md")]
    struct Guard;
    #[cfg(feature = "prompts")]
    #[doc = include_str!("../docs/prompts.md")]
    struct Prompts;
    #[cfg(feature = "datasets")]
    #[doc = include_str!("../docs/datasets-rust.md")]
    struct DatasetsRust;
}
