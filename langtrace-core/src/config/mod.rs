//! Settings of the layer and pipeline: builder values win over environment variables,
//! which win over defaults. Each setting has a `LANGTRACE_*` variable and, where
//! Langfuse has one, the `LANGFUSE_*` name too so existing deployments carry over.
//! Invalid values fail at build time with an error naming the setting.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::environment;

mod resolver;
mod settings;

pub use resolver::{Found, Resolver};
pub(crate) use settings::Settings;

/// Where a setting's value came from, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A builder method.
    Builder(&'static str),
    /// An environment variable.
    Env(&'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Builder(method) => write!(f, "builder setting `{method}`"),
            Source::Env(var) => write!(f, "environment variable {var}"),
        }
    }
}

/// A setting that could not be accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {setting} = {value:?}: {reason}")]
pub struct ConfigError {
    /// The setting (builder method or environment variable) that was rejected.
    pub setting: Source,
    /// The rejected value.
    pub value: String,
    /// What a valid value looks like.
    pub reason: String,
}

/// Environment variables read, ours first then Langfuse's.
pub mod env {
    /// Turns tracing off entirely (`false`).
    pub const ENABLED: [&str; 2] = ["LANGTRACE_TRACING_ENABLED", "LANGFUSE_TRACING_ENABLED"];
    /// Deployment environment.
    pub const ENVIRONMENT: [&str; 2] = ["LANGTRACE_TRACING_ENVIRONMENT", "LANGFUSE_TRACING_ENVIRONMENT"];
    /// Release.
    pub const RELEASE: [&str; 2] = ["LANGTRACE_RELEASE", "LANGFUSE_RELEASE"];
    /// CI commit variables used as release when none is set.
    pub const RELEASE_FALLBACKS: [&str; 16] = [
        "GITHUB_SHA",
        "CI_COMMIT_SHA",
        "CIRCLE_SHA1",
        "BUILDKITE_COMMIT",
        "TRAVIS_COMMIT",
        "BITBUCKET_COMMIT",
        "BUILD_SOURCEVERSION",
        "DRONE_COMMIT_SHA",
        "SEMAPHORE_GIT_SHA",
        "VERCEL_GIT_COMMIT_SHA",
        "HEROKU_SLUG_COMMIT",
        "RENDER_GIT_COMMIT",
        "CF_PAGES_COMMIT_SHA",
        "CODEBUILD_RESOLVED_SOURCE_VERSION",
        "RAILWAY_GIT_COMMIT_SHA",
        "SOURCE_VERSION",
    ];
    /// Version of the application logic.
    pub const VERSION: [&str; 2] = ["LANGTRACE_VERSION", "LANGFUSE_VERSION"];
    /// Sample rate in [0, 1].
    pub const SAMPLE_RATE: [&str; 2] = ["LANGTRACE_SAMPLE_RATE", "LANGFUSE_SAMPLE_RATE"];
    /// Input/output capture switch.
    pub const CAPTURE_IO: [&str; 2] = ["LANGTRACE_CAPTURE_IO", "LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED"];
    /// Default metadata, a JSON object.
    pub const DEFAULT_METADATA: [&str; 1] = ["LANGTRACE_DEFAULT_METADATA"];
    /// Maximum size of one input, output or metadata value, in bytes of JSON.
    pub const MAX_PAYLOAD_BYTES: [&str; 1] = ["LANGTRACE_MAX_PAYLOAD_BYTES"];
    /// Records held in memory before new ones are dropped.
    pub const MAX_QUEUE_SIZE: [&str; 2] = ["LANGTRACE_MAX_QUEUE_SIZE", "LANGFUSE_MAX_QUEUE_SIZE"];
    /// Records per batch handed to sinks.
    pub const FLUSH_AT: [&str; 2] = ["LANGTRACE_FLUSH_AT", "LANGFUSE_FLUSH_AT"];
    /// Seconds between flushes of a partial batch.
    pub const FLUSH_INTERVAL: [&str; 2] = ["LANGTRACE_FLUSH_INTERVAL", "LANGFUSE_FLUSH_INTERVAL"];
}

/// The resolved settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// When false nothing is recorded and no capture work happens.
    pub enabled: bool,
    /// Deployment environment (`default` unless set).
    pub environment: String,
    /// Release of the application, from the setting or a CI commit variable.
    pub release: Option<String>,
    /// Version of the application logic, stamped on observations without their own.
    pub version: Option<String>,
    /// Fraction of traces recorded, decided on the trace id.
    pub sample_rate: f64,
    /// Whether `#[observe]` captures inputs and outputs.
    pub capture_io: bool,
    /// Metadata added to every observation (explicit keys win).
    pub default_metadata: Map<String, Value>,
    /// Largest JSON size of one input, output or metadata value before truncation.
    pub max_payload_bytes: usize,
    /// Records held before new ones are dropped (and counted).
    pub max_queue_size: usize,
    /// Records per batch handed to sinks.
    pub flush_at: usize,
    /// Longest time a record waits before sinks see it.
    pub flush_interval: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            enabled: true,
            environment: environment::DEFAULT.to_owned(),
            release: None,
            version: None,
            sample_rate: 1.0,
            capture_io: true,
            default_metadata: Map::new(),
            max_payload_bytes: 1 << 20,
            max_queue_size: 2048,
            flush_at: 512,
            flush_interval: Duration::from_secs(5),
        }
    }
}

/// Reads one environment variable (injectable for tests).
pub type EnvLookup = dyn Fn(&str) -> Option<String> + Send + Sync;
