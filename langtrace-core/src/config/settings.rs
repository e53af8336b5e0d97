//! The layer's settings, staged: the builder's values ([`Settings`], the model), each
//! resolved and validated by a function of its own (builder value, else environment
//! variable, else default: [`Resolver`]), then the [`Config`] generated from them.

use std::time::Duration;

use serde_json::{Map, Value};

use super::{env, Config, ConfigError, EnvLookup, Found, Resolver, Source};
use crate::environment;

/// Values given to the builder; `None` means "read the environment, then default".
#[derive(Clone, Default)]
pub(crate) struct Settings {
    pub(crate) enabled: Option<bool>,
    pub(crate) environment: Option<String>,
    pub(crate) release: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) sample_rate: Option<f64>,
    pub(crate) capture_io: Option<bool>,
    pub(crate) default_metadata: Option<Map<String, Value>>,
    pub(crate) max_payload_bytes: Option<usize>,
    pub(crate) max_queue_size: Option<usize>,
    pub(crate) flush_at: Option<usize>,
    pub(crate) flush_interval: Option<Duration>,
}

impl Settings {
    /// Resolves builder values, then environment variables, then defaults, validating each.
    pub(crate) fn resolve(&self, lookup: &EnvLookup) -> Result<Config, ConfigError> {
        let r = Resolver::new(lookup);
        let defaults = Config::default();
        // In this order, so the first invalid setting reported stays the same.
        let enabled = r.bool(self.enabled, &env::ENABLED)?.unwrap_or(defaults.enabled);
        let capture_io = r.bool(self.capture_io, &env::CAPTURE_IO)?.unwrap_or(defaults.capture_io);
        let environment = self.environment(r)?;
        let release = self.release(r);
        let version = r.text(self.version.as_deref(), "version", &env::VERSION).map(|found| found.value);
        let sample_rate = self.sample_rate(r)?.unwrap_or(defaults.sample_rate);
        let default_metadata =
            r.json_object(self.default_metadata.as_ref(), &env::DEFAULT_METADATA)?.unwrap_or(defaults.default_metadata);
        let flush_interval = r.seconds(self.flush_interval, &env::FLUSH_INTERVAL)?.unwrap_or(defaults.flush_interval);
        let max_payload_bytes = r
            .count(self.max_payload_bytes, "max_payload_bytes", &env::MAX_PAYLOAD_BYTES)?
            .unwrap_or(defaults.max_payload_bytes);
        let max_queue_size =
            r.count(self.max_queue_size, "max_queue_size", &env::MAX_QUEUE_SIZE)?.unwrap_or(defaults.max_queue_size);
        let flush_at = r.count(self.flush_at, "flush_at", &env::FLUSH_AT)?.unwrap_or(defaults.flush_at);
        Ok(Config {
            enabled,
            environment,
            release,
            version,
            sample_rate,
            capture_io,
            default_metadata,
            max_payload_bytes,
            max_queue_size,
            flush_at,
            flush_interval,
        })
    }

    /// Langfuse's rule (see [`environment`]); `default` when unset.
    fn environment(&self, r: Resolver<'_>) -> Result<String, ConfigError> {
        match r.text(self.environment.as_deref(), "environment", &env::ENVIRONMENT) {
            Some(found) => match environment::validate(&found.value) {
                Ok(()) => Ok(found.value),
                Err(rule) => Err(found.invalid(rule)),
            },
            None => Ok(environment::DEFAULT.to_owned()),
        }
    }

    /// The release setting, else a CI commit variable.
    fn release(&self, r: Resolver<'_>) -> Option<String> {
        let found =
            r.text(self.release.as_deref(), "release", &env::RELEASE).or_else(|| r.env(&env::RELEASE_FALLBACKS));
        found.map(|found| found.value)
    }

    /// A number in [0, 1], from the builder too.
    fn sample_rate(&self, r: Resolver<'_>) -> Result<Option<f64>, ConfigError> {
        const REASON: &str = "expected a number in [0, 1]";
        let in_range = |rate: &f64| (0.0..=1.0).contains(rate);
        if let Some(rate) = self.sample_rate.filter(|rate| !in_range(rate)) {
            return Err(Found { value: rate.to_string(), source: Source::Builder("sample_rate") }.invalid(REASON));
        }
        r.parsed(self.sample_rate, &env::SAMPLE_RATE, |text| text.parse().ok().filter(in_range), REASON)
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
