//! The forwarding settings of `serve`: the flags and their environment twins as typed
//! ([`ForwardArgs`]), then validated into what the forwarder uses ([`ForwardConfig`]),
//! every error naming its setting. Header values and the Langfuse secret never appear in
//! an error or in `Debug`.

use std::fmt;
use std::time::Duration;

use base64::Engine;
use clap::Args;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;

/// Langfuse's OTLP path, appended to the base URL when Langfuse keys are given (as the
/// OTLP bridge does with `LANGFUSE_BASE_URL`).
pub const LANGFUSE_OTLP_PATH: &str = "/api/public/otel/v1/traces";

/// Settings of forwarding (off without `--forward-otlp`).
#[derive(Clone, Args)]
pub struct ForwardArgs {
    /// Upstream OTLP/HTTP traces endpoint (e.g. `http://otel-collector:4318/v1/traces`),
    /// or with Langfuse keys the Langfuse base URL; every span received over OTLP is also
    /// delivered there, from the store.
    #[arg(long = "forward-otlp", env = "LANGTRACE_FORWARD_OTLP")]
    pub url: Option<String>,
    /// A header sent upstream, `NAME=VALUE` (repeatable; comma-separated in the
    /// environment).
    #[arg(
        long = "forward-otlp-header",
        value_name = "NAME=VALUE",
        env = "LANGTRACE_FORWARD_OTLP_HEADERS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub headers: Vec<String>,
    /// `http/protobuf` (default); `grpc` is refused at start-up (not implemented).
    #[arg(long = "forward-otlp-protocol", env = "LANGTRACE_FORWARD_OTLP_PROTOCOL", default_value = "http/protobuf")]
    pub protocol: String,
    /// `gzip` or `none` (default), as `OTEL_EXPORTER_OTLP_COMPRESSION`.
    #[arg(long = "forward-otlp-compression", env = "LANGTRACE_FORWARD_OTLP_COMPRESSION", default_value = "none")]
    pub compression: String,
    /// Langfuse public key: the upstream is Langfuse, reached with Basic credentials.
    #[arg(long = "forward-langfuse-public-key", value_name = "KEY", env = "LANGTRACE_FORWARD_LANGFUSE_PUBLIC_KEY")]
    pub langfuse_public_key: Option<String>,
    /// Langfuse secret key.
    #[arg(
        long = "forward-langfuse-secret-key",
        value_name = "KEY",
        env = "LANGTRACE_FORWARD_LANGFUSE_SECRET_KEY",
        hide_env_values = true
    )]
    pub langfuse_secret_key: Option<String>,
    /// Longest wait for one upstream request (e.g. `10s`).
    #[arg(long = "forward-timeout", value_name = "DURATION", env = "LANGTRACE_FORWARD_TIMEOUT", default_value = "10s")]
    pub timeout: String,
    /// Bytes of encoded exports kept waiting for the upstream at most; past it the oldest
    /// are dropped (counted, warned).
    #[arg(long = "forward-max-backlog", value_name = "BYTES", env = "LANGTRACE_FORWARD_MAX_BACKLOG", default_value_t = DEFAULT_MAX_BACKLOG)]
    pub max_backlog: u64,
}

/// 1 GiB.
pub const DEFAULT_MAX_BACKLOG: u64 = 1 << 30;

/// The smallest backlog cap: one largest default export.
const MIN_MAX_BACKLOG: u64 = 1 << 20;

impl Default for ForwardArgs {
    /// Forwarding off; the other settings at their command-line defaults.
    fn default() -> Self {
        Self {
            url: None,
            headers: Vec::new(),
            protocol: "http/protobuf".to_owned(),
            compression: "none".to_owned(),
            langfuse_public_key: None,
            langfuse_secret_key: None,
            timeout: "10s".to_owned(),
            max_backlog: DEFAULT_MAX_BACKLOG,
        }
    }
}

impl fmt::Debug for ForwardArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForwardArgs")
            .field("url", &self.url.as_deref().map(display_endpoint))
            .field("headers", &format!("{} header(s), values hidden", self.headers.len()))
            .field("protocol", &self.protocol)
            .field("compression", &self.compression)
            .field("langfuse_public_key", &self.langfuse_public_key)
            .field("langfuse_secret_key", &self.langfuse_secret_key.as_ref().map(|_| "<hidden>"))
            .field("timeout", &self.timeout)
            .field("max_backlog", &self.max_backlog)
            .finish()
    }
}

/// A forwarding setting that cannot be used; the message names the setting.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct SettingError {
    /// The flag and its environment twin.
    pub setting: &'static str,
    /// What is wrong (never a secret).
    pub problem: String,
}

fn invalid(setting: &'static str, problem: impl Into<String>) -> SettingError {
    SettingError { setting, problem: problem.into() }
}

const URL: &str = "--forward-otlp / LANGTRACE_FORWARD_OTLP";
const HEADER: &str = "--forward-otlp-header / LANGTRACE_FORWARD_OTLP_HEADERS";
const PROTOCOL: &str = "--forward-otlp-protocol / LANGTRACE_FORWARD_OTLP_PROTOCOL";
const COMPRESSION: &str = "--forward-otlp-compression / LANGTRACE_FORWARD_OTLP_COMPRESSION";
const PUBLIC_KEY: &str = "--forward-langfuse-public-key / LANGTRACE_FORWARD_LANGFUSE_PUBLIC_KEY";
const SECRET_KEY: &str = "--forward-langfuse-secret-key / LANGTRACE_FORWARD_LANGFUSE_SECRET_KEY";
const TIMEOUT: &str = "--forward-timeout / LANGTRACE_FORWARD_TIMEOUT";
const MAX_BACKLOG: &str = "--forward-max-backlog / LANGTRACE_FORWARD_MAX_BACKLOG";

/// Validated forwarding settings.
#[derive(Clone)]
pub struct ForwardConfig {
    /// The traces endpoint requests go to.
    pub endpoint: Url,
    /// Headers of every request: the configured ones, then Langfuse's `Authorization`.
    pub headers: HeaderMap,
    /// Whether bodies are gzip-compressed.
    pub gzip: bool,
    /// Longest wait for one request.
    pub timeout: Duration,
    /// Bytes of pending exports kept at most.
    pub max_backlog: u64,
}

impl fmt::Debug for ForwardConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForwardConfig")
            .field("endpoint", &self.display_endpoint())
            .field("headers", &self.headers.keys().map(HeaderName::as_str).collect::<Vec<_>>())
            .field("gzip", &self.gzip)
            .field("timeout", &self.timeout)
            .field("max_backlog", &self.max_backlog)
            .finish()
    }
}

impl ForwardConfig {
    /// The endpoint without credentials, query or fragment: what status and logs show.
    pub fn display_endpoint(&self) -> String {
        display_endpoint(self.endpoint.as_str())
    }

    /// The wire protocol's name.
    pub fn protocol(&self) -> &'static str {
        "http/protobuf"
    }
}

/// `url` without credentials, query or fragment (the text itself when it is no URL).
fn display_endpoint(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.to_string()
        }
        Err(_) => "<not a URL>".to_owned(),
    }
}

impl ForwardArgs {
    /// The validated settings; `None` when forwarding is off (no `--forward-otlp`).
    pub fn config(&self) -> Result<Option<ForwardConfig>, SettingError> {
        let Some(url) = self.url.as_deref().map(str::trim).filter(|url| !url.is_empty()) else {
            if self.langfuse_public_key.is_some() || self.langfuse_secret_key.is_some() {
                return Err(invalid(URL, "Langfuse keys are set but no upstream URL (the Langfuse base URL)"));
            }
            return Ok(None);
        };
        match self.protocol.trim() {
            "http/protobuf" => {}
            "grpc" => return Err(invalid(PROTOCOL, "grpc is not supported by the forwarder: use http/protobuf")),
            other => return Err(invalid(PROTOCOL, format!("{other:?}: expected http/protobuf"))),
        }
        let gzip = match self.compression.trim() {
            "gzip" => true,
            "none" => false,
            other => return Err(invalid(COMPRESSION, format!("{other:?}: expected gzip or none"))),
        };
        let mut headers = self.headers()?;
        let endpoint = match self.langfuse_authorization()? {
            Some(authorization) => {
                headers.insert(reqwest::header::AUTHORIZATION, authorization);
                let base = url.trim_end_matches('/');
                let base = base.strip_suffix(LANGFUSE_OTLP_PATH).unwrap_or(base);
                parse_url(&format!("{base}{LANGFUSE_OTLP_PATH}"))?
            }
            None => parse_url(url)?,
        };
        let timeout = humantime::parse_duration(self.timeout.trim())
            .map_err(|error| invalid(TIMEOUT, format!("{:?}: {error}", self.timeout)))?;
        if timeout.is_zero() {
            return Err(invalid(TIMEOUT, "must be longer than zero"));
        }
        if self.max_backlog < MIN_MAX_BACKLOG {
            return Err(invalid(
                MAX_BACKLOG,
                format!("{} bytes is below the minimum of {MIN_MAX_BACKLOG}", self.max_backlog),
            ));
        }
        Ok(Some(ForwardConfig { endpoint, headers, gzip, timeout, max_backlog: self.max_backlog }))
    }

    /// The configured headers, each `NAME=VALUE`.
    fn headers(&self) -> Result<HeaderMap, SettingError> {
        let mut headers = HeaderMap::new();
        for (index, pair) in self.headers.iter().enumerate().filter(|(_, pair)| !pair.trim().is_empty()) {
            let problem = |what: &str| invalid(HEADER, format!("header {} {what}", index + 1));
            let (name, value) = pair.split_once('=').ok_or_else(|| problem("is not NAME=VALUE"))?;
            let name = HeaderName::try_from(name.trim()).map_err(|_| problem("has an invalid name"))?;
            let mut value = HeaderValue::try_from(value.trim()).map_err(|_| problem("has an invalid value"))?;
            value.set_sensitive(true);
            headers.append(name, value);
        }
        Ok(headers)
    }

    /// Basic credentials from the Langfuse key pair, if given (both or neither).
    fn langfuse_authorization(&self) -> Result<Option<HeaderValue>, SettingError> {
        match (&self.langfuse_public_key, &self.langfuse_secret_key) {
            (Some(public), Some(secret)) => {
                let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{public}:{secret}"));
                let mut value = HeaderValue::try_from(format!("Basic {credentials}"))
                    .map_err(|_| invalid(PUBLIC_KEY, "the key pair is not valid header text"))?;
                value.set_sensitive(true);
                Ok(Some(value))
            }
            (Some(_), None) => Err(invalid(SECRET_KEY, "not set, but the public key is: give both or neither")),
            (None, Some(_)) => Err(invalid(PUBLIC_KEY, "not set, but the secret key is: give both or neither")),
            (None, None) => Ok(None),
        }
    }
}

/// An absolute http(s) URL.
fn parse_url(text: &str) -> Result<Url, SettingError> {
    let url = Url::parse(text).map_err(|error| invalid(URL, format!("{}: {error}", display_endpoint(text))))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(URL, format!("{}: expected an absolute http:// or https:// URL", display_endpoint(text))));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: &str) -> ForwardArgs {
        ForwardArgs { url: Some(url.into()), ..ForwardArgs::default() }
    }

    #[test]
    fn langfuse_keys_resolve_the_otlp_path_and_basic_credentials() {
        let mut forward = args("https://cloud.langfuse.com/");
        forward.langfuse_public_key = Some("pk-lf-1".into());
        forward.langfuse_secret_key = Some("sk-lf-secret".into());
        let config = forward.config().unwrap().unwrap();
        assert_eq!(config.endpoint.as_str(), "https://cloud.langfuse.com/api/public/otel/v1/traces");
        let expected = base64::engine::general_purpose::STANDARD.encode("pk-lf-1:sk-lf-secret");
        assert_eq!(config.headers["authorization"], format!("Basic {expected}").as_str());
        assert!(!format!("{config:?}{forward:?}").contains("sk-lf-secret"));
    }

    #[test]
    fn bad_values_name_their_setting_and_hide_secrets() {
        type Change = fn(&mut ForwardArgs);
        let cases: [(Change, &str); 6] = [
            (|a| a.url = Some("ftp://x".into()), URL),
            (|a| a.protocol = "grpc".into(), PROTOCOL),
            (|a| a.headers = vec!["x-token: hunter2".into()], HEADER),
            (|a| a.langfuse_secret_key = Some("hunter2".into()), PUBLIC_KEY),
            (|a| a.timeout = "0s".into(), TIMEOUT),
            (|a| a.max_backlog = 10, MAX_BACKLOG),
        ];
        for (change, setting) in cases {
            let mut forward = args("http://127.0.0.1:4318/v1/traces");
            change(&mut forward);
            let error = forward.config().unwrap_err().to_string();
            assert!(error.starts_with(setting), "{error}");
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn endpoint_shown_without_credentials() {
        let config = args("http://user:hunter2@127.0.0.1:4318/v1/traces?token=hunter2").config().unwrap().unwrap();
        assert_eq!(config.display_endpoint(), "http://127.0.0.1:4318/v1/traces");
        assert_eq!(ForwardArgs::default().config().unwrap().map(|c| c.gzip), None);
    }
}
