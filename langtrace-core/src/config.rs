//! Settings of the layer and pipeline: builder values win over environment variables,
//! which win over defaults. Each setting has a `LANGTRACE_*` variable and, where
//! Langfuse has one, the `LANGFUSE_*` name too so existing deployments carry over.
//! Invalid values fail at build time with an error naming the setting.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::environment;

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

/// Values given to the builder; `None` means "read the environment, then default".
#[derive(Clone, Default)]
pub(crate) struct Settings {
    pub enabled: Option<bool>,
    pub environment: Option<String>,
    pub release: Option<String>,
    pub version: Option<String>,
    pub sample_rate: Option<f64>,
    pub capture_io: Option<bool>,
    pub default_metadata: Option<Map<String, Value>>,
    pub max_payload_bytes: Option<usize>,
    pub max_queue_size: Option<usize>,
    pub flush_at: Option<usize>,
    pub flush_interval: Option<Duration>,
}

/// Reads one environment variable (injectable for tests).
pub type EnvLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

impl Settings {
    /// Resolves builder values, then environment variables, then defaults, validating each.
    pub(crate) fn resolve(&self, lookup: &EnvLookup) -> Result<Config, ConfigError> {
        let defaults = Config::default();
        let env = |names: &[&'static str]| {
            names.iter().find_map(|name| {
                lookup(name).filter(|v| !v.trim().is_empty()).map(|v| (Source::Env(name), v.trim().to_owned()))
            })
        };
        let pick = |builder: Option<String>, method: &'static str, names: &[&'static str]| {
            builder.map(|v| (Source::Builder(method), v)).or_else(|| env(names))
        };

        let enabled = match (self.enabled, env(&env::ENABLED)) {
            (Some(b), _) => b,
            (None, Some((source, v))) => parse_bool(source, &v)?,
            (None, None) => defaults.enabled,
        };
        let capture_io = match (self.capture_io, env(&env::CAPTURE_IO)) {
            (Some(b), _) => b,
            (None, Some((source, v))) => parse_bool(source, &v)?,
            (None, None) => defaults.capture_io,
        };
        let environment = match pick(self.environment.clone(), "environment", &env::ENVIRONMENT) {
            Some((source, v)) => validate_environment(source, v)?,
            None => defaults.environment,
        };
        let release = pick(self.release.clone(), "release", &env::RELEASE)
            .or_else(|| env(&env::RELEASE_FALLBACKS))
            .map(|(_, v)| v);
        let version = pick(self.version.clone(), "version", &env::VERSION).map(|(_, v)| v);
        let sample_rate = match (self.sample_rate, env(&env::SAMPLE_RATE)) {
            (Some(rate), _) => validate_rate(Source::Builder("sample_rate"), rate, &rate.to_string())?,
            (None, Some((source, v))) => {
                let rate = v.parse::<f64>().map_err(|_| invalid(source.clone(), &v, "expected a number in [0, 1]"))?;
                validate_rate(source, rate, &v)?
            }
            (None, None) => defaults.sample_rate,
        };
        let default_metadata = match (&self.default_metadata, env(&env::DEFAULT_METADATA)) {
            (Some(map), _) => map.clone(),
            (None, Some((source, v))) => match serde_json::from_str::<Value>(&v) {
                Ok(Value::Object(map)) => map,
                _ => return Err(invalid(source, &v, "expected a JSON object")),
            },
            (None, None) => defaults.default_metadata,
        };
        let size = |builder: Option<usize>, method, names: &[&'static str], default: usize| match (builder, env(names))
        {
            (Some(0), _) => Err(invalid(Source::Builder(method), "0", "must be at least 1")),
            (Some(n), _) => Ok(n),
            (None, Some((source, v))) => match v.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(invalid(source, &v, "expected a positive integer")),
            },
            (None, None) => Ok(default),
        };
        let flush_interval = match (self.flush_interval, env(&env::FLUSH_INTERVAL)) {
            (Some(d), _) => d,
            (None, Some((source, v))) => match v.parse::<f64>() {
                Ok(secs) if secs > 0.0 && secs.is_finite() => Duration::from_secs_f64(secs),
                _ => return Err(invalid(source, &v, "expected a positive number of seconds")),
            },
            (None, None) => defaults.flush_interval,
        };
        Ok(Config {
            enabled,
            environment,
            release,
            version,
            sample_rate,
            capture_io,
            default_metadata,
            max_payload_bytes: size(
                self.max_payload_bytes,
                "max_payload_bytes",
                &env::MAX_PAYLOAD_BYTES,
                defaults.max_payload_bytes,
            )?,
            max_queue_size: size(self.max_queue_size, "max_queue_size", &env::MAX_QUEUE_SIZE, defaults.max_queue_size)?,
            flush_at: size(self.flush_at, "flush_at", &env::FLUSH_AT, defaults.flush_at)?,
            flush_interval,
        })
    }
}

fn invalid(source: Source, value: &str, reason: &str) -> ConfigError {
    ConfigError { setting: source, value: value.to_owned(), reason: reason.to_owned() }
}

fn parse_bool(source: Source, value: &str) -> Result<bool, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(invalid(source, value, "expected true or false")),
    }
}

fn validate_rate(source: Source, rate: f64, text: &str) -> Result<f64, ConfigError> {
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(invalid(source, text, "expected a number in [0, 1]"))
    }
}

/// Langfuse's rule, see [`environment`].
fn validate_environment(source: Source, value: String) -> Result<String, ConfigError> {
    match environment::validate(&value) {
        Ok(()) => Ok(value),
        Err(rule) => Err(invalid(source, &value, rule)),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn resolve(settings: Settings, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        settings.resolve(&move |name: &str| vars.get(name).cloned())
    }

    #[test]
    fn defaults_without_anything() {
        assert_eq!(resolve(Settings::default(), &[]).unwrap(), Config::default());
    }

    #[test]
    fn builder_beats_ours_beats_langfuse() {
        let vars = [("LANGTRACE_TRACING_ENVIRONMENT", "staging"), ("LANGFUSE_TRACING_ENVIRONMENT", "prod")];
        assert_eq!(resolve(Settings::default(), &vars).unwrap().environment, "staging");
        assert_eq!(resolve(Settings::default(), &vars[1..]).unwrap().environment, "prod");
        let builder = Settings { environment: Some("dev".into()), ..Settings::default() };
        assert_eq!(resolve(builder, &vars).unwrap().environment, "dev");
    }

    #[test]
    fn invalid_environment_names_the_setting() {
        for bad in ["Prod", "langfuse-x", "", "a b", &"x".repeat(41)] {
            let err = resolve(Settings::default(), &[("LANGFUSE_TRACING_ENVIRONMENT", bad)]);
            if bad.trim().is_empty() {
                assert!(err.is_ok(), "an empty variable counts as unset");
                continue;
            }
            let err = err.unwrap_err();
            assert_eq!(err.setting, Source::Env("LANGFUSE_TRACING_ENVIRONMENT"));
            assert!(err.to_string().contains("LANGFUSE_TRACING_ENVIRONMENT"), "{err}");
        }
        let err = resolve(Settings { environment: Some("BAD".into()), ..Settings::default() }, &[]).unwrap_err();
        assert!(err.to_string().contains("`environment`"), "{err}");
        assert!(resolve(Settings::default(), &[("LANGTRACE_TRACING_ENVIRONMENT", "prod-eu_1")]).is_ok());
    }

    #[test]
    fn release_falls_back_to_ci_commit() {
        assert_eq!(
            resolve(Settings::default(), &[("GITHUB_SHA", "abc123")]).unwrap().release.as_deref(),
            Some("abc123")
        );
        let both = [("LANGFUSE_RELEASE", "v2"), ("GITHUB_SHA", "abc123")];
        assert_eq!(resolve(Settings::default(), &both).unwrap().release.as_deref(), Some("v2"));
    }

    #[test]
    fn sample_rate_bool_and_metadata_validation() {
        assert_eq!(resolve(Settings::default(), &[("LANGTRACE_SAMPLE_RATE", "0.25")]).unwrap().sample_rate, 0.25);
        let err = resolve(Settings::default(), &[("LANGTRACE_SAMPLE_RATE", "1.5")]).unwrap_err();
        assert_eq!(err.setting, Source::Env("LANGTRACE_SAMPLE_RATE"));
        assert!(resolve(Settings::default(), &[("LANGFUSE_SAMPLE_RATE", "lots")]).is_err());
        assert!(resolve(Settings { sample_rate: Some(-0.1), ..Settings::default() }, &[]).is_err());
        assert!(!resolve(Settings::default(), &[("LANGFUSE_TRACING_ENABLED", "false")]).unwrap().enabled);
        let err = resolve(Settings::default(), &[("LANGTRACE_TRACING_ENABLED", "maybe")]).unwrap_err();
        assert_eq!(err.setting, Source::Env("LANGTRACE_TRACING_ENABLED"));
        let config = resolve(Settings::default(), &[("LANGTRACE_DEFAULT_METADATA", r#"{"team":"core"}"#)]).unwrap();
        assert_eq!(config.default_metadata["team"], "core");
        assert!(resolve(Settings::default(), &[("LANGTRACE_DEFAULT_METADATA", "[1]")]).is_err());
        assert!(resolve(Settings::default(), &[("LANGTRACE_MAX_QUEUE_SIZE", "0")]).is_err());
        assert!(resolve(Settings::default(), &[("LANGTRACE_FLUSH_INTERVAL", "-1")]).is_err());
    }
}
