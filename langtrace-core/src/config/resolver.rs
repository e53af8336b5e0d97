//! The one rule for every setting of langtrace and its exporter: a builder value wins,
//! else the first of the setting's environment variables that is set and not blank
//! (trimmed), else the default. A refused value names where it came from ([`Source`]).

use std::time::Duration;

use serde_json::{Map, Value};

use super::{ConfigError, Source};

/// A value found for a setting, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The value (trimmed when it came from the environment).
    pub value: String,
    /// Where it came from.
    pub source: Source,
}

impl Found {
    /// The error refusing this value for `reason`.
    pub fn invalid(&self, reason: impl Into<String>) -> ConfigError {
        ConfigError { setting: self.source.clone(), value: self.value.clone(), reason: reason.into() }
    }

    /// The value parsed by `parse`, refused for `reason` when it gives `None`.
    pub fn parse<T>(&self, parse: impl FnOnce(&str) -> Option<T>, reason: &str) -> Result<T, ConfigError> {
        parse(&self.value).ok_or_else(|| self.invalid(reason))
    }
}

/// Reads settings from builder values and environment variables.
#[derive(Clone, Copy)]
pub struct Resolver<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Resolver<'a> {
    /// A resolver reading environment variables through `env`.
    pub fn new(env: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { env }
    }

    /// Whether the variable is set to something other than blanks.
    pub fn is_set(&self, name: &str) -> bool {
        (self.env)(name).is_some_and(|value| !value.trim().is_empty())
    }

    /// The first of `names` that is set and not blank, trimmed.
    pub fn env(&self, names: &[&'static str]) -> Option<Found> {
        names.iter().find_map(|&name| {
            let value = (self.env)(name).filter(|value| !value.trim().is_empty())?;
            Some(Found { value: value.trim().to_owned(), source: Source::Env(name) })
        })
    }

    /// The builder's text (given by `method`), else the environment's.
    pub fn text(&self, builder: Option<&str>, method: &'static str, names: &[&'static str]) -> Option<Found> {
        match builder {
            Some(value) => Some(Found { value: value.to_owned(), source: Source::Builder(method) }),
            None => self.env(names),
        }
    }

    /// The builder's value, else the environment's parsed by `parse` (refused for
    /// `reason`), else `None`.
    pub fn parsed<T>(
        &self,
        builder: Option<T>,
        names: &[&'static str],
        parse: impl FnOnce(&str) -> Option<T>,
        reason: &str,
    ) -> Result<Option<T>, ConfigError> {
        match builder {
            Some(value) => Ok(Some(value)),
            None => self.env(names).map(|found| found.parse(parse, reason)).transpose(),
        }
    }

    /// A switch: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off` (any case).
    pub fn bool(&self, builder: Option<bool>, names: &[&'static str]) -> Result<Option<bool>, ConfigError> {
        let parse = |text: &str| match text.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Some(true),
            "0" | "false" | "no" | "off" => Some(false),
            _ => None,
        };
        self.parsed(builder, names, parse, "expected true or false")
    }

    /// A count of at least 1 (a builder's 0 is refused too).
    pub fn count(
        &self,
        builder: Option<usize>,
        method: &'static str,
        names: &[&'static str],
    ) -> Result<Option<usize>, ConfigError> {
        if builder == Some(0) {
            return Err(Found { value: "0".to_owned(), source: Source::Builder(method) }.invalid("must be at least 1"));
        }
        self.parsed(builder, names, |text| text.parse().ok().filter(|&n: &usize| n > 0), "expected a positive integer")
    }

    /// A duration given in the environment as a positive number of seconds (fractions
    /// allowed).
    pub fn seconds(&self, builder: Option<Duration>, names: &[&'static str]) -> Result<Option<Duration>, ConfigError> {
        let parse = |text: &str| {
            let seconds = text.parse::<f64>().ok().filter(|s| *s > 0.0 && s.is_finite())?;
            Some(Duration::from_secs_f64(seconds))
        };
        self.parsed(builder, names, parse, "expected a positive number of seconds")
    }

    /// A positive duration, given in the environment as whole milliseconds.
    pub fn milliseconds(
        &self,
        builder: Option<Duration>,
        method: &'static str,
        names: &[&'static str],
    ) -> Result<Option<Duration>, ConfigError> {
        if let Some(zero) = builder.filter(Duration::is_zero) {
            let found = Found { value: format!("{zero:?}"), source: Source::Builder(method) };
            return Err(found.invalid("must be positive"));
        }
        let parse = |text: &str| text.parse::<u64>().ok().filter(|&ms| ms > 0).map(Duration::from_millis);
        self.parsed(builder, names, parse, "expected a positive number of milliseconds")
    }

    /// A JSON object, given in the environment as its text.
    pub fn json_object(
        &self,
        builder: Option<&Map<String, Value>>,
        names: &[&'static str],
    ) -> Result<Option<Map<String, Value>>, ConfigError> {
        let parse = |text: &str| match serde_json::from_str(text) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        };
        self.parsed(builder.cloned(), names, parse, "expected a JSON object")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<R>(vars: &[(&str, &str)], check: impl FnOnce(Resolver<'_>) -> R) -> R {
        let lookup = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned());
        check(Resolver::new(&lookup))
    }

    #[test]
    fn builder_then_first_non_blank_variable_trimmed() {
        let vars = [("A", "  "), ("B", " b "), ("C", "c")];
        with(&vars, |r| {
            assert_eq!(r.env(&["A", "B", "C"]), Some(Found { value: "b".into(), source: Source::Env("B") }));
            assert_eq!(r.text(Some(" x "), "x", &["B"]).unwrap().value, " x ", "builder values are taken as given");
            assert_eq!(r.text(None, "x", &["A"]), None);
            assert!(r.is_set("C") && !r.is_set("A") && !r.is_set("Z"));
        });
    }

    #[test]
    fn typed_values_and_their_refusals() {
        let vars =
            [("ON", "Yes"), ("BAD", "maybe"), ("N", "3"), ("ZERO", "0"), ("S", "0.5"), ("MS", "250"), ("J", "[1]")];
        with(&vars, |r| {
            assert_eq!(r.bool(None, &["ON"]), Ok(Some(true)));
            assert_eq!(r.bool(Some(false), &["ON"]), Ok(Some(false)));
            assert_eq!(r.bool(None, &["BAD"]).unwrap_err().reason, "expected true or false");
            assert_eq!(r.count(None, "n", &["N"]), Ok(Some(3)));
            assert_eq!(r.count(None, "n", &["ZERO"]).unwrap_err().setting, Source::Env("ZERO"));
            assert_eq!(
                r.count(Some(0), "n", &["N"]).unwrap_err().to_string(),
                "invalid builder setting `n` = \"0\": must be at least 1"
            );
            assert_eq!(r.seconds(None, &["S"]), Ok(Some(Duration::from_millis(500))));
            assert!(r.seconds(None, &["BAD"]).is_err());
            assert_eq!(r.milliseconds(None, "t", &["MS"]), Ok(Some(Duration::from_millis(250))));
            assert!(r.milliseconds(None, "t", &["S"]).is_err(), "whole milliseconds only");
            assert_eq!(r.milliseconds(Some(Duration::ZERO), "t", &[]).unwrap_err().reason, "must be positive");
            assert_eq!(r.json_object(None, &["J"]).unwrap_err().reason, "expected a JSON object");
            assert_eq!(r.json_object(None, &["NONE"]), Ok(None));
        });
    }
}
